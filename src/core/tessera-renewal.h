/* tessera-renewal.h: replacing a certificate with a new one of a new key, under the same name
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-key-claims.h"
#include "tessera-key-store.h"
#include "tessera-operation.h"
#include "tessera-xmpp-link.h"

G_BEGIN_DECLS

/* What one renewal works with; borrowed for the call. @link is the
 * account's password link: it is used only when it has a password
 * (tessera_xmpp_link_has_password), else the renewal manages over the
 * certificate sessions of the old and the new certificate. */
typedef struct
{
  TesseraXmppLink  *link;
  TesseraKeyStore  *store;
  TesseraKeyClaims *claims;
} TesseraRenewal;

/* Renews the certificate of this device, or the stored one with
 * @fingerprint (full, any case, ':' allowed): a new key of the same type
 * and a request under the same name, sent over the old certificate's own
 * session while it is valid (the new one is then its renewal, PROTOCOL.md
 * §8, whether or not there is a password), else over the password
 * session; a login with the new certificate; then the old one is revoked
 * from the new certificate's session (over the password session when the
 * server refuses that: the new one was not added as its renewal, so
 * nothing cascades) and its key deleted. The old
 * key's meta.ini names the new key while this runs ("renewed-by"), so
 * tessera_renewal_resume() can finish it after a crash. An expired
 * certificate can be renewed only with a password. Returns the new,
 * certified record (this device's now) and the old fingerprint. The
 * caller holds the account's lock and has reconciled. Blocking. */
TesseraKeyRecord *tessera_renewal_run    (const TesseraRenewal  *renewal,
                                          TesseraOperation      *op,
                                          const char            *fingerprint,
                                          char                 **old_fingerprint,
                                          GError               **error);

/* Finishes every renewal a crash interrupted, and adds a note for the
 * user to @notes (translated strings) for each: a new key whose request
 * never left is deleted (the old certificate stays); a request that may
 * have left is sent again; a new certificate is logged in with, and the
 * old one revoked and its key deleted. Uses only certificate sessions,
 * plus @renewal's link when it has a password. @records (nullable) is
 * the key store's list when the caller just read it: only marked keys are
 * read again. FALSE only when cancelled; anything else is left for the
 * next run. Blocking. */
gboolean          tessera_renewal_resume (const TesseraRenewal  *renewal,
                                          TesseraOperation      *op,
                                          GPtrArray             *records,
                                          GPtrArray             *notes,
                                          GError               **error);

G_END_DECLS
