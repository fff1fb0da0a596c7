/* tessera-session-connections.c: the session's management and login connections
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-error.h"
#include "tessera-secret.h"
#include "tessera-session-private.h"

void
_tessera_session_drop_connection (TesseraConnection **connection)
{
  TesseraConnection *c = g_steal_pointer (connection);

  if (c == NULL)
    return;
  tessera_connection_close (c);
  tessera_connection_unref (c);
}

/* ---- connections ------------------------------------------------------- */

TesseraConnectionConfig
_tessera_session_base_config (TesseraAccount *account)
{
  TesseraConnectionConfig config = { 0, };

  config.bare_jid = tessera_account_get_jid (account);
  config.host = tessera_account_get_host (account);
  config.port = tessera_account_get_port (account);
  config.direct_tls = tessera_account_get_tls_mode (account) == TESSERA_TLS_DIRECT;
  config.ca_file = tessera_account_get_ca_file (account);
  config.pinned_fingerprint = tessera_account_get_pinned_fingerprint (account);

  return config;
}

gboolean
_tessera_session_check_op (TesseraSessionOp  *op,
                           GError           **error)
{
  if (g_cancellable_set_error_if_cancelled (op->cancellable, error))
    return FALSE;
  if (g_get_monotonic_time () >= op->deadline)
    {
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT,
                   _("The server did not answer in time"));
      return FALSE;
    }

  return TRUE;
}

static char *
dup_management_password (TesseraSession  *self,
                         GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  char *password;

  g_mutex_lock (&self->mutex);
  password = g_strdup (self->password);
  g_mutex_unlock (&self->mutex);
  if (password != NULL)
    return password;

  password = tessera_secret_lookup_password (tessera_account_get_jid (self->account), &local_error);
  if (password != NULL)
    return password;

  if (local_error != NULL)
    g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                 _("Logging in failed: the password could not be read: %s"), local_error->message);
  else
    g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
                 _("Logging in failed: no password is set for %s"),
                 tessera_account_get_jid (self->account));

  return NULL;
}

static TesseraConnection *
open_management (TesseraSession  *self,
                 gboolean        *reused,
                 GError         **error)
{
  TesseraConnection *connection = NULL;
  TesseraConnectionConfig config;
  char *password;

  g_mutex_lock (&self->mutex);
  if (self->management != NULL && tessera_connection_is_alive (self->management))
    connection = tessera_connection_ref (self->management);
  g_mutex_unlock (&self->mutex);

  if (connection != NULL)
    {
      *reused = TRUE;
      return connection;
    }

  password = dup_management_password (self, error);
  if (password == NULL)
    return NULL;

  config = _tessera_session_base_config (self->account);
  config.password = password;
  connection = tessera_connection_new (&config);
  tessera_secret_free (password);
  _tessera_session_count_connection (self);

  g_mutex_lock (&self->mutex);
  _tessera_session_drop_connection (&self->management);
  self->management = tessera_connection_ref (connection);
  self->features_connection = NULL;
  g_mutex_unlock (&self->mutex);

  *reused = FALSE;

  return connection;
}

TesseraConnection *
_tessera_session_acquire_management (TesseraSession    *self,
                                     TesseraSessionOp  *op,
                                     gboolean          *reused,
                                     GError           **error)
{
  TesseraConnection *connection;
  gboolean was_reused = FALSE;

  /* One opener at a time, so two operations starting together share one
   * connection instead of racing to make two. */
  g_mutex_lock (&self->management_lock);
  connection = open_management (self, &was_reused, error);
  g_mutex_unlock (&self->management_lock);

  if (connection == NULL)
    return NULL;

  if (!tessera_connection_wait_ready (connection, op->deadline, op->cancellable, error))
    {
      if (!tessera_connection_is_alive (connection))
        _tessera_session_drop_management (self, connection);
      tessera_connection_unref (connection);
      return NULL;
    }

  if (reused != NULL)
    *reused = was_reused;

  return connection;
}

void
_tessera_session_drop_management (TesseraSession    *self,
                                  TesseraConnection *connection)
{
  g_mutex_lock (&self->mutex);
  if (self->management == connection)
    {
      _tessera_session_drop_connection (&self->management);
      self->features_connection = NULL;
    }
  g_mutex_unlock (&self->mutex);
}

gboolean
_tessera_session_lookup_features (TesseraSession    *self,
                                  TesseraConnection *connection,
                                  TesseraFeatures   *features)
{
  gboolean found;

  g_mutex_lock (&self->mutex);
  found = self->features_connection != NULL && self->features_connection == connection;
  *features = found ? self->features : TESSERA_FEATURE_NONE;
  g_mutex_unlock (&self->mutex);

  return found;
}

void
_tessera_session_cache_features (TesseraSession    *self,
                                 TesseraConnection *connection,
                                 TesseraFeatures    features)
{
  g_mutex_lock (&self->mutex);
  if (self->management == connection)
    {
      self->features_connection = connection;
      self->features = features;
    }
  g_mutex_unlock (&self->mutex);
}

void
tessera_session_close (TesseraSession *self)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  g_mutex_lock (&self->mutex);
  _tessera_session_drop_connection (&self->management);
  self->features_connection = NULL;
  g_mutex_unlock (&self->mutex);

  tessera_session_logout (self);
}

/* ---- held login -------------------------------------------------------- */

typedef struct
{
  GWeakRef           session;
  GMainContext      *context;
  TesseraConnection *connection;  /* unowned: identity only */
} LoginWatch;

typedef struct
{
  GWeakRef           session;
  TesseraConnection *connection;  /* unowned: identity only */
  GError            *error;
} LoginClosed;

static void
login_watch_free (gpointer data)
{
  LoginWatch *watch = data;

  g_weak_ref_clear (&watch->session);
  g_main_context_unref (watch->context);
  g_free (watch);
}

static void
login_closed_free (gpointer data)
{
  LoginClosed *closed = data;

  g_weak_ref_clear (&closed->session);
  g_clear_error (&closed->error);
  g_free (closed);
}

static gboolean
login_closed_in_context (gpointer data)
{
  LoginClosed *closed = data;
  g_autoptr(TesseraSession) self = g_weak_ref_get (&closed->session);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->mutex);
  if (self->login == closed->connection)
    g_clear_pointer (&self->login, tessera_connection_unref);
  g_mutex_unlock (&self->mutex);

  g_debug ("login: held session ended%s%s", closed->error ? ": " : "",
           closed->error ? closed->error->message : "");
  _tessera_session_emit_login_closed (self, closed->error);

  return G_SOURCE_REMOVE;
}

/* Worker thread of the connection: hop to the caller's context. */
static void
login_connection_closed (TesseraConnection *connection,
                         const GError      *error,
                         gpointer           user_data)
{
  LoginWatch *watch = user_data;
  LoginClosed *closed = g_new0 (LoginClosed, 1);
  g_autoptr(TesseraSession) self = g_weak_ref_get (&watch->session);

  g_weak_ref_init (&closed->session, self);
  closed->connection = connection;
  closed->error = error != NULL ? g_error_copy (error) : NULL;
  g_main_context_invoke_full (watch->context, G_PRIORITY_DEFAULT,
                              login_closed_in_context, closed, login_closed_free);
}

void
_tessera_session_hold_login (TesseraSession    *self,
                             TesseraConnection *connection,
                             GMainContext      *context)
{
  LoginWatch *watch = g_new0 (LoginWatch, 1);
  TesseraConnection *old;

  g_weak_ref_init (&watch->session, self);
  watch->context = g_main_context_ref (context);
  watch->connection = connection;
  tessera_connection_set_closed_func (connection, login_connection_closed, watch, login_watch_free);

  g_mutex_lock (&self->mutex);
  old = g_steal_pointer (&self->login);
  self->login = tessera_connection_ref (connection);
  g_mutex_unlock (&self->mutex);

  if (old != NULL)
    {
      tessera_connection_close (old);
      tessera_connection_unref (old);
    }
}

gboolean
tessera_session_is_logged_in (TesseraSession *self)
{
  gboolean logged_in;

  g_return_val_if_fail (TESSERA_IS_SESSION (self), FALSE);

  g_mutex_lock (&self->mutex);
  logged_in = self->login != NULL && tessera_connection_is_alive (self->login);
  g_mutex_unlock (&self->mutex);

  return logged_in;
}

void
tessera_session_logout (TesseraSession *self)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  g_mutex_lock (&self->mutex);
  _tessera_session_drop_connection (&self->login);
  g_mutex_unlock (&self->mutex);
}
