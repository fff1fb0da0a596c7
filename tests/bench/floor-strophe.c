/* floor-strophe.c: the least a client needs for a list or a certificate login, with raw libstrophe
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The benchmark's floor: what tessera-cli's "list" and "login" must do on
 * the wire, with libstrophe and nothing else (no GLib, no key store, no
 * keyring, no discovery). Same TLS rules as Tessera: mandatory TLS, the
 * server certificate checked against the system store plus --ca-file.
 *
 *   floor-strophe list  --jid J --host H --port P --ca-file F [--xep0257] [--done-time]
 *                       (password from $TESSERA_PASSWORD)
 *   floor-strophe login --jid J --host H --port P --ca-file F
 *                       --cert PEM --key PEM [--key-passphrase-file FILE] [--unlock-once]
 *                       [--done-time]
 *
 * --unlock-once: the least the stack can do for a certificate login. The
 * key is decrypted once (GnuTLS: its PBKDF2, nettle's, is the faster of
 * the two on this stack; OpenSSL 3's costs almost twice as much) and
 * handed to libstrophe unlocked through a memfd, as Tessera does; without it,
 * libstrophe unlocks the encrypted key.pem itself through its password
 * callback (twice per connection with libstrophe 0.12.2 and OpenSSL 3).
 *
 * Prints the number of listed certificates, or the bound JID; with
 * --done-time also "done_us=" and the wall-clock time (CLOCK_REALTIME, µs)
 * at which the answer was in, so that a capture can tell the operation from
 * the stream close that follows. Exit status 0 on success, 1 on failure. */

#include "config.h"

#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <strophe.h>

#define NS_CCM2_LIST "urn:xmpp:ccm2:list-certs:0"
#define NS_SASLCERT  "urn:xmpp:saslcert:1"

typedef struct
{
  const char *mode;
  const char *jid;
  const char *host;
  unsigned short port;
  const char *ca_file;
  const char *cert;
  const char *key;
  const char *key_passphrase_file;
  int xep0257;
  int unlock_once;
  int done_time;
  long long done_us;

  xmpp_ctx_t *ctx;
  int ok;
} Floor;

static void
mark_done (Floor *floor_)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  floor_->done_us = (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
list_reply_cb (xmpp_conn_t   *conn,
               xmpp_stanza_t *stanza,
               void          *userdata)
{
  Floor *floor_ = userdata;
  const char *type = xmpp_stanza_get_type (stanza);
  xmpp_stanza_t *list;
  unsigned count = 0;

  mark_done (floor_);
  if (type != NULL && strcmp (type, "result") == 0)
    {
      list = xmpp_stanza_get_child_by_ns (stanza, floor_->xep0257 ? NS_SASLCERT : NS_CCM2_LIST);
      for (xmpp_stanza_t *child = list != NULL ? xmpp_stanza_get_children (list) : NULL;
           child != NULL;
           child = xmpp_stanza_get_next (child))
        {
          const char *name = xmpp_stanza_get_name (child);

          if (name != NULL && strcmp (name, floor_->xep0257 ? "item" : "x509certificate") == 0)
            count++;
        }
      printf ("%u certificates\n", count);
      floor_->ok = list != NULL;
    }
  xmpp_disconnect (conn);
  return 0;
}

static void
send_list (Floor       *floor_,
           xmpp_conn_t *conn)
{
  xmpp_stanza_t *iq = xmpp_iq_new (floor_->ctx, "get", "floor-list-1");
  xmpp_stanza_t *query = xmpp_stanza_new (floor_->ctx);

  xmpp_stanza_set_name (query, floor_->xep0257 ? "items" : "list-certificates-request");
  xmpp_stanza_set_ns (query, floor_->xep0257 ? NS_SASLCERT : NS_CCM2_LIST);
  xmpp_stanza_add_child (iq, query);
  xmpp_stanza_release (query);
  xmpp_id_handler_add (conn, list_reply_cb, "floor-list-1", floor_);
  xmpp_send (conn, iq);
  xmpp_stanza_release (iq);
}

static void
conn_cb (xmpp_conn_t         *conn,
         xmpp_conn_event_t    event,
         int                  error,
         xmpp_stream_error_t *stream_error,
         void                *userdata)
{
  Floor *floor_ = userdata;

  if (event == XMPP_CONN_CONNECT)
    {
      if (strcmp (floor_->mode, "list") == 0)
        {
          send_list (floor_, conn);
          return;
        }
      mark_done (floor_);
      printf ("%s\n", xmpp_conn_get_bound_jid (conn));
      floor_->ok = 1;
      xmpp_disconnect (conn);
      return;
    }
  if (event == XMPP_CONN_DISCONNECT || event == XMPP_CONN_FAIL)
    xmpp_stop (floor_->ctx);
}

static int
read_passphrase (const char *path,
                 char       *pw,
                 size_t      pw_max)
{
  FILE *file = fopen (path, "r");
  size_t len;

  if (file == NULL)
    return -1;
  if (fgets (pw, (int) pw_max, file) == NULL)
    {
      fclose (file);
      return -1;
    }
  fclose (file);
  len = strcspn (pw, "\r\n");
  pw[len] = '\0';
  return (int) len;
}

static int
read_file (const char     *path,
           gnutls_datum_t *out)
{
  FILE *file = fopen (path, "r");
  long size;

  if (file == NULL)
    return -1;
  if (fseek (file, 0, SEEK_END) != 0 || (size = ftell (file)) <= 0 || fseek (file, 0, SEEK_SET) != 0)
    {
      fclose (file);
      return -1;
    }
  out->data = gnutls_malloc ((size_t) size);
  out->size = (unsigned) fread (out->data, 1, (size_t) size, file);
  fclose (file);
  return out->size == (unsigned) size ? 0 : -1;
}

/* One PBKDF2 run: the key decrypted once, written unencrypted to an
 * anonymous memory file; returns its fd (-1 on failure) and its path. */
static int
unlock_once (Floor *floor_,
             char  *path,
             size_t path_max)
{
  char pw[1024];
  gnutls_datum_t pem = { NULL, 0 };
  gnutls_datum_t plain = { NULL, 0 };
  gnutls_x509_privkey_t key = NULL;
  int fd = -1;

  if (read_file (floor_->key, &pem) < 0 ||
      (floor_->key_passphrase_file != NULL &&
       read_passphrase (floor_->key_passphrase_file, pw, sizeof pw) < 0) ||
      gnutls_x509_privkey_init (&key) < 0 ||
      gnutls_x509_privkey_import_pkcs8 (key, &pem, GNUTLS_X509_FMT_PEM,
                                        floor_->key_passphrase_file != NULL ? pw : NULL,
                                        floor_->key_passphrase_file != NULL ? 0 : GNUTLS_PKCS_PLAIN) < 0 ||
      gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &plain) < 0)
    goto out;

  fd = memfd_create ("floor-key", MFD_CLOEXEC);
  if (fd >= 0 && write (fd, plain.data, plain.size) != (ssize_t) plain.size)
    {
      close (fd);
      fd = -1;
    }
  if (fd >= 0)
    snprintf (path, path_max, "/proc/self/fd/%d", fd);

out:
  gnutls_memset (pw, 0, sizeof pw);
  if (plain.data != NULL)
    gnutls_memset (plain.data, 0, plain.size);
  gnutls_free (plain.data);
  gnutls_free (pem.data);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return fd;
}

/* Unlocks an encrypted key with the first line of --key-passphrase-file. */
static int
password_cb (char        *pw,
             size_t       pw_max,
             xmpp_conn_t *conn,
             void        *userdata)
{
  Floor *floor_ = userdata;

  return read_passphrase (floor_->key_passphrase_file, pw, pw_max);
}

static int
parse_args (Floor *floor_,
            int    argc,
            char  *argv[])
{
  if (argc < 2)
    return 0;
  floor_->mode = argv[1];
  if (strcmp (floor_->mode, "list") != 0 && strcmp (floor_->mode, "login") != 0)
    return 0;

  for (int i = 2; i < argc; i++)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (strcmp (argv[i], "--xep0257") == 0)
        {
          floor_->xep0257 = 1;
          continue;
        }
      if (strcmp (argv[i], "--done-time") == 0)
        {
          floor_->done_time = 1;
          continue;
        }
      if (strcmp (argv[i], "--unlock-once") == 0)
        {
          floor_->unlock_once = 1;
          continue;
        }
      if (value == NULL)
        return 0;
      if (strcmp (argv[i], "--jid") == 0)
        floor_->jid = value;
      else if (strcmp (argv[i], "--host") == 0)
        floor_->host = value;
      else if (strcmp (argv[i], "--port") == 0)
        floor_->port = (unsigned short) atoi (value);
      else if (strcmp (argv[i], "--ca-file") == 0)
        floor_->ca_file = value;
      else if (strcmp (argv[i], "--cert") == 0)
        floor_->cert = value;
      else if (strcmp (argv[i], "--key") == 0)
        floor_->key = value;
      else if (strcmp (argv[i], "--key-passphrase-file") == 0)
        floor_->key_passphrase_file = value;
      else
        return 0;
      i++;
    }

  if (floor_->jid == NULL)
    return 0;
  if (strcmp (floor_->mode, "login") == 0 && (floor_->cert == NULL || floor_->key == NULL))
    return 0;
  return 1;
}

int
main (int   argc,
      char *argv[])
{
  Floor floor_ = { 0, };
  xmpp_conn_t *conn;
  char key_path[64];
  int key_fd = -1;
  const char *password = getenv ("TESSERA_PASSWORD");

  if (!parse_args (&floor_, argc, argv))
    {
      fprintf (stderr, "usage: floor-strophe list|login --jid JID [--host H] [--port P] [--ca-file F]\n"
                       "       [--xep0257] [--done-time] [--cert PEM --key PEM [--key-passphrase-file FILE]\n"
                       "       [--unlock-once]]\n");
      return 2;
    }
  if (strcmp (floor_.mode, "list") == 0 && password == NULL)
    {
      fprintf (stderr, "floor-strophe: list needs $TESSERA_PASSWORD\n");
      return 2;
    }

  xmpp_initialize ();
  floor_.ctx = xmpp_ctx_new (NULL, NULL);
  /* xmpp_run () sleeps in select () up to this long even when OpenSSL
   * already holds the rest of a reply that came in several TLS records
   * (the default, 1 s, then shows in every big list); 1 ms keeps the floor
   * a floor. */
  xmpp_ctx_set_timeout (floor_.ctx, 1);
  conn = xmpp_conn_new (floor_.ctx);
  xmpp_conn_set_flags (conn, XMPP_CONN_FLAG_MANDATORY_TLS);
  xmpp_conn_set_jid (conn, floor_.jid);
  if (floor_.ca_file != NULL)
    xmpp_conn_set_cafile (conn, floor_.ca_file);
  if (strcmp (floor_.mode, "list") == 0)
    {
      xmpp_conn_set_pass (conn, password);
    }
  else
    {
      /* No password at all: SASL EXTERNAL only, as Tessera does. */
      if (floor_.unlock_once)
        {
          key_fd = unlock_once (&floor_, key_path, sizeof key_path);
          if (key_fd < 0)
            {
              fprintf (stderr, "floor-strophe: could not unlock %s\n", floor_.key);
              return 1;
            }
          xmpp_conn_set_client_cert (conn, floor_.cert, key_path);
        }
      else
        {
          xmpp_conn_set_client_cert (conn, floor_.cert, floor_.key);
          if (floor_.key_passphrase_file != NULL)
            xmpp_conn_set_password_callback (conn, password_cb, &floor_);
        }
    }

  if (xmpp_connect_client (conn, floor_.host, floor_.port, conn_cb, &floor_) == XMPP_EOK)
    xmpp_run (floor_.ctx);

  if (key_fd >= 0)
    close (key_fd);
  xmpp_conn_release (conn);
  xmpp_ctx_free (floor_.ctx);
  xmpp_shutdown ();

  if (floor_.done_time && floor_.ok)
    printf ("done_us=%lld\n", floor_.done_us);

  return floor_.ok ? 0 : 1;
}
