/* tessera-xmpp-link.h: an account's reused management connection
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "tessera-account.h"
#include "tessera-connection.h"
#include "tessera-crypto.h"
#include "tessera-features.h"
#include "tessera-operation.h"

G_BEGIN_DECLS

/* The password connection of one account, opened on first use and reused
 * while it lives, with the features its server offers cached for as long.
 * Every method but the setters blocks: call it on an operation's thread
 * (tessera_operation_run_async). Thread-safe. */
#define TESSERA_TYPE_XMPP_LINK (tessera_xmpp_link_get_type ())
G_DECLARE_FINAL_TYPE (TesseraXmppLink, tessera_xmpp_link, TESSERA, XMPP_LINK, GObject)

TesseraXmppLink   *tessera_xmpp_link_new            (TesseraAccount     *account);
/* A link whose management connection logs in with a client certificate
 * (SASL EXTERNAL, checked) instead of a password: the rights of that
 * certificate's session (PROTOCOL.md §8). @key: the certificate's key,
 * already unlocked; its plain PEM is kept in memory only. Its
 * has_password() is FALSE. NULL when the key cannot be exported. */
TesseraXmppLink   *tessera_xmpp_link_new_certificate (TesseraAccount    *account,
                                                      const char        *certificate_path,
                                                      TesseraKey        *key,
                                                      GError           **error);
TesseraAccount    *tessera_xmpp_link_get_account    (TesseraXmppLink    *self);
/* The password of the management login; unset, the Secret Service's. */
void               tessera_xmpp_link_set_password   (TesseraXmppLink    *self,
                                                     const char         *password);
gboolean           tessera_xmpp_link_has_password   (TesseraXmppLink    *self);

/* One request on the management connection. A reused connection found dead
 * before anything was sent is replaced once; `wait` errors are retried a
 * few times with backoff within the deadline; nothing else is retried. */
gpointer           tessera_xmpp_link_iq             (TesseraXmppLink     *self,
                                                     TesseraOperation    *op,
                                                     TesseraIqBuildFunc   build,
                                                     TesseraIqParseFunc   parse,
                                                     gpointer             user_data,
                                                     GError             **error);
/* Several requests in one flight on the management connection
 * (tessera_connection_iq_many(); one round trip in the stats). Nothing is
 * retried: FALSE with @error only when no connection was ready; otherwise
 * each call holds its own outcome. */
gboolean           tessera_xmpp_link_iq_many        (TesseraXmppLink     *self,
                                                     TesseraOperation    *op,
                                                     TesseraIqCall       *calls,
                                                     guint                n_calls,
                                                     GError             **error);
/* Disco#info to the domain, then to the bare JID; cached. */
TesseraFeatures    tessera_xmpp_link_discover       (TesseraXmppLink    *self,
                                                     TesseraOperation   *op,
                                                     GError            **error);
/* The cached features of the live connection, else a discovery. */
gboolean           tessera_xmpp_link_get_features   (TesseraXmppLink    *self,
                                                     TesseraOperation   *op,
                                                     TesseraFeatures    *features,
                                                     GError            **error);
/* What the last discovery found while its connection lives, else 0. */
TesseraFeatures    tessera_xmpp_link_peek_features  (TesseraXmppLink    *self);
/* Drops the management connection. */
void               tessera_xmpp_link_close          (TesseraXmppLink    *self);

/* A fresh connection that logs in with a client certificate and carries no
 * password at all. @key: the key already unlocked (PEM PKCS #8), which
 * reaches libstrophe in memory only. */
TesseraConnection *tessera_xmpp_link_open_certificate (TesseraXmppLink  *self,
                                                       const char       *certificate_path,
                                                       GBytes           *key);
/* TCP connections opened and iq round trips (retries count). */
void               tessera_xmpp_link_get_stats      (TesseraXmppLink    *self,
                                                     guint              *connections,
                                                     guint              *round_trips);

G_END_DECLS
