/* tessera-xmpp-link.c: an account's reused management connection
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <glib/gi18n-lib.h>

#include "tessera-error.h"
#include "tessera-protocol.h"
#include "tessera-secret.h"
#include "tessera-xmpp-link.h"

#define WAIT_RETRIES            3
#define WAIT_BACKOFF_USEC       (500 * 1000)
#define FEATURES_PARSED         (1u << 24)

#define CM_FEATURES (TESSERA_FEATURE_ADD | TESSERA_FEATURE_LIST | TESSERA_FEATURE_REVOKE | TESSERA_FEATURE_XEP0257)

struct _TesseraXmppLink
{
  GObject            parent_instance;

  TesseraAccount    *account;
  /* a certificate link (tessera_xmpp_link_new_certificate): set once */
  char              *certificate_path;
  GBytes            *client_key;      /* plain PKCS #8, wiped when freed */

  GMutex             mutex;
  /* under mutex */
  char              *password;
  TesseraConnection *management;
  TesseraConnection *features_connection;   /* unowned, compared only */
  TesseraFeatures    features;

  /* serializes opening the management connection */
  GMutex             open_lock;

  gint               connections;            /* atomic */
  gint               round_trips;            /* atomic */
};

G_DEFINE_FINAL_TYPE (TesseraXmppLink, tessera_xmpp_link, G_TYPE_OBJECT)

/* Closes and unrefs *@connection, and clears it. */
static void
drop_connection (TesseraConnection **connection)
{
  TesseraConnection *c = g_steal_pointer (connection);

  if (c == NULL)
    return;
  tessera_connection_close (c);
  tessera_connection_unref (c);
}

static void
tessera_xmpp_link_dispose (GObject *object)
{
  TesseraXmppLink *self = TESSERA_XMPP_LINK (object);

  g_mutex_lock (&self->mutex);
  drop_connection (&self->management);
  self->features_connection = NULL;
  g_mutex_unlock (&self->mutex);

  G_OBJECT_CLASS (tessera_xmpp_link_parent_class)->dispose (object);
}

static void
tessera_xmpp_link_finalize (GObject *object)
{
  TesseraXmppLink *self = TESSERA_XMPP_LINK (object);

  g_clear_object (&self->account);
  g_free (self->certificate_path);
  g_clear_pointer (&self->client_key, g_bytes_unref);
  tessera_secret_free (self->password);
  g_mutex_clear (&self->mutex);
  g_mutex_clear (&self->open_lock);

  G_OBJECT_CLASS (tessera_xmpp_link_parent_class)->finalize (object);
}

static void
tessera_xmpp_link_class_init (TesseraXmppLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tessera_xmpp_link_dispose;
  object_class->finalize = tessera_xmpp_link_finalize;
}

static void
tessera_xmpp_link_init (TesseraXmppLink *self)
{
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->open_lock);
}

TesseraXmppLink *
tessera_xmpp_link_new (TesseraAccount *account)
{
  TesseraXmppLink *self;

  g_return_val_if_fail (TESSERA_IS_ACCOUNT (account), NULL);

  self = g_object_new (TESSERA_TYPE_XMPP_LINK, NULL);
  self->account = g_object_ref (account);

  return self;
}

TesseraXmppLink *
tessera_xmpp_link_new_certificate (TesseraAccount  *account,
                                   const char      *certificate_path,
                                   TesseraKey      *key,
                                   GError         **error)
{
  TesseraXmppLink *self;
  GBytes *plain;

  g_return_val_if_fail (TESSERA_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (certificate_path != NULL, NULL);
  g_return_val_if_fail (TESSERA_IS_KEY (key), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  plain = tessera_key_export_plain (key, error);
  if (plain == NULL)
    return NULL;

  self = tessera_xmpp_link_new (account);
  self->certificate_path = g_strdup (certificate_path);
  self->client_key = plain;

  return self;
}

TesseraAccount *
tessera_xmpp_link_get_account (TesseraXmppLink *self)
{
  g_return_val_if_fail (TESSERA_IS_XMPP_LINK (self), NULL);

  return self->account;
}

void
tessera_xmpp_link_set_password (TesseraXmppLink *self,
                                const char      *password)
{
  g_return_if_fail (TESSERA_IS_XMPP_LINK (self));

  g_mutex_lock (&self->mutex);
  tessera_secret_free (self->password);
  self->password = g_strdup (password);
  g_mutex_unlock (&self->mutex);
}

gboolean
tessera_xmpp_link_has_password (TesseraXmppLink *self)
{
  gboolean has_password;

  g_return_val_if_fail (TESSERA_IS_XMPP_LINK (self), FALSE);

  g_mutex_lock (&self->mutex);
  has_password = self->password != NULL;
  g_mutex_unlock (&self->mutex);

  return has_password;
}

void
tessera_xmpp_link_get_stats (TesseraXmppLink *self,
                             guint           *connections,
                             guint           *round_trips)
{
  g_return_if_fail (TESSERA_IS_XMPP_LINK (self));

  if (connections != NULL)
    *connections = (guint) g_atomic_int_get (&self->connections);
  if (round_trips != NULL)
    *round_trips = (guint) g_atomic_int_get (&self->round_trips);
}

/* ---- connections ------------------------------------------------------- */

static TesseraConnectionConfig
base_config (TesseraAccount *account)
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

TesseraConnection *
tessera_xmpp_link_open_certificate (TesseraXmppLink *self,
                                    const char      *certificate_path,
                                    GBytes          *key)
{
  TesseraConnectionConfig config;

  g_return_val_if_fail (TESSERA_IS_XMPP_LINK (self), NULL);

  config = base_config (self->account);
  config.client_cert_path = certificate_path;
  config.client_key = key;
  g_atomic_int_inc (&self->connections);

  return tessera_connection_new (&config);
}

static char *
dup_management_password (TesseraXmppLink  *self,
                         GError          **error)
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
open_management (TesseraXmppLink  *self,
                 gboolean         *reused,
                 GError          **error)
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

  config = base_config (self->account);
  if (self->certificate_path != NULL)
    {
      /* No password at all: a failed SASL EXTERNAL cannot fall back. */
      config.client_cert_path = self->certificate_path;
      config.client_key = self->client_key;
      connection = tessera_connection_new (&config);
    }
  else
    {
      password = dup_management_password (self, error);
      if (password == NULL)
        return NULL;
      config.password = password;
      connection = tessera_connection_new (&config);
      tessera_secret_free (password);
    }
  g_atomic_int_inc (&self->connections);

  g_mutex_lock (&self->mutex);
  drop_connection (&self->management);
  self->management = tessera_connection_ref (connection);
  self->features_connection = NULL;
  g_mutex_unlock (&self->mutex);

  *reused = FALSE;

  return connection;
}

static void
drop_management (TesseraXmppLink   *self,
                 TesseraConnection *connection)
{
  g_mutex_lock (&self->mutex);
  if (self->management == connection)
    {
      drop_connection (&self->management);
      self->features_connection = NULL;
    }
  g_mutex_unlock (&self->mutex);
}

/* A certificate link manages only as the certificate's own session. */
static gboolean
check_external (TesseraConnection  *connection,
                GError            **error)
{
  g_autofree char *mechanism = tessera_connection_dup_mechanism (connection);

  if (g_strcmp0 (mechanism, "EXTERNAL") == 0)
    return TRUE;

  g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED,
               _("Logging in with the certificate failed: the server did not use SASL EXTERNAL"));
  return FALSE;
}

/* The management connection, ready; @reused says whether it was open
 * before this call. */
static TesseraConnection *
acquire_management (TesseraXmppLink   *self,
                    TesseraOperation  *op,
                    gboolean          *reused,
                    GError           **error)
{
  TesseraConnection *connection;
  gboolean was_reused = FALSE;

  /* One opener at a time, so two operations starting together share one
   * connection instead of racing to make two. */
  g_mutex_lock (&self->open_lock);
  connection = open_management (self, &was_reused, error);
  g_mutex_unlock (&self->open_lock);

  if (connection == NULL)
    return NULL;

  if (!tessera_connection_wait_ready (connection, op->deadline, op->cancellable, error))
    {
      if (!tessera_connection_is_alive (connection))
        drop_management (self, connection);
      tessera_connection_unref (connection);
      return NULL;
    }

  if (self->certificate_path != NULL && !check_external (connection, error))
    {
      drop_management (self, connection);
      tessera_connection_unref (connection);
      return NULL;
    }

  if (reused != NULL)
    *reused = was_reused;

  return connection;
}

void
tessera_xmpp_link_close (TesseraXmppLink *self)
{
  g_return_if_fail (TESSERA_IS_XMPP_LINK (self));

  g_mutex_lock (&self->mutex);
  drop_connection (&self->management);
  self->features_connection = NULL;
  g_mutex_unlock (&self->mutex);
}

/* ---- requests ---------------------------------------------------------- */

static gboolean
is_wait_error (const GError *error)
{
  return error != NULL && error->domain == TESSERA_STANZA_ERROR &&
         tessera_stanza_error_get_error_type (error) == TESSERA_STANZA_ERROR_TYPE_WAIT;
}

gpointer
tessera_xmpp_link_iq (TesseraXmppLink     *self,
                      TesseraOperation    *op,
                      TesseraIqBuildFunc   build,
                      TesseraIqParseFunc   parse,
                      gpointer             user_data,
                      GError             **error)
{
  gboolean reconnected = FALSE;
  guint wait_retries = 0;

  for (;;)
    {
      g_autoptr(TesseraConnection) connection = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean reused = FALSE;
      gboolean not_sent = FALSE;
      gpointer result;

      connection = acquire_management (self, op, &reused, error);
      if (connection == NULL)
        return NULL;

      result = tessera_connection_iq (connection, build, parse, user_data,
                                      op->deadline, op->cancellable, &not_sent, &local_error);
      if (!not_sent)
        g_atomic_int_inc (&self->round_trips);
      if (result != NULL)
        return result;

      if (not_sent && reused && !reconnected &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_error_matches (local_error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT))
        {
          g_debug ("%s: the reused connection had ended (%s); reconnecting", op->what,
                   local_error->message);
          reconnected = TRUE;
          drop_management (self, connection);
          continue;
        }

      if (is_wait_error (local_error) && wait_retries < WAIT_RETRIES &&
          tessera_operation_backoff (op, WAIT_BACKOFF_USEC << wait_retries))
        {
          g_debug ("%s: the server asked to wait (%s); retrying", op->what, local_error->message);
          wait_retries++;
          continue;
        }

      /* A request that never got an answer may have wedged the stream. */
      if (g_error_matches (local_error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT))
        drop_management (self, connection);

      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
}

gboolean
tessera_xmpp_link_iq_many (TesseraXmppLink   *self,
                           TesseraOperation  *op,
                           TesseraIqCall     *calls,
                           guint              n_calls,
                           GError           **error)
{
  g_autoptr(TesseraConnection) connection = NULL;
  gboolean sent = FALSE;
  gboolean timed_out = FALSE;

  connection = acquire_management (self, op, NULL, error);
  if (connection == NULL)
    return FALSE;

  tessera_connection_iq_many (connection, calls, n_calls, op->deadline, op->cancellable);
  for (guint i = 0; i < n_calls; i++)
    {
      sent |= calls[i].sent;
      timed_out |= g_error_matches (calls[i].error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT);
    }
  if (sent)
    g_atomic_int_inc (&self->round_trips);
  /* A request that never got an answer may have wedged the stream. */
  if (timed_out)
    drop_management (self, connection);

  return TRUE;
}

/* ---- features ---------------------------------------------------------- */

static xmpp_stanza_t *
build_disco (xmpp_ctx_t *ctx,
             const char *id,
             gpointer    user_data)
{
  return tessera_protocol_build_disco_info (ctx, id, user_data);
}

static gpointer
parse_disco (xmpp_stanza_t *result,
             gpointer       user_data,
             GError       **error)
{
  /* Never NULL, even for "no features" */
  return GUINT_TO_POINTER (tessera_protocol_parse_disco_info (result) | FEATURES_PARSED);
}

static gboolean
query_features (TesseraXmppLink   *self,
                TesseraOperation  *op,
                const char        *to,
                TesseraFeatures   *features,
                GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  gpointer result;

  result = tessera_xmpp_link_iq (self, op, build_disco, parse_disco, (gpointer) to, &local_error);
  if (result != NULL)
    {
      *features = GPOINTER_TO_UINT (result) & ~FEATURES_PARSED;
      return TRUE;
    }

  /* An entity that refuses disco#info simply has no features for us. */
  if (local_error->domain == TESSERA_STANZA_ERROR)
    {
      g_debug ("discover: %s answered %s", to, local_error->message);
      *features = TESSERA_FEATURE_NONE;
      return TRUE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
cache_features (TesseraXmppLink   *self,
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

TesseraFeatures
tessera_xmpp_link_discover (TesseraXmppLink   *self,
                            TesseraOperation  *op,
                            GError           **error)
{
  g_autoptr(TesseraConnection) connection = NULL;
  TesseraFeatures features = TESSERA_FEATURE_NONE;
  g_autofree char *names = NULL;

  g_return_val_if_fail (TESSERA_IS_XMPP_LINK (self), TESSERA_FEATURE_NONE);

  /* Cancelled before it started: not even a connection is opened. */
  if (!tessera_operation_check (op, error))
    return TESSERA_FEATURE_NONE;

  connection = acquire_management (self, op, NULL, error);
  if (connection == NULL)
    return TESSERA_FEATURE_NONE;

  /* PROTOCOL.md §1: the domain first, then the account's bare JID */
  if (!query_features (self, op, tessera_account_get_domain (self->account), &features, error))
    return TESSERA_FEATURE_NONE;
  if ((features & CM_FEATURES) == 0 &&
      !query_features (self, op, tessera_account_get_jid (self->account), &features, error))
    return TESSERA_FEATURE_NONE;

  features &= CM_FEATURES;
  cache_features (self, connection, features);
  names = tessera_features_to_string (features);
  g_debug ("discover: %s offers %s", tessera_account_get_domain (self->account), names);

  return features;
}

gboolean
tessera_xmpp_link_get_features (TesseraXmppLink   *self,
                                TesseraOperation  *op,
                                TesseraFeatures   *features,
                                GError           **error)
{
  g_autoptr(TesseraConnection) connection = NULL;
  GError *local_error = NULL;
  gboolean found;

  g_return_val_if_fail (TESSERA_IS_XMPP_LINK (self), FALSE);

  connection = acquire_management (self, op, NULL, error);
  if (connection == NULL)
    return FALSE;

  g_mutex_lock (&self->mutex);
  found = self->features_connection != NULL && self->features_connection == connection;
  *features = found ? self->features : TESSERA_FEATURE_NONE;
  g_mutex_unlock (&self->mutex);
  if (found)
    return TRUE;

  *features = tessera_xmpp_link_discover (self, op, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

TesseraFeatures
tessera_xmpp_link_peek_features (TesseraXmppLink *self)
{
  TesseraFeatures features;

  g_return_val_if_fail (TESSERA_IS_XMPP_LINK (self), TESSERA_FEATURE_NONE);

  g_mutex_lock (&self->mutex);
  features = self->features_connection != NULL ? self->features : TESSERA_FEATURE_NONE;
  g_mutex_unlock (&self->mutex);

  return features;
}
