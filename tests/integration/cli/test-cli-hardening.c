/* test-cli-hardening.c: tessera-cli against hostile local files
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tessera-core.h"
#include "tessera-test-fixtures.h"

/* None of these cases gets as far as a server: each is refused (or
 * warned about) before tessera-cli connects, so none starts Prosody. The
 * settings point at the discard port in case one ever got that far. */
#define JID        "user@example.org"
#define PASSPHRASE "hardening passphrase"
/* Far more than any refusal takes; a FIFO read without a writer would
 * otherwise hang the test. */
#define CLI_TIMEOUT_SECONDS 30

/* sysexits.h, as tessera-cli uses them */
#define EXIT_USAGE  64
#define EXIT_NOPERM 77

typedef struct
{
  char *tmpdir;
  char *data_home;
  char *config_home;
  char *keyring;
} Fixture;

typedef struct
{
  int       status;
  gboolean  timed_out;
  char     *out;
  char     *err;
} CliResult;

static void
cli_result_clear (CliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->tmpdir = tessera_test_tmpdir_new ("tessera-cli-hardening-XXXXXX");
  f->data_home = g_build_filename (f->tmpdir, "data", NULL);
  f->config_home = g_build_filename (f->tmpdir, "config", NULL);
  f->keyring = g_build_filename (f->tmpdir, "keyring", NULL);
  g_assert_no_errno (g_mkdir_with_parents (f->data_home, 0700));
  g_assert_no_errno (g_mkdir_with_parents (f->config_home, 0700));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->tmpdir, tessera_test_tmpdir_free);
  g_clear_pointer (&f->data_home, g_free);
  g_clear_pointer (&f->config_home, g_free);
  g_clear_pointer (&f->keyring, g_free);
}

static const char *
cli_path (void)
{
  const char *path = g_getenv ("TESSERA_CLI");

  g_assert_nonnull (path);
  return path;
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
communicated_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Wait *wait = user_data;

  g_main_loop_quit (wait->loop);
  return G_SOURCE_REMOVE;
}

/* Runs tessera-cli with these XDG folders and a file keyring, stdin
 * closed, and kills it after CLI_TIMEOUT_SECONDS (result->timed_out). */
static void
run_cli (Fixture    *f,
         CliResult  *result,
         ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *command_line = NULL;
  Wait wait = { loop, NULL };
  const char *arg;
  va_list args;
  guint timeout_id;

  g_strv_builder_add (builder, cli_path ());
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
  g_subprocess_launcher_setenv (launcher, "HOME", f->tmpdir, TRUE);
  g_subprocess_launcher_setenv (launcher, "SECRET_BACKEND", "file", TRUE);
  g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PATH", f->keyring, TRUE);
  g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PASSWORD", "test-keyring", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "TESSERA_PASSWORD");

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated_cb, &wait);
  timeout_id = g_timeout_add_seconds (CLI_TIMEOUT_SECONDS, timeout_cb, &wait);
  g_main_loop_run (loop);
  if (wait.result == NULL)
    {
      /* Still running: kill it and collect what it said. */
      result->timed_out = TRUE;
      g_subprocess_force_exit (process);
      while (wait.result == NULL)
        g_main_context_iteration (NULL, TRUE);
    }
  else
    {
      g_source_remove (timeout_id);
    }

  g_subprocess_communicate_utf8_finish (process, wait.result, &result->out, &result->err, &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  result->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;

  command_line = g_strjoinv (" ", argv + 1);
  g_test_message ("tessera-cli %s: exit %d%s\nstdout: %s\nstderr: %s", command_line, result->status,
                  result->timed_out ? " (killed: timed out)" : "", result->out, result->err);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_test_fail_printf ("“%s” is not in: %s", needle, haystack);
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents,
            gssize      length,
            guint       mode)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, length, &error));
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (path, mode));
  return path;
}

/* ---- item 3: --key-passphrase-file and --password-file ----------------- */

/* What a secret file option does with @path: --key-passphrase-file is read
 * by every command (login here, which needs no server before it), and
 * --password-file by the commands that manage certificates (list). */
static void
run_with_secret_file (Fixture    *f,
                      gboolean    password,
                      const char *path,
                      CliResult  *result)
{
  if (password)
    run_cli (f, result, "--jid", JID, "--host", "127.0.0.1", "--port", "9", "--timeout", "5",
             "--password-file", path, "list", NULL);
  else
    run_cli (f, result, "--jid", JID, "--host", "127.0.0.1", "--port", "9", "--timeout", "5",
             "--key-passphrase-file", path, "login", NULL);
}

static void
check_refused (Fixture    *f,
               gboolean    password,
               const char *path,
               const char *why)
{
  g_auto(CliResult) result = { 0 };

  run_with_secret_file (f, password, path, &result);
  g_assert_false (result.timed_out);
  g_assert_cmpint (result.status, ==, password ? EXIT_NOPERM : EXIT_USAGE);
  assert_contains (result.err, path);
  assert_contains (result.err, why);
}

static void
test_secret_file_fifo (Fixture       *f,
                       gconstpointer  data)
{
  gboolean password = GPOINTER_TO_INT (data);
  g_autofree char *fifo = g_build_filename (f->tmpdir, "secret.fifo", NULL);

  g_assert_no_errno (mkfifo (fifo, 0600));
  check_refused (f, password, fifo, "not a regular file");
}

static void
test_secret_file_dev_zero (Fixture       *f,
                           gconstpointer  data)
{
  check_refused (f, GPOINTER_TO_INT (data), "/dev/zero", "not a regular file");
}

static void
test_secret_file_too_large (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *big = g_strnfill (5000, 'p');
  g_autofree char *path = NULL;

  big[10] = '\n';
  path = write_file (f, "big-secret", big, -1, 0600);
  check_refused (f, GPOINTER_TO_INT (data), path, "larger than 4096 bytes");
}

static void
test_secret_file_readable_by_others (Fixture       *f,
                                     gconstpointer  data)
{
  gboolean password = GPOINTER_TO_INT (data);
  g_autofree char *shared = write_file (f, "shared-secret", "secret\n", -1, 0644);
  g_autofree char *private = write_file (f, "private-secret", "secret\n", -1, 0600);
  g_autofree char *warning = g_strdup_printf ("warning: other users may read the %s file “%s”",
                                              password ? "password" : "key passphrase", shared);
  g_auto(CliResult) result = { 0 };

  run_with_secret_file (f, password, shared, &result);
  g_assert_false (result.timed_out);
  assert_contains (result.err, warning);
  /* A warning, not a refusal: the command went on (and failed later, for
   * want of a server or a certificate). */
  assert_contains (result.err, password ? "Could not list" : "no valid certificate");
  cli_result_clear (&result);

  run_with_secret_file (f, password, private, &result);
  g_assert_false (result.timed_out);
  g_assert_null (strstr (result.err, "warning"));
}

/* ---- item 2: the key store under a link -------------------------------- */

/* The folder of a key saved with its request, as an enrollment leaves it
 * before the upload. */
static char *
save_key_with_request (Fixture *f)
{
  g_autofree char *base = g_build_filename (f->data_home, "tessera", NULL);
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, base);
  g_autofree char *id = tessera_test_save_pending_key (store, JID, PASSPHRASE);

  return g_build_filename (tessera_key_store_get_dir (store), id, NULL);
}

/* meta.ini or request.der replaced by a link to another file of the user
 * (a copy of the real one): "tessera-cli login" names the link and leaves
 * that file's mode alone. */
static void
test_key_store_link (Fixture       *f,
                     gconstpointer  data)
{
  const char *file_name = data;
  g_autofree char *key_dir = save_key_with_request (f);
  g_autofree char *path = g_build_filename (key_dir, file_name, NULL);
  g_autofree char *victim = g_build_filename (f->tmpdir, "someone-elses-file", NULL);
  g_auto(CliResult) result = { 0 };

  tessera_test_replace_with_link (path, victim, 0644);

  run_cli (f, &result, "--jid", JID, "--host", "127.0.0.1", "--port", "9", "--timeout", "5", "login", NULL);
  g_assert_false (result.timed_out);
  g_assert_cmpint (result.status, !=, 0);
  assert_contains (result.err, path);
  assert_contains (result.err, "symbolic link");
  g_assert_cmphex (tessera_test_mode_of (victim), ==, 0644);
}

/* Base folders someone made 0777 are 0700 after a command that only reads. */
static void
test_base_dirs_private_after_read (Fixture       *f,
                                   gconstpointer  data)
{
  g_autofree char *data_dir = g_build_filename (f->data_home, "tessera", NULL);
  g_autofree char *config_dir = g_build_filename (f->config_home, "tessera", NULL);
  g_auto(CliResult) result = { 0 };

  g_assert_no_errno (g_mkdir (data_dir, 0700));
  g_assert_no_errno (g_mkdir (config_dir, 0700));
  g_assert_no_errno (g_chmod (data_dir, 0777));
  g_assert_no_errno (g_chmod (config_dir, 0777));

  run_cli (f, &result, "--jid", JID, "--host", "127.0.0.1", "--port", "9", "--timeout", "5", "login", NULL);
  g_assert_false (result.timed_out);
  assert_contains (result.err, "no valid certificate");
  g_assert_cmphex (tessera_test_mode_of (data_dir), ==, 0700);
  g_assert_cmphex (tessera_test_mode_of (config_dir), ==, 0700);
}

/* ---- item 4: accounts.ini entries that are not accounts ---------------- */

#define ACCOUNTS_INI \
  "[../../etc@x]\nhost=evil.example\n\n" \
  "[a@b/res]\nhost=res.example\n\n" \
  "[a@@b]\nport=5222\n\n" \
  "[" JID "]\nhost=127.0.0.1\nport=9\n"

/* With one real account among them, "tessera-cli login" without --jid
 * uses it (they are not "several accounts"), names each ignored entry,
 * and leaves the file as it was. */
static void
test_invalid_accounts_ignored (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *config_dir = g_build_filename (f->config_home, "tessera", NULL);
  g_autofree char *path = g_build_filename (config_dir, "accounts.ini", NULL);
  g_autofree char *after = NULL;
  g_auto(CliResult) result = { 0 };

  g_assert_no_errno (g_mkdir (config_dir, 0700));
  g_assert_true (g_file_set_contents (path, ACCOUNTS_INI, -1, NULL));
  g_assert_no_errno (g_chmod (path, 0600));

  run_cli (f, &result, "--timeout", "5", "login", NULL);
  g_assert_false (result.timed_out);
  g_assert_cmpint (result.status, ==, EXIT_NOPERM);
  assert_contains (result.err, "no valid certificate for " JID);
  assert_contains (result.err, "Ignoring the entry [../../etc@x]");
  assert_contains (result.err, "Ignoring the entry [a@b/res]");
  assert_contains (result.err, "Ignoring the entry [a@@b]");
  g_assert_null (strstr (result.err, "Several accounts"));

  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, ACCOUNTS_INI);
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    gboolean    password;
  } options[] = {
    { "key-passphrase-file", FALSE },
    { "password-file", TRUE },
  };
  static const struct {
    const char *name;
    void      (*func) (Fixture *, gconstpointer);
  } secret_cases[] = {
    { "fifo", test_secret_file_fifo },
    { "dev-zero", test_secret_file_dev_zero },
    { "too-large", test_secret_file_too_large },
    { "readable-by-others", test_secret_file_readable_by_others },
  };

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  for (guint o = 0; o < G_N_ELEMENTS (options); o++)
    for (guint c = 0; c < G_N_ELEMENTS (secret_cases); c++)
      {
        g_autofree char *test_path = g_strdup_printf ("/tessera/cli-hardening/%s/%s", options[o].name,
                                                      secret_cases[c].name);

        g_test_add (test_path, Fixture, GINT_TO_POINTER (options[o].password), fixture_setup,
                    secret_cases[c].func, fixture_teardown);
      }

  g_test_add ("/tessera/cli-hardening/key-store/meta-link", Fixture, "meta.ini", fixture_setup,
              test_key_store_link, fixture_teardown);
  g_test_add ("/tessera/cli-hardening/key-store/request-link", Fixture, "request.der", fixture_setup,
              test_key_store_link, fixture_teardown);
  g_test_add ("/tessera/cli-hardening/base-dirs-private-after-read", Fixture, NULL, fixture_setup,
              test_base_dirs_private_after_read, fixture_teardown);
  g_test_add ("/tessera/cli-hardening/invalid-accounts-ignored", Fixture, NULL, fixture_setup,
              test_invalid_accounts_ignored, fixture_teardown);

  return g_test_run ();
}
