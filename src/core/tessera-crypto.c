/* tessera-crypto.c: private keys, certificate requests and self-signed certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-crypto"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "tessera-crypto.h"
#include "tessera-error.h"
#include "tessera-gnutls-private.h"

#define RANDOM_PASSPHRASE_BYTES 32
#define SERIAL_BYTES            16
#define MAX_LIFETIME_DAYS       36500
#define MIN_RSA_BITS            2048
/* id-on-xmppAddr (RFC 6120 §13.7.1.4) */
#define XMPP_ADDR_OID           "1.3.6.1.5.5.7.8.5"
/* GNUTLS_SAN_OTHERNAME_XMPP would convert a non-ASCII JID to IDNA (and, for
 * "jürgen@example.org", drop the '@' on the way): the xmppAddr is a
 * UTF8String of the JID as it is, so it is encoded explicitly. */
#define XMPP_ADDR_FLAGS         (GNUTLS_FSAN_SET | GNUTLS_FSAN_ENCODE_UTF8_STRING)

struct _TesseraKey
{
  GObject parent_instance;

  /* GnuTLS objects are not documented as safe for concurrent use: every
   * call that reads the private key holds this lock. */
  GMutex lock;
  gnutls_x509_privkey_t x509;

  TesseraKeyType type;
  guint bits;
  GBytes *public_key_der;
  char *public_key_id;
};

G_DEFINE_FINAL_TYPE (TesseraKey, tessera_key, G_TYPE_OBJECT)

/* Key types */

static const struct {
  const char *name;
  const char *label;
} key_types[] = {
  [TESSERA_KEY_TYPE_ECDSA_P256] = { "ecdsa-p256", N_("ECDSA P-256 (recommended)") },
  [TESSERA_KEY_TYPE_ED25519] = { "ed25519", N_("Ed25519 (not accepted by every server)") },
  [TESSERA_KEY_TYPE_RSA3072] = { "rsa3072", N_("RSA 3072-bit (slow to generate)") },
};

static gboolean
key_type_is_valid (TesseraKeyType type)
{
  return (guint) type < G_N_ELEMENTS (key_types);
}

const char *
tessera_key_type_to_string (TesseraKeyType type)
{
  g_return_val_if_fail (key_type_is_valid (type), NULL);

  return key_types[type].name;
}

gboolean
tessera_key_type_from_string (const char     *text,
                              TesseraKeyType *type)
{
  g_return_val_if_fail (type != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      if (g_str_equal (text, key_types[i].name))
        {
          *type = (TesseraKeyType) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
tessera_key_type_get_label (TesseraKeyType type)
{
  g_return_val_if_fail (key_type_is_valid (type), NULL);

  return _(key_types[type].label);
}

/* TesseraKey */

static void
tessera_key_finalize (GObject *object)
{
  TesseraKey *self = (TesseraKey *) object;

  /* gnutls_x509_privkey_deinit() wipes the secret parameters. */
  g_clear_pointer (&self->x509, gnutls_x509_privkey_deinit);
  g_clear_pointer (&self->public_key_der, g_bytes_unref);
  g_clear_pointer (&self->public_key_id, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tessera_key_parent_class)->finalize (object);
}

static void
tessera_key_class_init (TesseraKeyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_key_finalize;
}

static void
tessera_key_init (TesseraKey *self)
{
  g_mutex_init (&self->lock);
}

/* A privkey view of the key for signing; it does not copy the key, so the
 * caller holds the lock while it is in use. */
static int
key_get_privkey (TesseraKey       *self,
                 gnutls_privkey_t *out)
{
  g_auto(gnutls_privkey_t) privkey = NULL;
  int ret;

  if ((ret = gnutls_privkey_init (&privkey)) < 0 ||
      (ret = gnutls_privkey_import_x509 (privkey, self->x509, 0)) < 0)
    return ret;

  *out = g_steal_pointer (&privkey);
  return 0;
}

static gboolean
classify_public_key (gnutls_pubkey_t  pubkey,
                     TesseraKeyType  *type,
                     guint           *bits,
                     GError         **error)
{
  const char *what = _("Reading the private key failed");
  gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
  unsigned int pk_bits = 0;
  int algo = gnutls_pubkey_get_pk_algorithm (pubkey, &pk_bits);

  *bits = pk_bits;
  switch (algo)
    {
    case GNUTLS_PK_ECDSA:
      if (gnutls_pubkey_export_ecc_raw2 (pubkey, &curve, NULL, NULL, 0) >= 0 &&
          curve == GNUTLS_ECC_CURVE_SECP256R1)
        {
          *type = TESSERA_KEY_TYPE_ECDSA_P256;
          return TRUE;
        }
      break;

    case GNUTLS_PK_EDDSA_ED25519:
      *type = TESSERA_KEY_TYPE_ED25519;
      return TRUE;

    case GNUTLS_PK_RSA:
      if (pk_bits >= MIN_RSA_BITS)
        {
          *type = TESSERA_KEY_TYPE_RSA3072;
          return TRUE;
        }
      break;

    default:
      break;
    }

  g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_UNSUPPORTED_KEY_TYPE,
               /* Translators: "<what failed>: <key algorithm> keys of <n> bits are not supported" */
               _("%s: %s keys of %u bits are not supported"),
               what, gnutls_pk_get_name (algo) ? gnutls_pk_get_name (algo) : "?", pk_bits);
  return FALSE;
}

/* Takes ownership of @x509 and fills in everything a TesseraKey knows
 * about itself, so the object never changes afterwards. */
static TesseraKey *
key_new_take (gnutls_x509_privkey_t   x509,
              GError                **error)
{
  g_autoptr(TesseraKey) self = g_object_new (TESSERA_TYPE_KEY, NULL);
  g_auto(gnutls_privkey_t) privkey = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  g_auto(gnutls_datum_t) spki = { NULL, 0 };
  int ret;

  self->x509 = x509;
  if ((ret = key_get_privkey (self, &privkey)) < 0 ||
      (ret = gnutls_pubkey_init (&pubkey)) < 0 ||
      (ret = gnutls_pubkey_import_privkey (pubkey, privkey, 0, 0)) < 0 ||
      (ret = gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &spki)) < 0)
    {
      _tessera_gnutls_set_error (error, ret, _("Reading the public key failed"));
      return NULL;
    }

  if (!classify_public_key (pubkey, &self->type, &self->bits, error))
    return NULL;

  self->public_key_der = g_bytes_new (spki.data, spki.size);
  self->public_key_id = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, self->public_key_der);
  return g_steal_pointer (&self);
}

static gboolean
key_type_parameters (TesseraKeyType          type,
                     gnutls_pk_algorithm_t  *algo,
                     unsigned int           *bits,
                     GError                **error)
{
  switch (type)
    {
    case TESSERA_KEY_TYPE_ECDSA_P256:
      *algo = GNUTLS_PK_ECDSA;
      *bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1);
      return TRUE;

    case TESSERA_KEY_TYPE_ED25519:
      *algo = GNUTLS_PK_EDDSA_ED25519;
      *bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_ED25519);
      return TRUE;

    case TESSERA_KEY_TYPE_RSA3072:
      *algo = GNUTLS_PK_RSA;
      *bits = 3072;
      return TRUE;

    default:
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_UNSUPPORTED_KEY_TYPE,
                   _("Generating the key failed: unknown key type %d"), (int) type);
      return FALSE;
    }
}

TesseraKey *
tessera_key_generate (TesseraKeyType type,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_auto(gnutls_x509_privkey_t) x509 = NULL;
  gnutls_pk_algorithm_t algo;
  unsigned int bits;
  int ret;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!key_type_parameters (type, &algo, &bits, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  g_debug ("Generating a %s key", key_types[type].name);
  if ((ret = gnutls_x509_privkey_init (&x509)) < 0 ||
      (ret = gnutls_x509_privkey_generate2 (x509, algo, bits, 0, NULL, 0)) < 0)
    {
      _tessera_gnutls_set_error (error, ret, _("Generating the key failed"));
      return NULL;
    }

  /* GnuTLS cannot be interrupted; a key nobody waits for any more is dropped. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return key_new_take (g_steal_pointer (&x509), error);
}

static void
generate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  TesseraKeyType type = (TesseraKeyType) GPOINTER_TO_INT (task_data);
  GError *error = NULL;
  TesseraKey *key;

  key = tessera_key_generate (type, cancellable, &error);
  if (key == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, g_object_unref);
}

void
tessera_key_generate_async (TesseraKeyType      type,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_key_generate_async);
  g_task_set_task_data (task, GINT_TO_POINTER (type), NULL);
  /* RSA takes seconds: a cancelled caller gets its answer at once and the
   * worker's late key is discarded by GTask. */
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, generate_thread);
}

TesseraKey *
tessera_key_generate_finish (GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_key_generate_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

TesseraKey *
tessera_key_new_from_pem (GBytes     *pem,
                          const char *passphrase,
                          GError    **error)
{
  const char *what = _("Reading the private key failed");
  g_auto(gnutls_x509_privkey_t) x509 = NULL;
  gnutls_datum_t datum;
  gboolean encrypted;
  gsize size;
  int ret;

  g_return_val_if_fail (pem != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  datum.data = (unsigned char *) g_bytes_get_data (pem, &size);
  if (size == 0 || size > G_MAXUINT)
    {
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA,
                   _("%s: the file is empty or too large"), what);
      return NULL;
    }
  datum.size = (unsigned int) size;

  encrypted = g_strstr_len ((const char *) datum.data, size, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL;
  if (encrypted && passphrase == NULL)
    {
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE,
                   _("%s: the key is encrypted and no passphrase was given"), what);
      return NULL;
    }

  if ((ret = gnutls_x509_privkey_init (&x509)) < 0 ||
      (ret = gnutls_x509_privkey_import_pkcs8 (x509, &datum, GNUTLS_X509_FMT_PEM, passphrase,
                                               encrypted ? 0 : GNUTLS_PKCS_PLAIN)) < 0)
    {
      if (ret == GNUTLS_E_DECRYPTION_FAILED && !encrypted)
        ret = GNUTLS_E_PARSING_ERROR;
      _tessera_gnutls_set_error (error, ret, what);
      return NULL;
    }

  return key_new_take (g_steal_pointer (&x509), error);
}

/* Wipes an exported plain private key when its GBytes is freed. */
static void
secret_datum_free (gpointer data)
{
  gnutls_datum_t *datum = data;

  gnutls_memset (datum->data, 0, datum->size);
  gnutls_free (datum->data);
  g_free (datum);
}

static GBytes *
key_export_pkcs8 (TesseraKey  *self,
                  const char  *passphrase,
                  unsigned int flags,
                  GError     **error)
{
  gnutls_datum_t *out = g_new0 (gnutls_datum_t, 1);
  int ret;

  g_mutex_lock (&self->lock);
  ret = gnutls_x509_privkey_export2_pkcs8 (self->x509, GNUTLS_X509_FMT_PEM, passphrase, flags, out);
  g_mutex_unlock (&self->lock);

  if (ret < 0)
    {
      g_free (out);
      _tessera_gnutls_set_error (error, ret, _("Exporting the private key failed"));
      return NULL;
    }

  return g_bytes_new_with_free_func (out->data, out->size, secret_datum_free, out);
}

GBytes *
tessera_key_export_encrypted (TesseraKey *key,
                              const char *passphrase,
                              GError    **error)
{
  g_return_val_if_fail (TESSERA_IS_KEY (key), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (passphrase == NULL || *passphrase == '\0')
    {
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE,
                   _("Exporting the private key failed: the passphrase is empty"));
      return NULL;
    }

  /* Explicitly PBES2 with AES-256: GnuTLS's documented default is weaker. */
  return key_export_pkcs8 (key, passphrase, GNUTLS_PKCS_PBES2_AES_256, error);
}

GBytes *
tessera_key_export_plain (TesseraKey *key,
                          GError    **error)
{
  g_return_val_if_fail (TESSERA_IS_KEY (key), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return key_export_pkcs8 (key, NULL, GNUTLS_PKCS_PLAIN, error);
}

TesseraKeyType
tessera_key_get_key_type (TesseraKey *key)
{
  g_return_val_if_fail (TESSERA_IS_KEY (key), TESSERA_KEY_TYPE_ECDSA_P256);

  return key->type;
}

guint
tessera_key_get_bits (TesseraKey *key)
{
  g_return_val_if_fail (TESSERA_IS_KEY (key), 0);

  return key->bits;
}

GBytes *
tessera_key_get_public_key_der (TesseraKey *key)
{
  g_return_val_if_fail (TESSERA_IS_KEY (key), NULL);

  return key->public_key_der;
}

const char *
tessera_key_get_public_key_id (TesseraKey *key)
{
  g_return_val_if_fail (TESSERA_IS_KEY (key), NULL);

  return key->public_key_id;
}

/* Requests and self-signed certificates */

static gboolean
check_bare_jid (const char *bare_jid,
                const char *what,
                GError    **error)
{
  const char *at = strchr (bare_jid, '@');
  gboolean ok = g_utf8_validate (bare_jid, -1, NULL) &&
                at != NULL && at != bare_jid && at[1] != '\0' &&
                strchr (at + 1, '@') == NULL &&
                strchr (bare_jid, '/') == NULL &&
                strlen (bare_jid) <= 3071;

  for (const char *p = bare_jid; ok && *p != '\0'; p++)
    ok = !g_ascii_iscntrl (*p) && !g_ascii_isspace (*p);

  if (!ok)
    g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA,
                 /* Translators: "<what failed>: “<text>” is not a bare JID" */
                 _("%s: “%s” is not a bare JID (user@domain)"), what, bare_jid);
  return ok;
}

/* EdDSA fixes its own hash; everything else signs with SHA-256. */
static gnutls_digest_algorithm_t
key_sign_digest (TesseraKey *self)
{
  return self->type == TESSERA_KEY_TYPE_ED25519 ? GNUTLS_DIG_UNKNOWN : GNUTLS_DIG_SHA256;
}

static int
crq_fill (gnutls_x509_crq_t crq,
          const char       *bare_jid)
{
  unsigned int len = (unsigned int) strlen (bare_jid);
  int ret;

  if ((ret = gnutls_x509_crq_set_version (crq, 1)) < 0 ||
      (ret = gnutls_x509_crq_set_dn_by_oid (crq, GNUTLS_OID_X520_COMMON_NAME, 0, bare_jid, len)) < 0 ||
      (ret = gnutls_x509_crq_set_subject_alt_othername (crq, XMPP_ADDR_OID, bare_jid, len,
                                                        XMPP_ADDR_FLAGS)) < 0 ||
      (ret = gnutls_x509_crq_set_key_usage (crq, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
      (ret = gnutls_x509_crq_set_key_purpose_oid (crq, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0)
    return ret;

  return 0;
}

static int
crq_sign (gnutls_x509_crq_t crq,
          TesseraKey       *key)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&key->lock);
  g_auto(gnutls_privkey_t) privkey = NULL;
  int ret;

  if ((ret = gnutls_x509_crq_set_key (crq, key->x509)) < 0 ||
      (ret = key_get_privkey (key, &privkey)) < 0 ||
      (ret = gnutls_x509_crq_privkey_sign (crq, privkey, key_sign_digest (key), 0)) < 0)
    return ret;

  return 0;
}

GBytes *
tessera_key_create_csr (TesseraKey *key,
                        const char *bare_jid,
                        GError    **error)
{
  const char *what = _("Creating the certificate request failed");
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_auto(gnutls_datum_t) out = { NULL, 0 };
  g_autoptr(GBytes) der = NULL;
  int ret;

  g_return_val_if_fail (TESSERA_IS_KEY (key), NULL);
  g_return_val_if_fail (bare_jid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_bare_jid (bare_jid, what, error))
    return NULL;

  if ((ret = gnutls_x509_crq_init (&crq)) < 0 ||
      (ret = crq_fill (crq, bare_jid)) < 0 ||
      (ret = crq_sign (crq, key)) < 0 ||
      (ret = gnutls_x509_crq_export2 (crq, GNUTLS_X509_FMT_DER, &out)) < 0)
    {
      _tessera_gnutls_set_error (error, ret, what);
      return NULL;
    }

  /* Check what goes on the wire, read back from the bytes themselves. */
  der = g_bytes_new (out.data, out.size);
  if (!tessera_csr_verify (der, error))
    return NULL;

  return g_steal_pointer (&der);
}

static int
crt_set_serial_and_validity (gnutls_x509_crt_t crt,
                             guint             lifetime_days)
{
  guint8 serial[SERIAL_BYTES];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int ret;

  if ((ret = gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
    return ret;
  /* A positive INTEGER without a leading zero byte: 126 random bits. */
  serial[0] = (serial[0] & 0x7f) | 0x40;

  if ((ret = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0 ||
      (ret = gnutls_x509_crt_set_activation_time (crt, (time_t) (now - 60))) < 0 ||
      (ret = gnutls_x509_crt_set_expiration_time (crt, (time_t) (now + (gint64) lifetime_days * 86400))) < 0)
    return ret;

  return 0;
}

static int
crt_fill (gnutls_x509_crt_t crt,
          const char       *bare_jid,
          guint             lifetime_days)
{
  unsigned int len = (unsigned int) strlen (bare_jid);
  int ret;

  if ((ret = gnutls_x509_crt_set_version (crt, 3)) < 0 ||
      (ret = crt_set_serial_and_validity (crt, lifetime_days)) < 0 ||
      (ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, bare_jid, len)) < 0 ||
      (ret = gnutls_x509_crt_set_subject_alt_othername (crt, XMPP_ADDR_OID, bare_jid, len,
                                                        XMPP_ADDR_FLAGS)) < 0 ||
      (ret = gnutls_x509_crt_set_basic_constraints (crt, 0, -1)) < 0 ||
      (ret = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
      (ret = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0)
    return ret;

  return 0;
}

static int
crt_sign (gnutls_x509_crt_t crt,
          TesseraKey       *key)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&key->lock);
  g_auto(gnutls_privkey_t) privkey = NULL;
  unsigned char key_id[64];
  size_t key_id_size = sizeof key_id;
  int ret;

  if ((ret = gnutls_x509_crt_set_key (crt, key->x509)) < 0 ||
      (ret = gnutls_x509_crt_get_key_id (crt, 0, key_id, &key_id_size)) < 0 ||
      (ret = gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size)) < 0 ||
      (ret = key_get_privkey (key, &privkey)) < 0 ||
      (ret = gnutls_x509_crt_privkey_sign (crt, crt, privkey, key_sign_digest (key), 0)) < 0)
    return ret;

  return 0;
}

GBytes *
tessera_key_create_self_signed (TesseraKey *key,
                                const char *bare_jid,
                                guint       lifetime_days,
                                GError    **error)
{
  const char *what = _("Creating the self-signed certificate failed");
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_datum_t) out = { NULL, 0 };
  int ret;

  g_return_val_if_fail (TESSERA_IS_KEY (key), NULL);
  g_return_val_if_fail (bare_jid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_bare_jid (bare_jid, what, error))
    return NULL;
  if (lifetime_days == 0 || lifetime_days > MAX_LIFETIME_DAYS)
    {
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_FAILED,
                   _("%s: a lifetime of %u days is out of range"), what, lifetime_days);
      return NULL;
    }

  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = crt_fill (crt, bare_jid, lifetime_days)) < 0 ||
      (ret = crt_sign (crt, key)) < 0 ||
      (ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &out)) < 0)
    {
      _tessera_gnutls_set_error (error, ret, what);
      return NULL;
    }

  return g_bytes_new (out.data, out.size);
}

static gboolean
csr_import (GBytes            *csr_der,
            gnutls_x509_crq_t *out,
            GError           **error)
{
  const char *what = _("Reading the certificate request failed");
  g_auto(gnutls_x509_crq_t) crq = NULL;
  gnutls_datum_t datum;
  gsize size;
  int ret;

  datum.data = (unsigned char *) g_bytes_get_data (csr_der, &size);
  if (size == 0 || size > G_MAXUINT)
    {
      g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_DATA,
                   _("%s: it is empty or too large"), what);
      return FALSE;
    }
  datum.size = (unsigned int) size;

  if ((ret = gnutls_x509_crq_init (&crq)) < 0 ||
      (ret = gnutls_x509_crq_import (crq, &datum, GNUTLS_X509_FMT_DER)) < 0)
    {
      if (ret != GNUTLS_E_MEMORY_ERROR)
        ret = GNUTLS_E_ASN1_DER_ERROR;
      return _tessera_gnutls_set_error (error, ret, what);
    }

  *out = g_steal_pointer (&crq);
  return TRUE;
}

gboolean
tessera_csr_verify (GBytes  *csr_der,
                    GError **error)
{
  g_auto(gnutls_x509_crq_t) crq = NULL;
  int ret;

  g_return_val_if_fail (csr_der != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!csr_import (csr_der, &crq, error))
    return FALSE;

  ret = gnutls_x509_crq_verify (crq, 0);
  if (ret < 0)
    {
      /* Whatever the reason, the request does not prove possession of its key. */
      if (ret != GNUTLS_E_MEMORY_ERROR)
        ret = GNUTLS_E_PK_SIG_VERIFY_FAILED;
      return _tessera_gnutls_set_error (error, ret,
                                               _("Checking the certificate request’s signature failed"));
    }

  return TRUE;
}

GBytes *
tessera_csr_dup_public_key_der (GBytes  *csr_der,
                                GError **error)
{
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  g_auto(gnutls_datum_t) spki = { NULL, 0 };
  int ret;

  g_return_val_if_fail (csr_der != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!csr_import (csr_der, &crq, error))
    return NULL;

  if ((ret = gnutls_pubkey_init (&pubkey)) < 0 ||
      (ret = gnutls_pubkey_import_x509_crq (pubkey, crq, 0)) < 0 ||
      (ret = gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &spki)) < 0)
    {
      _tessera_gnutls_set_error (error, ret, _("Reading the certificate request’s public key failed"));
      return NULL;
    }

  return g_bytes_new (spki.data, spki.size);
}

char *
tessera_crypto_generate_passphrase (void)
{
  guint8 random[RANDOM_PASSPHRASE_BYTES];
  char *passphrase;
  int ret;

  ret = gnutls_rnd (GNUTLS_RND_KEY, random, sizeof random);
  if (ret < 0)
    /* Never hand out a weak or empty passphrase for a private key. */
    g_error ("The random generator failed: %s", gnutls_strerror (ret));

  passphrase = g_base64_encode (random, sizeof random);
  gnutls_memset (random, 0, sizeof random);
  return passphrase;
}
