/* test-cli.c: tessera-cli against a real local Prosody server
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tessera-test-exit.h"
#include "tessera-test-fixtures.h"
#include "tessera-test-server.h"

/* Each device (a TesseraTestDevice) is a separate set of XDG directories
 * and a separate file keyring: two devices of one account share nothing but
 * the server. */
typedef struct
{
  TesseraTestServer *server;
  char              *tmpdir;
  TesseraTestDevice  device_a;
  TesseraTestDevice  device_b;
} Fixture;

typedef struct
{
  int        status;
  char      *out;
  char      *err;
  JsonNode  *json;
} CliResult;

/* The assertions do not abort (g_test_set_nonfatal_assertions): a failed
 * step ends the test case, and teardown still stops the server. */
#define RETURN_IF_FAILED() G_STMT_START { if (g_test_failed ()) return; } G_STMT_END

static const char *server_options_ccm2[] = { NULL };
static const char *server_options_xep0257[] = { "--xep0257", NULL };
static const char *server_options_partial[] = { "--features", "add,list", NULL };

static void
cli_result_clear (CliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
  g_clear_pointer (&result->json, json_node_unref);
  result->status = -1;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char * const *options = data;
  g_autoptr(GError) error = NULL;

  f->tmpdir = tessera_test_tmpdir_new ("tessera-cli-XXXXXX");
  tessera_test_device_init (&f->device_a, f->tmpdir, "device-a");
  tessera_test_device_init (&f->device_b, f->tmpdir, "device-b");

  if (options == NULL)
    return;
  f->server = tessera_test_server_start (options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GFile) dir = NULL;

  g_clear_pointer (&f->server, tessera_test_server_stop);
  tessera_test_device_clear (&f->device_a);
  tessera_test_device_clear (&f->device_b);
  g_clear_pointer (&f->tmpdir, tessera_test_tmpdir_free);
}

static const char *
cli_path (void)
{
  const char *path = g_getenv ("TESSERA_CLI");

  g_assert_nonnull (path);
  return path;
}

/* Runs tessera-cli as @device with stdin closed (never a terminal), the
 * account password in $TESSERA_PASSWORD when @password is not NULL, and no
 * access to any real keyring or XDG directory. */
static void
run_cli_argv (TesseraTestDevice  *device,
              const char         *password,
              const char * const *argv,
              CliResult          *result)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full_argv = NULL;
  g_autofree char *command_line = NULL;

  g_strv_builder_add (builder, cli_path ());
  g_strv_builder_addv (builder, (const char **) argv);
  full_argv = g_strv_builder_end (builder);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  tessera_test_device_apply (device, launcher);
  if (password != NULL)
    g_subprocess_launcher_setenv (launcher, "TESSERA_PASSWORD", password, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "TESSERA_PASSWORD");

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) full_argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);

  if (g_strv_contains ((const char * const *) full_argv, "--json") && result->out != NULL &&
      *result->out != '\0')
    {
      result->json = json_from_string (result->out, &error);
      g_assert_no_error (error);
    }
  command_line = g_strjoinv (" ", (char **) argv);
  g_test_message ("tessera-cli %s: exit %d\nstdout: %s\nstderr: %s", command_line,
                  result->status, result->out, result->err);
}

/* "--json" and the local server's connection settings. */
static void
add_settings (Fixture      *f,
              GStrvBuilder *builder)
{
  g_autofree char *port = g_strdup_printf ("%u", tessera_test_server_get_port (f->server));

  g_strv_builder_add_many (builder, "--json", "--timeout", "20",
                           "--jid", tessera_test_server_get_jid (f->server),
                           "--host", tessera_test_server_get (f->server, "HOST"),
                           "--port", port,
                           "--ca-file", tessera_test_server_get_ca_file (f->server),
                           NULL);
}

/* Runs "tessera-cli --json --jid … --host … (connection settings) ARGS…". */
static void
run_cli (Fixture    *f,
         TesseraTestDevice *device,
         const char *password,
         CliResult  *result,
         ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  const char *arg;
  va_list args;

  add_settings (f, builder);
  va_start (args, result);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (args);
  argv = g_strv_builder_end (builder);

  run_cli_argv (device, password, (const char * const *) argv, result);
}

static const char *
password_of (Fixture *f)
{
  return tessera_test_server_get_password (f->server);
}

static JsonObject *
json_object (CliResult *result)
{
  g_assert_nonnull (result->json);
  if (result->json == NULL)
    return NULL;
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result->json));
  return json_node_get_object (result->json);
}

static const char *
json_error_code (CliResult *result)
{
  JsonObject *object = json_object (result);
  JsonObject *error;

  if (object == NULL || !json_object_has_member (object, "error"))
    return NULL;
  error = json_object_get_object_member (object, "error");
  return json_object_get_string_member (error, "code");
}

static JsonArray *
list_certificates (Fixture *f,
                   TesseraTestDevice *device)
{
  g_auto(CliResult) result = { 0 };
  JsonObject *object;

  run_cli (f, device, password_of (f), &result, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  object = json_object (&result);
  if (result.status != TESSERA_TEST_EXIT_OK || object == NULL)
    return NULL;
  return json_array_ref (json_object_get_array_member (object, "certificates"));
}

static JsonObject *
find_certificate (JsonArray  *certificates,
                  const char *fingerprint)
{
  for (guint i = 0; certificates != NULL && i < json_array_get_length (certificates); i++)
    {
      JsonObject *entry = json_array_get_object_element (certificates, i);

      if (g_strcmp0 (json_object_get_string_member (entry, "fingerprint"), fingerprint) == 0)
        return entry;
    }
  return NULL;
}

/* Returns the fingerprint of the new certificate. */
static char *
enroll (Fixture    *f,
        TesseraTestDevice *device,
        const char *name,
        const char *protocol)
{
  g_auto(CliResult) result = { 0 };
  JsonObject *object;
  gint64 start = g_get_monotonic_time ();

  run_cli (f, device, password_of (f), &result, "enroll", name, NULL);
  g_test_message ("enroll wall time against the local server: %.3f s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  object = json_object (&result);
  if (result.status != TESSERA_TEST_EXIT_OK || object == NULL)
    return NULL;
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (object, "protocol"), ==, protocol);
  g_assert_nonnull (json_object_get_string_member (object, "not_after"));
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "fingerprint")), ==, 64);
  return g_strdup (json_object_get_string_member (object, "fingerprint"));
}

/* Logs in by certificate and returns the bound full JID. */
static char *
login (Fixture *f,
       TesseraTestDevice *device)
{
  g_auto(CliResult) result = { 0 };
  g_autofree char *prefix = NULL;
  JsonObject *object;
  const char *jid;

  /* No password in the environment: a certificate login never needs one. */
  run_cli (f, device, NULL, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  object = json_object (&result);
  if (result.status != TESSERA_TEST_EXIT_OK || object == NULL)
    return NULL;
  jid = json_object_get_string_member (object, "jid");
  prefix = g_strconcat (tessera_test_server_get_jid (f->server), "/", NULL);
  g_assert_true (g_str_has_prefix (jid, prefix));
  return g_strdup (jid);
}

static void
restart_server (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  tessera_test_server_restart (f->server, &error);
  g_assert_no_error (error);
}

/* Starts "login --hold SECONDS" in the background. */
static GSubprocess *
start_held_login (Fixture *f,
                  TesseraTestDevice *device,
                  guint    seconds)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hold = g_strdup_printf ("%u", seconds);
  GSubprocess *process;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  tessera_test_device_apply (device, launcher);
  g_subprocess_launcher_unsetenv (launcher, "TESSERA_PASSWORD");
  /* The account settings were remembered by the earlier commands. */
  process = g_subprocess_launcher_spawn (launcher, &error, cli_path (), "--json", "--jid",
                                         tessera_test_server_get_jid (f->server),
                                         "login", "--hold", hold, NULL);
  g_assert_no_error (error);
  return process;
}

typedef struct
{
  GMainLoop *loop;
  gboolean   timed_out;
} WaitData;

static gboolean
wait_timeout_cb (gpointer user_data)
{
  WaitData *data = user_data;

  data->timed_out = TRUE;
  g_main_loop_quit (data->loop);
  return G_SOURCE_REMOVE;
}

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  WaitData *data = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  g_main_loop_quit (data->loop);
}

static char *
read_all (GInputStream *stream)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) bytes = NULL;

  g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL);
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Waits at most @seconds for a process started by start_held_login(); kills
 * it on timeout. Fills @result (status -1 when it had to be killed). */
static void
wait_process (GSubprocess *process,
              guint        seconds,
              CliResult   *result)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  WaitData data = { loop, FALSE };
  guint timeout_id;

  timeout_id = g_timeout_add_seconds (seconds, wait_timeout_cb, &data);
  g_subprocess_wait_async (process, NULL, wait_done_cb, &data);
  g_main_loop_run (loop);
  if (data.timed_out)
    g_subprocess_force_exit (process);
  else
    g_source_remove (timeout_id);
  g_subprocess_wait (process, NULL, NULL);

  /* Its output is small: it fits the pipes while the process runs. */
  result->out = read_all (g_subprocess_get_stdout_pipe (process));
  result->err = read_all (g_subprocess_get_stderr_pipe (process));
  result->status = !data.timed_out && g_subprocess_get_if_exited (process)
                   ? g_subprocess_get_exit_status (process) : -1;
  if (*result->out != '\0')
    {
      result->json = json_from_string (result->out, &error);
      g_assert_no_error (error);
    }
  g_test_message ("held login: exit %d\nstdout: %s\nstderr: %s", result->status, result->out, result->err);
}

/* Polls the list until @fingerprint shows a user (a held login). */
static JsonObject *
wait_for_user (Fixture    *f,
               const char *fingerprint,
               JsonArray **keep)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(JsonArray) certificates = list_certificates (f, &f->device_a);
      JsonObject *entry = find_certificate (certificates, fingerprint);

      if (entry != NULL && json_array_get_length (json_object_get_array_member (entry, "users")) > 0)
        {
          *keep = g_steal_pointer (&certificates);
          return entry;
        }
      if (g_test_failed ())
        return NULL;
      g_usleep (G_USEC_PER_SEC / 4);
    }
  return NULL;
}

static char *
random_fingerprint (void)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < 8; i++)
    g_string_append_printf (text, "%08x", g_random_int ());
  return g_string_free (text, FALSE);
}

/* -1: either way (the server may offer more than the test asked for). */
static void
check_feature (JsonObject *object,
               const char *name,
               int         expected)
{
  if (expected < 0)
    return;
  g_assert_true (json_object_has_member (object, name));
  g_assert_cmpint (json_object_get_boolean_member (object, name), ==, expected);
}

static void
check_features (Fixture *f,
                int      add,
                int      list,
                int      revoke,
                int      xep0257)
{
  g_auto(CliResult) result = { 0 };
  JsonObject *object;

  run_cli (f, &f->device_a, password_of (f), &result, "features", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  object = json_object (&result);
  if (object == NULL)
    return;
  g_assert_true (json_object_has_member (object, "ccm2"));
  RETURN_IF_FAILED ();
  check_feature (json_object_get_object_member (object, "ccm2"), "add", add);
  check_feature (json_object_get_object_member (object, "ccm2"), "list", list);
  check_feature (json_object_get_object_member (object, "ccm2"), "revoke", revoke);
  check_feature (object, "xep0257", xep0257);
}

static void
check_entry (JsonObject *entry,
             const char *name,
             const char *last_used_state,
             gboolean    this_device)
{
  g_assert_nonnull (entry);
  if (entry == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (entry, "last_used_state"), ==, last_used_state);
  g_assert_cmpint (json_object_get_boolean_member (entry, "this_device"), ==, this_device);
  g_assert_true (json_object_get_boolean_member (entry, "readable"));
  g_assert_nonnull (json_object_get_string_member (entry, "not_after"));
  if (g_str_equal (last_used_state, "used"))
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (json_object_get_string_member (entry, "last_used"), NULL);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      g_assert_nonnull (when);
      if (when != NULL)
        g_assert_cmpint (ABS (g_date_time_difference (now, when)), <, 10 * 60 * G_TIME_SPAN_SECOND);
    }
  else
    {
      g_assert_true (json_object_get_null_member (entry, "last_used"));
    }
}

static guint
count_named (JsonArray  *certificates,
             const char *name)
{
  guint n = 0;

  for (guint i = 0; certificates != NULL && i < json_array_get_length (certificates); i++)
    {
      JsonObject *entry = json_array_get_object_element (certificates, i);

      if (g_strcmp0 (json_object_get_string_member (entry, "name"), name) == 0)
        n++;
    }
  return n;
}

/* "AB:CD:EF:01:23:45" for the first 12 digits: a prefix in the form
 * people copy from a certificate viewer. */
static char *
colon_prefix (const char *fingerprint)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < 12; i += 2)
    {
      g_autofree char *pair = g_ascii_strup (fingerprint + i, 2);

      if (i > 0)
        g_string_append_c (text, ':');
      g_string_append (text, pair);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The one certificate of device A, listed with @state. */
static void
check_only_a (Fixture    *f,
              TesseraTestDevice *device,
              const char *fp_a,
              const char *state)
{
  g_autoptr(JsonArray) certificates = list_certificates (f, device);

  if (certificates == NULL)
    return;
  g_assert_cmpuint (json_array_get_length (certificates), ==, 1);
  check_entry (find_certificate (certificates, fp_a), "Laptop", state, device == &f->device_a);
}

/* Enrolled, never used; a certificate login records the time. */
static char *
lifecycle_first_device (Fixture *f)
{
  g_autofree char *fp_a = NULL;
  g_autofree char *jid = NULL;

  check_features (f, TRUE, TRUE, TRUE, -1);
  fp_a = enroll (f, &f->device_a, "Laptop", "ccm2");
  if (g_test_failed ())
    return NULL;
  check_only_a (f, &f->device_a, fp_a, "never");
  jid = login (f, &f->device_a);
  check_only_a (f, &f->device_a, fp_a, "used");
  return g_steal_pointer (&fp_a);
}

/* A held login shows up as a user of its certificate: the resource it was
 * bound to. The hold then ends normally. */
static void
lifecycle_held_login_is_listed (Fixture    *f,
                                const char *fp_a)
{
  g_autoptr(GSubprocess) held = start_held_login (f, &f->device_a, 5);
  g_autoptr(JsonArray) certificates = NULL;
  g_auto(CliResult) result = { 0 };
  JsonObject *entry = wait_for_user (f, fp_a, &certificates);
  JsonArray *users;
  const char *jid;

  wait_process (held, 30, &result);
  g_assert_nonnull (entry);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  RETURN_IF_FAILED ();

  users = json_object_get_array_member (entry, "users");
  jid = json_object_get_string_member (json_object (&result), "jid");
  g_assert_cmpuint (json_array_get_length (users), ==, 1);
  g_assert_nonnull (jid != NULL ? strchr (jid, '/') : NULL);
  RETURN_IF_FAILED ();
  g_assert_cmpstr (json_array_get_string_element (users, 0), ==, strchr (jid, '/') + 1);
}

/* A second device enrolls under the same name: two entries, each device
 * marks only its own. */
static char *
lifecycle_second_device (Fixture    *f,
                         const char *fp_a)
{
  g_autoptr(JsonArray) seen_by_a = NULL;
  g_autoptr(JsonArray) seen_by_b = NULL;
  g_autofree char *fp_b = NULL;

  fp_b = enroll (f, &f->device_b, "Laptop", "ccm2");
  if (g_test_failed ())
    return NULL;
  g_assert_cmpstr (fp_a, !=, fp_b);

  seen_by_a = list_certificates (f, &f->device_a);
  seen_by_b = list_certificates (f, &f->device_b);
  if (seen_by_a == NULL || seen_by_b == NULL)
    return NULL;
  g_assert_cmpuint (json_array_get_length (seen_by_a), ==, 2);
  g_assert_cmpuint (count_named (seen_by_a, "Laptop"), ==, 2);
  check_entry (find_certificate (seen_by_a, fp_a), "Laptop", "used", TRUE);
  check_entry (find_certificate (seen_by_a, fp_b), "Laptop", "never", FALSE);
  check_entry (find_certificate (seen_by_b, fp_a), "Laptop", "used", FALSE);
  check_entry (find_certificate (seen_by_b, fp_b), "Laptop", "never", TRUE);
  return g_steal_pointer (&fp_b);
}

/* B holds a login with its certificate while A revokes it by a prefix: the
 * live session is closed with a stream error, the certificate is gone and
 * B can no longer log in. */
static void
lifecycle_revoke_while_held (Fixture    *f,
                             const char *fp_a,
                             const char *fp_b)
{
  g_autofree char *jid = login (f, &f->device_b);
  g_autofree char *prefix = colon_prefix (fp_b);
  g_autoptr(JsonArray) certificates = NULL;
  g_autoptr(GSubprocess) held = NULL;
  g_auto(CliResult) result = { 0 };

  RETURN_IF_FAILED ();
  held = start_held_login (f, &f->device_b, 60);
  g_assert_nonnull (wait_for_user (f, fp_b, &certificates));
  RETURN_IF_FAILED ();

  run_cli (f, &f->device_a, password_of (f), &result, "revoke", prefix, NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  RETURN_IF_FAILED ();
  g_assert_true (json_object_get_boolean_member (json_object (&result), "revoked"));
  g_assert_cmpstr (json_object_get_string_member (json_object (&result), "fingerprint"), ==, fp_b);
  g_assert_false (json_object_get_boolean_member (json_object (&result), "this_device"));
  cli_result_clear (&result);

  wait_process (held, 20, &result);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
  g_assert_cmpstr (json_error_code (&result), ==, "stream-error");
  g_assert_nonnull (strstr (result.err, "reset"));
  cli_result_clear (&result);

  check_only_a (f, &f->device_a, fp_a, "used");
  run_cli (f, &f->device_b, NULL, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_NOPERM);
  g_assert_cmpstr (json_error_code (&result), ==, "authentication-failed");
}

/* Revoking a fingerprint the server does not list: exit 76, no change. */
static void
lifecycle_unknown_fingerprint (Fixture    *f,
                               const char *fp_a)
{
  g_autofree char *unknown = random_fingerprint ();
  g_auto(CliResult) result = { 0 };

  run_cli (f, &f->device_a, password_of (f), &result, "revoke", unknown, NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_PROTOCOL);
  g_assert_cmpstr (json_error_code (&result), ==, "item-not-found");
  check_only_a (f, &f->device_a, fp_a, "used");
}

static void
test_ccm2_lifecycle (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *fp_a = NULL;
  g_autofree char *fp_b = NULL;
  g_autofree char *jid = NULL;
  g_auto(CliResult) result = { 0 };

  fp_a = lifecycle_first_device (f);
  RETURN_IF_FAILED ();
  lifecycle_held_login_is_listed (f, fp_a);
  RETURN_IF_FAILED ();

  /* Nothing lost over a server restart */
  restart_server (f);
  RETURN_IF_FAILED ();
  check_only_a (f, &f->device_a, fp_a, "used");
  RETURN_IF_FAILED ();

  fp_b = lifecycle_second_device (f, fp_a);
  RETURN_IF_FAILED ();
  restart_server (f);
  RETURN_IF_FAILED ();
  lifecycle_revoke_while_held (f, fp_a, fp_b);
  RETURN_IF_FAILED ();
  lifecycle_unknown_fingerprint (f, fp_a);
  RETURN_IF_FAILED ();

  /* Still so after a restart: B refused, A fine */
  restart_server (f);
  RETURN_IF_FAILED ();
  run_cli (f, &f->device_b, NULL, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_NOPERM);
  jid = login (f, &f->device_a);
  check_only_a (f, &f->device_a, fp_a, "used");
}

/* This device's certificate (and the last one) needs --force; afterwards
 * the local key is gone. */
static void
test_revoke_force (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *fp = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(JsonArray) certificates = NULL;
  g_auto(CliResult) result = { 0 };

  fp = enroll (f, &f->device_a, "Desktop", "ccm2");
  RETURN_IF_FAILED ();

  prefix = g_strndup (fp, 8);
  run_cli (f, &f->device_a, password_of (f), &result, "revoke", prefix, NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
  g_assert_cmpstr (json_error_code (&result), ==, "force-required");
  g_assert_nonnull (strstr (result.err, "--force"));
  cli_result_clear (&result);
  certificates = list_certificates (f, &f->device_a);
  g_assert_nonnull (find_certificate (certificates, fp));
  RETURN_IF_FAILED ();

  /* Fewer than 8 digits is a usage error */
  run_cli (f, &f->device_a, password_of (f), &result, "revoke", "abc123", "--force", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_USAGE);
  cli_result_clear (&result);

  run_cli (f, &f->device_a, password_of (f), &result, "revoke", prefix, "--force", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_true (json_object_get_boolean_member (json_object (&result), "this_device"));
  cli_result_clear (&result);
  RETURN_IF_FAILED ();

  g_clear_pointer (&certificates, json_array_unref);
  certificates = list_certificates (f, &f->device_a);
  g_assert_cmpuint (json_array_get_length (certificates), ==, 0);

  /* The local key was deleted: nothing to log in with */
  run_cli (f, &f->device_a, NULL, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_NOPERM);
  g_assert_cmpstr (json_error_code (&result), ==, "no-certificate");
}

static void
test_xep0257 (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *fp = NULL, *jid = NULL;
  g_autoptr(JsonArray) certificates = NULL;
  g_auto(CliResult) result = { 0 };

  check_features (f, -1, -1, -1, TRUE);
  RETURN_IF_FAILED ();

  fp = enroll (f, &f->device_a, "Phone", "xep0257");
  RETURN_IF_FAILED ();
  certificates = list_certificates (f, &f->device_a);
  check_entry (find_certificate (certificates, fp), "Phone", "unknown", TRUE);
  RETURN_IF_FAILED ();

  jid = login (f, &f->device_a);
  RETURN_IF_FAILED ();
  g_clear_pointer (&certificates, json_array_unref);
  certificates = list_certificates (f, &f->device_a);
  /* XEP-0257 has no last-used time: still "unknown", never "never" */
  check_entry (find_certificate (certificates, fp), "Phone", "unknown", TRUE);
  RETURN_IF_FAILED ();

  run_cli (f, &f->device_a, password_of (f), &result, "revoke", fp, "--force", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  cli_result_clear (&result);
  g_clear_pointer (&certificates, json_array_unref);
  certificates = list_certificates (f, &f->device_a);
  g_assert_null (find_certificate (certificates, fp));
}

static void
test_partial_features (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *fp = NULL;
  g_autoptr(JsonArray) certificates = NULL;
  g_auto(CliResult) result = { 0 };
  g_autofree char *lower = NULL;

  check_features (f, TRUE, TRUE, FALSE, FALSE);
  RETURN_IF_FAILED ();
  fp = enroll (f, &f->device_a, "Tablet", "ccm2");
  RETURN_IF_FAILED ();

  run_cli (f, &f->device_a, password_of (f), &result, "revoke", fp, "--force", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_UNAVAILABLE);
  g_assert_cmpstr (json_error_code (&result), ==, "not-supported");
  lower = g_utf8_strdown (result.err, -1);
  g_assert_nonnull (strstr (lower, "not support"));
  cli_result_clear (&result);

  certificates = list_certificates (f, &f->device_a);
  g_assert_nonnull (find_certificate (certificates, fp));
}

static void
test_password (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *password_file = NULL;
  g_autofree char *contents = NULL;
  g_auto(CliResult) result = { 0 };
  g_autoptr(GError) error = NULL;

  /* A wrong password */
  run_cli (f, &f->device_a, "not-the-password", &result, "features", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_NOPERM);
  g_assert_cmpstr (json_error_code (&result), ==, "authentication-failed");
  cli_result_clear (&result);

  /* No password anywhere, and stdin is no terminal */
  run_cli (f, &f->device_a, NULL, &result, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_NOPERM);
  g_assert_cmpstr (json_error_code (&result), ==, "password-required");
  cli_result_clear (&result);

  /* From a file (first line only); it wins over the environment */
  password_file = g_build_filename (f->device_a.root, "password", NULL);
  contents = g_strdup_printf ("%s\nsecond line\n", password_of (f));
  g_file_set_contents_full (password_file, contents, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  run_cli (f, &f->device_a, "not-the-password", &result, "--password-file", password_file, "features", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  cli_result_clear (&result);
}

/* Settings given once are remembered: later calls need only --jid, and
 * with a single account not even that. */
static void
test_remembered_account (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(CliResult) result = { 0 };
  const char *only_jid[] = { "--json", "--jid", tessera_test_server_get_jid (f->server), "list", NULL };
  const char *nothing[] = { "--json", "list", NULL };

  run_cli (f, &f->device_a, password_of (f), &result, "features", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  cli_result_clear (&result);
  RETURN_IF_FAILED ();

  run_cli_argv (&f->device_a, password_of (f), only_jid, &result);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_true (json_object_has_member (json_object (&result), "certificates"));
  cli_result_clear (&result);

  run_cli_argv (&f->device_a, password_of (f), nothing, &result);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  cli_result_clear (&result);

  /* Another device knows no account */
  run_cli_argv (&f->device_b, password_of (f), nothing, &result);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_USAGE);
  g_assert_cmpstr (json_error_code (&result), ==, "no-account");
}

static void
check_usage (Fixture            *f,
             const char * const *argv,
             int                 expected)
{
  g_auto(CliResult) result = { 0 };

  run_cli_argv (&f->device_a, "password", argv, &result);
  g_assert_cmpint (result.status, ==, expected);
  if (expected != 0)
    g_assert_true (g_str_has_prefix (result.err, "tessera-cli: "));
  if (expected != 0 && result.json != NULL)
    g_assert_cmpstr (json_error_code (&result), !=, NULL);
}

/* Needs no server: every one of these fails before connecting. */
static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  const char *no_command[] = { NULL };
  const char *unknown_command[] = { "frobnicate", NULL };
  const char *unknown_option[] = { "--frobnicate", "list", NULL };
  const char *missing_name[] = { "--jid", "a@localhost", "enroll", NULL };
  const char *extra_argument[] = { "--jid", "a@localhost", "list", "extra", NULL };
  const char *bad_key_type[] = { "--json", "--jid", "a@localhost", "--host", "127.0.0.1", "--port", "9",
                                 "enroll", "Laptop", "--key-type", "dsa", NULL };
  const char *short_prefix[] = { "--json", "--jid", "a@localhost", "--host", "127.0.0.1", "--port", "9",
                                 "revoke", "abcd", NULL };
  const char *bad_port[] = { "--jid", "a@localhost", "--port", "70000", "list", NULL };
  const char *bad_jid[] = { "--json", "--jid", "not a jid", "list", NULL };
  const char *empty_name[] = { "--jid", "a@localhost", "--host", "127.0.0.1", "--port", "9",
                               "enroll", "  ", NULL };
  const char *version[] = { "--version", NULL };
  const char *help[] = { "help", "revoke", NULL };
  const char *command_help[] = { "enroll", "--help", NULL };

  check_usage (f, no_command, TESSERA_TEST_EXIT_USAGE);
  check_usage (f, unknown_command, TESSERA_TEST_EXIT_USAGE);
  check_usage (f, unknown_option, TESSERA_TEST_EXIT_USAGE);
  check_usage (f, missing_name, TESSERA_TEST_EXIT_USAGE);
  check_usage (f, extra_argument, TESSERA_TEST_EXIT_USAGE);
  check_usage (f, bad_key_type, TESSERA_TEST_EXIT_USAGE);
  check_usage (f, short_prefix, TESSERA_TEST_EXIT_USAGE);
  check_usage (f, bad_port, TESSERA_TEST_EXIT_USAGE);
  check_usage (f, bad_jid, TESSERA_TEST_EXIT_USAGE);
  check_usage (f, empty_name, TESSERA_TEST_EXIT_USAGE);
  check_usage (f, version, TESSERA_TEST_EXIT_OK);
  check_usage (f, help, TESSERA_TEST_EXIT_OK);
  check_usage (f, command_help, TESSERA_TEST_EXIT_OK);
}

static char *
server_certificate_fingerprint (Fixture *f)
{
  g_autofree char *path = g_build_filename (tessera_test_server_get (f->server, "DIR"), "server.pem", NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GError) error = NULL;

  certificate = g_tls_certificate_new_from_file (path, &error);
  g_assert_no_error (error);
  if (certificate == NULL)
    return NULL;
  g_object_get (certificate, "certificate", &der, NULL);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

/* Without a CA file the server's certificate is trusted only when pinned. */
static void
test_server_certificate (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *fingerprint = server_certificate_fingerprint (f);
  g_autofree char *port = g_strdup_printf ("%u", tessera_test_server_get_port (f->server));
  g_autofree char *upper = NULL;
  const char *jid = tessera_test_server_get_jid (f->server);
  const char *host = tessera_test_server_get (f->server, "HOST");
  const char *zeros = "0000000000000000000000000000000000000000000000000000000000000000";
  g_auto(CliResult) result = { 0 };

  RETURN_IF_FAILED ();
  upper = g_ascii_strup (fingerprint, -1);

  {
    const char *untrusted[] = { "--json", "--jid", jid, "--host", host, "--port", port, "features", NULL };
    const char *wrong_pin[] = { "--json", "--jid", jid, "--host", host, "--port", port,
                                "--pin-fingerprint", zeros, "features", NULL };
    const char *pinned[] = { "--json", "--jid", jid, "--host", host, "--port", port,
                             "--pin-fingerprint", upper, "features", NULL };
    const char *remembered[] = { "--json", "list", NULL };

    run_cli_argv (&f->device_a, password_of (f), untrusted, &result);
    g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
    g_assert_cmpstr (json_error_code (&result), ==, "tls-certificate");
    cli_result_clear (&result);

    run_cli_argv (&f->device_a, password_of (f), wrong_pin, &result);
    g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
    g_assert_cmpstr (json_error_code (&result), ==, "tls-certificate");
    cli_result_clear (&result);

    run_cli_argv (&f->device_a, password_of (f), pinned, &result);
    g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
    cli_result_clear (&result);

    /* The pin is remembered with the account */
    run_cli_argv (&f->device_a, password_of (f), remembered, &result);
    g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  }
}

/* Without any Secret Service a key needs a passphrase of the user's. */
static void
test_no_keyring (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *passphrase_file = g_build_filename (f->device_a.root, "key-passphrase", NULL);
  g_autofree char *key_dir = NULL;
  g_auto(CliResult) result = { 0 };
  g_autoptr(GError) error = NULL;

  f->device_a.no_keyring = TRUE;
  g_file_set_contents_full (passphrase_file, "correct horse battery staple\n", -1,
                            G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);

  run_cli (f, &f->device_a, password_of (f), &result, "enroll", "Server", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
  g_assert_cmpstr (json_error_code (&result), ==, "no-secret-service");
  g_assert_nonnull (strstr (result.err, "--key-passphrase-file"));
  cli_result_clear (&result);
  RETURN_IF_FAILED ();

  run_cli (f, &f->device_a, password_of (f), &result, "--key-passphrase-file", passphrase_file,
           "enroll", "Server", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  cli_result_clear (&result);
  RETURN_IF_FAILED ();

  /* The key on disk is encrypted: no passphrase, no login */
  run_cli (f, &f->device_a, NULL, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_FAILURE);
  g_assert_cmpstr (json_error_code (&result), ==, "passphrase-required");
  cli_result_clear (&result);

  run_cli (f, &f->device_a, NULL, &result, "--key-passphrase-file", passphrase_file, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_nonnull (result.json);
}

static void
close_stdin_and_stderr (gpointer user_data)
{
  close (STDIN_FILENO);
  close (STDERR_FILENO);
}

/* Started with standard input and error closed (a script's "<&- 2>&-", a
 * service manager that closes them), tessera-cli still connects, by
 * password and by certificate, and prints its document. A socket numbered
 * 0 is no socket to libstrophe (its connection times out): main () now
 * opens /dev/null on closed standard descriptors first, which unit /
 * stdio checks; before, GLib's wake-up descriptor happened to take 0. */
static void
test_standard_fds_closed (Fixture       *f,
                          gconstpointer  data)
{
  const char *commands[] = { "features", "login" };
  g_autofree char *fingerprint = enroll (f, &f->device_a, "Closed Descriptors", "ccm2");

  g_assert_nonnull (fingerprint);
  RETURN_IF_FAILED ();
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;
      g_autoptr(JsonNode) json = NULL;
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;

      g_strv_builder_add (builder, cli_path ());
      add_settings (f, builder);
      g_strv_builder_add (builder, commands[i]);
      argv = g_strv_builder_end (builder);
      tessera_test_device_apply (&f->device_a, launcher);
      /* The password only for "features": "login" is by certificate. */
      if (i == 0)
        g_subprocess_launcher_setenv (launcher, "TESSERA_PASSWORD", password_of (f), TRUE);
      else
        g_subprocess_launcher_unsetenv (launcher, "TESSERA_PASSWORD");
      g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
      g_subprocess_launcher_set_child_setup (launcher, close_stdin_and_stderr, NULL, NULL);
      process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("tessera-cli %s with standard input and error closed: exit %d\nstdout: %s", commands[i],
                      g_subprocess_get_exit_status (process), out);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, TESSERA_TEST_EXIT_OK);
      json = json_from_string (out, &error);
      g_assert_no_error (error);
    }
}

/* A server that accepts the TCP connection (the kernel does, from the
 * backlog) and never says a word: the deadline has to end the wait. */
static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *accounts = NULL;
  g_auto(CliResult) result = { 0 };
  gint64 start;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  RETURN_IF_FAILED ();
  bound = g_socket_get_local_address (socket, &error);
  port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  {
    const char *argv[] = { "--json", "--timeout", "2", "--jid", "user1@localhost", "--host", "127.0.0.1",
                           "--port", port, "features", NULL };

    start = g_get_monotonic_time ();
    run_cli_argv (&f->device_a, "password", argv, &result);
  }
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_TEMPFAIL);
  g_assert_cmpstr (json_error_code (&result), ==, "timeout");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_USEC_PER_SEC);
  /* A failed command does not remember its settings */
  accounts = g_build_filename (f->device_a.config_home, "tessera", "accounts.ini", NULL);
  g_assert_false (g_file_test (accounts, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add ("/tessera/cli/usage", Fixture, NULL, fixture_setup, test_usage, fixture_teardown);
  g_test_add ("/tessera/cli/timeout", Fixture, NULL, fixture_setup, test_timeout, fixture_teardown);
  g_test_add ("/tessera/cli/password", Fixture, server_options_ccm2,
              fixture_setup, test_password, fixture_teardown);
  g_test_add ("/tessera/cli/remembered-account", Fixture, server_options_ccm2,
              fixture_setup, test_remembered_account, fixture_teardown);
  g_test_add ("/tessera/cli/server-certificate", Fixture, server_options_ccm2,
              fixture_setup, test_server_certificate, fixture_teardown);
  g_test_add ("/tessera/cli/no-keyring", Fixture, server_options_ccm2,
              fixture_setup, test_no_keyring, fixture_teardown);
  g_test_add ("/tessera/cli/standard-fds-closed", Fixture, server_options_ccm2,
              fixture_setup, test_standard_fds_closed, fixture_teardown);
  g_test_add ("/tessera/cli/ccm2-lifecycle", Fixture, server_options_ccm2,
              fixture_setup, test_ccm2_lifecycle, fixture_teardown);
  g_test_add ("/tessera/cli/revoke-force", Fixture, server_options_ccm2,
              fixture_setup, test_revoke_force, fixture_teardown);
  g_test_add ("/tessera/cli/xep0257", Fixture, server_options_xep0257,
              fixture_setup, test_xep0257, fixture_teardown);
  g_test_add ("/tessera/cli/partial-features", Fixture, server_options_partial,
              fixture_setup, test_partial_features, fixture_teardown);

  return g_test_run ();
}
