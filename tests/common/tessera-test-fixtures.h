/* tessera-test-fixtures.h: temporary directories, a file keyring, waiting for async results, keys
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-core.h"

G_BEGIN_DECLS

/* ---- no Secret Service ---------------------------------------------------- */

/* For a test case that needs a desktop without a Secret Service. In the
 * test process: runs this case again in a subprocess (at most @seconds),
 * asserts it passed, and returns FALSE: the case returns at once. In that
 * subprocess: points libsecret at its D-Bus backend with no session bus
 * (and no DISPLAY to autolaunch one), and returns TRUE: the case runs. */
gboolean  tessera_test_run_without_secret_service (guint seconds);

/* ---- temporary directories ---------------------------------------------- */

/* A fresh private (0700) directory in g_get_tmp_dir() from @template
 * ("name-XXXXXX"); asserts that it was made. */
char     *tessera_test_tmpdir_new          (const char *template);
/* Deletes @path and everything below it, without following symbolic links
 * (a link is removed, not what it points to), and makes read-only
 * directories writable on the way. Nothing there is not an error. */
gboolean  tessera_test_remove_tree         (const char  *path,
                                            GError     **error);
/* Asserts that the tree is gone, then frees @path; for teardown. */
void      tessera_test_tmpdir_free         (char *path);

/* The permission bits of @path itself (lstat: a link is not followed);
 * asserts that it exists. */
guint     tessera_test_mode_of             (const char  *path);
/* Replaces the file @path with a symbolic link to @copy, a new copy of it
 * with mode @mode: another file of the user's, which the code under test
 * must neither read through the link nor change. Asserts every step. */
void      tessera_test_replace_with_link   (const char  *path,
                                            const char  *copy,
                                            guint        mode);

/* ---- a device ------------------------------------------------------------ */

/* One device for a tessera-cli run: its own XDG directories, HOME, TMPDIR
 * and file keyring, sharing nothing with the test process or other
 * devices. */
typedef struct
{
  char     *root;
  char     *data_home;
  char     *config_home;
  char     *cache_home;
  char     *tmp;
  char     *keyring;
  char     *keyring_password;  /* SECRET_FILE_TEST_PASSWORD, "test-keyring" */
  gboolean  no_keyring;        /* no SECRET_BACKEND, a session bus that is not there */
} TesseraTestDevice;

/* Makes the directories under @parent/@name (removed with @parent). */
void      tessera_test_device_init         (TesseraTestDevice   *device,
                                            const char          *parent,
                                            const char          *name);
void      tessera_test_device_clear        (TesseraTestDevice   *device);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TesseraTestDevice, tessera_test_device_clear)
/* Sets @launcher's environment to @device's directories and keyring (or
 * to no Secret Service at all), with no crash point armed. */
void      tessera_test_device_apply        (TesseraTestDevice   *device,
                                            GSubprocessLauncher *launcher);

/* ---- an isolated file keyring ------------------------------------------- */

/* libsecret's file backend (no D-Bus) in a private directory of its own:
 * SECRET_BACKEND=file, SECRET_FILE_TEST_PATH, SECRET_FILE_TEST_PASSWORD.
 * Call before any libsecret call. When SECRET_FILE_TEST_PATH is set
 * already (a g_test_trap_subprocess() child inherits it), the parent's
 * keyring is shared and nothing is made. */
void      tessera_test_file_keyring_setup    (const char *name);
/* The keyring file, or NULL when this process did not make one. */
const char *tessera_test_file_keyring_path   (void);
/* Removes the keyring's directory with the file and the backup ("~") the
 * backend keeps beside it; does nothing in a child that shared it. */
void      tessera_test_file_keyring_teardown (void);

/* ---- a key store --------------------------------------------------------- */

/* Saves a new ECDSA P-256 key "Laptop" (ccm2) in @store, under
 * @passphrase, with its certificate request for @jid: a key as an
 * enrollment leaves it before the upload. Asserts every step; returns the
 * key's id. */
char     *tessera_test_save_pending_key    (TesseraKeyStore *store,
                                            const char      *jid,
                                            const char      *passphrase);

/* ---- waiting for an async result ----------------------------------------- */

/* A GAsyncReadyCallback that stores a reference to the result in the
 * GAsyncResult ** given as user data. */
void      tessera_test_async_result_cb     (GObject      *source,
                                            GAsyncResult *result,
                                            gpointer      user_data);
/* Runs the thread-default main context until *@result is set (by
 * tessera_test_async_result_cb) or @seconds have passed; fails the test at
 * the deadline. Returns *@result, NULL after a failure. @seconds 0: no
 * deadline, for the programs that are not tests (tests/load, tests/soak),
 * whose operations end by their own timeouts. */
GAsyncResult *tessera_test_wait_async      (GAsyncResult **result,
                                            guint          seconds);

G_END_DECLS
