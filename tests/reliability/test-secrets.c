/* test-secrets.c: no secret in any log or file, and private modes under umask 000
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* memmem() */
#define _GNU_SOURCE

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "reliability-common.h"

#define EXPORT_PASSPHRASE "tablet export passphrase Kq7"

/* The CLI flows of a user (enroll, list, login, revoke, a wrong password,
 * a password file, a key without keyring, a crash and its reconciliation)
 * run with G_MESSAGES_DEBUG=all (libstrophe's log too) under umask 000,
 * against a Prosody logging at debug level. Then every byte they printed,
 * every file under the devices' XDG, TMPDIR and HOME directories, and
 * Prosody's logs are searched for: the account password (and the wrong
 * one), every key passphrase, every private key (its PEM lines, decrypted
 * here with the passphrase), and the SASL payloads (PLAIN and SCRAM's
 * base64). Nothing may match. Every file and directory the flows made is
 * 0600 or 0700. */

typedef struct
{
  TesseraTestServer *server;
  char              *tmpdir;
  char              *capture;    /* what the runs printed */
  TesseraTestDevice  keyring;    /* a device with a (file) keyring */
  TesseraTestDevice  bare;       /* a device without any keyring */
  char              *passphrase_file;
  char              *password_file;
  GPtrArray         *secrets;    /* of char*: what must never be found */
  GPtrArray         *labels;     /* what each secret is */
  guint              runs;
} Fixture;

static const char *debug_env[] = { "G_MESSAGES_DEBUG=all", NULL };

static void
add_secret (Fixture    *f,
            const char *label,
            const char *secret)
{
  if (secret == NULL || strlen (secret) < 8)
    return;
  g_ptr_array_add (f->secrets, g_strdup (secret));
  g_ptr_array_add (f->labels, g_strdup (label));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static const char *options[] = { "--debug", NULL };
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("tessera-secrets-XXXXXX", &error);
  g_assert_no_error (error);
  f->capture = g_build_filename (f->tmpdir, "capture", NULL);
  g_assert_no_errno (g_mkdir_with_parents (f->capture, 0700));
  f->server = tessera_test_server_start (options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->server);
  tessera_test_device_init (&f->keyring, f->tmpdir, "keyring-device");
  tessera_test_device_init (&f->bare, f->tmpdir, "bare-device");
  f->bare.no_keyring = TRUE;
  f->secrets = g_ptr_array_new_with_free_func (g_free);
  f->labels = g_ptr_array_new_with_free_func (g_free);

  /* The test's own secret files live outside the devices. */
  f->passphrase_file = g_build_filename (f->tmpdir, "key-passphrase", NULL);
  f->password_file = g_build_filename (f->tmpdir, "password", NULL);
  g_assert_true (g_file_set_contents_full (f->passphrase_file, "Correct horse battery staple 7\n", -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  g_assert_true (g_file_set_contents_full (f->password_file, tessera_test_server_get_password (f->server), -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, NULL));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->server, tessera_test_server_stop);
  tessera_test_device_clear (&f->keyring);
  tessera_test_device_clear (&f->bare);
  g_assert_true (tessera_test_remove_tree (f->tmpdir, NULL));
  g_clear_pointer (&f->tmpdir, g_free);
  g_clear_pointer (&f->capture, g_free);
  g_clear_pointer (&f->passphrase_file, g_free);
  g_clear_pointer (&f->password_file, g_free);
  g_clear_pointer (&f->secrets, g_ptr_array_unref);
  g_clear_pointer (&f->labels, g_ptr_array_unref);
}

/* Runs with the debug logs on and umask 000, and keeps what it printed. */
static void
run (Fixture      *f,
     TesseraTestDevice *device,
     const char   *password,
     const char   *crash_at,
     RelResult    *result,
     ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *err_path = NULL;
  RelRun options = { .password = password, .crash_at = crash_at, .env = debug_env, .umask_zero = TRUE };
  const char *arg;
  va_list ap;

  va_start (ap, result);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (ap);
  args = g_strv_builder_end (builder);

  rel_run_cli_argv (f->server, tessera_test_server_get_jid (f->server), device, &options,
                    (const char * const *) args, result);
  f->runs++;
  out_path = g_strdup_printf ("%s/run-%02u.out", f->capture, f->runs);
  err_path = g_strdup_printf ("%s/run-%02u.err", f->capture, f->runs);
  g_assert_true (g_file_set_contents (out_path, result->out ? result->out : "", -1, NULL));
  g_assert_true (g_file_set_contents (err_path, result->err ? result->err : "", -1, NULL));
}

/* The passphrases the keyring device's keyring holds right now. */
static void
collect_keyring_passphrases (Fixture *f)
{
  g_autofree char *path_env = g_strdup_printf ("SECRET_FILE_TEST_PATH=%s", f->keyring.keyring);
  g_autofree char *password_env = g_strdup_printf ("SECRET_FILE_TEST_PASSWORD=%s", f->keyring.keyring_password);
  const char *argv[] = { "env", "SECRET_BACKEND=file", path_env, password_env, "secret-tool", "search",
                         "--all", "--unlock", "jid", tessera_test_server_get_jid (f->server), NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (out != NULL ? out : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "secret = "))
        add_secret (f, "key passphrase (keyring)", lines[i] + strlen ("secret = "));
    }
}

/* The private scalar of a PKCS #8 ECDSA key: the OCTET STRING after the
 * ECPrivateKey's version 1: 02 01 01 04 20, or 02 01 01 04 21 00 as
 * GnuTLS writes it. */
static const guchar *
find_scalar (const guchar *der,
             gsize         length)
{
  static const guchar marker[] = { 0x02, 0x01, 0x01, 0x04, 0x20 };
  static const guchar padded[] = { 0x02, 0x01, 0x01, 0x04, 0x21, 0x00 };

  for (gsize i = 0; i + sizeof padded + 32 <= length; i++)
    {
      if (memcmp (der + i, marker, sizeof marker) == 0)
        return der + i + sizeof marker;
      if (memcmp (der + i, padded, sizeof padded) == 0)
        return der + i + sizeof padded;
    }
  return NULL;
}

/* What of an unencrypted private key would give it away: its secret
 * scalar in hex and in base64 at each alignment, and the PEM text around
 * it. (The rest of the PEM is the public key, which is no secret: the
 * CSR and the certificate carry it.) */
static void
add_private_key (Fixture    *f,
                 const char *pem)
{
  g_auto(GStrv) lines = g_strsplit (pem, "\n", -1);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree guchar *der = NULL;
  const guchar *scalar;
  gsize length = 0;

  for (guint l = 0; lines[l] != NULL; l++)
    {
      if (!g_str_has_prefix (lines[l], "-----"))
        g_string_append (body, lines[l]);
    }
  der = g_base64_decode (body->str, &length);
  scalar = find_scalar (der, length);
  if (scalar == NULL)
    {
      g_autofree char *hex = g_malloc0 (2 * length + 1);

      for (gsize i = 0; i < length; i++)
        g_snprintf (hex + 2 * i, 3, "%02x", der[i]);
      g_test_message ("no ECDSA private key in %s", hex);
    }
  g_assert_nonnull (scalar);
  if (scalar == NULL)
    return;

  {
    g_autofree char *hex = g_malloc0 (65);
    g_autofree char *upper = NULL;

    for (guint i = 0; i < 32; i++)
      g_snprintf (hex + 2 * i, 3, "%02x", scalar[i]);
    upper = g_ascii_strup (hex, -1);
    add_secret (f, "private key (hex)", hex);
    add_secret (f, "private key (hex)", upper);
  }
  for (guint shift = 0; shift < 3; shift++)
    {
      guchar shifted[35] = { 0 };
      g_autofree char *b64 = NULL;

      memcpy (shifted + shift, scalar, 32);
      b64 = g_base64_encode (shifted, 32 + shift);
      /* Past the first group, which mixes in the zero bytes. */
      b64[4 + 36] = '\0';
      add_secret (f, "private key (base64)", b64 + 4);
    }
  /* The PEM lines that hold the scalar (about bytes 36 to 69 of P-256 PKCS #8). */
  add_secret (f, "private key PEM line", lines[1]);
  if (lines[1] != NULL && lines[2] != NULL && strlen (lines[2]) >= 28)
    {
      g_autofree char *start = g_strndup (lines[2], 28);

      add_secret (f, "private key PEM line", start);
    }
}

/* Each private key of @device, decrypted here. */
static void
collect_private_keys (Fixture    *f,
                      TesseraTestDevice *device)
{
  g_autoptr(TesseraKeyStore) store = rel_device_store (device, tessera_test_server_get_jid (f->server));
  g_autoptr(GPtrArray) records = tessera_key_store_list (store, NULL);
  g_autofree char *user_passphrase = rel_read_file (f->passphrase_file, NULL);

  g_strchomp (user_passphrase);
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);
      g_autofree char *encrypted = rel_read_file (tessera_key_record_get_key_path (record), NULL);
      g_autoptr(GBytes) pem = NULL;
      g_autoptr(TesseraKey) key = NULL;
      g_autoptr(GBytes) plain = NULL;

      g_assert_nonnull (encrypted);
      pem = g_bytes_new (encrypted, strlen (encrypted));
      if (tessera_key_record_get_uses_user_passphrase (record))
        key = tessera_key_new_from_pem (pem, user_passphrase, NULL);
      for (guint s = 0; key == NULL && s < f->secrets->len; s++)
        key = tessera_key_new_from_pem (pem, g_ptr_array_index (f->secrets, s), NULL);
      g_assert_nonnull (key);
      if (key == NULL)
        continue;

      plain = tessera_key_export_plain (key, NULL);
      g_assert_nonnull (plain);
      add_private_key (f, g_bytes_get_data (plain, NULL));
    }
}

static char *
base64_of (const char *data,
           gsize       length)
{
  return g_base64_encode ((const guchar *) data, length);
}

static void
collect_sasl_payloads (Fixture    *f,
                       const char *password)
{
  const char *jid = tessera_test_server_get_jid (f->server);
  g_autofree char *user = g_strndup (jid, strchr (jid, '@') - jid);
  g_autofree char *plain = g_strdup_printf ("%c%s%c%s", 0, user, 0, password);
  g_autofree char *plain_authzid = g_strdup_printf ("%s%c%s%c%s", jid, 0, user, 0, password);
  g_autofree char *scram_first = g_strdup_printf ("n,,n=%s,r=", user);
  g_autofree char *b64 = NULL;

  b64 = base64_of (plain, strlen (user) + strlen (password) + 2);
  add_secret (f, "SASL PLAIN payload", b64);
  g_free (b64);
  b64 = base64_of (plain_authzid, strlen (jid) + strlen (user) + strlen (password) + 2);
  add_secret (f, "SASL PLAIN payload with authzid", b64);
  g_free (b64);
  /* The first base64 characters that do not depend on the nonce. */
  b64 = base64_of (scram_first, strlen (scram_first));
  b64[(strlen (scram_first) / 3) * 4] = '\0';
  add_secret (f, "SASL SCRAM client-first", b64);
  /* client-final "c=biws,r=...,p=<proof>" */
  add_secret (f, "SASL SCRAM client-final", "Yz1iaXdzLHI9");
}

static void
search_file (Fixture    *f,
             const char *path,
             guint      *hits)
{
  gsize length = 0;
  g_autofree char *contents = rel_read_file (path, &length);

  for (guint s = 0; contents != NULL && s < f->secrets->len; s++)
    {
      const char *secret = g_ptr_array_index (f->secrets, s);

      if (memmem (contents, length, secret, strlen (secret)) != NULL)
        {
          (*hits)++;
          g_test_message ("FOUND: %s in %s", (const char *) g_ptr_array_index (f->labels, s), path);
          g_test_fail_printf ("%s found in %s", (const char *) g_ptr_array_index (f->labels, s), path);
        }
    }
}

/* Files 0600, directories 0700, for everything the runs made. */
static void
check_modes (TesseraTestDevice *device,
             guint     *checked)
{
  g_autoptr(GPtrArray) paths = rel_list_files (device->root, TRUE);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      struct stat buf;
      guint mode;

      g_assert_no_errno (lstat (path, &buf));
      mode = buf.st_mode & 07777;
      (*checked)++;
      if ((S_ISDIR (buf.st_mode) && mode != 0700) || (S_ISREG (buf.st_mode) && mode != 0600))
        g_test_message ("MODE: %s %04o", path, mode);
      if (S_ISDIR (buf.st_mode) && mode != 0700)
        g_test_fail_printf ("directory %s has mode %04o, not 0700", path, mode);
      else if (S_ISREG (buf.st_mode) && mode != 0600)
        g_test_fail_printf ("file %s has mode %04o, not 0600", path, mode);
    }
}

static void
test_no_secret_anywhere (Fixture       *f,
                         gconstpointer  data)
{
  const char *password = tessera_test_server_get_password (f->server);
  g_autofree char *passphrase_option = g_strdup_printf ("--key-passphrase-file=%s", f->passphrase_file);
  g_autofree char *password_option = g_strdup_printf ("--password-file=%s", f->password_file);
  g_autofree char *user_passphrase = rel_read_file (f->passphrase_file, NULL);
  g_autofree char *own = NULL;
  g_autofree char *other = NULL;
  g_autofree char *server_dir = NULL;
  g_autofree char *prosody_out = NULL;
  g_autofree char *export_file = g_build_filename (f->tmpdir, "export-passphrase", NULL);
  g_autofree char *tablet_file = g_build_filename (f->tmpdir, "tablet.p12", NULL);
  g_autoptr(GPtrArray) files = NULL;
  g_auto(RelResult) result = { 0 };
  guint hits = 0, checked = 0, searched = 0;
  gboolean strophe_logged = FALSE;

  run (f, &f->keyring, password, NULL, &result, "features", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  run (f, &f->keyring, password, NULL, &result, "enroll", "Laptop", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  own = g_strdup (rel_result_fingerprint (&result));
  collect_keyring_passphrases (f);
  run (f, &f->keyring, password, NULL, &result, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  run (f, &f->keyring, NULL, NULL, &result, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);

  run (f, &f->bare, password, NULL, &result, passphrase_option, "enroll", "Phone", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  other = g_strdup (rel_result_fingerprint (&result));
  run (f, &f->bare, NULL, NULL, &result, passphrase_option, "login", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);

  run (f, &f->keyring, "wrong-password-Zq8x", NULL, &result, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_NOPERM);
  run (f, &f->keyring, NULL, NULL, &result, password_option, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);

  /* A crash after the request left, and the run that finishes it: one
   * certificate per device, so a tablet's, whose file's passphrase waits
   * in the keyring meanwhile (file and passphrase outside the devices). */
  g_file_set_contents_full (export_file, EXPORT_PASSPHRASE "\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL);
  run (f, &f->keyring, password, "enroll:csr-sent", &result, "enroll", "Tablet", "--other-device",
       "--export-passphrase-file", export_file, "-o", tablet_file, NULL);
  g_assert_cmpint (result.term_signal, ==, SIGKILL);
  run (f, &f->keyring, password, NULL, &result, "list", NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_true (g_file_test (tablet_file, G_FILE_TEST_IS_REGULAR));
  collect_keyring_passphrases (f);

  /* Every key there ever was, before revocations delete some. */
  g_strchomp (user_passphrase);
  add_secret (f, "account password", password);
  add_secret (f, "wrong account password", "wrong-password-Zq8x");
  add_secret (f, "key passphrase (user's)", user_passphrase);
  add_secret (f, "passphrase of another device's file", EXPORT_PASSPHRASE);
  collect_private_keys (f, &f->keyring);
  collect_private_keys (f, &f->bare);
  collect_sasl_payloads (f, password);
  collect_sasl_payloads (f, "wrong-password-Zq8x");

  run (f, &f->keyring, password, NULL, &result, "revoke", other, NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  run (f, &f->keyring, password, NULL, &result, "revoke", "--force", own, NULL);
  g_assert_cmpint (result.status, ==, TESSERA_TEST_EXIT_OK);
  g_test_message ("%u runs, %u secrets to look for", f->runs, f->secrets->len);
  g_assert_cmpuint (f->secrets->len, >=, 10);

  /* The search means something only if the debug logs were on. */
  files = rel_list_files (f->capture, FALSE);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *text = rel_read_file (g_ptr_array_index (files, i), NULL);

      if (text != NULL && strstr (text, "tessera-strophe") != NULL && strstr (text, "<auth") != NULL)
        strophe_logged = TRUE;
    }
  g_assert_true (strophe_logged);

  /* Everything printed, everything on the devices, Prosody's logs. */
  server_dir = g_strdup (tessera_test_server_get (f->server, "DIR"));
  prosody_out = g_build_filename (server_dir, "prosody.out", NULL);
  g_ptr_array_add (files, g_strdup (tessera_test_server_get (f->server, "LOG_FILE")));
  g_ptr_array_add (files, g_strdup (prosody_out));
  g_ptr_array_extend_and_steal (files, rel_list_files (f->keyring.root, FALSE));
  g_ptr_array_extend_and_steal (files, rel_list_files (f->bare.root, FALSE));
  for (guint i = 0; i < files->len; i++)
    {
      search_file (f, g_ptr_array_index (files, i), &hits);
      searched++;
    }

  check_modes (&f->keyring, &checked);
  check_modes (&f->bare, &checked);
  g_test_message ("searched %u files for %u secrets: %u found; %u modes checked", searched,
                  f->secrets->len, hits, checked);
  g_assert_cmpuint (hits, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add ("/tessera/reliability/secrets/no-secret-anywhere", Fixture, NULL, fixture_setup,
              test_no_secret_anywhere, fixture_teardown);

  return g_test_run ();
}
