/* tessera-connection-state.c: what the connection, its worker and the exit handler share
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>

#include "tessera-connection-private.h"
#include "tessera-error.h"
#include "tessera-secret.h"
#include "tessera-stdio.h"

/* How long the process waits at exit for workers still closing their
 * streams: more than a worker's own grace for a polite close (2 s) plus
 * libstrophe's TLS shutdown (up to 1 s), as a loaded machine needs it. */
#define EXIT_GRACE_USEC    (5 * G_USEC_PER_SEC)

/* ---- worker threads ---------------------------------------------------- */

/* Every running worker thread. The process must not exit while one of
 * them still runs: OpenSSL's own exit handler, OPENSSL_cleanup(), frees
 * the per-thread state of every thread that has not ended yet without
 * running its destructor (so the worker's random generators and error
 * queue are lost), and a thread ending while it runs frees the same list
 * twice. "Finished" (done with libstrophe) is not enough: OpenSSL frees a
 * thread's state only in the thread's own exit, after its function
 * returned. So ended workers are joined, at exit and whenever a new worker
 * starts. Each worker holds its own reference; these lists hold none of a
 * connection, one of each ended thread. */
static GMutex     workers_lock;
static GCond      workers_cond;
static GPtrArray *workers;
static GPtrArray *ended_threads;

/* Waits for the threads of workers that reported finished to end. They
 * take no lock after that, so this is short. */
static void
join_ended_threads (void)
{
  g_autoptr(GPtrArray) threads = NULL;

  g_mutex_lock (&workers_lock);
  threads = g_steal_pointer (&ended_threads);
  ended_threads = g_ptr_array_new ();
  g_mutex_unlock (&workers_lock);

  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
}

static void
stop_workers_at_exit (void)
{
  gint64 deadline = g_get_monotonic_time () + EXIT_GRACE_USEC;
  guint still_running;

  g_mutex_lock (&workers_lock);
  for (guint i = 0; i < workers->len; i++)
    {
      TesseraConnection *connection = g_ptr_array_index (workers, i);

      g_mutex_lock (&connection->mutex);
      _tessera_connection_request_stop_locked (connection, NULL);
      g_mutex_unlock (&connection->mutex);
    }
  while (workers->len > 0)
    {
      if (!g_cond_wait_until (&workers_cond, &workers_lock, deadline))
        break;
    }
  still_running = workers->len;
  g_mutex_unlock (&workers_lock);

  join_ended_threads ();
  if (still_running > 0)
    g_warning ("%u connection worker(s) did not stop in time at exit", still_running);
}

void
_tessera_connection_worker_register (TesseraConnection *self)
{
  /* Reaps the threads of earlier connections, so a long-running process
   * keeps no ended threads around. */
  join_ended_threads ();

  g_mutex_lock (&workers_lock);
  g_ptr_array_add (workers, self);
  g_mutex_unlock (&workers_lock);
}

/* Called on the worker's own thread (made by g_thread_new(), so joinable:
 * the reference taken here keeps it from being detached). */
void
_tessera_connection_worker_finished (TesseraConnection *self)
{
  g_mutex_lock (&workers_lock);
  g_ptr_array_remove_fast (workers, self);
  g_ptr_array_add (ended_threads, g_thread_ref (g_thread_self ()));
  g_cond_broadcast (&workers_cond);
  g_mutex_unlock (&workers_lock);
}

/* OpenSSL keeps per-thread state for the thread that initialises it too
 * (xmpp_initialize() loads its configuration), and the first connection
 * is made on an operation's pool thread, which outlives it. A thread of
 * its own, joined at once, frees that state before anything else runs. */
static gpointer
initialize_thread (gpointer data)
{
  xmpp_initialize ();
  return NULL;
}

void
_tessera_connection_ensure_initialized (void)
{
  static gsize initialized = 0;

  /* xmpp_initialize() sets up OpenSSL once for the process; it is never
   * shut down because other connections may still be running. */
  if (g_once_init_enter (&initialized))
    {
      /* Before libstrophe's first socket could be numbered 0. */
      tessera_stdio_ensure_open ();
      g_thread_join (g_thread_new ("tessera-xmpp-init", initialize_thread, NULL));
      workers = g_ptr_array_new ();
      ended_threads = g_ptr_array_new ();
      /* Registered after OpenSSL's own exit handler, so it runs before it. */
      atexit (stop_workers_at_exit);
      g_once_init_leave (&initialized, 1);
    }
}

/* ---- requests ---------------------------------------------------------- */

TesseraIqRequest *
_tessera_iq_request_ref (TesseraIqRequest *req)
{
  g_atomic_ref_count_inc (&req->ref_count);
  return req;
}

void
_tessera_iq_request_unref (TesseraIqRequest *req)
{
  if (!g_atomic_ref_count_dec (&req->ref_count))
    return;

  g_free (req->id);
  g_clear_error (&req->error);
  g_free (req);
}

/* Called with the mutex held. */
void
_tessera_iq_request_complete_locked (TesseraConnection *self,
                            TesseraIqRequest         *req,
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

GError *
_tessera_connection_copy_error_locked (TesseraConnection *self)
{
  if (self->error != NULL)
    return g_error_copy (self->error);

  return g_error_new (TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                      _("Talking to the server failed: the connection is closed"));
}

/* ---- lifetime and stopping ----------------------------------------------- */

TesseraConnection *
tessera_connection_ref (TesseraConnection *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
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
  tessera_secret_free (self->password);
  g_free (self->cert_path);
  g_free (self->key_path);
  g_clear_pointer (&self->client_key, g_bytes_unref);
  if (self->key_fd >= 0)
    close (self->key_fd);
  for (guint i = 0; self->secrets[i] != NULL; i++)
    tessera_secret_free (self->secrets[i]);
  g_free (self->secrets);
  g_free (self->bound_jid);
  g_free (self->mechanism);
  _tessera_connection_observations_clear (&self->obs);
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

void
_tessera_connection_request_stop_locked (TesseraConnection *self,
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
