/* tessera-certificate.c: read-only view of an X.509 certificate
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-certificate"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "tessera-certificate.h"
#include "tessera-error.h"
#include "tessera-fingerprint.h"
#include "tessera-gnutls-private.h"

#define XMPP_ADDR_OID "1.3.6.1.5.5.7.8.5"

struct _TesseraCertificate
{
  GObject parent_instance;

  GBytes *der;
  char *fingerprint;
  char *subject;
  char *issuer;
  GStrv xmpp_addrs;
  /* FALSE when an xmppAddr did not decode or held a NUL or invalid UTF-8:
   * its shown form is then not what the certificate says. */
  gboolean xmpp_addrs_exact;
  GDateTime *not_before;
  GDateTime *not_after;
  char *key_algorithm;
  guint key_bits;
  gboolean is_ca;
  gboolean key_cert_sign;
  /* Checked when first asked (g_once): 0 not yet, 1 no, 2 yes. A list of
   * thousands of self-signed certificates (XEP-0257) would otherwise cost
   * a signature check each before anyone looks at one. */
  gsize self_signed;
  GBytes *public_key_der;
};

G_DEFINE_FINAL_TYPE (TesseraCertificate, tessera_certificate, G_TYPE_OBJECT)

static void
tessera_certificate_finalize (GObject *object)
{
  TesseraCertificate *self = (TesseraCertificate *) object;

  g_clear_pointer (&self->der, g_bytes_unref);
  g_clear_pointer (&self->fingerprint, g_free);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_clear_pointer (&self->xmpp_addrs, g_strfreev);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);
  g_clear_pointer (&self->key_algorithm, g_free);
  g_clear_pointer (&self->public_key_der, g_bytes_unref);

  G_OBJECT_CLASS (tessera_certificate_parent_class)->finalize (object);
}

static void
tessera_certificate_class_init (TesseraCertificateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_certificate_finalize;
}

static void
tessera_certificate_init (TesseraCertificate *self)
{
}

static gboolean
set_invalid (GError    **error,
             const char *why)
{
  g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA,
               /* Translators: %s says why */
               _("Reading the certificate failed: %s"), why);
  return FALSE;
}

static gboolean
set_gnutls_invalid (GError **error,
                    int      gnutls_code)
{
  /* Whatever GnuTLS stumbled on, for the caller the input is not a
   * certificate it can use. */
  if (gnutls_code != GNUTLS_E_MEMORY_ERROR)
    gnutls_code = GNUTLS_E_CERTIFICATE_ERROR;
  return _tessera_gnutls_set_error (error, gnutls_code, _("Reading the certificate failed"));
}

/* Text for display: valid UTF-8 without NUL bytes. Returns TRUE when that
 * needed no change. */
static gboolean
make_display_text (const guint8 *data,
                   gsize         size,
                   char        **out)
{
  g_autofree char *copy = g_malloc (size + 1);
  gboolean exact = TRUE;

  for (gsize i = 0; i < size; i++)
    {
      copy[i] = data[i] != '\0' ? (char) data[i] : '?';
      exact = exact && data[i] != '\0';
    }
  copy[size] = '\0';

  exact = exact && g_utf8_validate (copy, size, NULL);
  *out = g_utf8_make_valid (copy, size);
  return exact;
}

static gboolean
read_dn (gnutls_x509_crt_t crt,
         gboolean          issuer,
         char            **out,
         GError          **error)
{
  g_auto(gnutls_datum_t) dn = { NULL, 0 };
  int ret = issuer ? gnutls_x509_crt_get_issuer_dn3 (crt, &dn, 0)
                   : gnutls_x509_crt_get_dn3 (crt, &dn, 0);

  if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
    {
      *out = g_strdup ("");
      return TRUE;
    }
  if (ret < 0)
    return set_gnutls_invalid (error, ret);

  make_display_text (dn.data, dn.size, out);
  return TRUE;
}

static void
add_xmpp_addr (TesseraCertificate *self,
               GPtrArray          *addrs,
               const char         *oid,
               gnutls_datum_t     *othername)
{
  g_auto(gnutls_datum_t) virt = { NULL, 0 };
  unsigned int virt_type = 0;
  char *text = NULL;

  if (gnutls_x509_othername_to_virtual (oid, othername, &virt_type, &virt) < 0 ||
      virt_type != GNUTLS_SAN_OTHERNAME_XMPP)
    {
      /* Undecodable, but it is there and counts as one address. */
      self->xmpp_addrs_exact = FALSE;
      g_ptr_array_add (addrs, g_strdup ("\xef\xbf\xbd"));
      return;
    }

  if (!make_display_text (virt.data, virt.size, &text))
    self->xmpp_addrs_exact = FALSE;
  g_ptr_array_add (addrs, text);
}

static gboolean
collect_xmpp_addrs (TesseraCertificate   *self,
                    const gnutls_datum_t *extension,
                    GPtrArray            *addrs,
                    GError              **error)
{
  g_auto(gnutls_subject_alt_names_t) sans = NULL;
  int ret;

  if ((ret = gnutls_subject_alt_names_init (&sans)) < 0 ||
      (ret = gnutls_x509_ext_import_subject_alt_names (extension, sans, 0)) < 0)
    return set_gnutls_invalid (error, ret);

  for (guint i = 0;; i++)
    {
      gnutls_datum_t san = { NULL, 0 };
      gnutls_datum_t oid = { NULL, 0 };
      unsigned int type = 0;
      g_autofree char *oid_text = NULL;

      ret = gnutls_subject_alt_names_get (sans, i, &type, &san, &oid);
      if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (ret < 0)
        return set_gnutls_invalid (error, ret);
      if (type != GNUTLS_SAN_OTHERNAME || oid.data == NULL)
        continue;

      oid_text = g_strndup ((const char *) oid.data, oid.size);
      if (g_str_equal (oid_text, XMPP_ADDR_OID))
        add_xmpp_addr (self, addrs, oid_text, &san);
    }

  return TRUE;
}

/* Every subjectAltName extension counts: a certificate that smuggles a
 * second one in must not pass as carrying a single identity. */
static gboolean
read_xmpp_addrs (TesseraCertificate *self,
                 gnutls_x509_crt_t   crt,
                 GError            **error)
{
  g_autoptr(GPtrArray) addrs = g_ptr_array_new_with_free_func (g_free);

  self->xmpp_addrs_exact = TRUE;
  for (guint i = 0;; i++)
    {
      g_auto(gnutls_datum_t) extension = { NULL, 0 };
      unsigned int critical = 0;
      int ret = gnutls_x509_crt_get_extension_by_oid2 (crt, GNUTLS_X509EXT_OID_SAN, i, &extension, &critical);

      if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (ret < 0)
        return set_gnutls_invalid (error, ret);
      if (!collect_xmpp_addrs (self, &extension, addrs, error))
        return FALSE;
    }

  g_ptr_array_add (addrs, NULL);
  self->xmpp_addrs = (GStrv) g_ptr_array_free (g_steal_pointer (&addrs), FALSE);
  return TRUE;
}

static gboolean
read_validity (TesseraCertificate *self,
               gnutls_x509_crt_t   crt,
               GError            **error)
{
  time_t not_before = gnutls_x509_crt_get_activation_time (crt);
  time_t not_after = gnutls_x509_crt_get_expiration_time (crt);

  if (not_before == (time_t) -1)
    return set_invalid (error, _("its start of validity is unreadable"));

  self->not_before = g_date_time_new_from_unix_utc ((gint64) not_before);
  /* RFC 5280 §4.1.2.5: 99991231235959Z means "no well-defined expiration",
   * which GnuTLS reports as -1. */
  if (not_after == (time_t) -1)
    self->not_after = g_date_time_new_utc (9999, 12, 31, 23, 59, 59);
  else
    self->not_after = g_date_time_new_from_unix_utc ((gint64) not_after);

  if (self->not_before == NULL || self->not_after == NULL)
    return set_invalid (error, _("its validity period is out of range"));
  return TRUE;
}

static char *
describe_key_algorithm (gnutls_pubkey_t pubkey,
                        int             algo)
{
  gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
  const char *name;

  switch (algo)
    {
    case GNUTLS_PK_ECDSA:
      if (gnutls_pubkey_export_ecc_raw2 (pubkey, &curve, NULL, NULL, 0) < 0)
        return g_strdup ("ECDSA");
      if (curve == GNUTLS_ECC_CURVE_SECP256R1)
        return g_strdup ("ECDSA P-256");
      if (curve == GNUTLS_ECC_CURVE_SECP384R1)
        return g_strdup ("ECDSA P-384");
      if (curve == GNUTLS_ECC_CURVE_SECP521R1)
        return g_strdup ("ECDSA P-521");
      return g_strdup_printf ("ECDSA %s", gnutls_ecc_curve_get_name (curve));

    case GNUTLS_PK_EDDSA_ED25519:
      return g_strdup ("Ed25519");

    case GNUTLS_PK_EDDSA_ED448:
      return g_strdup ("Ed448");

    case GNUTLS_PK_RSA:
      return g_strdup ("RSA");

    case GNUTLS_PK_RSA_PSS:
      return g_strdup ("RSA-PSS");

    default:
      name = gnutls_pk_get_name (algo);
      return g_strdup (name != NULL ? name : "unknown");
    }
}

static gboolean
read_public_key (TesseraCertificate *self,
                 gnutls_x509_crt_t   crt,
                 GError            **error)
{
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  g_auto(gnutls_datum_t) spki = { NULL, 0 };
  unsigned int bits = 0;
  int algo;
  int ret;

  if ((ret = gnutls_pubkey_init (&pubkey)) < 0 ||
      (ret = gnutls_pubkey_import_x509 (pubkey, crt, 0)) < 0 ||
      (ret = gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &spki)) < 0)
    return set_gnutls_invalid (error, ret);

  algo = gnutls_pubkey_get_pk_algorithm (pubkey, &bits);
  self->key_algorithm = describe_key_algorithm (pubkey, algo);
  self->key_bits = bits;
  self->public_key_der = g_bytes_new (spki.data, spki.size);
  return TRUE;
}

static void
read_constraints (TesseraCertificate *self,
                  gnutls_x509_crt_t   crt)
{
  unsigned int critical = 0;
  unsigned int ca = 0;
  unsigned int usage = 0;
  int pathlen = -1;
  int ret;

  ret = gnutls_x509_crt_get_basic_constraints (crt, &critical, &ca, &pathlen);
  /* An unreadable basicConstraints might say CA: assume it does. */
  self->is_ca = ret >= 0 ? ca != 0 : ret != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE;

  ret = gnutls_x509_crt_get_key_usage (crt, &usage, &critical);
  self->key_cert_sign = ret >= 0 ? (usage & GNUTLS_KEY_KEY_CERT_SIGN) != 0
                                 : ret != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE;
}

/* Issuer equals subject and the certificate's own key verifies its
 * signature. GnuTLS trusts a certificate found in the trusted list without
 * checking it, hence DO_NOT_ALLOW_SAME; CA_SIGN and times are not the
 * question here. */
static gboolean
check_self_signed (gnutls_x509_crt_t crt)
{
  unsigned int status = 0;
  unsigned int flags = GNUTLS_VERIFY_DO_NOT_ALLOW_SAME |
                       GNUTLS_VERIFY_DISABLE_CA_SIGN |
                       GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                       GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS;

  if (!gnutls_x509_crt_check_issuer (crt, crt))
    return FALSE;
  if (gnutls_x509_crt_verify (crt, &crt, 1, flags, &status) < 0)
    return FALSE;
  return status == 0;
}

static TesseraCertificate *
certificate_new (gnutls_x509_crt_t crt,
                 GBytes           *der,
                 GError          **error)
{
  g_autoptr(TesseraCertificate) self = g_object_new (TESSERA_TYPE_CERTIFICATE, NULL);

  self->der = g_bytes_ref (der);
  self->fingerprint = tessera_fingerprint_compute (der);

  if (!read_dn (crt, FALSE, &self->subject, error) ||
      !read_dn (crt, TRUE, &self->issuer, error) ||
      !read_xmpp_addrs (self, crt, error) ||
      !read_validity (self, crt, error) ||
      !read_public_key (self, crt, error))
    return NULL;

  read_constraints (self, crt);
  return g_steal_pointer (&self);
}

static gboolean
datum_from_bytes (GBytes         *bytes,
                  gnutls_datum_t *datum,
                  GError        **error)
{
  gsize size;

  datum->data = (unsigned char *) g_bytes_get_data (bytes, &size);
  if (size == 0)
    return set_invalid (error, _("it is empty"));
  if (size > G_MAXUINT)
    return set_invalid (error, _("it is too large"));
  datum->size = (unsigned int) size;
  return TRUE;
}

TesseraCertificate *
tessera_certificate_new_from_der (GBytes  *der,
                                  GError **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_datum_t) exported = { NULL, 0 };
  gnutls_datum_t datum;
  int ret;

  g_return_val_if_fail (der != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!datum_from_bytes (der, &datum, error))
    return NULL;

  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER)) < 0 ||
      (ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &exported)) < 0)
    {
      set_gnutls_invalid (error, ret);
      return NULL;
    }

  /* The fingerprint covers the bytes as given: they must be exactly one
   * certificate, nothing before or after it. */
  if (exported.size != datum.size || memcmp (exported.data, datum.data, datum.size) != 0)
    {
      set_invalid (error, _("there is other data around the certificate"));
      return NULL;
    }

  return certificate_new (crt, der, error);
}

TesseraCertificate *
tessera_certificate_new_from_pem (GBytes  *pem,
                                  GError **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_datum_t) exported = { NULL, 0 };
  g_autoptr(GBytes) der = NULL;
  gnutls_datum_t datum;
  int ret;

  g_return_val_if_fail (pem != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!datum_from_bytes (pem, &datum, error))
    return NULL;

  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM)) < 0 ||
      (ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &exported)) < 0)
    {
      set_gnutls_invalid (error, ret);
      return NULL;
    }

  der = g_bytes_new (exported.data, exported.size);
  return certificate_new (crt, der, error);
}

TesseraCertificate *
tessera_certificate_new_from_data (GBytes  *der_or_pem,
                                   GError **error)
{
  const char *data;
  gsize size;

  g_return_val_if_fail (der_or_pem != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* DER starts with a SEQUENCE tag; anything else can only be PEM, which
   * may have text around it. */
  data = g_bytes_get_data (der_or_pem, &size);
  if (size > 0 && (guint8) data[0] == 0x30)
    return tessera_certificate_new_from_der (der_or_pem, error);
  return tessera_certificate_new_from_pem (der_or_pem, error);
}

GBytes *
tessera_certificate_get_der (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), NULL);

  return self->der;
}

GBytes *
tessera_certificate_dup_pem (TesseraCertificate *self)
{
  g_autofree char *base64 = NULL;
  GString *pem;
  gsize len;

  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), NULL);

  /* RFC 7468: base64 in lines of 64 characters between the labels. */
  base64 = g_base64_encode (g_bytes_get_data (self->der, NULL), g_bytes_get_size (self->der));
  len = strlen (base64);
  pem = g_string_new ("-----BEGIN CERTIFICATE-----\n");
  for (gsize i = 0; i < len; i += 64)
    {
      g_string_append_len (pem, base64 + i, MIN (64, len - i));
      g_string_append_c (pem, '\n');
    }
  g_string_append (pem, "-----END CERTIFICATE-----\n");

  return g_string_free_to_bytes (pem);
}

const char *
tessera_certificate_get_fingerprint (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), NULL);

  return self->fingerprint;
}

const char *
tessera_certificate_get_subject (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), NULL);

  return self->subject;
}

const char *
tessera_certificate_get_issuer (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), NULL);

  return self->issuer;
}

const char * const *
tessera_certificate_get_xmpp_addrs (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), NULL);

  return (const char * const *) self->xmpp_addrs;
}

GDateTime *
tessera_certificate_get_not_before (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), NULL);

  return self->not_before;
}

GDateTime *
tessera_certificate_get_not_after (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), NULL);

  return self->not_after;
}

const char *
tessera_certificate_get_key_algorithm (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), NULL);

  return self->key_algorithm;
}

guint
tessera_certificate_get_key_bits (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), 0);

  return self->key_bits;
}

gboolean
tessera_certificate_get_is_ca (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), FALSE);

  return self->is_ca;
}

static gboolean
der_is_self_signed (GBytes *der)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t datum;

  /* The bytes parsed once already: only a memory error can fail here. */
  if (!datum_from_bytes (der, &datum, NULL) ||
      gnutls_x509_crt_init (&crt) < 0 ||
      gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) < 0)
    return FALSE;
  return check_self_signed (crt);
}

gboolean
tessera_certificate_is_self_signed (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), FALSE);

  if (g_once_init_enter (&self->self_signed))
    g_once_init_leave (&self->self_signed, der_is_self_signed (self->der) ? 2 : 1);
  return self->self_signed == 2;
}

GBytes *
tessera_certificate_get_public_key_der (TesseraCertificate *self)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), NULL);

  return self->public_key_der;
}

gboolean
tessera_certificate_is_valid_at (TesseraCertificate *self,
                                 GDateTime          *when)
{
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), FALSE);

  if (when == NULL)
    when = now = g_date_time_new_now_utc ();

  return g_date_time_compare (self->not_before, when) <= 0 &&
         g_date_time_compare (when, self->not_after) <= 0;
}

gboolean
tessera_certificate_matches_key (TesseraCertificate *self,
                                 TesseraKey         *key)
{
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), FALSE);
  g_return_val_if_fail (TESSERA_IS_KEY (key), FALSE);

  return g_bytes_equal (self->public_key_der, tessera_key_get_public_key_der (key));
}

static gboolean
check_identity (TesseraCertificate *self,
                const char         *bare_jid,
                const char         *what,
                GError            **error)
{
  guint n = g_strv_length (self->xmpp_addrs);

  if (n == 0)
    g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_IDENTITY,
                 _("%s: it carries no XMPP address"), what);
  else if (n > 1)
    g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_IDENTITY,
                 _("%s: it carries %u XMPP addresses instead of one"), what, n);
  else if (!self->xmpp_addrs_exact || !g_str_equal (self->xmpp_addrs[0], bare_jid))
    g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_IDENTITY,
                 /* Translators: "<what failed>: it is for “<jid>”, not for “<jid>”" */
                 _("%s: it is for “%s”, not for “%s”"), what, self->xmpp_addrs[0], bare_jid);
  else
    return TRUE;

  return FALSE;
}

static gboolean
check_validity (TesseraCertificate *self,
                GDateTime          *now,
                const char         *what,
                GError            **error)
{
  g_autofree char *when = NULL;

  if (tessera_certificate_is_valid_at (self, now))
    return TRUE;

  if (now != NULL && g_date_time_compare (now, self->not_before) < 0)
    {
      when = g_date_time_format (self->not_before, "%Y-%m-%d %H:%M:%S UTC");
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_NOT_VALID_NOW,
                   _("%s: it is only valid from %s"), what, when);
    }
  else
    {
      when = g_date_time_format (self->not_after, "%Y-%m-%d %H:%M:%S UTC");
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_NOT_VALID_NOW,
                   _("%s: it expired on %s"), what, when);
    }
  return FALSE;
}

gboolean
tessera_certificate_check_issued (TesseraCertificate *self,
                                  TesseraKey         *key,
                                  const char         *bare_jid,
                                  GDateTime          *now,
                                  GError            **error)
{
  const char *what = _("Checking the issued certificate failed");
  g_autoptr(GDateTime) current = NULL;

  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (self), FALSE);
  g_return_val_if_fail (TESSERA_IS_KEY (key), FALSE);
  g_return_val_if_fail (bare_jid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (now == NULL)
    now = current = g_date_time_new_now_utc ();

  if (!tessera_certificate_matches_key (self, key))
    {
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_KEY_MISMATCH,
                   _("%s: it is for another key"), what);
      return FALSE;
    }

  if (!check_identity (self, bare_jid, what, error))
    return FALSE;

  if (self->is_ca || self->key_cert_sign)
    {
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_IS_CA,
                   _("%s: it is a certificate authority’s certificate"), what);
      return FALSE;
    }

  return check_validity (self, now, what, error);
}

/**
 * tessera_certificate_new_self_signed:
 *
 * tessera_key_create_self_signed(), and the checks applied to issued
 * certificates on what it made: the certificate we upload (XEP-0257) must
 * pass them as well, and its self-signature must verify.
 */
TesseraCertificate *
tessera_certificate_new_self_signed (TesseraKey  *key,
                                     const char  *bare_jid,
                                     guint        lifetime_days,
                                     GError     **error)
{
  g_autoptr(GBytes) der = NULL;
  g_autoptr(TesseraCertificate) certificate = NULL;

  g_return_val_if_fail (TESSERA_IS_KEY (key), NULL);
  g_return_val_if_fail (bare_jid != NULL, NULL);

  der = tessera_key_create_self_signed (key, bare_jid, lifetime_days, error);
  if (der == NULL)
    return NULL;
  certificate = tessera_certificate_new_from_der (der, error);
  if (certificate == NULL ||
      !tessera_certificate_check_issued (certificate, key, bare_jid, NULL, error))
    return NULL;
  if (!tessera_certificate_is_self_signed (certificate))
    {
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_BAD_SIGNATURE,
                   _("%s: its signature does not verify"), _("Creating the self-signed certificate failed"));
      return NULL;
    }

  return g_steal_pointer (&certificate);
}
