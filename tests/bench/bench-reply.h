/* bench-reply.h: a list reply's text to the list model, as the session does it
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <strophe.h>

G_BEGIN_DECLS

/* XML text -> stanza -> tessera_protocol_parse_list () -> GListStore of
 * TesseraCertEntry (one splice, as tessera-session-ops.c builds it).
 * @unreadable (nullable) receives the number of entries whose certificate
 * did not parse. */
GListModel *bench_reply_build_model (xmpp_ctx_t  *ctx,
                                     const char  *xml,
                                     guint       *unreadable,
                                     GError     **error);

G_END_DECLS
