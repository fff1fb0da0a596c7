/* tessera-test-server.h: a throw-away local Prosody for tests
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Runs $TESSERA_LOCAL_SERVER (tests/server/local-server) in a fresh temporary
 * directory and reads its KEY=value lines.  Keys: HOST, PORT, DIRECT_TLS_PORT,
 * DOMAIN, CA_FILE, CLIENT_CA_FILE, CLIENT_CA_KEY_FILE, JID, PASSWORD, JID2,
 * PASSWORD2, DATA_DIR, CONFIG_FILE, PROSODY_PID, LOG_FILE, and DIR (the
 * temporary directory, added by the fixture).  local-server stops Prosody by
 * itself when the test process dies. */
typedef struct _TesseraTestServer TesseraTestServer;

/* options: NULL-terminated extra argv for local-server (e.g. "--xep0257",
 * "--features", "add,list"); NULL for none. */
TesseraTestServer *tessera_test_server_start        (const char * const  *options,
                                                     GError             **error);
const char        *tessera_test_server_get          (TesseraTestServer   *self,
                                                     const char          *key);
/* Sends SIGHUP: Prosody restarts on the same ports and data; waits for READY. */
gboolean           tessera_test_server_restart      (TesseraTestServer   *self,
                                                     GError             **error);
/* Sends SIGTERM, waits for local-server to exit, removes the directory, frees. */
void               tessera_test_server_stop         (TesseraTestServer   *self);

/* Shorthands for tessera_test_server_get() */
const char        *tessera_test_server_get_jid      (TesseraTestServer   *self);
const char        *tessera_test_server_get_password (TesseraTestServer   *self);
const char        *tessera_test_server_get_ca_file  (TesseraTestServer   *self);
guint16            tessera_test_server_get_port     (TesseraTestServer   *self);
/* The Prosody process id, or 0 */
GPid               tessera_test_server_get_pid      (TesseraTestServer   *self);

G_END_DECLS
