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
#include "tessera-test-hooks.h"

/* Every function here blocks: it runs on a GTask worker thread and talks to
 * the connection workers through tessera_connection_*(). */

#define WAIT_RETRIES            3
#define WAIT_BACKOFF_USEC       (500 * 1000)
#define FEATURES_PARSED         (1u << 24)

#define CM_FEATURES (TESSERA_FEATURE_ADD | TESSERA_FEATURE_LIST | TESSERA_FEATURE_REVOKE | TESSERA_FEATURE_XEP0257)

/* ---- request builders and parsers (run on the connection's worker) ----- */

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
build_revoke (xmpp_ctx_t *ctx,
              const char *id,
              gpointer    user_data)
{
  return tessera_protocol_build_revoke (ctx, id, user_data);
}

/* Either revocation: an empty result is the confirmation. */
static gpointer
parse_revoke (xmpp_stanza_t *result,
              gpointer       user_data,
              GError       **error)
{
  /* The server has revoked; this process has not seen it yet. */
  tessera_test_crash_point ("revoke:sent");
  return GINT_TO_POINTER (TRUE);
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
gpointer
_tessera_session_management_iq (TesseraSession     *self,
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

  result = _tessera_session_management_iq (self, op, build_disco, parse_disco, (gpointer) to, &local_error);
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

  /* Cancelled before it started: not even a connection is opened. */
  if (!_tessera_session_check_op (op, error))
    return TESSERA_FEATURE_NONE;

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
gboolean
_tessera_session_get_features (TesseraSession    *self,
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

GPtrArray *
_tessera_session_fetch_entries (TesseraSession    *self,
                                TesseraSessionOp  *op,
                                TesseraFeatures    features,
                                GError           **error)
{
  if (features & TESSERA_FEATURE_LIST)
    return _tessera_session_management_iq (self, op, build_list, parse_list, NULL, error);
  if (features & TESSERA_FEATURE_XEP0257)
    return _tessera_session_management_iq (self, op, build_items, parse_items, NULL, error);

  g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED,
               _("Listing certificates failed: the server does not offer it"));
  return NULL;
}

GPtrArray *
_tessera_session_fetch_xep0257_items (TesseraSession    *self,
                                      TesseraSessionOp  *op,
                                      GError           **error)
{
  return _tessera_session_management_iq (self, op, build_items, parse_items, NULL, error);
}

GListModel *
_tessera_session_list_sync (TesseraSession    *self,
                            TesseraSessionOp  *op,
                            GError           **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  GListStore *store;
  TesseraFeatures features;

  /* Cancelled before it started: not even a connection is opened. */
  if (!_tessera_session_check_op (op, error))
    return NULL;

  if (!_tessera_session_reconcile_first (self, op, TRUE, error) ||
      !_tessera_session_get_features (self, op, &features, error))
    return NULL;
  entries = _tessera_session_fetch_entries (self, op, features, error);
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

gboolean
_tessera_session_journal (TesseraSession    *self,
                          const char        *id,
                          TesseraJournalStep step,
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
  g_message ("Could not journal \"%s\" for key %s: %s", tessera_journal_step_to_string (step), id,
             local_error->message);

  return TRUE;
}

/* ---- revoke ------------------------------------------------------------ */

/* Whether @entry can be revoked exactly, decided before anything changes. */
static gboolean
check_revocable (TesseraFeatures    features,
                 GPtrArray         *entries,
                 TesseraCertEntry  *entry,
                 GError           **error)
{
  const char *name = tessera_cert_entry_get_name (entry);

  if (g_str_equal (tessera_cert_entry_get_protocol (entry), "xep0257"))
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

static gboolean
send_revoke (TesseraSession    *self,
             TesseraSessionOp  *op,
             TesseraCertEntry  *entry,
             GError           **error)
{
  if (g_str_equal (tessera_cert_entry_get_protocol (entry), "xep0257"))
    return _tessera_session_management_iq (self, op, build_saslcert_revoke, parse_revoke,
                                           (gpointer) tessera_cert_entry_get_name (entry),
                                           error) != NULL;

  return _tessera_session_management_iq (self, op, build_revoke, parse_revoke,
                                         (gpointer) tessera_cert_entry_get_fingerprint (entry),
                                         error) != NULL;
}

static gboolean
remove_local (TesseraSession    *self,
              TesseraKeyRecord  *local,
              GError           **error)
{
  const char *id = tessera_key_record_get_id (local);
  g_autoptr(GError) local_error = NULL;

  _tessera_session_journal (self, id, TESSERA_JOURNAL_STEP_REVOKE_CONFIRMED, FALSE, NULL);
  _tessera_session_journal (self, id, TESSERA_JOURNAL_STEP_LOCAL_REMOVED, FALSE, NULL);
  tessera_test_crash_point ("revoke:removing");
  if (!tessera_key_store_delete (tessera_session_get_key_store (self), id, &local_error))
    {
      _tessera_session_journal (self, id, TESSERA_JOURNAL_STEP_LOCAL_REMOVE_FAILED, FALSE, NULL);
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("The certificate was revoked, but deleting its local key failed: %s"),
                   local_error->message);
      return FALSE;
    }
  tessera_test_crash_point ("revoke:local-removed");
  g_debug ("revoke: local key %s deleted", id);

  return TRUE;
}

/* The server's "done" names no certificate: list again to see that the one
 * asked for is gone. Returns TRUE when it is; FALSE with @error set when
 * it is still listed (a server that did not revoke it, or revoked another)
 * and, with @listed_ok FALSE, when listing failed, so the caller cannot know. */
static gboolean
check_gone (TesseraSession    *self,
            TesseraSessionOp  *op,
            TesseraFeatures    features,
            TesseraCertEntry  *entry,
            gboolean          *listed_ok,
            GError           **error)
{
  g_autoptr(GPtrArray) entries = NULL;

  *listed_ok = FALSE;
  entries = _tessera_session_fetch_entries (self, op, features, error);
  if (entries == NULL)
    return FALSE;
  *listed_ok = TRUE;

  if (tessera_cert_entries_find (entries, tessera_cert_entry_get_fingerprint (entry)) != NULL)
    {
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_REVOKE_UNCONFIRMED,
                   _("Revoking failed: the server confirmed the revocation of “%s” (%s) but still "
                     "lists it, so the certificate may still be valid"),
                   tessera_cert_entry_get_name (entry), tessera_cert_entry_get_fingerprint (entry));
      return FALSE;
    }

  return TRUE;
}

/* Only a stanza error proves that the server did not revoke: a timeout, a
 * lost connection or a stream error may come after it did. */
static gboolean
server_refused (const GError *error)
{
  return error->domain == TESSERA_STANZA_ERROR ||
         g_error_matches (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
restore_state (TesseraSession  *self,
               const char      *id,
               TesseraKeyState     state,
               TesseraJournalStep  step)
{
  TesseraKeyRecord *restored;

  _tessera_session_journal (self, id, step, FALSE, NULL);
  restored = tessera_key_store_set_state (tessera_session_get_key_store (self), id, state, NULL);
  g_clear_object (&restored);
}

/* Marks @local REVOKING, sends the revocation, and deletes the key once the
 * server confirmed it and no longer lists the certificate. A refusal puts
 * the key back as it was; an outcome nobody can know (no answer, a lost
 * connection) leaves it REVOKING, and the next run lists and decides. */
static gboolean
revoke_local (TesseraSession    *self,
              TesseraSessionOp  *op,
              TesseraFeatures    features,
              TesseraCertEntry  *entry,
              TesseraKeyRecord  *local,
              GError           **error)
{
  TesseraKeyStore *store = tessera_session_get_key_store (self);
  const char *id = tessera_key_record_get_id (local);
  TesseraKeyState previous = tessera_key_record_get_state (local);
  g_autoptr(GError) local_error = NULL;
  TesseraKeyRecord *revoking;
  gboolean listed_ok;

  if (!_tessera_session_journal (self, id, TESSERA_JOURNAL_STEP_REVOKE_SENT, TRUE, error))
    return FALSE;
  revoking = tessera_key_store_set_state (store, id, TESSERA_KEY_STATE_REVOKING, error);
  if (revoking == NULL)
    return FALSE;
  g_object_unref (revoking);
  tessera_test_crash_point ("revoke:revoking-saved");
  g_debug ("revoke: sending the revocation of %s (%s, this device's)",
           tessera_cert_entry_get_fingerprint (entry), tessera_cert_entry_get_protocol (entry));

  if (!send_revoke (self, op, entry, &local_error))
    {
      if (server_refused (local_error))
        restore_state (self, id, previous, TESSERA_JOURNAL_STEP_REVOKE_REFUSED);
      else
        g_debug ("revoke: outcome of %s unknown (%s); the next run lists and decides",
                 tessera_cert_entry_get_fingerprint (entry), local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  tessera_test_crash_point ("revoke:confirmed");
  g_debug ("revoke: %s confirmed by the server", tessera_cert_entry_get_fingerprint (entry));

  if (!check_gone (self, op, features, entry, &listed_ok, &local_error))
    {
      if (listed_ok)
        {
          restore_state (self, id, previous, TESSERA_JOURNAL_STEP_REVOKE_NOT_CONFIRMED);
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
      else
        {
          g_set_error (error, local_error->domain, local_error->code,
                       _("The server confirmed the revocation, but listing the certificates again to "
                         "check it failed: %s. The local key is kept until a later run sees the "
                         "certificate gone"),
                       local_error->message);
        }
      return FALSE;
    }

  return remove_local (self, local, error);
}

/* A certificate whose key is not on this device: nothing local changes. */
static gboolean
revoke_other (TesseraSession    *self,
              TesseraSessionOp  *op,
              TesseraFeatures    features,
              TesseraCertEntry  *entry,
              GError           **error)
{
  const char *fingerprint = tessera_cert_entry_get_fingerprint (entry);
  g_autoptr(GError) check_error = NULL;
  gboolean listed_ok;

  g_debug ("revoke: sending the revocation of %s (%s)", fingerprint,
           tessera_cert_entry_get_protocol (entry));
  if (!send_revoke (self, op, entry, error))
    return FALSE;
  g_debug ("revoke: %s confirmed by the server", fingerprint);

  if (check_gone (self, op, features, entry, &listed_ok, &check_error))
    return TRUE;
  if (listed_ok)
    {
      g_propagate_error (error, g_steal_pointer (&check_error));
      return FALSE;
    }
  /* Confirmed, and nothing of ours depends on it: only the trace says so. */
  g_debug ("revoke: could not list again to check %s: %s", fingerprint, check_error->message);
  return TRUE;
}

gboolean
_tessera_session_revoke_sync (TesseraSession    *self,
                              TesseraSessionOp  *op,
                              GError           **error)
{
  TesseraKeyStore *store = tessera_session_get_key_store (self);
  g_autofree char *fingerprint = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(TesseraKeyRecord) local = NULL;
  TesseraCertEntry *entry;
  TesseraFeatures features;
  gboolean revoked;

  /* Cancelled before it started: not even a connection is opened. */
  if (!_tessera_session_check_op (op, error))
    return FALSE;

  fingerprint = tessera_fingerprint_normalize (op->fingerprint, error);
  if (fingerprint == NULL ||
      !_tessera_session_reconcile_first (self, op, TRUE, error) ||
      !_tessera_session_get_features (self, op, &features, error))
    return FALSE;

  /* Re-read the list: revoke only what the server lists right now. */
  entries = _tessera_session_fetch_entries (self, op, features, error);
  if (entries == NULL)
    return FALSE;
  entry = tessera_cert_entries_find (entries, fingerprint);
  if (entry == NULL)
    {
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_FOUND,
                   _("Revoking failed: the server does not list certificate %s; nothing was sent"),
                   fingerprint);
      return FALSE;
    }

  if (!check_revocable (features, entries, entry, error))
    return FALSE;

  local = tessera_key_store_find_by_fingerprint (store, fingerprint);
  if (local == NULL)
    return revoke_other (self, op, features, entry, error);

  /* Reconciliation must not judge a key while its revocation is on the way. */
  id = g_strdup (tessera_key_record_get_id (local));
  if (!_tessera_session_claim_key (self, id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("Revoking failed: certificate %s is being revoked already"), fingerprint);
      return FALSE;
    }
  revoked = revoke_local (self, op, features, entry, local, error);
  _tessera_session_release_key (self, id);

  return revoked;
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
  tessera_secret_free (credentials->passphrase);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Credentials, credentials_clear)

/* A keyring that is locked, or lost the key's item, leaves the key file as
 * it is; say how to get out of it, with the same error code. */
static void
explain_key_error (TesseraKeyRecord  *record,
                   GError            *key_error,
                   GError           **error)
{
  if (!g_error_matches (key_error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_SECRET_MISSING))
    {
      g_propagate_error (error, key_error);
      return;
    }

  g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_SECRET_MISSING,
               _("Could not open the key of “%s” (%s): the keyring did not give its passphrase. "
                 "The key file is kept. Unlock the keyring (or restore it from a backup) and try "
                 "again; if its item was deleted, the key cannot be used any more: enroll this "
                 "device again and revoke the old certificate"),
               tessera_key_record_get_name (record), tessera_key_record_get_id (record));
  g_debug ("login: key %s: %s", tessera_key_record_get_id (record), key_error->message);
  g_error_free (key_error);
}

static gboolean
device_credentials (TesseraSession    *self,
                    Credentials       *credentials,
                    GError           **error)
{
  TesseraKeyStore *store = tessera_session_get_key_store (self);
  g_autoptr(TesseraKeyRecord) record = NULL;
  char *user_passphrase;
  g_autoptr(GError) local_error = NULL;
  const char *id;

  record = tessera_key_store_get_device_record (store, error);
  if (record == NULL)
    return FALSE;
  id = tessera_key_record_get_id (record);

  user_passphrase = _tessera_session_dup_key_passphrase (self);
  credentials->passphrase = tessera_key_store_dup_key_passphrase (store, id, user_passphrase, &local_error);
  tessera_secret_free (user_passphrase);
  if (credentials->passphrase == NULL)
    {
      explain_key_error (record, g_steal_pointer (&local_error), error);
      return FALSE;
    }

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

  /* Cancelled before it started: not even a connection is opened. */
  if (!_tessera_session_check_op (op, error))
    return NULL;

  /* Without a password only what needs no server: a certificate login must
   * not open a password connection of its own accord. */
  if (op->certificate_path == NULL &&
      !_tessera_session_reconcile_first (self, op, _tessera_session_has_password (self), error))
    return NULL;

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
