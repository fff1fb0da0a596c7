/* tessera-other-device-dialog.h: a certificate for a phone, a tablet or a bot, saved to a file
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-core.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_OTHER_DEVICE_DIALOG (tessera_other_device_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TesseraOtherDeviceDialog, tessera_other_device_dialog, TESSERA, OTHER_DEVICE_DIALOG, AdwWindow)

/* Enrolls another device with @session (TesseraEnrollment with
 * tessera_enrollment_set_other_device()): name, key type, format and
 * passphrase, then a native file chooser; the last page says what to do
 * with the file on that device. Emits "enrolled" (a TesseraKeyRecord, the
 * key already erased here) when the file is written. */
TesseraOtherDeviceDialog *tessera_other_device_dialog_new        (GtkWindow                *parent,
                                                                  TesseraSession           *session);
/* What "Save As…" does after the file chooser: checks the form and
 * enrolls, writing @file (replacing it: the chooser asked already). */
void                      tessera_other_device_dialog_save_to    (TesseraOtherDeviceDialog *self,
                                                                  GFile                    *file);

/* For the dialogs that refuse a second certificate for this device: whether
 * the main window of @dialog has @action (the window of a test may not),
 * and running it there, closing @dialog. */
gboolean                  tessera_other_device_window_has_action (GtkWindow                *dialog,
                                                                  const char               *action);
void                      tessera_other_device_hand_over         (GtkWindow                *dialog,
                                                                  const char               *action);

G_END_DECLS
