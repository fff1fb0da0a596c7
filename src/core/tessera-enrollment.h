/* tessera-enrollment.h: one new device key, from its name to its stored certificate
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-cert-protocol.h"
#include "tessera-crypto.h"
#include "tessera-key-export.h"
#include "tessera-key-store.h"

G_BEGIN_DECLS

/* Where an enrollment is; "step" notifies in the main context of whoever
 * started it, so a UI can bind its pages to it. */
typedef enum {
  TESSERA_ENROLLMENT_STEP_NEW,         /* made, not started */
  TESSERA_ENROLLMENT_STEP_CHECKING,    /* the name, what the server offers, an interrupted one to finish */
  TESSERA_ENROLLMENT_STEP_GENERATING,  /* the key (RSA-3072 takes seconds) */
  TESSERA_ENROLLMENT_STEP_SAVING,      /* the key, then its request, durably on disk */
  TESSERA_ENROLLMENT_STEP_SAVED,       /* the key waits for its certificate (prepare ends here) */
  TESSERA_ENROLLMENT_STEP_UPLOADING,   /* the request is on its way; the answer is checked */
  TESSERA_ENROLLMENT_STEP_CERTIFIED,   /* the certificate is stored: this is the device's now */
  TESSERA_ENROLLMENT_STEP_FAILED,      /* see the error of the _finish call */
} TesseraEnrollmentStep;

#define TESSERA_TYPE_ENROLLMENT_STEP (tessera_enrollment_step_get_type ())
GType tessera_enrollment_step_get_type (void);

/* The one rule for device names: @text trimmed, or NULL and
 * G_IO_ERROR_INVALID_ARGUMENT saying what is wrong. */
char *tessera_enrollment_check_name (const char  *text,
                                     GError     **error);

#define TESSERA_TYPE_ENROLLMENT (tessera_enrollment_get_type ())
G_DECLARE_FINAL_TYPE (TesseraEnrollment, tessera_enrollment, TESSERA, ENROLLMENT, GObject)

/* A new key named @name for @bare_jid, to be kept in @store. Properties:
 * "key-store", "bare-jid", "name" (the checked name once checked; with
 * XEP-0257 maybe made unique: "Laptop (2)"), "key-type" (a
 * TesseraKeyType), "step" (TesseraEnrollmentStep, read-only), "record"
 * (the saved TesseraKeyRecord, read-only, NULL until SAVING is done).
 *
 * One enrollment runs once: prepare_async() for the local part (the UI
 * then sends it with upload_async(), again after a failure), or, for an
 * enrollment from tessera_session_new_enrollment(), run_async() for all of
 * it. */
TesseraEnrollment    *tessera_enrollment_new                 (TesseraKeyStore      *store,
                                                              const char           *bare_jid,
                                                              const char           *name,
                                                              TesseraKeyType        key_type);
/* Encrypts the key with @passphrase instead of a random one kept in the
 * Secret Service (for a system without one). Before starting. */
void                  tessera_enrollment_set_user_passphrase (TesseraEnrollment    *self,
                                                              const char           *passphrase);
/* Makes the key for another device (a phone, a bot): once certified it is
 * written to @output_path (absolute) in @format, encrypted with
 * @export_passphrase (NULL only for PEM, on the user's choice), replacing
 * an existing file only with @force, and erased here; it is never this
 * device. Without it, an enrollment is refused with
 * TESSERA_STORE_ERROR_DEVICE_ENROLLED when this device already holds a
 * valid certificate (one per device). Before starting; only run_async()
 * can finish such an enrollment. */
void                  tessera_enrollment_set_other_device    (TesseraEnrollment    *self,
                                                              const char           *output_path,
                                                              TesseraExportFormat   format,
                                                              const char           *export_passphrase,
                                                              gboolean              force);
gboolean              tessera_enrollment_is_other_device     (TesseraEnrollment    *self);
const char           *tessera_enrollment_get_bare_jid        (TesseraEnrollment    *self);
char                 *tessera_enrollment_dup_name            (TesseraEnrollment    *self);
TesseraKeyType        tessera_enrollment_get_key_type        (TesseraEnrollment    *self);
TesseraEnrollmentStep tessera_enrollment_get_step            (TesseraEnrollment    *self);
/* The saved record, newest state (nullable). */
TesseraKeyRecord     *tessera_enrollment_dup_record          (TesseraEnrollment    *self);

/* The local part, no server: checks the name, generates the key, saves it
 * and its request for @protocol, and ends at SAVED. A failure, or a
 * cancellation while saving, leaves no key behind. */
void                  tessera_enrollment_prepare_async       (TesseraEnrollment    *self,
                                                              TesseraCertProtocol   protocol,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
TesseraKeyRecord     *tessera_enrollment_prepare_finish      (TesseraEnrollment    *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);

/* All of it, with the server of the session that made this enrollment
 * (G_IO_ERROR_NOT_SUPPORTED otherwise): see tessera_session_enroll_async().
 * Ends at CERTIFIED. */
void                  tessera_enrollment_run_async           (TesseraEnrollment    *self,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
TesseraKeyRecord     *tessera_enrollment_run_finish          (TesseraEnrollment    *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);

/* Sends the saved request again, for an enrollment of a session that
 * stopped at SAVED (prepare_async()) or FAILED with its key saved but not
 * certified: UPLOADING, then CERTIFIED or FAILED. Checks and stores the
 * certificate like run_async(); G_IO_ERROR_NOT_SUPPORTED without a
 * session. The UI prepares, then uploads, so that a key generated while
 * the server is away waits for it. */
void                  tessera_enrollment_upload_async        (TesseraEnrollment    *self,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
TesseraKeyRecord     *tessera_enrollment_upload_finish       (TesseraEnrollment    *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);

G_END_DECLS
