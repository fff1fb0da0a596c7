/* tessera-tasks.h: blocking core calls (key store, Secret Service) run off the main thread
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-core.h"

G_BEGIN_DECLS

/* What this device holds for the certificates of a list. */
typedef struct
{
  GStrv             device_fingerprints;  /* the listed certificate this device logs in with (0 or 1) */
  GStrv             key_fingerprints;     /* listed certificates whose key lives here */
  TesseraKeyRecord *pending;              /* newest key not uploaded yet, or NULL */
} TesseraKeyScan;

void              tessera_key_scan_free                   (TesseraKeyScan      *scan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraKeyScan, tessera_key_scan_free)

void              tessera_task_delete_key_async           (TesseraKeyStore     *store,
                                                           const char          *key_id,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean          tessera_task_delete_key_finish          (GAsyncResult        *result,
                                                           GError             **error);
void              tessera_task_scan_keys_async            (TesseraKeyStore     *store,
                                                           GListModel          *entries,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
TesseraKeyScan   *tessera_task_scan_keys_finish           (GAsyncResult        *result,
                                                           GError             **error);
void              tessera_task_lookup_password_async      (const char          *bare_jid,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
char             *tessera_task_lookup_password_finish     (GAsyncResult        *result,
                                                           GError             **error);
void              tessera_task_save_account_async         (TesseraAccount      *account,
                                                           const char          *password,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean          tessera_task_save_account_finish        (GAsyncResult        *result,
                                                           GError             **error);

G_END_DECLS
