/* test-certificate.c: tests of certificate inspection and of the checks on issued certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "tessera-certificate.h"
#include "tessera-crypto.h"
#include "tessera-error.h"
#include "tessera-fingerprint.h"

#define JID "alice@example.org"
/* RFC 4514 writes the RDNs last first: the CA sets CN, then O */
#define CA_DN "O=Tessera tests,CN=Tessera Test CA"
#define DAY (24 * 60 * 60)

/* A certificate authority made in the test with GnuTLS, issuing from CSRs
 * the way a server does: gnutls_x509_crt_set_crq() only takes a request
 * whose self-signature verifies. */
typedef struct {
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
} TestCa;

typedef struct {
  TestCa ca;
  TesseraKey *key;
  GBytes *csr;
} Fixture;

/* What the CA puts into a certificate; the defaults are PROTOCOL.md §2. */
typedef struct {
  const char *xmpp_addrs[3];   /* NULL-terminated; { NULL } = none */
  gboolean other_key;          /* issue for someone else's CSR */
  gboolean ca;
  gboolean key_cert_sign;
  gint64 not_before;           /* seconds from now */
  gint64 not_after;
} IssueSpec;

#define GOOD_SPEC { { JID, NULL }, FALSE, FALSE, FALSE, -60, 365 * DAY }

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
set_random_serial (gnutls_x509_crt_t crt)
{
  guint8 serial[16];

  g_assert_cmpint (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), ==, 0);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
}

static void
test_ca_init (TestCa *ca)
{
  static const char cn[] = "Tessera Test CA";
  static const char o[] = "Tessera tests";
  gint64 now = now_seconds ();

  g_assert_cmpint (gnutls_x509_privkey_init (&ca->key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate2 (ca->key, GNUTLS_PK_ECDSA,
                                                  GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                                  0, NULL, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&ca->crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (ca->crt, 3), ==, 0);
  set_random_serial (ca->crt);
  g_assert_cmpint (gnutls_x509_crt_set_dn_by_oid (ca->crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen (cn)), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_dn_by_oid (ca->crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, o, strlen (o)), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (ca->crt, (time_t) (now - 10 * 365 * DAY)), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (ca->crt, (time_t) (now + 10 * 365 * DAY)), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_basic_constraints (ca->crt, 1, -1), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key_usage (ca->crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (ca->crt, ca->key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (ca->crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0), ==, 0);
}

static void
test_ca_clear (TestCa *ca)
{
  g_clear_pointer (&ca->crt, gnutls_x509_crt_deinit);
  g_clear_pointer (&ca->key, gnutls_x509_privkey_deinit);
}

static GBytes *
export_der (gnutls_x509_crt_t crt)
{
  gnutls_datum_t out = { NULL, 0 };
  GBytes *der;

  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &out), ==, 0);
  der = g_bytes_new (out.data, out.size);
  gnutls_free (out.data);
  return der;
}

static GBytes *
test_ca_issue (TestCa          *ca,
               GBytes          *csr_der,
               const IssueSpec *spec)
{
  gnutls_x509_crq_t crq = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;
  unsigned int usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
  gint64 now = now_seconds ();
  gsize size;
  GBytes *der;

  datum.data = (unsigned char *) g_bytes_get_data (csr_der, &size);
  datum.size = (unsigned int) size;
  g_assert_cmpint (gnutls_x509_crq_init (&crq), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_import (crq, &datum, GNUTLS_X509_FMT_DER), ==, 0);

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  /* subject and public key from the request (it verifies its signature) */
  g_assert_cmpint (gnutls_x509_crt_set_crq (crt, crq), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  set_random_serial (crt);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, (time_t) (now + spec->not_before)), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, (time_t) (now + spec->not_after)), ==, 0);
  for (guint i = 0; spec->xmpp_addrs[i] != NULL; i++)
    g_assert_cmpint (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_OTHERNAME_XMPP, spec->xmpp_addrs[i],
                                                           strlen (spec->xmpp_addrs[i]), GNUTLS_FSAN_APPEND),
                     ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_basic_constraints (crt, spec->ca ? 1 : 0, -1), ==, 0);
  if (spec->key_cert_sign)
    usage |= GNUTLS_KEY_KEY_CERT_SIGN;
  g_assert_cmpint (gnutls_x509_crt_set_key_usage (crt, usage), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0), ==, 0);

  der = export_der (crt);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_crq_deinit (crq);
  return der;
}

static TesseraKey *
generate_key (TesseraKeyType type)
{
  g_autoptr(GError) error = NULL;
  TesseraKey *key = tessera_key_generate (type, NULL, &error);

  g_assert_no_error (error);
  return key;
}

static GBytes *
create_csr (TesseraKey *key,
            const char *jid)
{
  g_autoptr(GError) error = NULL;
  GBytes *csr = tessera_key_create_csr (key, jid, &error);

  g_assert_no_error (error);
  return csr;
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  test_ca_init (&fixture->ca);
  fixture->key = generate_key (TESSERA_KEY_TYPE_ECDSA_P256);
  fixture->csr = create_csr (fixture->key, JID);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  test_ca_clear (&fixture->ca);
  g_clear_pointer (&fixture->csr, g_bytes_unref);
  g_assert_finalize_object (fixture->key);
}

static TesseraCertificate *
issue (Fixture         *fixture,
       const IssueSpec *spec)
{
  g_autoptr(GBytes) other_csr = NULL;
  g_autoptr(TesseraKey) other = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GError) error = NULL;
  TesseraCertificate *certificate;

  if (spec->other_key)
    {
      other = generate_key (TESSERA_KEY_TYPE_ECDSA_P256);
      other_csr = create_csr (other, JID);
    }
  der = test_ca_issue (&fixture->ca, other_csr != NULL ? other_csr : fixture->csr, spec);
  certificate = tessera_certificate_new_from_der (der, &error);
  g_assert_no_error (error);
  return certificate;
}

/* Tool helpers */

static char *
write_test_file (const char *name,
                 GBytes     *data)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_file_set_contents_full (path, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                            G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  return path;
}

static GBytes *
read_fixture (const char *name)
{
  g_autoptr(GError) error = NULL;
  const char *path = g_test_get_filename (G_TEST_DIST, "unit", "data", "crypto", name, NULL);
  char *contents = NULL;
  gsize size = 0;

  g_file_get_contents (path, &contents, &size, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, size);
}

/* `certtool -i` on a certificate file: returns its standard output. */
static char *
certtool_info (const char *path,
               gboolean    der)
{
  const char *argv[] = { "certtool", "-i", "--infile", path, der ? "--inder" : NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* The value after @prefix on the first line that starts with it. */
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

/* check_issued: one case per error code, and the order of the checks */

typedef struct {
  const char *path;
  IssueSpec spec;
  int code; /* 0: accepted */
} IssuedCase;

static const IssuedCase issued_cases[] = {
  { "ok", GOOD_SPEC, 0 },
  { "other-key", { { JID, NULL }, TRUE, FALSE, FALSE, -60, 365 * DAY }, TESSERA_CRYPTO_ERROR_KEY_MISMATCH },
  { "other-jid", { { "mallory@example.org", NULL }, FALSE, FALSE, FALSE, -60, 365 * DAY },
    TESSERA_CRYPTO_ERROR_WRONG_IDENTITY },
  { "other-domain", { { "alice@example.org.evil", NULL }, FALSE, FALSE, FALSE, -60, 365 * DAY },
    TESSERA_CRYPTO_ERROR_WRONG_IDENTITY },
  { "full-jid", { { JID "/phone", NULL }, FALSE, FALSE, FALSE, -60, 365 * DAY },
    TESSERA_CRYPTO_ERROR_WRONG_IDENTITY },
  { "no-xmpp-addr", { { NULL }, FALSE, FALSE, FALSE, -60, 365 * DAY }, TESSERA_CRYPTO_ERROR_WRONG_IDENTITY },
  { "two-xmpp-addrs", { { JID, "bob@example.org", NULL }, FALSE, FALSE, FALSE, -60, 365 * DAY },
    TESSERA_CRYPTO_ERROR_WRONG_IDENTITY },
  { "same-xmpp-addr-twice", { { JID, JID, NULL }, FALSE, FALSE, FALSE, -60, 365 * DAY },
    TESSERA_CRYPTO_ERROR_WRONG_IDENTITY },
  { "ca", { { JID, NULL }, FALSE, TRUE, FALSE, -60, 365 * DAY }, TESSERA_CRYPTO_ERROR_IS_CA },
  { "key-cert-sign", { { JID, NULL }, FALSE, FALSE, TRUE, -60, 365 * DAY }, TESSERA_CRYPTO_ERROR_IS_CA },
  { "expired", { { JID, NULL }, FALSE, FALSE, FALSE, -30 * DAY, -DAY }, TESSERA_CRYPTO_ERROR_NOT_VALID_NOW },
  { "not-yet-valid", { { JID, NULL }, FALSE, FALSE, FALSE, DAY, 30 * DAY }, TESSERA_CRYPTO_ERROR_NOT_VALID_NOW },
  /* the first failing check wins: key, identity, CA, time */
  { "order/key-before-identity", { { "mallory@example.org", NULL }, TRUE, TRUE, FALSE, -30 * DAY, -DAY },
    TESSERA_CRYPTO_ERROR_KEY_MISMATCH },
  { "order/identity-before-ca", { { JID, "bob@example.org", NULL }, FALSE, TRUE, FALSE, DAY, 30 * DAY },
    TESSERA_CRYPTO_ERROR_WRONG_IDENTITY },
  { "order/ca-before-time", { { JID, NULL }, FALSE, TRUE, FALSE, -30 * DAY, -DAY }, TESSERA_CRYPTO_ERROR_IS_CA },
};

static void
test_check_issued (Fixture      *fixture,
                   gconstpointer data)
{
  const IssuedCase *c = data;
  g_autoptr(TesseraCertificate) certificate = issue (fixture, &c->spec);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error_now = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean ok = tessera_certificate_check_issued (certificate, fixture->key, JID, NULL, &error);
  gboolean ok_now = tessera_certificate_check_issued (certificate, fixture->key, JID, now, &error_now);

  if (c->code == 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_no_error (error_now);
      g_assert_true (ok_now);
    }
  else
    {
      g_assert_error (error, TESSERA_CRYPTO_ERROR, c->code);
      g_assert_false (ok);
      g_assert_error (error_now, TESSERA_CRYPTO_ERROR, c->code);
      g_assert_false (ok_now);
      g_assert_true (g_str_has_prefix (error->message, "Checking the issued certificate failed: "));
    }
}

/* "valid now" is about the @now the caller passes */
static void
test_check_issued_at (Fixture      *fixture,
                      gconstpointer data)
{
  const IssueSpec expired = { { JID, NULL }, FALSE, FALSE, FALSE, -30 * DAY, -DAY };
  g_autoptr(TesseraCertificate) certificate = issue (fixture, &expired);
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_utc (now_seconds () - 2 * DAY);
  g_autoptr(GDateTime) before = g_date_time_new_from_unix_utc (now_seconds () - 31 * DAY);
  g_autoptr(GError) error = NULL;

  g_assert_true (tessera_certificate_check_issued (certificate, fixture->key, JID, then, &error));
  g_assert_no_error (error);
  g_assert_false (tessera_certificate_check_issued (certificate, fixture->key, JID, before, &error));
  g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_NOT_VALID_NOW);
  g_assert_false (tessera_certificate_check_issued (certificate, fixture->key, "bob@example.org", then, NULL));
}

/* Hostile xmppAddrs: one with a NUL inside must not pass as the JID it
 * starts with, and invalid UTF-8 must not pass as the U+FFFD it is shown
 * with. */
static void
test_hostile_xmpp_addrs (Fixture      *fixture,
                         gconstpointer data)
{
  static const struct {
    const char *addr;
    gsize len;
    const char *jid;
  } cases[] = {
    { JID "\0.evil.example", sizeof JID "\0.evil.example" - 1, JID },
    { "al\xff" "ce@example.org", sizeof "al\xff" "ce@example.org" - 1, "al\xef\xbf\xbd" "ce@example.org" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const IssueSpec spec = GOOD_SPEC;
      gnutls_x509_crt_t crt = NULL;
      gnutls_x509_crq_t crq = NULL;
      gnutls_datum_t datum;
      g_autoptr(GBytes) der = NULL;
      g_autoptr(TesseraCertificate) certificate = NULL;
      g_autoptr(GError) error = NULL;
      const char * const *addrs;
      guint8 encoded[64];
      gsize size;
      gint64 now = now_seconds ();

      datum.data = (unsigned char *) g_bytes_get_data (fixture->csr, &size);
      datum.size = (unsigned int) size;
      g_assert_cmpint (gnutls_x509_crq_init (&crq), ==, 0);
      g_assert_cmpint (gnutls_x509_crq_import (crq, &datum, GNUTLS_X509_FMT_DER), ==, 0);
      g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
      g_assert_cmpint (gnutls_x509_crt_set_crq (crt, crq), ==, 0);
      g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
      set_random_serial (crt);
      g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, (time_t) (now + spec.not_before)), ==, 0);
      g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, (time_t) (now + spec.not_after)), ==, 0);
      /* GnuTLS refuses to encode such names itself: hand it the DER of
       * the UTF8String value directly */
      encoded[0] = 0x0c;
      encoded[1] = (guint8) cases[i].len;
      memcpy (encoded + 2, cases[i].addr, cases[i].len);
      g_assert_cmpint (gnutls_x509_crt_set_subject_alt_othername (crt, "1.3.6.1.5.5.7.8.5", encoded,
                                                                  (unsigned int) cases[i].len + 2,
                                                                  GNUTLS_FSAN_SET), ==, 0);
      g_assert_cmpint (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), ==, 0);
      g_assert_cmpint (gnutls_x509_crt_sign2 (crt, fixture->ca.crt, fixture->ca.key, GNUTLS_DIG_SHA256, 0), ==, 0);
      der = export_der (crt);
      gnutls_x509_crt_deinit (crt);
      gnutls_x509_crq_deinit (crq);

      certificate = tessera_certificate_new_from_der (der, &error);
      g_assert_no_error (error);
      addrs = tessera_certificate_get_xmpp_addrs (certificate);
      g_assert_cmpuint (g_strv_length ((GStrv) addrs), ==, 1);
      g_assert_true (g_utf8_validate (addrs[0], -1, NULL));
      g_assert_false (tessera_certificate_check_issued (certificate, fixture->key, cases[i].jid, NULL, &error));
      g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_IDENTITY);
    }
}

/* Inspection */

static void
test_inspect_issued (Fixture      *fixture,
                     gconstpointer data)
{
  const IssueSpec spec = GOOD_SPEC;
  g_autoptr(TesseraCertificate) certificate = issue (fixture, &spec);
  GBytes *der = tessera_certificate_get_der (certificate);
  g_autofree char *path = write_test_file ("issued.der", der);
  g_autofree char *info = certtool_info (path, TRUE);
  g_autofree char *subject = line_value (info, "Subject: ");
  g_autofree char *issuer = line_value (info, "Issuer: ");
  g_autofree char *fingerprint = line_value (info, "sha256:");
  g_autofree char *own = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, der);
  const char * const *addrs = tessera_certificate_get_xmpp_addrs (certificate);
  GDateTime *not_before = tessera_certificate_get_not_before (certificate);
  GDateTime *not_after = tessera_certificate_get_not_after (certificate);
  gint64 now = now_seconds ();
  g_autoptr(GDateTime) inside = g_date_time_add_days (not_before, 1);
  g_autoptr(GDateTime) too_early = g_date_time_add_seconds (not_before, -1);
  g_autoptr(GDateTime) too_late = g_date_time_add_seconds (not_after, 1);

  g_assert_cmpstr (tessera_certificate_get_subject (certificate), ==, "CN=" JID);
  g_assert_cmpstr (tessera_certificate_get_subject (certificate), ==, subject);
  g_assert_cmpstr (tessera_certificate_get_issuer (certificate), ==, CA_DN);
  g_assert_cmpstr (tessera_certificate_get_issuer (certificate), ==, issuer);
  g_assert_cmpuint (g_strv_length ((GStrv) addrs), ==, 1);
  g_assert_cmpstr (addrs[0], ==, JID);

  /* first line "sha256:" under "Fingerprint:" is the certificate's */
  g_assert_cmpstr (tessera_certificate_get_fingerprint (certificate), ==, fingerprint);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (certificate), ==, own);

  g_assert_cmpint (g_date_time_to_unix (not_before), <=, now - 60);
  g_assert_cmpint (g_date_time_to_unix (not_before), >=, now - 70);
  g_assert_cmpint (g_date_time_to_unix (not_after) - g_date_time_to_unix (not_before), ==, 365 * DAY + 60);
  g_assert_true (tessera_certificate_is_valid_at (certificate, NULL));
  g_assert_true (tessera_certificate_is_valid_at (certificate, inside));
  g_assert_true (tessera_certificate_is_valid_at (certificate, not_before));
  g_assert_true (tessera_certificate_is_valid_at (certificate, not_after));
  g_assert_false (tessera_certificate_is_valid_at (certificate, too_early));
  g_assert_false (tessera_certificate_is_valid_at (certificate, too_late));

  g_assert_cmpstr (tessera_certificate_get_key_algorithm (certificate), ==, "ECDSA P-256");
  g_assert_cmpuint (tessera_certificate_get_key_bits (certificate), ==, 256);
  g_assert_false (tessera_certificate_get_is_ca (certificate));
  g_assert_false (tessera_certificate_is_self_signed (certificate));
  g_assert_true (g_bytes_equal (tessera_certificate_get_public_key_der (certificate),
                                tessera_key_get_public_key_der (fixture->key)));
  g_assert_true (tessera_certificate_matches_key (certificate, fixture->key));

  g_assert_finalize_object (g_steal_pointer (&certificate));
}

static void
test_matches_key (Fixture      *fixture,
                  gconstpointer data)
{
  const IssueSpec spec = GOOD_SPEC;
  g_autoptr(TesseraCertificate) certificate = issue (fixture, &spec);
  g_autoptr(TesseraKey) other = generate_key (TESSERA_KEY_TYPE_ECDSA_P256);
  g_autoptr(TesseraKey) ed = generate_key (TESSERA_KEY_TYPE_ED25519);
  g_autoptr(GBytes) pem = tessera_key_export_encrypted (fixture->key, "pw", NULL);
  g_autoptr(TesseraKey) reloaded = tessera_key_new_from_pem (pem, "pw", NULL);

  g_assert_true (tessera_certificate_matches_key (certificate, fixture->key));
  g_assert_true (tessera_certificate_matches_key (certificate, reloaded));
  g_assert_false (tessera_certificate_matches_key (certificate, other));
  g_assert_false (tessera_certificate_matches_key (certificate, ed));
}

static void
test_inspect_ca (Fixture      *fixture,
                 gconstpointer data)
{
  g_autoptr(GBytes) der = export_der (fixture->ca.crt);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraCertificate) certificate = tessera_certificate_new_from_der (der, &error);

  g_assert_no_error (error);
  g_assert_true (tessera_certificate_get_is_ca (certificate));
  g_assert_true (tessera_certificate_is_self_signed (certificate));
  g_assert_cmpstr (tessera_certificate_get_subject (certificate), ==, CA_DN);
  g_assert_cmpstr (tessera_certificate_get_issuer (certificate), ==, CA_DN);
  g_assert_nonnull (tessera_certificate_get_xmpp_addrs (certificate));
  g_assert_null (tessera_certificate_get_xmpp_addrs (certificate)[0]);
  g_assert_false (tessera_certificate_check_issued (certificate, fixture->key, JID, NULL, &error));
  g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_KEY_MISMATCH);
}

static void
test_inspect_ed25519 (void)
{
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ED25519);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = tessera_key_create_self_signed (key, JID, 10, &error);
  g_autoptr(TesseraCertificate) certificate = NULL;

  g_assert_no_error (error);
  certificate = tessera_certificate_new_from_der (der, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_certificate_get_key_algorithm (certificate), ==, "Ed25519");
  g_assert_cmpuint (tessera_certificate_get_key_bits (certificate), ==, 256);
  g_assert_true (tessera_certificate_is_self_signed (certificate));
  g_assert_false (tessera_certificate_get_is_ca (certificate));
  g_assert_cmpstr (tessera_certificate_get_subject (certificate), ==, tessera_certificate_get_issuer (certificate));
}

/* A self-signed certificate whose signature was tampered with still parses,
 * but is no longer self-signed. */
static void
test_self_signed_tampered (void)
{
  g_autoptr(TesseraKey) key = generate_key (TESSERA_KEY_TYPE_ECDSA_P256);
  g_autoptr(GBytes) der = tessera_key_create_self_signed (key, JID, 10, NULL);
  gsize size;
  g_autofree guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (der), &size);
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(TesseraCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  copy[size - 1] ^= 0x01;
  tampered = g_bytes_new (copy, size);
  certificate = tessera_certificate_new_from_der (tampered, &error);
  g_assert_no_error (error);
  g_assert_false (tessera_certificate_is_self_signed (certificate));
  g_assert_cmpstr (tessera_certificate_get_subject (certificate), ==, tessera_certificate_get_issuer (certificate));
}

/* PEM and DER */

static void
test_pem_and_der (Fixture      *fixture,
                  gconstpointer data)
{
  const IssueSpec spec = GOOD_SPEC;
  g_autoptr(TesseraCertificate) from_der = issue (fixture, &spec);
  g_autoptr(GBytes) pem = tessera_certificate_dup_pem (from_der);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraCertificate) from_pem = tessera_certificate_new_from_pem (pem, &error);
  g_autoptr(TesseraCertificate) detected_pem = NULL;
  g_autoptr(TesseraCertificate) detected_der = NULL;
  g_autoptr(TesseraCertificate) padded = NULL;
  g_autofree char *pem_text = NULL;
  g_autofree char *padded_text = NULL;
  g_autoptr(GBytes) padded_pem = NULL;
  g_autofree char *path = NULL;
  g_autofree char *info = NULL;
  g_autofree char *certtool_fingerprint = NULL;

  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (pem, NULL), 28, "-----BEGIN CERTIFICATE-----\n", 28);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (from_pem), ==, tessera_certificate_get_fingerprint (from_der));
  g_assert_true (g_bytes_equal (tessera_certificate_get_der (from_pem), tessera_certificate_get_der (from_der)));

  detected_pem = tessera_certificate_new_from_data (pem, &error);
  g_assert_no_error (error);
  detected_der = tessera_certificate_new_from_data (tessera_certificate_get_der (from_der), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (detected_pem), ==, tessera_certificate_get_fingerprint (from_der));
  g_assert_cmpstr (tessera_certificate_get_fingerprint (detected_der), ==, tessera_certificate_get_fingerprint (from_der));

  /* PEM as users paste it: text and blank lines before, a comment after */
  pem_text = g_strndup (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem));
  padded_text = g_strdup_printf ("Issued to alice\n  \n%s\nsaved from somewhere\n", pem_text);
  padded_pem = g_bytes_new (padded_text, strlen (padded_text));
  padded = tessera_certificate_new_from_data (padded_pem, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (padded), ==, tessera_certificate_get_fingerprint (from_der));

  /* certtool reads our PEM and names the same fingerprint */
  path = write_test_file ("issued.pem", pem);
  info = certtool_info (path, FALSE);
  certtool_fingerprint = line_value (info, "sha256:");
  g_assert_cmpstr (certtool_fingerprint, ==, tessera_certificate_get_fingerprint (from_der));
}

/* A certificate made by certtool alone, stored as PEM and as DER. */
static void
test_certtool_fixture (void)
{
  g_autoptr(GBytes) pem = read_fixture ("certtool-rsa2048.pem");
  g_autoptr(GBytes) der = read_fixture ("certtool-rsa2048.der");
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraCertificate) from_pem = tessera_certificate_new_from_data (pem, &error);
  g_autoptr(TesseraCertificate) from_der = NULL;
  const char *path = g_test_get_filename (G_TEST_DIST, "unit", "data", "crypto", "certtool-rsa2048.pem", NULL);
  g_autofree char *info = certtool_info (path, FALSE);
  g_autofree char *subject = line_value (info, "Subject: ");
  g_autofree char *issuer = line_value (info, "Issuer: ");
  g_autofree char *fingerprint = line_value (info, "sha256:");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const char * const *addrs;

  g_assert_no_error (error);
  from_der = tessera_certificate_new_from_data (der, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (tessera_certificate_get_fingerprint (from_pem), ==, fingerprint);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (from_der), ==, fingerprint);
  g_assert_true (g_bytes_equal (tessera_certificate_get_der (from_pem), der));
  {
    /* our PEM is byte for byte what certtool wrote */
    g_autoptr(GBytes) our_pem = tessera_certificate_dup_pem (from_der);

    g_assert_true (g_bytes_equal (our_pem, pem));
  }

  g_assert_cmpstr (tessera_certificate_get_subject (from_der), ==, subject);
  g_assert_cmpstr (tessera_certificate_get_issuer (from_der), ==, issuer);
  g_assert_cmpstr (tessera_certificate_get_key_algorithm (from_der), ==, "RSA");
  g_assert_cmpuint (tessera_certificate_get_key_bits (from_der), ==, 2048);
  g_assert_false (tessera_certificate_get_is_ca (from_der));
  g_assert_false (tessera_certificate_is_self_signed (from_der));

  addrs = tessera_certificate_get_xmpp_addrs (from_der);
  g_assert_cmpuint (g_strv_length ((GStrv) addrs), ==, 2);
  g_assert_cmpstr (addrs[0], ==, "bob@example.net");
  g_assert_cmpstr (addrs[1], ==, "bob@chat.example.net");

  /* 99991231235959Z: no well-defined expiration */
  g_assert_cmpint (g_date_time_get_year (tessera_certificate_get_not_after (from_der)), ==, 9999);
  g_assert_true (tessera_certificate_is_valid_at (from_der, now));
}

static void
test_certtool_ca_fixture (void)
{
  g_autoptr(GBytes) pem = read_fixture ("certtool-ca.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraCertificate) certificate = tessera_certificate_new_from_pem (pem, &error);

  g_assert_no_error (error);
  g_assert_true (tessera_certificate_get_is_ca (certificate));
  g_assert_true (tessera_certificate_is_self_signed (certificate));
  g_assert_cmpstr (tessera_certificate_get_key_algorithm (certificate), ==, "ECDSA P-256");
}

/* Garbage: always INVALID_DATA, never a crash */

static void
assert_invalid (GBytes     *data,
                const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error_der = NULL;
  g_autoptr(GError) error_pem = NULL;
  g_autoptr(TesseraCertificate) certificate = tessera_certificate_new_from_data (data, &error);
  g_autoptr(TesseraCertificate) as_der = tessera_certificate_new_from_der (data, &error_der);
  g_autoptr(TesseraCertificate) as_pem = tessera_certificate_new_from_pem (data, &error_pem);

  g_test_message ("%s", what);
  g_assert_null (certificate);
  g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA);
  g_assert_null (as_der);
  g_assert_error (error_der, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA);
  g_assert_null (as_pem);
  g_assert_error (error_pem, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA);
}

static void
test_garbage (Fixture      *fixture,
              gconstpointer data)
{
  static const char *texts[] = {
    "",
    "hello, world",
    "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\n!!!! not base64 ????\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "-----BEGIN",
  };
  const IssueSpec spec = GOOD_SPEC;
  g_autoptr(TesseraCertificate) good = issue (fixture, &spec);
  GBytes *der = tessera_certificate_get_der (good);
  gsize size = g_bytes_get_size (der);
  g_autoptr(GBytes) key_pem = tessera_key_export_plain (fixture->key, NULL);
  g_autoptr(GByteArray) trailing = g_byte_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (texts[i], strlen (texts[i]));

      assert_invalid (bytes, texts[i]);
    }

  assert_invalid (fixture->csr, "a CSR");
  assert_invalid (key_pem, "a private key");

  /* every truncation of a real certificate */
  for (gsize len = 0; len < size; len += 7)
    {
      g_autoptr(GBytes) cut = g_bytes_new_from_bytes (der, 0, len);

      assert_invalid (cut, "truncated");
    }

  /* a real certificate with a byte after it: the fingerprint would lie */
  g_byte_array_append (trailing, g_bytes_get_data (der, NULL), (guint) size);
  g_byte_array_append (trailing, (const guint8 *) "\0", 1);
  {
    g_autoptr(GBytes) bytes = g_bytes_new (trailing->data, trailing->len);

    assert_invalid (bytes, "trailing byte");
  }

  /* random bytes, some starting like a DER SEQUENCE */
  for (guint i = 0; i < 200; i++)
    {
      guint8 buffer[600];
      guint len = (guint) g_test_rand_int_range (1, sizeof buffer);
      g_autoptr(GBytes) bytes = NULL;

      for (guint j = 0; j < len; j++)
        buffer[j] = (guint8) g_test_rand_int_range (0, 256);
      if (i % 2 == 0)
        {
          buffer[0] = 0x30;
          if (len > 1)
            buffer[1] = 0x82;
        }
      bytes = g_bytes_new (buffer, len);
      assert_invalid (bytes, "random");
    }
}

/* Flipping any single byte of a certificate: either it is refused as
 * INVALID_DATA, or it parses into something consistent. */
static void
test_bit_flips (Fixture      *fixture,
                gconstpointer data)
{
  const IssueSpec spec = GOOD_SPEC;
  g_autoptr(TesseraCertificate) good = issue (fixture, &spec);
  GBytes *der = tessera_certificate_get_der (good);
  gsize size = g_bytes_get_size (der);

  for (gsize i = 0; i < size; i++)
    {
      g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (der, NULL), size);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(TesseraCertificate) certificate = NULL;

      copy[i] ^= 0x80;
      bytes = g_bytes_new (copy, size);
      certificate = tessera_certificate_new_from_der (bytes, &error);
      if (certificate == NULL)
        {
          g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (tessera_certificate_get_fingerprint (certificate), !=, tessera_certificate_get_fingerprint (good));
      g_assert_nonnull (tessera_certificate_get_subject (certificate));
      g_assert_nonnull (tessera_certificate_get_xmpp_addrs (certificate));
      g_assert_true (g_utf8_validate (tessera_certificate_get_subject (certificate), -1, NULL));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (issued_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tessera/certificate/check-issued/%s", issued_cases[i].path);

      g_test_add (path, Fixture, &issued_cases[i], fixture_set_up, test_check_issued, fixture_tear_down);
    }
  g_test_add ("/tessera/certificate/check-issued/at", Fixture, NULL,
              fixture_set_up, test_check_issued_at, fixture_tear_down);
  g_test_add ("/tessera/certificate/check-issued/hostile-xmpp-addrs", Fixture, NULL,
              fixture_set_up, test_hostile_xmpp_addrs, fixture_tear_down);
  g_test_add ("/tessera/certificate/inspect/issued", Fixture, NULL,
              fixture_set_up, test_inspect_issued, fixture_tear_down);
  g_test_add ("/tessera/certificate/inspect/ca", Fixture, NULL,
              fixture_set_up, test_inspect_ca, fixture_tear_down);
  g_test_add_func ("/tessera/certificate/inspect/ed25519", test_inspect_ed25519);
  g_test_add_func ("/tessera/certificate/inspect/self-signed-tampered", test_self_signed_tampered);
  g_test_add_func ("/tessera/certificate/inspect/certtool-fixture", test_certtool_fixture);
  g_test_add_func ("/tessera/certificate/inspect/certtool-ca-fixture", test_certtool_ca_fixture);
  g_test_add ("/tessera/certificate/matches-key", Fixture, NULL,
              fixture_set_up, test_matches_key, fixture_tear_down);
  g_test_add ("/tessera/certificate/pem-and-der", Fixture, NULL,
              fixture_set_up, test_pem_and_der, fixture_tear_down);
  g_test_add ("/tessera/certificate/garbage", Fixture, NULL,
              fixture_set_up, test_garbage, fixture_tear_down);
  g_test_add ("/tessera/certificate/bit-flips", Fixture, NULL,
              fixture_set_up, test_bit_flips, fixture_tear_down);

  return g_test_run ();
}
