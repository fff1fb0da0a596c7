/* tessera-mock-xmpp-server.h: a scripted, deliberately misbehaving XMPP server on a thread
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A MOCK, FOR TESTS ONLY: what the real Prosody of tests/server cannot be
 * made to do. Leave out STARTTLS, present a certificate for another domain
 * or an expired one, stall in the middle of the TLS negotiation, leave out
 * or refuse SASL EXTERNAL, answer `wait` errors, send a forged reply with a
 * pending request's id, refuse with a `cancel` error, never answer a
 * revocation. It records every <auth/> it gets and every byte it reads
 * (after TLS, with SASL payloads decoded), so that a test can assert that
 * no password ever reached it. After a successful login it binds
 * "<jid>/scripted" and answers disco#info and the ccm2 requests as the
 * script says. */

typedef enum {
  TESSERA_MOCK_TLS_STARTTLS,   /* offers STARTTLS (required) and does it */
  TESSERA_MOCK_TLS_NONE,       /* offers no STARTTLS, only the mechanisms in the clear */
  TESSERA_MOCK_TLS_STALL,      /* answers <starttls/> with <proceed/>, then nothing */
} TesseraMockTls;

typedef struct
{
  TesseraMockTls  tls;
  const char     *certificate_path;  /* PEM certificate (and chain); NULL only with _TLS_NONE */
  const char     *key_path;          /* its PEM key */
  const char     *mechanisms;        /* SASL, space-separated; NULL: "PLAIN SCRAM-SHA-1" */
  gboolean        refuse_external;   /* EXTERNAL gets <failure/> */
  const char     *jid;               /* bare JID to bind; NULL: "user1@localhost" */

  /* ccm2, after login */
  const char     *features;          /* disco#info, space-separated ("list add revoke"); NULL: "list" */
  guint           wait_errors;       /* list: this many `wait` errors first */
  const char     *cancel_condition;  /* list: refuse with this `cancel` error */
  gboolean        spoof;             /* list: a forged answer first */
  const char     *listed;            /* list: one entry with this base64 certificate; NULL: empty */
  const char     *issued;            /* add: answer with this base64 certificate; NULL: an error */
  gboolean        silent_revoke;     /* revoke: never answer; FALSE: an error */
} TesseraMockXmppConfig;

typedef struct _TesseraMockXmppServer TesseraMockXmppServer;

/* Listens on 127.0.0.1, a free port; @config is copied. */
TesseraMockXmppServer *tessera_mock_xmpp_server_new             (const TesseraMockXmppConfig *config);
guint16                tessera_mock_xmpp_server_get_port        (TesseraMockXmppServer *self);
/* SHA-256 of the server certificate's DER, lower-case hex (for a pin) */
const char            *tessera_mock_xmpp_server_get_fingerprint (TesseraMockXmppServer *self);
/* The mechanisms of every <auth/> received, space-separated. */
char                  *tessera_mock_xmpp_server_dup_auth_log    (TesseraMockXmppServer *self);
guint                  tessera_mock_xmpp_server_get_auths       (TesseraMockXmppServer *self);
/* ccm2 list requests received. */
guint                  tessera_mock_xmpp_server_get_list_requests (TesseraMockXmppServer *self);
/* Whether @needle occurs in anything the server read (after TLS). */
gboolean               tessera_mock_xmpp_server_received        (TesseraMockXmppServer *self,
                                                                 const char            *needle);
/* Whether a client presented a certificate in a TLS handshake. */
gboolean               tessera_mock_xmpp_server_saw_client_certificate (TesseraMockXmppServer *self);
guint                  tessera_mock_xmpp_server_get_connections (TesseraMockXmppServer *self);
/* Stops accepting, waits for the connections to end, frees. */
void                   tessera_mock_xmpp_server_free            (TesseraMockXmppServer *self);

/* A self-signed certificate for "localhost" and its ECDSA key, made with
 * certtool in @dir as server.pem and server.key. Returns FALSE when
 * certtool is missing or fails. */
gboolean               tessera_mock_xmpp_make_certificate       (const char  *dir,
                                                                 char       **certificate_path,
                                                                 char       **key_path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraMockXmppServer, tessera_mock_xmpp_server_free)

G_END_DECLS
