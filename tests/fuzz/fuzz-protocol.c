/* fuzz-protocol.c: the ccm2 and XEP-0257 reply parsers on hostile XML
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the XML text of one stanza as a server could send it. It is
 * parsed the way the tests do (tessera_protocol_stanza_from_string) and then
 * handed to every reply parser, whatever its kind: a real server's reply
 * reaches the parser of the request it answers, so any stanza may reach any
 * of them.
 */

#include "config.h"

#include <string.h>

#include "tessera-cert-entry.h"
#include "tessera-error.h"
#include "tessera-fingerprint.h"
#include "tessera-protocol.h"

#include "fuzz-common.h"

#define ALICE  "alice@example.org"
#define DOMAIN "example.org"

static gboolean
is_normalized_fingerprint (const char *hex)
{
  return hex != NULL &&
         strlen (hex) == TESSERA_FINGERPRINT_HEX_LEN &&
         strspn (hex, "0123456789abcdef") == TESSERA_FINGERPRINT_HEX_LEN;
}

/* Everything the list view would read of an entry. */
static void
inspect_entry (TesseraCertEntry *entry)
{
  TesseraLastUsedState state = tessera_cert_entry_get_last_used_state (entry);
  const char * const *users = tessera_cert_entry_get_users (entry);
  TesseraCertificate *certificate = tessera_cert_entry_get_certificate (entry);
  g_autofree char *fingerprint = NULL;

  tessera_fuzz_check (g_utf8_validate (tessera_cert_entry_get_name (entry), -1, NULL),
                      "an entry name is valid UTF-8");
  tessera_fuzz_check (is_normalized_fingerprint (tessera_cert_entry_get_fingerprint (entry)),
                      "an entry fingerprint is 64 lowercase hex digits");
  fingerprint = tessera_fingerprint_compute (tessera_cert_entry_get_der (entry));
  tessera_fuzz_check (g_strcmp0 (fingerprint, tessera_cert_entry_get_fingerprint (entry)) == 0,
                      "an entry fingerprint is the SHA-256 of its DER");
  tessera_fuzz_check ((state == TESSERA_LAST_USED_AT) == (tessera_cert_entry_get_last_used (entry) != NULL),
                      "an entry has a last-used time exactly when its state is AT");
  tessera_fuzz_check (users != NULL, "an entry's users are never NULL");
  for (; *users != NULL; users++)
    tessera_fuzz_check (g_utf8_validate (*users, -1, NULL), "a resource is valid UTF-8");
  tessera_fuzz_check ((certificate != NULL) == tessera_cert_entry_get_readable (entry),
                      "an entry is readable exactly when it has a certificate");
  tessera_fuzz_check (certificate == NULL || tessera_cert_entry_get_not_after (entry) != NULL,
                      "a readable entry has an expiry");
}

static void
check_entries (GPtrArray *entries,
               GError    *error)
{
  guint i;

  tessera_fuzz_check ((entries == NULL) != (error == NULL), "a list parser returns a list or an error");
  if (entries == NULL)
    {
      tessera_fuzz_check (g_error_matches (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_MALFORMED_REPLY),
                          "a list parser fails with MALFORMED_REPLY");
      return;
    }
  for (i = 0; i < entries->len; i++)
    inspect_entry (g_ptr_array_index (entries, i));
}

static void
parse_lists (xmpp_stanza_t *stanza)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) limited = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) list_error = NULL;
  g_autoptr(GError) limited_error = NULL;
  g_autoptr(GError) items_error = NULL;

  list = tessera_protocol_parse_list (stanza, &list_error);
  check_entries (list, list_error);

  /* A small guard, so that short inputs reach the "too many" path. */
  limited = tessera_protocol_parse_list_limited (stanza, 2, &limited_error);
  check_entries (limited, limited_error);
  tessera_fuzz_check (limited == NULL || (list != NULL && limited->len == list->len),
                      "a list within the guard reads the same as without it");

  items = tessera_protocol_parse_saslcert_items (stanza, &items_error);
  check_entries (items, items_error);
}

static void
parse_add_result (xmpp_stanza_t *stanza)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = tessera_protocol_parse_add_result (stanza, &error);

  tessera_fuzz_check ((der == NULL) != (error == NULL), "parse_add_result returns DER or an error");
  tessera_fuzz_check (der == NULL || g_bytes_get_size (der) > 0, "an add result is never empty");
  tessera_fuzz_check (error == NULL ||
                      g_error_matches (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_MALFORMED_REPLY),
                      "parse_add_result fails with MALFORMED_REPLY");
}

static void
read_error (xmpp_stanza_t *stanza)
{
  g_autoptr(GError) error = tessera_protocol_error_from_reply (stanza);

  tessera_fuzz_check (error != NULL && error->domain == TESSERA_STANZA_ERROR,
                      "error_from_reply always gives a stanza error");
  tessera_fuzz_check (tessera_stanza_error_condition_to_string (error->code) != NULL,
                      "the condition is a known one");
  tessera_fuzz_check (error->message != NULL && g_utf8_validate (error->message, -1, NULL),
                      "the message is valid UTF-8");
  /* The server's text is cut to a sentence: the message stays bounded. */
  tessera_fuzz_check (g_utf8_strlen (error->message, -1) < 4096, "the message is bounded");
  (void) tessera_stanza_error_get_error_type (error);
}

static void
classify (xmpp_stanza_t *stanza)
{
  TesseraReplyKind as_domain = tessera_protocol_classify_reply (stanza, ALICE, DOMAIN);
  TesseraReplyKind as_default = tessera_protocol_classify_reply (stanza, ALICE, NULL);

  tessera_fuzz_check (as_domain == as_default,
                      "classify_reply with domain NULL means the bare JID's domain");
  tessera_fuzz_check (as_domain == TESSERA_REPLY_IGNORE || as_domain == TESSERA_REPLY_RESULT ||
                      as_domain == TESSERA_REPLY_ERROR, "classify_reply gives a known kind");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static xmpp_ctx_t *ctx;
  g_autofree char *xml = NULL;
  xmpp_stanza_t *stanza;
  TesseraFeatures features;

  tessera_fuzz_init ();
  /* One context for the whole run: it holds no per-stanza state. */
  if (ctx == NULL)
    ctx = xmpp_ctx_new (NULL, NULL);

  xml = tessera_fuzz_strndup (data, size);
  stanza = tessera_protocol_stanza_from_string (ctx, xml);
  if (stanza == NULL)
    return 0;

  classify (stanza);
  read_error (stanza);
  features = tessera_protocol_parse_disco_info (stanza);
  tessera_fuzz_check ((features & ~(TESSERA_FEATURES_CCM2 | TESSERA_FEATURE_XEP0257)) == 0,
                      "parse_disco_info gives known flags only");
  parse_add_result (stanza);
  parse_lists (stanza);

  xmpp_stanza_release (stanza);
  return 0;
}
