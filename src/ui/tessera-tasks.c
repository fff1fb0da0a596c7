/* tessera-tasks.c: blocking core calls (key store, Secret Service) run off the main thread
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include "tessera-account-lock.h"
#include "tessera-tasks.h"

/* The key store and libsecret block on disk and D-Bus: every call here runs
 * in a GTask thread so the window never waits for them. */

void
tessera_key_scan_free (TesseraKeyScan *scan)
{
  if (scan == NULL)
    return;

  g_strfreev (scan->device_fingerprints);
  g_strfreev (scan->key_fingerprints);
  g_clear_object (&scan->pending);
  g_free (scan);
}

/* Deleting a key */

/* As long as an operation's default deadline. */
#define DELETE_LOCK_WAIT_USEC (30 * G_USEC_PER_SEC)

static void
delete_key_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  TesseraKeyStore *store = g_object_get_data (G_OBJECT (task), "store");
  g_autoptr(TesseraAccountLock) lock = NULL;
  GError *error = NULL;

  /* A tessera-cli working on the account at the same time may be reading
   * this key: wait for it as every other writing operation does. */
  lock = tessera_account_lock_acquire (store, g_get_monotonic_time () + DELETE_LOCK_WAIT_USEC, NULL, &error);
  if (lock == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (tessera_key_store_delete (store, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tessera_task_delete_key_async (TesseraKeyStore     *store,
                               const char          *key_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TESSERA_IS_KEY_STORE (store));
  g_return_if_fail (key_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_task_delete_key_async);
  g_task_set_task_data (task, g_strdup (key_id), g_free);
  g_object_set_data_full (G_OBJECT (task), "store", g_object_ref (store), g_object_unref);
  /* Deleting must not stop half-way because a window closed. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, delete_key_thread);
}

gboolean
tessera_task_delete_key_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Scanning the key store against a list */

static void
scan_keys_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  TesseraKeyStore *store = g_object_get_data (G_OBJECT (task), "store");
  GPtrArray *fingerprints = task_data;
  g_autoptr(TesseraKeyScan) scan = g_new0 (TesseraKeyScan, 1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) device = g_strv_builder_new ();
  g_autoptr(TesseraKeyRecord) device_record = NULL;
  const char *device_fingerprint = NULL;
  g_autoptr(GPtrArray) records = NULL;
  GError *error = NULL;

  /* One read of the key store for the whole list, not one per entry. */
  records = tessera_key_store_list (store, &error);
  if (records == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* "This device" is the one certificate it logs in with (the newest valid
   * one, as a login picks it), or, when it has expired, the one to renew;
   * other keys here are only kept. */
  device_record = tessera_key_store_pick_held_record (records);
  if (device_record != NULL)
    device_fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (device_record));
  for (guint i = 0; i < fingerprints->len; i++)
    {
      g_autoptr(TesseraKeyRecord) record = tessera_key_store_find_in_records (records, fingerprints->pdata[i]);

      if (record == NULL)
        continue;
      g_strv_builder_add (builder, fingerprints->pdata[i]);
      if (g_strcmp0 (device_fingerprint, fingerprints->pdata[i]) == 0)
        g_strv_builder_add (device, fingerprints->pdata[i]);
    }
  scan->key_fingerprints = g_strv_builder_end (builder);
  scan->device_fingerprints = g_strv_builder_end (device);

  /* Oldest first: the last pending one is the newest. */
  for (guint i = 0; i < records->len; i++)
    if (tessera_key_record_is_pending (records->pdata[i]) && !tessera_key_record_is_other_device (records->pdata[i]))
      g_set_object (&scan->pending, records->pdata[i]);

  g_task_return_pointer (task, g_steal_pointer (&scan), (GDestroyNotify) tessera_key_scan_free);
}

/**
 * tessera_task_scan_keys_async:
 * @store: the account's key store
 * @entries: (nullable): a #GListModel of #TesseraCertEntry
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Finds which of @entries have their key on this device, and the newest key
 * still waiting to be uploaded.
 */
void
tessera_task_scan_keys_async (TesseraKeyStore     *store,
                              GListModel          *entries,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *fingerprints = g_ptr_array_new_with_free_func (g_free);
  guint n_items = entries != NULL ? g_list_model_get_n_items (entries) : 0;

  g_return_if_fail (TESSERA_IS_KEY_STORE (store));

  /* The list model is read here, on the main thread, not in the worker. */
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (entries, i);

      g_ptr_array_add (fingerprints, g_strdup (tessera_cert_entry_get_fingerprint (entry)));
    }

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_task_scan_keys_async);
  g_task_set_task_data (task, fingerprints, (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data_full (G_OBJECT (task), "store", g_object_ref (store), g_object_unref);
  g_task_run_in_thread (task, scan_keys_thread);
}

/**
 * tessera_task_scan_keys_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the scan, free with tessera_key_scan_free()
 */
TesseraKeyScan *
tessera_task_scan_keys_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Passwords and accounts */

static void
lookup_password_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GError *error = NULL;
  char *password = tessera_secret_lookup_password (task_data, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, password, (GDestroyNotify) g_free);
}

void
tessera_task_lookup_password_async (const char          *bare_jid,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (bare_jid != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_task_lookup_password_async);
  g_task_set_task_data (task, g_strdup (bare_jid), g_free);
  g_task_run_in_thread (task, lookup_password_thread);
}

/**
 * tessera_task_lookup_password_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the stored password; %NULL without an
 *   error when none is stored
 */
char *
tessera_task_lookup_password_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  TesseraAccount *account;
  char           *password;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->account);
  g_clear_pointer (&data->password, tessera_secret_free);
  g_free (data);
}

static void
save_account_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  SaveData *data = task_data;
  const char *jid = tessera_account_get_jid (data->account);
  GError *error = NULL;

  if (data->password != NULL &&
      !tessera_secret_store_password (jid, data->password, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!tessera_account_store_save (data->account, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * tessera_task_save_account_async:
 * @account: the account settings
 * @password: (nullable): the password to keep in the Secret Service
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Stores @password in the Secret Service, then adds or replaces @account in
 * the account store.
 */
void
tessera_task_save_account_async (TesseraAccount      *account,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  g_return_if_fail (TESSERA_IS_ACCOUNT (account));

  data = g_new0 (SaveData, 1);
  data->account = g_object_ref (account);
  data->password = g_strdup (password);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_task_save_account_async);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_account_thread);
}

gboolean
tessera_task_save_account_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
