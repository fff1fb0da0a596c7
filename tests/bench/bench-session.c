/* bench-session.c: one session operation against a server, with the session's own accounting
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Runs one TesseraSession operation on a fresh session (as a fresh start of
 * the app or of tessera-cli does) and prints one JSON line: the operation,
 * connections opened and iq round trips (tessera_session_get_stats), its
 * wall-clock start and end (to find its TCP connections in a capture) and
 * its duration.
 *
 *   bench-session enroll NAME | list | login | revoke FINGERPRINT
 *
 * Environment: BENCH_JID, BENCH_HOST, BENCH_PORT, BENCH_CA_FILE,
 * TESSERA_PASSWORD (the account password), BENCH_KEY_PASSPHRASE_FILE (the
 * key passphrase: keys are saved without a keyring), XDG_DATA_HOME (the key
 * store). */

#include "config.h"

#define G_LOG_DOMAIN "tessera-bench"

#include <stdlib.h>

#include "tessera-core.h"

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Waiter;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
  g_main_loop_quit (waiter->loop);
}

static GAsyncResult *
wait_result (Waiter *waiter)
{
  g_main_loop_run (waiter->loop);
  return waiter->result;
}

static char *
read_first_line (const char *path)
{
  g_autofree char *text = NULL;

  if (path == NULL || !g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  text[strcspn (text, "\r\n")] = '\0';
  return g_steal_pointer (&text);
}

static gboolean
run_op (TesseraSession  *session,
        const char      *op,
        const char      *arg,
        GString         *detail,
        GError         **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *passphrase = read_first_line (g_getenv ("BENCH_KEY_PASSPHRASE_FILE"));
  Waiter waiter = { loop, NULL };

  if (g_str_equal (op, "enroll") && arg != NULL)
    {
      g_autoptr(TesseraKeyRecord) record = NULL;
      TesseraCertificate *certificate;

      tessera_session_enroll_async (session, arg, TESSERA_KEY_TYPE_ECDSA_P256, passphrase, NULL,
                                    done_cb, &waiter);
      result = wait_result (&waiter);
      record = tessera_session_enroll_finish (session, result, error);
      if (record == NULL)
        return FALSE;
      certificate = tessera_key_record_get_certificate (record);
      g_string_append_printf (detail, "\"fingerprint\":\"%s\"",
                              certificate != NULL ? tessera_certificate_get_fingerprint (certificate) : "");
      return TRUE;
    }
  if (g_str_equal (op, "list"))
    {
      g_autoptr(GListModel) model = NULL;

      tessera_session_list_async (session, NULL, done_cb, &waiter);
      result = wait_result (&waiter);
      model = tessera_session_list_finish (session, result, error);
      if (model == NULL)
        return FALSE;
      g_string_append_printf (detail, "\"entries\":%u", g_list_model_get_n_items (model));
      return TRUE;
    }
  if (g_str_equal (op, "login"))
    {
      g_autofree char *bound = NULL;

      if (passphrase != NULL)
        tessera_session_set_key_passphrase (session, passphrase);
      tessera_session_login_async (session, NULL, done_cb, &waiter);
      result = wait_result (&waiter);
      bound = tessera_session_login_finish (session, result, error);
      if (bound == NULL)
        return FALSE;
      g_string_append (detail, "\"bound\":true");
      return TRUE;
    }
  if (g_str_equal (op, "revoke") && arg != NULL)
    {
      tessera_session_revoke_async (session, arg, NULL, done_cb, &waiter);
      result = wait_result (&waiter);
      if (!tessera_session_revoke_finish (session, result, error))
        return FALSE;
      g_string_append (detail, "\"revoked\":true");
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "usage: bench-session enroll NAME | list | login | revoke FINGERPRINT");
  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);
  const char *jid = g_getenv ("BENCH_JID");
  const char *port = g_getenv ("BENCH_PORT");
  gint64 start_real, start, end;
  guint connections = 0, round_trips = 0;
  gboolean ok;

  if (argc < 2 || jid == NULL || port == NULL)
    {
      g_printerr ("usage: bench-session enroll NAME | list | login | revoke FINGERPRINT\n"
                  "(with BENCH_JID, BENCH_HOST, BENCH_PORT, BENCH_CA_FILE set)\n");
      return 2;
    }

  account = tessera_account_new (jid, g_getenv ("BENCH_HOST"), (guint16) atoi (port), TESSERA_TLS_STARTTLS,
                                 g_getenv ("BENCH_CA_FILE"), NULL);
  store = tessera_key_store_new (jid, NULL);
  session = tessera_session_new (account, store);
  if (g_getenv ("TESSERA_PASSWORD") != NULL)
    tessera_session_set_password (session, g_getenv ("TESSERA_PASSWORD"));

  start_real = g_get_real_time ();
  start = g_get_monotonic_time ();
  ok = run_op (session, argv[1], argc > 2 ? argv[2] : NULL, detail, &error);
  end = g_get_monotonic_time ();
  tessera_session_get_stats (session, &connections, &round_trips);
  tessera_session_close (session);

  g_print ("{\"op\":\"%s\",\"ok\":%s,\"connections\":%u,\"round_trips\":%u,"
           "\"start_real_us\":%" G_GINT64_FORMAT ",\"end_real_us\":%" G_GINT64_FORMAT ","
           "\"ms\":%.3f%s%s}\n",
           argv[1], ok ? "true" : "false", connections, round_trips,
           start_real, start_real + (end - start), (end - start) / 1000.0,
           detail->len > 0 ? "," : "", detail->str);
  if (!ok)
    g_printerr ("bench-session %s: %s\n", argv[1], error->message);
  return ok ? 0 : 1;
}
