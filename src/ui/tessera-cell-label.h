/* tessera-cell-label.h: one line of text in a list cell, sized by its text
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TESSERA_TYPE_CELL_LABEL (tessera_cell_label_get_type ())

G_DECLARE_FINAL_TYPE (TesseraCellLabel, tessera_cell_label, TESSERA, CELL_LABEL, GtkWidget)

GtkWidget  *tessera_cell_label_new      (gboolean          ellipsize);
const char *tessera_cell_label_get_text (TesseraCellLabel *self);
void        tessera_cell_label_set_text (TesseraCellLabel *self,
                                         const char       *text);

G_END_DECLS
