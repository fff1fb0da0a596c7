/* tessera-account-check.c: the account form's connection check and save, as properties to bind to
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-account-check.h"
#include "tessera-format.h"
#include "tessera-tasks.h"

/* What the account form shows besides its fields: the status while it
 * connects or saves, the error, and once the check passed the account,
 * its logged-in session and what its server supports. The form's .ui binds
 * to these properties; the form reads its fields and marks wrong ones. */

struct _TesseraAccountCheck
{
  GObject          parent_instance;

  TesseraAccount  *account;      /* the account that passed the check */
  TesseraSession  *session;
  TesseraFeatures  features;
  char            *status;
  char            *error_message;
  char            *untrusted_fingerprint; /* of a refused server certificate, no pin set */
  guint            busy;
};

G_DEFINE_FINAL_TYPE (TesseraAccountCheck, tessera_account_check, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_STATUS,
  PROP_ERROR_MESSAGE,
  PROP_CHECKED,
  PROP_ACCOUNT,
  PROP_FEATURES,
  PROP_UNTRUSTED_FINGERPRINT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_busy (TesseraAccountCheck *self,
          gboolean             busy,
          const char          *status)
{
  gboolean was_busy = self->busy > 0;

  if (busy)
    self->busy++;
  else if (self->busy > 0)
    self->busy--;

  if (status != NULL)
    {
      g_free (self->status);
      self->status = g_strdup (status);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  if (was_busy != (self->busy > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_checked (TesseraAccountCheck *self,
             TesseraAccount      *account,
             TesseraSession      *session,
             TesseraFeatures      features)
{
  gboolean was_checked = self->account != NULL;

  if (self->session != NULL && self->session != session)
    tessera_session_close (self->session);
  g_set_object (&self->session, session);
  g_set_object (&self->account, account);
  self->features = features;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FEATURES]);
  if (was_checked != (account != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKED]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_untrusted_fingerprint (TesseraAccountCheck *self,
                           const char          *fingerprint)
{
  if (g_strcmp0 (self->untrusted_fingerprint, fingerprint) == 0)
    return;
  g_free (self->untrusted_fingerprint);
  self->untrusted_fingerprint = g_strdup (fingerprint);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNTRUSTED_FINGERPRINT]);
}

/* Checking */

/* A refused server certificate: with a pin, the certificate changed and
 * both fingerprints are shown (never re-pinned here); without one, the
 * form offers to trust the certificate the server showed. */
static char *
describe_certificate_error (TesseraAccountCheck *self,
                            const GError        *error,
                            TesseraAccount      *account)
{
  const char *pinned = tessera_account_get_pinned_fingerprint (account);
  g_autofree char *changed = tessera_format_certificate_error (error, pinned);
  g_autofree char *presented = NULL;

  if (changed != NULL)
    return g_steal_pointer (&changed);

  presented = tessera_format_error_fingerprint (error);
  if (presented != NULL && pinned == NULL)
    {
      set_untrusted_fingerprint (self, presented);
      return g_strdup_printf ("%s\n%s", error->message,
                              _("If the server uses its own authority, compare the fingerprint below with the one "
                                "its administrator gave you and trust this certificate, or choose the CA file "
                                "under Advanced."));
    }

  return g_strdup_printf ("%s\n%s", error->message,
                          _("If the server uses its own authority, choose its CA file or pin its fingerprint under Advanced."));
}

static char *
describe_check_error (TesseraAccountCheck *self,
                      const GError        *error,
                      TesseraAccount      *account)
{
  if (g_error_matches (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_CERTIFICATE))
    return describe_certificate_error (self, error, account);
  if (g_error_matches (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED))
    return g_strdup_printf ("%s\n%s", error->message,
                            _("Check the address, or set the server host and port under Advanced."));
  return g_strdup (error->message);
}

static void
discover_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TesseraAccountCheck *self = g_task_get_source_object (task);
  TesseraSession *session = TESSERA_SESSION (object);
  GError *error = NULL;
  g_autofree char *message = NULL;
  TesseraFeatures features;

  features = tessera_session_discover_finish (session, result, &error);
  set_busy (self, FALSE, NULL);

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          message = describe_check_error (self, error, tessera_session_get_account (session));
          tessera_account_check_set_error (self, message);
        }
      tessera_session_close (session);
      g_task_return_error (task, error);
      return;
    }

  set_checked (self, tessera_session_get_account (session), session, features);
  g_task_return_boolean (task, TRUE);
}

/**
 * tessera_account_check_run_async:
 * @self: a #TesseraAccountCheck
 * @account: the account the form's fields describe
 * @password: its password
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Connects with the settings (TLS, password login, service discovery) and
 * records which certificate operations the server supports. Nothing is
 * saved. On failure #TesseraAccountCheck:error-message says why.
 */
void
tessera_account_check_run_async (TesseraAccountCheck *self,
                                 TesseraAccount      *account,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autoptr(TesseraSession) session = NULL;
  g_autofree char *status = NULL;
  GTask *task;

  g_return_if_fail (TESSERA_IS_ACCOUNT_CHECK (self));
  g_return_if_fail (TESSERA_IS_ACCOUNT (account));
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_account_check_run_async);
  tessera_account_check_invalidate (self);

  store = tessera_key_store_new (tessera_account_get_jid (account), NULL);
  session = tessera_session_new (account, store);
  tessera_session_set_password (session, password);

  status = g_strdup_printf (_("Connecting to %s…"), tessera_account_get_domain (account));
  set_busy (self, TRUE, status);
  tessera_session_discover_async (session, cancellable, discover_cb, task);
}

gboolean
tessera_account_check_run_finish (TesseraAccountCheck  *self,
                                  GAsyncResult         *result,
                                  GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Saving */

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TesseraAccountCheck *self = g_task_get_source_object (task);
  GError *error = NULL;

  set_busy (self, FALSE, NULL);
  if (!tessera_task_save_account_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tessera_account_check_set_error (self, error->message);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
probe_keyring_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  g_task_return_boolean (task, tessera_secret_is_available ());
}

/* Without a keyring the account is saved without its password: the
 * checked session holds it in memory for this run (the wizard goes on with
 * it), and nothing of it is written elsewhere. */
static void
keyring_probed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TesseraAccountCheck *self = TESSERA_ACCOUNT_CHECK (object);
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable;
  GError *error = NULL;
  gboolean available = g_task_propagate_boolean (G_TASK (result), &error);
  const char *password = g_task_get_task_data (task);

  if (error != NULL)
    {
      set_busy (self, FALSE, NULL);
      g_task_return_error (task, error);
      return;
    }
  if (!available)
    g_debug ("No keyring: the password of %s is kept for this run only",
             tessera_account_get_jid (self->account));
  cancellable = g_task_get_cancellable (task);
  tessera_task_save_account_async (self->account, available ? password : NULL, cancellable,
                                   saved_cb, g_steal_pointer (&task));
}

/**
 * tessera_account_check_save_async:
 * @self: a #TesseraAccountCheck
 * @password: the password to keep in the Secret Service
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Stores the password and saves the account that passed the check.
 */
void
tessera_account_check_save_async (TesseraAccountCheck *self,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) probe = NULL;

  g_return_if_fail (TESSERA_IS_ACCOUNT_CHECK (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_account_check_save_async);

  if (self->account == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not save the account: connect first"));
      return;
    }

  set_busy (self, TRUE, _("Saving…"));
  g_task_set_task_data (task, g_strdup (password), (GDestroyNotify) tessera_secret_free);
  probe = g_task_new (self, cancellable, keyring_probed_cb, g_steal_pointer (&task));
  g_task_run_in_thread (probe, probe_keyring_thread);
}

gboolean
tessera_account_check_save_finish (TesseraAccountCheck  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tessera_account_check_invalidate:
 * @self: a #TesseraAccountCheck
 *
 * A field changed: a previous check no longer holds, its session closes.
 */
void
tessera_account_check_invalidate (TesseraAccountCheck *self)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_CHECK (self));

  set_untrusted_fingerprint (self, NULL);
  if (self->account != NULL || self->session != NULL)
    set_checked (self, NULL, NULL, TESSERA_FEATURE_NONE);
}

/**
 * tessera_account_check_set_error:
 * @self: a #TesseraAccountCheck
 * @message: (nullable): what went wrong, %NULL to hide the message
 */
void
tessera_account_check_set_error (TesseraAccountCheck *self,
                                 const char          *message)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_CHECK (self));

  if (g_strcmp0 (self->error_message, message) == 0)
    return;
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

/**
 * tessera_account_check_close:
 * @self: a #TesseraAccountCheck
 *
 * The form is gone: drops the logged-in session.
 */
void
tessera_account_check_close (TesseraAccountCheck *self)
{
  g_return_if_fail (TESSERA_IS_ACCOUNT_CHECK (self));

  if (self->session != NULL)
    tessera_session_close (self->session);
}

/* GObject */

static void
tessera_account_check_dispose (GObject *object)
{
  TesseraAccountCheck *self = (TesseraAccountCheck *) object;

  tessera_account_check_close (self);
  g_clear_object (&self->session);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (tessera_account_check_parent_class)->dispose (object);
}

static void
tessera_account_check_finalize (GObject *object)
{
  TesseraAccountCheck *self = (TesseraAccountCheck *) object;

  g_free (self->status);
  g_free (self->error_message);
  g_free (self->untrusted_fingerprint);

  G_OBJECT_CLASS (tessera_account_check_parent_class)->finalize (object);
}

static void
tessera_account_check_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TesseraAccountCheck *self = TESSERA_ACCOUNT_CHECK (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy > 0);
      break;

    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_CHECKED:
      g_value_set_boolean (value, self->account != NULL);
      break;

    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;

    case PROP_FEATURES:
      g_value_set_uint (value, self->features);
      break;

    case PROP_UNTRUSTED_FINGERPRINT:
      g_value_set_string (value, self->untrusted_fingerprint);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_account_check_class_init (TesseraAccountCheckClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tessera_account_check_dispose;
  object_class->finalize = tessera_account_check_finalize;
  object_class->get_property = tessera_account_check_get_property;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, flags);
  /* What runs, e.g. "Connecting to example.org…" */
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  properties[PROP_CHECKED] = g_param_spec_boolean ("checked", NULL, NULL, FALSE, flags);
  properties[PROP_ACCOUNT] = g_param_spec_object ("account", NULL, NULL, TESSERA_TYPE_ACCOUNT, flags);
  /* TesseraFeatures bits of the checked account's server */
  properties[PROP_FEATURES] = g_param_spec_uint ("features", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /* SHA-256 of the certificate the server showed when the check refused it
   * and the account pins none: the form offers to trust it. */
  properties[PROP_UNTRUSTED_FINGERPRINT] = g_param_spec_string ("untrusted-fingerprint", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_account_check_init (TesseraAccountCheck *self)
{
}

TesseraAccountCheck *
tessera_account_check_new (void)
{
  return g_object_new (TESSERA_TYPE_ACCOUNT_CHECK, NULL);
}

gboolean
tessera_account_check_get_busy (TesseraAccountCheck *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_CHECK (self), FALSE);

  return self->busy > 0;
}

/**
 * tessera_account_check_get_account:
 *
 * Returns: (transfer none) (nullable): the account that passed the check
 */
TesseraAccount *
tessera_account_check_get_account (TesseraAccountCheck *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_CHECK (self), NULL);

  return self->account;
}

/**
 * tessera_account_check_get_session:
 *
 * Returns: (transfer none) (nullable): the logged-in session of the check,
 *   which later operations may reuse
 */
TesseraSession *
tessera_account_check_get_session (TesseraAccountCheck *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_CHECK (self), NULL);

  return self->session;
}

/**
 * tessera_account_check_get_untrusted_fingerprint:
 *
 * Returns: (nullable): the fingerprint of the server certificate the last
 *   check refused, when the account pins none
 */
const char *
tessera_account_check_get_untrusted_fingerprint (TesseraAccountCheck *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_CHECK (self), NULL);

  return self->untrusted_fingerprint;
}

TesseraFeatures
tessera_account_check_get_features (TesseraAccountCheck *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_CHECK (self), TESSERA_FEATURE_NONE);

  return self->features;
}
