/* tessera-save-form.h: what the dialogs that save a certificate and key to a file share
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-core.h"

G_BEGIN_DECLS

/* The Export dialog and the Add Another Device dialog ask for the same
 * things before they write a file: a format, a passphrase, then a native
 * "save" file chooser; their templates bind the same closures. */

void                  tessera_save_form_bind_closures   (GtkWidgetClass        *widget_class);

void                  tessera_save_form_init_format_row (AdwComboRow           *row);
TesseraExportFormat   tessera_save_form_get_format      (AdwComboRow           *row);

GtkFileChooserNative *tessera_save_form_show_chooser    (GtkWindow             *parent,
                                                         const char            *title,
                                                         const char            *accept_label,
                                                         const char            *device_name,
                                                         TesseraExportFormat    format,
                                                         GCallback              response_cb);
GFile                *tessera_save_form_chooser_finish  (GtkFileChooserNative **slot,
                                                         GtkNativeDialog       *chooser,
                                                         int                    response);
void                  tessera_save_form_clear_chooser   (GtkFileChooserNative **slot);

G_END_DECLS
