/* tessera-generate-dialog.h: making a key pair for this device, ready to upload
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-core.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_GENERATE_DIALOG (tessera_generate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TesseraGenerateDialog, tessera_generate_dialog, TESSERA, GENERATE_DIALOG, AdwWindow)

TesseraGenerateDialog *tessera_generate_dialog_new     (GtkWindow             *parent,
                                                        TesseraKeyStore       *store,
                                                        const char            *bare_jid,
                                                        TesseraCertProtocol    protocol);
void                   tessera_generate_dialog_generate (TesseraGenerateDialog *self);

G_END_DECLS
