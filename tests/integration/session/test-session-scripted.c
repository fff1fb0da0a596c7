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

/* What Prosody will not do on request: answer `wait` errors, send a forged
 * reply with a pending request's id, refuse with a `cancel` error. A small
 * server on a thread plays a scripted XMPP stream (STARTTLS with a
 * self-signed certificate the account pins, SASL PLAIN, bind), then answers
 * disco#info and ccm2 list requests as the case says. */

#define JID "alice@localhost"

typedef struct
{
  /* script, set before the session starts */
  guint              wait_errors;      /* list: this many `wait` errors first */
  const char        *cancel_condition; /* list: refuse with this `cancel` error */
  gboolean           spoof;            /* list: a forged answer first */
  const char        *mechanisms;       /* SASL, space-separated; NULL: PLAIN */
  const char        *features;         /* ccm2, space-separated; NULL: list */
  char              *issued;           /* add: answer with this base64 certificate */
  char              *listed;           /* list: one entry with this base64 certificate */
  gboolean           silent_revoke;    /* revoke: never answer */
  gboolean           refuse_external;  /* answer EXTERNAL with <failure/> */

  GSocketListener   *listener;
  GCancellable      *stop;
  guint16            port;
  GTlsCertificate   *certificate;
  char              *fingerprint;      /* SHA-256 of its DER */
  GThread           *thread;
  GMutex             mutex;
  GPtrArray         *peers;            /* GThread, one per connection */
  gint               list_requests;    /* atomic */
  gint               auths;            /* atomic */
  GMutex             auth_mutex;
  GString           *auth_log;         /* mechanisms tried, space-separated */
} FakeServer;

typedef struct
{
  GIOStream *stream;
  GString   *buffer;
} Peer;

typedef struct
{
  FakeServer        *server;
  GSocketConnection *connection;
} PeerStart;

static char *tmpdir;
static char *cert_path;
static char *key_path;
static gboolean have_tls;

/* ---- the server side --------------------------------------------------- */

static gboolean
peer_fill (Peer *peer)
{
  char chunk[4096];
  gssize n = g_input_stream_read (g_io_stream_get_input_stream (peer->stream),
                                  chunk, sizeof chunk, NULL, NULL);

  if (n <= 0)
    return FALSE;
  g_string_append_len (peer->buffer, chunk, n);

  return TRUE;
}

/* Reads up to and including @end after @start; returns that text. */
static char *
peer_read (Peer       *peer,
           const char *start,
           const char *end)
{
  for (;;)
    {
      const char *s = strstr (peer->buffer->str, start);
      const char *e = s != NULL ? strstr (s, end) : NULL;

      if (e != NULL)
        {
          gsize length = (e - peer->buffer->str) + strlen (end);
          char *text = g_strndup (peer->buffer->str, length);

          g_string_erase (peer->buffer, 0, length);
          return text;
        }
      if (!peer_fill (peer))
        return NULL;
    }
}

static gboolean
peer_write (Peer       *peer,
            const char *text)
{
  return g_output_stream_write_all (g_io_stream_get_output_stream (peer->stream),
                                    text, strlen (text), NULL, NULL, NULL);
}

static gboolean
peer_open_stream (Peer       *peer,
                  const char *features)
{
  g_autofree char *header = peer_read (peer, "<stream:stream", ">");
  g_autofree char *reply = NULL;

  if (header == NULL)
    return FALSE;
  reply = g_strdup_printf ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                           "xmlns:stream='http://etherx.jabber.org/streams' id='%u' "
                           "from='localhost' version='1.0'><stream:features>%s</stream:features>",
                           g_random_int (), features);

  return peer_write (peer, reply);
}

static char *
attribute (const char *element,
           const char *name)
{
  g_autofree char *pattern = g_strdup_printf ("\\s%s=[\"']([^\"']*)[\"']", name);
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (regex, element, 0, &match))
    return NULL;

  return g_match_info_fetch (match, 1);
}

static gboolean
answer_list (FakeServer *server,
             Peer       *peer,
             const char *id)
{
  guint n = g_atomic_int_add (&server->list_requests, 1) + 1;
  g_autofree char *reply = NULL;

  if (server->cancel_condition != NULL)
    reply = g_strdup_printf ("<iq type='error' id='%s'><error type='cancel'><%s "
                             "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
                             id, server->cancel_condition);
  else if (n <= server->wait_errors)
    reply = g_strdup_printf ("<iq type='error' id='%s'><error type='wait'><resource-constraint "
                             "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", id);
  else
    {
      if (server->spoof)
        {
          /* Same id, but from someone else: must be ignored. Then the same
           * from the right sender but as a request, not an answer. */
          g_autofree char *forged = g_strdup_printf (
            "<iq type='result' id='%s' from='mallory@evil.example'>"
            "<list-of-certificates xmlns='urn:xmpp:ccm2:list-certs:0'><x509certificate>"
            "<name>Forged</name><x509cert>AAAA</x509cert></x509certificate>"
            "</list-of-certificates></iq>"
            "<iq type='set' id='%s' from='localhost'>"
            "<list-of-certificates xmlns='urn:xmpp:ccm2:list-certs:0'/></iq>", id, id);

          if (!peer_write (peer, forged))
            return FALSE;
        }
      if (server->listed != NULL)
        reply = g_strdup_printf ("<iq type='result' id='%s' from='" JID "'>"
                                 "<list-of-certificates xmlns='urn:xmpp:ccm2:list-certs:0'>"
                                 "<x509certificate><name>Listed</name><x509cert>%s</x509cert>"
                                 "</x509certificate></list-of-certificates></iq>", id, server->listed);
      else
        reply = g_strdup_printf ("<iq type='result' id='%s' from='" JID "'>"
                                 "<list-of-certificates xmlns='urn:xmpp:ccm2:list-certs:0'/></iq>", id);
    }

  return peer_write (peer, reply);
}

static gboolean
answer (FakeServer *server,
        Peer       *peer,
        const char *iq)
{
  g_autofree char *id = attribute (iq, "id");
  g_autofree char *type = attribute (iq, "type");
  g_autofree char *reply = NULL;

  if (id == NULL || (g_strcmp0 (type, "get") != 0 && g_strcmp0 (type, "set") != 0))
    return TRUE;

  if (strstr (iq, "http://jabber.org/protocol/disco#info") != NULL)
    {
      g_auto(GStrv) names = g_strsplit (server->features != NULL ? server->features : "list", " ", -1);
      g_autoptr(GString) vars = g_string_new (NULL);

      for (guint i = 0; names[i] != NULL; i++)
        g_string_append_printf (vars, "<feature var='urn:xmpp:ccm2:%s-cert%s:0'/>", names[i],
                                g_str_equal (names[i], "list") ? "s" : "");
      reply = g_strdup_printf ("<iq type='result' id='%s' from='localhost'>"
                               "<query xmlns='http://jabber.org/protocol/disco#info'>"
                               "<identity category='server' type='im'/>%s</query></iq>", id, vars->str);
    }
  else if (strstr (iq, "urn:xmpp:ccm2:list-certs:0") != NULL)
    return answer_list (server, peer, id);
  else if (strstr (iq, "urn:xmpp:ccm2:add-cert:0") != NULL && server->issued != NULL)
    reply = g_strdup_printf ("<iq type='result' id='%s'><add-certificate-result xmlns='urn:xmpp:ccm2:add-cert:0'>"
                             "<x509certificate>%s</x509certificate></add-certificate-result></iq>",
                             id, server->issued);
  else if (strstr (iq, "urn:xmpp:ccm2:revoke-cert:0") != NULL && server->silent_revoke)
    return TRUE;
  else
    reply = g_strdup_printf ("<iq type='error' id='%s'><error type='cancel'><service-unavailable "
                             "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", id);

  return peer_write (peer, reply);
}

/* SASL: TRUE once an <auth/> succeeded, FALSE when the client gave up. */
static gboolean
authenticate (FakeServer *server,
              Peer       *peer)
{
  for (;;)
    {
      const char *end = strstr (peer->buffer->str, "</stream:stream>");
      const char *start = strstr (peer->buffer->str, "<auth");
      g_autofree char *auth = NULL;
      g_autofree char *mechanism = NULL;

      if (end != NULL && (start == NULL || end < start))
        {
          peer_write (peer, "</stream:stream>");
          return FALSE;
        }
      if (start == NULL || strstr (start, "</auth>") == NULL)
        {
          if (!peer_fill (peer))
            return FALSE;
          continue;
        }

      auth = peer_read (peer, "<auth", "</auth>");
      mechanism = attribute (auth, "mechanism");
      g_atomic_int_inc (&server->auths);
      g_mutex_lock (&server->auth_mutex);
      g_string_append_printf (server->auth_log, "%s%s", server->auth_log->len ? " " : "", mechanism);
      g_mutex_unlock (&server->auth_mutex);

      if (server->refuse_external && g_strcmp0 (mechanism, "EXTERNAL") == 0)
        {
          if (!peer_write (peer, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>"))
            return FALSE;
          continue;
        }

      return peer_write (peer, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    }
}

static gboolean
negotiate (FakeServer *server,
           Peer       *peer)
{
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GString) mechanisms = g_string_new ("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>");
  g_auto(GStrv) names = g_strsplit (server->mechanisms != NULL ? server->mechanisms : "PLAIN", " ", -1);
  g_autofree char *starttls = NULL;
  g_autofree char *bind = NULL;
  g_autofree char *id = NULL;
  g_autofree char *reply = NULL;

  if (!peer_open_stream (peer, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"))
    return FALSE;
  starttls = peer_read (peer, "<starttls", ">");
  if (starttls == NULL || !peer_write (peer, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"))
    return FALSE;

  tls = g_tls_server_connection_new (peer->stream, server->certificate, NULL);
  if (tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, NULL))
    return FALSE;
  g_object_unref (peer->stream);
  peer->stream = g_object_ref (tls);
  g_string_truncate (peer->buffer, 0);

  for (guint i = 0; names[i] != NULL; i++)
    g_string_append_printf (mechanisms, "<mechanism>%s</mechanism>", names[i]);
  g_string_append (mechanisms, "</mechanisms>");

  if (!peer_open_stream (peer, mechanisms->str) || !authenticate (server, peer))
    return FALSE;

  if (!peer_open_stream (peer, "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"))
    return FALSE;
  bind = peer_read (peer, "<iq", "</iq>");
  id = bind != NULL ? attribute (bind, "id") : NULL;
  if (id == NULL)
    return FALSE;
  reply = g_strdup_printf ("<iq type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                           "<jid>" JID "/scripted</jid></bind></iq>", id);

  return peer_write (peer, reply);
}

static void
serve (FakeServer        *server,
       GSocketConnection *connection)
{
  Peer peer = { G_IO_STREAM (g_object_ref (connection)), g_string_new (NULL) };

  g_socket_set_timeout (g_socket_connection_get_socket (connection), 20);
  if (negotiate (server, &peer))
    {
      for (;;)
        {
          const char *end = strstr (peer.buffer->str, "</stream:stream>");
          const char *iq_start = strstr (peer.buffer->str, "<iq");
          g_autofree char *iq = NULL;

          if (end != NULL && (iq_start == NULL || end < iq_start))
            {
              peer_write (&peer, "</stream:stream>");
              break;
            }
          if (iq_start != NULL && strstr (iq_start, "</iq>") != NULL)
            {
              iq = peer_read (&peer, "<iq", "</iq>");
              if (!answer (server, &peer, iq))
                break;
            }
          else if (!peer_fill (&peer))
            break;
        }
    }

  g_io_stream_close (peer.stream, NULL, NULL);
  g_object_unref (peer.stream);
  g_string_free (peer.buffer, TRUE);
}

static gpointer
peer_thread (gpointer data)
{
  PeerStart *start = data;

  serve (start->server, start->connection);
  g_object_unref (start->connection);
  g_free (start);

  return NULL;
}

static gpointer
server_thread (gpointer data)
{
  FakeServer *server = data;

  for (;;)
    {
      GSocketConnection *connection = g_socket_listener_accept (server->listener, NULL, server->stop, NULL);
      PeerStart *start;

      if (connection == NULL)
        break;
      start = g_new0 (PeerStart, 1);
      start->server = server;
      start->connection = connection;
      g_mutex_lock (&server->mutex);
      g_ptr_array_add (server->peers, g_thread_new ("scripted-peer", peer_thread, start));
      g_mutex_unlock (&server->mutex);
    }

  return NULL;
}

static void
fake_server_start (FakeServer *server)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GError) error = NULL;

  server->certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);
  g_object_get (server->certificate, "certificate", &der, NULL);
  server->fingerprint = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);

  g_mutex_init (&server->mutex);
  g_mutex_init (&server->auth_mutex);
  server->auth_log = g_string_new (NULL);
  server->peers = g_ptr_array_new ();
  server->stop = g_cancellable_new ();
  server->listener = g_socket_listener_new ();
  g_socket_listener_add_address (server->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  server->thread = g_thread_new ("scripted-xmpp", server_thread, server);
}

static void
fake_server_stop (FakeServer *server)
{
  /* close() does not wake a blocked accept(); the cancellable does */
  g_cancellable_cancel (server->stop);
  g_thread_join (server->thread);
  g_socket_listener_close (server->listener);
  /* Peers end when their client closes the stream (or in 20 s). */
  for (guint i = 0; i < server->peers->len; i++)
    g_thread_join (g_ptr_array_index (server->peers, i));
  g_ptr_array_unref (server->peers);
  g_mutex_clear (&server->mutex);
  g_mutex_clear (&server->auth_mutex);
  g_string_free (server->auth_log, TRUE);
  g_clear_pointer (&server->issued, g_free);
  g_clear_pointer (&server->listed, g_free);
  g_clear_object (&server->listener);
  g_clear_object (&server->stop);
  g_clear_object (&server->certificate);
  g_clear_pointer (&server->fingerprint, g_free);
}

/* ---- the client side --------------------------------------------------- */

#define SKIP_WITHOUT_TLS() G_STMT_START { \
    if (!have_tls) { g_test_skip ("no GIO TLS backend (glib-networking) for the scripted server"); return; } \
  } G_STMT_END

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static TesseraSession *
session_for (FakeServer *server,
             const char *pin)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  TesseraSession *session;

  account = tessera_account_new (JID, "127.0.0.1", server->port, TESSERA_TLS_STARTTLS, NULL, pin);
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

  tessera_session_list_async (session, NULL, result_cb, &result);
  return tessera_session_list_finish (session, wait_for (&result), error);
}

static void
test_pinned_fingerprint (void)
{
  FakeServer server = { 0, };
  g_autoptr(TesseraSession) pinned = NULL;
  g_autoptr(TesseraSession) wrong = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *spelled = NULL;
  TesseraFeatures features;

  SKIP_WITHOUT_TLS ();

  fake_server_start (&server);

  /* Not in any trust store, but pinned (spelled with colons, upper case) */
  spelled = tessera_fingerprint_format (server.fingerprint, TESSERA_FINGERPRINT_UPPER | TESSERA_FINGERPRINT_COLONS);
  pinned = session_for (&server, spelled);
  tessera_session_discover_async (pinned, NULL, result_cb, &result);
  features = tessera_session_discover_finish (pinned, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (features, ==, TESSERA_FEATURE_LIST);
  tessera_session_close (pinned);

  /* Another pin: refused during TLS, so no password goes out */
  g_clear_object (&result);
  g_atomic_int_set (&server.auths, 0);
  wrong = session_for (&server, "0000000000000000000000000000000000000000000000000000000000000000");
  tessera_session_discover_async (wrong, NULL, result_cb, &result);
  tessera_session_discover_finish (wrong, wait_for (&result), &error);
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_CERTIFICATE);
  g_assert_cmpint (g_atomic_int_get (&server.auths), ==, 0);

  fake_server_stop (&server);
}

static void
test_wait_retried (void)
{
  FakeServer server = { .wait_errors = 2 };
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint round_trips;

  SKIP_WITHOUT_TLS ();

  fake_server_start (&server);
  session = session_for (&server, server.fingerprint);
  entries = list_entries (session, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&server.list_requests), ==, 3);
  tessera_session_get_stats (session, NULL, &round_trips);
  g_assert_cmpuint (round_trips, ==, 1 + 3);   /* disco#info, then 3 lists */
  tessera_session_close (session);
  fake_server_stop (&server);
}

static void
test_wait_gives_up (void)
{
  FakeServer server = { .wait_errors = G_MAXUINT };
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  SKIP_WITHOUT_TLS ();

  fake_server_start (&server);
  session = session_for (&server, server.fingerprint);
  tessera_session_set_timeout (session, 10);
  entries = list_entries (session, &error);
  g_assert_error (error, TESSERA_STANZA_ERROR, TESSERA_STANZA_ERROR_RESOURCE_CONSTRAINT);
  g_assert_cmpint (tessera_stanza_error_get_error_type (error), ==, TESSERA_STANZA_ERROR_TYPE_WAIT);
  g_assert_null (entries);
  /* a few retries with backoff, then the server's answer */
  g_assert_cmpint (g_atomic_int_get (&server.list_requests), ==, 4);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  tessera_session_close (session);
  fake_server_stop (&server);
}

static void
test_cancel_error_not_retried (void)
{
  FakeServer server = { .cancel_condition = "not-allowed" };
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_TLS ();

  fake_server_start (&server);
  session = session_for (&server, server.fingerprint);
  entries = list_entries (session, &error);
  g_assert_error (error, TESSERA_STANZA_ERROR, TESSERA_STANZA_ERROR_NOT_ALLOWED);
  g_assert_cmpint (tessera_stanza_error_get_error_type (error), ==, TESSERA_STANZA_ERROR_TYPE_CANCEL);
  g_assert_null (entries);
  g_assert_cmpint (g_atomic_int_get (&server.list_requests), ==, 1);
  tessera_session_close (session);
  fake_server_stop (&server);
}

static void
test_forged_reply_ignored (void)
{
  FakeServer server = { .spoof = TRUE };
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_TLS ();

  fake_server_start (&server);
  session = session_for (&server, server.fingerprint);
  entries = list_entries (session, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);
  /* the forged list had one entry; the real one is empty */
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 0);
  tessera_session_close (session);
  fake_server_stop (&server);
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
certificate_login (FakeServer  *server,
                   GError     **error)
{
  g_autoptr(TesseraSession) session = session_for (server, server->fingerprint);
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *client_cert = NULL;
  g_autofree char *client_key = NULL;
  char *jid;

  make_client_credentials ("client key passphrase", &client_cert, &client_key);
  tessera_session_login_full_async (session, TESSERA_LOGIN_FLAGS_NONE, client_cert, client_key,
                                    "client key passphrase", NULL, result_cb, &result);
  jid = tessera_session_login_finish (session, wait_for (&result), error);
  g_unlink (client_cert);
  g_unlink (client_key);

  return jid;
}

static void
test_external_accepted (void)
{
  FakeServer server = { .mechanisms = "PLAIN EXTERNAL SCRAM-SHA-1" };
  g_autoptr(GError) error = NULL;
  g_autofree char *jid = NULL;

  SKIP_WITHOUT_TLS ();
  fake_server_start (&server);
  jid = certificate_login (&server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jid, ==, JID "/scripted");
  g_assert_cmpstr (server.auth_log->str, ==, "EXTERNAL");
  fake_server_stop (&server);
}

/* A refused EXTERNAL must not fall back to a password mechanism, even with
 * SCRAM and PLAIN on offer: the connection has no password to send. */
static void
test_external_refused_no_fallback (void)
{
  FakeServer server = { .mechanisms = "SCRAM-SHA-1 PLAIN EXTERNAL", .refuse_external = TRUE };
  g_autoptr(GError) error = NULL;
  g_autofree char *jid = NULL;

  SKIP_WITHOUT_TLS ();
  fake_server_start (&server);
  jid = certificate_login (&server, &error);
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED);
  g_assert_null (jid);
  g_assert_cmpstr (server.auth_log->str, ==, "EXTERNAL");
  fake_server_stop (&server);
}

static void
test_external_not_offered (void)
{
  FakeServer server = { .mechanisms = "SCRAM-SHA-1 PLAIN" };
  g_autoptr(GError) error = NULL;
  g_autofree char *jid = NULL;

  SKIP_WITHOUT_TLS ();
  fake_server_start (&server);
  jid = certificate_login (&server, &error);
  g_assert_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_EXTERNAL_NOT_OFFERED);
  g_assert_null (jid);
  g_assert_cmpint (g_atomic_int_get (&server.auths), ==, 0);
  fake_server_stop (&server);
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
  FakeServer server = { .features = "add list" };
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
  server.issued = self_signed_base64 (other);
  fake_server_start (&server);

  session = session_for (&server, server.fingerprint);
  tessera_session_enroll_async (session, "Refused", TESSERA_KEY_TYPE_ECDSA_P256, NULL, NULL,
                                result_cb, &result);
  record = tessera_session_enroll_finish (session, wait_for (&result), &error);
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
  fake_server_stop (&server);
}

/* The revocation of this device's certificate gets no answer: a timeout,
 * and the local key and certificate stay as they were. */
static void
test_revoke_timeout_keeps_key (void)
{
  FakeServer server = { .features = "list revoke", .silent_revoke = TRUE };
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

  server.listed = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  fake_server_start (&server);
  session = session_for (&server, server.fingerprint);
  tessera_session_set_timeout (session, 3);

  started = g_get_monotonic_time ();
  tessera_session_revoke_async (session, tessera_certificate_get_fingerprint (cert), NULL,
                                result_cb, &result);
  g_assert_false (tessera_session_revoke_finish (session, wait_for (&result), &error));
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
  fake_server_stop (&server);
}

/* A self-signed server certificate for "localhost", made with certtool. */
static void
make_server_certificate (void)
{
  g_autofree char *template = g_build_filename (tmpdir, "server.tmpl", NULL);
  g_autoptr(GError) error = NULL;
  const char *keygen[] = { "certtool", "--generate-privkey", "--key-type=ecdsa",
                           "--outfile", NULL, NULL };
  const char *certgen[] = { "certtool", "--generate-self-signed", "--load-privkey", NULL,
                            "--template", NULL, "--outfile", NULL, NULL };
  int status;

  cert_path = g_build_filename (tmpdir, "server.pem", NULL);
  key_path = g_build_filename (tmpdir, "server.key", NULL);
  g_file_set_contents (template, "cn = \"localhost\"\ndns_name = \"localhost\"\n"
                       "tls_www_server\nsigning_key\nexpiration_days = 2\n", -1, &error);
  g_assert_no_error (error);

  keygen[4] = key_path;
  g_spawn_sync (NULL, (char **) keygen, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  certgen[3] = key_path;
  certgen[5] = template;
  certgen[7] = cert_path;
  g_spawn_sync (NULL, (char **) certgen, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_unlink (template);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *keyring = NULL;
  g_autofree char *backup = NULL;
  int ret;

  tmpdir = g_dir_make_tmp ("tessera-scripted-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  keyring = g_build_filename (tmpdir, "test.keyring", NULL);
  /* libsecret's file backend, set before any libsecret call */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "scripted test keyring", TRUE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  have_tls = g_tls_backend_supports_tls (g_tls_backend_get_default ());
  if (have_tls)
    make_server_certificate ();

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

  if (cert_path != NULL)
    g_unlink (cert_path);
  if (key_path != NULL)
    g_unlink (key_path);
  g_unlink (keyring);
  backup = g_strconcat (keyring, "~", NULL);   /* libsecret's file backend keeps one */
  g_unlink (backup);
  g_rmdir (tmpdir);
  g_free (cert_path);
  g_free (key_path);
  g_free (tmpdir);

  return ret;
}
