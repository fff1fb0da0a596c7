/* tessera-account.c: an XMPP account and the accounts file
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-account.h"
#include "tessera-error.h"
#include "tessera-jid.h"
#include "tessera-store-file.h"
#include "tessera-secret.h"

#define ACCOUNTS_FILE_NAME "accounts.ini"

struct _TesseraAccount
{
  GObject         parent_instance;

  char           *jid;
  char           *host;
  char           *ca_file;
  char           *pinned_fingerprint;
  guint16         port;
  TesseraTlsMode  tls_mode;
};

G_DEFINE_ENUM_TYPE (TesseraTlsMode, tessera_tls_mode,
                    G_DEFINE_ENUM_VALUE (TESSERA_TLS_STARTTLS, "starttls"),
                    G_DEFINE_ENUM_VALUE (TESSERA_TLS_DIRECT, "direct"))

G_DEFINE_FINAL_TYPE (TesseraAccount, tessera_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_JID,
  PROP_HOST,
  PROP_PORT,
  PROP_TLS_MODE,
  PROP_CA_FILE,
  PROP_PINNED_FINGERPRINT,
  PROP_DOMAIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The accounts file is read, changed and replaced as a whole; the lock
 * keeps two threads of this process from losing each other's change. */
static GMutex accounts_lock;

static void
tessera_account_finalize (GObject *object)
{
  TesseraAccount *self = TESSERA_ACCOUNT (object);

  g_free (self->jid);
  g_free (self->host);
  g_free (self->ca_file);
  g_free (self->pinned_fingerprint);

  G_OBJECT_CLASS (tessera_account_parent_class)->finalize (object);
}

static void
tessera_account_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TesseraAccount *self = TESSERA_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_JID:
      g_value_set_string (value, self->jid);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_TLS_MODE:
      g_value_set_enum (value, self->tls_mode);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_PINNED_FINGERPRINT:
      g_value_set_string (value, self->pinned_fingerprint);
      break;
    case PROP_DOMAIN:
      g_value_set_string (value, tessera_account_get_domain (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_account_class_init (TesseraAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tessera_account_finalize;
  object_class->get_property = tessera_account_get_property;

  properties[PROP_JID] = g_param_spec_string ("jid", NULL, NULL, NULL, flags);
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, flags);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0, flags);
  properties[PROP_TLS_MODE] = g_param_spec_enum ("tls-mode", NULL, NULL, TESSERA_TYPE_TLS_MODE,
                                                 TESSERA_TLS_STARTTLS, flags);
  properties[PROP_CA_FILE] = g_param_spec_string ("ca-file", NULL, NULL, NULL, flags);
  properties[PROP_PINNED_FINGERPRINT] = g_param_spec_string ("pinned-fingerprint", NULL, NULL,
                                                             NULL, flags);
  properties[PROP_DOMAIN] = g_param_spec_string ("domain", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_account_init (TesseraAccount *self)
{
}

/* Empty strings mean "not set" in the file and in the dialogs alike. */
static char *
dup_or_null (const char *text)
{
  return (text != NULL && *text != '\0') ? g_strdup (text) : NULL;
}

TesseraAccount *
tessera_account_new (const char     *bare_jid,
                     const char     *host,
                     guint16         port,
                     TesseraTlsMode  tls_mode,
                     const char     *ca_file,
                     const char     *pinned_fingerprint)
{
  TesseraAccount *self;

  g_return_val_if_fail (bare_jid != NULL && *bare_jid != '\0', NULL);
  g_return_val_if_fail (tls_mode == TESSERA_TLS_STARTTLS || tls_mode == TESSERA_TLS_DIRECT, NULL);

  self = g_object_new (TESSERA_TYPE_ACCOUNT, NULL);
  self->jid = g_strdup (bare_jid);
  self->host = dup_or_null (host);
  self->port = port;
  self->tls_mode = tls_mode;
  self->ca_file = dup_or_null (ca_file);
  self->pinned_fingerprint = dup_or_null (pinned_fingerprint);

  return self;
}

const char *
tessera_account_get_jid (TesseraAccount *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT (self), NULL);

  return self->jid;
}

const char *
tessera_account_get_host (TesseraAccount *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT (self), NULL);

  return self->host;
}

guint16
tessera_account_get_port (TesseraAccount *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT (self), 0);

  return self->port;
}

TesseraTlsMode
tessera_account_get_tls_mode (TesseraAccount *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT (self), TESSERA_TLS_STARTTLS);

  return self->tls_mode;
}

const char *
tessera_account_get_ca_file (TesseraAccount *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT (self), NULL);

  return self->ca_file;
}

const char *
tessera_account_get_pinned_fingerprint (TesseraAccount *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT (self), NULL);

  return self->pinned_fingerprint;
}

/* A bare JID's domain is everything after the first '@' (a localpart
 * cannot contain one); without '@' the JID is a domain. */
const char *
tessera_account_get_domain (TesseraAccount *self)
{
  const char *at;

  g_return_val_if_fail (TESSERA_IS_ACCOUNT (self), NULL);

  at = strchr (self->jid, '@');
  return at != NULL ? at + 1 : self->jid;
}

const char *
tessera_tls_mode_to_string (TesseraTlsMode mode)
{
  return mode == TESSERA_TLS_DIRECT ? "direct" : "starttls";
}

gboolean
tessera_tls_mode_from_string (const char     *text,
                              TesseraTlsMode *mode)
{
  if (g_strcmp0 (text, "starttls") == 0)
    *mode = TESSERA_TLS_STARTTLS;
  else if (g_strcmp0 (text, "direct") == 0)
    *mode = TESSERA_TLS_DIRECT;
  else
    return FALSE;

  return TRUE;
}

/* Group names cannot hold '[', ']' or control characters (a JID such as
 * "user@[::1]" has brackets), so those and '%' are %XX-escaped; ordinary
 * JIDs stay readable in the file. */
static char *
group_from_jid (const char *jid)
{
  GString *group = g_string_new (NULL);

  for (const guchar *p = (const guchar *) jid; *p != '\0'; p++)
    {
      if (*p == '[' || *p == ']' || *p == '%' || *p < 0x20 || *p == 0x7f)
        g_string_append_printf (group, "%%%02X", *p);
      else
        g_string_append_c (group, (char) *p);
    }

  return g_string_free (group, FALSE);
}

static char *
jid_from_group (const char *group)
{
  return g_uri_unescape_string (group, NULL);
}

char *
tessera_account_store_dup_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "tessera", ACCOUNTS_FILE_NAME, NULL);
}

/* Loads the file; a missing file is an empty key file. */
static GKeyFile *
load_key_file (const char  *path,
               GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  gsize length;
  const char *data;

  /* A folder someone opened to others is closed on every run, reads too. */
  if (!tessera_store_repair_dir_if_present (dir, error))
    return NULL;

  contents = tessera_store_read_private_file (path, &local_error);
  if (contents == NULL)
    {
      if (g_error_matches (local_error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND))
        return g_steal_pointer (&key_file);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  data = g_bytes_get_data (contents, &length);
  if (!g_key_file_load_from_data (key_file, data != NULL ? data : "", length,
                                  G_KEY_FILE_KEEP_COMMENTS, &local_error))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_CORRUPT,
                   _("Could not read the accounts file “%s”: %s"), path, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&key_file);
}

static gboolean
save_key_file (GKeyFile    *key_file,
               const char  *path,
               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  gsize length;

  if (!tessera_store_ensure_private_dir (dir, error))
    return FALSE;

  data = g_key_file_to_data (key_file, &length, NULL);
  return tessera_store_write_private_file (path, data, length, error);
}

/* An account's JID is a bare JID in its normalized form: what the window
 * and tessera-cli store, and what the key store and keyring are keyed by. */
static gboolean
check_jid (const char  *jid,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *normalized = tessera_jid_normalize_bare (jid, &local_error);

  if (normalized == NULL)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED,
                   _("“%s” is not an account address: %s"), jid, local_error->message);
      return FALSE;
    }
  if (strcmp (normalized, jid) != 0)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED,
                   _("“%s” is not an account address in its normal form (“%s”)"), jid, normalized);
      return FALSE;
    }
  return TRUE;
}

/* NULL (with a message in the log) for a group that cannot be an account:
 * one bad entry must not hide the others. */
static TesseraAccount *
account_from_group (GKeyFile   *key_file,
                    const char *group)
{
  g_autofree char *jid = jid_from_group (group);
  g_autofree char *host = g_key_file_get_string (key_file, group, "host", NULL);
  g_autofree char *tls = g_key_file_get_string (key_file, group, "tls", NULL);
  g_autofree char *ca_file = g_key_file_get_string (key_file, group, "ca-file", NULL);
  g_autofree char *pin = g_key_file_get_string (key_file, group, "pinned-fingerprint", NULL);
  g_autoptr(GError) error = NULL;
  TesseraTlsMode tls_mode = TESSERA_TLS_STARTTLS;
  gint64 port = 0;

  if (jid == NULL || *jid == '\0' || !g_utf8_validate (jid, -1, NULL))
    {
      g_message ("Ignoring the entry [%s] of the accounts file: its name is not readable; "
                 "the entry is left in the file", group);
      return NULL;
    }

  /* The name becomes a folder name, a keyring attribute and the login:
   * "[../../etc@x]", "[a@b/res]" or "[a@@b]" must not get that far. */
  if (!check_jid (jid, &error))
    {
      g_message ("Ignoring the entry [%s] of the accounts file: %s; the entry is left in the file",
                 group, error->message);
      return NULL;
    }

  if (g_key_file_has_key (key_file, group, "port", NULL))
    {
      port = g_key_file_get_int64 (key_file, group, "port", &error);
      if (error != NULL || port < 0 || port > G_MAXUINT16)
        {
          g_message ("Skipping account %s: invalid port", jid);
          return NULL;
        }
    }

  if (tls != NULL && !tessera_tls_mode_from_string (tls, &tls_mode))
    {
      g_message ("Skipping account %s: unknown TLS mode “%s”", jid, tls);
      return NULL;
    }

  return tessera_account_new (jid, host, (guint16) port, tls_mode, ca_file, pin);
}

static int
compare_accounts (gconstpointer a,
                  gconstpointer b)
{
  TesseraAccount *account_a = *(TesseraAccount **) a;
  TesseraAccount *account_b = *(TesseraAccount **) b;

  return strcmp (account_a->jid, account_b->jid);
}

GPtrArray *
tessera_account_store_load (GError **error)
{
  g_autofree char *path = tessera_account_store_dup_path ();
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) groups = NULL;
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&accounts_lock);

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key_file = load_key_file (path, error);
  if (key_file == NULL)
    return NULL;

  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      TesseraAccount *account = account_from_group (key_file, groups[i]);

      if (account != NULL)
        g_ptr_array_add (accounts, account);
    }

  g_ptr_array_sort (accounts, compare_accounts);
  return g_steal_pointer (&accounts);
}

TesseraAccount *
tessera_account_store_lookup (const char  *bare_jid,
                              GError     **error)
{
  g_autoptr(GPtrArray) accounts = NULL;

  g_return_val_if_fail (bare_jid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  accounts = tessera_account_store_load (error);
  if (accounts == NULL)
    return NULL;

  for (guint i = 0; i < accounts->len; i++)
    {
      TesseraAccount *account = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (account->jid, bare_jid) == 0)
        return g_object_ref (account);
    }

  g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
               _("Could not find the account %s: it is not configured"), bare_jid);
  return NULL;
}

static void
set_optional_string (GKeyFile   *key_file,
                     const char *group,
                     const char *key,
                     const char *value)
{
  if (value != NULL)
    g_key_file_set_string (key_file, group, key, value);
}

gboolean
tessera_account_store_save (TesseraAccount  *account,
                            GError         **error)
{
  g_autofree char *path = tessera_account_store_dup_path ();
  g_autofree char *group = NULL;
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) jid_error = NULL;

  g_return_val_if_fail (TESSERA_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_utf8_validate (account->jid, -1, NULL))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED,
                   _("Could not save the account: the address is not valid UTF-8"));
      return FALSE;
    }
  /* What could not be loaded back must not be written. */
  if (!check_jid (account->jid, &jid_error))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_FAILED,
                   _("Could not save the account: %s"), jid_error->message);
      return FALSE;
    }

  locker = g_mutex_locker_new (&accounts_lock);
  key_file = load_key_file (path, error);
  if (key_file == NULL)
    return FALSE;

  /* Replace the whole group so keys cleared in the dialog disappear. */
  group = group_from_jid (account->jid);
  g_key_file_remove_group (key_file, group, NULL);
  set_optional_string (key_file, group, "host", account->host);
  if (account->port != 0)
    g_key_file_set_integer (key_file, group, "port", account->port);
  g_key_file_set_string (key_file, group, "tls", tessera_tls_mode_to_string (account->tls_mode));
  set_optional_string (key_file, group, "ca-file", account->ca_file);
  set_optional_string (key_file, group, "pinned-fingerprint", account->pinned_fingerprint);

  if (!save_key_file (key_file, path, error))
    return FALSE;

  g_debug ("Saved account %s", account->jid);
  return TRUE;
}

/* The password belongs to the account: it goes with it. A keyring that is
 * not there cannot hold it, so that case is fine. */
static void
forget_password (const char *bare_jid)
{
  g_autoptr(GError) error = NULL;

  if (!tessera_secret_is_available ())
    return;

  if (!tessera_secret_clear_password (bare_jid, &error))
    g_message ("Could not remove the password of %s from the keyring: %s",
               bare_jid, error->message);
}

gboolean
tessera_account_store_remove (const char  *bare_jid,
                              GError     **error)
{
  g_autofree char *path = tessera_account_store_dup_path ();
  g_autofree char *group = NULL;
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (bare_jid != NULL && *bare_jid != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&accounts_lock);
  key_file = load_key_file (path, error);
  if (key_file == NULL)
    return FALSE;

  group = group_from_jid (bare_jid);
  if (!g_key_file_remove_group (key_file, group, NULL))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                   _("Could not remove the account %s: it is not configured"), bare_jid);
      return FALSE;
    }

  if (!save_key_file (key_file, path, error))
    return FALSE;

  g_clear_pointer (&locker, g_mutex_locker_free);
  forget_password (bare_jid);
  g_debug ("Removed account %s", bare_jid);
  return TRUE;
}
