/* tessera-key-store.h: private keys, requests and certificates on disk
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "tessera-cert-protocol.h"
#include "tessera-certificate.h"
#include "tessera-crypto.h"
#include "tessera-journal.h"

G_BEGIN_DECLS

typedef enum {
  TESSERA_KEY_STATE_KEY_SAVED,
  TESSERA_KEY_STATE_REQUEST_PENDING,
  TESSERA_KEY_STATE_CERTIFIED,
  TESSERA_KEY_STATE_REVOKING,
} TesseraKeyState;

#define TESSERA_TYPE_KEY_STATE (tessera_key_state_get_type ())
GType       tessera_key_state_get_type    (void);
/* "key-saved", "request-pending", "certified", "revoking", as in meta.ini */
const char *tessera_key_state_to_string   (TesseraKeyState  state);
gboolean    tessera_key_state_from_string (const char      *text,
                                           TesseraKeyState *state);

/* Length of a key id: the first 16 hex digits of the public key id. */
#define TESSERA_KEY_ID_LEN 16

#define TESSERA_TYPE_KEY_RECORD (tessera_key_record_get_type ())
G_DECLARE_FINAL_TYPE (TesseraKeyRecord, tessera_key_record, TESSERA, KEY_RECORD, GObject)

/* An immutable snapshot of one key directory. */
const char         *tessera_key_record_get_id               (TesseraKeyRecord *self);
const char         *tessera_key_record_get_name             (TesseraKeyRecord *self);
const char         *tessera_key_record_get_protocol         (TesseraKeyRecord *self);
TesseraCertProtocol tessera_key_record_get_cert_protocol    (TesseraKeyRecord *self);
TesseraKeyType      tessera_key_record_get_key_type         (TesseraKeyRecord *self);
TesseraKeyState     tessera_key_record_get_state            (TesseraKeyRecord *self);
GDateTime          *tessera_key_record_get_created          (TesseraKeyRecord *self);
GBytes             *tessera_key_record_get_request_der      (TesseraKeyRecord *self);
TesseraCertificate *tessera_key_record_get_certificate      (TesseraKeyRecord *self);
const char         *tessera_key_record_get_key_path         (TesseraKeyRecord *self);
const char         *tessera_key_record_get_certificate_path (TesseraKeyRecord *self);
/* TRUE when the key is encrypted with a passphrase the user chose (no
 * Secret Service at the time): loading it needs that passphrase again. */
gboolean            tessera_key_record_get_uses_user_passphrase (TesseraKeyRecord *self);
/* The id of the key that renews this one while a renewal runs (or was
 * interrupted: tessera-renewal.c finishes it), else NULL. */
const char         *tessera_key_record_get_renewed_by       (TesseraKeyRecord *self);
/* Whether the record's certificate expires within @days from now, or has
 * expired (FALSE without a certificate): for `renew --if-expiring` and the
 * window's renewal banner. */
#define TESSERA_RENEW_BEFORE_DAYS 30
gboolean            tessera_key_record_expires_within       (TesseraKeyRecord *self,
                                                             guint             days);
/* Whether the key still waits for its certificate (KEY_SAVED or
 * REQUEST_PENDING). */
gboolean            tessera_key_record_is_pending           (TesseraKeyRecord *self);
/* Whether the key was made for another device (enroll --other-device): it
 * lives here only until its file is written, and is never "this device". */
gboolean            tessera_key_record_is_other_device      (TesseraKeyRecord *self);
/* For another device's key: the file it goes to, and its format
 * ("pkcs12", "pkcs12-modern", "pem", "pem-plain"); NULL when it was never
 * set or the file was given up (the key is then only kept here). */
const char         *tessera_key_record_get_output_path      (TesseraKeyRecord *self);
const char         *tessera_key_record_get_output_format    (TesseraKeyRecord *self);

#define TESSERA_TYPE_KEY_STORE (tessera_key_store_get_type ())
G_DECLARE_FINAL_TYPE (TesseraKeyStore, tessera_key_store, TESSERA, KEY_STORE, GObject)

/* Layout: <base_dir>/<escaped bare JID>/<key id>/{key.pem, request.der,
 * certificate.pem, meta.ini, journal}; directories 0700, files 0600, every
 * file replaced atomically and durably. @base_dir NULL means
 * $XDG_DATA_HOME/tessera. Methods block: call them off the main thread. */
TesseraKeyStore  *tessera_key_store_new                  (const char          *bare_jid,
                                                          const char          *base_dir);
const char       *tessera_key_store_get_jid              (TesseraKeyStore     *self);
/* The account's directory (it may not exist yet). */
const char       *tessera_key_store_get_dir              (TesseraKeyStore     *self);

/* Encrypts with a fresh random passphrase kept in the Secret Service, or
 * with @user_passphrase when given. The passphrase is stored before the key
 * file is written. No Secret Service and no @user_passphrase:
 * TESSERA_STORE_ERROR_NO_SECRET_SERVICE and nothing is written. */
TesseraKeyRecord *tessera_key_store_save_key             (TesseraKeyStore     *self,
                                                          TesseraKey          *key,
                                                          const char          *name,
                                                          const char          *protocol,
                                                          const char          *user_passphrase,
                                                          GError             **error);
/* tessera_key_store_save_key() for another device's key: meta.ini also
 * says "device=other" and where its file goes (@output_path, absolute, and
 * @output_format as tessera_key_record_get_output_format() gives it), in
 * the same atomic write, so that a crash leaves no key that could pass for
 * this device's. */
TesseraKeyRecord *tessera_key_store_save_other_device_key (TesseraKeyStore     *self,
                                                          TesseraKey          *key,
                                                          const char          *name,
                                                          const char          *protocol,
                                                          const char          *user_passphrase,
                                                          const char          *output_path,
                                                          const char          *output_format,
                                                          GError             **error);
/* Forgets where another device's file goes (its writing failed for good):
 * the key stays, kept on this device, still never this device. */
TesseraKeyRecord *tessera_key_store_give_up_output       (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          GError             **error);
/* The id tessera_key_store_save_key() will give @key; NULL when it has none. */
char             *tessera_key_store_id_for_key           (TesseraKey          *key);
/* The CSR's public key must be the record's key (TESSERA_CRYPTO_ERROR_KEY_MISMATCH). */
TesseraKeyRecord *tessera_key_store_save_request         (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          GBytes              *csr_der,
                                                          GError             **error);
/* The certificate's public key must be the record's key (KEY_MISMATCH). */
TesseraKeyRecord *tessera_key_store_save_certificate     (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          TesseraCertificate  *cert,
                                                          GError             **error);
TesseraKeyRecord *tessera_key_store_set_state            (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          TesseraKeyState      state,
                                                          GError             **error);
/* Marks key @id as being renewed by key @new_id (not saved yet, maybe),
 * in meta.ini, with RENEWAL_STARTED in its journal; @new_id NULL clears
 * the mark (RENEWAL_ENDED). */
gboolean          tessera_key_store_set_renewed_by       (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          const char          *new_id,
                                                          GError             **error);
/* @user_passphrase is needed only for keys saved with one
 * (TESSERA_STORE_ERROR_PASSPHRASE_REQUIRED otherwise); a wrong one gives
 * TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE. */
TesseraKey       *tessera_key_store_load_key             (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          const char          *user_passphrase,
                                                          GError             **error);
/* The same for a record read a moment ago (no second read of its folder). */
TesseraKey       *tessera_key_store_load_record_key      (TesseraKeyStore     *self,
                                                          TesseraKeyRecord    *record,
                                                          const char          *user_passphrase,
                                                          GError             **error);
/* The passphrase of key.pem (for libstrophe's password callback), checked
 * against the key. Free it with tessera_secret_free(). */
char             *tessera_key_store_dup_key_passphrase   (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          const char          *user_passphrase,
                                                          GError             **error);
/* Moves the passphrase of a key saved with @user_passphrase (no keyring at
 * the time) into the Secret Service, then marks the key "keyring" in its
 * meta.ini, so later runs need no passphrase. @user_passphrase is checked
 * against the key first (TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE). A key that
 * already uses the keyring is left alone (TRUE). No Secret Service:
 * TESSERA_STORE_ERROR_NO_SECRET_SERVICE and nothing changes. */
gboolean          tessera_key_store_remember_passphrase  (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          const char          *user_passphrase,
                                                          GError             **error);
GPtrArray        *tessera_key_store_list                 (TesseraKeyStore     *self,
                                                          GError             **error);
TesseraKeyRecord *tessera_key_store_lookup               (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          GError             **error);
/* The newest CERTIFIED record whose certificate is valid now ("this
 * device"), another device's key excepted; NULL and TESSERA_STORE_ERROR_NOT_FOUND when there is none. */
TesseraKeyRecord *tessera_key_store_get_device_record    (TesseraKeyStore     *self,
                                                          GError             **error);
/* The same picked from records of tessera_key_store_list(): NULL when none. */
TesseraKeyRecord *tessera_key_store_pick_device_record   (GPtrArray           *records);
/* The certificate this device holds, to show and to renew: the device
 * record, else the newest CERTIFIED one of this device that is not valid
 * now (expired); never another device's key. NULL when none. */
TesseraKeyRecord *tessera_key_store_pick_held_record     (GPtrArray           *records);
TesseraKeyRecord *tessera_key_store_find_by_fingerprint  (TesseraKeyStore     *self,
                                                          const char          *fingerprint_hex);
/* The same in records of tessera_key_store_list(): one read for many look-ups. */
TesseraKeyRecord *tessera_key_store_find_in_records      (GPtrArray           *records,
                                                          const char          *fingerprint_hex);
gboolean          tessera_key_store_delete               (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          GError             **error);
/* Appends @step to the key's journal (see tessera-journal.h). */
gboolean          tessera_key_store_journal_append       (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          TesseraJournalStep   step,
                                                          GError             **error);
/* tessera_key_store_journal_append(), with a failure only logged: for a
 * step that already happened. */
void              tessera_key_store_journal_note         (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          TesseraJournalStep   step);
/* One line per step: "<ISO 8601 UTC time> <step>". Never NULL on success. */
char            **tessera_key_store_read_journal         (TesseraKeyStore     *self,
                                                          const char          *id,
                                                          GError             **error);

/* The directory name used for @bare_jid: lowercase letters, digits and
 * ".-_@" stay, everything else is %XX-escaped; never "." or "..". */
char             *tessera_key_store_escape_jid           (const char          *bare_jid);

G_END_DECLS
