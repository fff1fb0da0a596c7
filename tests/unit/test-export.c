/* test-export.c: PKCS #12 and PEM exports, read back by OpenSSL, GnuTLS's
 * certtool and GLib; the output file's mode, symlink and replace rules
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tessera-export.h"
#include "tessera-test-fixtures.h"

#define PASS "correct horse battery"

typedef struct {
  char *dir;
  char *pass_file;
  GBytes *key;
  GBytes *cert;
} Fixture;

static char *
run (const char *const *argv,
     int                *status)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int wait_status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &wait_status, &error));
  g_assert_no_error (error);
  *status = g_spawn_check_wait_status (wait_status, NULL) ? 0 : 1;
  return g_strconcat (out, err, NULL);
}

static char *
run_ok (const char *const *argv)
{
  int status;
  char *output = run (argv, &status);

  if (status != 0)
    g_error ("%s failed: %s", argv[0], output);
  return output;
}

static GBytes *
read_bytes (const char *path)
{
  char *data = NULL;
  gsize size = 0;

  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  return g_bytes_new_take (data, size);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *key = NULL, *cert = NULL, *tmpl = NULL;

  f->dir = tessera_test_tmpdir_new ("test-export-XXXXXX");
  key = g_build_filename (f->dir, "key.pem", NULL);
  cert = g_build_filename (f->dir, "cert.pem", NULL);
  tmpl = g_build_filename (f->dir, "cert.tmpl", NULL);
  f->pass_file = g_build_filename (f->dir, "pass", NULL);
  g_assert_true (g_file_set_contents (tmpl, "cn = \"alice@example.org\"\nexpiration_days = 30\n"
                                      "tls_www_client\nsigning_key\n", -1, NULL));
  g_assert_true (g_file_set_contents (f->pass_file, PASS "\n", -1, NULL));
  g_free (run_ok ((const char *const[]) { "certtool", "--generate-privkey", "--key-type", "ecdsa",
                                          "--no-text", "--outfile", key, NULL }));
  g_free (run_ok ((const char *const[]) { "certtool", "--generate-self-signed", "--load-privkey", key,
                                          "--template", tmpl, "--outfile", cert, NULL }));
  f->key = read_bytes (key);
  f->cert = read_bytes (cert);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_bytes_unref (f->key);
  g_bytes_unref (f->cert);
  g_free (f->pass_file);
  tessera_test_tmpdir_free (f->dir);
}

static char *
write_export (Fixture    *f,
              const char *name,
              GBytes     *data)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_nonnull (data);
  g_assert_true (tessera_export_write_file (path, data, FALSE, &error));
  g_assert_no_error (error);
  tessera_export_bytes_free (data);
  return path;
}

static void
assert_mode_0600 (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
}

static void
check_pkcs12 (Fixture                 *f,
              TesseraExportPkcs12Mode  mode,
              const char              *expected_pbe,
              const char              *expected_mac)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) tls = NULL;
  g_autoptr (GBytes) der = NULL;
  g_autofree char *path = NULL, *info = NULL, *p12info = NULL, *pass_arg = NULL;
  g_autofree char *mac_line = NULL, *cert_line = NULL, *key_line = NULL;
  GBytes *data;

  data = tessera_export_pkcs12 (f->key, NULL, f->cert, "Laptop", PASS, mode, &error);
  g_assert_no_error (error);
  path = write_export (f, "export.p12", data);
  assert_mode_0600 (path);

  pass_arg = g_strconcat ("file:", f->pass_file, NULL);
  info = run_ok ((const char *const[]) { "openssl", "pkcs12", "-info", "-noout", "-in", path,
                                         "-passin", pass_arg, NULL });
  mac_line = g_strdup_printf ("MAC: %s,", expected_mac);
  g_test_message ("openssl pkcs12 -info: %s", info);
  g_assert_nonnull (strstr (info, mac_line));
  /* Both bags: the certificate bag and the shrouded key bag. */
  cert_line = g_strdup_printf ("PKCS7 Encrypted data: %s,", expected_pbe);
  key_line = g_strdup_printf ("Shrouded Keybag: %s,", expected_pbe);
  g_assert_nonnull (strstr (info, cert_line));
  g_assert_nonnull (strstr (info, key_line));
  g_free (info);
  /* Without -noout OpenSSL prints the bag attributes. */
  info = run_ok ((const char *const[]) { "openssl", "pkcs12", "-nokeys", "-in", path,
                                         "-passin", pass_arg, NULL });
  g_assert_nonnull (strstr (info, "friendlyName: Laptop"));

  p12info = run_ok ((const char *const[]) { "certtool", "--p12-info", "--inder", "--infile", path,
                                            "--password", PASS, NULL });
  g_assert_nonnull (strstr (p12info, "BEGIN CERTIFICATE"));
  g_assert_nonnull (strstr (p12info, "PRIVATE KEY"));

  der = read_bytes (path);
  tls = g_tls_certificate_new_from_pkcs12 (g_bytes_get_data (der, NULL), g_bytes_get_size (der),
                                           PASS, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tls);
}

static void
test_pkcs12_compatible (Fixture *f, gconstpointer data)
{
  check_pkcs12 (f, TESSERA_EXPORT_PKCS12_COMPATIBLE,
                "pbeWithSHA1And3-KeyTripleDES-CBC", "sha1");
}

static void
test_pkcs12_modern (Fixture *f, gconstpointer data)
{
  check_pkcs12 (f, TESSERA_EXPORT_PKCS12_MODERN,
                "PBES2, PBKDF2, AES-256-CBC", "sha256");
}

static void
test_pkcs12_wrong_passphrase (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) tls = NULL;
  GBytes *p12 = tessera_export_pkcs12 (f->key, NULL, f->cert, "Laptop", PASS,
                                       TESSERA_EXPORT_PKCS12_COMPATIBLE, &error);

  g_assert_no_error (error);
  tls = g_tls_certificate_new_from_pkcs12 (g_bytes_get_data (p12, NULL), g_bytes_get_size (p12),
                                           "wrong", &error);
  g_assert_null (tls);
  g_assert_nonnull (error);
  tessera_export_bytes_free (p12);
}

static void
test_empty_passphrase_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (tessera_export_pkcs12 (f->key, NULL, f->cert, "Laptop", "",
                                        TESSERA_EXPORT_PKCS12_COMPATIBLE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (tessera_export_pkcs12 (f->key, NULL, f->cert, "Laptop", NULL,
                                        TESSERA_EXPORT_PKCS12_MODERN, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (tessera_export_pem (f->key, NULL, f->cert, "", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_pem_encrypted (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL, *pass_arg = NULL, *check = NULL, *x509 = NULL, *contents = NULL;
  int status;
  GBytes *pem = tessera_export_pem (f->key, NULL, f->cert, PASS, &error);

  g_assert_no_error (error);
  path = write_export (f, "export.pem", pem);
  assert_mode_0600 (path);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  /* Certificate first, then the encrypted PKCS #8 key. */
  g_assert_true (g_str_has_prefix (contents, "-----BEGIN CERTIFICATE-----"));
  g_assert_nonnull (strstr (contents, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));

  pass_arg = g_strconcat ("file:", f->pass_file, NULL);
  check = run_ok ((const char *const[]) { "openssl", "pkey", "-in", path, "-passin", pass_arg,
                                          "-check", "-noout", NULL });
  g_assert_nonnull (strstr (check, "Key is valid"));
  x509 = run_ok ((const char *const[]) { "openssl", "x509", "-in", path, "-noout", "-subject", NULL });
  g_assert_nonnull (strstr (x509, "alice@example.org"));
  /* Without the passphrase OpenSSL cannot read the key. */
  g_free (run ((const char *const[]) { "openssl", "pkey", "-in", path, "-passin", "pass:wrong",
                                       "-noout", NULL }, &status));
  g_assert_cmpint (status, !=, 0);
}

static void
test_pem_unencrypted (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) tls = NULL;
  g_autofree char *path = NULL, *check = NULL, *contents = NULL;
  GBytes *pem = tessera_export_pem (f->key, NULL, f->cert, NULL, &error);

  g_assert_no_error (error);
  path = write_export (f, "plain.pem", pem);
  assert_mode_0600 (path);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "-----BEGIN PRIVATE KEY-----"));
  check = run_ok ((const char *const[]) { "openssl", "pkey", "-in", path, "-passin", "pass:",
                                          "-check", "-noout", NULL });
  g_assert_nonnull (strstr (check, "Key is valid"));
  /* GLib's PEM loader: what a GIO-based client would do with it. */
  tls = g_tls_certificate_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tls);
}

static void
test_key_mismatch_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *other = g_build_filename (f->dir, "other.pem", NULL);
  g_autoptr (GBytes) other_key = NULL;

  g_free (run_ok ((const char *const[]) { "certtool", "--generate-privkey", "--key-type", "ecdsa",
                                          "--no-text", "--outfile", other, NULL }));
  other_key = read_bytes (other);
  g_assert_null (tessera_export_pem (other_key, NULL, f->cert, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* The key store keeps the key as PKCS #8 encrypted under a stored
 * passphrase: the export reads it that way too. */
static void
test_encrypted_input_key (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *plain = g_build_filename (f->dir, "key.pem", NULL);
  g_autofree char *enc = g_build_filename (f->dir, "key-enc.pem", NULL);
  g_autoptr (GBytes) enc_key = NULL;
  GBytes *out;

  g_free (run_ok ((const char *const[]) { "certtool", "--to-p8", "--load-privkey", plain,
                                          "--password", "stored-secret", "--pkcs-cipher", "aes-256",
                                          "--outfile", enc, NULL }));
  enc_key = read_bytes (enc);
  g_assert_null (tessera_export_pem (enc_key, "wrong", f->cert, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  out = tessera_export_pkcs12 (enc_key, "stored-secret", f->cert, "Laptop", PASS,
                               TESSERA_EXPORT_PKCS12_COMPATIBLE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  tessera_export_bytes_free (out);
}

static void
test_write_rules (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) one = g_bytes_new_static ("one", 3);
  g_autoptr (GBytes) two = g_bytes_new_static ("two", 3);
  g_autofree char *path = g_build_filename (f->dir, "out", NULL);
  g_autofree char *target = g_build_filename (f->dir, "target", NULL);
  g_autofree char *link = g_build_filename (f->dir, "link", NULL);
  g_autofree char *contents = NULL;
  mode_t old_umask = umask (0);

  /* Mode 0600 even under umask 000. */
  g_assert_true (tessera_export_write_file (path, one, FALSE, &error));
  g_assert_no_error (error);
  umask (old_umask);
  assert_mode_0600 (path);

  /* An existing file is refused and left alone. */
  g_assert_false (tessera_export_write_file (path, two, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "one");
  g_clear_pointer (&contents, g_free);

  /* --force replaces it. */
  g_assert_true (tessera_export_write_file (path, two, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "two");
  g_clear_pointer (&contents, g_free);
  assert_mode_0600 (path);

  /* A symlink is never followed: refused without force, and with force the
   * link itself is replaced while its target stays untouched. */
  g_assert_true (g_file_set_contents (target, "target", -1, NULL));
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_false (tessera_export_write_file (link, one, FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (tessera_export_write_file (link, one, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "target");
  assert_mode_0600 (link);
}

static void
test_write_failure_leaves_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) one = g_bytes_new_static ("one", 3);
  g_autofree char *ro = g_build_filename (f->dir, "readonly", NULL);
  g_autofree char *path = g_build_filename (ro, "out", NULL);
  g_autoptr (GDir) dir = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("root ignores directory permissions");
      return;
    }
  g_assert_cmpint (g_mkdir (ro, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  g_assert_cmpint (g_chmod (ro, 0500), ==, 0);
  g_assert_false (tessera_export_write_file (path, one, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (path), !=, 0);
  g_assert_cmpint (g_chmod (ro, 0700), ==, 0);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_chmod (ro, 0500), ==, 0);
  g_assert_false (tessera_export_write_file (path, one, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpint (g_chmod (ro, 0700), ==, 0);
  /* Nothing left behind: no output, no temporary file. */
  dir = g_dir_open (ro, 0, NULL);
  g_assert_null (g_dir_read_name (dir));
}

/* A write that fails half-way (the file size limit stops it after one
 * byte, also for root): neither the output nor a temporary file remains,
 * and a file being replaced keeps its old contents. */
static void
test_write_short_leaves_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) big = g_bytes_new_static ("0123456789", 10);
  g_autofree char *sub = g_build_filename (f->dir, "sub", NULL);
  g_autofree char *fresh = g_build_filename (sub, "fresh", NULL);
  g_autofree char *old = g_build_filename (sub, "old", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GDir) dir = NULL;
  struct rlimit saved, tiny;
  const char *name;
  guint count = 0;

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (old, "old", -1, NULL));
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  tiny = saved;
  tiny.rlim_cur = 4;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &tiny), ==, 0);
  g_assert_false (tessera_export_write_file (fresh, big, FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (tessera_export_write_file (old, big, TRUE, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, SIG_DFL);

  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (old, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  dir = g_dir_open (sub, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_cmpstr (name, ==, "old");
      count++;
    }
  g_assert_cmpuint (count, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add ("/export/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("pkcs12-compatible", test_pkcs12_compatible);
  ADD ("pkcs12-modern", test_pkcs12_modern);
  ADD ("pkcs12-wrong-passphrase", test_pkcs12_wrong_passphrase);
  ADD ("empty-passphrase-refused", test_empty_passphrase_refused);
  ADD ("pem-encrypted", test_pem_encrypted);
  ADD ("pem-unencrypted", test_pem_unencrypted);
  ADD ("key-mismatch-refused", test_key_mismatch_refused);
  ADD ("encrypted-input-key", test_encrypted_input_key);
  ADD ("write-rules", test_write_rules);
  ADD ("write-failure-leaves-nothing", test_write_failure_leaves_nothing);
  ADD ("write-short-leaves-nothing", test_write_short_leaves_nothing);
#undef ADD

  return g_test_run ();
}
