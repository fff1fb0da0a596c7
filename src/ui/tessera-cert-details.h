/* tessera-cert-details.h: everything about one listed certificate
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-core.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_CERT_DETAILS (tessera_cert_details_get_type ())

G_DECLARE_FINAL_TYPE (TesseraCertDetails, tessera_cert_details, TESSERA, CERT_DETAILS, AdwBin)

GtkWidget        *tessera_cert_details_new       (void);
void              tessera_cert_details_set_key_here (TesseraCertDetails *self,
                                                     gboolean            key_here);
TesseraCertEntry *tessera_cert_details_get_entry (TesseraCertDetails *self);
void              tessera_cert_details_set_entry (TesseraCertDetails *self,
                                                  TesseraCertEntry   *entry,
                                                  gboolean            is_device);

G_END_DECLS
