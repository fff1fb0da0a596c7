/* tessera-log.h: libstrophe's log bridged into GLib logging, with redaction
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* libstrophe's own messages go to this domain, as g_debug, and only when
 * G_MESSAGES_DEBUG names it (or "all"): its debug output carries raw
 * traffic, so it is redacted before it leaves. */
#define TESSERA_LOG_DOMAIN_STROPHE "tessera-strophe"

/* TRUE when G_MESSAGES_DEBUG asks for TESSERA_LOG_DOMAIN_STROPHE. */
gboolean  tessera_log_strophe_enabled (void);

/* Returns @message with SASL payloads (<auth>, <response>, <challenge>,
 * <success> content), legacy <password>/<digest> content, PEM private
 * keys, "password=..."-style pairs and every string in @secrets (nullable,
 * NULL-terminated) replaced by "[redacted]". */
char     *tessera_log_redact          (const char         *message,
                                       const char * const *secrets);

/* Logs one libstrophe message (already redacted by the caller or not:
 * it is redacted here) to TESSERA_LOG_DOMAIN_STROPHE at debug level. */
void      tessera_log_strophe         (const char         *area,
                                       const char         *message,
                                       const char * const *secrets);

G_END_DECLS
