/* tessera-log.c: libstrophe's log bridged into GLib logging, with redaction
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <string.h>

#include "tessera-log.h"

#define REDACTED "[redacted]"

typedef struct
{
  const char *pattern;
  const char *replacement;
  GRegexCompileFlags flags;
} Redaction;

/* Order matters: private keys first (they may contain anything), then
 * element payloads, then "key=value" pairs. */
static const Redaction redactions[] = {
  { "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)",
    "[redacted private key]", G_REGEX_DOTALL },
  /* SASL (RFC 6120 §6.4) and legacy auth / registration (XEP-0078, XEP-0077) */
  { "<((?:[A-Za-z0-9_.-]+:)?(?:auth|response|challenge|success|password|digest|passphrase))(\\s[^>]*)?>[^<]*</\\1>",
    "<\\1\\2>" REDACTED "</\\1>", 0 },
  /* An unterminated payload (a truncated log line) */
  { "<((?:[A-Za-z0-9_.-]+:)?(?:auth|response|challenge|success|password|digest))(\\s[^>]*)?(?<!/)>[^<]+$",
    "<\\1\\2>" REDACTED, 0 },
  { "\\b(pass(?:word|phrase|wd)?|pwd|secret|pin)(\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s,;&]+)",
    "\\1\\2" REDACTED, G_REGEX_CASELESS },
};

static GRegex *
get_regex (guint index)
{
  static GRegex *regexes[G_N_ELEMENTS (redactions)];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (redactions); i++)
        {
          regexes[i] = g_regex_new (redactions[i].pattern,
                                    redactions[i].flags | G_REGEX_OPTIMIZE,
                                    0, NULL);
          g_assert (regexes[i] != NULL);
        }
      g_once_init_leave (&initialized, 1);
    }

  return regexes[index];
}

static char *
replace_literal (const char *text,
                 const char *secret)
{
  GString *out = g_string_new (NULL);
  gsize secret_len = strlen (secret);
  const char *p = text;
  const char *hit;

  while ((hit = strstr (p, secret)) != NULL)
    {
      g_string_append_len (out, p, hit - p);
      g_string_append (out, REDACTED);
      p = hit + secret_len;
    }
  g_string_append (out, p);

  return g_string_free (out, FALSE);
}

char *
tessera_log_redact (const char         *message,
                    const char * const *secrets)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (message != NULL, NULL);

  text = g_strdup (message);

  /* Exact secrets first, so a pattern cannot split one in two. */
  for (guint i = 0; secrets != NULL && secrets[i] != NULL; i++)
    {
      char *next;

      if (secrets[i][0] == '\0')
        continue;
      next = replace_literal (text, secrets[i]);
      g_free (text);
      text = next;
    }

  for (guint i = 0; i < G_N_ELEMENTS (redactions); i++)
    {
      char *next = g_regex_replace (get_regex (i), text, -1, 0,
                                    redactions[i].replacement, 0, NULL);

      /* A replacement error leaves nothing safe to show. */
      if (next == NULL)
        return g_strdup (REDACTED);
      g_free (text);
      text = next;
    }

  return g_steal_pointer (&text);
}

gboolean
tessera_log_strophe_enabled (void)
{
  return !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG,
                                           TESSERA_LOG_DOMAIN_STROPHE);
}

void
tessera_log_strophe (const char         *area,
                     const char         *message,
                     const char * const *secrets)
{
  g_autofree char *redacted = NULL;

  if (message == NULL)
    return;

  redacted = tessera_log_redact (message, secrets);
  g_log_structured (TESSERA_LOG_DOMAIN_STROPHE, G_LOG_LEVEL_DEBUG,
                    "MESSAGE", "%s: %s", area != NULL ? area : "strophe", redacted);
}
