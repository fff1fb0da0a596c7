/* tessera-secret.h: account passwords and key passphrases in the Secret Service
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* All calls block (libsecret's sync API): run them off the main thread.
 * Errors are in TESSERA_STORE_ERROR; NO_SECRET_SERVICE when nothing answers. */

gboolean  tessera_secret_is_available          (void);
/* tessera_secret_is_available() on a thread, for a window: the answer is
 * tessera_secret_is_available_finish()'s. Never fails but by @cancellable
 * (then FALSE). */
void      tessera_secret_is_available_async    (GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean  tessera_secret_is_available_finish   (GAsyncResult        *result);

char     *tessera_secret_lookup_password       (const char  *bare_jid,
                                                GError     **error);
gboolean  tessera_secret_store_password        (const char  *bare_jid,
                                                const char  *password,
                                                GError     **error);
gboolean  tessera_secret_clear_password        (const char  *bare_jid,
                                                GError     **error);

char     *tessera_secret_lookup_key_passphrase (const char  *bare_jid,
                                                const char  *key_id,
                                                GError     **error);
gboolean  tessera_secret_store_key_passphrase  (const char  *bare_jid,
                                                const char  *key_id,
                                                const char  *passphrase,
                                                GError     **error);
gboolean  tessera_secret_clear_key_passphrase  (const char  *bare_jid,
                                                const char  *key_id,
                                                GError     **error);

/* The passphrase of the file of another device's key (enroll
 * --other-device), kept until that file is written. */
char     *tessera_secret_lookup_export_passphrase (const char  *bare_jid,
                                                   const char  *key_id,
                                                   GError     **error);
gboolean  tessera_secret_store_export_passphrase  (const char  *bare_jid,
                                                   const char  *key_id,
                                                   const char  *passphrase,
                                                   GError     **error);
gboolean  tessera_secret_clear_export_passphrase  (const char  *bare_jid,
                                                   const char  *key_id,
                                                   GError     **error);
/* Overwrites a secret string before freeing it; NULL is fine. */
void      tessera_secret_free                  (char        *secret);

G_END_DECLS
