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

/* ---- the "save" file chooser --------------------------------------------- */

static char *
file_name_for (const char          *device_name,
               TesseraExportFormat  format)
{
  g_autofree char *base = g_strdup (device_name);

  /* A device name may hold anything, a file name no slash. */
  g_strdelimit (base, "/\\", '-');
  return g_strconcat (base, format == TESSERA_EXPORT_FORMAT_PEM ? ".pem" : ".p12", NULL);
}

/**
 * tessera_save_form_show_chooser:
 * @parent: the dialog
 * @title: the chooser's title
 * @accept_label: the label of its button that saves
 * @device_name: the name of the device the file is for
 * @format: the file's format, for its extension
 * @response_cb: called as `(parent, response, chooser)`
 *   while @parent lives
 *
 * Shows a modal native file chooser that saves (the portal's inside the
 * Flatpak, which asks before replacing a file), suggesting @device_name,
 * made a file name, with the extension of @format.
 *
 * Returns: (transfer full): the chooser, to keep until @response_cb hands
 *   it to tessera_save_form_chooser_finish()
 */
GtkFileChooserNative *
tessera_save_form_show_chooser (GtkWindow           *parent,
                                const char          *title,
                                const char          *accept_label,
                                const char          *device_name,
                                TesseraExportFormat  format,
                                GCallback            response_cb)
{
  g_autofree char *name = file_name_for (device_name, format);
  GtkFileChooserNative *chooser;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (response_cb != NULL, NULL);

  chooser = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_SAVE, accept_label, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect_object (chooser, "response", response_cb, parent, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
  return chooser;
}

/**
 * tessera_save_form_chooser_finish:
 * @slot: where the dialog keeps the chooser; cleared
 * @chooser: the chooser that answered
 * @response: its answer
 *
 * Returns: (transfer full) (nullable): the file chosen, or %NULL when the
 *   chooser was cancelled
 */
GFile *
tessera_save_form_chooser_finish (GtkFileChooserNative **slot,
                                  GtkNativeDialog       *chooser,
                                  int                    response)
{
  GFile *file = NULL;

  g_return_val_if_fail (GTK_IS_FILE_CHOOSER (chooser), NULL);

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (slot);
  return file;
}

/**
 * tessera_save_form_clear_chooser:
 * @slot: where the dialog keeps its chooser, if one is shown
 *
 * Closes a chooser still shown, as its dialog goes away, and clears @slot.
 */
void
tessera_save_form_clear_chooser (GtkFileChooserNative **slot)
{
  if (*slot != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (*slot));
  g_clear_object (slot);
}
