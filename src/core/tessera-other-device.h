/* tessera-other-device.h: a key made here for another device, written to its file, then erased here
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-key-export.h"
#include "tessera-key-store.h"

G_BEGIN_DECLS

/* The format as another device's meta.ini keeps it: "pkcs12",
 * "pkcs12-modern", "pem" or "pem-plain" (PEM without a passphrase). */
const char *tessera_other_device_format_to_string (TesseraExportFormat  format,
                                                   gboolean             encrypt);
gboolean    tessera_other_device_format_parse     (const char          *text,
                                                   TesseraExportFormat *format,
                                                   gboolean            *encrypt);

/* Writes the file of @record, another device's certified key of @store,
 * as tessera-key-export writes it (@export_passphrase, or the one kept in
 * the keyring for it when NULL), then erases the key here. The journal
 * says when the file is complete (TESSERA_JOURNAL_STEP_EXPORT_WRITTEN), so
 * a run after a crash only erases. @force replaces an existing file.
 * Blocks. */
gboolean    tessera_other_device_deliver          (TesseraKeyStore     *store,
                                                   TesseraKeyRecord    *record,
                                                   const char          *user_passphrase,
                                                   const char          *export_passphrase,
                                                   gboolean             force,
                                                   GError             **error);
/* The file cannot be written: the key stays, kept on this device (never
 * this device), so the user can export or revoke it. Returns the note
 * that says so (translated). */
char       *tessera_other_device_give_up          (TesseraKeyStore     *store,
                                                   TesseraKeyRecord    *record,
                                                   const GError        *why);
/* Erases another device's key whose request never left: nothing was
 * issued for it. */
gboolean    tessera_other_device_discard          (TesseraKeyStore     *store,
                                                   TesseraKeyRecord    *record,
                                                   GError             **error);

G_END_DECLS
