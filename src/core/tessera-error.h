/* tessera-error.h: error domains of the core library
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every core module has its own domain; codes start at 1. User-visible
 * messages are translated and read "what failed: why". */

#define TESSERA_JID_ERROR (tessera_jid_error_quark ())
typedef enum {
  TESSERA_JID_ERROR_EMPTY = 1,
  TESSERA_JID_ERROR_TOO_LONG,
  TESSERA_JID_ERROR_INVALID_CHARACTER,
  TESSERA_JID_ERROR_MALFORMED,
  TESSERA_JID_ERROR_RESOURCE_NOT_ALLOWED,
} TesseraJidError;

#define TESSERA_CRYPTO_ERROR (tessera_crypto_error_quark ())
typedef enum {
  TESSERA_CRYPTO_ERROR_FAILED = 1,
  TESSERA_CRYPTO_ERROR_UNSUPPORTED_KEY_TYPE,
  TESSERA_CRYPTO_ERROR_INVALID_DATA,        /* not DER/PEM, not a certificate, not a key */
  TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE,
  TESSERA_CRYPTO_ERROR_BAD_SIGNATURE,       /* CSR or certificate self-signature */
  TESSERA_CRYPTO_ERROR_INVALID_FINGERPRINT,
  TESSERA_CRYPTO_ERROR_KEY_MISMATCH,        /* certificate for another key */
  TESSERA_CRYPTO_ERROR_WRONG_IDENTITY,      /* xmppAddr missing, several, or another JID */
  TESSERA_CRYPTO_ERROR_IS_CA,
  TESSERA_CRYPTO_ERROR_NOT_VALID_NOW,       /* expired or not yet valid */
} TesseraCryptoError;

#define TESSERA_STORE_ERROR (tessera_store_error_quark ())
typedef enum {
  TESSERA_STORE_ERROR_FAILED = 1,
  TESSERA_STORE_ERROR_IO,                   /* write, fsync, rename failed; old state intact */
  TESSERA_STORE_ERROR_NOT_FOUND,
  TESSERA_STORE_ERROR_CORRUPT,
  TESSERA_STORE_ERROR_PERMISSIONS,          /* a file or directory is readable by others */
  TESSERA_STORE_ERROR_NO_SECRET_SERVICE,    /* caller must supply a passphrase */
  TESSERA_STORE_ERROR_SECRET_MISSING,       /* the keyring item is gone or locked */
  TESSERA_STORE_ERROR_PASSPHRASE_REQUIRED,
  TESSERA_STORE_ERROR_BUSY,                 /* another process works on the account (tessera-account-lock.h) */
  TESSERA_STORE_ERROR_DEVICE_ENROLLED,      /* this device holds a valid certificate already: one per device */
} TesseraStoreError;

#define TESSERA_XMPP_ERROR (tessera_xmpp_error_quark ())
typedef enum {
  TESSERA_XMPP_ERROR_FAILED = 1,
  TESSERA_XMPP_ERROR_CONNECTION_FAILED,     /* DNS, TCP, connection dropped */
  TESSERA_XMPP_ERROR_TLS_NOT_OFFERED,
  TESSERA_XMPP_ERROR_TLS_CERTIFICATE,       /* server certificate not trusted / wrong name / expired */
  TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED, /* wrong password, certificate refused */
  TESSERA_XMPP_ERROR_EXTERNAL_NOT_OFFERED,
  TESSERA_XMPP_ERROR_TIMEOUT,
  TESSERA_XMPP_ERROR_NOT_SUPPORTED,         /* the server does not advertise the feature */
  TESSERA_XMPP_ERROR_MALFORMED_REPLY,
  TESSERA_XMPP_ERROR_STREAM_ERROR,
  TESSERA_XMPP_ERROR_CERTIFICATE_REJECTED,  /* the issued certificate failed PROTOCOL.md §2 checks */
  TESSERA_XMPP_ERROR_NOT_FOUND,             /* e.g. fingerprint not in the list before revoking */
  TESSERA_XMPP_ERROR_REVOKE_UNCONFIRMED,    /* the server said "revoked" but still lists it */
} TesseraXmppError;

/* One code per RFC 6120 §8.3.3 condition. The error type (auth, cancel,
 * continue, modify, wait) travels in the extended error data; see
 * tessera_stanza_error_get_type_name(). */
#define TESSERA_STANZA_ERROR (tessera_stanza_error_quark ())
typedef enum {
  TESSERA_STANZA_ERROR_BAD_REQUEST = 1,
  TESSERA_STANZA_ERROR_CONFLICT,
  TESSERA_STANZA_ERROR_FEATURE_NOT_IMPLEMENTED,
  TESSERA_STANZA_ERROR_FORBIDDEN,
  TESSERA_STANZA_ERROR_GONE,
  TESSERA_STANZA_ERROR_INTERNAL_SERVER_ERROR,
  TESSERA_STANZA_ERROR_ITEM_NOT_FOUND,
  TESSERA_STANZA_ERROR_JID_MALFORMED,
  TESSERA_STANZA_ERROR_NOT_ACCEPTABLE,
  TESSERA_STANZA_ERROR_NOT_ALLOWED,
  TESSERA_STANZA_ERROR_NOT_AUTHORIZED,
  TESSERA_STANZA_ERROR_POLICY_VIOLATION,
  TESSERA_STANZA_ERROR_RECIPIENT_UNAVAILABLE,
  TESSERA_STANZA_ERROR_REDIRECT,
  TESSERA_STANZA_ERROR_REGISTRATION_REQUIRED,
  TESSERA_STANZA_ERROR_REMOTE_SERVER_NOT_FOUND,
  TESSERA_STANZA_ERROR_REMOTE_SERVER_TIMEOUT,
  TESSERA_STANZA_ERROR_RESOURCE_CONSTRAINT,
  TESSERA_STANZA_ERROR_SERVICE_UNAVAILABLE,
  TESSERA_STANZA_ERROR_SUBSCRIPTION_REQUIRED,
  TESSERA_STANZA_ERROR_UNDEFINED_CONDITION,
  TESSERA_STANZA_ERROR_UNEXPECTED_REQUEST,
} TesseraStanzaErrorCondition;

typedef enum {
  TESSERA_STANZA_ERROR_TYPE_UNKNOWN = 0,
  TESSERA_STANZA_ERROR_TYPE_AUTH,
  TESSERA_STANZA_ERROR_TYPE_CANCEL,
  TESSERA_STANZA_ERROR_TYPE_CONTINUE,
  TESSERA_STANZA_ERROR_TYPE_MODIFY,
  TESSERA_STANZA_ERROR_TYPE_WAIT,
} TesseraStanzaErrorType;

GQuark tessera_jid_error_quark    (void);
GQuark tessera_crypto_error_quark (void);
GQuark tessera_store_error_quark  (void);
GQuark tessera_xmpp_error_quark   (void);
GQuark tessera_stanza_error_quark (void);

/* Builds a stanza error with its translated message. @text is the server's
 * optional <text/>, shown after the message; never NULL-terminated junk. */
GError                 *tessera_stanza_error_new              (TesseraStanzaErrorCondition  condition,
                                                               TesseraStanzaErrorType       type,
                                                               const char                  *text);
TesseraStanzaErrorType  tessera_stanza_error_get_error_type   (const GError                *error);
const char             *tessera_stanza_error_condition_to_string (TesseraStanzaErrorCondition condition);
gboolean                tessera_stanza_error_condition_from_string (const char                   *name,
                                                                    TesseraStanzaErrorCondition  *condition);
const char             *tessera_stanza_error_type_to_string   (TesseraStanzaErrorType       type);
TesseraStanzaErrorType  tessera_stanza_error_type_from_string (const char                  *name);

G_END_DECLS
