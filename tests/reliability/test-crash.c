/* test-crash.c: tessera-cli killed at every step of enroll, revoke and renew, then reconciled
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>

#include "reliability-common.h"

/* The promises under test:
 *   - a key the server has a certificate for is never lost;
 *   - a key is deleted only after the server confirmed the revocation;
 *   - after the next run (which reconciles), every certificate the server
 *     lists is known on the device that made it, and nothing the user did
 *     not ask for was revoked.
 * tessera-cli runs with TESSERA_TEST_CRASH_AT=<point> and dies by SIGKILL
 * there (src/core/tessera-test-hooks.h); the server's own storage is the
 * oracle, read without any client code. */

#define RETURN_IF_FAILED() G_STMT_START { if (g_test_failed ()) return; } G_STMT_END

/* A broken promise, said in the log too (a later assertion would replace
 * the test's failure message). */
#define BROKEN(...) G_STMT_START { g_test_message ("BROKEN: " __VA_ARGS__); g_test_fail_printf (__VA_ARGS__); } G_STMT_END

/* Every crash point of the session and the key store. */
static const char * const crash_points[] = {
  "key-store:after-secret",
  "key-store:after-key-file",
  "enroll:key-saved",
  "enroll:request-saved",
  "enroll:request-sent",
  "enroll:csr-sent",
  "enroll:result-received",
  "key-store:after-certificate",
  "enroll:certificate-stored",
  "revoke:revoking-saved",
  "revoke:sent",
  "revoke:confirmed",
  "revoke:removing",
  "revoke:local-removed",
  "reconcile:before-restore",
  "reconcile:before-delete",
  "other-device:key-saved",
  "other-device:file-written",
  "other-device:export-written",
};
/* crash_points: the enroll points first, then the revoke points */
#define N_ENROLL_POINTS 9
#define N_REVOKE_POINTS 5
/* and the last ones, those of enroll --other-device */
#define N_OTHER_DEVICE_POINTS 3

/* One server for every case: a Prosody start costs more than a case. */
static TesseraTestServer *ccm2_server;
static char *tmpdir;
static guint device_serial;

static TesseraTestServer *
get_server (void)
{
  g_autoptr(GError) error = NULL;
  static const char *options[] = { "--accounts", "3", NULL };

  if (ccm2_server != NULL)
    return ccm2_server;

  ccm2_server = tessera_test_server_start (options, &error);
  g_assert_no_error (error);
  /* The random run keeps well below the cap, but the fixed cases add up; and
   * it enrolls far faster than the per-account add rate a real server allows. */
  rel_server_configure (ccm2_server, "ccm2_max_certificates = 1000\nccm2_add_limit = 100000", &error);
  g_assert_no_error (error);
  return ccm2_server;
}

static void
new_device (TesseraTestDevice *device,
            const char *label)
{
  g_autofree char *name = g_strdup_printf ("%s-%u", label, ++device_serial);

  tessera_test_device_init (device, tmpdir, name);
}

static GPtrArray *
local_records (TesseraTestDevice *device,
               const char *jid)
{
  g_autoptr(TesseraKeyStore) store = rel_device_store (device, jid);
  g_autoptr(GError) error = NULL;
  GPtrArray *records = tessera_key_store_list (store, &error);

  g_assert_no_error (error);
  return records;
}

static TesseraKeyRecord *
local_by_fingerprint (GPtrArray  *records,
                      const char *fingerprint)
{
  for (guint i = 0; i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);
      TesseraCertificate *cert = tessera_key_record_get_certificate (record);

      if (cert != NULL && g_str_equal (tessera_certificate_get_fingerprint (cert), fingerprint))
        return record;
    }
  return NULL;
}

static TesseraKeyRecord *
local_by_id (GPtrArray  *records,
             const char *id)
{
  for (guint i = 0; i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);

      if (g_str_equal (tessera_key_record_get_id (record), id))
        return record;
    }
  return NULL;
}

static char *
enroll_ok (TesseraTestServer *server,
           const char        *jid,
           const char        *password,
           TesseraTestDevice *device,
           const char        *name)
{
  g_auto(RelResult) result = { 0 };
  RelRun run = { .password = password };

  rel_run_cli (server, jid, device, &run, &result, "enroll", name, NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  if (result.status != TESSERA_TEST_EXIT_OK)
    return NULL;
  return g_strdup (rel_result_fingerprint (&result));
}

/* Runs tessera-cli with the arguments up to NULL, killed at @point; fails
 * the test unless it died by SIGKILL there. */
static void
run_crashing (TesseraTestServer *server,
              const char        *jid,
              const char        *password,
              TesseraTestDevice *device,
              const char        *point,
              RelResult         *result,
              const char        *first_arg,
              ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  RelRun run = { .password = password, .crash_at = point };
  const char *arg;
  va_list ap;

  g_strv_builder_add (builder, first_arg);
  va_start (ap, first_arg);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (ap);
  args = g_strv_builder_end (builder);

  rel_run_cli_argv (server, jid, device, &run, (const char * const *) args, result);
  g_assert_cmpint (result->term_signal, ==, SIGKILL);
}

/* ---- what every fixed kill case starts from ----------------------------- */

/* One account of the shared server, a new device of it (enrolled first when
 * the case kills a run on an enrolled device), and what the server listed
 * for the account before the run that is killed. */
typedef struct
{
  TesseraTestServer *server;
  const char        *user;       /* the account in the server's storage */
  const char        *jid;
  const char        *password;
  TesseraTestDevice  device;
  char              *enrolled;   /* the device's certificate, or NULL */
  GPtrArray         *before;     /* RelServerCert */
} KillCase;

static void
kill_case_clear (KillCase *k)
{
  g_clear_pointer (&k->before, g_ptr_array_unref);
  g_clear_pointer (&k->enrolled, g_free);
  tessera_test_device_clear (&k->device);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KillCase, kill_case_clear)

/* The fixed cases kill runs of account 2 of the shared server, the renewals
 * those of account 3; the random kills have account 1 to themselves. */
static const struct
{
  const char *user;
  const char *jid_key;
  const char *password_key;
} kill_accounts[] = {
  [2] = { "user2", "JID2", "PASSWORD2" },
  [3] = { "user3", "JID3", "PASSWORD3" },
};

/* Sets @k up on @account with a new device labelled @label that enrolls as
 * @enroll_name first, unless that is NULL. FALSE when that enroll failed. */
static gboolean
kill_case_init (KillCase   *k,
                guint       account,
                const char *label,
                const char *enroll_name)
{
  g_assert (account < G_N_ELEMENTS (kill_accounts) && kill_accounts[account].user != NULL);
  k->server = get_server ();
  k->user = kill_accounts[account].user;
  k->jid = tessera_test_server_get (k->server, kill_accounts[account].jid_key);
  k->password = tessera_test_server_get (k->server, kill_accounts[account].password_key);
  new_device (&k->device, label);
  if (enroll_name != NULL)
    {
      k->enrolled = enroll_ok (k->server, k->jid, k->password, &k->device, enroll_name);
      if (g_test_failed ())
        return FALSE;
    }
  k->before = rel_server_certs (k->server, k->user);
  return TRUE;
}

/* The run after the kill, with @password (may be NULL): @command, which
 * reconciles first; it must succeed. */
static void
run_next (KillCase   *k,
          const char *password,
          const char *command,
          RelResult  *result)
{
  rel_result_clear (result);
  rel_run_cli (k->server, k->jid, &k->device, &(RelRun) { .password = password }, result, command, NULL);
  g_assert_cmpint (result->status, ==, TESSERA_TEST_EXIT_OK);
}

/* ---- one enroll killed at each step ------------------------------------ */

typedef struct
{
  const char      *point;
  gboolean         saved;      /* a key folder with key.pem exists afterwards */
  TesseraKeyState  state;      /* its state right after the kill */
  gboolean         sent;       /* the journal says the request left */
  gboolean         issued;     /* the server holds a certificate afterwards */
} EnrollCase;

static const EnrollCase enroll_cases[] = {
  { "key-store:after-secret",      FALSE, 0,                                  FALSE, FALSE },
  { "key-store:after-key-file",    TRUE,  TESSERA_KEY_STATE_KEY_SAVED,        FALSE, FALSE },
  { "enroll:key-saved",            TRUE,  TESSERA_KEY_STATE_KEY_SAVED,        FALSE, FALSE },
  { "enroll:request-saved",        TRUE,  TESSERA_KEY_STATE_REQUEST_PENDING,  FALSE, FALSE },
  { "enroll:request-sent",         TRUE,  TESSERA_KEY_STATE_REQUEST_PENDING,  TRUE,  FALSE },
  { "enroll:csr-sent",             TRUE,  TESSERA_KEY_STATE_REQUEST_PENDING,  TRUE,  TRUE },
  { "enroll:result-received",      TRUE,  TESSERA_KEY_STATE_REQUEST_PENDING,  TRUE,  TRUE },
  { "key-store:after-certificate", TRUE,  TESSERA_KEY_STATE_REQUEST_PENDING,  TRUE,  TRUE },
  { "enroll:certificate-stored",   TRUE,  TESSERA_KEY_STATE_CERTIFIED,        TRUE,  TRUE },
};

static void
test_enroll_killed (gconstpointer data)
{
  const EnrollCase *c = data;
  g_auto(KillCase) k = { 0 };
  g_auto(RelResult) result = { 0 };
  g_autoptr(GPtrArray) crashed = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) final = NULL;
  TesseraKeyRecord *record;

  kill_case_init (&k, 2, "enroll", NULL);
  run_crashing (k.server, k.jid, k.password, &k.device, c->point, &result, "enroll", "Crashing", NULL);
  RETURN_IF_FAILED ();

  crashed = rel_server_certs (k.server, k.user);
  g_assert_cmpuint (crashed->len, ==, k.before->len + (c->issued ? 1 : 0));
  records = local_records (&k.device, k.jid);
  g_assert_cmpuint (records->len, ==, c->saved ? 1 : 0);
  RETURN_IF_FAILED ();
  if (c->saved)
    {
      record = g_ptr_array_index (records, 0);
      g_assert_cmpint (tessera_key_record_get_state (record), ==, c->state);
    }

  /* The next run reconciles before it lists. */
  run_next (&k, k.password, "list", &result);
  after = rel_server_certs (k.server, k.user);
  final = local_records (&k.device, k.jid);
  g_assert_cmpuint (final->len, ==, c->saved ? 1 : 0);
  RETURN_IF_FAILED ();

  /* Exactly one certificate more when the request had left, never two. */
  g_assert_cmpuint (after->len, ==, k.before->len + (c->sent ? 1 : 0));
  if (!c->saved)
    return;
  record = g_ptr_array_index (final, 0);
  if (!c->sent)
    {
      /* A request that never left stays for a retry. */
      g_assert_cmpint (tessera_key_record_get_state (record), ==, c->state);
      g_assert_null (tessera_key_record_get_certificate (record));
      return;
    }

  g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_CERTIFIED);
  g_assert_nonnull (tessera_key_record_get_certificate (record));
  RETURN_IF_FAILED ();
  g_assert_nonnull (rel_server_certs_find (after, tessera_certificate_get_fingerprint (
                                             tessera_key_record_get_certificate (record))));
  if (c->issued)
    {
      /* The certificate the server had issued, not a second one. */
      g_assert_nonnull (rel_server_certs_find (crashed, tessera_certificate_get_fingerprint (
                                                 tessera_key_record_get_certificate (record))));
    }
  if (c->state == TESSERA_KEY_STATE_REQUEST_PENDING && !g_str_has_prefix (c->point, "key-store:"))
    g_assert_nonnull (strstr (result.err, "is now stored"));
}

/* ---- one revoke killed at each step ------------------------------------ */

typedef struct
{
  const char *point;
  gboolean    server_revoked;  /* the server no longer lists it afterwards */
  gboolean    key_left;        /* the key folder is still there after the kill */
  const char *told;            /* what the next run says, or NULL */
} RevokeCase;

static const RevokeCase revoke_cases[] = {
  { "revoke:revoking-saved", FALSE, TRUE,  "still valid" },
  { "revoke:sent",           TRUE,  TRUE,  "was confirmed by the server" },
  { "revoke:confirmed",      TRUE,  TRUE,  "was confirmed by the server" },
  { "revoke:removing",       TRUE,  TRUE,  "was confirmed by the server" },
  { "revoke:local-removed",  TRUE,  FALSE, NULL },
};

/* After the next run: @k's enrolled certificate is revoked on the server
 * and its key gone, or both are kept; nothing else left the server. */
static void
check_revoke_outcome (KillCase *k,
                      gboolean  server_revoked)
{
  const char *fingerprint = k->enrolled;
  g_autoptr(GPtrArray) after = rel_server_certs (k->server, k->user);
  g_autoptr(GPtrArray) records = local_records (&k->device, k->jid);
  TesseraKeyRecord *record = local_by_fingerprint (records, fingerprint);

  /* Only the fingerprint asked for ever leaves the server's list. */
  for (guint i = 0; i < k->before->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (k->before, i);

      if (!g_str_equal (cert->fingerprint, fingerprint))
        g_assert_nonnull (rel_server_certs_find (after, cert->fingerprint));
    }

  if (server_revoked)
    {
      g_assert_null (rel_server_certs_find (after, fingerprint));
      g_assert_null (record);
    }
  else
    {
      g_assert_nonnull (rel_server_certs_find (after, fingerprint));
      g_assert_nonnull (record);
      if (record != NULL)
        g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_CERTIFIED);
    }
}

static void
test_revoke_killed (gconstpointer data)
{
  const RevokeCase *c = data;
  g_auto(KillCase) k = { 0 };
  g_auto(RelResult) result = { 0 };
  g_autoptr(GPtrArray) crashed = NULL;
  g_autoptr(GPtrArray) records = NULL;
  TesseraKeyRecord *record;

  if (!kill_case_init (&k, 2, "revoke", "Revoked"))
    return;

  run_crashing (k.server, k.jid, k.password, &k.device, c->point, &result, "revoke", "--force", k.enrolled, NULL);
  RETURN_IF_FAILED ();

  crashed = rel_server_certs (k.server, k.user);
  g_assert_true ((rel_server_certs_find (crashed, k.enrolled) == NULL) == c->server_revoked);
  records = local_records (&k.device, k.jid);
  record = local_by_fingerprint (records, k.enrolled);
  g_assert_true ((record != NULL) == c->key_left);
  if (record != NULL)
    g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_REVOKING);
  RETURN_IF_FAILED ();

  run_next (&k, k.password, "list", &result);
  if (c->told != NULL)
    g_assert_nonnull (strstr (result.err, c->told));
  check_revoke_outcome (&k, c->server_revoked);
}

/* A reconciliation killed half way is finished by the one after it. */
static void
test_reconcile_killed (gconstpointer data)
{
  const char *point = data;
  gboolean deleting = g_str_equal (point, "reconcile:before-delete");
  g_auto(KillCase) k = { 0 };
  g_auto(RelResult) result = { 0 };
  g_autoptr(GPtrArray) records = NULL;
  TesseraKeyRecord *record;

  if (!kill_case_init (&k, 2, "reconcile", "Reconciled"))
    return;

  run_crashing (k.server, k.jid, k.password, &k.device, deleting ? "revoke:sent" : "revoke:revoking-saved",
                &result, "revoke", "--force", k.enrolled, NULL);
  rel_result_clear (&result);
  run_crashing (k.server, k.jid, k.password, &k.device, point, &result, "list", NULL);
  RETURN_IF_FAILED ();

  records = local_records (&k.device, k.jid);
  record = local_by_fingerprint (records, k.enrolled);
  g_assert_nonnull (record);
  if (record != NULL)
    g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_REVOKING);

  run_next (&k, k.password, "list", &result);
  check_revoke_outcome (&k, deleting);
}

/* The run after a crash may be another enroll or a revoke: it reconciles
 * first, so the interrupted certificate is neither lost nor orphaned. */
static void
test_next_run (gconstpointer data)
{
  const char *next = data;
  g_auto(KillCase) k = { 0 };
  g_auto(RelResult) result = { 0 };
  g_autoptr(GPtrArray) crashed = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) records = NULL;
  const char *issued = NULL;
  RelRun run = { 0 };

  kill_case_init (&k, 2, "next", NULL);
  run.password = k.password;
  run_crashing (k.server, k.jid, k.password, &k.device, "enroll:csr-sent", &result, "enroll", "First", NULL);
  crashed = rel_server_certs (k.server, k.user);
  g_assert_cmpuint (crashed->len, ==, k.before->len + 1);
  RETURN_IF_FAILED ();
  for (guint i = 0; i < crashed->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (crashed, i);

      if (rel_server_certs_find (k.before, cert->fingerprint) == NULL)
        issued = cert->fingerprint;
    }
  g_assert_nonnull (issued);
  RETURN_IF_FAILED ();

  rel_result_clear (&result);
  if (g_str_equal (next, "enroll"))
    rel_run_cli (k.server, k.jid, &k.device, &run, &result, "enroll", "Second", NULL);
  else
    rel_run_cli (k.server, k.jid, &k.device, &run, &result, "revoke", "--force", issued, NULL);
  /* The reconciliation stores the interrupted certificate first: it is this
   * device's, so a second enroll is refused (one certificate per device). */
  if (g_str_equal (next, "enroll"))
    {
      g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_USAGE);
      g_assert_cmpstr (rel_result_error_code (&result), ==, "device-enrolled");
    }
  else
    g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);

  after = rel_server_certs (k.server, k.user);
  records = local_records (&k.device, k.jid);
  if (g_str_equal (next, "enroll"))
    {
      g_assert_cmpuint (after->len, ==, k.before->len + 1);
      g_assert_cmpuint (records->len, ==, 1);
      g_assert_nonnull (local_by_fingerprint (records, issued));
    }
  else
    {
      g_assert_cmpuint (after->len, ==, k.before->len);
      g_assert_null (rel_server_certs_find (after, issued));
      g_assert_cmpuint (records->len, ==, 0);
    }
}

/* XEP-0257 appends are not idempotent: the reconciliation must find the
 * certificate in the list instead of appending a second one. */
static void
test_xep0257 (void)
{
  static const char *options[] = { "--xep0257", NULL };
  g_autoptr(GError) error = NULL;
  TesseraTestServer *server = tessera_test_server_start (options, &error);
  const char *jid, *password;
  g_auto(TesseraTestDevice) device = { 0 };
  g_auto(TesseraTestDevice) other = { 0 };
  g_auto(RelResult) result = { 0 };
  g_autoptr(GPtrArray) records = NULL;
  RelRun run = { 0 };
  JsonArray *listed;

  g_assert_no_error (error);
  if (server == NULL)
    return;
  jid = tessera_test_server_get_jid (server);
  password = tessera_test_server_get_password (server);
  run.password = password;
  new_device (&device, "xep0257");
  new_device (&other, "xep0257-other");

  run_crashing (server, jid, password, &device, "enroll:csr-sent", &result, "enroll", "Appended", NULL);
  rel_result_clear (&result);
  rel_run_cli (server, jid, &device, &run, &result, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_nonnull (strstr (result.err, "is now stored"));
  rel_result_clear (&result);

  /* Another device sees one certificate, the one this device now holds. */
  rel_run_cli (server, jid, &other, &run, &result, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  records = local_records (&device, jid);
  g_assert_cmpuint (records->len, ==, 1);
  if (result.json != NULL && records->len == 1)
    {
      TesseraCertificate *cert = tessera_key_record_get_certificate (g_ptr_array_index (records, 0));

      listed = json_object_get_array_member (json_node_get_object (result.json), "certificates");
      g_assert_cmpuint (json_array_get_length (listed), ==, 1);
      g_assert_nonnull (cert);
      if (cert != NULL && json_array_get_length (listed) == 1)
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (listed, 0), "fingerprint"),
                         ==, tessera_certificate_get_fingerprint (cert));
    }

  tessera_test_server_stop (server);
}

/* ---- one enroll --other-device killed at each step ---------------------- */

/* The promises: a certificate the server issued for another device ends
 * in its file, with its own key, and in no key folder here (0 lost, 0
 * orphan); a request that never left leaves nothing at all; never two
 * certificates for one run (0 wrong). */
typedef struct
{
  const char *point;
  gboolean    sent;     /* the request may have left: the server holds one certificate more */
  gboolean    pkcs12;   /* PKCS #12 with a passphrase (the keyring keeps it for the next run), else plain PEM */
} OtherDeviceCase;

static const OtherDeviceCase other_device_cases[] = {
  { "key-store:after-key-file",     FALSE, FALSE },
  { "enroll:key-saved",             FALSE, FALSE },
  { "other-device:key-saved",       FALSE, FALSE },
  { "enroll:request-saved",         FALSE, FALSE },
  { "enroll:request-sent",          TRUE,  FALSE },
  { "enroll:csr-sent",              TRUE,  FALSE },
  { "enroll:result-received",       TRUE,  FALSE },
  { "key-store:after-certificate",  TRUE,  FALSE },
  { "enroll:certificate-stored",    TRUE,  FALSE },
  { "enroll:certificate-stored",    TRUE,  TRUE },
  { "other-device:file-written",    TRUE,  FALSE },
  { "other-device:file-written",    TRUE,  TRUE },
  { "other-device:export-written",  TRUE,  FALSE },
};

#define OTHER_DEVICE_PASSPHRASE "crash test export passphrase"

/* The certificate and the key of another device's file, as PEM. */
static gboolean
read_other_device_file (const char  *path,
                        gboolean     pkcs12,
                        char       **cert_pem,
                        char       **key_pem)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, NULL))
    return FALSE;
  if (pkcs12)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GTlsCertificate) tls = g_tls_certificate_new_from_pkcs12 ((const guint8 *) data, length,
                                                                          OTHER_DEVICE_PASSPHRASE, &error);

      g_assert_no_error (error);
      if (tls == NULL)
        return FALSE;
      g_object_get (tls, "certificate-pem", cert_pem, "private-key-pem", key_pem, NULL);
      return *cert_pem != NULL && *key_pem != NULL;
    }
  if (strstr (data, "-----BEGIN PRIVATE KEY-----") == NULL)
    return FALSE;
  *cert_pem = g_strdup (data);
  *key_pem = g_strdup (strstr (data, "-----BEGIN PRIVATE KEY-----"));
  return TRUE;
}

/* The file holds @cert (by fingerprint) and the key of it. */
static void
check_other_device_file (const char    *path,
                         gboolean       pkcs12,
                         RelServerCert *cert)
{
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autoptr(GBytes) cert_bytes = NULL;
  g_autoptr(GBytes) key_bytes = NULL;
  g_autoptr(TesseraCertificate) found = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key_id = NULL;

  if (!read_other_device_file (path, pkcs12, &cert_pem, &key_pem))
    {
      BROKEN ("lost key: %s was issued, but %s does not hold it with its key", cert->fingerprint, path);
      return;
    }
  cert_bytes = g_bytes_new (cert_pem, strlen (cert_pem));
  found = tessera_certificate_new_from_pem (cert_bytes, &error);
  g_assert_no_error (error);
  key_bytes = g_bytes_new (key_pem, strlen (key_pem));
  key = tessera_key_new_from_pem (key_bytes, NULL, &error);
  g_assert_no_error (error);
  if (found == NULL || key == NULL)
    return;
  key_id = tessera_key_store_id_for_key (key);
  if (!g_str_equal (tessera_certificate_get_fingerprint (found), cert->fingerprint))
    BROKEN ("wrong certificate: %s holds %s, the server issued %s", path,
            tessera_certificate_get_fingerprint (found), cert->fingerprint);
  if (g_strcmp0 (key_id, cert->key_id) != 0)
    BROKEN ("wrong key: %s holds key %s, the certificate is for key %s", path, key_id, cert->key_id);
}

/* What the server holds now and did not hold before. */
static GPtrArray *
server_new_certs (GPtrArray *before,
                  GPtrArray *now)
{
  GPtrArray *added = g_ptr_array_new ();

  for (guint i = 0; i < now->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (now, i);

      if (rel_server_certs_find (before, cert->fingerprint) == NULL)
        g_ptr_array_add (added, cert);
    }
  return added;
}

/* No certificate of the list is this device's (the device has none). */
static void
check_none_is_this_device (RelResult *result)
{
  JsonObject *object = result->json != NULL ? json_node_get_object (result->json) : NULL;
  JsonArray *listed = object != NULL ? json_object_get_array_member (object, "certificates") : NULL;

  g_assert_nonnull (listed);
  for (guint i = 0; listed != NULL && i < json_array_get_length (listed); i++)
    g_assert_false (json_object_get_boolean_member (json_array_get_object_element (listed, i), "this_device"));
}

static void
run_other_device_crashing (KillCase              *k,
                           const OtherDeviceCase *c,
                           const char            *out,
                           RelResult             *result)
{
  g_autofree char *pass_file = g_build_filename (k->device.root, "export-passphrase", NULL);
  g_autoptr(GError) error = NULL;

  if (!c->pkcs12)
    {
      run_crashing (k->server, k->jid, k->password, &k->device, c->point, result, "enroll", "Phone",
                    "--other-device", "--format", "pem", "--no-encrypt", "--output", out, NULL);
      return;
    }
  g_file_set_contents_full (pass_file, OTHER_DEVICE_PASSPHRASE "\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  run_crashing (k->server, k->jid, k->password, &k->device, c->point, result, "enroll", "Phone", "--other-device",
                "--export-passphrase-file", pass_file, "--output", out, NULL);
}

static void
test_other_device_killed (gconstpointer data)
{
  const OtherDeviceCase *c = data;
  g_auto(KillCase) k = { 0 };
  g_auto(RelResult) result = { 0 };
  g_autoptr(GPtrArray) crashed = NULL;
  g_autoptr(GPtrArray) crashed_new = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) after_new = NULL;
  g_autoptr(GPtrArray) final = NULL;
  g_autofree char *out = NULL;

  kill_case_init (&k, 2, "other-device", NULL);
  out = g_build_filename (k.device.root, c->pkcs12 ? "phone.p12" : "phone.pem", NULL);
  run_other_device_crashing (&k, c, out, &result);
  RETURN_IF_FAILED ();

  /* Killed: whatever the server issued still has its key here. */
  crashed = rel_server_certs (k.server, k.user);
  crashed_new = server_new_certs (k.before, crashed);
  records = local_records (&k.device, k.jid);
  for (guint i = 0; i < crashed_new->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (crashed_new, i);

      if (local_by_id (records, cert->key_id) == NULL && !g_file_test (out, G_FILE_TEST_EXISTS))
        BROKEN ("lost key: the server lists %s, whose key is neither here nor in %s", cert->fingerprint, out);
    }

  /* The next run finishes it or cleans up. */
  run_next (&k, k.password, "list", &result);
  RETURN_IF_FAILED ();
  check_none_is_this_device (&result);

  after = rel_server_certs (k.server, k.user);
  after_new = server_new_certs (k.before, after);
  final = local_records (&k.device, k.jid);
  if (final->len > 0)
    BROKEN ("orphan key: %u key folders left here for another device after the next run", final->len);
  g_assert_cmpuint (after_new->len, ==, c->sent ? 1 : 0);
  RETURN_IF_FAILED ();
  if (!c->sent)
    {
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      return;
    }
  check_other_device_file (out, c->pkcs12, g_ptr_array_index (after_new, 0));
  if (!g_str_equal (c->point, "other-device:export-written"))
    g_assert_nonnull (strstr (result.err, "is written to"));
}

/* ---- one renewal killed at each step ----------------------------------- */

typedef struct
{
  const char *point;
  gboolean    issued;      /* the new certificate survives (its request had left) */
  gboolean    password;    /* with the password at hand, else a certificate-only device */
  const char *path;        /* test path */
} RenewCase;

/* The renewal's own points, and the enroll and revoke points it passes
 * (it sends its request and its revocation with the same code). */
static const struct
{
  const char *point;
  gboolean    issued;
} renew_points[] = {
  { "renew:marked",                FALSE },
  { "key-store:after-key-file",    FALSE },
  { "renew:key-saved",             FALSE },
  { "renew:request-saved",         FALSE },
  { "enroll:request-sent",         TRUE },
  { "enroll:csr-sent",             TRUE },
  { "enroll:result-received",      TRUE },
  { "key-store:after-certificate", TRUE },
  { "enroll:certificate-stored",   TRUE },
  { "renew:certified",             TRUE },
  { "renew:logged-in",             TRUE },
  { "renew:revoking-saved",        TRUE },
  { "revoke:sent",                 TRUE },
  { "renew:revoked",               TRUE },
};

static RenewCase renew_cases[G_N_ELEMENTS (renew_points) * 2];

/* The certificates of @records' keys that @server lists. */
static guint
count_listed_own (GPtrArray  *server,
                  const char *first,
                  const char *second)
{
  guint n = 0;

  for (guint i = 0; i < server->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (server, i);

      if (g_strcmp0 (cert->fingerprint, first) == 0 || g_strcmp0 (cert->fingerprint, second) == 0)
        n++;
    }
  return n;
}

/* The certificate the server issued during the killed run, or NULL. */
static const char *
find_issued (GPtrArray *before,
             GPtrArray *after)
{
  for (guint i = 0; i < after->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (after, i);

      if (rel_server_certs_find (before, cert->fingerprint) == NULL)
        return cert->fingerprint;
    }
  return NULL;
}

/* After the run that recovers: exactly one of the two certificates is
 * listed, held here as this device's (the only key left) and logs in; the
 * other was never issued or is revoked; nothing else left the server. */
static void
check_renew_outcome (KillCase        *k,
                     const RenewCase *c)
{
  const char *old_fp = k->enrolled;
  GPtrArray *before = k->before;
  g_autoptr(GPtrArray) after = rel_server_certs (k->server, k->user);
  g_autoptr(GPtrArray) records = local_records (&k->device, k->jid);
  g_autoptr(TesseraKeyStore) store = rel_device_store (&k->device, k->jid);
  g_autoptr(TesseraKeyRecord) device_record = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(RelResult) login = { 0 };
  const char *new_fp = find_issued (before, after);
  const char *survivor = c->issued ? new_fp : old_fp;
  TesseraKeyRecord *record;

  /* Nothing but the old certificate ever leaves the server. */
  for (guint i = 0; i < before->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (before, i);

      if (!g_str_equal (cert->fingerprint, old_fp) && rel_server_certs_find (after, cert->fingerprint) == NULL)
        BROKEN ("wrong revocation: %s left the server", cert->fingerprint);
    }
  if (c->issued && new_fp == NULL)
    BROKEN ("the new certificate, whose request had left, is not on the server");
  if (!c->issued && new_fp != NULL)
    BROKEN ("a certificate %s was issued for a request that never left", new_fp);
  g_assert_cmpuint (count_listed_own (after, old_fp, new_fp), ==, 1);
  g_assert_nonnull (rel_server_certs_find (after, survivor));
  RETURN_IF_FAILED ();

  /* Exactly one key here, certified, holding the survivor: no key lost,
   * no orphan, no mark left. */
  g_assert_cmpuint (records->len, ==, 1);
  record = local_by_fingerprint (records, survivor);
  if (record == NULL)
    BROKEN ("lost key: the server lists %s, whose key is not on this device", survivor);
  RETURN_IF_FAILED ();
  g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_CERTIFIED);
  g_assert_null (tessera_key_record_get_renewed_by (record));
  g_assert_cmpstr (tessera_key_record_get_name (record), ==, "Renewed");
  device_record = tessera_key_store_get_device_record (store, &error);
  g_assert_no_error (error);
  if (device_record != NULL)
    g_assert_cmpstr (tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (device_record)),
                     ==, survivor);

  rel_run_cli (k->server, k->jid, &k->device, &(RelRun) { 0 }, &login, "login", NULL);
  g_assert_cmpint (login.status, ==, TESSERA_TEST_EXIT_OK);
}

static void
test_renew_killed (gconstpointer data)
{
  const RenewCase *c = data;
  g_auto(KillCase) k = { 0 };
  g_auto(RelResult) result = { 0 };
  g_autoptr(GPtrArray) crashed = NULL;
  /* A certificate-only device renews and recovers without the password. */
  const char *renew_password;

  if (!kill_case_init (&k, 3, "renew", "Renewed"))
    return;
  renew_password = c->password ? k.password : NULL;

  run_crashing (k.server, k.jid, renew_password, &k.device, c->point, &result, "renew", NULL);
  RETURN_IF_FAILED ();
  /* Killed before the old certificate's revocation was answered, it is
   * still listed. */
  crashed = rel_server_certs (k.server, k.user);
  g_assert_true ((rel_server_certs_find (crashed, k.enrolled) == NULL) ==
                 (g_str_equal (c->point, "revoke:sent") || g_str_equal (c->point, "renew:revoked")));
  g_assert_cmpuint (crashed->len, ==, k.before->len + (c->issued && !g_str_equal (c->point, "enroll:request-sent") ? 1 : 0) -
                                      (g_str_equal (c->point, "revoke:sent") || g_str_equal (c->point, "renew:revoked") ? 1 : 0));

  /* The next run of another command finishes or undoes it: list with the
   * password, login on a certificate-only device. */
  run_next (&k, renew_password, c->password ? "list" : "login", &result);
  if (result.status != TESSERA_TEST_EXIT_OK)
    g_test_message ("recovering run: %s", result.err);
  g_assert_nonnull (strstr (result.err, "renewal"));
  RETURN_IF_FAILED ();

  check_renew_outcome (&k, c);
}

/* An enroll --other-device killed once the server had issued the
 * certificate (its key here, the request in flight), then a renew that is
 * not killed, with the password or on a certificate-only device: the renew
 * reconciles first, so the other device's certificate ends in its file with
 * its key and in no key folder here, and the renewal replaces this device's
 * certificate and nothing else. (random-kills, seed 777, iteration 359.) */
static void
test_renew_after_other_device (gconstpointer data)
{
  gboolean with_password = GPOINTER_TO_INT (data);
  g_auto(KillCase) k = { 0 };
  g_auto(RelResult) result = { 0 };
  g_autoptr(GPtrArray) crashed = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) added = NULL;
  g_autofree char *out = NULL;
  g_autofree char *phone_fp = NULL;
  g_autofree char *phone_key = NULL;
  TesseraKeyRecord *record;
  RelServerCert *phone;

  if (!kill_case_init (&k, 3, "renew-other", "Renewed"))
    return;
  out = g_build_filename (k.device.root, "phone.pem", NULL);
  run_crashing (k.server, k.jid, k.password, &k.device, "enroll:result-received", &result, "enroll", "Phone",
                "--other-device", "--format", "pem", "--no-encrypt", "--output", out, NULL);
  RETURN_IF_FAILED ();

  /* Issued, its key here waiting for it, no file yet. */
  crashed = rel_server_certs (k.server, k.user);
  g_assert_cmpuint (crashed->len, ==, k.before->len + 1);
  RETURN_IF_FAILED ();
  phone_fp = g_strdup (find_issued (k.before, crashed));
  g_assert_nonnull (phone_fp);
  RETURN_IF_FAILED ();
  phone_key = g_strdup (rel_server_certs_find (crashed, phone_fp)->key_id);
  records = local_records (&k.device, k.jid);
  record = local_by_id (records, phone_key);
  g_assert_nonnull (record);
  RETURN_IF_FAILED ();
  g_assert_true (tessera_key_record_is_other_device (record));
  g_assert_null (tessera_key_record_get_certificate (record));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  rel_result_clear (&result);
  rel_run_cli (k.server, k.jid, &k.device, &(RelRun) { .password = with_password ? k.password : NULL }, &result,
               "renew", NULL);
  if (result.status != TESSERA_TEST_EXIT_OK)
    g_test_message ("renew: %s", result.err);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  RETURN_IF_FAILED ();

  /* The other device's certificate: listed, in its file, not here. */
  after = rel_server_certs (k.server, k.user);
  phone = rel_server_certs_find (after, phone_fp);
  g_assert_nonnull (phone);
  RETURN_IF_FAILED ();
  g_clear_pointer (&records, g_ptr_array_unref);
  records = local_records (&k.device, k.jid);
  if (local_by_id (records, phone_key) != NULL)
    BROKEN ("orphan certificate %s: key %s is still here without it after the renew", phone_fp, phone_key);
  else
    check_other_device_file (out, FALSE, phone);
  g_assert_nonnull (strstr (result.err, "is written to"));

  /* The renewal: the old certificate revoked, a new one held here as this
   * device's only key, nothing else gone from the server. */
  g_assert_null (rel_server_certs_find (after, k.enrolled));
  for (guint i = 0; i < k.before->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (k.before, i);

      if (!g_str_equal (cert->fingerprint, k.enrolled) && rel_server_certs_find (after, cert->fingerprint) == NULL)
        BROKEN ("wrong revocation: %s left the server", cert->fingerprint);
    }
  added = server_new_certs (k.before, after);
  g_assert_cmpuint (added->len, ==, 2);
  g_assert_cmpuint (records->len, ==, 1);
  RETURN_IF_FAILED ();
  record = g_ptr_array_index (records, 0);
  g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_CERTIFIED);
  g_assert_cmpstr (tessera_key_record_get_name (record), ==, "Renewed");
  g_assert_false (tessera_key_record_is_other_device (record));
  g_assert_nonnull (tessera_key_record_get_certificate (record));
  RETURN_IF_FAILED ();
  g_assert_nonnull (rel_server_certs_find (after, tessera_certificate_get_fingerprint (
                                             tessera_key_record_get_certificate (record))));
}

/* ---- random kills ------------------------------------------------------- */

typedef enum {
  OP_ENROLL,
  OP_REVOKE,
  OP_LIST,
  OP_LOGIN,
  OP_OTHER_ENROLL,
  OP_RENEW,
} Op;

static const char * const op_names[] = { "enroll", "revoke", "list", "login", "other-enroll", "renew" };

typedef struct
{
  TesseraTestServer *server;
  const char        *jid;
  const char        *password;
  TesseraTestDevice  device;     /* killed again and again */
  TesseraTestDevice  other;      /* another device of the account, never killed */
  GRand             *rand;
  guint              kills;
  guint              completed;
  guint              lost_checks;
  GHashTable        *kills_at;   /* point -> count */
  char              *files;      /* the files of enroll --other-device runs */
  GHashTable        *file_keys;  /* path -> key id of the key in it */
  guint              other_serial;
} Chaos;

/* Whether a file written by enroll --other-device holds the key @key_id
 * (a plain PEM: the certificate, then the key). */
static gboolean
file_holds_key (Chaos      *chaos,
                const char *key_id)
{
  g_autoptr(GPtrArray) files = rel_list_files (chaos->files, FALSE);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      const char *known = g_hash_table_lookup (chaos->file_keys, path);

      if (known == NULL)
        {
          g_autofree char *cert_pem = NULL;
          g_autofree char *key_pem = NULL;
          g_autoptr(GBytes) bytes = NULL;
          g_autoptr(TesseraKey) key = NULL;

          if (!read_other_device_file (path, FALSE, &cert_pem, &key_pem))
            continue;
          bytes = g_bytes_new (key_pem, strlen (key_pem));
          key = tessera_key_new_from_pem (bytes, NULL, NULL);
          if (key == NULL)
            continue;
          known = tessera_key_store_id_for_key (key);
          g_hash_table_insert (chaos->file_keys, g_strdup (path), (gpointer) known);
        }
      if (g_str_equal (known, key_id))
        return TRUE;
    }
  return FALSE;
}

/* Made by the other device, or for another device (its key is in a file). */
static gboolean
is_other_devices (Chaos         *chaos,
                  RelServerCert *cert)
{
  g_autoptr(GPtrArray) records = local_records (&chaos->other, chaos->jid);

  return local_by_id (records, cert->key_id) != NULL || file_holds_key (chaos, cert->key_id);
}

/* A file for another device made on @device, never killed. */
static void
enroll_other_device (Chaos             *chaos,
                     TesseraTestDevice *device,
                     const char        *name,
                     const RelRun      *run,
                     RelResult         *result)
{
  g_autofree char *file_name = g_strdup_printf ("device-%u.pem", ++chaos->other_serial);
  g_autofree char *out = g_build_filename (chaos->files, file_name, NULL);

  rel_run_cli (chaos->server, chaos->jid, device, run, result, "enroll", name, "--other-device", "--format",
               "pem", "--no-encrypt", "--output", out, NULL);
}

/* Every certificate on the server whose key this device made still has its
 * key here; with @settled (a run that reconciled and finished), it is also
 * stored here, and nothing is left half revoked. */
static void
check_invariants (Chaos      *chaos,
                  GPtrArray  *server,
                  GPtrArray  *records,
                  gboolean    settled,
                  guint       iteration)
{
  for (guint i = 0; i < server->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (server, i);
      TesseraKeyRecord *record = local_by_id (records, cert->key_id);

      if (is_other_devices (chaos, cert))
        continue;
      chaos->lost_checks++;
      if (record == NULL)
        BROKEN ("iteration %u: lost key: the server lists %s, whose key %s is not on this device",
                            iteration, cert->fingerprint, cert->key_id);
      else if (settled && local_by_fingerprint (records, cert->fingerprint) == NULL)
        BROKEN ("iteration %u: orphan certificate %s: key %s does not hold it after a reconciling run",
                            iteration, cert->fingerprint, cert->key_id);
    }

  for (guint i = 0; settled && i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);
      TesseraCertificate *cert = tessera_key_record_get_certificate (record);

      if (tessera_key_record_get_state (record) == TESSERA_KEY_STATE_REVOKING)
        BROKEN ("iteration %u: key %s is still revoking after a reconciling run",
                            iteration, tessera_key_record_get_id (record));
      if (cert != NULL && tessera_key_record_get_state (record) != TESSERA_KEY_STATE_CERTIFIED)
        BROKEN ("iteration %u: key %s holds a certificate but is %s", iteration,
                            tessera_key_record_get_id (record),
                            tessera_key_state_to_string (tessera_key_record_get_state (record)));
      if (cert != NULL && rel_server_certs_find (server, tessera_certificate_get_fingerprint (cert)) == NULL)
        BROKEN ("iteration %u: key %s holds %s, which the server does not list", iteration,
                            tessera_key_record_get_id (record), tessera_certificate_get_fingerprint (cert));
    }
}

/* The key whose meta.ini says a renewal made @key_id (renewed-by). */
static TesseraKeyRecord *
renewal_old_key (GPtrArray  *records,
                 const char *key_id)
{
  for (guint i = 0; i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);

      if (g_strcmp0 (tessera_key_record_get_renewed_by (record), key_id) == 0)
        return record;
    }
  return NULL;
}

static gboolean
renewal_new_key (GPtrArray  *records,
                 const char *key_id)
{
  return renewal_old_key (records, key_id) != NULL;
}

/* A renewal, this run's or an interrupted one that this run finished,
 * revokes the old certificate: its key was marked (renewed-by) and the
 * new key got its certificate. */
static gboolean
renewal_ends_with (GPtrArray     *records_before,
                   GPtrArray     *records_after,
                   GPtrArray     *server_before,
                   const char    *target,
                   RelServerCert *cert)
{
  TesseraKeyRecord *old = local_by_fingerprint (records_before, cert->fingerprint);
  const char *new_id = old != NULL ? tessera_key_record_get_renewed_by (old) : NULL;
  TesseraKeyRecord *after = new_id != NULL ? local_by_id (records_after, new_id) : NULL;
  TesseraKeyRecord *before = new_id != NULL ? local_by_id (records_before, new_id) : NULL;
  RelServerCert *targeted = target != NULL ? rel_server_certs_find (server_before, target) : NULL;

  /* Certified before this run, or by it; or the run's target was the new
   * key's certificate, which the server had issued: the run finished the
   * renewal, then revoked the new one as asked (its key is gone too). */
  return (after != NULL && tessera_key_record_get_certificate (after) != NULL) ||
         (before != NULL && tessera_key_record_get_certificate (before) != NULL) ||
         (new_id != NULL && targeted != NULL && g_strcmp0 (targeted->key_id, new_id) == 0);
}

/* A renew run revokes this device's certificate: one whose key was here
 * (not another device's); which one is the run's choice after it
 * reconciled (an interrupted renewal may have made a newer one). */
static gboolean
renewable_here (GPtrArray     *records_before,
                RelServerCert *cert)
{
  TesseraKeyRecord *record = local_by_id (records_before, cert->key_id);

  return record != NULL && !tessera_key_record_is_other_device (record);
}

/* Only @target may leave the server; a key goes only with its certificate,
 * or, made for another device, into its file (or, never sent, for good). */
static void
check_removals (Chaos      *chaos,
                GPtrArray  *server_before,
                GPtrArray  *server_after,
                GPtrArray  *records_before,
                GPtrArray  *records_after,
                const char *target,
                gboolean    renewing,
                guint       iteration)
{
  for (guint i = 0; i < server_before->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (server_before, i);

      if (rel_server_certs_find (server_after, cert->fingerprint) == NULL &&
          g_strcmp0 (cert->fingerprint, target) != 0 &&
          !renewal_ends_with (records_before, records_after, server_before, target, cert) &&
          !(renewing && renewable_here (records_before, cert)))
        BROKEN ("iteration %u: wrong revocation: %s left the server, %s was asked for",
                            iteration, cert->fingerprint, target ? target : "nothing");
    }

  for (guint i = 0; i < records_before->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records_before, i);
      TesseraCertificate *cert = tessera_key_record_get_certificate (record);

      const char *id = tessera_key_record_get_id (record);
      gboolean revoked = FALSE;

      if (local_by_id (records_after, id) != NULL)
        continue;
      if (tessera_key_record_is_other_device (record) && file_holds_key (chaos, id))
        continue;

      /* Gone with a certificate of its key that the server no longer
       * lists: the one it held, or one the run stored and then revoked. */
      if (cert != NULL)
        revoked = rel_server_certs_find (server_after, tessera_certificate_get_fingerprint (cert)) == NULL;
      for (guint j = 0; !revoked && j < server_before->len; j++)
        {
          RelServerCert *listed = g_ptr_array_index (server_before, j);

          revoked = g_str_equal (listed->key_id, id) &&
                    rel_server_certs_find (server_after, listed->fingerprint) == NULL;
        }
      if (!revoked && cert == NULL && tessera_key_record_is_other_device (record))
        {
          for (guint j = 0; j < server_after->len; j++)
            {
              RelServerCert *listed = g_ptr_array_index (server_after, j);

              if (g_str_equal (listed->key_id, id))
                BROKEN ("iteration %u: key %s for another device was erased, the server lists %s for it "
                        "and no file holds it", iteration, id, listed->fingerprint);
            }
        }
      else if (!revoked && cert == NULL && renewal_new_key (records_before, id))
        {
          /* An interrupted renewal undone: its new key goes, unless the
           * server lists a certificate for it. */
          for (guint j = 0; j < server_after->len; j++)
            {
              RelServerCert *listed = g_ptr_array_index (server_after, j);

              if (g_str_equal (listed->key_id, id))
                BROKEN ("iteration %u: key %s of a renewal was erased, the server lists %s for it", iteration,
                        id, listed->fingerprint);
            }
        }
      else if (!revoked && cert == NULL)
        BROKEN ("iteration %u: key %s, waiting for its certificate, was deleted", iteration, id);
      else if (!revoked)
        BROKEN ("iteration %u: key %s was deleted while the server still lists %s", iteration, id,
                tessera_certificate_get_fingerprint (cert));
    }
}

/* Renewing needs a certificate of this device's (@certified). */
static Op
choose_op (Chaos     *chaos,
           GPtrArray *server,
           gboolean   certified)
{
  gint32 dice = g_rand_int_range (chaos->rand, 0, 100);

  if (server->len >= 14)
    return OP_REVOKE;
  if (server->len == 0 || dice < 38)
    return dice % 7 == 0 ? OP_OTHER_ENROLL : OP_ENROLL;
  if (dice < 72)
    return OP_REVOKE;
  if (dice < 84 && certified)
    return OP_RENEW;
  if (dice < 92)
    return OP_LIST;
  return OP_LOGIN;
}

/* Mostly a point on the operation's own path, sometimes any point (those
 * of a reconciliation are reached in any operation that has something to
 * finish), and one run in twenty is not killed at all. */
static const char *
choose_point (Chaos *chaos,
              Op     op)
{
  gint32 dice = g_rand_int_range (chaos->rand, 0, 100);
  guint first = 0, count = G_N_ELEMENTS (crash_points);

  if (dice < 6)
    return NULL;
  if (dice < 85 && op == OP_ENROLL)
    {
      /* the enroll points, or those of enroll --other-device (the last ones) */
      guint i = (guint) g_rand_int_range (chaos->rand, 0, N_ENROLL_POINTS + N_OTHER_DEVICE_POINTS);

      return crash_points[i < N_ENROLL_POINTS ? i : G_N_ELEMENTS (crash_points) - (i - N_ENROLL_POINTS) - 1];
    }
  else if (dice < 85 && op == OP_REVOKE)
    {
      first = N_ENROLL_POINTS;
      count = N_REVOKE_POINTS;
    }
  else if (dice < 85 && op == OP_RENEW)
    return renew_points[g_rand_int_range (chaos->rand, 0, G_N_ELEMENTS (renew_points))].point;

  return crash_points[first + (guint) g_rand_int_range (chaos->rand, 0, (gint32) count)];
}

/* Mostly one of this device's certificates (the revoke path has most of
 * the crash points), else another device's. */
static const char *
choose_target (Chaos     *chaos,
               GPtrArray *server,
               GPtrArray *records)
{
  g_autoptr(GPtrArray) own = g_ptr_array_new ();

  for (guint i = 0; i < server->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (server, i);

      if (local_by_id (records, cert->key_id) != NULL)
        g_ptr_array_add (own, cert);
    }
  if (own->len == 0 || g_rand_int_range (chaos->rand, 0, 100) < 20)
    own->len = 0;
  if (own->len > 0)
    return ((RelServerCert *) g_ptr_array_index (own, g_rand_int_range (chaos->rand, 0, own->len)))->fingerprint;

  return ((RelServerCert *) g_ptr_array_index (server, g_rand_int_range (chaos->rand, 0, server->len)))->fingerprint;
}

/* Whether @fingerprint is the old certificate of an interrupted renewal. */
static gboolean
target_renewed (GPtrArray  *records,
                const char *fingerprint)
{
  TesseraKeyRecord *record = fingerprint != NULL ? local_by_fingerprint (records, fingerprint) : NULL;

  return record != NULL && tessera_key_record_get_renewed_by (record) != NULL;
}

static gboolean
has_certified (GPtrArray *records)
{
  for (guint i = 0; i < records->len; i++)
    {
      if (tessera_key_record_get_state (g_ptr_array_index (records, i)) == TESSERA_KEY_STATE_CERTIFIED &&
          !tessera_key_record_is_other_device (g_ptr_array_index (records, i)))
        return TRUE;
    }
  return FALSE;
}

static void
chaos_step (Chaos *chaos,
            guint  iteration)
{
  g_autoptr(GPtrArray) server_before = rel_server_certs (chaos->server, "user1");
  g_autoptr(GPtrArray) records_before = local_records (&chaos->device, chaos->jid);
  g_autoptr(GPtrArray) server_after = NULL;
  g_autoptr(GPtrArray) records_after = NULL;
  g_auto(RelResult) result = { 0 };
  g_autofree char *name = g_strdup_printf ("Device %u", iteration);
  const char *target = NULL;
  const char *point = NULL;
  RelRun run = { .password = chaos->password };
  g_autoptr(GPtrArray) records_reconciled = NULL;
  Op op = choose_op (chaos, server_before, has_certified (records_before));
  gboolean killed;

  point = choose_point (chaos, op);
  run.crash_at = point;

  switch (op)
    {
    case OP_ENROLL:
      /* One certificate per device: with one, it enrolls another device
       * (the run may be refused when its reconciliation stores one). */
      if (has_certified (records_before))
        enroll_other_device (chaos, &chaos->device, name, &run, &result);
      else
        rel_run_cli (chaos->server, chaos->jid, &chaos->device, &run, &result, "enroll", name, NULL);
      break;
    case OP_REVOKE:
      target = choose_target (chaos, server_before, records_before);
      rel_run_cli (chaos->server, chaos->jid, &chaos->device, &run, &result, "revoke", "--force", target, NULL);
      break;
    case OP_LIST:
      rel_run_cli (chaos->server, chaos->jid, &chaos->device, &run, &result, "list", NULL);
      break;
    case OP_LOGIN:
      run.password = NULL;
      rel_run_cli (chaos->server, chaos->jid, &chaos->device, &run, &result, "login", NULL);
      break;
    case OP_RENEW:
      /* Half of them on a certificate-only device (no password at all). */
      if (g_rand_boolean (chaos->rand))
        run.password = NULL;
      rel_run_cli (chaos->server, chaos->jid, &chaos->device, &run, &result, "renew", NULL);
      break;
    case OP_OTHER_ENROLL:
    default:
      /* One certificate per device: the other device makes files for
       * more devices still. */
      enroll_other_device (chaos, &chaos->other, name, &(RelRun) { .password = chaos->password }, &result);
      g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
      return;
    }

  killed = result.term_signal == SIGKILL;
  g_assert_true (killed || result.term_signal == 0);
  if (killed)
    {
      chaos->kills++;
      g_hash_table_replace (chaos->kills_at, (gpointer) point,
                            GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (chaos->kills_at, point)) + 1));
    }
  else
    {
      chaos->completed++;
      if (op == OP_LOGIN && has_certified (records_before))
        g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
      else if (op == OP_LOGIN && result.status == TESSERA_TEST_EXIT_OK)
        {
          /* The run's reconciliation stored a certificate an interrupted
           * enrollment or renewal had asked for. */
          records_reconciled = local_records (&chaos->device, chaos->jid);
          g_assert_true (has_certified (records_reconciled));
        }
      else if (op == OP_LOGIN)
        g_assert_cmpstr (rel_result_error_code (&result), ==, "no-certificate");
      else if (op == OP_ENROLL && result.status == TESSERA_TEST_EXIT_USAGE)
        g_assert_cmpstr (rel_result_error_code (&result), ==, "device-enrolled");
      else if (op == OP_REVOKE && result.status != TESSERA_TEST_EXIT_OK && target_renewed (records_before, target))
        /* The old certificate of an interrupted renewal: the run's
         * reconciliation finished that renewal and revoked it first. */
        g_assert_nonnull (strstr (result.err, "does not list"));
      else
        g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
      if (result.status != TESSERA_TEST_EXIT_OK)
        g_test_message ("iteration %u: %s failed: %s", iteration, op_names[op], result.err);
    }

  server_after = rel_server_certs (chaos->server, "user1");
  records_after = local_records (&chaos->device, chaos->jid);
  check_removals (chaos, server_before, server_after, records_before, records_after, target, op == OP_RENEW,
                  iteration);
  check_invariants (chaos, server_after, records_after, !killed && op != OP_LOGIN, iteration);
}

static void
test_random_kills (void)
{
  const char *seed_text = g_getenv ("TESSERA_RELIABILITY_SEED");
  const char *kills_text = g_getenv ("TESSERA_RELIABILITY_KILLS");
  const char *iterations_text = g_getenv ("TESSERA_RELIABILITY_ITERATIONS");
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : g_random_int ();
  /* Until 200 runs were actually killed (about 60 % of the random points
   * are reached); TESSERA_RELIABILITY_KILLS=N changes that number, and
   * TESSERA_RELIABILITY_ITERATIONS=N runs N random points instead. */
  guint kills = kills_text != NULL ? (guint) g_ascii_strtoull (kills_text, NULL, 10) : 200;
  guint wanted = iterations_text != NULL ? (guint) g_ascii_strtoull (iterations_text, NULL, 10) : 0;
  guint iterations = 0;
  Chaos chaos = { 0, };
  g_auto(RelResult) result = { 0 };
  g_autoptr(GPtrArray) server = NULL;
  g_autoptr(GPtrArray) records = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gint64 start = g_get_monotonic_time ();

  g_test_message ("random kills: seed %u (TESSERA_RELIABILITY_SEED=%u repeats this run), %u %s",
                  seed, seed, kills > 0 ? kills : wanted, kills > 0 ? "kills" : "random kill points");
  g_printerr ("# random kills: seed %u\n", seed);
  chaos.server = get_server ();
  chaos.jid = tessera_test_server_get_jid (chaos.server);
  chaos.password = tessera_test_server_get_password (chaos.server);
  chaos.rand = g_rand_new_with_seed (seed);
  chaos.kills_at = g_hash_table_new (g_str_hash, g_str_equal);
  new_device (&chaos.device, "chaos");
  new_device (&chaos.other, "chaos-other");
  chaos.files = g_build_filename (chaos.device.root, "other-devices", NULL);
  g_mkdir_with_parents (chaos.files, 0700);
  chaos.file_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* A run may finish before its point; with @kills, go on until that many
   * were killed. */
  if (wanted > 0)
    kills = 0;
  for (guint i = 1; (kills > 0 ? chaos.kills < kills && i <= kills * 3 : i <= wanted) && !g_test_failed (); i++)
    {
      chaos_step (&chaos, i);
      iterations = i;
    }

  /* A last run that is not killed settles everything. */
  rel_run_cli (chaos.server, chaos.jid, &chaos.device, &(RelRun) { .password = chaos.password }, &result,
               "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  server = rel_server_certs (chaos.server, "user1");
  records = local_records (&chaos.device, chaos.jid);
  check_invariants (&chaos, server, records, TRUE, iterations + 1);

  g_test_message ("random kills: seed %u: %u iterations, %u runs killed, %u completed, %u key checks, %.1f s",
                  seed, iterations, chaos.kills, chaos.completed, chaos.lost_checks,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_hash_table_iter_init (&iter, chaos.kills_at);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_test_message ("  killed at %-28s %u times", (const char *) key, GPOINTER_TO_UINT (value));
  if (g_test_failed ())
    g_printerr ("# random kills FAILED with seed %u\n", seed);
  if (kills > 0)
    g_assert_cmpuint (chaos.kills, >=, kills);
  else
    g_assert_cmpuint (chaos.kills, >=, iterations / 3);

  g_hash_table_unref (chaos.kills_at);
  g_hash_table_unref (chaos.file_keys);
  g_free (chaos.files);
  g_rand_free (chaos.rand);
  tessera_test_device_clear (&chaos.device);
  tessera_test_device_clear (&chaos.other);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  tmpdir = tessera_test_tmpdir_new ("tessera-crash-XXXXXX");

  for (guint i = 0; i < G_N_ELEMENTS (enroll_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tessera/reliability/enroll-killed/%s", enroll_cases[i].point);

      g_test_add_data_func (path, &enroll_cases[i], test_enroll_killed);
    }
  for (guint i = 0; i < G_N_ELEMENTS (revoke_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tessera/reliability/revoke-killed/%s", revoke_cases[i].point);

      g_test_add_data_func (path, &revoke_cases[i], test_revoke_killed);
    }
  for (guint i = 0; i < G_N_ELEMENTS (other_device_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tessera/reliability/other-device-killed/%s/%s",
                                               other_device_cases[i].pkcs12 ? "pkcs12" : "pem",
                                               other_device_cases[i].point);

      g_test_add_data_func (path, &other_device_cases[i], test_other_device_killed);
    }
  for (guint i = 0; i < G_N_ELEMENTS (renew_points); i++)
    {
      for (guint with_password = 0; with_password < 2; with_password++)
        {
          RenewCase *c = &renew_cases[i * 2 + with_password];

          c->point = renew_points[i].point;
          c->issued = renew_points[i].issued;
          c->password = with_password;
          c->path = g_strdup_printf ("/tessera/reliability/renew-killed/%s/%s",
                                     with_password ? "password" : "certificate-only", c->point);
          g_test_add_data_func (c->path, c, test_renew_killed);
        }
    }
  g_test_add_data_func ("/tessera/reliability/reconcile-killed/before-restore", "reconcile:before-restore",
                        test_reconcile_killed);
  g_test_add_data_func ("/tessera/reliability/reconcile-killed/before-delete", "reconcile:before-delete",
                        test_reconcile_killed);
  g_test_add_data_func ("/tessera/reliability/next-run/enroll", "enroll", test_next_run);
  g_test_add_data_func ("/tessera/reliability/next-run/revoke", "revoke", test_next_run);
  g_test_add_data_func ("/tessera/reliability/next-run/renew-after-other-device/password", GINT_TO_POINTER (TRUE),
                        test_renew_after_other_device);
  g_test_add_data_func ("/tessera/reliability/next-run/renew-after-other-device/certificate-only",
                        GINT_TO_POINTER (FALSE), test_renew_after_other_device);
  g_test_add_func ("/tessera/reliability/xep0257-append-not-repeated", test_xep0257);
  g_test_add_func ("/tessera/reliability/random-kills", test_random_kills);

  status = g_test_run ();

  g_clear_pointer (&ccm2_server, tessera_test_server_stop);
  tessera_test_tmpdir_free (g_steal_pointer (&tmpdir));
  return status;
}
