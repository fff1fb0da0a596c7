/* tessera-enrollment-private.h: what the session gives an enrollment to talk to the server
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-enrollment.h"
#include "tessera-key-claims.h"
#include "tessera-operation.h"
#include "tessera-reconciler.h"
#include "tessera-xmpp-link.h"

G_BEGIN_DECLS

/* The server side of an account, borrowed for a call or kept by an
 * enrollment (references taken). */
typedef struct
{
  TesseraXmppLink   *link;
  TesseraKeyClaims  *claims;
  TesseraReconciler *reconciler;
  guint              timeout;      /* seconds per operation */
  const char        *key_passphrase;  /* the user's, nullable */
  TesseraNotesFunc   notes_func;   /* nullable; data: the session */
  gpointer           notes_data;
} TesseraEnrollmentServer;

/* Lets run_async() use the server; called by tessera_session_new_enrollment(). */
void              _tessera_enrollment_set_server (TesseraEnrollment             *self,
                                                  const TesseraEnrollmentServer *server);
/* The blocking body of run_async(), on an operation's thread. */
TesseraKeyRecord *_tessera_enrollment_run        (TesseraEnrollment  *self,
                                                  TesseraOperation   *op,
                                                  GError            **error);
/* Sends the stored request of key @key_id (no certificate yet), checks and
 * stores the certificate: an enrollment that stopped at SAVED, finished. */
TesseraKeyRecord *_tessera_enrollment_upload_key (const TesseraEnrollmentServer  *server,
                                                  TesseraKeyStore                *store,
                                                  TesseraOperation               *op,
                                                  const char                     *key_id,
                                                  GError                        **error);

G_END_DECLS
