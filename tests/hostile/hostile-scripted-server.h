/* hostile-scripted-server.h: a deliberately misbehaving XMPP server on a thread
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What Prosody cannot be made to do: leave out STARTTLS, present a
 * certificate for another domain or an expired one, stall in the middle
 * of the TLS negotiation, leave out or refuse SASL EXTERNAL. It records
 * every <auth/> it gets and every byte it reads (after TLS), so that a
 * test can assert that no password ever reached it. After a successful
 * login it binds "<jid>/scripted" and answers disco#info (ccm2 list) and
 * ccm2 list (empty). */

typedef enum {
  HOSTILE_TLS_STARTTLS,   /* offers STARTTLS (required) and does it */
  HOSTILE_TLS_NONE,       /* offers no STARTTLS, only PLAIN in the clear */
  HOSTILE_TLS_STALL,      /* answers <starttls/> with <proceed/>, then nothing */
} HostileTlsBehaviour;

typedef struct
{
  HostileTlsBehaviour  tls;
  const char          *certificate_path;  /* PEM certificate (and chain) */
  const char          *key_path;          /* its PEM key */
  const char          *mechanisms;        /* space-separated; NULL: "PLAIN SCRAM-SHA-1" */
  gboolean             refuse_external;   /* EXTERNAL gets <failure/> */
  const char          *jid;               /* bare JID to bind; NULL: "user1@localhost" */
} HostileScriptedConfig;

typedef struct _HostileScriptedServer HostileScriptedServer;

HostileScriptedServer *hostile_scripted_server_new        (const HostileScriptedConfig *config);
guint16                hostile_scripted_server_get_port   (HostileScriptedServer *self);
/* SHA-256 of the server certificate's DER (for --pin-fingerprint) */
const char            *hostile_scripted_server_get_fingerprint (HostileScriptedServer *self);
/* The mechanisms of every <auth/> received, space-separated. */
char                  *hostile_scripted_server_dup_auth_log (HostileScriptedServer *self);
guint                  hostile_scripted_server_get_auths  (HostileScriptedServer *self);
/* Whether @needle occurs in anything the server read (after TLS). */
gboolean               hostile_scripted_server_received   (HostileScriptedServer *self,
                                                           const char            *needle);
/* Whether a client presented a certificate in a TLS handshake. */
gboolean               hostile_scripted_server_saw_client_certificate (HostileScriptedServer *self);
guint                  hostile_scripted_server_get_connections (HostileScriptedServer *self);
/* Stops accepting, waits for the connections to end, frees. */
void                   hostile_scripted_server_free       (HostileScriptedServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostileScriptedServer, hostile_scripted_server_free)

G_END_DECLS
