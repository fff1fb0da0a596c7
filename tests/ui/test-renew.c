/* test-renew.c: the renewal banner and Renew, against a server that issues short certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-cert-list.h"
#include "tessera-test-fixtures.h"
#include "tessera-ui-test.h"
#include "tessera-window.h"

static const char *server_options[] = { NULL };

typedef struct
{
  TesseraTestServer *server;
  TesseraKeyStore   *store;
  char              *old_fingerprint;
} Fixture;

/* The local Prosody issues certificates for 10 days (mod_ccm2's
 * ccm2_certificate_lifetime), so this device's expires within 30. */
static void
shorten_lifetime (TesseraTestServer *server)
{
  const char *config = tessera_ui_test_server_get (server, "CONFIG_FILE");
  g_autofree char *old = NULL;
  g_autofree char *updated = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (config, &old, NULL, &error);
  g_assert_no_error (error);
  updated = g_strconcat (old, "\nccm2_certificate_lifetime = 10\n", NULL);
  g_file_set_contents_full (config, updated, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
  tessera_test_server_restart (server, &error);
  g_assert_no_error (error);
}

/* This device enrolls through the core, as the wizard does. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  tessera_ui_test_get_app ();
  f->server = tessera_ui_test_start_server (server_options);
  shorten_lifetime (f->server);
  tessera_ui_test_save_account (f->server);
  account = tessera_ui_test_account_new (f->server);
  f->store = tessera_key_store_new (tessera_account_get_jid (account), NULL);
  session = tessera_session_new (account, f->store);
  tessera_session_set_password (session, tessera_ui_test_server_get (f->server, "PASSWORD"));
  tessera_session_enroll_async (session, "Work Laptop", TESSERA_KEY_TYPE_ECDSA_P256, NULL, NULL,
                                tessera_test_async_result_cb, &result);
  TESSERA_UI_WAIT (result != NULL, 120);
  record = tessera_session_enroll_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_true (tessera_key_record_expires_within (record, TESSERA_RENEW_BEFORE_DAYS));
  f->old_fingerprint = g_strdup (tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record)));
  tessera_session_close (session);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tessera_ui_test_close_all_windows ();
  g_clear_pointer (&f->server, tessera_test_server_stop);
  g_clear_object (&f->store);
  g_clear_pointer (&f->old_fingerprint, g_free);
}

static gboolean
list_settled (TesseraWindow   *window,
              TesseraCertList *list)
{
  GListModel *model = tessera_cert_list_get_model (list);

  return model != NULL && g_list_model_get_n_items (model) > 0 && !tessera_window_get_busy (window) &&
         g_strcmp0 (tessera_window_get_page (window), "list") == 0;
}

/* The one listed certificate, when there is exactly one. */
static TesseraCertEntry *
only_entry (TesseraCertList *list)
{
  GListModel *model = tessera_cert_list_get_model (list);

  if (model == NULL || g_list_model_get_n_items (model) != 1)
    return NULL;
  return g_list_model_get_item (model, 0);
}

static gboolean
renewed (TesseraWindow   *window,
         TesseraCertList *list,
         const char      *old_fingerprint)
{
  g_autoptr(TesseraCertEntry) entry = NULL;

  if (!list_settled (window, list))
    return FALSE;
  entry = only_entry (list);
  return entry != NULL && !g_str_equal (tessera_cert_entry_get_fingerprint (entry), old_fingerprint);
}

/* The banner says the certificate expires and offers Renew; Renew runs
 * (without the password: over the certificate's own session), and the
 * list then holds only the new certificate, as this device's, under the
 * same name; the key store agrees. */
static void
test_banner_renew (Fixture       *f,
                   gconstpointer  data)
{
  TesseraWindow *window = tessera_window_new (tessera_ui_test_get_app ());
  TesseraCertList *list;
  GtkRevealer *banner;
  GtkWidget *label;
  GtkWidget *button;
  GtkWidget *details_button;
  g_autoptr(TesseraCertEntry) entry = NULL;
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(GError) error = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  list = TESSERA_CERT_LIST (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "cert_list"));
  banner = GTK_REVEALER (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "renew_banner"));
  label = tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "renew_banner_label");
  button = tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "renew_banner_button");
  TESSERA_UI_WAIT (list_settled (window, list), 60);

  TESSERA_UI_WAIT (gtk_revealer_get_child_revealed (banner), 10);
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)), "expires"));
  g_assert_true (gtk_widget_is_sensitive (button));

  /* "Renew…" in the details pane of this device's certificate */
  g_assert_true (tessera_cert_list_select_fingerprint (list, f->old_fingerprint));
  TESSERA_UI_WAIT (tessera_ui_test_find_button (GTK_WIDGET (window), "_Renew…") != NULL, 10);
  details_button = tessera_ui_test_find_button (GTK_WIDGET (window), "_Renew…");
  g_assert_true (gtk_widget_is_sensitive (details_button));
  tessera_ui_test_screenshot (GTK_WIDGET (window), "renew-banner");

  tessera_ui_test_click (button);
  /* Progress: the strip's button says so and nothing starts a second one. */
  TESSERA_UI_WAIT (tessera_window_get_busy (window), 10);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Renewing…");
  g_assert_false (gtk_widget_is_sensitive (button));
  g_assert_false (gtk_widget_is_sensitive (details_button));

  TESSERA_UI_WAIT (renewed (window, list, f->old_fingerprint), 120);
  entry = only_entry (list);
  g_assert_true (tessera_cert_list_is_device (list, entry));
  g_assert_cmpstr (tessera_cert_entry_get_name (entry), ==, "Work Laptop");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Renew");

  device = tessera_key_store_get_device_record (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (device)), ==,
                   tessera_cert_entry_get_fingerprint (entry));
  g_assert_null (tessera_key_store_find_by_fingerprint (f->store, f->old_fingerprint));
  TESSERA_UI_WAIT (tessera_cert_list_get_selected (list) != NULL, 10);
  g_assert_cmpstr (tessera_cert_entry_get_fingerprint (tessera_cert_list_get_selected (list)), ==,
                   tessera_cert_entry_get_fingerprint (entry));
  tessera_ui_test_screenshot (GTK_WIDGET (window), "renew-done");
}

/* A renewal the server refuses says why, and keeps the certificate. */
static void
test_renew_refused (Fixture       *f,
                    gconstpointer  data)
{
  TesseraWindow *window = tessera_window_new (tessera_ui_test_get_app ());
  TesseraCertList *list;
  GtkWidget *button;
  GtkWindow *dialog;
  g_autoptr(TesseraCertEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  list = TESSERA_CERT_LIST (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "cert_list"));
  button = tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "renew_banner_button");
  TESSERA_UI_WAIT (list_settled (window, list), 60);

  /* The account may hold one certificate: the new one does not fit. */
  {
    const char *config = tessera_ui_test_server_get (f->server, "CONFIG_FILE");
    g_autofree char *old = NULL;
    g_autofree char *updated = NULL;

    g_file_get_contents (config, &old, NULL, &error);
    g_assert_no_error (error);
    updated = g_strconcat (old, "\nccm2_max_certificates = 1\n", NULL);
    g_file_set_contents_full (config, updated, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
    g_assert_no_error (error);
    tessera_test_server_restart (f->server, &error);
    g_assert_no_error (error);
  }

  tessera_ui_test_click (button);
  TESSERA_UI_WAIT (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL, 120);
  dialog = tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Could Not Renew the Certificate");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "refused"));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "renew-refused");
  tessera_ui_test_close_window (dialog);

  TESSERA_UI_WAIT (list_settled (window, list), 60);
  entry = only_entry (list);
  g_assert_nonnull (entry);
  g_assert_cmpstr (tessera_cert_entry_get_fingerprint (entry), ==, f->old_fingerprint);
  g_assert_true (tessera_cert_list_is_device (list, entry));
  g_assert_nonnull (tessera_key_store_find_by_fingerprint (f->store, f->old_fingerprint));
}

int
main (int    argc,
      char **argv)
{
  tessera_ui_test_init (&argc, &argv);

  g_test_add ("/renew/banner", Fixture, NULL, fixture_setup, test_banner_renew, fixture_teardown);
  g_test_add ("/renew/refused", Fixture, NULL, fixture_setup, test_renew_refused, fixture_teardown);

  return tessera_ui_test_run ();
}
