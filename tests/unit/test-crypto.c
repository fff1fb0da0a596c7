/* test-crypto.c: tests of key generation, requests, self-signed certificates and key files
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "tessera-certificate.h"
#include "tessera-crypto.h"
#include "tessera-error.h"
#include "tessera-fingerprint.h"
#include "tessera-test-fixtures.h"

#define JID "alice@example.org"

/* Expectations per key type, as GnuTLS and certtool 3.7.9 name them. */
typedef struct {
  const char *name;
  TesseraKeyType type;
  guint bits;
  gnutls_pk_algorithm_t pk;
  gnutls_sign_algorithm_t sign;
  const char *certtool_pk;
  const char *certtool_sign;
} KeyCase;

static const KeyCase key_cases[] = {
  { "ecdsa-p256", TESSERA_KEY_TYPE_ECDSA_P256, 256, GNUTLS_PK_ECDSA, GNUTLS_SIGN_ECDSA_SHA256,
    "Subject Public Key Algorithm: EC/ECDSA", "Signature Algorithm: ECDSA-SHA256" },
  { "ed25519", TESSERA_KEY_TYPE_ED25519, 256, GNUTLS_PK_EDDSA_ED25519, GNUTLS_SIGN_EDDSA_ED25519,
    "Subject Public Key Algorithm: EdDSA (Ed25519)", "Signature Algorithm: EdDSA-Ed25519" },
  { "rsa3072", TESSERA_KEY_TYPE_RSA3072, 3072, GNUTLS_PK_RSA, GNUTLS_SIGN_RSA_SHA256,
    "Subject Public Key Algorithm: RSA", "Signature Algorithm: RSA-SHA256" },
};

#define ECDSA_CASE (&key_cases[0])
#define ED25519_CASE (&key_cases[1])
#define RSA_CASE (&key_cases[2])

/* Helpers */

static TesseraKey *
generate_key (TesseraKeyType type)
{
  g_autoptr(GError) error = NULL;
  TesseraKey *key = tessera_key_generate (type, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (TESSERA_IS_KEY (key));
  return key;
}

/* Writes @data (mode 0600) into the per-test directory that
 * G_TEST_OPTION_ISOLATE_DIRS provides and removes afterwards. */
static char *
write_test_file (const char *name,
                 GBytes     *data)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);
  gsize size;
  const char *bytes = g_bytes_get_data (data, &size);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_file_set_contents_full (path, bytes, size, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  return path;
}

static GBytes *
read_test_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize size = 0;

  g_file_get_contents (path, &contents, &size, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, size);
}

/* Runs certtool (gnutls-bin): the second opinion on what we produce.
 * Returns its standard output; @success says whether it exited with 0. */
static char *
run_certtool (const char * const *args,
              gboolean           *success)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) "certtool");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  *success = g_spawn_check_wait_status (status, NULL);
  return out;
}

static char *
run_certtool_ok (const char * const *args)
{
  gboolean success = FALSE;
  char *out = run_certtool (args, &success);

  g_assert_true (success);
  return out;
}

/* How many lines of @text read exactly @line once surrounding whitespace
 * is stripped. */
static guint
count_lines (const char *text,
             const char *line)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_equal (g_strstrip (lines[i]), line))
        n++;
    }
  return n;
}

static guint
count_lines_with_prefix (const char *text,
                         const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (g_strstrip (lines[i]), prefix))
        n++;
    }
  return n;
}

/* The value after @prefix on the one line that starts with it. */
static char *
line_value (const char *text,
            const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *stripped = g_strstrip (lines[i]);

      if (g_str_has_prefix (stripped, prefix))
        return g_strdup (stripped + strlen (prefix));
    }
  g_assert_not_reached ();
  return NULL;
}

/* certtool's "pin-sha256:" is the base64 SHA-256 of the SubjectPublicKeyInfo. */
static char *
pin_of_key (TesseraKey *key)
{
  GBytes *spki = tessera_key_get_public_key_der (key);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_checksum_update (checksum, g_bytes_get_data (spki, NULL), g_bytes_get_size (spki));
  g_checksum_get_digest (checksum, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

static gboolean
bytes_has_prefix (GBytes     *bytes,
                  const char *prefix)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  return size >= strlen (prefix) && memcmp (data, prefix, strlen (prefix)) == 0;
}

static GBytes *
flip_byte (GBytes *bytes,
           gsize   offset)
{
  gsize size;
  guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (bytes), &size);

  g_assert_cmpuint (offset, <, size);
  copy[offset] ^= 0x01;
  return g_bytes_new_take (copy, size);
}

static gssize
find_bytes (GBytes     *haystack,
            const char *needle)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (haystack, &size);
  gsize len = strlen (needle);

  for (gsize i = 0; i + len <= size; i++)
    {
      if (memcmp (data + i, needle, len) == 0)
        return (gssize) i;
    }
  return -1;
}

/* GnuTLS returns an otherName SAN either decoded or raw: either way it
 * must be an xmppAddr holding exactly the JID. */
static void
check_xmpp_san (int         san_type,
                const char *value,
                size_t      size)
{
  gnutls_datum_t raw = { (unsigned char *) value, (unsigned int) size };
  gnutls_datum_t virt = { NULL, 0 };
  unsigned int virt_type = 0;

  if (san_type == GNUTLS_SAN_OTHERNAME)
    {
      g_assert_cmpint (gnutls_x509_othername_to_virtual ("1.3.6.1.5.5.7.8.5", &raw, &virt_type, &virt), ==, 0);
      g_assert_cmpuint (virt_type, ==, GNUTLS_SAN_OTHERNAME_XMPP);
      g_assert_cmpmem (virt.data, virt.size, JID, strlen (JID));
      gnutls_free (virt.data);
    }
  else
    {
      g_assert_cmpint (san_type, ==, GNUTLS_SAN_OTHERNAME_XMPP);
      g_assert_cmpmem (value, size, JID, strlen (JID));
    }
}

/* Key types */

static void
test_key_type_strings (void)
{
  TesseraKeyType type;

  for (guint i = 0; i < G_N_ELEMENTS (key_cases); i++)
    {
      const char *label = tessera_key_type_get_label (key_cases[i].type);

      g_assert_cmpstr (tessera_key_type_to_string (key_cases[i].type), ==, key_cases[i].name);
      g_assert_true (tessera_key_type_from_string (key_cases[i].name, &type));
      g_assert_cmpint (type, ==, key_cases[i].type);
      g_assert_nonnull (label);
      g_assert_cmpuint (strlen (label), >, 0);
    }

  g_assert_true (g_str_has_prefix (tessera_key_type_get_label (TESSERA_KEY_TYPE_ECDSA_P256),
                                   "ECDSA P-256"));
  g_assert_false (tessera_key_type_from_string ("rsa", &type));
  g_assert_false (tessera_key_type_from_string ("ECDSA-P256", &type));
  g_assert_false (tessera_key_type_from_string ("", &type));
  g_assert_false (tessera_key_type_from_string (NULL, &type));
}

/* Generation */

static void
check_generated_key (TesseraKey    *key,
                     const KeyCase *c)
{
  g_autofree char *id = NULL;
  gnutls_pubkey_t pubkey = NULL;
  gnutls_datum_t spki;
  unsigned int bits = 0;
  gsize size;

  g_assert_cmpint (tessera_key_get_key_type (key), ==, c->type);
  g_assert_cmpuint (tessera_key_get_bits (key), ==, c->bits);

  /* The key id is the SHA-256 of the SPKI, and GnuTLS reads that SPKI. */
  id = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, tessera_key_get_public_key_der (key));
  g_assert_cmpstr (tessera_key_get_public_key_id (key), ==, id);

  spki.data = (unsigned char *) g_bytes_get_data (tessera_key_get_public_key_der (key), &size);
  spki.size = (unsigned int) size;
  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import (pubkey, &spki, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_pubkey_get_pk_algorithm (pubkey, &bits), ==, c->pk);
  g_assert_cmpuint (bits, ==, c->bits);
  if (c->pk == GNUTLS_PK_ECDSA)
    {
      gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;

      g_assert_cmpint (gnutls_pubkey_export_ecc_raw2 (pubkey, &curve, NULL, NULL, 0), ==, 0);
      g_assert_cmpint (curve, ==, GNUTLS_ECC_CURVE_SECP256R1);
    }
  gnutls_pubkey_deinit (pubkey);
}

static void
test_generate (gconstpointer data)
{
  const KeyCase *c = data;
  g_autoptr(TesseraKey) key = generate_key (c->type);
  g_autoptr(TesseraKey) other = generate_key (c->type);

  check_generated_key (key, c);
  check_generated_key (other, c);
  g_assert_false (g_bytes_equal (tessera_key_get_public_key_der (key),
                                 tessera_key_get_public_key_der (other)));

  g_assert_finalize_object (g_steal_pointer (&key));
  g_assert_finalize_object (g_steal_pointer (&other));
}

static void
generate_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (source);
  *out = g_object_ref (result);
}

static void
test_generate_async (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  tessera_key_generate_async (TESSERA_KEY_TYPE_ED25519, cancellable, generate_done_cb, &result);
  tessera_test_wait_async (&result, 120);

  key = tessera_key_generate_finish (result, &error);
  g_assert_no_error (error);
  check_generated_key (key, ED25519_CASE);
}

static void
test_generate_async_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = NULL;

  g_cancellable_cancel (cancellable);
  tessera_key_generate_async (TESSERA_KEY_TYPE_ECDSA_P256, cancellable, generate_done_cb, &result);
  tessera_test_wait_async (&result, 120);

  key = tessera_key_generate_finish (result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (key);
}

static void
test_generate_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = NULL;

  g_cancellable_cancel (cancellable);
  key = tessera_key_generate (TESSERA_KEY_TYPE_ED25519, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (key);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* RSA-3072 takes seconds: a caller that cancels gets its answer at once,
 * not when GnuTLS is done. */
static void
test_generate_async_cancel_running (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = NULL;
  gint64 start = g_get_monotonic_time ();

  tessera_key_generate_async (TESSERA_KEY_TYPE_RSA3072, cancellable, generate_done_cb, &result);
  g_timeout_add (20, cancel_cb, cancellable);
  tessera_test_wait_async (&result, 120);

  key = tessera_key_generate_finish (result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (key);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

/* Certificate requests */

static GBytes *
create_csr (TesseraKey *key)
{
  g_autoptr(GError) error = NULL;
  GBytes *csr = tessera_key_create_csr (key, JID, &error);

  g_assert_no_error (error);
  g_assert_nonnull (csr);
  return csr;
}

static void
check_csr_with_gnutls (GBytes        *csr,
                       TesseraKey    *key,
                       const KeyCase *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) spki = NULL;
  gnutls_x509_crq_t crq = NULL;
  gnutls_datum_t datum;
  char buffer[256];
  size_t size = sizeof buffer;
  unsigned int usage = 0, critical = 0, san_type = 0;
  gsize len;
  int ret;

  datum.data = (unsigned char *) g_bytes_get_data (csr, &len);
  datum.size = (unsigned int) len;
  g_assert_cmpint (gnutls_x509_crq_init (&crq), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_import (crq, &datum, GNUTLS_X509_FMT_DER), ==, 0);

  g_assert_cmpint (gnutls_x509_crq_get_version (crq), ==, 1);
  g_assert_cmpint (gnutls_x509_crq_get_dn (crq, buffer, &size), ==, 0);
  g_assert_cmpstr (buffer, ==, "CN=" JID);

  /* exactly one SAN: an otherName xmppAddr holding the bare JID */
  size = sizeof buffer;
  ret = gnutls_x509_crq_get_subject_alt_name (crq, 0, buffer, &size, &san_type, NULL);
  check_xmpp_san (ret, buffer, size);
  size = sizeof buffer;
  ret = gnutls_x509_crq_get_subject_alt_othername_oid (crq, 0, buffer, &size);
  g_assert_true (ret == GNUTLS_SAN_OTHERNAME || ret == GNUTLS_SAN_OTHERNAME_XMPP);
  g_assert_cmpstr (buffer, ==, "1.3.6.1.5.5.7.8.5");
  size = sizeof buffer;
  g_assert_cmpint (gnutls_x509_crq_get_subject_alt_name (crq, 1, buffer, &size, &san_type, NULL),
                   ==, GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);

  g_assert_cmpint (gnutls_x509_crq_get_key_usage (crq, &usage, &critical), ==, 0);
  g_assert_cmpuint (usage, ==, GNUTLS_KEY_DIGITAL_SIGNATURE);

  size = sizeof buffer;
  g_assert_cmpint (gnutls_x509_crq_get_key_purpose_oid (crq, 0, buffer, &size, &critical), ==, 0);
  g_assert_cmpstr (buffer, ==, GNUTLS_KP_TLS_WWW_CLIENT);
  size = sizeof buffer;
  g_assert_cmpint (gnutls_x509_crq_get_key_purpose_oid (crq, 1, buffer, &size, &critical),
                   ==, GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);

  g_assert_cmpint (gnutls_x509_crq_get_signature_algorithm (crq), ==, c->sign);
  g_assert_cmpint (gnutls_x509_crq_verify (crq, 0), ==, 0);
  gnutls_x509_crq_deinit (crq);

  g_assert_true (tessera_csr_verify (csr, &error));
  g_assert_no_error (error);
  spki = tessera_csr_dup_public_key_der (csr, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (spki, tessera_key_get_public_key_der (key)));
}

static void
check_csr_with_certtool (GBytes        *csr,
                         TesseraKey    *key,
                         const KeyCase *c)
{
  g_autofree char *path = write_test_file ("request.der", csr);
  const char *args[] = { "--crq-info", "--inder", "--infile", path, NULL };
  g_autofree char *out = run_certtool_ok (args);
  g_autofree char *pin = pin_of_key (key);
  g_autofree char *pin_line = g_strconcat ("pin-sha256:", pin, NULL);

  g_assert_cmpuint (count_lines (out, "Subject: CN=" JID), ==, 1);
  g_assert_cmpuint (count_lines_with_prefix (out, "XMPP Address:"), ==, 1);
  g_assert_cmpuint (count_lines (out, "XMPP Address: " JID), ==, 1);
  g_assert_cmpuint (count_lines (out, "Subject Alternative Name (not critical):"), ==, 1);
  g_assert_cmpuint (count_lines (out, "Digital signature."), ==, 1);
  g_assert_cmpuint (count_lines (out, "TLS WWW Client."), ==, 1);
  g_assert_cmpuint (count_lines (out, c->certtool_pk), ==, 1);
  g_assert_cmpuint (count_lines (out, c->certtool_sign), ==, 1);
  g_assert_cmpuint (count_lines (out, "Self signature: verified"), ==, 1);
  g_assert_cmpuint (count_lines (out, pin_line), ==, 1);
}

static void
test_csr (gconstpointer data)
{
  const KeyCase *c = data;
  g_autoptr(TesseraKey) key = generate_key (c->type);
  g_autoptr(GBytes) csr = create_csr (key);

  check_csr_with_gnutls (csr, key, c);
  check_csr_with_certtool (csr, key, c);
}

static void
test_csr_bad_jid (void)
{
  static const char *bad[] = {
    "", "alice", "@example.org", "alice@", "alice@example.org/phone", "alice smith@example.org",
    "a@b@example.org", "alice@exa\tmple.org", "alice@\xff\xfe.org",
  };
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ECDSA_P256);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error2 = NULL;
      g_autoptr(GBytes) csr = tessera_key_create_csr (key, bad[i], &error);
      g_autoptr(GBytes) crt = tessera_key_create_self_signed (key, bad[i], 30, &error2);

      g_test_message ("JID %u", i);
      g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA);
      g_assert_null (csr);
      g_assert_error (error2, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA);
      g_assert_null (crt);
    }
}

static void
test_csr_tampered (void)
{
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ECDSA_P256);
  g_autoptr(GBytes) csr = create_csr (key);
  gssize at = find_bytes (csr, JID);
  g_autoptr(GBytes) renamed = NULL;
  g_autoptr(GBytes) bad_signature = flip_byte (csr, g_bytes_get_size (csr) - 1);
  GBytes *tampered[2];

  g_assert_cmpint (at, >, 0);
  renamed = flip_byte (csr, (gsize) at);
  tampered[0] = renamed;
  tampered[1] = bad_signature;

  for (guint i = 0; i < G_N_ELEMENTS (tampered); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = write_test_file ("tampered.der", tampered[i]);
      const char *args[] = { "--crq-info", "--inder", "--infile", path, NULL };
      g_autofree char *out = NULL;
      gboolean success;

      g_assert_false (tessera_csr_verify (tampered[i], &error));
      g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_BAD_SIGNATURE);

      /* certtool agrees that the request no longer proves possession */
      out = run_certtool (args, &success);
      g_assert_cmpuint (count_lines (out, "Self signature: FAILED"), ==, 1);
    }
}

static void
test_csr_garbage (void)
{
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ECDSA_P256);
  g_autoptr(GBytes) csr = create_csr (key);
  g_autoptr(GBytes) crt = tessera_key_create_self_signed (key, JID, 30, NULL);
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (csr, 0, g_bytes_get_size (csr) / 2);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) text = g_bytes_new_static ("hello, world", 12);
  g_autoptr(GBytes) junk = g_bytes_new_static ("\x30\x82\xff\xff\x00\x01", 6);
  GBytes *garbage[] = { empty, text, junk, truncated, crt };

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error2 = NULL;
      g_autoptr(GBytes) spki = NULL;

      g_test_message ("garbage %u", i);
      g_assert_false (tessera_csr_verify (garbage[i], &error));
      g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA);
      spki = tessera_csr_dup_public_key_der (garbage[i], &error2);
      g_assert_error (error2, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA);
      g_assert_null (spki);
    }
}

/* Self-signed certificates (XEP-0257) */

static GBytes *
create_self_signed (TesseraKey *key,
                    guint       days)
{
  g_autoptr(GError) error = NULL;
  GBytes *der = tessera_key_create_self_signed (key, JID, days, &error);

  g_assert_no_error (error);
  g_assert_nonnull (der);
  return der;
}

static void
check_self_signed_with_gnutls (GBytes        *der,
                               const KeyCase *c,
                               guint          days)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;
  guint8 serial[64];
  size_t size = sizeof serial;
  char buffer[256];
  unsigned int critical = 0, ca = 1, usage = 0, status = 1;
  int pathlen = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  time_t activation, expiration;
  gsize len;
  int ret;

  datum.data = (unsigned char *) g_bytes_get_data (der, &len);
  datum.size = (unsigned int) len;
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);

  g_assert_cmpint (gnutls_x509_crt_get_version (crt), ==, 3);
  /* a positive serial of at least 64 bits */
  g_assert_cmpint (gnutls_x509_crt_get_serial (crt, serial, &size), ==, 0);
  g_assert_cmpuint (size, >=, 8);
  g_assert_cmpuint (serial[0], <, 0x80);
  g_assert_cmpuint (serial[0], !=, 0);

  activation = gnutls_x509_crt_get_activation_time (crt);
  expiration = gnutls_x509_crt_get_expiration_time (crt);
  g_assert_cmpint (activation, <=, now - 59);
  g_assert_cmpint (activation, >=, now - 70);
  g_assert_cmpint (expiration - activation, ==, (gint64) days * 86400 + 60);

  size = sizeof buffer;
  g_assert_cmpint (gnutls_x509_crt_get_dn (crt, buffer, &size), ==, 0);
  g_assert_cmpstr (buffer, ==, "CN=" JID);
  size = sizeof buffer;
  g_assert_cmpint (gnutls_x509_crt_get_issuer_dn (crt, buffer, &size), ==, 0);
  g_assert_cmpstr (buffer, ==, "CN=" JID);

  size = sizeof buffer;
  ret = gnutls_x509_crt_get_subject_alt_name (crt, 0, buffer, &size, NULL);
  check_xmpp_san (ret, buffer, size);
  size = sizeof buffer;
  g_assert_cmpint (gnutls_x509_crt_get_subject_alt_name (crt, 1, buffer, &size, NULL),
                   ==, GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);

  g_assert_cmpint (gnutls_x509_crt_get_basic_constraints (crt, &critical, &ca, &pathlen), ==, 0);
  g_assert_cmpuint (ca, ==, 0);
  g_assert_cmpint (gnutls_x509_crt_get_key_usage (crt, &usage, &critical), ==, 0);
  g_assert_cmpuint (usage, ==, GNUTLS_KEY_DIGITAL_SIGNATURE);
  size = sizeof buffer;
  g_assert_cmpint (gnutls_x509_crt_get_key_purpose_oid (crt, 0, buffer, &size, &critical), ==, 0);
  g_assert_cmpstr (buffer, ==, GNUTLS_KP_TLS_WWW_CLIENT);
  g_assert_cmpint (gnutls_x509_crt_get_signature_algorithm (crt), ==, c->sign);

  /* its own key verifies its signature */
  g_assert_cmpint (gnutls_x509_crt_verify (crt, &crt, 1,
                                           GNUTLS_VERIFY_DO_NOT_ALLOW_SAME | GNUTLS_VERIFY_DISABLE_CA_SIGN,
                                           &status), ==, 0);
  g_assert_cmpuint (status, ==, 0);
  gnutls_x509_crt_deinit (crt);
}

static void
check_self_signed_with_certtool (GBytes        *der,
                                 TesseraKey    *key,
                                 const KeyCase *c)
{
  g_autofree char *path = write_test_file ("self-signed.der", der);
  const char *args[] = { "-i", "--inder", "--infile", path, NULL };
  g_autofree char *out = run_certtool_ok (args);
  g_autofree char *serial = line_value (out, "Serial Number (hex): ");
  g_autofree char *fingerprint = tessera_fingerprint_compute (der);
  g_autofree char *fingerprint_line = g_strconcat ("sha256:", fingerprint, NULL);
  g_autofree char *pin = pin_of_key (key);
  g_autofree char *pin_line = g_strconcat ("pin-sha256:", pin, NULL);

  g_assert_cmpuint (count_lines (out, "Version: 3"), ==, 1);
  g_assert_cmpuint (count_lines (out, "Subject: CN=" JID), ==, 1);
  g_assert_cmpuint (count_lines (out, "Issuer: CN=" JID), ==, 1);
  g_assert_cmpuint (count_lines_with_prefix (out, "XMPP Address:"), ==, 1);
  g_assert_cmpuint (count_lines (out, "XMPP Address: " JID), ==, 1);
  g_assert_cmpuint (count_lines (out, "Certificate Authority (CA): FALSE"), ==, 1);
  g_assert_cmpuint (count_lines (out, "Digital signature."), ==, 1);
  g_assert_cmpuint (count_lines (out, "TLS WWW Client."), ==, 1);
  g_assert_cmpuint (count_lines (out, c->certtool_pk), ==, 1);
  g_assert_cmpuint (count_lines (out, c->certtool_sign), ==, 1);
  g_assert_cmpuint (strlen (serial), >=, 16);
  g_assert_cmpuint (count_lines (out, fingerprint_line), ==, 1);
  g_assert_cmpuint (count_lines (out, pin_line), ==, 1);
}

static void
test_self_signed (gconstpointer data)
{
  const KeyCase *c = data;
  g_autoptr(TesseraKey) key = generate_key (c->type);
  g_autoptr(GBytes) der = create_self_signed (key, 365);
  g_autoptr(GBytes) other = create_self_signed (key, 30);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraCertificate) certificate = NULL;

  check_self_signed_with_gnutls (der, c, 365);
  check_self_signed_with_gnutls (other, c, 30);
  check_self_signed_with_certtool (der, key, c);

  /* a fresh random serial each time */
  g_assert_false (g_bytes_equal (der, other));

  certificate = tessera_certificate_new_from_der (der, &error);
  g_assert_no_error (error);
  g_assert_true (tessera_certificate_is_self_signed (certificate));
  g_assert_true (tessera_certificate_check_issued (certificate, key, JID, NULL, &error));
  g_assert_no_error (error);
}

static void
test_self_signed_lifetime (void)
{
  static const guint bad[] = { 0, 36501, G_MAXUINT };
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ED25519);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) der = tessera_key_create_self_signed (key, JID, bad[i], &error);

      g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_FAILED);
      g_assert_null (der);
    }
}

/* Key files */

static void
check_encrypted_with_certtool (GBytes     *pem,
                               TesseraKey *key,
                               const char *passphrase)
{
  g_autofree char *path = write_test_file ("key.pem", pem);
  const char *info_args[] = { "--p8-info", "--infile", path, NULL };
  /* --pubkey-info rather than --key-info: certtool 3.7.9 cannot print an
   * Ed25519 PKCS #8 key with the latter */
  const char *key_args[] = { "--pubkey-info", "--load-privkey", path, "--password", passphrase, NULL };
  const char *wrong_args[] = { "--pubkey-info", "--load-privkey", path, "--password", "wrong", NULL };
  g_autofree char *info = run_certtool_ok (info_args);
  g_autofree char *key_info = run_certtool_ok (key_args);
  g_autofree char *wrong = NULL;
  g_autofree char *pin = pin_of_key (key);
  g_autofree char *pin_line = g_strconcat ("pin-sha256:", pin, NULL);
  gboolean success = TRUE;

  g_assert_cmpuint (count_lines (info, "Cipher: AES-256-CBC"), ==, 1);
  g_assert_cmpuint (count_lines (info, "Schema: PBES2-AES256-CBC (2.16.840.1.101.3.4.1.42)"), ==, 1);
  /* certtool decrypts it with the passphrase, and it is our key */
  g_assert_cmpuint (count_lines (key_info, pin_line), ==, 1);
  /* and not without it */
  wrong = run_certtool (wrong_args, &success);
  g_assert_false (success);
}

static void
check_round_trip (GBytes     *pem,
                  const char *passphrase,
                  TesseraKey *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) back = tessera_key_new_from_pem (pem, passphrase, &error);
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) spki = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (tessera_key_get_key_type (back), ==, tessera_key_get_key_type (key));
  g_assert_cmpuint (tessera_key_get_bits (back), ==, tessera_key_get_bits (key));
  g_assert_true (g_bytes_equal (tessera_key_get_public_key_der (back), tessera_key_get_public_key_der (key)));
  g_assert_cmpstr (tessera_key_get_public_key_id (back), ==, tessera_key_get_public_key_id (key));

  /* the private half came back too: it signs for the same public key */
  csr = create_csr (back);
  spki = tessera_csr_dup_public_key_der (csr, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (spki, tessera_key_get_public_key_der (key)));
}

static void
test_export_encrypted (gconstpointer data)
{
  const KeyCase *c = data;
  g_autoptr(TesseraKey) key = generate_key (c->type);
  g_autofree char *passphrase = tessera_crypto_generate_passphrase ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pem = tessera_key_export_encrypted (key, passphrase, &error);

  g_assert_no_error (error);
  g_assert_true (bytes_has_prefix (pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
  g_assert_cmpint (find_bytes (pem, "-----END ENCRYPTED PRIVATE KEY-----"), >, 0);
  check_encrypted_with_certtool (pem, key, passphrase);
  check_round_trip (pem, passphrase, key);
}

static void
test_export_plain (gconstpointer data)
{
  const KeyCase *c = data;
  g_autoptr(TesseraKey) key = generate_key (c->type);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pem = tessera_key_export_plain (key, &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  g_assert_true (bytes_has_prefix (pem, "-----BEGIN PRIVATE KEY-----\n"));
  check_round_trip (pem, NULL, key);
  /* a passphrase offered for a plain key does no harm */
  check_round_trip (pem, "unused", key);

  /* certtool reads it as an unencrypted PKCS #8 key of ours */
  path = write_test_file ("plain.pem", pem);
  {
    const char *args[] = { "--pubkey-info", "--load-privkey", path, NULL };
    g_autofree char *out = run_certtool_ok (args);
    g_autofree char *pin = pin_of_key (key);
    g_autofree char *pin_line = g_strconcat ("pin-sha256:", pin, NULL);

    g_assert_cmpuint (count_lines (out, pin_line), ==, 1);
  }
}

static void
test_import_wrong_passphrase (void)
{
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ECDSA_P256);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pem = tessera_key_export_encrypted (key, "correct horse", &error);
  static const char *wrong[] = { "correct horsE", "", "correct horse ", NULL };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(TesseraKey) back = tessera_key_new_from_pem (pem, wrong[i], &local_error);

      g_test_message ("wrong passphrase %u", i);
      g_assert_error (local_error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE);
      g_assert_null (back);
      g_assert_true (g_str_has_prefix (local_error->message, "Reading the private key failed: "));
    }
}

static void
test_export_refuses_empty_passphrase (void)
{
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ED25519);
  static const char *empty[] = { NULL, "" };

  for (guint i = 0; i < G_N_ELEMENTS (empty); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) pem = tessera_key_export_encrypted (key, empty[i], &error);

      g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE);
      g_assert_null (pem);
    }
}

static void
test_import_garbage (void)
{
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ECDSA_P256);
  g_autoptr(GBytes) plain = tessera_key_export_plain (key, NULL);
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (plain, 0, g_bytes_get_size (plain) / 2);
  g_autoptr(GBytes) corrupt = flip_byte (plain, 40);
  g_autoptr(GBytes) crt = create_self_signed (key, 30);
  g_autoptr(TesseraCertificate) certificate = tessera_certificate_new_from_der (crt, NULL);
  g_autoptr(GBytes) crt_pem = tessera_certificate_dup_pem (certificate);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) text = g_bytes_new_static ("hello, world\n", 13);
  g_autoptr(GBytes) junk = g_bytes_new_static ("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", 57);
  g_autoptr(GBytes) binary = g_bytes_new_static ("\x30\x82\x00\x10\x00\xff\x00", 7);
  GBytes *garbage[] = { empty, text, junk, binary, truncated, corrupt, crt, crt_pem };

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TesseraKey) back = tessera_key_new_from_pem (garbage[i], NULL, &error);

      g_test_message ("garbage %u", i);
      g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA);
      g_assert_null (back);
    }
}

static void
test_import_encrypted_without_passphrase (void)
{
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ED25519);
  g_autoptr(GBytes) pem = tessera_key_export_encrypted (key, "secret", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) back = tessera_key_new_from_pem (pem, NULL, &error);

  g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE);
  g_assert_null (back);
}

/* Keys made by other tools: certtool, in the formats we read. */
static void
test_import_certtool_keys (void)
{
  static const struct {
    const char *key_type;
    const char *curve_or_bits[2];
    TesseraKeyType type;
    guint bits;
    gboolean supported;
  } cases[] = {
    { "ecdsa", { "--curve", "secp256r1" }, TESSERA_KEY_TYPE_ECDSA_P256, 256, TRUE },
    { "ed25519", { NULL, NULL }, TESSERA_KEY_TYPE_ED25519, 256, TRUE },
    { "rsa", { "--bits", "2048" }, TESSERA_KEY_TYPE_RSA3072, 2048, TRUE },
    { "ecdsa", { "--curve", "secp384r1" }, 0, 0, FALSE },
    { "rsa", { "--bits", "1024" }, 0, 0, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "certtool-key.pem", NULL);
      const char *args[] = { "--generate-privkey", "--key-type", cases[i].key_type, "--pkcs8",
                             "--password", "pw", "--outfile", path,
                             cases[i].curve_or_bits[0], cases[i].curve_or_bits[1], NULL };
      g_autofree char *out = NULL;
      g_autoptr(GBytes) pem = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(TesseraKey) key = NULL;

      g_test_message ("certtool key %u", i);
      g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
      out = run_certtool_ok (args);
      pem = read_test_file (path);
      g_assert_true (bytes_has_prefix (pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));

      key = tessera_key_new_from_pem (pem, "pw", &error);
      if (cases[i].supported)
        {
          g_assert_no_error (error);
          g_assert_cmpint (tessera_key_get_key_type (key), ==, cases[i].type);
          g_assert_cmpuint (tessera_key_get_bits (key), ==, cases[i].bits);
        }
      else
        {
          g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_UNSUPPORTED_KEY_TYPE);
          g_assert_null (key);
        }
    }
}

/* RSA-3072 generation is slow on small machines: everything RSA in one test. */
static void
test_rsa3072 (void)
{
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_RSA3072);
  g_autoptr(GBytes) csr = create_csr (key);
  g_autoptr(GBytes) crt = create_self_signed (key, 90);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pem = tessera_key_export_encrypted (key, "rsa passphrase", &error);

  check_generated_key (key, RSA_CASE);
  check_csr_with_gnutls (csr, key, RSA_CASE);
  check_csr_with_certtool (csr, key, RSA_CASE);
  check_self_signed_with_gnutls (crt, RSA_CASE, 90);
  check_self_signed_with_certtool (crt, key, RSA_CASE);
  g_assert_no_error (error);
  check_round_trip (pem, "rsa passphrase", key);
}

static void
test_passphrase (void)
{
  g_autofree char *a = tessera_crypto_generate_passphrase ();
  g_autofree char *b = tessera_crypto_generate_passphrase ();
  g_autofree guint8 *raw = NULL;
  gsize len = 0;

  g_assert_cmpuint (strlen (a), ==, 44);
  raw = g_base64_decode (a, &len);
  g_assert_cmpuint (len, ==, 32);
  g_assert_cmpstr (a, !=, b);
}

/* Many threads share one key: it is immutable and its GnuTLS uses locked. */
static gpointer
sign_in_thread (gpointer data)
{
  TesseraKey *key = data;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GBytes) csr = tessera_key_create_csr (key, JID, NULL);
      g_autoptr(GBytes) pem = tessera_key_export_plain (key, NULL);

      if (csr == NULL || pem == NULL)
        return GINT_TO_POINTER (FALSE);
    }
  return GINT_TO_POINTER (TRUE);
}

static void
test_key_shared_between_threads (void)
{
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ECDSA_P256);
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("signer", sign_in_thread, key);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/tessera/crypto/key-type/strings", test_key_type_strings);
  g_test_add_data_func ("/tessera/crypto/generate/ecdsa-p256", ECDSA_CASE, test_generate);
  g_test_add_data_func ("/tessera/crypto/generate/ed25519", ED25519_CASE, test_generate);
  g_test_add_func ("/tessera/crypto/generate/async", test_generate_async);
  g_test_add_func ("/tessera/crypto/generate/async-cancelled", test_generate_async_cancelled);
  g_test_add_func ("/tessera/crypto/generate/cancelled", test_generate_cancelled);
  g_test_add_data_func ("/tessera/crypto/csr/ecdsa-p256", ECDSA_CASE, test_csr);
  g_test_add_data_func ("/tessera/crypto/csr/ed25519", ED25519_CASE, test_csr);
  g_test_add_func ("/tessera/crypto/csr/bad-jid", test_csr_bad_jid);
  g_test_add_func ("/tessera/crypto/csr/tampered", test_csr_tampered);
  g_test_add_func ("/tessera/crypto/csr/garbage", test_csr_garbage);
  g_test_add_data_func ("/tessera/crypto/self-signed/ecdsa-p256", ECDSA_CASE, test_self_signed);
  g_test_add_data_func ("/tessera/crypto/self-signed/ed25519", ED25519_CASE, test_self_signed);
  g_test_add_func ("/tessera/crypto/self-signed/lifetime", test_self_signed_lifetime);
  g_test_add_data_func ("/tessera/crypto/export/encrypted/ecdsa-p256", ECDSA_CASE, test_export_encrypted);
  g_test_add_data_func ("/tessera/crypto/export/encrypted/ed25519", ED25519_CASE, test_export_encrypted);
  g_test_add_data_func ("/tessera/crypto/export/plain/ecdsa-p256", ECDSA_CASE, test_export_plain);
  g_test_add_data_func ("/tessera/crypto/export/plain/ed25519", ED25519_CASE, test_export_plain);
  g_test_add_func ("/tessera/crypto/export/empty-passphrase", test_export_refuses_empty_passphrase);
  g_test_add_func ("/tessera/crypto/import/wrong-passphrase", test_import_wrong_passphrase);
  g_test_add_func ("/tessera/crypto/import/no-passphrase", test_import_encrypted_without_passphrase);
  g_test_add_func ("/tessera/crypto/import/garbage", test_import_garbage);
  g_test_add_func ("/tessera/crypto/import/certtool-keys", test_import_certtool_keys);
  g_test_add_func ("/tessera/crypto/passphrase", test_passphrase);
  g_test_add_func ("/tessera/crypto/key/threads", test_key_shared_between_threads);
  g_test_add_func ("/tessera/crypto/rsa3072", test_rsa3072);
  g_test_add_func ("/tessera/crypto/generate/async-cancel-running", test_generate_async_cancel_running);

  return g_test_run ();
}
