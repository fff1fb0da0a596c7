/* tessera-key-claims.c: which keys an operation of this account is working on right now
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tessera-key-claims.h"

struct _TesseraKeyClaims
{
  GObject     parent_instance;

  GMutex      mutex;
  GHashTable *busy;   /* under mutex: key ids */
};

G_DEFINE_FINAL_TYPE (TesseraKeyClaims, tessera_key_claims, G_TYPE_OBJECT)

static void
tessera_key_claims_finalize (GObject *object)
{
  TesseraKeyClaims *self = TESSERA_KEY_CLAIMS (object);

  g_clear_pointer (&self->busy, g_hash_table_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (tessera_key_claims_parent_class)->finalize (object);
}

static void
tessera_key_claims_class_init (TesseraKeyClaimsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tessera_key_claims_finalize;
}

static void
tessera_key_claims_init (TesseraKeyClaims *self)
{
  g_mutex_init (&self->mutex);
  self->busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

TesseraKeyClaims *
tessera_key_claims_new (void)
{
  return g_object_new (TESSERA_TYPE_KEY_CLAIMS, NULL);
}

gboolean
tessera_key_claims_claim (TesseraKeyClaims *self,
                          const char       *id)
{
  gboolean claimed;

  g_return_val_if_fail (TESSERA_IS_KEY_CLAIMS (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  claimed = !g_hash_table_contains (self->busy, id);
  if (claimed)
    g_hash_table_add (self->busy, g_strdup (id));
  g_mutex_unlock (&self->mutex);

  return claimed;
}

void
tessera_key_claims_release (TesseraKeyClaims *self,
                            const char       *id)
{
  g_return_if_fail (TESSERA_IS_KEY_CLAIMS (self));

  g_mutex_lock (&self->mutex);
  g_hash_table_remove (self->busy, id);
  g_mutex_unlock (&self->mutex);
}
