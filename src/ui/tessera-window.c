/* tessera-window.c: the main window: one account's certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-window-private.h"

/* The window shows the current account's certificates. What it shows lives
 * in a TesseraAccountModel (the "model" property), which tessera-window.ui
 * binds to; a new one replaces it on every account switch. The actions are
 * in tessera-window-actions.c. Switching accounts or closing the window
 * cancels whatever is running. */

G_DEFINE_FINAL_TYPE (TesseraWindow, tessera_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_ACCOUNT_JID,
  PROP_MODEL,
  PROP_BUSY,
  PROP_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Small helpers used by both window files */

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

/* Closures of the .ui file's bindings: what the pages say */

static gboolean
is_set (gpointer  this,
        GObject  *object)
{
  return object != NULL;
}

static gboolean
is_page (gpointer    this,
         const char *page,
         const char *name)
{
  return g_strcmp0 (page, name) == 0;
}

static char *
account_jid (gpointer        this,
             TesseraAccount *account)
{
  return account != NULL ? g_strdup (tessera_account_get_jid (account)) : NULL;
}

/* The buttons belong to the list; a server that can add but not list
 * certificates keeps them too. */
static gboolean
actions_revealed (gpointer    this,
                  const char *page,
                  guint       features)
{
  return g_strcmp0 (page, "list") == 0 || g_strcmp0 (page, "empty") == 0 ||
         (g_strcmp0 (page, "unsupported") == 0 && (features & TESSERA_FEATURE_ADD));
}

static char *
unsupported_title (gpointer this,
                   guint    features)
{
  if (features & TESSERA_FEATURE_ADD)
    return g_strdup (_("Certificates Cannot Be Listed"));
  return g_strdup (_("Certificates Not Supported"));
}

static char *
unsupported_description (gpointer        this,
                         TesseraAccount *account,
                         guint           features)
{
  const char *domain;

  if (account == NULL)
    return NULL;

  domain = tessera_account_get_domain (account);
  if (features & TESSERA_FEATURE_ADD)
    return g_strdup_printf (_("The server %s lets clients add certificates but not list them, so "
                              "they cannot be shown here. You can still add this device’s certificate."),
                            domain);
  return g_strdup_printf (_("The server %s offers no way to manage client certificates: neither "
                            "Client Certificate Management nor XEP-0257."),
                          domain);
}

static char *
offline_icon (gpointer               this,
              TesseraConnectionState connection)
{
  if (connection == TESSERA_CONNECTION_FAILED)
    return g_strdup ("dialog-error-symbolic");
  return g_strdup ("network-offline-symbolic");
}

static char *
offline_title (gpointer               this,
               TesseraConnectionState connection)
{
  if (connection == TESSERA_CONNECTION_FAILED)
    return g_strdup (_("Could Not Load Certificates"));
  return g_strdup (_("Server Unreachable"));
}

/* Evaluated only while a row is selected: on deselection the details pane
 * slides away showing the last one, badge and all. */
static gboolean
is_listed_device (gpointer            this,
                  const char         *fingerprint,
                  const char * const *device_fingerprints)
{
  return device_fingerprints != NULL && g_strv_contains (device_fingerprints, fingerprint);
}

static char *
pending_text (gpointer          this,
              TesseraKeyRecord *pending)
{
  if (pending == NULL)
    return NULL;
  return g_strdup_printf (_("Key pair “%s” is waiting to be uploaded"), tessera_key_record_get_name (pending));
}

/* Following the model */

/* Only a certificate whose key is on this device can be exported. */
static gboolean
selected_key_is_here (TesseraWindow *self)
{
  TesseraCertEntry *entry = tessera_cert_list_get_selected (self->cert_list);
  const char * const *here;

  if (self->model == NULL)
    return FALSE;
  here = tessera_account_model_get_key_fingerprints (self->model);
  return entry != NULL && here != NULL && g_strv_contains (here, tessera_cert_entry_get_fingerprint (entry));
}

/* Something to offer "Revoke Stale Certificates…" for, while no revocation
 * runs. The list is looked through once when it is shown (show_entries()),
 * not on every selection change. */
static gboolean
has_stale_entries (TesseraWindow *self)
{
  return self->model != NULL && !tessera_account_model_get_busy (self->model) && self->any_stale;
}

/* Actions cannot be bound from a .ui file: their state follows the model here. */
static void
sync_actions (TesseraWindow *self)
{
  TesseraAccountModel *model = self->model;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh", tessera_account_model_get_can_refresh (model));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.edit-account",
                                 tessera_account_model_get_account (model) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.generate", tessera_account_model_get_can_add (model));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.upload", tessera_account_model_get_can_upload (model));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.revoke", tessera_account_model_get_can_revoke (model));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-certificate", selected_key_is_here (self));
  tessera_cert_details_set_key_here (self->details, selected_key_is_here (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.revoke-stale", has_stale_entries (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-other-device", tessera_account_model_get_can_add (model));
  _tessera_window_sync_renew (self);
}

/* A new list keeps the selected certificate selected, or selects the one
 * the model asks for (e.g. just uploaded): a binding cannot say that. */
static void
show_entries (TesseraWindow *self)
{
  GListModel *entries = tessera_account_model_get_entries (self->model);
  TesseraCertEntry *previous = tessera_cert_list_get_selected (self->cert_list);
  g_autoptr(GPtrArray) stale = NULL;
  g_autofree char *select = NULL;

  if (entries != NULL)
    select = tessera_account_model_steal_select_hint (self->model);
  if (entries != NULL && select == NULL && previous != NULL)
    select = g_strdup (tessera_cert_entry_get_fingerprint (previous));

  tessera_cert_list_set_device_fingerprints (self->cert_list,
                                             tessera_account_model_get_device_fingerprints (self->model));
  tessera_cert_list_set_key_fingerprints (self->cert_list, tessera_account_model_get_key_fingerprints (self->model));
  tessera_cert_list_set_model (self->cert_list, entries);
  if (select != NULL)
    tessera_cert_list_select_fingerprint (self->cert_list, select);

  stale = _tessera_window_dup_stale_entries (self);
  self->any_stale = stale->len > 0;
}

static void
model_notify_cb (TesseraWindow *self,
                 GParamSpec    *pspec)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "entries"))
    show_entries (self);
  else if (g_str_equal (name, "busy"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  else if (g_str_equal (name, "page"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
  else
    _tessera_window_follow_secrets (self, name);
  sync_actions (self);
}

/* Selection (the details pane follows it by binding) */

static void
selection_changed_cb (TesseraWindow *self)
{
  tessera_account_model_set_n_selected (self->model, tessera_cert_list_get_n_selected (self->cert_list));
  tessera_account_model_set_selected (self->model, tessera_cert_list_get_selected (self->cert_list));
  sync_actions (self);
}

/* Accounts */

/* What still runs for the previous account is cancelled, and its results
 * land in a model nobody shows. */
static void
drop_model (TesseraWindow *self)
{
  if (self->model != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->model, self);
      _tessera_window_drop_secrets_ui (self);
      tessera_account_model_close (self->model);
      g_clear_object (&self->model);
    }
  self->any_stale = FALSE;
}

static void
replace_model (TesseraWindow  *self,
               TesseraAccount *account)
{
  drop_model (self);

  self->model = tessera_account_model_new (account);
  g_signal_connect_object (self->model, "notify", G_CALLBACK (model_notify_cb), self, G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
  show_entries (self);
  sync_actions (self);
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
  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (account == NULL || TESSERA_IS_ACCOUNT (account));

  replace_model (self, account);
  if (account != NULL && self->settings != NULL)
    g_settings_set_string (self->settings, "last-account", tessera_account_get_jid (account));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT_JID]);
  tessera_window_refresh (self);
}

static void
switch_to_jid (TesseraWindow *self,
               const char    *jid)
{
  TesseraAccount *current = tessera_window_get_account (self);
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  if (current != NULL && g_strcmp0 (jid, tessera_account_get_jid (current)) == 0)
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

static gboolean
tessera_window_close_request (GtkWindow *window)
{
  TesseraWindow *self = TESSERA_WINDOW (window);

  save_window_state (self);
  tessera_account_model_close (self->model);

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

  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_WINDOW);
  drop_model (self);
  g_clear_object (&self->settings);
  if (self->pending_toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->pending_toast), (gpointer *) &self->pending_toast);
  self->pending_toast = NULL;

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
      g_value_set_string (value, tessera_window_get_account (self) != NULL
                                   ? tessera_account_get_jid (tessera_window_get_account (self)) : "");
      break;

    case PROP_MODEL:
      g_value_set_object (value, self->model);
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
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, TESSERA_TYPE_ACCOUNT_MODEL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TESSERA_TYPE_ACCOUNT_MODEL);
  g_type_ensure (TESSERA_TYPE_CONNECTION_STATE);
  g_type_ensure (TESSERA_TYPE_CERT_LIST);
  g_type_ensure (TESSERA_TYPE_CERT_DETAILS);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera_xmpp/Tessera/tessera-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, accounts_section);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, cert_list);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, details);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, account_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, account_title);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, details_revealer);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, unsupported_page);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, offline_page);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, action_bar);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, generate_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, upload_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, revoke_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, pending_label);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, is_set);
  gtk_widget_class_bind_template_callback (widget_class, is_page);
  gtk_widget_class_bind_template_callback (widget_class, account_jid);
  gtk_widget_class_bind_template_callback (widget_class, actions_revealed);
  gtk_widget_class_bind_template_callback (widget_class, unsupported_title);
  gtk_widget_class_bind_template_callback (widget_class, unsupported_description);
  gtk_widget_class_bind_template_callback (widget_class, offline_icon);
  gtk_widget_class_bind_template_callback (widget_class, offline_title);
  gtk_widget_class_bind_template_callback (widget_class, pending_text);
  gtk_widget_class_bind_template_callback (widget_class, is_listed_device);

  gtk_widget_class_install_property_action (widget_class, "win.account", "account-jid");
  _tessera_window_class_init_actions (widget_class);
  _tessera_window_class_init_secrets (widget_class);
  gtk_widget_class_install_action (widget_class, "win.add-other-device", NULL,
                                   _tessera_window_add_other_device_action);
  _tessera_window_class_init_renew (widget_class);
}

static void
tessera_window_init (TesseraWindow *self)
{
  self->settings = lookup_settings ();
  /* The template's bindings look the model up from the start. */
  self->model = tessera_account_model_new (NULL);

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

  return tessera_account_model_get_account (self->model);
}

TesseraFeatures
tessera_window_get_features (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), TESSERA_FEATURE_NONE);

  return tessera_account_model_get_features (self->model);
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

  return tessera_account_model_get_busy (self->model);
}

/**
 * tessera_window_get_model:
 * @self: a #TesseraWindow
 *
 * Returns: (transfer none): the state of the account shown
 */
TesseraAccountModel *
tessera_window_get_model (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return self->model;
}

/**
 * tessera_window_refresh:
 * @self: a #TesseraWindow
 *
 * Reloads the certificate list of the current account from the server.
 */
void
tessera_window_refresh (TesseraWindow *self)
{
  g_return_if_fail (TESSERA_IS_WINDOW (self));

  tessera_account_model_refresh (self->model);
}
