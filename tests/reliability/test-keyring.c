/* test-keyring.c: no Secret Service, a locked keyring, a deleted keyring item
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "reliability-common.h"

/* Whatever the keyring does, no key is lost, no plaintext key is written
 * unless the user chose it, and the message says how to recover. */

#define RETURN_IF_FAILED() G_STMT_START { if (g_test_failed ()) return; } G_STMT_END

typedef struct
{
  TesseraTestServer *server;
  char              *tmpdir;
  TesseraTestDevice  device;
  const char        *jid;
  RelRun             run;        /* with the account password */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("tessera-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  f->server = tessera_test_server_start (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->server);
  tessera_test_device_init (&f->device, f->tmpdir, "device");
  f->jid = tessera_test_server_get_jid (f->server);
  f->run.password = tessera_test_server_get_password (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->server, tessera_test_server_stop);
  tessera_test_device_clear (&f->device);
  g_assert_true (tessera_test_remove_tree (f->tmpdir, NULL));
  g_clear_pointer (&f->tmpdir, g_free);
}

/* No file of @root holds an unencrypted private key. */
static void
assert_no_plain_key (const char *root)
{
  static const char * const markers[] = {
    "-----BEGIN PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN OPENSSH PRIVATE KEY-----",
  };
  g_autoptr(GPtrArray) files = rel_list_files (root, FALSE);

  for (guint i = 0; i < files->len; i++)
    {
      gsize length = 0;
      g_autofree char *contents = rel_read_file (g_ptr_array_index (files, i), &length);

      for (guint m = 0; contents != NULL && m < G_N_ELEMENTS (markers); m++)
        {
          if (g_strstr_len (contents, length, markers[m]) != NULL)
            g_test_fail_printf ("%s holds an unencrypted private key", (const char *) g_ptr_array_index (files, i));
        }
    }
}

static guint
count_keys (Fixture *f)
{
  g_autoptr(TesseraKeyStore) store = rel_device_store (&f->device, f->jid);
  g_autoptr(GPtrArray) records = tessera_key_store_list (store, NULL);

  g_assert_nonnull (records);
  return records != NULL ? records->len : 0;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
key_files_digest (Fixture *f)
{
  g_autofree char *dir = g_build_filename (f->device.data_home, "tessera", NULL);
  g_autoptr(GPtrArray) files = rel_list_files (dir, FALSE);
  g_autoptr(GString) digest = g_string_new (NULL);

  g_ptr_array_sort (files, compare_paths);
  for (guint i = 0; i < files->len; i++)
    {
      gsize length = 0;
      g_autofree char *contents = rel_read_file (g_ptr_array_index (files, i), &length);
      g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);

      g_string_append_printf (digest, "%s %s\n", (const char *) g_ptr_array_index (files, i), sum);
    }
  return g_string_free (g_steal_pointer (&digest), FALSE);
}

/* No Secret Service at all: enroll refuses before anything is generated or
 * sent, and says to give a passphrase; with one, the key is encrypted. */
static void
test_absent (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *passphrase_file = g_build_filename (f->device.root, "passphrase", NULL);
  g_autofree char *option = g_strdup_printf ("--key-passphrase-file=%s", passphrase_file);
  g_auto(RelResult) result = { 0 };
  g_autoptr(GPtrArray) server_before = rel_server_certs (f->server, "user1");
  g_autoptr(GPtrArray) server_after = NULL;
  RelRun login = { 0 };

  f->device.no_keyring = TRUE;
  rel_run_cli (f->server, f->jid, &f->device, &f->run, &result, "enroll", "No keyring", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
  g_assert_cmpstr (rel_result_error_code (&result), ==, "no-secret-service");
  g_assert_nonnull (strstr (result.err, "--key-passphrase-file"));
  g_assert_cmpuint (count_keys (f), ==, 0);
  server_after = rel_server_certs (f->server, "user1");
  g_assert_cmpuint (server_after->len, ==, server_before->len);
  assert_no_plain_key (f->device.root);
  RETURN_IF_FAILED ();

  g_assert_true (g_file_set_contents_full (passphrase_file, "a passphrase of my own\n", -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &f->run, &result, option, "enroll", "No keyring", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_cmpuint (count_keys (f), ==, 1);
  assert_no_plain_key (f->device.root);

  /* Without the passphrase the key stays closed, and the message says what to give. */
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &login, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
  g_assert_cmpstr (rel_result_error_code (&result), ==, "passphrase-required");
  g_assert_nonnull (strstr (result.err, "--key-passphrase-file"));
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &login, &result, option, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
}

/* A keyring that does not open (the file keyring with another password):
 * the key stays as it is, nothing is deleted, and it works again once the
 * keyring opens. */
static void
test_locked (Fixture       *f,
             gconstpointer  data)
{
  g_auto(RelResult) result = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  RelRun login = { 0 };

  rel_run_cli (f->server, f->jid, &f->device, &f->run, &result, "enroll", "Locked", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  RETURN_IF_FAILED ();
  before = key_files_digest (f);

  g_free (f->device.keyring_password);
  f->device.keyring_password = g_strdup ("not the keyring's password");
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &login, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
  g_assert_cmpstr (rel_result_error_code (&result), ==, "secret-missing");
  g_assert_nonnull (strstr (result.err, "Unlock the keyring"));
  g_assert_nonnull (strstr (result.err, "The key file is kept"));

  /* Management still works and deletes nothing. */
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &f->run, &result, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  after = key_files_digest (f);
  g_assert_cmpstr (after, ==, before);
  assert_no_plain_key (f->device.root);

  g_free (f->device.keyring_password);
  f->device.keyring_password = g_strdup ("test-keyring");
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &login, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
}

static char *
only_key_id (Fixture *f)
{
  g_autoptr(TesseraKeyStore) store = rel_device_store (&f->device, f->jid);
  g_autoptr(GPtrArray) records = tessera_key_store_list (store, NULL);

  g_assert_nonnull (records);
  g_assert_cmpuint (records->len, ==, 1);
  if (records == NULL || records->len != 1)
    return NULL;
  return g_strdup (tessera_key_record_get_id (g_ptr_array_index (records, 0)));
}

/* The keyring lost the key's item: nothing is deleted, the message names
 * the way out (enroll again, revoke the old one), and that way works. */
static void
test_item_deleted (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(RelResult) result = { 0 };
  g_autofree char *fingerprint = NULL;
  g_autofree char *id = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret_tool = g_find_program_in_path ("secret-tool");
  int status = 0;
  RelRun login = { 0 };

  if (secret_tool == NULL)
    {
      g_test_skip ("secret-tool is not installed");
      return;
    }

  rel_run_cli (f->server, f->jid, &f->device, &f->run, &result, "enroll", "Forgotten", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  fingerprint = g_strdup (rel_result_fingerprint (&result));
  id = only_key_id (f);
  RETURN_IF_FAILED ();
  before = key_files_digest (f);

  /* secret-tool with the same file keyring, as a user would clean up. */
  {
    g_autofree char *path_env = g_strdup_printf ("SECRET_FILE_TEST_PATH=%s", f->device.keyring);
    g_autofree char *password_env = g_strdup_printf ("SECRET_FILE_TEST_PASSWORD=%s", f->device.keyring_password);
    const char *argv[] = { "env", "SECRET_BACKEND=file", path_env, password_env, "secret-tool", "clear",
                           "jid", f->jid, "key-id", id, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &login, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
  g_assert_cmpstr (rel_result_error_code (&result), ==, "secret-missing");
  g_assert_nonnull (strstr (result.err, "revoke its certificate, then enroll this device again"));
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &f->run, &result, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  after = key_files_digest (f);
  g_assert_cmpstr (after, ==, before);
  RETURN_IF_FAILED ();

  /* The way out the message names; one certificate per device, so the
   * old one goes first (the enroll is refused while it is valid). */
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &f->run, &result, "enroll", "Again", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_USAGE);
  g_assert_cmpstr (rel_result_error_code (&result), ==, "device-enrolled");
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &f->run, &result, "revoke", "--force", fingerprint, NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &f->run, &result, "enroll", "Again", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_cmpuint (count_keys (f), ==, 1);
  rel_result_clear (&result);
  rel_run_cli (f->server, f->jid, &f->device, &login, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  assert_no_plain_key (f->device.root);
}

/* A real gnome-keyring, locked after the enrollment; its unlock prompt
 * cannot be shown (no display), as on a headless machine.
 *
 * The display must be gone before dbus-run-session starts: the prompt is
 * gcr-prompter, which the nested bus daemon starts on demand with its own
 * environment. Under xvfb-run that environment had DISPLAY, so an "Unlock
 * Login Keyring" window opened on Xvfb and the login waited for a click
 * that never came, until the timeouts; unsetting DISPLAY inside the
 * script was too late. */
static void
test_gnome_keyring_locked (Fixture       *f,
                           gconstpointer  data)
{
  static const char script[] =
    "eval \"$(printf 'keyring password' | gnome-keyring-daemon --unlock --components=secrets)\" || exit 10\n"
    "\"$CLI\" --json --timeout 20 --jid \"$JID\" --host 127.0.0.1 --port \"$PORT\" --ca-file \"$CA\" "
    "enroll Keyring > \"$OUT/enroll.json\" || exit 11\n"
    "gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets "
    "--method org.freedesktop.Secret.Service.Lock \"['/org/freedesktop/secrets/collection/login']\" "
    "> /dev/null || exit 12\n"
    "unset TESSERA_PASSWORD\n"
    "timeout 30 \"$CLI\" --json login > \"$OUT/login.json\" 2> \"$OUT/login.err\"\n"
    "echo $? > \"$OUT/login.status\"\n";
  g_autofree char *gnome_keyring = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *dbus_run_session = g_find_program_in_path ("dbus-run-session");
  g_autofree char *gdbus = g_find_program_in_path ("gdbus");
  g_autofree char *out = g_build_filename (f->device.root, "out", NULL);
  g_autofree char *port = NULL;
  g_autofree char *status_text = NULL;
  g_autofree char *err = NULL;
  g_autofree char *err_path = NULL;
  g_autofree char *status_path = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  if (gnome_keyring == NULL || dbus_run_session == NULL || gdbus == NULL)
    {
      g_test_skip ("gnome-keyring-daemon, dbus-run-session or gdbus is not installed");
      return;
    }
  g_assert_no_errno (g_mkdir_with_parents (out, 0700));
  port = g_strdup_printf ("%u", tessera_test_server_get_port (f->server));
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", f->device.root, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->device.data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", f->device.config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", f->device.cache_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", f->device.tmp, TRUE);
  g_subprocess_launcher_setenv (launcher, "CLI", rel_cli_path (), TRUE);
  g_subprocess_launcher_setenv (launcher, "JID", f->jid, TRUE);
  g_subprocess_launcher_setenv (launcher, "PORT", port, TRUE);
  g_subprocess_launcher_setenv (launcher, "CA", tessera_test_server_get_ca_file (f->server), TRUE);
  g_subprocess_launcher_setenv (launcher, "OUT", out, TRUE);
  g_subprocess_launcher_setenv (launcher, "TESSERA_PASSWORD", f->run.password, TRUE);
  /* GLib's fatal warnings would stop gnome-keyring's own helpers. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "XAUTHORITY");
  g_subprocess_launcher_unsetenv (launcher, "SECRET_BACKEND");
  process = g_subprocess_launcher_spawn (launcher, &error, "timeout", "90", "dbus-run-session", "--",
                                         "sh", "-c", script, NULL);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) == 10)
    {
      g_test_skip ("gnome-keyring-daemon did not start here");
      return;
    }
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  RETURN_IF_FAILED ();

  status_path = g_build_filename (out, "login.status", NULL);
  err_path = g_build_filename (out, "login.err", NULL);
  status_text = rel_read_file (status_path, NULL);
  err = rel_read_file (err_path, NULL);
  g_assert_nonnull (status_text);
  g_assert_nonnull (err);
  if (status_text == NULL || err == NULL)
    return;
  g_test_message ("login with the keyring locked: exit %s%s", g_strstrip (status_text), err);
  g_assert_cmpstr (status_text, ==, G_STRINGIFY (TESSERA_TEST_EXIT_FAILURE));
  g_assert_nonnull (strstr (err, "Unlock the keyring"));
  g_assert_cmpuint (count_keys (f), ==, 1);
  assert_no_plain_key (f->device.root);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add ("/tessera/reliability/keyring/absent", Fixture, NULL, fixture_setup, test_absent, fixture_teardown);
  g_test_add ("/tessera/reliability/keyring/locked", Fixture, NULL, fixture_setup, test_locked, fixture_teardown);
  g_test_add ("/tessera/reliability/keyring/item-deleted", Fixture, NULL, fixture_setup, test_item_deleted,
              fixture_teardown);
  g_test_add ("/tessera/reliability/keyring/gnome-keyring-locked", Fixture, NULL, fixture_setup,
              test_gnome_keyring_locked, fixture_teardown);

  return g_test_run ();
}
