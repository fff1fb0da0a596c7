/* tessera-login.h: logging in with a client certificate (SASL EXTERNAL)
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-connection.h"
#include "tessera-key-store.h"
#include "tessera-operation.h"
#include "tessera-reconciler.h"
#include "tessera-xmpp-link.h"

G_BEGIN_DECLS

/* Called with the fresh certificate connection right after it was made,
 * when the login is to stay open (the caller keeps and watches it). */
typedef void (*TesseraLoginHoldFunc) (TesseraConnection *connection,
                                      GMainContext      *context,
                                      gpointer           user_data);

/* One certificate login; borrowed for the call. */
typedef struct
{
  TesseraXmppLink      *link;
  TesseraKeyStore      *store;
  TesseraReconciler    *reconciler;
  /* explicit credentials, or NULL for this device's record */
  const char           *certificate_path;
  const char           *key_path;
  const char           *key_passphrase;     /* of @key_path, nullable */
  gboolean              stay_connected;
  TesseraLoginHoldFunc  hold;               /* with stay_connected */
  gpointer              hold_data;
} TesseraLogin;

/* Opens a fresh connection that presents the certificate and carries no
 * password, checks that the server used SASL EXTERNAL, and returns the
 * full JID it bound. Without explicit credentials it reconciles first
 * (with the server only when the link has a password). Blocking. */
char *tessera_login_run (const TesseraLogin  *login,
                         TesseraOperation    *op,
                         GError             **error);

/* ---- a login kept open ------------------------------------------------- */

/* The certificate login an account keeps open (TESSERA_LOGIN_FLAGS_
 * STAY_CONNECTED), at most one. Its signal "closed" (a GError, NULL after
 * tessera_held_login_close()) is emitted in the main context of the login's
 * caller when the connection ends: a revoked certificate's session is
 * ended by the server with <reset/>. */
#define TESSERA_TYPE_HELD_LOGIN (tessera_held_login_get_type ())
G_DECLARE_FINAL_TYPE (TesseraHeldLogin, tessera_held_login, TESSERA, HELD_LOGIN, GObject)

TesseraHeldLogin *tessera_held_login_new     (void);
/* A TesseraLoginHoldFunc (@held_login is the data): keeps @connection,
 * closing one held before. */
void              tessera_held_login_hold    (TesseraConnection *connection,
                                              GMainContext      *context,
                                              gpointer           held_login);
gboolean          tessera_held_login_is_open (TesseraHeldLogin  *self);
void              tessera_held_login_close   (TesseraHeldLogin  *self);

G_END_DECLS
