/* tessera-account-model.h: what the window shows of one account, as properties to bind to
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-core.h"

G_BEGIN_DECLS

typedef enum {
  TESSERA_CONNECTION_UNKNOWN,     /* not asked yet, or asking */
  TESSERA_CONNECTION_ONLINE,      /* the server answered */
  TESSERA_CONNECTION_FAILED,      /* connected, but loading failed */
  TESSERA_CONNECTION_UNREACHABLE, /* no connection at all */
} TesseraConnectionState;

#define TESSERA_TYPE_CONNECTION_STATE (tessera_connection_state_get_type ())
GType tessera_connection_state_get_type (void) G_GNUC_CONST;

#define TESSERA_TYPE_ACCOUNT_MODEL (tessera_account_model_get_type ())

G_DECLARE_FINAL_TYPE (TesseraAccountModel, tessera_account_model, TESSERA, ACCOUNT_MODEL, GObject)

TesseraAccountModel    *tessera_account_model_new                 (TesseraAccount       *account);
TesseraAccount         *tessera_account_model_get_account         (TesseraAccountModel  *self);
TesseraKeyStore        *tessera_account_model_get_store           (TesseraAccountModel  *self);
TesseraSession         *tessera_account_model_get_session         (TesseraAccountModel  *self);
TesseraFeatures         tessera_account_model_get_features        (TesseraAccountModel  *self);
TesseraCertProtocol     tessera_account_model_get_upload_protocol (TesseraAccountModel  *self);
gboolean                tessera_account_model_get_busy            (TesseraAccountModel  *self);
GListModel             *tessera_account_model_get_entries         (TesseraAccountModel  *self);
const char * const     *tessera_account_model_get_device_fingerprints (TesseraAccountModel *self);
const char * const     *tessera_account_model_get_key_fingerprints (TesseraAccountModel *self);
TesseraKeyRecord       *tessera_account_model_get_pending_key     (TesseraAccountModel  *self);
void                    tessera_account_model_set_pending_key     (TesseraAccountModel  *self,
                                                                   TesseraKeyRecord     *record);
void                    tessera_account_model_set_selected        (TesseraAccountModel  *self,
                                                                   TesseraCertEntry     *entry);
void                    tessera_account_model_set_n_selected      (TesseraAccountModel  *self,
                                                                   guint                 n_selected);
gboolean                tessera_account_model_get_can_refresh     (TesseraAccountModel  *self);
gboolean                tessera_account_model_get_can_add         (TesseraAccountModel  *self);
gboolean                tessera_account_model_get_can_upload      (TesseraAccountModel  *self);
gboolean                tessera_account_model_get_can_revoke      (TesseraAccountModel  *self);
void                    tessera_account_model_set_select_hint     (TesseraAccountModel  *self,
                                                                   const char           *fingerprint);
char                   *tessera_account_model_steal_select_hint   (TesseraAccountModel  *self);

void                    tessera_account_model_set_key_passphrase (TesseraAccountModel *self,
                                                                  const char          *passphrase);
const char             *tessera_account_model_get_key_passphrase (TesseraAccountModel *self);
/* Without a keyring (or with no password in it) the management login has
 * no password: "needs-password" turns TRUE and the window asks. What the
 * user typed is kept in memory only, wiped when replaced or at dispose. */
gboolean                tessera_account_model_get_needs_password  (TesseraAccountModel  *self);
gboolean                tessera_account_model_get_needs_key_passphrase (TesseraAccountModel *self);
void                    tessera_account_model_set_password        (TesseraAccountModel  *self,
                                                                   const char           *password);
/* TRUE once a Secret Service answers while a typed password or key
 * passphrase is held: the window offers to remember them. */
gboolean                tessera_account_model_get_can_remember    (TesseraAccountModel  *self);
void                    tessera_account_model_remember_async      (TesseraAccountModel  *self,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
gboolean                tessera_account_model_remember_finish     (TesseraAccountModel  *self,
                                                                   GAsyncResult         *result,
                                                                   GError              **error);
void                    tessera_account_model_refresh             (TesseraAccountModel  *self);
void                    tessera_account_model_upload_async        (TesseraAccountModel  *self,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
TesseraKeyRecord       *tessera_account_model_upload_finish       (TesseraAccountModel  *self,
                                                                   GAsyncResult         *result,
                                                                   GError              **error);
void                    tessera_account_model_revoke_async        (TesseraAccountModel  *self,
                                                                   TesseraCertEntry     *entry,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
gboolean                tessera_account_model_revoke_finish       (TesseraAccountModel  *self,
                                                                   GAsyncResult         *result,
                                                                   GError              **error);
void                    tessera_account_model_renew_async         (TesseraAccountModel  *self,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
char                   *tessera_account_model_renew_finish        (TesseraAccountModel  *self,
                                                                   GAsyncResult         *result,
                                                                   GError              **error);
void                    tessera_account_model_close               (TesseraAccountModel  *self);

G_END_DECLS
