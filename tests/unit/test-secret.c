/* test-secret.c: passwords and key passphrases in libsecret
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "tessera-error.h"
#include "tessera-secret.h"
#include "tessera-test-fixtures.h"

static gboolean
contains_bytes (const char *haystack,
                gsize       length,
                const char *needle)
{
  gsize needle_length = strlen (needle);

  for (gsize i = 0; i + needle_length <= length; i++)
    if (memcmp (haystack + i, needle, needle_length) == 0)
      return TRUE;
  return FALSE;
}

static void
test_available (void)
{
  g_assert_true (tessera_secret_is_available ());
  /* answered from the cache the second time, and still right */
  g_assert_true (tessera_secret_is_available ());
}

static void
test_password_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  char *password;

  password = tessera_secret_lookup_password ("nobody@example.org", &error);
  g_assert_no_error (error);
  g_assert_null (password);

  g_assert_true (tessera_secret_store_password ("alice@example.org", "first secret", &error));
  g_assert_no_error (error);
  g_assert_true (tessera_secret_store_password ("bob@example.org", "bob's secret", &error));
  g_assert_no_error (error);

  password = tessera_secret_lookup_password ("alice@example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "first secret");
  tessera_secret_free (password);

  /* storing again replaces, it does not add a second item */
  g_assert_true (tessera_secret_store_password ("alice@example.org", "second secret", &error));
  password = tessera_secret_lookup_password ("alice@example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "second secret");
  tessera_secret_free (password);

  g_assert_true (tessera_secret_clear_password ("alice@example.org", &error));
  g_assert_no_error (error);
  password = tessera_secret_lookup_password ("alice@example.org", &error);
  g_assert_no_error (error);
  g_assert_null (password);

  /* clearing what is not there is fine */
  g_assert_true (tessera_secret_clear_password ("alice@example.org", &error));
  g_assert_no_error (error);

  password = tessera_secret_lookup_password ("bob@example.org", &error);
  g_assert_cmpstr (password, ==, "bob's secret");
  tessera_secret_free (password);
  g_assert_true (tessera_secret_clear_password ("bob@example.org", &error));
}

static void
test_key_passphrase_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  char *value;

  g_assert_true (tessera_secret_store_key_passphrase ("carol@example.org", "0123456789abcdef",
                                                      "passphrase one", &error));
  g_assert_no_error (error);
  g_assert_true (tessera_secret_store_key_passphrase ("carol@example.org", "fedcba9876543210",
                                                      "passphrase two", &error));
  g_assert_no_error (error);
  g_assert_true (tessera_secret_store_password ("carol@example.org", "account password", &error));
  g_assert_no_error (error);

  value = tessera_secret_lookup_key_passphrase ("carol@example.org", "0123456789abcdef", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "passphrase one");
  tessera_secret_free (value);

  /* the two schemas do not see each other's items */
  value = tessera_secret_lookup_password ("carol@example.org", &error);
  g_assert_cmpstr (value, ==, "account password");
  tessera_secret_free (value);

  g_assert_true (tessera_secret_clear_key_passphrase ("carol@example.org", "0123456789abcdef",
                                                      &error));
  g_assert_no_error (error);
  value = tessera_secret_lookup_key_passphrase ("carol@example.org", "0123456789abcdef", &error);
  g_assert_no_error (error);
  g_assert_null (value);

  value = tessera_secret_lookup_key_passphrase ("carol@example.org", "fedcba9876543210", &error);
  g_assert_cmpstr (value, ==, "passphrase two");
  tessera_secret_free (value);
  value = tessera_secret_lookup_password ("carol@example.org", &error);
  g_assert_cmpstr (value, ==, "account password");
  tessera_secret_free (value);

  /* removing the account password leaves the key passphrases alone */
  g_assert_true (tessera_secret_clear_password ("carol@example.org", &error));
  g_assert_no_error (error);
  value = tessera_secret_lookup_key_passphrase ("carol@example.org", "fedcba9876543210", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "passphrase two");
  tessera_secret_free (value);

  /* another account with the same key id is another item */
  value = tessera_secret_lookup_key_passphrase ("dave@example.org", "fedcba9876543210", &error);
  g_assert_no_error (error);
  g_assert_null (value);

  tessera_secret_clear_key_passphrase ("carol@example.org", "fedcba9876543210", NULL);
}

/* The keyring file must not hold our secrets in the clear: proves the
 * items went through libsecret's (encrypting) file backend. */
static void
test_keyring_file_encrypted (void)
{
  const char *marker = "marker-3f1c9a7e-not-in-the-clear";
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (tessera_secret_store_password ("erin@example.org", marker, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (g_getenv ("SECRET_FILE_TEST_PATH"), &contents, &length,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 0);
  g_assert_false (contains_bytes (contents, length, marker));

  tessera_secret_clear_password ("erin@example.org", NULL);
}

/* Without a session bus and with libsecret's D-Bus backend: quickly "not
 * available", and every call says NO_SECRET_SERVICE. Run in a subprocess so
 * the environment change cannot leak into the other tests. */
static void
test_unavailable (void)
{
  g_autoptr(GError) error = NULL;
  gint64 start;
  char *value;

  /* the isolated runtime directory has no "bus" socket */
  if (!tessera_test_run_without_secret_service (30))
    return;

  start = g_get_monotonic_time ();
  g_assert_false (tessera_secret_is_available ());
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);

  g_assert_false (tessera_secret_store_password ("frank@example.org", "pw", &error));
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NO_SECRET_SERVICE);
  g_clear_error (&error);

  value = tessera_secret_lookup_key_passphrase ("frank@example.org", "0123456789abcdef", &error);
  g_assert_null (value);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NO_SECRET_SERVICE);
  g_clear_error (&error);

  g_assert_false (tessera_secret_clear_password ("frank@example.org", &error));
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NO_SECRET_SERVICE);
}

static gboolean
name_has_owner (GDBusConnection *bus,
                const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static GTestDBus *test_bus_leaked G_GNUC_UNUSED __attribute__ ((used));

static GSubprocess *
start_keyring_daemon (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) password = g_bytes_new_static ("daemon test password", 20);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autofree char *control_dir = g_build_filename (g_get_user_runtime_dir (), "keyring", NULL);
  GOutputStream *input;

  /* gnome-keyring is a GLib program too: our fatal-warnings must not
   * apply to it */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  /* the test framework points the environment's XDG variables at
   * /dev/null; give the daemon this test's private directories */
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  daemon = g_subprocess_launcher_spawn (launcher, &error,
                                        "gnome-keyring-daemon", "--foreground", "--unlock",
                                        "--components=secrets",
                                        "--control-directory", control_dir,
                                        NULL);
  g_assert_no_error (error);

  /* --unlock reads the login keyring's password from stdin until EOF */
  input = g_subprocess_get_stdin_pipe (daemon);
  g_output_stream_write_bytes (input, password, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (input, NULL, &error);
  g_assert_no_error (error);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 100 && !name_has_owner (bus, "org.freedesktop.secrets"); i++)
    g_usleep (100 * 1000);
  g_assert_true (name_has_owner (bus, "org.freedesktop.secrets"));

  return g_steal_pointer (&daemon);
}

/* The D-Bus path against a real gnome-keyring-daemon on a private session
 * bus: absent first (quickly), then present and working. */
static void
test_dbus_service (void)
{
  g_autoptr(GTestDBus) test_bus = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *daemon_path = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *bus_path = g_find_program_in_path ("dbus-daemon");
  gint64 start;
  char *value;

  if (daemon_path == NULL || bus_path == NULL)
    {
      g_test_skip ("gnome-keyring-daemon or dbus-daemon is not installed");
      return;
    }

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  /* gnome-keyring puts its control socket there; the isolated test
   * directories are only named, not created */
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_runtime_dir (), 0700), ==, 0);
  g_setenv ("SECRET_BACKEND", "service", TRUE);
  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);

  start = g_get_monotonic_time ();
  g_assert_false (tessera_secret_is_available ());
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);

  daemon = start_keyring_daemon ();
  g_assert_true (tessera_secret_is_available ());

  g_assert_true (tessera_secret_store_key_passphrase ("grace@example.org", "0123456789abcdef",
                                                      "over d-bus", &error));
  g_assert_no_error (error);
  value = tessera_secret_lookup_key_passphrase ("grace@example.org", "0123456789abcdef", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "over d-bus");
  tessera_secret_free (value);
  g_assert_true (tessera_secret_clear_key_passphrase ("grace@example.org", "0123456789abcdef",
                                                      &error));
  g_assert_no_error (error);
  value = tessera_secret_lookup_key_passphrase ("grace@example.org", "0123456789abcdef", &error);
  g_assert_no_error (error);
  g_assert_null (value);

  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);

  /* libsecret keeps the session bus connection for the whole process, so
   * g_test_dbus_down() would wait for it in vain: stop the bus without
   * waiting (this subprocess ends right after) and keep the connection
   * from exiting the process when the bus goes away. */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus != NULL)
    g_dbus_connection_set_exit_on_close (bus, FALSE);
  g_test_dbus_stop (test_bus);
  test_bus_leaked = g_steal_pointer (&test_bus);
}

int
main (int argc, char *argv[])
{
  int ret;

  /* libsecret's file backend (compiled into Debian's libsecret 0.20.5, which
   * links libgcrypt) stands in for the Secret Service: no D-Bus needed. The
   * environment must be set before the first libsecret call. */
  tessera_test_file_keyring_setup ("tessera-test-secret");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/tessera/secret/available", test_available);
  g_test_add_func ("/tessera/secret/password-round-trip", test_password_round_trip);
  g_test_add_func ("/tessera/secret/key-passphrase-round-trip", test_key_passphrase_round_trip);
  g_test_add_func ("/tessera/secret/keyring-file-encrypted", test_keyring_file_encrypted);
  g_test_add_func ("/tessera/secret/unavailable", test_unavailable);
  g_test_add_func ("/tessera/secret/dbus-service", test_dbus_service);

  ret = g_test_run ();
  tessera_test_file_keyring_teardown ();
  return ret;
}
