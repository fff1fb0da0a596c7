/* tessera-connection.c: one XMPP connection on its own worker thread
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>

#include "tessera-connection-private.h"
#include "tessera-error.h"
#include "tessera-log.h"
#include "tessera-secret.h"

#define WAIT_SLICE_USEC    (50 * 1000)

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
  g_return_val_if_fail ((config->client_cert_path != NULL) == (config->client_key != NULL), NULL);

  _tessera_connection_ensure_initialized ();

  self = g_new0 (TesseraConnection, 1);
  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->outbox);
  self->in_flight = g_ptr_array_new_with_free_func ((GDestroyNotify) _tessera_iq_request_unref);
  self->state = STATE_CONNECTING;
  self->sock_fd = -1;
  self->key_fd = -1;

  self->bare_jid = g_strdup (config->bare_jid);
  at = strchr (config->bare_jid, '@');
  self->domain = g_strdup (at != NULL ? at + 1 : config->bare_jid);
  self->host = config->host != NULL && config->host[0] != '\0' ? g_strdup (config->host) : NULL;
  self->port = config->port;
  self->direct_tls = config->direct_tls;
  self->ca_file = config->ca_file != NULL && config->ca_file[0] != '\0' ? g_strdup (config->ca_file) : NULL;
  self->pin = _tessera_connection_normalize_pin (config->pinned_fingerprint);
  self->password = g_strdup (config->password);
  self->cert_path = g_strdup (config->client_cert_path);
  self->client_key = config->client_key != NULL ? g_bytes_ref (config->client_key) : NULL;
  self->log_strophe = tessera_log_strophe_enabled ();

  secrets = g_ptr_array_new ();
  if (self->password != NULL)
    g_ptr_array_add (secrets, g_strdup (self->password));
  g_ptr_array_add (secrets, NULL);
  self->secrets = (char **) g_ptr_array_free (secrets, FALSE);

  /* The worker owns one reference until it has cleaned up. */
  _tessera_connection_worker_register (self);
  thread = g_thread_new ("tessera-xmpp", _tessera_connection_worker_main, tessera_connection_ref (self));
  g_thread_unref (thread);

  return self;
}

void
tessera_connection_close (TesseraConnection *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL);

  error = g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                       _("Talking to the server failed: the connection was closed"));
  g_mutex_lock (&self->mutex);
  _tessera_connection_request_stop_locked (self, error);
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
        _tessera_connection_request_stop_locked (self, local_error);
    }
  else if (self->state != STATE_READY)
    local_error = _tessera_connection_copy_error_locked (self);
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
  TesseraIqRequest *req;
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
      local_error = _tessera_connection_copy_error_locked (self);
      g_mutex_unlock (&self->mutex);
      g_propagate_error (error, local_error);
      return NULL;
    }

  req = g_new0 (TesseraIqRequest, 1);
  g_atomic_ref_count_init (&req->ref_count);
  req->build = build;
  req->parse = parse;
  req->user_data = user_data;
  req->id = tessera_connection_new_id ();
  req->connection = self;
  g_queue_push_tail (&self->outbox, _tessera_iq_request_ref (req));

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

  _tessera_iq_request_unref (req);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  return result;
}

static gboolean
all_done_locked (TesseraIqRequest **reqs,
                 guint              n_reqs)
{
  for (guint i = 0; i < n_reqs; i++)
    if (reqs[i] != NULL && !reqs[i]->done)
      return FALSE;
  return TRUE;
}

void
tessera_connection_iq_many (TesseraConnection  *self,
                            TesseraIqCall      *calls,
                            guint               n_calls,
                            gint64              deadline,
                            GCancellable       *cancellable)
{
  g_autofree TesseraIqRequest **reqs = g_new0 (TesseraIqRequest *, n_calls);

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  if (self->state != STATE_READY || self->stop_requested)
    {
      for (guint i = 0; i < n_calls; i++)
        calls[i].error = _tessera_connection_copy_error_locked (self);
      g_mutex_unlock (&self->mutex);
      return;
    }

  /* Queued under one lock: the worker takes them in one go. */
  for (guint i = 0; i < n_calls; i++)
    {
      TesseraIqRequest *req = g_new0 (TesseraIqRequest, 1);

      g_atomic_ref_count_init (&req->ref_count);
      req->build = calls[i].build;
      req->parse = calls[i].parse;
      req->user_data = calls[i].user_data;
      req->id = tessera_connection_new_id ();
      req->connection = self;
      g_queue_push_tail (&self->outbox, _tessera_iq_request_ref (req));
      reqs[i] = req;
    }

  while (!all_done_locked (reqs, n_calls))
    {
      if (!wait_slice_locked (self, deadline, cancellable))
        break;
    }

  for (guint i = 0; i < n_calls; i++)
    {
      TesseraIqRequest *req = reqs[i];

      if (req->done)
        {
          calls[i].result = req->result;
          calls[i].error = g_steal_pointer (&req->error);
          req->result = NULL;
        }
      else
        {
          /* The worker drops it; a late answer is ignored. */
          req->abandoned = TRUE;
          calls[i].error = wait_error (cancellable);
        }
      calls[i].sent = req->sent;
    }
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < n_calls; i++)
    _tessera_iq_request_unref (reqs[i]);
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
