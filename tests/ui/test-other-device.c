/* test-other-device.c: "Add Another Device…" and the refusal of a second certificate for this device
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "tessera-cert-list.h"
#include "tessera-generate-dialog.h"
#include "tessera-other-device-dialog.h"
#include "tessera-test-fixtures.h"
#include "tessera-ui-test.h"
#include "tessera-window.h"

#define PASSPHRASE "the phone's import passphrase"

typedef struct
{
  TesseraTestServer *server;
  TesseraKeyStore   *store;
  TesseraKeyRecord  *record;    /* this device's */
  TesseraWindow     *window;
  char              *outdir;
} Fixture;

static const char *server_options[] = { NULL };

/* This device is enrolled through the core, as the wizard does; then the
 * window shows its account. */
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

  f->outdir = g_dir_make_tmp ("tessera-other-device-XXXXXX", &error);
  g_assert_no_error (error);

  f->window = tessera_window_new (tessera_ui_test_get_app ());
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 640);
  gtk_window_present (GTK_WINDOW (f->window));
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

static TesseraCertList *
cert_list (Fixture *f)
{
  return TESSERA_CERT_LIST (tessera_ui_test_child (f->window, TESSERA_TYPE_WINDOW, "cert_list"));
}

static guint
n_listed (Fixture *f)
{
  GListModel *model = tessera_cert_list_get_model (cert_list (f));

  return model != NULL ? g_list_model_get_n_items (model) : 0;
}

static TesseraCertEntry *
listed_entry (Fixture    *f,
              const char *fingerprint)
{
  GListModel *model = tessera_cert_list_get_model (cert_list (f));

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (model, i);

      if (g_str_equal (tessera_cert_entry_get_fingerprint (entry), fingerprint))
        return g_steal_pointer (&entry);
    }
  return NULL;
}

static void
wait_for_window (Fixture *f,
                 guint    n_entries)
{
  TESSERA_UI_WAIT (n_listed (f) == n_entries && !tessera_window_get_busy (f->window), 60);
}

static char *
get_string (gpointer    object,
            const char *property)
{
  char *value = NULL;

  g_object_get (object, property, &value, NULL);
  return value;
}

static gboolean
page_is (TesseraOtherDeviceDialog *dialog,
         const char               *page)
{
  g_autofree char *current = get_string (dialog, "page");

  return g_strcmp0 (current, page) == 0;
}

static GtkWidget *
dialog_child (TesseraOtherDeviceDialog *dialog,
              const char               *name)
{
  return tessera_ui_test_child (dialog, TESSERA_TYPE_OTHER_DEVICE_DIALOG, name);
}

static TesseraOtherDeviceDialog *
open_from_menu (Fixture *f)
{
  TesseraOtherDeviceDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.add-other-device", NULL));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_OTHER_DEVICE_DIALOG) != NULL, 10);
  dialog = TESSERA_OTHER_DEVICE_DIALOG (tessera_ui_test_find_window (TESSERA_TYPE_OTHER_DEVICE_DIALOG));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  TESSERA_UI_WAIT (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);
  return dialog;
}

/* Only this device's key is in the store: nothing of another device's. */
static void
assert_only_this_device_here (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = tessera_key_store_list (f->store, &error);
  g_autoptr(TesseraKeyRecord) device = tessera_key_store_get_device_record (f->store, NULL);

  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_nonnull (device);
  g_assert_cmpstr (tessera_key_record_get_id (device), ==, tessera_key_record_get_id (f->record));
}

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

/* From the primary menu: a PKCS #12 for a phone. The form refuses what is
 * wrong before anything is made; the file is written 0600, readable by
 * GnuTLS's certtool with the passphrase; nothing of it stays here; the list
 * shows the phone's certificate, never as this device. */
static void
test_add_phone (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->outdir, "Phone.p12", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *password_arg = g_strdup_printf ("--password=%s", PASSPHRASE);
  const char *certtool[] = { "certtool", "--p12-info", "--inder", "--infile", path, password_arg, NULL };
  const char *device_fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (f->record));
  g_autoptr(TesseraCertEntry) phone = NULL;
  g_autoptr(TesseraKeyRecord) enrolled = NULL;
  g_autofree char *message = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *info = NULL;
  TesseraOtherDeviceDialog *dialog;
  struct stat st;
  int status = -1;

  wait_for_window (f, 1);
  dialog = open_from_menu (f);
  g_signal_connect_swapped (dialog, "enrolled", G_CALLBACK (g_set_object), &enrolled);

  /* No passphrase: said at once, no file chooser, nothing made */
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")), "Phone");
  tessera_ui_test_click (dialog_child (dialog, "save_button"));
  message = get_string (dialog, "error-message");
  g_assert_nonnull (message);
  g_assert_null (tessera_ui_test_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_clear_pointer (&message, g_free);

  /* A name the rule refuses */
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")), "   ");
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "passphrase_row")), PASSPHRASE);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "confirm_row")), PASSPHRASE);
  tessera_other_device_dialog_save_to (dialog, file);
  message = get_string (dialog, "error-message");
  g_assert_nonnull (strstr (message, "1 to"));
  g_assert_true (page_is (dialog, "form"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")), "Phone");
  tessera_ui_test_settle (200);
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "other-device-dialog");

  tessera_other_device_dialog_save_to (dialog, file);
  TESSERA_UI_WAIT (!page_is (dialog, "progress"), 120);
  message = get_string (dialog, "error-message");
  g_assert_cmpstr (message, ==, NULL);
  g_assert_true (page_is (dialog, "done"));
  hint = get_string (dialog, "hint");
  g_assert_nonnull (strstr (hint, "credential store"));
  g_assert_nonnull (strstr (hint, "Login with certificate"));
  g_assert_nonnull (strstr (hint, "Phone.p12"));
  tessera_ui_test_settle (200);
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "other-device-done");

  g_assert_no_errno (g_lstat (path, &st));
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  info = run_tool (certtool, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (info, "BEGIN CERTIFICATE"));
  assert_only_this_device_here (f);

  /* Listed like any other, not as this device, its key not kept here */
  g_assert_nonnull (enrolled);
  TESSERA_UI_WAIT (n_listed (f) == 2 && !tessera_window_get_busy (f->window), 60);
  phone = listed_entry (f, tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (enrolled)));
  g_assert_nonnull (phone);
  g_assert_false (tessera_cert_list_is_device (cert_list (f), phone));
  g_assert_true (tessera_cert_list_select_fingerprint (cert_list (f), device_fingerprint));
  tessera_ui_test_close_window (GTK_WINDOW (dialog));
  tessera_ui_test_settle (300);
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "other-device-window");
}

/* PEM for poezio or a bot: no passphrase once the switch is off, and the
 * page after says what poezio wants. */
static void
test_add_bot_pem (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->outdir, "bot.pem", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *hint = NULL;
  g_autofree char *contents = NULL;
  TesseraOtherDeviceDialog *dialog;
  GtkWidget *group;

  wait_for_window (f, 1);
  dialog = open_from_menu (f);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")), "Bot");
  adw_combo_row_set_selected (ADW_COMBO_ROW (dialog_child (dialog, "format_row")), TESSERA_EXPORT_FORMAT_PEM);
  group = gtk_widget_get_ancestor (dialog_child (dialog, "passphrase_row"), ADW_TYPE_PREFERENCES_GROUP);
  g_assert_true (gtk_widget_get_sensitive (group));
  g_assert_nonnull (tessera_ui_test_find_label_containing (GTK_WIDGET (dialog), "cannot be given a passphrase"));
  gtk_switch_set_active (GTK_SWITCH (dialog_child (dialog, "encrypt_switch")), FALSE);
  g_assert_false (gtk_widget_get_sensitive (group));

  tessera_other_device_dialog_save_to (dialog, file);
  TESSERA_UI_WAIT (!page_is (dialog, "progress"), 120);
  g_assert_true (page_is (dialog, "done"));
  hint = get_string (dialog, "hint");
  g_assert_nonnull (strstr (hint, "poezio"));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "-----BEGIN CERTIFICATE-----"));
  g_assert_nonnull (strstr (contents, "-----BEGIN PRIVATE KEY-----"));
  assert_only_this_device_here (f);
}

/* Generate on a device that has its certificate: the core refuses, the
 * dialog says why and offers Renew (once the window has it) and Add
 * Another Device, which opens that dialog. No key is made. */
static void
test_generate_refused (Fixture       *f,
                       gconstpointer  data)
{
  TesseraGenerateDialog *dialog;
  GtkWidget *error_label;
  GtkWidget *renew;
  g_autofree char *message = NULL;
  gboolean refused = FALSE;

  wait_for_window (f, 1);
  TESSERA_UI_WAIT (gtk_widget_is_sensitive (tessera_ui_test_child (f->window, TESSERA_TYPE_WINDOW,
                                                                   "generate_button")), 30);
  tessera_ui_test_click (tessera_ui_test_child (f->window, TESSERA_TYPE_WINDOW, "generate_button"));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_GENERATE_DIALOG) != NULL, 10);
  dialog = TESSERA_GENERATE_DIALOG (tessera_ui_test_find_window (TESSERA_TYPE_GENERATE_DIALOG));
  TESSERA_UI_WAIT (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);
  g_assert_false (gtk_widget_get_visible (tessera_ui_test_child (dialog, TESSERA_TYPE_GENERATE_DIALOG,
                                                                 "enrolled_box")));

  tessera_generate_dialog_generate (dialog);
  TESSERA_UI_WAIT ((g_object_get (dialog, "device-enrolled", &refused, NULL), refused), 60);
  error_label = tessera_ui_test_child (dialog, TESSERA_TYPE_GENERATE_DIALOG, "error_label");
  g_assert_true (gtk_widget_get_visible (error_label));
  message = g_strdup (gtk_label_get_label (GTK_LABEL (error_label)));
  g_assert_nonnull (strstr (message, "already holds a valid certificate"));
  g_assert_nonnull (strstr (message, "Work Laptop"));
  g_assert_nonnull (strstr (message, "another device"));
  g_assert_true (gtk_widget_get_visible (tessera_ui_test_child (dialog, TESSERA_TYPE_GENERATE_DIALOG,
                                                                "enrolled_box")));
  /* The window has renewal (win.renew): Renew is offered */
  renew = tessera_ui_test_child (dialog, TESSERA_TYPE_GENERATE_DIALOG, "renew_button");
  g_assert_cmpint (gtk_widget_get_sensitive (renew), ==,
                   tessera_other_device_window_has_action (GTK_WINDOW (dialog), "win.renew"));
  g_assert_true (gtk_widget_get_sensitive (renew));
  tessera_ui_test_settle (200);
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "generate-refused");
  assert_only_this_device_here (f);

  tessera_ui_test_click (tessera_ui_test_child (dialog, TESSERA_TYPE_GENERATE_DIALOG, "other_device_button"));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_OTHER_DEVICE_DIALOG) != NULL, 10);
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_GENERATE_DIALOG) == NULL, 10);
}

/* A pending key made before this device had its certificate (made in
 * another folder, with the same keyring, and moved in): Upload is refused
 * by the core as Generate is, the window says why and offers Renew and
 * Add Another Device, and the pending key stays. */
static void
test_upload_refused (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TesseraAccount) account = tessera_ui_test_account_new (f->server);
  g_autofree char *base = g_build_filename (f->outdir, "old-store", NULL);
  g_autoptr(TesseraKeyStore) other_store = tessera_key_store_new (tessera_account_get_jid (account), base);
  g_autoptr(TesseraEnrollment) enrollment = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TesseraKeyRecord) pending = NULL;
  g_autoptr(TesseraKeyRecord) still = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  GtkWidget *upload_button;
  AdwMessageDialog *dialog = NULL;
  const char *body;

  wait_for_window (f, 1);
  enrollment = tessera_enrollment_new (other_store, tessera_account_get_jid (account), "Old Laptop",
                                       TESSERA_KEY_TYPE_ECDSA_P256);
  tessera_enrollment_prepare_async (enrollment, TESSERA_CERT_PROTOCOL_CCM2, NULL, tessera_test_async_result_cb,
                                    &result);
  TESSERA_UI_WAIT (result != NULL, 120);
  pending = tessera_enrollment_prepare_finish (enrollment, result, &error);
  g_assert_no_error (error);
  from = g_build_filename (tessera_key_store_get_dir (other_store), tessera_key_record_get_id (pending), NULL);
  to = g_build_filename (tessera_key_store_get_dir (f->store), tessera_key_record_get_id (pending), NULL);
  g_assert_no_errno (g_rename (from, to));

  tessera_window_refresh (f->window);
  upload_button = tessera_ui_test_child (f->window, TESSERA_TYPE_WINDOW, "upload_button");
  TESSERA_UI_WAIT (gtk_widget_is_sensitive (upload_button), 60);
  tessera_ui_test_click (upload_button);
  TESSERA_UI_WAIT ((dialog = ADW_MESSAGE_DIALOG (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG))) != NULL &&
                   gtk_widget_get_mapped (GTK_WIDGET (dialog)), 120);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "This Device Has a Certificate");
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "already holds a valid certificate"));
  g_assert_nonnull (strstr (body, "Work Laptop"));
  g_assert_nonnull (strstr (body, "stays on this device"));
  g_assert_true (adw_message_dialog_has_response (dialog, "renew"));
  g_assert_true (adw_message_dialog_has_response (dialog, "other-device"));
  tessera_ui_test_settle (200);
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "upload-refused");

  /* Nothing was sent: the pending key is kept, this device unchanged. */
  still = tessera_key_store_lookup (f->store, tessera_key_record_get_id (pending), &error);
  g_assert_no_error (error);
  g_assert_null (tessera_key_record_get_certificate (still));
  g_assert_true (g_file_test (to, G_FILE_TEST_IS_DIR));
  g_clear_object (&still);
  still = tessera_key_store_get_device_record (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_key_record_get_id (still), ==, tessera_key_record_get_id (f->record));
  g_assert_cmpuint (n_listed (f), ==, 1);

  adw_message_dialog_response (dialog, "other-device");
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_OTHER_DEVICE_DIALOG) != NULL, 10);
}

/* A store from before one certificate per device, with two valid ones: the
 * newest is this device, the other is marked as kept on this device. The
 * second is enrolled into another folder (same keyring) and moved in. */
static void
test_kept_badge (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(TesseraAccount) account = tessera_ui_test_account_new (f->server);
  g_autofree char *base = g_build_filename (f->outdir, "old-store", NULL);
  g_autoptr(TesseraKeyStore) other_store = tessera_key_store_new (tessera_account_get_jid (account), base);
  g_autoptr(TesseraKeyRecord) second = NULL;
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autoptr(TesseraCertEntry) kept = NULL;
  g_autoptr(TesseraCertEntry) newest = NULL;

  wait_for_window (f, 1);
  second = tessera_ui_test_enroll (f->server, other_store, "Old Desktop");
  from = g_build_filename (tessera_key_store_get_dir (other_store), tessera_key_record_get_id (second), NULL);
  to = g_build_filename (tessera_key_store_get_dir (f->store), tessera_key_record_get_id (second), NULL);
  g_assert_no_errno (g_rename (from, to));

  device = tessera_key_store_get_device_record (f->store, NULL);
  g_assert_cmpstr (tessera_key_record_get_id (device), ==, tessera_key_record_get_id (second));
  tessera_window_refresh (f->window);
  wait_for_window (f, 2);
  newest = listed_entry (f, tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (second)));
  kept = listed_entry (f, tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (f->record)));
  g_assert_nonnull (newest);
  g_assert_nonnull (kept);
  g_assert_true (tessera_cert_list_is_device (cert_list (f), newest));
  g_assert_false (tessera_cert_list_is_device (cert_list (f), kept));
  TESSERA_UI_WAIT (tessera_ui_test_find_label (GTK_WIDGET (cert_list (f)), "Kept on this device") != NULL, 10);
  g_assert_nonnull (tessera_ui_test_find_label (GTK_WIDGET (cert_list (f)), "This device"));
  tessera_ui_test_settle (300);
  tessera_ui_test_screenshot (GTK_WIDGET (f->window), "kept-on-this-device");
}

int
main (int    argc,
      char **argv)
{
  tessera_ui_test_init (&argc, &argv);

  g_test_add ("/other-device/phone-pkcs12", Fixture, server_options, fixture_setup, test_add_phone,
              fixture_teardown);
  g_test_add ("/other-device/bot-pem", Fixture, server_options, fixture_setup, test_add_bot_pem,
              fixture_teardown);
  g_test_add ("/other-device/kept-badge", Fixture, server_options, fixture_setup, test_kept_badge,
              fixture_teardown);
  g_test_add ("/other-device/upload-refused", Fixture, server_options, fixture_setup, test_upload_refused,
              fixture_teardown);
  g_test_add ("/other-device/generate-refused", Fixture, server_options, fixture_setup, test_generate_refused,
              fixture_teardown);

  return tessera_ui_test_run ();
}
