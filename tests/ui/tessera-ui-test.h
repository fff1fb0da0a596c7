/* tessera-ui-test.h: shared helpers of the UI tests: environment, waiting, widgets, screenshots
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-core.h"
#include "tessera-test-server.h"

G_BEGIN_DECLS

/* Iterates the default main context until @cond holds; fails the test
 * (naming the condition) after @seconds. */
#define TESSERA_UI_WAIT(cond, seconds)                                              \
  G_STMT_START {                                                                    \
    gint64 _tessera_deadline = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < _tessera_deadline)                  \
      tessera_ui_test_iterate ();                                                   \
    if (!(cond))                                                                    \
      g_error ("%s:%d: timed out after %d s waiting for: %s",                       \
               __FILE__, __LINE__, (int) (seconds), #cond);                         \
  } G_STMT_END

void            tessera_ui_test_init            (int                *argc,
                                                 char             ***argv);
int             tessera_ui_test_run             (void);
GtkApplication *tessera_ui_test_get_app         (void);
void            tessera_ui_test_close_all_windows (void);
void            tessera_ui_test_iterate         (void);
void            tessera_ui_test_settle          (guint               milliseconds);

TesseraTestServer *tessera_ui_test_start_server (const char * const *options);
const char     *tessera_ui_test_server_get      (TesseraTestServer  *server,
                                                 const char         *key);
TesseraAccount *tessera_ui_test_account_new     (TesseraTestServer  *server);
void            tessera_ui_test_save_account    (TesseraTestServer  *server);
TesseraKeyRecord *tessera_ui_test_enroll        (TesseraTestServer  *server,
                                                 TesseraKeyStore    *store,
                                                 const char         *name);

GtkWidget      *tessera_ui_test_child           (gpointer            widget,
                                                 GType               template_type,
                                                 const char         *name);
GtkWidget      *tessera_ui_test_find_label      (GtkWidget          *root,
                                                 const char         *text);
GtkWidget      *tessera_ui_test_find_label_containing (GtkWidget    *root,
                                                 const char         *text);
GtkWindow      *tessera_ui_test_find_window     (GType               type);
void            tessera_ui_test_close_window    (GtkWindow          *window);
void            tessera_ui_test_click           (GtkWidget          *button);
GtkWidget      *tessera_ui_test_find_button     (GtkWidget          *root,
                                                 const char         *label);
GtkWidget      *tessera_ui_test_find_named      (GtkWidget          *root,
                                                 const char         *name);
GtkWidget      *tessera_ui_test_find_cell       (GtkWidget          *root,
                                                 const char         *text);

void            tessera_ui_test_respond         (AdwMessageDialog   *dialog,
                                                 const char         *response_label);
AdwMessageDialog *tessera_ui_test_wait_for_password_dialog (guint     seconds);
void            tessera_ui_test_log_in          (AdwMessageDialog   *dialog,
                                                 const char         *password,
                                                 const char         *key_passphrase);

void            tessera_ui_test_screenshot      (GtkWidget          *widget,
                                                 const char         *name);

G_END_DECLS
