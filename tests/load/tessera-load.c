/* tessera-load.c: one load client (enrollments or certificate logins) on the core session API
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "tessera-core.h"
#include "tessera-test-fixtures.h"

/* tests/load/run-load starts 50 of these at once. Each is one client: one
 * TesseraSession, its own key store, one operation after the other until
 * the time is up (or the count is reached). Every operation becomes one
 * line of OUT:
 *
 *   enroll MS ok FINGERPRINT KEY_ID          login MS ok JID
 *   enroll MS error MESSAGE                  login MS error MESSAGE
 *
 * After the enrollments, --export-dir writes each certificate and its key
 * unencrypted (throw-away load keys, so the login storm measures the
 * server rather than PBKDF2 on this side) and a list "CERT KEY" per line. */

typedef struct
{
  char     *jid;
  char     *host;
  int       port;
  char     *ca_file;
  char     *password_file;
  char     *data_dir;
  char     *out;
  char     *export_dir;
  char     *key_list;
  int       seconds;
  int       count;
  gboolean  reconnect;
  int       timeout;
} Options;

static char *
one_line (const char *text)
{
  char *line = g_strdup (text);

  g_strdelimit (line, "\n\r", ' ');
  return line;
}

static TesseraSession *
new_session (Options  *options,
             GError  **error)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autofree char *password = NULL;
  TesseraSession *session;

  account = tessera_account_new (options->jid, options->host, (guint16) options->port, TESSERA_TLS_STARTTLS,
                                 options->ca_file, NULL);
  store = tessera_key_store_new (options->jid, options->data_dir);
  session = tessera_session_new (account, store);
  tessera_session_set_timeout (session, (guint) options->timeout);
  tessera_session_set_key_passphrase (session, "load test passphrase");
  if (options->password_file != NULL)
    {
      if (!g_file_get_contents (options->password_file, &password, NULL, error))
        {
          g_object_unref (session);
          return NULL;
        }
      g_strchomp (password);
      tessera_session_set_password (session, password);
    }
  return session;
}

static gboolean
keep_going (Options *options,
            gint64   deadline,
            int      done)
{
  if (options->count > 0)
    return done < options->count;
  return g_get_monotonic_time () < deadline;
}

static void
export_keys (Options         *options,
             TesseraKeyStore *store,
             GString         *list)
{
  g_autoptr(GPtrArray) records = tessera_key_store_list (store, NULL);

  g_mkdir_with_parents (options->export_dir, 0700);
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);
      const char *id = tessera_key_record_get_id (record);
      g_autoptr(TesseraKey) key = NULL;
      g_autoptr(GBytes) plain = NULL;
      g_autofree char *key_path = g_strdup_printf ("%s/%s.key", options->export_dir, id);
      g_autoptr(GError) error = NULL;

      if (tessera_key_record_get_certificate_path (record) == NULL)
        continue;
      key = tessera_key_store_load_key (store, id, "load test passphrase", &error);
      plain = key != NULL ? tessera_key_export_plain (key, &error) : NULL;
      if (plain == NULL ||
          !g_file_set_contents_full (key_path, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                                     G_FILE_SET_CONTENTS_NONE, 0600, &error))
        {
          g_printerr ("tessera-load: could not export key %s: %s\n", id, error->message);
          continue;
        }
      g_string_append_printf (list, "%s %s\n", tessera_key_record_get_certificate_path (record), key_path);
    }
}

static int
run_enroll (Options *options)
{
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) options->seconds * G_USEC_PER_SEC;
  int done = 0;

  session = new_session (options, &error);
  if (session == NULL)
    {
      g_printerr ("tessera-load: %s\n", error->message);
      return 1;
    }

  while (keep_going (options, deadline, done))
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(TesseraKeyRecord) record = NULL;
      g_autoptr(GError) op_error = NULL;
      g_autofree char *name = g_strdup_printf ("load %d", done);
      gint64 start = g_get_monotonic_time ();
      double ms;

      tessera_session_enroll_async (session, name, TESSERA_KEY_TYPE_ECDSA_P256, "load test passphrase",
                                    NULL, tessera_test_async_result_cb, &result);
      tessera_test_wait_async (&result, 0);
      record = tessera_session_enroll_finish (session, result, &op_error);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      done++;
      if (record != NULL && tessera_key_record_get_certificate (record) != NULL)
        g_string_append_printf (lines, "enroll %.3f ok %s %s\n", ms,
                                tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record)),
                                tessera_key_record_get_id (record));
      else
        {
          g_autofree char *message = one_line (op_error ? op_error->message : "no certificate");

          g_string_append_printf (lines, "enroll %.3f error %s\n", ms, message);
        }
      if (options->reconnect)
        tessera_session_close (session);
    }

  if (options->export_dir != NULL && options->key_list != NULL)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      export_keys (options, tessera_session_get_key_store (session), list);
      g_file_set_contents (options->key_list, list->str, list->len, NULL);
    }

  if (!g_file_set_contents (options->out, lines->str, lines->len, &error))
    {
      g_printerr ("tessera-load: %s\n", error->message);
      return 1;
    }
  return 0;
}

static int
run_login (Options *options)
{
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *list_text = NULL;
  g_auto(GStrv) pairs = NULL;
  g_autoptr(GRand) rand = g_rand_new ();
  gint64 deadline = g_get_monotonic_time () + (gint64) options->seconds * G_USEC_PER_SEC;
  guint n_pairs;
  int done = 0;

  session = new_session (options, &error);
  if (session == NULL || !g_file_get_contents (options->key_list, &list_text, NULL, &error))
    {
      g_printerr ("tessera-load: %s\n", error->message);
      return 1;
    }
  g_strchomp (list_text);
  pairs = g_strsplit (list_text, "\n", -1);
  n_pairs = g_strv_length (pairs);
  if (n_pairs == 0)
    {
      g_printerr ("tessera-load: no certificate in %s\n", options->key_list);
      return 1;
    }

  while (keep_going (options, deadline, done))
    {
      g_auto(GStrv) pair = g_strsplit (pairs[g_rand_int_range (rand, 0, (gint32) n_pairs)], " ", 2);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) op_error = NULL;
      g_autofree char *jid = NULL;
      gint64 start = g_get_monotonic_time ();
      double ms;

      tessera_session_login_full_async (session, TESSERA_LOGIN_FLAGS_NONE, pair[0], pair[1], NULL,
                                        NULL, tessera_test_async_result_cb, &result);
      tessera_test_wait_async (&result, 0);
      jid = tessera_session_login_finish (session, result, &op_error);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      done++;
      if (jid != NULL)
        g_string_append_printf (lines, "login %.3f ok %s\n", ms, jid);
      else
        {
          g_autofree char *message = one_line (op_error->message);

          g_string_append_printf (lines, "login %.3f error %s\n", ms, message);
        }
    }

  if (!g_file_set_contents (options->out, lines->str, lines->len, &error))
    {
      g_printerr ("tessera-load: %s\n", error->message);
      return 1;
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  Options options = { .seconds = 60, .timeout = 60 };
  const GOptionEntry entries[] = {
    { "jid", 0, 0, G_OPTION_ARG_STRING, &options.jid, "Account", "JID" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &options.host, "Server address", "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &options.port, "Server port", "PORT" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options.ca_file, "CA of the server certificate", "PEM" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &options.password_file, "Account password", "FILE" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &options.data_dir, "Key store of this client", "DIR" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &options.out, "Results, one line per operation", "FILE" },
    { "export-dir", 0, 0, G_OPTION_ARG_FILENAME, &options.export_dir, "enroll: export keys here", "DIR" },
    { "key-list", 0, 0, G_OPTION_ARG_FILENAME, &options.key_list, "The \"CERT KEY\" list", "FILE" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &options.seconds, "Run this long (default 60)", "N" },
    { "count", 0, 0, G_OPTION_ARG_INT, &options.count, "Or this many operations", "N" },
    { "reconnect", 0, 0, G_OPTION_ARG_NONE, &options.reconnect, "enroll: a new connection each time", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &options.timeout, "Seconds per operation (default 60)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("enroll|login");
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || options.jid == NULL ||
      options.out == NULL || options.data_dir == NULL)
    {
      g_printerr ("usage: tessera-load enroll|login --jid JID --host H --port P --ca-file CA "
                  "--data-dir DIR --out FILE [...]%s%s\n", error ? ": " : "", error ? error->message : "");
      return 64;
    }

  if (g_str_equal (argv[1], "enroll"))
    return run_enroll (&options);
  if (g_str_equal (argv[1], "login") && options.key_list != NULL)
    return run_login (&options);

  g_printerr ("tessera-load: unknown mode %s (login needs --key-list)\n", argv[1]);
  return 64;
}
