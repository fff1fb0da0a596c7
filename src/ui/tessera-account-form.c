/* tessera-account-form.c: account settings with a connection check
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-account-check.h"
#include "tessera-account-form.h"
#include "tessera-format.h"
#include "tessera-tasks.h"

/* Used by the account dialog and by the enrollment wizard: the fields of an
 * account, a "Connect" check that logs in and asks the server which
 * certificate operations it supports, and saving once the check passed.
 * The check and its outcome live in a TesseraAccountCheck (the template's
 * "check"), which the status, error and results in the .ui are bound to. */

struct _TesseraAccountForm
{
  AdwBin           parent_instance;

  AdwEntryRow     *jid_row;
  AdwEntryRow     *password_row;
  AdwExpanderRow  *advanced_row;
  AdwEntryRow     *host_row;
  AdwEntryRow     *port_row;
  GtkSwitch       *direct_tls_switch;
  AdwActionRow    *ca_file_row;
  GtkWidget       *ca_file_clear_button;
  AdwEntryRow     *pin_row;
  GtkLabel        *error_label;
  AdwPreferencesGroup *results_group;
  AdwPreferencesGroup *trust_group;
  GtkLabel        *trust_fingerprint_label;
  GtkButton       *trust_button;
  AdwPreferencesGroup *pinned_group;
  GtkLabel        *pinned_fingerprint_label;

  TesseraAccountCheck *check;

  char            *ca_file;
  GCancellable    *cancellable;
  gboolean         loading;
};

G_DEFINE_FINAL_TYPE (TesseraAccountForm, tessera_account_form, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_CHECKED,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
show_error (TesseraAccountForm *self,
            const char         *message)
{
  tessera_account_check_set_error (self->check, message);
}

static void
clear_row_errors (TesseraAccountForm *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->jid_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->port_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->pin_row), "error");
}

static void
mark_row_error (TesseraAccountForm *self,
                AdwEntryRow        *row)
{
  gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  if (row == self->port_row || row == self->pin_row)
    adw_expander_row_set_expanded (self->advanced_row, TRUE);
}

static void
invalidate_check (TesseraAccountForm *self)
{
  tessera_account_check_invalidate (self->check);
}

static void
field_changed_cb (TesseraAccountForm *self)
{
  if (self->loading)
    return;

  clear_row_errors (self);
  show_error (self, NULL);
  invalidate_check (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* CA file */

static void
update_ca_file_row (TesseraAccountForm *self)
{
  g_autofree char *basename = NULL;

  if (self->ca_file == NULL)
    {
      adw_action_row_set_subtitle (self->ca_file_row, _("The system’s trusted authorities"));
      gtk_widget_set_visible (self->ca_file_clear_button, FALSE);
      return;
    }

  basename = g_path_get_basename (self->ca_file);
  adw_action_row_set_subtitle (self->ca_file_row, basename);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->ca_file_row), self->ca_file);
  gtk_widget_set_visible (self->ca_file_clear_button, TRUE);
}

static void
clear_ca_file_cb (TesseraAccountForm *self)
{
  tessera_account_form_set_ca_file (self, NULL);
}

static void
ca_file_chosen_cb (GtkNativeDialog    *dialog,
                   int                 response,
                   TesseraAccountForm *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      path = file != NULL ? g_file_get_path (file) : NULL;
      if (path != NULL)
        tessera_account_form_set_ca_file (self, path);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
choose_ca_file_cb (TesseraAccountForm *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose a CA Certificate"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Choose"),
                                         _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  gtk_file_filter_set_name (filter, _("Certificates (PEM)"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_pattern (filter, "*.cer");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  g_signal_connect (chooser, "response", G_CALLBACK (ca_file_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Building the account */

static gboolean
parse_port (TesseraAccountForm  *self,
            guint16             *port,
            GError             **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->port_row));
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  guint64 value = 0;

  *port = 0;
  if (trimmed[0] == '\0')
    return TRUE;

  if (!g_ascii_string_to_unsigned (trimmed, 10, 1, G_MAXUINT16, &value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid port “%s”: enter a number from 1 to 65535, or nothing for the default"),
                   trimmed);
      return FALSE;
    }

  *port = (guint16) value;
  return TRUE;
}

static char *
parse_pin (TesseraAccountForm  *self,
           gboolean            *ok,
           GError             **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  char *normalized;

  *ok = TRUE;
  if (trimmed[0] == '\0')
    return NULL;

  normalized = tessera_fingerprint_normalize (trimmed, error);
  *ok = normalized != NULL;
  return normalized;
}

/**
 * tessera_account_form_build_account:
 * @self: a #TesseraAccountForm
 * @error: return location for a #GError
 *
 * Validates the fields and marks the wrong one.
 *
 * Returns: (transfer full) (nullable): the account the fields describe
 */
TesseraAccount *
tessera_account_form_build_account (TesseraAccountForm  *self,
                                    GError             **error)
{
  g_autofree char *jid = NULL;
  g_autofree char *host = NULL;
  g_autofree char *pin = NULL;
  guint16 port = 0;
  gboolean pin_ok = TRUE;

  g_return_val_if_fail (TESSERA_IS_ACCOUNT_FORM (self), NULL);

  clear_row_errors (self);

  jid = tessera_jid_normalize_bare (gtk_editable_get_text (GTK_EDITABLE (self->jid_row)), error);
  if (jid == NULL)
    {
      mark_row_error (self, self->jid_row);
      return NULL;
    }

  if (!parse_port (self, &port, error))
    {
      mark_row_error (self, self->port_row);
      return NULL;
    }

  pin = parse_pin (self, &pin_ok, error);
  if (!pin_ok)
    {
      mark_row_error (self, self->pin_row);
      return NULL;
    }

  host = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->host_row))));
  return tessera_account_new (jid,
                              host[0] != '\0' ? host : NULL,
                              port,
                              gtk_switch_get_active (self->direct_tls_switch)
                                ? TESSERA_TLS_DIRECT : TESSERA_TLS_STARTTLS,
                              self->ca_file,
                              pin);
}

/* The connection check, shown by binding */

static char *
results_description (gpointer        this,
                     TesseraAccount *account,
                     guint           features)
{
  if (account == NULL)
    return NULL;
  if (features == TESSERA_FEATURE_NONE)
    return g_strdup_printf (_("Logged in to %s, but the server does not support managing certificates."),
                            tessera_account_get_domain (account));
  return g_strdup_printf (_("Logged in to %s. The server supports:"), tessera_account_get_domain (account));
}

static char *
result_icon (gpointer this,
             guint    features,
             guint    feature)
{
  return g_strdup ((features & feature) ? "emblem-ok-symbolic" : "action-unavailable-symbolic");
}

static GStrv
result_classes (gpointer this,
                guint    features,
                guint    feature)
{
  const char *classes[] = { (features & feature) ? "success" : "dim-label", NULL };

  return g_strdupv ((char **) classes);
}

static char *
result_tooltip (gpointer this,
                guint    features,
                guint    feature)
{
  return g_strdup ((features & feature) ? _("Supported") : _("Not supported"));
}

static gboolean
is_set (gpointer    this,
        const char *text)
{
  return text != NULL;
}

static char *
fingerprint_lines (gpointer    this,
                   const char *fingerprint)
{
  return fingerprint != NULL ? tessera_format_fingerprint_lines (fingerprint) : NULL;
}

/* The pin row's text, grouped, when it is a whole fingerprint. */
static char *
pin_lines (gpointer    this,
           const char *text)
{
  g_autofree char *normalized = NULL;

  if (text == NULL || text[0] == '\0')
    return NULL;
  normalized = tessera_fingerprint_normalize (text, NULL);
  return normalized != NULL ? tessera_format_fingerprint_lines (normalized) : NULL;
}

/* The user compared the fingerprint the check showed and trusts it: pin it
 * in the form's account and check again. Saving the account keeps it. */
static void
trust_certificate_cb (TesseraAccountForm *self)
{
  g_autofree char *fingerprint =
    g_strdup (tessera_account_check_get_untrusted_fingerprint (self->check));

  if (fingerprint == NULL || tessera_account_form_get_busy (self))
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), fingerprint);
  tessera_account_form_check_async (self, self->cancellable, NULL, NULL);
}

static void
busy_changed_cb (TesseraAccountForm *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
checked_changed_cb (TesseraAccountForm *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKED]);
}

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TesseraAccountForm *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!tessera_account_check_run_finish (TESSERA_ACCOUNT_CHECK (object), result, &error))
    {
      if (g_error_matches (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED))
        mark_row_error (self, self->password_row);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * tessera_account_form_check_async:
 * @self: a #TesseraAccountForm
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Connects with the settings (TLS, password login, service discovery) and
 * shows which certificate operations the server supports. Nothing is saved.
 */
void
tessera_account_form_check_async (TesseraAccountForm  *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(TesseraAccount) account = NULL;
  const char *password;
  GError *error = NULL;

  g_return_if_fail (TESSERA_IS_ACCOUNT_FORM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_account_form_check_async);

  invalidate_check (self);
  show_error (self, NULL);

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  account = tessera_account_form_build_account (self, &error);
  if (account == NULL)
    {
      show_error (self, error->message);
      g_task_return_error (task, error);
      return;
    }

  if (password[0] == '\0')
    {
      mark_row_error (self, self->password_row);
      show_error (self, _("Enter the account’s password: it is needed to manage certificates"));
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Enter the account’s password: it is needed to manage certificates"));
      return;
    }

  tessera_account_check_run_async (self->check, account, password, cancellable, checked_cb,
                                   g_steal_pointer (&task));
}

gboolean
tessera_account_form_check_finish (TesseraAccountForm  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_FORM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Loading an account */

static void
password_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TesseraAccountForm) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = tessera_task_lookup_password_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      show_error (self, error->message);
      return;
    }

  /* Only fill an untouched field. */
  if (password != NULL && gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0] == '\0')
    {
      self->loading = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
      self->loading = FALSE;
    }
}

/**
 * tessera_account_form_set_account:
 * @self: a #TesseraAccountForm
 * @account: (nullable): settings to fill in; its password is looked up
 */
void
tessera_account_form_set_account (TesseraAccountForm *self,
                                  TesseraAccount     *account)
{
  g_autofree char *port = NULL;

  g_return_if_fail (TESSERA_IS_ACCOUNT_FORM (self));

  invalidate_check (self);
  if (account == NULL)
    return;

  port = tessera_account_get_port (account) != 0
           ? g_strdup_printf ("%u", tessera_account_get_port (account)) : g_strdup ("");

  self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->jid_row), tessera_account_get_jid (account));
  gtk_editable_set_text (GTK_EDITABLE (self->host_row),
                         tessera_account_get_host (account) != NULL ? tessera_account_get_host (account) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
  gtk_switch_set_active (self->direct_tls_switch, tessera_account_get_tls_mode (account) == TESSERA_TLS_DIRECT);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_row),
                         tessera_account_get_pinned_fingerprint (account) != NULL
                           ? tessera_account_get_pinned_fingerprint (account) : "");
  g_free (self->ca_file);
  self->ca_file = g_strdup (tessera_account_get_ca_file (account));
  update_ca_file_row (self);
  self->loading = FALSE;

  if (tessera_account_get_host (account) != NULL || tessera_account_get_port (account) != 0 ||
      tessera_account_get_ca_file (account) != NULL || tessera_account_get_pinned_fingerprint (account) != NULL ||
      tessera_account_get_tls_mode (account) == TESSERA_TLS_DIRECT)
    adw_expander_row_set_expanded (self->advanced_row, TRUE);

  tessera_task_lookup_password_async (tessera_account_get_jid (account), self->cancellable,
                                      password_loaded_cb, g_object_ref (self));
}

/**
 * tessera_account_form_set_ca_file:
 * @self: a #TesseraAccountForm
 * @path: (nullable): a PEM file of the authority that signed the server's
 *   certificate, %NULL for the system's authorities
 */
void
tessera_account_form_set_ca_file (TesseraAccountForm *self,
                                  const char         *path)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_FORM (self));

  if (g_strcmp0 (self->ca_file, path) == 0)
    return;

  g_free (self->ca_file);
  self->ca_file = g_strdup (path);
  update_ca_file_row (self);
  if (path != NULL)
    adw_expander_row_set_expanded (self->advanced_row, TRUE);
  field_changed_cb (self);
}

/* Accessors */

gboolean
tessera_account_form_get_busy (TesseraAccountForm *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_FORM (self), FALSE);

  return tessera_account_check_get_busy (self->check);
}

gboolean
tessera_account_form_get_checked (TesseraAccountForm *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_FORM (self), FALSE);

  return tessera_account_check_get_account (self->check) != NULL;
}

/**
 * tessera_account_form_get_checked_account:
 * @self: a #TesseraAccountForm
 *
 * Returns: (transfer none) (nullable): the account that passed the check
 */
TesseraAccount *
tessera_account_form_get_checked_account (TesseraAccountForm *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_FORM (self), NULL);

  return tessera_account_check_get_account (self->check);
}

TesseraFeatures
tessera_account_form_get_features (TesseraAccountForm *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_FORM (self), TESSERA_FEATURE_NONE);

  return tessera_account_check_get_features (self->check);
}

/**
 * tessera_account_form_get_session:
 * @self: a #TesseraAccountForm
 *
 * Returns: (transfer none) (nullable): the logged-in session of the check,
 *   which later operations may reuse
 */
TesseraSession *
tessera_account_form_get_session (TesseraAccountForm *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_FORM (self), NULL);

  return tessera_account_check_get_session (self->check);
}

/**
 * tessera_account_form_get_check:
 *
 * Returns: (transfer none): what checks and saves the account the form
 *   describes: save it with tessera_account_check_save_async() and the
 *   form's password once checked
 */
TesseraAccountCheck *
tessera_account_form_get_check (TesseraAccountForm *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_FORM (self), NULL);

  return self->check;
}

const char *
tessera_account_form_get_password (TesseraAccountForm *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_FORM (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->password_row));
}

/**
 * tessera_account_form_show_error:
 * @self: a #TesseraAccountForm
 * @message: (nullable): what went wrong, %NULL to hide the message
 */
void
tessera_account_form_show_error (TesseraAccountForm *self,
                                 const char         *message)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_FORM (self));

  show_error (self, message);
}

/* GObject */

static void
tessera_account_form_dispose (GObject *object)
{
  TesseraAccountForm *self = (TesseraAccountForm *) object;

  g_cancellable_cancel (self->cancellable);
  if (self->check != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->check, self);
      tessera_account_check_close (self->check);
    }
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->ca_file, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_ACCOUNT_FORM);

  G_OBJECT_CLASS (tessera_account_form_parent_class)->dispose (object);
}

static void
tessera_account_form_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TesseraAccountForm *self = TESSERA_ACCOUNT_FORM (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, tessera_account_form_get_busy (self));
      break;

    case PROP_CHECKED:
      g_value_set_boolean (value, tessera_account_form_get_checked (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_account_form_class_init (TesseraAccountFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_account_form_dispose;
  object_class->get_property = tessera_account_form_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_CHECKED] =
    g_param_spec_boolean ("checked", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Any field was edited: a previous check no longer holds. */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (TESSERA_TYPE_ACCOUNT_CHECK);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera_xmpp/Tessera/tessera-account-form.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, jid_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, password_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, host_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, port_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, direct_tls_switch);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, ca_file_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, ca_file_clear_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, pin_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, error_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, results_group);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, trust_group);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, trust_fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, trust_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, pinned_group);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, pinned_fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountForm, check);
  gtk_widget_class_bind_template_callback (widget_class, results_description);
  gtk_widget_class_bind_template_callback (widget_class, result_icon);
  gtk_widget_class_bind_template_callback (widget_class, result_classes);
  gtk_widget_class_bind_template_callback (widget_class, result_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, is_set);
  gtk_widget_class_bind_template_callback (widget_class, fingerprint_lines);
  gtk_widget_class_bind_template_callback (widget_class, pin_lines);
  gtk_widget_class_bind_template_callback (widget_class, trust_certificate_cb);
  gtk_widget_class_bind_template_callback (widget_class, busy_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, checked_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_ca_file_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_ca_file_cb);
}

static void
tessera_account_form_init (TesseraAccountForm *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tessera_account_form_new (void)
{
  return g_object_new (TESSERA_TYPE_ACCOUNT_FORM, NULL);
}
