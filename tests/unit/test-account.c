/* test-account.c: account values and the accounts file
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "tessera-account.h"
#include "tessera-error.h"
#include "tessera-secret.h"
#include "tessera-test-fixtures.h"

#define PIN "3f1c9a7e0b2d4c6e8f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c9d1e2f4a6b8c0d2e"

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static char *
read_accounts_file (void)
{
  g_autofree char *path = tessera_account_store_dup_path ();
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static void
assert_same_account (TesseraAccount *a,
                     TesseraAccount *b)
{
  g_assert_cmpstr (tessera_account_get_jid (a), ==, tessera_account_get_jid (b));
  g_assert_cmpstr (tessera_account_get_host (a), ==, tessera_account_get_host (b));
  g_assert_cmpuint (tessera_account_get_port (a), ==, tessera_account_get_port (b));
  g_assert_cmpint (tessera_account_get_tls_mode (a), ==, tessera_account_get_tls_mode (b));
  g_assert_cmpstr (tessera_account_get_ca_file (a), ==, tessera_account_get_ca_file (b));
  g_assert_cmpstr (tessera_account_get_pinned_fingerprint (a), ==,
                   tessera_account_get_pinned_fingerprint (b));
}

static void
test_value (void)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autofree char *jid = NULL;
  TesseraTlsMode mode = TESSERA_TLS_STARTTLS;
  guint port = 0;

  account = tessera_account_new ("alice@example.org", "xmpp.example.org", 5223,
                                 TESSERA_TLS_DIRECT, "/etc/ssl/ca.pem", PIN);
  g_assert_cmpstr (tessera_account_get_jid (account), ==, "alice@example.org");
  g_assert_cmpstr (tessera_account_get_domain (account), ==, "example.org");
  g_assert_cmpstr (tessera_account_get_host (account), ==, "xmpp.example.org");
  g_assert_cmpuint (tessera_account_get_port (account), ==, 5223);
  g_assert_cmpint (tessera_account_get_tls_mode (account), ==, TESSERA_TLS_DIRECT);
  g_assert_cmpstr (tessera_account_get_ca_file (account), ==, "/etc/ssl/ca.pem");
  g_assert_cmpstr (tessera_account_get_pinned_fingerprint (account), ==, PIN);

  g_object_get (account, "jid", &jid, "port", &port, "tls-mode", &mode, NULL);
  g_assert_cmpstr (jid, ==, "alice@example.org");
  g_assert_cmpuint (port, ==, 5223);
  g_assert_cmpint (mode, ==, TESSERA_TLS_DIRECT);
  g_assert_finalize_object (g_steal_pointer (&account));

  /* empty strings are "not set" */
  account = tessera_account_new ("bob@example.net", "", 0, TESSERA_TLS_STARTTLS, "", NULL);
  g_assert_null (tessera_account_get_host (account));
  g_assert_null (tessera_account_get_ca_file (account));
  g_assert_null (tessera_account_get_pinned_fingerprint (account));
  g_assert_cmpuint (tessera_account_get_port (account), ==, 0);
  g_assert_cmpstr (tessera_account_get_domain (account), ==, "example.net");
}

static void
test_tls_mode_strings (void)
{
  TesseraTlsMode mode = TESSERA_TLS_STARTTLS;

  g_assert_cmpstr (tessera_tls_mode_to_string (TESSERA_TLS_STARTTLS), ==, "starttls");
  g_assert_cmpstr (tessera_tls_mode_to_string (TESSERA_TLS_DIRECT), ==, "direct");
  g_assert_true (tessera_tls_mode_from_string ("direct", &mode));
  g_assert_cmpint (mode, ==, TESSERA_TLS_DIRECT);
  g_assert_true (tessera_tls_mode_from_string ("starttls", &mode));
  g_assert_cmpint (mode, ==, TESSERA_TLS_STARTTLS);
  g_assert_false (tessera_tls_mode_from_string ("tls", &mode));
  g_assert_false (tessera_tls_mode_from_string (NULL, &mode));
}

static void
test_empty_store (void)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tessera_account_store_dup_path ();
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "tessera",
                                                "accounts.ini", NULL);

  g_assert_cmpstr (path, ==, expected);

  accounts = tessera_account_store_load (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 0);

  account = tessera_account_store_lookup ("alice@example.org", &error);
  g_assert_null (account);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (tessera_account_store_remove ("alice@example.org", &error));
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);

  /* reading writes nothing */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_round_trip (void)
{
  g_autoptr(TesseraAccount) zoe = NULL;
  g_autoptr(TesseraAccount) alice = NULL;
  g_autoptr(TesseraAccount) found = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tessera_account_store_dup_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = NULL;
  mode_t old_umask;

  /* the modes must not depend on a friendly umask */
  old_umask = umask (0);
  zoe = tessera_account_new ("zoe@example.org", NULL, 0, TESSERA_TLS_STARTTLS, NULL, NULL);
  alice = tessera_account_new ("alice@example.org", "xmpp.example.org", 5223,
                               TESSERA_TLS_DIRECT, "/etc/ssl/ca.pem", PIN);
  g_assert_true (tessera_account_store_save (zoe, &error));
  g_assert_no_error (error);
  g_assert_true (tessera_account_store_save (alice, &error));
  g_assert_no_error (error);
  umask (old_umask);

  g_assert_cmphex (file_mode (dir), ==, 0700);
  g_assert_cmphex (file_mode (path), ==, 0600);

  accounts = tessera_account_store_load (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 2);
  /* sorted by JID, not by insertion */
  assert_same_account (g_ptr_array_index (accounts, 0), alice);
  assert_same_account (g_ptr_array_index (accounts, 1), zoe);

  found = tessera_account_store_lookup ("zoe@example.org", &error);
  g_assert_no_error (error);
  assert_same_account (found, zoe);

  /* the documented file format */
  contents = read_accounts_file ();
  g_assert_nonnull (strstr (contents, "[alice@example.org]"));
  g_assert_nonnull (strstr (contents, "host=xmpp.example.org"));
  g_assert_nonnull (strstr (contents, "port=5223"));
  g_assert_nonnull (strstr (contents, "tls=direct"));
  g_assert_nonnull (strstr (contents, "ca-file=/etc/ssl/ca.pem"));
  g_assert_nonnull (strstr (contents, "pinned-fingerprint=" PIN));
  g_assert_null (strstr (contents, "password"));
}

static void
test_replace (void)
{
  g_autoptr(TesseraAccount) first = NULL;
  g_autoptr(TesseraAccount) second = NULL;
  g_autoptr(TesseraAccount) found = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  first = tessera_account_new ("alice@example.org", "old.example.org", 5222,
                               TESSERA_TLS_DIRECT, "/old/ca.pem", PIN);
  second = tessera_account_new ("alice@example.org", NULL, 0, TESSERA_TLS_STARTTLS, NULL, NULL);
  g_assert_true (tessera_account_store_save (first, &error));
  g_assert_true (tessera_account_store_save (second, &error));
  g_assert_no_error (error);

  accounts = tessera_account_store_load (&error);
  g_assert_cmpuint (accounts->len, ==, 1);

  /* cleared fields are gone, not left over from the first save */
  found = tessera_account_store_lookup ("alice@example.org", &error);
  g_assert_no_error (error);
  assert_same_account (found, second);
}

static void
test_remove (void)
{
  g_autoptr(TesseraAccount) alice = NULL;
  g_autoptr(TesseraAccount) bob = NULL;
  g_autoptr(TesseraAccount) found = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  char *password;

  alice = tessera_account_new ("alice@example.org", NULL, 0, TESSERA_TLS_STARTTLS, NULL, NULL);
  bob = tessera_account_new ("bob@example.org", NULL, 0, TESSERA_TLS_STARTTLS, NULL, NULL);
  g_assert_true (tessera_account_store_save (alice, &error));
  g_assert_true (tessera_account_store_save (bob, &error));
  g_assert_true (tessera_secret_store_password ("alice@example.org", "alice pw", &error));
  g_assert_true (tessera_secret_store_password ("bob@example.org", "bob pw", &error));
  g_assert_no_error (error);

  g_assert_true (tessera_account_store_remove ("alice@example.org", &error));
  g_assert_no_error (error);

  found = tessera_account_store_lookup ("alice@example.org", &error);
  g_assert_null (found);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  accounts = tessera_account_store_load (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  assert_same_account (g_ptr_array_index (accounts, 0), bob);

  /* the password went with the account; the other one stayed */
  password = tessera_secret_lookup_password ("alice@example.org", &error);
  g_assert_no_error (error);
  g_assert_null (password);
  password = tessera_secret_lookup_password ("bob@example.org", &error);
  g_assert_cmpstr (password, ==, "bob pw");
  tessera_secret_free (password);
  tessera_secret_clear_password ("bob@example.org", NULL);

  g_assert_false (tessera_account_store_remove ("alice@example.org", &error));
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
}

static void
test_odd_jids (void)
{
  const char *jids[] = {
    "user@[::1]",
    "plus+tag@example.org",
    "percent%41sign@example.org",
    "\xc3\xbc" "ber@ex\xc3\xa4mple.org",
    "semi;colon=equals#hash@example.org",
    "[bracket]@example.org",
    "user@192.0.2.1",
  };
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (jids); i++)
    {
      g_autoptr(TesseraAccount) account = NULL;

      account = tessera_account_new (jids[i], "host.example", (guint16) (5000 + i),
                                     TESSERA_TLS_STARTTLS, NULL, NULL);
      g_assert_true (tessera_account_store_save (account, &error));
      g_assert_no_error (error);
    }

  accounts = tessera_account_store_load (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, G_N_ELEMENTS (jids));

  for (guint i = 0; i < G_N_ELEMENTS (jids); i++)
    {
      g_autoptr(TesseraAccount) found = tessera_account_store_lookup (jids[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (tessera_account_get_jid (found), ==, jids[i]);
      g_assert_cmpuint (tessera_account_get_port (found), ==, 5000 + i);
    }

  /* "percent%41sign" must not come back as "percentAsign" */
  g_assert_true (tessera_account_store_remove ("percent%41sign@example.org", &error));
  g_assert_no_error (error);
  g_assert_true (tessera_account_store_remove ("user@[::1]", &error));
  g_assert_no_error (error);
  g_clear_pointer (&accounts, g_ptr_array_unref);
  accounts = tessera_account_store_load (&error);
  g_assert_cmpuint (accounts->len, ==, G_N_ELEMENTS (jids) - 2);
}

static void
write_accounts_file (const char *contents)
{
  g_autofree char *path = tessera_account_store_dup_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

static void
test_bad_entry_skipped (void)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  write_accounts_file ("[good@example.org]\ntls=direct\nport=5223\n\n"
                       "[badtls@example.org]\ntls=carrier-pigeon\n\n"
                       "[badport@example.org]\nport=70000\n\n"
                       "[noport@example.org]\nport=many\n");

  accounts = tessera_account_store_load (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_cmpstr (tessera_account_get_jid (g_ptr_array_index (accounts, 0)), ==,
                   "good@example.org");
  g_assert_cmpint (tessera_account_get_tls_mode (g_ptr_array_index (accounts, 0)), ==,
                   TESSERA_TLS_DIRECT);
}

/* What is not a bare JID in its normal form is never written: it could
 * not be loaded back. */
static void
test_invalid_jid_not_saved (void)
{
  const char *jids[] = {
    "o'brien@example.org",
    "tab\there@example.org",
    "example.org",
    "a@b/res",
    "a@@b",
    "../../etc@x",
    "Alice@Example.org",
  };
  g_autofree char *path = tessera_account_store_dup_path ();

  for (guint i = 0; i < G_N_ELEMENTS (jids); i++)
    {
      g_autoptr(TesseraAccount) account = NULL;
      g_autoptr(GError) error = NULL;

      account = tessera_account_new (jids[i], NULL, 0, TESSERA_TLS_STARTTLS, NULL, NULL);
      g_assert_false (tessera_account_store_save (account, &error));
      g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED);
    }
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

#define HOSTILE_ENTRIES \
  "# kept as the user wrote it\n" \
  "[../../etc@x]\nhost=evil.example\n\n" \
  "[a@b/res]\nhost=res.example\n\n" \
  "[a@@b]\nport=5222\n\n" \
  "[Alice@Example.org]\ntls=direct\n\n"

/* Entries that are not accounts are ignored with a message naming each,
 * and the valid one is used. Run in a subprocess to see its stderr. */
static void
test_invalid_entries_skipped (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GPtrArray) accounts = NULL;
      g_autoptr(TesseraAccount) found = NULL;
      g_autoptr(GError) error = NULL;

      write_accounts_file (HOSTILE_ENTRIES "[good@example.org]\nhost=good.example\n");
      accounts = tessera_account_store_load (&error);
      g_assert_no_error (error);
      g_assert_cmpuint (accounts->len, ==, 1);
      g_assert_cmpstr (tessera_account_get_jid (g_ptr_array_index (accounts, 0)), ==, "good@example.org");

      found = tessera_account_store_lookup ("a@@b", &error);
      g_assert_null (found);
      g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*Ignoring the entry [../../etc@x]*");
  g_test_trap_assert_stderr ("*Ignoring the entry [a@b/res]*");
  g_test_trap_assert_stderr ("*Ignoring the entry [a@@b]*");
  g_test_trap_assert_stderr ("*Ignoring the entry [Alice@Example.org]*alice@example.org*");
  g_test_trap_assert_stderr_unmatched ("*[good@example.org]*");
}

/* Saving or removing an account keeps the entries it ignored, as they
 * were: they are the user's to fix, not ours to drop. */
static void
test_invalid_entries_kept (void)
{
  g_autoptr(TesseraAccount) alice = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  write_accounts_file (HOSTILE_ENTRIES "[good@example.org]\nhost=good.example\n");

  alice = tessera_account_new ("alice@example.org", "xmpp.example.org", 0, TESSERA_TLS_STARTTLS, NULL,
                               NULL);
  g_assert_true (tessera_account_store_save (alice, &error));
  g_assert_no_error (error);
  g_assert_true (tessera_account_store_remove ("good@example.org", &error));
  g_assert_no_error (error);

  /* GKeyFile may add blank lines, nothing else. */
  contents = read_accounts_file ();
  g_assert_nonnull (strstr (contents, "# kept as the user wrote it\n"));
  g_assert_nonnull (strstr (contents, "[../../etc@x]\nhost=evil.example\n"));
  g_assert_nonnull (strstr (contents, "[a@b/res]\nhost=res.example\n"));
  g_assert_nonnull (strstr (contents, "[a@@b]\nport=5222\n"));
  g_assert_nonnull (strstr (contents, "[Alice@Example.org]\ntls=direct\n"));
  g_assert_nonnull (strstr (contents, "[alice@example.org]\nhost=xmpp.example.org\n"));
  g_assert_null (strstr (contents, "good@example.org"));
}

static void
test_corrupt_file_kept (void)
{
  const char *garbage = "this is not\n[a key file\x01\n";
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  write_accounts_file (garbage);

  accounts = tessera_account_store_load (&error);
  g_assert_null (accounts);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* saving does not silently throw the user's file away */
  account = tessera_account_new ("alice@example.org", NULL, 0, TESSERA_TLS_STARTTLS, NULL, NULL);
  g_assert_false (tessera_account_store_save (account, &error));
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_CORRUPT);
  contents = read_accounts_file ();
  g_assert_cmpstr (contents, ==, garbage);
}

static void
test_modes_repaired (void)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tessera_account_store_dup_path ();
  g_autofree char *dir = g_path_get_dirname (path);

  account = tessera_account_new ("alice@example.org", NULL, 0, TESSERA_TLS_STARTTLS, NULL, NULL);
  g_assert_true (tessera_account_store_save (account, &error));
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);

  accounts = tessera_account_store_load (&error);
  g_assert_no_error (error);
  g_assert_cmphex (file_mode (path), ==, 0600);
  /* A read closes the folder too, not only the next write. */
  g_assert_cmphex (file_mode (dir), ==, 0700);

  g_assert_no_errno (g_chmod (dir, 0777));
  g_clear_pointer (&accounts, g_ptr_array_unref);
  accounts = tessera_account_store_load (&error);
  g_assert_no_error (error);
  g_assert_cmphex (file_mode (dir), ==, 0700);

  g_assert_true (tessera_account_store_save (account, &error));
  g_assert_cmphex (file_mode (dir), ==, 0700);
  g_assert_cmphex (file_mode (path), ==, 0600);
}

/* A write that fails half way (the file size limit cuts it short) leaves
 * the previous file as it was. Works as root too, unlike a read-only
 * directory. */
static void
test_failed_write_keeps_old (void)
{
  g_autoptr(TesseraAccount) small = NULL;
  g_autoptr(TesseraAccount) big = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *long_host = g_strnfill (4000, 'h');
  g_autofree char *path = tessera_account_store_dup_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GDir) listing = NULL;
  struct rlimit saved, limited;
  void (*saved_handler) (int);
  gboolean written;

  small = tessera_account_new ("alice@example.org", "a.example", 0, TESSERA_TLS_STARTTLS, NULL,
                               NULL);
  g_assert_true (tessera_account_store_save (small, &error));
  g_assert_no_error (error);
  before = read_accounts_file ();

  big = tessera_account_new ("bob@example.org", long_host, 0, TESSERA_TLS_STARTTLS, NULL, NULL);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limited = saved;
  limited.rlim_cur = strlen (before) + 16;
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);
  written = tessera_account_store_save (big, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, saved_handler);

  g_assert_false (written);
  g_assert_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO);
  after = read_accounts_file ();
  g_assert_cmpstr (after, ==, before);

  /* and no temporary file is left behind */
  listing = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "accounts.ini");
  g_assert_null (g_dir_read_name (listing));
}

int
main (int argc, char *argv[])
{
  int ret;

  tessera_test_file_keyring_setup ("tessera-test-account");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/tessera/account/value", test_value);
  g_test_add_func ("/tessera/account/tls-mode-strings", test_tls_mode_strings);
  g_test_add_func ("/tessera/account/empty-store", test_empty_store);
  g_test_add_func ("/tessera/account/round-trip", test_round_trip);
  g_test_add_func ("/tessera/account/replace", test_replace);
  g_test_add_func ("/tessera/account/remove", test_remove);
  g_test_add_func ("/tessera/account/odd-jids", test_odd_jids);
  g_test_add_func ("/tessera/account/bad-entry-skipped", test_bad_entry_skipped);
  g_test_add_func ("/tessera/account/invalid-jid-not-saved", test_invalid_jid_not_saved);
  g_test_add_func ("/tessera/account/invalid-entries-skipped", test_invalid_entries_skipped);
  g_test_add_func ("/tessera/account/invalid-entries-kept", test_invalid_entries_kept);
  g_test_add_func ("/tessera/account/corrupt-file-kept", test_corrupt_file_kept);
  g_test_add_func ("/tessera/account/modes-repaired", test_modes_repaired);
  g_test_add_func ("/tessera/account/failed-write-keeps-old", test_failed_write_keeps_old);

  ret = g_test_run ();
  tessera_test_file_keyring_teardown ();
  return ret;
}
