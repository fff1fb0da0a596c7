/* tessera-fingerprint.c: SHA-256 certificate fingerprints as text
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-fingerprint"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-error.h"
#include "tessera-fingerprint.h"

char *
tessera_fingerprint_compute (GBytes *der)
{
  g_return_val_if_fail (der != NULL, NULL);

  /* GChecksum prints lowercase hex, which is the normalized form. */
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, der);
}

static gboolean
set_invalid (GError    **error,
             const char *why)
{
  g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_FINGERPRINT,
               /* Translators: %s says why, e.g. "it is empty" */
               _("Reading the fingerprint failed: %s"), why);
  return FALSE;
}

static gboolean
is_separator (char c)
{
  return c == ':' || c == ' ';
}

/* Collects the hex digits of @text (surrounding whitespace stripped) into
 * @out in lowercase. A separator may only stand after a complete byte pair
 * and before the next digit. */
static gboolean
collect_digits (const char *text,
                GString    *out,
                GError    **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  gboolean after_separator = FALSE;

  if (*trimmed == '\0')
    return set_invalid (error, _("it is empty"));

  for (const char *p = trimmed; *p != '\0'; p++)
    {
      if (g_ascii_isxdigit (*p))
        {
          if (out->len == TESSERA_FINGERPRINT_HEX_LEN)
            return set_invalid (error, _("it has more than 64 hexadecimal digits"));
          g_string_append_c (out, g_ascii_tolower (*p));
          after_separator = FALSE;
        }
      else if (is_separator (*p))
        {
          if (after_separator || out->len == 0 || out->len % 2 != 0)
            return set_invalid (error, _("separators may only stand between pairs of digits"));
          after_separator = TRUE;
        }
      else
        {
          return set_invalid (error, _("it contains a character that is not a hexadecimal digit"));
        }
    }

  if (after_separator)
    return set_invalid (error, _("separators may only stand between pairs of digits"));
  return TRUE;
}

char *
tessera_fingerprint_normalize (const char *text,
                               GError    **error)
{
  g_autoptr(GString) out = g_string_sized_new (TESSERA_FINGERPRINT_HEX_LEN);

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!collect_digits (text, out, error))
    return NULL;

  if (out->len != TESSERA_FINGERPRINT_HEX_LEN)
    {
      g_autofree char *why =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "it has %u hexadecimal digit instead of 64",
                                      "it has %u hexadecimal digits instead of 64",
                                      out->len),
                         (guint) out->len);

      set_invalid (error, why);
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
tessera_fingerprint_normalize_prefix (const char *text,
                                      guint       min_digits,
                                      GError    **error)
{
  g_autoptr(GString) out = g_string_sized_new (TESSERA_FINGERPRINT_HEX_LEN);

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!collect_digits (text, out, error))
    return NULL;

  if (out->len < MAX (min_digits, 1))
    {
      g_autofree char *why =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "at least %u hexadecimal digit is needed",
                                      "at least %u hexadecimal digits are needed",
                                      min_digits),
                         min_digits);

      set_invalid (error, why);
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
tessera_fingerprint_format (const char              *normalized_hex,
                            TesseraFingerprintFormat format)
{
  GString *out;

  g_return_val_if_fail (normalized_hex != NULL, NULL);

  out = g_string_sized_new (strlen (normalized_hex) * 3 / 2);
  for (gsize i = 0; normalized_hex[i] != '\0'; i++)
    {
      char c = normalized_hex[i];

      if ((format & TESSERA_FINGERPRINT_COLONS) != 0 && i > 0 && i % 2 == 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, (format & TESSERA_FINGERPRINT_UPPER) != 0
                                ? g_ascii_toupper (c)
                                : g_ascii_tolower (c));
    }

  return g_string_free (out, FALSE);
}

char *
tessera_fingerprint_shorten (const char *normalized_hex)
{
  g_return_val_if_fail (normalized_hex != NULL, NULL);

  if (strlen (normalized_hex) <= 8)
    return g_strdup (normalized_hex);

  /* U+2026 HORIZONTAL ELLIPSIS */
  return g_strdup_printf ("%.8s\xe2\x80\xa6", normalized_hex);
}
