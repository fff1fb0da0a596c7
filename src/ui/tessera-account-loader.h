/* tessera-account-loader.h: one load of an account's certificates: features, list, this device's keys
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-core.h"

G_BEGIN_DECLS

/* What one load found. */
typedef struct
{
  TesseraFeatures   features;
  GListModel       *entries;              /* NULL when the server cannot list */
  GStrv             device_fingerprints;  /* the listed certificate this device logs in with (0 or 1) */
  GStrv             key_fingerprints;     /* listed certificates whose key lives here */
  TesseraKeyRecord *pending;              /* newest key not uploaded yet, or NULL */
} TesseraAccountSnapshot;

void                    tessera_account_snapshot_free (TesseraAccountSnapshot *snapshot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraAccountSnapshot, tessera_account_snapshot_free)

void                    tessera_account_load_async    (TesseraSession       *session,
                                                       TesseraKeyStore      *store,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
TesseraAccountSnapshot *tessera_account_load_finish   (GAsyncResult         *result,
                                                       TesseraFeatures      *features,
                                                       GError              **error);

G_END_DECLS
