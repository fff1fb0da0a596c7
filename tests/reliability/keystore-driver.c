/* keystore-driver.c: one key store operation per run, for fault injection under strace
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include "tessera-core.h"

/* keystore-driver BASE_DIR JID PASSPHRASE OPERATION [KEY_ID]
 *
 *   prepare           a key saved with PASSPHRASE (no keyring); prints its id
 *   new-key           a second key, saved with PASSPHRASE
 *   request KEY_ID    its certificate request
 *   certificate KEY_ID  a (self-signed) certificate for it
 *   revoking KEY_ID   state "revoking"
 *   journal KEY_ID    one journal line
 *
 * Nothing but the key store writes files here, and nothing is written to
 * stdout or stderr unless the operation fails: so under strace every
 * write, fsync and rename it makes is the key store's. On failure the
 * GError goes to stderr and the exit status is 1. */

static gboolean
run (TesseraKeyStore  *store,
     const char       *jid,
     const char       *passphrase,
     const char       *operation,
     const char       *id,
     GError          **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKey) key = NULL;

  if (g_str_equal (operation, "prepare") || g_str_equal (operation, "new-key"))
    {
      key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, error);
      if (key != NULL)
        record = tessera_key_store_save_key (store, key, "Driven", "ccm2", passphrase, error);
      if (record != NULL && g_str_equal (operation, "prepare"))
        g_print ("%s\n", tessera_key_record_get_id (record));
      return record != NULL;
    }

  if (id == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s needs a key id", operation);
      return FALSE;
    }

  if (g_str_equal (operation, "revoking"))
    record = tessera_key_store_set_state (store, id, TESSERA_KEY_STATE_REVOKING, error);
  else if (g_str_equal (operation, "journal"))
    return tessera_key_store_journal_append (store, id, TESSERA_JOURNAL_STEP_REQUEST_SENT, error);
  else
    {
      g_autoptr(GBytes) der = NULL;

      key = tessera_key_store_load_key (store, id, passphrase, error);
      if (key == NULL)
        return FALSE;
      if (g_str_equal (operation, "request"))
        {
          der = tessera_key_create_csr (key, jid, error);
          if (der != NULL)
            record = tessera_key_store_save_request (store, id, der, error);
        }
      else if (g_str_equal (operation, "certificate"))
        {
          g_autoptr(TesseraCertificate) cert = NULL;

          der = tessera_key_create_self_signed (key, jid, 30, error);
          cert = der != NULL ? tessera_certificate_new_from_der (der, error) : NULL;
          if (cert != NULL)
            record = tessera_key_store_save_certificate (store, id, cert, error);
        }
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown operation %s", operation);
    }

  return record != NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  if (argc < 5)
    {
      g_printerr ("usage: keystore-driver BASE_DIR JID PASSPHRASE OPERATION [KEY_ID]\n");
      return 2;
    }

  store = tessera_key_store_new (argv[2], argv[1]);
  if (!run (store, argv[2], argv[3], argv[4], argc > 5 ? argv[5] : NULL, &error))
    {
      g_printerr ("keystore-driver: %s\n", error->message);
      return 1;
    }
  return 0;
}
