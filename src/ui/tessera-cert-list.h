/* tessera-cert-list.h: the sortable table of an account's certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-core.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_CERT_LIST (tessera_cert_list_get_type ())

G_DECLARE_FINAL_TYPE (TesseraCertList, tessera_cert_list, TESSERA, CERT_LIST, AdwBin)

GtkWidget        *tessera_cert_list_new                     (void);
GListModel       *tessera_cert_list_get_model               (TesseraCertList    *self);
void              tessera_cert_list_set_model               (TesseraCertList    *self,
                                                             GListModel         *model);
void              tessera_cert_list_set_key_fingerprints    (TesseraCertList    *self,
                                                             const char * const *fingerprints);
void              tessera_cert_list_set_device_fingerprints (TesseraCertList    *self,
                                                             const char * const *fingerprints);
gboolean          tessera_cert_list_is_device               (TesseraCertList    *self,
                                                             TesseraCertEntry   *entry);
TesseraCertEntry *tessera_cert_list_get_selected            (TesseraCertList    *self);
guint             tessera_cert_list_get_n_selected          (TesseraCertList    *self);
GPtrArray        *tessera_cert_list_dup_selected_entries    (TesseraCertList    *self);
gboolean          tessera_cert_list_select_fingerprint      (TesseraCertList    *self,
                                                             const char         *fingerprint);
void              tessera_cert_list_unselect                (TesseraCertList    *self);
char             *tessera_cert_list_dup_tooltip             (TesseraCertList    *self,
                                                             GtkWidget          *cell);
gboolean          tessera_cert_list_popup_context_menu      (TesseraCertList    *self,
                                                             double              x,
                                                             double              y);
GtkWidget        *tessera_cert_list_get_context_menu        (TesseraCertList    *self);

G_END_DECLS
