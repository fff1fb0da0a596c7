/* tessera-ui-test.c: shared helpers of the UI tests: environment, waiting, widgets, screenshots
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "tessera-application.h"
#include "tessera-cell-label.h"
#include "tessera-test-fixtures.h"
#include "tessera-ui-test.h"

static GtkApplication *test_app;
static GStrv system_data_dirs;

static const char *
build_root (void)
{
  const char *root = g_getenv ("TESSERA_BUILD_ROOT");

  g_assert_nonnull (root);
  return root;
}

static void
set_mime_dirs (void)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; system_data_dirs[i] != NULL; i++)
    g_ptr_array_add (dirs, g_build_filename (system_data_dirs[i], "mime", NULL));
  g_ptr_array_add (dirs, NULL);
  g_content_type_set_mime_dirs ((const char * const *) dirs->pdata);
}

/**
 * tessera_ui_test_init:
 * @argc: the program's argc
 * @argv: the program's argv
 *
 * Sets up the environment every UI test needs (cairo renderer, no
 * accessibility bus, the build tree's GSettings schema, in-memory settings,
 * the file Secret Service backend) and initializes the test framework with
 * isolated XDG directories for each test case.
 */
void
tessera_ui_test_init (int    *argc,
                      char ***argv)
{
  g_autofree char *schema_dir = NULL;
  g_autofree char *program = g_path_get_basename ((*argv)[0]);

  /* As the application's main () does, before anything opens a file. */
  tessera_stdio_ensure_open ();
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

  schema_dir = g_build_filename (build_root (), "data", NULL);
  g_setenv ("GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);

  /* libsecret picks its backend once per process: one keyring file for all
   * the cases of this program, made afresh and removed by
   * tessera_ui_test_run(). */
  tessera_test_file_keyring_setup (program);

  /* The isolated XDG_DATA_DIRS hide the icon themes and the MIME database
   * GTK needs to recognize SVG icons: remember the real directories, and
   * point GIO at the real MIME database (the API meant for this). Never
   * link system directories into the isolated ones: the test framework
   * deletes those recursively. */
  system_data_dirs = g_strdupv ((char **) g_get_system_data_dirs ());
  set_mime_dirs ();

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}

/**
 * tessera_ui_test_run:
 *
 * Runs the cases, then removes the keyring tessera_ui_test_init() made.
 *
 * Returns: the exit status of g_test_run()
 */
int
tessera_ui_test_run (void)
{
  int status = g_test_run ();

  tessera_test_file_keyring_teardown ();
  return status;
}

/**
 * tessera_ui_test_close_all_windows:
 *
 * Closes every window still open, for a fixture's teardown.
 */
void
tessera_ui_test_close_all_windows (void)
{
  GtkWindow *window;

  while ((window = tessera_ui_test_find_window (GTK_TYPE_WINDOW)) != NULL)
    tessera_ui_test_close_window (window);
}

static void
add_icon_paths (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());

  for (guint i = 0; system_data_dirs != NULL && system_data_dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (system_data_dirs[i], "icons", NULL);

      gtk_icon_theme_add_search_path (theme, path);
    }
}

/**
 * tessera_ui_test_get_app:
 *
 * Returns: (transfer none): the registered application of this test program
 */
GtkApplication *
tessera_ui_test_get_app (void)
{
  g_autoptr(GError) error = NULL;

  if (test_app != NULL)
    return test_app;

  test_app = GTK_APPLICATION (tessera_application_new (APP_ID, G_APPLICATION_NON_UNIQUE));
  g_application_register (G_APPLICATION (test_app), NULL, &error);
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (test_app));

  add_icon_paths ();
  /* Screenshots and waits should not depend on transitions. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  return test_app;
}

void
tessera_ui_test_iterate (void)
{
  if (!g_main_context_iteration (NULL, FALSE))
    g_usleep (2 * 1000);
}

/* Lets layout and drawing catch up, e.g. before a screenshot. */
void
tessera_ui_test_settle (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    tessera_ui_test_iterate ();
}

/* The local server */

TesseraTestServer *
tessera_ui_test_start_server (const char * const *options)
{
  g_autoptr(GError) error = NULL;
  TesseraTestServer *server;

  server = tessera_test_server_start (options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (server);
  return server;
}

const char *
tessera_ui_test_server_get (TesseraTestServer *server,
                            const char        *key)
{
  const char *value = tessera_test_server_get (server, key);

  g_assert_nonnull (value);
  return value;
}

/**
 * tessera_ui_test_account_new:
 * @server: the local server
 *
 * Returns: (transfer full): the settings of the server's test account
 */
TesseraAccount *
tessera_ui_test_account_new (TesseraTestServer *server)
{
  guint64 port = 0;

  g_assert_true (g_ascii_string_to_unsigned (tessera_ui_test_server_get (server, "PORT"),
                                             10, 1, G_MAXUINT16, &port, NULL));
  return tessera_account_new (tessera_ui_test_server_get (server, "JID"),
                              tessera_ui_test_server_get (server, "HOST"),
                              (guint16) port,
                              TESSERA_TLS_STARTTLS,
                              tessera_ui_test_server_get (server, "CA_FILE"),
                              NULL);
}

/**
 * tessera_ui_test_enroll:
 * @server: the test server
 * @store: where the key goes
 * @name: the device name
 *
 * Enrolls an ECDSA P-256 key through the core, as the wizard does, with
 * the account's password; the test fails when it does not end certified.
 *
 * Returns: (transfer full): the record, with the certificate the local
 *   Prosody signed
 */
TesseraKeyRecord *
tessera_ui_test_enroll (TesseraTestServer *server,
                        TesseraKeyStore   *store,
                        const char        *name)
{
  g_autoptr(TesseraAccount) account = tessera_ui_test_account_new (server);
  g_autoptr(TesseraSession) session = tessera_session_new (account, store);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TesseraKeyRecord *record;

  tessera_session_set_password (session, tessera_ui_test_server_get (server, "PASSWORD"));
  tessera_session_enroll_async (session, name, TESSERA_KEY_TYPE_ECDSA_P256, NULL, NULL,
                                tessera_test_async_result_cb, &result);
  TESSERA_UI_WAIT (result != NULL, 120);
  record = tessera_session_enroll_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  g_assert_nonnull (tessera_key_record_get_certificate (record));
  tessera_session_close (session);
  return record;
}

/* Saves the test account and its password, as the account dialog would. */
void
tessera_ui_test_save_account (TesseraTestServer *server)
{
  g_autoptr(TesseraAccount) account = tessera_ui_test_account_new (server);
  g_autoptr(GError) error = NULL;

  tessera_account_store_save (account, &error);
  g_assert_no_error (error);
  tessera_secret_store_password (tessera_account_get_jid (account),
                                 tessera_ui_test_server_get (server, "PASSWORD"),
                                 &error);
  g_assert_no_error (error);
}

/* Widgets */

GtkWidget *
tessera_ui_test_child (gpointer    widget,
                       GType       template_type,
                       const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), template_type, name);

  if (child == NULL)
    g_error ("%s has no template child “%s”", g_type_name (template_type), name);
  return (GtkWidget *) child;
}

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text,
            gboolean    exact)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    {
      const char *label = gtk_label_get_label (GTK_LABEL (widget));

      if (exact ? g_strcmp0 (label, text) == 0 : (label != NULL && strstr (label, text) != NULL))
        return widget;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text, exact);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A label on screen (mapped) under @root showing exactly @text, or NULL. */
GtkWidget *
tessera_ui_test_find_label (GtkWidget  *root,
                            const char *text)
{
  return find_label (root, text, TRUE);
}

GtkWidget *
tessera_ui_test_find_label_containing (GtkWidget  *root,
                                       const char *text)
{
  return find_label (root, text, FALSE);
}

/* A visible toplevel of @type, or NULL. */
GtkWindow *
tessera_ui_test_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n_items = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

/* Closes @window and waits until it is gone. */
void
tessera_ui_test_close_window (GtkWindow *window)
{
  GWeakRef ref;

  g_weak_ref_init (&ref, window);
  gtk_window_destroy (window);
  tessera_ui_test_settle (50);
  g_weak_ref_clear (&ref);
}

/* Clicks @button as a user would: only when it can be clicked. */
void
tessera_ui_test_click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
}

/* A button on screen under @root labelled @label (with its mnemonic
 * underscore, as given in the code), or NULL. */
GtkWidget *
tessera_ui_test_find_button (GtkWidget  *root,
                             const char *label)
{
  if (GTK_IS_BUTTON (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = tessera_ui_test_find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A certificate list cell (a TesseraCellLabel) on screen under @root
 * showing exactly @text, or NULL: rows the list keeps off screen may still
 * hold old texts. */
GtkWidget *
tessera_ui_test_find_cell (GtkWidget  *root,
                           const char *text)
{
  if (TESSERA_IS_CELL_LABEL (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (tessera_cell_label_get_text (TESSERA_CELL_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = tessera_ui_test_find_cell (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The widget under @root (itself included) whose widget name is @name, or
 * NULL: the password prompt names its entries rather than binding them. */
GtkWidget *
tessera_ui_test_find_named (GtkWidget  *root,
                            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = tessera_ui_test_find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The window's password prompt ("Account Password") once it is on screen;
 * fails the test after @seconds. */
AdwMessageDialog *
tessera_ui_test_wait_for_password_dialog (guint seconds)
{
  AdwMessageDialog *dialog = NULL;

  TESSERA_UI_WAIT ((dialog = ADW_MESSAGE_DIALOG (tessera_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG))) != NULL &&
                   gtk_widget_get_mapped (GTK_WIDGET (dialog)), seconds);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Account Password");
  return dialog;
}

/* Clicks the response button of @dialog labelled @response_label (with its
 * mnemonic underscore) as a user would; waits until the dialog is gone. */
void
tessera_ui_test_respond (AdwMessageDialog *dialog,
                         const char       *response_label)
{
  GtkWidget *button = tessera_ui_test_find_button (GTK_WIDGET (dialog), response_label);
  gpointer weak = dialog;

  g_assert_nonnull (button);
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  tessera_ui_test_click (button);
  TESSERA_UI_WAIT (weak == NULL || !gtk_widget_get_visible (GTK_WIDGET (weak)), 10);
  if (weak != NULL)
    g_object_remove_weak_pointer (G_OBJECT (weak), &weak);
}

/* Answers the password prompt @dialog as a user would: types @password (and
 * @key_passphrase, when not NULL) into its rows and clicks "Log In"; waits
 * until the prompt is gone. */
void
tessera_ui_test_log_in (AdwMessageDialog *dialog,
                        const char       *password,
                        const char       *key_passphrase)
{
  gtk_editable_set_text (GTK_EDITABLE (tessera_ui_test_find_named (GTK_WIDGET (dialog), "account-password-entry")),
                         password);
  if (key_passphrase != NULL)
    gtk_editable_set_text (GTK_EDITABLE (tessera_ui_test_find_named (GTK_WIDGET (dialog), "key-passphrase-entry")),
                           key_passphrase);
  tessera_ui_test_respond (dialog, "_Log In");
}

/* Screenshots */

/**
 * tessera_ui_test_screenshot:
 * @widget: a window (or any realized widget)
 * @name: the file name without extension
 *
 * Renders @widget as it is now into
 * <builddir>/tests/ui/screenshots/@name.png.
 */
void
tessera_ui_test_screenshot (GtkWidget  *widget,
                            const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width;
  int height;

  tessera_ui_test_settle (300);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));

  dir = g_build_filename (build_root (), "tests", "ui", "screenshots", NULL);
  g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
  file = g_strdup_printf ("%s.png", name);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}
