/* tessera-gnutls-private.h: what every file that calls GnuTLS shares
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509-ext.h>

G_BEGIN_DECLS

/* GnuTLS handles are pointers with a deinit function: let g_auto() free them. */
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_privkey_t, gnutls_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crq_t, gnutls_x509_crq_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_subject_alt_names_t, gnutls_subject_alt_names_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pkcs12_t, gnutls_pkcs12_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pkcs12_bag_t, gnutls_pkcs12_bag_deinit, NULL)

/* Frees what GnuTLS allocated into a datum. */
static inline void
_tessera_gnutls_datum_clear (gnutls_datum_t *datum)
{
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, _tessera_gnutls_datum_clear)

/* Turns a GnuTLS error code into a TESSERA_CRYPTO_ERROR reading
 * "@what: <GnuTLS's reason>". Always returns FALSE. The one place where
 * GnuTLS codes become GErrors. */
G_GNUC_INTERNAL
gboolean _tessera_gnutls_set_error (GError     **error,
                                    int          gnutls_code,
                                    const char  *what);

G_END_DECLS
