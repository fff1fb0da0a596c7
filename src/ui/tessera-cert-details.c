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

struct _TesseraCertDetails
{
  AdwBin            parent_instance;

  GtkLabel         *title_label;
  GtkLabel         *device_badge;
  GtkLabel         *status_badge;
  GtkLabel         *unreadable_label;
  GtkWidget        *subject_row;
  GtkWidget        *issuer_row;
  GtkWidget        *valid_from_row;
  GtkWidget        *valid_until_row;
  GtkWidget        *key_row;
  GtkLabel         *fingerprint_label;
  GtkLabel         *subject_label;
  GtkLabel         *issuer_label;
  GtkLabel         *valid_from_label;
  GtkLabel         *valid_until_label;
  GtkLabel         *key_label;
  GtkLabel         *last_used_label;
  GtkLabel         *users_label;
  GtkLabel         *protocol_label;

  TesseraCertEntry *entry;
};

G_DEFINE_FINAL_TYPE (TesseraCertDetails, tessera_cert_details, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ENTRY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
describe_last_used (TesseraCertEntry *entry)
{
  GDateTime *when = tessera_cert_entry_get_last_used (entry);
  g_autofree char *exact = NULL;
  g_autofree char *relative = NULL;

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

static const char *
describe_protocol (TesseraCertEntry *entry)
{
  if (g_strcmp0 (tessera_cert_entry_get_protocol (entry), "xep0257") == 0)
    return _("XEP-0257 (client certificates, self-signed)");
  return _("Client Certificate Management 2.0");
}

static void
set_status_badge (TesseraCertDetails *self,
                  GDateTime          *not_after)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_badge), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_badge), "error");

  switch (tessera_format_expiry_state (not_after, NULL))
    {
    case TESSERA_EXPIRY_EXPIRED:
      gtk_label_set_label (self->status_badge, _("Expired"));
      gtk_widget_add_css_class (GTK_WIDGET (self->status_badge), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->status_badge), TRUE);
      break;

    case TESSERA_EXPIRY_SOON:
      gtk_label_set_label (self->status_badge, _("Expires soon"));
      gtk_widget_add_css_class (GTK_WIDGET (self->status_badge), "warning");
      gtk_widget_set_visible (GTK_WIDGET (self->status_badge), TRUE);
      break;

    case TESSERA_EXPIRY_UNKNOWN:
    case TESSERA_EXPIRY_VALID:
    default:
      gtk_widget_set_visible (GTK_WIDGET (self->status_badge), FALSE);
      break;
    }
}

static void
show_certificate (TesseraCertDetails *self,
                  TesseraCertificate *certificate)
{
  gboolean readable = certificate != NULL;
  g_autofree char *valid_from = NULL;
  g_autofree char *valid_until = NULL;
  g_autofree char *key = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->unreadable_label), !readable);
  gtk_widget_set_visible (self->subject_row, readable);
  gtk_widget_set_visible (self->issuer_row, readable);
  gtk_widget_set_visible (self->valid_from_row, readable);
  gtk_widget_set_visible (self->valid_until_row, readable);
  gtk_widget_set_visible (self->key_row, readable);
  set_status_badge (self, readable ? tessera_certificate_get_not_after (certificate) : NULL);

  if (!readable)
    return;

  valid_from = tessera_format_exact_time (tessera_certificate_get_not_before (certificate));
  valid_until = tessera_format_exact_time (tessera_certificate_get_not_after (certificate));
  /* Translators: key algorithm and size, e.g. "ECDSA P-256, 256 bits" */
  key = g_strdup_printf (_("%s, %u bits"),
                         tessera_certificate_get_key_algorithm (certificate),
                         tessera_certificate_get_key_bits (certificate));

  gtk_label_set_label (self->subject_label, tessera_certificate_get_subject (certificate));
  gtk_label_set_label (self->issuer_label, tessera_certificate_get_issuer (certificate));
  gtk_label_set_label (self->valid_from_label, valid_from);
  gtk_label_set_label (self->valid_until_label, valid_until);
  gtk_label_set_label (self->key_label, key);
}

static void
show_entry (TesseraCertDetails *self,
            gboolean            is_device)
{
  TesseraCertEntry *entry = self->entry;
  const char *name = tessera_cert_entry_get_name (entry);
  g_autofree char *fingerprint = NULL;
  g_autofree char *last_used = NULL;
  g_autofree char *users = NULL;

  fingerprint = tessera_format_fingerprint_lines (tessera_cert_entry_get_fingerprint (entry));
  last_used = describe_last_used (entry);
  users = tessera_format_users (tessera_cert_entry_get_users (entry));

  gtk_label_set_label (self->title_label, name[0] != '\0' ? name : _("Unnamed"));
  gtk_widget_set_visible (GTK_WIDGET (self->device_badge), is_device);
  gtk_label_set_label (self->fingerprint_label, fingerprint);
  gtk_label_set_label (self->last_used_label, last_used);
  gtk_label_set_label (self->users_label, users != NULL ? users : _("Not in use"));
  gtk_label_set_label (self->protocol_label, describe_protocol (entry));

  show_certificate (self, tessera_cert_entry_get_certificate (entry));
}

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

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_cert_details_class_init (TesseraCertDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_cert_details_dispose;
  object_class->get_property = tessera_cert_details_get_property;

  properties[PROP_ENTRY] =
    g_param_spec_object ("entry", NULL, NULL,
                         TESSERA_TYPE_CERT_ENTRY,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera_xmpp/Tessera/tessera-cert-details.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, title_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, device_badge);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, status_badge);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, unreadable_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, subject_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, issuer_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, valid_from_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, valid_until_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, key_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, subject_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, issuer_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, valid_from_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, valid_until_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, key_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, last_used_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, users_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraCertDetails, protocol_label);
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

  if (g_set_object (&self->entry, entry))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENTRY]);

  if (entry != NULL)
    show_entry (self, is_device);
}
