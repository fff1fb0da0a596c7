/* tessera-soak.c: one session doing list and login cycles, for leak and fd checks
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "tessera-core.h"
#include "tessera-test-fixtures.h"

/* tests/soak/run-soak runs this under valgrind. One TesseraSession (one
 * management connection, reused) enrolls once if its key store has no
 * certificate, then runs CYCLES times: list, then a certificate login on a
 * fresh connection. The open file descriptors are counted after the first
 * cycle and after the last; everything is freed before exit so that
 * valgrind's "definitely lost" means a leak. Prints one line:
 *
 *   cycles N errors E fds-after-first F fds-at-end G */

#define KEY_PASSPHRASE "soak test passphrase"

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint count = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

static gboolean
ensure_enrolled (TesseraSession  *session,
                 GError         **error)
{
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  device = tessera_key_store_get_device_record (tessera_session_get_key_store (session), NULL);
  if (device != NULL)
    return TRUE;

  tessera_session_enroll_async (session, "Soak", TESSERA_KEY_TYPE_ECDSA_P256, KEY_PASSPHRASE, NULL,
                                tessera_test_async_result_cb, &result);
  tessera_test_wait_async (&result, 0);
  record = tessera_session_enroll_finish (session, result, error);
  return record != NULL;
}

static gboolean
cycle (TesseraSession  *session,
       GError         **error)
{
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GAsyncResult) logged_in = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autofree char *jid = NULL;

  tessera_session_list_async (session, NULL, tessera_test_async_result_cb, &listed);
  tessera_test_wait_async (&listed, 0);
  entries = tessera_session_list_finish (session, listed, error);
  if (entries == NULL)
    return FALSE;

  tessera_session_login_async (session, NULL, tessera_test_async_result_cb, &logged_in);
  tessera_test_wait_async (&logged_in, 0);
  jid = tessera_session_login_finish (session, logged_in, error);
  return jid != NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *jid = NULL;
  g_autofree char *host = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *password = NULL;
  int port = 0, cycles = 1000, timeout = 120;
  const GOptionEntry entries[] = {
    { "jid", 0, 0, G_OPTION_ARG_STRING, &jid, "Account", "JID" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Server address", "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Server port", "PORT" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "CA of the server certificate", "PEM" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, "Account password", "FILE" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "Key store", "DIR" },
    { "cycles", 0, 0, G_OPTION_ARG_INT, &cycles, "List/login cycles (default 1000)", "N" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Seconds per operation (default 120: valgrind is slow)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  TesseraSession *session;
  guint errors = 0, fds_first = 0, fds_end;
  gint64 until;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || jid == NULL || data_dir == NULL ||
      password_file == NULL || cycles < 1)
    {
      g_printerr ("usage: tessera-soak --jid JID --host H --port P --ca-file CA --password-file F "
                  "--data-dir DIR [--cycles N]\n");
      return 64;
    }
  if (!g_file_get_contents (password_file, &password, NULL, &error))
    {
      g_printerr ("tessera-soak: %s\n", error->message);
      return 1;
    }
  g_strchomp (password);

  account = tessera_account_new (jid, host, (guint16) port, TESSERA_TLS_STARTTLS, ca_file, NULL);
  store = tessera_key_store_new (jid, data_dir);
  session = tessera_session_new (account, store);
  tessera_session_set_password (session, password);
  tessera_session_set_timeout (session, (guint) timeout);
  tessera_session_set_key_passphrase (session, KEY_PASSPHRASE);

  if (!ensure_enrolled (session, &error))
    {
      g_printerr ("tessera-soak: enrolling failed: %s\n", error->message);
      errors++;
    }

  for (int i = 1; i <= cycles && errors < 10; i++)
    {
      g_autoptr(GError) cycle_error = NULL;

      if (!cycle (session, &cycle_error))
        {
          g_printerr ("tessera-soak: cycle %d: %s\n", i, cycle_error->message);
          errors++;
        }
      if (i == 1)
        fds_first = count_fds ();
      if (i % 100 == 0)
        g_printerr ("tessera-soak: %d cycles, %u fds\n", i, count_fds ());
    }
  fds_end = count_fds ();

  /* Everything goes, so that what valgrind still finds is a leak. */
  tessera_session_close (session);
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  g_object_unref (session);
  until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (session != NULL && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);

  g_print ("cycles %d errors %u fds-after-first %u fds-at-end %u session-finalized %s\n", cycles, errors,
           fds_first, fds_end, session == NULL ? "yes" : "no");
  return errors == 0 && session == NULL ? 0 : 1;
}
