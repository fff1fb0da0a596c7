/* tessera-format.h: human-readable times, expiry states and feature lists
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "tessera-core.h"

G_BEGIN_DECLS

/* A certificate is flagged as expiring this many days before its end. */
#define TESSERA_EXPIRY_WARNING_DAYS 14

typedef enum {
  TESSERA_EXPIRY_UNKNOWN,
  TESSERA_EXPIRY_VALID,
  TESSERA_EXPIRY_SOON,
  TESSERA_EXPIRY_EXPIRED,
} TesseraExpiryState;

char               *tessera_format_relative_time (GDateTime       *when,
                                                  GDateTime       *now);
char               *tessera_format_exact_time    (GDateTime       *when);
char               *tessera_format_date          (GDateTime       *when);
TesseraExpiryState  tessera_format_expiry_state  (GDateTime       *not_after,
                                                  GDateTime       *now);
char               *tessera_format_expiry        (GDateTime       *not_after,
                                                  GDateTime       *now);
char               *tessera_format_users         (const char * const *users);
char               *tessera_format_fingerprint_lines (const char  *fingerprint);
char               *tessera_format_error_fingerprint (const GError *error);
char               *tessera_format_certificate_error (const GError *error,
                                                      const char   *pinned);
GStrv               tessera_format_key_type_labels (void);
char               *tessera_format_default_device_name (void);
TesseraKeyType      tessera_format_key_type_at   (guint            position);

G_END_DECLS
