/* bench-list.c: big list replies: generate them, and time parse + model build with peak memory
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*   bench-list generate OUTDIR N…   writes OUTDIR/list-N.xml: a ccm2 list
 *                                   reply with N real certificates (distinct
 *                                   ECDSA keys, signed by one CA), a third
 *                                   never used, some with logged-in resources
 *   bench-list parse FILE REPEATS   XML text -> stanza -> TesseraCertEntry
 *                                   array -> GListStore, as the session does
 *                                   with a reply; prints one JSON line
 *   bench-list floor FILE REPEATS   the least any client must do to show the
 *                                   same list: XML text -> stanza, then per
 *                                   certificate base64, gnutls_x509_crt_import,
 *                                   expiry and SHA-256 into a plain array
 *
 * Run "parse" in a fresh process per size: its peak RSS (getrusage) is then
 * that size's alone. */

#include "config.h"

#define G_LOG_DOMAIN "tessera-bench"

#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <strophe.h>

#include "bench-reply.h"
#include "bench-stats.h"
#include "tessera-core.h"

#define BENCH_JID "user1@localhost"

typedef struct
{
  gnutls_x509_privkey_t ca_key;
  gnutls_x509_crt_t     ca_crt;
} Issuer;

static int
issuer_init (Issuer *issuer)
{
  int ret;

  if ((ret = gnutls_x509_privkey_init (&issuer->ca_key)) < 0 ||
      (ret = gnutls_x509_privkey_generate2 (issuer->ca_key, GNUTLS_PK_ECDSA,
                                            GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                            0, NULL, 0)) < 0 ||
      (ret = gnutls_x509_crt_init (&issuer->ca_crt)) < 0 ||
      (ret = gnutls_x509_crt_set_version (issuer->ca_crt, 3)) < 0 ||
      (ret = gnutls_x509_crt_set_dn_by_oid (issuer->ca_crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                            "Bench CA", 8)) < 0 ||
      (ret = gnutls_x509_crt_set_serial (issuer->ca_crt, "\x01", 1)) < 0 ||
      (ret = gnutls_x509_crt_set_activation_time (issuer->ca_crt, time (NULL) - 3600)) < 0 ||
      (ret = gnutls_x509_crt_set_expiration_time (issuer->ca_crt, time (NULL) + 86400 * 365)) < 0 ||
      (ret = gnutls_x509_crt_set_basic_constraints (issuer->ca_crt, 1, -1)) < 0 ||
      (ret = gnutls_x509_crt_set_key (issuer->ca_crt, issuer->ca_key)) < 0 ||
      (ret = gnutls_x509_crt_sign2 (issuer->ca_crt, issuer->ca_crt, issuer->ca_key, GNUTLS_DIG_SHA256, 0)) < 0)
    return ret;
  return 0;
}

static int
issue_fill (Issuer                *issuer,
            gnutls_x509_privkey_t  key,
            gnutls_x509_crt_t      crt,
            guint                  index)
{
  guint32 serial[3] = { g_random_int (), g_random_int (), GUINT32_TO_BE (index + 1) };
  unsigned int len = (unsigned int) strlen (BENCH_JID);
  time_t now = time (NULL);
  int ret;

  if ((ret = gnutls_x509_privkey_generate2 (key, GNUTLS_PK_ECDSA,
                                            GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0)) < 0 ||
      (ret = gnutls_x509_crt_set_version (crt, 3)) < 0 ||
      (ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, BENCH_JID, len)) < 0 ||
      (ret = gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_OTHERNAME_XMPP, BENCH_JID, len,
                                                   GNUTLS_FSAN_SET)) < 0 ||
      (ret = gnutls_x509_crt_set_basic_constraints (crt, 0, -1)) < 0 ||
      (ret = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
      (ret = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0 ||
      (ret = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0 ||
      (ret = gnutls_x509_crt_set_activation_time (crt, now - 86400)) < 0 ||
      (ret = gnutls_x509_crt_set_expiration_time (crt, now + 86400 * (30 + (time_t) (index % 700)))) < 0 ||
      (ret = gnutls_x509_crt_set_key (crt, key)) < 0 ||
      (ret = gnutls_x509_crt_sign2 (crt, issuer->ca_crt, issuer->ca_key, GNUTLS_DIG_SHA256, 0)) < 0)
    return ret;
  return 0;
}

/* One client certificate as mod_ccm2 issues them (its own ECDSA key);
 * base64 DER in @out, 64 characters a line. */
static int
issue_one (Issuer  *issuer,
           guint    index,
           GString *out)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t der = { NULL, 0 };
  int ret;

  if ((ret = gnutls_x509_privkey_init (&key)) >= 0 &&
      (ret = gnutls_x509_crt_init (&crt)) >= 0 &&
      (ret = issue_fill (issuer, key, crt, index)) >= 0 &&
      (ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der)) >= 0)
    {
      g_autofree char *b64 = g_base64_encode (der.data, der.size);
      gsize n = strlen (b64);

      /* Line breaks inside x509cert, as PEM-minded servers send them */
      for (gsize i = 0; i < n; i += 64)
        g_string_append_printf (out, "%.*s\n", (int) MIN ((gsize) 64, n - i), b64 + i);
    }
  gnutls_free (der.data);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return ret < 0 ? ret : 0;
}

static void
append_entry (GString    *xml,
              guint       index,
              const char *cert_b64)
{
  g_string_append (xml, "<x509certificate");
  if (index % 3 == 1)
    g_string_append_printf (xml, " last-used='2026-%02u-%02uT%02u:%02u:%02uZ'",
                            1 + index % 12, 1 + index % 28, index % 24, index % 60, (index * 7) % 60);
  else if (index % 3 == 2)
    g_string_append_printf (xml, " last-used='2026-%02u-%02uT10:00:00.%03u+02:00'",
                            1 + index % 12, 1 + index % 28, index % 1000);
  g_string_append_printf (xml, "><name>Device %05u</name><x509cert>%s</x509cert>", index, cert_b64);
  if (index % 10 == 0)
    g_string_append_printf (xml, "<users><resource>res-%u</resource><resource>phone-%u</resource></users>",
                            index, index);
  g_string_append (xml, "</x509certificate>");
}

static gboolean
write_reply (const char  *outdir,
             guint        n,
             GPtrArray   *certs,
             GError     **error)
{
  g_autoptr(GString) xml = g_string_new ("<iq xmlns='jabber:client' type='result' id='bench-list-1' "
                                         "from='user1@localhost'>"
                                         "<list-of-certificates xmlns='urn:xmpp:ccm2:list-certs:0'>");
  g_autofree char *name = g_strdup_printf ("list-%u.xml", n);
  g_autofree char *path = g_build_filename (outdir, name, NULL);

  for (guint i = 0; i < n; i++)
    append_entry (xml, i, g_ptr_array_index (certs, i));
  g_string_append (xml, "</list-of-certificates></iq>");
  return g_file_set_contents (path, xml->str, (gssize) xml->len, error);
}

static int
generate (const char *outdir,
          int         argc,
          char       *argv[])
{
  g_autoptr(GPtrArray) certs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Issuer issuer = { NULL, NULL };
  guint largest = 0;
  int ret;

  for (int i = 0; i < argc; i++)
    largest = MAX (largest, (guint) atoi (argv[i]));

  if ((ret = issuer_init (&issuer)) < 0)
    {
      g_printerr ("bench-list: %s\n", gnutls_strerror (ret));
      return 1;
    }
  for (guint i = 0; i < largest; i++)
    {
      g_autoptr(GString) b64 = g_string_new (NULL);

      if ((ret = issue_one (&issuer, i, b64)) < 0)
        {
          g_printerr ("bench-list: %s\n", gnutls_strerror (ret));
          return 1;
        }
      g_ptr_array_add (certs, g_string_free (g_steal_pointer (&b64), FALSE));
    }
  gnutls_x509_crt_deinit (issuer.ca_crt);
  gnutls_x509_privkey_deinit (issuer.ca_key);

  for (int i = 0; i < argc; i++)
    if (!write_reply (outdir, (guint) atoi (argv[i]), certs, &error))
      {
        g_printerr ("bench-list: %s\n", error->message);
        return 1;
      }
  return 0;
}

static int
parse (const char *path,
       guint       repeats)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GString) json = g_string_new (NULL);
  g_autofree char *xml = NULL;
  xmpp_ctx_t *ctx;
  glong baseline_peak, baseline_rss, kept_rss = 0;
  guint n_items = 0, unreadable = 0;

  if (!g_file_get_contents (path, &xml, NULL, &error))
    {
      g_printerr ("bench-list: %s\n", error->message);
      return 1;
    }
  xmpp_initialize ();
  ctx = xmpp_ctx_new (NULL, NULL);
  /* Loads every type and library page the parse needs, without the reply. */
  g_type_ensure (TESSERA_TYPE_CERT_ENTRY);
  g_type_ensure (TESSERA_TYPE_CERTIFICATE);
  baseline_peak = bench_maxrss_kib ();
  baseline_rss = bench_rss_kib ();

  for (guint r = 0; r < repeats; r++)
    {
      g_autoptr(GListModel) model = NULL;
      gint64 start = bench_now_ns ();
      double ms;

      model = bench_reply_build_model (ctx, xml, &unreadable, &error);
      ms = (bench_now_ns () - start) / 1e6;
      if (model == NULL)
        {
          g_printerr ("bench-list: %s\n", error->message);
          return 1;
        }
      g_array_append_val (samples, ms);
      n_items = g_list_model_get_n_items (model);
      if (r == 0)
        kept_rss = bench_rss_kib () - baseline_rss;
    }

  g_string_append_printf (json, "{\"file\":\"%s\",\"entries\":%u,\"unreadable\":%u,", path, n_items, unreadable);
  bench_stats_to_json (json, "ms", bench_stats_compute (samples));
  g_string_append_printf (json, ",\"peak_kib\":%ld,\"baseline_peak_kib\":%ld,\"kept_kib\":%ld}",
                          bench_maxrss_kib (), baseline_peak, kept_rss);
  g_print ("%s\n", json->str);

  xmpp_ctx_free (ctx);
  xmpp_shutdown ();
  return 0;
}

/* ---- the floor ---------------------------------------------------------- */

typedef struct
{
  char   *name;
  guint8  sha256[32];
  time_t  not_after;
  int     readable;
} FloorEntry;

static void
floor_entry_clear (gpointer data)
{
  g_free (((FloorEntry *) data)->name);
}

static void
floor_entry_fill (FloorEntry    *entry,
                  xmpp_ctx_t    *ctx,
                  xmpp_stanza_t *item)
{
  xmpp_stanza_t *name = xmpp_stanza_get_child_by_name (item, "name");
  xmpp_stanza_t *cert = xmpp_stanza_get_child_by_name (item, "x509cert");
  char *text = name != NULL ? xmpp_stanza_get_text (name) : NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;
  gsize len = 0;
  guchar *der;
  char *b64, *out;

  entry->name = g_strdup (text != NULL ? text : "");
  if (text != NULL)
    xmpp_free (ctx, text);
  b64 = cert != NULL ? xmpp_stanza_get_text (cert) : NULL;
  if (b64 == NULL)
    return;
  /* base64 with line breaks: drop the whitespace, then decode */
  out = b64;
  for (const char *in = b64; *in != '\0'; in++)
    if (!g_ascii_isspace (*in))
      *out++ = *in;
  *out = '\0';
  der = g_base64_decode (b64, &len);
  xmpp_free (ctx, b64);

  datum.data = der;
  datum.size = (unsigned int) len;
  gnutls_hash_fast (GNUTLS_DIG_SHA256, der, len, entry->sha256);
  if (gnutls_x509_crt_init (&crt) >= 0 && gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) >= 0)
    {
      entry->not_after = gnutls_x509_crt_get_expiration_time (crt);
      entry->readable = 1;
    }
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  g_free (der);
}

static GArray *
floor_build (xmpp_ctx_t *ctx,
             const char *xml)
{
  xmpp_stanza_t *stanza = xmpp_stanza_new_from_string (ctx, xml);
  xmpp_stanza_t *list = stanza != NULL ? xmpp_stanza_get_children (stanza) : NULL;
  GArray *entries = g_array_new (FALSE, TRUE, sizeof (FloorEntry));

  g_array_set_clear_func (entries, floor_entry_clear);
  for (xmpp_stanza_t *item = list != NULL ? xmpp_stanza_get_children (list) : NULL;
       item != NULL;
       item = xmpp_stanza_get_next (item))
    {
      FloorEntry entry = { NULL, { 0 }, 0, 0 };

      if (!xmpp_stanza_is_tag (item))
        continue;
      floor_entry_fill (&entry, ctx, item);
      g_array_append_val (entries, entry);
    }
  if (stanza != NULL)
    xmpp_stanza_release (stanza);
  return entries;
}

static int
parse_floor (const char *path,
             guint       repeats)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GString) json = g_string_new (NULL);
  g_autofree char *xml = NULL;
  xmpp_ctx_t *ctx;
  glong baseline_peak;
  guint n_items = 0, unreadable = 0;

  if (!g_file_get_contents (path, &xml, NULL, &error))
    {
      g_printerr ("bench-list: %s\n", error->message);
      return 1;
    }
  xmpp_initialize ();
  ctx = xmpp_ctx_new (NULL, NULL);
  baseline_peak = bench_maxrss_kib ();

  for (guint r = 0; r < repeats; r++)
    {
      gint64 start = bench_now_ns ();
      GArray *entries = floor_build (ctx, xml);
      double ms = (bench_now_ns () - start) / 1e6;

      g_array_append_val (samples, ms);
      n_items = entries->len;
      unreadable = 0;
      for (guint i = 0; i < entries->len; i++)
        if (!g_array_index (entries, FloorEntry, i).readable)
          unreadable++;
      g_array_unref (entries);
    }

  g_string_append_printf (json, "{\"file\":\"%s\",\"floor\":true,\"entries\":%u,\"unreadable\":%u,",
                          path, n_items, unreadable);
  bench_stats_to_json (json, "ms", bench_stats_compute (samples));
  g_string_append_printf (json, ",\"peak_kib\":%ld,\"baseline_peak_kib\":%ld}", bench_maxrss_kib (), baseline_peak);
  g_print ("%s\n", json->str);

  xmpp_ctx_free (ctx);
  xmpp_shutdown ();
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc >= 4 && g_str_equal (argv[1], "generate"))
    return generate (argv[2], argc - 3, argv + 3);
  if (argc == 4 && g_str_equal (argv[1], "parse") && atoi (argv[3]) > 0)
    return parse (argv[2], (guint) atoi (argv[3]));
  if (argc == 4 && g_str_equal (argv[1], "floor") && atoi (argv[3]) > 0)
    return parse_floor (argv[2], (guint) atoi (argv[3]));

  g_printerr ("usage: bench-list generate OUTDIR N… | parse FILE REPEATS | floor FILE REPEATS\n");
  return 2;
}
