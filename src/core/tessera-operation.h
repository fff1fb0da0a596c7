/* tessera-operation.h: one call of an operation: its deadline, its cancellable, its thread
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-account-lock.h"
#include "tessera-key-store.h"

G_BEGIN_DECLS

/* What every blocking step of an operation reads: it runs on a GTask
 * thread (tessera_operation_run_async) and talks to connection workers. */
typedef struct _TesseraOperation TesseraOperation;

/* Called with what a reconciliation at the start of the operation did
 * (translated sentences), on the operation's thread. */
typedef void (*TesseraNotesFunc) (TesseraOperation *op,
                                  GPtrArray        *notes,
                                  gpointer          user_data);

struct _TesseraOperation
{
  const char       *what;           /* "enroll", "list"... for traces */
  GCancellable     *cancellable;    /* nullable, owned */
  gint64            started;        /* g_get_monotonic_time() microseconds */
  gint64            deadline;
  GMainContext     *context;        /* the caller's, owned */
  TesseraNotesFunc  notes_func;     /* nullable */
  gpointer          notes_data;
  /* the user's passphrase of keys saved without the Secret Service, when
   * the operation started (nullable, owned, wiped) */
  char             *key_passphrase;
};

/* The deadline starts now: it covers the whole operation. */
TesseraOperation *tessera_operation_new     (const char        *what,
                                             guint              timeout_seconds,
                                             GCancellable      *cancellable);
void              tessera_operation_free    (TesseraOperation  *op);
/* FALSE with G_IO_ERROR_CANCELLED or TESSERA_XMPP_ERROR_TIMEOUT once the
 * operation is cancelled or past its deadline. */
gboolean          tessera_operation_check   (TesseraOperation  *op,
                                             GError           **error);
/* Sleeps @usec unless that would pass the deadline or the operation is
 * cancelled first (FALSE then). */
gboolean          tessera_operation_backoff (TesseraOperation  *op,
                                             gint64             usec);
/* The account's lock (tessera-account-lock.h) for the rest of the
 * operation: waits for another process until the operation's deadline
 * (TESSERA_STORE_ERROR_BUSY then) or its cancellation. For a body that
 * must say itself that it failed; others pass account_lock to
 * tessera_operation_run_async(). Release with g_object_unref(). */
TesseraAccountLock *tessera_operation_lock_account (TesseraOperation  *op,
                                                    TesseraKeyStore   *store,
                                                    GError           **error);
/* Hands @notes (maybe empty) to the operation's notes function. */
void              tessera_operation_tell    (TesseraOperation  *op,
                                             GPtrArray         *notes);

/* Called in a main context with an object that was still alive. */
typedef void (*TesseraAliveFunc) (gpointer object,
                                  gpointer data);

/* From any thread (an operation's, a connection's worker): calls
 * @func (@object, @data) in @context unless @object (a GObject) has been
 * finalized by then; @object is not kept alive meanwhile. @data is freed
 * with @data_free (nullable) either way, in @context or, when @context
 * is gone, wherever GLib drops the source. */
void              tessera_operation_invoke_alive (GMainContext      *context,
                                                  gpointer           object,
                                                  TesseraAliveFunc   func,
                                                  gpointer           data,
                                                  GDestroyNotify     data_free);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraOperation, tessera_operation_free)

/* The blocking body of an operation: a result, or NULL with @error set
 * (a result may be NULL too when it is a number: the error decides). */
typedef gpointer (*TesseraOperationFunc) (gpointer           source,
                                          TesseraOperation  *op,
                                          gpointer           data,
                                          GError           **error);

/* The one _async half of every operation: runs @func (@source, op, @data)
 * in a GTask thread, traces how long it took, and calls back in the
 * caller's thread-default main context. @data is freed with @data_free,
 * the result (if the caller never takes it) with @result_free.
 * @notes_func, if not NULL, gets the reconciliation's notes with
 * @notes_data; @key_passphrase goes into the operation.
 *
 * With @account_lock (the account's key store, for an operation that
 * writes or reconciles), the thread holds the account's lock
 * (tessera-account-lock.h) while @func runs: it waits for another process
 * working on the account until the operation's own deadline, then fails
 * with TESSERA_STORE_ERROR_BUSY before @func starts. The main context never
 * waits: the lock is taken on the operation's thread. */
void              tessera_operation_run_async  (gpointer              source,
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
                                                gpointer              user_data);
/* The _finish half: the result, or NULL with @error (check @error when the
 * result may be NULL). */
gpointer          tessera_operation_finish     (gpointer              source,
                                                GAsyncResult         *result,
                                                gpointer              source_tag,
                                                GError              **error);

G_END_DECLS
