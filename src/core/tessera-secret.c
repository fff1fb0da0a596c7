/* tessera-secret.c: account passwords and key passphrases in the Secret Service
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-secret"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "tessera-error.h"
#include "tessera-secret.h"
#include "tessera-store-file.h"

/* How long a Secret Service may take to answer (including D-Bus activation
 * of gnome-keyring) before we call it absent. */
#define PROBE_TIMEOUT_MS 3000
/* How long a call waits for another process's keyring call (each takes a
 * fraction of a second), and how often it tries again meanwhile. */
#define KEYRING_LOCK_WAIT_MS 30000
#define KEYRING_LOCK_RETRY_MS 20

static const SecretSchema password_schema = {
  "io.github.tessera_xmpp.Tessera.Password",
  SECRET_SCHEMA_NONE,
  {
    { "jid", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static const SecretSchema key_passphrase_schema = {
  "io.github.tessera_xmpp.Tessera.KeyPassphrase",
  SECRET_SCHEMA_NONE,
  {
    { "jid", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "key-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

/* The passphrase of another device's file, kept only while its key is
 * here (enroll --other-device), so that a run after a crash can still
 * write the file. */
static const SecretSchema export_passphrase_schema = {
  "io.github.tessera_xmpp.Tessera.ExportPassphrase",
  SECRET_SCHEMA_NONE,
  {
    { "jid", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "key-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static GHashTable *build_attributes (const SecretSchema *schema,
                                     const char         *bare_jid,
                                     const char         *key_id);

/* Once a service answered it stays "available" for the process: libsecret
 * keeps its backend for the process lifetime too. A negative answer is
 * probed again, so a keyring started later is found. */
static gint available_cached = 0;

void
tessera_secret_free (char *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/* libsecret picks its file backend when SECRET_BACKEND names it or when we
 * run inside a Flatpak (the Secret portal); everything else is D-Bus. */
static gboolean
uses_libsecret_file_backend (void)
{
  const char *backend = g_getenv ("SECRET_BACKEND");

  if (backend != NULL && *backend != '\0' && g_strcmp0 (backend, "service") != 0)
    return TRUE;

  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/* Only connect when a session bus is configured: GLib would otherwise try
 * to autolaunch one through X11, which can spawn a daemon or hang. GDBus
 * finds the "bus" socket through g_get_user_runtime_dir() too. */
static gboolean
session_bus_configured (void)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  const char *runtime_dir = g_get_user_runtime_dir ();
  g_autofree char *socket_path = NULL;

  if (address != NULL && *address != '\0')
    return TRUE;
  if (runtime_dir == NULL || *runtime_dir == '\0')
    return FALSE;

  socket_path = g_build_filename (runtime_dir, "bus", NULL);
  return g_file_test (socket_path, G_FILE_TEST_EXISTS);
}

static gboolean
probe_dbus_service (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (!session_bus_configured ())
    {
      g_debug ("No session bus configured: no Secret Service");
      return FALSE;
    }

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      g_debug ("No session bus: %s", error->message);
      return FALSE;
    }

  /* Asking for a property of the Secret API proves that a real service
   * answers; it also starts an activatable one, within the timeout. */
  reply = g_dbus_connection_call_sync (bus,
                                       "org.freedesktop.secrets",
                                       "/org/freedesktop/secrets",
                                       "org.freedesktop.DBus.Properties",
                                       "Get",
                                       g_variant_new ("(ss)",
                                                      "org.freedesktop.Secret.Service",
                                                      "Collections"),
                                       G_VARIANT_TYPE ("(v)"),
                                       G_DBUS_CALL_FLAGS_NONE,
                                       PROBE_TIMEOUT_MS,
                                       NULL,
                                       &error);
  if (reply == NULL)
    {
      g_debug ("Secret Service does not answer: %s", error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
probe_file_backend (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  char *found;

  /* A lookup that matches nothing initializes the backend (opening the
   * file, or asking the portal) without touching any real item. */
  attributes = build_attributes (&password_schema, "availability-probe.invalid", NULL);
  found = secret_password_lookupv_sync (&password_schema, attributes, NULL, &error);
  tessera_secret_free (found);

  if (error != NULL)
    {
      g_debug ("Secret storage does not answer: %s", error->message);
      return FALSE;
    }

  return TRUE;
}

gboolean
tessera_secret_is_available (void)
{
  gboolean available;

  if (g_atomic_int_get (&available_cached))
    return TRUE;

  if (uses_libsecret_file_backend ())
    available = probe_file_backend ();
  else
    available = probe_dbus_service ();

  if (available)
    g_atomic_int_set (&available_cached, 1);

  return available;
}

static void
is_available_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_task_return_boolean (task, tessera_secret_is_available ());
}

void
tessera_secret_is_available_async (GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, tessera_secret_is_available_async);
  g_task_run_in_thread (task, is_available_thread);
}

gboolean
tessera_secret_is_available_finish (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), NULL);
}

static gboolean
check_available (GError **error)
{
  if (tessera_secret_is_available ())
    return TRUE;

  g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NO_SECRET_SERVICE,
               _("Could not reach the keyring: no Secret Service is running"));
  return FALSE;
}

/* ---- the file keyring, one call at a time -------------------------------
 *
 * libsecret's file backend (SECRET_BACKEND=file, and what the Secret portal
 * gives a Flatpak) reads the whole keyring file once, when the process
 * first uses it, and rewrites it whole on every change, refusing when the
 * file is no longer the one it read ("The file was externally modified").
 * So two processes that store at the same time fail one of them, and a
 * process that started before another one stored fails every later store
 * (libsecret 0.20 never reads the file again) and misses the other's items.
 * A per-account lock does not help: two accounts share the keyring.
 *
 * So every keyring call of this backend runs under a user-wide lock (a
 * mutex inside the process, flock between processes on a file beside the
 * keyring file, "default.keyring.tessera-lock": it belongs to that file,
 * whoever shares it; not under $XDG_DATA_HOME/tessera, where every name is
 * an account's folder), and
 * when the keyring file is no longer the one this process last left
 * (another process replaced it), first drops libsecret's cached backend so
 * that the call reads the file as it is now. Only then: libsecret aborts
 * on loading a file cut short, which its own failed first write on a full
 * disk leaves behind, and this process can go on as before with it. A retry on "externally modified" alone would not do: the
 * stale copy would overwrite what the other process stored. The Secret
 * Service proper (gnome-keyring, KWallet) orders calls itself: no lock there. */

static GMutex keyring_mutex;

/* under keyring_mutex: the keyring file as the last call left it */
typedef struct
{
  gboolean        known;
  gboolean        exists;
  dev_t           dev;
  ino_t           ino;
  off_t           size;
  struct timespec mtime;
  struct timespec ctime;
} KeyringFileState;

static KeyringFileState keyring_seen;

/* The file libsecret's file backend uses (its get_secret_file()). */
static char *
keyring_file_path (void)
{
  const char *path = g_getenv ("SECRET_FILE_TEST_PATH");

  if (path != NULL && *path != '\0')
    return g_strdup (path);
  return g_build_filename (g_get_user_data_dir (), "keyrings", "default.keyring", NULL);
}

static KeyringFileState
keyring_file_state (void)
{
  g_autofree char *path = keyring_file_path ();
  KeyringFileState state = { TRUE, FALSE, };
  struct stat st;

  if (lstat (path, &st) == 0)
    {
      state.exists = TRUE;
      state.dev = st.st_dev;
      state.ino = st.st_ino;
      state.size = st.st_size;
      state.mtime = st.st_mtim;
      state.ctime = st.st_ctim;
    }
  return state;
}

static gboolean
keyring_file_state_equal (const KeyringFileState *a,
                          const KeyringFileState *b)
{
  return a->known && b->known && a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
         a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
         a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}


/* Waits for the keyring; @fd is -1 when there is nothing to lock (a
 * Secret Service proper). Release with keyring_unlock(). */
static gboolean
keyring_lock (int     *fd,
              GError **error)
{
  g_autofree char *keyring = NULL;
  g_autofree char *path = NULL;
  const char *busy = _("Another Tessera kept the keyring busy: try again when it has finished");
  gint64 deadline;

  *fd = -1;
  if (!uses_libsecret_file_backend ())
    return TRUE;

  g_mutex_lock (&keyring_mutex);
  keyring = keyring_file_path ();
  path = g_strconcat (keyring, ".tessera-lock", NULL);
  deadline = g_get_monotonic_time () + (gint64) KEYRING_LOCK_WAIT_MS * 1000;
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;

      *fd = tessera_store_lock_file (path, busy, &local_error);
      if (*fd >= 0)
        break;
      if (!g_error_matches (local_error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_BUSY) ||
          g_get_monotonic_time () >= deadline)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          g_mutex_unlock (&keyring_mutex);
          return FALSE;
        }
      g_usleep (KEYRING_LOCK_RETRY_MS * 1000);
    }

  /* Changed by someone else (or never seen by a locked call: the
   * availability probe may have read it long ago): the next call builds a
   * new backend, which reads the file now. */
  {
    KeyringFileState now = keyring_file_state ();

    if (!keyring_file_state_equal (&keyring_seen, &now))
      secret_service_disconnect ();
  }
  return TRUE;
}

static void
keyring_unlock (int fd)
{
  if (fd < 0)
    return;

  keyring_seen = keyring_file_state ();
  /* Closing the descriptor releases the flock. */
  close (fd);
  g_mutex_unlock (&keyring_mutex);
}

/* libsecret's errors are in its own domain; callers see store errors with
 * libsecret's text appended for the details. */
static void
propagate_secret_error (GError     **error,
                        GError      *secret_error,
                        const char  *what)
{
  int code = TESSERA_STORE_ERROR_FAILED;

  if (g_error_matches (secret_error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
      g_error_matches (secret_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    code = TESSERA_STORE_ERROR_SECRET_MISSING;

  g_set_error (error, TESSERA_STORE_ERROR, code, "%s: %s", what, secret_error->message);
  g_error_free (secret_error);
}

static gboolean
is_valid_jid_argument (const char *bare_jid)
{
  return bare_jid != NULL && *bare_jid != '\0' && g_utf8_validate (bare_jid, -1, NULL);
}

/* The schema name goes into the attributes on purpose: libsecret's file
 * backend (used in a Flatpak and by the tests) does not match on it by
 * itself, so a password lookup for {jid} would also find the key
 * passphrases of that JID, and clearing the password would wipe them. */
static GHashTable *
build_attributes (const SecretSchema *schema,
                  const char         *bare_jid,
                  const char         *key_id)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (attributes, g_strdup ("xdg:schema"), g_strdup (schema->name));
  g_hash_table_insert (attributes, g_strdup ("jid"), g_strdup (bare_jid));
  if (key_id != NULL)
    g_hash_table_insert (attributes, g_strdup ("key-id"), g_strdup (key_id));

  return attributes;
}

/* The common start of every keyring call: the service is there, the
 * keyring is ours (keyring_lock()), and the item's attributes. NULL with
 * @error otherwise; finish with keyring_end(). */
static GHashTable *
keyring_begin (const SecretSchema  *schema,
               const char          *bare_jid,
               const char          *key_id,
               int                 *lock_fd,
               GError             **error)
{
  if (!check_available (error) || !keyring_lock (lock_fd, error))
    return NULL;

  return build_attributes (schema, bare_jid, key_id);
}

/* Releases the keyring and turns libsecret's @secret_error (taken,
 * nullable) into a store error about @what. */
static gboolean
keyring_end (int          lock_fd,
             GError      *secret_error,
             const char  *what,
             GError     **error)
{
  keyring_unlock (lock_fd);
  if (secret_error == NULL)
    return TRUE;

  propagate_secret_error (error, secret_error, what);
  return FALSE;
}

static char *
lookup_secret (const SecretSchema  *schema,
               const char          *bare_jid,
               const char          *key_id,
               const char          *what,
               GError             **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  char *secret;
  int lock_fd;

  attributes = keyring_begin (schema, bare_jid, key_id, &lock_fd, error);
  if (attributes == NULL)
    return NULL;
  secret = secret_password_lookupv_sync (schema, attributes, NULL, &local_error);
  if (!keyring_end (lock_fd, local_error, what, error))
    return NULL;

  return secret;
}

static gboolean
store_secret (const SecretSchema  *schema,
              const char          *bare_jid,
              const char          *key_id,
              const char          *label,
              const char          *secret,
              const char          *what,
              GError             **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  int lock_fd;

  attributes = keyring_begin (schema, bare_jid, key_id, &lock_fd, error);
  if (attributes == NULL)
    return FALSE;
  secret_password_storev_sync (schema, attributes, SECRET_COLLECTION_DEFAULT, label, secret,
                               NULL, &local_error);

  return keyring_end (lock_fd, local_error, what, error);
}

/* FALSE without an error from libsecret only means there was nothing to
 * remove. */
static gboolean
clear_secret (const SecretSchema  *schema,
              const char          *bare_jid,
              const char          *key_id,
              const char          *what,
              GError             **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  int lock_fd;

  attributes = keyring_begin (schema, bare_jid, key_id, &lock_fd, error);
  if (attributes == NULL)
    return FALSE;
  secret_password_clearv_sync (schema, attributes, NULL, &local_error);

  return keyring_end (lock_fd, local_error, what, error);
}

char *
tessera_secret_lookup_password (const char  *bare_jid,
                                GError     **error)
{
  g_return_val_if_fail (is_valid_jid_argument (bare_jid), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return lookup_secret (&password_schema, bare_jid, NULL,
                        _("Could not read the password from the keyring"), error);
}

gboolean
tessera_secret_store_password (const char  *bare_jid,
                               const char  *password,
                               GError     **error)
{
  g_autofree char *label = NULL;

  g_return_val_if_fail (is_valid_jid_argument (bare_jid), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* TRANSLATORS: the label of a keyring item, %s is the XMPP address */
  label = g_strdup_printf (_("XMPP password for %s"), bare_jid);
  if (!store_secret (&password_schema, bare_jid, NULL, label, password,
                     _("Could not save the password in the keyring"), error))
    return FALSE;

  g_debug ("Stored the password of %s", bare_jid);
  return TRUE;
}

gboolean
tessera_secret_clear_password (const char  *bare_jid,
                               GError     **error)
{
  g_return_val_if_fail (is_valid_jid_argument (bare_jid), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return clear_secret (&password_schema, bare_jid, NULL,
                       _("Could not remove the password from the keyring"), error);
}

char *
tessera_secret_lookup_key_passphrase (const char  *bare_jid,
                                      const char  *key_id,
                                      GError     **error)
{
  g_return_val_if_fail (is_valid_jid_argument (bare_jid), NULL);
  g_return_val_if_fail (key_id != NULL && *key_id != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return lookup_secret (&key_passphrase_schema, bare_jid, key_id,
                        _("Could not read the key passphrase from the keyring"), error);
}

gboolean
tessera_secret_store_key_passphrase (const char  *bare_jid,
                                     const char  *key_id,
                                     const char  *passphrase,
                                     GError     **error)
{
  g_autofree char *label = NULL;

  g_return_val_if_fail (is_valid_jid_argument (bare_jid), FALSE);
  g_return_val_if_fail (key_id != NULL && *key_id != '\0', FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* TRANSLATORS: the label of a keyring item: XMPP address, then key id */
  label = g_strdup_printf (_("Tessera certificate key for %s (%s)"), bare_jid, key_id);
  if (!store_secret (&key_passphrase_schema, bare_jid, key_id, label, passphrase,
                     _("Could not save the key passphrase in the keyring"), error))
    return FALSE;

  g_debug ("Stored the passphrase of key %s of %s", key_id, bare_jid);
  return TRUE;
}

gboolean
tessera_secret_clear_key_passphrase (const char  *bare_jid,
                                     const char  *key_id,
                                     GError     **error)
{
  g_return_val_if_fail (is_valid_jid_argument (bare_jid), FALSE);
  g_return_val_if_fail (key_id != NULL && *key_id != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!clear_secret (&key_passphrase_schema, bare_jid, key_id,
                     _("Could not remove the key passphrase from the keyring"), error))
    return FALSE;

  g_debug ("Removed the passphrase of key %s of %s", key_id, bare_jid);
  return TRUE;
}

char *
tessera_secret_lookup_export_passphrase (const char  *bare_jid,
                                         const char  *key_id,
                                         GError     **error)
{
  g_return_val_if_fail (is_valid_jid_argument (bare_jid), NULL);
  g_return_val_if_fail (key_id != NULL && *key_id != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return lookup_secret (&export_passphrase_schema, bare_jid, key_id,
                        _("Could not read the passphrase of the file for another device from the keyring"),
                        error);
}

gboolean
tessera_secret_store_export_passphrase (const char  *bare_jid,
                                        const char  *key_id,
                                        const char  *passphrase,
                                        GError     **error)
{
  g_autofree char *label = NULL;

  g_return_val_if_fail (is_valid_jid_argument (bare_jid), FALSE);
  g_return_val_if_fail (key_id != NULL && *key_id != '\0', FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* TRANSLATORS: the label of a keyring item: XMPP address, then key id */
  label = g_strdup_printf (_("Tessera file for another device of %s (%s)"), bare_jid, key_id);
  return store_secret (&export_passphrase_schema, bare_jid, key_id, label, passphrase,
                       _("Could not save the passphrase of the file for another device in the keyring"),
                       error);
}

gboolean
tessera_secret_clear_export_passphrase (const char  *bare_jid,
                                        const char  *key_id,
                                        GError     **error)
{
  g_return_val_if_fail (is_valid_jid_argument (bare_jid), FALSE);
  g_return_val_if_fail (key_id != NULL && *key_id != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return clear_secret (&export_passphrase_schema, bare_jid, key_id,
                       _("Could not remove the passphrase of the file for another device from the keyring"),
                       error);
}
