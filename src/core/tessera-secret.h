/* tessera-secret.h: account passwords and key passphrases in the Secret Service
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* All calls block (libsecret's sync API): run them off the main thread.
 * Errors are in TESSERA_STORE_ERROR; NO_SECRET_SERVICE when nothing answers. */

gboolean  tessera_secret_is_available          (void);

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

/* Overwrites a secret string before freeing it; NULL is fine. */
void      tessera_secret_free                  (char        *secret);

G_END_DECLS
