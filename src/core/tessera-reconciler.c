/* tessera-reconciler.c: finishing what an interrupted enrollment or revocation left behind
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tessera-cert-exchange.h"
#include "tessera-certificate.h"
#include "tessera-error.h"
#include "tessera-fingerprint.h"
#include "tessera-other-device.h"
#include "tessera-reconciler.h"
#include "tessera-renewal.h"
#include "tessera-secret.h"
#include "tessera-test-hooks.h"

/* A process can die between any two steps of an enroll or a revoke. What it
 * leaves on disk, and what to do about it:
 *
 *   key saved, request never sent      nothing: the key waits for an upload
 *   request sent (journal), no cert    send the same request again: the
 *                                      server answers with the certificate it
 *                                      issued for that key, if it did;
 *                                      without the password, find it in the
 *                                      list (this device's certificate
 *                                      session may list, but not add it)
 *   certificate.pem written, state     mark the key certified
 *   not updated
 *   REVOKING                           list: still listed -> certified again
 *                                      (the user is told); gone -> the
 *                                      server revoked it: delete the key
 *   key.pem removed, rest left over    remove the rest (the revocation was
 *                                      confirmed before anything was deleted)
 *
 * Nothing here deletes a key whose certificate the server still lists. */

/* A key folder without key.pem that no confirmed revocation explains was
 * left by a save that never finished; it is removed once no save can still
 * be writing it. */
#define LEFTOVER_AGE_USEC ((gint64) 60 * 60 * G_USEC_PER_SEC)

struct _TesseraReconciler
{
  GObject           parent_instance;

  TesseraKeyStore  *store;
  TesseraXmppLink  *link;
  TesseraKeyClaims *claims;
  GMutex            lock;          /* one run at a time */
};

G_DEFINE_FINAL_TYPE (TesseraReconciler, tessera_reconciler, G_TYPE_OBJECT)

static void
tessera_reconciler_finalize (GObject *object)
{
  TesseraReconciler *self = TESSERA_RECONCILER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->link);
  g_clear_object (&self->claims);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tessera_reconciler_parent_class)->finalize (object);
}

static void
tessera_reconciler_class_init (TesseraReconcilerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tessera_reconciler_finalize;
}

static void
tessera_reconciler_init (TesseraReconciler *self)
{
  g_mutex_init (&self->lock);
}

TesseraReconciler *
tessera_reconciler_new (TesseraKeyStore  *store,
                        TesseraXmppLink  *link,
                        TesseraKeyClaims *claims)
{
  TesseraReconciler *self;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (store), NULL);
  g_return_val_if_fail (TESSERA_IS_XMPP_LINK (link), NULL);
  g_return_val_if_fail (TESSERA_IS_KEY_CLAIMS (claims), NULL);

  self = g_object_new (TESSERA_TYPE_RECONCILER, NULL);
  self->store = g_object_ref (store);
  self->link = g_object_ref (link);
  self->claims = g_object_ref (claims);

  return self;
}

/* One run's state. */
typedef struct
{
  TesseraReconciler *self;
  TesseraOperation  *op;
  TesseraKeyStore   *store;
  GPtrArray        *notes;     /* translated sentences */
  GPtrArray        *revoking;  /* of TesseraKeyRecord */
  GPtrArray        *pending;   /* of TesseraKeyRecord: request sent, no certificate */
  GPtrArray        *entries;   /* the server's list, fetched when needed */
  GPtrArray        *records;   /* the key store's, as sort_records() read it */
  TesseraFeatures   features;
  gboolean          have_features;
} Reconcile;

static void
reconcile_clear (Reconcile *r)
{
  g_clear_pointer (&r->notes, g_ptr_array_unref);
  g_clear_pointer (&r->revoking, g_ptr_array_unref);
  g_clear_pointer (&r->pending, g_ptr_array_unref);
  g_clear_pointer (&r->entries, g_ptr_array_unref);
  g_clear_pointer (&r->records, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reconcile, reconcile_clear)

static void
add_note (Reconcile  *r,
          char       *note)
{
  g_ptr_array_add (r->notes, note);
}

/* ---- reading the journal ----------------------------------------------- */

/* Whether the key's request left this device and no answer settled it. */
static gboolean
journal_says_sent (TesseraKeyStore *store,
                   const char      *id)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  lines = tessera_key_store_read_journal (store, id, &error);
  if (lines == NULL)
    {
      g_debug ("reconcile: the journal of key %s cannot be read: %s", id, error->message);
      return FALSE;
    }

  return tessera_journal_request_in_flight ((const char * const *) lines);
}

/* Whether a confirmed revocation left the key's folder. */
static gboolean
journal_says_revoked (TesseraKeyStore *store,
                      const char      *id)
{
  g_auto(GStrv) lines = tessera_key_store_read_journal (store, id, NULL);

  return tessera_journal_contains ((const char * const *) lines, TESSERA_JOURNAL_STEP_REVOKE_CONFIRMED) ||
         tessera_journal_contains ((const char * const *) lines, TESSERA_JOURNAL_STEP_LOCAL_REMOVED);
}

/* ---- without the server ------------------------------------------------ */

static gboolean
is_key_id (const char *name)
{
  if (strlen (name) != TESSERA_KEY_ID_LEN)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
        return FALSE;
    }

  return TRUE;
}

static gboolean
has_record (GPtrArray  *records,
            const char *id)
{
  for (guint i = 0; i < records->len; i++)
    {
      if (g_str_equal (tessera_key_record_get_id (g_ptr_array_index (records, i)), id))
        return TRUE;
    }

  return FALSE;
}

/* TRUE when nothing in @path changed for LEFTOVER_AGE_USEC. */
static gboolean
is_quiet_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  gint64 now = g_get_real_time ();
  GStatBuf buf;
  const char *name;

  if (dir == NULL || g_stat (path, &buf) != 0 ||
      now - (gint64) buf.st_mtime * G_USEC_PER_SEC < LEFTOVER_AGE_USEC)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      if (g_stat (file, &buf) != 0 || now - (gint64) buf.st_mtime * G_USEC_PER_SEC < LEFTOVER_AGE_USEC)
        return FALSE;
    }

  return TRUE;
}

/* Key folders without key.pem: what a confirmed revocation left when it
 * stopped half way through deleting, or a save that never finished. */
static void
remove_leftovers (Reconcile *r,
                  GPtrArray *records)
{
  const char *account_dir = tessera_key_store_get_dir (r->store);
  g_autoptr(GDir) dir = g_dir_open (account_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *key_path = NULL;
      g_autoptr(GError) error = NULL;

      if (!is_key_id (name) || has_record (records, name))
        continue;
      path = g_build_filename (account_dir, name, NULL);
      key_path = g_build_filename (path, "key.pem", NULL);
      if (g_file_test (key_path, G_FILE_TEST_EXISTS) || !g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      if (!journal_says_revoked (r->store, name) && !is_quiet_folder (path))
        continue;
      if (!tessera_key_claims_claim (r->self->claims, name))
        continue;

      if (tessera_key_store_delete (r->store, name, &error))
        g_debug ("reconcile: removed what was left of key folder %s", name);
      else
        g_debug ("reconcile: could not remove what was left of key folder %s: %s", name, error->message);
      tessera_key_claims_release (r->self->claims, name);
    }
}

/* certificate.pem is written before meta.ini says "certified", and only
 * after the certificate passed every check. */
static void
finish_stored_certificate (Reconcile        *r,
                           TesseraKeyRecord *record)
{
  const char *id = tessera_key_record_get_id (record);
  g_autoptr(TesseraKeyRecord) fresh = NULL;
  g_autoptr(TesseraKeyRecord) certified = NULL;
  g_autoptr(GError) error = NULL;
  TesseraKeyState state;

  if (!tessera_key_claims_claim (r->self->claims, id))
    return;

  fresh = tessera_key_store_lookup (r->store, id, NULL);
  state = fresh != NULL ? tessera_key_record_get_state (fresh) : TESSERA_KEY_STATE_CERTIFIED;
  if (fresh != NULL && tessera_key_record_get_certificate (fresh) != NULL &&
      (state == TESSERA_KEY_STATE_KEY_SAVED || state == TESSERA_KEY_STATE_REQUEST_PENDING))
    {
      certified = tessera_key_store_set_state (r->store, id, TESSERA_KEY_STATE_CERTIFIED, &error);
      if (certified != NULL)
        {
          tessera_key_store_journal_note (r->store, id, TESSERA_JOURNAL_STEP_CERTIFICATE_STORED);
          g_debug ("reconcile: key %s has its certificate: certified", id);
        }
      else
        g_debug ("reconcile: could not mark key %s certified: %s", id, error->message);
    }

  tessera_key_claims_release (r->self->claims, id);
}

static gboolean
sort_records (Reconcile  *r,
              GError    **error)
{
  g_autoptr(GPtrArray) records = tessera_key_store_list (r->store, error);

  if (records == NULL)
    return FALSE;
  r->records = g_ptr_array_ref (records);

  remove_leftovers (r, records);

  for (guint i = 0; i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);
      TesseraKeyState state = tessera_key_record_get_state (record);
      gboolean has_certificate = tessera_key_record_get_certificate (record) != NULL;

      if (has_certificate &&
          (state == TESSERA_KEY_STATE_KEY_SAVED || state == TESSERA_KEY_STATE_REQUEST_PENDING))
        finish_stored_certificate (r, record);
      else if (state == TESSERA_KEY_STATE_REVOKING && has_certificate)
        g_ptr_array_add (r->revoking, g_object_ref (record));
      else if (!has_certificate && tessera_key_record_get_request_der (record) != NULL &&
               journal_says_sent (r->store, tessera_key_record_get_id (record)))
        g_ptr_array_add (r->pending, g_object_ref (record));
    }

  return TRUE;
}

/* ---- with the server --------------------------------------------------- */

static gboolean
ensure_entries (Reconcile  *r,
                GError    **error)
{
  if (!r->have_features)
    {
      if (!tessera_xmpp_link_get_features (r->self->link, r->op, &r->features, error))
        return FALSE;
      r->have_features = TRUE;
    }
  if (r->entries == NULL)
    r->entries = tessera_cert_exchange_list (r->self->link, r->op, r->features, error);

  return r->entries != NULL;
}

static void
resolve_revoking (Reconcile        *r,
                  TesseraKeyRecord *fresh)
{
  const char *id = tessera_key_record_get_id (fresh);
  const char *fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (fresh));
  g_autofree char *shown = tessera_fingerprint_shorten (fingerprint);
  g_autoptr(GError) error = NULL;

  if (tessera_cert_entries_find (r->entries, fingerprint) != NULL)
    {
      g_autoptr(TesseraKeyRecord) restored = NULL;

      /* The revocation never reached the server, or it refused it. */
      tessera_test_crash_point ("reconcile:before-restore");
      restored = tessera_key_store_set_state (r->store, id, TESSERA_KEY_STATE_CERTIFIED, &error);
      if (restored == NULL)
        {
          g_debug ("reconcile: could not restore key %s: %s", id, error->message);
          return;
        }
      tessera_key_store_journal_note (r->store, id, TESSERA_JOURNAL_STEP_REVOKE_NOT_CONFIRMED);
      add_note (r, g_strdup_printf (_("The revocation of “%s” (%s) was interrupted before the server "
                                      "confirmed it: the certificate is still valid, and its key was kept"),
                                    tessera_key_record_get_name (fresh), shown));
      return;
    }

  /* The server no longer lists it: the revocation went through. */
  tessera_key_store_journal_note (r->store, id, TESSERA_JOURNAL_STEP_REVOKE_CONFIRMED);
  tessera_test_crash_point ("reconcile:before-delete");
  if (!tessera_key_store_delete (r->store, id, &error))
    {
      add_note (r, g_strdup_printf (_("The certificate “%s” (%s) was revoked, but deleting its local key "
                                      "failed: %s"),
                                    tessera_key_record_get_name (fresh), shown, error->message));
      return;
    }
  add_note (r, g_strdup_printf (_("The revocation of “%s” (%s), interrupted before, was confirmed by the "
                                  "server: its local key was deleted"),
                                tessera_key_record_get_name (fresh), shown));
}

/* The listed certificate of the key whose request @record holds: an
 * XEP-0257 append is not idempotent, so it is looked for first; and
 * without the password, the list is where any request's certificate is
 * found. */
static TesseraCertificate *
find_listed (Reconcile        *r,
             TesseraKeyRecord *record)
{
  g_autoptr(GBytes) spki = NULL;

  spki = tessera_csr_dup_public_key_der (tessera_key_record_get_request_der (record), NULL);
  if (spki == NULL)
    return NULL;

  for (guint i = 0; i < r->entries->len; i++)
    {
      TesseraCertificate *cert = tessera_cert_entry_get_certificate (g_ptr_array_index (r->entries, i));

      if (cert != NULL && g_bytes_equal (tessera_certificate_get_public_key_der (cert), spki))
        return g_object_ref (cert);
    }

  return NULL;
}

static TesseraKeyRecord *
store_found (Reconcile           *r,
             TesseraKeyRecord    *record,
             TesseraKey          *key,
             TesseraCertificate  *cert,
             GError             **error)
{
  return tessera_cert_exchange_store_found (r->self->link, r->store, record, key, cert, error);
}

/* What the user hears about a request that could not be finished; FALSE
 * when the server cannot be reached (nothing else will work either). */
static gboolean
pending_failed (Reconcile        *r,
                TesseraKeyRecord *record,
                GError           *error)
{
  const char *id = tessera_key_record_get_id (record);
  const char *name = tessera_key_record_get_name (record);

  if (error->domain == TESSERA_STANZA_ERROR &&
      tessera_stanza_error_get_error_type (error) != TESSERA_STANZA_ERROR_TYPE_WAIT)
    {
      tessera_key_store_journal_note (r->store, id, TESSERA_JOURNAL_STEP_REQUEST_REFUSED);
      add_note (r, g_strdup_printf (_("The request for “%s”, sent before an interruption, was refused when "
                                      "sent again: %s. The key is kept"), name, error->message));
      return TRUE;
    }
  if (g_error_matches (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CERTIFICATE_REJECTED))
    {
      tessera_key_store_journal_note (r->store, id, TESSERA_JOURNAL_STEP_RESULT_REFUSED);
      add_note (r, g_strdup_printf (_("The certificate for “%s”, requested before an interruption, was "
                                      "refused: %s. The key is kept"), name, error->message));
      return TRUE;
    }
  if (error->domain == TESSERA_STORE_ERROR || error->domain == TESSERA_CRYPTO_ERROR)
    {
      add_note (r, g_strdup_printf (_("The request for “%s” was sent before an interruption, but it cannot "
                                      "be finished now: %s"), name, error->message));
      return TRUE;
    }

  g_debug ("reconcile: key %s left for later: %s", id, error->message);
  return FALSE;
}

static TesseraKeyRecord *
finish_pending_with_key (Reconcile         *r,
                         TesseraKeyRecord  *fresh,
                         TesseraKey        *key,
                         GError           **error)
{
  if (tessera_key_record_get_cert_protocol (fresh) == TESSERA_CERT_PROTOCOL_XEP0257)
    {
      g_autoptr(TesseraCertificate) appended = NULL;

      if (!ensure_entries (r, error))
        return NULL;
      appended = find_listed (r, fresh);
      if (appended != NULL)
        return store_found (r, fresh, key, appended, error);
      if ((r->features & TESSERA_FEATURE_XEP0257) == 0)
        return NULL;
      return tessera_cert_exchange_submit (r->self->link, r->op, r->store, fresh, key,
                                           TESSERA_CERT_PROTOCOL_XEP0257, error);
    }

  if (!r->have_features)
    {
      if (!tessera_xmpp_link_get_features (r->self->link, r->op, &r->features, error))
        return NULL;
      r->have_features = TRUE;
    }
  if ((r->features & TESSERA_FEATURE_ADD) == 0)
    return NULL;

  /* The same request again: the server answers with what it issued. */
  return tessera_cert_exchange_submit (r->self->link, r->op, r->store, fresh, key,
                                       TESSERA_CERT_PROTOCOL_CCM2, error);
}

static void
note_stored (Reconcile        *r,
             TesseraKeyRecord *stored)
{
  TesseraCertificate *cert = tessera_key_record_get_certificate (stored);
  g_autofree char *shown = tessera_fingerprint_shorten (tessera_certificate_get_fingerprint (cert));

  add_note (r, g_strdup_printf (_("The certificate for “%s” (%s), requested before an interruption, "
                                  "is now stored"),
                                tessera_key_record_get_name (stored), shown));
}

/* FALSE when the server could not be reached. */
static gboolean
finish_pending (Reconcile        *r,
                TesseraKeyRecord *fresh,
                GError          **error)
{
  const char *id = tessera_key_record_get_id (fresh);
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) stored = NULL;
  g_autoptr(GError) local_error = NULL;

  key = tessera_key_store_load_key (r->store, id, r->op->key_passphrase, &local_error);
  if (key != NULL)
    stored = finish_pending_with_key (r, fresh, key, &local_error);

  if (stored != NULL)
    {
      note_stored (r, stored);
      return TRUE;
    }
  if (local_error == NULL)
    return TRUE;   /* the server offers no way to finish it */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      !pending_failed (r, fresh, local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/* One request that left before a crash, on a run without the password:
 * its certificate is stored if the list shows it; otherwise it waits for a
 * run with the password, which sends it again. */
static void
finish_listed (Reconcile        *r,
               TesseraKeyRecord *fresh)
{
  const char *id = tessera_key_record_get_id (fresh);
  g_autoptr(TesseraCertificate) listed = find_listed (r, fresh);
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) stored = NULL;
  g_autoptr(GError) error = NULL;

  if (listed == NULL)
    {
      g_debug ("reconcile: the server lists no certificate for key %s; its request is sent again with the "
               "password", id);
      return;
    }
  key = tessera_key_store_load_key (r->store, id, r->op->key_passphrase, &error);
  if (key != NULL)
    stored = store_found (r, fresh, key, listed, &error);
  if (stored != NULL)
    note_stored (r, stored);
  else
    pending_failed (r, fresh, error);
}

/* ---- another device's key --------------------------------------------- */

/* One key made for another device that a crash left here: its file is
 * written and the key erased, or, never certified and never sent, it is
 * erased; a file that cannot be written leaves it kept here. */
static void
finish_other_device (Reconcile        *r,
                     TesseraKeyRecord *fresh)
{
  const char *id = tessera_key_record_get_id (fresh);
  const char *name = tessera_key_record_get_name (fresh);
  g_autoptr(GError) error = NULL;

  if (tessera_key_record_get_certificate (fresh) == NULL)
    {
      if (journal_says_sent (r->store, id))
        return;   /* the server's answer first (finish_pending) */
      if (tessera_other_device_discard (r->store, fresh, &error))
        g_debug ("reconcile: key %s for another device was never sent: erased", id);
      else
        g_debug ("reconcile: could not erase key %s for another device: %s", id, error->message);
      return;
    }
  if (tessera_key_record_get_state (fresh) != TESSERA_KEY_STATE_CERTIFIED)
    return;

  if (tessera_other_device_deliver (r->store, fresh, r->op->key_passphrase, NULL, TRUE, &error))
    {
      /* Translators: a device name, then a file name */
      add_note (r, g_strdup_printf (_("The file for “%s”, interrupted before, is written to %s, and its key "
                                      "is erased here"), name, tessera_key_record_get_output_path (fresh)));
      return;
    }
  add_note (r, tessera_other_device_give_up (r->store, fresh, error));
}

static void
finish_other_devices (Reconcile *r)
{
  g_autoptr(GPtrArray) records = tessera_key_store_list (r->store, NULL);

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);
      const char *id = tessera_key_record_get_id (record);
      g_autoptr(TesseraKeyRecord) fresh = NULL;

      if (!tessera_key_record_is_other_device (record) || tessera_key_record_get_output_path (record) == NULL ||
          !tessera_key_claims_claim (r->self->claims, id))
        continue;
      fresh = tessera_key_store_lookup (r->store, id, NULL);
      if (fresh != NULL && tessera_key_record_get_output_path (fresh) != NULL)
        finish_other_device (r, fresh);
      tessera_key_claims_release (r->self->claims, id);
    }
}

typedef enum {
  WORK_REVOKING,
  WORK_PENDING,
  WORK_LISTED,
} WorkKind;

/* Its request left and no certificate is stored for it (yet). */
static gboolean
is_pending (Reconcile        *r,
            TesseraKeyRecord *fresh)
{
  return fresh != NULL && tessera_key_record_get_certificate (fresh) == NULL &&
         tessera_key_record_get_request_der (fresh) != NULL &&
         journal_says_sent (r->store, tessera_key_record_get_id (fresh));
}

/* Runs one piece of work on a key no operation of this account holds, and
 * only if the key is still in the state that called for it. */
static gboolean
work_on (Reconcile         *r,
         TesseraKeyRecord  *record,
         WorkKind           kind,
         GError           **error)
{
  const char *id = tessera_key_record_get_id (record);
  g_autoptr(TesseraKeyRecord) fresh = NULL;
  gboolean ok = TRUE;

  if (!tessera_key_claims_claim (r->self->claims, id))
    return TRUE;

  /* Another process may have finished it meanwhile. */
  fresh = tessera_key_store_lookup (r->store, id, NULL);
  if (fresh != NULL && kind == WORK_REVOKING &&
      tessera_key_record_get_state (fresh) == TESSERA_KEY_STATE_REVOKING &&
      tessera_key_record_get_certificate (fresh) != NULL)
    {
      ok = ensure_entries (r, error);
      if (ok)
        resolve_revoking (r, fresh);
    }
  else if (kind == WORK_PENDING && is_pending (r, fresh))
    ok = finish_pending (r, fresh, error);
  else if (kind == WORK_LISTED && is_pending (r, fresh))
    finish_listed (r, fresh);

  tessera_key_claims_release (r->self->claims, id);

  return ok;
}

/* ---- without the password ---------------------------------------------- */

/* A link that manages as this device's certificate session. */
static TesseraXmppLink *
device_link (Reconcile  *r,
             GError    **error)
{
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(TesseraKey) key = NULL;

  device = tessera_key_store_get_device_record (r->store, error);
  if (device == NULL)
    return NULL;
  key = tessera_key_store_load_record_key (r->store, device, r->op->key_passphrase, error);
  if (key == NULL)
    return NULL;

  return tessera_xmpp_link_new_certificate (tessera_xmpp_link_get_account (r->self->link),
                                            tessera_key_record_get_certificate_path (device), key, error);
}

/* Requests that left before a crash, on a run without the password (a
 * login, a renewal on a certificate-only device): their certificates are
 * found in the list read over this device's certificate session, so that
 * a key whose certificate the server issued is not left without it (and
 * another device's gets its file). Sent again from that session, a
 * request would become a renewal of this device's certificate (PROTOCOL.md
 * §8), revoked with it; so that is left to a run with the password. FALSE
 * only when cancelled. */
static gboolean
finish_pending_from_list (Reconcile  *r,
                          GError    **error)
{
  g_autoptr(TesseraXmppLink) link = NULL;
  g_autoptr(GError) local_error = NULL;
  TesseraFeatures features;
  guint waiting = 0;

  for (guint i = 0; i < r->pending->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (r->pending, i);
      g_autoptr(TesseraKeyRecord) fresh = tessera_key_store_lookup (r->store, tessera_key_record_get_id (record),
                                                                    NULL);

      /* The renewal finished before may have stored it. */
      if (is_pending (r, fresh))
        waiting++;
    }
  if (waiting == 0)
    return TRUE;

  link = device_link (r, &local_error);
  if (link != NULL && tessera_xmpp_link_get_features (link, r->op, &features, &local_error))
    r->entries = tessera_cert_exchange_list (link, r->op, features, &local_error);
  if (r->entries == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("%s: %u requests to finish, no list without the password: left for later: %s", r->op->what,
               waiting, local_error->message);
      return TRUE;
    }

  for (guint i = 0; i < r->pending->len; i++)
    work_on (r, g_ptr_array_index (r->pending, i), WORK_LISTED, NULL);

  return TRUE;
}

GPtrArray *
tessera_reconciler_run (TesseraReconciler  *self,
                        TesseraOperation   *op,
                        gboolean            with_server,
                        GError            **error)
{
  g_auto(Reconcile) r = { 0, };
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (TESSERA_IS_RECONCILER (self), NULL);

  if (!tessera_operation_check (op, error))
    return NULL;

  r.self = self;
  r.op = op;
  r.store = self->store;
  r.notes = g_ptr_array_new_with_free_func (g_free);
  r.revoking = g_ptr_array_new_with_free_func (g_object_unref);
  r.pending = g_ptr_array_new_with_free_func (g_object_unref);

  locker = g_mutex_locker_new (&self->lock);
  if (!sort_records (&r, error))
    return NULL;

  /* First, and even without the password: a renewal is finished over
   * certificate sessions (tessera-renewal.c). */
  if (!tessera_renewal_resume (&(TesseraRenewal) { self->link, self->store, self->claims }, op, r.records,
                               r.notes, error))
    return NULL;

  if (!with_server)
    {
      if (r.revoking->len > 0)
        g_debug ("%s: %u revocations to finish need the password; left for later", op->what, r.revoking->len);
      if (!finish_pending_from_list (&r, error))
        return NULL;
      finish_other_devices (&r);
      return g_steal_pointer (&r.notes);
    }

  for (guint i = 0; i < r.revoking->len; i++)
    {
      if (!work_on (&r, g_ptr_array_index (r.revoking, i), WORK_REVOKING, error))
        return NULL;
    }
  for (guint i = 0; i < r.pending->len; i++)
    {
      if (!work_on (&r, g_ptr_array_index (r.pending, i), WORK_PENDING, error))
        return NULL;
    }
  finish_other_devices (&r);

  return g_steal_pointer (&r.notes);
}

gboolean
tessera_reconciler_run_first (TesseraReconciler  *self,
                              TesseraOperation   *op,
                              gboolean            with_server,
                              GError            **error)
{
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GError) local_error = NULL;

  notes = tessera_reconciler_run (self, op, with_server, &local_error);
  if (notes == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* The operation itself will say what is wrong with the server. */
      g_debug ("%s: reconciling left for later: %s", op->what, local_error->message);
      return TRUE;
    }

  for (guint i = 0; i < notes->len; i++)
    g_message ("%s", (const char *) g_ptr_array_index (notes, i));
  if (notes->len > 0)
    tessera_operation_tell (op, notes);

  return TRUE;
}

gboolean
tessera_reconciler_request_was_sent (TesseraReconciler *self,
                                     const char        *key_id)
{
  g_return_val_if_fail (TESSERA_IS_RECONCILER (self), FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);

  return journal_says_sent (self->store, key_id);
}
