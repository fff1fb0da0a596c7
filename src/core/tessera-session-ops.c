/* tessera-session-ops.c: the session's operations, step by step
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
#include "tessera-fingerprint.h"
#include "tessera-protocol.h"
#include "tessera-secret.h"
#include "tessera-session-private.h"

/* Every function here blocks: it runs on a GTask worker thread and talks to
 * the connection workers through tessera_connection_*(). */

#define WAIT_RETRIES            3
#define WAIT_BACKOFF_USEC       (500 * 1000)
#define SELF_SIGNED_DAYS        365
#define NAME_MAX_CHARS          64
#define FEATURES_PARSED         (1u << 24)

#define CM_FEATURES (TESSERA_FEATURE_ADD | TESSERA_FEATURE_LIST | TESSERA_FEATURE_REVOKE | TESSERA_FEATURE_XEP0257)

/* ---- request builders and parsers (run on the connection's worker) ----- */

typedef struct
{
  const char *name;
  GBytes     *der;
} NamedDer;

static xmpp_stanza_t *
build_disco (xmpp_ctx_t *ctx,
             const char *id,
             gpointer    user_data)
{
  return tessera_protocol_build_disco_info (ctx, id, user_data);
}

static gpointer
parse_disco (xmpp_stanza_t *result,
             gpointer       user_data,
             GError       **error)
{
  /* Never NULL, even for "no features" */
  return GUINT_TO_POINTER (tessera_protocol_parse_disco_info (result) | FEATURES_PARSED);
}

static xmpp_stanza_t *
build_list (xmpp_ctx_t *ctx,
            const char *id,
            gpointer    user_data)
{
  return tessera_protocol_build_list (ctx, id);
}

static gpointer
parse_list (xmpp_stanza_t *result,
            gpointer       user_data,
            GError       **error)
{
  return tessera_protocol_parse_list (result, error);
}

static xmpp_stanza_t *
build_items (xmpp_ctx_t *ctx,
             const char *id,
             gpointer    user_data)
{
  return tessera_protocol_build_saslcert_items (ctx, id);
}

static gpointer
parse_items (xmpp_stanza_t *result,
             gpointer       user_data,
             GError       **error)
{
  return tessera_protocol_parse_saslcert_items (result, error);
}

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

static xmpp_stanza_t *
build_revoke (xmpp_ctx_t *ctx,
              const char *id,
              gpointer    user_data)
{
  return tessera_protocol_build_revoke (ctx, id, user_data);
}

static xmpp_stanza_t *
build_saslcert_revoke (xmpp_ctx_t *ctx,
                       const char *id,
                       gpointer    user_data)
{
  return tessera_protocol_build_saslcert_revoke (ctx, id, user_data);
}

/* ---- round trips ------------------------------------------------------- */

static gboolean
is_wait_error (const GError *error)
{
  return error != NULL && error->domain == TESSERA_STANZA_ERROR &&
         tessera_stanza_error_get_error_type (error) == TESSERA_STANZA_ERROR_TYPE_WAIT;
}

/* Sleeps @usec unless that would pass the deadline or the operation is
 * cancelled first. */
static gboolean
backoff (TesseraSessionOp *op,
         gint64            usec)
{
  gint64 until = g_get_monotonic_time () + usec;

  if (until >= op->deadline)
    return FALSE;
  while (g_get_monotonic_time () < until)
    {
      if (g_cancellable_is_cancelled (op->cancellable))
        return FALSE;
      g_usleep (20 * 1000);
    }

  return TRUE;
}

/* One request on the management connection. A reused connection found dead
 * before anything was sent is replaced once; `wait` errors are retried a few
 * times with backoff within the deadline; nothing else is retried. */
static gpointer
management_iq (TesseraSession     *self,
               TesseraSessionOp   *op,
               TesseraIqBuildFunc  build,
               TesseraIqParseFunc  parse,
               gpointer            user_data,
               GError            **error)
{
  gboolean reconnected = FALSE;
  guint wait_retries = 0;

  for (;;)
    {
      g_autoptr(TesseraConnection) connection = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean reused = FALSE;
      gboolean not_sent = FALSE;
      gpointer result;

      connection = _tessera_session_acquire_management (self, op, &reused, error);
      if (connection == NULL)
        return NULL;

      result = tessera_connection_iq (connection, build, parse, user_data,
                                      op->deadline, op->cancellable, &not_sent, &local_error);
      if (!not_sent)
        _tessera_session_count_round_trip (self);
      if (result != NULL)
        return result;

      if (not_sent && reused && !reconnected &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_error_matches (local_error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT))
        {
          g_debug ("%s: the reused connection had ended (%s); reconnecting", op->what,
                   local_error->message);
          reconnected = TRUE;
          _tessera_session_drop_management (self, connection);
          continue;
        }

      if (is_wait_error (local_error) && wait_retries < WAIT_RETRIES &&
          backoff (op, WAIT_BACKOFF_USEC << wait_retries))
        {
          g_debug ("%s: the server asked to wait (%s); retrying", op->what, local_error->message);
          wait_retries++;
          continue;
        }

      /* A request that never got an answer may have wedged the stream. */
      if (g_error_matches (local_error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT))
        _tessera_session_drop_management (self, connection);

      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
}

static gboolean
query_features (TesseraSession    *self,
                TesseraSessionOp  *op,
                const char        *to,
                TesseraFeatures   *features,
                GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  gpointer result;

  result = management_iq (self, op, build_disco, parse_disco, (gpointer) to, &local_error);
  if (result != NULL)
    {
      *features = GPOINTER_TO_UINT (result) & ~FEATURES_PARSED;
      return TRUE;
    }

  /* An entity that refuses disco#info simply has no features for us. */
  if (local_error->domain == TESSERA_STANZA_ERROR)
    {
      g_debug ("discover: %s answered %s", to, local_error->message);
      *features = TESSERA_FEATURE_NONE;
      return TRUE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

TesseraFeatures
_tessera_session_discover_sync (TesseraSession    *self,
                                TesseraSessionOp  *op,
                                GError           **error)
{
  TesseraAccount *account = tessera_session_get_account (self);
  g_autoptr(TesseraConnection) connection = NULL;
  TesseraFeatures features = TESSERA_FEATURE_NONE;
  g_autofree char *names = NULL;

  connection = _tessera_session_acquire_management (self, op, NULL, error);
  if (connection == NULL)
    return TESSERA_FEATURE_NONE;

  /* PROTOCOL.md §1: the domain first, then the account's bare JID */
  if (!query_features (self, op, tessera_account_get_domain (account), &features, error))
    return TESSERA_FEATURE_NONE;
  if ((features & CM_FEATURES) == 0 &&
      !query_features (self, op, tessera_account_get_jid (account), &features, error))
    return TESSERA_FEATURE_NONE;

  features &= CM_FEATURES;
  _tessera_session_cache_features (self, connection, features);
  names = tessera_features_to_string (features);
  g_debug ("discover: %s offers %s", tessera_account_get_domain (account), names);

  return features;
}

/* The cached features of the live management connection, or a discovery. */
static gboolean
get_features (TesseraSession    *self,
              TesseraSessionOp  *op,
              TesseraFeatures   *features,
              GError           **error)
{
  g_autoptr(TesseraConnection) connection = NULL;
  GError *local_error = NULL;

  connection = _tessera_session_acquire_management (self, op, NULL, error);
  if (connection == NULL)
    return FALSE;
  if (_tessera_session_lookup_features (self, connection, features))
    return TRUE;

  *features = _tessera_session_discover_sync (self, op, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

static GPtrArray *
fetch_entries (TesseraSession    *self,
               TesseraSessionOp  *op,
               TesseraFeatures    features,
               GError           **error)
{
  if (features & TESSERA_FEATURE_LIST)
    return management_iq (self, op, build_list, parse_list, NULL, error);
  if (features & TESSERA_FEATURE_XEP0257)
    return management_iq (self, op, build_items, parse_items, NULL, error);

  g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED,
               _("Listing certificates failed: the server does not offer it"));
  return NULL;
}

GListModel *
_tessera_session_list_sync (TesseraSession    *self,
                            TesseraSessionOp  *op,
                            GError           **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  GListStore *store;
  TesseraFeatures features;

  if (!get_features (self, op, &features, error))
    return NULL;
  entries = fetch_entries (self, op, features, error);
  if (entries == NULL)
    return NULL;

  store = g_list_store_new (TESSERA_TYPE_CERT_ENTRY);
  g_list_store_splice (store, 0, 0, entries->pdata, entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      TesseraCertEntry *entry = g_ptr_array_index (entries, i);

      g_debug ("list: %s \"%s\" (%s)", tessera_cert_entry_get_fingerprint (entry),
               tessera_cert_entry_get_name (entry), tessera_cert_entry_get_protocol (entry));
    }
  g_debug ("list: %u certificates", entries->len);

  return G_LIST_MODEL (store);
}

/* ---- enroll and upload ------------------------------------------------- */

static gboolean
journal (TesseraSession    *self,
         const char        *id,
         const char        *step,
         gboolean           required,
         GError           **error)
{
  g_autoptr(GError) local_error = NULL;

  if (tessera_key_store_journal_append (tessera_session_get_key_store (self), id, step, &local_error))
    return TRUE;

  if (required)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* After the server acted, stopping would lose more than the journal line. */
  g_message ("Could not journal \"%s\" for key %s: %s", step, id, local_error->message);

  return TRUE;
}

static gboolean
name_taken (GPtrArray  *entries,
            const char *name)
{
  for (guint i = 0; i < entries->len; i++)
    {
      if (g_str_equal (tessera_cert_entry_get_name (g_ptr_array_index (entries, i)), name))
        return TRUE;
    }

  return FALSE;
}

/* XEP-0257 keys certificates by name: "Laptop", "Laptop (2)"... */
static char *
unique_name (GPtrArray  *entries,
             const char *name)
{
  if (!name_taken (entries, name))
    return g_strdup (name);

  for (guint n = 2; ; n++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s (%u)", name, n);

      if (!name_taken (entries, candidate))
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

  if (!journal (self, id, "request-sent", TRUE, error))
    return NULL;
  g_debug ("%s: sending the request of key %s (ccm2)", op->what, id);
  der = management_iq (self, op, build_add, parse_add, &add, error);
  if (der == NULL)
    return NULL;
  journal (self, id, "result-received", FALSE, NULL);

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

  der = tessera_key_create_self_signed (key, jid, SELF_SIGNED_DAYS, error);
  if (der == NULL)
    return NULL;
  cert = tessera_certificate_new_from_der (der, error);
  if (cert == NULL)
    return NULL;

  entries = management_iq (self, op, build_items, parse_items, NULL, error);
  if (entries == NULL)
    return NULL;
  name = unique_name (entries, tessera_key_record_get_name (record));
  if (!g_str_equal (name, tessera_key_record_get_name (record)))
    g_debug ("%s: the name \"%s\" is taken on the server; using \"%s\"", op->what,
             tessera_key_record_get_name (record), name);

  append.name = name;
  append.der = der;
  if (!journal (self, id, "request-sent", TRUE, error))
    return NULL;
  g_debug ("%s: appending self-signed certificate %s of key %s (XEP-0257)", op->what,
           tessera_certificate_get_fingerprint (cert), id);
  if (management_iq (self, op, build_append, NULL, &append, error) == NULL)
    return NULL;
  journal (self, id, "result-received", FALSE, NULL);

  return g_steal_pointer (&cert);
}

/* Sends the record's request, checks what comes back and stores it. */
static TesseraKeyRecord *
submit (TesseraSession    *self,
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
  journal (self, id, "certificate-stored", FALSE, NULL);
  g_debug ("%s: certificate %s stored for key %s", op->what,
           tessera_certificate_get_fingerprint (cert), id);

  return g_steal_pointer (&record);
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

  name = check_name (op->name, error);
  if (name == NULL || !get_features (self, op, &features, error))
    return NULL;

  /* Nothing is generated or stored for a server that cannot take it. */
  if (features & TESSERA_FEATURE_ADD)
    protocol = "ccm2";
  else if (features & TESSERA_FEATURE_XEP0257)
    {
      g_autoptr(GPtrArray) entries = management_iq (self, op, build_items, parse_items, NULL, error);
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
  if (!journal (self, tessera_key_record_get_id (record), "key-saved", TRUE, error))
    return NULL;
  g_debug ("enroll: key %s (%s) saved for \"%s\" (%s)", tessera_key_record_get_id (record),
           tessera_key_type_to_string (op->key_type), name, protocol);

  return submit (self, op, record, key, features, error);
}

TesseraKeyRecord *
_tessera_session_upload_sync (TesseraSession    *self,
                              TesseraSessionOp  *op,
                              GError           **error)
{
  TesseraKeyStore *store = tessera_session_get_key_store (self);
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autofree char *passphrase = NULL;
  TesseraFeatures features;

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
  if (passphrase != NULL)
    explicit_bzero (passphrase, strlen (passphrase));
  if (key == NULL || !get_features (self, op, &features, error))
    return NULL;

  return submit (self, op, record, key, features, error);
}

/* ---- revoke ------------------------------------------------------------ */

static TesseraCertEntry *
find_entry (GPtrArray  *entries,
            const char *fingerprint)
{
  for (guint i = 0; i < entries->len; i++)
    {
      TesseraCertEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (tessera_cert_entry_get_fingerprint (entry), fingerprint))
        return entry;
    }

  return NULL;
}

static guint
count_named (GPtrArray  *entries,
             const char *name)
{
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      if (g_str_equal (tessera_cert_entry_get_name (g_ptr_array_index (entries, i)), name))
        n++;
    }

  return n;
}

static gboolean
send_revoke (TesseraSession    *self,
             TesseraSessionOp  *op,
             TesseraFeatures    features,
             GPtrArray         *entries,
             TesseraCertEntry  *entry,
             GError           **error)
{
  const char *name = tessera_cert_entry_get_name (entry);

  if (g_str_equal (tessera_cert_entry_get_protocol (entry), "xep0257"))
    {
      /* XEP-0257 revokes by name: it must point at this certificate only. */
      if (count_named (entries, name) != 1)
        {
          g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_FAILED,
                       _("Revoking failed: the server keeps several certificates named “%s”, and XEP-0257 would revoke them all"),
                       name);
          return FALSE;
        }
      return management_iq (self, op, build_saslcert_revoke, NULL, (gpointer) name, error) != NULL;
    }

  if ((features & TESSERA_FEATURE_REVOKE) == 0)
    {
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED,
                   _("Revoking failed: the server does not offer it"));
      return FALSE;
    }

  return management_iq (self, op, build_revoke, NULL,
                        (gpointer) tessera_cert_entry_get_fingerprint (entry), error) != NULL;
}

static gboolean
remove_local (TesseraSession    *self,
              TesseraKeyRecord  *local,
              GError           **error)
{
  const char *id = tessera_key_record_get_id (local);
  g_autoptr(GError) local_error = NULL;

  journal (self, id, "revoke-confirmed", FALSE, NULL);
  journal (self, id, "local-removed", FALSE, NULL);
  if (!tessera_key_store_delete (tessera_session_get_key_store (self), id, &local_error))
    {
      journal (self, id, "local-remove-failed", FALSE, NULL);
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("The certificate was revoked, but deleting its local key failed: %s"),
                   local_error->message);
      return FALSE;
    }
  g_debug ("revoke: local key %s deleted", id);

  return TRUE;
}

gboolean
_tessera_session_revoke_sync (TesseraSession    *self,
                              TesseraSessionOp  *op,
                              GError           **error)
{
  TesseraKeyStore *store = tessera_session_get_key_store (self);
  g_autofree char *fingerprint = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(TesseraKeyRecord) local = NULL;
  g_autoptr(GError) local_error = NULL;
  TesseraCertEntry *entry;
  TesseraKeyState previous = TESSERA_KEY_STATE_CERTIFIED;
  TesseraFeatures features;

  fingerprint = tessera_fingerprint_normalize (op->fingerprint, error);
  if (fingerprint == NULL || !get_features (self, op, &features, error))
    return FALSE;

  /* Re-read the list: revoke only what the server lists right now. */
  entries = fetch_entries (self, op, features, error);
  if (entries == NULL)
    return FALSE;
  entry = find_entry (entries, fingerprint);
  if (entry == NULL)
    {
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_FOUND,
                   _("Revoking failed: the server does not list certificate %s; nothing was sent"),
                   fingerprint);
      return FALSE;
    }

  local = tessera_key_store_find_by_fingerprint (store, fingerprint);
  if (local != NULL)
    {
      TesseraKeyRecord *revoking;

      previous = tessera_key_record_get_state (local);
      if (!journal (self, tessera_key_record_get_id (local), "revoke-sent", TRUE, error))
        return FALSE;
      revoking = tessera_key_store_set_state (store, tessera_key_record_get_id (local),
                                              TESSERA_KEY_STATE_REVOKING, error);
      if (revoking == NULL)
        return FALSE;
      g_object_unref (revoking);
    }
  g_debug ("revoke: sending the revocation of %s (%s%s)", fingerprint,
           tessera_cert_entry_get_protocol (entry), local != NULL ? ", this device's" : "");

  if (!send_revoke (self, op, features, entries, entry, &local_error))
    {
      /* Not confirmed: the local key stays as it was. */
      if (local != NULL)
        {
          TesseraKeyRecord *restored = tessera_key_store_set_state (store, tessera_key_record_get_id (local),
                                                                    previous, NULL);
          g_clear_object (&restored);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_debug ("revoke: %s confirmed by the server", fingerprint);

  return local == NULL || remove_local (self, local, error);
}

/* ---- login ------------------------------------------------------------- */

typedef struct
{
  char *certificate_path;
  char *key_path;
  char *passphrase;
} Credentials;

static void
credentials_clear (Credentials *credentials)
{
  g_free (credentials->certificate_path);
  g_free (credentials->key_path);
  if (credentials->passphrase != NULL)
    explicit_bzero (credentials->passphrase, strlen (credentials->passphrase));
  g_free (credentials->passphrase);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Credentials, credentials_clear)

static gboolean
device_credentials (TesseraSession    *self,
                    Credentials       *credentials,
                    GError           **error)
{
  TesseraKeyStore *store = tessera_session_get_key_store (self);
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autofree char *user_passphrase = NULL;
  const char *id;

  record = tessera_key_store_get_device_record (store, error);
  if (record == NULL)
    return FALSE;
  id = tessera_key_record_get_id (record);

  user_passphrase = _tessera_session_dup_key_passphrase (self);
  credentials->passphrase = tessera_key_store_dup_key_passphrase (store, id, user_passphrase, error);
  if (user_passphrase != NULL)
    explicit_bzero (user_passphrase, strlen (user_passphrase));
  if (credentials->passphrase == NULL)
    return FALSE;

  credentials->certificate_path = g_strdup (tessera_key_record_get_certificate_path (record));
  credentials->key_path = g_strdup (tessera_key_record_get_key_path (record));
  g_debug ("login: with certificate %s (key %s)",
           tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record)), id);

  return credentials->certificate_path != NULL;
}

char *
_tessera_session_login_sync (TesseraSession    *self,
                             TesseraSessionOp  *op,
                             GError           **error)
{
  g_auto(Credentials) credentials = { NULL, };
  g_autoptr(TesseraConnection) connection = NULL;
  g_autofree char *mechanism = NULL;
  TesseraConnectionConfig config;
  gboolean stay = (op->login_flags & TESSERA_LOGIN_FLAGS_STAY_CONNECTED) != 0;
  char *jid;

  if (op->certificate_path != NULL)
    {
      credentials.certificate_path = g_strdup (op->certificate_path);
      credentials.key_path = g_strdup (op->key_path);
      credentials.passphrase = g_strdup (op->key_passphrase);
    }
  else if (!device_credentials (self, &credentials, error))
    return NULL;

  /* A fresh connection with the certificate and no password at all. */
  config = _tessera_session_base_config (tessera_session_get_account (self));
  config.client_cert_path = credentials.certificate_path;
  config.client_key_path = credentials.key_path;
  config.key_passphrase = credentials.passphrase;
  connection = tessera_connection_new (&config);
  _tessera_session_count_connection (self);
  if (stay)
    _tessera_session_hold_login (self, connection, op->context);

  if (!tessera_connection_wait_ready (connection, op->deadline, op->cancellable, error))
    {
      tessera_connection_close (connection);
      return NULL;
    }

  mechanism = tessera_connection_dup_mechanism (connection);
  if (g_strcmp0 (mechanism, "EXTERNAL") != 0)
    {
      tessera_connection_close (connection);
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                   _("Logging in with the certificate failed: the server did not use SASL EXTERNAL"));
      return NULL;
    }

  jid = tessera_connection_dup_bound_jid (connection);
  g_debug ("login: bound %s by SASL EXTERNAL", jid);
  if (!stay)
    tessera_connection_close (connection);

  return jid;
}
