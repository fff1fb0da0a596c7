/* tessera-test-fixtures.c: temporary directories, a file keyring, waiting for async results, keys
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tessera-test-fixtures.h"

/* ---- temporary directories ---------------------------------------------- */

char *
tessera_test_tmpdir_new (const char *template)
{
  g_autoptr(GError) error = NULL;
  char *path = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  g_assert_nonnull (path);
  return path;
}

static gboolean
set_errno_error (GError     **error,
                 int          saved,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Could not %s %s: %s", what, path,
               g_strerror (saved));
  return FALSE;
}

static gboolean
remove_children (const char  *path,
                 GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!tessera_test_remove_tree (child, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
tessera_test_run_without_secret_service (guint seconds)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, (guint64) seconds * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return FALSE;
    }

  g_setenv ("SECRET_BACKEND", "service", TRUE);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_unsetenv ("DISPLAY");
  return TRUE;
}

gboolean
tessera_test_remove_tree (const char  *path,
                          GError     **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return errno == ENOENT ? TRUE : set_errno_error (error, errno, "inspect", path);

  if (S_ISDIR (st.st_mode))
    {
      /* A test may have made it read-only to provoke a failed write. */
      if ((st.st_mode & S_IRWXU) != S_IRWXU && g_chmod (path, st.st_mode | S_IRWXU) != 0)
        return set_errno_error (error, errno, "make writable", path);
      if (!remove_children (path, error))
        return FALSE;
      if (g_rmdir (path) != 0)
        return set_errno_error (error, errno, "remove", path);
      return TRUE;
    }
  if (g_unlink (path) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, "remove", path);
  return TRUE;
}

void
tessera_test_tmpdir_free (char *path)
{
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  tessera_test_remove_tree (path, &error);
  g_assert_no_error (error);
  g_free (path);
}

guint
tessera_test_mode_of (const char *path)
{
  GStatBuf st;

  g_assert_no_errno (g_lstat (path, &st));
  return st.st_mode & 07777;
}

void
tessera_test_replace_with_link (const char *path,
                                const char *copy,
                                guint       mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (copy, contents, (gssize) length, &error));
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (copy, mode));
  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (symlink (copy, path));
}

/* ---- a device ------------------------------------------------------------ */

void
tessera_test_device_init (TesseraTestDevice *device,
                          const char        *parent,
                          const char        *name)
{
  memset (device, 0, sizeof *device);
  device->root = g_build_filename (parent, name, NULL);
  device->data_home = g_build_filename (device->root, "data", NULL);
  device->config_home = g_build_filename (device->root, "config", NULL);
  device->cache_home = g_build_filename (device->root, "cache", NULL);
  device->tmp = g_build_filename (device->root, "tmp", NULL);
  device->keyring = g_build_filename (device->root, "keyring", NULL);
  device->keyring_password = g_strdup ("test-keyring");
  g_assert_no_errno (g_mkdir_with_parents (device->data_home, 0700));
  g_assert_no_errno (g_mkdir_with_parents (device->config_home, 0700));
  g_assert_no_errno (g_mkdir_with_parents (device->cache_home, 0700));
  g_assert_no_errno (g_mkdir_with_parents (device->tmp, 0700));
}

void
tessera_test_device_clear (TesseraTestDevice *device)
{
  g_clear_pointer (&device->root, g_free);
  g_clear_pointer (&device->data_home, g_free);
  g_clear_pointer (&device->config_home, g_free);
  g_clear_pointer (&device->cache_home, g_free);
  g_clear_pointer (&device->tmp, g_free);
  g_clear_pointer (&device->keyring, g_free);
  g_clear_pointer (&device->keyring_password, g_free);
}

void
tessera_test_device_apply (TesseraTestDevice   *device,
                           GSubprocessLauncher *launcher)
{
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", device->data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", device->config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", device->cache_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", device->cache_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", device->tmp, TRUE);
  g_subprocess_launcher_setenv (launcher, "TMPDIR", device->tmp, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", device->root, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "TESSERA_TEST_CRASH_AT");
  if (device->no_keyring)
    {
      g_autofree char *bus = g_strdup_printf ("unix:path=%s/no-such-bus", device->root);

      g_subprocess_launcher_unsetenv (launcher, "SECRET_BACKEND");
      g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
    }
  else
    {
      g_subprocess_launcher_setenv (launcher, "SECRET_BACKEND", "file", TRUE);
      g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PATH", device->keyring, TRUE);
      g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PASSWORD", device->keyring_password, TRUE);
      g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
    }
}

/* ---- an isolated file keyring ------------------------------------------- */

static char *keyring_dir;
static char *keyring_path;

void
tessera_test_file_keyring_setup (const char *name)
{
  g_autofree char *template = NULL;

  if (g_getenv ("SECRET_FILE_TEST_PATH") != NULL)
    return;
  g_assert_null (keyring_dir);

  template = g_strdup_printf ("%s-keyring-XXXXXX", name);
  keyring_dir = tessera_test_tmpdir_new (template);
  keyring_path = g_build_filename (keyring_dir, "test.keyring", NULL);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring_path, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "keyring test password", TRUE);
}

const char *
tessera_test_file_keyring_path (void)
{
  return keyring_path;
}

void
tessera_test_file_keyring_teardown (void)
{
  if (keyring_dir == NULL)
    return;
  tessera_test_tmpdir_free (g_steal_pointer (&keyring_dir));
  g_clear_pointer (&keyring_path, g_free);
}

/* ---- a key store --------------------------------------------------------- */

char *
tessera_test_save_pending_key (TesseraKeyStore *store,
                               const char      *jid,
                               const char      *passphrase)
{
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) requested = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GError) error = NULL;

  key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_assert_no_error (error);
  record = tessera_key_store_save_key (store, key, "Laptop", "ccm2", passphrase, &error);
  g_assert_no_error (error);
  csr = tessera_key_create_csr (key, jid, &error);
  g_assert_no_error (error);
  requested = tessera_key_store_save_request (store, tessera_key_record_get_id (record), csr, &error);
  g_assert_no_error (error);

  return g_strdup (tessera_key_record_get_id (record));
}

/* ---- waiting for an async result ----------------------------------------- */

void
tessera_test_async_result_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static gboolean
deadline_cb (gpointer user_data)
{
  gboolean *passed = user_data;

  *passed = TRUE;
  return G_SOURCE_REMOVE;
}

GAsyncResult *
tessera_test_wait_async (GAsyncResult **result,
                         guint          seconds)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  gboolean passed = FALSE;
  GSource *deadline = NULL;

  if (seconds > 0)
    {
      deadline = g_timeout_source_new_seconds (seconds);
      g_source_set_callback (deadline, deadline_cb, &passed, NULL);
      g_source_attach (deadline, context);
    }
  while (*result == NULL && !passed)
    g_main_context_iteration (context, TRUE);
  if (deadline != NULL)
    {
      g_source_destroy (deadline);
      g_source_unref (deadline);
    }
  g_main_context_unref (context);

  if (*result == NULL)
    g_test_fail_printf ("no async result within %u s", seconds);
  return *result;
}
