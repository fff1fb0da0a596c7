/* test-store-file.c: private files and folders against links, FIFOs and a failing disk
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tessera-core.h"
#include "tessera-store-file.h"
#include "tessera-test-fixtures.h"

#define JID        "mallory-target@example.org"
#define PASSPHRASE "store file test passphrase"

static char *self_path;

static char *
make_tmp (void)
{
  return tessera_test_tmpdir_new ("tessera-test-store-file-XXXXXX");
}

static void
remove_tree (const char *path)
{
  g_autoptr(GError) error = NULL;

  tessera_test_remove_tree (path, &error);
  g_assert_no_error (error);
}

/* Another file of the same user, readable by others as such files are. */
static char *
make_victim (const char *dir,
             const char *name,
             const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (path, 0644));
  return path;
}

static void
assert_names_path (const GError *error,
                   const char   *path)
{
  g_assert_nonnull (error);
  if (error != NULL && strstr (error->message, path) == NULL)
    g_test_fail_printf ("the error does not name %s: %s", path, error->message);
}

/* ---- single files ------------------------------------------------------ */

static void
test_symlink_refused (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *victim = make_victim (tmp, "victim.txt", "someone else's secret\n");
  g_autofree char *link = g_build_filename (tmp, "meta.ini", NULL);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (symlink (victim, link));

  contents = tessera_store_read_private_file (link, &error);
  g_assert_null (contents);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS);
  assert_names_path (error, link);
  g_assert_cmphex (tessera_test_mode_of (victim), ==, 0644);
  g_clear_error (&error);

  g_assert_false (tessera_store_repair_mode (link, 0600, &error));
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS);
  assert_names_path (error, link);
  g_assert_cmphex (tessera_test_mode_of (victim), ==, 0644);

  remove_tree (tmp);
}

static void
test_dir_symlink_refused (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *elsewhere = g_build_filename (tmp, "public", NULL);
  g_autofree char *link = g_build_filename (tmp, "tessera", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (g_mkdir (elsewhere, 0755));
  g_assert_no_errno (g_chmod (elsewhere, 0755));
  g_assert_no_errno (symlink (elsewhere, link));

  g_assert_false (tessera_store_ensure_private_dir (link, &error));
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS);
  assert_names_path (error, link);
  g_assert_cmphex (tessera_test_mode_of (elsewhere), ==, 0755);

  remove_tree (tmp);
}

/* A FIFO would block a plain read forever, a device would be read without
 * end: both are refused at once. The alarm turns a hang into a failure. */
static void
test_not_regular_refused (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *fifo = g_build_filename (tmp, "request.der", NULL);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (mkfifo (fifo, 0600));
  alarm (20);
  contents = tessera_store_read_private_file (fifo, &error);
  alarm (0);
  g_assert_null (contents);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS);
  assert_names_path (error, fifo);

  remove_tree (tmp);
}

static void
test_huge_file_refused (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *path = g_build_filename (tmp, "journal", NULL);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  /* Sparse: 17 MiB on paper, nothing on disk. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (ftruncate (fd, 17 * 1024 * 1024));
  close (fd);

  contents = tessera_store_read_private_file (path, &error);
  g_assert_null (contents);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_CORRUPT);
  assert_names_path (error, path);

  remove_tree (tmp);
}

static void
test_write_replaces_link (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *victim = make_victim (tmp, "victim.txt", "unchanged\n");
  g_autofree char *link = g_build_filename (tmp, "meta.ini", NULL);
  g_autofree char *victim_after = NULL;
  g_autofree char *written = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (symlink (victim, link));
  g_assert_true (tessera_store_write_private_file (link, "new\n", 4, &error));
  g_assert_no_error (error);

  /* The link itself was replaced; what it pointed to is untouched. */
  g_assert_true (g_file_get_contents (victim, &victim_after, NULL, NULL));
  g_assert_cmpstr (victim_after, ==, "unchanged\n");
  g_assert_cmphex (tessera_test_mode_of (victim), ==, 0644);
  g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_get_contents (link, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, "new\n");
  g_assert_cmphex (tessera_test_mode_of (link), ==, 0600);

  remove_tree (tmp);
}

/* ---- the key store: meta.ini and request.der replaced by links --------- */

static void
check_key_store_link (const char *file_name)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *base = g_build_filename (tmp, "data", NULL);
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, base);
  g_autofree char *id = tessera_test_save_pending_key (store, JID, PASSPHRASE);
  g_autofree char *path = g_build_filename (tessera_key_store_get_dir (store), id, file_name, NULL);
  g_autofree char *victim = g_build_filename (tmp, "elsewhere", NULL);
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  /* A copy of the real file, elsewhere: with the link followed, the key
   * would load as if nothing had happened. */
  tessera_test_replace_with_link (path, victim, 0644);

  record = tessera_key_store_lookup (store, id, &error);
  g_assert_null (record);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PERMISSIONS);
  assert_names_path (error, path);
  g_assert_cmphex (tessera_test_mode_of (victim), ==, 0644);

  remove_tree (tmp);
}

static void
test_key_store_meta_link (void)
{
  check_key_store_link ("meta.ini");
}

static void
test_key_store_request_link (void)
{
  check_key_store_link ("request.der");
}

/* $XDG_DATA_HOME/tessera made 0777 by someone: a read makes it private
 * again, not only the next write. */
static void
test_base_dir_repaired_on_read (void)
{
  g_autofree char *base = g_build_filename (g_get_user_data_dir (), "tessera", NULL);
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = tessera_test_save_pending_key (store, JID, PASSPHRASE);

  g_assert_no_errno (g_chmod (base, 0777));
  g_assert_no_errno (g_chmod (tessera_key_store_get_dir (store), 0777));

  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmphex (tessera_test_mode_of (base), ==, 0700);
  g_assert_cmphex (tessera_test_mode_of (tessera_key_store_get_dir (store)), ==, 0700);

  /* Without any key yet (no account folder), the base folder too. */
  g_assert_true (tessera_key_store_delete (store, id, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (tessera_key_store_get_dir (store), G_FILE_TEST_EXISTS));
  g_assert_no_errno (g_chmod (base, 0777));
  g_clear_pointer (&records, g_ptr_array_unref);
  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);
  g_assert_cmphex (tessera_test_mode_of (base), ==, 0700);
}

/* ---- a failed fsync of the folder after the rename --------------------- */

static gboolean
have_strace (void)
{
  g_autofree char *strace = g_find_program_in_path ("strace");

  if (strace == NULL)
    g_test_skip ("strace is not installed");
  return strace != NULL;
}

/* This test program itself, as "--write-helper PATH", under strace. */
static void
run_writer (const char  *path,
            const char  *inject,
            const char  *log,
            int         *status,
            char       **err)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = NULL;
  g_autofree char *asan = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_strv_builder_add_many (builder, "strace", "-f", "-qq", "--seccomp-bpf", "-o", log, "-e", "trace=fsync",
                           NULL);
  if (inject != NULL)
    g_strv_builder_add_many (builder, "-e", inject, NULL);
  g_strv_builder_add_many (builder, self_path, "--write-helper", path, NULL);
  argv = g_strv_builder_end (builder);

  /* LeakSanitizer stops a process it finds traced: in a sanitizer build the
   * helper runs without the leak check (everything else stays on). */
  asan = g_strconcat (g_getenv ("ASAN_OPTIONS") != NULL ? g_getenv ("ASAN_OPTIONS") : "",
                      g_getenv ("ASAN_OPTIONS") != NULL ? ":" : "", "detect_leaks=0", NULL);
  envp = g_environ_setenv (g_get_environ (), "ASAN_OPTIONS", asan, TRUE);
  g_spawn_sync (NULL, argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, err, &wait_status, &error);
  g_assert_no_error (error);
  *status = g_spawn_check_wait_status (wait_status, NULL) ? 0 : 1;
}

static guint
count_fsyncs (const char *log)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint count = 0;

  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *start = lines[i];

      while (g_ascii_isdigit (*start) || *start == ' ')
        start++;
      if (g_str_has_prefix (start, "fsync("))
        count++;
    }
  return count;
}

/* Each fsync of a write fails once in turn (EIO): the file's and then the
 * folder's. Every one of them must make the write fail and say why; today's
 * ENOSPC/EIO on the folder is not "saved". */
static void
test_dir_fsync_failure_reported (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *path = NULL;
  g_autofree char *log = NULL;
  g_autofree char *err = NULL;
  int status = -1;
  guint calls;

  if (!have_strace ())
    return;

  tmp = make_tmp ();
  path = g_build_filename (tmp, "meta.ini", NULL);
  log = g_build_filename (tmp, "strace.log", NULL);

  run_writer (path, NULL, log, &status, &err);
  g_assert_cmpint (status, ==, 0);
  calls = count_fsyncs (log);
  g_test_message ("one write makes %u fsync calls", calls);
  /* At least the file's and its folder's. */
  g_assert_cmpuint (calls, >=, 2);

  for (guint n = 1; n <= calls; n++)
    {
      g_autofree char *inject = g_strdup_printf ("inject=fsync:error=EIO:when=%u", n);
      g_autofree char *faulty_err = NULL;

      run_writer (path, inject, "/dev/null", &status, &faulty_err);
      if (status == 0)
        g_test_fail_printf ("a failed fsync (call %u of %u) was not reported", n, calls);
      else if (strstr (faulty_err, "Input/output error") == NULL)
        g_test_fail_printf ("fsync call %u of %u: the error does not say why: %s", n, calls, faulty_err);
      else
        g_test_message ("fsync call %u of %u failed: %s", n, calls, faulty_err);
    }

  remove_tree (tmp);
}

static int
write_helper (const char *path)
{
  g_autoptr(GError) error = NULL;

  if (!tessera_store_write_private_file (path, "[key]\nname=x\n", 13, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--write-helper"))
    return write_helper (argv[2]);  /* no setlocale: strerror() in English */

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/tessera/store-file/symlink-refused", test_symlink_refused);
  g_test_add_func ("/tessera/store-file/dir-symlink-refused", test_dir_symlink_refused);
  g_test_add_func ("/tessera/store-file/not-regular-refused", test_not_regular_refused);
  g_test_add_func ("/tessera/store-file/huge-file-refused", test_huge_file_refused);
  g_test_add_func ("/tessera/store-file/write-replaces-link", test_write_replaces_link);
  g_test_add_func ("/tessera/store-file/key-store-meta-link", test_key_store_meta_link);
  g_test_add_func ("/tessera/store-file/key-store-request-link", test_key_store_request_link);
  g_test_add_func ("/tessera/store-file/base-dir-repaired-on-read", test_base_dir_repaired_on_read);
  g_test_add_func ("/tessera/store-file/dir-fsync-failure-reported", test_dir_fsync_failure_reported);

  return g_test_run ();
}
