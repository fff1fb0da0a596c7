/* test-concurrency.c: two tessera-cli at once on one account
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "reliability-common.h"
#include "tessera-account-lock.h"

/* The promises under test (issue 15, item 1): two processes working on one
 * account at the same time (a script and a second terminal, cron and the
 * window) never fail for each other's sake: each one either succeeds or,
 * when the other kept the account past its --timeout, exits 75 with the
 * code "account-busy". No key is lost and no certificate is left on the
 * server without its key here.
 *
 * Both processes are one device: the same data directory and the same
 * libsecret file keyring (SECRET_BACKEND=file, what a Flatpak gets through
 * the Secret portal too). The server's own storage is the oracle, read
 * without any client code. TESSERA_TEST_SEED=N repeats a run. */

#define ROUNDS 20
/* Revocations aim at other devices' certificates only, so that "login"
 * (this device's) always has one. */

#define BROKEN(...) G_STMT_START { g_test_message ("BROKEN: " __VA_ARGS__); g_test_fail_printf (__VA_ARGS__); } G_STMT_END

typedef enum {
  OP_ENROLL,
  OP_LIST,
  OP_LOGIN,
  OP_REVOKE,
} Op;

static const char * const op_names[] = { "enroll", "list", "login", "revoke" };

typedef struct
{
  TesseraTestServer *server;
  const char        *jid;
  const char        *password;
  TesseraTestDevice  device;
  char              *tmpdir;
  GRand             *rand;
  /* fingerprints enrolled (and reported) by a successful run, not revoked */
  GHashTable        *enrolled;
  /* of them, those made for another device (their keys are in files) */
  GHashTable        *others;
  guint              runs;
  guint              successes;
  guint              busy;
  guint              failures;
} Fixture;

static GPtrArray *
local_records (Fixture *f)
{
  g_autoptr(TesseraKeyStore) store = rel_device_store (&f->device, f->jid);
  g_autoptr(GError) error = NULL;
  GPtrArray *records = tessera_key_store_list (store, &error);

  g_assert_no_error (error);
  return records;
}

static const char *
record_fingerprint (TesseraKeyRecord *record)
{
  TesseraCertificate *cert = tessera_key_record_get_certificate (record);

  return cert != NULL ? tessera_certificate_get_fingerprint (cert) : NULL;
}

/* Certified keys other than this device's (the newest), oldest first
 * (tessera_key_store_list's order does not matter: any two will do). */
/* One certificate per device: after the first, this device enrolls other
 * devices, and those certificates are the ones to revoke. */
static GPtrArray *
revocable (Fixture *f)
{
  GPtrArray *fingerprints = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer fingerprint;

  g_hash_table_iter_init (&iter, f->others);
  while (g_hash_table_iter_next (&iter, &fingerprint, NULL))
    g_ptr_array_add (fingerprints, g_strdup (fingerprint));
  return fingerprints;
}

static Op
random_op (Fixture *f)
{
  /* enroll twice as often as the others: two of them at once are what
   * used to fail (the keyring file) */
  static const Op ops[] = { OP_ENROLL, OP_ENROLL, OP_LIST, OP_LOGIN, OP_REVOKE };

  return ops[g_rand_int_range (f->rand, 0, G_N_ELEMENTS (ops))];
}

static GStrv
op_args (Fixture    *f,
         Op          op,
         guint       round,
         char        who,
         const char *fingerprint)
{
  switch (op)
    {
    case OP_ENROLL:
      {
        g_autofree char *name = g_strdup_printf ("round %u %c", round, who);
        g_autofree char *file = g_strdup_printf ("round-%u-%c.pem", round, who);
        g_autofree char *out = g_build_filename (f->tmpdir, file, NULL);
        const char *args[] = { "enroll", name, "--other-device", "--format", "pem", "--no-encrypt", "-o", out,
                               NULL };

        return g_strdupv ((char **) args);
      }
    case OP_LIST:
      {
        const char *args[] = { "list", NULL };

        return g_strdupv ((char **) args);
      }
    case OP_LOGIN:
      {
        const char *args[] = { "login", NULL };

        return g_strdupv ((char **) args);
      }
    case OP_REVOKE:
    default:
      {
        const char *args[] = { "revoke", "--force", fingerprint, NULL };

        return g_strdupv ((char **) args);
      }
    }
}

/* One finished run: a success, a clear "busy", or a failure the other
 * process caused. */
static void
account_for (Fixture    *f,
             Op          op,
             const char *fingerprint,
             RelResult  *result)
{
  const char *code = rel_result_error_code (result);

  f->runs++;
  if (result->term_signal == 0 && result->status == TESSERA_TEST_EXIT_OK)
    {
      f->successes++;
      if (op == OP_ENROLL && rel_result_fingerprint (result) != NULL)
        g_hash_table_add (f->others, g_strdup (rel_result_fingerprint (result)));
      if (op == OP_REVOKE)
        g_hash_table_remove (f->others, fingerprint);
      return;
    }
  if (result->term_signal == 0 && result->status == TESSERA_TEST_EXIT_TEMPFAIL &&
      g_strcmp0 (code, "account-busy") == 0 && result->err != NULL &&
      strstr (result->err, "Another Tessera is working on the account") != NULL)
    {
      f->busy++;
      return;
    }
  f->failures++;
  BROKEN ("%s failed for the other process's sake: exit %d (signal %d), code %s: %s",
          op_names[op], result->status, result->term_signal, code ? code : "(none)",
          result->err ? result->err : "");
}

static void
run_round (Fixture *f,
           guint    round)
{
  g_autoptr(GPtrArray) candidates = revocable (f);
  RelRun run = { .password = f->password };
  Op ops[2] = { random_op (f), random_op (f) };
  const char *targets[2] = { NULL, NULL };
  g_auto(GStrv) args_a = NULL;
  g_auto(GStrv) args_b = NULL;
  g_autoptr(GSubprocess) a = NULL;
  g_autoptr(GSubprocess) b = NULL;
  g_auto(RelResult) result_a = { 0 };
  g_auto(RelResult) result_b = { 0 };
  guint next = 0;

  /* Two revocations never aim at one certificate: the second would
   * rightly find it gone, which is not a race. */
  for (guint i = 0; i < 2; i++)
    if (ops[i] == OP_REVOKE)
      {
        if (next < candidates->len)
          targets[i] = g_ptr_array_index (candidates, next++);
        else
          ops[i] = OP_ENROLL;
      }

  g_test_message ("round %u: %s | %s", round, op_names[ops[0]], op_names[ops[1]]);
  args_a = op_args (f, ops[0], round, 'a', targets[0]);
  args_b = op_args (f, ops[1], round, 'b', targets[1]);
  a = rel_spawn_cli_argv (f->server, f->jid, &f->device, &run, (const char * const *) args_a);
  b = rel_spawn_cli_argv (f->server, f->jid, &f->device, &run, (const char * const *) args_b);
  rel_wait_cli (a, &run, (const char * const *) args_a, &result_a);
  rel_wait_cli (b, &run, (const char * const *) args_b, &result_b);

  account_for (f, ops[0], targets[0], &result_a);
  account_for (f, ops[1], targets[1], &result_b);
}

/* After a last list (which reconciles): the server and this device agree. */
static void
check_store_and_server (Fixture *f)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) certs = NULL;
  g_auto(RelResult) result = { 0 };
  RelRun run = { .password = f->password };
  GHashTableIter iter;
  gpointer fingerprint;
  guint lost = 0, orphans = 0, stale = 0, this_device = 0;

  rel_run_cli (f->server, f->jid, &f->device, &run, &result, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);

  records = local_records (f);
  certs = rel_server_certs (f->server, "user1");

  /* every certificate the server lists has its key here (this device made
   * them all): none is an orphan that nobody can use or revoke by key */
  for (guint i = 0; i < certs->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (certs, i);
      gboolean found = FALSE;

      for (guint j = 0; j < records->len && !found; j++)
        found = g_str_equal (tessera_key_record_get_id (g_ptr_array_index (records, j)), cert->key_id);
      /* another device's: its key went to its file, none is here */
      if (!found && g_hash_table_contains (f->others, cert->fingerprint))
        continue;
      if (!found)
        {
          orphans++;
          g_test_message ("orphan certificate on the server: %s \"%s\"", cert->fingerprint, cert->name);
        }
    }

  /* every local key's certificate is listed by the server */
  for (guint i = 0; i < records->len; i++)
    {
      const char *local = record_fingerprint (g_ptr_array_index (records, i));

      if (local == NULL)
        {
          g_test_message ("key %s has no certificate",
                          tessera_key_record_get_id (g_ptr_array_index (records, i)));
          stale++;
        }
      else if (rel_server_certs_find (certs, local) == NULL)
        {
          g_test_message ("key with certificate %s that the server does not list", local);
          stale++;
        }
    }

  /* every other device enrolled and not revoked is still listed, its key
   * not here */
  g_hash_table_iter_init (&iter, f->others);
  while (g_hash_table_iter_next (&iter, &fingerprint, NULL))
    {
      for (guint j = 0; j < records->len; j++)
        if (g_strcmp0 (record_fingerprint (g_ptr_array_index (records, j)), fingerprint) == 0)
          {
            orphans++;
            g_test_message ("another device's key %s is still here", (char *) fingerprint);
          }
      if (rel_server_certs_find (certs, fingerprint) == NULL)
        {
          lost++;
          g_test_message ("another device's certificate %s is gone", (char *) fingerprint);
        }
    }

  /* every enrollment that succeeded and was not revoked kept its key */
  g_hash_table_iter_init (&iter, f->enrolled);
  while (g_hash_table_iter_next (&iter, &fingerprint, NULL))
    {
      gboolean here = FALSE;

      for (guint j = 0; j < records->len && !here; j++)
        here = g_strcmp0 (record_fingerprint (g_ptr_array_index (records, j)), fingerprint) == 0;
      if (!here || rel_server_certs_find (certs, fingerprint) == NULL)
        {
          lost++;
          g_test_message ("enrolled certificate %s lost (key here: %s)", (char *) fingerprint, here ? "yes" : "no");
        }
    }

  /* "this device" as the list says it: the one certificate it logs in
   * with, whatever number of keys the rounds left here */
  if (result.json != NULL)
    {
      JsonArray *list = json_object_get_array_member (json_node_get_object (result.json), "certificates");

      for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
        if (json_object_get_boolean_member_with_default (json_array_get_object_element (list, i),
                                                         "this_device", FALSE))
          this_device++;
    }

  g_test_message ("after %u rounds: %u runs, %u succeeded, %u busy (exit 75), %u failed; "
                  "server %u certificates, device %u keys, %u marked this device; "
                  "%u lost keys, %u orphan certificates, %u keys without a listed certificate",
                  ROUNDS, f->runs, f->successes, f->busy, f->failures, certs->len, records->len,
                  this_device, lost, orphans, stale);
  if (lost > 0)
    BROKEN ("%u enrolled keys lost", lost);
  if (orphans > 0)
    BROKEN ("%u orphan certificates on the server", orphans);
  if (stale > 0)
    BROKEN ("%u keys here whose certificate the server does not list", stale);
  if (this_device > 1)
    BROKEN ("%u certificates marked this device: at most one may be", this_device);
}

static void
test_two_processes (void)
{
  g_autoptr(GError) error = NULL;
  static const char *options[] = { "--accounts", "1", NULL };
  const char *seed_env = g_getenv ("TESSERA_TEST_SEED");
  guint32 seed = seed_env != NULL ? (guint32) strtoul (seed_env, NULL, 10) : g_random_int ();
  Fixture f = { 0 };

  g_test_message ("seed %u (TESSERA_TEST_SEED=%u repeats this run)", seed, seed);
  f.rand = g_rand_new_with_seed (seed);
  f.enrolled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f.others = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f.tmpdir = g_dir_make_tmp ("tessera-concurrency-XXXXXX", &error);
  g_assert_no_error (error);
  tessera_test_device_init (&f.device, f.tmpdir, "device");

  f.server = tessera_test_server_start (options, &error);
  g_assert_no_error (error);
  /* two enrollments a round, far faster than a real server lets an account add */
  rel_server_configure (f.server, "ccm2_max_certificates = 1000\nccm2_add_limit = 100000", &error);
  g_assert_no_error (error);
  f.jid = tessera_test_server_get_jid (f.server);
  f.password = tessera_test_server_get_password (f.server);

  /* One certificate first, alone: a "login" before any enrollment finished
   * rightly says "no certificate", which is not a race. */
  {
    g_auto(RelResult) first = { 0 };
    RelRun run = { .password = f.password };

    rel_run_cli (f.server, f.jid, &f.device, &run, &first, "enroll", "first", NULL);
    g_assert_cmpint (first.status, ==, TESSERA_TEST_EXIT_OK);
    g_assert_nonnull (rel_result_fingerprint (&first));
    g_hash_table_add (f.enrolled, g_strdup (rel_result_fingerprint (&first)));
  }

  for (guint round = 1; round <= ROUNDS; round++)
    run_round (&f, round);
  check_store_and_server (&f);

  tessera_test_server_stop (f.server);
  tessera_test_device_clear (&f.device);
  g_assert_true (tessera_test_remove_tree (f.tmpdir, NULL));
  g_free (f.tmpdir);
  g_hash_table_unref (f.enrolled);
  g_hash_table_unref (f.others);
  g_rand_free (f.rand);
}

/* ---- two accounts, one keyring ----------------------------------------- */

#define ACCOUNT_ROUNDS 8

/* The account lock keeps out a second process of the same account only;
 * two accounts of one user still share the keyring file. */
static void
test_two_accounts (void)
{
  g_autoptr(GError) error = NULL;
  static const char *options[] = { "--accounts", "2", NULL };
  TesseraTestServer *server;
  g_auto(TesseraTestDevice) device = { 0 };
  g_autofree char *tmpdir = NULL;
  const char *jids[2];
  RelRun runs[2] = { { 0 }, { 0 } };
  guint successes = 0, failures = 0;

  tmpdir = g_dir_make_tmp ("tessera-concurrency-XXXXXX", &error);
  g_assert_no_error (error);
  tessera_test_device_init (&device, tmpdir, "device");
  server = tessera_test_server_start (options, &error);
  g_assert_no_error (error);
  rel_server_configure (server, "ccm2_max_certificates = 1000\nccm2_add_limit = 100000", &error);
  g_assert_no_error (error);
  jids[0] = tessera_test_server_get_jid (server);
  runs[0].password = tessera_test_server_get_password (server);
  jids[1] = tessera_test_server_get (server, "JID2");
  runs[1].password = tessera_test_server_get (server, "PASSWORD2");

  for (guint round = 1; round <= ACCOUNT_ROUNDS; round++)
    {
      g_autofree char *name = g_strdup_printf ("round %u", round);
      /* One certificate per device: this device's first, then other
       * devices' (their keys pass through the same keyring) */
      char *outs[2] = { g_strdup_printf ("%s/round-%u-a.pem", tmpdir, round),
                        g_strdup_printf ("%s/round-%u-b.pem", tmpdir, round) };
      GSubprocess *processes[2];

      for (guint i = 0; i < 2; i++)
        {
          const char *first[] = { "enroll", name, NULL };
          const char *other[] = { "enroll", name, "--other-device", "--format", "pem", "--no-encrypt", "-o",
                                  outs[i], NULL };

          processes[i] = rel_spawn_cli_argv (server, jids[i], &device, &runs[i], round == 1 ? first : other);
        }
      for (guint i = 0; i < 2; i++)
        {
          g_auto(RelResult) result = { 0 };
          g_autoptr(TesseraKeyStore) store = NULL;
          g_autoptr(TesseraKeyRecord) record = NULL;

          const char *args[] = { "enroll", name, NULL };

          rel_wait_cli (processes[i], &runs[i], args, &result);
          g_object_unref (processes[i]);
          if (result.status != TESSERA_TEST_EXIT_OK || rel_result_fingerprint (&result) == NULL)
            {
              failures++;
              BROKEN ("enroll on %s next to another account's failed: exit %d: %s", jids[i], result.status,
                      result.err ? result.err : "");
              continue;
            }
          successes++;
          /* the key is here, and so is its passphrase (a lost keyring
           * item would make the key useless) */
          store = rel_device_store (&device, jids[i]);
          record = tessera_key_store_find_by_fingerprint (store, rel_result_fingerprint (&result));
          if (round == 1 && record == NULL)
            BROKEN ("enroll on %s reported %s but its key is not here", jids[i], rel_result_fingerprint (&result));
          if (round > 1 && (record != NULL || !g_file_test (outs[i], G_FILE_TEST_IS_REGULAR)))
            BROKEN ("enroll --other-device on %s: key here %s, file %s", jids[i], record ? "yes" : "no",
                    g_file_test (outs[i], G_FILE_TEST_IS_REGULAR) ? "written" : "missing");
        }
      g_free (outs[0]);
      g_free (outs[1]);
    }

  /* Every key of both accounts can still be used: each one logs in with
   * its newest, whose passphrase comes from the shared keyring. */
  for (guint i = 0; i < 2; i++)
    {
      g_auto(RelResult) result = { 0 };

      rel_run_cli (server, jids[i], &device, &runs[i], &result, "login", NULL);
      if (result.status != TESSERA_TEST_EXIT_OK)
        BROKEN ("login on %s after the enrollments failed: exit %d: %s", jids[i], result.status,
                result.err ? result.err : "");
    }

  g_test_message ("%u rounds of two accounts enrolling at once: %u succeeded, %u failed",
                  ACCOUNT_ROUNDS, successes, failures);

  tessera_test_server_stop (server);
  tessera_test_device_clear (&device);
  g_assert_true (tessera_test_remove_tree (tmpdir, NULL));
}

/* ---- the busy exit ------------------------------------------------------ */

/* Another process (this test) holds the account past the run's --timeout:
 * the run says so with exit 75 and changes nothing; once the lock is
 * released the same run works. */
static void
test_busy_exit (void)
{
  g_autoptr(GError) error = NULL;
  TesseraTestServer *server;
  g_auto(TesseraTestDevice) device = { 0 };
  g_autofree char *tmpdir = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraAccountLock) lock = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) certs = NULL;
  const char *jid;
  RelRun run = { 0 };
  const char *enroll[] = { "--timeout", "2", "enroll", "busy", NULL };

  tmpdir = g_dir_make_tmp ("tessera-concurrency-XXXXXX", &error);
  g_assert_no_error (error);
  tessera_test_device_init (&device, tmpdir, "device");
  server = tessera_test_server_start (NULL, &error);
  g_assert_no_error (error);
  jid = tessera_test_server_get_jid (server);
  run.password = tessera_test_server_get_password (server);

  store = rel_device_store (&device, jid);
  lock = tessera_account_lock_try_acquire (store, &error);
  g_assert_no_error (error);

  {
    g_auto(RelResult) result = { 0 };
    gint64 started = g_get_monotonic_time ();

    rel_run_cli_argv (server, jid, &device, &run, enroll, &result);
    g_test_message ("busy enroll: exit %d after %" G_GINT64_FORMAT " ms: %s", result.status,
                    (g_get_monotonic_time () - started) / 1000, result.err ? result.err : "");
    g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_TEMPFAIL);
    g_assert_cmpstr (rel_result_error_code (&result), ==, "account-busy");
    g_assert_nonnull (strstr (result.err, "Another Tessera is working on the account"));
    /* it waited for the lock (its whole --timeout), it did not give up at once */
    g_assert_cmpint (g_get_monotonic_time () - started, >=, 2 * G_USEC_PER_SEC);
  }
  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);
  certs = rel_server_certs (server, "user1");
  g_assert_cmpuint (certs->len, ==, 0);

  g_clear_object (&lock);
  {
    g_auto(RelResult) result = { 0 };

    rel_run_cli_argv (server, jid, &device, &run, enroll, &result);
    g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  }

  tessera_test_server_stop (server);
  tessera_test_device_clear (&device);
  g_assert_true (tessera_test_remove_tree (tmpdir, NULL));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/tessera/reliability/concurrency/two-processes-one-account", test_two_processes);
  g_test_add_func ("/tessera/reliability/concurrency/two-accounts-one-keyring", test_two_accounts);
  g_test_add_func ("/tessera/reliability/concurrency/busy-exit", test_busy_exit);

  return g_test_run ();
}
