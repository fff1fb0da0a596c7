/* tessera-cert-exchange.c: listing, requesting and revoking certificates on the server
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <glib/gi18n-lib.h>

#include "tessera-cert-exchange.h"
#include "tessera-certificate.h"
#include "tessera-error.h"
#include "tessera-protocol.h"
#include "tessera-test-hooks.h"

#define SELF_SIGNED_DAYS        365

/* ---- requests (built and read on the connection's worker) ------------- */

typedef enum
{
  REQUEST_LIST,
  REQUEST_ITEMS,
  REQUEST_ADD,
  REQUEST_APPEND,
  REQUEST_REVOKE,
  REQUEST_SASLCERT_REVOKE,
} RequestKind;

/* One request of this file, the user data of its build and parse. */
typedef struct
{
  RequestKind  kind;
  const char  *name;   /* a certificate's name; the fingerprint for REQUEST_REVOKE */
  GBytes      *der;    /* the request (add) or the certificate (append) */
} Request;

static xmpp_stanza_t *
build_request (xmpp_ctx_t *ctx,
               const char *id,
               gpointer    user_data)
{
  const Request *request = user_data;

  switch (request->kind)
    {
    case REQUEST_LIST:
      return tessera_protocol_build_list (ctx, id);
    case REQUEST_ITEMS:
      return tessera_protocol_build_saslcert_items (ctx, id);
    case REQUEST_ADD:
      return tessera_protocol_build_add (ctx, id, request->name, request->der);
    case REQUEST_APPEND:
      return tessera_protocol_build_saslcert_append (ctx, id, request->name, request->der);
    case REQUEST_REVOKE:
      return tessera_protocol_build_revoke (ctx, id, request->name);
    case REQUEST_SASLCERT_REVOKE:
      return tessera_protocol_build_saslcert_revoke (ctx, id, request->name);
    default:
      g_assert_not_reached ();
    }
}

/* Reads the answer. An add, an append or a revocation has changed the
 * server by then while this process has recorded nothing yet: the crash
 * points let the reliability tests stop it exactly there. An empty result
 * confirms an append and either revocation. */
static gpointer
parse_request (xmpp_stanza_t *result,
               gpointer       user_data,
               GError       **error)
{
  const Request *request = user_data;

  switch (request->kind)
    {
    case REQUEST_LIST:
      return tessera_protocol_parse_list (result, error);
    case REQUEST_ITEMS:
      return tessera_protocol_parse_saslcert_items (result, error);
    case REQUEST_ADD:
      tessera_test_crash_point ("enroll:csr-sent");
      return tessera_protocol_parse_add_result (result, error);
    case REQUEST_APPEND:
      tessera_test_crash_point ("enroll:csr-sent");
      return GINT_TO_POINTER (TRUE);
    case REQUEST_REVOKE:
    case REQUEST_SASLCERT_REVOKE:
      tessera_test_crash_point ("revoke:sent");
      return GINT_TO_POINTER (TRUE);
    default:
      g_assert_not_reached ();
    }
}

/* @request stays the caller's: the call blocks until the worker is done
 * with it. */
static gpointer
send_request (TesseraXmppLink   *link,
              TesseraOperation  *op,
              const Request     *request,
              GError           **error)
{
  return tessera_xmpp_link_iq (link, op, build_request, parse_request, (gpointer) request, error);
}

/* ---- listing ----------------------------------------------------------- */

static GPtrArray *
list_xep0257 (TesseraXmppLink   *link,
              TesseraOperation  *op,
              GError           **error)
{
  Request items = { REQUEST_ITEMS, NULL, NULL };

  return send_request (link, op, &items, error);
}

GPtrArray *
tessera_cert_exchange_list (TesseraXmppLink   *link,
                            TesseraOperation  *op,
                            TesseraFeatures    features,
                            GError           **error)
{
  Request list = { REQUEST_LIST, NULL, NULL };

  if (features & TESSERA_FEATURE_LIST)
    return send_request (link, op, &list, error);
  if (features & TESSERA_FEATURE_XEP0257)
    return list_xep0257 (link, op, error);

  g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED,
               _("Listing certificates failed: the server does not offer it"));
  return NULL;
}

char *
tessera_cert_exchange_unique_name (GPtrArray  *entries,
                                   const char *name)
{
  if (tessera_cert_entries_count_named (entries, name) == 0)
    return g_strdup (name);

  for (guint n = 2; ; n++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s (%u)", name, n);

      if (tessera_cert_entries_count_named (entries, candidate) == 0)
        return g_steal_pointer (&candidate);
    }
}

static gboolean
set_not_supported (GError **error)
{
  g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED,
               _("Adding a certificate failed: the server offers neither ccm2 nor XEP-0257"));
  return FALSE;
}

TesseraCertProtocol
tessera_cert_exchange_choose (TesseraXmppLink   *link,
                              TesseraOperation  *op,
                              TesseraFeatures    features,
                              char             **name,
                              GError           **error)
{
  TesseraCertProtocol protocol = tessera_cert_protocol_for_features (features);
  g_autoptr(GPtrArray) entries = NULL;

  if (protocol == TESSERA_CERT_PROTOCOL_NONE)
    {
      set_not_supported (error);
      return TESSERA_CERT_PROTOCOL_NONE;
    }
  if (protocol == TESSERA_CERT_PROTOCOL_XEP0257)
    {
      char *unique;

      entries = list_xep0257 (link, op, error);
      if (entries == NULL)
        return TESSERA_CERT_PROTOCOL_NONE;
      unique = tessera_cert_exchange_unique_name (entries, *name);
      g_free (*name);
      *name = unique;
    }

  return protocol;
}

/* ---- requesting -------------------------------------------------------- */

static TesseraCertificate *
send_ccm2_add (TesseraXmppLink   *link,
               TesseraOperation  *op,
               TesseraKeyStore   *store,
               TesseraKeyRecord  *record,
               GError           **error)
{
  const char *id = tessera_key_record_get_id (record);
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GError) local_error = NULL;
  TesseraCertificate *cert;
  Request add = {
    REQUEST_ADD,
    tessera_key_record_get_name (record),
    tessera_key_record_get_request_der (record),
  };

  if (!tessera_key_store_journal_append (store, id, TESSERA_JOURNAL_STEP_REQUEST_SENT, error))
    return NULL;
  tessera_test_crash_point ("enroll:request-sent");
  g_debug ("%s: sending the request of key %s (ccm2)", op->what, id);
  der = send_request (link, op, &add, error);
  if (der == NULL)
    return NULL;
  tessera_key_store_journal_note (store, id, TESSERA_JOURNAL_STEP_RESULT_RECEIVED);
  tessera_test_crash_point ("enroll:result-received");

  cert = tessera_certificate_new_from_der (der, &local_error);
  if (cert == NULL)
    g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CERTIFICATE_REJECTED,
                 _("The server's certificate was refused: %s"), local_error->message);

  return cert;
}

static TesseraCertificate *
send_xep0257_append (TesseraXmppLink   *link,
                     TesseraOperation  *op,
                     TesseraKeyStore   *store,
                     TesseraKeyRecord  *record,
                     TesseraKey        *key,
                     GError           **error)
{
  const char *id = tessera_key_record_get_id (record);
  const char *jid = tessera_account_get_jid (tessera_xmpp_link_get_account (link));
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(TesseraCertificate) cert = NULL;
  g_autofree char *name = NULL;
  Request append = { REQUEST_APPEND, NULL, NULL };

  cert = tessera_certificate_new_self_signed (key, jid, SELF_SIGNED_DAYS, error);
  if (cert == NULL)
    return NULL;

  entries = list_xep0257 (link, op, error);
  if (entries == NULL)
    return NULL;
  name = tessera_cert_exchange_unique_name (entries, tessera_key_record_get_name (record));
  if (!g_str_equal (name, tessera_key_record_get_name (record)))
    g_debug ("%s: the name \"%s\" is taken on the server; using \"%s\"", op->what,
             tessera_key_record_get_name (record), name);

  append.name = name;
  append.der = tessera_certificate_get_der (cert);
  if (!tessera_key_store_journal_append (store, id, TESSERA_JOURNAL_STEP_REQUEST_SENT, error))
    return NULL;
  tessera_test_crash_point ("enroll:request-sent");
  g_debug ("%s: appending self-signed certificate %s of key %s (XEP-0257)", op->what,
           tessera_certificate_get_fingerprint (cert), id);
  if (send_request (link, op, &append, error) == NULL)
    return NULL;
  tessera_key_store_journal_note (store, id, TESSERA_JOURNAL_STEP_RESULT_RECEIVED);
  tessera_test_crash_point ("enroll:result-received");

  return g_steal_pointer (&cert);
}

/* The record with its request saved (made from @key when missing). */
static TesseraKeyRecord *
ensure_request (TesseraXmppLink   *link,
                TesseraOperation  *op,
                TesseraKeyStore   *store,
                TesseraKeyRecord  *record,
                TesseraKey        *key,
                GError           **error)
{
  const char *id = tessera_key_record_get_id (record);
  g_autoptr(GBytes) csr = NULL;
  TesseraKeyRecord *saved;

  if (tessera_key_record_get_request_der (record) != NULL)
    return g_object_ref (record);

  csr = tessera_key_create_csr (key, tessera_account_get_jid (tessera_xmpp_link_get_account (link)), error);
  if (csr == NULL)
    return NULL;
  saved = tessera_key_store_save_request (store, id, csr, error);
  if (saved != NULL)
    g_debug ("%s: request of key %s saved", op->what, id);

  return saved;
}

static gboolean
check_issued (TesseraXmppLink     *link,
              TesseraCertificate  *cert,
              TesseraKey          *key,
              const char          *what,
              const char          *id,
              GError             **error)
{
  const char *jid = tessera_account_get_jid (tessera_xmpp_link_get_account (link));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) local_error = NULL;

  if (tessera_certificate_check_issued (cert, key, jid, now, &local_error))
    return TRUE;

  if (what != NULL)
    g_debug ("%s: certificate %s for key %s refused: %s", what,
             tessera_certificate_get_fingerprint (cert), id, local_error->message);
  g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CERTIFICATE_REJECTED,
               _("The server's certificate was refused: %s"), local_error->message);
  return FALSE;
}

TesseraKeyRecord *
tessera_cert_exchange_submit (TesseraXmppLink      *link,
                              TesseraOperation     *op,
                              TesseraKeyStore      *store,
                              TesseraKeyRecord     *record_in,
                              TesseraKey           *key,
                              TesseraCertProtocol   protocol,
                              GError              **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraCertificate) cert = NULL;
  g_autofree char *id = g_strdup (tessera_key_record_get_id (record_in));
  TesseraKeyRecord *stored;

  record = ensure_request (link, op, store, record_in, key, error);
  if (record == NULL)
    return NULL;
  tessera_test_crash_point ("enroll:request-saved");

  if (!tessera_operation_check (op, error))
    return NULL;

  if (protocol == TESSERA_CERT_PROTOCOL_CCM2)
    cert = send_ccm2_add (link, op, store, record, error);
  else if (protocol == TESSERA_CERT_PROTOCOL_XEP0257)
    cert = send_xep0257_append (link, op, store, record, key, error);
  else
    set_not_supported (error);
  if (cert == NULL || !check_issued (link, cert, key, op->what, id, error))
    return NULL;

  stored = tessera_key_store_save_certificate (store, id, cert, error);
  if (stored == NULL)
    return NULL;
  tessera_test_crash_point ("enroll:certificate-stored");
  g_debug ("%s: certificate %s stored for key %s", op->what,
           tessera_certificate_get_fingerprint (cert), id);

  return stored;
}

TesseraKeyRecord *
tessera_cert_exchange_store_found (TesseraXmppLink     *link,
                                   TesseraKeyStore     *store,
                                   TesseraKeyRecord    *record,
                                   TesseraKey          *key,
                                   TesseraCertificate  *cert,
                                   GError             **error)
{
  const char *id = tessera_key_record_get_id (record);

  if (!check_issued (link, cert, key, NULL, id, error))
    return NULL;

  return tessera_key_store_save_certificate (store, id, cert, error);
}

/* ---- revoking ---------------------------------------------------------- */

gboolean
tessera_cert_exchange_check_revocable (TesseraFeatures    features,
                                       GPtrArray         *entries,
                                       TesseraCertEntry  *entry,
                                       GError           **error)
{
  const char *name = tessera_cert_entry_get_name (entry);

  if (tessera_cert_entry_get_cert_protocol (entry) == TESSERA_CERT_PROTOCOL_XEP0257)
    {
      /* XEP-0257 revokes by name: it must point at this certificate only. */
      if (tessera_cert_entries_count_named (entries, name) != 1)
        {
          g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_FAILED,
                       _("Revoking failed: the server keeps several certificates named “%s”, and XEP-0257 would revoke them all"),
                       name);
          return FALSE;
        }
      return TRUE;
    }

  if ((features & TESSERA_FEATURE_REVOKE) == 0)
    {
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED,
                   _("Revoking failed: the server does not offer it"));
      return FALSE;
    }

  return TRUE;
}

static void
fill_revoke_request (Request          *revoke,
                     TesseraCertEntry *entry)
{
  /* XEP-0257 revokes by name, ccm2 by fingerprint. */
  revoke->kind = REQUEST_REVOKE;
  revoke->name = tessera_cert_entry_get_fingerprint (entry);
  revoke->der = NULL;
  if (tessera_cert_entry_get_cert_protocol (entry) == TESSERA_CERT_PROTOCOL_XEP0257)
    {
      revoke->kind = REQUEST_SASLCERT_REVOKE;
      revoke->name = tessera_cert_entry_get_name (entry);
    }
}

gboolean
tessera_cert_exchange_revoke (TesseraXmppLink   *link,
                              TesseraOperation  *op,
                              TesseraCertEntry  *entry,
                              GError           **error)
{
  Request revoke;

  fill_revoke_request (&revoke, entry);
  return send_request (link, op, &revoke, error) != NULL;
}

/* Answers after which the request alone is sent again, as
 * tessera_xmpp_link_iq() would: nothing left this process, or the server
 * asked to wait. */
static gboolean
worth_sending_alone (const TesseraIqCall *call)
{
  if (g_error_matches (call->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (call->error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT))
    return FALSE;
  return !call->sent ||
         (call->error->domain == TESSERA_STANZA_ERROR &&
          tessera_stanza_error_get_error_type (call->error) == TESSERA_STANZA_ERROR_TYPE_WAIT);
}

gboolean
tessera_cert_exchange_revoke_and_list (TesseraXmppLink   *link,
                                       TesseraOperation  *op,
                                       TesseraFeatures    features,
                                       TesseraCertEntry  *entry,
                                       GPtrArray        **listed_after,
                                       GError           **error)
{
  Request revoke;
  Request list = { REQUEST_LIST, NULL, NULL };
  TesseraIqCall calls[2] = {
    { build_request, parse_request, &revoke, NULL, NULL, FALSE },
    { build_request, parse_request, &list, NULL, NULL, FALSE },
  };

  *listed_after = NULL;
  fill_revoke_request (&revoke, entry);
  if (!(features & TESSERA_FEATURE_LIST))
    list.kind = REQUEST_ITEMS;
  if (!(features & (TESSERA_FEATURE_LIST | TESSERA_FEATURE_XEP0257)))
    return send_request (link, op, &revoke, error) != NULL;

  if (!tessera_xmpp_link_iq_many (link, op, calls, G_N_ELEMENTS (calls), error))
    return FALSE;

  if (calls[0].error != NULL)
    {
      g_clear_pointer (&calls[1].result, g_ptr_array_unref);
      g_clear_error (&calls[1].error);
      if (worth_sending_alone (&calls[0]))
        {
          g_debug ("revoke: %s; sending the revocation alone", calls[0].error->message);
          g_clear_error (&calls[0].error);
          return send_request (link, op, &revoke, error) != NULL;
        }
      g_propagate_error (error, calls[0].error);
      return FALSE;
    }

  if (calls[1].error != NULL)
    g_debug ("revoke: the list sent with the revocation failed: %s", calls[1].error->message);
  g_clear_error (&calls[1].error);
  *listed_after = calls[1].result;
  return TRUE;
}

gboolean
tessera_cert_exchange_check_gone_in (GPtrArray         *listed_after,
                                     TesseraCertEntry  *entry,
                                     GError           **error)
{
  if (tessera_cert_entries_find (listed_after, tessera_cert_entry_get_fingerprint (entry)) != NULL)
    {
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_REVOKE_UNCONFIRMED,
                   _("Revoking failed: the server confirmed the revocation of “%s” (%s) but still "
                     "lists it, so the certificate may still be valid"),
                   tessera_cert_entry_get_name (entry), tessera_cert_entry_get_fingerprint (entry));
      return FALSE;
    }

  return TRUE;
}

gboolean
tessera_cert_exchange_check_gone (TesseraXmppLink   *link,
                                  TesseraOperation  *op,
                                  TesseraFeatures    features,
                                  TesseraCertEntry  *entry,
                                  gboolean          *listed_ok,
                                  GError           **error)
{
  g_autoptr(GPtrArray) entries = NULL;

  *listed_ok = FALSE;
  entries = tessera_cert_exchange_list (link, op, features, error);
  if (entries == NULL)
    return FALSE;
  *listed_ok = TRUE;

  return tessera_cert_exchange_check_gone_in (entries, entry, error);
}
