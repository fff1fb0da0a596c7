/* tessera-session-enroll.c: a new key, its request, and the certificate back
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-cert-entry.h"
#include "tessera-certificate.h"
#include "tessera-error.h"
#include "tessera-protocol.h"
#include "tessera-secret.h"
#include "tessera-session-private.h"
#include "tessera-test-hooks.h"

/* Blocking, on a GTask thread, like tessera-session-ops.c. */

#define SELF_SIGNED_DAYS        365
#define NAME_MAX_CHARS          64

typedef struct
{
  const char *name;
  GBytes     *der;
} NamedDer;

static xmpp_stanza_t *
build_add (xmpp_ctx_t *ctx,
           const char *id,
           gpointer    user_data)
{
  NamedDer *add = user_data;

  return tessera_protocol_build_add (ctx, id, add->name, add->der);
}

static gpointer
parse_add (xmpp_stanza_t *result,
           gpointer       user_data,
           GError       **error)
{
  /* The server has issued the certificate; this process has not read it. */
  tessera_test_crash_point ("enroll:csr-sent");
  return tessera_protocol_parse_add_result (result, error);
}

static xmpp_stanza_t *
build_append (xmpp_ctx_t *ctx,
              const char *id,
              gpointer    user_data)
{
  NamedDer *append = user_data;

  return tessera_protocol_build_saslcert_append (ctx, id, append->name, append->der);
}

static gpointer
parse_append (xmpp_stanza_t *result,
              gpointer       user_data,
              GError       **error)
{
  tessera_test_crash_point ("enroll:csr-sent");
  return GINT_TO_POINTER (TRUE);
}

/* ---- enroll and upload ------------------------------------------------- */


/* XEP-0257 keys certificates by name: "Laptop", "Laptop (2)"... */
static char *
unique_name (GPtrArray  *entries,
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

static char *
check_name (const char  *name,
            GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  glong length;

  if (!g_utf8_validate (trimmed, -1, NULL))
    length = 0;
  else
    length = g_utf8_strlen (trimmed, -1);

  if (length < 1 || length > NAME_MAX_CHARS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Adding a certificate failed: the name must be 1 to %d characters"),
                   NAME_MAX_CHARS);
      return NULL;
    }

  return g_steal_pointer (&trimmed);
}

static TesseraCertificate *
send_ccm2_add (TesseraSession    *self,
               TesseraSessionOp  *op,
               TesseraKeyRecord  *record,
               GError           **error)
{
  const char *id = tessera_key_record_get_id (record);
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GError) local_error = NULL;
  TesseraCertificate *cert;
  NamedDer add = {
    tessera_key_record_get_name (record),
    tessera_key_record_get_request_der (record),
  };

  if (!_tessera_session_journal (self, id, TESSERA_JOURNAL_STEP_REQUEST_SENT, TRUE, error))
    return NULL;
  tessera_test_crash_point ("enroll:request-sent");
  g_debug ("%s: sending the request of key %s (ccm2)", op->what, id);
  der = _tessera_session_management_iq (self, op, build_add, parse_add, &add, error);
  if (der == NULL)
    return NULL;
  _tessera_session_journal (self, id, TESSERA_JOURNAL_STEP_RESULT_RECEIVED, FALSE, NULL);
  tessera_test_crash_point ("enroll:result-received");

  cert = tessera_certificate_new_from_der (der, &local_error);
  if (cert == NULL)
    g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CERTIFICATE_REJECTED,
                 _("The server's certificate was refused: %s"), local_error->message);

  return cert;
}

static TesseraCertificate *
send_xep0257_append (TesseraSession    *self,
                     TesseraSessionOp  *op,
                     TesseraKeyRecord  *record,
                     TesseraKey        *key,
                     GError           **error)
{
  const char *id = tessera_key_record_get_id (record);
  const char *jid = tessera_account_get_jid (tessera_session_get_account (self));
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(TesseraCertificate) cert = NULL;
  g_autofree char *name = NULL;
  NamedDer append;

  cert = tessera_certificate_new_self_signed (key, jid, SELF_SIGNED_DAYS, error);
  if (cert == NULL)
    return NULL;
  der = g_bytes_ref (tessera_certificate_get_der (cert));

  entries = _tessera_session_fetch_xep0257_items (self, op, error);
  if (entries == NULL)
    return NULL;
  name = unique_name (entries, tessera_key_record_get_name (record));
  if (!g_str_equal (name, tessera_key_record_get_name (record)))
    g_debug ("%s: the name \"%s\" is taken on the server; using \"%s\"", op->what,
             tessera_key_record_get_name (record), name);

  append.name = name;
  append.der = der;
  if (!_tessera_session_journal (self, id, TESSERA_JOURNAL_STEP_REQUEST_SENT, TRUE, error))
    return NULL;
  tessera_test_crash_point ("enroll:request-sent");
  g_debug ("%s: appending self-signed certificate %s of key %s (XEP-0257)", op->what,
           tessera_certificate_get_fingerprint (cert), id);
  if (_tessera_session_management_iq (self, op, build_append, parse_append, &append, error) == NULL)
    return NULL;
  _tessera_session_journal (self, id, TESSERA_JOURNAL_STEP_RESULT_RECEIVED, FALSE, NULL);
  tessera_test_crash_point ("enroll:result-received");

  return g_steal_pointer (&cert);
}

/* Sends the record's request, checks what comes back and stores it. */
TesseraKeyRecord *
_tessera_session_submit (TesseraSession    *self,
                         TesseraSessionOp  *op,
                         TesseraKeyRecord  *record_in,
                         TesseraKey        *key,
                         TesseraFeatures    features,
                         GError           **error)
{
  TesseraKeyStore *store = tessera_session_get_key_store (self);
  const char *jid = tessera_account_get_jid (tessera_session_get_account (self));
  g_autoptr(TesseraKeyRecord) record = g_object_ref (record_in);
  g_autoptr(TesseraCertificate) cert = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *id = g_strdup (tessera_key_record_get_id (record));

  if (tessera_key_record_get_request_der (record) == NULL)
    {
      g_autoptr(GBytes) csr = tessera_key_create_csr (key, jid, error);
      TesseraKeyRecord *saved;

      if (csr == NULL)
        return NULL;
      saved = tessera_key_store_save_request (store, id, csr, error);
      if (saved == NULL)
        return NULL;
      g_object_unref (record);
      record = saved;
      g_debug ("%s: request of key %s saved", op->what, id);
    }
  tessera_test_crash_point ("enroll:request-saved");

  if (!_tessera_session_check_op (op, error))
    return NULL;

  if (features & TESSERA_FEATURE_ADD)
    cert = send_ccm2_add (self, op, record, error);
  else if (features & TESSERA_FEATURE_XEP0257)
    cert = send_xep0257_append (self, op, record, key, error);
  else
    g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED,
                 _("Adding a certificate failed: the server offers neither ccm2 nor XEP-0257"));
  if (cert == NULL)
    return NULL;

  now = g_date_time_new_now_utc ();
  if (!tessera_certificate_check_issued (cert, key, jid, now, &local_error))
    {
      g_debug ("%s: certificate %s for key %s refused: %s", op->what,
               tessera_certificate_get_fingerprint (cert), id, local_error->message);
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CERTIFICATE_REJECTED,
                   _("The server's certificate was refused: %s"), local_error->message);
      return NULL;
    }

  g_clear_object (&record);
  record = tessera_key_store_save_certificate (store, id, cert, error);
  if (record == NULL)
    return NULL;
  tessera_test_crash_point ("enroll:certificate-stored");
  g_debug ("%s: certificate %s stored for key %s", op->what,
           tessera_certificate_get_fingerprint (cert), id);

  return g_steal_pointer (&record);
}

/* submit() for a key no other operation of this session works on. */
static TesseraKeyRecord *
submit_claimed (TesseraSession    *self,
                TesseraSessionOp  *op,
                TesseraKeyRecord  *record,
                TesseraKey        *key,
                TesseraFeatures    features,
                GError           **error)
{
  g_autofree char *id = g_strdup (tessera_key_record_get_id (record));
  TesseraKeyRecord *result;

  if (!_tessera_session_claim_key (self, id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("Sending the request failed: the request of key %s is being sent already"), id);
      return NULL;
    }
  result = _tessera_session_submit (self, op, record, key, features, error);
  _tessera_session_release_key (self, id);

  return result;
}

TesseraKeyRecord *
_tessera_session_enroll_sync (TesseraSession    *self,
                              TesseraSessionOp  *op,
                              GError           **error)
{
  TesseraKeyStore *store = tessera_session_get_key_store (self);
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autofree char *name = NULL;
  TesseraFeatures features;
  const char *protocol;

  /* Cancelled before it started: not even a connection is opened. */
  if (!_tessera_session_check_op (op, error))
    return NULL;

  name = check_name (op->name, error);
  if (name == NULL || !_tessera_session_reconcile_first (self, op, TRUE, error))
    return NULL;
  if (!_tessera_session_get_features (self, op, &features, error))
    return NULL;

  /* Nothing is generated or stored for a server that cannot take it. */
  if (features & TESSERA_FEATURE_ADD)
    protocol = "ccm2";
  else if (features & TESSERA_FEATURE_XEP0257)
    {
      g_autoptr(GPtrArray) entries = _tessera_session_fetch_xep0257_items (self, op, error);
      char *unique;

      if (entries == NULL)
        return NULL;
      unique = unique_name (entries, name);
      g_free (name);
      name = unique;
      protocol = "xep0257";
    }
  else
    {
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED,
                   _("Adding a certificate failed: the server offers neither ccm2 nor XEP-0257"));
      return NULL;
    }

  key = tessera_key_generate (op->key_type, op->cancellable, error);
  if (key == NULL || !_tessera_session_check_op (op, error))
    return NULL;

  /* The key is on disk, durably, before anything about it is sent. */
  record = tessera_key_store_save_key (store, key, name, protocol, op->user_passphrase, error);
  if (record == NULL)
    return NULL;
  tessera_test_crash_point ("enroll:key-saved");
  g_debug ("enroll: key %s (%s) saved for \"%s\" (%s)", tessera_key_record_get_id (record),
           tessera_key_type_to_string (op->key_type), name, protocol);

  return submit_claimed (self, op, record, key, features, error);
}

TesseraKeyRecord *
_tessera_session_upload_sync (TesseraSession    *self,
                              TesseraSessionOp  *op,
                              GError           **error)
{
  TesseraKeyStore *store = tessera_session_get_key_store (self);
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKey) key = NULL;
  char *passphrase;
  TesseraFeatures features;

  /* Cancelled before it started: not even a connection is opened. */
  if (!_tessera_session_check_op (op, error))
    return NULL;

  record = tessera_key_store_lookup (store, op->key_id, error);
  if (record == NULL)
    return NULL;
  if (tessera_key_record_get_certificate (record) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("Sending the request failed: key %s already has a certificate"), op->key_id);
      return NULL;
    }

  passphrase = _tessera_session_dup_key_passphrase (self);
  key = tessera_key_store_load_key (store, op->key_id, passphrase, error);
  tessera_secret_free (passphrase);
  if (key == NULL || !_tessera_session_get_features (self, op, &features, error))
    return NULL;

  return submit_claimed (self, op, record, key, features, error);
}
