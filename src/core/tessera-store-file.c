/* tessera-store-file.c: private files and folders, written atomically and durably
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tessera-error.h"
#include "tessera-store-file.h"

gboolean
tessera_store_repair_mode (const char  *path,
                           guint        wanted,
                           GError     **error)
{
  struct stat st;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TESSERA_STORE_ERROR,
                   saved_errno == ENOENT ? TESSERA_STORE_ERROR_NOT_FOUND : TESSERA_STORE_ERROR_IO,
                   _("Could not read “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if (st.st_uid != geteuid ())
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS,
                   _("Could not use “%s”: it belongs to another user"), path);
      return FALSE;
    }

  if ((st.st_mode & 07777) == wanted)
    return TRUE;

  if (g_chmod (path, wanted) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS,
                   _("Could not protect “%s” from other users: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if ((st.st_mode & 077) != 0)
    g_message ("Made %s private again (it was mode %04o)", path, (guint) (st.st_mode & 07777));
  return TRUE;
}

gboolean
tessera_store_ensure_private_dir (const char  *path,
                                  GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  /* The mode given to mkdir is masked by the umask, and an existing
   * directory keeps whatever it had: both are fixed by chmod below. */
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("Could not create the folder “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("Could not create the folder “%s”: a file is in the way"), path);
      return FALSE;
    }

  return tessera_store_repair_mode (path, 0700, error);
}

/* A rename is durable only once its directory entry is on disk. */
void
tessera_store_sync_parent_dir (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return;
  if (fsync (fd) != 0)
    g_debug ("fsync of %s failed: %s", dir, g_strerror (errno));
  close (fd);
}

gboolean
tessera_store_write_private_file (const char  *path,
                                  const void  *data,
                                  gsize        length,
                                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  /* A temporary file beside the target, fsync'ed and renamed over it: a
   * crash or a full disk leaves the old version in place. */
  if (!g_file_set_contents_full (path, data != NULL ? data : "", length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("Could not save “%s”: %s"), path, local_error->message);
      return FALSE;
    }

  tessera_store_sync_parent_dir (path);
  return tessera_store_repair_mode (path, 0600, error);
}

GBytes *
tessera_store_read_private_file (const char  *path,
                                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!tessera_store_repair_mode (path, 0600, error))
    return NULL;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, TESSERA_STORE_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                     ? TESSERA_STORE_ERROR_NOT_FOUND : TESSERA_STORE_ERROR_IO,
                   _("Could not read “%s”: %s"), path, local_error->message);
      return NULL;
    }

  return g_bytes_new_take (contents, length);
}
