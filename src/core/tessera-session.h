/* tessera-session.h: certificate management over XMPP for one account
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-account.h"
#include "tessera-crypto.h"
#include "tessera-enrollment.h"
#include "tessera-features.h"
#include "tessera-key-store.h"

G_BEGIN_DECLS

/* One object per account. Every operation is asynchronous: it runs on a
 * worker thread, talks to the server through a connection worker of its
 * own (libstrophe is not thread-safe), and calls back in the thread-default
 * main context of the caller. Each operation has a deadline (30 s unless
 * tessera_session_set_timeout() says otherwise) and can be cancelled; a
 * timeout is TESSERA_XMPP_ERROR_TIMEOUT and changes no local state.
 *
 * The management connection (password login) is opened on first use and
 * reused while it lives; tessera_session_close() drops it. A certificate
 * login always opens a fresh connection that carries no password. */

#define TESSERA_SESSION_DEFAULT_TIMEOUT 30

#define TESSERA_TYPE_SESSION (tessera_session_get_type ())
G_DECLARE_FINAL_TYPE (TesseraSession, tessera_session, TESSERA, SESSION, GObject)

TesseraSession  *tessera_session_new             (TesseraAccount       *account,
                                                  TesseraKeyStore      *store);

/* The password of the management login. Unset, the Secret Service entry of
 * the account (tessera_secret_lookup_password) is used. */
void             tessera_session_set_password    (TesseraSession       *self,
                                                  const char           *password);
/* Seconds per operation; 0 restores the default. */
void             tessera_session_set_timeout     (TesseraSession       *self,
                                                  guint                 seconds);
guint            tessera_session_get_timeout     (TesseraSession       *self);
TesseraAccount  *tessera_session_get_account     (TesseraSession       *self);
TesseraKeyStore *tessera_session_get_key_store   (TesseraSession       *self);

/* Disco#info to the domain, then to the bare JID when the domain advertises
 * no certificate management. 0 + error on failure. */
void             tessera_session_discover_async  (TesseraSession       *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
TesseraFeatures  tessera_session_discover_finish (TesseraSession       *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* A GListStore of TesseraCertEntry (ccm2 list, or XEP-0257 items with
 * last-used UNKNOWN). */
void             tessera_session_list_async      (TesseraSession       *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GListModel      *tessera_session_list_finish     (TesseraSession       *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Generates a key, saves it durably, saves the CSR, then sends it (ccm2
 * add, or an XEP-0257 append of a self-signed certificate under a name
 * unique on the server), checks the issued certificate and stores it.
 * @user_passphrase (nullable) encrypts the key when there is no Secret
 * Service. On failure after the key was saved, the key and the CSR stay
 * for tessera_session_upload_async(). */
void              tessera_session_enroll_async   (TesseraSession       *self,
                                                  const char           *name,
                                                  TesseraKeyType        key_type,
                                                  const char           *user_passphrase,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
TesseraKeyRecord *tessera_session_enroll_finish  (TesseraSession       *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* An enrollment of a new key with this session's server, for
 * tessera_enrollment_run_async() (its "step" can drive a UI). The key
 * passphrase set with tessera_session_set_key_passphrase() goes along. */
TesseraEnrollment *tessera_session_new_enrollment (TesseraSession       *self,
                                                   const char           *name,
                                                   TesseraKeyType        key_type);

/* Sends the stored request of a key that has no certificate yet (the same
 * CSR as before), then checks and stores the result like enroll. */
void              tessera_session_upload_async   (TesseraSession       *self,
                                                  const char           *key_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
TesseraKeyRecord *tessera_session_upload_finish  (TesseraSession       *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Re-lists, finds exactly @fingerprint (any case, ':' allowed;
 * TESSERA_XMPP_ERROR_NOT_FOUND and nothing sent otherwise), revokes it, and
 * after the server confirmed deletes the local key that held it. */
void              tessera_session_revoke_async   (TesseraSession       *self,
                                                  const char           *fingerprint,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean          tessera_session_revoke_finish  (TesseraSession       *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* The same, deciding from @listed (what tessera_session_list_finish() gave,
 * at @listed_at, g_get_monotonic_time ()) instead of listing again, when it
 * is at most 10 s old (PROTOCOL.md §4: the list is re-read right before). */
void              tessera_session_revoke_listed_async  (TesseraSession       *self,
                                                        const char           *fingerprint,
                                                        GListModel           *listed,
                                                        gint64                listed_at,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean          tessera_session_revoke_listed_finish (TesseraSession       *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* Renews this device's certificate (@fingerprint NULL) or the stored one
 * with @fingerprint (full; any case, ':' allowed): a new key of the same
 * type, its certificate under the same name, a login with it, then the old
 * one is revoked and its key deleted; the new one is this device's. Works
 * without a password (over the old and the new certificate's sessions,
 * PROTOCOL.md §8); an expired certificate needs the password. A renewal a
 * crash interrupted is finished by the next operation of any kind (see
 * tessera-renewal.h). The finish function gives both fingerprints. */
void              tessera_session_renew_async    (TesseraSession       *self,
                                                  const char           *fingerprint,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean          tessera_session_renew_finish   (TesseraSession       *self,
                                                  GAsyncResult         *result,
                                                  char                **old_fingerprint,
                                                  char                **new_fingerprint,
                                                  GError              **error);

/* Logs in on a fresh connection with SASL EXTERNAL and this device's
 * certificate (tessera_key_store_get_device_record); returns the full JID
 * the server bound. The connection is closed again. */
void              tessera_session_login_async    (TesseraSession       *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char             *tessera_session_login_finish   (TesseraSession       *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Drops the reused management connection (and a held login, see below). */
void              tessera_session_close          (TesseraSession       *self);

/* ---- additions to the contract ---------------------------------------- */

typedef enum {
  TESSERA_LOGIN_FLAGS_NONE           = 0,
  /* Keep the certificate session open after the login until
   * tessera_session_logout(); "login-closed" tells when the server ends it
   * (a revoked certificate: STREAM_ERROR, <reset/>). */
  TESSERA_LOGIN_FLAGS_STAY_CONNECTED = 1 << 0,
} TesseraLoginFlags;

/* Like tessera_session_login_async(), with explicit credentials when
 * @certificate_path is not NULL (PEM certificate, PEM PKCS #8 key and its
 * passphrase, nullable for a plain key) instead of this device's record.
 * Finish with tessera_session_login_finish(). */
void              tessera_session_login_full_async (TesseraSession     *self,
                                                    TesseraLoginFlags   flags,
                                                    const char         *certificate_path,
                                                    const char         *key_path,
                                                    const char         *key_passphrase,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
/* TRUE while a login held by TESSERA_LOGIN_FLAGS_STAY_CONNECTED is open. */
gboolean          tessera_session_is_logged_in   (TesseraSession       *self);
/* Closes a held login; "login-closed" is emitted with a NULL error. */
void              tessera_session_logout         (TesseraSession       *self);

/* Passphrase of a key saved with a user passphrase (no Secret Service),
 * for later logins and uploads. Kept in memory only. */
void              tessera_session_set_key_passphrase (TesseraSession   *self,
                                                      const char       *passphrase);

/* Since the session was made: TCP connections opened and iq round trips
 * (each attempt counts, retries too). Either pointer may be NULL. */
void              tessera_session_get_stats      (TesseraSession       *self,
                                                  guint                *connections,
                                                  guint                *round_trips);

/* Features found by the last successful discovery (cached until the
 * management connection ends); 0 when none is known. */
TesseraFeatures   tessera_session_get_features   (TesseraSession       *self);

/* Finishes what an operation interrupted by a crash (or a kill, or a power
 * cut) left on this device, using the key's journal and the server's list:
 * a request that was sent but whose certificate never got stored is sent
 * again (the server answers with the same certificate) and the certificate
 * stored; a key left "revoking" is deleted when the server no longer lists
 * its certificate, else it goes back to "certified"; a certificate saved
 * without its state is marked certified; a folder left by a confirmed
 * revocation is removed. A key whose request never left stays as it is,
 * for tessera_session_upload_async().
 *
 * This runs by itself at the start of enroll, list, revoke and login (login
 * uses the server only when a password was set with
 * tessera_session_set_password()); each time it did something, the session
 * emits "reconciled" with what to tell the user, and logs it with
 * g_message(). The finish function returns the same notes, a
 * NULL-terminated array, empty when there was nothing to do. */
void              tessera_session_reconcile_async  (TesseraSession     *self,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
char            **tessera_session_reconcile_finish (TesseraSession     *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);
/* Whether the request of key @key_id may have reached the server with no
 * answer settling it (its journal says so). Such a key must not be
 * deleted: the next operation's reconciliation sends the same request
 * again and stores the certificate. Reads a small local file. */
gboolean          tessera_session_request_was_sent (TesseraSession     *self,
                                                    const char         *key_id);

G_END_DECLS
