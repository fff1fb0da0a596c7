/* test-session.c: the session API against a real local Prosody
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tessera-core.h"
#include "tessera-log.h"
#include "tessera-test-fixtures.h"
#include "tessera-test-server.h"

/* Each case starts its own server through the fixture and stops it in
 * teardown. Assertions are non-fatal so that teardown runs after a
 * failure; a case returns as soon as going on makes no sense. */
#define RETURN_IF_FAILED() G_STMT_START { if (g_test_failed ()) return; } G_STMT_END

static const char *full_server[] = { NULL };
static const char *add_list_server[] = { "--features", "add,list", NULL };
static const char *xep0257_server[] = { "--xep0257", NULL };

typedef struct
{
  TesseraTestServer *server;
  TesseraAccount    *account;
  TesseraKeyStore   *store;
  TesseraSession    *session;
  GAsyncResult      *result;
  char              *tmpdir;
  gboolean           login_closed;
  GError            *login_closed_error;
} Fixture;

/* ---- captured libstrophe log (redaction, "no password sent") ---------- */

static GMutex log_mutex;
static GPtrArray *strophe_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if (g_strcmp0 (domain, TESSERA_LOG_DOMAIN_STROPHE) == 0)
    {
      g_mutex_lock (&log_mutex);
      g_ptr_array_add (strophe_log, g_strdup (message));
      g_mutex_unlock (&log_mutex);
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
log_clear (void)
{
  g_mutex_lock (&log_mutex);
  g_ptr_array_set_size (strophe_log, 0);
  g_mutex_unlock (&log_mutex);
}

static guint
log_count (const char *needle)
{
  guint n = 0;

  g_mutex_lock (&log_mutex);
  for (guint i = 0; i < strophe_log->len; i++)
    {
      if (strstr (g_ptr_array_index (strophe_log, i), needle) != NULL)
        n++;
    }
  g_mutex_unlock (&log_mutex);

  return n;
}

/* ---- fixture ----------------------------------------------------------- */

static void
login_closed_cb (TesseraSession *session,
                 const GError   *error,
                 gpointer        user_data)
{
  Fixture *f = user_data;

  f->login_closed = TRUE;
  g_clear_error (&f->login_closed_error);
  f->login_closed_error = error != NULL ? g_error_copy (error) : NULL;
}

static TesseraSession *
make_session (Fixture    *f,
              const char *ca_file,
              const char *password)
{
  TesseraSession *session;

  g_clear_object (&f->account);
  f->account = tessera_account_new (tessera_test_server_get_jid (f->server), "127.0.0.1",
                                    tessera_test_server_get_port (f->server),
                                    TESSERA_TLS_STARTTLS, ca_file, NULL);
  session = tessera_session_new (f->account, f->store);
  tessera_session_set_password (session, password);
  g_signal_connect (session, "login-closed", G_CALLBACK (login_closed_cb), f);

  return session;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char * const *options = data;
  g_autoptr(GError) error = NULL;

  f->tmpdir = tessera_test_tmpdir_new ("tessera-session-XXXXXX");

  log_clear ();
  if (options == NULL)
    return;

  f->server = tessera_test_server_start (options, &error);
  g_assert_no_error (error);
  if (f->server == NULL)
    return;

  f->store = tessera_key_store_new (tessera_test_server_get_jid (f->server), NULL);
  f->session = make_session (f, tessera_test_server_get_ca_file (f->server),
                             tessera_test_server_get_password (f->server));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->session != NULL)
    {
      tessera_session_close (f->session);
      g_signal_handlers_disconnect_by_data (f->session, f);
    }
  g_clear_object (&f->session);
  g_clear_object (&f->store);
  g_clear_object (&f->account);
  g_clear_pointer (&f->server, tessera_test_server_stop);
  g_clear_object (&f->result);
  g_clear_error (&f->login_closed_error);
  g_clear_pointer (&f->tmpdir, tessera_test_tmpdir_free);
}

/* ---- async helpers ----------------------------------------------------- */

#define WAIT_SECONDS 120

/* The user data of tessera_test_async_result_cb for the next call, with
 * the last result dropped. */
static GAsyncResult **
next_result (Fixture *f)
{
  g_clear_object (&f->result);
  return &f->result;
}

static GAsyncResult *
wait_result (Fixture *f)
{
  return tessera_test_wait_async (&f->result, WAIT_SECONDS);
}

static TesseraFeatures
do_discover (Fixture         *f,
          TesseraSession  *session,
          GError         **error)
{
  tessera_session_discover_async (session, NULL, tessera_test_async_result_cb, next_result (f));
  return tessera_session_discover_finish (session, wait_result (f), error);
}

static GListModel *
do_list (Fixture  *f,
      GError  **error)
{
  tessera_session_list_async (f->session, NULL, tessera_test_async_result_cb, next_result (f));
  return tessera_session_list_finish (f->session, wait_result (f), error);
}

static TesseraKeyRecord *
do_enroll (Fixture     *f,
        const char  *name,
        GError     **error)
{
  tessera_session_enroll_async (f->session, name, TESSERA_KEY_TYPE_ECDSA_P256, NULL, NULL,
                                tessera_test_async_result_cb, next_result (f));
  return tessera_session_enroll_finish (f->session, wait_result (f), error);
}

/* A certificate for another device, written to @path as unencrypted PEM
 * and erased here (one certificate per device: a second one for this
 * device would be refused). */
static TesseraKeyRecord *
do_enroll_other (Fixture     *f,
                 const char  *name,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(TesseraEnrollment) enrollment = tessera_session_new_enrollment (f->session, name,
                                                                            TESSERA_KEY_TYPE_ECDSA_P256);

  tessera_enrollment_set_other_device (enrollment, path, TESSERA_EXPORT_FORMAT_PEM, NULL, FALSE);
  tessera_enrollment_run_async (enrollment, NULL, tessera_test_async_result_cb, next_result (f));
  return tessera_enrollment_run_finish (enrollment, wait_result (f), error);
}

static gboolean
do_revoke (Fixture     *f,
        const char  *fingerprint,
        GError     **error)
{
  tessera_session_revoke_async (f->session, fingerprint, NULL, tessera_test_async_result_cb, next_result (f));
  return tessera_session_revoke_finish (f->session, wait_result (f), error);
}

static char *
do_login (Fixture            *f,
       TesseraLoginFlags   flags,
       const char         *cert_path,
       const char         *key_path,
       const char         *passphrase,
       GError            **error)
{
  tessera_session_login_full_async (f->session, flags, cert_path, key_path, passphrase,
                                    NULL, tessera_test_async_result_cb, next_result (f));
  return tessera_session_login_finish (f->session, wait_result (f), error);
}

static TesseraCertEntry *
find_entry (GListModel *model,
            const char *fingerprint)
{
  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (model, i);

      if (g_str_equal (tessera_cert_entry_get_fingerprint (entry), fingerprint))
        return g_steal_pointer (&entry);
    }

  return NULL;
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until @flag is set or @seconds pass. */
static void
iterate_until (gboolean *flag,
               guint     seconds)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (seconds, timeout_cb, &expired);

  while (!*flag && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
}

/* ---- discovery --------------------------------------------------------- */

static void
test_discover_full (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  TesseraFeatures features;
  guint connections, round_trips;

  RETURN_IF_FAILED ();
  features = do_discover (f, f->session, &error);
  g_assert_no_error (error);
  g_assert_cmpint (features & TESSERA_FEATURES_CCM2, ==, TESSERA_FEATURES_CCM2);
  g_assert_cmpint (tessera_session_get_features (f->session), ==, features);

  /* A second operation reuses the management connection. */
  features = do_discover (f, f->session, &error);
  g_assert_no_error (error);
  g_assert_cmpint (features & TESSERA_FEATURES_CCM2, ==, TESSERA_FEATURES_CCM2);
  tessera_session_get_stats (f->session, &connections, &round_trips);
  g_assert_cmpuint (connections, ==, 1);
  g_assert_cmpuint (round_trips, >=, 2);
}

typedef struct
{
  Fixture *f;
  guint    pending;
  guint    failed;
} Concurrent;

static void
concurrent_list_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Concurrent *c = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) entries = tessera_session_list_finish (TESSERA_SESSION (source), result, &error);

  g_assert_no_error (error);
  if (entries == NULL)
    c->failed++;
  c->pending--;
}

static void
concurrent_discover_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Concurrent *c = user_data;
  g_autoptr(GError) error = NULL;
  TesseraFeatures features = tessera_session_discover_finish (TESSERA_SESSION (source), result, &error);

  g_assert_no_error (error);
  if (features == TESSERA_FEATURE_NONE)
    c->failed++;
  c->pending--;
}

/* Operations started together share one management connection. */
static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  Concurrent c = { f, 0, 0 };
  guint connections;

  RETURN_IF_FAILED ();
  for (guint i = 0; i < 3; i++)
    {
      c.pending += 2;
      tessera_session_list_async (f->session, NULL, concurrent_list_cb, &c);
      tessera_session_discover_async (f->session, NULL, concurrent_discover_cb, &c);
    }
  while (c.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (c.failed, ==, 0);

  tessera_session_get_stats (f->session, &connections, NULL);
  g_assert_cmpuint (connections, ==, 1);
}

static void
test_discover_add_list (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) local = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(TesseraCertEntry) entry = NULL;
  const char *fingerprint;
  TesseraFeatures features;

  RETURN_IF_FAILED ();
  features = do_discover (f, f->session, &error);
  g_assert_no_error (error);
  g_assert_cmpint (features, ==, TESSERA_FEATURE_ADD | TESSERA_FEATURE_LIST);

  /* Revoke is not offered: refused before anything is sent, key kept. */
  record = do_enroll (f, "No revoke here", &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record));
  g_assert_false (do_revoke (f, fingerprint, &error));
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  entries = do_list (f, &error);
  g_assert_no_error (error);
  entry = find_entry (entries, fingerprint);
  g_assert_nonnull (entry);
  local = tessera_key_store_find_by_fingerprint (f->store, fingerprint);
  g_assert_nonnull (local);
  if (local != NULL)
    g_assert_cmpint (tessera_key_record_get_state (local), ==, TESSERA_KEY_STATE_CERTIFIED);
}

/* ---- the whole life of a certificate ----------------------------------- */

static gboolean
journal_has_steps (TesseraKeyStore     *store,
                   const char          *id,
                   const char * const  *steps)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = tessera_key_store_read_journal (store, id, &error);
  guint next = 0;

  g_assert_no_error (error);
  for (guint i = 0; lines != NULL && lines[i] != NULL && steps[next] != NULL; i++)
    {
      if (g_str_has_suffix (lines[i], steps[next]))
        next++;
    }

  return steps[next] == NULL;
}

static char *
copy_file (const char *from,
           const char *dir,
           const char *name)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  char *to = g_build_filename (dir, name, NULL);
  gsize length;

  g_file_get_contents (from, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (to, contents, length, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);

  return to;
}

static void
test_lifecycle (Fixture       *f,
                gconstpointer  data)
{
  static const char * const enroll_steps[] = {
    "key-saved", "request-sent", "result-received", "certificate-stored", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) gone = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(TesseraCertEntry) entry = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *spelled = NULL;
  g_autofree char *full_jid = NULL;
  g_autofree char *passphrase = NULL;
  g_autofree char *saved_cert = NULL;
  g_autofree char *saved_key = NULL;
  g_autofree char *jid = NULL;
  const char *resource;
  gint64 started;
  guint scram_before, plain_before;

  RETURN_IF_FAILED ();

  /* enroll */
  started = g_get_monotonic_time ();
  record = do_enroll (f, "Integration laptop", &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  g_test_message ("one enroll (ECDSA P-256, ccm2) took %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - started) / 1000);
  g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_CERTIFIED);
  g_assert_cmpstr (tessera_key_record_get_protocol (record), ==, "ccm2");
  g_assert_nonnull (tessera_key_record_get_certificate (record));
  g_assert_true (journal_has_steps (f->store, tessera_key_record_get_id (record), enroll_steps));
  fingerprint = g_strdup (tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record)));

  /* listed, never used */
  entries = do_list (f, &error);
  g_assert_no_error (error);
  entry = find_entry (entries, fingerprint);
  g_assert_nonnull (entry);
  RETURN_IF_FAILED ();
  g_assert_cmpstr (tessera_cert_entry_get_name (entry), ==, "Integration laptop");
  g_assert_cmpint (tessera_cert_entry_get_last_used_state (entry), ==, TESSERA_LAST_USED_NEVER);
  g_clear_object (&entry);
  g_clear_object (&entries);

  /* Keep what a stolen copy would have, to try it after the revocation. */
  passphrase = tessera_key_store_dup_key_passphrase (f->store, tessera_key_record_get_id (record), NULL, &error);
  g_assert_no_error (error);
  saved_cert = copy_file (tessera_key_record_get_certificate_path (record), f->tmpdir, "cert.pem");
  saved_key = copy_file (tessera_key_record_get_key_path (record), f->tmpdir, "key.pem");
  RETURN_IF_FAILED ();

  /* log in by certificate and stay connected */
  scram_before = log_count ("mechanism=\"SCRAM");
  plain_before = log_count ("mechanism=\"PLAIN");
  full_jid = do_login (f, TESSERA_LOGIN_FLAGS_STAY_CONNECTED, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  jid = g_strconcat (tessera_test_server_get_jid (f->server), "/", NULL);
  g_assert_true (g_str_has_prefix (full_jid, jid));
  resource = full_jid + strlen (jid);
  g_assert_true (tessera_session_is_logged_in (f->session));
  g_assert_cmpuint (log_count ("mechanism=\"EXTERNAL\""), >=, 1);
  g_assert_cmpuint (log_count ("mechanism=\"SCRAM"), ==, scram_before);
  g_assert_cmpuint (log_count ("mechanism=\"PLAIN"), ==, plain_before);

  /* used now, by that resource */
  entries = do_list (f, &error);
  g_assert_no_error (error);
  entry = find_entry (entries, fingerprint);
  g_assert_nonnull (entry);
  RETURN_IF_FAILED ();
  g_assert_cmpint (tessera_cert_entry_get_last_used_state (entry), ==, TESSERA_LAST_USED_AT);
  g_assert_nonnull (tessera_cert_entry_get_last_used (entry));
  g_assert_true (g_strv_contains (tessera_cert_entry_get_users (entry), resource));
  g_clear_object (&entry);
  g_clear_object (&entries);

  /* revoke (spelled the way a user might paste it) */
  spelled = tessera_fingerprint_format (fingerprint, TESSERA_FINGERPRINT_UPPER | TESSERA_FINGERPRINT_COLONS);
  g_assert_true (do_revoke (f, spelled, &error));
  g_assert_no_error (error);

  /* the held session is reset by the server */
  iterate_until (&f->login_closed, 10);
  g_assert_true (f->login_closed);
  g_assert_error (f->login_closed_error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_STREAM_ERROR);
  g_assert_false (tessera_session_is_logged_in (f->session));

  /* gone from the server and from here */
  entries = do_list (f, &error);
  g_assert_no_error (error);
  g_assert_null (find_entry (entries, fingerprint));
  gone = tessera_key_store_lookup (f->store, tessera_key_record_get_id (record), &error);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
  g_assert_null (gone);
  g_clear_error (&error);
  g_assert_null (tessera_key_store_find_by_fingerprint (f->store, fingerprint));

  /* the revoked certificate no longer logs in */
  g_clear_pointer (&full_jid, g_free);
  full_jid = do_login (f, TESSERA_LOGIN_FLAGS_NONE, saved_cert, saved_key, passphrase, &error);
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED);
  g_assert_null (full_jid);
  g_clear_error (&error);

  /* no secret reached the log */
  g_assert_cmpuint (log_count (tessera_test_server_get_password (f->server)), ==, 0);
  g_assert_cmpuint (log_count (passphrase), ==, 0);
}

static void
test_revoke_unknown (Fixture       *f,
                     gconstpointer  data)
{
  static const char *unknown = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) still = NULL;
  g_autoptr(GListModel) before = NULL;
  g_autoptr(GListModel) after = NULL;
  g_autoptr(TesseraCertEntry) entry = NULL;
  const char *fingerprint;

  RETURN_IF_FAILED ();
  record = do_enroll (f, "Keep me", &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record));
  before = do_list (f, &error);
  g_assert_no_error (error);

  log_clear ();
  g_assert_false (do_revoke (f, unknown, &error));
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* only the list went out */
  g_assert_cmpuint (log_count ("revoke-certificate"), ==, 0);

  after = do_list (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (after), ==, g_list_model_get_n_items (before));
  entry = find_entry (after, fingerprint);
  g_assert_nonnull (entry);
  still = tessera_key_store_lookup (f->store, tessera_key_record_get_id (record), &error);
  g_assert_no_error (error);
  g_assert_nonnull (still);
  if (still != NULL)
    g_assert_cmpint (tessera_key_record_get_state (still), ==, TESSERA_KEY_STATE_CERTIFIED);
}

/* A key saved with its request but never sent (a crash, a timeout): upload
 * sends that same request and stores the certificate. */
static void
test_upload_pending (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) csr_key = NULL;
  g_autoptr(TesseraKeyRecord) saved = NULL;
  g_autoptr(TesseraKeyRecord) pending = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(TesseraCertEntry) entry = NULL;
  TesseraCertificate *cert;

  RETURN_IF_FAILED ();
  key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_assert_no_error (error);
  saved = tessera_key_store_save_key (f->store, key, "Pending", "ccm2", NULL, &error);
  g_assert_no_error (error);
  csr = tessera_key_create_csr (key, tessera_test_server_get_jid (f->server), &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  pending = tessera_key_store_save_request (f->store, tessera_key_record_get_id (saved), csr, &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  g_assert_cmpint (tessera_key_record_get_state (pending), ==, TESSERA_KEY_STATE_REQUEST_PENDING);

  tessera_session_upload_async (f->session, tessera_key_record_get_id (pending), NULL,
                                tessera_test_async_result_cb, next_result (f));
  record = tessera_session_upload_finish (f->session, wait_result (f), &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_CERTIFIED);
  cert = tessera_key_record_get_certificate (record);
  g_assert_true (tessera_certificate_matches_key (cert, key));
  /* the same request as before */
  g_assert_true (g_bytes_equal (tessera_key_record_get_request_der (record), csr));
  csr_key = tessera_csr_dup_public_key_der (csr, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (csr_key, tessera_certificate_get_public_key_der (cert)));

  entries = do_list (f, &error);
  g_assert_no_error (error);
  entry = find_entry (entries, tessera_certificate_get_fingerprint (cert));
  g_assert_nonnull (entry);

  /* nothing left to send */
  g_clear_object (&record);
  tessera_session_upload_async (f->session, tessera_key_record_get_id (pending), NULL,
                                tessera_test_async_result_cb, next_result (f));
  record = tessera_session_upload_finish (f->session, wait_result (f), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_null (record);
}

/* ---- failures ---------------------------------------------------------- */

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraSession) session = NULL;

  RETURN_IF_FAILED ();
  session = make_session (f, tessera_test_server_get_ca_file (f->server), "not the password");
  do_discover (f, session, &error);
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED);
}

static void
test_untrusted_server (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraSession) session = NULL;

  RETURN_IF_FAILED ();
  /* No CA file: the test CA is not in the system store. */
  log_clear ();
  session = make_session (f, NULL, tessera_test_server_get_password (f->server));
  do_discover (f, session, &error);
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_CERTIFICATE);
  /* TLS failed before SASL: no <auth/> went out, no password either */
  g_assert_cmpuint (log_count ("<auth"), ==, 0);
  g_assert_cmpuint (log_count ("SENT: <response"), ==, 0);
}

/* A deliberately silent server: accepts TCP connections and never says a
 * word, to hit the deadline (also in the blocking TLS handshake). */
typedef struct
{
  GSocketService *service;
  GPtrArray      *connections;
  guint16         port;
} SilentServer;

static gboolean
silent_incoming_cb (GSocketService    *service,
                    GSocketConnection *connection,
                    GObject           *source,
                    gpointer           user_data)
{
  SilentServer *silent = user_data;

  g_ptr_array_add (silent->connections, g_object_ref (connection));
  return TRUE;
}

static void
silent_server_start (SilentServer *silent)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  silent->connections = g_ptr_array_new_with_free_func (g_object_unref);
  silent->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (silent->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  silent->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (silent->service, "incoming", G_CALLBACK (silent_incoming_cb), silent);
  g_socket_service_start (silent->service);
}

static void
silent_server_stop (SilentServer *silent)
{
  g_socket_service_stop (silent->service);
  g_socket_listener_close (G_SOCKET_LISTENER (silent->service));
  g_clear_object (&silent->service);
  g_clear_pointer (&silent->connections, g_ptr_array_unref);
}

static TesseraSession *
silent_session (SilentServer   *silent,
                TesseraTlsMode  mode)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  TesseraSession *session;

  account = tessera_account_new ("nobody@silent.test", "127.0.0.1", silent->port, mode, NULL, NULL);
  store = tessera_key_store_new ("nobody@silent.test", NULL);
  session = tessera_session_new (account, store);
  tessera_session_set_password (session, "never sent");

  return session;
}

static void
test_deadline (Fixture       *f,
               gconstpointer  data)
{
  const TesseraTlsMode modes[] = { TESSERA_TLS_STARTTLS, TESSERA_TLS_DIRECT };
  SilentServer silent = { NULL, };

  silent_server_start (&silent);
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(TesseraSession) session = silent_session (&silent, modes[i]);
      g_autoptr(GListModel) entries = NULL;
      g_autoptr(GError) error = NULL;
      gint64 started = g_get_monotonic_time ();
      gint64 elapsed;

      tessera_session_set_timeout (session, 2);
      tessera_session_list_async (session, NULL, tessera_test_async_result_cb, next_result (f));
      entries = tessera_session_list_finish (session, wait_result (f), &error);
      elapsed = g_get_monotonic_time () - started;

      g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT);
      g_assert_null (entries);
      g_assert_cmpint (elapsed, >=, 2 * G_USEC_PER_SEC - 100000);
      g_assert_cmpint (elapsed, <=, 3 * G_USEC_PER_SEC);
      g_test_message ("deadline (%s): reported after %" G_GINT64_FORMAT " ms",
                      i == 0 ? "STARTTLS" : "direct TLS", elapsed / 1000);
    }
  silent_server_stop (&silent);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  SilentServer silent = { NULL, };
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  silent_server_start (&silent);
  session = silent_session (&silent, TESSERA_TLS_STARTTLS);
  tessera_session_set_timeout (session, 30);

  started = g_get_monotonic_time ();
  g_timeout_add (300, cancel_cb, cancellable);
  tessera_session_list_async (session, cancellable, tessera_test_async_result_cb, next_result (f));
  entries = tessera_session_list_finish (session, wait_result (f), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (entries);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC + 300000);
  silent_server_stop (&silent);
}

static void
test_cancel_enroll (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  guint connections;

  RETURN_IF_FAILED ();
  /* Cancelled before it starts: nothing generated, nothing stored. */
  g_cancellable_cancel (cancellable);
  tessera_session_enroll_async (f->session, "Cancelled", TESSERA_KEY_TYPE_ECDSA_P256, NULL,
                                cancellable, tessera_test_async_result_cb, next_result (f));
  record = tessera_session_enroll_finish (f->session, wait_result (f), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (record);
  g_clear_error (&error);

  records = tessera_key_store_list (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records != NULL ? records->len : 0, ==, 0);
  tessera_session_get_stats (f->session, &connections, NULL);
  g_assert_cmpuint (connections, ==, 0);
}

/* ---- server restart ---------------------------------------------------- */

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(TesseraCertEntry) entry = NULL;
  g_autofree char *full_jid = NULL;
  const char *fingerprint;

  RETURN_IF_FAILED ();
  record = do_enroll (f, "Survives a restart", &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record));

  tessera_test_server_restart (f->server, &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();

  /* same session: its connection died with the server and is replaced */
  entries = do_list (f, &error);
  g_assert_no_error (error);
  entry = find_entry (entries, fingerprint);
  g_assert_nonnull (entry);
  if (entry != NULL)
    g_assert_cmpstr (tessera_cert_entry_get_name (entry), ==, "Survives a restart");

  full_jid = do_login (f, TESSERA_LOGIN_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (full_jid);
}

/* ---- XEP-0257 ---------------------------------------------------------- */

static void
test_xep0257 (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) second = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(TesseraCertEntry) entry = NULL;
  g_autoptr(TesseraCertEntry) second_entry = NULL;
  g_autofree char *full_jid = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *other_path = NULL;
  TesseraFeatures features;

  RETURN_IF_FAILED ();
  features = do_discover (f, f->session, &error);
  g_assert_no_error (error);
  g_assert_cmpint (features, ==, TESSERA_FEATURE_XEP0257);

  record = do_enroll (f, "Phone", &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  g_assert_cmpstr (tessera_key_record_get_protocol (record), ==, "xep0257");
  fingerprint = g_strdup (tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record)));
  g_assert_true (tessera_certificate_is_self_signed (tessera_key_record_get_certificate (record)));

  /* A second one for this device is refused: one per device */
  second = do_enroll (f, "Phone", &error);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_DEVICE_ENROLLED);
  g_assert_null (second);
  g_clear_error (&error);

  /* XEP-0257 names are keys: another device's "Phone" gets a unique name,
   * and its key leaves with its file */
  other_path = g_build_filename (f->tmpdir, "other-phone.pem", NULL);
  second = do_enroll_other (f, "Phone", other_path, &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  g_assert_true (g_file_test (other_path, G_FILE_TEST_IS_REGULAR));
  g_assert_null (tessera_key_store_lookup (f->store, tessera_key_record_get_id (second), NULL));

  entries = do_list (f, &error);
  g_assert_no_error (error);
  entry = find_entry (entries, fingerprint);
  g_assert_nonnull (entry);
  second_entry = find_entry (entries, tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (second)));
  g_assert_nonnull (second_entry);
  RETURN_IF_FAILED ();
  g_assert_cmpstr (tessera_cert_entry_get_name (entry), ==, "Phone");
  g_assert_cmpstr (tessera_cert_entry_get_name (second_entry), ==, "Phone (2)");
  g_assert_cmpint (tessera_cert_entry_get_last_used_state (entry), ==, TESSERA_LAST_USED_UNKNOWN);
  g_clear_object (&entries);

  /* log in with the newest (this device) */
  full_jid = do_login (f, TESSERA_LOGIN_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (full_jid);

  g_assert_true (do_revoke (f, fingerprint, &error));
  g_assert_no_error (error);
  entries = do_list (f, &error);
  g_assert_no_error (error);
  g_assert_null (find_entry (entries, fingerprint));
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 1);
  g_assert_null (tessera_key_store_find_by_fingerprint (f->store, fingerprint));
}

/* ---- redaction (no server) --------------------------------------------- */

static void
test_redaction (void)
{
  static const char * const secrets[] = { "hunter2", NULL };
  struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "SENT: <auth mechanism=\"PLAIN\" xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">AGFsaWNlAGh1bnRlcjI=</auth>",
      "SENT: <auth mechanism=\"PLAIN\" xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">[redacted]</auth>" },
    { "RECV: <challenge xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">cj1hYmM=</challenge>",
      "RECV: <challenge xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">[redacted]</challenge>" },
    { "SENT: <response xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">Yz1iaXdz</response>",
      "SENT: <response xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">[redacted]</response>" },
    { "RECV: <success xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">dj1x</success>",
      "RECV: <success xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">[redacted]</success>" },
    { "SENT: <auth mechanism=\"EXTERNAL\" xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">=</auth>",
      "SENT: <auth mechanism=\"EXTERNAL\" xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">[redacted]</auth>" },
    { "SENT: <iq type=\"set\"><query xmlns=\"jabber:iq:auth\"><password>pw</password></query></iq>",
      "SENT: <iq type=\"set\"><query xmlns=\"jabber:iq:auth\"><password>[redacted]</password></query></iq>" },
    { "SENT: <auth mechanism=\"PLAIN\">AGFsaWNl", "SENT: <auth mechanism=\"PLAIN\">[redacted]" },
    { "password=letmein user=alice", "password=[redacted] user=alice" },
    { "Passphrase: 'a b c'", "Passphrase: [redacted]" },
    { "the secret is hunter2!", "the secret is [redacted]!" },
    { "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----",
      "[redacted private key]" },
    { "RECV: <iq type=\"result\" id=\"1\"/>", "RECV: <iq type=\"result\" id=\"1\"/>" },
    { "RECV: <success xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"/>",
      "RECV: <success xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"/>" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = tessera_log_redact (cases[i].in, secrets);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  /* libsecret's file backend stands in for the Secret Service */
  tessera_test_file_keyring_setup ("tessera-session");
  /* libstrophe's log is bridged only when asked for; capture it. */
  g_setenv ("G_MESSAGES_DEBUG", TESSERA_LOG_DOMAIN_STROPHE, TRUE);
  strophe_log = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/tessera/session/redaction", test_redaction);
  g_test_add ("/tessera/session/discover/full", Fixture, full_server,
              fixture_setup, test_discover_full, fixture_teardown);
  g_test_add ("/tessera/session/discover/add-list", Fixture, add_list_server,
              fixture_setup, test_discover_add_list, fixture_teardown);
  g_test_add ("/tessera/session/concurrent", Fixture, full_server,
              fixture_setup, test_concurrent, fixture_teardown);
  g_test_add ("/tessera/session/lifecycle", Fixture, full_server,
              fixture_setup, test_lifecycle, fixture_teardown);
  g_test_add ("/tessera/session/upload-pending", Fixture, full_server,
              fixture_setup, test_upload_pending, fixture_teardown);
  g_test_add ("/tessera/session/revoke-unknown", Fixture, full_server,
              fixture_setup, test_revoke_unknown, fixture_teardown);
  g_test_add ("/tessera/session/wrong-password", Fixture, full_server,
              fixture_setup, test_wrong_password, fixture_teardown);
  g_test_add ("/tessera/session/untrusted-server", Fixture, full_server,
              fixture_setup, test_untrusted_server, fixture_teardown);
  g_test_add ("/tessera/session/deadline", Fixture, NULL,
              fixture_setup, test_deadline, fixture_teardown);
  g_test_add ("/tessera/session/cancel", Fixture, NULL,
              fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/tessera/session/cancel-enroll", Fixture, full_server,
              fixture_setup, test_cancel_enroll, fixture_teardown);
  g_test_add ("/tessera/session/restart", Fixture, full_server,
              fixture_setup, test_restart, fixture_teardown);
  g_test_add ("/tessera/session/xep0257", Fixture, xep0257_server,
              fixture_setup, test_xep0257, fixture_teardown);

  ret = g_test_run ();

  tessera_test_file_keyring_teardown ();
  g_ptr_array_unref (strophe_log);

  return ret;
}
