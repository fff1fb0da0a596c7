/* tessera-wizard-flow.h: the enrollment wizard's state machine, without widgets
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-core.h"

G_BEGIN_DECLS

/* In order: a step after another one has passed it. GENERATE, UPLOAD and
 * VERIFY are the enrollment itself (the wizard's progress page): GENERATE
 * and UPLOAD follow the #TesseraEnrollment's "step" (NEW to SAVED, then
 * UPLOADING), VERIFY begins at its CERTIFIED. */
typedef enum {
  TESSERA_WIZARD_STEP_WELCOME,
  TESSERA_WIZARD_STEP_ACCOUNT,
  TESSERA_WIZARD_STEP_DEVICE,
  TESSERA_WIZARD_STEP_GENERATE,
  TESSERA_WIZARD_STEP_UPLOAD,
  TESSERA_WIZARD_STEP_VERIFY,
  TESSERA_WIZARD_STEP_DONE,
} TesseraWizardStep;

#define TESSERA_TYPE_WIZARD_STEP (tessera_wizard_step_get_type ())
GType tessera_wizard_step_get_type (void) G_GNUC_CONST;

#define TESSERA_TYPE_WIZARD_FLOW (tessera_wizard_flow_get_type ())

G_DECLARE_FINAL_TYPE (TesseraWizardFlow, tessera_wizard_flow, TESSERA, WIZARD_FLOW, GObject)

TesseraWizardFlow *tessera_wizard_flow_new             (void);
TesseraWizardStep  tessera_wizard_flow_get_step        (TesseraWizardFlow    *self);
void               tessera_wizard_flow_set_step        (TesseraWizardFlow    *self,
                                                        TesseraWizardStep     step);
gboolean           tessera_wizard_flow_get_busy        (TesseraWizardFlow    *self);
gboolean           tessera_wizard_flow_get_cleaning    (TesseraWizardFlow    *self);
gboolean           tessera_wizard_flow_get_failed      (TesseraWizardFlow    *self);
gboolean           tessera_wizard_flow_has_key         (TesseraWizardFlow    *self);
TesseraAccount    *tessera_wizard_flow_get_account     (TesseraWizardFlow    *self);
const char        *tessera_wizard_flow_get_device_name (TesseraWizardFlow    *self);
const char        *tessera_wizard_flow_get_fingerprint (TesseraWizardFlow    *self);
TesseraEnrollment *tessera_wizard_flow_get_enrollment  (TesseraWizardFlow    *self);
GCancellable      *tessera_wizard_flow_get_cancellable (TesseraWizardFlow    *self);
void               tessera_wizard_flow_set_account     (TesseraWizardFlow    *self,
                                                        TesseraAccount       *account,
                                                        TesseraSession       *session,
                                                        TesseraFeatures       features);
void               tessera_wizard_flow_set_key_passphrase (TesseraWizardFlow *self,
                                                           const char        *passphrase);
void               tessera_wizard_flow_start           (TesseraWizardFlow    *self,
                                                        const char           *device_name,
                                                        TesseraKeyType        key_type);
void               tessera_wizard_flow_retry           (TesseraWizardFlow    *self);
void               tessera_wizard_flow_clean_up_async  (TesseraWizardFlow    *self,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean           tessera_wizard_flow_clean_up_finish (TesseraWizardFlow    *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
void               tessera_wizard_flow_answer_revoke   (TesseraWizardFlow    *self,
                                                        gboolean              revoke);
void               tessera_wizard_flow_cancel          (TesseraWizardFlow    *self);
void               tessera_wizard_flow_close           (TesseraWizardFlow    *self);

G_END_DECLS
