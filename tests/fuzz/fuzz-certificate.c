/* fuzz-certificate.c: certificate inspection on hostile DER and PEM
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is what a server could put in <x509certificate> or <x509cert>
 * (after base64), or what a user could import: DER, PEM, or anything else.
 * Every certificate that parses is read the way the details view and the
 * enrollment checks read it.
 */

#include "config.h"

#include <string.h>

#include "tessera-certificate.h"
#include "tessera-crypto.h"
#include "tessera-error.h"
#include "tessera-fingerprint.h"

#include "fuzz-common.h"

#define ALICE "alice@example.org"

/* A throwaway P-256 test key, public on purpose: the same as seed-key.pem,
 * for which make-seeds.sh makes some of the corpus certificates, so that
 * tessera_certificate_check_issued() gets past its key check. */
static const char seed_key_pem[] =
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQQjaoHWRRWEfVDT5\n"
  "z+Okk64bBPxBkEvQmSjwHIrHnemhRANCAARTwh53xX5uZKZ4OY4H9EWYtHoaJTR6\n"
  "wXRCjp/uiLUChy+pVlrcIacaGjGIXs6X35CFdgMW65wqay0vhFtpmjaj\n"
  "-----END PRIVATE KEY-----\n";

static TesseraKey *
get_seed_key (void)
{
  static TesseraKey *key;

  if (key == NULL)
    {
      g_autoptr(GBytes) pem = g_bytes_new_static (seed_key_pem, strlen (seed_key_pem));
      g_autoptr(GError) error = NULL;

      key = tessera_key_new_from_pem (pem, NULL, &error);
      if (key == NULL)
        tessera_fuzz_fail (G_STRLOC, error->message);
    }
  return key;
}

static gboolean
same_fingerprint (TesseraCertificate *a,
                  TesseraCertificate *b)
{
  return a != NULL && b != NULL &&
         g_strcmp0 (tessera_certificate_get_fingerprint (a), tessera_certificate_get_fingerprint (b)) == 0;
}

/* A certificate read back from its own DER and PEM is the same one. */
static void
check_round_trips (TesseraCertificate *certificate)
{
  g_autoptr(GBytes) pem = tessera_certificate_dup_pem (certificate);
  g_autoptr(TesseraCertificate) from_der = NULL;
  g_autoptr(TesseraCertificate) from_pem = NULL;
  g_autofree char *fingerprint = NULL;

  fingerprint = tessera_fingerprint_compute (tessera_certificate_get_der (certificate));
  tessera_fuzz_check (g_strcmp0 (fingerprint, tessera_certificate_get_fingerprint (certificate)) == 0,
                      "the fingerprint is the SHA-256 of the DER");

  from_der = tessera_certificate_new_from_der (tessera_certificate_get_der (certificate), NULL);
  tessera_fuzz_check (same_fingerprint (certificate, from_der), "a certificate's own DER reads back");
  tessera_fuzz_check (pem != NULL, "a certificate has a PEM form");
  from_pem = tessera_certificate_new_from_pem (pem, NULL);
  tessera_fuzz_check (same_fingerprint (certificate, from_pem), "a certificate's own PEM reads back");
}

static void
check_issued (TesseraCertificate *certificate)
{
  g_autoptr(GDateTime) when = g_date_time_new_utc (2027, 6, 1, 12, 0, 0);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = tessera_certificate_check_issued (certificate, get_seed_key (), ALICE, when, &error);
  tessera_fuzz_check (ok == (error == NULL), "check_issued fails exactly when it sets an error");
  tessera_fuzz_check (ok || error->domain == TESSERA_CRYPTO_ERROR,
                      "check_issued fails with a crypto error");
  tessera_fuzz_check (!ok || tessera_certificate_matches_key (certificate, get_seed_key ()),
                      "an accepted certificate holds the key");
  tessera_fuzz_check (!ok || !tessera_certificate_get_is_ca (certificate),
                      "an accepted certificate is not a CA");
  tessera_fuzz_check (!ok || tessera_certificate_is_valid_at (certificate, when),
                      "an accepted certificate is valid at the time of the check");
}

static void
inspect (TesseraCertificate *certificate)
{
  const char * const *addrs = tessera_certificate_get_xmpp_addrs (certificate);
  GDateTime *not_before = tessera_certificate_get_not_before (certificate);
  GDateTime *not_after = tessera_certificate_get_not_after (certificate);
  const char *fingerprint = tessera_certificate_get_fingerprint (certificate);

  tessera_fuzz_check (fingerprint != NULL && strlen (fingerprint) == TESSERA_FINGERPRINT_HEX_LEN &&
                      strspn (fingerprint, "0123456789abcdef") == TESSERA_FINGERPRINT_HEX_LEN,
                      "the fingerprint is 64 lowercase hex digits");
  tessera_fuzz_check (g_utf8_validate (tessera_certificate_get_subject (certificate), -1, NULL),
                      "the subject is valid UTF-8");
  tessera_fuzz_check (g_utf8_validate (tessera_certificate_get_issuer (certificate), -1, NULL),
                      "the issuer is valid UTF-8");
  tessera_fuzz_check (addrs != NULL, "the xmppAddr list is never NULL");
  for (; *addrs != NULL; addrs++)
    tessera_fuzz_check (g_utf8_validate (*addrs, -1, NULL), "an xmppAddr is valid UTF-8");
  tessera_fuzz_check (not_before != NULL && not_after != NULL, "a certificate has validity dates");
  tessera_fuzz_check (tessera_certificate_get_key_algorithm (certificate) != NULL,
                      "a certificate has a key algorithm");

  (void) tessera_certificate_get_key_bits (certificate);
  (void) tessera_certificate_is_self_signed (certificate);
  (void) tessera_certificate_get_public_key_der (certificate);
  (void) tessera_certificate_is_valid_at (certificate, NULL);

  check_round_trips (certificate);
  check_issued (certificate);
}

static void
check_result (TesseraCertificate *certificate,
              GError             *error)
{
  tessera_fuzz_check ((certificate == NULL) != (error == NULL), "a certificate or an error");
  if (certificate != NULL)
    inspect (certificate);
  else
    tessera_fuzz_check (error->domain == TESSERA_CRYPTO_ERROR, "a crypto error for unreadable input");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) input = NULL;
  g_autoptr(TesseraCertificate) any = NULL;
  g_autoptr(TesseraCertificate) der = NULL;
  g_autoptr(TesseraCertificate) pem = NULL;
  g_autoptr(GError) any_error = NULL;
  g_autoptr(GError) der_error = NULL;
  g_autoptr(GError) pem_error = NULL;

  tessera_fuzz_init ();

  input = g_bytes_new (data, size);
  any = tessera_certificate_new_from_data (input, &any_error);
  check_result (any, any_error);
  der = tessera_certificate_new_from_der (input, &der_error);
  check_result (der, der_error);
  pem = tessera_certificate_new_from_pem (input, &pem_error);
  check_result (pem, pem_error);

  /* new_from_data is new_from_der or new_from_pem, never a third reading. */
  tessera_fuzz_check (any == NULL || same_fingerprint (any, der) || same_fingerprint (any, pem),
                      "new_from_data reads what new_from_der or new_from_pem reads");
  return 0;
}
