/* hostile-common.h: devices, tessera-cli runs, state snapshots and the misbehaving Prosody
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tessera-test-exit.h"
#include "tessera-test-fixtures.h"
#include "tessera-test-server.h"

G_BEGIN_DECLS

/* The assertions do not abort (g_test_set_nonfatal_assertions): a failed
 * step ends the case, and teardown still stops the server. */
#define HOSTILE_RETURN_IF_FAILED() G_STMT_START { if (g_test_failed ()) return; } G_STMT_END

/* A device is a TesseraTestDevice (tests/common/tessera-test-fixtures.h):
 * its own XDG directories and file keyring, sharing nothing with the test
 * process or other devices. */
/* $XDG_DATA_HOME/tessera/<jid>, where the key store keeps this account's keys */
char *hostile_device_account_dir (TesseraTestDevice *device,
                                  const char        *bare_jid);

/* The fixture of the cases against the misbehaving Prosody: the server
 * (started with the options given as the test data), and devices in a
 * directory of their own, removed in teardown. */
typedef struct
{
  TesseraTestServer *server;
  char              *tmpdir;
  TesseraTestDevice  a;
  TesseraTestDevice  b;
  guint              n_devices;
} HostileFixture;

void hostile_fixture_setup      (HostileFixture *f,
                                 gconstpointer   data);
void hostile_fixture_teardown   (HostileFixture *f,
                                 gconstpointer   data);
#define HOSTILE_ADD(path, data, func) \
  g_test_add ((path), HostileFixture, (data), hostile_fixture_setup, (func), hostile_fixture_teardown)

/* A device of its own for one step, under the fixture's directory. */
void hostile_fixture_new_device (HostileFixture *f,
                                 TesseraTestDevice *device);
/* What the server really holds: listed with mod_ccm2 answering (the
 * script emptied), from a fresh device that has nothing to reconcile. */
JsonArray *hostile_fixture_server_truth (HostileFixture *f);
/* `tessera-cli enroll @name` as @device with the script emptied; asserts
 * success and returns the new certificate's fingerprint (NULL if not). */
char      *hostile_fixture_enroll       (HostileFixture *f,
                                         TesseraTestDevice *device,
                                         const char     *name);

/* Devices a and b, one certificate each. */
typedef struct
{
  char *fp_a;
  char *fp_b;
} HostileTwoDevices;

void     hostile_two_devices_clear  (HostileTwoDevices *two);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HostileTwoDevices, hostile_two_devices_clear)
gboolean hostile_fixture_enroll_two (HostileFixture    *f,
                                     HostileTwoDevices *two);

/* One tessera-cli run. */
typedef struct
{
  int        status;      /* exit status; -1 when it did not exit normally */
  int        signal;      /* the signal that ended it, or 0 */
  char      *out;
  char      *err;
  JsonNode  *json;        /* stdout parsed, with --json */
  double     seconds;     /* wall time */
} HostileRun;

void        hostile_run_clear          (HostileRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HostileRun, hostile_run_clear)

/* Runs tessera-cli as @device with stdin closed, $TESSERA_PASSWORD =
 * @password (unset when NULL) and @extra_env ("NAME=value", nullable).
 * Asserts that it exited by itself, not by a signal. */
void        hostile_run_cli            (TesseraTestDevice  *device,
                                        const char         *password,
                                        const char * const *extra_env,
                                        const char * const *argv,
                                        HostileRun         *run);
JsonObject *hostile_run_object         (HostileRun *run);
/* The "error" member of a --json failure: its code, its message. */
const char *hostile_run_error_code     (HostileRun *run);
const char *hostile_run_error_message  (HostileRun *run);
/* The "certificates" array of a --json list. */
JsonArray  *hostile_run_certificates   (HostileRun *run);
JsonObject *hostile_find_certificate   (JsonArray  *certificates,
                                        const char *fingerprint);
/* Asserts that @text (maybe NULL) contains @part. */
void        hostile_assert_contains    (const char *text,
                                        const char *part);
/* Asserts that @fingerprint is listed; whether it is marked this device's. */
gboolean    hostile_is_this_device     (JsonArray  *certificates,
                                        const char *fingerprint);

/* Everything under @dirs (NULL-terminated): for each path, its type, mode,
 * and content digest; "journal" files keep their whole text, since they
 * may only grow. */
GHashTable *hostile_snapshot           (const char * const *dirs);
/* Asserts that nothing in @after differs from @before, except lines
 * appended to a journal when @journal_may_grow. */
void        hostile_assert_unchanged   (GHashTable *before,
                                        GHashTable *after,
                                        gboolean    journal_may_grow);
GHashTable *hostile_device_snapshot    (TesseraTestDevice *device);

/* The misbehaving Prosody: local-server with mod_ccm2_misbehave. */
TesseraTestServer *hostile_server_start (const char * const *extra_options);
/* Replaces the control file (see mod_ccm2_misbehave.lua) and forgets the
 * events so far. */
void        hostile_server_script      (TesseraTestServer *server,
                                        const char        *script);
/* Requests of @op ("list", "add", "revoke") that reached the server since
 * the last hostile_server_script(). */
guint       hostile_server_count       (TesseraTestServer *server,
                                        const char        *op);
/* Writes @contents to a file in the server's directory; returns its path. */
char       *hostile_server_payload     (TesseraTestServer *server,
                                        const char        *name,
                                        const char        *contents,
                                        gssize             length);

/* tessera-cli --json --timeout T --jid … --host … --port … --ca-file … ARGS
 * against @server; @jid NULL: the first account. */
void        hostile_cli                (TesseraTestServer *server,
                                        TesseraTestDevice *device,
                                        const char        *jid,
                                        guint              timeout,
                                        HostileRun        *run,
                                        ...) G_GNUC_NULL_TERMINATED;
/* The password of @jid on @server (JID/PASSWORD, JID2/PASSWORD2...). */
const char *hostile_server_password_of (TesseraTestServer *server,
                                        const char        *jid);

/* A self-signed certificate of a fresh key, base64 DER. */
char       *hostile_make_certificate   (const char *bare_jid);

/* The key folders of @device for @jid (names of folders holding key.pem). */
GPtrArray  *hostile_device_key_ids     (TesseraTestDevice *device,
                                        const char    *bare_jid);
char       *hostile_read_file          (const char *dir,
                                        const char *name);

G_END_DECLS
