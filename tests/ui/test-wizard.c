/* test-wizard.c: the first-run enrollment wizard against the local server
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>

#include "tessera-account-form.h"
#include "tessera-cert-list.h"
#include "tessera-enroll-wizard.h"
#include "tessera-ui-test.h"
#include "tessera-window.h"

typedef struct
{
  TesseraTestServer *server;
} Fixture;

static const char *server_options[] = { NULL };

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

/* First start: the window has no account and opens the wizard itself. */
static TesseraEnrollWizard *
start_first_run (TesseraWindow **window)
{
  TesseraEnrollWizard *wizard;

  g_application_activate (G_APPLICATION (tessera_ui_test_get_app ()));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD) != NULL, 10);

  *window = TESSERA_WINDOW (tessera_ui_test_find_window (TESSERA_TYPE_WINDOW));
  g_assert_nonnull (*window);
  g_assert_cmpstr (tessera_window_get_page (*window), ==, "no-account");

  wizard = TESSERA_ENROLL_WIZARD (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD));
  TESSERA_UI_WAIT (gtk_widget_get_mapped (GTK_WIDGET (wizard)), 10);
  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "welcome");
  return wizard;
}

static void
click_next (TesseraEnrollWizard *wizard)
{
  tessera_ui_test_click (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "next_button"));
}

static void
click_back (TesseraEnrollWizard *wizard)
{
  tessera_ui_test_click (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "back_button"));
}

static const char *
row_state (TesseraEnrollWizard *wizard,
           const char          *row)
{
  g_autofree char *name = g_strdup_printf ("%s_state", row);

  return gtk_stack_get_visible_child_name (GTK_STACK (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD,
                                                                             name)));
}

static void
set_row_text (GtkWidget  *form,
              const char *row,
              const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, row)), text);
}

/* Fills the account page with the server's test account and connects. */
static void
connect_account (Fixture             *f,
                 TesseraEnrollWizard *wizard)
{
  GtkWidget *form = tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "form");
  GtkWidget *error_label = tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, "error_label");

  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "account");
  set_row_text (form, "jid_row", tessera_ui_test_server_get (f->server, "JID"));
  set_row_text (form, "password_row", tessera_ui_test_server_get (f->server, "PASSWORD"));
  set_row_text (form, "host_row", tessera_ui_test_server_get (f->server, "HOST"));
  set_row_text (form, "port_row", tessera_ui_test_server_get (f->server, "PORT"));
  tessera_account_form_set_ca_file (TESSERA_ACCOUNT_FORM (form), tessera_ui_test_server_get (f->server, "CA_FILE"));

  click_next (wizard);
  TESSERA_UI_WAIT (!tessera_account_form_get_busy (TESSERA_ACCOUNT_FORM (form)), 60);
  if (!tessera_account_form_get_checked (TESSERA_ACCOUNT_FORM (form)))
    g_error ("connect check failed: %s", gtk_label_get_label (GTK_LABEL (error_label)));

  /* The report of what the server supports is on screen. */
  g_assert_true (gtk_widget_get_mapped (tessera_ui_test_child (form, TESSERA_TYPE_ACCOUNT_FORM, "results_group")));
  g_assert_cmpuint (tessera_account_form_get_features (TESSERA_ACCOUNT_FORM (form)) & TESSERA_FEATURE_ADD, !=, 0);
}

/* What the wizard showed, step by step: "step:page", as notify::step of
 * the flow saw it (the page is bound to the step, so it has moved by then). */
static void
record_page_cb (TesseraWizardFlow *flow,
                GParamSpec        *pspec,
                GPtrArray         *seen)
{
  TesseraEnrollWizard *wizard = TESSERA_ENROLL_WIZARD (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD));
  g_autoptr(GEnumClass) steps = g_type_class_ref (TESSERA_TYPE_WIZARD_STEP);

  g_ptr_array_add (seen, g_strdup_printf ("%s:%s",
                                          g_enum_get_value (steps, tessera_wizard_flow_get_step (flow))->value_nick,
                                          tessera_enroll_wizard_get_page (wizard)));
}

/* The enrollment's own steps, as read at each of its notifications. */
static void
record_enrollment_step_cb (TesseraEnrollment *enrollment,
                           GParamSpec        *pspec,
                           GArray            *seen)
{
  TesseraEnrollmentStep step = tessera_enrollment_get_step (enrollment);

  g_array_append_val (seen, step);
}

static void
watch_enrollment_cb (TesseraWizardFlow *flow,
                     GParamSpec        *pspec,
                     GArray            *seen)
{
  TesseraEnrollment *enrollment = tessera_wizard_flow_get_enrollment (flow);

  if (enrollment != NULL)
    g_signal_connect (enrollment, "notify::step", G_CALLBACK (record_enrollment_step_cb), seen);
}

static GPtrArray *
list_keys (Fixture *f)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (tessera_ui_test_server_get (f->server, "JID"), NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *records = tessera_key_store_list (store, &error);

  g_assert_no_error (error);
  return records;
}

static void
test_wizard_enroll (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(GError) error = NULL;
  TesseraEnrollWizard *wizard;
  TesseraWindow *window;
  TesseraCertList *cert_list;
  TesseraCertEntry *selected;
  GtkWidget *progress_error;
  GtkWidget *device_name;
  const char *fingerprint;
  TesseraWizardFlow *flow;
  TesseraEnrollment *enrollment;
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) enrollment_steps = g_array_new (FALSE, FALSE, sizeof (TesseraEnrollmentStep));
  g_autofree char *pages_seen = NULL;

  wizard = start_first_run (&window);
  flow = tessera_enroll_wizard_get_flow (wizard);
  g_signal_connect (flow, "notify::step", G_CALLBACK (record_page_cb), pages);
  g_signal_connect (flow, "notify::enrollment", G_CALLBACK (watch_enrollment_cb), enrollment_steps);
  tessera_ui_test_screenshot (GTK_WIDGET (wizard), "wizard-welcome");

  click_next (wizard);
  connect_account (f, wizard);
  tessera_ui_test_screenshot (GTK_WIDGET (wizard), "wizard-account");

  click_next (wizard);
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "device") == 0, 30);
  device_name = tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "device_name_row");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (device_name)), ==, g_get_host_name ());
  gtk_editable_set_text (GTK_EDITABLE (device_name), "Test Laptop");
  tessera_ui_test_screenshot (GTK_WIDGET (wizard), "wizard-device");

  /* Generate, upload, then a fresh login by certificate alone. */
  click_next (wizard);
  progress_error = tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "progress_error_label");
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "done") == 0 ||
                   gtk_widget_get_visible (progress_error), 120);
  if (gtk_widget_get_visible (progress_error))
    g_error ("enrollment failed: %s", gtk_label_get_label (GTK_LABEL (progress_error)));
  g_assert_nonnull (tessera_ui_test_find_label_containing (GTK_WIDGET (wizard),
                                                           tessera_ui_test_server_get (f->server, "JID")));
  /* The pages and progress rows follow the flow's step. */
  g_assert_cmpint (tessera_wizard_flow_get_step (tessera_enroll_wizard_get_flow (wizard)), ==,
                   TESSERA_WIZARD_STEP_DONE);
  g_assert_cmpstr (row_state (wizard, "generate"), ==, "done");
  g_assert_cmpstr (row_state (wizard, "upload"), ==, "done");
  g_assert_cmpstr (row_state (wizard, "verify"), ==, "done");
  /* Each page in order, none skipped; the progress ones driven by the
   * enrollment's step, which went forward only and ended certified. */
  g_signal_handlers_disconnect_by_func (flow, record_page_cb, pages);
  g_ptr_array_add (pages, NULL);
  pages_seen = g_strjoinv (" ", (char **) pages->pdata);
  g_assert_cmpstr (pages_seen, ==,
                   "account:account device:device generate:progress upload:progress verify:progress done:done");
  enrollment = tessera_wizard_flow_get_enrollment (flow);
  g_assert_nonnull (enrollment);
  g_assert_cmpint (tessera_enrollment_get_step (enrollment), ==, TESSERA_ENROLLMENT_STEP_CERTIFIED);
  g_assert_cmpuint (enrollment_steps->len, >=, 2);
  for (guint i = 1; i < enrollment_steps->len; i++)
    g_assert_cmpint (g_array_index (enrollment_steps, TesseraEnrollmentStep, i), >=,
                     g_array_index (enrollment_steps, TesseraEnrollmentStep, i - 1));
  g_assert_cmpint (g_array_index (enrollment_steps, TesseraEnrollmentStep, enrollment_steps->len - 1), ==,
                   TESSERA_ENROLLMENT_STEP_CERTIFIED);
  g_signal_handlers_disconnect_by_func (enrollment, record_enrollment_step_cb, enrollment_steps);
  g_signal_handlers_disconnect_by_func (flow, watch_enrollment_cb, enrollment_steps);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD,
                                                                            "next_button"))), ==, "_Done");
  g_assert_false (gtk_widget_get_visible (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD,
                                                                 "back_button")));
  g_assert_false (gtk_widget_get_visible (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD,
                                                                 "cancel_button")));
  tessera_ui_test_screenshot (GTK_WIDGET (wizard), "wizard-done");

  store = tessera_key_store_new (tessera_ui_test_server_get (f->server, "JID"), NULL);
  device = tessera_key_store_get_device_record (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (device);
  g_assert_cmpstr (tessera_key_record_get_name (device), ==, "Test Laptop");
  fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (device));

  /* Done: the window lists the account with this device's row selected. */
  click_next (wizard);
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD) == NULL, 10);
  cert_list = TESSERA_CERT_LIST (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "cert_list"));
  TESSERA_UI_WAIT (g_strcmp0 (tessera_window_get_page (window), "list") == 0 &&
                   !tessera_window_get_busy (window), 60);
  selected = tessera_cert_list_get_selected (cert_list);
  g_assert_nonnull (selected);
  g_assert_cmpstr (tessera_cert_entry_get_fingerprint (selected), ==, fingerprint);
  g_assert_true (tessera_cert_list_is_device (cert_list, selected));
  g_assert_nonnull (tessera_ui_test_find_label (GTK_WIDGET (cert_list), "This device"));
  /* The certificate login was recorded by the server. */
  g_assert_cmpint (tessera_cert_entry_get_last_used_state (selected), ==, TESSERA_LAST_USED_AT);
  tessera_ui_test_screenshot (GTK_WIDGET (window), "wizard-main-window");
}

static void
test_wizard_back (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) keys = NULL;
  TesseraEnrollWizard *wizard;
  TesseraWizardFlow *flow;
  TesseraWindow *window;
  GtkWidget *form;

  wizard = start_first_run (&window);
  g_assert_false (gtk_widget_get_visible (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "back_button")));

  /* The page and the buttons follow the flow's step. */
  flow = tessera_enroll_wizard_get_flow (wizard);
  g_assert_cmpint (tessera_wizard_flow_get_step (flow), ==, TESSERA_WIZARD_STEP_WELCOME);
  tessera_wizard_flow_set_step (flow, TESSERA_WIZARD_STEP_ACCOUNT);
  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "account");
  g_assert_true (gtk_widget_get_visible (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "back_button")));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD,
                                                                            "next_button"))), ==, "C_onnect");
  tessera_wizard_flow_set_step (flow, TESSERA_WIZARD_STEP_WELCOME);
  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "welcome");

  click_next (wizard);
  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "account");
  click_back (wizard);
  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "welcome");
  click_next (wizard);
  connect_account (f, wizard);
  click_next (wizard);
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "device") == 0, 30);

  /* The account page keeps what was entered and checked. */
  click_back (wizard);
  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "account");
  form = tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "form");
  g_assert_true (tessera_account_form_get_checked (TESSERA_ACCOUNT_FORM (form)));
  tessera_ui_test_screenshot (GTK_WIDGET (wizard), "wizard-back");
  click_next (wizard);
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "device") == 0, 30);

  /* The account was saved when leaving the account page: the window shows it. */
  TESSERA_UI_WAIT (tessera_window_get_account (window) != NULL, 10);

  /* Cancel on a page without any key: the wizard just closes. */
  tessera_ui_test_click (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "cancel_button"));
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD) == NULL, 10);
  keys = list_keys (f);
  g_assert_cmpuint (keys->len, ==, 0);
}

/* The server goes away after the connect check: generating works, the
 * upload fails, and cancelling deletes the key that was never sent. */
static void
test_wizard_cancel (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) after = NULL;
  TesseraEnrollWizard *wizard;
  TesseraWindow *window;
  GtkWidget *progress_error;
  g_autofree char *jid = NULL;

  wizard = start_first_run (&window);
  click_next (wizard);
  connect_account (f, wizard);
  click_next (wizard);
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "device") == 0, 30);

  jid = g_strdup (tessera_ui_test_server_get (f->server, "JID"));
  g_clear_pointer (&f->server, tessera_test_server_stop);

  click_next (wizard);
  progress_error = tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "progress_error_label");
  TESSERA_UI_WAIT (gtk_widget_get_visible (progress_error), 90);
  g_assert_cmpstr (tessera_enroll_wizard_get_page (wizard), ==, "progress");
  g_assert_true (gtk_widget_get_visible (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "next_button")));
  g_assert_cmpstr (row_state (wizard, "generate"), ==, "done");
  g_assert_cmpstr (row_state (wizard, "upload"), ==, "failed");
  g_assert_cmpstr (row_state (wizard, "verify"), ==, "pending");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (tessera_ui_test_child (wizard,
                     TESSERA_TYPE_ENROLL_WIZARD, "generate_row"))), !=, "");
  tessera_ui_test_screenshot (GTK_WIDGET (wizard), "wizard-upload-failed");

  {
    g_autoptr(TesseraKeyStore) store = tessera_key_store_new (jid, NULL);
    g_autoptr(GError) error = NULL;

    keys = tessera_key_store_list (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (keys->len, ==, 1);
    g_assert_null (tessera_key_record_get_certificate (keys->pdata[0]));

    tessera_ui_test_click (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "cancel_button"));
    TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD) == NULL, 30);

    after = tessera_key_store_list (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (after->len, ==, 0);
  }
}

/* The server stops answering during the upload (Prosody is paused, so the
 * request times out): the saved key waits, and Try Again sends it again
 * with the same enrollment, whose step the progress follows again. */
static void
test_wizard_retry_upload (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pages_seen = NULL;
  TesseraEnrollWizard *wizard;
  TesseraWizardFlow *flow;
  TesseraEnrollment *enrollment;
  TesseraWindow *window;
  GtkWidget *form;
  GtkWidget *progress_error;
  GPid prosody = tessera_test_server_get_pid (f->server);

  g_assert_cmpint (prosody, >, 0);
  wizard = start_first_run (&window);
  flow = tessera_enroll_wizard_get_flow (wizard);
  click_next (wizard);
  connect_account (f, wizard);
  click_next (wizard);
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "device") == 0, 30);
  /* The enrollment takes the session's deadline when it is made. */
  form = tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "form");
  tessera_session_set_timeout (tessera_account_form_get_session (TESSERA_ACCOUNT_FORM (form)), 8);

  g_assert_cmpint (kill (prosody, SIGSTOP), ==, 0);
  g_signal_connect (flow, "notify::step", G_CALLBACK (record_page_cb), pages);
  click_next (wizard);
  progress_error = tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "progress_error_label");
  TESSERA_UI_WAIT (gtk_widget_get_visible (progress_error), 90);
  g_assert_cmpint (kill (prosody, SIGCONT), ==, 0);

  enrollment = tessera_wizard_flow_get_enrollment (flow);
  g_assert_cmpint (tessera_enrollment_get_step (enrollment), ==, TESSERA_ENROLLMENT_STEP_FAILED);
  g_assert_cmpstr (row_state (wizard, "generate"), ==, "done");
  g_assert_cmpstr (row_state (wizard, "upload"), ==, "failed");
  store = tessera_key_store_new (tessera_ui_test_server_get (f->server, "JID"), NULL);
  keys = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_null (tessera_key_record_get_certificate (keys->pdata[0]));

  /* Try Again: the same enrollment and key, not a new one. */
  click_next (wizard);
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "done") == 0 ||
                   (!tessera_wizard_flow_get_busy (flow) && gtk_widget_get_visible (progress_error)), 120);
  if (gtk_widget_get_visible (progress_error))
    g_error ("trying again failed: %s", gtk_label_get_label (GTK_LABEL (progress_error)));
  g_assert_true (tessera_wizard_flow_get_enrollment (flow) == enrollment);
  g_assert_cmpint (tessera_enrollment_get_step (enrollment), ==, TESSERA_ENROLLMENT_STEP_CERTIFIED);
  g_signal_handlers_disconnect_by_func (flow, record_page_cb, pages);
  g_ptr_array_add (pages, NULL);
  pages_seen = g_strjoinv (" ", (char **) pages->pdata);
  g_assert_cmpstr (pages_seen, ==, "generate:progress upload:progress verify:progress done:done");

  device = tessera_key_store_get_device_record (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (device);
  g_assert_cmpstr (tessera_key_record_get_id (device), ==, tessera_key_record_get_id (keys->pdata[0]));
  g_assert_nonnull (tessera_key_record_get_certificate (device));
}

/* Cancel exactly when the certificate login check starts (the certificate
 * is on the server by then): the wizard offers to revoke it. */
static void
verify_state_changed_cb (GtkStack            *stack,
                         GParamSpec          *pspec,
                         TesseraEnrollWizard *wizard)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "running") == 0)
    {
      g_signal_handlers_disconnect_by_func (stack, verify_state_changed_cb, wizard);
      tessera_ui_test_click (tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "cancel_button"));
    }
}

static void
test_wizard_cancel_unverified (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  TesseraEnrollWizard *wizard;
  TesseraWindow *window;
  AdwMessageDialog *dialog = NULL;
  GtkWidget *revoke;
  GtkWidget *verify_state;

  wizard = start_first_run (&window);
  click_next (wizard);
  connect_account (f, wizard);
  click_next (wizard);
  TESSERA_UI_WAIT (g_strcmp0 (tessera_enroll_wizard_get_page (wizard), "device") == 0, 30);

  verify_state = tessera_ui_test_child (wizard, TESSERA_TYPE_ENROLL_WIZARD, "verify_state");
  g_signal_connect (verify_state, "notify::visible-child-name", G_CALLBACK (verify_state_changed_cb), wizard);
  click_next (wizard);

  TESSERA_UI_WAIT ((dialog = ADW_MESSAGE_DIALOG (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG))) != NULL &&
                   gtk_widget_get_mapped (GTK_WIDGET (dialog)), 90);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Revoke the New Certificate?");
  tessera_ui_test_screenshot (GTK_WIDGET (dialog), "wizard-offer-revoke");

  store = tessera_key_store_new (tessera_ui_test_server_get (f->server, "JID"), NULL);
  device = tessera_key_store_get_device_record (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (device);
  g_clear_object (&device);

  revoke = tessera_ui_test_find_button (GTK_WIDGET (dialog), "_Revoke");
  g_assert_nonnull (revoke);
  tessera_ui_test_click (revoke);
  TESSERA_UI_WAIT (tessera_ui_test_find_window (TESSERA_TYPE_ENROLL_WIZARD) == NULL, 60);

  /* Revoked on the server: a fresh list is empty, and the key is gone. */
  TESSERA_UI_WAIT (!tessera_window_get_busy (window), 60);
  tessera_ui_test_click (tessera_ui_test_child (window, TESSERA_TYPE_WINDOW, "refresh_button"));
  TESSERA_UI_WAIT (!tessera_window_get_busy (window), 60);
  g_assert_cmpstr (tessera_window_get_page (window), ==, "empty");
  keys = list_keys (f);
  g_assert_cmpuint (keys->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  tessera_ui_test_init (&argc, &argv);

  g_test_add ("/tessera/ui/wizard/enroll", Fixture, server_options,
              fixture_setup, test_wizard_enroll, fixture_teardown);
  g_test_add ("/tessera/ui/wizard/back", Fixture, server_options,
              fixture_setup, test_wizard_back, fixture_teardown);
  g_test_add ("/tessera/ui/wizard/cancel", Fixture, server_options,
              fixture_setup, test_wizard_cancel, fixture_teardown);
  g_test_add ("/tessera/ui/wizard/cancel-unverified", Fixture, server_options,
              fixture_setup, test_wizard_cancel_unverified, fixture_teardown);
  g_test_add ("/tessera/ui/wizard/retry-upload", Fixture, server_options,
              fixture_setup, test_wizard_retry_upload, fixture_teardown);

  return tessera_ui_test_run ();
}
