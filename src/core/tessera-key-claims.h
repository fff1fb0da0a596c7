/* tessera-key-claims.h: which keys an operation of this account is working on right now
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* An enrollment sending a request, or a revocation on its way, claims its
 * key so that a reconciliation (or a second upload) leaves it alone.
 * Thread-safe. */
#define TESSERA_TYPE_KEY_CLAIMS (tessera_key_claims_get_type ())
G_DECLARE_FINAL_TYPE (TesseraKeyClaims, tessera_key_claims, TESSERA, KEY_CLAIMS, GObject)

TesseraKeyClaims *tessera_key_claims_new     (void);
/* Marks key @id as being worked on; FALSE when it already is. */
gboolean          tessera_key_claims_claim   (TesseraKeyClaims *self,
                                              const char       *id);
void              tessera_key_claims_release (TesseraKeyClaims *self,
                                              const char       *id);

G_END_DECLS
