/* reliability-common.h: devices, tessera-cli runs and server state for the reliability tests
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tessera-core.h"
#include "tessera-test-exit.h"
#include "tessera-test-fixtures.h"
#include "tessera-test-server.h"

G_BEGIN_DECLS

/* A device is a TesseraTestDevice (tests/common/tessera-test-fixtures.h):
 * its own XDG directories, TMPDIR and file keyring, so two devices of one
 * account share nothing but the server. */

typedef struct
{
  int        status;       /* exit status, -1 when killed */
  int        term_signal;  /* the signal that killed it, else 0 */
  char      *out;
  char      *err;
  JsonNode  *json;         /* stdout parsed, for a --json run that exited */
} RelResult;

/* How to run tessera-cli; every field may be NULL / 0. */
typedef struct
{
  const char         *password;    /* $TESSERA_PASSWORD */
  const char         *crash_at;    /* $TESSERA_TEST_CRASH_AT */
  const char * const *wrapper;     /* argv in front of tessera-cli (strace ...) */
  const char * const *env;         /* extra KEY=VALUE */
  gboolean            umask_zero;  /* run under umask 000 */
  gboolean            no_server_options; /* no --jid/--host/--port/--ca-file */
} RelRun;

/* The key store of @device for @jid (its data directory). */
TesseraKeyStore *rel_device_store (TesseraTestDevice  *device,
                                   const char         *jid);

void        rel_result_clear      (RelResult          *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RelResult, rel_result_clear)

const char *rel_cli_path          (void);
/* Runs "tessera-cli --json --timeout 20 --jid JID --host … --port … --ca-file …
 * ARGS…" as @device, stdin closed. */
void        rel_run_cli           (TesseraTestServer  *server,
                                   const char         *jid,
                                   TesseraTestDevice  *device,
                                   const RelRun       *run,
                                   RelResult          *result,
                                   ...) G_GNUC_NULL_TERMINATED;
void        rel_run_cli_argv      (TesseraTestServer  *server,
                                   const char         *jid,
                                   TesseraTestDevice  *device,
                                   const RelRun       *run,
                                   const char * const *args,
                                   RelResult          *result);
/* rel_run_cli_argv() in two halves, for runs at the same time: starts
 * tessera-cli, then waits for it and fills @result. */
GSubprocess *rel_spawn_cli_argv   (TesseraTestServer  *server,
                                   const char         *jid,
                                   TesseraTestDevice  *device,
                                   const RelRun       *run,
                                   const char * const *args);
void        rel_wait_cli          (GSubprocess        *process,
                                   const RelRun       *run,
                                   const char * const *args,
                                   RelResult          *result);
/* The "error"."code" of a --json error document, or NULL. */
const char *rel_result_error_code (RelResult          *result);
/* The "fingerprint" member of a --json document, or NULL. */
const char *rel_result_fingerprint (RelResult         *result);

/* One certificate as mod_ccm2 stores it. */
typedef struct
{
  char *fingerprint;   /* of the DER */
  char *key_id;        /* TESSERA_KEY_ID_LEN hex of SHA-256(SPKI), like the key store's ids */
  char *name;
} RelServerCert;

/* What the server holds for @user ("user1"), read from Prosody's storage
 * (DATA_DIR/localhost/ccm2/USER.dat), not through any client code. */
GPtrArray  *rel_server_certs      (TesseraTestServer  *server,
                                   const char         *user);
RelServerCert *rel_server_certs_find (GPtrArray       *certs,
                                      const char      *fingerprint);

/* Appends @text to the server's configuration and restarts it. */
gboolean    rel_server_configure  (TesseraTestServer  *server,
                                   const char         *text,
                                   GError            **error);

/* Every regular file under @path (recursively), absolute paths. */
GPtrArray  *rel_list_files        (const char         *path,
                                   gboolean            with_directories);
char       *rel_read_file         (const char         *path,
                                   gsize              *length);

G_END_DECLS
