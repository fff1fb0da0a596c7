/* tessera-cert-details.c: everything about one listed certificate
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-cert-details.h"
#include "tessera-format.h"

/* Every label is bound in tessera-cert-details.ui to "entry" through the
 * closures below; "is-device" shows the badge. With several certificates
 * selected ("n-selected" > 1) the pane says how many instead, and offers
 * to revoke them; its action buttons live in one box, "actions_box". */

struct _TesseraCertDetails
{
  AdwBin            parent_instance;

  GtkWidget        *status_badge;
  GtkWidget        *actions_box;
  GtkWidget        *revoke_selected_button;

  TesseraCertEntry *entry;
  gboolean          is_device;
  gboolean          key_here;       /* its key is on this device: Export… */
  guint             n_selected;
};

G_DEFINE_FINAL_TYPE (TesseraCertDetails, tessera_cert_details, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ENTRY,
  PROP_IS_DEVICE,
  PROP_KEY_HERE,
  PROP_N_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Closures of the .ui file's bindings; @entry is NULL before the first one */

static TesseraCertificate *
certificate_of (TesseraCertEntry *entry)
{
  return entry != NULL ? tessera_cert_entry_get_certificate (entry) : NULL;
}

static char *
entry_title (gpointer          this,
             TesseraCertEntry *entry)
{
  const char *name = entry != NULL ? tessera_cert_entry_get_name (entry) : "";

  return g_strdup (name[0] != '\0' ? name : _("Unnamed"));
}

static char *
entry_fingerprint (gpointer          this,
                   TesseraCertEntry *entry)
{
  if (entry == NULL)
    return NULL;
  return tessera_format_fingerprint_lines (tessera_cert_entry_get_fingerprint (entry));
}

static char *
entry_last_used (gpointer          this,
                 TesseraCertEntry *entry)
{
  GDateTime *when = entry != NULL ? tessera_cert_entry_get_last_used (entry) : NULL;
  g_autofree char *exact = NULL;
  g_autofree char *relative = NULL;

  if (entry == NULL)
    return NULL;

  switch (tessera_cert_entry_get_last_used_state (entry))
    {
    case TESSERA_LAST_USED_NEVER:
      return g_strdup (_("Never used"));

    case TESSERA_LAST_USED_AT:
      exact = tessera_format_exact_time (when);
      relative = tessera_format_relative_time (when, NULL);
      /* Translators: exact time, then the relative one, e.g. "… (3 days ago)" */
      return g_strdup_printf (_("%s (%s)"), exact, relative);

    case TESSERA_LAST_USED_UNKNOWN:
    default:
      return g_strdup (_("Unknown"));
    }
}

static char *
entry_users (gpointer          this,
             TesseraCertEntry *entry)
{
  char *users;

  if (entry == NULL)
    return NULL;
  users = tessera_format_users (tessera_cert_entry_get_users (entry));
  return users != NULL ? users : g_strdup (_("Not in use"));
}

static char *
entry_protocol (gpointer          this,
                TesseraCertEntry *entry)
{
  if (entry != NULL && tessera_cert_entry_get_cert_protocol (entry) == TESSERA_CERT_PROTOCOL_XEP0257)
    return g_strdup (_("XEP-0257 (client certificates, self-signed)"));
  return g_strdup (_("Client Certificate Management 2.0"));
}

static gboolean
is_readable (gpointer          this,
             TesseraCertEntry *entry)
{
  return certificate_of (entry) != NULL;
}

static gboolean
is_unreadable (gpointer          this,
               TesseraCertEntry *entry)
{
  return entry != NULL && certificate_of (entry) == NULL;
}

static char *
certificate_subject (gpointer          this,
                     TesseraCertEntry *entry)
{
  TesseraCertificate *certificate = certificate_of (entry);

  return certificate != NULL ? g_strdup (tessera_certificate_get_subject (certificate)) : NULL;
}

static char *
certificate_issuer (gpointer          this,
                    TesseraCertEntry *entry)
{
  TesseraCertificate *certificate = certificate_of (entry);

  return certificate != NULL ? g_strdup (tessera_certificate_get_issuer (certificate)) : NULL;
}

static char *
certificate_valid_from (gpointer          this,
                        TesseraCertEntry *entry)
{
  TesseraCertificate *certificate = certificate_of (entry);

  return certificate != NULL ? tessera_format_exact_time (tessera_certificate_get_not_before (certificate)) : NULL;
}

static char *
certificate_valid_until (gpointer          this,
                         TesseraCertEntry *entry)
{
  TesseraCertificate *certificate = certificate_of (entry);

  return certificate != NULL ? tessera_format_exact_time (tessera_certificate_get_not_after (certificate)) : NULL;
}

static char *
certificate_key (gpointer          this,
                 TesseraCertEntry *entry)
{
  TesseraCertificate *certificate = certificate_of (entry);

  if (certificate == NULL)
    return NULL;
  /* Translators: key algorithm and size, e.g. "ECDSA P-256, 256 bits" */
  return g_strdup_printf (_("%s, %u bits"),
                          tessera_certificate_get_key_algorithm (certificate),
                          tessera_certificate_get_key_bits (certificate));
}

static TesseraExpiryState
expiry_state (TesseraCertEntry *entry)
{
  TesseraCertificate *certificate = certificate_of (entry);

  return tessera_format_expiry_state (certificate != NULL ? tessera_certificate_get_not_after (certificate) : NULL,
                                      NULL);
}

static char *
status_text (gpointer          this,
             TesseraCertEntry *entry)
{
  switch (expiry_state (entry))
    {
    case TESSERA_EXPIRY_EXPIRED:
      return g_strdup (_("Expired"));
    case TESSERA_EXPIRY_SOON:
      return g_strdup (_("Expires soon"));
    case TESSERA_EXPIRY_UNKNOWN:
    case TESSERA_EXPIRY_VALID:
    default:
      return NULL;
    }
}

static char *
selection_page (gpointer this,
                guint    n_selected)
{
  return g_strdup (n_selected > 1 ? "several" : "one");
}

static gboolean
is_several (gpointer this,
            guint    n_selected)
{
  return n_selected > 1;
}

static char *
several_title (gpointer this,
               guint    n_selected)
{
  /* Translators: the details pane with several rows of the list selected */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Certificate Selected", "%u Certificates Selected",
                                       n_selected),
                          n_selected);
}

static gboolean
status_visible (gpointer          this,
                TesseraCertEntry *entry)
{
  TesseraExpiryState state = expiry_state (entry);

  return state == TESSERA_EXPIRY_EXPIRED || state == TESSERA_EXPIRY_SOON;
}

/* Only the class that differs is touched, so selecting another row does not
 * restyle the badge when its state stays the same. */
static void
update_status_class (TesseraCertDetails *self)
{
  TesseraExpiryState state = expiry_state (self->entry);
  gboolean error = state == TESSERA_EXPIRY_EXPIRED;
  gboolean warning = state == TESSERA_EXPIRY_SOON;

  if (error != gtk_widget_has_css_class (self->status_badge, "error"))
    {
      if (error)
        gtk_widget_add_css_class (self->status_badge, "error");
      else
        gtk_widget_remove_css_class (self->status_badge, "error");
    }
  if (warning != gtk_widget_has_css_class (self->status_badge, "warning"))
    {
      if (warning)
        gtk_widget_add_css_class (self->status_badge, "warning");
      else
        gtk_widget_remove_css_class (self->status_badge, "warning");
    }
}

static void
set_is_device (TesseraCertDetails *self,
               gboolean            is_device)
{
  if (self->is_device == !!is_device)
    return;
  self->is_device = !!is_device;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_DEVICE]);
}

/**
 * tessera_cert_details_set_key_here:
 * @self: a #TesseraCertDetails
 * @key_here: whether the key of the shown certificate is on this device
 *
 * Shows "Export…" for it.
 */
void
tessera_cert_details_set_key_here (TesseraCertDetails *self,
                                   gboolean            key_here)
{
  g_return_if_fail (TESSERA_IS_CERT_DETAILS (self));

  if (self->key_here == !!key_here)
    return;
  self->key_here = !!key_here;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY_HERE]);
}

/* GObject */

static void
tessera_cert_details_dispose (GObject *object)
{
  TesseraCertDetails *self = (TesseraCertDetails *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_CERT_DETAILS);
  g_clear_object (&self->entry);

  G_OBJECT_CLASS (tessera_cert_details_parent_class)->dispose (object);
}

static void
tessera_cert_details_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TesseraCertDetails *self = TESSERA_CERT_DETAILS (object);

  switch (prop_id)
    {
    case PROP_ENTRY:
      g_value_set_object (value, self->entry);
      break;

    case PROP_IS_DEVICE:
      g_value_set_boolean (value, self->is_device);
      break;

    case PROP_KEY_HERE:
      g_value_set_boolean (value, self->key_here);
      break;

    case PROP_N_SELECTED:
      g_value_set_uint (value, self->n_selected);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_cert_details_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TesseraCertDetails *self = TESSERA_CERT_DETAILS (object);

  switch (prop_id)
    {
    case PROP_ENTRY:
      tessera_cert_details_set_entry (self, g_value_get_object (value), self->is_device);
      break;

    case PROP_IS_DEVICE:
      set_is_device (self, g_value_get_boolean (value));
      break;

    case PROP_KEY_HERE:
      tessera_cert_details_set_key_here (self, g_value_get_boolean (value));
      break;

    case PROP_N_SELECTED:
      if (self->n_selected != g_value_get_uint (value))
        {
          self->n_selected = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_cert_details_class_init (TesseraCertDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tessera_cert_details_dispose;
  object_class->get_property = tessera_cert_details_get_property;
  object_class->set_property = tessera_cert_details_set_property;

  /* Setting NULL keeps the last one shown, while the pane hides. */
  properties[PROP_ENTRY] =
    g_param_spec_object ("entry", NULL, NULL, TESSERA_TYPE_CERT_ENTRY, flags);
  properties[PROP_IS_DEVICE] =
    g_param_spec_boolean ("is-device", NULL, NULL, FALSE, flags);
  properties[PROP_KEY_HERE] =
    g_param_spec_boolean ("key-here", NULL, NULL, FALSE, flags);
  /* How many rows the list has selected; "entry" shows the one */
  properties[PROP_N_SELECTED] =
    g_param_spec_uint ("n-selected", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera_xmpp/Tessera/tessera-cert-details.ui");
  /* Not kept in the struct: the tests look it up */
  gtk_widget_class_bind_template_child_full (widget_class, "export_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, entry_title);
  gtk_widget_class_bind_template_callback (widget_class, entry_fingerprint);
  gtk_widget_class_bind_template_callback (widget_class, entry_last_used);
  gtk_widget_class_bind_template_callback (widget_class, entry_users);
  gtk_widget_class_bind_template_callback (widget_class, entry_protocol);
  gtk_widget_class_bind_template_callback (widget_class, is_readable);
  gtk_widget_class_bind_template_callback (widget_class, is_unreadable);
  gtk_widget_class_bind_template_callback (widget_class, certificate_subject);
  gtk_widget_class_bind_template_callback (widget_class, certificate_issuer);
  gtk_widget_class_bind_template_callback (widget_class, certificate_valid_from);
  gtk_widget_class_bind_template_callback (widget_class, certificate_valid_until);
  gtk_widget_class_bind_template_callback (widget_class, certificate_key);
  gtk_widget_class_bind_template_callback (widget_class, status_text);
  gtk_widget_class_bind_template_callback (widget_class, status_visible);
  gtk_widget_class_bind_template_callback (widget_class, selection_page);
  gtk_widget_class_bind_template_callback (widget_class, is_several);
  gtk_widget_class_bind_template_callback (widget_class, several_title);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, status_badge);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, actions_box);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, revoke_selected_button);
}

static void
tessera_cert_details_init (TesseraCertDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tessera_cert_details_new (void)
{
  return g_object_new (TESSERA_TYPE_CERT_DETAILS, NULL);
}

/**
 * tessera_cert_details_get_entry:
 * @self: a #TesseraCertDetails
 *
 * Returns: (transfer none) (nullable): the certificate shown
 */
TesseraCertEntry *
tessera_cert_details_get_entry (TesseraCertDetails *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_DETAILS (self), NULL);

  return self->entry;
}

/**
 * tessera_cert_details_set_entry:
 * @self: a #TesseraCertDetails
 * @entry: (nullable): the certificate to show
 * @is_device: whether its key lives on this device
 */
void
tessera_cert_details_set_entry (TesseraCertDetails *self,
                                TesseraCertEntry   *entry,
                                gboolean            is_device)
{
  g_return_if_fail (TESSERA_IS_CERT_DETAILS (self));
  g_return_if_fail (entry == NULL || TESSERA_IS_CERT_ENTRY (entry));

  /* NULL: the pane hides showing the last one. */
  if (entry == NULL)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if (g_set_object (&self->entry, entry))
    {
      update_status_class (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENTRY]);
    }
  set_is_device (self, is_device);
  g_object_thaw_notify (G_OBJECT (self));
}
