/* test-journal.c: the typed steps of a key's journal, and journals of older versions
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "tessera-crypto.h"
#include "tessera-journal.h"
#include "tessera-key-store.h"

#define JID "alice@example.org"
#define USER_PASSPHRASE "correct horse battery staple"

static void
test_names_round_trip (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_null (tessera_journal_step_to_string (TESSERA_JOURNAL_STEP_UNKNOWN));
  g_assert_null (tessera_journal_step_to_string (TESSERA_JOURNAL_STEP_LAST + 1));
  for (TesseraJournalStep step = 1; step <= TESSERA_JOURNAL_STEP_LAST; step++)
    {
      const char *name = tessera_journal_step_to_string (step);

      g_assert_nonnull (name);
      /* a name is the file format: each is different, none breaks a line */
      g_assert_true (g_hash_table_add (seen, (gpointer) name));
      g_assert_null (strpbrk (name, "\n\r"));
      g_assert_cmpint (tessera_journal_step_parse (name), ==, step);
    }
  g_assert_cmpint (tessera_journal_step_parse ("uploaded"), ==, TESSERA_JOURNAL_STEP_UNKNOWN);
  g_assert_cmpint (tessera_journal_step_parse (""), ==, TESSERA_JOURNAL_STEP_UNKNOWN);
  g_assert_cmpint (tessera_journal_step_of_line ("2026-01-02T03:04:05Z state revoking"), ==,
                   TESSERA_JOURNAL_STEP_STATE_REVOKING);
}

static void
test_old_names (void)
{
  /* what earlier versions wrote for a stored certificate */
  g_assert_cmpint (tessera_journal_step_parse ("certificate-saved"), ==,
                   TESSERA_JOURNAL_STEP_CERTIFICATE_STORED);
  g_assert_cmpint (tessera_journal_step_of_line ("2026-01-02T03:04:05Z reconciled certificate-stored"), ==,
                   TESSERA_JOURNAL_STEP_CERTIFICATE_STORED);
}

static void
test_request_in_flight (void)
{
  const char *empty[] = { NULL };
  const char *saved[] = { "t key-saved", "t request-saved", NULL };
  const char *sent[] = { "t key-saved", "t request-saved", "t request-sent", NULL };
  const char *received[] = { "t request-sent", "t result-received", NULL };
  const char *refused[] = { "t request-sent", "t request-refused", NULL };
  const char *rejected[] = { "t request-sent", "t result-received", "t result-refused", NULL };
  const char *again[] = { "t request-sent", "t request-refused", "t request-sent", NULL };
  const char *unknown_last[] = { "t request-sent", "t something-new", NULL };

  g_assert_false (tessera_journal_request_in_flight (NULL));
  g_assert_false (tessera_journal_request_in_flight (empty));
  g_assert_false (tessera_journal_request_in_flight (saved));
  g_assert_true (tessera_journal_request_in_flight (sent));
  g_assert_true (tessera_journal_request_in_flight (received));
  g_assert_false (tessera_journal_request_in_flight (refused));
  g_assert_false (tessera_journal_request_in_flight (rejected));
  g_assert_true (tessera_journal_request_in_flight (again));
  g_assert_true (tessera_journal_request_in_flight (unknown_last));

  g_assert_true (tessera_journal_contains (received, TESSERA_JOURNAL_STEP_RESULT_RECEIVED));
  g_assert_false (tessera_journal_contains (received, TESSERA_JOURNAL_STEP_REVOKE_CONFIRMED));
  g_assert_false (tessera_journal_contains (NULL, TESSERA_JOURNAL_STEP_KEY_SAVED));
}

/* A journal file exactly as the previous version wrote it, in a real key
 * folder, still says what reconciliation needs to know. */
static void
test_old_store_file (void)
{
  static const char old_pending[] =
    "2026-05-01T10:00:00Z key-saved\n"
    "2026-05-01T10:00:00Z key-saved\n"
    "2026-05-01T10:00:01Z request-saved\n"
    "2026-05-01T10:00:01Z request-sent\n";
  static const char old_certified[] =
    "2026-05-01T10:00:00Z key-saved\n"
    "2026-05-01T10:00:01Z request-saved\n"
    "2026-05-01T10:00:01Z request-sent\n"
    "2026-05-01T10:00:02Z result-received\n"
    "2026-05-01T10:00:02Z certificate-saved\n"
    "2026-05-01T10:00:02Z certificate-stored\n"
    "2026-05-01T11:00:00Z revoke-sent\n"
    "2026-05-01T11:00:00Z state revoking\n"
    "2026-05-01T11:00:01Z revoke-confirmed\n";
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) more = NULL;
  const char *id;

  key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_assert_no_error (error);
  record = tessera_key_store_save_key (store, key, "Laptop", "ccm2", USER_PASSPHRASE, &error);
  g_assert_no_error (error);
  id = tessera_key_record_get_id (record);
  path = g_build_filename (tessera_key_store_get_dir (store), id, "journal", NULL);

  g_file_set_contents (path, old_pending, -1, &error);
  g_assert_no_error (error);
  lines = tessera_key_store_read_journal (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (tessera_journal_request_in_flight ((const char * const *) lines));

  /* a new step lands after the old lines and is read back typed */
  g_assert_true (tessera_key_store_journal_append (store, id, TESSERA_JOURNAL_STEP_REQUEST_REFUSED, &error));
  g_clear_pointer (&lines, g_strfreev);
  lines = tessera_key_store_read_journal (store, id, &error);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_cmpint (tessera_journal_step_of_line (lines[4]), ==, TESSERA_JOURNAL_STEP_REQUEST_REFUSED);
  g_assert_false (tessera_journal_request_in_flight ((const char * const *) lines));

  g_file_set_contents (path, old_certified, -1, &error);
  g_assert_no_error (error);
  more = tessera_key_store_read_journal (store, id, &error);
  g_assert_no_error (error);
  for (guint i = 0; more[i] != NULL; i++)
    g_assert_cmpint (tessera_journal_step_of_line (more[i]), !=, TESSERA_JOURNAL_STEP_UNKNOWN);
  g_assert_true (tessera_journal_contains ((const char * const *) more, TESSERA_JOURNAL_STEP_REVOKE_CONFIRMED));
  g_assert_true (tessera_journal_contains ((const char * const *) more, TESSERA_JOURNAL_STEP_STATE_REVOKING));

  g_assert_true (tessera_key_store_delete (store, id, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/tessera/journal/names-round-trip", test_names_round_trip);
  g_test_add_func ("/tessera/journal/old-names", test_old_names);
  g_test_add_func ("/tessera/journal/request-in-flight", test_request_in_flight);
  g_test_add_func ("/tessera/journal/old-store-file", test_old_store_file);

  return g_test_run ();
}
