/* tessera-account.h: an XMPP account and the accounts file
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  TESSERA_TLS_STARTTLS,
  TESSERA_TLS_DIRECT,
} TesseraTlsMode;

#define TESSERA_TYPE_TLS_MODE (tessera_tls_mode_get_type ())
GType tessera_tls_mode_get_type (void);

#define TESSERA_TYPE_ACCOUNT (tessera_account_get_type ())
G_DECLARE_FINAL_TYPE (TesseraAccount, tessera_account, TESSERA, ACCOUNT, GObject)

/* An immutable value. @port 0 means the default (SRV, then 5222/5223). */
TesseraAccount *tessera_account_new                    (const char     *bare_jid,
                                                        const char     *host,
                                                        guint16         port,
                                                        TesseraTlsMode  tls_mode,
                                                        const char     *ca_file,
                                                        const char     *pinned_fingerprint);

const char     *tessera_account_get_jid                (TesseraAccount *self);
const char     *tessera_account_get_host               (TesseraAccount *self);
guint16         tessera_account_get_port               (TesseraAccount *self);
TesseraTlsMode  tessera_account_get_tls_mode           (TesseraAccount *self);
const char     *tessera_account_get_ca_file            (TesseraAccount *self);
const char     *tessera_account_get_pinned_fingerprint (TesseraAccount *self);
const char     *tessera_account_get_domain             (TesseraAccount *self);

/* "starttls" / "direct", as in the accounts file. */
const char     *tessera_tls_mode_to_string             (TesseraTlsMode  mode);
gboolean        tessera_tls_mode_from_string           (const char     *text,
                                                        TesseraTlsMode *mode);

/* Accounts live in $XDG_CONFIG_HOME/tessera/accounts.ini: one group per
 * bare JID, directory 0700, file 0600, replaced atomically. Passwords are
 * in the Secret Service (tessera-secret.h), never in this file. */
GPtrArray      *tessera_account_store_load             (GError        **error);
TesseraAccount *tessera_account_store_lookup           (const char     *bare_jid,
                                                        GError        **error);
gboolean        tessera_account_store_save             (TesseraAccount *account,
                                                        GError        **error);
gboolean        tessera_account_store_remove           (const char     *bare_jid,
                                                        GError        **error);

/* Absolute path of the accounts file (newly allocated). */
char           *tessera_account_store_dup_path         (void);

G_END_DECLS
