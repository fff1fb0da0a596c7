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

/* A list the caller read just before (PROTOCOL.md §4: "the client revokes
 * only after re-reading the list"): used instead of listing again when it
 * is at most TESSERA_REVOCATION_LIST_FRESH_USEC old. */
#define TESSERA_REVOCATION_LIST_FRESH_USEC (10 * G_USEC_PER_SEC)

typedef struct
{
  GPtrArray *entries;   /* of TesseraCertEntry */
  gint64     read_at;   /* g_get_monotonic_time () when the answer came */
} TesseraRevocationList;

/* Reconciles first, re-lists (or takes @listed when it is fresh), finds
 * exactly @fingerprint (any case, ':' allowed; TESSERA_XMPP_ERROR_NOT_FOUND
 * and nothing sent otherwise), revokes it, and after the server confirmed
 * (and a second list no longer shows it: a lying server must not make us
 * delete a key) deletes the local key that held it. A key of this device
 * is marked REVOKING meanwhile, with its steps in the journal. With a fresh
 * @listed the first list is not sent again. Blocking. */
gboolean tessera_revocation_run (const TesseraRevocation      *revocation,
                                 TesseraOperation             *op,
                                 const char                   *fingerprint,
                                 const TesseraRevocationList  *listed,
                                 GError                      **error);

G_END_DECLS
