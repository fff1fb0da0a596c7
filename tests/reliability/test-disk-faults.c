/* test-disk-faults.c: ENOSPC and EIO on write, fsync and rename, injected with strace
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "reliability-common.h"

/* Every write, fsync and rename of a key store operation, and every fsync
 * and rename of "tessera-cli enroll", fails once in turn (strace
 * -e inject=SYSCALL:error=ERRNO:when=N). After each: the files that were
 * there before are byte for byte what they were; a failed operation says
 * so (exit status 1, the reason in its message) and leaves no temporary
 * file; a succeeding one left its complete new state. A failed fsync of
 * the folder after a rename is an error too: the new version is then in
 * place, but the caller is told it may not survive a power cut. */

#define RETURN_IF_FAILED() G_STMT_START { if (g_test_failed ()) return; } G_STMT_END

#define JID        "faulty@localhost"
#define PASSPHRASE "driver passphrase"
/* In the message of a failed fsync of a folder (tessera-store-file.c). */
#define DIR_SYNC_FAILED "reach the disk"

typedef struct
{
  const char *syscall;
  const char *errno_name;
  const char *message;    /* strerror() in the C locale */
} Fault;

static const Fault faults[] = {
  { "write",  "ENOSPC", "No space left on device" },
  { "write",  "EIO",    "Input/output error" },
  { "fsync",  "EIO",    "Input/output error" },
  { "fsync",  "ENOSPC", "No space left on device" },
  { "rename", "ENOSPC", "No space left on device" },
  { "rename", "EIO",    "Input/output error" },
};

static const char * const store_file_names[] = {
  "key.pem", "request.der", "certificate.pem", "meta.ini", "journal", NULL
};

static char *tmpdir;

static const char *
driver_path (void)
{
  const char *path = g_getenv ("TESSERA_KEYSTORE_DRIVER");

  g_assert_nonnull (path);
  return path;
}

static gboolean
have_strace (void)
{
  g_autofree char *strace = g_find_program_in_path ("strace");

  if (strace == NULL)
    g_test_skip ("strace is not installed");
  return strace != NULL;
}

/* ---- snapshots of a directory tree ------------------------------------- */

/* relative path -> GBytes of its contents */
static GHashTable *
snapshot (const char         *root,
          const char * const *skip)
{
  GHashTable *files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) paths = rel_list_files (root, FALSE);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *base = g_path_get_basename (path);
      char *contents;
      gsize length;

      if (skip != NULL && g_strv_contains (skip, base))
        continue;
      contents = rel_read_file (path, &length);
      g_assert_nonnull (contents);
      g_hash_table_insert (files, g_strdup (path + strlen (root)), g_bytes_new_take (contents, length));
    }
  return files;
}

/* Every file of @before is in @root with the same bytes. */
static void
assert_unchanged (GHashTable *before,
                  const char *root,
                  const char *context)
{
  g_autoptr(GHashTable) now = snapshot (root, NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GBytes *after = g_hash_table_lookup (now, key);

      if (after == NULL)
        g_test_fail_printf ("%s: %s disappeared", context, (const char *) key);
      else if (!g_bytes_equal (after, value))
        g_test_fail_printf ("%s: %s changed", context, (const char *) key);
    }
}

/* Only key store files: a temporary file left behind fails. */
static void
assert_no_strays (const char *root,
                  const char *context)
{
  g_autoptr(GPtrArray) paths = rel_list_files (root, FALSE);

  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (paths, i));

      if (!g_strv_contains (store_file_names, base))
        g_test_fail_printf ("%s: stray file %s", context, (const char *) g_ptr_array_index (paths, i));
    }
}

static void
copy_tree (const char *from,
           const char *to)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "cp", "-a", from, to, NULL };
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* ---- runs under strace -------------------------------------------------- */

typedef struct
{
  int   status;
  char *err;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcome, outcome_clear)

/* strace [-o @log] -e trace=SYSCALL [-e inject=SYSCALL:error=E:when=N] */
static GStrv
strace_wrapper (const char  *syscall,
                const Fault *fault,
                guint        when,
                const char  *log)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *trace = g_strdup_printf ("trace=%s", syscall);

  g_strv_builder_add_many (builder, "strace", "-f", "-qq", "--seccomp-bpf", "-o", log ? log : "/dev/null",
                           "-e", trace, NULL);
  if (fault != NULL)
    {
      g_autofree char *inject = g_strdup_printf ("inject=%s:error=%s:when=%u", fault->syscall,
                                                 fault->errno_name, when);

      g_strv_builder_add_many (builder, "-e", inject, NULL);
    }
  return g_strv_builder_end (builder);
}

/* How many times @syscall appears in a strace log. */
static guint
count_calls (const char *log,
             const char *syscall)
{
  g_autofree char *text = rel_read_file (log, NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *call = g_strconcat (syscall, "(", NULL);
  guint count = 0;

  g_assert_nonnull (text);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* "[PID  ]syscall(...)"; a "<... syscall resumed>" half is not a call */
      const char *start = lines[i];

      while (g_ascii_isdigit (*start))
        start++;
      while (*start == ' ')
        start++;
      if (g_str_has_prefix (start, call))
        count++;
    }
  return count;
}

static void
run_driver (GStrv        wrapper,
            const char  *base,
            const char  *operation,
            const char  *id,
            Outcome     *outcome,
            char       **out)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  int status = 0;

  if (wrapper != NULL)
    g_strv_builder_addv (builder, (const char **) wrapper);
  g_strv_builder_add_many (builder, driver_path (), base, JID, PASSPHRASE, operation, NULL);
  if (id != NULL)
    g_strv_builder_add (builder, id);
  argv = g_strv_builder_end (builder);

  g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &stdout_text, &outcome->err, &status, &error);
  g_assert_no_error (error);
  outcome->status = g_spawn_check_wait_status (status, NULL) ? 0 : 1;
  if (out != NULL)
    *out = g_strstrip (g_steal_pointer (&stdout_text));
}

/* ---- the key store under each fault ------------------------------------ */

typedef struct
{
  const char      *operation;
  const char      *setup[3];     /* operations run before, without faults */
} StoreCase;

static const StoreCase store_cases[] = {
  { "new-key",     { NULL } },
  { "request",     { NULL } },
  { "certificate", { "request", NULL } },
  { "revoking",    { "request", "certificate", NULL } },
  { "journal",     { "request", NULL } },
};

/* What a successful @operation must have left. */
static void
check_done (const char *base,
            const char *operation,
            const char *id,
            guint       n_before,
            const char *context)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, base);
  g_autoptr(GPtrArray) records = tessera_key_store_list (store, NULL);
  g_autoptr(TesseraKeyRecord) record = tessera_key_store_lookup (store, id, NULL);

  g_assert_nonnull (records);
  g_assert_nonnull (record);
  if (records == NULL || record == NULL)
    return;

  if (g_str_equal (operation, "new-key"))
    g_assert_cmpuint (records->len, ==, n_before + 1);
  else
    g_assert_cmpuint (records->len, ==, n_before);

  if (g_str_equal (operation, "request"))
    {
      g_assert_nonnull (tessera_key_record_get_request_der (record));
      g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_REQUEST_PENDING);
    }
  else if (g_str_equal (operation, "certificate"))
    {
      g_assert_nonnull (tessera_key_record_get_certificate (record));
      g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_CERTIFIED);
    }
  else if (g_str_equal (operation, "revoking"))
    g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_REVOKING);
  if (g_test_failed ())
    g_test_message ("%s: the operation succeeded but its result is incomplete", context);
}

/* A failed operation leaves every key loadable as before. */
static void
check_still_usable (const char *base,
                    const char *id,
                    guint       n_before)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, base);
  g_autoptr(GPtrArray) records = tessera_key_store_list (store, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = tessera_key_store_load_key (store, id, PASSPHRASE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (records);
  if (records != NULL)
    g_assert_cmpuint (records->len, ==, n_before);
}

static void
test_store_faults (gconstpointer data)
{
  const StoreCase *c = data;
  g_autofree char *pristine = g_build_filename (tmpdir, c->operation, "pristine", NULL);
  g_autofree char *log = g_build_filename (tmpdir, c->operation, "strace.log", NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autofree char *id = NULL;
  g_auto(Outcome) outcome = { 0 };
  guint runs = 0, failures = 0;

  if (!have_strace ())
    return;

  g_assert_no_errno (g_mkdir_with_parents (pristine, 0700));
  run_driver (NULL, pristine, "prepare", NULL, &outcome, &id);
  g_assert_cmpint (outcome.status, ==, TESSERA_TEST_EXIT_OK);
  for (guint i = 0; c->setup[i] != NULL; i++)
    {
      outcome_clear (&outcome);
      run_driver (NULL, pristine, c->setup[i], id, &outcome, NULL);
      g_assert_cmpint (outcome.status, ==, TESSERA_TEST_EXIT_OK);
    }
  RETURN_IF_FAILED ();
  before = snapshot (pristine, NULL);

  for (guint f = 0; f < G_N_ELEMENTS (faults); f++)
    {
      const Fault *fault = &faults[f];
      g_autofree char *dry = g_strdup_printf ("%s-dry-%u", pristine, f);
      g_auto(GStrv) counting = strace_wrapper (fault->syscall, NULL, 0, log);
      guint calls;

      copy_tree (pristine, dry);
      outcome_clear (&outcome);
      run_driver (counting, dry, c->operation, id, &outcome, NULL);
      g_assert_cmpint (outcome.status, ==, TESSERA_TEST_EXIT_OK);
      calls = count_calls (log, fault->syscall);
      g_assert_cmpuint (calls, >, 0);

      for (guint n = 1; n <= calls; n++)
        {
          g_autofree char *work = g_strdup_printf ("%s-%s-%s-%u", pristine, fault->syscall, fault->errno_name, n);
          g_autofree char *context = g_strdup_printf ("%s with %s %s at call %u of %u", c->operation,
                                                      fault->syscall, fault->errno_name, n, calls);
          g_auto(GStrv) injecting = strace_wrapper (fault->syscall, fault, n, NULL);
          g_auto(Outcome) faulty = { 0 };

          copy_tree (pristine, work);
          run_driver (injecting, work, c->operation, id, &faulty, NULL);
          runs++;
          if (faulty.status != TESSERA_TEST_EXIT_OK)
            {
              failures++;
              /* The old state is intact (unless the rename was done and
               * only its folder's fsync failed), and the user is told why. */
              if (strstr (faulty.err, DIR_SYNC_FAILED) == NULL)
                assert_unchanged (before, work, context);
              if (strstr (faulty.err, fault->message) == NULL)
                g_test_fail_printf ("%s: the error does not name the failure: %s", context, faulty.err);
              check_still_usable (work, id, 1);
            }
          else
            {
              check_done (work, c->operation, id, 1, context);
            }
          assert_no_strays (work, context);
          g_assert_true (tessera_test_remove_tree (work, NULL));
          RETURN_IF_FAILED ();
        }
      g_assert_true (tessera_test_remove_tree (dry, NULL));
    }

  g_test_message ("%s: %u faulty runs, %u reported a failure", c->operation, runs, failures);
  g_assert_cmpuint (failures, >, 0);
}

/* ---- tessera-cli enroll under each fault -------------------------------- */

/* The key ids of the keys in the plain PEM files under @dir (files of
 * enroll --other-device). */
static GHashTable *
keys_in_files (const char *dir)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) files = rel_list_files (dir, FALSE);

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *data = NULL;
      g_autoptr(GBytes) pem = NULL;
      g_autoptr(TesseraKey) key = NULL;
      const char *start;

      if (!g_file_get_contents (g_ptr_array_index (files, i), &data, NULL, NULL) ||
          (start = strstr (data, "-----BEGIN PRIVATE KEY-----")) == NULL)
        continue;
      pem = g_bytes_new (start, strlen (start));
      key = tessera_key_new_from_pem (pem, NULL, NULL);
      if (key != NULL)
        g_hash_table_add (ids, tessera_key_store_id_for_key (key));
    }
  return ids;
}

static void
test_cli_enroll_faults (void)
{
  static const Fault cli_faults[] = {
    { "fsync",  "EIO",    "Input/output error" },
    { "rename", "ENOSPC", "No space left on device" },
  };
  static const char * const volatile_files[] = { "keyring", "keyring~", NULL };
  g_autoptr(GError) error = NULL;
  TesseraTestServer *server = NULL;
  g_auto(TesseraTestDevice) device = { 0 };
  g_auto(RelResult) result = { 0 };
  g_autofree char *log = g_build_filename (tmpdir, "cli-strace.log", NULL);
  g_autofree char *outputs = g_build_filename (tmpdir, "other-devices", NULL);
  RelRun run = { 0 };
  guint failures = 0, runs = 0, serial = 0;
  const char *jid;

  if (!have_strace ())
    return;
  server = tessera_test_server_start (NULL, &error);
  g_assert_no_error (error);
  if (server == NULL)
    return;
  rel_server_configure (server, "ccm2_max_certificates = 1000\nccm2_add_limit = 100000", &error);
  g_assert_no_error (error);
  jid = tessera_test_server_get_jid (server);
  run.password = tessera_test_server_get_password (server);
  tessera_test_device_init (&device, tmpdir, "cli");

  /* The old state: an enrolled device. One certificate per device: the
   * runs under faults enroll other devices, whose files go to @outputs. */
  rel_run_cli (server, jid, &device, &run, &result, "enroll", "Before", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  g_mkdir_with_parents (outputs, 0700);

  for (guint f = 0; f < G_N_ELEMENTS (cli_faults) && !g_test_failed (); f++)
    {
      const Fault *fault = &cli_faults[f];
      g_auto(GStrv) counting = strace_wrapper (fault->syscall, NULL, 0, log);
      RelRun dry = run;
      g_autofree char *counted = g_strdup_printf ("%s/%u.pem", outputs, ++serial);
      guint calls;

      dry.wrapper = (const char * const *) counting;
      rel_result_clear (&result);
      rel_run_cli (server, jid, &device, &dry, &result, "enroll", "Counted", "--other-device", "--format", "pem",
                   "--no-encrypt", "-o", counted, NULL);
      g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
      calls = count_calls (log, fault->syscall);
      g_test_message ("tessera-cli enroll makes %u %s calls", calls, fault->syscall);

      for (guint n = 1; n <= calls && !g_test_failed (); n++)
        {
          g_auto(GStrv) injecting = strace_wrapper (fault->syscall, fault, n, NULL);
          g_autoptr(GHashTable) before = snapshot (device.root, volatile_files);
          g_autofree char *context = g_strdup_printf ("enroll with %s %s at call %u of %u", fault->syscall,
                                                      fault->errno_name, n, calls);
          g_autoptr(GPtrArray) server_certs = NULL;
          g_autoptr(GPtrArray) records = NULL;
          g_autoptr(TesseraKeyStore) store = NULL;
          g_autoptr(GHashTable) delivered = NULL;
          g_autofree char *out = g_strdup_printf ("%s/%u.pem", outputs, ++serial);
          RelRun faulty = run;

          faulty.wrapper = (const char * const *) injecting;
          rel_result_clear (&result);
          rel_run_cli (server, jid, &device, &faulty, &result, "enroll", "Faulty", "--other-device", "--format",
                       "pem", "--no-encrypt", "-o", out, NULL);
          runs++;
          assert_unchanged (before, device.root, context);
          if (result.status == TESSERA_TEST_EXIT_OK)
            continue;

          failures++;
          g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
          if (strstr (result.err, fault->message) == NULL)
            g_test_fail_printf ("%s: the error does not name the failure: %s", context, result.err);

          /* The next run finishes whatever the server already did. */
          rel_result_clear (&result);
          rel_run_cli (server, jid, &device, &run, &result, "list", NULL);
          g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
          server_certs = rel_server_certs (server, "user1");
          store = rel_device_store (&device, jid);
          records = tessera_key_store_list (store, NULL);
          delivered = keys_in_files (outputs);
          for (guint i = 0; records != NULL && i < server_certs->len; i++)
            {
              RelServerCert *cert = g_ptr_array_index (server_certs, i);
              g_autoptr(TesseraKeyRecord) record = tessera_key_store_lookup (store, cert->key_id, NULL);

              /* another device's: its key is in its file */
              if (record == NULL && g_hash_table_contains (delivered, cert->key_id))
                continue;
              if (record == NULL)
                g_test_fail_printf ("%s: the server lists %s, whose key is gone", context, cert->fingerprint);
              else if (tessera_key_record_get_certificate (record) == NULL)
                g_test_fail_printf ("%s: %s is not stored after the next run", context, cert->fingerprint);
            }
        }
    }

  /* The keyring still opens the first key: a certificate login works. */
  rel_result_clear (&result);
  run.password = NULL;
  rel_run_cli (server, jid, &device, &run, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);

  g_test_message ("tessera-cli enroll: %u faulty runs, %u reported a failure", runs, failures);
  g_assert_cmpuint (failures, >, 0);
  tessera_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  tmpdir = tessera_test_tmpdir_new ("tessera-disk-XXXXXX");

  for (guint i = 0; i < G_N_ELEMENTS (store_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tessera/reliability/disk-faults/store/%s", store_cases[i].operation);

      g_test_add_data_func (path, &store_cases[i], test_store_faults);
    }
  g_test_add_func ("/tessera/reliability/disk-faults/cli-enroll", test_cli_enroll_faults);

  status = g_test_run ();
  tessera_test_tmpdir_free (g_steal_pointer (&tmpdir));
  return status;
}
