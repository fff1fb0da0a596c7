/* tessera-cert-entry.h: one certificate of the account, as a server listed it
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "tessera-cert-protocol.h"
#include "tessera-certificate.h"

G_BEGIN_DECLS

typedef enum {
  TESSERA_LAST_USED_NEVER,   /* the server says: never used (no last-used attribute) */
  TESSERA_LAST_USED_UNKNOWN, /* the server did not say (empty or unreadable, or XEP-0257) */
  TESSERA_LAST_USED_AT,      /* a time, as given (may lie in the future) */
} TesseraLastUsedState;

#define TESSERA_TYPE_CERT_ENTRY (tessera_cert_entry_get_type ())
G_DECLARE_FINAL_TYPE (TesseraCertEntry, tessera_cert_entry, TESSERA, CERT_ENTRY, GObject)

/* Immutable, safe to hand from a worker thread to the UI. @der is the decoded
 * x509cert and may be junk (when the base64 itself was broken, the parser
 * passes the text so the entry still has an identity): the entry is then
 * "unreadable" (no certificate) but keeps its name and fingerprint.
 * @last_used is only kept with TESSERA_LAST_USED_AT (AT without a time
 * becomes UNKNOWN). @protocol is "ccm2" or "xep0257". */
TesseraCertEntry    *tessera_cert_entry_new                 (const char          *name,
                                                             GBytes              *der,
                                                             TesseraLastUsedState state,
                                                             GDateTime           *last_used,
                                                             const char * const  *users,
                                                             const char          *protocol);

const char          *tessera_cert_entry_get_name            (TesseraCertEntry *self); /* "" when missing */
GBytes              *tessera_cert_entry_get_der             (TesseraCertEntry *self);
const char          *tessera_cert_entry_get_fingerprint     (TesseraCertEntry *self); /* SHA-256 of der, 64 lowercase hex */
TesseraCertificate  *tessera_cert_entry_get_certificate     (TesseraCertEntry *self); /* NULL = unreadable */
gboolean             tessera_cert_entry_get_readable        (TesseraCertEntry *self);
TesseraLastUsedState tessera_cert_entry_get_last_used_state (TesseraCertEntry *self);
GDateTime           *tessera_cert_entry_get_last_used       (TesseraCertEntry *self); /* NULL unless AT */
GDateTime           *tessera_cert_entry_get_not_after       (TesseraCertEntry *self); /* NULL when unreadable */
GDateTime           *tessera_cert_entry_get_not_before      (TesseraCertEntry *self); /* NULL when unreadable */
const char * const  *tessera_cert_entry_get_users           (TesseraCertEntry *self); /* never NULL */
const char          *tessera_cert_entry_get_protocol        (TesseraCertEntry *self);
TesseraCertProtocol  tessera_cert_entry_get_cert_protocol   (TesseraCertEntry *self);

/* A certificate nobody seems to use any more: never used and issued more
 * than TESSERA_STALE_NEVER_USED_DAYS days before @now, or last used more
 * than TESSERA_STALE_UNUSED_DAYS days before @now. An entry the server
 * says nothing about (UNKNOWN) or that cannot be read is never stale: the
 * rule needs both dates. */
#define TESSERA_STALE_NEVER_USED_DAYS 30
#define TESSERA_STALE_UNUSED_DAYS     90
gboolean             tessera_cert_entry_is_stale            (TesseraCertEntry *self,
                                                             GDateTime        *now);

/* Properties (read-only): "name", "fingerprint", "last-used" (GDateTime),
 * "last-used-state" (int, a TesseraLastUsedState), "not-after" (GDateTime or
 * NULL), "readable" (boolean), "users" (strv), "protocol", "certificate". */

/* In @entries (a GPtrArray of TesseraCertEntry): the entry whose
 * fingerprint is @fingerprint (normalized hex), or NULL; borrowed. */
TesseraCertEntry *tessera_cert_entries_find        (GPtrArray  *entries,
                                                    const char *fingerprint);
/* How many of @entries carry the name @name. */
guint             tessera_cert_entries_count_named (GPtrArray  *entries,
                                                    const char *name);

G_END_DECLS
