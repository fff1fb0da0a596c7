/* tessera-export-dialog.h: a certificate and its key, saved for another program
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-core.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_EXPORT_DIALOG (tessera_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TesseraExportDialog, tessera_export_dialog, TESSERA, EXPORT_DIALOG, AdwWindow)

/* @record: a certified record of @store. @user_passphrase: the passphrase
 * of a key saved without a keyring, if the window knows it. */
TesseraExportDialog *tessera_export_dialog_new       (GtkWindow           *parent,
                                                      TesseraKeyStore     *store,
                                                      TesseraKeyRecord    *record,
                                                      const char          *user_passphrase);
/* What "Export…" does after the file chooser: checks the form and writes
 * @file (replacing it: the chooser asked already). */
void                 tessera_export_dialog_export_to (TesseraExportDialog *self,
                                                      GFile               *file);
TesseraExportFormat  tessera_export_dialog_get_format (TesseraExportDialog *self);

G_END_DECLS
