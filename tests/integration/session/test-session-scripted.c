/* test-session-scripted.c: the session against a scripted XMPP server
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tessera-core.h"
#include "tessera-mock-xmpp-server.h"
#include "tessera-test-fixtures.h"

/* What Prosody will not do on request: answer `wait` errors, send a forged
 * reply with a pending request's id, refuse with a `cancel` error. The mock
 * server of tests/common (tessera-mock-xmpp-server.c) plays a scripted XMPP
 * stream on a thread (STARTTLS with a self-signed certificate the account
 * pins, SASL PLAIN, bind), then answers disco#info and ccm2 requests as the
 * case says. */

#define JID "alice@localhost"

static char *tmpdir;
static char *cert_path;
static char *key_path;
static gboolean have_tls;

#define WAIT_SECONDS 60

/* The mock of tests/common, with STARTTLS and the self-signed certificate
 * the account pins; SASL PLAIN unless the case says otherwise. */
static TesseraMockXmppServer *
start_server (TesseraMockXmppConfig *config)
{
  config->tls = TESSERA_MOCK_TLS_STARTTLS;
  config->certificate_path = cert_path;
  config->key_path = key_path;
  config->jid = JID;
  if (config->mechanisms == NULL)
    config->mechanisms = "PLAIN";
  return tessera_mock_xmpp_server_new (config);
}

/* ---- the client side --------------------------------------------------- */

#define SKIP_WITHOUT_TLS() G_STMT_START { \
    if (!have_tls) { g_test_skip ("no GIO TLS backend (glib-networking) for the scripted server"); return; } \
  } G_STMT_END

static TesseraSession *
session_for (TesseraMockXmppServer *server,
             const char            *pin)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  TesseraSession *session;

  account = tessera_account_new (JID, "127.0.0.1", tessera_mock_xmpp_server_get_port (server), TESSERA_TLS_STARTTLS, NULL, pin);
  store = tessera_key_store_new (JID, NULL);
  session = tessera_session_new (account, store);
  tessera_session_set_password (session, "scripted password");

  return session;
}

static GListModel *
list_entries (TesseraSession  *session,
              GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tessera_session_list_async (session, NULL, tessera_test_async_result_cb, &result);
  return tessera_session_list_finish (session, tessera_test_wait_async (&result, WAIT_SECONDS), error);
}

static void
test_pinned_fingerprint (void)
{
  g_autoptr(TesseraMockXmppServer) server = NULL;
  TesseraMockXmppConfig config = { 0, };
  g_autoptr(TesseraSession) pinned = NULL;
  g_autoptr(TesseraSession) wrong = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *spelled = NULL;
  TesseraFeatures features;
  guint auths;

  SKIP_WITHOUT_TLS ();

  server = start_server (&config);

  /* Not in any trust store, but pinned (spelled with colons, upper case) */
  spelled = tessera_fingerprint_format (tessera_mock_xmpp_server_get_fingerprint (server),
                                        TESSERA_FINGERPRINT_UPPER | TESSERA_FINGERPRINT_COLONS);
  pinned = session_for (server, spelled);
  tessera_session_discover_async (pinned, NULL, tessera_test_async_result_cb, &result);
  features = tessera_session_discover_finish (pinned, tessera_test_wait_async (&result, WAIT_SECONDS), &error);
  g_assert_no_error (error);
  g_assert_cmpint (features, ==, TESSERA_FEATURE_LIST);
  tessera_session_close (pinned);

  /* Another pin: refused during TLS, so no password goes out */
  g_clear_object (&result);
  auths = tessera_mock_xmpp_server_get_auths (server);
  wrong = session_for (server, "0000000000000000000000000000000000000000000000000000000000000000");
  tessera_session_discover_async (wrong, NULL, tessera_test_async_result_cb, &result);
  tessera_session_discover_finish (wrong, tessera_test_wait_async (&result, WAIT_SECONDS), &error);
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_CERTIFICATE);
  g_assert_cmpint (tessera_mock_xmpp_server_get_auths (server), ==, auths);
}

static void
test_wait_retried (void)
{
  g_autoptr(TesseraMockXmppServer) server = NULL;
  TesseraMockXmppConfig config = { .wait_errors = 2 };
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint round_trips;

  SKIP_WITHOUT_TLS ();

  server = start_server (&config);
  session = session_for (server, tessera_mock_xmpp_server_get_fingerprint (server));
  entries = list_entries (session, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 0);
  g_assert_cmpint (tessera_mock_xmpp_server_get_list_requests (server), ==, 3);
  tessera_session_get_stats (session, NULL, &round_trips);
  g_assert_cmpuint (round_trips, ==, 1 + 3);   /* disco#info, then 3 lists */
  tessera_session_close (session);
}

static void
test_wait_gives_up (void)
{
  g_autoptr(TesseraMockXmppServer) server = NULL;
  TesseraMockXmppConfig config = { .wait_errors = G_MAXUINT };
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  SKIP_WITHOUT_TLS ();

  server = start_server (&config);
  session = session_for (server, tessera_mock_xmpp_server_get_fingerprint (server));
  tessera_session_set_timeout (session, 10);
  entries = list_entries (session, &error);
  g_assert_error (error, TESSERA_STANZA_ERROR, TESSERA_STANZA_ERROR_RESOURCE_CONSTRAINT);
  g_assert_cmpint (tessera_stanza_error_get_error_type (error), ==, TESSERA_STANZA_ERROR_TYPE_WAIT);
  g_assert_null (entries);
  /* a few retries with backoff, then the server's answer */
  g_assert_cmpint (tessera_mock_xmpp_server_get_list_requests (server), ==, 4);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  tessera_session_close (session);
}

static void
test_cancel_error_not_retried (void)
{
  g_autoptr(TesseraMockXmppServer) server = NULL;
  TesseraMockXmppConfig config = { .cancel_condition = "not-allowed" };
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_TLS ();

  server = start_server (&config);
  session = session_for (server, tessera_mock_xmpp_server_get_fingerprint (server));
  entries = list_entries (session, &error);
  g_assert_error (error, TESSERA_STANZA_ERROR, TESSERA_STANZA_ERROR_NOT_ALLOWED);
  g_assert_cmpint (tessera_stanza_error_get_error_type (error), ==, TESSERA_STANZA_ERROR_TYPE_CANCEL);
  g_assert_null (entries);
  g_assert_cmpint (tessera_mock_xmpp_server_get_list_requests (server), ==, 1);
  tessera_session_close (session);
}

static void
test_forged_reply_ignored (void)
{
  g_autoptr(TesseraMockXmppServer) server = NULL;
  TesseraMockXmppConfig config = { .spoof = TRUE };
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_TLS ();

  server = start_server (&config);
  session = session_for (server, tessera_mock_xmpp_server_get_fingerprint (server));
  entries = list_entries (session, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);
  /* the forged list had one entry; the real one is empty */
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 0);
  tessera_session_close (session);
}

/* A client certificate for the account: key encrypted with a passphrase. */
static void
make_client_credentials (const char  *passphrase,
                         char       **client_cert,
                         char       **client_key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(GBytes) key_pem = NULL;
  g_autoptr(TesseraCertificate) cert = NULL;

  g_assert_no_error (error);
  der = tessera_key_create_self_signed (key, JID, 2, &error);
  g_assert_no_error (error);
  cert = tessera_certificate_new_from_der (der, &error);
  g_assert_no_error (error);
  pem = tessera_certificate_dup_pem (cert);
  key_pem = tessera_key_export_encrypted (key, passphrase, &error);
  g_assert_no_error (error);

  *client_cert = g_build_filename (tmpdir, "client.pem", NULL);
  *client_key = g_build_filename (tmpdir, "client.key", NULL);
  g_file_set_contents_full (*client_cert, g_bytes_get_data (pem, NULL), g_bytes_get_size (pem),
                            G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (*client_key, g_bytes_get_data (key_pem, NULL), g_bytes_get_size (key_pem),
                            G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
}

static char *
certificate_login (TesseraMockXmppServer  *server,
                   GError                **error)
{
  g_autoptr(TesseraSession) session = session_for (server, tessera_mock_xmpp_server_get_fingerprint (server));
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *client_cert = NULL;
  g_autofree char *client_key = NULL;
  char *jid;

  make_client_credentials ("client key passphrase", &client_cert, &client_key);
  tessera_session_login_full_async (session, TESSERA_LOGIN_FLAGS_NONE, client_cert, client_key,
                                    "client key passphrase", NULL, tessera_test_async_result_cb, &result);
  jid = tessera_session_login_finish (session, tessera_test_wait_async (&result, WAIT_SECONDS), error);
  g_unlink (client_cert);
  g_unlink (client_key);

  return jid;
}

static void
test_external_accepted (void)
{
  g_autoptr(TesseraMockXmppServer) server = NULL;
  TesseraMockXmppConfig config = { .mechanisms = "PLAIN EXTERNAL SCRAM-SHA-1" };
  g_autoptr(GError) error = NULL;
  g_autofree char *jid = NULL;
  g_autofree char *log = NULL;

  SKIP_WITHOUT_TLS ();
  server = start_server (&config);
  jid = certificate_login (server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jid, ==, JID "/scripted");
  log = tessera_mock_xmpp_server_dup_auth_log (server);
  g_assert_cmpstr (log, ==, "EXTERNAL");
}

/* A refused EXTERNAL must not fall back to a password mechanism, even with
 * SCRAM and PLAIN on offer: the connection has no password to send. */
static void
test_external_refused_no_fallback (void)
{
  g_autoptr(TesseraMockXmppServer) server = NULL;
  TesseraMockXmppConfig config = { .mechanisms = "SCRAM-SHA-1 PLAIN EXTERNAL", .refuse_external = TRUE };
  g_autoptr(GError) error = NULL;
  g_autofree char *jid = NULL;
  g_autofree char *log = NULL;

  SKIP_WITHOUT_TLS ();
  server = start_server (&config);
  jid = certificate_login (server, &error);
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED);
  g_assert_null (jid);
  log = tessera_mock_xmpp_server_dup_auth_log (server);
  g_assert_cmpstr (log, ==, "EXTERNAL");
}

static void
test_external_not_offered (void)
{
  g_autoptr(TesseraMockXmppServer) server = NULL;
  TesseraMockXmppConfig config = { .mechanisms = "SCRAM-SHA-1 PLAIN" };
  g_autoptr(GError) error = NULL;
  g_autofree char *jid = NULL;

  SKIP_WITHOUT_TLS ();
  server = start_server (&config);
  jid = certificate_login (server, &error);
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_EXTERNAL_NOT_OFFERED);
  g_assert_null (jid);
  g_assert_cmpint (tessera_mock_xmpp_server_get_auths (server), ==, 0);
}

static char *
self_signed_base64 (TesseraKey *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = tessera_key_create_self_signed (key, JID, 2, &error);

  g_assert_no_error (error);
  return g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
}

/* The server answers with a certificate for another key: refused, and the
 * key and its request stay for a retry. */
static void
test_enroll_rejected (void)
{
  g_autoptr(TesseraMockXmppServer) server = NULL;
  TesseraMockXmppConfig config = { .features = "add list" };
  g_autofree char *issued = NULL;
  g_autoptr(TesseraKey) other = NULL;
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) journal = NULL;
  TesseraKeyRecord *pending;
  g_autofree char *steps = NULL;

  SKIP_WITHOUT_TLS ();
  other = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_assert_no_error (error);
  issued = self_signed_base64 (other);
  config.issued = issued;
  server = start_server (&config);

  session = session_for (server, tessera_mock_xmpp_server_get_fingerprint (server));
  tessera_session_enroll_async (session, "Refused", TESSERA_KEY_TYPE_ECDSA_P256, NULL, NULL,
                                tessera_test_async_result_cb, &result);
  record = tessera_session_enroll_finish (session, tessera_test_wait_async (&result, WAIT_SECONDS), &error);
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CERTIFICATE_REJECTED);
  g_assert_null (record);
  g_clear_error (&error);

  records = tessera_key_store_list (tessera_session_get_key_store (session), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  pending = g_ptr_array_index (records, 0);
  g_assert_cmpint (tessera_key_record_get_state (pending), ==, TESSERA_KEY_STATE_REQUEST_PENDING);
  g_assert_nonnull (tessera_key_record_get_request_der (pending));
  g_assert_null (tessera_key_record_get_certificate (pending));
  journal = tessera_key_store_read_journal (tessera_session_get_key_store (session),
                                            tessera_key_record_get_id (pending), &error);
  g_assert_no_error (error);
  steps = g_strjoinv ("\n", journal);
  g_assert_nonnull (strstr (steps, "request-sent"));
  g_assert_nonnull (strstr (steps, "result-received"));
  g_assert_null (strstr (steps, "certificate-stored"));

  tessera_session_close (session);
}

/* The revocation of this device's certificate gets no answer: a timeout,
 * and the local key and certificate stay as they were. */
static void
test_revoke_timeout_keeps_key (void)
{
  g_autoptr(TesseraMockXmppServer) server = NULL;
  TesseraMockXmppConfig config = { .features = "list revoke", .silent_revoke = TRUE };
  g_autofree char *listed = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKeyRecord) saved = NULL;
  g_autoptr(TesseraKeyRecord) certified = NULL;
  g_autoptr(TesseraKeyRecord) after = NULL;
  g_autoptr(TesseraCertificate) cert = NULL;
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  SKIP_WITHOUT_TLS ();
  key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_assert_no_error (error);
  der = tessera_key_create_self_signed (key, JID, 2, &error);
  g_assert_no_error (error);
  cert = tessera_certificate_new_from_der (der, &error);
  g_assert_no_error (error);
  saved = tessera_key_store_save_key (store, key, "This device", "ccm2", NULL, &error);
  g_assert_no_error (error);
  certified = tessera_key_store_save_certificate (store, tessera_key_record_get_id (saved), cert, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tessera_key_record_get_state (certified), ==, TESSERA_KEY_STATE_CERTIFIED);

  listed = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  config.listed = listed;
  server = start_server (&config);
  session = session_for (server, tessera_mock_xmpp_server_get_fingerprint (server));
  tessera_session_set_timeout (session, 3);

  started = g_get_monotonic_time ();
  tessera_session_revoke_async (session, tessera_certificate_get_fingerprint (cert), NULL,
                                tessera_test_async_result_cb, &result);
  g_assert_false (tessera_session_revoke_finish (session, tessera_test_wait_async (&result, WAIT_SECONDS), &error));
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - started, <=, 4 * G_USEC_PER_SEC);
  g_clear_error (&error);

  after = tessera_key_store_lookup (store, tessera_key_record_get_id (saved), &error);
  g_assert_no_error (error);
  g_assert_nonnull (after);
  /* No answer: the server may or may not have revoked it. The key and its
   * certificate stay, marked REVOKING, and the next operation lists and
   * decides (tessera-session-reconcile.c). */
  g_assert_cmpint (tessera_key_record_get_state (after), ==, TESSERA_KEY_STATE_REVOKING);
  g_assert_nonnull (tessera_key_record_get_certificate (after));
  g_assert_true (g_file_test (tessera_key_record_get_key_path (after), G_FILE_TEST_IS_REGULAR));

  tessera_session_close (session);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  tmpdir = tessera_test_tmpdir_new ("tessera-scripted-XXXXXX");
  /* libsecret's file backend, set before any libsecret call */
  tessera_test_file_keyring_setup ("tessera-scripted");

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  have_tls = g_tls_backend_supports_tls (g_tls_backend_get_default ());
  if (have_tls)
    g_assert_true (tessera_mock_xmpp_make_certificate (tmpdir, &cert_path, &key_path));

  g_test_add_func ("/tessera/session/scripted/pinned-fingerprint", test_pinned_fingerprint);
  g_test_add_func ("/tessera/session/scripted/wait-retried", test_wait_retried);
  g_test_add_func ("/tessera/session/scripted/wait-gives-up", test_wait_gives_up);
  g_test_add_func ("/tessera/session/scripted/cancel-error-not-retried", test_cancel_error_not_retried);
  g_test_add_func ("/tessera/session/scripted/forged-reply-ignored", test_forged_reply_ignored);
  g_test_add_func ("/tessera/session/scripted/external-accepted", test_external_accepted);
  g_test_add_func ("/tessera/session/scripted/external-refused-no-fallback",
                   test_external_refused_no_fallback);
  g_test_add_func ("/tessera/session/scripted/external-not-offered", test_external_not_offered);
  g_test_add_func ("/tessera/session/scripted/enroll-rejected", test_enroll_rejected);
  g_test_add_func ("/tessera/session/scripted/revoke-timeout-keeps-key", test_revoke_timeout_keeps_key);

  ret = g_test_run ();

  tessera_test_file_keyring_teardown ();
  g_clear_pointer (&tmpdir, tessera_test_tmpdir_free);
  g_free (cert_path);
  g_free (key_path);

  return ret;
}
