/* tessera-protocol.h: building and reading certificate-management stanzas
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <strophe.h>

#include "tessera-cert-entry.h"
#include "tessera-features.h"

G_BEGIN_DECLS

/* Pure functions over libstrophe stanzas: no I/O, no connection. The wire
 * profile is docs/PROTOCOL.md; builders are strict, parsers tolerant. */

#define TESSERA_NS_CCM2_ADD    "urn:xmpp:ccm2:add-cert:0"
#define TESSERA_NS_CCM2_LIST   "urn:xmpp:ccm2:list-certs:0"
#define TESSERA_NS_CCM2_REVOKE "urn:xmpp:ccm2:revoke-cert:0"
#define TESSERA_NS_SASLCERT    "urn:xmpp:saslcert:1"
#define TESSERA_NS_DISCO_INFO  "http://jabber.org/protocol/disco#info"
#define TESSERA_NS_STANZAS     "urn:ietf:params:xml:ns:xmpp-stanzas"

/* Hostile-reply guards: more entries, or a longer text node, is
 * TESSERA_XMPP_ERROR_MALFORMED_REPLY. */
#define TESSERA_PROTOCOL_MAX_ENTRIES   100000
#define TESSERA_PROTOCOL_MAX_TEXT_SIZE (16 * 1024 * 1024)

typedef enum {
  TESSERA_REPLY_IGNORE,
  TESSERA_REPLY_RESULT,
  TESSERA_REPLY_ERROR,
} TesseraReplyKind;

/* PROTOCOL.md §7: an <iq> of type result or error whose from is absent, the
 * account's bare JID or its domain (JID-normalized, so case-insensitive);
 * anything else is IGNORE. @domain NULL = the domain of @bare_jid. */
TesseraReplyKind tessera_protocol_classify_reply   (xmpp_stanza_t *stanza,
                                                    const char    *bare_jid,
                                                    const char    *domain);

/* TESSERA_STANZA_ERROR with the condition, the error type and the server's
 * <text/>; undefined-condition when no known condition is there. */
GError          *tessera_protocol_error_from_reply (xmpp_stanza_t *error_iq);

/* Disco#info get; @to is the server domain (or the bare JID), NULL = none. */
xmpp_stanza_t   *tessera_protocol_build_disco_info (xmpp_ctx_t    *ctx,
                                                    const char    *id,
                                                    const char    *to);
TesseraFeatures  tessera_protocol_parse_disco_info (xmpp_stanza_t *result);

/* ccm2 (PROTOCOL.md §2–4). Requests carry no "to". */
xmpp_stanza_t   *tessera_protocol_build_add        (xmpp_ctx_t    *ctx,
                                                    const char    *id,
                                                    const char    *name,
                                                    GBytes        *csr_der);
/* The DER of <x509certificate>; anything missing or not strict base64
 * (whitespace aside) is TESSERA_XMPP_ERROR_MALFORMED_REPLY. */
GBytes          *tessera_protocol_parse_add_result (xmpp_stanza_t *result,
                                                    GError       **error);
xmpp_stanza_t   *tessera_protocol_build_list       (xmpp_ctx_t    *ctx,
                                                    const char    *id);
/* Of TesseraCertEntry, in document order. Any element of the list namespace
 * is the list (the draft misspells it); unknown children are skipped; an
 * entry whose certificate does not decode or parse is kept, unreadable. */
GPtrArray       *tessera_protocol_parse_list       (xmpp_stanza_t *result,
                                                    GError       **error);
/* The same with a stricter guard: more than @max_entries entries (or
 * resources) is MALFORMED_REPLY. libstrophe's own parser is quadratic in the
 * number of siblings, so this is also how tests reach the guard quickly. */
GPtrArray       *tessera_protocol_parse_list_limited (xmpp_stanza_t *result,
                                                      guint          max_entries,
                                                      GError       **error);
/* @fingerprint_hex: 64 hex digits, sent lowercase without separators. */
xmpp_stanza_t   *tessera_protocol_build_revoke     (xmpp_ctx_t    *ctx,
                                                    const char    *id,
                                                    const char    *fingerprint_hex);

/* XEP-0257 (PROTOCOL.md §6) */
xmpp_stanza_t   *tessera_protocol_build_saslcert_append (xmpp_ctx_t    *ctx,
                                                         const char    *id,
                                                         const char    *name,
                                                         GBytes        *cert_der);
xmpp_stanza_t   *tessera_protocol_build_saslcert_items  (xmpp_ctx_t    *ctx,
                                                         const char    *id);
xmpp_stanza_t   *tessera_protocol_build_saslcert_revoke (xmpp_ctx_t    *ctx,
                                                         const char    *id,
                                                         const char    *name);
/* Of TesseraCertEntry with last-used state UNKNOWN (XEP-0257 has none). */
GPtrArray       *tessera_protocol_parse_saslcert_items  (xmpp_stanza_t *result,
                                                         GError       **error);

/* PROTOCOL.md §2: the device label the user chose, trimmed; 1 to 64
 * characters, no control characters, else G_IO_ERROR_INVALID_ARGUMENT. */
char            *tessera_protocol_normalize_name     (const char  *name,
                                                      GError     **error);

/* Test/fuzz helper: XML text to a stanza (xmpp_stanza_new_from_string);
 * NULL when it is not one well-formed element. Release with
 * xmpp_stanza_release(). */
xmpp_stanza_t   *tessera_protocol_stanza_from_string (xmpp_ctx_t *ctx,
                                                      const char *xml);

/* Strict base64 after dropping XML whitespace anywhere; NULL when the rest is
 * empty or not canonical base64 (alphabet, length, padding). */
GBytes          *tessera_protocol_decode_base64     (const char *text);

G_END_DECLS
