/* tessera-window.c: the main window: one account's certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-window-private.h"

/* The window shows the current account's certificates (refreshing them is
 * in tessera-window-refresh.c, the actions in tessera-window-actions.c).
 * Switching accounts or closing the window cancels whatever is running. */

G_DEFINE_FINAL_TYPE (TesseraWindow, tessera_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_ACCOUNT_JID,
  PROP_BUSY,
  PROP_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Small helpers used by both window files */

/**
 * _tessera_window_op_new:
 * @self: a #TesseraWindow
 *
 * Starts an operation: counts as busy until freed.
 *
 * Returns: (transfer full): the operation, to pass as user data
 */
TesseraWindowOp *
_tessera_window_op_new (TesseraWindow *self)
{
  TesseraWindowOp *op = g_new0 (TesseraWindowOp, 1);

  op->window = g_object_ref (self);
  op->cancellable = g_object_ref (self->cancellable);
  _tessera_window_set_busy (self, TRUE);
  return op;
}

void
_tessera_window_op_free (TesseraWindowOp *op)
{
  if (op == NULL)
    return;

  _tessera_window_set_busy (op->window, FALSE);
  g_free (op->label);
  g_object_unref (op->cancellable);
  g_object_unref (op->window);
  g_free (op);
}

gboolean
_tessera_window_op_is_stale (TesseraWindowOp *op)
{
  return op->cancellable != op->window->cancellable || g_cancellable_is_cancelled (op->cancellable);
}

void
_tessera_window_set_busy (TesseraWindow *self,
                          gboolean       busy)
{
  gboolean was_busy = self->busy > 0;

  if (busy)
    self->busy++;
  else if (self->busy > 0)
    self->busy--;

  /* Operations may end after the window was disposed. */
  if (was_busy != (self->busy > 0) && self->busy_spinner != NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->busy_spinner), self->busy > 0);
      gtk_spinner_set_spinning (self->busy_spinner, self->busy > 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
}

void
_tessera_window_show_toast (TesseraWindow *self,
                            const char    *title)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * _tessera_window_show_error:
 * @self: a #TesseraWindow
 * @heading: what failed, e.g. "Revoking Failed"
 * @error: why
 *
 * Shows a message dialog with the error message, which the core words as
 * "what failed: why".
 */
void
_tessera_window_show_error (TesseraWindow *self,
                            const char    *heading,
                            const GError  *error)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

const char *
_tessera_window_upload_protocol (TesseraWindow *self)
{
  return (self->features & TESSERA_FEATURE_ADD) ? "ccm2" : "xep0257";
}

void
_tessera_window_show_page (TesseraWindow *self,
                           const char    *name)
{
  /* The buttons belong to the list; a server that can add but not list
   * certificates keeps them too. */
  gboolean with_list = g_str_equal (name, "list") || g_str_equal (name, "empty") ||
                       (g_str_equal (name, "unsupported") && (self->features & TESSERA_FEATURE_ADD));

  gtk_stack_set_visible_child_name (self->main_stack, name);
  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (name, "loading"));
  gtk_action_bar_set_revealed (self->action_bar, with_list);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

void
_tessera_window_show_unsupported (TesseraWindow *self)
{
  g_autofree char *description = NULL;
  const char *domain = tessera_account_get_domain (self->account);

  if (self->features & TESSERA_FEATURE_ADD)
    {
      adw_status_page_set_title (self->unsupported_page, _("Certificates Cannot Be Listed"));
      description = g_strdup_printf (_("The server %s lets clients add certificates but not list them, so "
                                       "they cannot be shown here. You can still add this device’s certificate."),
                                     domain);
    }
  else
    {
      adw_status_page_set_title (self->unsupported_page, _("Certificates Not Supported"));
      description = g_strdup_printf (_("The server %s offers no way to manage client certificates: neither "
                                       "Client Certificate Management nor XEP-0257."),
                                     domain);
    }
  adw_status_page_set_description (self->unsupported_page, description);
  tessera_cert_list_set_model (self->cert_list, NULL);
  _tessera_window_show_page (self, "unsupported");
}

/**
 * _tessera_window_show_offline:
 * @self: a #TesseraWindow
 * @error: why the list could not be loaded
 * @unreachable: whether the server could not be reached at all
 *
 * Shows the error page with a Retry button.
 */
void
_tessera_window_show_offline (TesseraWindow *self,
                              const GError  *error,
                              gboolean       unreachable)
{
  if (unreachable)
    {
      adw_status_page_set_icon_name (self->offline_page, "network-offline-symbolic");
      adw_status_page_set_title (self->offline_page, _("Server Unreachable"));
    }
  else
    {
      adw_status_page_set_icon_name (self->offline_page, "dialog-error-symbolic");
      adw_status_page_set_title (self->offline_page, _("Could Not Load Certificates"));
    }
  adw_status_page_set_description (self->offline_page, error->message);
  _tessera_window_show_page (self, "offline");
}

/* Actions' sensitivity and the tooltips that say why */

typedef enum {
  MISSING_ADD,
  MISSING_REVOKE,
} MissingFeature;

static char *
why_not (TesseraWindow  *self,
         MissingFeature  missing)
{
  const char *domain;

  if (self->account == NULL)
    return g_strdup (_("Add an account first"));
  if (!self->online)
    return g_strdup (_("Not connected to the server"));

  domain = tessera_account_get_domain (self->account);
  if (missing == MISSING_ADD)
    return g_strdup_printf (_("The server %s does not support adding certificates"), domain);
  return g_strdup_printf (_("The server %s does not support revoking certificates"), domain);
}

static void
update_generate (TesseraWindow *self,
                 gboolean       can_add)
{
  g_autofree char *tooltip = NULL;

  if (can_add)
    tooltip = g_strdup (_("Make a new key pair on this device (Ctrl+N)"));
  else
    tooltip = why_not (self, MISSING_ADD);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.generate", can_add);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->generate_button), tooltip);
}

static void
update_upload (TesseraWindow *self,
               gboolean       can_add)
{
  g_autofree char *tooltip = NULL;
  g_autofree char *pending_text = NULL;
  gboolean enabled = can_add && self->pending != NULL && !self->uploading;

  if (!can_add)
    tooltip = why_not (self, MISSING_ADD);
  else if (self->pending == NULL)
    tooltip = g_strdup (_("Generate a key pair first"));
  else
    tooltip = g_strdup_printf (_("Send “%s” to the server and store its certificate"),
                               tessera_key_record_get_name (self->pending));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.upload", enabled);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->upload_button), tooltip);

  if (self->pending != NULL)
    pending_text = g_strdup_printf (_("Key pair “%s” is waiting to be uploaded"),
                                    tessera_key_record_get_name (self->pending));
  gtk_label_set_label (self->pending_label, pending_text);
  gtk_widget_set_visible (GTK_WIDGET (self->pending_label), pending_text != NULL);
}

static void
update_revoke (TesseraWindow *self)
{
  TesseraCertEntry *selected = tessera_cert_list_get_selected (self->cert_list);
  gboolean supported = self->online && (self->features & (TESSERA_FEATURE_REVOKE | TESSERA_FEATURE_XEP0257));
  g_autofree char *tooltip = NULL;

  if (!supported)
    tooltip = why_not (self, MISSING_REVOKE);
  else if (selected == NULL)
    tooltip = g_strdup (_("Select a certificate to revoke"));
  else if (self->revoking)
    tooltip = g_strdup (_("Revoking…"));
  else
    tooltip = g_strdup (_("Revoke the selected certificate (Delete)"));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.revoke",
                                 supported && selected != NULL && !self->revoking);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->revoke_button), tooltip);
}

void
_tessera_window_update_actions (TesseraWindow *self)
{
  gboolean can_add = self->online && (self->features & (TESSERA_FEATURE_ADD | TESSERA_FEATURE_XEP0257));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh", self->account != NULL && !self->refreshing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.edit-account", self->account != NULL);
  update_generate (self, can_add);
  update_upload (self, can_add);
  update_revoke (self);
}

/* Selection and details */

void
_tessera_window_update_details (TesseraWindow *self)
{
  TesseraCertEntry *selected = tessera_cert_list_get_selected (self->cert_list);

  if (selected != NULL)
    tessera_cert_details_set_entry (self->details, selected,
                                    tessera_cert_list_is_device (self->cert_list, selected));
  gtk_revealer_set_reveal_child (self->details_revealer, selected != NULL);
  _tessera_window_update_actions (self);
}

/* Accounts */

static void
forget_account_state (TesseraWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (self->session != NULL)
    tessera_session_close (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->pending);
  g_clear_object (&self->incoming);
  g_clear_pointer (&self->select_fingerprint, g_free);
  self->features = TESSERA_FEATURE_NONE;
  self->online = FALSE;
  self->refreshing = FALSE;
  self->refresh_queued = FALSE;
  self->uploading = FALSE;
  self->revoking = FALSE;
  tessera_cert_list_set_model (self->cert_list, NULL);
  gtk_revealer_set_reveal_child (self->details_revealer, FALSE);
}

/**
 * tessera_window_set_account:
 * @self: a #TesseraWindow
 * @account: (nullable): the account to show
 *
 * Switches to @account, cancelling what runs for the previous one.
 */
void
tessera_window_set_account (TesseraWindow  *self,
                            TesseraAccount *account)
{
  const char *jid;

  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (account == NULL || TESSERA_IS_ACCOUNT (account));

  forget_account_state (self);
  g_set_object (&self->account, account);

  jid = account != NULL ? tessera_account_get_jid (account) : NULL;
  adw_window_title_set_subtitle (self->account_title, jid);
  if (account != NULL)
    {
      self->store = tessera_key_store_new (jid, NULL);
      if (self->settings != NULL)
        g_settings_set_string (self->settings, "last-account", jid);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT_JID]);
  _tessera_window_update_actions (self);
  tessera_window_refresh (self);
}

static void
switch_to_jid (TesseraWindow *self,
               const char    *jid)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  if (self->account != NULL && g_strcmp0 (jid, tessera_account_get_jid (self->account)) == 0)
    return;

  account = tessera_account_store_lookup (jid, &error);
  if (account == NULL)
    {
      _tessera_window_show_error (self, _("Switching Accounts Failed"), error);
      return;
    }
  tessera_window_set_account (self, account);
}

/**
 * _tessera_window_reload_accounts:
 * @self: a #TesseraWindow
 *
 * Rebuilds the account switcher from the account store.
 */
void
_tessera_window_reload_accounts (TesseraWindow *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  g_menu_remove_all (self->accounts_section);

  accounts = tessera_account_store_load (&error);
  if (accounts == NULL)
    {
      g_warning ("Could not load the accounts: %s", error->message);
      return;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      const char *jid = tessera_account_get_jid (accounts->pdata[i]);
      g_autoptr(GMenuItem) item = g_menu_item_new (jid, NULL);

      g_menu_item_set_action_and_target (item, "win.account", "s", jid);
      g_menu_append_item (self->accounts_section, item);
    }
}

static TesseraAccount *
pick_initial_account (TesseraWindow *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;

  accounts = tessera_account_store_load (&error);
  if (accounts == NULL)
    {
      g_warning ("Could not load the accounts: %s", error->message);
      return NULL;
    }
  if (accounts->len == 0)
    return NULL;

  last = self->settings != NULL ? g_settings_get_string (self->settings, "last-account") : NULL;
  for (guint i = 0; last != NULL && i < accounts->len; i++)
    if (g_strcmp0 (tessera_account_get_jid (accounts->pdata[i]), last) == 0)
      return g_object_ref (accounts->pdata[i]);

  return g_object_ref (accounts->pdata[0]);
}

/* Settings */

static GSettings *
lookup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Running from the build tree without the compiled schema is fine: the
   * window then simply does not remember its size. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s not found, settings are not saved", APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static void
restore_window_state (TesseraWindow *self)
{
  int width;
  int height;

  if (self->settings == NULL)
    return;

  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (TesseraWindow *self)
{
  int width;
  int height;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
}

/* GObject */

static void
selection_changed_cb (TesseraWindow *self)
{
  _tessera_window_update_details (self);
}

static gboolean
tessera_window_close_request (GtkWindow *window)
{
  TesseraWindow *self = TESSERA_WINDOW (window);

  save_window_state (self);
  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (tessera_window_parent_class)->close_request (window);
}

static void
tessera_window_constructed (GObject *object)
{
  TesseraWindow *self = TESSERA_WINDOW (object);
  g_autoptr(TesseraAccount) account = NULL;

  G_OBJECT_CLASS (tessera_window_parent_class)->constructed (object);

  restore_window_state (self);
  _tessera_window_reload_accounts (self);

  account = pick_initial_account (self);
  tessera_window_set_account (self, account);
}

static void
tessera_window_dispose (GObject *object)
{
  TesseraWindow *self = (TesseraWindow *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    tessera_session_close (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->account);
  g_clear_object (&self->store);
  g_clear_object (&self->pending);
  g_clear_object (&self->incoming);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->select_fingerprint, g_free);
  if (self->pending_toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->pending_toast), (gpointer *) &self->pending_toast);
  self->pending_toast = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_WINDOW);

  G_OBJECT_CLASS (tessera_window_parent_class)->dispose (object);
}

static void
tessera_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_JID:
      g_value_set_string (value, self->account != NULL ? tessera_account_get_jid (self->account) : "");
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, tessera_window_get_busy (self));
      break;

    case PROP_PAGE:
      g_value_set_string (value, tessera_window_get_page (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_JID:
      switch_to_jid (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_window_class_init (TesseraWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = tessera_window_constructed;
  object_class->dispose = tessera_window_dispose;
  object_class->get_property = tessera_window_get_property;
  object_class->set_property = tessera_window_set_property;
  window_class->close_request = tessera_window_close_request;

  /* The account switcher's radio items act on this property. */
  properties[PROP_ACCOUNT_JID] =
    g_param_spec_string ("account-jid", NULL, NULL, "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TESSERA_TYPE_CERT_LIST);
  g_type_ensure (TESSERA_TYPE_CERT_DETAILS);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera_xmpp/Tessera/tessera-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, account_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, account_title);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, accounts_section);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, cert_list);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, details_revealer);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, details);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, unsupported_page);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, offline_page);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, action_bar);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, generate_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, upload_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, revoke_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, pending_label);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);

  gtk_widget_class_install_property_action (widget_class, "win.account", "account-jid");
  _tessera_window_class_init_actions (widget_class);
}

static void
tessera_window_init (TesseraWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->settings = lookup_settings ();

  gtk_widget_init_template (GTK_WIDGET (self));

#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/**
 * tessera_window_new:
 * @application: the #GtkApplication
 *
 * Returns: (transfer full): a new window showing the last used account
 */
TesseraWindow *
tessera_window_new (GtkApplication *application)
{
  return g_object_new (TESSERA_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/**
 * tessera_window_get_account:
 * @self: a #TesseraWindow
 *
 * Returns: (transfer none) (nullable): the account shown
 */
TesseraAccount *
tessera_window_get_account (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return self->account;
}

TesseraFeatures
tessera_window_get_features (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), TESSERA_FEATURE_NONE);

  return self->features;
}

/**
 * tessera_window_get_page:
 * @self: a #TesseraWindow
 *
 * Returns: what the window shows: "no-account", "loading", "list", "empty",
 *   "unsupported" or "offline"
 */
const char *
tessera_window_get_page (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->main_stack);
}

gboolean
tessera_window_get_busy (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), FALSE);

  return self->busy > 0;
}
