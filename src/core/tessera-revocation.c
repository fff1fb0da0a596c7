/* tessera-revocation.c: revoking one certificate, and deleting its key once the server confirmed
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <glib/gi18n-lib.h>

#include "tessera-cert-exchange.h"
#include "tessera-error.h"
#include "tessera-fingerprint.h"
#include "tessera-revocation.h"
#include "tessera-test-hooks.h"

static gboolean
remove_local (const TesseraRevocation  *rv,
              TesseraKeyRecord         *local,
              GError           **error)
{
  const char *id = tessera_key_record_get_id (local);
  g_autoptr(GError) local_error = NULL;

  tessera_key_store_journal_note (rv->store, id, TESSERA_JOURNAL_STEP_REVOKE_CONFIRMED);
  tessera_key_store_journal_note (rv->store, id, TESSERA_JOURNAL_STEP_LOCAL_REMOVED);
  tessera_test_crash_point ("revoke:removing");
  if (!tessera_key_store_delete (rv->store, id, &local_error))
    {
      tessera_key_store_journal_note (rv->store, id, TESSERA_JOURNAL_STEP_LOCAL_REMOVE_FAILED);
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("The certificate was revoked, but deleting its local key failed: %s"),
                   local_error->message);
      return FALSE;
    }
  tessera_test_crash_point ("revoke:local-removed");
  g_debug ("revoke: local key %s deleted", id);

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
restore_state (const TesseraRevocation *rv,
               const char              *id,
               TesseraKeyState     state,
               TesseraJournalStep  step)
{
  TesseraKeyRecord *restored;

  tessera_key_store_journal_note (rv->store, id, step);
  restored = tessera_key_store_set_state (rv->store, id, state, NULL);
  g_clear_object (&restored);
}

/* The server's "done" names no certificate: only a list read after it
 * shows what was revoked. The one sent with the revocation when it came
 * back, else a new one. */
static gboolean
check_gone (const TesseraRevocation *rv,
            TesseraOperation        *op,
            TesseraFeatures          features,
            TesseraCertEntry        *entry,
            GPtrArray               *listed_after,
            gboolean                *listed_ok,
            GError                 **error)
{
  if (listed_after == NULL)
    return tessera_cert_exchange_check_gone (rv->link, op, features, entry, listed_ok, error);

  *listed_ok = TRUE;
  return tessera_cert_exchange_check_gone_in (listed_after, entry, error);
}

/* Marks @local REVOKING, sends the revocation, and deletes the key once the
 * server confirmed it and no longer lists the certificate. A refusal puts
 * the key back as it was; an outcome nobody can know (no answer, a lost
 * connection) leaves it REVOKING, and the next run lists and decides. */
static gboolean
revoke_local (const TesseraRevocation *rv,
              TesseraOperation  *op,
              TesseraFeatures    features,
              TesseraCertEntry  *entry,
              TesseraKeyRecord  *local,
              GError           **error)
{
  TesseraKeyStore *store = rv->store;
  const char *id = tessera_key_record_get_id (local);
  TesseraKeyState previous = tessera_key_record_get_state (local);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) after = NULL;
  TesseraKeyRecord *revoking;
  gboolean listed_ok;

  if (!tessera_key_store_journal_append (store, id, TESSERA_JOURNAL_STEP_REVOKE_SENT, error))
    return FALSE;
  revoking = tessera_key_store_set_state (store, id, TESSERA_KEY_STATE_REVOKING, error);
  if (revoking == NULL)
    return FALSE;
  g_object_unref (revoking);
  tessera_test_crash_point ("revoke:revoking-saved");
  g_debug ("revoke: sending the revocation of %s (%s, this device's)",
           tessera_cert_entry_get_fingerprint (entry), tessera_cert_entry_get_protocol (entry));

  if (!tessera_cert_exchange_revoke_and_list (rv->link, op, features, entry, &after, &local_error))
    {
      if (server_refused (local_error))
        restore_state (rv, id, previous, TESSERA_JOURNAL_STEP_REVOKE_REFUSED);
      else
        g_debug ("revoke: outcome of %s unknown (%s); the next run lists and decides",
                 tessera_cert_entry_get_fingerprint (entry), local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  tessera_test_crash_point ("revoke:confirmed");
  g_debug ("revoke: %s confirmed by the server", tessera_cert_entry_get_fingerprint (entry));

  if (!check_gone (rv, op, features, entry, after, &listed_ok, &local_error))
    {
      if (listed_ok)
        {
          restore_state (rv, id, previous, TESSERA_JOURNAL_STEP_REVOKE_NOT_CONFIRMED);
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

  return remove_local (rv, local, error);
}

/* A certificate whose key is not on this device: nothing local changes. */
static gboolean
revoke_other (const TesseraRevocation *rv,
              TesseraOperation  *op,
              TesseraFeatures    features,
              TesseraCertEntry  *entry,
              GError           **error)
{
  const char *fingerprint = tessera_cert_entry_get_fingerprint (entry);
  g_autoptr(GError) check_error = NULL;
  g_autoptr(GPtrArray) after = NULL;
  gboolean listed_ok;

  g_debug ("revoke: sending the revocation of %s (%s)", fingerprint,
           tessera_cert_entry_get_protocol (entry));
  if (!tessera_cert_exchange_revoke_and_list (rv->link, op, features, entry, &after, error))
    return FALSE;
  g_debug ("revoke: %s confirmed by the server", fingerprint);

  if (check_gone (rv, op, features, entry, after, &listed_ok, &check_error))
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

/* The caller's list when it is fresh, else the server's list now. */
static GPtrArray *
current_list (const TesseraRevocation      *rv,
              TesseraOperation             *op,
              TesseraFeatures               features,
              const TesseraRevocationList  *listed,
              GError                      **error)
{
  gint64 age;

  if (listed != NULL && listed->entries != NULL)
    {
      age = g_get_monotonic_time () - listed->read_at;
      if (age >= 0 && age <= TESSERA_REVOCATION_LIST_FRESH_USEC)
        {
          g_debug ("revoke: deciding from the list read %" G_GINT64_FORMAT " ms ago", age / 1000);
          return g_ptr_array_ref (listed->entries);
        }
    }

  return tessera_cert_exchange_list (rv->link, op, features, error);
}

gboolean
tessera_revocation_run (const TesseraRevocation      *rv,
                        TesseraOperation             *op,
                        const char                   *fingerprint_in,
                        const TesseraRevocationList  *listed,
                        GError                      **error)
{
  TesseraKeyStore *store = rv->store;
  g_autofree char *fingerprint = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(TesseraKeyRecord) local = NULL;
  TesseraCertEntry *entry;
  TesseraFeatures features;
  gboolean revoked;

  /* Cancelled before it started: not even a connection is opened. */
  if (!tessera_operation_check (op, error))
    return FALSE;

  fingerprint = tessera_fingerprint_normalize (fingerprint_in, error);
  if (fingerprint == NULL ||
      !tessera_reconciler_run_first (rv->reconciler, op, TRUE, error) ||
      !tessera_xmpp_link_get_features (rv->link, op, &features, error))
    return FALSE;

  /* Re-read the list (or take the caller's, read moments ago): revoke only
   * what the server lists right now. */
  entries = current_list (rv, op, features, listed, error);
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

  if (!tessera_cert_exchange_check_revocable (features, entries, entry, error))
    return FALSE;

  local = tessera_key_store_find_by_fingerprint (store, fingerprint);
  if (local == NULL)
    return revoke_other (rv, op, features, entry, error);

  /* Reconciliation must not judge a key while its revocation is on the way. */
  id = g_strdup (tessera_key_record_get_id (local));
  if (!tessera_key_claims_claim (rv->claims, id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("Revoking failed: certificate %s is being revoked already"), fingerprint);
      return FALSE;
    }
  revoked = revoke_local (rv, op, features, entry, local, error);
  tessera_key_claims_release (rv->claims, id);

  return revoked;
}
