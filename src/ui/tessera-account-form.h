/* tessera-account-form.h: account settings with a connection check
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-account-check.h"
#include "tessera-core.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_ACCOUNT_FORM (tessera_account_form_get_type ())

G_DECLARE_FINAL_TYPE (TesseraAccountForm, tessera_account_form, TESSERA, ACCOUNT_FORM, AdwBin)

GtkWidget       *tessera_account_form_new                 (void);
void             tessera_account_form_set_account         (TesseraAccountForm   *self,
                                                           TesseraAccount       *account);
void             tessera_account_form_set_ca_file         (TesseraAccountForm   *self,
                                                           const char           *path);
TesseraAccount  *tessera_account_form_build_account       (TesseraAccountForm   *self,
                                                           GError              **error);
gboolean         tessera_account_form_get_busy            (TesseraAccountForm   *self);
gboolean         tessera_account_form_get_checked         (TesseraAccountForm   *self);
TesseraAccount  *tessera_account_form_get_checked_account (TesseraAccountForm   *self);
TesseraFeatures  tessera_account_form_get_features        (TesseraAccountForm   *self);
TesseraSession  *tessera_account_form_get_session         (TesseraAccountForm   *self);
const char      *tessera_account_form_get_password        (TesseraAccountForm   *self);
TesseraAccountCheck *tessera_account_form_get_check       (TesseraAccountForm   *self);
void             tessera_account_form_show_error          (TesseraAccountForm   *self,
                                                           const char           *message);
void             tessera_account_form_check_async         (TesseraAccountForm   *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean         tessera_account_form_check_finish        (TesseraAccountForm   *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

G_END_DECLS
