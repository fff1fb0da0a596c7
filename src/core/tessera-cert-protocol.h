/* tessera-cert-protocol.h: the two ways a server manages client certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "tessera-features.h"

G_BEGIN_DECLS

typedef enum {
  TESSERA_CERT_PROTOCOL_NONE = 0,
  TESSERA_CERT_PROTOCOL_CCM2,     /* "ccm2": the server signs a CSR */
  TESSERA_CERT_PROTOCOL_XEP0257,  /* "xep0257": we append a self-signed certificate */
} TesseraCertProtocol;

/* PROTOCOL.md §2: a device name (the certificate's name on the server) has
 * 1 to 64 characters after trimming. tessera_enrollment_check_name() is the
 * rule users meet; tessera_protocol_normalize_name() guards the stanza. */
#define TESSERA_DEVICE_NAME_MAX_CHARS 64

/* The first character of @name (valid UTF-8) that a device name must not
 * hold, or 0: control, format (bidi overrides, zero-width characters) and
 * line or paragraph separators, which could make one listed name look like
 * another (PROTOCOL.md §2). */
gunichar             tessera_device_name_find_hidden_char (const char *name);

/* "ccm2", "xep0257" (meta.ini, list entries, JSON); NULL for NONE. */
const char          *tessera_cert_protocol_to_string    (TesseraCertProtocol  protocol);
/* NONE for anything else (NULL too). */
TesseraCertProtocol  tessera_cert_protocol_from_string  (const char          *text);
/* How to add a certificate to a server offering @features: ccm2 when it
 * can, XEP-0257 else, NONE when neither. */
TesseraCertProtocol  tessera_cert_protocol_for_features (TesseraFeatures      features);

G_END_DECLS
