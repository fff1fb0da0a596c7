/* tessera-login.c: logging in with a client certificate (SASL EXTERNAL)
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <glib/gi18n-lib.h>

#include "tessera-crypto.h"
#include "tessera-error.h"
#include "tessera-login.h"
#include "tessera-store-file.h"

/* The key is unlocked here, once per login (PBKDF2 is the expensive part of
 * a certificate login), and reaches libstrophe unlocked, in memory only:
 * DESIGN.md, "The key in a login". */
typedef struct
{
  char   *certificate_path;
  GBytes *key;              /* plain PKCS #8, wiped when freed */
} Credentials;

static void
credentials_clear (Credentials *credentials)
{
  g_free (credentials->certificate_path);
  g_clear_pointer (&credentials->key, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Credentials, credentials_clear)

/* A keyring that is locked, or lost the key's item, leaves the key file as
 * it is; say how to get out of it, with the same error code. */
static void
explain_key_error (TesseraKeyRecord  *record,
                   GError            *key_error,
                   GError           **error)
{
  if (!g_error_matches (key_error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_SECRET_MISSING))
    {
      g_propagate_error (error, key_error);
      return;
    }

  g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_SECRET_MISSING,
               _("Could not open the key of “%s” (%s): the keyring did not give its passphrase. "
                 "The key file is kept. Unlock the keyring (or restore it from a backup) and try "
                 "again; if its item was deleted, the key cannot be used any more: revoke its "
                 "certificate, then enroll this device again"),
               tessera_key_record_get_name (record), tessera_key_record_get_id (record));
  g_debug ("login: key %s: %s", tessera_key_record_get_id (record), key_error->message);
  g_error_free (key_error);
}

static gboolean
device_credentials (const TesseraLogin  *login,
                    TesseraOperation    *op,
                    Credentials         *credentials,
                    GError             **error)
{
  TesseraKeyStore *store = login->store;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *id;

  record = tessera_key_store_get_device_record (store, error);
  if (record == NULL)
    return FALSE;
  id = tessera_key_record_get_id (record);

  /* A wrong passphrase is reported here, clearly, rather than as a
   * mysterious TLS failure inside libstrophe. */
  key = tessera_key_store_load_record_key (store, record, op->key_passphrase, &local_error);
  if (key == NULL)
    {
      explain_key_error (record, g_steal_pointer (&local_error), error);
      return FALSE;
    }
  credentials->key = tessera_key_export_plain (key, error);
  if (credentials->key == NULL)
    return FALSE;

  credentials->certificate_path = g_strdup (tessera_key_record_get_certificate_path (record));
  g_debug ("login: with certificate %s (key %s)",
           tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record)), id);

  return credentials->certificate_path != NULL;
}

/* A certificate and key the caller named (not from the key store). */
static gboolean
given_credentials (const TesseraLogin  *login,
                   Credentials         *credentials,
                   GError             **error)
{
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(TesseraKey) key = NULL;

  pem = tessera_store_read_private_file (login->key_path, error);
  if (pem == NULL)
    return FALSE;
  key = tessera_key_new_from_pem (pem, login->key_passphrase, error);
  if (key == NULL)
    return FALSE;
  credentials->key = tessera_key_export_plain (key, error);
  if (credentials->key == NULL)
    return FALSE;
  credentials->certificate_path = g_strdup (login->certificate_path);

  return TRUE;
}

char *
tessera_login_run (const TesseraLogin  *login,
                   TesseraOperation    *op,
                   GError             **error)
{
  g_auto(Credentials) credentials = { NULL, };
  g_autoptr(TesseraConnection) connection = NULL;
  g_autofree char *mechanism = NULL;
  char *jid;

  /* Cancelled before it started: not even a connection is opened. */
  if (!tessera_operation_check (op, error))
    return NULL;

  /* Without a password only what needs no server: a certificate login must
   * not open a password connection of its own accord. */
  if (login->certificate_path == NULL &&
      !tessera_reconciler_run_first (login->reconciler, op, tessera_xmpp_link_has_password (login->link), error))
    return NULL;

  if (login->certificate_path != NULL ? !given_credentials (login, &credentials, error)
                                      : !device_credentials (login, op, &credentials, error))
    return NULL;

  /* A fresh connection with the certificate and no password at all. */
  connection = tessera_xmpp_link_open_certificate (login->link, credentials.certificate_path,
                                                   credentials.key);
  if (login->stay_connected)
    login->hold (connection, op->context, login->hold_data);

  if (!tessera_connection_wait_ready (connection, op->deadline, op->cancellable, error))
    {
      tessera_connection_close (connection);
      return NULL;
    }

  mechanism = tessera_connection_dup_mechanism (connection);
  if (g_strcmp0 (mechanism, "EXTERNAL") != 0)
    {
      tessera_connection_close (connection);
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                   _("Logging in with the certificate failed: the server did not use SASL EXTERNAL"));
      return NULL;
    }

  jid = tessera_connection_dup_bound_jid (connection);
  g_debug ("login: bound %s by SASL EXTERNAL", jid);
  if (!login->stay_connected)
    tessera_connection_close (connection);

  return jid;
}

/* ---- a login kept open ------------------------------------------------- */

struct _TesseraHeldLogin
{
  GObject            parent_instance;

  GMutex             mutex;
  TesseraConnection *connection;   /* under mutex */
};

G_DEFINE_FINAL_TYPE (TesseraHeldLogin, tessera_held_login, G_TYPE_OBJECT)

enum {
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
tessera_held_login_dispose (GObject *object)
{
  tessera_held_login_close (TESSERA_HELD_LOGIN (object));

  G_OBJECT_CLASS (tessera_held_login_parent_class)->dispose (object);
}

static void
tessera_held_login_finalize (GObject *object)
{
  g_mutex_clear (&TESSERA_HELD_LOGIN (object)->mutex);

  G_OBJECT_CLASS (tessera_held_login_parent_class)->finalize (object);
}

static void
tessera_held_login_class_init (TesseraHeldLoginClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tessera_held_login_dispose;
  object_class->finalize = tessera_held_login_finalize;

  signals[CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
tessera_held_login_init (TesseraHeldLogin *self)
{
  g_mutex_init (&self->mutex);
}

TesseraHeldLogin *
tessera_held_login_new (void)
{
  return g_object_new (TESSERA_TYPE_HELD_LOGIN, NULL);
}

typedef struct
{
  GWeakRef           held;
  GMainContext      *context;
} Watch;

typedef struct
{
  TesseraConnection *connection;  /* unowned: identity only */
  GError            *error;
} Closed;

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  g_weak_ref_clear (&watch->held);
  g_main_context_unref (watch->context);
  g_free (watch);
}

static void
closed_free (gpointer data)
{
  Closed *closed = data;

  g_clear_error (&closed->error);
  g_free (closed);
}

static void
closed_in_context (gpointer object,
                   gpointer data)
{
  TesseraHeldLogin *self = object;
  Closed *closed = data;

  g_mutex_lock (&self->mutex);
  if (self->connection == closed->connection)
    g_clear_pointer (&self->connection, tessera_connection_unref);
  g_mutex_unlock (&self->mutex);

  g_debug ("login: held session ended%s%s", closed->error ? ": " : "",
           closed->error ? closed->error->message : "");
  g_signal_emit (self, signals[CLOSED], 0, closed->error);
}

/* Worker thread of the connection: hop to the caller's context. */
static void
connection_closed (TesseraConnection *connection,
                   const GError      *error,
                   gpointer           user_data)
{
  Watch *watch = user_data;
  g_autoptr(TesseraHeldLogin) self = g_weak_ref_get (&watch->held);
  Closed *closed;

  if (self == NULL)
    return;

  closed = g_new0 (Closed, 1);
  closed->connection = connection;
  closed->error = error != NULL ? g_error_copy (error) : NULL;
  tessera_operation_invoke_alive (watch->context, self, closed_in_context, closed, closed_free);
}

void
tessera_held_login_hold (TesseraConnection *connection,
                         GMainContext      *context,
                         gpointer           held_login)
{
  TesseraHeldLogin *self = held_login;
  Watch *watch = g_new0 (Watch, 1);
  TesseraConnection *old;

  g_return_if_fail (TESSERA_IS_HELD_LOGIN (self));

  g_weak_ref_init (&watch->held, self);
  watch->context = g_main_context_ref (context);
  tessera_connection_set_closed_func (connection, connection_closed, watch, watch_free);

  g_mutex_lock (&self->mutex);
  old = g_steal_pointer (&self->connection);
  self->connection = tessera_connection_ref (connection);
  g_mutex_unlock (&self->mutex);

  if (old != NULL)
    {
      tessera_connection_close (old);
      tessera_connection_unref (old);
    }
}

gboolean
tessera_held_login_is_open (TesseraHeldLogin *self)
{
  gboolean open;

  g_return_val_if_fail (TESSERA_IS_HELD_LOGIN (self), FALSE);

  g_mutex_lock (&self->mutex);
  open = self->connection != NULL && tessera_connection_is_alive (self->connection);
  g_mutex_unlock (&self->mutex);

  return open;
}

void
tessera_held_login_close (TesseraHeldLogin *self)
{
  TesseraConnection *connection;

  g_return_if_fail (TESSERA_IS_HELD_LOGIN (self));

  g_mutex_lock (&self->mutex);
  connection = g_steal_pointer (&self->connection);
  g_mutex_unlock (&self->mutex);

  if (connection != NULL)
    {
      tessera_connection_close (connection);
      tessera_connection_unref (connection);
    }
}
