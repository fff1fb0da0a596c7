/* tessera-window.h: the main window: one account's certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-account-model.h"
#include "tessera-core.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_WINDOW (tessera_window_get_type ())

G_DECLARE_FINAL_TYPE (TesseraWindow, tessera_window, TESSERA, WINDOW, AdwApplicationWindow)

TesseraWindow   *tessera_window_new               (GtkApplication *application);
TesseraAccount  *tessera_window_get_account       (TesseraWindow  *self);
void             tessera_window_set_account       (TesseraWindow  *self,
                                                   TesseraAccount *account);
TesseraFeatures  tessera_window_get_features      (TesseraWindow  *self);
const char      *tessera_window_get_page          (TesseraWindow  *self);
gboolean         tessera_window_get_busy          (TesseraWindow  *self);
TesseraAccountModel *tessera_window_get_model     (TesseraWindow  *self);
void             tessera_window_refresh           (TesseraWindow  *self);
GtkWindow       *tessera_window_start_enrollment  (TesseraWindow  *self);

G_END_DECLS
