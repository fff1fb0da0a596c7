/* tessera-session.c: certificate management over XMPP for one account
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <glib/gi18n-lib.h>

#include "tessera-cert-exchange.h"
#include "tessera-enrollment-private.h"
#include "tessera-error.h"
#include "tessera-key-claims.h"
#include "tessera-login.h"
#include "tessera-reconciler.h"
#include "tessera-renewal.h"
#include "tessera-revocation.h"
#include "tessera-secret.h"
#include "tessera-session.h"
#include "tessera-xmpp-link.h"

/* The session holds an account's parts and starts its operations; each
 * operation is a file of its own (tessera-enrollment.c,
 * tessera-revocation.c, tessera-login.c, tessera-reconciler.c) and runs on
 * a GTask thread through tessera_operation_run_async(). */

struct _TesseraSession
{
  GObject            parent_instance;

  TesseraAccount    *account;
  TesseraKeyStore   *store;
  TesseraXmppLink   *link;
  TesseraKeyClaims  *claims;
  TesseraReconciler *reconciler;
  TesseraHeldLogin  *held;

  GMutex             mutex;
  /* under mutex */
  char              *key_passphrase;
  guint              timeout;
};

G_DEFINE_FINAL_TYPE (TesseraSession, tessera_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_KEY_STORE,
  PROP_TIMEOUT,
  N_PROPS
};

enum {
  LOGIN_CLOSED,
  RECONCILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- GObject ----------------------------------------------------------- */

static void
tessera_session_dispose (GObject *object)
{
  TesseraSession *self = TESSERA_SESSION (object);

  if (self->link != NULL)
    tessera_xmpp_link_close (self->link);
  if (self->held != NULL)
    tessera_held_login_close (self->held);

  G_OBJECT_CLASS (tessera_session_parent_class)->dispose (object);
}

static void
tessera_session_finalize (GObject *object)
{
  TesseraSession *self = TESSERA_SESSION (object);

  g_clear_object (&self->held);
  g_clear_object (&self->reconciler);
  g_clear_object (&self->claims);
  g_clear_object (&self->link);
  g_clear_object (&self->account);
  g_clear_object (&self->store);
  tessera_secret_free (self->key_passphrase);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (tessera_session_parent_class)->finalize (object);
}

static void
held_login_closed_cb (TesseraSession *self,
                      const GError   *error)
{
  g_signal_emit (self, signals[LOGIN_CLOSED], 0, error);
}

static void
tessera_session_constructed (GObject *object)
{
  TesseraSession *self = TESSERA_SESSION (object);

  G_OBJECT_CLASS (tessera_session_parent_class)->constructed (object);

  self->link = tessera_xmpp_link_new (self->account);
  self->claims = tessera_key_claims_new ();
  self->reconciler = tessera_reconciler_new (self->store, self->link, self->claims);
  self->held = tessera_held_login_new ();
  g_signal_connect_object (self->held, "closed", G_CALLBACK (held_login_closed_cb), self, G_CONNECT_SWAPPED);
}

static void
tessera_session_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TesseraSession *self = TESSERA_SESSION (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;

    case PROP_KEY_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, tessera_session_get_timeout (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_session_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TesseraSession *self = TESSERA_SESSION (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;

    case PROP_KEY_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_TIMEOUT:
      tessera_session_set_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_session_class_init (TesseraSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tessera_session_constructed;
  object_class->dispose = tessera_session_dispose;
  object_class->finalize = tessera_session_finalize;
  object_class->get_property = tessera_session_get_property;
  object_class->set_property = tessera_session_set_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL,
                         TESSERA_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEY_STORE] =
    g_param_spec_object ("key-store", NULL, NULL,
                         TESSERA_TYPE_KEY_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       0, G_MAXUINT, TESSERA_SESSION_DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TesseraSession::login-closed:
   * @error: (nullable): why the server ended a held login, NULL after
   *   tessera_session_logout()
   */
  signals[LOGIN_CLOSED] =
    g_signal_new ("login-closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * TesseraSession::reconciled:
   * @notes: (array zero-terminated=1): what the reconciliation at the start
   *   of an operation did, one translated sentence each, for the user
   *
   * Emitted in the main context of the operation's caller, before the
   * operation finishes, when an interrupted enroll or revoke was finished
   * (see tessera_session_reconcile_async()).
   */
  signals[RECONCILED] =
    g_signal_new ("reconciled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRV);
}

static void
tessera_session_init (TesseraSession *self)
{
  g_mutex_init (&self->mutex);
  self->timeout = TESSERA_SESSION_DEFAULT_TIMEOUT;
}

TesseraSession *
tessera_session_new (TesseraAccount  *account,
                     TesseraKeyStore *store)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (TESSERA_IS_KEY_STORE (store), NULL);

  return g_object_new (TESSERA_TYPE_SESSION,
                       "account", account,
                       "key-store", store,
                       NULL);
}

/* ---- settings ---------------------------------------------------------- */

void
tessera_session_set_password (TesseraSession *self,
                              const char     *password)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  tessera_xmpp_link_set_password (self->link, password);
}

void
tessera_session_set_key_passphrase (TesseraSession *self,
                                    const char     *passphrase)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  g_mutex_lock (&self->mutex);
  tessera_secret_free (self->key_passphrase);
  self->key_passphrase = g_strdup (passphrase);
  g_mutex_unlock (&self->mutex);
}

void
tessera_session_set_timeout (TesseraSession *self,
                             guint           seconds)
{
  gboolean changed;

  g_return_if_fail (TESSERA_IS_SESSION (self));

  if (seconds == 0)
    seconds = TESSERA_SESSION_DEFAULT_TIMEOUT;

  g_mutex_lock (&self->mutex);
  changed = self->timeout != seconds;
  self->timeout = seconds;
  g_mutex_unlock (&self->mutex);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

guint
tessera_session_get_timeout (TesseraSession *self)
{
  guint timeout;

  g_return_val_if_fail (TESSERA_IS_SESSION (self), 0);

  g_mutex_lock (&self->mutex);
  timeout = self->timeout;
  g_mutex_unlock (&self->mutex);

  return timeout;
}

TesseraAccount *
tessera_session_get_account (TesseraSession *self)
{
  g_return_val_if_fail (TESSERA_IS_SESSION (self), NULL);

  return self->account;
}

TesseraKeyStore *
tessera_session_get_key_store (TesseraSession *self)
{
  g_return_val_if_fail (TESSERA_IS_SESSION (self), NULL);

  return self->store;
}

void
tessera_session_get_stats (TesseraSession *self,
                           guint          *connections,
                           guint          *round_trips)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  tessera_xmpp_link_get_stats (self->link, connections, round_trips);
}

TesseraFeatures
tessera_session_get_features (TesseraSession *self)
{
  g_return_val_if_fail (TESSERA_IS_SESSION (self), TESSERA_FEATURE_NONE);

  return tessera_xmpp_link_peek_features (self->link);
}

void
tessera_session_close (TesseraSession *self)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  tessera_xmpp_link_close (self->link);
  tessera_session_logout (self);
}

/* ---- "reconciled" ------------------------------------------------------ */

static void
reconciled_in_context (gpointer object,
                       gpointer notes)
{
  g_signal_emit (object, signals[RECONCILED], 0, notes);
}

/* An operation's thread: the notes of its reconciliation. */
static void
emit_reconciled (TesseraOperation *op,
                 GPtrArray        *notes,
                 gpointer          user_data)
{
  GStrv copy = g_new0 (char *, notes->len + 1);

  for (guint i = 0; i < notes->len; i++)
    copy[i] = g_strdup (g_ptr_array_index (notes, i));
  /* Queued before the operation's own result, so it arrives first. */
  tessera_operation_invoke_alive (op->context, user_data, reconciled_in_context, copy,
                                  (GDestroyNotify) g_strfreev);
}

/* ---- running operations ------------------------------------------------ */

static char *
dup_key_passphrase (TesseraSession *self)
{
  char *passphrase;

  g_mutex_lock (&self->mutex);
  passphrase = g_strdup (self->key_passphrase);
  g_mutex_unlock (&self->mutex);

  return passphrase;
}

/* Every operation of the session: @func (self, op, @data) on a thread.
 * @locks: it writes or reconciles, so it holds the account's lock against
 * other processes while it runs (see tessera_operation_run_async()). */
static void
run_async (TesseraSession       *self,
           const char           *what,
           gpointer              source_tag,
           gboolean              locks,
           TesseraOperationFunc  func,
           gpointer              data,
           GDestroyNotify        data_free,
           GDestroyNotify        result_free,
           GCancellable         *cancellable,
           GAsyncReadyCallback   callback,
           gpointer              user_data)
{
  g_autofree char *key_passphrase = dup_key_passphrase (self);

  tessera_operation_run_async (self, what, source_tag, tessera_session_get_timeout (self),
                               locks ? self->store : NULL, func, data, data_free, result_free,
                               emit_reconciled, self, key_passphrase,
                               cancellable, callback, user_data);
  tessera_secret_free (g_steal_pointer (&key_passphrase));
}

static TesseraEnrollmentServer
server_of (TesseraSession   *self,
           TesseraOperation *op)
{
  TesseraEnrollmentServer server = {
    self->link, self->claims, self->reconciler, tessera_session_get_timeout (self),
    op != NULL ? op->key_passphrase : NULL, emit_reconciled, self,
  };

  return server;
}

/* ---- discover and list ------------------------------------------------- */

static gpointer
discover_thread (gpointer           source,
                 TesseraOperation  *op,
                 gpointer           data,
                 GError           **error)
{
  TesseraSession *self = source;

  return GUINT_TO_POINTER (tessera_xmpp_link_discover (self->link, op, error));
}

void
tessera_session_discover_async (TesseraSession      *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  run_async (self, "discover", tessera_session_discover_async, FALSE, discover_thread, NULL, NULL, NULL,
             cancellable, callback, user_data);
}

TesseraFeatures
tessera_session_discover_finish (TesseraSession  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  return GPOINTER_TO_UINT (tessera_operation_finish (self, result, tessera_session_discover_async, error));
}

static gpointer
list_thread (gpointer           source,
             TesseraOperation  *op,
             gpointer           data,
             GError           **error)
{
  TesseraSession *self = source;
  g_autoptr(GPtrArray) entries = NULL;
  GListStore *store;
  TesseraFeatures features;

  /* Cancelled before it started: not even a connection is opened. */
  if (!tessera_operation_check (op, error))
    return NULL;

  if (!tessera_reconciler_run_first (self->reconciler, op, TRUE, error) ||
      !tessera_xmpp_link_get_features (self->link, op, &features, error))
    return NULL;
  entries = tessera_cert_exchange_list (self->link, op, features, error);
  if (entries == NULL)
    return NULL;

  store = g_list_store_new (TESSERA_TYPE_CERT_ENTRY);
  g_list_store_splice (store, 0, 0, entries->pdata, entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      TesseraCertEntry *entry = g_ptr_array_index (entries, i);

      g_debug ("list: %s \"%s\" (%s)", tessera_cert_entry_get_fingerprint (entry),
               tessera_cert_entry_get_name (entry), tessera_cert_entry_get_protocol (entry));
    }
  g_debug ("list: %u certificates", entries->len);

  return store;
}

void
tessera_session_list_async (TesseraSession      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  run_async (self, "list", tessera_session_list_async, TRUE, list_thread, NULL, NULL, g_object_unref,
             cancellable, callback, user_data);
}

GListModel *
tessera_session_list_finish (TesseraSession  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return tessera_operation_finish (self, result, tessera_session_list_async, error);
}

/* ---- enroll and upload ------------------------------------------------- */

TesseraEnrollment *
tessera_session_new_enrollment (TesseraSession *self,
                                const char     *name,
                                TesseraKeyType  key_type)
{
  TesseraEnrollment *enrollment;
  TesseraEnrollmentServer server;
  g_autofree char *key_passphrase = NULL;

  g_return_val_if_fail (TESSERA_IS_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  enrollment = tessera_enrollment_new (self->store, tessera_account_get_jid (self->account), name, key_type);
  key_passphrase = dup_key_passphrase (self);
  server = server_of (self, NULL);
  server.key_passphrase = key_passphrase;
  _tessera_enrollment_set_server (enrollment, &server);
  tessera_secret_free (g_steal_pointer (&key_passphrase));

  return enrollment;
}

/* The enrollment takes the account's lock itself. */
static gpointer
enroll_thread (gpointer           source,
               TesseraOperation  *op,
               gpointer           data,
               GError           **error)
{
  return _tessera_enrollment_run (data, op, error);
}

void
tessera_session_enroll_async (TesseraSession      *self,
                              const char          *name,
                              TesseraKeyType       key_type,
                              const char          *user_passphrase,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  TesseraEnrollment *enrollment;

  g_return_if_fail (TESSERA_IS_SESSION (self));
  g_return_if_fail (name != NULL);

  enrollment = tessera_session_new_enrollment (self, name, key_type);
  tessera_enrollment_set_user_passphrase (enrollment, user_passphrase);
  run_async (self, "enroll", tessera_session_enroll_async, FALSE, enroll_thread, enrollment, g_object_unref,
             g_object_unref, cancellable, callback, user_data);
}

TesseraKeyRecord *
tessera_session_enroll_finish (TesseraSession  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  return tessera_operation_finish (self, result, tessera_session_enroll_async, error);
}

static gpointer
upload_thread (gpointer           source,
               TesseraOperation  *op,
               gpointer           data,
               GError           **error)
{
  TesseraSession *self = source;
  TesseraEnrollmentServer server = server_of (self, op);

  return _tessera_enrollment_upload_key (&server, self->store, op, data, error);
}

void
tessera_session_upload_async (TesseraSession      *self,
                              const char          *key_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));
  g_return_if_fail (key_id != NULL);

  run_async (self, "upload", tessera_session_upload_async, TRUE, upload_thread, g_strdup (key_id), g_free,
             g_object_unref, cancellable, callback, user_data);
}

TesseraKeyRecord *
tessera_session_upload_finish (TesseraSession  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  return tessera_operation_finish (self, result, tessera_session_upload_async, error);
}

/* ---- revoke ------------------------------------------------------------ */

typedef struct
{
  char                  *fingerprint;
  TesseraRevocationList  listed;       /* entries NULL: not listed by the caller */
} RevokeData;

static void
revoke_data_free (gpointer data)
{
  RevokeData *args = data;

  g_free (args->fingerprint);
  g_clear_pointer (&args->listed.entries, g_ptr_array_unref);
  g_free (args);
}

static gpointer
revoke_thread (gpointer           source,
               TesseraOperation  *op,
               gpointer           data,
               GError           **error)
{
  TesseraSession *self = source;
  TesseraRevocation revocation = { self->link, self->store, self->claims, self->reconciler };
  RevokeData *args = data;
  const TesseraRevocationList *listed = args->listed.entries != NULL ? &args->listed : NULL;

  return GINT_TO_POINTER (tessera_revocation_run (&revocation, op, args->fingerprint, listed, error));
}

void
tessera_session_revoke_async (TesseraSession      *self,
                              const char          *fingerprint,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  RevokeData *args;

  g_return_if_fail (TESSERA_IS_SESSION (self));
  g_return_if_fail (fingerprint != NULL);

  args = g_new0 (RevokeData, 1);
  args->fingerprint = g_strdup (fingerprint);
  run_async (self, "revoke", tessera_session_revoke_async, TRUE, revoke_thread, args, revoke_data_free,
             NULL, cancellable, callback, user_data);
}

gboolean
tessera_session_revoke_finish (TesseraSession  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  return GPOINTER_TO_INT (tessera_operation_finish (self, result, tessera_session_revoke_async, error));
}

void
tessera_session_revoke_listed_async (TesseraSession      *self,
                                     const char          *fingerprint,
                                     GListModel          *listed,
                                     gint64               listed_at,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  RevokeData *args;
  guint n_items;

  g_return_if_fail (TESSERA_IS_SESSION (self));
  g_return_if_fail (fingerprint != NULL);
  g_return_if_fail (G_IS_LIST_MODEL (listed));

  n_items = g_list_model_get_n_items (listed);
  args = g_new0 (RevokeData, 1);
  args->fingerprint = g_strdup (fingerprint);
  args->listed.entries = g_ptr_array_new_full (n_items, g_object_unref);
  args->listed.read_at = listed_at;
  for (guint i = 0; i < n_items; i++)
    g_ptr_array_add (args->listed.entries, g_list_model_get_item (listed, i));

  run_async (self, "revoke", tessera_session_revoke_listed_async, TRUE, revoke_thread,
             args, revoke_data_free, NULL, cancellable, callback, user_data);
}

gboolean
tessera_session_revoke_listed_finish (TesseraSession  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return GPOINTER_TO_INT (tessera_operation_finish (self, result, tessera_session_revoke_listed_async, error));
}

/* ---- renew ------------------------------------------------------------- */

typedef struct
{
  char *old_fingerprint;
  char *new_fingerprint;
} RenewResult;

static void
renew_result_free (gpointer data)
{
  RenewResult *result = data;

  g_free (result->old_fingerprint);
  g_free (result->new_fingerprint);
  g_free (result);
}

static gpointer
renew_thread (gpointer           source,
              TesseraOperation  *op,
              gpointer           data,
              GError           **error)
{
  TesseraSession *self = source;
  TesseraRenewal renewal = { self->link, self->store, self->claims };
  g_autoptr(TesseraKeyRecord) renewed = NULL;
  g_autofree char *old_fingerprint = NULL;
  RenewResult *result;

  /* Cancelled before it started: not even a connection is opened. */
  if (!tessera_operation_check (op, error))
    return NULL;
  /* A renewal interrupted before is finished first (and a password
   * connection is opened only when there is a password). */
  if (!tessera_reconciler_run_first (self->reconciler, op, tessera_xmpp_link_has_password (self->link), error))
    return NULL;

  renewed = tessera_renewal_run (&renewal, op, data, &old_fingerprint, error);
  if (renewed == NULL)
    return NULL;

  result = g_new0 (RenewResult, 1);
  result->old_fingerprint = g_steal_pointer (&old_fingerprint);
  result->new_fingerprint = g_strdup (tessera_certificate_get_fingerprint (
                                        tessera_key_record_get_certificate (renewed)));
  return result;
}

void
tessera_session_renew_async (TesseraSession      *self,
                             const char          *fingerprint,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  run_async (self, "renew", tessera_session_renew_async, TRUE, renew_thread, g_strdup (fingerprint), g_free,
             renew_result_free, cancellable, callback, user_data);
}

gboolean
tessera_session_renew_finish (TesseraSession  *self,
                              GAsyncResult    *result,
                              char           **old_fingerprint,
                              char           **new_fingerprint,
                              GError         **error)
{
  RenewResult *renewed;

  renewed = tessera_operation_finish (self, result, tessera_session_renew_async, error);
  if (renewed == NULL)
    return FALSE;

  if (old_fingerprint != NULL)
    *old_fingerprint = g_steal_pointer (&renewed->old_fingerprint);
  if (new_fingerprint != NULL)
    *new_fingerprint = g_steal_pointer (&renewed->new_fingerprint);
  renew_result_free (renewed);

  return TRUE;
}

/* ---- login ------------------------------------------------------------- */

typedef struct
{
  TesseraLoginFlags  flags;
  char              *certificate_path;
  char              *key_path;
  char              *key_passphrase;
} LoginData;

static void
login_data_free (gpointer data)
{
  LoginData *login = data;

  g_free (login->certificate_path);
  g_free (login->key_path);
  tessera_secret_free (login->key_passphrase);
  g_free (login);
}

static gpointer
login_thread (gpointer           source,
              TesseraOperation  *op,
              gpointer           data,
              GError           **error)
{
  TesseraSession *self = source;
  LoginData *args = data;
  TesseraLogin login = {
    self->link, self->store, self->reconciler,
    args->certificate_path, args->key_path, args->key_passphrase,
    (args->flags & TESSERA_LOGIN_FLAGS_STAY_CONNECTED) != 0, tessera_held_login_hold, self->held,
  };

  return tessera_login_run (&login, op, error);
}

void
tessera_session_login_full_async (TesseraSession      *self,
                                  TesseraLoginFlags    flags,
                                  const char          *certificate_path,
                                  const char          *key_path,
                                  const char          *key_passphrase,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  LoginData *login;

  g_return_if_fail (TESSERA_IS_SESSION (self));
  g_return_if_fail ((certificate_path == NULL) == (key_path == NULL));

  login = g_new0 (LoginData, 1);
  login->flags = flags;
  login->certificate_path = g_strdup (certificate_path);
  login->key_path = g_strdup (key_path);
  login->key_passphrase = g_strdup (key_passphrase);
  run_async (self, "login", tessera_session_login_async, TRUE, login_thread, login, login_data_free, g_free,
             cancellable, callback, user_data);
}

void
tessera_session_login_async (TesseraSession      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  tessera_session_login_full_async (self, TESSERA_LOGIN_FLAGS_NONE, NULL, NULL, NULL,
                                    cancellable, callback, user_data);
}

char *
tessera_session_login_finish (TesseraSession  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return tessera_operation_finish (self, result, tessera_session_login_async, error);
}

gboolean
tessera_session_is_logged_in (TesseraSession *self)
{
  g_return_val_if_fail (TESSERA_IS_SESSION (self), FALSE);

  return tessera_held_login_is_open (self->held);
}

void
tessera_session_logout (TesseraSession *self)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  tessera_held_login_close (self->held);
}

/* ---- reconcile --------------------------------------------------------- */

static gpointer
reconcile_thread (gpointer           source,
                  TesseraOperation  *op,
                  gpointer           data,
                  GError           **error)
{
  TesseraSession *self = source;
  GPtrArray *notes;

  notes = tessera_reconciler_run (self->reconciler, op, TRUE, error);
  if (notes == NULL)
    return NULL;
  g_ptr_array_add (notes, NULL);

  return g_ptr_array_free (notes, FALSE);
}

void
tessera_session_reconcile_async (TesseraSession      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (TESSERA_IS_SESSION (self));

  /* The caller gets the notes: tessera_reconciler_run() tells nobody else. */
  run_async (self, "reconcile", tessera_session_reconcile_async, TRUE, reconcile_thread, NULL, NULL,
             (GDestroyNotify) g_strfreev, cancellable, callback, user_data);
}

char **
tessera_session_reconcile_finish (TesseraSession  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  return tessera_operation_finish (self, result, tessera_session_reconcile_async, error);
}

gboolean
tessera_session_request_was_sent (TesseraSession *self,
                                  const char     *key_id)
{
  g_return_val_if_fail (TESSERA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);

  return tessera_reconciler_request_was_sent (self->reconciler, key_id);
}
