/* test-key-store.c: keys, requests, certificates and journals on disk
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tessera-certificate.h"
#include "tessera-crypto.h"
#include "tessera-error.h"
#include "tessera-key-store.h"
#include "tessera-secret.h"
#include "tessera-test-fixtures.h"

#define JID "alice@example.org"
#define USER_PASSPHRASE "correct horse battery staple"

/* ECDSA P-256 keys are quick to make; one per test is plenty. */
static TesseraKey *
new_key (void)
{
  g_autoptr(GError) error = NULL;
  TesseraKey *key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (key);
  return key;
}

static TesseraCertificate *
new_self_signed (TesseraKey *key,
                 const char *jid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = tessera_key_create_self_signed (key, jid, 30, &error);
  TesseraCertificate *cert;

  g_assert_no_error (error);
  cert = tessera_certificate_new_from_der (der, &error);
  g_assert_no_error (error);
  return cert;
}

static TesseraKeyRecord *
save_key (TesseraKeyStore *store,
          TesseraKey      *key,
          const char      *user_passphrase)
{
  g_autoptr(GError) error = NULL;
  TesseraKeyRecord *record;

  record = tessera_key_store_save_key (store, key, "Laptop", "ccm2", user_passphrase, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static char *
store_file (TesseraKeyStore  *store,
            TesseraKeyRecord *record,
            const char       *name)
{
  return g_build_filename (tessera_key_store_get_dir (store), tessera_key_record_get_id (record),
                           name, NULL);
}

static void
assert_key_file_encrypted (const char *key_path,
                           const char *passphrase)
{
  g_autofree char *pem = read_text (key_path);

  g_assert_nonnull (strstr (pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  g_assert_null (strstr (pem, "BEGIN PRIVATE KEY"));
  g_assert_null (strstr (pem, "BEGIN EC PRIVATE KEY"));
  if (passphrase != NULL)
    g_assert_null (strstr (pem, passphrase));
}

/* ---------------------------------------------------------------------- */

static void
test_escape_jid (void)
{
  struct { const char *jid; const char *escaped; } cases[] = {
    { "alice@example.org", "alice@example.org" },
    { "a_b-c.d@e.org", "a_b-c.d@e.org" },
    { "Alice@Example.org", "%41lice@%45xample.org" },
    { "a/b@c", "a%2Fb@c" },
    { "..", "%2E." },
    { ".hidden@x", "%2Ehidden@x" },
    { "../../etc@x", "%2E.%2F..%2Fetc@x" },
    { "50%@x", "50%25@x" },
    { "user@[::1]", "user@%5B%3A%3A1%5D" },
    { "\xc3\xbc@x", "%C3%BC@x" },
  };
  g_autofree char *many_x = g_strnfill (1000, 'X');
  g_autofree char *long_a = NULL;
  g_autofree char *long_b = NULL;
  g_autofree char *escaped_a = NULL;
  g_autofree char *escaped_b = NULL;
  g_autofree char *base = g_build_filename (g_get_user_data_dir (), "tessera", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *escaped = tessera_key_store_escape_jid (cases[i].jid);
      g_autoptr(TesseraKeyStore) store = tessera_key_store_new (cases[i].jid, NULL);
      g_autofree char *parent = g_path_get_dirname (tessera_key_store_get_dir (store));

      g_assert_cmpstr (escaped, ==, cases[i].escaped);
      /* whatever the JID, its folder sits right inside the base folder */
      g_assert_cmpstr (parent, ==, base);
    }

  /* overlong JIDs are cut but stay apart */
  long_a = g_strconcat (many_x, "@a.example", NULL);
  long_b = g_strconcat (many_x, "@b.example", NULL);
  escaped_a = tessera_key_store_escape_jid (long_a);
  escaped_b = tessera_key_store_escape_jid (long_b);
  g_assert_cmpuint (strlen (escaped_a), <=, 200);
  g_assert_cmpstr (escaped_a, !=, escaped_b);
  g_assert_null (strchr (escaped_a, '/'));
}

static void
test_save_load_round_trip (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraKey) loaded = NULL;
  g_autoptr(TesseraKey) reread = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) found = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_id = g_strndup (tessera_key_get_public_key_id (key), 16);
  g_autofree char *expected_path = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *passphrase = NULL;
  g_autofree char *pem_text = NULL;
  g_autoptr(GBytes) pem = NULL;

  record = save_key (store, key, NULL);
  g_assert_cmpstr (tessera_key_record_get_id (record), ==, expected_id);
  g_assert_cmpstr (tessera_key_record_get_name (record), ==, "Laptop");
  g_assert_cmpstr (tessera_key_record_get_protocol (record), ==, "ccm2");
  g_assert_cmpint (tessera_key_record_get_key_type (record), ==, TESSERA_KEY_TYPE_ECDSA_P256);
  g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_KEY_SAVED);
  g_assert_false (tessera_key_record_get_uses_user_passphrase (record));
  g_assert_null (tessera_key_record_get_request_der (record));
  g_assert_null (tessera_key_record_get_certificate (record));
  g_assert_null (tessera_key_record_get_certificate_path (record));
  g_assert_cmpint (g_date_time_difference (now, tessera_key_record_get_created (record)), <,
                   60 * G_USEC_PER_SEC);

  expected_path = g_build_filename (g_get_user_data_dir (), "tessera", JID, expected_id, "key.pem",
                                    NULL);
  g_assert_cmpstr (tessera_key_record_get_key_path (record), ==, expected_path);
  g_assert_true (g_path_is_absolute (tessera_key_record_get_key_path (record)));

  /* the random passphrase is in the keyring, not in the key file */
  secret = tessera_secret_lookup_key_passphrase (JID, expected_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (secret);
  g_assert_cmpuint (strlen (secret), >=, 32);
  assert_key_file_encrypted (expected_path, secret);

  loaded = tessera_key_store_load_key (store, expected_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_key_get_public_key_id (loaded), ==, tessera_key_get_public_key_id (key));

  /* what libstrophe will be given opens the file */
  passphrase = tessera_key_store_dup_key_passphrase (store, expected_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passphrase, ==, secret);
  pem_text = read_text (expected_path);
  pem = g_bytes_new (pem_text, strlen (pem_text));
  reread = tessera_key_new_from_pem (pem, passphrase, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_key_get_public_key_id (reread), ==, tessera_key_get_public_key_id (key));

  /* a new store object sees the same */
  g_clear_object (&store);
  store = tessera_key_store_new (JID, NULL);
  found = tessera_key_store_lookup (store, expected_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_key_record_get_name (found), ==, "Laptop");
  g_assert_true (g_date_time_equal (tessera_key_record_get_created (found),
                                    tessera_key_record_get_created (record)));

  /* the same key twice is refused */
  g_clear_object (&found);
  found = tessera_key_store_save_key (store, key, "Again", "ccm2", NULL, &error);
  g_assert_null (found);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED);
}

static void
test_modes_under_umask_000 (void)
{
  const char *files[] = { "key.pem", "meta.ini", "journal", "request.der", "certificate.pem" };
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraCertificate) cert = new_self_signed (key, JID);
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) updated = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_build_filename (g_get_user_data_dir (), "tessera", NULL);
  g_autofree char *key_dir = NULL;
  mode_t old_umask = umask (0);

  record = save_key (store, key, NULL);
  csr = tessera_key_create_csr (key, JID, &error);
  g_assert_no_error (error);
  updated = tessera_key_store_save_request (store, tessera_key_record_get_id (record), csr, &error);
  g_assert_no_error (error);
  g_clear_object (&updated);
  updated = tessera_key_store_save_certificate (store, tessera_key_record_get_id (record), cert,
                                                &error);
  g_assert_no_error (error);
  umask (old_umask);

  key_dir = g_build_filename (tessera_key_store_get_dir (store),
                              tessera_key_record_get_id (record), NULL);
  g_assert_cmphex (file_mode (base), ==, 0700);
  g_assert_cmphex (file_mode (tessera_key_store_get_dir (store)), ==, 0700);
  g_assert_cmphex (file_mode (key_dir), ==, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (key_dir, files[i], NULL);

      g_assert_cmphex (file_mode (path), ==, 0600);
    }

  /* loosened modes are tightened again when the store reads them */
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (key_dir, files[i], NULL);

      g_assert_cmpint (g_chmod (path, 0644), ==, 0);
    }
  g_assert_cmpint (g_chmod (key_dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (tessera_key_store_get_dir (store), 0755), ==, 0);

  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_clear_pointer (&updated, g_object_unref);
  g_assert_true (tessera_key_store_journal_append (store, tessera_key_record_get_id (record),
                                                   TESSERA_JOURNAL_STEP_REQUEST_SENT, &error));
  g_assert_cmphex (file_mode (tessera_key_store_get_dir (store)), ==, 0700);
  g_assert_cmphex (file_mode (key_dir), ==, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (key_dir, files[i], NULL);

      g_assert_cmphex (file_mode (path), ==, 0600);
    }
}

static void
test_request_certificate_journal (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraCertificate) cert = new_self_signed (key, JID);
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) pending = NULL;
  g_autoptr(TesseraKeyRecord) certified = NULL;
  g_autoptr(TesseraKeyRecord) reopened = NULL;
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(TesseraKeyRecord) by_fingerprint = NULL;
  g_autoptr(TesseraKeyStore) other_store = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) journal = NULL;
  g_autofree char *cert_text = NULL;
  g_autofree char *upper = NULL;
  const char *id;
  const char *steps[] = { "key-saved", "request-saved", "certificate-stored", "request-sent" };

  record = save_key (store, key, NULL);
  id = tessera_key_record_get_id (record);

  csr = tessera_key_create_csr (key, JID, &error);
  g_assert_no_error (error);
  pending = tessera_key_store_save_request (store, id, csr, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tessera_key_record_get_state (pending), ==, TESSERA_KEY_STATE_REQUEST_PENDING);
  g_assert_true (g_bytes_equal (tessera_key_record_get_request_der (pending), csr));

  certified = tessera_key_store_save_certificate (store, id, cert, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tessera_key_record_get_state (certified), ==, TESSERA_KEY_STATE_CERTIFIED);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (certified)),
                   ==, tessera_certificate_get_fingerprint (cert));
  g_assert_nonnull (tessera_key_record_get_certificate_path (certified));
  cert_text = read_text (tessera_key_record_get_certificate_path (certified));
  g_assert_nonnull (strstr (cert_text, "-----BEGIN CERTIFICATE-----"));

  g_assert_true (tessera_key_store_journal_append (store, id, TESSERA_JOURNAL_STEP_REQUEST_SENT, &error));
  g_assert_no_error (error);

  /* all of it survives a fresh store object */
  other_store = tessera_key_store_new (JID, NULL);
  reopened = tessera_key_store_lookup (other_store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tessera_key_record_get_state (reopened), ==, TESSERA_KEY_STATE_CERTIFIED);
  g_assert_true (g_bytes_equal (tessera_key_record_get_request_der (reopened), csr));
  g_assert_true (g_bytes_equal (tessera_certificate_get_der (tessera_key_record_get_certificate (reopened)),
                                tessera_certificate_get_der (cert)));

  journal = tessera_key_store_read_journal (other_store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (journal), ==, G_N_ELEMENTS (steps));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_auto(GStrv) parts = g_strsplit (journal[i], " ", 2);
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (parts[0], NULL);

      g_assert_nonnull (when);
      g_assert_cmpstr (parts[1], ==, steps[i]);
    }

  device = tessera_key_store_get_device_record (other_store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_key_record_get_id (device), ==, id);

  /* fingerprints are found in any usual spelling */
  upper = g_ascii_strup (tessera_certificate_get_fingerprint (cert), -1);
  by_fingerprint = tessera_key_store_find_by_fingerprint (other_store, upper);
  g_assert_nonnull (by_fingerprint);
  g_assert_cmpstr (tessera_key_record_get_id (by_fingerprint), ==, id);
  g_assert_null (tessera_key_store_find_by_fingerprint (other_store, "00112233"));
  g_assert_null (tessera_key_store_find_by_fingerprint (other_store, "not hex"));

  /* the same look-ups in records read once, and the key opened from a record */
  {
    g_autoptr(GPtrArray) records = tessera_key_store_list (other_store, &error);
    g_autoptr(TesseraKeyRecord) found = NULL;
    g_autoptr(TesseraKey) opened = NULL;

    g_assert_no_error (error);
    found = tessera_key_store_find_in_records (records, upper);
    g_assert_nonnull (found);
    g_assert_cmpstr (tessera_key_record_get_id (found), ==, id);
    g_assert_null (tessera_key_store_find_in_records (records, "00112233"));
    g_assert_null (tessera_key_store_find_in_records (records, "not hex"));

    opened = tessera_key_store_load_record_key (other_store, found, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (opened);
  }
}

static void
test_set_state (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraKeyRecord) record = save_key (store, key, NULL);
  g_autoptr(TesseraKeyRecord) revoking = NULL;
  g_autoptr(TesseraKeyRecord) found = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) journal = NULL;
  TesseraKeyState state = TESSERA_KEY_STATE_KEY_SAVED;

  revoking = tessera_key_store_set_state (store, tessera_key_record_get_id (record),
                                          TESSERA_KEY_STATE_REVOKING, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tessera_key_record_get_state (revoking), ==, TESSERA_KEY_STATE_REVOKING);
  found = tessera_key_store_lookup (store, tessera_key_record_get_id (record), &error);
  g_assert_cmpint (tessera_key_record_get_state (found), ==, TESSERA_KEY_STATE_REVOKING);

  journal = tessera_key_store_read_journal (store, tessera_key_record_get_id (record), &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_strrstr (journal[g_strv_length (journal) - 1], "revoking"));

  for (TesseraKeyState s = TESSERA_KEY_STATE_KEY_SAVED; s <= TESSERA_KEY_STATE_REVOKING; s++)
    {
      g_assert_true (tessera_key_state_from_string (tessera_key_state_to_string (s), &state));
      g_assert_cmpint (state, ==, s);
    }
  g_assert_false (tessera_key_state_from_string ("lost", &state));
}

/* A request or certificate for another key never lands beside this one. */
static void
test_key_mismatch (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraKey) stranger = new_key ();
  g_autoptr(TesseraCertificate) foreign_cert = new_self_signed (stranger, JID);
  g_autoptr(TesseraKeyRecord) record = save_key (store, key, NULL);
  g_autoptr(TesseraKeyRecord) result = NULL;
  g_autoptr(TesseraKeyRecord) found = NULL;
  g_autoptr(GBytes) foreign_csr = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_path = store_file (store, record, "request.der");
  g_autofree char *certificate_path = store_file (store, record, "certificate.pem");

  foreign_csr = tessera_key_create_csr (stranger, JID, &error);
  g_assert_no_error (error);

  result = tessera_key_store_save_request (store, tessera_key_record_get_id (record), foreign_csr,
                                           &error);
  g_assert_null (result);
  g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_KEY_MISMATCH);
  g_clear_error (&error);

  result = tessera_key_store_save_certificate (store, tessera_key_record_get_id (record),
                                               foreign_cert, &error);
  g_assert_null (result);
  g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_KEY_MISMATCH);
  g_clear_error (&error);

  g_assert_false (g_file_test (request_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (certificate_path, G_FILE_TEST_EXISTS));
  found = tessera_key_store_lookup (store, tessera_key_record_get_id (record), &error);
  g_assert_cmpint (tessera_key_record_get_state (found), ==, TESSERA_KEY_STATE_KEY_SAVED);
}

static void
test_user_passphrase (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraKey) loaded = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  char *passphrase;
  TesseraKey *wrong;

  record = save_key (store, key, USER_PASSPHRASE);
  g_assert_true (tessera_key_record_get_uses_user_passphrase (record));
  assert_key_file_encrypted (tessera_key_record_get_key_path (record), USER_PASSPHRASE);

  /* the user's passphrase is never put in the keyring */
  secret = tessera_secret_lookup_key_passphrase (JID, tessera_key_record_get_id (record), &error);
  g_assert_no_error (error);
  g_assert_null (secret);

  wrong = tessera_key_store_load_key (store, tessera_key_record_get_id (record), NULL, &error);
  g_assert_null (wrong);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PASSPHRASE_REQUIRED);
  g_clear_error (&error);

  wrong = tessera_key_store_load_key (store, tessera_key_record_get_id (record),
                                      "incorrect horse", &error);
  g_assert_null (wrong);
  g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);

  passphrase = tessera_key_store_dup_key_passphrase (store, tessera_key_record_get_id (record),
                                                     "incorrect horse", &error);
  g_assert_null (passphrase);
  g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);

  loaded = tessera_key_store_load_key (store, tessera_key_record_get_id (record), USER_PASSPHRASE,
                                       &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_key_get_public_key_id (loaded), ==, tessera_key_get_public_key_id (key));

  passphrase = tessera_key_store_dup_key_passphrase (store, tessera_key_record_get_id (record),
                                                     USER_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passphrase, ==, USER_PASSPHRASE);
  tessera_secret_free (passphrase);
}

static void
test_secret_missing (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraKeyRecord) record = save_key (store, key, NULL);
  g_autoptr(GError) error = NULL;
  TesseraKey *loaded;

  g_assert_true (tessera_secret_clear_key_passphrase (JID, tessera_key_record_get_id (record),
                                                      &error));
  loaded = tessera_key_store_load_key (store, tessera_key_record_get_id (record), NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_SECRET_MISSING);
}

/* No Secret Service and no passphrase from the user: a clear error and
 * not a single file; with the user's passphrase it works. A subprocess,
 * so libsecret sees only the D-Bus backend and no bus. */
static void
test_no_secret_service (void)
{
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKey) loaded = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_build_filename (g_get_user_data_dir (), "tessera", NULL);

  if (!tessera_test_run_without_secret_service (60))
    return;

  g_assert_false (tessera_secret_is_available ());

  store = tessera_key_store_new (JID, NULL);
  key = new_key ();
  record = tessera_key_store_save_key (store, key, "Laptop", "ccm2", NULL, &error);
  g_assert_null (record);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NO_SECRET_SERVICE);
  g_clear_error (&error);
  g_assert_false (g_file_test (base, G_FILE_TEST_EXISTS));

  record = save_key (store, key, USER_PASSPHRASE);
  assert_key_file_encrypted (tessera_key_record_get_key_path (record), USER_PASSPHRASE);
  loaded = tessera_key_store_load_key (store, tessera_key_record_get_id (record), USER_PASSPHRASE,
                                       &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_key_get_public_key_id (loaded), ==, tessera_key_get_public_key_id (key));
}

static char *
read_meta_passphrase (TesseraKeyStore *store,
                      const char      *id)
{
  g_autofree char *path = g_build_filename (tessera_key_store_get_dir (store), id, "meta.ini", NULL);
  g_autoptr(GKeyFile) meta = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_file (meta, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  return g_key_file_get_string (meta, "key", "passphrase", NULL);
}

/* A key made without a keyring moves into one: a wrong passphrase is
 * refused with nothing changed, the right one goes to the keyring and
 * meta.ini says "keyring", and the key then opens with no passphrase. */
static void
test_remember_passphrase (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraKey) loaded = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *source = NULL;
  const char *id;

  record = save_key (store, key, USER_PASSPHRASE);
  id = tessera_key_record_get_id (record);

  g_assert_false (tessera_key_store_remember_passphrase (store, id, "incorrect horse", &error));
  g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  secret = tessera_secret_lookup_key_passphrase (JID, id, &error);
  g_assert_no_error (error);
  g_assert_null (secret);
  source = read_meta_passphrase (store, id);
  g_assert_cmpstr (source, ==, "user");
  g_clear_pointer (&source, g_free);

  g_assert_true (tessera_key_store_remember_passphrase (store, id, USER_PASSPHRASE, &error));
  g_assert_no_error (error);
  secret = tessera_secret_lookup_key_passphrase (JID, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, USER_PASSPHRASE);
  source = read_meta_passphrase (store, id);
  g_assert_cmpstr (source, ==, "keyring");

  after = tessera_key_store_lookup (store, id, &error);
  g_assert_no_error (error);
  g_assert_false (tessera_key_record_get_uses_user_passphrase (after));
  loaded = tessera_key_store_load_key (store, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_key_get_public_key_id (loaded), ==, tessera_key_get_public_key_id (key));

  /* Again: nothing to do. */
  g_assert_true (tessera_key_store_remember_passphrase (store, id, USER_PASSPHRASE, &error));
  g_assert_no_error (error);
}

/* No Secret Service: refused, and meta.ini still says "user". */
static void
test_remember_passphrase_no_service (void)
{
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKey) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;

  if (!tessera_test_run_without_secret_service (60))
    return;

  store = tessera_key_store_new (JID, NULL);
  key = new_key ();
  record = save_key (store, key, USER_PASSPHRASE);

  g_assert_false (tessera_key_store_remember_passphrase (store, tessera_key_record_get_id (record),
                                                         USER_PASSPHRASE, &error));
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NO_SECRET_SERVICE);
  g_clear_error (&error);
  source = read_meta_passphrase (store, tessera_key_record_get_id (record));
  g_assert_cmpstr (source, ==, "user");
  loaded = tessera_key_store_load_key (store, tessera_key_record_get_id (record), USER_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
}

/* Limits the size of any file this process writes, so the next write
 * fails half way, as on a full disk. Works as root too. */
typedef struct {
  struct rlimit saved;
  void (*saved_handler) (int);
} FileSizeLimit;

static void
limit_file_size (FileSizeLimit *limit,
                 rlim_t         bytes)
{
  struct rlimit limited;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit->saved), ==, 0);
  limited = limit->saved;
  limited.rlim_cur = bytes;
  limit->saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);
}

static void
unlimit_file_size (FileSizeLimit *limit)
{
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit->saved), ==, 0);
  signal (SIGXFSZ, limit->saved_handler);
}

static void
assert_only_known_files (const char *key_dir)
{
  g_autoptr(GDir) dir = g_dir_open (key_dir, 0, NULL);
  const char *known[] = { "key.pem", "meta.ini", "journal", "request.der", "certificate.pem", NULL };
  const char *entry;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    g_assert_true (g_strv_contains (known, entry));
}

static void
test_failed_write_keeps_old (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraCertificate) first = new_self_signed (key, JID);
  g_autoptr(TesseraCertificate) second = new_self_signed (key, JID);
  g_autoptr(TesseraKeyRecord) record = save_key (store, key, NULL);
  g_autoptr(TesseraKeyRecord) result = NULL;
  g_autoptr(TesseraKeyRecord) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = store_file (store, record, "certificate.pem");
  g_autofree char *meta_path = store_file (store, record, "meta.ini");
  g_autofree char *key_dir = g_path_get_dirname (cert_path);
  g_autofree char *cert_before = NULL;
  g_autofree char *cert_after = NULL;
  g_autofree char *meta_before = NULL;
  g_autofree char *meta_after = NULL;
  FileSizeLimit limit;

  g_assert_cmpstr (tessera_certificate_get_fingerprint (first), !=,
                   tessera_certificate_get_fingerprint (second));
  result = tessera_key_store_save_certificate (store, tessera_key_record_get_id (record), first,
                                               &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  cert_before = read_text (cert_path);
  meta_before = read_text (meta_path);

  limit_file_size (&limit, 64);
  result = tessera_key_store_save_certificate (store, tessera_key_record_get_id (record), second,
                                               &error);
  unlimit_file_size (&limit);
  g_assert_null (result);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO);
  g_clear_error (&error);

  cert_after = read_text (cert_path);
  g_assert_cmpstr (cert_after, ==, cert_before);
  assert_only_known_files (key_dir);

  /* meta.ini too: a failed state change leaves the old state */
  limit_file_size (&limit, 16);
  result = tessera_key_store_set_state (store, tessera_key_record_get_id (record),
                                        TESSERA_KEY_STATE_REVOKING, &error);
  unlimit_file_size (&limit);
  g_assert_null (result);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO);
  g_clear_error (&error);
  meta_after = read_text (meta_path);
  g_assert_cmpstr (meta_after, ==, meta_before);
  assert_only_known_files (key_dir);

  found = tessera_key_store_lookup (store, tessera_key_record_get_id (record), &error);
  g_assert_no_error (error);
  g_assert_cmpint (tessera_key_record_get_state (found), ==, TESSERA_KEY_STATE_CERTIFIED);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (found)),
                   ==, tessera_certificate_get_fingerprint (first));
}

/* A key that cannot be written leaves neither a key file nor its secret. */
static void
assert_nothing_saved (TesseraKeyStore *store,
                      const char      *id)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *meta = g_build_filename (tessera_key_store_get_dir (store), id, "meta.ini",
                                            NULL);
  g_autofree char *key_file = g_build_filename (tessera_key_store_get_dir (store), id, "key.pem",
                                                NULL);

  g_assert_false (g_file_test (meta, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (key_file, G_FILE_TEST_IS_REGULAR));
  secret = tessera_secret_lookup_key_passphrase (JID, id, &error);
  g_assert_no_error (error);
  g_assert_null (secret);
  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);
}

static void
test_failed_save_key_leaves_nothing (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strndup (tessera_key_get_public_key_id (key), 16);
  g_autofree char *key_dir = g_build_filename (tessera_key_store_get_dir (store), id, NULL);
  g_autofree char *obstacle = g_build_filename (key_dir, "key.pem", NULL);

  /* key.pem itself cannot be written (a folder is in the way): the
   * passphrase already in the keyring and meta.ini are taken back */
  g_assert_cmpint (g_mkdir_with_parents (obstacle, 0700), ==, 0);
  record = tessera_key_store_save_key (store, key, "Laptop", "ccm2", NULL, &error);
  g_assert_null (record);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO);
  g_clear_error (&error);
  assert_nothing_saved (store, id);

  /* and the same key saves fine once the way is clear */
  g_assert_cmpint (g_rmdir (obstacle), ==, 0);
  record = save_key (store, key, NULL);
  g_assert_cmpstr (tessera_key_record_get_id (record), ==, id);
}

/* A full disk while saving a key: the keyring file or the key folder's
 * files cannot grow. In a subprocess with a keyring of its own, because
 * libsecret's file backend will not write again after a failed write. */
static void
test_full_disk_on_save_key (void)
{
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *keyring = NULL;
  g_autofree char *id = NULL;
  g_autofree char *key_dir = NULL;
  FileSizeLimit limit;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  keyring = g_build_filename (g_get_user_data_dir (), "child.keyring", NULL);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  store = tessera_key_store_new (JID, NULL);
  key = new_key ();
  id = g_strndup (tessera_key_get_public_key_id (key), 16);
  key_dir = g_build_filename (tessera_key_store_get_dir (store), id, NULL);

  limit_file_size (&limit, 100);
  record = tessera_key_store_save_key (store, key, "Laptop", "ccm2", NULL, &error);
  unlimit_file_size (&limit);
  g_assert_null (record);
  g_assert_nonnull (error);
  g_assert_true (error->domain == TESSERA_STORE_ERROR);
  g_assert_false (g_file_test (key_dir, G_FILE_TEST_EXISTS));
}

static void
test_delete (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraKey) other_key = new_key ();
  g_autoptr(TesseraCertificate) cert = new_self_signed (key, JID);
  g_autoptr(TesseraKeyRecord) record = save_key (store, key, NULL);
  g_autoptr(TesseraKeyRecord) other = save_key (store, other_key, NULL);
  g_autoptr(TesseraKeyRecord) certified = NULL;
  g_autoptr(TesseraKeyRecord) found = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup (tessera_key_record_get_id (record));
  g_autofree char *key_dir = g_path_get_dirname (tessera_key_record_get_key_path (record));
  g_autofree char *secret = NULL;
  g_autofree char *other_secret = NULL;
  g_autofree char *stray = g_build_filename (key_dir, "key.pem.AB12CD", NULL);

  certified = tessera_key_store_save_certificate (store, id, cert, &error);
  g_assert_no_error (error);
  /* a temporary file left by a crash goes too */
  g_assert_true (g_file_set_contents (stray, "partial", -1, NULL));

  g_assert_true (tessera_key_store_delete (store, id, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (key_dir, G_FILE_TEST_EXISTS));

  secret = tessera_secret_lookup_key_passphrase (JID, id, &error);
  g_assert_no_error (error);
  g_assert_null (secret);

  found = tessera_key_store_lookup (store, id, &error);
  g_assert_null (found);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (tessera_key_store_find_by_fingerprint (store,
                                                        tessera_certificate_get_fingerprint (cert)));

  g_assert_false (tessera_key_store_delete (store, id, &error));
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* the other key is untouched */
  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (tessera_key_record_get_id (g_ptr_array_index (records, 0)), ==,
                   tessera_key_record_get_id (other));
  other_secret = tessera_secret_lookup_key_passphrase (JID, tessera_key_record_get_id (other),
                                                       &error);
  g_assert_nonnull (other_secret);
}

static void
test_list_and_device (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKeyRecord) device = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *junk = g_build_filename (tessera_key_store_get_dir (store), "not-a-key", NULL);
  g_autofree char *empty = g_build_filename (tessera_key_store_get_dir (store), "0123456789abcdef",
                                             NULL);

  device = tessera_key_store_get_device_record (store, &error);
  g_assert_null (device);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);
  g_clear_pointer (&records, g_ptr_array_unref);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(TesseraKey) key = new_key ();
      TesseraKeyRecord *record = save_key (store, key, NULL);

      if (i < 2)
        {
          g_autoptr(TesseraCertificate) cert = new_self_signed (key, JID);
          g_autoptr(TesseraKeyRecord) certified = NULL;

          certified = tessera_key_store_save_certificate (store, tessera_key_record_get_id (record),
                                                          cert, &error);
          g_assert_no_error (error);
        }
      g_ptr_array_add (saved, record);
    }

  /* neither stray folders nor a folder without key.pem are keys */
  g_assert_cmpint (g_mkdir_with_parents (junk, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);

  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (tessera_key_record_get_id (g_ptr_array_index (records, i)), ==,
                     tessera_key_record_get_id (g_ptr_array_index (saved, i)));

  /* the newest certified key, not the newest key */
  device = tessera_key_store_get_device_record (store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_key_record_get_id (device), ==,
                   tessera_key_record_get_id (g_ptr_array_index (saved, 1)));

  /* the same picked from records read once, with no second read */
  {
    g_autoptr(TesseraKeyRecord) picked = tessera_key_store_pick_device_record (records);
    g_autoptr(GPtrArray) none = g_ptr_array_new ();

    g_assert_nonnull (picked);
    g_assert_cmpstr (tessera_key_record_get_id (picked), ==, tessera_key_record_get_id (device));
    g_assert_null (tessera_key_store_pick_device_record (none));
  }
}

static void
test_bad_ids (void)
{
  const char *ids[] = { "..", "../../etc", "0123456789ABCDEF", "0123456789abcde", "",
                        "0123456789abcdef/..", "0123456789abcdeg" };
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TesseraKeyRecord) record = NULL;
      g_auto(GStrv) journal = NULL;

      record = tessera_key_store_lookup (store, ids[i], &error);
      g_assert_null (record);
      g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
      g_clear_error (&error);

      g_assert_null (tessera_key_store_load_key (store, ids[i], NULL, &error));
      g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
      g_clear_error (&error);

      g_assert_false (tessera_key_store_delete (store, ids[i], &error));
      g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
      g_clear_error (&error);

      g_assert_false (tessera_key_store_journal_append (store, ids[i], TESSERA_JOURNAL_STEP_KEY_SAVED, &error));
      g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
      g_clear_error (&error);

      journal = tessera_key_store_read_journal (store, ids[i], &error);
      g_assert_null (journal);
      g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
    }
}

static void
test_odd_jids (void)
{
  const char *jids[] = { "o'brien+tag@example.org", "user@[::1]", "\xc3\xbc@ex\xc3\xa4mple.org",
                         "../evil@example.org", "a/b@example.org", "A@example.org",
                         "a@example.org" };
  g_autofree char *base = g_build_filename (g_get_user_data_dir (), "tessera", NULL);
  g_autoptr(GDir) dir = NULL;
  guint n_dirs = 0;

  for (guint i = 0; i < G_N_ELEMENTS (jids); i++)
    {
      g_autoptr(TesseraKeyStore) store = tessera_key_store_new (jids[i], NULL);
      g_autoptr(TesseraKey) key = new_key ();
      g_autoptr(TesseraKeyRecord) record = save_key (store, key, NULL);
      g_autoptr(TesseraKey) loaded = NULL;
      g_autoptr(GError) error = NULL;

      loaded = tessera_key_store_load_key (store, tessera_key_record_get_id (record), NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (tessera_key_get_public_key_id (loaded), ==,
                       tessera_key_get_public_key_id (key));
    }

  /* one folder per JID, all of them inside the base folder, none mixed */
  dir = g_dir_open (base, 0, NULL);
  while (g_dir_read_name (dir) != NULL)
    n_dirs++;
  g_assert_cmpuint (n_dirs, ==, G_N_ELEMENTS (jids));

  for (guint i = 0; i < G_N_ELEMENTS (jids); i++)
    {
      g_autoptr(TesseraKeyStore) store = tessera_key_store_new (jids[i], NULL);
      g_autoptr(GPtrArray) records = tessera_key_store_list (store, NULL);

      g_assert_cmpuint (records->len, ==, 1);
    }
}

static void
test_explicit_base_dir (void)
{
  g_autofree char *base = g_build_filename (g_get_user_cache_dir (), "elsewhere", NULL);
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, base);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraKeyRecord) record = save_key (store, key, NULL);
  g_autofree char *default_base = g_build_filename (g_get_user_data_dir (), "tessera", NULL);

  g_assert_true (g_str_has_prefix (tessera_key_record_get_key_path (record), base));
  g_assert_false (g_file_test (default_base, G_FILE_TEST_EXISTS));
  g_assert_cmphex (file_mode (base), ==, 0700);
}

/* ---------------------------------------------------------------------- */
/* Crashes (test hooks): the process is killed between two steps; the
 * next start must find a consistent store. */

#ifdef TESSERA_TEST_HOOKS

#define CRASH_JID "crash@example.org"

static void
crash_child (const char *point)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (CRASH_JID, g_getenv ("CRASH_BASE"));
  g_autoptr(TesseraKey) key = new_key ();

  g_setenv ("TESSERA_TEST_CRASH_AT", point, TRUE);
  tessera_key_store_save_key (store, key, "Crashing", "ccm2", NULL, NULL);
  g_assert_not_reached ();
}

static char *
run_crash_child (void)
{
  char *base = g_build_filename (g_get_user_data_dir (), "crash-base", NULL);

  g_setenv ("CRASH_BASE", base, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_unsetenv ("CRASH_BASE");
  return base;
}

static void
test_crash_after_secret (void)
{
  g_autofree char *base = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      g_autofree char *keyring = g_build_filename (g_get_user_data_dir (), "child.keyring", NULL);

      /* libsecret's file backend refuses to write a file that changed
       * under it: this child must not touch the parent's keyring */
      g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
      crash_child ("key-store:after-secret");
      return;
    }

  /* killed with the secret stored but no key file: no key, nothing to
   * decrypt, nothing sent */
  base = run_crash_child ();
  store = tessera_key_store_new (CRASH_JID, base);
  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);
}

/* Killed after the passphrase went to the keyring, before meta.ini: the
 * key still says "user" and opens with the user's passphrase; a second
 * try finishes the move. */
static void
test_crash_remember_after_secret (void)
{
  g_autofree char *base = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(TesseraKey) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  TesseraKeyRecord *record;

  if (g_test_subprocess ())
    {
      g_autofree char *keyring = g_build_filename (g_get_user_data_dir (), "remember-child.keyring", NULL);
      g_autoptr(TesseraKeyStore) child_store = NULL;
      g_autoptr(TesseraKey) key = new_key ();
      g_autoptr(TesseraKeyRecord) saved = NULL;

      g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
      child_store = tessera_key_store_new (CRASH_JID, g_getenv ("CRASH_BASE"));
      saved = tessera_key_store_save_key (child_store, key, "Crashing", "ccm2", USER_PASSPHRASE, NULL);
      g_assert_nonnull (saved);
      g_setenv ("TESSERA_TEST_CRASH_AT", "key-store:remember-after-secret", TRUE);
      tessera_key_store_remember_passphrase (child_store, tessera_key_record_get_id (saved),
                                             USER_PASSPHRASE, NULL);
      g_assert_not_reached ();
    }

  base = run_crash_child ();
  store = tessera_key_store_new (CRASH_JID, base);
  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  record = g_ptr_array_index (records, 0);
  g_assert_true (tessera_key_record_get_uses_user_passphrase (record));
  source = read_meta_passphrase (store, tessera_key_record_get_id (record));
  g_assert_cmpstr (source, ==, "user");
  loaded = tessera_key_store_load_key (store, tessera_key_record_get_id (record), USER_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);

  g_assert_true (tessera_key_store_remember_passphrase (store, tessera_key_record_get_id (record),
                                                        USER_PASSPHRASE, &error));
  g_assert_no_error (error);
  g_clear_object (&loaded);
  loaded = tessera_key_store_load_key (store, tessera_key_record_get_id (record), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
}

static void
test_crash_after_key_file (void)
{
  g_autofree char *base = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(TesseraKey) loaded = NULL;
  g_autoptr(GError) error = NULL;
  TesseraKeyRecord *record;

  if (g_test_subprocess ())
    {
      crash_child ("key-store:after-key-file");
      return;
    }

  /* killed right after the key file: the key is there, complete, and
   * opens with the secret stored before it. (This process has not read
   * the keyring file yet, so it sees what the child wrote.) */
  base = run_crash_child ();
  store = tessera_key_store_new (CRASH_JID, base);
  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  record = g_ptr_array_index (records, 0);
  g_assert_cmpint (tessera_key_record_get_state (record), ==, TESSERA_KEY_STATE_KEY_SAVED);
  assert_key_file_encrypted (tessera_key_record_get_key_path (record), NULL);

  loaded = tessera_key_store_load_key (store, tessera_key_record_get_id (record), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
}

#endif

/* A renewal marks the old key with the new key's id until it is done;
 * expires_within() is what `renew --if-expiring` and the window ask. */
static void
test_renewal_mark_and_expiry (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraKey) key = new_key ();
  g_autoptr(TesseraKey) renewing = new_key ();
  g_autoptr(TesseraCertificate) cert = new_self_signed (key, JID);
  g_autoptr(TesseraKeyRecord) saved = save_key (store, key, NULL);
  g_autoptr(TesseraKeyRecord) certified = NULL;
  g_autoptr(TesseraKeyRecord) marked = NULL;
  g_autoptr(TesseraKeyRecord) cleared = NULL;
  g_autofree char *new_id = tessera_key_store_id_for_key (renewing);
  const char *id = tessera_key_record_get_id (saved);
  g_auto(GStrv) journal = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (tessera_key_record_expires_within (saved, 30));   /* no certificate */
  certified = tessera_key_store_save_certificate (store, id, cert, &error);
  g_assert_no_error (error);
  /* valid for 30 days from now */
  g_assert_false (tessera_key_record_expires_within (certified, 20));
  g_assert_true (tessera_key_record_expires_within (certified, 31));
  g_assert_null (tessera_key_record_get_renewed_by (certified));

  g_assert_cmpuint (strlen (new_id), ==, TESSERA_KEY_ID_LEN);
  g_assert_true (tessera_key_store_set_renewed_by (store, id, new_id, &error));
  g_assert_no_error (error);
  marked = tessera_key_store_lookup (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_key_record_get_renewed_by (marked), ==, new_id);
  g_assert_cmpint (tessera_key_record_get_state (marked), ==, TESSERA_KEY_STATE_CERTIFIED);

  g_assert_false (tessera_key_store_set_renewed_by (store, id, "../../etc", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (tessera_key_store_set_renewed_by (store, id, NULL, &error));
  g_assert_no_error (error);
  cleared = tessera_key_store_lookup (store, id, &error);
  g_assert_no_error (error);
  g_assert_null (tessera_key_record_get_renewed_by (cleared));

  journal = tessera_key_store_read_journal (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (tessera_journal_contains ((const char * const *) journal, TESSERA_JOURNAL_STEP_RENEWAL_STARTED));
  g_assert_true (tessera_journal_contains ((const char * const *) journal, TESSERA_JOURNAL_STEP_RENEWAL_ENDED));
}

int
main (int argc, char *argv[])
{
  int ret;

  tessera_test_file_keyring_setup ("tessera-test-key-store");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#ifdef TESSERA_TEST_HOOKS
  /* first: they read the keyring file a killed child wrote, before this
   * process loads (and caches) it */
  g_test_add_func ("/tessera/key-store/crash-after-key-file", test_crash_after_key_file);
  g_test_add_func ("/tessera/key-store/crash-after-secret", test_crash_after_secret);
  g_test_add_func ("/tessera/key-store/crash-remember-after-secret", test_crash_remember_after_secret);
#endif
  g_test_add_func ("/tessera/key-store/escape-jid", test_escape_jid);
  g_test_add_func ("/tessera/key-store/save-load-round-trip", test_save_load_round_trip);
  g_test_add_func ("/tessera/key-store/modes-under-umask-000", test_modes_under_umask_000);
  g_test_add_func ("/tessera/key-store/request-certificate-journal",
                   test_request_certificate_journal);
  g_test_add_func ("/tessera/key-store/set-state", test_set_state);
  g_test_add_func ("/tessera/key-store/renewal-mark-and-expiry", test_renewal_mark_and_expiry);
  g_test_add_func ("/tessera/key-store/key-mismatch", test_key_mismatch);
  g_test_add_func ("/tessera/key-store/user-passphrase", test_user_passphrase);
  g_test_add_func ("/tessera/key-store/secret-missing", test_secret_missing);
  g_test_add_func ("/tessera/key-store/remember-passphrase", test_remember_passphrase);
  g_test_add_func ("/tessera/key-store/remember-passphrase-no-service", test_remember_passphrase_no_service);
  g_test_add_func ("/tessera/key-store/no-secret-service", test_no_secret_service);
  g_test_add_func ("/tessera/key-store/failed-write-keeps-old", test_failed_write_keeps_old);
  g_test_add_func ("/tessera/key-store/failed-save-key-leaves-nothing",
                   test_failed_save_key_leaves_nothing);
  g_test_add_func ("/tessera/key-store/full-disk-on-save-key", test_full_disk_on_save_key);
  g_test_add_func ("/tessera/key-store/delete", test_delete);
  g_test_add_func ("/tessera/key-store/list-and-device", test_list_and_device);
  g_test_add_func ("/tessera/key-store/bad-ids", test_bad_ids);
  g_test_add_func ("/tessera/key-store/odd-jids", test_odd_jids);
  g_test_add_func ("/tessera/key-store/explicit-base-dir", test_explicit_base_dir);

  ret = g_test_run ();
  tessera_test_file_keyring_teardown ();
  return ret;
}
