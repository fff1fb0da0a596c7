/* tessera-cert-exchange.h: listing, requesting and revoking certificates on the server
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-cert-entry.h"
#include "tessera-cert-protocol.h"
#include "tessera-key-store.h"
#include "tessera-operation.h"
#include "tessera-xmpp-link.h"

G_BEGIN_DECLS

/* The round trips of certificate management, by ccm2 or XEP-0257, on an
 * account's management connection. Each blocks (an operation's thread). */

/* Of TesseraCertEntry: ccm2 list, else XEP-0257 items, else NOT_SUPPORTED. */
GPtrArray          *tessera_cert_exchange_list          (TesseraXmppLink     *link,
                                                         TesseraOperation    *op,
                                                         TesseraFeatures      features,
                                                         GError             **error);
/* @name, or "@name (2)"... when the server lists it already (XEP-0257
 * keys certificates by name). */
char               *tessera_cert_exchange_unique_name   (GPtrArray           *entries,
                                                         const char          *name);
/* The protocol to add a certificate with, or NOT_SUPPORTED. With XEP-0257,
 * *@name becomes a name the server does not list yet. */
TesseraCertProtocol tessera_cert_exchange_choose        (TesseraXmppLink     *link,
                                                         TesseraOperation    *op,
                                                         TesseraFeatures      features,
                                                         char               **name,
                                                         GError             **error);

/* Sends the stored request of @record (made and saved first if missing)
 * by @protocol, checks the certificate that comes back (it holds @key,
 * names the account, is no CA, is valid now: CERTIFICATE_REJECTED
 * otherwise) and stores it. Journals REQUEST_SENT before sending and
 * RESULT_RECEIVED after. The caller must have claimed the key. */
TesseraKeyRecord   *tessera_cert_exchange_submit        (TesseraXmppLink     *link,
                                                         TesseraOperation    *op,
                                                         TesseraKeyStore     *store,
                                                         TesseraKeyRecord    *record,
                                                         TesseraKey          *key,
                                                         TesseraCertProtocol  protocol,
                                                         GError             **error);
/* Checks a certificate found on the server for @record and stores it. */
TesseraKeyRecord   *tessera_cert_exchange_store_found   (TesseraXmppLink     *link,
                                                         TesseraKeyStore     *store,
                                                         TesseraKeyRecord    *record,
                                                         TesseraKey          *key,
                                                         TesseraCertificate  *cert,
                                                         GError             **error);

/* Whether @entry can be revoked exactly, decided before anything changes. */
gboolean            tessera_cert_exchange_check_revocable (TesseraFeatures    features,
                                                           GPtrArray         *entries,
                                                           TesseraCertEntry  *entry,
                                                           GError           **error);
/* Sends the revocation of @entry (ccm2 by fingerprint, XEP-0257 by name);
 * TRUE when the server confirmed. */
gboolean            tessera_cert_exchange_revoke        (TesseraXmppLink     *link,
                                                         TesseraOperation    *op,
                                                         TesseraCertEntry    *entry,
                                                         GError             **error);
/* The same revocation with the list that checks it (PROTOCOL.md §4) sent
 * in the same flight: the server answers in order, so that list shows the
 * account after the revocation, and no round trip waits for it. TRUE when
 * the server confirmed; *@listed_after then holds that list, or NULL when
 * it failed (list again with tessera_cert_exchange_check_gone()). A `wait`
 * answer or a connection found dead falls back to the request alone. */
gboolean            tessera_cert_exchange_revoke_and_list (TesseraXmppLink   *link,
                                                           TesseraOperation  *op,
                                                           TesseraFeatures    features,
                                                           TesseraCertEntry  *entry,
                                                           GPtrArray        **listed_after,
                                                           GError           **error);
/* TRUE when @entry is not in @listed_after; else FALSE with REVOKE_UNCONFIRMED. */
gboolean            tessera_cert_exchange_check_gone_in (GPtrArray           *listed_after,
                                                         TesseraCertEntry    *entry,
                                                         GError             **error);
/* The server's "done" names no certificate: lists again. TRUE when @entry
 * is gone; FALSE with REVOKE_UNCONFIRMED when still listed, or with the
 * listing's error and *@listed_ok FALSE when listing failed. */
gboolean            tessera_cert_exchange_check_gone    (TesseraXmppLink     *link,
                                                         TesseraOperation    *op,
                                                         TesseraFeatures      features,
                                                         TesseraCertEntry    *entry,
                                                         gboolean            *listed_ok,
                                                         GError             **error);

G_END_DECLS
