/* test-export.c: the Export dialog, with a certificate from the real server
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "tessera-export-dialog.h"
#include "tessera-test-fixtures.h"
#include "tessera-ui-test.h"
#include "tessera-cert-details.h"
#include "tessera-cert-list.h"
#include "tessera-window.h"

#define PASSPHRASE "a long export passphrase"

typedef struct
{
  TesseraTestServer *server;
  TesseraKeyStore   *store;
  TesseraKeyRecord  *record;
  char              *outdir;
} Fixture;

static const char *server_options[] = { NULL };
static const char *server_options_demo[] = { "--demo", NULL };

/* This device enrolls through the core, as the wizard does: the record
 * holds a certificate the local Prosody signed. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  tessera_ui_test_get_app ();
  f->server = tessera_ui_test_start_server (data);
  tessera_ui_test_save_account (f->server);
  account = tessera_ui_test_account_new (f->server);
  f->store = tessera_key_store_new (tessera_account_get_jid (account), NULL);
  f->record = tessera_ui_test_enroll (f->server, f->store, "Work Laptop");

  f->outdir = g_dir_make_tmp ("tessera-export-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tessera_ui_test_close_all_windows ();
  g_clear_pointer (&f->server, tessera_test_server_stop);
  g_clear_object (&f->record);
  g_clear_object (&f->store);
  if (f->outdir != NULL)
    g_assert_true (tessera_test_remove_tree (f->outdir, NULL));
  g_clear_pointer (&f->outdir, g_free);
}

static TesseraExportDialog *
open_dialog (Fixture *f)
{
  TesseraExportDialog *dialog = tessera_export_dialog_new (NULL, f->store, f->record, NULL);

  gtk_window_set_application (GTK_WINDOW (dialog), tessera_ui_test_get_app ());
  gtk_window_present (GTK_WINDOW (dialog));
  TESSERA_UI_WAIT (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);
  return dialog;
}

static GtkWidget *
child (TesseraExportDialog *dialog,
       const char          *name)
{
  return tessera_ui_test_child (dialog, TESSERA_TYPE_EXPORT_DIALOG, name);
}

static char *
dialog_string (TesseraExportDialog *dialog,
               const char          *property)
{
  char *value = NULL;

  g_object_get (dialog, property, &value, NULL);
  return value;
}

static gboolean
page_is (TesseraExportDialog *dialog,
         const char          *page)
{
  g_autofree char *current = dialog_string (dialog, "page");

  return g_strcmp0 (current, page) == 0;
}

static void
type_passphrases (TesseraExportDialog *dialog,
                  const char          *first,
                  const char          *second)
{
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "passphrase_row")), first);
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "confirm_row")), second);
}

/* Another implementation reads the file: GnuTLS's certtool or OpenSSL. */
static char *
run_tool (const char * const *argv,
          int                *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, status, &error);
  g_assert_no_error (error);
  return g_strconcat (out, err, NULL);
}

static void
assert_private_file (const char *path)
{
  struct stat st;

  g_assert_no_errno (g_lstat (path, &st));
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
}

/* The default: a PKCS #12 for a phone, the passphrase twice, the hint. */
static void
test_export_pkcs12 (Fixture       *f,
                    gconstpointer  data)
{
  TesseraExportDialog *dialog = open_dialog (f);
  g_autofree char *path = g_build_filename (f->outdir, "Work Laptop.p12", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *message = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *password_arg = g_strdup_printf ("--password=%s", PASSPHRASE);
  g_autofree char *info = NULL;
  const char *certtool[] = { "certtool", "--p12-info", "--inder", "--infile", path, password_arg, NULL };
  int status = -1;

  g_assert_cmpint (tessera_export_dialog_get_format (dialog), ==, TESSERA_EXPORT_FORMAT_PKCS12);

  /* An empty passphrase: the button says why, no file chooser opens. */
  tessera_ui_test_click (child (dialog, "export_button"));
  message = dialog_string (dialog, "error-message");
  g_assert_nonnull (message);
  g_assert_null (tessera_ui_test_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_clear_pointer (&message, g_free);

  type_passphrases (dialog, PASSPHRASE, PASSPHRASE "x");
  tessera_export_dialog_export_to (dialog, file);
  message = dialog_string (dialog, "error-message");
  g_assert_nonnull (strstr (message, "differ"));
  g_assert_true (page_is (dialog, "form"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  type_passphrases (dialog, PASSPHRASE, PASSPHRASE);
  tessera_ui_test_settle (200);
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "export-dialog");

  tessera_export_dialog_export_to (dialog, file);
  TESSERA_UI_WAIT (page_is (dialog, "done") || !page_is (dialog, "progress"), 60);
  g_assert_true (page_is (dialog, "done"));
  hint = dialog_string (dialog, "hint");
  g_assert_nonnull (strstr (hint, "Conversations"));
  g_assert_nonnull (strstr (hint, "Work Laptop.p12"));
  tessera_ui_test_settle (200);
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "export-dialog-done");

  assert_private_file (path);
  info = run_tool (certtool, &status);
  g_test_message ("certtool --p12-info: %s", info);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (info, "BEGIN CERTIFICATE"));
}

/* PEM for a program that takes no passphrase: the switch turns the
 * passphrase off, and the hint names poezio. */
static void
test_export_pem_plain (Fixture       *f,
                       gconstpointer  data)
{
  TesseraExportDialog *dialog = open_dialog (f);
  g_autofree char *path = g_build_filename (f->outdir, "poezio.pem", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *hint = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *check = NULL;
  const char *openssl[] = { "openssl", "pkey", "-in", path, "-check", "-noout", NULL };
  GtkWidget *group;
  int status = -1;

  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, "format_row")), TESSERA_EXPORT_FORMAT_PEM);
  g_assert_cmpint (tessera_export_dialog_get_format (dialog), ==, TESSERA_EXPORT_FORMAT_PEM);
  group = gtk_widget_get_ancestor (child (dialog, "passphrase_row"), ADW_TYPE_PREFERENCES_GROUP);
  g_assert_true (gtk_widget_get_sensitive (group));
  gtk_switch_set_active (GTK_SWITCH (child (dialog, "encrypt_switch")), FALSE);
  g_assert_false (gtk_widget_get_sensitive (group));

  tessera_export_dialog_export_to (dialog, file);
  TESSERA_UI_WAIT (!page_is (dialog, "progress"), 60);
  g_assert_true (page_is (dialog, "done"));
  hint = dialog_string (dialog, "hint");
  g_assert_nonnull (strstr (hint, "poezio"));

  assert_private_file (path);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "-----BEGIN CERTIFICATE-----"));
  g_assert_nonnull (strstr (contents, "-----BEGIN PRIVATE KEY-----"));
  check = run_tool (openssl, &status);
  g_test_message ("openssl pkey -check: %s", check);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* The first listed certificate other than @fingerprint. */
static TesseraCertEntry *
other_entry (TesseraCertList *list,
             const char      *fingerprint)
{
  GListModel *model = tessera_cert_list_get_model (list);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (model, i);

      if (!g_str_equal (tessera_cert_entry_get_fingerprint (entry), fingerprint))
        return g_steal_pointer (&entry);
    }
  return NULL;
}

/* The window, on an account with certificates of other devices (the demo
 * server's) and this one: "Export…" is enabled only for the certificate
 * whose key is here, and opens the dialog for it. */
static void
test_export_from_window (Fixture       *f,
                         gconstpointer  data)
{
  TesseraWindow *window = tessera_window_new (tessera_ui_test_get_app ());
  TesseraCertList *list;
  GtkWidget *button;
  GtkWidget *details_button;
  TesseraExportDialog *dialog;
  g_autoptr(TesseraCertEntry) elsewhere = NULL;
  const char *fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (f->record));

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  list = TESSERA_CERT_LIST (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "cert_list"));
  button = tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "export_button");
  TESSERA_UI_WAIT (tessera_cert_list_get_model (list) != NULL &&
                   g_list_model_get_n_items (tessera_cert_list_get_model (list)) > 1 &&
                   !tessera_window_get_busy (window), 60);

  elsewhere = other_entry (list, fingerprint);
  g_assert_nonnull (elsewhere);
  g_assert_true (tessera_cert_list_select_fingerprint (list, tessera_cert_entry_get_fingerprint (elsewhere)));
  TESSERA_UI_WAIT (tessera_cert_list_get_selected (list) == elsewhere, 10);
  g_assert_false (gtk_widget_get_sensitive (button));
  details_button = tessera_ui_test_child (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "details"),
                                          TESSERA_TYPE_CERT_DETAILS, "export_button");
  g_assert_false (gtk_widget_get_visible (details_button));

  g_assert_true (tessera_cert_list_select_fingerprint (list, fingerprint));
  TESSERA_UI_WAIT (gtk_widget_get_sensitive (button), 10);
  /* The details pane offers it too */
  TESSERA_UI_WAIT (gtk_widget_get_visible (details_button), 10);
  g_assert_true (gtk_widget_get_sensitive (details_button));
  tessera_ui_test_settle (300);
  tessera_ui_test_screenshot (GTK_WIDGET (window), "export-window");

  tessera_ui_test_click (button);
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_EXPORT_DIALOG) != NULL, 10);
  dialog = TESSERA_EXPORT_DIALOG (tessera_ui_test_find_window (TESSERA_TYPE_EXPORT_DIALOG));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (dialog)), "Work Laptop"));
}

/* A secondary click on a row that is not selected selects it alone and
 * opens the context menu (Export…, Renew…, Revoke…), which acts on it:
 * its Export… opens the dialog for that certificate. */
static void
test_export_context_menu (Fixture       *f,
                          gconstpointer  data)
{
  TesseraWindow *window = tessera_window_new (tessera_ui_test_get_app ());
  TesseraCertList *list;
  GtkWidget *cell;
  GtkWidget *menu;
  GMenuModel *model;
  g_autoptr(GMenuModel) section = NULL;
  g_autoptr(TesseraCertEntry) elsewhere = NULL;
  g_autofree char *label = NULL;
  graphene_rect_t bounds;
  const char *fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (f->record));

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  list = TESSERA_CERT_LIST (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "cert_list"));
  TESSERA_UI_WAIT (tessera_cert_list_get_model (list) != NULL &&
                   g_list_model_get_n_items (tessera_cert_list_get_model (list)) > 1 &&
                   !tessera_window_get_busy (window), 60);
  elsewhere = other_entry (list, fingerprint);
  g_assert_true (tessera_cert_list_select_fingerprint (list, tessera_cert_entry_get_fingerprint (elsewhere)));
  TESSERA_UI_WAIT (tessera_cert_list_get_selected (list) == elsewhere, 10);
  tessera_ui_test_settle (200);

  /* Nowhere near a row: no menu */
  g_assert_false (tessera_cert_list_popup_context_menu (list, 5, gtk_widget_get_height (GTK_WIDGET (list)) - 5));
  g_assert_null (tessera_cert_list_get_context_menu (list));

  TESSERA_UI_WAIT ((cell = tessera_ui_test_find_cell (GTK_WIDGET (list), "Work Laptop")) != NULL, 10);
  g_assert_true (gtk_widget_compute_bounds (cell, GTK_WIDGET (list), &bounds));
  g_assert_true (tessera_cert_list_popup_context_menu (list, bounds.origin.x + bounds.size.width / 2,
                                                       bounds.origin.y + bounds.size.height / 2));
  g_assert_cmpuint (tessera_cert_list_get_n_selected (list), ==, 1);
  g_assert_cmpstr (tessera_cert_entry_get_fingerprint (tessera_cert_list_get_selected (list)), ==, fingerprint);
  menu = tessera_cert_list_get_context_menu (list);
  g_assert_nonnull (menu);
  TESSERA_UI_WAIT (gtk_widget_get_mapped (menu), 10);
  model = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (menu));
  g_assert_nonnull (model);
  section = g_menu_model_get_item_link (model, 0, G_MENU_LINK_SECTION);
  g_assert_true (g_menu_model_get_item_attribute (section, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  g_assert_cmpstr (label, ==, "_Export…");
  tessera_ui_test_settle (200);
  tessera_ui_test_screenshot (menu, "context-menu");

  /* What the menu item does: its action, on the row just selected */
  gtk_popover_popdown (GTK_POPOVER (menu));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export-certificate", NULL));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_EXPORT_DIALOG) != NULL, 10);
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (tessera_ui_test_find_window (TESSERA_TYPE_EXPORT_DIALOG))),
                            "Work Laptop"));
}

int
main (int    argc,
      char **argv)
{
  tessera_ui_test_init (&argc, &argv);

  g_test_add ("/export/pkcs12", Fixture, server_options, fixture_setup, test_export_pkcs12, fixture_teardown);
  g_test_add ("/export/pem-plain", Fixture, server_options, fixture_setup, test_export_pem_plain,
              fixture_teardown);

  g_test_add ("/export/window", Fixture, server_options_demo, fixture_setup, test_export_from_window,
              fixture_teardown);
  g_test_add ("/export/context-menu", Fixture, server_options_demo, fixture_setup, test_export_context_menu,
              fixture_teardown);

  return tessera_ui_test_run ();
}
