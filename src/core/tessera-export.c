/* tessera-export.c: a certificate and its key, packed for other programs
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tessera-export.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "tessera-crypto.h"
#include "tessera-gnutls-private.h"


void
tessera_export_bytes_free (GBytes *data)
{
  gsize size = 0;
  guint8 *raw;

  if (data == NULL)
    return;
  raw = g_bytes_unref_to_data (data, &size);
  explicit_bzero (raw, size);
  g_free (raw);
}

/* Copies GnuTLS-allocated output into GBytes and wipes the original. */
static GBytes *
take_datum (gnutls_datum_t *datum)
{
  GBytes *bytes = g_bytes_new (datum->data, datum->size);

  explicit_bzero (datum->data, datum->size);
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
  return bytes;
}

static gboolean
import_key (gnutls_x509_privkey_t *out,
            GBytes                *key_pem,
            const char            *key_passphrase,
            GError               **error)
{
  g_auto (gnutls_x509_privkey_t) key = NULL;
  gnutls_datum_t datum;
  gsize size = 0;
  int rc;

  datum.data = (unsigned char *) g_bytes_get_data (key_pem, &size);
  datum.size = size;
  if ((rc = gnutls_x509_privkey_init (&key)) < 0 ||
      (rc = gnutls_x509_privkey_import2 (key, &datum, GNUTLS_X509_FMT_PEM,
                                         key_passphrase, 0)) < 0)
    return _tessera_gnutls_set_error (error, rc, _("Could not read the private key"));
  *out = g_steal_pointer (&key);
  return TRUE;
}

static gboolean
import_cert (gnutls_x509_crt_t *out,
             GBytes            *cert,
             GError           **error)
{
  g_auto (gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t datum;
  gsize size = 0;
  int rc;

  datum.data = (unsigned char *) g_bytes_get_data (cert, &size);
  datum.size = size;
  if ((rc = gnutls_x509_crt_init (&crt)) < 0)
    return _tessera_gnutls_set_error (error, rc, _("Could not read the certificate"));
  rc = gnutls_x509_crt_import (crt, &datum,
                               size > 10 && memcmp (datum.data, "-----", 5) == 0
                               ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
  if (rc < 0)
    return _tessera_gnutls_set_error (error, rc, _("Could not read the certificate"));
  *out = g_steal_pointer (&crt);
  return TRUE;
}

static gboolean
check_passphrase (const char *passphrase,
                  GError    **error)
{
  if (passphrase == NULL || *passphrase == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The export passphrase must not be empty"));
      return FALSE;
    }
  return TRUE;
}

/* The key must belong to the certificate, or the file is useless. */
static gboolean
check_pair (gnutls_x509_privkey_t key,
            gnutls_x509_crt_t     crt,
            GError              **error)
{
  guint8 key_id[64], crt_id[64];
  size_t key_size = sizeof key_id, crt_size = sizeof crt_id;
  int rc;

  if ((rc = gnutls_x509_privkey_get_key_id (key, GNUTLS_KEYID_USE_SHA256, key_id, &key_size)) < 0 ||
      (rc = gnutls_x509_crt_get_key_id (crt, GNUTLS_KEYID_USE_SHA256, crt_id, &crt_size)) < 0)
    return _tessera_gnutls_set_error (error, rc, _("Could not compare the key with the certificate"));
  if (key_size != crt_size || memcmp (key_id, crt_id, key_size) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The private key does not belong to the certificate"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_bag_attributes (gnutls_pkcs12_bag_t  bag,
                    int                  index,
                    const char          *friendly_name,
                    const gnutls_datum_t *key_id)
{
  if (gnutls_pkcs12_bag_set_key_id (bag, index, key_id) < 0)
    return FALSE;
  if (friendly_name != NULL && *friendly_name != '\0' &&
      gnutls_pkcs12_bag_set_friendly_name (bag, index, friendly_name) < 0)
    return FALSE;
  return TRUE;
}

GBytes *
tessera_export_pkcs12 (GBytes                  *key_pem,
                       const char              *key_passphrase,
                       GBytes                  *cert,
                       const char              *friendly_name,
                       const char              *export_passphrase,
                       TesseraExportPkcs12Mode  mode,
                       GError                 **error)
{
  g_auto (gnutls_x509_privkey_t) key = NULL;
  g_auto (gnutls_x509_crt_t) crt = NULL;
  g_auto (gnutls_pkcs12_t) p12 = NULL;
  g_auto (gnutls_pkcs12_bag_t) cert_bag = NULL;
  g_auto (gnutls_pkcs12_bag_t) key_bag = NULL;
  unsigned int flags = mode == TESSERA_EXPORT_PKCS12_MODERN
                       ? GNUTLS_PKCS_PBES2_AES_256 : GNUTLS_PKCS_PKCS12_3DES;
  gnutls_mac_algorithm_t mac = mode == TESSERA_EXPORT_PKCS12_MODERN
                               ? GNUTLS_MAC_SHA256 : GNUTLS_MAC_SHA1;
  guint8 id_buf[20];
  size_t id_size = sizeof id_buf;
  gnutls_datum_t key_id, pkcs8 = { NULL, 0 }, out = { NULL, 0 };
  int rc, index;

  if (!check_passphrase (export_passphrase, error) ||
      !import_key (&key, key_pem, key_passphrase, error) ||
      !import_cert (&crt, cert, error) ||
      !check_pair (key, crt, error))
    return NULL;

  /* The localKeyId (SHA-1 of the public key) ties the key bag to its
   * certificate, as OpenSSL and Android expect. */
  if ((rc = gnutls_x509_crt_get_key_id (crt, 0, id_buf, &id_size)) < 0)
    return _tessera_gnutls_set_error (error, rc, _("Could not build the PKCS #12 file")), NULL;
  key_id.data = id_buf;
  key_id.size = id_size;

  if ((rc = gnutls_pkcs12_init (&p12)) < 0 ||
      (rc = gnutls_pkcs12_bag_init (&cert_bag)) < 0 ||
      (rc = gnutls_pkcs12_bag_init (&key_bag)) < 0 ||
      (rc = index = gnutls_pkcs12_bag_set_crt (cert_bag, crt)) < 0 ||
      (rc = add_bag_attributes (cert_bag, index, friendly_name, &key_id) ? 0 : GNUTLS_E_INTERNAL_ERROR) < 0 ||
      (rc = gnutls_pkcs12_bag_encrypt (cert_bag, export_passphrase, flags)) < 0 ||
      (rc = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_DER, export_passphrase,
                                               flags, &pkcs8)) < 0 ||
      (rc = index = gnutls_pkcs12_bag_set_data (key_bag, GNUTLS_BAG_PKCS8_ENCRYPTED_KEY, &pkcs8)) < 0 ||
      (rc = add_bag_attributes (key_bag, index, friendly_name, &key_id) ? 0 : GNUTLS_E_INTERNAL_ERROR) < 0 ||
      (rc = gnutls_pkcs12_set_bag (p12, cert_bag)) < 0 ||
      (rc = gnutls_pkcs12_set_bag (p12, key_bag)) < 0 ||
      (rc = gnutls_pkcs12_generate_mac2 (p12, mac, export_passphrase)) < 0 ||
      (rc = gnutls_pkcs12_export2 (p12, GNUTLS_X509_FMT_DER, &out)) < 0)
    {
      if (pkcs8.data != NULL)
        gnutls_free (pkcs8.data);
      return _tessera_gnutls_set_error (error, rc, _("Could not build the PKCS #12 file")), NULL;
    }
  gnutls_free (pkcs8.data);
  return take_datum (&out);
}

GBytes *
tessera_export_pem (GBytes      *key_pem,
                    const char  *key_passphrase,
                    GBytes      *cert,
                    const char  *export_passphrase,
                    GError     **error)
{
  g_auto (gnutls_x509_privkey_t) key = NULL;
  g_auto (gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t crt_pem = { NULL, 0 }, key_out = { NULL, 0 };
  g_autoptr (GByteArray) joined = NULL;
  int rc;

  if (export_passphrase != NULL && !check_passphrase (export_passphrase, error))
    return NULL;
  if (!import_key (&key, key_pem, key_passphrase, error) ||
      !import_cert (&crt, cert, error) ||
      !check_pair (key, crt, error))
    return NULL;

  if ((rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem)) < 0)
    return _tessera_gnutls_set_error (error, rc, _("Could not export the certificate")), NULL;
  rc = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, export_passphrase,
                                          export_passphrase != NULL ? GNUTLS_PKCS_PBES2_AES_256
                                                                    : GNUTLS_PKCS_PLAIN,
                                          &key_out);
  if (rc < 0)
    {
      gnutls_free (crt_pem.data);
      return _tessera_gnutls_set_error (error, rc, _("Could not export the private key")), NULL;
    }

  joined = g_byte_array_sized_new (crt_pem.size + key_out.size);
  g_byte_array_append (joined, crt_pem.data, crt_pem.size);
  g_byte_array_append (joined, key_out.data, key_out.size);
  gnutls_free (crt_pem.data);
  explicit_bzero (key_out.data, key_out.size);
  gnutls_free (key_out.data);
  return g_byte_array_free_to_bytes (g_steal_pointer (&joined));
}

static gboolean
write_all (int      fd,
           GBytes  *data,
           GError **error)
{
  gsize size = 0;
  const guint8 *p = g_bytes_get_data (data, &size);

  while (size > 0)
    {
      ssize_t n = write (fd, p, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not write the file: %s"), g_strerror (saved));
          return FALSE;
        }
      p += n;
      size -= n;
    }
  if (fsync (fd) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write the file: %s"), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static void
sync_directory (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

static gboolean
set_open_error (GError    **error,
                int         saved,
                const char *path)
{
  g_autofree char *display = g_filename_display_name (path);

  if (saved == EEXIST)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                 _("%s already exists; choose another name or replace it explicitly"), display);
  else if (saved == ELOOP)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                 _("%s is a symbolic link; refusing to write through it"), display);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("Could not create %s: %s"), display, g_strerror (saved));
  return FALSE;
}

static gboolean
write_new (const char *path,
           GBytes     *data,
           GError    **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0)
    return set_open_error (error, errno, path);
  /* The umask may only remove bits; make 0600 exact regardless. */
  if (fchmod (fd, 0600) < 0 || !write_all (fd, data, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                     _("Could not write the file: %s"), g_strerror (errno));
      close (fd);
      g_unlink (path);
      return FALSE;
    }
  if (close (fd) < 0)
    {
      int saved = errno;
      g_unlink (path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write the file: %s"), g_strerror (saved));
      return FALSE;
    }
  sync_directory (path);
  return TRUE;
}

/* rename() replaces a symlink at @path itself, never its target. */
static gboolean
replace_existing (const char *path,
                  GBytes     *data,
                  GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  GStatBuf st;
  int fd;

  if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
    return set_open_error (error, EISDIR, path);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_open_error (error, errno, path);
  if (fchmod (fd, 0600) < 0 || !write_all (fd, data, error) || close (g_steal_fd (&fd)) < 0 ||
      g_rename (tmp, path) < 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     _("Could not write the file: %s"), g_strerror (saved));
      g_unlink (tmp);
      return FALSE;
    }
  sync_directory (path);
  return TRUE;
}

gboolean
tessera_export_write_file (const char  *path,
                           GBytes      *data,
                           gboolean     force,
                           GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  if (!force)
    return write_new (path, data, error);
  return replace_existing (path, data, error);
}
