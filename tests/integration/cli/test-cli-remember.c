/* test-cli-remember.c: tessera-cli remember-passphrase moves a user-chosen key passphrase into a keyring
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tessera-core.h"
#include "tessera-test-fixtures.h"

/* The command talks to no server: a key saved here with a passphrase of
 * the user's (as enroll does without a keyring) is moved by the built
 * tessera-cli into libsecret's file keyring, or refused when no Secret
 * Service answers or the passphrase is wrong. */
#define JID        "user@example.org"
#define PASSPHRASE "remembered passphrase 42"
#define PASSWORD   "account password 7"
#define CLI_TIMEOUT_SECONDS 60

/* sysexits.h, as tessera-cli uses them */
#define EXIT_FAILURE_ 1
#define EXIT_USAGE    64

typedef struct
{
  char *tmpdir;
  char *data_home;
  char *config_home;
  char *keyring;
  char *key_id;
} Fixture;

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

static char *
write_secret (Fixture    *f,
              const char *name,
              const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (path, 0600));
  return path;
}

static char *
meta_source (Fixture *f)
{
  g_autofree char *base = g_build_filename (f->data_home, "tessera", NULL);
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, base);
  g_autofree char *path = g_build_filename (tessera_key_store_get_dir (store), f->key_id, "meta.ini", NULL);
  g_autoptr(GKeyFile) meta = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_file (meta, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  return g_key_file_get_string (meta, "key", "passphrase", NULL);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autofree char *base = NULL;

  f->tmpdir = tessera_test_tmpdir_new ("tessera-cli-remember-XXXXXX");
  f->data_home = g_build_filename (f->tmpdir, "data", NULL);
  f->config_home = g_build_filename (f->tmpdir, "config", NULL);
  f->keyring = g_build_filename (f->tmpdir, "keyring", NULL);
  g_assert_no_errno (g_mkdir_with_parents (f->data_home, 0700));
  g_assert_no_errno (g_mkdir_with_parents (f->config_home, 0700));

  /* A key made without a keyring: no libsecret call here. */
  base = g_build_filename (f->data_home, "tessera", NULL);
  store = tessera_key_store_new (JID, base);
  key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_assert_no_error (error);
  record = tessera_key_store_save_key (store, key, "Headless", "ccm2", PASSPHRASE, &error);
  g_assert_no_error (error);
  f->key_id = g_strdup (tessera_key_record_get_id (record));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->tmpdir, tessera_test_tmpdir_free);
  g_clear_pointer (&f->data_home, g_free);
  g_clear_pointer (&f->config_home, g_free);
  g_clear_pointer (&f->keyring, g_free);
  g_clear_pointer (&f->key_id, g_free);
}

/* Runs tessera-cli with these folders; @keyring: libsecret's file backend,
 * else no Secret Service at all (the D-Bus backend and no session bus). */
static void
run_cli (Fixture    *f,
         gboolean    keyring,
         CliResult  *result,
         ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  const char *arg;
  va_list args;

  g_strv_builder_add (builder, g_getenv ("TESSERA_CLI"));
  va_start (args, result);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (args);
  argv = g_strv_builder_end (builder);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", f->config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", f->tmpdir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", f->tmpdir, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", f->tmpdir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "TESSERA_PASSWORD");
  if (keyring)
    {
      g_subprocess_launcher_setenv (launcher, "SECRET_BACKEND", "file", TRUE);
      g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PATH", f->keyring, TRUE);
      g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PASSWORD", "test-keyring", TRUE);
    }
  else
    {
      g_subprocess_launcher_setenv (launcher, "SECRET_BACKEND", "service", TRUE);
    }

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", result->status, result->out, result->err);
}

static JsonObject *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* No Secret Service: refused with its code, the key still says "user". */
static void
test_no_secret_service (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(CliResult) result = { 0 };
  g_autofree char *passphrase_file = write_secret (f, "passphrase", PASSPHRASE "\n");
  g_autoptr(JsonObject) json = NULL;
  g_autofree char *source = NULL;

  run_cli (f, FALSE, &result, "--jid", JID, "--host", "127.0.0.1", "--port", "9", "--json",
           "--key-passphrase-file", passphrase_file, "remember-passphrase", NULL);
  g_assert_cmpint (result.status, !=, 0);
  json = parse_json (result.out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json, "error"), "code"), ==,
                   "no-secret-service");
  g_assert_nonnull (strstr (result.err, "no Secret Service"));
  source = meta_source (f);
  g_assert_cmpstr (source, ==, "user");
}

/* Nothing to remember given: a usage error. */
static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  g_auto(CliResult) result = { 0 };

  run_cli (f, TRUE, &result, "--jid", JID, "--host", "127.0.0.1", "--port", "9", "remember-passphrase", NULL);
  g_assert_cmpint (result.status, ==, EXIT_USAGE);
  g_assert_nonnull (strstr (result.err, "--key-passphrase-file"));
}

/* A wrong passphrase is refused and changes nothing; the right one moves
 * the key (and the password) into the keyring, and the key then opens
 * with no passphrase at all: a login needs no --key-passphrase-file. */
static void
test_remember (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *wrong_file = write_secret (f, "wrong", "not the passphrase\n");
  g_autofree char *passphrase_file = write_secret (f, "passphrase", PASSPHRASE "\n");
  g_autofree char *password_file = write_secret (f, "password", PASSWORD "\n");
  g_autofree char *source = NULL;
  g_autofree char *base = g_build_filename (f->data_home, "tessera", NULL);
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *keys;

  {
    g_auto(CliResult) result = { 0 };

    run_cli (f, TRUE, &result, "--jid", JID, "--host", "127.0.0.1", "--port", "9", "--json",
             "--key-passphrase-file", wrong_file, "remember-passphrase", NULL);
    g_assert_cmpint (result.status, ==, EXIT_FAILURE_);
    json = parse_json (result.out);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json, "error"), "code"), ==,
                     "wrong-passphrase");
    g_clear_pointer (&json, json_object_unref);
    source = meta_source (f);
    g_assert_cmpstr (source, ==, "user");
    g_clear_pointer (&source, g_free);
  }

  {
    g_auto(CliResult) result = { 0 };

    run_cli (f, TRUE, &result, "--jid", JID, "--host", "127.0.0.1", "--port", "9", "--json",
             "--key-passphrase-file", passphrase_file, "--password-file", password_file,
             "remember-passphrase", "--key", f->key_id, NULL);
    g_assert_cmpint (result.status, ==, 0);
    json = parse_json (result.out);
    g_assert_cmpstr (json_object_get_string_member (json, "jid"), ==, JID);
    keys = json_object_get_array_member (json, "keys");
    g_assert_cmpuint (json_array_get_length (keys), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (keys, 0), ==, f->key_id);
    g_assert_true (json_object_get_boolean_member (json, "password"));
    source = meta_source (f);
    g_assert_cmpstr (source, ==, "keyring");
    g_clear_pointer (&source, g_free);
  }

  /* This process reads the same file keyring now (its first libsecret
   * call): the key opens without a passphrase, the password is there. */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", f->keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test-keyring", TRUE);
  store = tessera_key_store_new (JID, base);
  key = tessera_key_store_load_key (store, f->key_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  password = tessera_secret_lookup_password (JID, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, PASSWORD);

  /* Again: nothing left to move. */
  {
    g_auto(CliResult) result = { 0 };

    run_cli (f, TRUE, &result, "--jid", JID, "--host", "127.0.0.1", "--port", "9",
             "--key-passphrase-file", passphrase_file, "remember-passphrase", NULL);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, "nothing to do"));
  }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tessera/cli-remember/no-secret-service", Fixture, NULL, fixture_setup, test_no_secret_service,
              fixture_teardown);
  g_test_add ("/tessera/cli-remember/usage", Fixture, NULL, fixture_setup, test_usage, fixture_teardown);
  /* Last: it points this process's libsecret at a file keyring. */
  g_test_add ("/tessera/cli-remember/remember", Fixture, NULL, fixture_setup, test_remember, fixture_teardown);

  return g_test_run ();
}
