/* tessera-connection.h: one XMPP connection on its own worker thread
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <strophe.h>

G_BEGIN_DECLS

/* Private to the core (used by tessera-session.c). libstrophe is not
 * thread-safe, so each TesseraConnection starts a worker thread that owns
 * its xmpp_ctx_t and xmpp_conn_t and loops xmpp_run_once(ctx, 50). Callers
 * block on it from another worker (a GTask thread), never from a main loop:
 * every blocking call takes an absolute deadline (g_get_monotonic_time()
 * microseconds) and a GCancellable, and returns by that deadline even when
 * libstrophe itself is stuck in a TLS handshake. */

typedef struct _TesseraConnection TesseraConnection;

typedef struct
{
  const char *bare_jid;
  const char *host;               /* nullable: the domain (SRV) */
  guint16     port;               /* 0: default */
  gboolean    direct_tls;         /* TLS from the first byte (XEP-0368) */
  const char *ca_file;            /* nullable: trusted in addition to the system store */
  const char *pinned_fingerprint; /* nullable: SHA-256 hex of an accepted server certificate */
  /* Exactly one way to log in: */
  const char *password;           /* password login (SCRAM, PLAIN over TLS) */
  const char *client_cert_path;   /* certificate login: SASL EXTERNAL only, */
  GBytes     *client_key;         /* no password on the connection at all; the key
                                   * already unlocked (PEM PKCS #8), handed to
                                   * libstrophe in memory, never in a file */
} TesseraConnectionConfig;

/* Run on the worker thread with the connection's context: build the request
 * with @id, or turn a result stanza into a GLib value. */
typedef xmpp_stanza_t *(*TesseraIqBuildFunc) (xmpp_ctx_t    *ctx,
                                              const char    *id,
                                              gpointer       user_data);
typedef gpointer       (*TesseraIqParseFunc) (xmpp_stanza_t *result,
                                              gpointer       user_data,
                                              GError       **error);

/* Called on the worker thread, once, when a connection that was ready ends:
 * @error says why (STREAM_ERROR for a stream error such as <reset/>,
 * CONNECTION_FAILED for a dropped socket), NULL after tessera_connection_close(). */
typedef void (*TesseraConnectionClosedFunc) (TesseraConnection *connection,
                                             const GError      *error,
                                             gpointer           user_data);

/* Starts connecting at once. The configuration is copied. */
TesseraConnection *tessera_connection_new              (const TesseraConnectionConfig *config);
TesseraConnection *tessera_connection_ref              (TesseraConnection  *self);
void               tessera_connection_unref            (TesseraConnection  *self);

/* Blocks until the stream is authenticated and bound. On timeout or
 * cancellation of the last waiter the attempt is abandoned. */
gboolean           tessera_connection_wait_ready       (TesseraConnection  *self,
                                                        gint64              deadline,
                                                        GCancellable       *cancellable,
                                                        GError            **error);

/* One iq round trip: a fresh unpredictable id, the reply matched by that id
 * AND by tessera_protocol_classify_reply (anything else is ignored and the
 * wait goes on). A result goes through @parse (NULL: returns
 * GINT_TO_POINTER (TRUE)); an error reply becomes the stanza error.
 * @not_sent (nullable) is set to TRUE when the connection was already gone,
 * so nothing left this process. */
gpointer           tessera_connection_iq               (TesseraConnection  *self,
                                                        TesseraIqBuildFunc  build,
                                                        TesseraIqParseFunc  parse,
                                                        gpointer            user_data,
                                                        gint64              deadline,
                                                        GCancellable       *cancellable,
                                                        gboolean           *not_sent,
                                                        GError            **error);

/* One request of tessera_connection_iq_many(): what to send, and what came
 * back (@result as from tessera_connection_iq(), or @error; @sent tells
 * whether it left this process). */
typedef struct
{
  TesseraIqBuildFunc  build;
  TesseraIqParseFunc  parse;
  gpointer            user_data;
  gpointer            result;
  GError             *error;
  gboolean            sent;
} TesseraIqCall;

/* Several iqs in one flight: all are queued at once, so the worker sends
 * them back to back without waiting for an answer in between, and the
 * server, which handles a stream's stanzas in order, answers each as if it
 * came alone after the one before. Waits until every one is answered, the
 * deadline passes or @cancellable fires; each call gets its own result or
 * error. */
void               tessera_connection_iq_many          (TesseraConnection  *self,
                                                        TesseraIqCall      *calls,
                                                        guint               n_calls,
                                                        gint64              deadline,
                                                        GCancellable       *cancellable);

/* TRUE while the connection is connecting or ready (not closed or failed). */
gboolean           tessera_connection_is_alive         (TesseraConnection  *self);
/* Full JID the server bound, or NULL before ready. */
char              *tessera_connection_dup_bound_jid    (TesseraConnection  *self);
/* SASL mechanism the server accepted ("EXTERNAL", "SCRAM-SHA-1"...), or NULL. */
char              *tessera_connection_dup_mechanism    (TesseraConnection  *self);
/* Number of TCP sockets the connection opened (more than one when the host
 * name resolves to several addresses). */
guint              tessera_connection_get_sockets_opened (TesseraConnection *self);

void               tessera_connection_set_closed_func  (TesseraConnection           *self,
                                                        TesseraConnectionClosedFunc  func,
                                                        gpointer                     user_data,
                                                        GDestroyNotify               destroy);

/* Ends the connection without blocking: a ready stream is closed politely,
 * a connection attempt is abandoned. Waiters fail with CONNECTION_FAILED. */
void               tessera_connection_close            (TesseraConnection  *self);

/* 128 random bits as 32 hex digits (getrandom). */
char              *tessera_connection_new_id           (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraConnection, tessera_connection_unref)

G_END_DECLS
