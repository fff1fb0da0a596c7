/* main.c: the Tessera GUI executable
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "tessera-application.h"
#include "tessera-stdio.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TesseraApplication) app = NULL;

  /* Before anything opens a file: see tessera_stdio_ensure_open (). */
  tessera_stdio_ensure_open ();
  setlocale (LC_ALL, "");
  /* TESSERA_LOCALEDIR lets an uninstalled build (and its tests) use the
   * catalogs in <builddir>/po. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("TESSERA_LOCALEDIR") != NULL
                                     ? g_getenv ("TESSERA_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The name as shown by the desktop before a window exists; translated in the About window. */
  g_set_application_name ("Tessera");

  app = tessera_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
