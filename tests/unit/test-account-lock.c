/* test-account-lock.c: the per-account lock between real processes
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tessera-account-lock.h"
#include "tessera-error.h"
#include "tessera-key-store.h"
#include "tessera-test-fixtures.h"

#define JID "busy@example.org"
#define EXIT_BUSY 75

static char *self_path;

typedef struct
{
  char            *tmpdir;
  char            *base;
  TesseraKeyStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->tmpdir = tessera_test_tmpdir_new ("tessera-test-account-lock-XXXXXX");
  f->base = g_build_filename (f->tmpdir, "data", NULL);
  f->store = tessera_key_store_new (JID, f->base);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_pointer (&f->base, g_free);
  g_clear_pointer (&f->tmpdir, tessera_test_tmpdir_free);
}

/* ---- the other process -------------------------------------------------- */

/* "--hold BASE": takes the lock, says "locked" and keeps it until killed.
 * "--try BASE": exit 0 when the lock was free, EXIT_BUSY when it was not. */
static int
helper_main (const char *mode,
             const char *base)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, base);
  g_autoptr(TesseraAccountLock) lock = NULL;
  g_autoptr(GError) error = NULL;

  lock = tessera_account_lock_try_acquire (store, &error);
  if (lock == NULL)
    {
      g_printerr ("%s\n", error->message);
      return g_error_matches (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_BUSY) ? EXIT_BUSY : 1;
    }

  if (g_str_equal (mode, "--try"))
    return 0;

  g_print ("locked\n");
  fflush (stdout);
  for (;;)
    pause ();
}

/* Starts "--hold" and returns once the helper holds the lock. */
static GPid
start_holder (Fixture *f)
{
  const char *argv[] = { self_path, "--hold", f->base, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  g_autofree char *line = NULL;
  GPid pid = 0;
  int out_fd = -1;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                            NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);

  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_io_channel_read_line (channel, &line, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "locked\n");
  return pid;
}

static void
kill_holder (GPid pid)
{
  int status = 0;

  g_assert_no_errno (kill (pid, SIGKILL));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_spawn_close_pid (pid);
}

/* Exit status of "--try" in a separate process. */
static int
try_in_other_process (Fixture *f)
{
  const char *argv[] = { self_path, "--try", f->base, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* ---- the cases ----------------------------------------------------------- */

static void
test_busy_then_free_after_kill (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(TesseraAccountLock) lock = NULL;
  g_autoptr(GError) error = NULL;
  GPid holder = start_holder (f);

  lock = tessera_account_lock_try_acquire (f->store, &error);
  g_assert_null (lock);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "Another Tessera is working on the account " JID));
  g_clear_error (&error);
  g_assert_cmpint (try_in_other_process (f), ==, EXIT_BUSY);

  /* SIGKILL: no cleanup code runs, the kernel drops the lock. */
  kill_holder (holder);
  lock = tessera_account_lock_try_acquire (f->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);

  /* Now this process keeps the others out. */
  g_assert_cmpint (try_in_other_process (f), ==, EXIT_BUSY);
  g_clear_object (&lock);
  g_assert_cmpint (try_in_other_process (f), ==, 0);
}

static void
test_wait_bounded_by_deadline (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(TesseraAccountLock) lock = NULL;
  g_autoptr(GError) error = NULL;
  GPid holder = start_holder (f);
  gint64 start = g_get_monotonic_time ();
  gint64 waited;

  lock = tessera_account_lock_acquire (f->store, start + 400 * G_TIME_SPAN_MILLISECOND, NULL, &error);
  waited = g_get_monotonic_time () - start;
  g_assert_null (lock);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_BUSY);
  g_test_message ("gave up after %" G_GINT64_FORMAT " ms", waited / 1000);
  g_assert_cmpint (waited, >=, 400 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (waited, <, 10 * G_TIME_SPAN_SECOND);

  kill_holder (holder);
}

typedef struct
{
  GPid   pid;
  guint  delay_ms;
} DelayedKill;

static gpointer
kill_later_thread (gpointer data)
{
  DelayedKill *kill_it = data;

  g_usleep (kill_it->delay_ms * 1000);
  kill (kill_it->pid, SIGKILL);
  return NULL;
}

/* A waiting process gets the lock as soon as the holder is gone. */
static void
test_wait_succeeds_when_holder_dies (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(TesseraAccountLock) lock = NULL;
  g_autoptr(GError) error = NULL;
  DelayedKill kill_it = { start_holder (f), 300 };
  GThread *thread = g_thread_new ("kill-holder", kill_later_thread, &kill_it);
  gint64 start = g_get_monotonic_time ();
  int status = 0;

  lock = tessera_account_lock_acquire (f->store, start + 60 * G_TIME_SPAN_SECOND, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_TIME_SPAN_SECOND);

  g_thread_join (thread);
  g_assert_cmpint (waitpid (kill_it.pid, &status, 0), ==, kill_it.pid);
  g_spawn_close_pid (kill_it.pid);
}

static gpointer
cancel_later_thread (gpointer data)
{
  g_usleep (200 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_wait_cancelled (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TesseraAccountLock) lock = NULL;
  g_autoptr(GError) error = NULL;
  GPid holder = start_holder (f);
  GThread *thread = g_thread_new ("cancel", cancel_later_thread, cancellable);
  gint64 start = g_get_monotonic_time ();

  lock = tessera_account_lock_acquire (f->store, start + 60 * G_TIME_SPAN_SECOND, cancellable, &error);
  g_assert_null (lock);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_TIME_SPAN_SECOND);

  g_thread_join (thread);
  kill_holder (holder);
}

/* Two holders in one process share the lock; it is free for others only
 * once both are gone. */
static void
test_shared_within_process (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(TesseraAccountLock) first = NULL;
  g_autoptr(TesseraAccountLock) second = NULL;
  g_autoptr(TesseraKeyStore) other_store = tessera_key_store_new (JID, f->base);
  g_autoptr(GError) error = NULL;

  first = tessera_account_lock_try_acquire (f->store, &error);
  g_assert_no_error (error);
  second = tessera_account_lock_try_acquire (other_store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);

  g_clear_object (&first);
  g_assert_cmpint (try_in_other_process (f), ==, EXIT_BUSY);
  g_clear_object (&second);
  g_assert_cmpint (try_in_other_process (f), ==, 0);
}

static void
test_lock_file (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (tessera_key_store_get_dir (f->store), "lock", NULL);
  g_autofree char *victim = g_build_filename (f->tmpdir, "victim", NULL);
  g_autoptr(TesseraAccountLock) lock = NULL;
  g_autoptr(GError) error = NULL;
  mode_t old_umask = umask (0);

  /* Private whatever the umask, in a private folder. */
  lock = tessera_account_lock_try_acquire (f->store, &error);
  umask (old_umask);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_account_lock_get_path (lock), ==, path);
  g_assert_cmphex (tessera_test_mode_of (path), ==, 0600);
  g_assert_cmphex (tessera_test_mode_of (tessera_key_store_get_dir (f->store)), ==, 0700);
  g_clear_object (&lock);

  /* A link in its place is refused, and what it points to untouched. */
  g_assert_true (g_file_set_contents (victim, "x", -1, NULL));
  g_assert_no_errno (g_chmod (victim, 0644));
  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (symlink (victim, path));
  lock = tessera_account_lock_try_acquire (f->store, &error);
  g_assert_null (lock);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_cmphex (tessera_test_mode_of (victim), ==, 0644);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (argc == 3 && (g_str_equal (argv[1], "--hold") || g_str_equal (argv[1], "--try")))
    return helper_main (argv[1], argv[2]);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tessera/account-lock/busy-then-free-after-kill", Fixture, NULL, fixture_setup,
              test_busy_then_free_after_kill, fixture_teardown);
  g_test_add ("/tessera/account-lock/wait-bounded-by-deadline", Fixture, NULL, fixture_setup,
              test_wait_bounded_by_deadline, fixture_teardown);
  g_test_add ("/tessera/account-lock/wait-succeeds-when-holder-dies", Fixture, NULL, fixture_setup,
              test_wait_succeeds_when_holder_dies, fixture_teardown);
  g_test_add ("/tessera/account-lock/wait-cancelled", Fixture, NULL, fixture_setup,
              test_wait_cancelled, fixture_teardown);
  g_test_add ("/tessera/account-lock/shared-within-process", Fixture, NULL, fixture_setup,
              test_shared_within_process, fixture_teardown);
  g_test_add ("/tessera/account-lock/lock-file", Fixture, NULL, fixture_setup, test_lock_file,
              fixture_teardown);

  status = g_test_run ();
  g_free (self_path);
  return status;
}
