/* test-window.c: the main window against the local server
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-account-dialog.h"
#include "tessera-account-form.h"
#include "tessera-cert-details.h"
#include "tessera-cert-list.h"
#include "tessera-format.h"
#include "tessera-generate-dialog.h"
#include "tessera-test-fixtures.h"
#include "tessera-ui-test.h"
#include "tessera-window.h"

typedef struct
{
  TesseraTestServer *server;
  TesseraWindow     *window;
  TesseraCertList   *cert_list;
} Fixture;

static const char *options_plain[] = { NULL };
static const char *options_demo[] = { "--demo", NULL };
static const char *options_no_revoke[] = { "--demo", "--features", "add,list", NULL };
static const char *options_unsupported[] = { "--features", "", NULL };
static const char *options_add_only[] = { "--features", "add", NULL };
static const char *options_xep0257[] = { "--xep0257", "--features", "", NULL };

static gboolean
window_settled (Fixture *f)
{
  const char *page = tessera_window_get_page (f->window);

  return !tessera_window_get_busy (f->window) && g_strcmp0 (page, "loading") != 0;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GtkApplication *app = tessera_ui_test_get_app ();

  f->server = tessera_ui_test_start_server (data);
  tessera_ui_test_save_account (f->server);

  f->window = tessera_window_new (app);
  gtk_window_present (GTK_WINDOW (f->window));
  f->cert_list = TESSERA_CERT_LIST (tessera_ui_test_child (f->window, TESSERA_TYPE_WINDOW, "cert_list"));
  TESSERA_UI_WAIT (window_settled (f), 60);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tessera_ui_test_close_all_windows ();
  g_clear_pointer (&f->server, tessera_test_server_stop);
}

static GtkWidget *
window_child (Fixture    *f,
              const char *name)
{
  return tessera_ui_test_child (f->window, TESSERA_TYPE_WINDOW, name);
}

static guint
n_entries (Fixture *f)
{
  GListModel *model = tessera_cert_list_get_model (f->cert_list);

  return model != NULL ? g_list_model_get_n_items (model) : 0;
}

/* The first listed certificate in @state (optionally not this device's and
 * not in use), or NULL. */
static TesseraCertEntry *
find_entry (Fixture              *f,
            TesseraLastUsedState  state,
            gboolean              harmless)
{
  GListModel *model = tessera_cert_list_get_model (f->cert_list);

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (model, i);

      if (harmless && (tessera_cert_list_is_device (f->cert_list, entry) ||
                       tessera_cert_entry_get_users (entry)[0] != NULL))
        continue;
      if ((int) state < 0 || tessera_cert_entry_get_last_used_state (entry) == state)
        return entry;
    }
  return NULL;
}

static gboolean
is_listed (Fixture    *f,
           const char *fingerprint)
{
  GListModel *model = tessera_cert_list_get_model (f->cert_list);

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (model, i);

      if (g_strcmp0 (tessera_cert_entry_get_fingerprint (entry), fingerprint) == 0)
        return TRUE;
    }
  return FALSE;
}

static AdwMessageDialog *
wait_for_message_dialog (void)
{
  AdwMessageDialog *dialog = NULL;

  TESSERA_UI_WAIT ((dialog = ADW_MESSAGE_DIALOG (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG))) != NULL &&
                   gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);
  return dialog;
}

/* The tooltip a cell gives when the pointer rests on it (query-tooltip). */
static char *
cell_tooltip (Fixture   *f,
              GtkWidget *cell)
{
  g_assert_true (gtk_widget_get_has_tooltip (cell));
  return tessera_cert_list_dup_tooltip (f->cert_list, cell);
}

/* A demo account: a never-used certificate is flagged, a used one shows
 * when, selecting a row shows its details. */
static void
test_window_list (Fixture       *f,
                  gconstpointer  data)
{
  TesseraCertEntry *never;
  TesseraCertEntry *used;
  GtkWidget *label;
  GtkWidget *details;
  TesseraAccountModel *model;
  g_autofree char *relative = NULL;
  g_autofree char *exact = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *tooltip = NULL;

  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "list");
  g_assert_cmpuint (n_entries (f), >=, 2);

  never = find_entry (f, TESSERA_LAST_USED_NEVER, FALSE);
  g_assert_nonnull (never);
  /* Warned: the warning class shows style.css's icon with it. */
  label = tessera_ui_test_find_cell (GTK_WIDGET (f->cert_list), "Never used");
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_has_css_class (label, "warning"));
  g_assert_true (gtk_widget_has_css_class (label, "tessera-icon-cell"));
  tooltip = cell_tooltip (f, label);
  g_assert_cmpstr (tooltip, ==, "No device has logged in with this certificate yet");
  g_clear_pointer (&tooltip, g_free);

  used = find_entry (f, TESSERA_LAST_USED_AT, FALSE);
  g_assert_nonnull (used);
  relative = tessera_format_relative_time (tessera_cert_entry_get_last_used (used), NULL);
  exact = tessera_format_exact_time (tessera_cert_entry_get_last_used (used));
  label = tessera_ui_test_find_cell (GTK_WIDGET (f->cert_list), relative);
  g_assert_nonnull (label);
  tooltip = cell_tooltip (f, label);
  g_assert_cmpstr (tooltip, ==, exact);
  g_clear_pointer (&tooltip, g_free);
  g_assert_false (gtk_widget_has_css_class (label, "warning"));

  /* Details of the used one, with its full fingerprint. */
  g_assert_true (tessera_cert_list_select_fingerprint (f->cert_list, tessera_cert_entry_get_fingerprint (used)));
  TESSERA_UI_WAIT (gtk_revealer_get_child_revealed (GTK_REVEALER (window_child (f, "details_revealer"))), 10);
  details = window_child (f, "details");
  g_assert_true (tessera_cert_details_get_entry (TESSERA_CERT_DETAILS (details)) == used);
  g_assert_null (tessera_ui_test_find_label (details, "This device"));
  g_assert_nonnull (tessera_ui_test_find_label (details, tessera_cert_entry_get_name (used)));
  fingerprint = g_ascii_strup (tessera_cert_entry_get_fingerprint (used), -1);
  label = tessera_ui_test_find_label_containing (details, ":");
  g_assert_nonnull (label);
  {
    /* Shown in full, in byte pairs over several lines. */
    g_autofree char *shown = g_strdup (gtk_label_get_label (GTK_LABEL (label)));
    g_autofree char *compact = NULL;
    g_auto(GStrv) parts = g_strsplit_set (shown, ":\n", -1);

    compact = g_strjoinv ("", parts);
    g_assert_cmpstr (compact, ==, fingerprint);
  }
  g_assert_true (gtk_widget_is_sensitive (window_child (f, "revoke_button")));

  /* The button and its tooltip follow the model's can-revoke. */
  model = tessera_window_get_model (f->window);
  g_assert_true (tessera_account_model_get_can_revoke (model));
  tessera_account_model_set_selected (model, NULL);
  g_assert_false (tessera_account_model_get_can_revoke (model));
  g_assert_false (gtk_widget_is_sensitive (window_child (f, "revoke_button")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (window_child (f, "revoke_button")), ==,
                   "Select a certificate to revoke");
  tessera_account_model_set_selected (model, used);
  g_assert_true (gtk_widget_is_sensitive (window_child (f, "revoke_button")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (window_child (f, "revoke_button")), ==,
                   "Revoke the selected certificate (Delete)");

  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "certificate-details");
}

static void
generate_and_upload (Fixture    *f,
                     const char *name)
{
  TesseraGenerateDialog *dialog;
  GtkWidget *name_row;
  GtkWidget *error_label;
  GtkWidget *upload_button = window_child (f, "upload_button");
  g_autofree char *waiting = NULL;
  g_autofree char *send = NULL;

  g_assert_false (gtk_widget_is_sensitive (upload_button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (upload_button), ==, "Generate a key pair first");
  tessera_ui_test_click (window_child (f, "generate_button"));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_GENERATE_DIALOG) != NULL, 10);
  dialog = TESSERA_GENERATE_DIALOG (tessera_ui_test_find_window (TESSERA_TYPE_GENERATE_DIALOG));

  name_row = tessera_ui_test_child (dialog, TESSERA_TYPE_GENERATE_DIALOG, "name_row");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, g_get_host_name ());
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (tessera_ui_test_child (dialog,
                      TESSERA_TYPE_GENERATE_DIALOG, "key_type_row"))), ==, 0);
  /* A name that is refused shows why; typing hides it again. */
  error_label = tessera_ui_test_child (dialog, TESSERA_TYPE_GENERATE_DIALOG, "error_label");
  gtk_editable_set_text (GTK_EDITABLE (name_row), "");
  tessera_generate_dialog_generate (dialog);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_is_sensitive (tessera_ui_test_child (dialog, TESSERA_TYPE_GENERATE_DIALOG,
                                                                 "generate_button")));
  gtk_editable_set_text (GTK_EDITABLE (name_row), name);
  g_assert_false (gtk_widget_get_visible (error_label));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "generate-dialog");

  tessera_ui_test_click (tessera_ui_test_child (dialog, TESSERA_TYPE_GENERATE_DIALOG, "generate_button"));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_GENERATE_DIALOG) == NULL, 60);

  /* The key waits to be uploaded. */
  TESSERA_UI_WAIT (gtk_widget_is_sensitive (upload_button), 10);
  g_assert_true (gtk_widget_get_visible (window_child (f, "pending_label")));
  waiting = g_strdup_printf ("Key pair “%s” is waiting to be uploaded", name);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (window_child (f, "pending_label"))), ==, waiting);
  send = g_strdup_printf ("Send “%s” to the server and store its certificate", name);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (upload_button), ==, send);

  tessera_ui_test_click (upload_button);
  TESSERA_UI_WAIT (!gtk_widget_is_sensitive (upload_button) && window_settled (f) &&
                   g_strcmp0 (tessera_window_get_page (f->window), "list") == 0 &&
                   tessera_cert_list_get_selected (f->cert_list) != NULL, 60);
}

/* A key made without a keyring (the wizard on such a desktop, or the CLI
 * with --key-passphrase-file) waits to be uploaded: the window asks for its
 * passphrase once instead of failing, and uploads with it. */
static void
test_window_upload_user_passphrase (Fixture       *f,
                                    gconstpointer  data)
{
  const char *jid = tessera_ui_test_server_get (f->server, "JID");
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (jid, NULL);
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) pending = NULL;
  g_autoptr(TesseraKeyRecord) uploaded = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *upload_button = window_child (f, "upload_button");
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_assert_no_error (error);
  record = tessera_key_store_save_key (store, key, "Passphrase Laptop", "ccm2", "user passphrase 1234", &error);
  g_assert_no_error (error);
  g_assert_true (tessera_key_record_get_uses_user_passphrase (record));
  csr = tessera_key_create_csr (key, jid, &error);
  g_assert_no_error (error);
  pending = tessera_key_store_save_request (store, tessera_key_record_get_id (record), csr, &error);
  g_assert_no_error (error);

  tessera_window_refresh (f->window);
  TESSERA_UI_WAIT (gtk_widget_is_sensitive (upload_button) && window_settled (f), 60);
  tessera_ui_test_click (upload_button);

  TESSERA_UI_WAIT (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL, 60);
  dialog = ADW_MESSAGE_DIALOG (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Key Passphrase");
  entry = adw_message_dialog_get_extra_child (dialog);
  g_assert_true (GTK_IS_PASSWORD_ENTRY (entry));
  TESSERA_UI_WAIT (gtk_widget_get_mapped (entry), 10);
  gtk_editable_set_text (GTK_EDITABLE (entry), "user passphrase 1234");
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "window-key-passphrase");
  tessera_ui_test_respond (dialog, "_Use Key");

  TESSERA_UI_WAIT (!gtk_widget_is_sensitive (upload_button) && window_settled (f), 60);
  /* Neither asked again nor an error. */
  TESSERA_UI_WAIT (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL, 10);
  uploaded = tessera_key_store_lookup (store, tessera_key_record_get_id (record), &error);
  g_assert_no_error (error);
  g_assert_nonnull (tessera_key_record_get_certificate (uploaded));
}

static void
test_window_generate_upload (Fixture       *f,
                             gconstpointer  data)
{
  TesseraCertEntry *selected;

  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "empty");
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "no-certificates");

  generate_and_upload (f, "Test Laptop");

  g_assert_cmpuint (n_entries (f), ==, 1);
  selected = tessera_cert_list_get_selected (f->cert_list);
  g_assert_cmpstr (tessera_cert_entry_get_name (selected), ==, "Test Laptop");
  g_assert_true (tessera_cert_list_is_device (f->cert_list, selected));
  g_assert_nonnull (tessera_ui_test_find_label (GTK_WIDGET (f->cert_list), "This device"));
  g_assert_nonnull (tessera_ui_test_find_cell (GTK_WIDGET (f->cert_list), "Never used"));
  g_assert_false (gtk_widget_get_visible (window_child (f, "pending_label")));
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "generate-upload");
}

/* The demo account plus this device's own certificate: what a user sees. */
static void
test_window_overview (Fixture       *f,
                      gconstpointer  data)
{
  TesseraCertEntry *selected;

  generate_and_upload (f, "Workstation");
  g_assert_cmpuint (n_entries (f), ==, 5);
  selected = tessera_cert_list_get_selected (f->cert_list);
  g_assert_true (tessera_cert_list_is_device (f->cert_list, selected));
  TESSERA_UI_WAIT (gtk_revealer_get_child_revealed (GTK_REVEALER (window_child (f, "details_revealer"))), 10);
  g_assert_nonnull (tessera_ui_test_find_label (window_child (f, "details"), "Workstation"));
  /* The details pane follows the selection and the model's device keys. */
  g_assert_nonnull (tessera_ui_test_find_label (window_child (f, "details"), "This device"));
  /* Let the "added" toast time out: this picture goes into the metainfo. */
  tessera_ui_test_settle (4500);
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "certificate-list");

  tessera_cert_list_unselect (f->cert_list);
  TESSERA_UI_WAIT (!gtk_revealer_get_child_revealed (GTK_REVEALER (window_child (f, "details_revealer"))), 10);
  g_assert_false (gtk_widget_is_sensitive (window_child (f, "revoke_button")));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (window_child (f, "revoke_button")), "Select"));
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "main-window");
}

static void
test_window_revoke (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *fingerprint = NULL;
  AdwMessageDialog *dialog;
  guint before;

  before = n_entries (f);
  g_assert_cmpuint (before, >=, 2);
  fingerprint = g_strdup (tessera_cert_entry_get_fingerprint (find_entry (f, -1, TRUE)));

  g_assert_true (tessera_cert_list_select_fingerprint (f->cert_list, fingerprint));
  tessera_ui_test_click (window_child (f, "revoke_button"));
  dialog = wait_for_message_dialog ();
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "revoke-confirm");

  tessera_ui_test_respond (dialog, "_Revoke");
  TESSERA_UI_WAIT (!is_listed (f, fingerprint) && window_settled (f), 60);
  g_assert_cmpuint (n_entries (f), ==, before - 1);
  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "list");
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "revoked");
}

/* This device's own certificate needs a second confirmation: type the name. */
static void
test_window_revoke_this_device (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *fingerprint = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  AdwMessageDialog *first;
  AdwMessageDialog *second;
  GtkWidget *entry;

  generate_and_upload (f, "Old Phone");
  fingerprint = g_strdup (tessera_cert_entry_get_fingerprint (tessera_cert_list_get_selected (f->cert_list)));

  tessera_ui_test_click (window_child (f, "revoke_button"));
  first = wait_for_message_dialog ();
  tessera_ui_test_respond (first, "_Revoke");

  second = wait_for_message_dialog ();
  g_assert_false (adw_message_dialog_get_response_enabled (second, "revoke"));
  g_assert_false (gtk_widget_is_sensitive (tessera_ui_test_find_button (GTK_WIDGET (second), "_Revoke")));
  entry = adw_message_dialog_get_extra_child (second);
  g_assert_true (GTK_IS_ENTRY (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), "Old");
  g_assert_false (adw_message_dialog_get_response_enabled (second, "revoke"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "Old Phone");
  g_assert_true (adw_message_dialog_get_response_enabled (second, "revoke"));
  tessera_ui_test_screenshot (GTK_WIDGET (second), "revoke-this-device");

  tessera_ui_test_respond (second, "_Revoke");
  TESSERA_UI_WAIT (!is_listed (f, fingerprint) && window_settled (f), 60);
  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "empty");

  /* The local key went with it. */
  store = tessera_key_store_new (tessera_ui_test_server_get (f->server, "JID"), NULL);
  record = tessera_key_store_find_by_fingerprint (store, fingerprint);
  g_assert_null (record);
}

static void
test_window_no_revoke (Fixture       *f,
                       gconstpointer  data)
{
  TesseraCertEntry *entry;
  GtkWidget *revoke_button = window_child (f, "revoke_button");

  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "list");
  entry = find_entry (f, -1, FALSE);
  g_assert_nonnull (entry);
  g_assert_true (tessera_cert_list_select_fingerprint (f->cert_list, tessera_cert_entry_get_fingerprint (entry)));
  tessera_ui_test_settle (100);

  g_assert_false (gtk_widget_is_sensitive (revoke_button));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (revoke_button), "does not support revoking"));
  /* What the server does offer stays available. */
  g_assert_true (gtk_widget_is_sensitive (window_child (f, "generate_button")));
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "no-revoke");
}

static void
test_window_server_stopped (Fixture       *f,
                            gconstpointer  data)
{
  GtkWidget *offline_page = window_child (f, "offline_page");

  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "list");
  g_clear_pointer (&f->server, tessera_test_server_stop);

  tessera_ui_test_click (window_child (f, "refresh_button"));
  TESSERA_UI_WAIT (g_strcmp0 (tessera_window_get_page (f->window), "offline") == 0 && window_settled (f), 60);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (offline_page)), ==, "Server Unreachable");
  g_assert_nonnull (adw_status_page_get_description (ADW_STATUS_PAGE (offline_page)));
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (offline_page)), !=, "");
  g_assert_true (gtk_widget_is_sensitive (window_child (f, "retry_button")));
  g_assert_false (gtk_widget_get_mapped (window_child (f, "revoke_button")));
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "server-stopped");
}

/* A server with XEP-0257 only: the key goes up as a self-signed
 * certificate, and its last use is "Unknown", not flagged as never used. */
static void
test_window_xep0257 (Fixture       *f,
                     gconstpointer  data)
{
  TesseraCertEntry *selected;
  GtkWidget *label;
  g_autofree char *tooltip = NULL;

  g_assert_cmpuint (tessera_window_get_features (f->window), ==, TESSERA_FEATURE_XEP0257);
  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "empty");

  generate_and_upload (f, "Tablet");
  selected = tessera_cert_list_get_selected (f->cert_list);
  g_assert_cmpstr (tessera_cert_entry_get_protocol (selected), ==, "xep0257");
  g_assert_cmpint (tessera_cert_entry_get_last_used_state (selected), ==, TESSERA_LAST_USED_UNKNOWN);
  g_assert_true (tessera_cert_list_is_device (f->cert_list, selected));

  g_assert_null (tessera_ui_test_find_cell (GTK_WIDGET (f->cert_list), "Never used"));
  label = tessera_ui_test_find_cell (GTK_WIDGET (f->cert_list), "Unknown");
  g_assert_nonnull (label);
  g_assert_false (gtk_widget_has_css_class (label, "warning"));
  g_assert_true (gtk_widget_has_css_class (label, "tessera-dim"));
  tooltip = cell_tooltip (f, label);
  g_assert_cmpstr (tooltip, ==, "The server does not record when certificates are used");
  /* XEP-0257 revokes too. */
  g_assert_true (gtk_widget_is_sensitive (window_child (f, "revoke_button")));
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "xep0257");
}

/* A server without any certificate management: an empty state saying so,
 * and the operations are off with a reason. */
static void
test_window_unsupported (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *page = window_child (f, "unsupported_page");
  GtkWidget *generate_button = window_child (f, "generate_button");

  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "unsupported");
  g_assert_cmpuint (tessera_window_get_features (f->window), ==, TESSERA_FEATURE_NONE);
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)),
                            tessera_ui_test_server_get (f->server, "DOMAIN")));
  g_assert_false (gtk_widget_is_sensitive (generate_button));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (generate_button), "does not support adding"));
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "unsupported");
}

/* A server that adds but does not list: says so, and adding still works. */
static void
test_window_add_only (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page = window_child (f, "unsupported_page");
  TesseraGenerateDialog *dialog;
  GtkWidget *upload_button = window_child (f, "upload_button");

  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "unsupported");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==, "Certificates Cannot Be Listed");
  g_assert_false (gtk_widget_is_sensitive (window_child (f, "revoke_button")));

  tessera_ui_test_click (window_child (f, "generate_button"));
  TESSERA_UI_WAIT ((dialog = TESSERA_GENERATE_DIALOG (tessera_ui_test_find_window (TESSERA_TYPE_GENERATE_DIALOG))) != NULL, 10);
  TESSERA_UI_WAIT (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);
  tessera_generate_dialog_generate (dialog);
  TESSERA_UI_WAIT (gtk_widget_is_sensitive (upload_button), 60);
  tessera_ui_test_click (upload_button);

  store = tessera_key_store_new (tessera_ui_test_server_get (f->server, "JID"), NULL);
  TESSERA_UI_WAIT ((device = tessera_key_store_get_device_record (store, NULL)) != NULL, 60);
  TESSERA_UI_WAIT (window_settled (f), 60);
  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "unsupported");
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "add-only");
}

static void
set_form_text (GtkWidget  *form,
               const char *row,
               const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, row)), text);
}

/* Adding the second account: a wrong password is reported, the right one
 * shows what the server supports, saving switches the window to it. */
static void
test_window_add_account (Fixture       *f,
                         gconstpointer  data)
{
  TesseraAccountDialog *dialog;
  GtkWidget *form;
  GtkWidget *error_label;
  GtkWidget *connect_button;
  const char *jid2 = tessera_ui_test_server_get (f->server, "JID2");

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.add-account", NULL);
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ACCOUNT_DIALOG) != NULL, 10);
  dialog = TESSERA_ACCOUNT_DIALOG (tessera_ui_test_find_window (TESSERA_TYPE_ACCOUNT_DIALOG));
  form = tessera_account_dialog_get_form (dialog);
  error_label = tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, "error_label");
  connect_button = tessera_ui_test_child (dialog, TESSERA_TYPE_ACCOUNT_DIALOG, "connect_button");
  TESSERA_UI_WAIT (gtk_widget_get_mapped (connect_button), 10);

  set_form_text (form, "jid_row", jid2);
  set_form_text (form, "password_row", "not the password");
  set_form_text (form, "host_row", tessera_ui_test_server_get (f->server, "HOST"));
  set_form_text (form, "port_row", tessera_ui_test_server_get (f->server, "PORT"));
  tessera_account_form_set_ca_file (TESSERA_ACCOUNT_FORM (form), tessera_ui_test_server_get (f->server, "CA_FILE"));

  tessera_ui_test_click (connect_button);
  TESSERA_UI_WAIT (gtk_widget_get_visible (error_label) && !tessera_account_form_get_busy (TESSERA_ACCOUNT_FORM (form)), 60);
  g_assert_false (tessera_account_form_get_checked (TESSERA_ACCOUNT_FORM (form)));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "account-dialog-error");

  set_form_text (form, "password_row", tessera_ui_test_server_get (f->server, "PASSWORD2"));
  g_assert_false (gtk_widget_get_visible (error_label));
  tessera_ui_test_click (connect_button);
  TESSERA_UI_WAIT (!tessera_account_form_get_busy (TESSERA_ACCOUNT_FORM (form)), 60);
  if (!tessera_account_form_get_checked (TESSERA_ACCOUNT_FORM (form)))
    g_error ("connect check failed: %s", gtk_label_get_label (GTK_LABEL (error_label)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (connect_button)), ==, "_Save");
  g_assert_true (gtk_widget_get_mapped (tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, "results_group")));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "account-dialog");

  tessera_ui_test_click (connect_button);
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ACCOUNT_DIALOG) == NULL, 30);
  g_assert_cmpstr (tessera_account_get_jid (tessera_window_get_account (f->window)), ==, jid2);
  TESSERA_UI_WAIT (window_settled (f), 60);
  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "empty");

  /* The switcher's radio items act on win.account: back to the first one. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.account", "s",
                              tessera_ui_test_server_get (f->server, "JID"));
  g_assert_cmpstr (tessera_account_get_jid (tessera_window_get_account (f->window)), ==,
                   tessera_ui_test_server_get (f->server, "JID"));
  TESSERA_UI_WAIT (window_settled (f), 60);
  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "empty");
}

/* Ctrl+? opens the shortcuts window (tessera-shortcuts-window.ui, built on first use); Ctrl+Q quits. */
static void
test_window_shortcuts (Fixture       *f,
                       gconstpointer  data)
{
  GtkApplication *app = tessera_ui_test_get_app ();
  g_auto(GStrv) help_accels = gtk_application_get_accels_for_action (app, "win.show-help-overlay");
  g_auto(GStrv) quit_accels = gtk_application_get_accels_for_action (app, "app.quit");
  GtkWindow *shortcuts;

  g_assert_true (g_strv_contains ((const char * const *) help_accels, "<Control>question"));
  g_assert_true (g_strv_contains ((const char * const *) quit_accels, "<Control>q"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-help-overlay", NULL));
  TESSERA_UI_WAIT ((shortcuts = tessera_ui_test_find_window (GTK_TYPE_SHORTCUTS_WINDOW)) != NULL &&
                   gtk_widget_get_mapped (GTK_WIDGET (shortcuts)), 10);
  tessera_ui_test_screenshot (GTK_WIDGET (shortcuts), "shortcuts");
}

/* The window size goes to GSettings when the window closes. */
static void
test_window_size_saved (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 700);
  tessera_ui_test_settle (100);
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "size-saved");
  gtk_window_close (GTK_WINDOW (f->window));
  tessera_ui_test_settle (100);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
  g_assert_cmpstr (g_settings_get_string (settings, "last-account"), ==,
                   tessera_ui_test_server_get (f->server, "JID"));
}

static void
cli_exited_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* The window and a tessera-cli on one account and one file keyring at
 * once (issue 15): the CLI enrolls while the window refreshes, then the
 * window makes a key of its own. Neither fails for the other's sake: the
 * refreshes wait for the CLI's lock on their threads, and the window's
 * keyring write sees the CLI's (libsecret's file keyring used to refuse it,
 * "The file was externally modified"). */
static void
test_window_cli_at_once (Fixture       *f,
                         gconstpointer  data)
{
  const char *cli = g_getenv ("TESSERA_CLI");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *port = g_strdup_printf ("%u", tessera_test_server_get_port (f->server));
  g_autofree char *text = NULL;
  g_autofree char *cli_file = g_build_filename (g_get_user_runtime_dir (), "command-line.pem", NULL);
  guint refreshes = 0;
  gboolean exited = FALSE;

  g_assert_nonnull (cli);
  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "empty");

  /* the CLI gets this process's XDG directories (GLib's test isolation
   * sets them for this process only) and inherits its file keyring */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "TESSERA_PASSWORD", tessera_ui_test_server_get (f->server, "PASSWORD"), TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "--timeout", "60",
                                         "--jid", tessera_ui_test_server_get (f->server, "JID"),
                                         "--host", tessera_ui_test_server_get (f->server, "HOST"),
                                         "--port", port,
                                         "--ca-file", tessera_test_server_get_ca_file (f->server),
                                         "enroll", "Command line", "--other-device", "--format", "pem",
                                         "--no-encrypt", "-o", cli_file, NULL);
  g_assert_no_error (error);

  /* refresh the window again and again while the CLI works */
  g_subprocess_wait_async (process, NULL, cli_exited_cb, &exited);
  while (!exited)
    {
      if (window_settled (f))
        {
          tessera_window_refresh (f->window);
          refreshes++;
        }
      tessera_ui_test_settle (50);
    }
  g_assert_true (g_subprocess_communicate (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_test_message ("tessera-cli enroll next to the window (%u refreshes meanwhile): exit %d: %s",
                  refreshes, g_subprocess_get_exit_status (process), text);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  /* the window's own key: its passphrase goes into the keyring the CLI
   * just wrote (one certificate per device: the CLI's was for another
   * device, its key passed through that keyring and left) */
  g_assert_true (g_file_test (cli_file, G_FILE_TEST_IS_REGULAR));
  TESSERA_UI_WAIT (window_settled (f), 60);
  generate_and_upload (f, "Window");
  tessera_window_refresh (f->window);
  TESSERA_UI_WAIT (window_settled (f), 60);
  g_assert_cmpstr (tessera_window_get_page (f->window), ==, "list");
  g_assert_cmpuint (n_entries (f), ==, 2);
}

static guint
count_visible_labels (GtkWidget  *root,
                      const char *text)
{
  guint count = 0;

  if (!gtk_widget_get_visible (root))
    return 0;
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    count++;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    count += count_visible_labels (child, text);
  return count;
}

/* The demo account's "Old tablet" (last used 120 days ago) and "Old phone"
 * (never used, issued 60 days ago) are stale: badged in the list, offered
 * together by "Revoke Stale Certificates…" and revoked on the real server
 * after one confirmation; the others stay. */
static void
test_window_revoke_stale (Fixture       *f,
                          gconstpointer  data)
{
  AdwMessageDialog *dialog;
  const char *body;
  guint before = n_entries (f);
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
  GListModel *model = tessera_cert_list_get_model (f->cert_list);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (model, i);

      if (tessera_cert_entry_is_stale (entry, now))
        g_ptr_array_add (stale, g_strdup (tessera_cert_entry_get_fingerprint (entry)));
    }
  g_assert_cmpuint (stale->len, ==, 2);

  /* One "Stale" badge per stale row, none elsewhere (the list draws the
   * rows of all five: the window is large enough). */
  g_assert_cmpuint (count_visible_labels (GTK_WIDGET (f->cert_list), "Stale"), ==, 2);
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "stale-list");

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.revoke-stale", NULL);
  dialog = wait_for_message_dialog ();
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "2 Stale"));
  g_assert_nonnull (strstr (body, "Old tablet"));
  g_assert_nonnull (strstr (body, "Old phone"));
  g_assert_null (strstr (body, "Laptop"));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "revoke-stale-confirm");
  tessera_ui_test_respond (dialog, "_Revoke All");

  TESSERA_UI_WAIT (window_settled (f) && n_entries (f) == before - 2, 60);
  for (guint i = 0; i < stale->len; i++)
    g_assert_false (is_listed (f, g_ptr_array_index (stale, i)));
}

/* ---- several selected ---------------------------------------------------- */

static GtkWidget *
find_widget_of_type (GtkWidget *root,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Where the list shows @name (it sorts by name). */
static guint
row_of (Fixture    *f,
        const char *name)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (find_widget_of_type (GTK_WIDGET (f->cert_list), GTK_TYPE_COLUMN_VIEW));
  GListModel *rows = G_LIST_MODEL (gtk_column_view_get_model (view));

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (rows, i);

      if (g_strcmp0 (tessera_cert_entry_get_name (entry), name) == 0)
        return i;
    }
  g_assert_not_reached ();
}

/* A click on a row, with Ctrl or Shift held: what GtkListView's click
 * gesture does is activate this action of its own. */
static void
click_row (Fixture    *f,
           const char *name,
           gboolean    ctrl,
           gboolean    shift)
{
  GtkWidget *list_view = find_widget_of_type (GTK_WIDGET (f->cert_list), GTK_TYPE_LIST_VIEW);

  g_assert_true (gtk_widget_activate_action (list_view, "list.select-item", "(ubb)", row_of (f, name), ctrl, shift));
}

static char *
fingerprint_of (Fixture    *f,
                const char *name)
{
  GListModel *model = tessera_cert_list_get_model (f->cert_list);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (model, i);

      if (g_strcmp0 (tessera_cert_entry_get_name (entry), name) == 0)
        return g_strdup (tessera_cert_entry_get_fingerprint (entry));
    }
  g_assert_not_reached ();
}

/* Another session of the same account (as the CLI or a second window
 * would be) revokes @fingerprint on the server. */
static void
revoke_elsewhere (Fixture    *f,
                  const char *fingerprint)
{
  g_autoptr(TesseraAccount) account = tessera_ui_test_account_new (f->server);
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (tessera_account_get_jid (account), NULL);
  g_autoptr(TesseraSession) session = tessera_session_new (account, store);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tessera_session_set_password (session, tessera_ui_test_server_get (f->server, "PASSWORD"));
  tessera_session_revoke_async (session, fingerprint, NULL, tessera_test_async_result_cb, &result);
  TESSERA_UI_WAIT (result != NULL, 60);
  g_assert_true (tessera_session_revoke_finish (session, result, &error));
  g_assert_no_error (error);
  tessera_session_close (session);
}

/* The names the server lists now, sorted, comma-separated. */
static char *
server_names (Fixture *f)
{
  g_autoptr(TesseraAccount) account = tessera_ui_test_account_new (f->server);
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (tessera_account_get_jid (account), NULL);
  g_autoptr(TesseraSession) session = tessera_session_new (account, store);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) listed = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  tessera_session_set_password (session, tessera_ui_test_server_get (f->server, "PASSWORD"));
  tessera_session_list_async (session, NULL, tessera_test_async_result_cb, &result);
  TESSERA_UI_WAIT (result != NULL, 60);
  listed = tessera_session_list_finish (session, result, &error);
  g_assert_no_error (error);
  tessera_session_close (session);
  for (guint i = 0; i < g_list_model_get_n_items (listed); i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (listed, i);

      g_ptr_array_add (names, g_strdup (tessera_cert_entry_get_name (entry)));
    }
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

static AdwMessageDialog *
wait_for_dialog_titled (const char *heading,
                        guint       seconds)
{
  AdwMessageDialog *dialog = NULL;

  TESSERA_UI_WAIT ((dialog = ADW_MESSAGE_DIALOG (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG))) != NULL &&
                   g_strcmp0 (adw_message_dialog_get_heading (dialog), heading) == 0 &&
                   gtk_widget_get_mapped (GTK_WIDGET (dialog)), seconds);
  return dialog;
}

/* Click, Shift+click and Ctrl+click select four of the demo account's five
 * certificates, this device's among them; the details pane counts them and
 * offers "Revoke Selected…"; one confirmation lists all four and wants this
 * device's name typed. Before it is answered another session revokes "Old
 * tablet": the other three are revoked on the real server, this device's
 * key is deleted, and the summary names what was revoked and why "Old
 * tablet" was not. */
static void
test_window_revoke_selected (Fixture       *f,
                             gconstpointer  data)
{
  GtkWidget *details = window_child (f, "details");
  GtkWidget *revoke_selected = tessera_ui_test_child (details, TESSERA_TYPE_CERT_DETAILS, "revoke_selected_button");
  GtkWidget *list_view;
  g_autofree char *device = NULL;
  g_autofree char *tablet = NULL;
  g_autofree char *left = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  AdwMessageDialog *dialog;
  const char *body;

  generate_and_upload (f, "Workstation");
  g_assert_cmpuint (n_entries (f), ==, 5);
  device = fingerprint_of (f, "Workstation");
  tablet = fingerprint_of (f, "Old tablet");

  /* Ctrl+A selects all, as GtkListView's own shortcut does. */
  list_view = find_widget_of_type (GTK_WIDGET (f->cert_list), GTK_TYPE_LIST_VIEW);
  g_assert_true (gtk_widget_activate_action (list_view, "list.select-all", NULL));
  g_assert_cmpuint (tessera_cert_list_get_n_selected (f->cert_list), ==, 5);

  click_row (f, "Old phone", FALSE, FALSE);
  g_assert_cmpuint (tessera_cert_list_get_n_selected (f->cert_list), ==, 1);
  g_assert_nonnull (tessera_cert_list_get_selected (f->cert_list));
  g_assert_false (gtk_widget_get_visible (revoke_selected));
  click_row (f, "Phone", FALSE, TRUE);
  click_row (f, "Workstation", TRUE, FALSE);
  g_assert_cmpuint (tessera_cert_list_get_n_selected (f->cert_list), ==, 4);
  g_assert_null (tessera_cert_list_get_selected (f->cert_list));

  /* The pane counts them; both buttons revoke them all. */
  TESSERA_UI_WAIT (gtk_revealer_get_child_revealed (GTK_REVEALER (window_child (f, "details_revealer"))), 10);
  g_assert_nonnull (tessera_ui_test_find_label (details, "4 Certificates Selected"));
  g_assert_true (gtk_widget_get_visible (revoke_selected));
  g_assert_true (gtk_widget_is_sensitive (revoke_selected));
  g_assert_true (gtk_widget_is_sensitive (window_child (f, "revoke_button")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (window_child (f, "revoke_button")), ==,
                   "Revoke the 4 selected certificates (Delete)");
  tessera_ui_test_settle (300);
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "revoke-selected");

  tessera_ui_test_click (revoke_selected);
  dialog = wait_for_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Revoke 4 Certificates?");
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "• Old phone, never used"));
  g_assert_nonnull (strstr (body, "• Old tablet, last used"));
  g_assert_nonnull (strstr (body, "• Phone, never used"));
  g_assert_nonnull (strstr (body, "• Workstation, "));
  g_assert_null (strstr (body, "Laptop"));
  g_assert_nonnull (strstr (body, "This device logs in with “Workstation”"));
  /* This device's certificate: the name typed, as for revoking it alone. */
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "revoke"));
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "Phone");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "revoke"));
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "Workstation");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "revoke"));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "revoke-selected-confirm");

  /* Meanwhile, elsewhere: a real failure for the one in the middle. */
  revoke_elsewhere (f, tablet);
  tessera_ui_test_respond (dialog, "_Revoke All");

  dialog = wait_for_dialog_titled ("Some Certificates Were Not Revoked", 180);
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("summary: %s", body);
  g_assert_nonnull (strstr (body, "3 of 4 revoked."));
  g_assert_nonnull (strstr (body, "Revoked:\n• Old phone\n• Phone\n• Workstation\n"));
  g_assert_nonnull (strstr (body, "Not revoked:\n• Old tablet: "));
  g_assert_nonnull (strstr (body, "does not list"));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "revoke-selected-summary");
  tessera_ui_test_respond (dialog, "_Close");

  /* The server keeps only the one not selected; this device's key is gone. */
  left = server_names (f);
  g_assert_cmpstr (left, ==, "Laptop");
  TESSERA_UI_WAIT (window_settled (f) && n_entries (f) == 1, 60);
  store = tessera_key_store_new (tessera_ui_test_server_get (f->server, "JID"), NULL);
  record = tessera_key_store_find_by_fingerprint (store, device);
  g_assert_null (record);
}

int
main (int   argc,
      char *argv[])
{
  tessera_ui_test_init (&argc, &argv);

  g_test_add ("/tessera/ui/window/list", Fixture, options_demo,
              fixture_setup, test_window_list, fixture_teardown);
  g_test_add ("/tessera/ui/window/upload-user-passphrase", Fixture, options_plain,
              fixture_setup, test_window_upload_user_passphrase, fixture_teardown);
  g_test_add ("/tessera/ui/window/generate-upload", Fixture, options_plain,
              fixture_setup, test_window_generate_upload, fixture_teardown);
  g_test_add ("/tessera/ui/window/overview", Fixture, options_demo,
              fixture_setup, test_window_overview, fixture_teardown);
  g_test_add ("/tessera/ui/window/revoke-stale", Fixture, options_demo,
              fixture_setup, test_window_revoke_stale, fixture_teardown);
  g_test_add ("/tessera/ui/window/revoke-selected", Fixture, options_demo,
              fixture_setup, test_window_revoke_selected, fixture_teardown);
  g_test_add ("/tessera/ui/window/revoke", Fixture, options_demo,
              fixture_setup, test_window_revoke, fixture_teardown);
  g_test_add ("/tessera/ui/window/revoke-this-device", Fixture, options_plain,
              fixture_setup, test_window_revoke_this_device, fixture_teardown);
  g_test_add ("/tessera/ui/window/no-revoke", Fixture, options_no_revoke,
              fixture_setup, test_window_no_revoke, fixture_teardown);
  g_test_add ("/tessera/ui/window/server-stopped", Fixture, options_demo,
              fixture_setup, test_window_server_stopped, fixture_teardown);
  g_test_add ("/tessera/ui/window/xep0257", Fixture, options_xep0257,
              fixture_setup, test_window_xep0257, fixture_teardown);
  g_test_add ("/tessera/ui/window/add-only", Fixture, options_add_only,
              fixture_setup, test_window_add_only, fixture_teardown);
  g_test_add ("/tessera/ui/window/unsupported", Fixture, options_unsupported,
              fixture_setup, test_window_unsupported, fixture_teardown);
  g_test_add ("/tessera/ui/window/add-account", Fixture, options_plain,
              fixture_setup, test_window_add_account, fixture_teardown);
  g_test_add ("/tessera/ui/window/shortcuts", Fixture, options_plain,
              fixture_setup, test_window_shortcuts, fixture_teardown);
  g_test_add ("/tessera/ui/window/size-saved", Fixture, options_plain,
              fixture_setup, test_window_size_saved, fixture_teardown);
  g_test_add ("/tessera/ui/window/cli-at-once", Fixture, options_plain,
              fixture_setup, test_window_cli_at_once, fixture_teardown);

  return tessera_ui_test_run ();
}
