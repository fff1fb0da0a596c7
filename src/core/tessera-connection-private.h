/* tessera-connection-private.h: what the worker learns from libstrophe's log
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "tessera-connection.h"

G_BEGIN_DECLS

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

/* SASL <auth/> elements this connection sent (tests: "no password sent"). */
guint _tessera_connection_get_auth_attempts (TesseraConnection *self);

G_END_DECLS
