/* fuzz-fingerprint.c: the fingerprint parsers on hostile text
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a fingerprint as a user types it (or pastes it from
 * somewhere): tessera-cli's revoke argument, the UI's search field. The
 * first byte picks the minimum digit count of the prefix parser.
 */

#include "config.h"

#include <string.h>

#include "tessera-error.h"
#include "tessera-fingerprint.h"

#include "fuzz-common.h"

static gboolean
is_lower_hex (const char *text,
              gsize       len)
{
  return strlen (text) == len && strspn (text, "0123456789abcdef") == len;
}

static void
check_error (GError *error)
{
  tessera_fuzz_check (g_error_matches (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_FINGERPRINT),
                      "errors are INVALID_FINGERPRINT");
  tessera_fuzz_check (g_utf8_validate (error->message, -1, NULL), "the message is valid UTF-8");
}

/* Every format of a normalized fingerprint normalizes back to it. */
static void
check_formats (const char *hex)
{
  static const TesseraFingerprintFormat formats[] = {
    TESSERA_FINGERPRINT_LOWER,
    TESSERA_FINGERPRINT_UPPER,
    TESSERA_FINGERPRINT_COLONS,
    TESSERA_FINGERPRINT_UPPER | TESSERA_FINGERPRINT_COLONS,
  };
  g_autofree char *shortened = tessera_fingerprint_shorten (hex);
  gsize i;

  tessera_fuzz_check (strncmp (shortened, hex, 8) == 0 && strcmp (shortened + 8, "…") == 0,
                      "shorten keeps the first 8 digits and adds an ellipsis");
  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *formatted = tessera_fingerprint_format (hex, formats[i]);
      g_autofree char *back = tessera_fingerprint_normalize (formatted, NULL);

      tessera_fuzz_check (g_strcmp0 (back, hex) == 0, "a formatted fingerprint normalizes back");
    }
}

static void
check_normalize (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hex = tessera_fingerprint_normalize (text, &error);

  tessera_fuzz_check ((hex == NULL) != (error == NULL), "a fingerprint or an error");
  if (hex == NULL)
    {
      check_error (error);
      return;
    }
  tessera_fuzz_check (is_lower_hex (hex, TESSERA_FINGERPRINT_HEX_LEN),
                      "normalize gives 64 lowercase hex digits");
  check_formats (hex);
}

static void
check_prefix (const char *text,
              guint       min_digits,
              const char *full)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = tessera_fingerprint_normalize_prefix (text, min_digits, &error);
  gsize len;

  tessera_fuzz_check ((prefix == NULL) != (error == NULL), "a prefix or an error");
  if (prefix == NULL)
    {
      check_error (error);
      tessera_fuzz_check (full == NULL || min_digits > TESSERA_FINGERPRINT_HEX_LEN,
                          "a whole fingerprint is a valid prefix");
      return;
    }
  len = strlen (prefix);
  tessera_fuzz_check (len >= MAX (min_digits, 1) && len <= TESSERA_FINGERPRINT_HEX_LEN,
                      "a prefix has min_digits to 64 digits");
  tessera_fuzz_check (is_lower_hex (prefix, len), "a prefix is lowercase hex");
  tessera_fuzz_check (full == NULL || strcmp (full, prefix) == 0,
                      "a whole fingerprint read as a prefix is the same");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autofree char *full = NULL;
  guint min_digits;

  tessera_fuzz_init ();
  if (size == 0)
    return 0;

  /* 0 to 70: below, at and past the 64 digits of a whole fingerprint. */
  min_digits = data[0] % 71;
  text = tessera_fuzz_strndup (data + 1, size - 1);

  check_normalize (text);
  full = tessera_fingerprint_normalize (text, NULL);
  check_prefix (text, min_digits, full);
  return 0;
}
