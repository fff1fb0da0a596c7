/* tessera-renewal.c: replacing a certificate with a new one of a new key, under the same name
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
#include "tessera-renewal.h"
#include "tessera-test-hooks.h"

/* A renewal goes through these states; a crash can stop it anywhere, and
 * the next run (tessera_renewal_resume, from the reconciler) goes on from
 * what is on disk. The old key's meta.ini names the new key from before
 * the new key exists until the old key is deleted:
 *
 *   old marked, no new key              the mark is removed
 *   new key, request never sent         the new key is deleted: the old
 *                                       certificate is still this device's
 *   new key, request may have left      the same request again (the server
 *                                       answers with what it issued)
 *   new key certified (this device's    log in with it, revoke the old one
 *   now), old still here                from its session, delete the old key
 *   old REVOKING                        the same: the list decides
 *
 * So exactly one of the two certificates is this device's and logs in,
 * and the other was never issued or is revoked. */

#define RENEW_FEATURES (TESSERA_FEATURE_ADD | TESSERA_FEATURE_LIST | TESSERA_FEATURE_REVOKE)

typedef struct
{
  const TesseraRenewal *rn;
  TesseraOperation     *op;
  TesseraKeyRecord     *old;        /* the key being renewed */
  char                 *new_id;
  TesseraKey           *new_key;    /* nullable: loaded when needed */
  TesseraXmppLink      *old_link;   /* nullable: the old certificate's session */
  gboolean              resuming;
} Renewing;

static void
renewing_clear (Renewing *r)
{
  g_clear_object (&r->old);
  g_clear_pointer (&r->new_id, g_free);
  g_clear_object (&r->new_key);
  g_clear_object (&r->old_link);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Renewing, renewing_clear)

static const char *
record_fingerprint (TesseraKeyRecord *record)
{
  TesseraCertificate *cert = tessera_key_record_get_certificate (record);

  return cert != NULL ? tessera_certificate_get_fingerprint (cert) : NULL;
}

/* A link that manages as @record's certificate session. */
static TesseraXmppLink *
certificate_link (Renewing          *r,
                  TesseraKeyRecord  *record,
                  TesseraKey        *key_in,
                  GError           **error)
{
  g_autoptr(TesseraKey) key = key_in != NULL ? g_object_ref (key_in) : NULL;

  if (key == NULL)
    key = tessera_key_store_load_key (r->rn->store, tessera_key_record_get_id (record),
                                      r->op->key_passphrase, error);
  if (key == NULL)
    return NULL;

  return tessera_xmpp_link_new_certificate (tessera_xmpp_link_get_account (r->rn->link),
                                            tessera_key_record_get_certificate_path (record), key, error);
}

/* Where the new certificate is added: the old certificate's own session
 * while it is valid, so that the new one is its renewal (PROTOCOL.md §8)
 * and the old one can be revoked from the new one's session by any later
 * run, with or without the password; the password session only for an
 * expired certificate (or when the old session may not add, see
 * certify_new()). */
static TesseraXmppLink *
add_link (Renewing  *r,
          gboolean   use_password,
          GError   **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (use_password ||
      !tessera_certificate_is_valid_at (tessera_key_record_get_certificate (r->old), now))
    {
      /* Only a password given for this run: a run without one (a login)
       * must not open a password connection of its own accord. */
      if (tessera_xmpp_link_has_password (r->rn->link))
        return g_object_ref (r->rn->link);
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                   _("Renewing failed: certificate “%s” is not valid now, so it cannot log in to renew "
                     "itself; renewing it needs the account's password"),
                   tessera_key_record_get_name (r->old));
      return NULL;
    }

  if (r->old_link == NULL)
    r->old_link = certificate_link (r, r->old, NULL, error);

  return r->old_link != NULL ? g_object_ref (r->old_link) : NULL;
}

static gboolean
check_features (TesseraXmppLink   *link,
                TesseraOperation  *op,
                GError           **error)
{
  TesseraFeatures features;

  if (!tessera_xmpp_link_get_features (link, op, &features, error))
    return FALSE;
  if ((features & RENEW_FEATURES) == RENEW_FEATURES)
    return TRUE;

  g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_SUPPORTED,
               _("Renewing failed: the server does not offer ccm2 add, list and revoke; nothing was changed"));
  return FALSE;
}

/* The new key goes, and the mark with it: the old certificate stays this
 * device's. Only for a new key the server never certified. */
static void
abandon (Renewing *r)
{
  g_autoptr(GError) error = NULL;
  const char *old_id = tessera_key_record_get_id (r->old);

  if (!tessera_key_store_delete (r->rn->store, r->new_id, &error) &&
      !g_error_matches (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND))
    {
      g_debug ("renew: could not delete new key %s: %s", r->new_id, error->message);
      return;
    }
  g_clear_error (&error);
  if (!tessera_key_store_set_renewed_by (r->rn->store, old_id, NULL, &error))
    g_debug ("renew: could not clear the mark of key %s: %s", old_id, error->message);
}

/* Only a stanza error proves that the server did nothing. */
static gboolean
server_refused (const GError *error)
{
  return error->domain == TESSERA_STANZA_ERROR &&
         tessera_stanza_error_get_error_type (error) != TESSERA_STANZA_ERROR_TYPE_WAIT;
}

static TesseraKeyRecord *
submit (Renewing          *r,
        TesseraKeyRecord  *fresh,
        gboolean           use_password,
        GError           **error)
{
  g_autoptr(TesseraXmppLink) link = add_link (r, use_password, error);
  TesseraKeyRecord *certified;

  if (link == NULL || !check_features (link, r->op, error))
    return NULL;
  if (!tessera_key_claims_claim (r->rn->claims, r->new_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("Renewing failed: the request of key %s is being sent already"), r->new_id);
      return NULL;
    }
  certified = tessera_cert_exchange_submit (link, r->op, r->rn->store, fresh, r->new_key,
                                            TESSERA_CERT_PROTOCOL_CCM2, error);
  tessera_key_claims_release (r->rn->claims, r->new_id);

  return certified;
}

/* Sends the new key's stored request and stores its certificate. The old
 * certificate's session may add only one renewal: when the server says it
 * may not (an earlier renewal's certificate is still listed), the password
 * session adds it, if there is a password. */
static TesseraKeyRecord *
certify_new (Renewing          *r,
             TesseraKeyRecord  *fresh,
             GError           **error)
{
  g_autoptr(TesseraKeyRecord) certified = NULL;
  g_autoptr(GError) local_error = NULL;

  if (r->new_key == NULL)
    r->new_key = tessera_key_store_load_key (r->rn->store, r->new_id, r->op->key_passphrase, error);
  if (r->new_key == NULL)
    return NULL;

  certified = submit (r, fresh, FALSE, &local_error);
  if (certified == NULL &&
      g_error_matches (local_error, TESSERA_STANZA_ERROR, TESSERA_STANZA_ERROR_NOT_ALLOWED) &&
      tessera_xmpp_link_has_password (r->rn->link))
    {
      g_debug ("renew: the old certificate may not add (%s); over the password session", local_error->message);
      g_clear_error (&local_error);
      certified = submit (r, fresh, TRUE, &local_error);
    }

  if (certified == NULL)
    {
      if (server_refused (local_error))
        {
          /* Refused: no certificate of the new key exists. */
          tessera_key_store_journal_note (r->rn->store, r->new_id, TESSERA_JOURNAL_STEP_REQUEST_REFUSED);
          abandon (r);
          g_set_error (error, local_error->domain, local_error->code,
                       _("Renewing failed: the server refused the new certificate: %s. The certificate "
                         "in use stays"), local_error->message);
          return NULL;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  tessera_key_store_journal_note (r->rn->store, tessera_key_record_get_id (r->old),
                                  TESSERA_JOURNAL_STEP_RENEWAL_CERTIFIED);
  tessera_test_crash_point ("renew:certified");
  g_debug ("renew: key %s certified as %s", r->new_id, record_fingerprint (certified));

  return g_steal_pointer (&certified);
}

static gboolean
remove_old (Renewing  *r,
            GError   **error)
{
  const char *id = tessera_key_record_get_id (r->old);
  g_autoptr(GError) local_error = NULL;

  tessera_key_store_journal_note (r->rn->store, id, TESSERA_JOURNAL_STEP_REVOKE_CONFIRMED);
  tessera_key_store_journal_note (r->rn->store, id, TESSERA_JOURNAL_STEP_LOCAL_REMOVED);
  if (!tessera_key_store_delete (r->rn->store, id, &local_error))
    {
      tessera_key_store_journal_note (r->rn->store, id, TESSERA_JOURNAL_STEP_LOCAL_REMOVE_FAILED);
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("The old certificate was revoked, but deleting its local key failed: %s"),
                   local_error->message);
      return FALSE;
    }
  g_debug ("renew: old key %s deleted", id);

  return TRUE;
}

/* From the new certificate's session: that completes a renewal and
 * revokes nothing else. When the server refuses it (the new certificate
 * was added over a password session, so it is no renewal of the old one),
 * over the password session: nothing hangs off the old one then. */
static gboolean
send_revocation (Renewing          *r,
                 TesseraXmppLink   *new_link,
                 TesseraCertEntry  *entry,
                 TesseraXmppLink  **used,
                 GError           **error)
{
  g_autoptr(GError) local_error = NULL;

  *used = new_link;
  if (tessera_cert_exchange_revoke (new_link, r->op, entry, &local_error))
    return TRUE;

  if (g_error_matches (local_error, TESSERA_STANZA_ERROR, TESSERA_STANZA_ERROR_NOT_ALLOWED) &&
      tessera_xmpp_link_has_password (r->rn->link))
    {
      g_debug ("renew: the new certificate may not revoke the old one (%s); over the password session",
               local_error->message);
      *used = r->rn->link;
      return tessera_cert_exchange_revoke (r->rn->link, r->op, entry, error);
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
restore_old (Renewing           *r,
             TesseraJournalStep  step)
{
  const char *id = tessera_key_record_get_id (r->old);
  g_autoptr(TesseraKeyRecord) restored = NULL;

  tessera_key_store_journal_note (r->rn->store, id, step);
  restored = tessera_key_store_set_state (r->rn->store, id, TESSERA_KEY_STATE_CERTIFIED, NULL);
}

static gboolean
revoke_old (Renewing          *r,
            TesseraXmppLink   *new_link,
            TesseraCertEntry  *entry,
            GError           **error)
{
  const char *id = tessera_key_record_get_id (r->old);
  g_autoptr(TesseraKeyRecord) revoking = NULL;
  g_autoptr(GError) local_error = NULL;
  TesseraXmppLink *used = NULL;
  gboolean listed_ok = FALSE;

  if (!tessera_key_store_journal_append (r->rn->store, id, TESSERA_JOURNAL_STEP_REVOKE_SENT, error))
    return FALSE;
  revoking = tessera_key_store_set_state (r->rn->store, id, TESSERA_KEY_STATE_REVOKING, error);
  if (revoking == NULL)
    return FALSE;
  tessera_test_crash_point ("renew:revoking-saved");

  if (!send_revocation (r, new_link, entry, &used, &local_error))
    {
      if (server_refused (local_error))
        restore_old (r, TESSERA_JOURNAL_STEP_REVOKE_REFUSED);
      g_set_error (error, local_error->domain, local_error->code,
                   _("Renewing failed: the new certificate works, but revoking the old one failed: %s"),
                   local_error->message);
      return FALSE;
    }
  tessera_test_crash_point ("renew:revoked");

  if (!tessera_cert_exchange_check_gone (used, r->op, RENEW_FEATURES, entry, &listed_ok, &local_error))
    {
      if (listed_ok)
        restore_old (r, TESSERA_JOURNAL_STEP_REVOKE_NOT_CONFIRMED);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return remove_old (r, error);
}

/* Logs in with the new certificate, then retires the old one: revoked
 * (or found revoked already) and its key deleted. */
static gboolean
retire_old (Renewing          *r,
            TesseraKeyRecord  *certified,
            GError           **error)
{
  g_autoptr(TesseraXmppLink) new_link = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) local_error = NULL;
  TesseraCertEntry *entry;

  new_link = certificate_link (r, certified, r->new_key, error);
  if (new_link == NULL)
    return FALSE;
  /* The login proves the new certificate before the old one goes. */
  if (!check_features (new_link, r->op, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Renewing failed: the new certificate could not log in: %s. The old certificate "
                     "was kept"), local_error->message);
      return FALSE;
    }
  tessera_key_store_journal_note (r->rn->store, tessera_key_record_get_id (r->old),
                                  TESSERA_JOURNAL_STEP_RENEWAL_LOGGED_IN);
  tessera_test_crash_point ("renew:logged-in");
  g_debug ("renew: logged in with %s", record_fingerprint (certified));

  entries = tessera_cert_exchange_list (new_link, r->op, RENEW_FEATURES, error);
  if (entries == NULL)
    return FALSE;
  entry = tessera_cert_entries_find (entries, record_fingerprint (r->old));
  if (entry == NULL)
    {
      g_debug ("renew: %s is revoked already", record_fingerprint (r->old));
      return remove_old (r, error);
    }

  return revoke_old (r, new_link, entry, error);
}

/* From wherever the renewal stopped to its end. Returns the new record;
 * NULL without an error when, resuming, the renewal had not reached the
 * server and was undone. */
static TesseraKeyRecord *
go_on (Renewing  *r,
       GError   **error)
{
  g_autoptr(TesseraKeyRecord) fresh = NULL;
  g_autoptr(TesseraKeyRecord) certified = NULL;
  g_auto(GStrv) journal = NULL;

  fresh = tessera_key_store_lookup (r->rn->store, r->new_id, NULL);
  if (fresh == NULL)
    {
      abandon (r);
      if (!r->resuming)
        g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                     _("Renewing failed: the new key %s is not stored"), r->new_id);
      return NULL;
    }

  if (tessera_key_record_get_certificate (fresh) == NULL)
    {
      journal = tessera_key_store_read_journal (r->rn->store, r->new_id, NULL);
      if (r->resuming && !tessera_journal_request_in_flight ((const char * const *) journal))
        {
          abandon (r);
          return NULL;
        }
      certified = certify_new (r, fresh, error);
      if (certified == NULL)
        return NULL;
    }
  else
    certified = g_steal_pointer (&fresh);

  if (!retire_old (r, certified, error))
    return NULL;

  return g_steal_pointer (&certified);
}

/* ---- a new renewal ------------------------------------------------------ */

/* This device's certificate, or the newest certified one when none is
 * valid any more (an expired certificate is renewed with the password). */
static TesseraKeyRecord *
find_device (TesseraKeyStore  *store,
             GError          **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) local_error = NULL;
  TesseraKeyRecord *record;

  record = tessera_key_store_get_device_record (store, &local_error);
  if (record != NULL)
    return record;
  records = tessera_key_store_list (store, NULL);
  for (guint i = records != NULL ? records->len : 0; i > 0; i--)
    {
      TesseraKeyRecord *candidate = g_ptr_array_index (records, i - 1);

      if (tessera_key_record_get_state (candidate) == TESSERA_KEY_STATE_CERTIFIED &&
          tessera_key_record_get_certificate (candidate) != NULL)
        return g_object_ref (candidate);
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static TesseraKeyRecord *
find_old (const TesseraRenewal  *rn,
          const char            *fingerprint_in,
          GError               **error)
{
  g_autofree char *fingerprint = NULL;
  TesseraKeyRecord *record;

  if (fingerprint_in == NULL)
    record = find_device (rn->store, error);
  else
    {
      fingerprint = tessera_fingerprint_normalize (fingerprint_in, error);
      if (fingerprint == NULL)
        return NULL;
      record = tessera_key_store_find_by_fingerprint (rn->store, fingerprint);
      if (record == NULL)
        g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                     _("Renewing failed: the key of certificate %s is not on this device"), fingerprint);
    }
  if (record == NULL)
    return NULL;

  if (tessera_key_record_get_state (record) != TESSERA_KEY_STATE_CERTIFIED ||
      tessera_key_record_get_certificate (record) == NULL)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                   _("Renewing failed: key %s holds no certificate in use (it is %s)"),
                   tessera_key_record_get_id (record),
                   tessera_key_state_to_string (tessera_key_record_get_state (record)));
      g_object_unref (record);
      return NULL;
    }
  if (tessera_key_record_get_renewed_by (record) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("Renewing failed: an earlier renewal of “%s” is not finished yet and could not be "
                     "finished now; try again when the server can be reached"),
                   tessera_key_record_get_name (record));
      g_object_unref (record);
      return NULL;
    }

  return record;
}

/* The old certificate's session can add only while it is valid. */
static gboolean
check_can_add (Renewing  *r,
               GError   **error)
{
  TesseraCertificate *cert = tessera_key_record_get_certificate (r->old);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *until = NULL;

  if (tessera_certificate_is_valid_at (cert, now) || tessera_xmpp_link_has_password (r->rn->link))
    return TRUE;

  until = g_date_time_format_iso8601 (tessera_certificate_get_not_after (cert));
  g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
               _("Renewing failed: certificate “%s” is not valid now (valid until %s), so it cannot log "
                 "in to renew itself; renewing it needs the account's password"),
               tessera_key_record_get_name (r->old), until);
  return FALSE;
}

/* The new key and its request on disk, the old key marked first. */
static gboolean
save_new (Renewing  *r,
          GError   **error)
{
  TesseraKeyStore *store = r->rn->store;
  const char *old_id = tessera_key_record_get_id (r->old);
  const char *user_passphrase = NULL;
  g_autoptr(TesseraKeyRecord) saved = NULL;
  g_autoptr(TesseraKeyRecord) pending = NULL;
  g_autoptr(GBytes) csr = NULL;

  r->new_key = tessera_key_generate (tessera_key_record_get_key_type (r->old), r->op->cancellable, error);
  if (r->new_key == NULL || !tessera_operation_check (r->op, error))
    return FALSE;
  r->new_id = tessera_key_store_id_for_key (r->new_key);
  if (r->new_id == NULL)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED,
                   _("Renewing failed: the new key has no usable public key id"));
      return FALSE;
    }

  if (!tessera_key_store_set_renewed_by (store, old_id, r->new_id, error))
    return FALSE;
  tessera_test_crash_point ("renew:marked");

  /* Under the old key's passphrase rule: the user's again, or the keyring. */
  if (tessera_key_record_get_uses_user_passphrase (r->old))
    user_passphrase = r->op->key_passphrase;
  saved = tessera_key_store_save_key (store, r->new_key, tessera_key_record_get_name (r->old),
                                      tessera_cert_protocol_to_string (TESSERA_CERT_PROTOCOL_CCM2),
                                      user_passphrase, error);
  if (saved == NULL)
    {
      abandon (r);
      return FALSE;
    }
  tessera_test_crash_point ("renew:key-saved");

  csr = tessera_key_create_csr (r->new_key, tessera_key_store_get_jid (store), error);
  pending = csr != NULL ? tessera_key_store_save_request (store, r->new_id, csr, error) : NULL;
  if (pending == NULL)
    {
      abandon (r);
      return FALSE;
    }
  tessera_test_crash_point ("renew:request-saved");
  g_debug ("renew: new key %s saved for \"%s\", renewing key %s", r->new_id,
           tessera_key_record_get_name (r->old), old_id);

  return TRUE;
}

static TesseraKeyRecord *
run_claimed (Renewing  *r,
             GError   **error)
{
  g_autoptr(TesseraXmppLink) link = NULL;

  if (!check_can_add (r, error))
    return NULL;
  /* Nothing is generated for a server (or a session) that cannot take it. */
  link = add_link (r, FALSE, error);
  if (link == NULL || !check_features (link, r->op, error) || !save_new (r, error))
    return NULL;

  return go_on (r, error);
}

TesseraKeyRecord *
tessera_renewal_run (const TesseraRenewal  *rn,
                     TesseraOperation      *op,
                     const char            *fingerprint,
                     char                 **old_fingerprint,
                     GError               **error)
{
  g_auto(Renewing) r = { rn, op, NULL, };
  g_autofree char *old_id = NULL;
  TesseraKeyRecord *renewed;

  /* Cancelled before it started: not even a connection is opened. */
  if (!tessera_operation_check (op, error))
    return NULL;

  r.old = find_old (rn, fingerprint, error);
  if (r.old == NULL)
    return NULL;
  old_id = g_strdup (tessera_key_record_get_id (r.old));
  if (!tessera_key_claims_claim (rn->claims, old_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("Renewing failed: another operation works on key %s"), old_id);
      return NULL;
    }
  renewed = run_claimed (&r, error);
  tessera_key_claims_release (rn->claims, old_id);

  if (renewed != NULL && old_fingerprint != NULL)
    *old_fingerprint = g_strdup (record_fingerprint (r.old));

  return renewed;
}

/* ---- after a crash ------------------------------------------------------ */

static void
resume_one (const TesseraRenewal  *rn,
            TesseraOperation      *op,
            TesseraKeyRecord      *marked,
            GPtrArray             *notes,
            GError               **error)
{
  g_auto(Renewing) r = { rn, op, NULL, };
  const char *id = tessera_key_record_get_id (marked);
  g_autoptr(TesseraKeyRecord) renewed = NULL;
  g_autofree char *old_shown = NULL;
  g_autofree char *new_shown = NULL;

  r.old = tessera_key_store_lookup (rn->store, id, NULL);
  if (r.old == NULL || tessera_key_record_get_renewed_by (r.old) == NULL)
    return;   /* another process finished it meanwhile */
  r.new_id = g_strdup (tessera_key_record_get_renewed_by (r.old));
  r.resuming = TRUE;
  old_shown = tessera_fingerprint_shorten (record_fingerprint (r.old));

  renewed = go_on (&r, error);
  if (renewed != NULL)
    {
      new_shown = tessera_fingerprint_shorten (record_fingerprint (renewed));
      g_ptr_array_add (notes, g_strdup_printf (_("The renewal of “%s”, interrupted before, is finished: "
                                                 "certificate %s replaces %s, which was revoked"),
                                               tessera_key_record_get_name (renewed), new_shown, old_shown));
    }
  else if (error == NULL || *error == NULL)
    g_ptr_array_add (notes, g_strdup_printf (_("The renewal of “%s” (%s) was interrupted before its request "
                                               "reached the server: its new key was deleted, and the "
                                               "certificate in use stays"),
                                             tessera_key_record_get_name (r.old), old_shown));
}

gboolean
tessera_renewal_resume (const TesseraRenewal  *rn,
                        TesseraOperation      *op,
                        GPtrArray             *listed,
                        GPtrArray             *notes,
                        GError               **error)
{
  g_autoptr(GPtrArray) records = listed != NULL ? g_ptr_array_ref (listed) : NULL;
  g_autoptr(GError) list_error = NULL;

  if (records == NULL)
    records = tessera_key_store_list (rn->store, &list_error);
  if (records == NULL)
    {
      g_debug ("%s: renewals left for later: %s", op->what, list_error->message);
      return TRUE;
    }

  for (guint i = 0; i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);
      const char *id = tessera_key_record_get_id (record);
      g_autoptr(GError) local_error = NULL;

      if (tessera_key_record_get_renewed_by (record) == NULL || !tessera_key_claims_claim (rn->claims, id))
        continue;
      resume_one (rn, op, record, notes, &local_error);
      tessera_key_claims_release (rn->claims, id);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (local_error != NULL)
        g_debug ("%s: the renewal of key %s is left for later: %s", op->what, id, local_error->message);
    }

  return TRUE;
}
