/* test-renew.c: the renewal banner and Renew, against a server that issues short certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

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
  char              *certtool_dir;      /* the expiring tests' certtool wrapper */
} Fixture;

#define EXPIRED "expired"
#define SHORT_SECONDS 15

static void
append_config (TesseraTestServer *server,
               const char        *lines)
{
  const char *config = tessera_ui_test_server_get (server, "CONFIG_FILE");
  g_autofree char *old = NULL;
  g_autofree char *updated = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (config, &old, NULL, &error);
  g_assert_no_error (error);
  updated = g_strconcat (old, "\n", lines, "\n", NULL);
  g_file_set_contents_full (config, updated, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
  tessera_test_server_restart (server, &error);
  g_assert_no_error (error);
}

/* The local Prosody issues certificates for 10 days (mod_ccm2's
 * ccm2_certificate_lifetime), so this device's expires within 30. */
static void
shorten_lifetime (TesseraTestServer *server)
{
  append_config (server, "ccm2_certificate_lifetime = 10");
}

/* mod_ccm2 issues whole days; an expired certificate needs seconds. The
 * server signs with certtool (ccm2_certtool): this wrapper runs the real
 * one, and while the file "short" exists beside it, the account's
 * certificate (the template cert.tmpl) ends SHORT_SECONDS from now
 * instead. The server, its CA and the client's checks stay real: the
 * certificate simply expires. */
static void
use_short_certtool (Fixture *f)
{
  g_autofree char *certtool = g_find_program_in_path ("certtool");
  g_autofree char *wrapper = NULL;
  g_autofree char *flag = NULL;
  g_autofree char *script = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (certtool);
  f->certtool_dir = tessera_test_tmpdir_new ("short-certtool-XXXXXX");
  wrapper = g_build_filename (f->certtool_dir, "certtool", NULL);
  flag = g_build_filename (f->certtool_dir, "short", NULL);
  script = g_strdup_printf ("#!/bin/sh\n"
                            "if [ -e '%s' ]; then\n"
                            "  case \" $* \" in *' --template cert.tmpl '*)\n"
                            "    end=$(date -u -d '+%d seconds' '+%%Y-%%m-%%d %%H:%%M:%%S UTC')\n"
                            "    sed -i \"s/^expiration_days = .*/expiration_date = \\\"$end\\\"/\" cert.tmpl ;;\n"
                            "  esac\n"
                            "fi\n"
                            "exec '%s' \"$@\"\n", flag, SHORT_SECONDS, certtool);
  g_file_set_contents_full (wrapper, script, -1, G_FILE_SET_CONTENTS_NONE, 0700, &error);
  g_assert_no_error (error);
  g_file_set_contents (flag, "", 0, &error);
  g_assert_no_error (error);
  line = g_strdup_printf ("ccm2_certtool = \"%s\"", wrapper);
  append_config (f->server, line);
}

/* Later certificates get the server's days again; this device's one is
 * waited out (the client's own clock: logging in with it fails now). */
static void
expire_device_certificate (Fixture          *f,
                           TesseraKeyRecord *record)
{
  g_autofree char *flag = g_build_filename (f->certtool_dir, "short", NULL);
  GDateTime *not_after = tessera_certificate_get_not_after (tessera_key_record_get_certificate (record));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GTimeSpan left = g_date_time_difference (not_after, now);

  g_assert_cmpint (g_unlink (flag), ==, 0);
  g_assert_cmpint (left, <=, (GTimeSpan) SHORT_SECONDS * G_TIME_SPAN_SECOND);
  if (left > 0)
    g_usleep ((gulong) left + G_USEC_PER_SEC);
  g_clear_pointer (&now, g_date_time_unref);
  now = g_date_time_new_now_utc ();
  g_assert_false (tessera_certificate_is_valid_at (tessera_key_record_get_certificate (record), now));
}

/* This device enrolls through the core, as the wizard does. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;

  tessera_ui_test_get_app ();
  f->server = tessera_ui_test_start_server (server_options);
  shorten_lifetime (f->server);
  if (g_strcmp0 (data, EXPIRED) == 0)
    use_short_certtool (f);
  tessera_ui_test_save_account (f->server);
  account = tessera_ui_test_account_new (f->server);
  f->store = tessera_key_store_new (tessera_account_get_jid (account), NULL);
  record = tessera_ui_test_enroll (f->server, f->store, "Work Laptop");
  g_assert_true (tessera_key_record_expires_within (record, TESSERA_RENEW_BEFORE_DAYS));
  f->old_fingerprint = g_strdup (tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record)));
  if (g_strcmp0 (data, EXPIRED) == 0)
    expire_device_certificate (f, record);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tessera_ui_test_close_all_windows ();
  g_clear_pointer (&f->server, tessera_test_server_stop);
  g_clear_object (&f->store);
  g_clear_pointer (&f->old_fingerprint, g_free);
  g_clear_pointer (&f->certtool_dir, tessera_test_tmpdir_free);
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

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  list = TESSERA_CERT_LIST (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "cert_list"));
  button = tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "renew_banner_button");
  TESSERA_UI_WAIT (list_settled (window, list), 60);

  /* The account may hold one certificate: the new one does not fit. */
  append_config (f->server, "ccm2_max_certificates = 1");

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

/* The window shows the list and the strip says the certificate expired. */
static TesseraWindow *
open_expired_window (Fixture          *f,
                     TesseraCertList **list_out,
                     GtkWidget       **button_out)
{
  TesseraWindow *window = tessera_window_new (tessera_ui_test_get_app ());
  GtkRevealer *banner;
  GtkWidget *label;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  *list_out = TESSERA_CERT_LIST (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "cert_list"));
  banner = GTK_REVEALER (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "renew_banner"));
  label = tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "renew_banner_label");
  *button_out = tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "renew_banner_button");
  TESSERA_UI_WAIT (list_settled (window, *list_out), 60);
  TESSERA_UI_WAIT (gtk_revealer_get_child_revealed (banner), 10);
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)), "expired"));
  g_assert_true (gtk_widget_is_sensitive (*button_out));
  /* Expired, it is still this device's certificate (the one to renew),
   * not merely a key kept here */
  {
    g_autoptr(TesseraCertEntry) entry = only_entry (*list_out);

    g_assert_true (tessera_cert_list_is_device (*list_out, entry));
  }
  TESSERA_UI_WAIT (tessera_ui_test_find_label (GTK_WIDGET (*list_out), "This device") != NULL, 10);
  g_assert_null (tessera_ui_test_find_label (GTK_WIDGET (*list_out), "Kept on this device"));
  return window;
}

/* The new certificate is this device's, the expired one is gone here. */
static void
assert_renewed (Fixture         *f,
                TesseraWindow   *window,
                TesseraCertList *list)
{
  g_autoptr(TesseraCertEntry) entry = NULL;
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(GError) error = NULL;

  TESSERA_UI_WAIT (renewed (window, list, f->old_fingerprint), 120);
  entry = only_entry (list);
  g_assert_true (tessera_cert_list_is_device (list, entry));
  g_assert_cmpstr (tessera_cert_entry_get_name (entry), ==, "Work Laptop");
  device = tessera_key_store_get_device_record (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (device)), ==,
                   tessera_cert_entry_get_fingerprint (entry));
  g_assert_null (tessera_key_store_find_by_fingerprint (f->store, f->old_fingerprint));
}

/* An expired certificate cannot log in to renew itself: the window
 * renews it with the account's password from the keyring, as the CLI
 * does, without asking. */
static void
test_renew_expired_keyring (Fixture       *f,
                            gconstpointer  data)
{
  TesseraCertList *list;
  GtkWidget *button;
  TesseraWindow *window = open_expired_window (f, &list, &button);

  tessera_ui_test_screenshot (GTK_WIDGET (window), "renew-expired");
  tessera_ui_test_click (button);
  TESSERA_UI_WAIT (tessera_window_get_busy (window), 10);
  assert_renewed (f, window, list);
  g_assert_null (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
}

/* With no password known (none typed, none in the keyring any more), the
 * window's password prompt asks, says why, and its answer renews. */
static void
test_renew_expired_asks (Fixture       *f,
                         gconstpointer  data)
{
  TesseraCertList *list;
  GtkWidget *button;
  TesseraWindow *window = open_expired_window (f, &list, &button);
  g_autoptr(TesseraAccount) account = tessera_ui_test_account_new (f->server);
  AdwMessageDialog *dialog;
  g_autoptr(GError) error = NULL;

  tessera_secret_clear_password (tessera_account_get_jid (account), &error);
  g_assert_no_error (error);

  tessera_ui_test_click (button);
  dialog = tessera_ui_test_wait_for_password_dialog (120);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "needs the account's password"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "to renew this device"));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "renew-expired-password");
  /* Nothing changed yet: the key store holds only the expired certificate. */
  g_assert_nonnull (tessera_key_store_find_by_fingerprint (f->store, f->old_fingerprint));
  g_assert_null (tessera_key_store_get_device_record (f->store, NULL));

  tessera_ui_test_log_in (dialog, tessera_ui_test_server_get (f->server, "PASSWORD"), NULL);
  assert_renewed (f, window, list);
}

int
main (int    argc,
      char **argv)
{
  tessera_ui_test_init (&argc, &argv);

  g_test_add ("/renew/banner", Fixture, NULL, fixture_setup, test_banner_renew, fixture_teardown);
  g_test_add ("/renew/refused", Fixture, NULL, fixture_setup, test_renew_refused, fixture_teardown);
  g_test_add ("/renew/expired-keyring", Fixture, EXPIRED, fixture_setup, test_renew_expired_keyring,
              fixture_teardown);
  g_test_add ("/renew/expired-asks", Fixture, EXPIRED, fixture_setup, test_renew_expired_asks, fixture_teardown);

  return tessera_ui_test_run ();
}
