/* tessera-application.c: the application: windows, app-wide actions, About
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-application.h"
#include "tessera-window.h"

struct _TesseraApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (TesseraApplication, tessera_application, ADW_TYPE_APPLICATION)

static void
first_frame_cb (GdkFrameClock *clock,
                TesseraWindow *window)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, window);

  /* The wizard is for a window that still has no account. */
  if (tessera_window_get_account (window) == NULL)
    tessera_window_start_enrollment (window);
}

static void
tessera_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  GdkFrameClock *clock;

  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  window = GTK_WINDOW (tessera_window_new (GTK_APPLICATION (app)));
  gtk_window_present (window);

  /* First start: nothing to show yet, so walk the user through enrollment,
   * but only once the main window is on screen: building the wizard before
   * that would hold back the first frame. */
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  if (tessera_window_get_account (TESSERA_WINDOW (window)) != NULL)
    return;
  if (clock != NULL)
    g_signal_connect_object (clock, "after-paint", G_CALLBACK (first_frame_cb), window, 0);
  else
    tessera_window_start_enrollment (TESSERA_WINDOW (window));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Closing lets each window cancel its work and save its size. */
  for (GList *l = windows; l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Tessera authors", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Tessera"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Tessera authors"),
                         "developers", developers,
                         "copyright", "© 2026 The Tessera authors",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Manage the client certificates your devices use to log in to "
                                       "an XMPP account without a password."),
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action },
  { .name = "about", .activate = about_action },
};

static void
tessera_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  /* As GtkApplication sets them for a gtk/help-overlay.ui; the window
   * builds its shortcuts window itself, on first use */
  static const char *shortcuts_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (tessera_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", shortcuts_accels);
  gtk_window_set_default_icon_name (APP_ID);
}

static void
tessera_application_class_init (TesseraApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = tessera_application_activate;
  app_class->startup = tessera_application_startup;
}

static void
tessera_application_init (TesseraApplication *self)
{
}

/**
 * tessera_application_new:
 * @application_id: the application id, %APP_ID outside tests
 * @flags: flags for #GApplication
 *
 * Returns: (transfer full): a new #TesseraApplication
 */
TesseraApplication *
tessera_application_new (const char        *application_id,
                         GApplicationFlags  flags)
{
  return g_object_new (TESSERA_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", "/io/github/tessera_xmpp/Tessera",
                       NULL);
}
