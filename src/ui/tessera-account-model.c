/* tessera-account-model.c: what the window shows of one account, as properties to bind to
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-account-loader.h"
#include "tessera-account-lock.h"
#include "tessera-account-model.h"
#include "tessera-format.h"

/* One model per account shown: the window makes a new one on every account
 * switch and closes the old one, so a result arriving late for the previous
 * account changes a model nobody looks at any more.
 *
 * The model holds the state (features, connection, entries, pending key,
 * selection, running operations) and derives from it what the window's
 * buttons may do and why not (can-* and *-tooltip), so the .ui files bind
 * to it instead of the window recomputing sensitivity by hand.
 *
 * A refresh is one load (tessera-account-loader.c) whose result is applied
 * here. */

G_DEFINE_ENUM_TYPE (TesseraConnectionState, tessera_connection_state,
                    G_DEFINE_ENUM_VALUE (TESSERA_CONNECTION_UNKNOWN, "unknown"),
                    G_DEFINE_ENUM_VALUE (TESSERA_CONNECTION_ONLINE, "online"),
                    G_DEFINE_ENUM_VALUE (TESSERA_CONNECTION_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (TESSERA_CONNECTION_UNREACHABLE, "unreachable"))

struct _TesseraAccountModel
{
  GObject                 parent_instance;

  TesseraAccount         *account;
  TesseraKeyStore        *store;
  TesseraSession         *session;
  GCancellable           *cancellable;

  TesseraFeatures         features;
  TesseraConnectionState  connection;
  char                   *page;
  char                   *last_error;
  GListModel             *entries;
  GStrv                   device_fingerprints;
  GStrv                   key_fingerprints;
  TesseraKeyRecord       *pending_key;
  TesseraCertEntry       *selected;
  char                   *select_hint;
  guint                   busy;
  gboolean                refreshing;
  gboolean                refresh_queued;
  gboolean                uploading;
  gboolean                revoking;
  guint                   n_selected;      /* rows selected in the list; selected is NULL for several */
  gboolean                needs_password;
  gboolean                needs_key_passphrase;
  gboolean                can_remember;
  gboolean                probing;
  char                   *password;        /* typed by the user, memory only */
  char                   *key_passphrase;  /* typed by the user, memory only */

  /* Derived from the above by update_derived(), kept to notify on change */
  gboolean                can_refresh;
  gboolean                can_add;
  gboolean                can_upload;
  gboolean                can_revoke;
  char                   *add_tooltip;
  char                   *upload_tooltip;
  char                   *revoke_tooltip;
};

G_DEFINE_FINAL_TYPE (TesseraAccountModel, tessera_account_model, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_FEATURES,
  PROP_CONNECTION,
  PROP_PAGE,
  PROP_LAST_ERROR,
  PROP_ENTRIES,
  PROP_DEVICE_FINGERPRINTS,
  PROP_PENDING_KEY,
  PROP_SELECTED,
  PROP_BUSY,
  PROP_CAN_REFRESH,
  PROP_CAN_ADD,
  PROP_ADD_TOOLTIP,
  PROP_CAN_UPLOAD,
  PROP_UPLOAD_TOOLTIP,
  PROP_CAN_REVOKE,
  PROP_REVOKE_TOOLTIP,
  PROP_NEEDS_PASSWORD,
  PROP_NEEDS_KEY_PASSPHRASE,
  PROP_CAN_REMEMBER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Setters that notify only on change */

static void
set_boolean (TesseraAccountModel *self,
             gboolean            *field,
             gboolean             value,
             guint                prop_id)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
take_string (TesseraAccountModel *self,
             char               **field,
             char                *value,
             guint                prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return;
    }
  g_free (*field);
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_page (TesseraAccountModel *self,
          const char          *page)
{
  take_string (self, &self->page, g_strdup (page), PROP_PAGE);
}

static void
set_connection (TesseraAccountModel    *self,
                TesseraConnectionState  connection)
{
  if (self->connection == connection)
    return;
  self->connection = connection;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

static void
set_busy (TesseraAccountModel *self,
          gboolean             busy)
{
  gboolean was_busy = self->busy > 0;

  if (busy)
    self->busy++;
  else if (self->busy > 0)
    self->busy--;

  if (was_busy != (self->busy > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Always notifies: the list reloads even when nothing changed, to pick up
 * new device fingerprints. */
static void
set_entries (TesseraAccountModel *self,
             GListModel          *entries,
             GStrv                device_fingerprints,
             GStrv                key_fingerprints)
{
  g_strfreev (self->device_fingerprints);
  self->device_fingerprints = g_strdupv (device_fingerprints);
  g_strfreev (self->key_fingerprints);
  self->key_fingerprints = g_strdupv (key_fingerprints);
  g_set_object (&self->entries, entries);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE_FINGERPRINTS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENTRIES]);
}

/* What the buttons may do, and the tooltips that say why not */

typedef enum {
  MISSING_ADD,
  MISSING_REVOKE,
} MissingFeature;

static char *
why_not (TesseraAccountModel *self,
         MissingFeature       missing)
{
  const char *domain;

  if (self->account == NULL)
    return g_strdup (_("Add an account first"));
  if (self->connection != TESSERA_CONNECTION_ONLINE)
    return g_strdup (_("Not connected to the server"));

  domain = tessera_account_get_domain (self->account);
  if (missing == MISSING_ADD)
    return g_strdup_printf (_("The server %s does not support adding certificates"), domain);
  return g_strdup_printf (_("The server %s does not support revoking certificates"), domain);
}

static char *
describe_upload (TesseraAccountModel *self)
{
  if (!self->can_add)
    return why_not (self, MISSING_ADD);
  if (self->pending_key == NULL)
    return g_strdup (_("Generate a key pair first"));
  return g_strdup_printf (_("Send “%s” to the server and store its certificate"),
                          tessera_key_record_get_name (self->pending_key));
}

static char *
describe_revoke (TesseraAccountModel *self,
                 gboolean             supported)
{
  if (!supported)
    return why_not (self, MISSING_REVOKE);
  if (self->selected == NULL && self->n_selected < 2)
    return g_strdup (_("Select a certificate to revoke"));
  if (self->revoking)
    return g_strdup (_("Revoking…"));
  if (self->n_selected > 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Revoke the %u selected certificate (Delete)",
                                         "Revoke the %u selected certificates (Delete)", self->n_selected),
                            self->n_selected);
  return g_strdup (_("Revoke the selected certificate (Delete)"));
}

static void
update_derived (TesseraAccountModel *self)
{
  gboolean online = self->connection == TESSERA_CONNECTION_ONLINE;
  gboolean can_add = online && (self->features & (TESSERA_FEATURE_ADD | TESSERA_FEATURE_XEP0257));
  gboolean revoke_supported = online && (self->features & (TESSERA_FEATURE_REVOKE | TESSERA_FEATURE_XEP0257));

  g_object_freeze_notify (G_OBJECT (self));
  set_boolean (self, &self->can_refresh, self->account != NULL && !self->refreshing, PROP_CAN_REFRESH);
  set_boolean (self, &self->can_add, can_add, PROP_CAN_ADD);
  take_string (self, &self->add_tooltip,
               can_add ? g_strdup (_("Make a new key pair on this device (Ctrl+N)")) : why_not (self, MISSING_ADD),
               PROP_ADD_TOOLTIP);
  set_boolean (self, &self->can_upload, can_add && self->pending_key != NULL && !self->uploading,
               PROP_CAN_UPLOAD);
  take_string (self, &self->upload_tooltip, describe_upload (self), PROP_UPLOAD_TOOLTIP);
  set_boolean (self, &self->can_revoke,
               revoke_supported && (self->selected != NULL || self->n_selected > 1) && !self->revoking,
               PROP_CAN_REVOKE);
  take_string (self, &self->revoke_tooltip, describe_revoke (self, revoke_supported), PROP_REVOKE_TOOLTIP);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Refreshing */

static gboolean
is_connection_error (const GError *error)
{
  if (error->domain != TESSERA_XMPP_ERROR)
    return FALSE;

  switch (error->code)
    {
    case TESSERA_XMPP_ERROR_CONNECTION_FAILED:
    case TESSERA_XMPP_ERROR_TLS_NOT_OFFERED:
    case TESSERA_XMPP_ERROR_TLS_CERTIFICATE:
    case TESSERA_XMPP_ERROR_TIMEOUT:
    case TESSERA_XMPP_ERROR_STREAM_ERROR:
      return TRUE;

    default:
      return FALSE;
    }
}

/* A result for a model that was closed meanwhile: dropped. */
static gboolean
is_closed (TesseraAccountModel *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

static void
set_features (TesseraAccountModel *self,
              TesseraFeatures      features)
{
  if (self->features == features)
    return;
  self->features = features;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FEATURES]);
}

static void
show_snapshot (TesseraAccountModel    *self,
               TesseraAccountSnapshot *snapshot)
{
  set_features (self, snapshot->features);
  set_connection (self, TESSERA_CONNECTION_ONLINE);
  if (snapshot->entries == NULL)
    {
      set_entries (self, NULL, NULL, NULL);
      set_page (self, "unsupported");
      return;
    }

  if (g_set_object (&self->pending_key, snapshot->pending))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_KEY]);
  set_entries (self, snapshot->entries, snapshot->device_fingerprints, snapshot->key_fingerprints);
  set_page (self, g_list_model_get_n_items (snapshot->entries) > 0 ? "list" : "empty");
}

static void
show_failure (TesseraAccountModel *self,
              const GError        *error)
{
  char *message;

  g_debug ("Refreshing failed: %s", error->message);

  /* Drop the connection: the next attempt starts afresh. */
  if (self->session != NULL)
    tessera_session_close (self->session);

  set_connection (self, is_connection_error (error) ? TESSERA_CONNECTION_UNREACHABLE : TESSERA_CONNECTION_FAILED);
  /* A pinned server certificate that changed: both fingerprints, never a re-pin. */
  message = self->account != NULL
              ? tessera_format_certificate_error (error, tessera_account_get_pinned_fingerprint (self->account))
              : NULL;
  take_string (self, &self->last_error, message != NULL ? message : g_strdup (error->message), PROP_LAST_ERROR);
  set_entries (self, NULL, NULL, NULL);
  set_page (self, "offline");
}

static void
key_check_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_autoptr(TesseraKeyRecord) device = tessera_key_store_get_device_record (task_data, NULL);

  g_task_return_boolean (task, device != NULL && tessera_key_record_get_uses_user_passphrase (device));
}

/* Notified on every refused login, not only on change: a window that
 * could not ask the last time (a wizard in front) asks now. */
static void
key_checked_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TesseraAccountModel) self = user_data;
  gboolean uses_user_passphrase = g_task_propagate_boolean (G_TASK (result), NULL);

  if (is_closed (self))
    return;
  set_boolean (self, &self->needs_key_passphrase, uses_user_passphrase && self->key_passphrase == NULL,
               PROP_NEEDS_KEY_PASSPHRASE);
  self->needs_password = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_PASSWORD]);
}

/* The management login was refused or had no password: ask for one, and
 * for the passphrase of this device's key when the user chose it (logins
 * and reconciling need it). A typed password that the server refused is
 * dropped, so the next try asks again. The key is looked at on a thread:
 * the key store blocks. */
static void
check_password_failure (TesseraAccountModel *self,
                        const GError        *error)
{
  g_autoptr(GTask) task = NULL;

  if (!g_error_matches (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED))
    return;

  if (self->password != NULL)
    {
      g_clear_pointer (&self->password, tessera_secret_free);
      if (self->session != NULL)
        tessera_session_set_password (self->session, NULL);
    }
  task = g_task_new (NULL, NULL, key_checked_cb, g_object_ref (self));
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, key_check_thread);
}

static gboolean
holds_typed_secret (TesseraAccountModel *self)
{
  return self->password != NULL || self->key_passphrase != NULL;
}

static void
probed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TesseraAccountModel) self = user_data;
  gboolean available = tessera_secret_is_available_finish (result);

  self->probing = FALSE;
  if (is_closed (self))
    return;
  set_boolean (self, &self->can_remember, available && holds_typed_secret (self), PROP_CAN_REMEMBER);
}

/* A keyring may have appeared since the user typed a secret (it blocks:
 * probed on a thread after each load). */
static void
probe_keyring (TesseraAccountModel *self)
{
  if (!holds_typed_secret (self) || self->can_remember || self->probing)
    return;

  self->probing = TRUE;
  tessera_secret_is_available_async (NULL, probed_cb, g_object_ref (self));
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TesseraAccountModel) self = user_data;
  g_autoptr(TesseraAccountSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  TesseraFeatures features = self->features;

  snapshot = tessera_account_load_finish (result, &features, &error);
  if (is_closed (self))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if (snapshot != NULL)
    {
      show_snapshot (self, snapshot);
      probe_keyring (self);
    }
  else
    {
      set_features (self, features);
      check_password_failure (self, error);
      show_failure (self, error);
    }
  self->refreshing = FALSE;
  set_busy (self, FALSE);
  update_derived (self);
  g_object_thaw_notify (G_OBJECT (self));

  /* Asked for while this one ran (e.g. after an upload): the list may
   * already be out of date. */
  if (self->refresh_queued)
    {
      self->refresh_queued = FALSE;
      tessera_account_model_refresh (self);
    }
}

/**
 * tessera_account_model_refresh:
 * @self: a #TesseraAccountModel
 *
 * Reloads what the server supports and the certificate list. While one
 * refresh runs, asking again runs one more after it.
 */
void
tessera_account_model_refresh (TesseraAccountModel *self)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));

  if (self->account == NULL || is_closed (self))
    return;
  if (self->refreshing)
    {
      self->refresh_queued = TRUE;
      return;
    }

  self->refreshing = TRUE;
  set_busy (self, TRUE);
  update_derived (self);
  if (self->entries == NULL)
    set_page (self, "loading");

  /* The session reads the password from the Secret Service itself, on its
   * worker thread. */
  if (self->session == NULL)
    self->session = tessera_session_new (self->account, self->store);
  tessera_account_load_async (self->session, self->store, self->cancellable, loaded_cb, g_object_ref (self));
}

/**
 * tessera_account_model_set_key_passphrase:
 * @self: a #TesseraAccountModel
 * @passphrase: (nullable): the user's passphrase of a key made without a
 *   keyring, %NULL to forget it
 *
 * Held by the account's session, in memory only, for the keys that need
 * it; wiped when the session goes.
 */
void
tessera_account_model_set_key_passphrase (TesseraAccountModel *self,
                                          const char          *passphrase)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));
  g_return_if_fail (self->account != NULL);

  if (self->session == NULL)
    self->session = tessera_session_new (self->account, self->store);
  tessera_session_set_key_passphrase (self->session, passphrase);
  tessera_secret_free (self->key_passphrase);
  self->key_passphrase = g_strdup (passphrase);
  if (passphrase != NULL)
    set_boolean (self, &self->needs_key_passphrase, FALSE, PROP_NEEDS_KEY_PASSPHRASE);
}

/**
 * tessera_account_model_get_key_passphrase:
 * @self: a #TesseraAccountModel
 *
 * The passphrase the user typed for a key made without a keyring, for an
 * operation outside the session that opens that key (an export). Not a
 * property, so no binding or notify ever carries it.
 *
 * Returns: (transfer none) (nullable): the typed passphrase
 */
const char *
tessera_account_model_get_key_passphrase (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), NULL);

  return self->key_passphrase;
}

/**
 * tessera_account_model_set_password:
 * @self: a #TesseraAccountModel
 * @password: the account's password as the user typed it
 *
 * Used for the management login instead of the keyring's, in memory
 * only, and refreshes with it.
 */
void
tessera_account_model_set_password (TesseraAccountModel *self,
                                    const char          *password)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));
  g_return_if_fail (self->account != NULL);
  g_return_if_fail (password != NULL);

  tessera_secret_free (self->password);
  self->password = g_strdup (password);
  if (self->session == NULL)
    self->session = tessera_session_new (self->account, self->store);
  tessera_session_set_password (self->session, password);
  set_boolean (self, &self->needs_password, FALSE, PROP_NEEDS_PASSWORD);
  tessera_account_model_refresh (self);
}

gboolean
tessera_account_model_get_needs_password (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), FALSE);
  return self->needs_password;
}

gboolean
tessera_account_model_get_needs_key_passphrase (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), FALSE);
  return self->needs_key_passphrase;
}

gboolean
tessera_account_model_get_can_remember (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), FALSE);
  return self->can_remember;
}

/* Remembering in the keyring */

/* As long as an operation may hold the account (its deadline). */
#define REMEMBER_LOCK_WAIT_USEC (TESSERA_SESSION_DEFAULT_TIMEOUT * G_USEC_PER_SEC)

typedef struct
{
  TesseraKeyStore *store;
  char            *jid;
  char            *password;
  char            *key_passphrase;
} RememberData;

static void
remember_data_free (RememberData *data)
{
  g_clear_object (&data->store);
  g_free (data->jid);
  tessera_secret_free (data->password);
  tessera_secret_free (data->key_passphrase);
  g_free (data);
}

/* Every key of the account made with a passphrase of the user's moves
 * into the keyring; one that the typed passphrase does not open stops it
 * with that error (the keys before it have moved, each completely). */
static gboolean
remember_keys (RememberData  *data,
               GError       **error)
{
  g_autoptr(GPtrArray) records = tessera_key_store_list (data->store, error);

  if (records == NULL)
    return FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);
      g_autoptr(GError) local_error = NULL;

      if (!tessera_key_record_get_uses_user_passphrase (record))
        continue;
      if (!tessera_key_store_remember_passphrase (data->store, tessera_key_record_get_id (record),
                                                  data->key_passphrase, &local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  return TRUE;
}

static void
remember_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  RememberData *data = task_data;
  g_autoptr(TesseraAccountLock) lock = NULL;
  GError *error = NULL;

  /* meta.ini changes: the account's lock, like every other writer. */
  lock = tessera_account_lock_acquire (data->store, g_get_monotonic_time () + REMEMBER_LOCK_WAIT_USEC,
                                       cancellable, &error);
  if (lock == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->password != NULL && !tessera_secret_store_password (data->jid, data->password, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->key_passphrase != NULL && !remember_keys (data, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
remembered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TesseraAccountModel *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* A typed key passphrase that opens no key is dropped: the next use
       * asks again, and the next refresh offers the keyring again. */
      if (g_error_matches (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE))
        tessera_account_model_set_key_passphrase (self, NULL);
      set_boolean (self, &self->can_remember, FALSE, PROP_CAN_REMEMBER);
      g_task_return_error (task, error);
      return;
    }
  /* In the keyring now: nothing typed is left to offer (the session keeps
   * its own copies for this run). */
  g_clear_pointer (&self->password, tessera_secret_free);
  g_clear_pointer (&self->key_passphrase, tessera_secret_free);
  set_boolean (self, &self->can_remember, FALSE, PROP_CAN_REMEMBER);
  g_task_return_boolean (task, TRUE);
}

/**
 * tessera_account_model_remember_async:
 * @self: a #TesseraAccountModel
 * @callback: called when the secrets are in the keyring, or that failed
 * @user_data: data for @callback
 *
 * Stores the typed password in the Secret Service, and moves the keys
 * protected by the typed passphrase into it
 * (tessera_key_store_remember_passphrase()). Only when the user asks.
 */
void
tessera_account_model_remember_async (TesseraAccountModel *self,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) inner = NULL;
  RememberData *data;

  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));
  g_return_if_fail (self->account != NULL);

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_account_model_remember_async);

  data = g_new0 (RememberData, 1);
  data->store = g_object_ref (self->store);
  data->jid = g_strdup (tessera_account_get_jid (self->account));
  data->password = g_strdup (self->password);
  data->key_passphrase = g_strdup (self->key_passphrase);
  inner = g_task_new (NULL, NULL, remembered_cb, task);
  g_task_set_task_data (inner, data, (GDestroyNotify) remember_data_free);
  g_task_run_in_thread (inner, remember_thread);
}

gboolean
tessera_account_model_remember_finish (TesseraAccountModel  *self,
                                       GAsyncResult         *result,
                                       GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Uploading and revoking */

static void
uploaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TesseraAccountModel *self = g_task_get_source_object (task);
  TesseraCertificate *certificate;
  TesseraKeyRecord *record;
  GError *error = NULL;

  record = tessera_session_upload_finish (TESSERA_SESSION (object), result, &error);
  self->uploading = FALSE;
  set_busy (self, FALSE);
  if (record == NULL)
    {
      update_derived (self);
      g_task_return_error (task, error);
      return;
    }

  /* The next list selects the new certificate. */
  certificate = tessera_key_record_get_certificate (record);
  if (certificate != NULL)
    tessera_account_model_set_select_hint (self, tessera_certificate_get_fingerprint (certificate));
  tessera_account_model_set_pending_key (self, NULL);
  g_task_return_pointer (task, record, g_object_unref);
}

/**
 * tessera_account_model_upload_async:
 * @self: a #TesseraAccountModel whose #TesseraAccountModel:can-upload holds
 * @callback: called when the certificate is stored, or uploading failed
 * @user_data: data for @callback
 *
 * Sends the pending key's signing request and stores the certificate.
 */
void
tessera_account_model_upload_async (TesseraAccountModel *self,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));
  g_return_if_fail (self->can_upload && self->session != NULL);

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_account_model_upload_async);
  self->uploading = TRUE;
  set_busy (self, TRUE);
  update_derived (self);
  tessera_session_upload_async (self->session, tessera_key_record_get_id (self->pending_key),
                                self->cancellable, uploaded_cb, task);
}

/**
 * tessera_account_model_upload_finish:
 *
 * Returns: (transfer full): the key record with its certificate, or %NULL
 */
TesseraKeyRecord *
tessera_account_model_upload_finish (TesseraAccountModel  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
revoked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TesseraAccountModel *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->revoking = FALSE;
  set_busy (self, FALSE);
  update_derived (self);
  if (!tessera_session_revoke_finish (TESSERA_SESSION (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * tessera_account_model_revoke_async:
 * @self: a #TesseraAccountModel
 * @entry: the certificate to revoke
 * @callback: called when it is revoked, or revoking failed
 * @user_data: data for @callback
 *
 * Revokes @entry on the server (and deletes its key when it is this
 * device's). One revocation at a time: #TesseraAccountModel:can-revoke is
 * %FALSE while it runs.
 */
void
tessera_account_model_revoke_async (TesseraAccountModel *self,
                                    TesseraCertEntry    *entry,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));
  g_return_if_fail (TESSERA_IS_CERT_ENTRY (entry));
  g_return_if_fail (self->session != NULL && !self->revoking);

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_account_model_revoke_async);
  self->revoking = TRUE;
  set_busy (self, TRUE);
  update_derived (self);
  tessera_session_revoke_async (self->session, tessera_cert_entry_get_fingerprint (entry),
                                self->cancellable, revoked_cb, task);
}

gboolean
tessera_account_model_revoke_finish (TesseraAccountModel  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
renewed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TesseraAccountModel *self = g_task_get_source_object (task);
  g_autofree char *new_fingerprint = NULL;
  GError *error = NULL;

  set_busy (self, FALSE);
  /* A password read from the keyring for this renewal only: later logins
   * read the keyring again, as before (the typed one, or none). */
  if (GPOINTER_TO_INT (g_task_get_task_data (task)))
    tessera_session_set_password (TESSERA_SESSION (object), self->password);
  if (!tessera_session_renew_finish (TESSERA_SESSION (object), result, NULL, &new_fingerprint, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* The list that follows selects the new certificate. */
  tessera_account_model_set_select_hint (self, new_fingerprint);
  g_task_return_pointer (task, g_steal_pointer (&new_fingerprint), g_free);
}

static void
renew_password_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  char *password = tessera_secret_lookup_password (task_data, &error);

  if (password == NULL)
    g_debug ("renew: no password in the keyring (%s)", error != NULL ? error->message : "none stored");
  g_task_return_pointer (task, password, (GDestroyNotify) tessera_secret_free);
}

static void
renew_password_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TesseraAccountModel *self = g_task_get_source_object (task);
  char *password = g_task_propagate_pointer (G_TASK (result), NULL);

  /* The account is no longer shown: nothing starts. */
  if (is_closed (self))
    {
      tessera_secret_free (password);
      set_busy (self, FALSE);
      g_task_return_error_if_cancelled (task);
      return;
    }
  if (password != NULL)
    {
      tessera_session_set_password (self->session, password);
      g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
    }
  tessera_secret_free (password);
  tessera_session_renew_async (self->session, NULL, self->cancellable, renewed_cb, g_steal_pointer (&task));
}

/**
 * tessera_account_model_renew_async:
 * @self: a #TesseraAccountModel
 * @callback: called when the certificate is renewed, or renewing failed
 * @user_data: data for @callback
 *
 * Renews this device's certificate (tessera_session_renew_async()) with
 * the account's password when one is known, typed (tessera_account_model_set_password())
 * or in the keyring, as tessera-cli does: a valid certificate renews over
 * its own session, an expired one needs the password. The model is busy
 * meanwhile. Refresh afterwards to list the new one.
 */
void
tessera_account_model_renew_async (TesseraAccountModel *self,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  GTask *lookup;

  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));
  g_return_if_fail (self->account != NULL);

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_account_model_renew_async);
  if (self->session == NULL)
    self->session = tessera_session_new (self->account, self->store);
  set_busy (self, TRUE);
  if (self->password != NULL)
    {
      tessera_session_renew_async (self->session, NULL, self->cancellable, renewed_cb, task);
      return;
    }
  /* libsecret blocks: the keyring is read on a thread. */
  lookup = g_task_new (self, NULL, renew_password_cb, task);
  g_task_set_task_data (lookup, g_strdup (tessera_account_get_jid (self->account)), g_free);
  g_task_run_in_thread (lookup, renew_password_thread);
  g_object_unref (lookup);
}

/* The new certificate's fingerprint, or NULL with @error. */
char *
tessera_account_model_renew_finish (TesseraAccountModel  *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tessera_account_model_close:
 * @self: a #TesseraAccountModel
 *
 * Cancels what runs and drops the connection: the model of an account the
 * window no longer shows.
 */
void
tessera_account_model_close (TesseraAccountModel *self)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));

  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    tessera_session_close (self->session);
}

/* GObject */

static void
tessera_account_model_constructed (GObject *object)
{
  TesseraAccountModel *self = TESSERA_ACCOUNT_MODEL (object);

  G_OBJECT_CLASS (tessera_account_model_parent_class)->constructed (object);

  if (self->account != NULL)
    self->store = tessera_key_store_new (tessera_account_get_jid (self->account), NULL);
  self->page = g_strdup (self->account != NULL ? "loading" : "no-account");
  update_derived (self);
}

static void
tessera_account_model_dispose (GObject *object)
{
  TesseraAccountModel *self = (TesseraAccountModel *) object;

  if (self->cancellable != NULL)
    tessera_account_model_close (self);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->entries);
  g_clear_object (&self->pending_key);
  g_clear_object (&self->selected);

  G_OBJECT_CLASS (tessera_account_model_parent_class)->dispose (object);
}

static void
tessera_account_model_finalize (GObject *object)
{
  TesseraAccountModel *self = (TesseraAccountModel *) object;

  g_clear_object (&self->account);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->device_fingerprints, g_strfreev);
  g_clear_pointer (&self->key_fingerprints, g_strfreev);
  g_free (self->page);
  g_free (self->last_error);
  g_free (self->select_hint);
  g_free (self->add_tooltip);
  g_free (self->upload_tooltip);
  g_free (self->revoke_tooltip);
  g_clear_pointer (&self->password, tessera_secret_free);
  g_clear_pointer (&self->key_passphrase, tessera_secret_free);

  G_OBJECT_CLASS (tessera_account_model_parent_class)->finalize (object);
}

static void
tessera_account_model_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TesseraAccountModel *self = TESSERA_ACCOUNT_MODEL (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;

    case PROP_FEATURES:
      g_value_set_uint (value, self->features);
      break;

    case PROP_CONNECTION:
      g_value_set_enum (value, self->connection);
      break;

    case PROP_PAGE:
      g_value_set_string (value, self->page);
      break;

    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;

    case PROP_ENTRIES:
      g_value_set_object (value, self->entries);
      break;

    case PROP_DEVICE_FINGERPRINTS:
      g_value_set_boxed (value, self->device_fingerprints);
      break;

    case PROP_PENDING_KEY:
      g_value_set_object (value, self->pending_key);
      break;

    case PROP_SELECTED:
      g_value_set_object (value, self->selected);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy > 0);
      break;

    case PROP_CAN_REFRESH:
      g_value_set_boolean (value, self->can_refresh);
      break;

    case PROP_CAN_ADD:
      g_value_set_boolean (value, self->can_add);
      break;

    case PROP_ADD_TOOLTIP:
      g_value_set_string (value, self->add_tooltip);
      break;

    case PROP_CAN_UPLOAD:
      g_value_set_boolean (value, self->can_upload);
      break;

    case PROP_UPLOAD_TOOLTIP:
      g_value_set_string (value, self->upload_tooltip);
      break;

    case PROP_CAN_REVOKE:
      g_value_set_boolean (value, self->can_revoke);
      break;

    case PROP_REVOKE_TOOLTIP:
      g_value_set_string (value, self->revoke_tooltip);
      break;

    case PROP_NEEDS_PASSWORD:
      g_value_set_boolean (value, self->needs_password);
      break;

    case PROP_NEEDS_KEY_PASSPHRASE:
      g_value_set_boolean (value, self->needs_key_passphrase);
      break;

    case PROP_CAN_REMEMBER:
      g_value_set_boolean (value, self->can_remember);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_account_model_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  TesseraAccountModel *self = TESSERA_ACCOUNT_MODEL (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;

    case PROP_PENDING_KEY:
      tessera_account_model_set_pending_key (self, g_value_get_object (value));
      break;

    case PROP_SELECTED:
      tessera_account_model_set_selected (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
readable_boolean (const char *name)
{
  return g_param_spec_boolean (name, NULL, NULL, FALSE, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static GParamSpec *
readable_string (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
tessera_account_model_class_init (TesseraAccountModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags readwrite = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tessera_account_model_constructed;
  object_class->dispose = tessera_account_model_dispose;
  object_class->finalize = tessera_account_model_finalize;
  object_class->get_property = tessera_account_model_get_property;
  object_class->set_property = tessera_account_model_set_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, TESSERA_TYPE_ACCOUNT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  /* TesseraFeatures bits */
  properties[PROP_FEATURES] =
    g_param_spec_uint ("features", NULL, NULL, 0, G_MAXUINT, 0, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONNECTION] =
    g_param_spec_enum ("connection", NULL, NULL, TESSERA_TYPE_CONNECTION_STATE, TESSERA_CONNECTION_UNKNOWN,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* "no-account", "loading", "list", "empty", "unsupported" or "offline" */
  properties[PROP_PAGE] = readable_string ("page");
  /* Why the last refresh failed, "what failed: why" */
  properties[PROP_LAST_ERROR] = readable_string ("last-error");
  properties[PROP_ENTRIES] =
    g_param_spec_object ("entries", NULL, NULL, G_TYPE_LIST_MODEL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* Of the listed certificates whose key lives on this device */
  properties[PROP_DEVICE_FINGERPRINTS] =
    g_param_spec_boxed ("device-fingerprints", NULL, NULL, G_TYPE_STRV, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_PENDING_KEY] =
    g_param_spec_object ("pending-key", NULL, NULL, TESSERA_TYPE_KEY_RECORD, readwrite);
  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, TESSERA_TYPE_CERT_ENTRY, readwrite);
  properties[PROP_BUSY] = readable_boolean ("busy");
  properties[PROP_CAN_REFRESH] = readable_boolean ("can-refresh");
  properties[PROP_CAN_ADD] = readable_boolean ("can-add");
  properties[PROP_ADD_TOOLTIP] = readable_string ("add-tooltip");
  properties[PROP_CAN_UPLOAD] = readable_boolean ("can-upload");
  properties[PROP_UPLOAD_TOOLTIP] = readable_string ("upload-tooltip");
  properties[PROP_CAN_REVOKE] = readable_boolean ("can-revoke");
  properties[PROP_REVOKE_TOOLTIP] = readable_string ("revoke-tooltip");
  /* The server refused the login or no password is known: ask the user */
  properties[PROP_NEEDS_PASSWORD] = readable_boolean ("needs-password");
  /* This device's key uses the user's passphrase and none was typed yet */
  properties[PROP_NEEDS_KEY_PASSPHRASE] = readable_boolean ("needs-key-passphrase");
  /* A keyring answers now and the user typed a secret: offer to keep it */
  properties[PROP_CAN_REMEMBER] = readable_boolean ("can-remember");
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_account_model_init (TesseraAccountModel *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * tessera_account_model_new:
 * @account: (nullable): the account, or %NULL for the window without one
 *
 * Returns: (transfer full): a new #TesseraAccountModel; call
 *   tessera_account_model_refresh() to load it
 */
TesseraAccountModel *
tessera_account_model_new (TesseraAccount *account)
{
  g_return_val_if_fail (account == NULL || TESSERA_IS_ACCOUNT (account), NULL);

  return g_object_new (TESSERA_TYPE_ACCOUNT_MODEL, "account", account, NULL);
}

TesseraAccount *
tessera_account_model_get_account (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), NULL);
  return self->account;
}

TesseraKeyStore *
tessera_account_model_get_store (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), NULL);
  return self->store;
}

/* The account's session, for an operation of its own (another device's
 * enrollment); NULL without an account. */
TesseraSession *
tessera_account_model_get_session (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), NULL);
  return self->session;
}

TesseraFeatures
tessera_account_model_get_features (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), TESSERA_FEATURE_NONE);
  return self->features;
}

/* Which way a new key goes up: ccm2 when the server offers it. */
TesseraCertProtocol
tessera_account_model_get_upload_protocol (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), TESSERA_CERT_PROTOCOL_NONE);
  return tessera_cert_protocol_for_features (self->features);
}



gboolean
tessera_account_model_get_busy (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), FALSE);
  return self->busy > 0;
}

/**
 * tessera_account_model_get_entries:
 *
 * Returns: (transfer none) (nullable): the listed #TesseraCertEntry items,
 *   or %NULL when the list is not known
 */
GListModel *
tessera_account_model_get_entries (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), NULL);
  return self->entries;
}

/**
 * tessera_account_model_get_device_fingerprints:
 *
 * Returns: (transfer none) (nullable): the listed certificate this
 *   device logs in with (none or one), of the last load
 */
const char * const *
tessera_account_model_get_device_fingerprints (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), NULL);
  return (const char * const *) self->device_fingerprints;
}

/**
 * tessera_account_model_get_key_fingerprints:
 * @self: a #TesseraAccountModel
 *
 * Returns: (transfer none) (nullable): the listed certificates whose key is
 *   on this device (this device's and any kept here), of the last load
 */
const char * const *
tessera_account_model_get_key_fingerprints (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), NULL);

  return (const char * const *) self->key_fingerprints;
}

TesseraKeyRecord *
tessera_account_model_get_pending_key (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), NULL);
  return self->pending_key;
}

/**
 * tessera_account_model_set_pending_key:
 * @self: a #TesseraAccountModel
 * @record: (nullable): a key generated here and not uploaded yet
 */
void
tessera_account_model_set_pending_key (TesseraAccountModel *self,
                                       TesseraKeyRecord    *record)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));

  if (g_set_object (&self->pending_key, record))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_KEY]);
  update_derived (self);
}


/**
 * tessera_account_model_set_selected:
 * @self: a #TesseraAccountModel
 * @entry: (nullable): the certificate selected in the list
 */
void
tessera_account_model_set_selected (TesseraAccountModel *self,
                                    TesseraCertEntry    *entry)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));

  if (g_set_object (&self->selected, entry))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
  update_derived (self);
}

/**
 * tessera_account_model_set_n_selected:
 * @self: a #TesseraAccountModel
 * @n_selected: how many certificates are selected in the list
 *
 * With several selected #TesseraAccountModel:selected is %NULL, and
 * #TesseraAccountModel:can-revoke says whether they can be revoked.
 */
void
tessera_account_model_set_n_selected (TesseraAccountModel *self,
                                      guint                n_selected)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));

  self->n_selected = n_selected;
  update_derived (self);
}

gboolean
tessera_account_model_get_can_refresh (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), FALSE);
  return self->can_refresh;
}

gboolean
tessera_account_model_get_can_add (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), FALSE);
  return self->can_add;
}

gboolean
tessera_account_model_get_can_upload (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), FALSE);
  return self->can_upload;
}

gboolean
tessera_account_model_get_can_revoke (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), FALSE);
  return self->can_revoke;
}

/**
 * tessera_account_model_set_select_hint:
 * @self: a #TesseraAccountModel
 * @fingerprint: (nullable): a certificate to select once the list shows it
 */
void
tessera_account_model_set_select_hint (TesseraAccountModel *self,
                                       const char          *fingerprint)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_MODEL (self));

  g_free (self->select_hint);
  self->select_hint = g_strdup (fingerprint);
}

/**
 * tessera_account_model_steal_select_hint:
 *
 * Returns: (transfer full) (nullable): the fingerprint to select, once
 */
char *
tessera_account_model_steal_select_hint (TesseraAccountModel *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_MODEL (self), NULL);
  return g_steal_pointer (&self->select_hint);
}
