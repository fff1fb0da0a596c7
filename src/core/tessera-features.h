/* tessera-features.h: certificate-management features a server advertises
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Header-only on purpose: the UI and the CLI see the flags without pulling
 * in <strophe.h> through tessera-protocol.h. */
typedef enum {
  TESSERA_FEATURE_NONE    = 0,
  TESSERA_FEATURE_ADD     = 1 << 0, /* urn:xmpp:ccm2:add-cert:0 */
  TESSERA_FEATURE_LIST    = 1 << 1, /* urn:xmpp:ccm2:list-certs:0 */
  TESSERA_FEATURE_REVOKE  = 1 << 2, /* urn:xmpp:ccm2:revoke-cert:0 */
  TESSERA_FEATURE_XEP0257 = 1 << 3, /* urn:xmpp:saslcert:1 */
} TesseraFeatures;

#define TESSERA_FEATURES_CCM2 (TESSERA_FEATURE_ADD | TESSERA_FEATURE_LIST | TESSERA_FEATURE_REVOKE)

/* For logs and the CLI: "add, list, revoke, xep0257", or "none".
 * Untranslated protocol names; free with g_free(). */
static inline char *
tessera_features_to_string (TesseraFeatures features)
{
  static const struct {
    TesseraFeatures flag;
    const char     *name;
  } names[] = {
    { TESSERA_FEATURE_ADD, "add" },
    { TESSERA_FEATURE_LIST, "list" },
    { TESSERA_FEATURE_REVOKE, "revoke" },
    { TESSERA_FEATURE_XEP0257, "xep0257" },
  };
  GString *str = g_string_new (NULL);
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if ((features & names[i].flag) == 0)
        continue;
      if (str->len > 0)
        g_string_append (str, ", ");
      g_string_append (str, names[i].name);
    }
  if (str->len == 0)
    g_string_append (str, "none");

  return g_string_free (str, FALSE);
}

G_END_DECLS
