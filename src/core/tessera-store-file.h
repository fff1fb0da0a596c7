/* tessera-store-file.h: private files and folders, shared by the key and account stores
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every function here works on the path itself: a symbolic link in the
 * last component is refused (TESSERA_STORE_ERROR_PERMISSIONS, the message
 * names the path), never followed, and so is a file that is not a regular
 * file (a FIFO, a device) or that belongs to another user. */

/* Creates @path (and its parents) and makes it 0700 whatever the umask. */
gboolean  tessera_store_ensure_private_dir    (const char  *path,
                                               GError     **error);
/* Makes an existing folder 0700 (a base folder someone made 0777 is
 * repaired on a read too); a missing one is fine and is not created. */
gboolean  tessera_store_repair_dir_if_present (const char  *path,
                                               GError     **error);
/* Replaces @path atomically and durably with a 0600 file: a crash or a full
 * disk leaves the previous version in place. A failed fsync of the folder
 * after the rename is an error (TESSERA_STORE_ERROR_IO): the new version is
 * in place but may not survive a power cut. */
gboolean  tessera_store_write_private_file    (const char  *path,
                                               const void  *data,
                                               gsize        length,
                                               GError     **error);
/* Reads a regular file of ours (at most 16 MiB), making it 0600 first. */
GBytes   *tessera_store_read_private_file     (const char  *path,
                                               GError     **error);

/* Makes @path have exactly @mode if it belongs to us: 0700 for a folder,
 * 0600 for a regular file. */
gboolean  tessera_store_repair_mode           (const char  *path,
                                               guint        mode,
                                               GError     **error);
/* Syncs the directory entries of @dir (after a rename or a removal). */
gboolean  tessera_store_sync_dir              (const char  *dir,
                                               GError     **error);
/* The same for the folder holding @path; a failure is only logged (for
 * removals, which have nothing left to undo). */
void      tessera_store_sync_parent_dir       (const char  *path);

/* Opens the lock file @path (created 0600, its folder 0700; an existing
 * one must be a regular file of this user and is made 0600) and takes an
 * exclusive flock(2) on it without waiting. The descriptor: closing it
 * releases the lock, and so does the end of the process. -1 when another
 * open file holds the lock (TESSERA_STORE_ERROR_BUSY with @busy_message),
 * or with the error that stopped it. */
int       tessera_store_lock_file             (const char  *path,
                                               const char  *busy_message,
                                               GError     **error);

G_END_DECLS
