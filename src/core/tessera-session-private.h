/* tessera-session-private.h: what the session's operations share
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-connection.h"
#include "tessera-session.h"

G_BEGIN_DECLS

/* tessera-session.c             the GObject, settings, _async/_finish pairs
 * tessera-session-connections.c the reused management connection, the held login
 * tessera-session-ops.c         round trips, discover, list, revoke, login
 * tessera-session-enroll.c      enroll and upload
 * tessera-session-reconcile.c   finishing what a crash interrupted */

struct _TesseraSession
{
  GObject            parent_instance;

  TesseraAccount    *account;
  TesseraKeyStore   *store;

  GMutex             mutex;
  /* under mutex */
  char              *password;
  char              *key_passphrase;
  guint              timeout;
  TesseraConnection *management;
  TesseraConnection *features_connection;   /* unowned, compared only */
  TesseraFeatures    features;
  TesseraConnection *login;

  /* serializes opening the management connection */
  GMutex             management_lock;
  /* serializes reconciliations (tessera-session-reconcile.c) */
  GMutex             reconcile_lock;
  /* under mutex: ids of keys an operation of this session is sending or
   * revoking right now, which reconciliation must leave alone */
  GHashTable        *busy_keys;

  gint               connections;            /* atomic */
  gint               round_trips;            /* atomic */
};

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
void               _tessera_session_emit_login_closed  (TesseraSession *self,
                                                        const GError   *error);
char              *_tessera_session_dup_key_passphrase (TesseraSession *self);
/* TRUE when tessera_session_set_password() gave one (the keyring is not asked). */
gboolean           _tessera_session_has_password       (TesseraSession *self);
void               _tessera_session_count_connection   (TesseraSession *self);
void               _tessera_session_count_round_trip   (TesseraSession *self);
gboolean           _tessera_session_check_op           (TesseraSessionOp *op,
                                                        GError          **error);
/* Marks key @id as being worked on by an operation; FALSE when another one
 * already is. */
gboolean           _tessera_session_claim_key          (TesseraSession   *self,
                                                        const char       *id);
void               _tessera_session_release_key        (TesseraSession   *self,
                                                        const char       *id);
/* Emits "reconciled" with @notes in @op's main context. */
void               _tessera_session_emit_reconciled    (TesseraSession   *self,
                                                        TesseraSessionOp *op,
                                                        GPtrArray        *notes);
/* tessera-session-connections.c */
/* Closes and unrefs *@connection, and clears it. */
void               _tessera_session_drop_connection    (TesseraConnection **connection);
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
/* One request on the management connection (see the retry rules there). */
gpointer           _tessera_session_management_iq (TesseraSession     *self,
                                                   TesseraSessionOp   *op,
                                                   TesseraIqBuildFunc  build,
                                                   TesseraIqParseFunc  parse,
                                                   gpointer            user_data,
                                                   GError            **error);
/* Cached for the live management connection, else discovered. */
gboolean           _tessera_session_get_features  (TesseraSession    *self,
                                                   TesseraSessionOp  *op,
                                                   TesseraFeatures   *features,
                                                   GError           **error);
/* Of TesseraCertEntry: ccm2 list, else XEP-0257 items, else NOT_SUPPORTED. */
GPtrArray         *_tessera_session_fetch_entries (TesseraSession    *self,
                                                   TesseraSessionOp  *op,
                                                   TesseraFeatures    features,
                                                   GError           **error);
GPtrArray         *_tessera_session_fetch_xep0257_items (TesseraSession   *self,
                                                         TesseraSessionOp *op,
                                                         GError          **error);
/* Appends a step to the key's journal; @required: fail with the error,
 * else only say so (the server already acted). */
gboolean           _tessera_session_journal       (TesseraSession    *self,
                                                   const char        *id,
                                                   TesseraJournalStep step,
                                                   gboolean           required,
                                                   GError           **error);
TesseraFeatures    _tessera_session_discover_sync (TesseraSession   *self,
                                                   TesseraSessionOp *op,
                                                   GError          **error);
GListModel        *_tessera_session_list_sync     (TesseraSession   *self,
                                                   TesseraSessionOp *op,
                                                   GError          **error);
/* tessera-session-enroll.c */
TesseraKeyRecord  *_tessera_session_enroll_sync   (TesseraSession   *self,
                                                   TesseraSessionOp *op,
                                                   GError          **error);
/* Sends the stored request of @record (made first if missing), checks the
 * certificate that comes back and stores it. @record must be claimed
 * (_tessera_session_claim_key) by the caller. */
TesseraKeyRecord  *_tessera_session_submit        (TesseraSession   *self,
                                                   TesseraSessionOp *op,
                                                   TesseraKeyRecord *record,
                                                   TesseraKey       *key,
                                                   TesseraFeatures   features,
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
/* tessera-session-reconcile.c */
/* Finishes what an interrupted enroll or revoke left behind, with the
 * server when @with_server. Returns the notes for the user (translated
 * strings, maybe none), or NULL and an error. */
GPtrArray         *_tessera_session_reconcile_sync (TesseraSession   *self,
                                                    TesseraSessionOp *op,
                                                    gboolean          with_server,
                                                    GError          **error);
/* At the start of an operation: reconciles and tells the user what it did
 * (g_message and "reconciled"). Only a cancellation stops the operation;
 * anything else is left for the next time. */
gboolean           _tessera_session_reconcile_first (TesseraSession   *self,
                                                     TesseraSessionOp *op,
                                                     gboolean          with_server,
                                                     GError          **error);

G_END_DECLS
