/* tessera-session-private.h: what the session's operations share
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-connection.h"
#include "tessera-session.h"

G_BEGIN_DECLS

/* The arguments and the deadline of one operation; it lives in the GTask's
 * task data and is read by the worker thread that runs the operation. */
typedef struct
{
  TesseraSession    *session;        /* unowned: the task holds it */
  GCancellable      *cancellable;    /* nullable, owned */
  gint64             deadline;       /* g_get_monotonic_time() microseconds */
  gint64             started;
  const char        *what;           /* "enroll", "list"... for traces */

  char              *name;
  TesseraKeyType     key_type;
  char              *user_passphrase;
  char              *key_id;
  char              *fingerprint;
  TesseraLoginFlags  login_flags;
  char              *certificate_path;
  char              *key_path;
  char              *key_passphrase;
  GMainContext      *context;        /* the caller's, for "login-closed" */
} TesseraSessionOp;

/* tessera-session.c */
char              *_tessera_session_dup_key_passphrase (TesseraSession *self);
void               _tessera_session_count_connection   (TesseraSession *self);
void               _tessera_session_count_round_trip   (TesseraSession *self);
gboolean           _tessera_session_check_op           (TesseraSessionOp *op,
                                                        GError          **error);
/* The reused management connection, ready; @reused says whether it was
 * open before this call. */
TesseraConnection *_tessera_session_acquire_management (TesseraSession   *self,
                                                        TesseraSessionOp *op,
                                                        gboolean         *reused,
                                                        GError          **error);
void               _tessera_session_drop_management    (TesseraSession    *self,
                                                        TesseraConnection *connection);
/* Features cached for @connection, or 0 with FALSE. */
gboolean           _tessera_session_lookup_features    (TesseraSession    *self,
                                                        TesseraConnection *connection,
                                                        TesseraFeatures   *features);
void               _tessera_session_cache_features     (TesseraSession    *self,
                                                        TesseraConnection *connection,
                                                        TesseraFeatures    features);
/* Keeps @connection as the held login (replacing and closing another). */
void               _tessera_session_hold_login         (TesseraSession    *self,
                                                        TesseraConnection *connection,
                                                        GMainContext      *context);
TesseraConnectionConfig _tessera_session_base_config   (TesseraAccount    *account);

/* tessera-session-ops.c: blocking bodies, run on a GTask thread */
TesseraFeatures    _tessera_session_discover_sync (TesseraSession   *self,
                                                   TesseraSessionOp *op,
                                                   GError          **error);
GListModel        *_tessera_session_list_sync     (TesseraSession   *self,
                                                   TesseraSessionOp *op,
                                                   GError          **error);
TesseraKeyRecord  *_tessera_session_enroll_sync   (TesseraSession   *self,
                                                   TesseraSessionOp *op,
                                                   GError          **error);
TesseraKeyRecord  *_tessera_session_upload_sync   (TesseraSession   *self,
                                                   TesseraSessionOp *op,
                                                   GError          **error);
gboolean           _tessera_session_revoke_sync   (TesseraSession   *self,
                                                   TesseraSessionOp *op,
                                                   GError          **error);
char              *_tessera_session_login_sync    (TesseraSession   *self,
                                                   TesseraSessionOp *op,
                                                   GError          **error);

G_END_DECLS
