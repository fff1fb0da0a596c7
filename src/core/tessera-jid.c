/* tessera-jid.c: parsing and normalizing Jabber IDs
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-jid"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "tessera-error.h"
#include "tessera-jid.h"

/* RFC 7622 §3.3.1: characters a localpart may never hold. */
#define LOCALPART_FORBIDDEN "\"&'/:<>@"

static gboolean
set_error (GError     **error,
           int          code,
           const char  *why)
{
  /* Translators: "<what failed>: <why>" for a Jabber ID the user typed or a server sent */
  g_set_error (error, TESSERA_JID_ERROR, code, _("Reading the address failed: %s"), why);
  return FALSE;
}

/* NFC + Unicode lowercase when @fold; NULL only if @text is not UTF-8. */
static char *
normalize_part (const char *text,
                gssize      len,
                gboolean    fold)
{
  g_autofree char *nfc = g_utf8_normalize (text, len, G_NORMALIZE_NFC);
  g_autofree char *lower = NULL;

  if (nfc == NULL || !fold)
    return g_steal_pointer (&nfc);
  lower = g_utf8_strdown (nfc, -1);
  return g_utf8_normalize (lower, -1, G_NORMALIZE_NFC);
}

static gboolean
check_length (const char  *part,
              GError     **error)
{
  if (strlen (part) > TESSERA_JID_MAX_PART_LEN)
    return set_error (error, TESSERA_JID_ERROR_TOO_LONG,
                      _("a part is longer than 1023 bytes"));
  return TRUE;
}

static gboolean
check_characters (const char  *part,
                  gboolean     allow_space,
                  const char  *forbidden,
                  GError     **error)
{
  const char *p;

  for (p = part; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x7f)
        return set_error (error, TESSERA_JID_ERROR_INVALID_CHARACTER,
                          _("it contains a control character"));
      if (!allow_space && (g_unichar_isspace (c) || g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR))
        return set_error (error, TESSERA_JID_ERROR_INVALID_CHARACTER,
                          _("it contains a space"));
      if (forbidden != NULL && c < 0x80 && strchr (forbidden, (char) c) != NULL)
        return set_error (error, TESSERA_JID_ERROR_INVALID_CHARACTER,
                          _("the part before “@” contains a forbidden character"));
    }
  return TRUE;
}

static gboolean
check_ip6_literal (const char  *domain,
                   GError     **error)
{
  gsize len = strlen (domain);
  g_autofree char *inner = NULL;

  if (len < 3 || domain[len - 1] != ']')
    return set_error (error, TESSERA_JID_ERROR_MALFORMED,
                      _("the server name has an unclosed “[”"));
  inner = g_strndup (domain + 1, len - 2);
  if (strchr (inner, ':') == NULL || !g_hostname_is_ip_address (inner))
    return set_error (error, TESSERA_JID_ERROR_MALFORMED,
                      _("the bracketed server name is not an IPv6 address"));
  return TRUE;
}

/* Labels: ASCII letters, digits, '-' and '_' (seen on internal hosts), or
 * any printable non-ASCII character (IDN U-labels); no empty label. */
static gboolean
check_domain_name (const char  *domain,
                   GError     **error)
{
  const char *p;
  gboolean label_empty = TRUE;

  if (!check_characters (domain, FALSE, NULL, error))
    return FALSE;
  for (p = domain; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '.')
        {
          if (label_empty)
            return set_error (error, TESSERA_JID_ERROR_MALFORMED,
                              _("the server name has an empty label"));
          label_empty = TRUE;
          continue;
        }
      if (c < 0x80 && !g_ascii_isalnum ((char) c) && c != '-' && c != '_')
        return set_error (error, TESSERA_JID_ERROR_INVALID_CHARACTER,
                          _("the server name contains a forbidden character"));
      if (c >= 0x80 && !g_unichar_isprint (c))
        return set_error (error, TESSERA_JID_ERROR_INVALID_CHARACTER,
                          _("the server name contains a non-printable character"));
      label_empty = FALSE;
    }
  if (label_empty)
    return set_error (error, TESSERA_JID_ERROR_MALFORMED,
                      _("the server name has an empty label"));
  return TRUE;
}

static char *
parse_domain (const char  *text,
              gsize        len,
              GError     **error)
{
  g_autofree char *domain = NULL;

  if (len > 0 && text[len - 1] == '.')
    len--;
  if (len == 0)
    {
      set_error (error, TESSERA_JID_ERROR_MALFORMED, _("the server name is empty"));
      return NULL;
    }
  if (len > 4 * TESSERA_JID_MAX_PART_LEN)
    {
      set_error (error, TESSERA_JID_ERROR_TOO_LONG, _("a part is longer than 1023 bytes"));
      return NULL;
    }

  domain = normalize_part (text, len, TRUE);
  if (domain == NULL)
    {
      set_error (error, TESSERA_JID_ERROR_INVALID_CHARACTER, _("it is not valid UTF-8"));
      return NULL;
    }
  if (!check_length (domain, error))
    return NULL;
  if (domain[0] == '[' ? !check_ip6_literal (domain, error)
                       : !check_domain_name (domain, error))
    return NULL;

  return g_steal_pointer (&domain);
}

static char *
parse_localpart (const char  *text,
                 gsize        len,
                 GError     **error)
{
  g_autofree char *local = NULL;

  if (len == 0)
    {
      set_error (error, TESSERA_JID_ERROR_MALFORMED, _("the part before “@” is empty"));
      return NULL;
    }
  if (len > 4 * TESSERA_JID_MAX_PART_LEN)
    {
      set_error (error, TESSERA_JID_ERROR_TOO_LONG, _("a part is longer than 1023 bytes"));
      return NULL;
    }
  local = normalize_part (text, len, TRUE);
  if (local == NULL)
    {
      set_error (error, TESSERA_JID_ERROR_INVALID_CHARACTER, _("it is not valid UTF-8"));
      return NULL;
    }
  if (!check_length (local, error) ||
      !check_characters (local, FALSE, LOCALPART_FORBIDDEN, error))
    return NULL;
  return g_steal_pointer (&local);
}

static char *
parse_resourcepart (const char  *text,
                    GError     **error)
{
  g_autofree char *resource = NULL;
  gsize len = strlen (text);

  if (len == 0)
    {
      set_error (error, TESSERA_JID_ERROR_MALFORMED, _("the part after “/” is empty"));
      return NULL;
    }
  if (len > 4 * TESSERA_JID_MAX_PART_LEN)
    {
      set_error (error, TESSERA_JID_ERROR_TOO_LONG, _("a part is longer than 1023 bytes"));
      return NULL;
    }
  resource = normalize_part (text, len, FALSE);
  if (resource == NULL)
    {
      set_error (error, TESSERA_JID_ERROR_INVALID_CHARACTER, _("it is not valid UTF-8"));
      return NULL;
    }
  /* RFC 7622 resourceparts may hold spaces, never control characters. */
  if (!check_length (resource, error) || !check_characters (resource, TRUE, NULL, error))
    return NULL;
  return g_steal_pointer (&resource);
}

gboolean
tessera_jid_parse (const char  *text,
                   char       **localpart,
                   char       **domainpart,
                   char       **resourcepart,
                   GError     **error)
{
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *resource = NULL;
  const char *slash;
  const char *at;
  const char *domain_start;
  gsize bare_len;

  if (text == NULL || *text == '\0')
    return set_error (error, TESSERA_JID_ERROR_EMPTY, _("it is empty"));
  if (!g_utf8_validate (text, -1, NULL))
    return set_error (error, TESSERA_JID_ERROR_INVALID_CHARACTER, _("it is not valid UTF-8"));

  /* The resource starts at the first '/' and may itself hold '@' and '/'. */
  slash = strchr (text, '/');
  bare_len = slash != NULL ? (gsize) (slash - text) : strlen (text);
  at = memchr (text, '@', bare_len);
  if (at != NULL && memchr (at + 1, '@', bare_len - (gsize) (at - text) - 1) != NULL)
    return set_error (error, TESSERA_JID_ERROR_MALFORMED, _("it contains more than one “@”"));

  if (at != NULL && (local = parse_localpart (text, (gsize) (at - text), error)) == NULL)
    return FALSE;
  domain_start = at != NULL ? at + 1 : text;
  domain = parse_domain (domain_start, bare_len - (gsize) (domain_start - text), error);
  if (domain == NULL)
    return FALSE;
  if (slash != NULL && (resource = parse_resourcepart (slash + 1, error)) == NULL)
    return FALSE;

  if (localpart != NULL)
    *localpart = g_steal_pointer (&local);
  if (domainpart != NULL)
    *domainpart = g_steal_pointer (&domain);
  if (resourcepart != NULL)
    *resourcepart = g_steal_pointer (&resource);
  return TRUE;
}

char *
tessera_jid_normalize_bare (const char  *text,
                            GError     **error)
{
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *resource = NULL;

  if (!tessera_jid_parse (text, &local, &domain, &resource, error))
    return NULL;
  if (local == NULL)
    {
      set_error (error, TESSERA_JID_ERROR_MALFORMED,
                 _("it has no user name (expected “user@example.org”)"));
      return NULL;
    }
  if (resource != NULL)
    {
      set_error (error, TESSERA_JID_ERROR_RESOURCE_NOT_ALLOWED,
                 _("it has a “/resource” part, which an account address may not have"));
      return NULL;
    }
  return g_strconcat (local, "@", domain, NULL);
}

char *
tessera_jid_get_domain_of (const char *bare_jid)
{
  char *domain = NULL;

  if (!tessera_jid_parse (bare_jid, NULL, &domain, NULL, NULL))
    return NULL;
  return domain;
}

gboolean
tessera_jid_equal (const char *a,
                   const char *b)
{
  g_autofree char *la = NULL, *da = NULL, *ra = NULL;
  g_autofree char *lb = NULL, *db = NULL, *rb = NULL;

  if (!tessera_jid_parse (a, &la, &da, &ra, NULL) ||
      !tessera_jid_parse (b, &lb, &db, &rb, NULL))
    return FALSE;
  return g_strcmp0 (la, lb) == 0 && g_strcmp0 (da, db) == 0 && g_strcmp0 (ra, rb) == 0;
}
