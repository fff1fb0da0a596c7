/* reliability-common.c: devices, tessera-cli runs and server state for the reliability tests
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "reliability-common.h"

static void
list_files_into (const char *path,
                 gboolean    with_directories,
                 GPtrArray  *files)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          if (with_directories)
            g_ptr_array_add (files, g_strdup (child));
          list_files_into (child, with_directories, files);
        }
      else if (g_file_test (child, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&child));
    }
}

GPtrArray *
rel_list_files (const char *path,
                gboolean    with_directories)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  list_files_into (path, with_directories, files);
  return files;
}

char *
rel_read_file (const char *path,
               gsize      *length)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, length, NULL))
    return NULL;
  return contents;
}

TesseraKeyStore *
rel_device_store (TesseraTestDevice *device,
                  const char *jid)
{
  g_autofree char *base = g_build_filename (device->data_home, "tessera", NULL);

  return tessera_key_store_new (jid, base);
}

void
rel_result_clear (RelResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
  g_clear_pointer (&result->json, json_node_unref);
  result->status = -1;
  result->term_signal = 0;
}

const char *
rel_cli_path (void)
{
  const char *path = g_getenv ("TESSERA_CLI");

  g_assert_nonnull (path);
  return path;
}

static void
umask_zero_cb (gpointer user_data)
{
  umask (0);
}

static GSubprocessLauncher *
new_launcher (TesseraTestDevice *device,
              const RelRun *run)
{
  GSubprocessLauncher *launcher;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  tessera_test_device_apply (device, launcher);
  if (run->password != NULL)
    g_subprocess_launcher_setenv (launcher, "TESSERA_PASSWORD", run->password, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "TESSERA_PASSWORD");
  if (run->crash_at != NULL)
    g_subprocess_launcher_setenv (launcher, "TESSERA_TEST_CRASH_AT", run->crash_at, TRUE);
  for (guint i = 0; run->env != NULL && run->env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (run->env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1] != NULL ? pair[1] : "", TRUE);
    }
  if (run->umask_zero)
    g_subprocess_launcher_set_child_setup (launcher, umask_zero_cb, NULL, NULL);

  return launcher;
}

/* The --json document. With G_MESSAGES_DEBUG set, GLib's default log
 * writer puts debug lines on stdout too, before and after it: the document
 * is then the lines from a "{" to a "}" alone on their lines. */
static JsonNode *
parse_json_output (const char *out)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) document = NULL;
  JsonNode *node = json_from_string (out, &error);
  gboolean inside = FALSE;

  if (node != NULL)
    return node;

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && node == NULL; i++)
    {
      if (g_str_equal (lines[i], "{"))
        {
          inside = TRUE;
          if (document != NULL)
            g_string_truncate (document, 0);
          else
            document = g_string_new (NULL);
        }
      if (inside)
        g_string_append_printf (document, "%s\n", lines[i]);
      if (inside && g_str_equal (lines[i], "}"))
        {
          inside = FALSE;
          node = json_from_string (document->str, NULL);
        }
    }
  if (node == NULL)
    g_test_fail_printf ("tessera-cli printed no JSON document: %s", error->message);
  return node;
}

GSubprocess *
rel_spawn_cli_argv (TesseraTestServer  *server,
                    const char         *jid,
                    TesseraTestDevice  *device,
                    const RelRun       *run,
                    const char * const *args)
{
  static const RelRun no_run = { 0, };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *port = NULL;
  GSubprocess *process;

  if (run == NULL)
    run = &no_run;
  if (run->wrapper != NULL)
    g_strv_builder_addv (builder, (const char **) run->wrapper);
  g_strv_builder_add (builder, rel_cli_path ());
  g_strv_builder_add_many (builder, "--json", "--timeout", "20", NULL);
  if (!run->no_server_options)
    {
      port = g_strdup_printf ("%u", tessera_test_server_get_port (server));
      g_strv_builder_add_many (builder, "--jid", jid,
                               "--host", tessera_test_server_get (server, "HOST"),
                               "--port", port,
                               "--ca-file", tessera_test_server_get_ca_file (server),
                               NULL);
    }
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);

  launcher = new_launcher (device, run);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  return process;
}

void
rel_wait_cli (GSubprocess        *process,
              const RelRun       *run,
              const char * const *args,
              RelResult          *result)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  const char *crash_at = run != NULL ? run->crash_at : NULL;

  rel_result_clear (result);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);

  if (g_subprocess_get_if_signaled (process))
    result->term_signal = g_subprocess_get_term_sig (process);
  else
    result->status = g_subprocess_get_exit_status (process);

  /* rel_spawn_cli_argv() always asks for --json */
  if (result->term_signal == 0 && result->out != NULL && *result->out != '\0')
    result->json = parse_json_output (result->out);

  shown = g_strjoinv (" ", (char **) args);
  g_test_message ("tessera-cli %s%s%s: %s %d", shown, crash_at ? " crashing at " : "",
                  crash_at ? crash_at : "",
                  result->term_signal ? "killed by signal" : "exit", result->term_signal ? result->term_signal
                                                                                         : result->status);
  if (result->status != TESSERA_TEST_EXIT_OK && result->term_signal == 0 && result->err != NULL)
    g_test_message ("stderr: %s", result->err);
}

void
rel_run_cli_argv (TesseraTestServer  *server,
                  const char         *jid,
                  TesseraTestDevice  *device,
                  const RelRun       *run,
                  const char * const *args,
                  RelResult          *result)
{
  g_autoptr(GSubprocess) process = rel_spawn_cli_argv (server, jid, device, run, args);

  rel_wait_cli (process, run, args, result);
}

void
rel_run_cli (TesseraTestServer *server,
             const char        *jid,
             TesseraTestDevice *device,
             const RelRun      *run,
             RelResult         *result,
             ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  const char *arg;
  va_list ap;

  va_start (ap, result);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (ap);
  args = g_strv_builder_end (builder);

  rel_run_cli_argv (server, jid, device, run, (const char * const *) args, result);
}

static JsonObject *
result_object (RelResult *result)
{
  if (result->json == NULL || !JSON_NODE_HOLDS_OBJECT (result->json))
    return NULL;
  return json_node_get_object (result->json);
}

const char *
rel_result_error_code (RelResult *result)
{
  JsonObject *object = result_object (result);
  JsonObject *error;

  if (object == NULL || !json_object_has_member (object, "error"))
    return NULL;
  error = json_object_get_object_member (object, "error");
  return json_object_get_string_member (error, "code");
}

const char *
rel_result_fingerprint (RelResult *result)
{
  JsonObject *object = result_object (result);

  if (object == NULL || !json_object_has_member (object, "fingerprint"))
    return NULL;
  return json_object_get_string_member (object, "fingerprint");
}

/* ---- the server's storage ---------------------------------------------- */

static void
server_cert_free (gpointer data)
{
  RelServerCert *cert = data;

  g_free (cert->fingerprint);
  g_free (cert->key_id);
  g_free (cert->name);
  g_free (cert);
}

static char *
match_field (const char *record,
             const char *field)
{
  g_autofree char *pattern = g_strdup_printf ("\\[\"%s\"\\]\\s*=\\s*\"([^\"]*)\"", field);
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (regex, record, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

static char *
key_id_of (const char *pubkey_base64)
{
  g_autofree guchar *der = NULL;
  g_autofree char *hex = NULL;
  gsize length = 0;

  der = g_base64_decode (pubkey_base64, &length);
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, length);
  return g_strndup (hex, TESSERA_KEY_ID_LEN);
}

GPtrArray *
rel_server_certs (TesseraTestServer *server,
                  const char        *user)
{
  GPtrArray *certs = g_ptr_array_new_with_free_func (server_cert_free);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GRegex) records = NULL;
  g_autoptr(GMatchInfo) match = NULL;

  path = g_strdup_printf ("%s/localhost/ccm2/%s.dat", tessera_test_server_get (server, "DATA_DIR"), user);
  text = rel_read_file (path, NULL);
  if (text == NULL)
    return certs;

  /* mod_storage_internal writes one "{ ... };" table per certificate. */
  records = g_regex_new ("\\{[^{}]*\\[\"fingerprint\"\\][^{}]*\\}", 0, 0, NULL);
  g_regex_match (records, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *record = g_match_info_fetch (match, 0);
      g_autofree char *pubkey = match_field (record, "pubkey");
      RelServerCert *cert = g_new0 (RelServerCert, 1);

      cert->fingerprint = match_field (record, "fingerprint");
      cert->name = match_field (record, "name");
      cert->key_id = pubkey != NULL ? key_id_of (pubkey) : g_strdup ("");
      g_assert_nonnull (cert->fingerprint);
      g_ptr_array_add (certs, cert);
      g_match_info_next (match, NULL);
    }

  return certs;
}

RelServerCert *
rel_server_certs_find (GPtrArray  *certs,
                       const char *fingerprint)
{
  for (guint i = 0; i < certs->len; i++)
    {
      RelServerCert *cert = g_ptr_array_index (certs, i);

      if (g_strcmp0 (cert->fingerprint, fingerprint) == 0)
        return cert;
    }
  return NULL;
}

gboolean
rel_server_configure (TesseraTestServer  *server,
                      const char         *text,
                      GError            **error)
{
  const char *config = tessera_test_server_get (server, "CONFIG_FILE");
  g_autofree char *old = NULL;
  g_autofree char *updated = NULL;

  if (!g_file_get_contents (config, &old, NULL, error))
    return FALSE;
  updated = g_strconcat (old, "\n", text, "\n", NULL);
  if (!g_file_set_contents_full (config, updated, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  return tessera_test_server_restart (server, error);
}
