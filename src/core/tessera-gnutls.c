/* tessera-gnutls.c: what every file that calls GnuTLS shares
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-error.h"
#include "tessera-gnutls-private.h"

/* The one place where GnuTLS error codes become GErrors. */
gboolean
_tessera_gnutls_set_error (GError    **error,
                           int         gnutls_code,
                           const char *what)
{
  TesseraCryptoError code;

  switch (gnutls_code)
    {
    case GNUTLS_E_DECRYPTION_FAILED:
      code = TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE;
      break;

    case GNUTLS_E_PK_SIG_VERIFY_FAILED:
      code = TESSERA_CRYPTO_ERROR_BAD_SIGNATURE;
      break;

    case GNUTLS_E_UNKNOWN_PK_ALGORITHM:
    case GNUTLS_E_UNKNOWN_ALGORITHM:
    case GNUTLS_E_ECC_UNSUPPORTED_CURVE:
    case GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM:
      code = TESSERA_CRYPTO_ERROR_UNSUPPORTED_KEY_TYPE;
      break;

    case GNUTLS_E_BASE64_DECODING_ERROR:
    case GNUTLS_E_BASE64_UNEXPECTED_HEADER_ERROR:
    case GNUTLS_E_ASN1_ELEMENT_NOT_FOUND:
    case GNUTLS_E_ASN1_IDENTIFIER_NOT_FOUND:
    case GNUTLS_E_ASN1_DER_ERROR:
    case GNUTLS_E_ASN1_VALUE_NOT_FOUND:
    case GNUTLS_E_ASN1_GENERIC_ERROR:
    case GNUTLS_E_ASN1_VALUE_NOT_VALID:
    case GNUTLS_E_ASN1_TAG_ERROR:
    case GNUTLS_E_ASN1_TAG_IMPLICIT:
    case GNUTLS_E_ASN1_TYPE_ANY_ERROR:
    case GNUTLS_E_ASN1_SYNTAX_ERROR:
    case GNUTLS_E_ASN1_DER_OVERFLOW:
    case GNUTLS_E_ASN1_TIME_ERROR:
    case GNUTLS_E_CERTIFICATE_ERROR:
    case GNUTLS_E_CERTIFICATE_TIME_ERROR:
    case GNUTLS_E_X509_UNSUPPORTED_EXTENSION:
    case GNUTLS_E_X509_UNSUPPORTED_ATTRIBUTE:
    case GNUTLS_E_X509_DUPLICATE_EXTENSION:
    case GNUTLS_E_X509_UNKNOWN_SAN:
    case GNUTLS_E_X509_UNSUPPORTED_CRITICAL_EXTENSION:
    case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
    case GNUTLS_E_MPI_SCAN_FAILED:
    case GNUTLS_E_PARSING_ERROR:
    case GNUTLS_E_ILLEGAL_PARAMETER:
    case GNUTLS_E_INVALID_REQUEST:
    case GNUTLS_E_PK_INVALID_PUBKEY:
    case GNUTLS_E_PK_INVALID_PRIVKEY:
    case GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE:
      code = TESSERA_CRYPTO_ERROR_INVALID_DATA;
      break;

    default:
      code = TESSERA_CRYPTO_ERROR_FAILED;
      break;
    }

  /* Translators: "<what failed>: <GnuTLS's reason>" */
  g_set_error (error, TESSERA_CRYPTO_ERROR, code, _("%s: %s"), what, gnutls_strerror (gnutls_code));
  return FALSE;
}
