/* bench-crypto.c: key + CSR per key type: Tessera, raw GnuTLS calls, and certtool
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* For each key type, RUNS times each:
 *   tessera   tessera_key_generate () + tessera_key_create_csr ()
 *   gnutls    the same GnuTLS calls with nothing around them (generate2, CSR
 *             with CN, xmppAddr SAN, key usage, EKU, sign, export DER, and the
 *             read-back verify Tessera does too)
 *   certtool  certtool --generate-privkey + --generate-request --template
 *             (two processes, as a shell script would do it)
 * and prints one JSON line per key type and method, in milliseconds.
 *
 *   bench-crypto KEYTYPE RUNS WORKDIR       (KEYTYPE: ecdsa-p256, ed25519, rsa3072)
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-bench"

#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "bench-stats.h"
#include "tessera-core.h"

#define BENCH_JID "bench@localhost"

static gboolean
run_tessera (TesseraKeyType   type,
             GError         **error)
{
  g_autoptr(TesseraKey) key = tessera_key_generate (type, NULL, error);
  g_autoptr(GBytes) csr = NULL;

  if (key == NULL)
    return FALSE;
  csr = tessera_key_create_csr (key, BENCH_JID, error);
  return csr != NULL;
}

static gboolean
raw_parameters (TesseraKeyType         type,
                gnutls_pk_algorithm_t *algo,
                unsigned int          *bits,
                gnutls_digest_algorithm_t *digest)
{
  *digest = GNUTLS_DIG_SHA256;
  switch (type)
    {
    case TESSERA_KEY_TYPE_ECDSA_P256:
      *algo = GNUTLS_PK_ECDSA;
      *bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1);
      return TRUE;
    case TESSERA_KEY_TYPE_ED25519:
      *algo = GNUTLS_PK_EDDSA_ED25519;
      *bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_ED25519);
      *digest = GNUTLS_DIG_UNKNOWN;
      return TRUE;
    case TESSERA_KEY_TYPE_RSA3072:
      *algo = GNUTLS_PK_RSA;
      *bits = 3072;
      return TRUE;
    default:
      return FALSE;
    }
}

typedef struct
{
  gnutls_x509_privkey_t x509;
  gnutls_privkey_t      privkey;
  gnutls_x509_crq_t     crq;
  gnutls_x509_crq_t     check;
  gnutls_datum_t        der;
} RawCsr;

static int
raw_csr_make (RawCsr                    *raw,
              gnutls_pk_algorithm_t      algo,
              unsigned int               bits,
              gnutls_digest_algorithm_t  digest)
{
  unsigned int len = (unsigned int) strlen (BENCH_JID);
  int ret;

  if ((ret = gnutls_x509_privkey_init (&raw->x509)) < 0 ||
      (ret = gnutls_x509_privkey_generate2 (raw->x509, algo, bits, 0, NULL, 0)) < 0 ||
      (ret = gnutls_x509_crq_init (&raw->crq)) < 0 ||
      (ret = gnutls_x509_crq_set_version (raw->crq, 1)) < 0 ||
      (ret = gnutls_x509_crq_set_dn_by_oid (raw->crq, GNUTLS_OID_X520_COMMON_NAME, 0, BENCH_JID, len)) < 0 ||
      (ret = gnutls_x509_crq_set_subject_alt_name (raw->crq, GNUTLS_SAN_OTHERNAME_XMPP, BENCH_JID, len,
                                                   GNUTLS_FSAN_SET)) < 0 ||
      (ret = gnutls_x509_crq_set_key_usage (raw->crq, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
      (ret = gnutls_x509_crq_set_key_purpose_oid (raw->crq, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0 ||
      (ret = gnutls_x509_crq_set_key (raw->crq, raw->x509)) < 0 ||
      (ret = gnutls_privkey_init (&raw->privkey)) < 0 ||
      (ret = gnutls_privkey_import_x509 (raw->privkey, raw->x509, 0)) < 0 ||
      (ret = gnutls_x509_crq_privkey_sign (raw->crq, raw->privkey, digest, 0)) < 0 ||
      (ret = gnutls_x509_crq_export2 (raw->crq, GNUTLS_X509_FMT_DER, &raw->der)) < 0 ||
      (ret = gnutls_x509_crq_init (&raw->check)) < 0 ||
      (ret = gnutls_x509_crq_import (raw->check, &raw->der, GNUTLS_X509_FMT_DER)) < 0 ||
      (ret = gnutls_x509_crq_verify (raw->check, 0)) < 0)
    return ret;
  return 0;
}

/* The floor: the GnuTLS calls alone, no GObject, no GBytes, no SPKI id. */
static int
run_gnutls (TesseraKeyType type)
{
  RawCsr raw = { NULL, NULL, NULL, NULL, { NULL, 0 } };
  gnutls_pk_algorithm_t algo;
  gnutls_digest_algorithm_t digest;
  unsigned int bits;
  int ret;

  if (!raw_parameters (type, &algo, &bits, &digest))
    return GNUTLS_E_INVALID_REQUEST;

  ret = raw_csr_make (&raw, algo, bits, digest);

  gnutls_free (raw.der.data);
  if (raw.check != NULL)
    gnutls_x509_crq_deinit (raw.check);
  if (raw.crq != NULL)
    gnutls_x509_crq_deinit (raw.crq);
  if (raw.privkey != NULL)
    gnutls_privkey_deinit (raw.privkey);
  if (raw.x509 != NULL)
    gnutls_x509_privkey_deinit (raw.x509);
  return ret;
}

static gboolean
spawn_quiet (const char * const  *argv,
             GError             **error)
{
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, error))
    return FALSE;
  return g_spawn_check_wait_status (status, error);
}

static gboolean
run_certtool (TesseraKeyType   type,
              const char      *workdir,
              GError         **error)
{
  g_autofree char *key = g_build_filename (workdir, "certtool-key.pem", NULL);
  g_autofree char *csr = g_build_filename (workdir, "certtool-csr.pem", NULL);
  g_autofree char *template = g_build_filename (workdir, "certtool.tmpl", NULL);
  const char *ecdsa[] = { "certtool", "--generate-privkey", "--key-type", "ecdsa", "--curve", "secp256r1",
                          "--outfile", key, NULL };
  const char *ed25519[] = { "certtool", "--generate-privkey", "--key-type", "ed25519", "--outfile", key, NULL };
  const char *rsa[] = { "certtool", "--generate-privkey", "--key-type", "rsa", "--bits", "3072",
                        "--outfile", key, NULL };
  const char *request[] = { "certtool", "--generate-request", "--load-privkey", key, "--template", template,
                            "--outfile", csr, NULL };
  const char * const *generate = type == TESSERA_KEY_TYPE_ECDSA_P256 ? ecdsa :
                                 type == TESSERA_KEY_TYPE_ED25519 ? ed25519 : rsa;

  return spawn_quiet (generate, error) && spawn_quiet (request, error);
}

static gboolean
write_template (const char  *workdir,
                GError     **error)
{
  g_autofree char *template = g_build_filename (workdir, "certtool.tmpl", NULL);
  const char *text = "cn = \"" BENCH_JID "\"\n"
                     "xmpp_name = \"" BENCH_JID "\"\n"
                     "signing_key\n"
                     "tls_www_client\n";

  return g_file_set_contents_full (template, text, -1, G_FILE_SET_CONTENTS_NONE, 0600, error);
}

static gboolean
run_method (guint            method,
            TesseraKeyType   type,
            const char      *workdir,
            GError         **error)
{
  int ret;

  if (method == 0)
    return run_tessera (type, error);
  if (method == 2)
    return run_certtool (type, workdir, error);
  ret = run_gnutls (type);
  if (ret != 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GnuTLS: %s", gnutls_strerror (ret));
  return ret == 0;
}

/* Tessera and the raw calls take turns run by run, first one then the
 * other, so that a burst of load from elsewhere on the machine hits both
 * alike; certtool's process spawns (which flush caches) run in a block of
 * their own afterwards. */
static gboolean
measure (const char * const *methods,
         guint               n_methods,
         TesseraKeyType      type,
         guint               runs,
         const char         *workdir,
         GError            **error)
{
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (guint m = 0; m < n_methods; m++)
    g_ptr_array_add (samples, g_array_new (FALSE, FALSE, sizeof (double)));

  for (guint i = 0; i < runs * n_methods; i++)
    {
      guint m = i < runs * 2 ? (i % 2) ^ ((i / 2) % 2) : 2 + i % (n_methods - 2);
      gint64 start = bench_now_ns ();
      double ms;

      if (!run_method (m, type, workdir, error))
        return FALSE;
      ms = (bench_now_ns () - start) / 1e6;
      g_array_append_val (g_ptr_array_index (samples, m), ms);
    }

  for (guint m = 0; m < n_methods; m++)
    {
      g_autoptr(GString) json = g_string_new (NULL);

      g_string_append_printf (json, "{\"key\":\"%s\",\"method\":\"%s\",",
                              tessera_key_type_to_string (type), methods[m]);
      bench_stats_to_json (json, "ms", bench_stats_compute (g_ptr_array_index (samples, m)));
      g_string_append (json, "}");
      g_print ("%s\n", json->str);
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  static const char * const methods[] = { "tessera", "gnutls", "certtool" };
  g_autoptr(GError) error = NULL;
  TesseraKeyType type;
  guint runs;

  if (argc != 4 || !tessera_key_type_from_string (argv[1], &type) || atoi (argv[2]) <= 0)
    {
      g_printerr ("usage: bench-crypto ecdsa-p256|ed25519|rsa3072 RUNS WORKDIR\n");
      return 2;
    }
  runs = (guint) atoi (argv[2]);

  if (!write_template (argv[3], &error))
    goto fail;
  /* One untimed round each: loads GnuTLS's code and certtool's pages. */
  if (!run_tessera (type, &error) || run_gnutls (type) != 0 || !run_certtool (type, argv[3], &error))
    goto fail;
  if (!measure (methods, G_N_ELEMENTS (methods), type, runs, argv[3], &error))
    goto fail;
  return 0;

fail:
  g_printerr ("bench-crypto: %s\n", error != NULL ? error->message : "GnuTLS failed");
  return 1;
}
