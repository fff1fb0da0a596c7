/* tessera-key-passphrase.h: a passphrase the user chooses for a key when no keyring is available
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-core.h"

G_BEGIN_DECLS

/* Below this length a passphrase is refused. */
#define TESSERA_KEY_PASSPHRASE_MIN_LENGTH 8

typedef enum {
  TESSERA_PASSPHRASE_EMPTY,
  TESSERA_PASSPHRASE_TOO_SHORT,
  TESSERA_PASSPHRASE_WEAK,
  TESSERA_PASSPHRASE_FAIR,
  TESSERA_PASSPHRASE_STRONG,
} TesseraPassphraseStrength;

TesseraPassphraseStrength tessera_passphrase_strength (const char *passphrase);

#define TESSERA_TYPE_KEY_PASSPHRASE (tessera_key_passphrase_get_type ())

G_DECLARE_FINAL_TYPE (TesseraKeyPassphrase, tessera_key_passphrase, TESSERA, KEY_PASSPHRASE, GObject)

TesseraKeyPassphrase *tessera_key_passphrase_new          (void);
gboolean              tessera_key_passphrase_get_needed   (TesseraKeyPassphrase *self);
gboolean              tessera_key_passphrase_get_acceptable (TesseraKeyPassphrase *self);
char                 *tessera_key_passphrase_dup          (TesseraKeyPassphrase *self);
void                  tessera_key_passphrase_clear        (TesseraKeyPassphrase *self);
void                  tessera_key_passphrase_probe        (TesseraKeyPassphrase *self);


G_END_DECLS
