/* tessera-account-loader.c: one load of an account's certificates: features, list, this device's keys
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include "tessera-account-loader.h"
#include "tessera-tasks.h"

/* No user-visible text here. A load asks the server what it supports, lists
 * the certificates when it can, then scans the key store for the ones whose
 * key lives on this device. The account model applies the result. */

typedef struct
{
  TesseraSession         *session;
  TesseraKeyStore        *store;
  gboolean                discovered;
  TesseraFeatures         features;
  TesseraAccountSnapshot *snapshot;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->session);
  g_clear_object (&data->store);
  g_clear_pointer (&data->snapshot, tessera_account_snapshot_free);
  g_free (data);
}

void
tessera_account_snapshot_free (TesseraAccountSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  g_clear_object (&snapshot->entries);
  g_clear_object (&snapshot->pending);
  g_strfreev (snapshot->device_fingerprints);
  g_strfreev (snapshot->key_fingerprints);
  g_free (snapshot);
}

static void
scanned_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(TesseraKeyScan) scan = NULL;
  GError *error = NULL;

  scan = tessera_task_scan_keys_finish (result, &error);
  if (scan == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  data->snapshot->device_fingerprints = g_steal_pointer (&scan->device_fingerprints);
  data->snapshot->key_fingerprints = g_steal_pointer (&scan->key_fingerprints);
  data->snapshot->pending = g_steal_pointer (&scan->pending);
  g_task_return_pointer (task, g_steal_pointer (&data->snapshot), (GDestroyNotify) tessera_account_snapshot_free);
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoadData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  data->snapshot->entries = tessera_session_list_finish (TESSERA_SESSION (object), result, &error);
  if (data->snapshot->entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  tessera_task_scan_keys_async (data->store, data->snapshot->entries, cancellable, scanned_cb,
                                g_steal_pointer (&task));
}

static void
discovered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoadData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  TesseraFeatures features;

  features = tessera_session_discover_finish (TESSERA_SESSION (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  data->discovered = TRUE;
  data->features = features;
  data->snapshot->features = features;
  if (!(features & (TESSERA_FEATURE_LIST | TESSERA_FEATURE_XEP0257)))
    {
      g_task_return_pointer (task, g_steal_pointer (&data->snapshot), (GDestroyNotify) tessera_account_snapshot_free);
      return;
    }

  tessera_session_list_async (data->session, cancellable, listed_cb, g_steal_pointer (&task));
}

/**
 * tessera_account_load_async:
 * @session: the account's session
 * @store: the account's key store
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Loads what the window shows of an account.
 */
void
tessera_account_load_async (TesseraSession      *session,
                            TesseraKeyStore     *store,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  LoadData *data;

  g_return_if_fail (TESSERA_IS_SESSION (session));
  g_return_if_fail (TESSERA_IS_KEY_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_account_load_async);
  data = g_new0 (LoadData, 1);
  data->session = g_object_ref (session);
  data->store = g_object_ref (store);
  data->snapshot = g_new0 (TesseraAccountSnapshot, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);

  tessera_session_discover_async (session, cancellable, discovered_cb, task);
}

/**
 * tessera_account_load_finish:
 * @result: the #GAsyncResult
 * @features: (out): what the server supports, when it said so even if
 *   listing failed later; else left alone
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what was found, or %NULL with @error set
 */
TesseraAccountSnapshot *
tessera_account_load_finish (GAsyncResult     *result,
                             TesseraFeatures  *features,
                             GError          **error)
{
  LoadData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (features != NULL, NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (data->discovered)
    *features = data->features;
  return g_task_propagate_pointer (G_TASK (result), error);
}
