/* tessera-revocation.h: revoking one certificate, and deleting its key once the server confirmed
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-key-claims.h"
#include "tessera-key-store.h"
#include "tessera-operation.h"
#include "tessera-reconciler.h"
#include "tessera-xmpp-link.h"

G_BEGIN_DECLS

/* What one revocation works with; borrowed for the call. */
typedef struct
{
  TesseraXmppLink   *link;
  TesseraKeyStore   *store;
  TesseraKeyClaims  *claims;
  TesseraReconciler *reconciler;
} TesseraRevocation;

/* Reconciles first, re-lists, finds exactly @fingerprint (any case, ':'
 * allowed; TESSERA_XMPP_ERROR_NOT_FOUND and nothing sent otherwise),
 * revokes it, and after the server confirmed (and no longer lists it)
 * deletes the local key that held it. A key of this device is marked
 * REVOKING meanwhile, with its steps in the journal. Blocking. */
gboolean tessera_revocation_run (const TesseraRevocation  *revocation,
                                 TesseraOperation         *op,
                                 const char               *fingerprint,
                                 GError                  **error);

G_END_DECLS
