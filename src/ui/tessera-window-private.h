/* tessera-window-private.h: state shared by the window's files
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-account-model.h"
#include "tessera-cert-details.h"
#include "tessera-cert-list.h"
#include "tessera-window.h"

G_BEGIN_DECLS

struct _TesseraWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets: the code acts on the first five; the others follow
   * the model by binding and are bound here so tests can find them. */
  AdwToastOverlay      *toast_overlay;
  GMenu                *accounts_section;
  GtkStack             *main_stack;
  TesseraCertList      *cert_list;
  TesseraCertDetails   *details;
  GtkMenuButton        *account_button;
  AdwWindowTitle       *account_title;
  GtkButton            *refresh_button;
  GtkSpinner           *busy_spinner;
  GtkSpinner           *loading_spinner;
  GtkRevealer          *details_revealer;
  AdwStatusPage        *unsupported_page;
  AdwStatusPage        *offline_page;
  GtkButton            *retry_button;
  GtkActionBar         *action_bar;
  GtkButton            *generate_button;
  GtkButton            *upload_button;
  GtkButton            *revoke_button;
  GtkButton            *export_button;
  GtkLabel             *pending_label;
  GtkRevealer          *renew_banner;       /* tessera-window-renew.c */
  GtkLabel             *renew_banner_label;
  GtkButton            *renew_banner_button;

  GSettings            *settings;
  AdwToast             *pending_toast;      /* "ready to upload", while shown */
  AdwToast             *remember_toast;     /* "Remember in Keyring", while shown */
  AdwMessageDialog     *password_dialog;    /* asking for the password, while shown */
  gboolean              password_sent;      /* a typed password went to the server */

  /* The current account's state, replaced on a switch; the .ui binds to it */
  TesseraAccountModel  *model;
  gboolean              any_stale;          /* the shown list has a stale certificate, not this device's */
  gboolean              renewing;           /* a renewal runs */
};

void        _tessera_window_reload_accounts (TesseraWindow *self);
void        _tessera_window_show_toast     (TesseraWindow *self,
                                            const char    *title);
void        _tessera_window_show_error     (TesseraWindow *self,
                                            const char    *heading,
                                            const GError  *error);
void        _tessera_window_class_init_actions (GtkWidgetClass *widget_class);
void        _tessera_window_class_init_secrets (GtkWidgetClass *widget_class);
void        _tessera_window_follow_secrets  (TesseraWindow *self,
                                            const char    *name);
void        _tessera_window_drop_secrets_ui (TesseraWindow *self);
void        _tessera_window_ask_password_to_renew (TesseraWindow *self,
                                                  const GError  *error);

/* tessera-window-stale.c: revoking several, and what single revocations share */
GPtrArray  *_tessera_window_dup_stale_entries   (TesseraWindow *self);
void        _tessera_window_revoke_stale_action (GtkWidget     *widget,
                                                 const char    *action_name,
                                                 GVariant      *param);
void        _tessera_window_revoke_selected     (TesseraWindow *self);
char       *_tessera_window_entry_label         (TesseraCertEntry *entry);
char       *_tessera_window_describe_risks      (TesseraWindow    *self,
                                                 GPtrArray        *entries,
                                                 char            **name_to_type);
void        _tessera_window_require_typed_name  (AdwMessageDialog *dialog,
                                                 const char       *name);

/* tessera-window-other-device.c */
void        _tessera_window_add_other_device_action (GtkWidget  *widget,
                                                     const char *action_name,
                                                     GVariant   *param);
/* tessera-window-renew.c */
void        _tessera_window_class_init_renew (GtkWidgetClass *widget_class);
void        _tessera_window_sync_renew       (TesseraWindow  *self);
void        _tessera_window_start_renewal    (TesseraWindow  *self);

G_END_DECLS
