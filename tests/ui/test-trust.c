/* test-trust.c: a server with its own authority: trusting its certificate, and a changed one
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-account-dialog.h"
#include "tessera-account-form.h"
#include "tessera-enroll-wizard.h"
#include "tessera-format.h"
#include "tessera-ui-test.h"
#include "tessera-window.h"

/* The local server makes its own CA; these tests never give its CA file,
 * as a new user of a self-hosted server would not. */

typedef struct
{
  TesseraTestServer *server;
  char              *server_fingerprint; /* of the certificate Prosody shows */
  char              *ca_fingerprint;     /* another certificate: the "old" pin */
} Fixture;

static const char *server_options[] = { NULL };

static char *
fingerprint_of_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TesseraCertificate) certificate = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  bytes = g_bytes_new (contents, length);
  certificate = tessera_certificate_new_from_pem (bytes, &error);
  g_assert_no_error (error);
  return g_strdup (tessera_certificate_get_fingerprint (certificate));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *ca_file;
  g_autofree char *dir = NULL;
  g_autofree char *server_pem = NULL;

  tessera_ui_test_get_app ();
  f->server = tessera_ui_test_start_server (data);

  /* local-server writes server.pem next to the CA it signed it with. */
  ca_file = tessera_ui_test_server_get (f->server, "CA_FILE");
  dir = g_path_get_dirname (ca_file);
  server_pem = g_build_filename (dir, "server.pem", NULL);
  f->server_fingerprint = fingerprint_of_file (server_pem);
  f->ca_fingerprint = fingerprint_of_file (ca_file);
  g_assert_cmpstr (f->server_fingerprint, !=, f->ca_fingerprint);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tessera_ui_test_close_all_windows ();
  g_clear_pointer (&f->server, tessera_test_server_stop);
  g_clear_pointer (&f->server_fingerprint, g_free);
  g_clear_pointer (&f->ca_fingerprint, g_free);
}

static GtkWidget *
form_child (GtkWidget  *form,
            const char *name)
{
  return tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, name);
}

static void
set_form_text (GtkWidget  *form,
               const char *row,
               const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (form_child (form, row)), text);
}

static const char *
label_text (GtkWidget  *form,
            const char *name)
{
  return gtk_label_get_label (GTK_LABEL (form_child (form, name)));
}

/* Saves the test account without its CA file, pinned to @pin, and opens
 * the window on it. */
static TesseraWindow *
open_window_pinned (Fixture    *f,
                    const char *pin)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  TesseraWindow *window;
  guint64 port = 0;

  g_assert_true (g_ascii_string_to_unsigned (tessera_ui_test_server_get (f->server, "PORT"),
                                             10, 1, G_MAXUINT16, &port, NULL));
  account = tessera_account_new (tessera_ui_test_server_get (f->server, "JID"),
                                 tessera_ui_test_server_get (f->server, "HOST"),
                                 (guint16) port, TESSERA_TLS_STARTTLS, NULL, pin);
  tessera_account_store_save (account, &error);
  g_assert_no_error (error);
  tessera_secret_store_password (tessera_account_get_jid (account),
                                 tessera_ui_test_server_get (f->server, "PASSWORD"), &error);
  g_assert_no_error (error);

  window = tessera_window_new (tessera_ui_test_get_app ());
  gtk_window_present (GTK_WINDOW (window));
  TESSERA_UI_WAIT (!tessera_window_get_busy (window) &&
                   g_strcmp0 (tessera_window_get_page (window), "loading") != 0, 60);
  return window;
}

static GtkWidget *
open_account_dialog (TesseraWindow         *window,
                     TesseraAccountDialog **dialog)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-account", NULL);
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ACCOUNT_DIALOG) != NULL, 10);
  *dialog = TESSERA_ACCOUNT_DIALOG (tessera_ui_test_find_window (TESSERA_TYPE_ACCOUNT_DIALOG));
  TESSERA_UI_WAIT (gtk_widget_get_mapped (GTK_WIDGET (*dialog)), 10);
  return tessera_account_dialog_get_form (*dialog);
}

/* The wizard on a server whose authority the system does not know: the
 * refusal shows the certificate's fingerprint in groups and a button to
 * trust it; trusting pins it and the check passes. */
static void
test_trust_wizard (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *lines = tessera_format_fingerprint_lines (f->server_fingerprint);
  g_autofree char *pin = NULL;
  TesseraEnrollWizard *wizard;
  GtkWidget *form;
  GtkWidget *next_button;

  g_application_activate (G_APPLICATION (tessera_ui_test_get_app ()));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD) != NULL, 10);
  wizard = TESSERA_ENROLL_WIZARD (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD));
  TESSERA_UI_WAIT (gtk_widget_get_mapped (GTK_WIDGET (wizard)), 10);
  next_button = tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "next_button");
  tessera_ui_test_click (next_button);
  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "account");

  form = tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "form");
  set_form_text (form, "jid_row", tessera_ui_test_server_get (f->server, "JID"));
  set_form_text (form, "password_row", tessera_ui_test_server_get (f->server, "PASSWORD"));
  set_form_text (form, "host_row", tessera_ui_test_server_get (f->server, "HOST"));
  set_form_text (form, "port_row", tessera_ui_test_server_get (f->server, "PORT"));
  g_assert_false (gtk_widget_get_visible (form_child (form, "trust_group")));
  g_assert_false (gtk_widget_get_visible (form_child (form, "pinned_group")));

  tessera_ui_test_click (next_button);
  TESSERA_UI_WAIT (gtk_widget_get_visible (form_child (form, "error_label")) &&
                   !tessera_account_form_get_busy (TESSERA_ACCOUNT_FORM (form)), 60);
  g_assert_false (tessera_account_form_get_checked (TESSERA_ACCOUNT_FORM (form)));
  g_assert_nonnull (strstr (label_text (form, "error_label"), "Checking the server's certificate failed"));

  /* The fingerprint of the certificate Prosody really shows, in groups. */
  g_assert_true (gtk_widget_get_mapped (form_child (form, "trust_group")));
  g_assert_cmpstr (label_text (form, "trust_fingerprint_label"), ==, lines);
  g_assert_nonnull (strchr (lines, '\n'));
  g_assert_true (gtk_widget_get_mapped (form_child (form, "trust_button")));
  tessera_ui_test_screenshot (GTK_WIDGET (wizard), "trust-wizard-untrusted");
  /* The group is below the fold of the wizard: its button on its own. */
  tessera_ui_test_screenshot (form_child (form, "trust_group"), "trust-wizard-untrusted-group");

  tessera_ui_test_click (form_child (form, "trust_button"));
  TESSERA_UI_WAIT (!tessera_account_form_get_busy (TESSERA_ACCOUNT_FORM (form)), 60);
  if (!tessera_account_form_get_checked (TESSERA_ACCOUNT_FORM (form)))
    g_error ("check after trusting failed: %s", label_text (form, "error_label"));

  /* Pinned in the account the wizard goes on with, shown as pinned. */
  pin = g_strdup (tessera_account_get_pinned_fingerprint (
                    tessera_account_form_get_checked_account (TESSERA_ACCOUNT_FORM (form))));
  g_assert_cmpstr (pin, ==, f->server_fingerprint);
  g_assert_null (tessera_account_get_ca_file (tessera_account_form_get_checked_account (TESSERA_ACCOUNT_FORM (form))));
  g_assert_false (gtk_widget_get_visible (form_child (form, "trust_group")));
  g_assert_false (gtk_widget_get_visible (form_child (form, "error_label")));
  g_assert_true (gtk_widget_get_mapped (form_child (form, "pinned_group")));
  g_assert_cmpstr (label_text (form, "pinned_fingerprint_label"), ==, lines);
  tessera_ui_test_screenshot (GTK_WIDGET (wizard), "trust-wizard-pinned");

  /* The wizard goes on to the device page with it. */
  tessera_ui_test_click (next_button);
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "device") == 0, 30);
}

/* An account pinned to the server's certificate: the window loads, and the
 * account dialog says the certificate is pinned and which one. */
static void
test_trust_pinned_dialog (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *lines = tessera_format_fingerprint_lines (f->server_fingerprint);
  TesseraAccountDialog *dialog;
  TesseraWindow *window;
  GtkWidget *form;

  window = open_window_pinned (f, f->server_fingerprint);
  g_assert_cmpstr (tessera_window_get_page (window), !=, "offline");

  form = open_account_dialog (window, &dialog);
  TESSERA_UI_WAIT (gtk_widget_get_mapped (form_child (form, "pinned_group")), 10);
  g_assert_cmpstr (label_text (form, "pinned_fingerprint_label"), ==, lines);
  g_assert_false (gtk_widget_get_visible (form_child (form, "trust_group")));
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "trust-account-dialog-pinned");
}

static void
assert_both_fingerprints (const char *text,
                          const char *old_fingerprint,
                          const char *new_fingerprint)
{
  g_autofree char *old_lines = tessera_format_fingerprint_lines (old_fingerprint);
  g_autofree char *new_lines = tessera_format_fingerprint_lines (new_fingerprint);
  const char *old_at = strstr (text, old_lines);
  const char *new_at = strstr (text, new_lines);

  if (old_at == NULL || new_at == NULL)
    g_error ("expected both fingerprints in: %s", text);
  g_assert_true (old_at < new_at);
}

/* The server's certificate is not the pinned one any more: the window and
 * the account dialog refuse it with the old and the new fingerprint, and
 * nothing is re-pinned. */
static void
test_trust_changed (Fixture       *f,
                    gconstpointer  data)
{
  TesseraAccountDialog *dialog;
  TesseraWindow *window;
  GtkWidget *form;
  GtkWidget *connect_button;
  g_autoptr(TesseraAccount) saved = NULL;
  g_autoptr(GError) error = NULL;

  window = open_window_pinned (f, f->ca_fingerprint);
  g_assert_cmpstr (tessera_window_get_page (window), ==, "offline");
  {
    GtkWidget *label = tessera_ui_test_find_label_containing (GTK_WIDGET (window), "certificate changed");

    g_assert_nonnull (label);
    assert_both_fingerprints (gtk_label_get_label (GTK_LABEL (label)), f->ca_fingerprint, f->server_fingerprint);
  }
  tessera_ui_test_screenshot (GTK_WIDGET (window), "trust-window-changed");

  form = open_account_dialog (window, &dialog);
  connect_button = tessera_ui_test_child (dialog, TESSERA_TYPE_ACCOUNT_DIALOG, "connect_button");
  TESSERA_UI_WAIT (gtk_widget_get_mapped (connect_button), 10);
  /* The password comes from the keyring, asynchronously. */
  TESSERA_UI_WAIT (tessera_account_form_get_password (TESSERA_ACCOUNT_FORM (form))[0] != '\0', 10);
  tessera_ui_test_click (connect_button);
  TESSERA_UI_WAIT (gtk_widget_get_visible (form_child (form, "error_label")) &&
                   !tessera_account_form_get_busy (TESSERA_ACCOUNT_FORM (form)), 60);
  g_assert_false (tessera_account_form_get_checked (TESSERA_ACCOUNT_FORM (form)));
  assert_both_fingerprints (label_text (form, "error_label"), f->ca_fingerprint, f->server_fingerprint);
  /* No one-click re-pin: the pin stays, no trust button. */
  g_assert_false (gtk_widget_get_visible (form_child (form, "trust_group")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (form_child (form, "pin_row"))), ==, f->ca_fingerprint);
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "trust-account-dialog-changed");

  saved = tessera_account_store_lookup (tessera_ui_test_server_get (f->server, "JID"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_account_get_pinned_fingerprint (saved), ==, f->ca_fingerprint);
}

int
main (int    argc,
      char **argv)
{
  tessera_ui_test_init (&argc, &argv);

  g_test_add ("/trust/wizard", Fixture, server_options, fixture_setup, test_trust_wizard, fixture_teardown);
  g_test_add ("/trust/pinned-dialog", Fixture, server_options, fixture_setup, test_trust_pinned_dialog,
              fixture_teardown);
  g_test_add ("/trust/changed", Fixture, server_options, fixture_setup, test_trust_changed, fixture_teardown);

  return tessera_ui_test_run ();
}
