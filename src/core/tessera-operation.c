/* tessera-operation.c: one call of an operation: its deadline, its cancellable, its thread
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <glib/gi18n-lib.h>

#include "tessera-error.h"
#include "tessera-operation.h"
#include "tessera-secret.h"

TesseraOperation *
tessera_operation_new (const char   *what,
                       guint         timeout_seconds,
                       GCancellable *cancellable)
{
  TesseraOperation *op = g_new0 (TesseraOperation, 1);

  op->what = what;
  op->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  op->started = g_get_monotonic_time ();
  op->deadline = op->started + (gint64) timeout_seconds * G_USEC_PER_SEC;
  op->context = g_main_context_ref_thread_default ();

  return op;
}

void
tessera_operation_free (TesseraOperation *op)
{
  if (op == NULL)
    return;

  g_clear_object (&op->cancellable);
  g_clear_pointer (&op->context, g_main_context_unref);
  tessera_secret_free (op->key_passphrase);
  g_free (op);
}

gboolean
tessera_operation_check (TesseraOperation  *op,
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

gboolean
tessera_operation_backoff (TesseraOperation *op,
                           gint64            usec)
{
  gint64 until = g_get_monotonic_time () + usec;

  if (until >= op->deadline)
    return FALSE;
  while (g_get_monotonic_time () < until)
    {
      if (g_cancellable_is_cancelled (op->cancellable))
        return FALSE;
      g_usleep (20 * 1000);
    }

  return TRUE;
}

TesseraAccountLock *
tessera_operation_lock_account (TesseraOperation  *op,
                                TesseraKeyStore   *store,
                                GError           **error)
{
  return tessera_account_lock_acquire (store, op->deadline, op->cancellable, error);
}

void
tessera_operation_tell (TesseraOperation *op,
                        GPtrArray        *notes)
{
  if (op->notes_func != NULL)
    op->notes_func (op, notes, op->notes_data);
}

/* ---- calling back an object that may be gone ---------------------------- */

typedef struct
{
  GWeakRef          object;
  TesseraAliveFunc  func;
  gpointer          data;
  GDestroyNotify    data_free;
} AliveCall;

static void
alive_call_free (gpointer data)
{
  AliveCall *call = data;

  g_weak_ref_clear (&call->object);
  if (call->data_free != NULL)
    call->data_free (call->data);
  g_free (call);
}

static gboolean
alive_call_run (gpointer data)
{
  AliveCall *call = data;
  g_autoptr(GObject) object = g_weak_ref_get (&call->object);

  if (object != NULL)
    call->func (object, call->data);

  return G_SOURCE_REMOVE;
}

void
tessera_operation_invoke_alive (GMainContext      *context,
                                gpointer           object,
                                TesseraAliveFunc   func,
                                gpointer           data,
                                GDestroyNotify     data_free)
{
  AliveCall *call;

  g_return_if_fail (G_IS_OBJECT (object));
  g_return_if_fail (func != NULL);

  call = g_new0 (AliveCall, 1);
  g_weak_ref_init (&call->object, object);
  call->func = func;
  call->data = data;
  call->data_free = data_free;
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, alive_call_run, call, alive_call_free);
}

/* ---- running in a thread ----------------------------------------------- */

typedef struct
{
  TesseraOperation     *op;
  TesseraKeyStore      *account_lock;    /* nullable, owned */
  TesseraOperationFunc  func;
  gpointer              data;
  GDestroyNotify        data_free;
  GDestroyNotify        result_free;
} Run;

static void
run_free (gpointer data)
{
  Run *run = data;

  if (run->data_free != NULL)
    run->data_free (run->data);
  g_clear_object (&run->account_lock);
  tessera_operation_free (run->op);
  g_free (run);
}

static void
trace_end (TesseraOperation *op,
           const GError     *error)
{
  gint64 ms = (g_get_monotonic_time () - op->started) / 1000;

  if (error != NULL)
    g_debug ("%s: failed after %" G_GINT64_FORMAT " ms: %s", op->what, ms, error->message);
  else
    g_debug ("%s: done in %" G_GINT64_FORMAT " ms", op->what, ms);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Run *run = task_data;
  g_autoptr(TesseraAccountLock) lock = NULL;
  GError *error = NULL;
  gpointer result = NULL;

  /* Held for the whole body, released (unref) before the result goes back,
   * so the caller's next operation never finds its own process in the way
   * of another one. A held login's body ends once it is logged in. */
  if (run->account_lock != NULL)
    lock = tessera_operation_lock_account (run->op, run->account_lock, &error);
  if (error == NULL)
    result = run->func (source_object, run->op, run->data, &error);
  g_clear_object (&lock);
  trace_end (run->op, error);
  if (error != NULL)
    {
      if (result != NULL && run->result_free != NULL)
        run->result_free (result);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, result, run->result_free);
}

void
tessera_operation_run_async (gpointer              source,
                             const char           *what,
                             gpointer              source_tag,
                             guint                 timeout_seconds,
                             TesseraKeyStore      *account_lock,
                             TesseraOperationFunc  func,
                             gpointer              data,
                             GDestroyNotify        data_free,
                             GDestroyNotify        result_free,
                             TesseraNotesFunc      notes_func,
                             gpointer              notes_data,
                             const char           *key_passphrase,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);
  Run *run = g_new0 (Run, 1);

  run->op = tessera_operation_new (what, timeout_seconds, cancellable);
  run->op->notes_func = notes_func;
  run->op->notes_data = notes_data;
  run->op->key_passphrase = g_strdup (key_passphrase);
  run->account_lock = account_lock != NULL ? g_object_ref (account_lock) : NULL;
  run->func = func;
  run->data = data;
  run->data_free = data_free;
  run->result_free = result_free;

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, what);
  g_task_set_task_data (task, run, run_free);
  g_task_run_in_thread (task, run_thread);
}

gpointer
tessera_operation_finish (gpointer       source,
                          GAsyncResult  *result,
                          gpointer       source_tag,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
