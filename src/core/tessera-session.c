/* tessera-session.c: certificate management over XMPP for one account
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

  g_mutex_lock (&self->mutex);
  _tessera_session_drop_connection (&self->management);
  _tessera_session_drop_connection (&self->login);
  self->features_connection = NULL;
  g_mutex_unlock (&self->mutex);

  G_OBJECT_CLASS (tessera_session_parent_class)->dispose (object);
}

static void
tessera_session_finalize (GObject *object)
{
  TesseraSession *self = TESSERA_SESSION (object);

  g_clear_object (&self->account);
  g_clear_object (&self->store);
  tessera_secret_free (self->password);
  tessera_secret_free (self->key_passphrase);
  g_clear_pointer (&self->busy_keys, g_hash_table_unref);
  g_mutex_clear (&self->mutex);
  g_mutex_clear (&self->management_lock);
  g_mutex_clear (&self->reconcile_lock);

  G_OBJECT_CLASS (tessera_session_parent_class)->finalize (object);
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

void
_tessera_session_emit_login_closed (TesseraSession *self,
                                    const GError   *error)
{
  g_signal_emit (self, signals[LOGIN_CLOSED], 0, error);
}

typedef struct
{
  GWeakRef  session;
  GStrv     notes;
} Reconciled;

static void
reconciled_free (gpointer data)
{
  Reconciled *reconciled = data;

  g_weak_ref_clear (&reconciled->session);
  g_strfreev (reconciled->notes);
  g_free (reconciled);
}

static gboolean
reconciled_in_context (gpointer data)
{
  Reconciled *reconciled = data;
  g_autoptr(TesseraSession) self = g_weak_ref_get (&reconciled->session);

  if (self != NULL)
    g_signal_emit (self, signals[RECONCILED], 0, reconciled->notes);

  return G_SOURCE_REMOVE;
}

void
_tessera_session_emit_reconciled (TesseraSession   *self,
                                  TesseraSessionOp *op,
                                  GPtrArray        *notes)
{
  Reconciled *reconciled;

  if (notes == NULL || notes->len == 0)
    return;

  reconciled = g_new0 (Reconciled, 1);
  g_weak_ref_init (&reconciled->session, self);
  reconciled->notes = g_new0 (char *, notes->len + 1);
  for (guint i = 0; i < notes->len; i++)
    reconciled->notes[i] = g_strdup (g_ptr_array_index (notes, i));
  /* Queued before the operation's own result, so it arrives first. */
  g_main_context_invoke_full (op->context, G_PRIORITY_DEFAULT,
                              reconciled_in_context, reconciled, reconciled_free);
}

gboolean
_tessera_session_claim_key (TesseraSession *self,
                            const char     *id)
{
  gboolean claimed;

  g_mutex_lock (&self->mutex);
  claimed = !g_hash_table_contains (self->busy_keys, id);
  if (claimed)
    g_hash_table_add (self->busy_keys, g_strdup (id));
  g_mutex_unlock (&self->mutex);

  return claimed;
}

void
_tessera_session_release_key (TesseraSession *self,
                              const char     *id)
{
  g_mutex_lock (&self->mutex);
  g_hash_table_remove (self->busy_keys, id);
  g_mutex_unlock (&self->mutex);
}

static void
tessera_session_init (TesseraSession *self)
{
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->management_lock);
  g_mutex_init (&self->reconcile_lock);
  self->busy_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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

  g_mutex_lock (&self->mutex);
  tessera_secret_free (self->password);
  self->password = g_strdup (password);
  g_mutex_unlock (&self->mutex);
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

gboolean
_tessera_session_has_password (TesseraSession *self)
{
  gboolean has_password;

  g_mutex_lock (&self->mutex);
  has_password = self->password != NULL;
  g_mutex_unlock (&self->mutex);

  return has_password;
}

char *
_tessera_session_dup_key_passphrase (TesseraSession *self)
{
  char *passphrase;

  g_mutex_lock (&self->mutex);
  passphrase = g_strdup (self->key_passphrase);
  g_mutex_unlock (&self->mutex);

  return passphrase;
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

  if (connections != NULL)
    *connections = (guint) g_atomic_int_get (&self->connections);
  if (round_trips != NULL)
    *round_trips = (guint) g_atomic_int_get (&self->round_trips);
}

void
_tessera_session_count_connection (TesseraSession *self)
{
  g_atomic_int_inc (&self->connections);
}

void
_tessera_session_count_round_trip (TesseraSession *self)
{
  g_atomic_int_inc (&self->round_trips);
}

TesseraFeatures
tessera_session_get_features (TesseraSession *self)
{
  TesseraFeatures features;

  g_return_val_if_fail (TESSERA_IS_SESSION (self), TESSERA_FEATURE_NONE);

  g_mutex_lock (&self->mutex);
  features = self->features_connection != NULL ? self->features : TESSERA_FEATURE_NONE;
  g_mutex_unlock (&self->mutex);

  return features;
}

/* ---- async plumbing ---------------------------------------------------- */

static void
op_free (gpointer data)
{
  TesseraSessionOp *op = data;

  g_clear_object (&op->cancellable);
  g_free (op->name);
  tessera_secret_free (op->user_passphrase);
  g_free (op->key_id);
  g_free (op->fingerprint);
  g_free (op->certificate_path);
  g_free (op->key_path);
  tessera_secret_free (op->key_passphrase);
  g_clear_pointer (&op->context, g_main_context_unref);
  g_free (op);
}

static GTask *
op_task_new (TesseraSession      *self,
             const char          *what,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             TesseraSessionOp   **out_op)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  TesseraSessionOp *op = g_new0 (TesseraSessionOp, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, what);
  op->session = self;
  op->what = what;
  op->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  /* The deadline starts now: it covers the whole operation. */
  op->started = g_get_monotonic_time ();
  op->deadline = op->started + (gint64) tessera_session_get_timeout (self) * G_USEC_PER_SEC;
  op->context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, op, op_free);
  *out_op = op;

  return task;
}

static void
op_trace_end (TesseraSessionOp *op,
              const GError     *error)
{
  gint64 ms = (g_get_monotonic_time () - op->started) / 1000;

  if (error != NULL)
    g_debug ("%s: failed after %" G_GINT64_FORMAT " ms: %s", op->what, ms, error->message);
  else
    g_debug ("%s: done in %" G_GINT64_FORMAT " ms", op->what, ms);
}

static void
discover_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  TesseraFeatures features;

  features = _tessera_session_discover_sync (source_object, task_data, &error);
  op_trace_end (task_data, error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, features);
}

void
tessera_session_discover_async (TesseraSession      *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TesseraSessionOp *op;

  g_return_if_fail (TESSERA_IS_SESSION (self));

  task = op_task_new (self, "discover", tessera_session_discover_async,
                      cancellable, callback, user_data, &op);
  g_task_run_in_thread (task, discover_thread);
}

TesseraFeatures
tessera_session_discover_finish (TesseraSession  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  gssize features;

  g_return_val_if_fail (g_task_is_valid (result, self), TESSERA_FEATURE_NONE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_session_discover_async,
                        TESSERA_FEATURE_NONE);

  features = g_task_propagate_int (G_TASK (result), error);

  return features < 0 ? TESSERA_FEATURE_NONE : (TesseraFeatures) features;
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GListModel *list;

  list = _tessera_session_list_sync (source_object, task_data, &error);
  op_trace_end (task_data, error);
  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, g_object_unref);
}

void
tessera_session_list_async (TesseraSession      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TesseraSessionOp *op;

  g_return_if_fail (TESSERA_IS_SESSION (self));

  task = op_task_new (self, "list", tessera_session_list_async,
                      cancellable, callback, user_data, &op);
  g_task_run_in_thread (task, list_thread);
}

GListModel *
tessera_session_list_finish (TesseraSession  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_session_list_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TesseraSessionOp *op = task_data;
  GError *error = NULL;
  TesseraKeyRecord *record;

  if (g_task_get_source_tag (task) == tessera_session_enroll_async)
    record = _tessera_session_enroll_sync (source_object, op, &error);
  else
    record = _tessera_session_upload_sync (source_object, op, &error);
  op_trace_end (op, error);

  if (record == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, record, g_object_unref);
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
  g_autoptr(GTask) task = NULL;
  TesseraSessionOp *op;

  g_return_if_fail (TESSERA_IS_SESSION (self));
  g_return_if_fail (name != NULL);

  task = op_task_new (self, "enroll", tessera_session_enroll_async,
                      cancellable, callback, user_data, &op);
  op->name = g_strdup (name);
  op->key_type = key_type;
  op->user_passphrase = g_strdup (user_passphrase);
  g_task_run_in_thread (task, record_thread);
}

TesseraKeyRecord *
tessera_session_enroll_finish (TesseraSession  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_session_enroll_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
tessera_session_upload_async (TesseraSession      *self,
                              const char          *key_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TesseraSessionOp *op;

  g_return_if_fail (TESSERA_IS_SESSION (self));
  g_return_if_fail (key_id != NULL);

  task = op_task_new (self, "upload", tessera_session_upload_async,
                      cancellable, callback, user_data, &op);
  op->key_id = g_strdup (key_id);
  g_task_run_in_thread (task, record_thread);
}

TesseraKeyRecord *
tessera_session_upload_finish (TesseraSession  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_session_upload_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
revoke_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (!_tessera_session_revoke_sync (source_object, task_data, &error))
    {
      op_trace_end (task_data, error);
      g_task_return_error (task, error);
      return;
    }
  op_trace_end (task_data, NULL);
  g_task_return_boolean (task, TRUE);
}

void
tessera_session_revoke_async (TesseraSession      *self,
                              const char          *fingerprint,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TesseraSessionOp *op;

  g_return_if_fail (TESSERA_IS_SESSION (self));
  g_return_if_fail (fingerprint != NULL);

  task = op_task_new (self, "revoke", tessera_session_revoke_async,
                      cancellable, callback, user_data, &op);
  op->fingerprint = g_strdup (fingerprint);
  g_task_run_in_thread (task, revoke_thread);
}

gboolean
tessera_session_revoke_finish (TesseraSession  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_session_revoke_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
login_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  char *jid;

  jid = _tessera_session_login_sync (source_object, task_data, &error);
  op_trace_end (task_data, error);
  if (jid == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, jid, g_free);
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
  g_autoptr(GTask) task = NULL;
  TesseraSessionOp *op;

  g_return_if_fail (TESSERA_IS_SESSION (self));
  g_return_if_fail ((certificate_path == NULL) == (key_path == NULL));

  task = op_task_new (self, "login", tessera_session_login_async,
                      cancellable, callback, user_data, &op);
  op->login_flags = flags;
  op->certificate_path = g_strdup (certificate_path);
  op->key_path = g_strdup (key_path);
  op->key_passphrase = g_strdup (key_passphrase);
  g_task_run_in_thread (task, login_thread);
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
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_session_login_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
reconcile_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *notes;

  notes = _tessera_session_reconcile_sync (source_object, task_data, TRUE, &error);
  op_trace_end (task_data, error);
  if (notes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_add (notes, NULL);
  g_task_return_pointer (task, g_ptr_array_free (notes, FALSE), (GDestroyNotify) g_strfreev);
}

void
tessera_session_reconcile_async (TesseraSession      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TesseraSessionOp *op;

  g_return_if_fail (TESSERA_IS_SESSION (self));

  task = op_task_new (self, "reconcile", tessera_session_reconcile_async,
                      cancellable, callback, user_data, &op);
  g_task_run_in_thread (task, reconcile_thread);
}

char **
tessera_session_reconcile_finish (TesseraSession  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_session_reconcile_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
