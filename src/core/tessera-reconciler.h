/* tessera-reconciler.h: finishing what an interrupted enrollment or revocation left behind
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "tessera-key-claims.h"
#include "tessera-key-store.h"
#include "tessera-operation.h"
#include "tessera-xmpp-link.h"

G_BEGIN_DECLS

/* One per account: reads the key folders and their journals, and with the
 * server's list finishes what a crash interrupted (see
 * tessera_session_reconcile_async() for what it does). One run at a time;
 * keys claimed by a running operation are left alone. Blocking. */
#define TESSERA_TYPE_RECONCILER (tessera_reconciler_get_type ())
G_DECLARE_FINAL_TYPE (TesseraReconciler, tessera_reconciler, TESSERA, RECONCILER, GObject)

TesseraReconciler *tessera_reconciler_new       (TesseraKeyStore    *store,
                                                 TesseraXmppLink    *link,
                                                 TesseraKeyClaims   *claims);
/* Finishes what it can, with the server when @with_server. Returns the
 * notes for the user (translated strings, maybe none), or NULL and an
 * error. */
GPtrArray         *tessera_reconciler_run       (TesseraReconciler  *self,
                                                 TesseraOperation   *op,
                                                 gboolean            with_server,
                                                 GError            **error);
/* At the start of an operation: runs, and hands the notes to
 * tessera_operation_tell() and g_message(). Only a cancellation stops the
 * operation; anything else is left for the next time. */
gboolean           tessera_reconciler_run_first (TesseraReconciler  *self,
                                                 TesseraOperation   *op,
                                                 gboolean            with_server,
                                                 GError            **error);
/* Whether the request of key @key_id may have reached the server with no
 * answer settling it (its journal says so). */
gboolean           tessera_reconciler_request_was_sent (TesseraReconciler *self,
                                                        const char        *key_id);

G_END_DECLS
