/* tessera-account-check.h: the account form's connection check and save, as properties to bind to
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-core.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_ACCOUNT_CHECK (tessera_account_check_get_type ())

G_DECLARE_FINAL_TYPE (TesseraAccountCheck, tessera_account_check, TESSERA, ACCOUNT_CHECK, GObject)

TesseraAccountCheck *tessera_account_check_new           (void);
gboolean             tessera_account_check_get_busy      (TesseraAccountCheck  *self);
TesseraAccount      *tessera_account_check_get_account   (TesseraAccountCheck  *self);
TesseraSession      *tessera_account_check_get_session   (TesseraAccountCheck  *self);
TesseraFeatures      tessera_account_check_get_features  (TesseraAccountCheck  *self);
const char          *tessera_account_check_get_untrusted_fingerprint (TesseraAccountCheck *self);
void                 tessera_account_check_set_error     (TesseraAccountCheck  *self,
                                                          const char           *message);
void                 tessera_account_check_invalidate    (TesseraAccountCheck  *self);
void                 tessera_account_check_run_async     (TesseraAccountCheck  *self,
                                                          TesseraAccount       *account,
                                                          const char           *password,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean             tessera_account_check_run_finish    (TesseraAccountCheck  *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
void                 tessera_account_check_save_async    (TesseraAccountCheck  *self,
                                                          const char           *password,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean             tessera_account_check_save_finish   (TesseraAccountCheck  *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
void                 tessera_account_check_close         (TesseraAccountCheck  *self);

G_END_DECLS
