/* tessera-enroll-wizard.h: first-run enrollment of this device
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-core.h"
#include "tessera-wizard-flow.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_ENROLL_WIZARD (tessera_enroll_wizard_get_type ())

G_DECLARE_FINAL_TYPE (TesseraEnrollWizard, tessera_enroll_wizard, TESSERA, ENROLL_WIZARD, AdwWindow)

TesseraEnrollWizard *tessera_enroll_wizard_new       (GtkWindow           *parent,
                                                      TesseraAccount      *account);
const char          *tessera_enroll_wizard_get_page  (TesseraEnrollWizard *self);
gboolean             tessera_enroll_wizard_get_busy  (TesseraEnrollWizard *self);
TesseraWizardFlow   *tessera_enroll_wizard_get_flow  (TesseraEnrollWizard *self);
void                 tessera_enroll_wizard_next      (TesseraEnrollWizard *self);
void                 tessera_enroll_wizard_back      (TesseraEnrollWizard *self);

G_END_DECLS
