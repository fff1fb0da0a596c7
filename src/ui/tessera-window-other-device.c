/* tessera-window-other-device.c: "Add Another Device…", a certificate for a phone or a bot
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-other-device-dialog.h"
#include "tessera-window-private.h"

/* The new certificate is listed like any other (never as this device):
 * the list is loaded again once the file is written. */
static void
enrolled_cb (TesseraWindow    *self,
             TesseraKeyRecord *record)
{
  g_autofree char *title = NULL;

  /* Translators: a device name */
  title = g_strdup_printf (_("Certificate for “%s” saved"), tessera_key_record_get_name (record));
  _tessera_window_show_toast (self, title);
  if (self->model != NULL)
    tessera_account_model_refresh (self->model);
}

void
_tessera_window_add_other_device_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *param)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  TesseraSession *session = self->model != NULL ? tessera_account_model_get_session (self->model) : NULL;
  TesseraOtherDeviceDialog *dialog;

  if (session == NULL)
    return;
  dialog = tessera_other_device_dialog_new (GTK_WINDOW (self), session);
  g_signal_connect_object (dialog, "enrolled", G_CALLBACK (enrolled_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}
