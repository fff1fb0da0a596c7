/* test-cli-exit.c: tessera-cli ends only after its connection threads ended
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A connection worker reports itself finished before its thread has
 * ended, and OpenSSL frees a thread's state only in that thread's own
 * exit. A process that exits in between has OpenSSL's exit handler drop
 * that state (a leak LeakSanitizer reported in the CLI soak under load)
 * and race the thread's own cleanup. On an idle machine the window is a
 * few microseconds; the test hook TESSERA_TEST_WORKER_LINGER_MS (test-hooks
 * builds) holds every worker in it for a second, so the case is the same
 * on every run: each worker that finished must also reach the end of its
 * thread, which prints a debug message there, before the process ends.
 * Against a real local Prosody, over TLS. */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <gio/gio.h>

#include "tessera-test-exit.h"
#include "tessera-test-fixtures.h"
#include "tessera-test-server.h"

#define LINGER_MS "1000"

typedef struct
{
  TesseraTestServer *server;
  char              *tmpdir;
  TesseraTestDevice  device;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static const char *options[] = { NULL };
  g_autoptr(GError) error = NULL;

  f->tmpdir = tessera_test_tmpdir_new ("tessera-cli-exit-XXXXXX");
  tessera_test_device_init (&f->device, f->tmpdir, "device");
  f->server = tessera_test_server_start (options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->server, tessera_test_server_stop);
  tessera_test_device_clear (&f->device);
  g_clear_pointer (&f->tmpdir, tessera_test_tmpdir_free);
}

/* Runs tessera-cli with the account's connection settings and ARGS…, the
 * worker linger hook and the connection's debug messages on; returns the
 * exit status and fills @err. */
static int
run_cli (Fixture     *f,
         gboolean     with_password,
         char       **err,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *port = NULL;
  g_autofree char *command_line = NULL;
  const char *arg;
  va_list args;

  port = g_strdup_printf ("%u", tessera_test_server_get_port (f->server));
  g_strv_builder_add_many (builder, g_getenv ("TESSERA_CLI"), "--json", "--timeout", "60",
                           "--jid", tessera_test_server_get_jid (f->server),
                           "--host", tessera_test_server_get (f->server, "HOST"),
                           "--port", port,
                           "--ca-file", tessera_test_server_get_ca_file (f->server),
                           NULL);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (args);
  argv = g_strv_builder_end (builder);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  tessera_test_device_apply (&f->device, launcher);
  if (with_password)
    g_subprocess_launcher_setenv (launcher, "TESSERA_PASSWORD",
                                  tessera_test_server_get_password (f->server), TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "TESSERA_PASSWORD");
  g_subprocess_launcher_setenv (launcher, "TESSERA_TEST_WORKER_LINGER_MS", LINGER_MS, TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "tessera-xmpp", TRUE);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, err, &error);
  g_assert_no_error (error);
  command_line = g_strjoinv (" ", argv + 1);
  g_test_message ("tessera-cli %s\nstderr: %s", command_line, *err);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static guint
count_lines_with (const char *text,
                  const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* Every worker that finished also ended its thread before the exit, and
 * nothing was reported by a sanitizer on the way out. */
static void
check_workers_ended (const char *err,
                     guint       at_least)
{
  guint finished = count_lines_with (err, "Connection worker for ");
  guint ended = count_lines_with (err, "Connection worker thread ends after lingering");

  g_assert_cmpuint (finished, >=, at_least);
  g_assert_cmpuint (ended, ==, finished);
  g_assert_null (strstr (err, "LeakSanitizer"));
  g_assert_null (strstr (err, "AddressSanitizer"));
  g_assert_null (strstr (err, "did not stop in time"));
}

static void
test_commands (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *enroll_err = NULL;
  g_autofree char *list_err = NULL;
  g_autofree char *login_err = NULL;
  g_autofree char *held_err = NULL;

#ifndef TESSERA_TEST_HOOKS
  g_test_skip ("needs a build with -Dtest-hooks=true");
  return;
#endif

  /* Management connections (password). */
  g_assert_cmpint (run_cli (f, TRUE, &enroll_err, "enroll", "Exit test", NULL), ==, TESSERA_TEST_EXIT_OK);
  check_workers_ended (enroll_err, 1);
  g_assert_cmpint (run_cli (f, TRUE, &list_err, "list", NULL), ==, TESSERA_TEST_EXIT_OK);
  check_workers_ended (list_err, 1);

  /* A certificate connection. */
  g_assert_cmpint (run_cli (f, FALSE, &login_err, "login", NULL), ==, TESSERA_TEST_EXIT_OK);
  check_workers_ended (login_err, 1);

  /* A held login: the connection is live until the exit closes it. */
  g_assert_cmpint (run_cli (f, FALSE, &held_err, "login", "--hold", "1", NULL), ==, TESSERA_TEST_EXIT_OK);
  check_workers_ended (held_err, 1);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add ("/tessera/cli/exit/workers-end-first", Fixture, NULL,
              fixture_setup, test_commands, fixture_teardown);

  return g_test_run ();
}
