/* tessera-connection-private.h: the connection's insides, shared by its files
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sys/types.h>

#include <glib.h>

#include "tessera-connection.h"

G_BEGIN_DECLS

/* The files, each depending only on those below it:
 * tessera-connection.c          the blocking API callers use, requests
 * tessera-connection-worker.c   the worker thread: libstrophe callbacks, loop
 * tessera-connection-state.c    lifetime, the requests' and the workers'
 *                               bookkeeping, stopping (the exit handler too)
 * tessera-connection-observe.c  what the log and TLS callbacks reveal, and
 *                               the error that says why a login failed */

typedef enum {
  STATE_CONNECTING,
  STATE_READY,
  STATE_CLOSED,
} TesseraConnectionState;

/* Filled on the worker thread while a connection logs in; read there when
 * it ends, to say exactly why (TLS, certificate, SASL, network). */
typedef struct
{
  gboolean  tcp_connected;
  int       connect_errno;
  gboolean  tls_not_offered;     /* features before TLS without <starttls/> */
  gboolean  tls_failed;          /* the handshake failed */
  gboolean  cert_rejected;       /* the certfail handler said no */
  char     *cert_error;
  char     *cert_fingerprint;
  gboolean  mechanisms_seen;     /* SASL mechanisms seen on a secured stream */
  gboolean  external_offered;
  gint      auth_attempts;       /* <auth/> elements sent (atomic) */
  char     *mechanism_sent;
  char     *mechanism_accepted;
  gboolean  sasl_failed;
  char     *sasl_failure_condition;
  char     *sasl_failure_text;
} TesseraConnectionObservations;

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
} TesseraIqRequest;

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
  GBytes          *client_key;      /* unlocked; dropped after the handshake */
  int              key_fd;          /* sealed memfd holding it, or -1 */
  char            *key_path;        /* /proc/self/fd/<key_fd> */
  char           **secrets;         /* for log redaction */
  gboolean         log_strophe;

  GMutex           mutex;
  GCond            cond;
  /* under mutex */
  TesseraConnectionState state;
  GError          *error;           /* why it closed (or failed to open) */
  char            *bound_jid;
  char            *mechanism;
  guint            waiters;
  GQueue           outbox;          /* TesseraIqRequest, to be sent by the worker */
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
  GPtrArray       *in_flight;       /* TesseraIqRequest */
  TesseraConnectionObservations obs;
};

/* tessera-connection-worker.c */
gpointer            _tessera_connection_worker_main       (gpointer           data);

/* tessera-connection-state.c */
void                _tessera_connection_ensure_initialized (void);
/* Every worker is registered while it runs, so that the process waits for
 * it at exit; it calls _finished once it released libstrophe. */
void                _tessera_connection_worker_register   (TesseraConnection *self);
void                _tessera_connection_worker_finished   (TesseraConnection *self);
TesseraIqRequest   *_tessera_iq_request_ref               (TesseraIqRequest  *req);
void                _tessera_iq_request_unref             (TesseraIqRequest  *req);
/* With the mutex held; takes @error. */
void                _tessera_iq_request_complete_locked   (TesseraConnection *self,
                                                           TesseraIqRequest  *req,
                                                           gpointer           result,
                                                           GError            *error);
GError             *_tessera_connection_copy_error_locked (TesseraConnection *self);
/* With the mutex held: asks the worker to stop (keeping @error, if any, as
 * the reason), and wakes one stuck in a TLS handshake. */
void                _tessera_connection_request_stop_locked (TesseraConnection *self,
                                                             GError            *error);

/* tessera-connection-observe.c */
void                _tessera_connection_ctx_map_add       (xmpp_ctx_t        *ctx,
                                                           TesseraConnection *self);
void                _tessera_connection_ctx_map_remove    (xmpp_ctx_t        *ctx);
TesseraConnection  *_tessera_connection_lookup_ctx        (const xmpp_ctx_t  *ctx);
void                _tessera_connection_log_cb            (void              *userdata,
                                                           xmpp_log_level_t   level,
                                                           const char        *area,
                                                           const char        *msg);
int                 _tessera_connection_certfail_cb       (const xmpp_tlscert_t *cert,
                                                           const char *const  errormsg);
char               *_tessera_connection_normalize_pin     (const char        *pin);
void                _tessera_connection_observations_clear (TesseraConnectionObservations *obs);
/* @certificate_login: whether the stream logged in with a client certificate
 * (a <reset/> then most likely means that this certificate was revoked). */
GError             *_tessera_connection_error_for_stream_error  (xmpp_stream_error_t *stream_error,
                                                                  gboolean             certificate_login);
GError             *_tessera_connection_error_for_failed_connect (TesseraConnection   *self,
                                                                  int                  error_code,
                                                                  xmpp_stream_error_t *stream_error);

/* SASL <auth/> elements this connection sent (tests: "no password sent"). */
guint               _tessera_connection_get_auth_attempts (TesseraConnection *self);

G_END_DECLS
