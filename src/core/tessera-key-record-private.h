/* tessera-key-record-private.h: the fields of TesseraKeyRecord, filled in by the key store
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-key-store.h"

G_BEGIN_DECLS

struct _TesseraKeyRecord
{
  GObject             parent_instance;

  char               *id;
  char               *name;
  char               *protocol;
  GDateTime          *created;
  GBytes             *request_der;
  TesseraCertificate *certificate;
  char               *key_path;
  char               *certificate_path;
  TesseraKeyType      key_type;
  TesseraKeyState     state;
  gboolean            uses_user_passphrase;
  /* made for another device (meta.ini "device=other"): never this device */
  gboolean            other_device;
  char               *output_path;     /* where its file goes; NULL once given up */
  char               *output_format;   /* "pkcs12", "pkcs12-modern", "pem", "pem-plain" */
  char               *renewed_by;   /* key id of the key renewing this one, or NULL */
};

G_END_DECLS
