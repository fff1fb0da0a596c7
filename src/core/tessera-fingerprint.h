/* tessera-fingerprint.h: SHA-256 certificate fingerprints as text
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A certificate's identity on the wire (PROTOCOL.md §3, §4) is the SHA-256
 * of its DER bytes. Inside Tessera it is always kept "normalized": 64
 * lowercase hex digits without separators. */
#define TESSERA_FINGERPRINT_HEX_LEN 64

typedef enum {
  TESSERA_FINGERPRINT_LOWER  = 0,
  TESSERA_FINGERPRINT_UPPER  = 1 << 0,
  TESSERA_FINGERPRINT_COLONS = 1 << 1,
} TesseraFingerprintFormat;

/* SHA-256 of @der, 64 lowercase hex digits. */
char *tessera_fingerprint_compute          (GBytes                   *der);

/* Accepts upper or lower case, with or without one ':' or ' ' between byte
 * pairs, and surrounding whitespace. Returns 64 lowercase hex digits, or NULL
 * with TESSERA_CRYPTO_ERROR_INVALID_FINGERPRINT. */
char *tessera_fingerprint_normalize        (const char               *text,
                                            GError                  **error);

/* Same grammar for the first digits of a fingerprint (as a user types them):
 * at least @min_digits (and at least 1), at most 64 hex digits; the count
 * may be odd. Returns lowercase hex without separators. */
char *tessera_fingerprint_normalize_prefix (const char               *text,
                                            guint                     min_digits,
                                            GError                  **error);

/* Formats normalized hex: upper case and/or "ab:cd:…" byte pairs. */
char *tessera_fingerprint_format           (const char               *normalized_hex,
                                            TesseraFingerprintFormat  format);

/* "ab12cd34…" for the UI: the first 8 hex digits and an ellipsis. */
char *tessera_fingerprint_shorten          (const char               *normalized_hex);

G_END_DECLS
