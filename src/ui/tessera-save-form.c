/* tessera-save-form.c: what the dialogs that save a certificate and key to a file share
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-save-form.h"

/* The rows of the format row, in the order of TesseraExportFormat. */
static const char * const format_labels[] = {
  N_("PKCS #12 for phones (every Android version)"),
  N_("PKCS #12, modern (Android 14 and later, desktops)"),
  N_("PEM for chat programs (poezio, slixmpp, libstrophe)"),
};

/* ---- the templates' closures -------------------------------------------- */

static gboolean
is_set (gpointer    this,
        const char *text)
{
  return text != NULL;
}

/* AdwStatusPage's description is markup; a file name is not. */
static char *
escape_markup (gpointer    this,
               const char *text)
{
  return text != NULL ? g_markup_escape_text (text, -1) : NULL;
}

static gboolean
is_page (gpointer    this,
         const char *page,
         const char *wanted)
{
  return g_strcmp0 (page, wanted) == 0;
}

/* A PEM file may be written unencrypted; the key still needs the typed
 * passphrase while it waits here when no keyring answers. */
static gboolean
passphrase_needed (gpointer this,
                   gboolean pem,
                   gboolean encrypt,
                   gboolean no_keyring)
{
  return !pem || encrypt || no_keyring;
}

/**
 * tessera_save_form_bind_closures:
 * @widget_class: the class of a dialog whose template saves a file
 *
 * Binds the closures such a template calls, under the names it uses:
 * `is_set` (a string is not %NULL), `is_page` (the `page` property is the
 * one given), `escape_markup` (a string shown as markup) and
 * `passphrase_needed` (pem, encrypt, no-keyring: the passphrase rows apply).
 */
void
tessera_save_form_bind_closures (GtkWidgetClass *widget_class)
{
  g_return_if_fail (GTK_IS_WIDGET_CLASS (widget_class));

  gtk_widget_class_bind_template_callback_full (widget_class, "is_set", G_CALLBACK (is_set));
  gtk_widget_class_bind_template_callback_full (widget_class, "is_page", G_CALLBACK (is_page));
  gtk_widget_class_bind_template_callback_full (widget_class, "escape_markup", G_CALLBACK (escape_markup));
  gtk_widget_class_bind_template_callback_full (widget_class, "passphrase_needed",
                                                G_CALLBACK (passphrase_needed));
}

/* ---- the format ---------------------------------------------------------- */

/**
 * tessera_save_form_init_format_row:
 * @row: a dialog's format row
 *
 * Fills @row with the export formats, in the order of #TesseraExportFormat,
 * and selects %TESSERA_EXPORT_FORMAT_PKCS12.
 */
void
tessera_save_form_init_format_row (AdwComboRow *row)
{
  g_autoptr(GtkStringList) formats = gtk_string_list_new (NULL);

  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  for (guint i = 0; i < G_N_ELEMENTS (format_labels); i++)
    gtk_string_list_append (formats, _(format_labels[i]));
  adw_combo_row_set_model (row, G_LIST_MODEL (formats));
  adw_combo_row_set_selected (row, TESSERA_EXPORT_FORMAT_PKCS12);
}

/**
 * tessera_save_form_get_format:
 * @row: (nullable): a format row filled by tessera_save_form_init_format_row()
 *
 * Returns: the format selected in @row; %TESSERA_EXPORT_FORMAT_PKCS12 while
 *   @row is %NULL
 */
TesseraExportFormat
tessera_save_form_get_format (AdwComboRow *row)
{
  /* The template's bindings ask before the row exists. */
  if (row == NULL)
    return TESSERA_EXPORT_FORMAT_PKCS12;
  return (TesseraExportFormat) MIN (adw_combo_row_get_selected (row), (guint) TESSERA_EXPORT_FORMAT_PEM);
}
