/* tessera-account-lock.h: one Tessera process at a time works on an account
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-key-store.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_ACCOUNT_LOCK (tessera_account_lock_get_type ())
G_DECLARE_FINAL_TYPE (TesseraAccountLock, tessera_account_lock, TESSERA, ACCOUNT_LOCK, GObject)

/* An flock(2) on "lock" in the account's folder (created 0700, the lock
 * file 0600, never through a symbolic link). The kernel drops it when the
 * process ends however it ends, so a crash leaves no stale lock.
 *
 * Inside one process the lock is shared: a second acquire of the same
 * account returns at once (operations of one process coordinate among
 * themselves); it keeps other processes out until the last holder is
 * released (unref). Holding it across a fork without exec is not
 * supported (the file is O_CLOEXEC). Blocks: call off the main thread.
 *
 * Another process holding it: TESSERA_STORE_ERROR_BUSY, "Another Tessera
 * is working on the account …". */
TesseraAccountLock *tessera_account_lock_try_acquire (TesseraKeyStore  *store,
                                                      GError          **error);
/* Waits for the lock until @deadline (g_get_monotonic_time() clock) or until
 * @cancellable is cancelled (G_IO_ERROR_CANCELLED). */
TesseraAccountLock *tessera_account_lock_acquire     (TesseraKeyStore  *store,
                                                      gint64            deadline,
                                                      GCancellable     *cancellable,
                                                      GError          **error);
/* The lock file's path (for messages and tests). */
const char         *tessera_account_lock_get_path    (TesseraAccountLock *self);

G_END_DECLS
