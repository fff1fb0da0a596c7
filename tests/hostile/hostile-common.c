/* hostile-common.c: devices, tessera-cli runs, state snapshots and the misbehaving Prosody
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "hostile-common.h"
#include "tessera-core.h"

/* ---- devices ------------------------------------------------------------ */

char *
hostile_device_account_dir (TesseraTestDevice *device,
                            const char    *bare_jid)
{
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autofree char *base = g_build_filename (device->data_home, "tessera", NULL);

  store = tessera_key_store_new (bare_jid, base);
  return g_strdup (tessera_key_store_get_dir (store));
}

GPtrArray *
hostile_device_key_ids (TesseraTestDevice *device,
                        const char    *bare_jid)
{
  g_autofree char *dir_path = hostile_device_account_dir (device, bare_jid);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *key = g_build_filename (dir_path, name, "key.pem", NULL);

      if (g_file_test (key, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (ids, g_strdup (name));
    }
  return ids;
}

char *
hostile_read_file (const char *dir,
                   const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

/* ---- the fixture --------------------------------------------------------- */

void
hostile_fixture_setup (HostileFixture *f,
                       gconstpointer   data)
{
  f->tmpdir = tessera_test_tmpdir_new ("tessera-hostile-XXXXXX");
  tessera_test_device_init (&f->a, f->tmpdir, "device-a");
  tessera_test_device_init (&f->b, f->tmpdir, "device-b");
  f->server = hostile_server_start (data);
}

void
hostile_fixture_teardown (HostileFixture *f,
                          gconstpointer   data)
{
  g_clear_pointer (&f->server, tessera_test_server_stop);
  tessera_test_device_clear (&f->a);
  tessera_test_device_clear (&f->b);
  g_clear_pointer (&f->tmpdir, tessera_test_tmpdir_free);
}

void
hostile_fixture_new_device (HostileFixture *f,
                            TesseraTestDevice *device)
{
  g_autofree char *name = g_strdup_printf ("device-%u", ++f->n_devices);

  tessera_test_device_init (device, f->tmpdir, name);
}

JsonArray *
hostile_fixture_server_truth (HostileFixture *f)
{
  g_auto(TesseraTestDevice) observer = { NULL, };
  g_auto(HostileRun) run = { 0 };
  JsonArray *certificates;

  hostile_fixture_new_device (f, &observer);
  hostile_server_script (f->server, "");
  hostile_cli (f->server, &observer, NULL, 20, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  certificates = hostile_run_certificates (&run);
  g_assert_nonnull (certificates);
  return certificates != NULL ? json_array_ref (certificates) : json_array_new ();
}

char *
hostile_fixture_enroll (HostileFixture *f,
                        TesseraTestDevice *device,
                        const char     *name)
{
  g_auto(HostileRun) run = { 0 };
  JsonObject *object;

  hostile_server_script (f->server, "");
  hostile_cli (f->server, device, NULL, 20, &run, "enroll", name, NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  object = run.status == TESSERA_TEST_EXIT_OK ? hostile_run_object (&run) : NULL;
  return object != NULL ? g_strdup (json_object_get_string_member (object, "fingerprint")) : NULL;
}

void
hostile_two_devices_clear (HostileTwoDevices *two)
{
  g_clear_pointer (&two->fp_a, g_free);
  g_clear_pointer (&two->fp_b, g_free);
}

gboolean
hostile_fixture_enroll_two (HostileFixture    *f,
                            HostileTwoDevices *two)
{
  two->fp_a = hostile_fixture_enroll (f, &f->a, "Device A");
  two->fp_b = hostile_fixture_enroll (f, &f->b, "Device B");
  return two->fp_a != NULL && two->fp_b != NULL;
}

/* ---- tessera-cli runs --------------------------------------------------- */

void
hostile_run_clear (HostileRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  g_clear_pointer (&run->json, json_node_unref);
  run->status = -1;
  run->signal = 0;
}

static const char *
cli_path (void)
{
  const char *path = g_getenv ("TESSERA_CLI");

  g_assert_nonnull (path);
  return path;
}

static GSubprocessLauncher *
device_launcher (TesseraTestDevice  *device,
                 const char         *password,
                 const char * const *extra_env)
{
  GSubprocessLauncher *launcher;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  tessera_test_device_apply (device, launcher);
  if (password != NULL)
    g_subprocess_launcher_setenv (launcher, "TESSERA_PASSWORD", password, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "TESSERA_PASSWORD");

  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (extra_env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1] != NULL ? pair[1] : "", TRUE);
    }
  return launcher;
}

void
hostile_run_cli (TesseraTestDevice  *device,
                 const char         *password,
                 const char * const *extra_env,
                 const char * const *argv,
                 HostileRun         *run)
{
  g_autoptr(GSubprocessLauncher) launcher = device_launcher (device, password, extra_env);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full_argv = NULL;
  g_autofree char *command_line = NULL;
  gint64 start;

  hostile_run_clear (run);
  g_strv_builder_add (builder, cli_path ());
  g_strv_builder_addv (builder, (const char **) argv);
  full_argv = g_strv_builder_end (builder);

  start = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) full_argv, &error);
  g_assert_no_error (error);
  if (process == NULL)
    return;
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  /* No crash, whatever the server sent: a signal (SIGSEGV, SIGABRT from
   * a failed assertion or G_DEBUG=fatal-warnings) fails the case. */
  if (g_subprocess_get_if_exited (process))
    run->status = g_subprocess_get_exit_status (process);
  else if (g_subprocess_get_if_signaled (process))
    run->signal = g_subprocess_get_term_sig (process);
  g_assert_cmpint (run->signal, ==, 0);
  g_assert_true (g_subprocess_get_if_exited (process));

  command_line = g_strjoinv (" ", (char **) argv);
  g_test_message ("tessera-cli %s: exit %d after %.2f s\nstderr: %s", command_line, run->status,
                  run->seconds, run->err);
  if (run->out != NULL && strlen (run->out) < 4096)
    g_test_message ("stdout: %s", run->out);

  if (g_strv_contains ((const char * const *) full_argv, "--json") && run->out != NULL && *run->out != '\0')
    {
      run->json = json_from_string (run->out, &error);
      g_assert_no_error (error);
    }
}

JsonObject *
hostile_run_object (HostileRun *run)
{
  g_assert_nonnull (run->json);
  if (run->json == NULL || !JSON_NODE_HOLDS_OBJECT (run->json))
    return NULL;
  return json_node_get_object (run->json);
}

static JsonObject *
error_object (HostileRun *run)
{
  JsonObject *object = hostile_run_object (run);

  if (object == NULL || !json_object_has_member (object, "error"))
    return NULL;
  return json_object_get_object_member (object, "error");
}

const char *
hostile_run_error_code (HostileRun *run)
{
  JsonObject *error = error_object (run);

  return error != NULL ? json_object_get_string_member (error, "code") : NULL;
}

const char *
hostile_run_error_message (HostileRun *run)
{
  JsonObject *error = error_object (run);

  return error != NULL ? json_object_get_string_member (error, "message") : NULL;
}

JsonArray *
hostile_run_certificates (HostileRun *run)
{
  JsonObject *object = run->status == TESSERA_TEST_EXIT_OK ? hostile_run_object (run) : NULL;

  if (object == NULL || !json_object_has_member (object, "certificates"))
    return NULL;
  return json_object_get_array_member (object, "certificates");
}

JsonObject *
hostile_find_certificate (JsonArray  *certificates,
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

void
hostile_assert_contains (const char *text,
                         const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    g_test_message ("“%s” does not contain “%s”", text != NULL ? text : "(null)", part);
  g_assert_nonnull (text != NULL ? strstr (text, part) : NULL);
}

gboolean
hostile_is_this_device (JsonArray  *certificates,
                        const char *fingerprint)
{
  JsonObject *entry = hostile_find_certificate (certificates, fingerprint);

  g_assert_nonnull (entry);
  return entry != NULL && json_object_get_boolean_member (entry, "this_device");
}

/* ---- snapshots ---------------------------------------------------------- */

/* The empty files that only coordinate processes (the account's "lock",
 * the keyring's "….tessera-lock") are not local state: taking a lock makes
 * them, and the folders that exist only to hold them, whatever the server
 * does. Everything else is recorded. */
typedef enum {
  SNAPSHOT_EMPTY,
  SNAPSHOT_LOCKS_ONLY,
  SNAPSHOT_STATE,
} SnapshotContent;

static gboolean
is_lock_file (const char     *path,
              const GStatBuf *buf)
{
  g_autofree char *name = g_path_get_basename (path);

  return S_ISREG (buf->st_mode) && buf->st_size == 0 &&
         (g_str_equal (name, "lock") || g_str_has_suffix (name, ".tessera-lock"));
}

static SnapshotContent
snapshot_path (GHashTable *snapshot,
               const char *key,
               const char *path)
{
  GStatBuf buf;

  if (g_lstat (path, &buf) != 0)
    return SNAPSHOT_EMPTY;
  if (is_lock_file (path, &buf))
    return SNAPSHOT_LOCKS_ONLY;

  if (S_ISDIR (buf.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      SnapshotContent content = SNAPSHOT_EMPTY;
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child_key = g_build_filename (key, name, NULL);
          g_autofree char *child = g_build_filename (path, name, NULL);

          content = MAX (content, snapshot_path (snapshot, child_key, child));
        }
      /* a root ("[0]") is always recorded, empty or not */
      if (content == SNAPSHOT_LOCKS_ONLY && strchr (key, G_DIR_SEPARATOR) != NULL)
        return SNAPSHOT_LOCKS_ONLY;
      g_hash_table_insert (snapshot, g_strdup (key), g_strdup_printf ("dir %04o", buf.st_mode & 07777));
    }
  else if (S_ISREG (buf.st_mode))
    {
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_autofree char *digest = NULL;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
      if (g_str_has_suffix (key, G_DIR_SEPARATOR_S "journal"))
        g_hash_table_insert (snapshot, g_strdup (key),
                             g_strdup_printf ("journal %04o\n%s", buf.st_mode & 07777, contents));
      else
        g_hash_table_insert (snapshot, g_strdup (key),
                             g_strdup_printf ("file %04o %s", buf.st_mode & 07777, digest));
    }
  else
    {
      g_hash_table_insert (snapshot, g_strdup (key), g_strdup_printf ("other %o", buf.st_mode));
    }
  return SNAPSHOT_STATE;
}

GHashTable *
hostile_snapshot (const char * const *dirs)
{
  GHashTable *snapshot = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *key = g_strdup_printf ("[%u]", i);

      snapshot_path (snapshot, key, dirs[i]);
    }
  return snapshot;
}

GHashTable *
hostile_device_snapshot (TesseraTestDevice *device)
{
  const char *dirs[] = { device->data_home, device->config_home, NULL };

  return hostile_snapshot (dirs);
}

static gboolean
journal_grew (const char *before,
              const char *after)
{
  /* "journal MODE\nTEXT": the same mode, the old text a prefix of the new */
  const char *old_text = strchr (before, '\n');
  const char *new_text = strchr (after, '\n');

  if (old_text == NULL || new_text == NULL || old_text - before != new_text - after ||
      strncmp (before, after, old_text - before) != 0)
    return FALSE;
  return g_str_has_prefix (new_text, old_text);
}

void
hostile_assert_unchanged (GHashTable *before,
                          GHashTable *after,
                          gboolean    journal_may_grow)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *now = g_hash_table_lookup (after, key);

      if (now == NULL)
        {
          g_test_message ("local state: %s disappeared", (const char *) key);
          g_assert_nonnull (now);
          continue;
        }
      if (g_str_equal (now, value))
        continue;
      if (journal_may_grow && g_str_has_prefix (value, "journal ") && journal_grew (value, now))
        continue;
      g_test_message ("local state: %s changed (%s -> %s)", (const char *) key, (const char *) value, now);
      g_assert_cmpstr (now, ==, value);
    }

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!g_hash_table_contains (before, key))
        {
          g_test_message ("local state: %s appeared", (const char *) key);
          g_assert_true (g_hash_table_contains (before, key));
        }
    }
}

/* ---- the misbehaving server --------------------------------------------- */

TesseraTestServer *
hostile_server_start (const char * const *extra_options)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *module = NULL;
  g_auto(GStrv) options = NULL;
  g_autoptr(GError) error = NULL;
  TesseraTestServer *server;

  module = g_build_filename (g_getenv ("TESSERA_SOURCE_ROOT"), "tests", "hostile", "prosody",
                             "mod_ccm2_misbehave.lua", NULL);
  g_strv_builder_add_many (builder, "--misbehave-module", module, NULL);
  if (extra_options != NULL)
    g_strv_builder_addv (builder, (const char **) extra_options);
  options = g_strv_builder_end (builder);

  server = tessera_test_server_start ((const char * const *) options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (server);
  if (server != NULL)
    {
      g_assert_nonnull (tessera_test_server_get (server, "MISBEHAVE_CONTROL"));
      g_assert_nonnull (tessera_test_server_get (server, "MISBEHAVE_EVENTS"));
    }
  return server;
}

void
hostile_server_script (TesseraTestServer *server,
                       const char        *script)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (tessera_test_server_get (server, "MISBEHAVE_EVENTS"), "", 0, &error);
  g_assert_no_error (error);
  g_file_set_contents (tessera_test_server_get (server, "MISBEHAVE_CONTROL"), script, -1, &error);
  g_assert_no_error (error);
}

guint
hostile_server_count (TesseraTestServer *server,
                      const char        *op)
{
  g_autofree char *events = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strconcat (op, " ", NULL);
  guint n = 0;

  if (!g_file_get_contents (tessera_test_server_get (server, "MISBEHAVE_EVENTS"), &events, NULL, NULL))
    return 0;
  lines = g_strsplit (events, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        n++;
    }
  return n;
}

char *
hostile_server_payload (TesseraTestServer *server,
                        const char        *name,
                        const char        *contents,
                        gssize             length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tessera_test_server_get (server, "DIR"), name, NULL);

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

const char *
hostile_server_password_of (TesseraTestServer *server,
                            const char        *jid)
{
  for (guint i = 1; i < 16; i++)
    {
      g_autofree char *jid_key = i == 1 ? g_strdup ("JID") : g_strdup_printf ("JID%u", i);
      g_autofree char *password_key = i == 1 ? g_strdup ("PASSWORD") : g_strdup_printf ("PASSWORD%u", i);

      if (g_strcmp0 (tessera_test_server_get (server, jid_key), jid) == 0)
        return tessera_test_server_get (server, password_key);
    }
  return NULL;
}

void
hostile_cli (TesseraTestServer *server,
             TesseraTestDevice *device,
             const char        *jid,
             guint              timeout,
             HostileRun        *run,
             ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *port = g_strdup_printf ("%u", tessera_test_server_get_port (server));
  g_autofree char *seconds = g_strdup_printf ("%u", timeout);
  const char *arg;
  va_list args;

  if (jid == NULL)
    jid = tessera_test_server_get_jid (server);
  g_strv_builder_add_many (builder, "--json", "--timeout", seconds, "--jid", jid,
                           "--host", tessera_test_server_get (server, "HOST"), "--port", port,
                           "--ca-file", tessera_test_server_get_ca_file (server), NULL);
  va_start (args, run);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (args);
  argv = g_strv_builder_end (builder);

  hostile_run_cli (device, hostile_server_password_of (server, jid), NULL, (const char * const *) argv, run);
}

/* ---- certificates ------------------------------------------------------- */

char *
hostile_make_certificate (const char *bare_jid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_autoptr(GBytes) der = NULL;

  g_assert_no_error (error);
  der = tessera_key_create_self_signed (key, bare_jid, 30, &error);
  g_assert_no_error (error);
  return g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
}
