/* tessera-store-file.h: private files and folders, shared by the key and account stores
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Creates @path (and its parents) and makes it 0700 whatever the umask. */
gboolean  tessera_store_ensure_private_dir (const char  *path,
                                            GError     **error);
/* Replaces @path atomically and durably with a 0600 file: a crash or a full
 * disk leaves the previous version in place. */
gboolean  tessera_store_write_private_file (const char  *path,
                                            const void  *data,
                                            gsize        length,
                                            GError     **error);
GBytes   *tessera_store_read_private_file  (const char  *path,
                                            GError     **error);

/* Makes @path have exactly @mode (0600, 0700) if it belongs to us; refuses
 * a path owned by another user. */
gboolean  tessera_store_repair_mode        (const char  *path,
                                            guint        mode,
                                            GError     **error);
/* A rename is durable only once its directory entry is on disk. */
void      tessera_store_sync_parent_dir    (const char  *path);

G_END_DECLS
