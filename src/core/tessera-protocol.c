/* tessera-protocol.c: building and reading certificate-management stanzas
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-protocol"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "tessera-datetime.h"
#include "tessera-error.h"
#include "tessera-jid.h"
#include "tessera-protocol.h"

/* The part of a server's <text/> shown to the user: enough for a sentence. */
#define MAX_ERROR_TEXT_CHARS 512

/* ------------------------------------------------------------------ */
/* Small tree helpers                                                  */

static gboolean
malformed (GError     **error,
           const char  *why)
{
  /* Translators: "<what failed>: <why>", about a reply of the XMPP server */
  g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_MALFORMED_REPLY,
               _("Reading the server’s reply failed: %s"), why);
  return FALSE;
}

static gboolean
is_element (xmpp_stanza_t *stanza,
            const char    *name)
{
  return xmpp_stanza_is_tag (stanza) &&
         (name == NULL || g_strcmp0 (xmpp_stanza_get_name (stanza), name) == 0);
}

/* A child belongs to its parent's namespace when the parser resolved it so,
 * or when it was built without one (it then inherits it on the wire). */
static gboolean
in_namespace (xmpp_stanza_t *stanza,
              const char    *ns)
{
  const char *own = xmpp_stanza_get_ns (stanza);

  return own == NULL || g_strcmp0 (own, ns) == 0;
}

static xmpp_stanza_t *
find_child (xmpp_stanza_t *parent,
            const char    *name,
            const char    *ns)
{
  xmpp_stanza_t *child;

  for (child = xmpp_stanza_get_children (parent); child != NULL; child = xmpp_stanza_get_next (child))
    if (is_element (child, name) && in_namespace (child, ns))
      return child;
  return NULL;
}

/* The first child element that is in @ns explicitly (the payload of an iq). */
static xmpp_stanza_t *
find_payload (xmpp_stanza_t *iq,
              const char    *name,
              const char    *ns)
{
  xmpp_stanza_t *child;

  for (child = xmpp_stanza_get_children (iq); child != NULL; child = xmpp_stanza_get_next (child))
    if (is_element (child, name) && g_strcmp0 (xmpp_stanza_get_ns (child), ns) == 0)
      return child;
  return NULL;
}

/* The concatenated text children of @element, refused past the size guard
 * before anything is copied. */
static char *
dup_text (xmpp_stanza_t  *element,
          GError        **error)
{
  xmpp_stanza_t *child;
  GString *text;
  gsize total = 0;

  for (child = xmpp_stanza_get_children (element); child != NULL; child = xmpp_stanza_get_next (child))
    if (xmpp_stanza_is_text (child) && xmpp_stanza_get_text_ptr (child) != NULL)
      {
        total += strlen (xmpp_stanza_get_text_ptr (child));
        if (total > TESSERA_PROTOCOL_MAX_TEXT_SIZE)
          {
            malformed (error, _("a text node is larger than 16 MiB"));
            return NULL;
          }
      }

  text = g_string_sized_new (total);
  for (child = xmpp_stanza_get_children (element); child != NULL; child = xmpp_stanza_get_next (child))
    if (xmpp_stanza_is_text (child) && xmpp_stanza_get_text_ptr (child) != NULL)
      g_string_append (text, xmpp_stanza_get_text_ptr (child));
  return g_string_free (text, FALSE);
}

static xmpp_stanza_t *
add_element (xmpp_stanza_t *parent,
             const char    *name,
             const char    *ns)
{
  xmpp_stanza_t *child = xmpp_stanza_new (xmpp_stanza_get_context (parent));

  xmpp_stanza_set_name (child, name);
  if (ns != NULL)
    xmpp_stanza_set_ns (child, ns);
  /* Ownership moves to the parent. */
  xmpp_stanza_add_child_ex (parent, child, 0);
  return child;
}

static xmpp_stanza_t *
add_text_element (xmpp_stanza_t *parent,
                  const char    *name,
                  const char    *text)
{
  xmpp_stanza_t *element = add_element (parent, name, NULL);
  xmpp_stanza_t *body = xmpp_stanza_new (xmpp_stanza_get_context (parent));

  xmpp_stanza_set_text (body, text);
  xmpp_stanza_add_child_ex (element, body, 0);
  return element;
}

static void
add_base64_element (xmpp_stanza_t *parent,
                    const char    *name,
                    GBytes        *data)
{
  gsize len = 0;
  const guchar *bytes = g_bytes_get_data (data, &len);
  g_autofree char *b64 = g_base64_encode (bytes, len);

  add_text_element (parent, name, b64);
}

/* An iq request with its payload element; requests carry no "to"
 * (PROTOCOL.md §1). */
static xmpp_stanza_t *
new_request (xmpp_ctx_t     *ctx,
             const char     *type,
             const char     *id,
             const char     *payload_name,
             const char     *payload_ns,
             xmpp_stanza_t **payload)
{
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, type, id);

  *payload = add_element (iq, payload_name, payload_ns);
  return iq;
}

/* A "set" request about one certificate by its name: ccm2's add and
 * XEP-0257's append (@der, base64 in <@der_name/>) and revoke (no @der). */
static xmpp_stanza_t *
new_named_request (xmpp_ctx_t *ctx,
                   const char *id,
                   const char *payload_name,
                   const char *payload_ns,
                   const char *name,
                   const char *der_name,
                   GBytes     *der)
{
  xmpp_stanza_t *payload;
  xmpp_stanza_t *iq = new_request (ctx, "set", id, payload_name, payload_ns, &payload);

  add_text_element (payload, "name", name);
  if (der != NULL)
    add_base64_element (payload, der_name, der);
  return iq;
}

/* ------------------------------------------------------------------ */
/* Base64                                                              */

static gboolean
is_xml_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static GString *
strip_whitespace (const char *text)
{
  GString *clean = g_string_sized_new (strlen (text));
  const char *p;

  for (p = text; *p != '\0'; p++)
    if (!is_xml_space (*p))
      g_string_append_c (clean, *p);
  return clean;
}

static gboolean
is_canonical_base64 (const char *s,
                     gsize       len)
{
  gsize i;

  if (len == 0 || len % 4 != 0)
    return FALSE;
  for (i = 0; i < len; i++)
    {
      char c = s[i];

      if (g_ascii_isalnum (c) || c == '+' || c == '/')
        continue;
      /* '=' only as the last one or two characters. */
      if (c == '=' && (i == len - 1 || (i == len - 2 && s[len - 1] == '=')))
        continue;
      return FALSE;
    }
  return TRUE;
}

GBytes *
tessera_protocol_decode_base64 (const char *text)
{
  g_autoptr(GString) clean = NULL;
  gsize out_len = 0;
  guchar *data;

  if (text == NULL)
    return NULL;
  clean = strip_whitespace (text);
  if (!is_canonical_base64 (clean->str, clean->len))
    return NULL;
  data = g_base64_decode (clean->str, &out_len);
  return g_bytes_new_take (data, out_len);
}

/* ------------------------------------------------------------------ */
/* Reply classification and stanza errors                              */

static gboolean
from_is_account_or_domain (const char *from,
                           const char *bare_jid,
                           const char *domain)
{
  g_autofree char *local = NULL;
  g_autofree char *from_domain = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *own_domain = NULL;
  g_autofree char *own_bare = NULL;

  if (!tessera_jid_parse (from, &local, &from_domain, &resource, NULL) || resource != NULL)
    return FALSE;
  if (local == NULL)
    {
      own_domain = tessera_jid_get_domain_of (domain != NULL ? domain : bare_jid);
      return own_domain != NULL && g_strcmp0 (own_domain, from_domain) == 0;
    }
  own_bare = tessera_jid_normalize_bare (bare_jid, NULL);
  return own_bare != NULL && tessera_jid_equal (own_bare, from);
}

TesseraReplyKind
tessera_protocol_classify_reply (xmpp_stanza_t *stanza,
                                 const char    *bare_jid,
                                 const char    *domain)
{
  TesseraReplyKind kind;
  const char *type;
  const char *from;

  if (stanza == NULL || !is_element (stanza, "iq"))
    return TESSERA_REPLY_IGNORE;

  type = xmpp_stanza_get_type (stanza);
  if (g_strcmp0 (type, "result") == 0)
    kind = TESSERA_REPLY_RESULT;
  else if (g_strcmp0 (type, "error") == 0)
    kind = TESSERA_REPLY_ERROR;
  else
    return TESSERA_REPLY_IGNORE;

  from = xmpp_stanza_get_from (stanza);
  if (from != NULL && !from_is_account_or_domain (from, bare_jid, domain))
    {
      g_debug ("Ignoring a reply from another sender");
      return TESSERA_REPLY_IGNORE;
    }
  return kind;
}

/* At most MAX_ERROR_TEXT_CHARS characters of a server's explanation. */
static char *
dup_error_text (xmpp_stanza_t *text_element)
{
  g_autofree char *text = dup_text (text_element, NULL);

  if (text == NULL)
    return NULL;
  g_strstrip (text);
  if (g_utf8_strlen (text, -1) > MAX_ERROR_TEXT_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (text, 0, MAX_ERROR_TEXT_CHARS);

      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&text);
}

GError *
tessera_protocol_error_from_reply (xmpp_stanza_t *error_iq)
{
  TesseraStanzaErrorCondition condition = TESSERA_STANZA_ERROR_UNDEFINED_CONDITION;
  TesseraStanzaErrorType type = TESSERA_STANZA_ERROR_TYPE_UNKNOWN;
  g_autofree char *text = NULL;
  gboolean have_condition = FALSE;
  xmpp_stanza_t *error_el = NULL;
  xmpp_stanza_t *child;

  if (error_iq != NULL)
    error_el = find_child (error_iq, "error", "jabber:client");
  if (error_el == NULL)
    return tessera_stanza_error_new (condition, type, NULL);

  type = tessera_stanza_error_type_from_string (xmpp_stanza_get_attribute (error_el, "type"));
  for (child = xmpp_stanza_get_children (error_el); child != NULL; child = xmpp_stanza_get_next (child))
    {
      const char *name = xmpp_stanza_get_name (child);

      if (!xmpp_stanza_is_tag (child) ||
          g_strcmp0 (xmpp_stanza_get_ns (child), TESSERA_NS_STANZAS) != 0)
        continue;
      if (g_strcmp0 (name, "text") == 0)
        {
          if (text == NULL)
            text = dup_error_text (child);
        }
      else if (!have_condition)
        have_condition = tessera_stanza_error_condition_from_string (name, &condition);
    }
  if (!have_condition)
    condition = TESSERA_STANZA_ERROR_UNDEFINED_CONDITION;

  return tessera_stanza_error_new (condition, type, text);
}

/* ------------------------------------------------------------------ */
/* Discovery                                                           */

xmpp_stanza_t *
tessera_protocol_build_disco_info (xmpp_ctx_t *ctx,
                                   const char *id,
                                   const char *to)
{
  xmpp_stanza_t *query;
  xmpp_stanza_t *iq;

  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  iq = new_request (ctx, "get", id, "query", TESSERA_NS_DISCO_INFO, &query);
  if (to != NULL)
    xmpp_stanza_set_to (iq, to);
  return iq;
}

TesseraFeatures
tessera_protocol_parse_disco_info (xmpp_stanza_t *result)
{
  static const struct {
    const char     *var;
    TesseraFeatures flag;
  } vars[] = {
    { TESSERA_NS_CCM2_ADD, TESSERA_FEATURE_ADD },
    { TESSERA_NS_CCM2_LIST, TESSERA_FEATURE_LIST },
    { TESSERA_NS_CCM2_REVOKE, TESSERA_FEATURE_REVOKE },
    { TESSERA_NS_SASLCERT, TESSERA_FEATURE_XEP0257 },
  };
  TesseraFeatures features = TESSERA_FEATURE_NONE;
  xmpp_stanza_t *query;
  xmpp_stanza_t *child;
  gsize i;

  if (result == NULL || (query = find_payload (result, "query", TESSERA_NS_DISCO_INFO)) == NULL)
    return TESSERA_FEATURE_NONE;

  for (child = xmpp_stanza_get_children (query); child != NULL; child = xmpp_stanza_get_next (child))
    {
      const char *var;

      if (!is_element (child, "feature") || !in_namespace (child, TESSERA_NS_DISCO_INFO))
        continue;
      var = xmpp_stanza_get_attribute (child, "var");
      for (i = 0; i < G_N_ELEMENTS (vars); i++)
        if (g_strcmp0 (var, vars[i].var) == 0)
          features |= vars[i].flag;
    }
  return features;
}

/* ------------------------------------------------------------------ */
/* ccm2: add                                                           */

xmpp_stanza_t *
tessera_protocol_build_add (xmpp_ctx_t *ctx,
                            const char *id,
                            const char *name,
                            GBytes     *csr_der)
{
  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (csr_der != NULL && g_bytes_get_size (csr_der) > 0, NULL);

  return new_named_request (ctx, id, "add-certificate-request", TESSERA_NS_CCM2_ADD, name,
                            "x509certificate-signing-request", csr_der);
}

GBytes *
tessera_protocol_parse_add_result (xmpp_stanza_t  *result,
                                   GError        **error)
{
  g_autofree char *text = NULL;
  xmpp_stanza_t *payload;
  xmpp_stanza_t *cert;
  GBytes *der;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (result == NULL)
    {
      malformed (error, _("there is no reply"));
      return NULL;
    }
  /* Tolerant: the named element first, else any element of the namespace. */
  payload = find_payload (result, "add-certificate-result", TESSERA_NS_CCM2_ADD);
  if (payload == NULL)
    payload = find_payload (result, NULL, TESSERA_NS_CCM2_ADD);
  if (payload == NULL)
    {
      malformed (error, _("it holds no add-certificate result"));
      return NULL;
    }
  cert = find_child (payload, "x509certificate", TESSERA_NS_CCM2_ADD);
  if (cert == NULL)
    {
      malformed (error, _("it holds no certificate"));
      return NULL;
    }
  text = dup_text (cert, error);
  if (text == NULL)
    return NULL;
  der = tessera_protocol_decode_base64 (text);
  if (der == NULL)
    malformed (error, _("the certificate is not valid base64"));
  return der;
}

/* ------------------------------------------------------------------ */
/* Lists (ccm2 and XEP-0257)                                           */

typedef struct
{
  const char *ns;
  const char *protocol;
  gboolean    has_last_used;
  guint       max_entries;
  guint       resources;    /* across the whole reply, for the size guard */
} ListContext;

static gboolean
read_users (xmpp_stanza_t  *users,
            ListContext    *lc,
            GPtrArray      *out,
            GError        **error)
{
  xmpp_stanza_t *child;

  for (child = xmpp_stanza_get_children (users); child != NULL; child = xmpp_stanza_get_next (child))
    {
      char *resource;

      if (!is_element (child, "resource") || !in_namespace (child, lc->ns))
        continue;
      if (++lc->resources > lc->max_entries)
        return malformed (error, _("it lists too many resources"));
      if ((resource = dup_text (child, error)) == NULL)
        return FALSE;
      g_ptr_array_add (out, resource);
    }
  return TRUE;
}

/* PROTOCOL.md §3: absent = never used, empty or unreadable = unknown. */
static TesseraLastUsedState
read_last_used (xmpp_stanza_t  *item,
                GDateTime     **when)
{
  const char *attr = xmpp_stanza_get_attribute (item, "last-used");
  g_autoptr(GError) local_error = NULL;

  *when = NULL;
  if (attr == NULL)
    return TESSERA_LAST_USED_NEVER;
  *when = tessera_datetime_parse (attr, &local_error);
  if (*when == NULL)
    {
      g_debug ("Unreadable last-used time: %s", local_error->message);
      return TESSERA_LAST_USED_UNKNOWN;
    }
  return TESSERA_LAST_USED_AT;
}

/* Broken base64 keeps the entry, with the text as its bytes so that it still
 * has a stable fingerprint; it is then unreadable. */
static GBytes *
decode_entry_certificate (const char *b64)
{
  GBytes *der;
  GString *clean;
  gsize len;

  if (b64 == NULL)
    return g_bytes_new (NULL, 0);
  if ((der = tessera_protocol_decode_base64 (b64)) != NULL)
    return der;
  clean = strip_whitespace (b64);
  len = clean->len;
  return g_bytes_new_take (g_string_free (clean, FALSE), len);
}

static TesseraCertEntry *
read_entry (xmpp_stanza_t  *item,
            ListContext    *lc,
            GError        **error)
{
  g_autofree char *name = NULL;
  g_autofree char *b64 = NULL;
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GBytes) der = NULL;
  TesseraLastUsedState state = TESSERA_LAST_USED_UNKNOWN;
  xmpp_stanza_t *child;

  for (child = xmpp_stanza_get_children (item); child != NULL; child = xmpp_stanza_get_next (child))
    {
      const char *element = xmpp_stanza_get_name (child);
      gboolean ok = TRUE;

      if (!xmpp_stanza_is_tag (child) || !in_namespace (child, lc->ns))
        continue;
      if (g_strcmp0 (element, "name") == 0 && name == NULL)
        ok = (name = dup_text (child, error)) != NULL;
      else if (g_strcmp0 (element, "x509cert") == 0 && b64 == NULL)
        ok = (b64 = dup_text (child, error)) != NULL;
      else if (g_strcmp0 (element, "users") == 0)
        ok = read_users (child, lc, users, error);
      if (!ok)
        return NULL;
    }

  if (lc->has_last_used)
    state = read_last_used (item, &when);
  der = decode_entry_certificate (b64);
  g_ptr_array_add (users, NULL);
  return tessera_cert_entry_new (name, der, state, when,
                                 (const char * const *) users->pdata, lc->protocol);
}

static GPtrArray *
read_entries (xmpp_stanza_t  *list,
              const char     *item_name,
              ListContext    *lc,
              GError        **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  xmpp_stanza_t *child;

  for (child = xmpp_stanza_get_children (list); child != NULL; child = xmpp_stanza_get_next (child))
    {
      g_autoptr(GError) local_error = NULL;
      TesseraCertEntry *entry;

      if (!is_element (child, item_name) || !in_namespace (child, lc->ns))
        continue;
      if (entries->len >= lc->max_entries)
        {
          malformed (error, _("it lists too many certificates"));
          return NULL;
        }
      entry = read_entry (child, lc, &local_error);
      if (entry == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_ptr_array_add (entries, entry);
    }
  return g_steal_pointer (&entries);
}

/* The entries of the list element @list_name (NULL: any) of the reply:
 * the same reading for ccm2 and XEP-0257. */
static GPtrArray *
parse_entries (xmpp_stanza_t  *result,
               const char     *list_name,
               const char     *item_name,
               ListContext    *lc,
               GError        **error)
{
  xmpp_stanza_t *list = result != NULL ? find_payload (result, list_name, lc->ns) : NULL;

  if (list == NULL)
    {
      malformed (error, _("it holds no certificate list"));
      return NULL;
    }
  return read_entries (list, item_name, lc, error);
}

xmpp_stanza_t *
tessera_protocol_build_list (xmpp_ctx_t *ctx,
                             const char *id)
{
  xmpp_stanza_t *request;

  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return new_request (ctx, "get", id, "list-certificates-request", TESSERA_NS_CCM2_LIST, &request);
}

GPtrArray *
tessera_protocol_parse_list_limited (xmpp_stanza_t  *result,
                                     guint           max_entries,
                                     GError        **error)
{
  ListContext lc = { TESSERA_NS_CCM2_LIST, "ccm2", TRUE, max_entries, 0 };

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Any element name: the draft's example spells it "list-of-certficiates". */
  return parse_entries (result, NULL, "x509certificate", &lc, error);
}

GPtrArray *
tessera_protocol_parse_list (xmpp_stanza_t  *result,
                             GError        **error)
{
  return tessera_protocol_parse_list_limited (result, TESSERA_PROTOCOL_MAX_ENTRIES, error);
}

xmpp_stanza_t *
tessera_protocol_build_revoke (xmpp_ctx_t *ctx,
                               const char *id,
                               const char *fingerprint_hex)
{
  g_autofree char *hex = NULL;
  xmpp_stanza_t *request;
  xmpp_stanza_t *fingerprint;
  xmpp_stanza_t *iq;

  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (fingerprint_hex != NULL, NULL);

  /* Strict in what we send: 64 lowercase hex digits, nothing else. */
  hex = g_ascii_strdown (fingerprint_hex, -1);
  g_return_val_if_fail (strlen (hex) == 64 && strspn (hex, "0123456789abcdef") == 64, NULL);

  iq = new_request (ctx, "set", id, "revoke-certificate", TESSERA_NS_CCM2_REVOKE, &request);
  fingerprint = add_text_element (request, "fingerprint", hex);
  xmpp_stanza_set_attribute (fingerprint, "hash", "sha-256");
  return iq;
}

/* ------------------------------------------------------------------ */
/* XEP-0257                                                            */

xmpp_stanza_t *
tessera_protocol_build_saslcert_append (xmpp_ctx_t *ctx,
                                        const char *id,
                                        const char *name,
                                        GBytes     *cert_der)
{
  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (cert_der != NULL && g_bytes_get_size (cert_der) > 0, NULL);

  return new_named_request (ctx, id, "append", TESSERA_NS_SASLCERT, name, "x509cert", cert_der);
}

xmpp_stanza_t *
tessera_protocol_build_saslcert_items (xmpp_ctx_t *ctx,
                                       const char *id)
{
  xmpp_stanza_t *items;

  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return new_request (ctx, "get", id, "items", TESSERA_NS_SASLCERT, &items);
}

xmpp_stanza_t *
tessera_protocol_build_saslcert_revoke (xmpp_ctx_t *ctx,
                                        const char *id,
                                        const char *name)
{
  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return new_named_request (ctx, id, "revoke", TESSERA_NS_SASLCERT, name, NULL, NULL);
}

GPtrArray *
tessera_protocol_parse_saslcert_items (xmpp_stanza_t  *result,
                                       GError        **error)
{
  ListContext lc = { TESSERA_NS_SASLCERT, "xep0257", FALSE, TESSERA_PROTOCOL_MAX_ENTRIES, 0 };

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return parse_entries (result, "items", "item", &lc, error);
}

/* ------------------------------------------------------------------ */


char *
tessera_protocol_normalize_name (const char  *name,
                                 GError     **error)
{
  g_autofree char *trimmed = NULL;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The device name is not usable: it is not valid text"));
      return NULL;
    }
  trimmed = g_strstrip (g_strdup (name));
  if (*trimmed == '\0' || g_utf8_strlen (trimmed, -1) > TESSERA_DEVICE_NAME_MAX_CHARS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The device name is not usable: it must have 1 to %d characters"),
                   TESSERA_DEVICE_NAME_MAX_CHARS);
      return NULL;
    }
  if (tessera_device_name_find_hidden_char (trimmed) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The device name is not usable: it contains a control character"));
      return NULL;
    }
  return g_steal_pointer (&trimmed);
}

xmpp_stanza_t *
tessera_protocol_stanza_from_string (xmpp_ctx_t *ctx,
                                     const char *xml)
{
  g_return_val_if_fail (ctx != NULL, NULL);

  if (xml == NULL)
    return NULL;
  return xmpp_stanza_new_from_string (ctx, xml);
}
