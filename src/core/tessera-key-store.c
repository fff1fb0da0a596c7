/* tessera-key-store.c: private keys, requests and certificates on disk
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tessera-error.h"
#include "tessera-key-record-private.h"
#include "tessera-key-store.h"
#include "tessera-secret.h"
#include "tessera-store-file.h"
#include "tessera-test-hooks.h"

#define KEY_FILE_NAME         "key.pem"
#define REQUEST_FILE_NAME     "request.der"
#define CERTIFICATE_FILE_NAME "certificate.pem"
#define META_FILE_NAME        "meta.ini"
#define JOURNAL_FILE_NAME     "journal"
#define META_GROUP            "key"
#define ENCRYPTED_PEM_HEADER  "-----BEGIN ENCRYPTED PRIVATE KEY-----"
#define PLAIN_PEM_HEADER      "-----BEGIN PRIVATE KEY-----"
#define PASSPHRASE_KEYRING    "keyring"
#define PASSPHRASE_USER       "user"
/* The journal is there to reconcile an interrupted step, not for history. */
#define JOURNAL_MAX_LINES     200
/* Longer escaped JIDs are cut and made unique by a hash (NAME_MAX is 255). */
#define MAX_DIR_NAME_LEN      200

struct _TesseraKeyStore
{
  GObject  parent_instance;

  char    *jid;
  char    *base_dir;
  char    *dir;
};

G_DEFINE_FINAL_TYPE (TesseraKeyStore, tessera_key_store, G_TYPE_OBJECT)

/* meta.ini and the journal are read, changed and replaced as a whole; one
 * lock for every store of the process keeps two threads (or two store
 * objects for the same account) from losing each other's change. */
static GMutex meta_lock;

/* ---------------------------------------------------------------------- */
/* Names                                                                   */

static gboolean
is_plain_name_char (guchar c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '-' || c == '_' || c == '@';
}

char *
tessera_key_store_escape_jid (const char *bare_jid)
{
  GString *name;
  g_autofree char *hash = NULL;
  gsize cut;

  g_return_val_if_fail (bare_jid != NULL && *bare_jid != '\0', NULL);

  /* A leading '.' is escaped too: no hidden folder, no "." or "..". */
  name = g_string_new (NULL);
  for (const guchar *p = (const guchar *) bare_jid; *p != '\0'; p++)
    {
      if (is_plain_name_char (*p) && !(p == (const guchar *) bare_jid && *p == '.'))
        g_string_append_c (name, (char) *p);
      else
        g_string_append_printf (name, "%%%02X", *p);
    }

  if (name->len <= MAX_DIR_NAME_LEN)
    return g_string_free (name, FALSE);

  /* '~' never comes out of the escaping, so cut names cannot collide with
   * whole ones; the hash keeps cut names apart from each other. */
  cut = MAX_DIR_NAME_LEN - 1 - 64;
  while (cut > 0 && (name->str[cut - 1] == '%' || (cut > 1 && name->str[cut - 2] == '%')))
    cut--;
  g_string_truncate (name, cut);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, bare_jid, -1);
  g_string_append_printf (name, "~%s", hash);

  return g_string_free (name, FALSE);
}

static gboolean
is_valid_id (const char *id)
{
  if (id == NULL || strlen (id) != TESSERA_KEY_ID_LEN)
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;

  return TRUE;
}

static gboolean
check_id (const char  *id,
          GError     **error)
{
  if (is_valid_id (id))
    return TRUE;

  g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
               _("Could not find the key “%s”: not a key id"), id != NULL ? id : "");
  return FALSE;
}

/* First 16 hex digits of the SHA-256 of a SubjectPublicKeyInfo: the same
 * as the key's public key id, so requests and certificates can be matched
 * to a key without decrypting it. */
static char *
id_from_public_key_der (GBytes *spki_der)
{
  g_autofree char *hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, spki_der);

  return g_strndup (hash, TESSERA_KEY_ID_LEN);
}

static char *
id_from_key (TesseraKey *key)
{
  g_autofree char *id = g_ascii_strdown (tessera_key_get_public_key_id (key), -1);

  if (strlen (id) < TESSERA_KEY_ID_LEN)
    return NULL;
  id[TESSERA_KEY_ID_LEN] = '\0';
  return is_valid_id (id) ? g_steal_pointer (&id) : NULL;
}

static char *
key_dir_path (TesseraKeyStore *self,
              const char      *id)
{
  return g_build_filename (self->dir, id, NULL);
}

static char *
key_file_path (TesseraKeyStore *self,
               const char      *id,
               const char      *file_name)
{
  return g_build_filename (self->dir, id, file_name, NULL);
}

static gboolean
ensure_key_dir (TesseraKeyStore  *self,
                const char       *id,
                GError          **error)
{
  g_autofree char *key_dir = key_dir_path (self, id);

  return tessera_store_ensure_private_dir (self->base_dir, error) &&
         tessera_store_ensure_private_dir (self->dir, error) &&
         tessera_store_ensure_private_dir (key_dir, error);
}

static char *
format_now (gboolean with_fraction)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (with_fraction)
    return g_date_time_format_iso8601 (now);
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}


/* ---------------------------------------------------------------------- */
/* Reading a key directory                                                 */

static GKeyFile *
read_meta (TesseraKeyStore  *self,
           const char       *id,
           GError          **error)
{
  g_autofree char *path = key_file_path (self, id, META_FILE_NAME);
  g_autoptr(GKeyFile) meta = g_key_file_new ();
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *data;
  gsize length;

  contents = tessera_store_read_private_file (path, error);
  if (contents == NULL)
    return NULL;

  data = g_bytes_get_data (contents, &length);
  if (!g_key_file_load_from_data (meta, data != NULL ? data : "", length, G_KEY_FILE_NONE,
                                  &local_error))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_CORRUPT,
                   _("Could not read “%s”: %s"), path, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&meta);
}

static gboolean
write_meta (TesseraKeyStore  *self,
            const char       *id,
            GKeyFile         *meta,
            GError          **error)
{
  g_autofree char *path = key_file_path (self, id, META_FILE_NAME);
  g_autofree char *data = NULL;
  gsize length;

  data = g_key_file_to_data (meta, &length, NULL);
  return tessera_store_write_private_file (path, data, length, error);
}

static gboolean
corrupt_meta (const char  *id,
              const char  *what,
              GError     **error)
{
  g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_CORRUPT,
               _("Could not read the details of key %s: invalid %s"), id, what);
  return FALSE;
}

static gboolean
record_fill_from_meta (TesseraKeyRecord  *record,
                       GKeyFile          *meta,
                       GError           **error)
{
  g_autofree char *key_type = g_key_file_get_string (meta, META_GROUP, "key-type", NULL);
  g_autofree char *state = g_key_file_get_string (meta, META_GROUP, "state", NULL);
  g_autofree char *created = g_key_file_get_string (meta, META_GROUP, "created", NULL);
  g_autofree char *passphrase = g_key_file_get_string (meta, META_GROUP, "passphrase", NULL);

  record->name = g_key_file_get_string (meta, META_GROUP, "name", NULL);
  if (record->name == NULL)
    record->name = g_strdup ("");
  record->protocol = g_key_file_get_string (meta, META_GROUP, "protocol", NULL);
  if (tessera_cert_protocol_from_string (record->protocol) == TESSERA_CERT_PROTOCOL_NONE)
    return corrupt_meta (record->id, "protocol", error);
  if (!tessera_key_type_from_string (key_type, &record->key_type))
    return corrupt_meta (record->id, "key type", error);
  if (!tessera_key_state_from_string (state, &record->state))
    return corrupt_meta (record->id, "state", error);
  record->created = created != NULL ? g_date_time_new_from_iso8601 (created, NULL) : NULL;
  if (record->created == NULL)
    return corrupt_meta (record->id, "creation time", error);
  if (g_strcmp0 (passphrase, PASSPHRASE_KEYRING) == 0)
    record->uses_user_passphrase = FALSE;
  else if (g_strcmp0 (passphrase, PASSPHRASE_USER) == 0)
    record->uses_user_passphrase = TRUE;
  else
    return corrupt_meta (record->id, "passphrase source", error);
  record->other_device = g_key_file_get_boolean (meta, META_GROUP, "other-device", NULL);
  record->output_path = g_key_file_get_string (meta, META_GROUP, "output", NULL);
  record->output_format = g_key_file_get_string (meta, META_GROUP, "output-format", NULL);
  if (record->output_path != NULL && *record->output_path == '\0')
    g_clear_pointer (&record->output_path, g_free);
  record->renewed_by = g_key_file_get_string (meta, META_GROUP, "renewed-by", NULL);
  if (record->renewed_by != NULL && !is_valid_id (record->renewed_by))
    return corrupt_meta (record->id, "renewal", error);

  return TRUE;
}

/* NULL without error when the file is simply not there. */
static GBytes *
read_optional (const char  *path,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GBytes *contents = tessera_store_read_private_file (path, &local_error);

  if (contents == NULL &&
      !g_error_matches (local_error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND))
    g_propagate_error (error, g_steal_pointer (&local_error));

  return contents;
}

static gboolean
record_load_certificate (TesseraKeyRecord  *record,
                         const char        *path,
                         GError           **error)
{
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(GError) local_error = NULL;

  pem = read_optional (path, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (pem == NULL)
    return TRUE;

  record->certificate = tessera_certificate_new_from_pem (pem, &local_error);
  if (record->certificate == NULL)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_CORRUPT,
                   _("Could not read the certificate of key %s: %s"), record->id,
                   local_error->message);
      return FALSE;
    }

  record->certificate_path = g_strdup (path);
  return TRUE;
}

static TesseraKeyRecord *
load_record (TesseraKeyStore  *self,
             const char       *id,
             GError          **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GKeyFile) meta = NULL;
  g_autofree char *request_path = key_file_path (self, id, REQUEST_FILE_NAME);
  g_autofree char *certificate_path = key_file_path (self, id, CERTIFICATE_FILE_NAME);
  g_autofree char *key_dir = NULL;
  g_autoptr(GError) local_error = NULL;

  record = g_object_new (TESSERA_TYPE_KEY_RECORD, NULL);
  record->id = g_strdup (id);
  record->key_path = key_file_path (self, id, KEY_FILE_NAME);

  /* Without key.pem there is no key, whatever else the folder holds. */
  if (!g_file_test (record->key_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                   _("Could not find the key %s of %s"), id, self->jid);
      return NULL;
    }

  /* The private key is checked every time, not only when it is read. */
  key_dir = key_dir_path (self, id);
  if (!tessera_store_repair_mode (key_dir, 0700, error) || !tessera_store_repair_mode (record->key_path, 0600, error))
    return NULL;

  meta = read_meta (self, id, error);
  if (meta == NULL || !record_fill_from_meta (record, meta, error))
    return NULL;

  record->request_der = read_optional (request_path, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!record_load_certificate (record, certificate_path, error))
    return NULL;

  return g_steal_pointer (&record);
}

/* ---------------------------------------------------------------------- */
/* TesseraKeyStore                                                         */

static void
tessera_key_store_finalize (GObject *object)
{
  TesseraKeyStore *self = TESSERA_KEY_STORE (object);

  g_free (self->jid);
  g_free (self->base_dir);
  g_free (self->dir);

  G_OBJECT_CLASS (tessera_key_store_parent_class)->finalize (object);
}

static void
tessera_key_store_class_init (TesseraKeyStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_key_store_finalize;
}

static void
tessera_key_store_init (TesseraKeyStore *self)
{
}

TesseraKeyStore *
tessera_key_store_new (const char *bare_jid,
                       const char *base_dir)
{
  TesseraKeyStore *self;
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (bare_jid != NULL && *bare_jid != '\0', NULL);
  g_return_val_if_fail (g_utf8_validate (bare_jid, -1, NULL), NULL);

  self = g_object_new (TESSERA_TYPE_KEY_STORE, NULL);
  self->jid = g_strdup (bare_jid);
  if (base_dir != NULL)
    self->base_dir = g_canonicalize_filename (base_dir, NULL);
  else
    self->base_dir = g_build_filename (g_get_user_data_dir (), "tessera", NULL);
  escaped = tessera_key_store_escape_jid (bare_jid);
  self->dir = g_build_filename (self->base_dir, escaped, NULL);

  return self;
}

const char *
tessera_key_store_get_jid (TesseraKeyStore *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);

  return self->jid;
}

const char *
tessera_key_store_get_dir (TesseraKeyStore *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);

  return self->dir;
}

/* A failure to journal must not undo a step that succeeded (or that the
 * server already acted on), so it is only logged. */
void
tessera_key_store_journal_note (TesseraKeyStore    *self,
                                const char         *id,
                                TesseraJournalStep  step)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TESSERA_IS_KEY_STORE (self));

  if (!tessera_key_store_journal_append (self, id, step, &error))
    g_message ("Could not journal \"%s\" for key %s: %s", tessera_journal_step_to_string (step), id,
               error->message);
}

static TesseraJournalStep
journal_step_for_state (TesseraKeyState state)
{
  switch (state)
    {
    case TESSERA_KEY_STATE_KEY_SAVED:
      return TESSERA_JOURNAL_STEP_STATE_KEY_SAVED;
    case TESSERA_KEY_STATE_REQUEST_PENDING:
      return TESSERA_JOURNAL_STEP_STATE_REQUEST_PENDING;
    case TESSERA_KEY_STATE_CERTIFIED:
      return TESSERA_JOURNAL_STEP_STATE_CERTIFIED;
    case TESSERA_KEY_STATE_REVOKING:
      return TESSERA_JOURNAL_STEP_STATE_REVOKING;
    default:
      g_return_val_if_reached (TESSERA_JOURNAL_STEP_UNKNOWN);
    }
}

/* The passphrase of a new key: the caller's, or a fresh random one that
 * will live in the keyring. Fails before anything is written. */
static char *
choose_passphrase (const char  *user_passphrase,
                   GError     **error)
{
  if (user_passphrase != NULL)
    {
      if (*user_passphrase == '\0')
        {
          g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PASSPHRASE_REQUIRED,
                       _("Could not protect the key: the passphrase is empty"));
          return NULL;
        }
      return g_strdup (user_passphrase);
    }

  if (!tessera_secret_is_available ())
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NO_SECRET_SERVICE,
                   _("Could not keep the key's passphrase: no keyring (Secret Service) is "
                     "available; choose a passphrase instead"));
      return NULL;
    }

  return tessera_crypto_generate_passphrase ();
}

/* The encrypted PEM, checked to be encrypted and to decrypt to the same
 * key: a key file that cannot be read back must never be written. */
static GBytes *
export_checked (TesseraKey  *key,
                const char  *passphrase,
                GError     **error)
{
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(TesseraKey) reread = NULL;
  const char *data;
  gsize length;

  pem = tessera_key_export_encrypted (key, passphrase, error);
  if (pem == NULL)
    return NULL;

  data = g_bytes_get_data (pem, &length);
  if (data == NULL ||
      g_strstr_len (data, length, ENCRYPTED_PEM_HEADER) == NULL ||
      g_strstr_len (data, length, PLAIN_PEM_HEADER) != NULL)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED,
                   _("Could not save the key: it did not come out encrypted"));
      return NULL;
    }

  reread = tessera_key_new_from_pem (pem, passphrase, error);
  if (reread == NULL)
    return NULL;
  if (g_strcmp0 (tessera_key_get_public_key_id (reread), tessera_key_get_public_key_id (key)) != 0)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED,
                   _("Could not save the key: it does not read back as the same key"));
      return NULL;
    }

  return g_steal_pointer (&pem);
}

static GKeyFile *
new_meta (TesseraKeyStore *self,
          TesseraKey      *key,
          const char      *name,
          const char      *protocol,
          gboolean         user_passphrase)
{
  GKeyFile *meta = g_key_file_new ();
  g_autofree char *created = format_now (TRUE);

  g_key_file_set_string (meta, META_GROUP, "jid", self->jid);
  g_key_file_set_string (meta, META_GROUP, "name", name != NULL ? name : "");
  g_key_file_set_string (meta, META_GROUP, "key-type",
                         tessera_key_type_to_string (tessera_key_get_key_type (key)));
  g_key_file_set_string (meta, META_GROUP, "protocol", protocol);
  g_key_file_set_string (meta, META_GROUP, "created", created);
  g_key_file_set_string (meta, META_GROUP, "state",
                         tessera_key_state_to_string (TESSERA_KEY_STATE_KEY_SAVED));
  g_key_file_set_string (meta, META_GROUP, "passphrase",
                         user_passphrase ? PASSPHRASE_USER : PASSPHRASE_KEYRING);

  return meta;
}

/* Undoes a save_key that failed half way; nothing was sent yet, so
 * nobody can miss this key. */
static void
discard_new_key (TesseraKeyStore *self,
                 const char      *id,
                 gboolean         secret_stored)
{
  const char *files[] = { META_FILE_NAME, KEY_FILE_NAME, JOURNAL_FILE_NAME };
  g_autofree char *key_dir = key_dir_path (self, id);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (key_dir, files[i], NULL);

      g_unlink (path);
    }
  g_rmdir (key_dir);

  if (secret_stored)
    tessera_secret_clear_key_passphrase (self->jid, id, NULL);
}

/* meta.ini first, key.pem last: key.pem is what makes a folder a key, so
 * a crash in between leaves a folder that is skipped, never a key without
 * its details. */
static gboolean
write_new_key (TesseraKeyStore  *self,
               const char       *id,
               GBytes           *pem,
               GKeyFile         *meta,
               GError          **error)
{
  g_autofree char *key_path = key_file_path (self, id, KEY_FILE_NAME);
  gsize length;
  const char *data = g_bytes_get_data (pem, &length);

  if (!write_meta (self, id, meta, error))
    return FALSE;

  if (!tessera_store_write_private_file (key_path, data, length, error))
    return FALSE;
  tessera_test_crash_point ("key-store:after-key-file");

  return TRUE;
}

char *
tessera_key_store_id_for_key (TesseraKey *key)
{
  g_return_val_if_fail (TESSERA_IS_KEY (key), NULL);

  return id_from_key (key);
}

static void
set_output (GKeyFile   *meta,
            const char *output_path,
            const char *output_format)
{
  g_key_file_set_boolean (meta, META_GROUP, "other-device", TRUE);
  g_key_file_set_string (meta, META_GROUP, "output", output_path);
  g_key_file_set_string (meta, META_GROUP, "output-format", output_format);
}

static TesseraKeyRecord *
save_key (TesseraKeyStore  *self,
          TesseraKey       *key,
          const char       *name,
          const char       *protocol,
          const char       *user_passphrase,
          const char       *output_path,
          const char       *output_format,
          GError          **error)
{
  g_autofree char *id = NULL;
  g_autofree char *existing = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(GKeyFile) meta = NULL;
  char *passphrase = NULL;
  gboolean in_keyring = (user_passphrase == NULL);

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (TESSERA_IS_KEY (key), NULL);
  g_return_val_if_fail (tessera_cert_protocol_from_string (protocol) != TESSERA_CERT_PROTOCOL_NONE, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  id = id_from_key (key);
  if (id == NULL)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED,
                   _("Could not save the key: it has no usable public key id"));
      return NULL;
    }

  existing = key_file_path (self, id, KEY_FILE_NAME);
  if (g_file_test (existing, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED,
                   _("Could not save the key: key %s is already stored"), id);
      return NULL;
    }

  passphrase = choose_passphrase (user_passphrase, error);
  if (passphrase == NULL)
    return NULL;

  pem = export_checked (key, passphrase, error);
  if (pem == NULL || !ensure_key_dir (self, id, error))
    {
      tessera_secret_free (passphrase);
      return NULL;
    }

  /* The passphrase goes to the keyring first: a crash after this leaves
   * an unused keyring item, never a key nobody can decrypt. */
  if (in_keyring && !tessera_secret_store_key_passphrase (self->jid, id, passphrase, error))
    {
      /* A keyring may keep an item whose write failed half way. */
      tessera_secret_free (passphrase);
      discard_new_key (self, id, TRUE);
      return NULL;
    }
  tessera_secret_free (passphrase);
  tessera_test_crash_point ("key-store:after-secret");

  meta = new_meta (self, key, name, protocol, !in_keyring);
  if (output_path != NULL)
    set_output (meta, output_path, output_format);
  if (!write_new_key (self, id, pem, meta, error))
    {
      discard_new_key (self, id, in_keyring);
      return NULL;
    }

  tessera_key_store_journal_note (self, id, TESSERA_JOURNAL_STEP_KEY_SAVED);
  g_debug ("Saved key %s of %s%s", id, self->jid, output_path != NULL ? " for another device" : "");
  return load_record (self, id, error);
}

TesseraKeyRecord *
tessera_key_store_save_key (TesseraKeyStore  *self,
                            TesseraKey       *key,
                            const char       *name,
                            const char       *protocol,
                            const char       *user_passphrase,
                            GError          **error)
{
  return save_key (self, key, name, protocol, user_passphrase, NULL, NULL, error);
}

TesseraKeyRecord *
tessera_key_store_save_other_device_key (TesseraKeyStore  *self,
                                         TesseraKey       *key,
                                         const char       *name,
                                         const char       *protocol,
                                         const char       *user_passphrase,
                                         const char       *output_path,
                                         const char       *output_format,
                                         GError          **error)
{
  g_return_val_if_fail (output_path != NULL && g_path_is_absolute (output_path), NULL);
  g_return_val_if_fail (output_format != NULL, NULL);

  return save_key (self, key, name, protocol, user_passphrase, output_path, output_format, error);
}

static gboolean
check_public_key (const char  *id,
                  GBytes      *spki_der,
                  GError     **error)
{
  g_autofree char *found = NULL;

  if (spki_der == NULL)
    return FALSE;

  found = id_from_public_key_der (spki_der);
  if (g_strcmp0 (found, id) == 0)
    return TRUE;

  g_set_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_KEY_MISMATCH,
               _("Could not store it with key %s: it is for another key (%s)"), id, found);
  return FALSE;
}

/* Reads meta.ini, applies @state, writes it back, under the lock. */
/* Sets one key of @id's meta.ini, replaced atomically. */
static gboolean
update_meta (TesseraKeyStore  *self,
             const char       *id,
             const char       *key,
             const char       *value,
             GError          **error)
{
  g_autoptr(GKeyFile) meta = NULL;
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&meta_lock);

  meta = read_meta (self, id, error);
  if (meta == NULL)
    return FALSE;

  g_key_file_set_string (meta, META_GROUP, key, value);
  return write_meta (self, id, meta, error);
}

static gboolean
update_state (TesseraKeyStore  *self,
              const char       *id,
              TesseraKeyState   state,
              GError          **error)
{
  return update_meta (self, id, "state", tessera_key_state_to_string (state), error);
}

TesseraKeyRecord *
tessera_key_store_save_request (TesseraKeyStore  *self,
                                const char       *id,
                                GBytes           *csr_der,
                                GError          **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GBytes) spki = NULL;
  g_autofree char *path = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (csr_der != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_id (id, error) || (record = load_record (self, id, error)) == NULL)
    return NULL;

  spki = tessera_csr_dup_public_key_der (csr_der, error);
  if (!check_public_key (id, spki, error))
    return NULL;

  path = key_file_path (self, id, REQUEST_FILE_NAME);
  data = g_bytes_get_data (csr_der, &length);
  if (!tessera_store_write_private_file (path, data, length, error))
    return NULL;

  /* A new request for a certified key (renewal) must not hide the
   * certificate that still works. */
  if (record->state == TESSERA_KEY_STATE_KEY_SAVED &&
      !update_state (self, id, TESSERA_KEY_STATE_REQUEST_PENDING, error))
    return NULL;

  tessera_key_store_journal_note (self, id, TESSERA_JOURNAL_STEP_REQUEST_SAVED);
  return load_record (self, id, error);
}

TesseraKeyRecord *
tessera_key_store_save_certificate (TesseraKeyStore     *self,
                                    const char          *id,
                                    TesseraCertificate  *cert,
                                    GError             **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autofree char *path = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (TESSERA_IS_CERTIFICATE (cert), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_id (id, error) || (record = load_record (self, id, error)) == NULL)
    return NULL;
  if (!check_public_key (id, tessera_certificate_get_public_key_der (cert), error))
    return NULL;

  pem = tessera_certificate_dup_pem (cert);
  path = key_file_path (self, id, CERTIFICATE_FILE_NAME);
  data = g_bytes_get_data (pem, &length);
  if (!tessera_store_write_private_file (path, data, length, error))
    return NULL;
  tessera_test_crash_point ("key-store:after-certificate");

  if (!update_state (self, id, TESSERA_KEY_STATE_CERTIFIED, error))
    return NULL;

  tessera_key_store_journal_note (self, id, TESSERA_JOURNAL_STEP_CERTIFICATE_STORED);
  g_debug ("Saved certificate %s for key %s of %s",
           tessera_certificate_get_fingerprint (cert), id, self->jid);
  return load_record (self, id, error);
}

TesseraKeyRecord *
tessera_key_store_give_up_output (TesseraKeyStore  *self,
                                  const char       *id,
                                  GError          **error)
{
  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);

  if (!check_id (id, error) || !update_meta (self, id, "output", "", error))
    return NULL;
  return load_record (self, id, error);
}

TesseraKeyRecord *
tessera_key_store_set_state (TesseraKeyStore  *self,
                             const char       *id,
                             TesseraKeyState   state,
                             GError          **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (tessera_key_state_to_string (state) != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_id (id, error) || (record = load_record (self, id, error)) == NULL)
    return NULL;
  if (!update_state (self, id, state, error))
    return NULL;

  tessera_key_store_journal_note (self, id, journal_step_for_state (state));
  return load_record (self, id, error);
}

gboolean
tessera_key_store_set_renewed_by (TesseraKeyStore  *self,
                                  const char       *id,
                                  const char       *new_id,
                                  GError          **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GKeyFile) meta = NULL;
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_id (id, error) || (new_id != NULL && !check_id (new_id, error)) ||
      (record = load_record (self, id, error)) == NULL)
    return FALSE;

  locker = g_mutex_locker_new (&meta_lock);
  meta = read_meta (self, id, error);
  if (meta == NULL)
    return FALSE;
  if (new_id != NULL)
    g_key_file_set_string (meta, META_GROUP, "renewed-by", new_id);
  else
    g_key_file_remove_key (meta, META_GROUP, "renewed-by", NULL);
  if (!write_meta (self, id, meta, error))
    return FALSE;
  g_clear_pointer (&locker, g_mutex_locker_free);

  tessera_key_store_journal_note (self, id, new_id != NULL ? TESSERA_JOURNAL_STEP_RENEWAL_STARTED
                                                           : TESSERA_JOURNAL_STEP_RENEWAL_ENDED);
  return TRUE;
}

/* The passphrase of a stored key: the user's for keys saved with one,
 * else the keyring's. */
static char *
find_passphrase (TesseraKeyStore   *self,
                 TesseraKeyRecord  *record,
                 const char        *user_passphrase,
                 GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  char *passphrase;

  if (record->uses_user_passphrase)
    {
      if (user_passphrase != NULL)
        return g_strdup (user_passphrase);
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PASSPHRASE_REQUIRED,
                   _("Could not open key %s: it is protected by a passphrase you chose"),
                   record->id);
      return NULL;
    }

  passphrase = tessera_secret_lookup_key_passphrase (self->jid, record->id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (passphrase == NULL)
    g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_SECRET_MISSING,
                 _("Could not open key %s: its passphrase is missing from the keyring"),
                 record->id);

  return passphrase;
}

static TesseraKey *
decrypt_key (TesseraKeyRecord  *record,
             const char        *passphrase,
             GError           **error)
{
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autofree char *found = NULL;

  pem = tessera_store_read_private_file (record->key_path, error);
  if (pem == NULL)
    return NULL;

  key = tessera_key_new_from_pem (pem, passphrase, error);
  if (key == NULL)
    return NULL;

  found = id_from_key (key);
  if (g_strcmp0 (found, record->id) != 0)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_CORRUPT,
                   _("Could not open key %s: the file holds another key"), record->id);
      return NULL;
    }

  return g_steal_pointer (&key);
}

/* Opens the key of @record with its passphrase (find_passphrase()); the
 * passphrase goes to @passphrase_out when asked for, else it is wiped. */
static TesseraKey *
open_record_key (TesseraKeyStore   *self,
                 TesseraKeyRecord  *record,
                 const char        *user_passphrase,
                 char             **passphrase_out,
                 GError           **error)
{
  char *passphrase;
  TesseraKey *key;

  passphrase = find_passphrase (self, record, user_passphrase, error);
  if (passphrase == NULL)
    return NULL;

  key = decrypt_key (record, passphrase, error);
  if (key != NULL && passphrase_out != NULL)
    *passphrase_out = g_steal_pointer (&passphrase);
  tessera_secret_free (passphrase);
  return key;
}

static TesseraKey *
open_key (TesseraKeyStore  *self,
          const char       *id,
          const char       *user_passphrase,
          char            **passphrase_out,
          GError          **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;

  if (!check_id (id, error) || (record = load_record (self, id, error)) == NULL)
    return NULL;

  return open_record_key (self, record, user_passphrase, passphrase_out, error);
}

TesseraKey *
tessera_key_store_load_key (TesseraKeyStore  *self,
                            const char       *id,
                            const char       *user_passphrase,
                            GError          **error)
{
  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_key (self, id, user_passphrase, NULL, error);
}

TesseraKey *
tessera_key_store_load_record_key (TesseraKeyStore   *self,
                                   TesseraKeyRecord  *record,
                                   const char        *user_passphrase,
                                   GError           **error)
{
  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (record), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* decrypt_key() checks that key.pem still holds the record's key. */
  return open_record_key (self, record, user_passphrase, NULL, error);
}

char *
tessera_key_store_dup_key_passphrase (TesseraKeyStore  *self,
                                      const char       *id,
                                      const char       *user_passphrase,
                                      GError          **error)
{
  g_autoptr(TesseraKey) key = NULL;
  char *passphrase = NULL;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* A wrong passphrase is reported here, clearly, rather than as a
   * mysterious TLS failure inside libstrophe. */
  key = open_key (self, id, user_passphrase, &passphrase, error);
  return key != NULL ? passphrase : NULL;
}

gboolean
tessera_key_store_remember_passphrase (TesseraKeyStore  *self,
                                       const char       *id,
                                       const char       *user_passphrase,
                                       GError          **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKey) key = NULL;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), FALSE);
  g_return_val_if_fail (user_passphrase != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_id (id, error) || (record = load_record (self, id, error)) == NULL)
    return FALSE;
  if (!record->uses_user_passphrase)
    return TRUE;

  /* Never put a passphrase in the keyring that does not open the key. */
  key = decrypt_key (record, user_passphrase, error);
  if (key == NULL)
    return FALSE;

  /* The secret first, meta.ini after (replaced atomically). A crash in
   * between leaves meta.ini saying "user": the key still opens with the
   * user's passphrase, and the keyring item is an unused copy that the
   * next try overwrites. The other order could leave a key marked
   * "keyring" with no item in the keyring, which nothing would open
   * without knowing to ask the user. */
  if (!tessera_secret_store_key_passphrase (self->jid, id, user_passphrase, error))
    return FALSE;
  tessera_test_crash_point ("key-store:remember-after-secret");

  return update_meta (self, id, "passphrase", PASSPHRASE_KEYRING, error);
}

static int
compare_records_by_age (gconstpointer a,
                        gconstpointer b)
{
  TesseraKeyRecord *record_a = *(TesseraKeyRecord **) a;
  TesseraKeyRecord *record_b = *(TesseraKeyRecord **) b;
  int order = g_date_time_compare (record_a->created, record_b->created);

  return order != 0 ? order : strcmp (record_a->id, record_b->id);
}

GPtrArray *
tessera_key_store_list (TesseraKeyStore  *self,
                        GError          **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *entry;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!tessera_store_repair_dir_if_present (self->base_dir, error))
    return NULL;
  if (!g_file_test (self->dir, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&records);
  if (!tessera_store_ensure_private_dir (self->dir, error))
    return NULL;

  dir = g_dir_open (self->dir, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("Could not list the keys of %s: %s"), self->jid, local_error->message);
      return NULL;
    }

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      TesseraKeyRecord *record;

      if (!is_valid_id (entry))
        continue;

      record = load_record (self, entry, &local_error);
      if (record != NULL)
        g_ptr_array_add (records, record);
      else if (g_error_matches (local_error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND))
        {
          /* A save interrupted before key.pem was written. */
          g_debug ("Skipping incomplete key folder %s of %s", entry, self->jid);
          g_clear_error (&local_error);
        }
      else
        {
          /* One damaged folder must not hide the other keys. */
          g_message ("Skipping key %s of %s: %s", entry, self->jid, local_error->message);
          g_clear_error (&local_error);
        }
    }

  g_ptr_array_sort (records, compare_records_by_age);
  return g_steal_pointer (&records);
}

TesseraKeyRecord *
tessera_key_store_lookup (TesseraKeyStore  *self,
                          const char       *id,
                          GError          **error)
{
  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_id (id, error))
    return NULL;

  return load_record (self, id, error);
}

TesseraKeyRecord *
tessera_key_store_pick_device_record (GPtrArray *records)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_return_val_if_fail (records != NULL, NULL);

  /* The list is oldest first: walk it backwards for the newest. */
  for (guint i = records->len; i > 0; i--)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i - 1);

      if (record->state == TESSERA_KEY_STATE_CERTIFIED &&
          !record->other_device &&
          record->certificate != NULL &&
          tessera_certificate_is_valid_at (record->certificate, now))
        return g_object_ref (record);
    }

  return NULL;
}

TesseraKeyRecord *
tessera_key_store_pick_held_record (GPtrArray *records)
{
  TesseraKeyRecord *record = tessera_key_store_pick_device_record (records);

  if (record != NULL)
    return record;

  for (guint i = records->len; i > 0; i--)
    {
      TesseraKeyRecord *candidate = g_ptr_array_index (records, i - 1);

      if (candidate->state == TESSERA_KEY_STATE_CERTIFIED &&
          !candidate->other_device &&
          candidate->certificate != NULL)
        return g_object_ref (candidate);
    }

  return NULL;
}

TesseraKeyRecord *
tessera_key_store_get_device_record (TesseraKeyStore  *self,
                                     GError          **error)
{
  g_autoptr(GPtrArray) records = NULL;
  TesseraKeyRecord *record;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  records = tessera_key_store_list (self, error);
  if (records == NULL)
    return NULL;

  record = tessera_key_store_pick_device_record (records);
  if (record == NULL)
    g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                 _("Could not find a certificate for this device: none is stored and valid for %s"),
                 self->jid);
  return record;
}

/* Lowercase hex without separators, or NULL. */
static char *
normalize_fingerprint (const char *text)
{
  GString *hex = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isxdigit (*p))
        g_string_append_c (hex, g_ascii_tolower (*p));
      else if (*p != ':' && *p != ' ')
        {
          g_string_free (hex, TRUE);
          return NULL;
        }
    }

  return g_string_free (hex, FALSE);
}

TesseraKeyRecord *
tessera_key_store_find_in_records (GPtrArray  *records,
                                   const char *fingerprint_hex)
{
  g_autofree char *wanted = NULL;

  g_return_val_if_fail (records != NULL, NULL);
  g_return_val_if_fail (fingerprint_hex != NULL, NULL);

  wanted = normalize_fingerprint (fingerprint_hex);
  if (wanted == NULL || *wanted == '\0')
    return NULL;

  for (guint i = 0; i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);

      if (record->certificate != NULL &&
          g_strcmp0 (tessera_certificate_get_fingerprint (record->certificate), wanted) == 0)
        return g_object_ref (record);
    }

  return NULL;
}

TesseraKeyRecord *
tessera_key_store_find_by_fingerprint (TesseraKeyStore *self,
                                       const char      *fingerprint_hex)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (fingerprint_hex != NULL, NULL);

  records = tessera_key_store_list (self, &error);
  if (records == NULL)
    {
      g_message ("Could not look for certificate %s: %s", fingerprint_hex, error->message);
      return NULL;
    }

  return tessera_key_store_find_in_records (records, fingerprint_hex);
}

static gboolean
unlink_or_fail (const char  *path,
                GError     **error)
{
  int saved_errno;

  if (g_unlink (path) == 0)
    return TRUE;

  saved_errno = errno;
  if (saved_errno == ENOENT)
    return TRUE;

  g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
               _("Could not delete “%s”: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
remove_key_dir (const char  *key_dir,
                GError     **error)
{
  g_autofree char *key_path = g_build_filename (key_dir, KEY_FILE_NAME, NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *entry;

  /* key.pem goes first: without it the folder is no longer a key, even
   * if removing the rest fails half way. */
  if (!unlink_or_fail (key_path, error))
    return FALSE;

  dir = g_dir_open (key_dir, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("Could not delete “%s”: %s"), key_dir, local_error->message);
      return FALSE;
    }

  /* Everything in a key folder is ours, leftover temporary files too. */
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (key_dir, entry, NULL);

      if (!unlink_or_fail (path, error))
        return FALSE;
    }

  if (g_rmdir (key_dir) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_IO,
                   _("Could not delete “%s”: %s"), key_dir, g_strerror (saved_errno));
      return FALSE;
    }

  tessera_store_sync_parent_dir (key_dir);
  return TRUE;
}

gboolean
tessera_key_store_delete (TesseraKeyStore  *self,
                          const char       *id,
                          GError          **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *key_dir = NULL;
  gboolean in_keyring;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_id (id, error))
    return FALSE;

  key_dir = key_dir_path (self, id);
  if (!g_file_test (key_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                   _("Could not delete key %s: it is not stored"), id);
      return FALSE;
    }

  /* A damaged folder is deleted too; its secret may be in the keyring. */
  record = load_record (self, id, NULL);
  in_keyring = (record == NULL || !record->uses_user_passphrase);

  /* Files before the secret: a secret without its key is harmless, the
   * other way round would not be. */
  if (!remove_key_dir (key_dir, error))
    return FALSE;
  g_rmdir (self->dir);

  if (in_keyring && tessera_secret_is_available () &&
      !tessera_secret_clear_key_passphrase (self->jid, id, &local_error))
    g_message ("Deleted key %s but not its passphrase in the keyring: %s", id,
               local_error->message);

  g_debug ("Deleted key %s of %s", id, self->jid);
  return TRUE;
}

static char **
read_journal_lines (TesseraKeyStore  *self,
                    const char       *id,
                    GError          **error)
{
  g_autofree char *path = key_file_path (self, id, JOURNAL_FILE_NAME);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  gsize length;
  const char *data;

  contents = read_optional (path, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (contents == NULL)
    return g_new0 (char *, 1);

  data = g_bytes_get_data (contents, &length);
  text = g_strndup (data, length);
  g_strchomp (text);
  if (*text == '\0')
    return g_new0 (char *, 1);

  return g_strsplit (text, "\n", -1);
}

/* The folder of stored key @id, for its journal; NOT_FOUND otherwise. */
static char *
journal_key_dir (TesseraKeyStore  *self,
                 const char       *id,
                 gboolean          writing,
                 GError          **error)
{
  g_autofree char *key_dir = NULL;

  if (!check_id (id, error))
    return NULL;

  key_dir = key_dir_path (self, id);
  if (g_file_test (key_dir, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&key_dir);

  if (writing)
    g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                 _("Could not write the journal of key %s: it is not stored"), id);
  else
    g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                 _("Could not read the journal of key %s: it is not stored"), id);
  return NULL;
}

gboolean
tessera_key_store_journal_append (TesseraKeyStore     *self,
                                  const char          *id,
                                  TesseraJournalStep   step,
                                  GError             **error)
{
  g_autofree char *key_dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *now = format_now (FALSE);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GMutexLocker) locker = NULL;
  guint n_lines, first;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), FALSE);
  g_return_val_if_fail (tessera_journal_step_to_string (step) != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key_dir = journal_key_dir (self, id, TRUE, error);
  if (key_dir == NULL)
    return FALSE;

  locker = g_mutex_locker_new (&meta_lock);
  lines = read_journal_lines (self, id, error);
  if (lines == NULL)
    return FALSE;

  n_lines = g_strv_length (lines);
  first = n_lines >= JOURNAL_MAX_LINES ? n_lines - JOURNAL_MAX_LINES + 1 : 0;
  for (guint i = first; i < n_lines; i++)
    g_string_append_printf (text, "%s\n", lines[i]);
  g_string_append_printf (text, "%s %s\n", now, tessera_journal_step_to_string (step));

  path = g_build_filename (key_dir, JOURNAL_FILE_NAME, NULL);
  return tessera_store_write_private_file (path, text->str, text->len, error);
}

char **
tessera_key_store_read_journal (TesseraKeyStore  *self,
                                const char       *id,
                                GError          **error)
{
  g_autofree char *key_dir = NULL;
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key_dir = journal_key_dir (self, id, FALSE, error);
  if (key_dir == NULL)
    return NULL;

  locker = g_mutex_locker_new (&meta_lock);
  return read_journal_lines (self, id, error);
}
