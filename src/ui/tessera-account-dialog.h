/* tessera-account-dialog.h: adding or editing an account
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-core.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_ACCOUNT_DIALOG (tessera_account_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TesseraAccountDialog, tessera_account_dialog, TESSERA, ACCOUNT_DIALOG, AdwWindow)

TesseraAccountDialog *tessera_account_dialog_new      (GtkWindow            *parent,
                                                       TesseraAccount       *account);
GtkWidget            *tessera_account_dialog_get_form (TesseraAccountDialog *self);

G_END_DECLS
