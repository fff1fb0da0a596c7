/* tessera-store-file.c: private files and folders, written atomically and durably
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tessera-error.h"
#include "tessera-store-file.h"

/* Nothing Tessera writes comes near this (the journal is cut at 200
 * lines): a bigger file is not ours, and is not read into memory. */
#define MAX_FILE_SIZE (16 * 1024 * 1024)

static int
code_from_errno (int saved_errno)
{
  return saved_errno == ENOENT ? TESSERA_STORE_ERROR_NOT_FOUND : TESSERA_STORE_ERROR_IO;
}

static void
set_read_error (GError     **error,
                int          saved_errno,
                const char  *path)
{
  g_set_error (error, TESSERA_STORE_ERROR, code_from_errno (saved_errno),
               _("Could not read “%s”: %s"), path, g_strerror (saved_errno));
}

static void
set_save_error (GError     **error,
                int          saved_errno,
                const char  *path)
{
  g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
               _("Could not save “%s”: %s"), path, g_strerror (saved_errno));
}

/* Opens @path itself, never what a symbolic link in its place points to:
 * a link there (made by someone else, or by mistake) must not make us
 * chmod or read another file. Folders when @want_dir, regular files
 * otherwise; O_NONBLOCK so that a FIFO in the way cannot block the open. */
static int
open_no_follow (const char *path,
                gboolean    want_dir)
{
  int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

  if (want_dir)
    flags |= O_DIRECTORY;
  return g_open (path, flags, 0);
}

/* An fd on @path that is ours and of the kind asked for, or -1 with an
 * error naming the path. A file or folder of ours that we cannot read
 * (mode 0200) is given back its owner's read permission first: fchmodat
 * with AT_SYMLINK_NOFOLLOW never follows a link either. */
static int
open_own (const char   *path,
          gboolean      want_dir,
          guint         wanted,
          struct stat  *st,
          GError      **error)
{
  int fd = open_no_follow (path, want_dir);
  int saved_errno = errno;

  if (fd < 0 && saved_errno == EACCES && fchmodat (AT_FDCWD, path, wanted, AT_SYMLINK_NOFOLLOW) == 0)
    {
      fd = open_no_follow (path, want_dir);
      saved_errno = errno;
    }

  if (fd < 0)
    {
      if (saved_errno == ELOOP)
        g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS,
                     _("Could not use “%s”: it is a symbolic link, which Tessera does not follow "
                       "in its own folders"), path);
      else if (saved_errno == ENOTDIR && want_dir)
        g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS,
                     _("Could not use “%s”: it is not a folder"), path);
      else
        set_read_error (error, saved_errno, path);
      return -1;
    }

  if (fstat (fd, st) != 0)
    {
      set_read_error (error, errno, path);
      close (fd);
      return -1;
    }

  if (!want_dir && !S_ISREG (st->st_mode))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS,
                   _("Could not use “%s”: it is not a regular file"), path);
      close (fd);
      return -1;
    }

  if (st->st_uid != geteuid ())
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS,
                   _("Could not use “%s”: it belongs to another user"), path);
      close (fd);
      return -1;
    }

  return fd;
}

/* fchmod on the open file: the object checked is the object changed. */
static gboolean
repair_fd (int                 fd,
           const struct stat  *st,
           const char         *path,
           guint               wanted,
           GError            **error)
{
  if ((st->st_mode & 07777) == wanted)
    return TRUE;

  if (fchmod (fd, wanted) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS,
                   _("Could not protect “%s” from other users: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if ((st->st_mode & 077) != 0)
    g_message ("Made %s private again (it was mode %04o)", path, (guint) (st->st_mode & 07777));
  return TRUE;
}

gboolean
tessera_store_repair_mode (const char  *path,
                           guint        wanted,
                           GError     **error)
{
  gboolean want_dir = (wanted & 0100) != 0;
  struct stat st;
  gboolean ok;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  fd = open_own (path, want_dir, wanted, &st, error);
  if (fd < 0)
    return FALSE;

  ok = repair_fd (fd, &st, path, wanted, error);
  close (fd);
  return ok;
}

gboolean
tessera_store_repair_dir_if_present (const char  *path,
                                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if (tessera_store_repair_mode (path, 0700, &local_error))
    return TRUE;
  if (g_error_matches (local_error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
tessera_store_ensure_private_dir (const char  *path,
                                  GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  /* The mode given to mkdir is masked by the umask, and an existing
   * directory keeps whatever it had: both are fixed by the repair below,
   * which also refuses a link or a file in the way. */
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("Could not create the folder “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  return tessera_store_repair_mode (path, 0700, error);
}

gboolean
tessera_store_sync_dir (const char  *dir,
                        GError     **error)
{
  int fd;

  g_return_val_if_fail (dir != NULL, FALSE);

  fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0 || fsync (fd) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("Could not make sure the changes in the folder “%s” reach the disk: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  close (fd);
  return TRUE;
}

void
tessera_store_sync_parent_dir (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  if (!tessera_store_sync_dir (dir, &error))
    g_message ("%s", error->message);
}

/* ---- lock files -------------------------------------------------------- */

/* The lock file itself, never what a link in its place points to. */
static int
open_lock_file (const char  *path,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  struct stat st;
  int fd;

  if (!tessera_store_ensure_private_dir (dir, error))
    return -1;

  fd = g_open (path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, TESSERA_STORE_ERROR,
                   saved_errno == ELOOP ? TESSERA_STORE_ERROR_PERMISSIONS : TESSERA_STORE_ERROR_IO,
                   _("Could not open the lock file “%s”: %s"), path, g_strerror (saved_errno));
      return -1;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid () ||
      ((st.st_mode & 07777) != 0600 && fchmod (fd, 0600) != 0))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS,
                   _("Could not use the lock file “%s”: it is not a private file of this user"), path);
      close (fd);
      return -1;
    }

  return fd;
}

int
tessera_store_lock_file (const char  *path,
                         const char  *busy_message,
                         GError     **error)
{
  int fd;

  g_return_val_if_fail (path != NULL, -1);
  g_return_val_if_fail (busy_message != NULL, -1);

  fd = open_lock_file (path, error);
  if (fd < 0)
    return -1;

  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;

      close (fd);
      if (saved_errno == EWOULDBLOCK)
        g_set_error_literal (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_BUSY, busy_message);
      else
        g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                     _("Could not lock “%s”: %s"), path, g_strerror (saved_errno));
      return -1;
    }

  return fd;
}

/* ---- writing ------------------------------------------------------------ */

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         length)
{
  while (length > 0)
    {
      gssize written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        return FALSE;
      data += written;
      length -= (gsize) written;
    }
  return TRUE;
}

/* Writes a new 0600 temporary file beside @path and syncs it; returns its
 * name, or NULL with nothing left behind. */
static char *
write_temporary (const char    *path,
                 const void    *data,
                 gsize          length,
                 GError       **error)
{
  g_autofree char *tmp_path = g_strconcat (path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  int saved_errno;

  if (fd < 0)
    {
      set_save_error (error, errno, path);
      return NULL;
    }

  if (write_all (fd, data, length) && fsync (fd) == 0)
    {
      if (close (fd) == 0)
        return g_steal_pointer (&tmp_path);
      fd = -1;
    }

  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (tmp_path);
  set_save_error (error, saved_errno, path);
  return NULL;
}

gboolean
tessera_store_write_private_file (const char  *path,
                                  const void  *data,
                                  gsize        length,
                                  GError     **error)
{
  g_autofree char *tmp_path = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  /* A temporary file beside the target, fsync'ed and renamed over it: a
   * crash or a full disk leaves the old version in place. The rename
   * replaces a symbolic link at @path, it never writes through one. */
  tmp_path = write_temporary (path, data, length, error);
  if (tmp_path == NULL)
    return FALSE;

  if (g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      set_save_error (error, saved_errno, path);
      return FALSE;
    }

  /* Until the folder is synced the rename may not survive a power cut:
   * the caller must not go on (and tell a server) as if it had. */
  dir = g_path_get_dirname (path);
  if (!tessera_store_sync_dir (dir, error))
    return FALSE;

  return tessera_store_repair_mode (path, 0600, error);
}

/* Reads the open file to its end, at most MAX_FILE_SIZE bytes. */
static GBytes *
read_fd (int          fd,
         const char  *path,
         gsize        size_hint,
         GError     **error)
{
  g_autoptr(GByteArray) contents = g_byte_array_sized_new (MIN (size_hint, MAX_FILE_SIZE) + 1);
  guint8 buffer[8192];

  for (;;)
    {
      gssize got = read (fd, buffer, sizeof buffer);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          set_read_error (error, errno, path);
          return NULL;
        }
      if (got == 0)
        break;
      if (contents->len + (gsize) got > MAX_FILE_SIZE)
        {
          g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_CORRUPT,
                       _("Could not read “%s”: it is larger than any file Tessera writes"), path);
          return NULL;
        }
      g_byte_array_append (contents, buffer, (guint) got);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&contents));
}

GBytes *
tessera_store_read_private_file (const char  *path,
                                 GError     **error)
{
  struct stat st;
  GBytes *contents = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = open_own (path, FALSE, 0600, &st, error);
  if (fd < 0)
    return NULL;

  if (repair_fd (fd, &st, path, 0600, error))
    contents = read_fd (fd, path, (gsize) st.st_size, error);
  close (fd);
  return contents;
}
