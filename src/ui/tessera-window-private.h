/* tessera-window-private.h: state shared by the window's files
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-cert-details.h"
#include "tessera-cert-list.h"
#include "tessera-window.h"

G_BEGIN_DECLS

struct _TesseraWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkMenuButton        *account_button;
  AdwWindowTitle       *account_title;
  GMenu                *accounts_section;
  GtkButton            *refresh_button;
  GtkSpinner           *busy_spinner;
  GtkStack             *main_stack;
  GtkSpinner           *loading_spinner;
  TesseraCertList      *cert_list;
  GtkRevealer          *details_revealer;
  TesseraCertDetails   *details;
  AdwStatusPage        *unsupported_page;
  AdwStatusPage        *offline_page;
  GtkButton            *retry_button;
  GtkActionBar         *action_bar;
  GtkButton            *generate_button;
  GtkButton            *upload_button;
  GtkButton            *revoke_button;
  GtkLabel             *pending_label;

  GSettings            *settings;
  AdwToast             *pending_toast;      /* "ready to upload", while shown */

  /* The current account; everything below is replaced on a switch */
  GCancellable         *cancellable;
  TesseraAccount       *account;
  TesseraKeyStore      *store;
  TesseraSession       *session;
  TesseraFeatures       features;
  gboolean              online;
  TesseraKeyRecord     *pending;
  GListModel           *incoming;
  char                 *select_fingerprint;
  guint                 busy;
  gboolean              refreshing;
  gboolean              refresh_queued;
  gboolean              uploading;
  gboolean              revoking;
};

/* One async operation of the window: it goes stale when the account
 * changes or the window closes, and then must not touch the window's state. */
typedef struct
{
  TesseraWindow *window;
  GCancellable  *cancellable;
  char          *label;       /* what it acts on, for messages */
} TesseraWindowOp;

TesseraWindowOp *_tessera_window_op_new      (TesseraWindow   *self);
void             _tessera_window_op_free     (TesseraWindowOp *op);
gboolean         _tessera_window_op_is_stale (TesseraWindowOp *op);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraWindowOp, _tessera_window_op_free)

void        _tessera_window_set_busy       (TesseraWindow *self,
                                            gboolean       busy);
void        _tessera_window_update_actions (TesseraWindow *self);
void        _tessera_window_update_details (TesseraWindow *self);
void        _tessera_window_show_page      (TesseraWindow *self,
                                            const char    *name);
void        _tessera_window_show_unsupported (TesseraWindow *self);
void        _tessera_window_show_offline   (TesseraWindow *self,
                                            const GError  *error,
                                            gboolean       unreachable);
void        _tessera_window_reload_accounts (TesseraWindow *self);
void        _tessera_window_show_toast     (TesseraWindow *self,
                                            const char    *title);
void        _tessera_window_show_error     (TesseraWindow *self,
                                            const char    *heading,
                                            const GError  *error);
const char *_tessera_window_upload_protocol (TesseraWindow *self);
void        _tessera_window_class_init_actions (GtkWidgetClass *widget_class);

G_END_DECLS
