/* fuzz-jid.c: Jabber ID parsing and normalization on hostile text
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a JID as a user types it or a server puts it in a "from"
 * attribute or an xmppAddr.
 */

#include "config.h"

#include <string.h>

#include "tessera-error.h"
#include "tessera-jid.h"

#include "fuzz-common.h"

static void
check_error (GError *error)
{
  tessera_fuzz_check (error != NULL && error->domain == TESSERA_JID_ERROR, "errors are TESSERA_JID_ERROR");
  tessera_fuzz_check (g_utf8_validate (error->message, -1, NULL), "the message is valid UTF-8");
}

static void
check_part (const char *part)
{
  tessera_fuzz_check (part == NULL || (*part != '\0' && strlen (part) <= TESSERA_JID_MAX_PART_LEN),
                      "a part is 1 to 1023 bytes");
  tessera_fuzz_check (part == NULL || g_utf8_validate (part, -1, NULL), "a part is valid UTF-8");
}

/* The parts put back together parse to the same parts: normalization is
 * idempotent and a part never swallows a separator. */
static void
check_reparse (const char *local,
               const char *domain,
               const char *resource)
{
  g_autofree char *text = NULL;
  g_autofree char *local2 = NULL;
  g_autofree char *domain2 = NULL;
  g_autofree char *resource2 = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  text = g_strconcat (local != NULL ? local : "", local != NULL ? "@" : "",
                      domain,
                      resource != NULL ? "/" : "", resource != NULL ? resource : "", NULL);
  ok = tessera_jid_parse (text, &local2, &domain2, &resource2, &error);
  tessera_fuzz_check (ok, "a normalized JID parses again");
  tessera_fuzz_check (g_strcmp0 (local, local2) == 0 && g_strcmp0 (domain, domain2) == 0 &&
                      g_strcmp0 (resource, resource2) == 0,
                      "parsing a normalized JID changes nothing");
}

static void
check_bare (const char *text,
            const char *local,
            const char *resource)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bare = tessera_jid_normalize_bare (text, &error);
  g_autofree char *again = NULL;

  tessera_fuzz_check ((bare == NULL) != (error == NULL), "a bare JID or an error");
  if (bare == NULL)
    {
      check_error (error);
      tessera_fuzz_check (local == NULL || resource != NULL,
                          "normalize_bare fails only without a localpart or with a resource");
      return;
    }
  tessera_fuzz_check (local != NULL && resource == NULL, "normalize_bare needs a localpart and no resource");
  again = tessera_jid_normalize_bare (bare, NULL);
  tessera_fuzz_check (g_strcmp0 (bare, again) == 0, "normalize_bare is idempotent");
  tessera_fuzz_check (tessera_jid_equal (bare, text), "a JID equals its normalized form");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *domain_of = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  tessera_fuzz_init ();

  text = tessera_fuzz_strndup (data, size);
  ok = tessera_jid_parse (text, &local, &domain, &resource, &error);
  tessera_fuzz_check (ok == (error == NULL), "parse fails exactly when it sets an error");
  domain_of = tessera_jid_get_domain_of (text);
  tessera_fuzz_check (g_strcmp0 (domain_of, domain) == 0, "get_domain_of is parse's domain");
  tessera_fuzz_check (tessera_jid_equal (text, text) == ok, "a JID that parses equals itself");

  if (!ok)
    {
      check_error (error);
      tessera_fuzz_check (tessera_jid_normalize_bare (text, NULL) == NULL,
                          "normalize_bare refuses what parse refuses");
      return 0;
    }

  tessera_fuzz_check (domain != NULL, "a JID has a domain");
  check_part (local);
  check_part (domain);
  check_part (resource);
  check_reparse (local, domain, resource);
  check_bare (text, local, resource);
  return 0;
}
