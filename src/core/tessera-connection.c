/* tessera-connection.c: one XMPP connection on its own worker thread
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>

#include "tessera-connection.h"
#include "tessera-connection-private.h"
#include "tessera-error.h"
#include "tessera-log.h"
#include "tessera-protocol.h"

#define RUN_ONCE_MS        50
#define WAIT_SLICE_USEC    (50 * 1000)
#define CLOSE_GRACE_USEC   (2 * G_USEC_PER_SEC)
#define XMPP_NS_PING       "urn:xmpp:ping"

typedef enum {
  STATE_CONNECTING,
  STATE_READY,
  STATE_CLOSED,
} State;

typedef struct
{
  gatomicrefcount     ref_count;
  TesseraIqBuildFunc  build;
  TesseraIqParseFunc  parse;
  gpointer            user_data;
  char               *id;
  TesseraConnection  *connection;   /* unowned; valid while in a queue */
  /* under the connection's mutex */
  gboolean            done;
  gboolean            abandoned;
  gboolean            sent;
  gpointer            result;
  GError             *error;
} IqRequest;

struct _TesseraConnection
{
  gatomicrefcount  ref_count;

  /* immutable after construction */
  char            *bare_jid;
  char            *domain;
  char            *host;
  guint16          port;
  gboolean         direct_tls;
  char            *ca_file;
  char            *pin;
  char            *password;
  char            *cert_path;
  char            *key_path;
  char            *key_passphrase;
  char           **secrets;         /* for log redaction */
  gboolean         log_strophe;

  GMutex           mutex;
  GCond            cond;
  /* under mutex */
  State            state;
  GError          *error;           /* why it closed (or failed to open) */
  char            *bound_jid;
  char            *mechanism;
  guint            waiters;
  GQueue           outbox;          /* IqRequest, to be sent by the worker */
  gboolean         stop_requested;
  gboolean         closed_notified;
  int              sock_fd;
  dev_t            sock_dev;
  ino_t            sock_ino;
  guint            sockets_opened;
  TesseraConnectionClosedFunc closed_func;
  gpointer         closed_data;
  GDestroyNotify   closed_destroy;

  /* worker thread only */
  xmpp_ctx_t      *ctx;
  xmpp_conn_t     *conn;
  xmpp_log_t       log;
  GPtrArray       *in_flight;       /* IqRequest */
  TesseraConnectionObservations obs;
};

static GMutex      ctx_map_mutex;
static GHashTable *ctx_map;         /* xmpp_ctx_t* -> TesseraConnection* (unowned) */

static void worker_on_closed (TesseraConnection *self,
                              GError            *error);

/* ---- ids, init, small helpers ------------------------------------------ */

char *
tessera_connection_new_id (void)
{
  guint8 bytes[16];
  gsize filled = 0;

  while (filled < sizeof bytes)
    {
      ssize_t n = getrandom (bytes + filled, sizeof bytes - filled, 0);

      if (n < 0 && errno == EINTR)
        continue;
      /* getrandom() on Linux >= 3.17 does not fail otherwise; if it ever
       * did, an id we could not make unpredictable must not be used. */
      g_assert (n > 0);
      filled += n;
    }

  return g_strdup_printf ("%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x",
                          bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5],
                          bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                          bytes[12], bytes[13], bytes[14], bytes[15]);
}

static void
ensure_strophe_initialized (void)
{
  static gsize initialized = 0;

  /* xmpp_initialize() sets up OpenSSL once for the process; it is never
   * shut down because other connections may still be running. */
  if (g_once_init_enter (&initialized))
    {
      xmpp_initialize ();
      g_once_init_leave (&initialized, 1);
    }
}

static void
ctx_map_add (xmpp_ctx_t        *ctx,
             TesseraConnection *self)
{
  g_mutex_lock (&ctx_map_mutex);
  if (ctx_map == NULL)
    ctx_map = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (ctx_map, ctx, self);
  g_mutex_unlock (&ctx_map_mutex);
}

static void
ctx_map_remove (xmpp_ctx_t *ctx)
{
  g_mutex_lock (&ctx_map_mutex);
  if (ctx_map != NULL)
    g_hash_table_remove (ctx_map, ctx);
  g_mutex_unlock (&ctx_map_mutex);
}

static TesseraConnection *
ctx_map_lookup (const xmpp_ctx_t *ctx)
{
  TesseraConnection *self = NULL;

  g_mutex_lock (&ctx_map_mutex);
  if (ctx_map != NULL)
    self = g_hash_table_lookup (ctx_map, ctx);
  g_mutex_unlock (&ctx_map_mutex);

  return self;
}

static char *
normalize_pin (const char *pin)
{
  GString *out;

  if (pin == NULL || pin[0] == '\0')
    return NULL;

  out = g_string_new (NULL);
  for (const char *p = pin; *p != '\0'; p++)
    {
      if (g_ascii_isxdigit (*p))
        g_string_append_c (out, g_ascii_tolower (*p));
    }

  return g_string_free (out, FALSE);
}

static char *
fingerprint_of_pem (const char *pem)
{
  const char *begin;
  const char *end;
  g_autofree char *body = NULL;
  g_autofree guchar *der = NULL;
  gsize der_len = 0;

  if (pem == NULL)
    return NULL;
  begin = strstr (pem, "-----BEGIN CERTIFICATE-----");
  if (begin == NULL)
    return NULL;
  begin += strlen ("-----BEGIN CERTIFICATE-----");
  end = strstr (begin, "-----END CERTIFICATE-----");
  if (end == NULL)
    return NULL;

  /* g_base64_decode() skips the line breaks */
  body = g_strndup (begin, end - begin);
  der = g_base64_decode (body, &der_len);
  if (der == NULL || der_len == 0)
    return NULL;

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, der_len);
}

/* ---- requests ---------------------------------------------------------- */

static IqRequest *
iq_request_ref (IqRequest *req)
{
  g_atomic_ref_count_inc (&req->ref_count);
  return req;
}

static void
iq_request_unref (IqRequest *req)
{
  if (!g_atomic_ref_count_dec (&req->ref_count))
    return;

  g_free (req->id);
  g_clear_error (&req->error);
  g_free (req);
}

/* Called with the mutex held. */
static void
iq_request_complete_locked (TesseraConnection *self,
                            IqRequest         *req,
                            gpointer           result,
                            GError            *error)
{
  if (req->done || req->abandoned)
    {
      g_clear_error (&error);
      return;
    }

  req->result = result;
  req->error = error;
  req->done = TRUE;
  g_cond_broadcast (&self->cond);
}

static GError *
copy_error_or_closed (TesseraConnection *self)
{
  if (self->error != NULL)
    return g_error_copy (self->error);

  return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                      _("Talking to the server failed: the connection is closed"));
}

/* ---- observing libstrophe through its log ------------------------------ */

/* libstrophe runs user handlers only after authentication, and says nothing
 * through its API about which SASL mechanism it used or why TLS failed; its
 * log does, line by line, on this same thread. */
static xmpp_stanza_t *
parse_logged_element (TesseraConnection *self,
                      const char        *xml)
{
  return xmpp_stanza_new_from_string (self->ctx, xml);
}

static gboolean
stanza_has_ns (xmpp_stanza_t *stanza,
               const char    *ns)
{
  return g_strcmp0 (xmpp_stanza_get_ns (stanza), ns) == 0;
}

static void
observe_features (TesseraConnection *self,
                  const char        *xml)
{
  xmpp_stanza_t *features = parse_logged_element (self, xml);
  xmpp_stanza_t *mechanisms;
  gboolean secured = xmpp_conn_is_secured (self->conn);

  if (features == NULL)
    return;

  if (!secured && xmpp_stanza_get_child_by_name_and_ns (features, "starttls", XMPP_NS_TLS) == NULL)
    self->obs.tls_not_offered = TRUE;

  mechanisms = xmpp_stanza_get_child_by_name_and_ns (features, "mechanisms", XMPP_NS_SASL);
  if (secured && mechanisms != NULL)
    {
      self->obs.mechanisms_seen = TRUE;
      self->obs.external_offered = FALSE;
      for (xmpp_stanza_t *m = xmpp_stanza_get_children (mechanisms); m; m = xmpp_stanza_get_next (m))
        {
          char *text;

          if (g_strcmp0 (xmpp_stanza_get_name (m), "mechanism") != 0)
            continue;
          text = xmpp_stanza_get_text (m);
          if (text != NULL && g_ascii_strcasecmp (g_strstrip (text), "EXTERNAL") == 0)
            self->obs.external_offered = TRUE;
          xmpp_free (self->ctx, text);
        }
    }

  xmpp_stanza_release (features);
}

static void
observe_sasl_failure (TesseraConnection *self,
                      const char        *xml)
{
  xmpp_stanza_t *failure = parse_logged_element (self, xml);

  if (failure == NULL || !stanza_has_ns (failure, XMPP_NS_SASL))
    {
      if (failure != NULL)
        xmpp_stanza_release (failure);
      return;
    }

  self->obs.sasl_failed = TRUE;
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (failure); c; c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_get_name (c);

      if (name == NULL || !xmpp_stanza_is_tag (c))
        continue;
      if (g_str_equal (name, "text"))
        {
          char *text = xmpp_stanza_get_text (c);

          g_free (self->obs.sasl_failure_text);
          self->obs.sasl_failure_text = g_strdup (text);
          xmpp_free (self->ctx, text);
        }
      else
        {
          g_free (self->obs.sasl_failure_condition);
          self->obs.sasl_failure_condition = g_strdup (name);
        }
    }

  xmpp_stanza_release (failure);
}

static void
observe_auth_sent (TesseraConnection *self,
                   const char        *xml)
{
  xmpp_stanza_t *auth = parse_logged_element (self, xml);

  if (auth == NULL)
    return;
  if (stanza_has_ns (auth, XMPP_NS_SASL))
    {
      g_free (self->obs.mechanism_sent);
      self->obs.mechanism_sent = g_strdup (xmpp_stanza_get_attribute (auth, "mechanism"));
      g_atomic_int_inc (&self->obs.auth_attempts);
    }
  xmpp_stanza_release (auth);
}

static void
observe_received (TesseraConnection *self,
                  const char        *xml)
{
  if (g_str_has_prefix (xml, "<features") || g_str_has_prefix (xml, "<stream:features"))
    observe_features (self, xml);
  else if (g_str_has_prefix (xml, "<failure"))
    {
      if (strstr (xml, XMPP_NS_TLS) != NULL)
        self->obs.tls_failed = TRUE;
      else
        observe_sasl_failure (self, xml);
    }
  else if (g_str_has_prefix (xml, "<success") && strstr (xml, XMPP_NS_SASL) != NULL)
    {
      g_free (self->obs.mechanism_accepted);
      self->obs.mechanism_accepted = g_strdup (self->obs.mechanism_sent);
    }
}

static void
observe_log_line (TesseraConnection *self,
                  const char        *msg)
{
  int err;

  if (g_str_has_prefix (msg, "RECV: "))
    observe_received (self, msg + strlen ("RECV: "));
  else if (g_str_has_prefix (msg, "SENT: <auth "))
    observe_auth_sent (self, msg + strlen ("SENT: "));
  else if (g_str_has_prefix (msg, "Couldn't start TLS"))
    self->obs.tls_failed = TRUE;
  else if (g_str_has_prefix (msg, "TLS is not supported"))
    self->obs.tls_not_offered = TRUE;
  else if (g_str_has_prefix (msg, "connection successful"))
    self->obs.tcp_connected = TRUE;
  else if (sscanf (msg, "connection failed, error %d", &err) == 1)
    self->obs.connect_errno = err;
}

static void
log_cb (void             *userdata,
        xmpp_log_level_t  level,
        const char       *area,
        const char       *msg)
{
  TesseraConnection *self = userdata;

  if (msg == NULL)
    return;

  observe_log_line (self, msg);
  if (self->log_strophe)
    tessera_log_strophe (area, msg, (const char * const *) self->secrets);
}

/* ---- libstrophe callbacks (worker thread) ------------------------------ */

static int
certfail_cb (const xmpp_tlscert_t *cert,
             const char *const     errormsg)
{
  /* No user data here, and xmpp_tlscert_get_conn() is NULL: map the
   * context back to its connection. */
  TesseraConnection *self = ctx_map_lookup (xmpp_tlscert_get_ctx (cert));
  g_autofree char *fingerprint = NULL;

  if (self == NULL)
    return 0;

  fingerprint = fingerprint_of_pem (xmpp_tlscert_get_pem (cert));
  if (self->pin != NULL && fingerprint != NULL && g_str_equal (self->pin, fingerprint))
    {
      g_debug ("Server certificate %s not verified (%s) but pinned: accepted",
               fingerprint, errormsg);
      return 1;
    }

  g_debug ("Server certificate %s refused: %s",
           fingerprint != NULL ? fingerprint : "(unreadable)", errormsg);
  self->obs.cert_rejected = TRUE;
  g_free (self->obs.cert_error);
  self->obs.cert_error = g_strdup (errormsg);
  g_free (self->obs.cert_fingerprint);
  self->obs.cert_fingerprint = g_steal_pointer (&fingerprint);

  return 0;
}

static int
sockopt_cb (xmpp_conn_t *conn,
            void        *sock)
{
  TesseraConnection *self = ctx_map_lookup (xmpp_conn_get_context (conn));
  int fd = *(int *) sock;
  struct stat st;

  if (self != NULL)
    {
      /* Remembered so that an abandoned attempt stuck in a blocking TLS
       * handshake can be woken up by shutting the socket down. */
      g_mutex_lock (&self->mutex);
      self->sockets_opened++;
      self->sock_fd = -1;
      if (fstat (fd, &st) == 0)
        {
          self->sock_fd = fd;
          self->sock_dev = st.st_dev;
          self->sock_ino = st.st_ino;
        }
      g_mutex_unlock (&self->mutex);
    }

  /* Also makes libstrophe 0.12.2 try every resolved address. */
  return xmpp_sockopt_cb_keepalive (conn, sock);
}

static int
password_cb (char        *pw,
             size_t       pw_max,
             xmpp_conn_t *conn,
             void        *userdata)
{
  TesseraConnection *self = userdata;
  size_t len;

  if (self->key_passphrase == NULL)
    return -1;
  len = strlen (self->key_passphrase);
  if (len + 1 > pw_max)
    return -1;
  memcpy (pw, self->key_passphrase, len + 1);

  return (int) len;
}

/* RFC 6120 §8.2.3: every iq get/set gets an answer. A held-open session
 * answers pings and refuses the rest. */
static int
incoming_iq_cb (xmpp_conn_t   *conn,
                xmpp_stanza_t *stanza,
                void          *userdata)
{
  TesseraConnection *self = userdata;
  const char *type = xmpp_stanza_get_type (stanza);
  const char *id = xmpp_stanza_get_id (stanza);
  xmpp_stanza_t *reply;

  if (g_strcmp0 (type, "get") != 0 && g_strcmp0 (type, "set") != 0)
    return 1;

  reply = xmpp_iq_new (self->ctx, "result", id);
  if (xmpp_stanza_get_from (stanza) != NULL)
    xmpp_stanza_set_to (reply, xmpp_stanza_get_from (stanza));

  if (xmpp_stanza_get_child_by_name_and_ns (stanza, "ping", XMPP_NS_PING) == NULL)
    {
      xmpp_stanza_t *error = xmpp_stanza_new (self->ctx);
      xmpp_stanza_t *condition = xmpp_stanza_new (self->ctx);

      xmpp_stanza_set_type (reply, "error");
      xmpp_stanza_set_name (error, "error");
      xmpp_stanza_set_type (error, "cancel");
      xmpp_stanza_set_name (condition, "service-unavailable");
      xmpp_stanza_set_ns (condition, TESSERA_NS_STANZAS);
      xmpp_stanza_add_child_ex (error, condition, 0);
      xmpp_stanza_add_child_ex (reply, error, 0);
    }

  xmpp_send (conn, reply);
  xmpp_stanza_release (reply);

  return 1;
}

static int
iq_reply_cb (xmpp_conn_t   *conn,
             xmpp_stanza_t *stanza,
             void          *userdata)
{
  IqRequest *req = userdata;
  TesseraConnection *self = req->connection;
  TesseraReplyKind kind;

  kind = tessera_protocol_classify_reply (stanza, self->bare_jid, self->domain);
  if (kind == TESSERA_REPLY_IGNORE)
    {
      /* Same id, wrong sender or kind: not our answer. Keep waiting. */
      g_debug ("Ignoring a stanza with the id of a pending request (from %s, type %s)",
               xmpp_stanza_get_from (stanza) ? xmpp_stanza_get_from (stanza) : "(none)",
               xmpp_stanza_get_type (stanza) ? xmpp_stanza_get_type (stanza) : "(none)");
      return 1;
    }

  g_mutex_lock (&self->mutex);
  if (!req->done && !req->abandoned)
    {
      GError *error = NULL;
      gpointer result = NULL;

      /* The parser runs under the lock so the waiter cannot give up (and
       * free user_data) halfway through. */
      if (kind == TESSERA_REPLY_RESULT)
        result = req->parse != NULL ? req->parse (stanza, req->user_data, &error)
                                    : GINT_TO_POINTER (TRUE);
      else
        error = tessera_protocol_error_from_reply (stanza);

      if (result == NULL && error == NULL)
        error = g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_MALFORMED_REPLY,
                             _("Reading the server's answer failed: it is malformed"));
      iq_request_complete_locked (self, req, result, error);
    }
  g_mutex_unlock (&self->mutex);

  g_ptr_array_remove (self->in_flight, req);

  return 0;
}

/* ---- connection state -------------------------------------------------- */

static GError *
error_for_stream_error (xmpp_stream_error_t *stream_error)
{
  const char *condition = "undefined-condition";
  xmpp_stanza_t *child;

  if (stream_error->stanza != NULL)
    {
      for (child = xmpp_stanza_get_children (stream_error->stanza); child; child = xmpp_stanza_get_next (child))
        {
          const char *name = xmpp_stanza_get_name (child);

          if (name != NULL && xmpp_stanza_is_tag (child) && !g_str_equal (name, "text"))
            {
              condition = name;
              break;
            }
        }
    }

  if (g_str_equal (condition, "reset"))
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_STREAM_ERROR,
                        _("The server ended the session: the certificate it used was revoked (reset)"));

  if (stream_error->text != NULL)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_STREAM_ERROR,
                        _("The server ended the connection: %s (%s)"),
                        condition, stream_error->text);

  return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_STREAM_ERROR,
                      _("The server ended the connection: %s"), condition);
}

static GError *
error_for_failed_login (TesseraConnection *self)
{
  TesseraConnectionObservations *obs = &self->obs;
  const char *reason = obs->sasl_failure_text != NULL ? obs->sasl_failure_text
                     : obs->sasl_failure_condition != NULL ? obs->sasl_failure_condition
                     : "not-authorized";

  if (self->cert_path != NULL)
    {
      if (obs->mechanisms_seen && !obs->external_offered)
        return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_EXTERNAL_NOT_OFFERED,
                            _("Logging in with the certificate failed: the server does not offer SASL EXTERNAL"));
      if (obs->sasl_failed)
        return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                            _("Logging in with the certificate failed: the server refused it (%s)"), reason);
      return NULL;
    }

  if (obs->sasl_failed)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                        _("Logging in failed: the server refused the password (%s)"), reason);
  if (obs->mechanisms_seen && g_atomic_int_get (&obs->auth_attempts) == 0)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                        _("Logging in failed: the server offers no login method Tessera supports"));

  return NULL;
}

static GError *
error_for_failed_tls (TesseraConnection *self)
{
  TesseraConnectionObservations *obs = &self->obs;

  if (obs->cert_rejected)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_CERTIFICATE,
                        _("Checking the server's certificate failed: %s (SHA-256 %s)"),
                        obs->cert_error != NULL ? obs->cert_error : _("not trusted"),
                        obs->cert_fingerprint != NULL ? obs->cert_fingerprint : "?");
  if (obs->tls_not_offered)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_NOT_OFFERED,
                        _("Securing the connection failed: the server does not offer TLS"));
  if (obs->tls_failed)
    return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_NOT_OFFERED,
                        _("Securing the connection failed: the TLS handshake did not succeed"));

  return NULL;
}

/* Why a connection that never became ready ended. */
static GError *
error_for_failed_connect (TesseraConnection   *self,
                          int                  error_code,
                          xmpp_stream_error_t *stream_error)
{
  const char *where = self->host != NULL ? self->host : self->domain;
  GError *error;
  int err;

  if (stream_error != NULL)
    return error_for_stream_error (stream_error);
  if ((error = error_for_failed_tls (self)) != NULL)
    return error;
  if ((error = error_for_failed_login (self)) != NULL)
    return error;

  err = self->obs.connect_errno != 0 ? self->obs.connect_errno : error_code;
  if (!self->obs.tcp_connected)
    {
      if (err != 0)
        return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                            _("Connecting to %s failed: %s"), where, g_strerror (err));
      return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                          _("Connecting to %s failed: no address could be reached"), where);
    }

  return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                      _("Connecting to %s failed: the server closed the connection during login"),
                      where);
}

static void
worker_on_ready (TesseraConnection *self)
{
  const char *accepted = self->obs.mechanism_accepted;

  /* A certificate connection carries no password, but check anyway that
   * it is EXTERNAL that let us in. */
  if (self->cert_path != NULL && g_strcmp0 (accepted, "EXTERNAL") != 0)
    {
      GError *error = g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                                   _("Logging in with the certificate failed: the server let us in with %s instead of SASL EXTERNAL"),
                                   accepted != NULL ? accepted : "?");

      worker_on_closed (self, error);
      xmpp_disconnect (self->conn);
      return;
    }

  g_mutex_lock (&self->mutex);
  if (self->state == STATE_CONNECTING)
    {
      self->state = STATE_READY;
      self->bound_jid = g_strdup (xmpp_conn_get_bound_jid (self->conn));
      self->mechanism = g_strdup (accepted);
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);

  xmpp_handler_add (self->conn, incoming_iq_cb, NULL, "iq", NULL, self);
  g_debug ("Connected to %s as %s (SASL %s)", self->domain,
           xmpp_conn_get_bound_jid (self->conn), accepted != NULL ? accepted : "?");
}

static void
fail_all_requests (TesseraConnection *self)
{
  IqRequest *req;

  /* with the mutex held */
  while ((req = g_queue_pop_head (&self->outbox)) != NULL)
    {
      iq_request_complete_locked (self, req, NULL, copy_error_or_closed (self));
      iq_request_unref (req);
    }
  for (guint i = 0; i < self->in_flight->len; i++)
    {
      req = g_ptr_array_index (self->in_flight, i);
      iq_request_complete_locked (self, req, NULL, copy_error_or_closed (self));
    }
}

/* Takes @error (nullable: a local close). */
static void
worker_on_closed (TesseraConnection *self,
                  GError            *error)
{
  gboolean was_ready;
  gboolean notify = FALSE;
  TesseraConnectionClosedFunc func;
  gpointer func_data;
  g_autoptr(GError) notify_error = NULL;

  g_mutex_lock (&self->mutex);
  was_ready = self->state == STATE_READY;
  if (self->state != STATE_CLOSED)
    {
      if (self->error == NULL)
        self->error = error != NULL ? g_error_copy (error) : NULL;
      self->state = STATE_CLOSED;
      if (was_ready && !self->closed_notified)
        {
          self->closed_notified = TRUE;
          notify = TRUE;
          notify_error = self->stop_requested || self->error == NULL ? NULL : g_error_copy (self->error);
        }
      if (self->error == NULL)
        self->error = g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                                   _("Talking to the server failed: the connection is closed"));
    }
  self->sock_fd = -1;
  fail_all_requests (self);
  func = self->closed_func;
  func_data = self->closed_data;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_clear_error (&error);
  for (guint i = 0; i < self->in_flight->len; i++)
    {
      IqRequest *req = g_ptr_array_index (self->in_flight, i);

      xmpp_id_handler_delete (self->conn, iq_reply_cb, req->id);
    }
  g_ptr_array_set_size (self->in_flight, 0);

  if (notify)
    {
      g_debug ("Connection to %s closed%s%s", self->domain,
               notify_error != NULL ? ": " : "",
               notify_error != NULL ? notify_error->message : "");
      if (func != NULL)
        func (self, notify_error, func_data);
    }
}

static void
conn_cb (xmpp_conn_t         *conn,
         xmpp_conn_event_t    event,
         int                  error_code,
         xmpp_stream_error_t *stream_error,
         void                *userdata)
{
  TesseraConnection *self = userdata;
  State state;
  GError *error = NULL;

  switch (event)
    {
    case XMPP_CONN_CONNECT:
      worker_on_ready (self);
      return;

    case XMPP_CONN_RAW_CONNECT:
      return;

    case XMPP_CONN_DISCONNECT:
    case XMPP_CONN_FAIL:
      g_mutex_lock (&self->mutex);
      state = self->state;
      g_mutex_unlock (&self->mutex);

      if (state == STATE_CONNECTING)
        error = error_for_failed_connect (self, error_code, stream_error);
      else if (state == STATE_READY && stream_error != NULL)
        error = error_for_stream_error (stream_error);
      else if (state == STATE_READY)
        error = g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                             _("Talking to the server failed: the connection was lost"));
      worker_on_closed (self, error);
      return;

    default:
      return;
    }
}

/* ---- worker loop ------------------------------------------------------- */

static void
worker_send_queued (TesseraConnection *self)
{
  for (;;)
    {
      IqRequest *req;
      xmpp_stanza_t *stanza = NULL;

      g_mutex_lock (&self->mutex);
      req = g_queue_pop_head (&self->outbox);
      if (req != NULL && !req->abandoned && !req->done)
        {
          /* user_data belongs to the waiter: touch it under the lock only */
          stanza = req->build (self->ctx, req->id, req->user_data);
          if (stanza == NULL)
            iq_request_complete_locked (self, req, NULL,
                                        g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_FAILED,
                                                     _("Preparing the request failed")));
          else
            req->sent = TRUE;
        }
      g_mutex_unlock (&self->mutex);

      if (req == NULL)
        return;

      if (stanza != NULL)
        {
          xmpp_stanza_set_id (stanza, req->id);
          g_ptr_array_add (self->in_flight, req);   /* takes the queue's ref */
          xmpp_id_handler_add (self->conn, iq_reply_cb, req->id, req);
          xmpp_send (self->conn, stanza);
          xmpp_stanza_release (stanza);
        }
      else
        iq_request_unref (req);
    }
}

static void
worker_reap_abandoned (TesseraConnection *self)
{
  guint i = 0;

  while (i < self->in_flight->len)
    {
      IqRequest *req = g_ptr_array_index (self->in_flight, i);
      gboolean gone;

      g_mutex_lock (&self->mutex);
      gone = req->abandoned || req->done;
      g_mutex_unlock (&self->mutex);

      if (gone)
        {
          xmpp_id_handler_delete (self->conn, iq_reply_cb, req->id);
          g_ptr_array_remove_index_fast (self->in_flight, i);
        }
      else
        i++;
    }
}

static gboolean
worker_setup (TesseraConnection *self)
{
  long flags = XMPP_CONN_FLAG_MANDATORY_TLS;
  const char *altdomain = self->host;
  int rc;

  self->log.handler = log_cb;
  self->log.userdata = self;
  self->ctx = xmpp_ctx_new (NULL, &self->log);
  self->conn = xmpp_conn_new (self->ctx);
  ctx_map_add (self->ctx, self);

  /* Never XMPP_CONN_FLAG_TRUST_TLS. */
  if (self->direct_tls)
    flags |= XMPP_CONN_FLAG_LEGACY_SSL;
  xmpp_conn_set_flags (self->conn, flags);
  xmpp_conn_set_jid (self->conn, self->bare_jid);
  if (self->ca_file != NULL)
    xmpp_conn_set_cafile (self->conn, self->ca_file);
  xmpp_conn_set_certfail_handler (self->conn, certfail_cb);
  xmpp_conn_set_sockopt_callback (self->conn, sockopt_cb);

  if (self->cert_path != NULL)
    {
      /* No xmpp_conn_set_pass() here, ever: a refused EXTERNAL must have
       * nothing to fall back to. */
      xmpp_conn_set_client_cert (self->conn, self->cert_path, self->key_path);
      xmpp_conn_set_password_callback (self->conn, password_cb, self);
      xmpp_conn_set_password_retries (self->conn, 1);
    }
  else
    xmpp_conn_set_pass (self->conn, self->password);

  if (altdomain == NULL && self->port != 0)
    altdomain = self->domain;

  g_debug ("Connecting to %s (%s:%u, %s, %s login)", self->domain,
           altdomain != NULL ? altdomain : "SRV", self->port,
           self->direct_tls ? "direct TLS" : "STARTTLS",
           self->cert_path != NULL ? "certificate" : "password");

  rc = xmpp_connect_client (self->conn, altdomain, self->port, conn_cb, self);
  if (rc != XMPP_EOK)
    {
      worker_on_closed (self, g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                                           _("Connecting to %s failed: the address could not be resolved"),
                                           altdomain != NULL ? altdomain : self->domain));
      return FALSE;
    }

  return TRUE;
}

static void
worker_teardown (TesseraConnection *self)
{
  worker_on_closed (self, NULL);

  /* Releasing a live connection makes libstrophe call conn_cb once more;
   * the state is CLOSED by now, so that changes nothing. */
  xmpp_conn_release (self->conn);
  self->conn = NULL;
  ctx_map_remove (self->ctx);
  xmpp_ctx_free (self->ctx);
  self->ctx = NULL;
}

static gpointer
worker_main (gpointer data)
{
  TesseraConnection *self = data;
  gboolean disconnect_sent = FALSE;
  gint64 stop_deadline = 0;

  if (worker_setup (self))
    {
      for (;;)
        {
          gboolean stop;
          State state;

          g_mutex_lock (&self->mutex);
          stop = self->stop_requested;
          state = self->state;
          g_mutex_unlock (&self->mutex);

          if (state == STATE_CLOSED && !xmpp_conn_is_connected (self->conn) &&
              !xmpp_conn_is_connecting (self->conn))
            break;

          if (stop && !disconnect_sent)
            {
              disconnect_sent = TRUE;
              stop_deadline = g_get_monotonic_time () + CLOSE_GRACE_USEC;
              if (state != STATE_READY)
                break;
              /* Closes the stream politely; conn_cb follows. */
              xmpp_disconnect (self->conn);
            }
          else if (stop && g_get_monotonic_time () > stop_deadline)
            break;

          xmpp_run_once (self->ctx, RUN_ONCE_MS);
          worker_send_queued (self);
          worker_reap_abandoned (self);
        }
    }

  worker_teardown (self);
  tessera_connection_unref (self);

  return NULL;
}

/* ---- public API -------------------------------------------------------- */

TesseraConnection *
tessera_connection_new (const TesseraConnectionConfig *config)
{
  TesseraConnection *self;
  GPtrArray *secrets;
  GThread *thread;
  const char *at;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->bare_jid != NULL, NULL);
  g_return_val_if_fail ((config->password != NULL) != (config->client_cert_path != NULL), NULL);
  g_return_val_if_fail ((config->client_cert_path != NULL) == (config->client_key_path != NULL), NULL);

  ensure_strophe_initialized ();

  self = g_new0 (TesseraConnection, 1);
  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->outbox);
  self->in_flight = g_ptr_array_new_with_free_func ((GDestroyNotify) iq_request_unref);
  self->state = STATE_CONNECTING;
  self->sock_fd = -1;

  self->bare_jid = g_strdup (config->bare_jid);
  at = strchr (config->bare_jid, '@');
  self->domain = g_strdup (at != NULL ? at + 1 : config->bare_jid);
  self->host = config->host != NULL && config->host[0] != '\0' ? g_strdup (config->host) : NULL;
  self->port = config->port;
  self->direct_tls = config->direct_tls;
  self->ca_file = config->ca_file != NULL && config->ca_file[0] != '\0' ? g_strdup (config->ca_file) : NULL;
  self->pin = normalize_pin (config->pinned_fingerprint);
  self->password = g_strdup (config->password);
  self->cert_path = g_strdup (config->client_cert_path);
  self->key_path = g_strdup (config->client_key_path);
  self->key_passphrase = g_strdup (config->key_passphrase);
  self->log_strophe = tessera_log_strophe_enabled ();

  secrets = g_ptr_array_new ();
  if (self->password != NULL)
    g_ptr_array_add (secrets, g_strdup (self->password));
  if (self->key_passphrase != NULL)
    g_ptr_array_add (secrets, g_strdup (self->key_passphrase));
  g_ptr_array_add (secrets, NULL);
  self->secrets = (char **) g_ptr_array_free (secrets, FALSE);

  /* The worker owns one reference until it has cleaned up. */
  thread = g_thread_new ("tessera-xmpp", worker_main, tessera_connection_ref (self));
  g_thread_unref (thread);

  return self;
}

TesseraConnection *
tessera_connection_ref (TesseraConnection *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static void
wipe_string (char *str)
{
  if (str != NULL)
    explicit_bzero (str, strlen (str));
  g_free (str);
}

void
tessera_connection_unref (TesseraConnection *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;

  if (self->closed_destroy != NULL)
    self->closed_destroy (self->closed_data);
  g_ptr_array_unref (self->in_flight);
  g_clear_error (&self->error);
  g_free (self->bare_jid);
  g_free (self->domain);
  g_free (self->host);
  g_free (self->ca_file);
  g_free (self->pin);
  wipe_string (self->password);
  g_free (self->cert_path);
  g_free (self->key_path);
  wipe_string (self->key_passphrase);
  for (guint i = 0; self->secrets[i] != NULL; i++)
    explicit_bzero (self->secrets[i], strlen (self->secrets[i]));
  g_strfreev (self->secrets);
  g_free (self->bound_jid);
  g_free (self->mechanism);
  g_free (self->obs.mechanism_sent);
  g_free (self->obs.mechanism_accepted);
  g_free (self->obs.sasl_failure_condition);
  g_free (self->obs.sasl_failure_text);
  g_free (self->obs.cert_error);
  g_free (self->obs.cert_fingerprint);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

/* With the mutex held: wakes a worker stuck in a blocking TLS handshake on
 * a silent server (libstrophe loops there without a timeout). The inode
 * check makes sure the descriptor still is our socket. */
static void
shutdown_socket_locked (TesseraConnection *self)
{
  struct stat st;

  if (self->sock_fd < 0)
    return;
  if (fstat (self->sock_fd, &st) == 0 && st.st_dev == self->sock_dev && st.st_ino == self->sock_ino)
    shutdown (self->sock_fd, SHUT_RDWR);
  self->sock_fd = -1;
}

static void
request_stop_locked (TesseraConnection *self,
                     GError            *error)
{
  if (self->error == NULL && error != NULL)
    self->error = g_error_copy (error);
  if (self->stop_requested)
    return;

  self->stop_requested = TRUE;
  if (self->state == STATE_CONNECTING)
    shutdown_socket_locked (self);
  g_cond_broadcast (&self->cond);
}

void
tessera_connection_close (TesseraConnection *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL);

  error = g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                       _("Talking to the server failed: the connection was closed"));
  g_mutex_lock (&self->mutex);
  request_stop_locked (self, error);
  g_mutex_unlock (&self->mutex);
}

static GError *
wait_error (GCancellable *cancellable)
{
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    return error;

  return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT,
                      _("The server did not answer in time"));
}

/* With the mutex held: waits one slice; FALSE when the deadline passed or
 * the operation was cancelled. */
static gboolean
wait_slice_locked (TesseraConnection *self,
                   gint64             deadline,
                   GCancellable      *cancellable)
{
  gint64 now = g_get_monotonic_time ();

  if (g_cancellable_is_cancelled (cancellable) || now >= deadline)
    return FALSE;

  g_cond_wait_until (&self->cond, &self->mutex, MIN (deadline, now + WAIT_SLICE_USEC));

  return TRUE;
}

gboolean
tessera_connection_wait_ready (TesseraConnection  *self,
                               gint64              deadline,
                               GCancellable       *cancellable,
                               GError            **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  self->waiters++;
  while (self->state == STATE_CONNECTING && !self->stop_requested)
    {
      if (!wait_slice_locked (self, deadline, cancellable))
        {
          local_error = wait_error (cancellable);
          break;
        }
    }
  self->waiters--;

  if (local_error != NULL)
    {
      /* The last one waiting gives the attempt up. */
      if (self->waiters == 0 && self->state == STATE_CONNECTING)
        request_stop_locked (self, local_error);
    }
  else if (self->state != STATE_READY)
    local_error = copy_error_or_closed (self);
  g_mutex_unlock (&self->mutex);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

gpointer
tessera_connection_iq (TesseraConnection  *self,
                       TesseraIqBuildFunc  build,
                       TesseraIqParseFunc  parse,
                       gpointer            user_data,
                       gint64              deadline,
                       GCancellable       *cancellable,
                       gboolean           *not_sent,
                       GError            **error)
{
  IqRequest *req;
  gpointer result = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (build != NULL, NULL);

  if (not_sent != NULL)
    *not_sent = FALSE;

  g_mutex_lock (&self->mutex);
  if (self->state != STATE_READY || self->stop_requested)
    {
      if (not_sent != NULL)
        *not_sent = TRUE;
      local_error = copy_error_or_closed (self);
      g_mutex_unlock (&self->mutex);
      g_propagate_error (error, local_error);
      return NULL;
    }

  req = g_new0 (IqRequest, 1);
  g_atomic_ref_count_init (&req->ref_count);
  req->build = build;
  req->parse = parse;
  req->user_data = user_data;
  req->id = tessera_connection_new_id ();
  req->connection = self;
  g_queue_push_tail (&self->outbox, iq_request_ref (req));

  while (!req->done)
    {
      if (!wait_slice_locked (self, deadline, cancellable))
        break;
    }

  if (req->done)
    {
      result = req->result;
      local_error = g_steal_pointer (&req->error);
      req->result = NULL;
    }
  else
    {
      /* The worker drops it; a late answer is ignored. */
      req->abandoned = TRUE;
      local_error = wait_error (cancellable);
    }
  if (not_sent != NULL && !req->sent)
    *not_sent = TRUE;
  g_mutex_unlock (&self->mutex);

  iq_request_unref (req);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  return result;
}

gboolean
tessera_connection_is_alive (TesseraConnection *self)
{
  gboolean alive;

  g_mutex_lock (&self->mutex);
  alive = self->state != STATE_CLOSED && !self->stop_requested;
  g_mutex_unlock (&self->mutex);

  return alive;
}

char *
tessera_connection_dup_bound_jid (TesseraConnection *self)
{
  char *jid;

  g_mutex_lock (&self->mutex);
  jid = g_strdup (self->bound_jid);
  g_mutex_unlock (&self->mutex);

  return jid;
}

char *
tessera_connection_dup_mechanism (TesseraConnection *self)
{
  char *mechanism;

  g_mutex_lock (&self->mutex);
  mechanism = g_strdup (self->mechanism);
  g_mutex_unlock (&self->mutex);

  return mechanism;
}

guint
tessera_connection_get_sockets_opened (TesseraConnection *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->sockets_opened;
  g_mutex_unlock (&self->mutex);

  return n;
}

void
tessera_connection_set_closed_func (TesseraConnection           *self,
                                    TesseraConnectionClosedFunc  func,
                                    gpointer                     user_data,
                                    GDestroyNotify               destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_mutex_lock (&self->mutex);
  old_destroy = self->closed_destroy;
  old_data = self->closed_data;
  self->closed_func = func;
  self->closed_data = user_data;
  self->closed_destroy = destroy;
  g_mutex_unlock (&self->mutex);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

/* ---- test support ------------------------------------------------------ */

guint
_tessera_connection_get_auth_attempts (TesseraConnection *self)
{
  return (guint) g_atomic_int_get (&self->obs.auth_attempts);
}
