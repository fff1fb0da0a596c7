/* tessera-mock-xmpp-server.c: a scripted, deliberately misbehaving XMPP server on a thread
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "tessera-mock-xmpp-server.h"

/* A MOCK, A MISBEHAVING SERVER, FOR TESTS ONLY. One thread accepts, one
 * thread per connection plays the script; the XMPP it speaks is just
 * enough for libstrophe to get to the point the test is about. The script
 * is fixed before the server starts, so the peers read it unlocked. */

#define SOCKET_TIMEOUT_SECONDS 20

struct _TesseraMockXmppServer
{
  TesseraMockTls       tls;
  GTlsCertificate     *certificate;
  char                *fingerprint;
  char                *mechanisms;
  gboolean             refuse_external;
  char                *jid;
  char                *features;
  guint                wait_errors;
  char                *cancel_condition;
  gboolean             spoof;
  char                *listed;
  char                *issued;
  gboolean             silent_revoke;

  GSocketListener     *listener;
  GCancellable        *stop;
  guint16              port;
  GThread             *thread;

  GMutex               mutex;
  GPtrArray           *peers;           /* GThread */
  GString             *auth_log;
  GString             *received;        /* raw, after TLS, and SASL payloads decoded */
  guint                auths;
  guint                list_requests;
  guint                connections;
  gboolean             client_certificate;
};

typedef struct
{
  TesseraMockXmppServer *server;
  GIOStream             *stream;
  GString               *buffer;
} Peer;

/* ---- reading and writing ------------------------------------------------- */

static gboolean
peer_fill (Peer *peer)
{
  char chunk[4096];
  gssize n = g_input_stream_read (g_io_stream_get_input_stream (peer->stream), chunk, sizeof chunk, NULL, NULL);

  if (n <= 0)
    return FALSE;
  g_string_append_len (peer->buffer, chunk, n);
  g_mutex_lock (&peer->server->mutex);
  g_string_append_len (peer->server->received, chunk, n);
  g_mutex_unlock (&peer->server->mutex);
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
  return g_output_stream_write_all (g_io_stream_get_output_stream (peer->stream), text, strlen (text),
                                    NULL, NULL, NULL);
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
peer_open_stream (Peer       *peer,
                  const char *features)
{
  g_autofree char *header = peer_read (peer, "<stream:stream", ">");
  g_autofree char *reply = NULL;

  if (header == NULL)
    return FALSE;
  reply = g_strdup_printf ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                           "xmlns:stream='http://etherx.jabber.org/streams' id='%08x' "
                           "from='localhost' version='1.0'><stream:features>%s</stream:features>",
                           g_random_int (), features);
  return peer_write (peer, reply);
}

static char *
mechanisms_xml (TesseraMockXmppServer *server)
{
  g_auto(GStrv) names = g_strsplit (server->mechanisms, " ", -1);
  GString *xml = g_string_new ("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>");

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (*names[i] != '\0')
        g_string_append_printf (xml, "<mechanism>%s</mechanism>", names[i]);
    }
  g_string_append (xml, "</mechanisms>");
  return g_string_free (xml, FALSE);
}

/* ---- the script ---------------------------------------------------------- */

static gboolean
accept_any_cb (GTlsConnection       *connection,
               GTlsCertificate      *peer_certificate,
               GTlsCertificateFlags  errors,
               gpointer              user_data)
{
  return TRUE;
}

static gboolean
start_tls (Peer *peer)
{
  TesseraMockXmppServer *server = peer->server;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GTlsCertificate) client = NULL;

  tls = g_tls_server_connection_new (peer->stream, server->certificate, NULL);
  if (tls == NULL)
    return FALSE;
  g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED, NULL);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, NULL))
    return FALSE;

  client = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (tls));
  if (client != NULL)
    {
      g_object_ref (client);
      g_mutex_lock (&server->mutex);
      server->client_certificate = TRUE;
      g_mutex_unlock (&server->mutex);
    }
  g_object_unref (peer->stream);
  peer->stream = g_object_ref (tls);
  g_string_truncate (peer->buffer, 0);
  return TRUE;
}

/* The base64 payload of an <auth/>, decoded, goes with what was received:
 * a PLAIN password is then found as it is. */
static void
record_payload (TesseraMockXmppServer *server,
                const char            *auth)
{
  const char *open_end = strchr (auth, '>');
  const char *close = strstr (auth, "</auth>");
  g_autofree char *text = NULL;
  g_autofree guchar *decoded = NULL;
  gsize length = 0;

  if (open_end == NULL || close == NULL || close <= open_end)
    return;
  text = g_strndup (open_end + 1, close - open_end - 1);
  decoded = g_base64_decode (text, &length);
  g_mutex_lock (&server->mutex);
  for (gsize i = 0; i < length; i++)
    g_string_append_c (server->received, decoded[i] != '\0' ? (char) decoded[i] : '\n');
  g_mutex_unlock (&server->mutex);
}

/* TRUE once an <auth/> succeeded, FALSE when the client gave up. */
static gboolean
authenticate (Peer *peer)
{
  TesseraMockXmppServer *server = peer->server;

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
      if (start == NULL || (strstr (start, "</auth>") == NULL && strstr (start, "/>") == NULL))
        {
          if (!peer_fill (peer))
            return FALSE;
          continue;
        }

      auth = strstr (start, "</auth>") != NULL ? peer_read (peer, "<auth", "</auth>")
                                               : peer_read (peer, "<auth", "/>");
      mechanism = attribute (auth, "mechanism");
      record_payload (server, auth);
      g_mutex_lock (&server->mutex);
      server->auths++;
      g_string_append_printf (server->auth_log, "%s%s", server->auth_log->len > 0 ? " " : "",
                              mechanism != NULL ? mechanism : "?");
      g_mutex_unlock (&server->mutex);

      if (g_strcmp0 (mechanism, "EXTERNAL") == 0 && server->refuse_external)
        {
          if (!peer_write (peer, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/>"
                                 "<text>The scripted server refuses every certificate</text></failure>"))
            return FALSE;
          continue;
        }
      if (g_strcmp0 (mechanism, "PLAIN") != 0 && g_strcmp0 (mechanism, "EXTERNAL") != 0)
        {
          /* SCRAM would need a real exchange; a refusal is enough here. */
          if (!peer_write (peer, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><invalid-mechanism/></failure>"))
            return FALSE;
          continue;
        }
      return peer_write (peer, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    }
}

static char *
disco_reply (TesseraMockXmppServer *server,
             const char            *id)
{
  g_auto(GStrv) names = g_strsplit (server->features, " ", -1);
  g_autoptr(GString) vars = g_string_new (NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (*names[i] != '\0')
        g_string_append_printf (vars, "<feature var='urn:xmpp:ccm2:%s-cert%s:0'/>", names[i],
                                g_str_equal (names[i], "list") ? "s" : "");
    }
  return g_strdup_printf ("<iq type='result' id='%s' from='localhost'>"
                          "<query xmlns='http://jabber.org/protocol/disco#info'>"
                          "<identity category='server' type='im'/>%s</query></iq>", id, vars->str);
}

/* Same id, but from someone else: must be ignored. Then the same from the
 * right sender but as a request, not an answer. */
static gboolean
write_forged_list (Peer       *peer,
                   const char *id)
{
  g_autofree char *forged = g_strdup_printf (
    "<iq type='result' id='%s' from='mallory@evil.example'>"
    "<list-of-certificates xmlns='urn:xmpp:ccm2:list-certs:0'><x509certificate>"
    "<name>Forged</name><x509cert>AAAA</x509cert></x509certificate>"
    "</list-of-certificates></iq>"
    "<iq type='set' id='%s' from='localhost'>"
    "<list-of-certificates xmlns='urn:xmpp:ccm2:list-certs:0'/></iq>", id, id);

  return peer_write (peer, forged);
}

static gboolean
answer_list (Peer       *peer,
             const char *id)
{
  TesseraMockXmppServer *server = peer->server;
  g_autofree char *reply = NULL;
  guint n;

  g_mutex_lock (&server->mutex);
  n = ++server->list_requests;
  g_mutex_unlock (&server->mutex);

  if (server->cancel_condition != NULL)
    reply = g_strdup_printf ("<iq type='error' id='%s'><error type='cancel'><%s "
                             "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
                             id, server->cancel_condition);
  else if (n <= server->wait_errors)
    reply = g_strdup_printf ("<iq type='error' id='%s'><error type='wait'><resource-constraint "
                             "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", id);
  else if (server->spoof && !write_forged_list (peer, id))
    return FALSE;
  if (reply == NULL && server->listed != NULL)
    reply = g_strdup_printf ("<iq type='result' id='%s' from='%s'>"
                             "<list-of-certificates xmlns='urn:xmpp:ccm2:list-certs:0'>"
                             "<x509certificate><name>Listed</name><x509cert>%s</x509cert>"
                             "</x509certificate></list-of-certificates></iq>", id, server->jid, server->listed);
  else if (reply == NULL)
    reply = g_strdup_printf ("<iq type='result' id='%s' from='%s'>"
                             "<list-of-certificates xmlns='urn:xmpp:ccm2:list-certs:0'/></iq>", id, server->jid);
  return peer_write (peer, reply);
}

static gboolean
answer (Peer       *peer,
        const char *iq)
{
  TesseraMockXmppServer *server = peer->server;
  g_autofree char *id = attribute (iq, "id");
  g_autofree char *type = attribute (iq, "type");
  g_autofree char *reply = NULL;

  if (id == NULL || (g_strcmp0 (type, "get") != 0 && g_strcmp0 (type, "set") != 0))
    return TRUE;
  if (strstr (iq, "http://jabber.org/protocol/disco#info") != NULL)
    reply = disco_reply (server, id);
  else if (strstr (iq, "urn:xmpp:ccm2:list-certs:0") != NULL)
    return answer_list (peer, id);
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

static gboolean
bind_resource (Peer *peer)
{
  g_autofree char *bind = NULL;
  g_autofree char *id = NULL;
  g_autofree char *reply = NULL;

  if (!peer_open_stream (peer, "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"))
    return FALSE;
  bind = peer_read (peer, "<iq", "</iq>");
  id = bind != NULL ? attribute (bind, "id") : NULL;
  if (id == NULL)
    return FALSE;
  reply = g_strdup_printf ("<iq type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                           "<jid>%s/scripted</jid></bind></iq>", id, peer->server->jid);
  return peer_write (peer, reply);
}

static void
serve_requests (Peer *peer)
{
  for (;;)
    {
      const char *end = strstr (peer->buffer->str, "</stream:stream>");
      const char *iq_start = strstr (peer->buffer->str, "<iq");
      g_autofree char *iq = NULL;

      if (end != NULL && (iq_start == NULL || end < iq_start))
        {
          peer_write (peer, "</stream:stream>");
          return;
        }
      if (iq_start != NULL && strstr (iq_start, "</iq>") != NULL)
        {
          iq = peer_read (peer, "<iq", "</iq>");
          if (!answer (peer, iq))
            return;
        }
      else if (!peer_fill (peer))
        return;
    }
}

/* Reads until the client goes away: a server that never answers. */
static void
stall (Peer *peer)
{
  while (peer_fill (peer))
    ;
}

static void
play (Peer *peer)
{
  TesseraMockXmppServer *server = peer->server;
  g_autofree char *mechanisms = mechanisms_xml (server);
  g_autofree char *starttls = NULL;

  if (server->tls == TESSERA_MOCK_TLS_NONE)
    {
      /* Tempting: PLAIN in the clear. */
      if (peer_open_stream (peer, mechanisms) && authenticate (peer) && bind_resource (peer))
        serve_requests (peer);
      return;
    }

  if (!peer_open_stream (peer, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"))
    return;
  starttls = peer_read (peer, "<starttls", ">");
  if (starttls == NULL || !peer_write (peer, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"))
    return;
  if (server->tls == TESSERA_MOCK_TLS_STALL)
    {
      stall (peer);
      return;
    }
  if (start_tls (peer) && peer_open_stream (peer, mechanisms) && authenticate (peer) && bind_resource (peer))
    serve_requests (peer);
}

static gpointer
peer_thread (gpointer data)
{
  Peer *peer = data;

  play (peer);
  g_io_stream_close (peer->stream, NULL, NULL);
  g_object_unref (peer->stream);
  g_string_free (peer->buffer, TRUE);
  g_free (peer);
  return NULL;
}

static gpointer
server_thread (gpointer data)
{
  TesseraMockXmppServer *server = data;

  for (;;)
    {
      GSocketConnection *connection = g_socket_listener_accept (server->listener, NULL, server->stop, NULL);
      Peer *peer;

      if (connection == NULL)
        break;
      g_socket_set_timeout (g_socket_connection_get_socket (connection), SOCKET_TIMEOUT_SECONDS);
      peer = g_new0 (Peer, 1);
      peer->server = server;
      peer->stream = G_IO_STREAM (connection);
      peer->buffer = g_string_new (NULL);
      g_mutex_lock (&server->mutex);
      server->connections++;
      g_ptr_array_add (server->peers, g_thread_new ("mock-xmpp-peer", peer_thread, peer));
      g_mutex_unlock (&server->mutex);
    }
  return NULL;
}

/* ---- public -------------------------------------------------------------- */

TesseraMockXmppServer *
tessera_mock_xmpp_server_new (const TesseraMockXmppConfig *config)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GError) error = NULL;
  TesseraMockXmppServer *self = g_new0 (TesseraMockXmppServer, 1);

  self->tls = config->tls;
  self->mechanisms = g_strdup (config->mechanisms != NULL ? config->mechanisms : "PLAIN SCRAM-SHA-1");
  self->refuse_external = config->refuse_external;
  self->jid = g_strdup (config->jid != NULL ? config->jid : "user1@localhost");
  self->features = g_strdup (config->features != NULL ? config->features : "list");
  self->wait_errors = config->wait_errors;
  self->cancel_condition = g_strdup (config->cancel_condition);
  self->spoof = config->spoof;
  self->listed = g_strdup (config->listed);
  self->issued = g_strdup (config->issued);
  self->silent_revoke = config->silent_revoke;
  if (config->certificate_path != NULL)
    {
      self->certificate = g_tls_certificate_new_from_files (config->certificate_path, config->key_path, &error);
      g_assert_no_error (error);
      g_object_get (self->certificate, "certificate", &der, NULL);
      self->fingerprint = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
    }

  g_mutex_init (&self->mutex);
  self->peers = g_ptr_array_new ();
  self->auth_log = g_string_new (NULL);
  self->received = g_string_new (NULL);
  self->stop = g_cancellable_new ();
  self->listener = g_socket_listener_new ();
  g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->thread = g_thread_new ("mock-xmpp", server_thread, self);
  return self;
}

guint16
tessera_mock_xmpp_server_get_port (TesseraMockXmppServer *self)
{
  return self->port;
}

const char *
tessera_mock_xmpp_server_get_fingerprint (TesseraMockXmppServer *self)
{
  return self->fingerprint;
}

char *
tessera_mock_xmpp_server_dup_auth_log (TesseraMockXmppServer *self)
{
  char *log;

  g_mutex_lock (&self->mutex);
  log = g_strdup (self->auth_log->str);
  g_mutex_unlock (&self->mutex);
  return log;
}

guint
tessera_mock_xmpp_server_get_auths (TesseraMockXmppServer *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->auths;
  g_mutex_unlock (&self->mutex);
  return n;
}

gboolean
tessera_mock_xmpp_server_received (TesseraMockXmppServer *self,
                                  const char            *needle)
{
  gboolean found;

  g_mutex_lock (&self->mutex);
  found = strstr (self->received->str, needle) != NULL;
  g_mutex_unlock (&self->mutex);
  return found;
}

gboolean
tessera_mock_xmpp_server_saw_client_certificate (TesseraMockXmppServer *self)
{
  gboolean seen;

  g_mutex_lock (&self->mutex);
  seen = self->client_certificate;
  g_mutex_unlock (&self->mutex);
  return seen;
}

guint
tessera_mock_xmpp_server_get_list_requests (TesseraMockXmppServer *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->list_requests;
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
tessera_mock_xmpp_server_get_connections (TesseraMockXmppServer *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->connections;
  g_mutex_unlock (&self->mutex);
  return n;
}

void
tessera_mock_xmpp_server_free (TesseraMockXmppServer *self)
{
  if (self == NULL)
    return;

  /* close() does not wake a blocked accept(); the cancellable does. */
  g_cancellable_cancel (self->stop);
  g_thread_join (self->thread);
  g_socket_listener_close (self->listener);
  /* Peers end when their client goes away (or in SOCKET_TIMEOUT_SECONDS). */
  for (guint i = 0; i < self->peers->len; i++)
    g_thread_join (g_ptr_array_index (self->peers, i));
  g_ptr_array_unref (self->peers);
  g_mutex_clear (&self->mutex);
  g_string_free (self->auth_log, TRUE);
  g_string_free (self->received, TRUE);
  g_clear_object (&self->listener);
  g_clear_object (&self->stop);
  g_clear_object (&self->certificate);
  g_free (self->fingerprint);
  g_free (self->mechanisms);
  g_free (self->jid);
  g_free (self->features);
  g_free (self->cancel_condition);
  g_free (self->listed);
  g_free (self->issued);
  g_free (self);
}

/* ---- a certificate for it ------------------------------------------------ */

static gboolean
run_certtool (const char * const *argv)
{
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

gboolean
tessera_mock_xmpp_make_certificate (const char  *dir,
                                    char       **certificate_path,
                                    char       **key_path)
{
  g_autofree char *template = g_build_filename (dir, "server.tmpl", NULL);
  g_autofree char *cert = g_build_filename (dir, "server.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "server.key", NULL);
  const char *keygen[] = { "certtool", "--generate-privkey", "--key-type=ecdsa", "--outfile", key, NULL };
  const char *certgen[] = { "certtool", "--generate-self-signed", "--load-privkey", key,
                            "--template", template, "--outfile", cert, NULL };
  gboolean made;

  if (!g_file_set_contents (template, "cn = \"localhost\"\ndns_name = \"localhost\"\n"
                            "tls_www_server\nsigning_key\nexpiration_days = 2\n", -1, NULL))
    return FALSE;
  made = run_certtool (keygen) && run_certtool (certgen);
  g_unlink (template);
  if (!made)
    return FALSE;
  *certificate_path = g_steal_pointer (&cert);
  *key_path = g_steal_pointer (&key);
  return TRUE;
}
