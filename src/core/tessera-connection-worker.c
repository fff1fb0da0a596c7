/* tessera-connection-worker.c: the thread that owns a libstrophe context
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* memfd_create () and the F_SEAL_* flags */
#define _GNU_SOURCE

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "tessera-connection-private.h"
#include "tessera-error.h"
#include "tessera-protocol.h"

#define RUN_ONCE_MS        50
/* While a reply is awaited, and for a moment after one came (the next
 * request of the same operation follows at once), the worker polls this
 * often instead: libstrophe cannot be woken from another thread, and its
 * select () does not see a reply OpenSSL already holds in its buffer. */
#define RUN_ONCE_BUSY_MS   2
#define BUSY_LINGER_USEC   (250 * G_TIME_SPAN_MILLISECOND)
#define CLOSE_GRACE_USEC   (2 * G_USEC_PER_SEC)
#define XMPP_NS_PING       "urn:xmpp:ping"

static void worker_on_closed (TesseraConnection *self,
                              GError            *error);
static void worker_drop_key  (TesseraConnection *self);

/* ---- libstrophe callbacks (worker thread) ------------------------------ */

static int
sockopt_cb (xmpp_conn_t *conn,
            void        *sock)
{
  TesseraConnection *self = _tessera_connection_lookup_ctx (xmpp_conn_get_context (conn));
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

  /* Requests queued together (a revocation and the list that checks it)
   * leave together instead of the second waiting for the first's ACK. */
  if (setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &(int) { 1 }, sizeof (int)) != 0)
    g_debug ("TCP_NODELAY: %s", g_strerror (errno));

  /* Also makes libstrophe 0.12.2 try every resolved address. */
  return xmpp_sockopt_cb_keepalive (conn, sock);
}

/* The server's own Nagle algorithm holds back its next small record until
 * this side acknowledges the last one, which Linux delays by up to 40 ms
 * when it has nothing to send: after the TLS handshake Prosody's stream
 * features wait for exactly that. Acknowledging at once removes the stall;
 * the kernel falls back to delayed ACKs by itself, hence before each poll. */
static void
worker_quickack (int fd)
{
#ifdef TCP_QUICKACK
  if (fd >= 0)
    (void) setsockopt (fd, IPPROTO_TCP, TCP_QUICKACK, &(int) { 1 }, sizeof (int));
#endif
}

/* The key reaches OpenSSL unlocked, so no passphrase is ever needed: say
 * no rather than let OpenSSL's default callback prompt on a terminal. */
static int
password_cb (char        *pw,
             size_t       pw_max,
             xmpp_conn_t *conn,
             void        *userdata)
{
  return -1;
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
  TesseraIqRequest *req = userdata;
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
      _tessera_iq_request_complete_locked (self, req, result, error);
    }
  g_mutex_unlock (&self->mutex);

  g_ptr_array_remove (self->in_flight, req);

  return 0;
}

/* ---- connection state -------------------------------------------------- */

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

  /* The handshake is over: the key is not needed again. */
  worker_drop_key (self);
  xmpp_handler_add (self->conn, incoming_iq_cb, NULL, "iq", NULL, self);
  g_debug ("Connected to %s as %s (SASL %s)", self->domain,
           xmpp_conn_get_bound_jid (self->conn), accepted != NULL ? accepted : "?");
}

static void
fail_all_requests (TesseraConnection *self)
{
  TesseraIqRequest *req;

  /* with the mutex held */
  while ((req = g_queue_pop_head (&self->outbox)) != NULL)
    {
      _tessera_iq_request_complete_locked (self, req, NULL, _tessera_connection_copy_error_locked (self));
      _tessera_iq_request_unref (req);
    }
  for (guint i = 0; i < self->in_flight->len; i++)
    {
      req = g_ptr_array_index (self->in_flight, i);
      _tessera_iq_request_complete_locked (self, req, NULL, _tessera_connection_copy_error_locked (self));
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
      TesseraIqRequest *req = g_ptr_array_index (self->in_flight, i);

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
  TesseraConnectionState state;
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
        error = _tessera_connection_error_for_failed_connect (self, error_code, stream_error);
      else if (state == STATE_READY && stream_error != NULL)
        error = _tessera_connection_error_for_stream_error (stream_error, self->cert_path != NULL);
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

/* Test hook: the worker thread lingers this long after it reported that
 * it is done, before it returns and its thread-local state (OpenSSL's
 * included) is freed; a loaded machine can deschedule it there as long.
 * Inert unless built with test-hooks and TESSERA_TEST_WORKER_LINGER_MS
 * is set. */
static void
worker_test_linger (void)
{
#ifdef TESSERA_TEST_HOOKS
  const char *value = g_getenv ("TESSERA_TEST_WORKER_LINGER_MS");

  if (value == NULL)
    return;
  g_usleep (g_ascii_strtoull (value, NULL, 10) * G_TIME_SPAN_MILLISECOND);
  /* A test counts these against the "finished" messages: each worker
   * that finished must also get here before the process ends. */
  g_debug ("Connection worker thread ends after lingering %s ms", value);
#endif
}

static void
worker_send_queued (TesseraConnection *self)
{
  for (;;)
    {
      TesseraIqRequest *req;
      xmpp_stanza_t *stanza = NULL;

      g_mutex_lock (&self->mutex);
      req = g_queue_pop_head (&self->outbox);
      if (req != NULL && !req->abandoned && !req->done)
        {
          /* user_data belongs to the waiter: touch it under the lock only */
          stanza = req->build (self->ctx, req->id, req->user_data);
          if (stanza == NULL)
            _tessera_iq_request_complete_locked (self, req, NULL,
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
        _tessera_iq_request_unref (req);
    }
}

static void
worker_reap_abandoned (TesseraConnection *self)
{
  guint i = 0;

  while (i < self->in_flight->len)
    {
      TesseraIqRequest *req = g_ptr_array_index (self->in_flight, i);
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

/* The unlocked key goes to OpenSSL as /proc/self/fd/N of an anonymous
 * memory file (DESIGN.md, "The key in a login"): it never reaches a file
 * system, no child process inherits it (MFD_CLOEXEC), it is sealed so
 * nothing can change it once written, and it is closed right after the
 * handshake. */
static gboolean
worker_open_key (TesseraConnection *self)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (self->client_key, &len);
  gsize written = 0;
  int fd;

  fd = memfd_create ("tessera-key", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return FALSE;
  while (written < len)
    {
      ssize_t n = write (fd, data + written, len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          close (fd);
          return FALSE;
        }
      written += n;
    }
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    {
      close (fd);
      return FALSE;
    }

  self->key_fd = fd;
  g_free (self->key_path);
  self->key_path = g_strdup_printf ("/proc/self/fd/%d", fd);

  return TRUE;
}

static gboolean
worker_setup (TesseraConnection *self)
{
  long flags = XMPP_CONN_FLAG_MANDATORY_TLS;
  const char *altdomain = self->host;
  int rc;

  self->log.handler = _tessera_connection_log_cb;
  self->log.userdata = self;
  self->ctx = xmpp_ctx_new (NULL, &self->log);
  self->conn = xmpp_conn_new (self->ctx);
  _tessera_connection_ctx_map_add (self->ctx, self);

  /* Never XMPP_CONN_FLAG_TRUST_TLS. */
  if (self->direct_tls)
    flags |= XMPP_CONN_FLAG_LEGACY_SSL;
  xmpp_conn_set_flags (self->conn, flags);
  xmpp_conn_set_jid (self->conn, self->bare_jid);
  if (self->ca_file != NULL)
    xmpp_conn_set_cafile (self->conn, self->ca_file);
  xmpp_conn_set_certfail_handler (self->conn, _tessera_connection_certfail_cb);
  xmpp_conn_set_sockopt_callback (self->conn, sockopt_cb);

  if (self->cert_path != NULL)
    {
      if (!worker_open_key (self))
        {
          int saved = errno;

          worker_on_closed (self, g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                                               _("Logging in with the certificate failed: the key could not be handed to the TLS library (%s)"),
                                               g_strerror (saved)));
          return FALSE;
        }
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
worker_drop_key (TesseraConnection *self)
{
  if (self->key_fd >= 0)
    close (self->key_fd);
  self->key_fd = -1;
  g_clear_pointer (&self->client_key, g_bytes_unref);
}

static void
worker_teardown (TesseraConnection *self)
{
  worker_drop_key (self);
  worker_on_closed (self, NULL);

  /* Releasing a live connection makes libstrophe call conn_cb once more;
   * the state is CLOSED by now, so that changes nothing. */
  xmpp_conn_release (self->conn);
  self->conn = NULL;
  _tessera_connection_ctx_map_remove (self->ctx);
  xmpp_ctx_free (self->ctx);
  self->ctx = NULL;
}

gpointer
_tessera_connection_worker_main (gpointer data)
{
  TesseraConnection *self = data;
  gboolean disconnect_sent = FALSE;
  gint64 stop_deadline = 0;
  gint64 busy_until = 0;
  TesseraConnectionState last_state = STATE_CONNECTING;
  sigset_t sigpipe;

  /* OpenSSL writes with write(2): a socket the peer (or an abandoned
   * attempt) shut down would raise SIGPIPE and end the whole process.
   * Blocked in this thread, the write fails with EPIPE instead. */
  sigemptyset (&sigpipe);
  sigaddset (&sigpipe, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &sigpipe, NULL);

  if (worker_setup (self))
    {
      for (;;)
        {
          gboolean stop;
          TesseraConnectionState state;
          int fd;

          g_mutex_lock (&self->mutex);
          stop = self->stop_requested;
          state = self->state;
          fd = self->sock_fd;
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

          /* Becoming ready: the first request comes right after. */
          if (state != last_state || self->in_flight->len > 0)
            busy_until = g_get_monotonic_time () + BUSY_LINGER_USEC;
          last_state = state;

          if (xmpp_conn_is_connected (self->conn) || xmpp_conn_is_connecting (self->conn))
            worker_quickack (fd);
          xmpp_run_once (self->ctx,
                         g_get_monotonic_time () < busy_until ? RUN_ONCE_BUSY_MS : RUN_ONCE_MS);
          worker_send_queued (self);
          worker_reap_abandoned (self);
        }
    }

  worker_teardown (self);
  g_debug ("Connection worker for %s finished", self->domain);
  _tessera_connection_worker_finished (self);
  tessera_connection_unref (self);
  worker_test_linger ();

  return NULL;
}
