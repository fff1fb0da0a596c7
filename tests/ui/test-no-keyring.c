/* test-no-keyring.c: the wizard on a desktop without a Secret Service
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include "tessera-account-form.h"
#include "tessera-enroll-wizard.h"
#include "tessera-test-fixtures.h"
#include "tessera-ui-test.h"
#include "tessera-account-model.h"
#include "tessera-cert-list.h"
#include "tessera-export-dialog.h"
#include "tessera-other-device-dialog.h"
#include "tessera-window.h"

/* No Secret Service: this program runs on a session bus of its own, a
 * dbus-daemon with no service files (so no keyring can be activated), and
 * without libsecret's file backend. GTK uses that bus as usual. */

#define PASSPHRASE "Correct horse 42 battery!"

typedef struct
{
  TesseraTestServer *server;
} Fixture;

static const char *server_options[] = { NULL };

static char *bus_dir;
static GSubprocess *bus;

/* The bus dies with this program, even when a failed assertion ends it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_bare_session_bus (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *address = NULL;

  bus_dir = tessera_test_tmpdir_new ("bare-bus-XXXXXX");
  config_path = g_build_filename (bus_dir, "session.conf", NULL);
  config = g_strdup_printf ("<busconfig>\n"
                            "  <type>session</type>\n"
                            "  <listen>unix:dir=%s</listen>\n"
                            "  <policy context=\"default\">\n"
                            "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                            "    <allow eavesdrop=\"true\"/>\n"
                            "    <allow own=\"*\"/>\n"
                            "  </policy>\n"
                            "</busconfig>\n", bus_dir);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  /* Its stderr is not the test's: a daemon left behind must not hold the
   * test harness's pipe open. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork",
                                     "--print-address=1", "--config-file", config_path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus));
  address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  g_unsetenv ("SECRET_BACKEND");
  g_unsetenv ("SECRET_FILE_TEST_PATH");
  g_unsetenv ("SECRET_FILE_TEST_PASSWORD");
}

static void
stop_bare_session_bus (void)
{
  g_subprocess_send_signal (bus, SIGTERM);
  g_subprocess_wait (bus, NULL, NULL);
  g_clear_object (&bus);
  tessera_test_tmpdir_free (g_steal_pointer (&bus_dir));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  tessera_ui_test_get_app ();
  f->server = tessera_ui_test_start_server (data);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tessera_ui_test_close_all_windows ();
  g_clear_pointer (&f->server, tessera_test_server_stop);
}

static GtkWidget *
wizard_child (TesseraEnrollWizard *wizard,
              const char          *name)
{
  return tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, name);
}

static void
set_text (GtkWidget  *row,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static const char *
hint (TesseraEnrollWizard *wizard)
{
  return gtk_label_get_label (GTK_LABEL (wizard_child (wizard, "passphrase_hint_label")));
}

/* TRUE when @needle is in a file under @dir (recursively). */
static gboolean
found_in_files (const char *dir,
                const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (found_in_files (path, needle))
            return TRUE;
          continue;
        }
      if (g_file_get_contents (path, &contents, &length, NULL) &&
          g_strstr_len (contents, length, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
wait_for_list (TesseraWindow *window)
{
  TESSERA_UI_WAIT (g_strcmp0 (tessera_window_get_page (window), "list") == 0 &&
                   !tessera_window_get_busy (window), 60);
  g_assert_nonnull (tessera_account_model_get_entries (tessera_window_get_model (window)));
  g_assert_cmpuint (g_list_model_get_n_items (tessera_account_model_get_entries (tessera_window_get_model (window))),
                    ==, 1);
}

static char *
meta_passphrase_source (TesseraKeyRecord *record)
{
  g_autofree char *dir = g_path_get_dirname (tessera_key_record_get_key_path (record));
  g_autofree char *path = g_build_filename (dir, "meta.ini", NULL);
  g_autoptr(GKeyFile) meta = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_file (meta, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  return g_key_file_get_string (meta, "key", "passphrase", NULL);
}

/* After the wizard the window asks for the account's password (and the
 * key's passphrase); a wrong password is refused and asked again; the
 * right one loads the certificates from the server. */
static void
window_asks_for_password (Fixture          *f,
                          TesseraKeyRecord *device)
{
  TesseraWindow *window = TESSERA_WINDOW (tessera_ui_test_find_window (TESSERA_TYPE_WINDOW));
  AdwMessageDialog *dialog;

  dialog = tessera_ui_test_wait_for_password_dialog (60);
  g_assert_nonnull (tessera_ui_test_find_named (GTK_WIDGET (dialog), "key-passphrase-entry"));
  g_assert_true (tessera_account_model_get_needs_password (tessera_window_get_model (window)));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "passphrase you chose"));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "no-keyring-window-unlock");
  tessera_ui_test_log_in (dialog, "not the password", PASSPHRASE);

  dialog = tessera_ui_test_wait_for_password_dialog (60);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "refused the password"));
  g_assert_null (tessera_ui_test_find_named (GTK_WIDGET (dialog), "key-passphrase-entry"));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "no-keyring-window-password");
  g_assert_cmpstr (tessera_window_get_page (window), ==, "offline");
  tessera_ui_test_log_in (dialog, tessera_ui_test_server_get (f->server, "PASSWORD"), NULL);

  wait_for_list (window);
  g_assert_false (tessera_account_model_get_needs_password (tessera_window_get_model (window)));
  g_assert_false (tessera_account_model_get_can_remember (tessera_window_get_model (window)));
  g_assert_false (found_in_files (g_get_user_data_dir (), tessera_ui_test_server_get (f->server, "PASSWORD")));
  g_assert_false (found_in_files (g_get_user_config_dir (), tessera_ui_test_server_get (f->server, "PASSWORD")));
  g_assert_false (found_in_files (g_get_user_data_dir (), PASSPHRASE));
}

static gboolean
export_page_is (TesseraExportDialog *dialog,
                const char          *page)
{
  g_autofree char *current = NULL;

  g_object_get (dialog, "page", &current, NULL);
  return g_strcmp0 (current, page) == 0;
}

/* "Export…" for this device's key, whose passphrase the user typed in the
 * window's prompt: the dialog gets it from the window and the file is
 * written; another implementation (GnuTLS's certtool) reads it. */
static void
export_from_window (Fixture          *f,
                    TesseraKeyRecord *device)
{
  TesseraWindow *window = TESSERA_WINDOW (tessera_ui_test_find_window (TESSERA_TYPE_WINDOW));
  TesseraCertList *list = TESSERA_CERT_LIST (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "cert_list"));
  GtkWidget *button = tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "export_button");
  const char *fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (device));
  g_autofree char *outdir = tessera_test_tmpdir_new ("no-keyring-export-XXXXXX");
  g_autofree char *path = g_build_filename (outdir, "device.p12", NULL);
  g_autofree char *password_arg = g_strdup_printf ("--password=%s", "export " PASSPHRASE);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *message = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *certtool[] = { "certtool", "--p12-info", "--inder", "--infile", path, password_arg, NULL };
  TesseraExportDialog *dialog;
  int status = -1;

  g_assert_nonnull (tessera_account_model_get_key_passphrase (tessera_window_get_model (window)));
  g_assert_true (tessera_cert_list_select_fingerprint (list, fingerprint));
  TESSERA_UI_WAIT (gtk_widget_get_sensitive (button), 10);
  tessera_ui_test_click (button);
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_EXPORT_DIALOG) != NULL, 10);
  dialog = TESSERA_EXPORT_DIALOG (tessera_ui_test_find_window (TESSERA_TYPE_EXPORT_DIALOG));
  TESSERA_UI_WAIT (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);

  gtk_editable_set_text (GTK_EDITABLE (tessera_ui_test_child (dialog, TESSERA_TYPE_EXPORT_DIALOG, "passphrase_row")),
                         "export " PASSPHRASE);
  gtk_editable_set_text (GTK_EDITABLE (tessera_ui_test_child (dialog, TESSERA_TYPE_EXPORT_DIALOG, "confirm_row")),
                         "export " PASSPHRASE);
  tessera_export_dialog_export_to (dialog, file);
  TESSERA_UI_WAIT (!export_page_is (dialog, "progress"), 60);
  g_object_get (dialog, "error-message", &message, NULL);
  if (!export_page_is (dialog, "done"))
    g_error ("export failed: %s", message);
  tessera_ui_test_settle (200);
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "no-keyring-export-done");
  tessera_ui_test_close_window (GTK_WINDOW (dialog));

  g_spawn_sync (NULL, (char **) certtool, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "BEGIN CERTIFICATE"));
  tessera_test_tmpdir_free (g_steal_pointer (&outdir));
}

/* A Secret Service appears (libsecret's file backend, which this process
 * has not used yet): the window offers, and only on request moves the
 * typed password and key passphrase there; a new window needs no prompt. */
static void
keyring_appears (Fixture          *f,
                 TesseraKeyStore  *store,
                 TesseraKeyRecord *device)
{
  TesseraWindow *window = TESSERA_WINDOW (tessera_ui_test_find_window (TESSERA_TYPE_WINDOW));
  TesseraAccountModel *model = tessera_window_get_model (window);
  const char *jid = tessera_ui_test_server_get (f->server, "JID");
  g_autofree char *keyring_dir = tessera_test_tmpdir_new ("appearing-keyring-XXXXXX");
  g_autofree char *keyring = g_build_filename (keyring_dir, "keyring", NULL);
  g_autofree char *source = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(TesseraKeyRecord) moved = NULL;
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  TesseraWindow *second;

  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "appearing-keyring", TRUE);

  tessera_window_refresh (window);
  TESSERA_UI_WAIT (tessera_account_model_get_can_remember (model), 60);
  /* Offered, not done. */
  source = meta_passphrase_source (device);
  g_assert_cmpstr (source, ==, "user");
  g_clear_pointer (&source, g_free);
  tessera_ui_test_screenshot (GTK_WIDGET (window), "no-keyring-remember");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.remember-secrets", NULL));
  TESSERA_UI_WAIT (!tessera_account_model_get_can_remember (model), 60);

  source = meta_passphrase_source (device);
  g_assert_cmpstr (source, ==, "keyring");
  moved = tessera_key_store_lookup (store, tessera_key_record_get_id (device), &error);
  g_assert_no_error (error);
  g_assert_false (tessera_key_record_get_uses_user_passphrase (moved));
  stored = tessera_secret_lookup_password (jid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, tessera_ui_test_server_get (f->server, "PASSWORD"));
  /* Remembered: not offered again. */
  tessera_window_refresh (window);
  wait_for_list (window);
  tessera_ui_test_settle (500);
  g_assert_false (tessera_account_model_get_can_remember (model));

  /* A new run of the window: no prompt, the list straight away. */
  tessera_ui_test_close_all_windows ();
  account = tessera_account_store_lookup (jid, &error);
  g_assert_no_error (error);
  second = tessera_window_new (tessera_ui_test_get_app ());
  gtk_window_present (GTK_WINDOW (second));
  tessera_window_set_account (second, account);
  wait_for_list (second);
  g_assert_false (tessera_account_model_get_needs_password (tessera_window_get_model (second)));
  g_assert_null (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG));

  tessera_ui_test_close_all_windows ();
  g_unsetenv ("SECRET_BACKEND");
  g_unsetenv ("SECRET_FILE_TEST_PATH");
  g_unsetenv ("SECRET_FILE_TEST_PASSWORD");
  tessera_test_tmpdir_free (g_steal_pointer (&keyring_dir));
}

/* First run without a keyring: the account is saved without its password,
 * the device page asks for the key's passphrase twice with a strength
 * hint, and the key is saved encrypted with it; it is on disk nowhere. */
static void
test_no_keyring_wizard (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraAccount) saved = NULL;
  g_autoptr(GError) error = NULL;
  TesseraEnrollWizard *wizard;
  GtkWidget *form;
  GtkWidget *progress_error;
  const char *jid = tessera_ui_test_server_get (f->server, "JID");

  g_assert_false (tessera_secret_is_available ());

  g_application_activate (G_APPLICATION (tessera_ui_test_get_app ()));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD) != NULL, 10);
  wizard = TESSERA_ENROLL_WIZARD (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD));
  TESSERA_UI_WAIT (gtk_widget_get_mapped (GTK_WIDGET (wizard)), 10);
  tessera_ui_test_click (wizard_child (wizard, "next_button"));

  form = wizard_child (wizard, "form");
  set_text (tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, "jid_row"), jid);
  set_text (tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, "password_row"),
            tessera_ui_test_server_get (f->server, "PASSWORD"));
  set_text (tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, "host_row"),
            tessera_ui_test_server_get (f->server, "HOST"));
  set_text (tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, "port_row"),
            tessera_ui_test_server_get (f->server, "PORT"));
  tessera_account_form_set_ca_file (TESSERA_ACCOUNT_FORM (form), tessera_ui_test_server_get (f->server, "CA_FILE"));
  tessera_ui_test_click (wizard_child (wizard, "next_button"));
  TESSERA_UI_WAIT (!tessera_account_form_get_busy (TESSERA_ACCOUNT_FORM (form)), 60);
  g_assert_true (tessera_account_form_get_checked (TESSERA_ACCOUNT_FORM (form)));

  /* Saving works without a keyring: the settings only. */
  tessera_ui_test_click (wizard_child (wizard, "next_button"));
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "device") == 0 ||
                   gtk_widget_get_visible (tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, "error_label")),
                   30);
  if (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "device") != 0)
    g_error ("saving failed: %s",
             gtk_label_get_label (GTK_LABEL (tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, "error_label"))));
  saved = tessera_account_store_lookup (jid, &error);
  g_assert_no_error (error);
  g_assert_nonnull (saved);

  /* The device page asks for a passphrase, twice. */
  TESSERA_UI_WAIT (gtk_widget_get_mapped (wizard_child (wizard, "passphrase_group")), 10);
  g_assert_true (gtk_widget_get_mapped (wizard_child (wizard, "passphrase_repeat_row")));
  g_assert_nonnull (strstr (hint (wizard), "type it twice"));

  set_text (wizard_child (wizard, "passphrase_row"), "short");
  g_assert_nonnull (strstr (hint (wizard), "Too short"));
  tessera_ui_test_click (wizard_child (wizard, "next_button"));
  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "device");
  g_assert_true (gtk_widget_get_visible (wizard_child (wizard, "device_error_label")));

  set_text (wizard_child (wizard, "passphrase_row"), "abcdefgh");
  g_assert_nonnull (strstr (hint (wizard), "Weak"));
  set_text (wizard_child (wizard, "passphrase_row"), PASSPHRASE);
  set_text (wizard_child (wizard, "passphrase_repeat_row"), PASSPHRASE "x");
  g_assert_nonnull (strstr (hint (wizard), "differ"));
  tessera_ui_test_click (wizard_child (wizard, "next_button"));
  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "device");

  set_text (wizard_child (wizard, "passphrase_repeat_row"), PASSPHRASE);
  g_assert_nonnull (strstr (hint (wizard), "Strong"));
  g_assert_false (gtk_widget_get_visible (wizard_child (wizard, "device_error_label")));
  tessera_ui_test_screenshot (GTK_WIDGET (wizard), "no-keyring-passphrase");

  /* Generate, upload, and a certificate login that opens the key with it. */
  tessera_ui_test_click (wizard_child (wizard, "next_button"));
  progress_error = wizard_child (wizard, "progress_error_label");
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "done") == 0 ||
                   gtk_widget_get_visible (progress_error), 120);
  if (gtk_widget_get_visible (progress_error))
    g_error ("enrollment failed: %s", gtk_label_get_label (GTK_LABEL (progress_error)));
  /* Nothing of it stays in the rows. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (wizard_child (wizard, "passphrase_row"))), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (wizard_child (wizard, "passphrase_repeat_row"))), ==, "");
  tessera_ui_test_screenshot (GTK_WIDGET (wizard), "no-keyring-done");

  store = tessera_key_store_new (jid, NULL);
  device = tessera_key_store_get_device_record (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (device);
  g_assert_true (tessera_key_record_get_uses_user_passphrase (device));
  key = tessera_key_store_load_key (store, tessera_key_record_get_id (device), "not the passphrase", &error);
  g_assert_null (key);
  g_clear_error (&error);
  key = tessera_key_store_load_key (store, tessera_key_record_get_id (device), PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);

  /* Neither the passphrase nor the password is in any file of ours. */
  g_assert_false (found_in_files (g_get_user_data_dir (), PASSPHRASE));
  g_assert_false (found_in_files (g_get_user_config_dir (), PASSPHRASE));
  g_assert_false (found_in_files (g_get_user_cache_dir (), PASSPHRASE));
  g_assert_false (found_in_files (g_get_user_data_dir (), tessera_ui_test_server_get (f->server, "PASSWORD")));
  g_assert_false (found_in_files (g_get_user_config_dir (), tessera_ui_test_server_get (f->server, "PASSWORD")));

  /* Done: the window takes over. */
  tessera_ui_test_click (wizard_child (wizard, "next_button"));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD) == NULL, 10);
  window_asks_for_password (f, device);
  export_from_window (f, device);
  keyring_appears (f, store, device);
}

static gboolean
dialog_in_progress (TesseraOtherDeviceDialog *dialog)
{
  g_autofree char *page = NULL;

  g_object_get (dialog, "page", &page, NULL);
  return g_strcmp0 (page, "progress") == 0;
}

/* Add Another Device, run on this desktop: the key waits in the store
 * under the passphrase typed in the dialog, as no random one can be kept
 * (it used to fail with the core's "no Secret Service"). */
static void
add_other_device (TesseraWindow *window,
                  const char    *dir,
                  gboolean       pem)
{
  g_autofree char *path = g_build_filename (dir, pem ? "bot.pem" : "phone.p12", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;
  TesseraOtherDeviceDialog *dialog;
  GtkWidget *passphrase_row;
  gboolean no_keyring = FALSE;
  gsize length = 0;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-other-device", NULL));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_OTHER_DEVICE_DIALOG) != NULL, 10);
  dialog = TESSERA_OTHER_DEVICE_DIALOG (tessera_ui_test_find_window (TESSERA_TYPE_OTHER_DEVICE_DIALOG));
  TESSERA_UI_WAIT (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);
  TESSERA_UI_WAIT ((g_object_get (dialog, "no-keyring", &no_keyring, NULL), no_keyring), 10);
  passphrase_row = tessera_ui_test_child (dialog, TESSERA_TYPE_OTHER_DEVICE_DIALOG, "passphrase_row");
  set_text (tessera_ui_test_child (dialog, TESSERA_TYPE_OTHER_DEVICE_DIALOG, "name_row"), pem ? "Bot" : "Phone");
  if (pem)
    {
      adw_combo_row_set_selected (ADW_COMBO_ROW (tessera_ui_test_child (dialog, TESSERA_TYPE_OTHER_DEVICE_DIALOG,
                                                                       "format_row")),
                                  TESSERA_EXPORT_FORMAT_PEM);
      gtk_switch_set_active (GTK_SWITCH (tessera_ui_test_child (dialog, TESSERA_TYPE_OTHER_DEVICE_DIALOG,
                                                                "encrypt_switch")), FALSE);
      /* A file without encryption still needs a passphrase here. */
      g_assert_true (gtk_widget_is_sensitive (passphrase_row));
      g_assert_nonnull (tessera_ui_test_find_label_containing (GTK_WIDGET (dialog), "No keyring is available"));
      tessera_other_device_dialog_save_to (dialog, file);
      g_object_get (dialog, "error-message", &message, NULL);
      g_assert_nonnull (message);
      g_assert_nonnull (strstr (message, "no keyring"));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      tessera_ui_test_settle (200);
      tessera_ui_test_screenshot (GTK_WIDGET (dialog), "no-keyring-other-device");
    }
  set_text (passphrase_row, PASSPHRASE);
  set_text (tessera_ui_test_child (dialog, TESSERA_TYPE_OTHER_DEVICE_DIALOG, "confirm_row"), PASSPHRASE);
  tessera_other_device_dialog_save_to (dialog, file);
  TESSERA_UI_WAIT (!dialog_in_progress (dialog), 120);
  g_clear_pointer (&message, g_free);
  g_object_get (dialog, "error-message", &message, NULL);
  g_assert_cmpstr (message, ==, NULL);
  g_object_get (dialog, "page", &message, NULL);
  g_assert_cmpstr (message, ==, "done");

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  if (pem)
    {
      g_assert_nonnull (strstr (contents, "-----BEGIN CERTIFICATE-----"));
      g_assert_nonnull (strstr (contents, "-----BEGIN PRIVATE KEY-----"));
    }
  else
    g_assert_cmpuint (length, >, 0);
  tessera_ui_test_close_window (GTK_WINDOW (dialog));
}

/* The window of an account whose password is typed; Add Another Device
 * writes a PEM file (not encrypted: a passphrase is asked for the key
 * while it is here) and a PKCS #12 (its passphrase serves the key too);
 * neither leaves a key here, and the passphrase is in no file. */
static void
test_no_keyring_other_device (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(TesseraAccount) account = tessera_ui_test_account_new (f->server);
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = tessera_test_tmpdir_new ("other-device-XXXXXX");
  TesseraWindow *window;

  g_assert_false (tessera_secret_is_available ());
  tessera_account_store_save (account, &error);
  g_assert_no_error (error);
  window = tessera_window_new (tessera_ui_test_get_app ());
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  tessera_ui_test_log_in (tessera_ui_test_wait_for_password_dialog (60),
                          tessera_ui_test_server_get (f->server, "PASSWORD"), NULL);
  TESSERA_UI_WAIT (tessera_account_model_get_can_add (tessera_window_get_model (window)) &&
                   !tessera_window_get_busy (window), 60);

  add_other_device (window, dir, TRUE);
  add_other_device (window, dir, FALSE);

  store = tessera_key_store_new (tessera_account_get_jid (account), NULL);
  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);
  g_assert_false (found_in_files (g_get_user_data_dir (), PASSPHRASE));
  g_assert_false (found_in_files (g_get_user_config_dir (), PASSPHRASE));
  tessera_test_tmpdir_free (g_steal_pointer (&dir));
}

int
main (int    argc,
      char **argv)
{
  int status;

  tessera_ui_test_init (&argc, &argv);
  start_bare_session_bus ();

  /* First: the wizard's test ends with a keyring that appears. */
  g_test_add ("/no-keyring/other-device", Fixture, server_options, fixture_setup, test_no_keyring_other_device,
              fixture_teardown);
  g_test_add ("/no-keyring/wizard", Fixture, server_options, fixture_setup, test_no_keyring_wizard,
              fixture_teardown);


  status = tessera_ui_test_run ();
  stop_bare_session_bus ();
  return status;
}
