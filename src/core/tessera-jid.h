/* tessera-jid.h: parsing and normalizing Jabber IDs
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TESSERA_JID_MAX_PART_LEN 1023

/* RFC 7622-ish: at most one '@' before the first '/', non-empty parts, each part
 * at most 1023 bytes, valid UTF-8 in NFC, no control characters or spaces in the
 * localpart or domainpart (nor RFC 7622's forbidden "&'/:<>@ in the localpart),
 * localpart and domainpart lowercased, one trailing dot of the domain stripped,
 * IPv4 and bracketed IPv6 literals allowed as domain. Errors are TESSERA_JID_ERROR.
 * Every out argument is optional; a missing localpart or resourcepart is NULL. */
gboolean tessera_jid_parse          (const char  *text,
                                     char       **localpart,
                                     char       **domainpart,
                                     char       **resourcepart,
                                     GError     **error);

/* "local@domain", normalized as above; requires a localpart, refuses a resource
 * (TESSERA_JID_ERROR_RESOURCE_NOT_ALLOWED). */
char    *tessera_jid_normalize_bare (const char  *text,
                                     GError     **error);

/* The normalized domain of a JID, newly allocated; NULL when @bare_jid does
 * not parse. */
char    *tessera_jid_get_domain_of  (const char  *bare_jid);

/* TRUE when both JIDs parse and are equal after normalization. */
gboolean tessera_jid_equal          (const char  *a,
                                     const char  *b);

G_END_DECLS
