/* bench-reply.c: a list reply's text to the list model, as the session does it
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-bench"

#include "bench-reply.h"
#include "tessera-core.h"
#include "tessera-protocol.h"

GListModel *
bench_reply_build_model (xmpp_ctx_t  *ctx,
                         const char  *xml,
                         guint       *unreadable,
                         GError     **error)
{
  xmpp_stanza_t *stanza = tessera_protocol_stanza_from_string (ctx, xml);
  g_autoptr(GPtrArray) entries = NULL;
  GListStore *store;

  if (stanza == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the reply is not one XML element");
      return NULL;
    }
  entries = tessera_protocol_parse_list (stanza, error);
  xmpp_stanza_release (stanza);
  if (entries == NULL)
    return NULL;

  if (unreadable != NULL)
    {
      *unreadable = 0;
      for (guint i = 0; i < entries->len; i++)
        if (tessera_cert_entry_get_certificate (g_ptr_array_index (entries, i)) == NULL)
          (*unreadable)++;
    }

  store = g_list_store_new (TESSERA_TYPE_CERT_ENTRY);
  g_list_store_splice (store, 0, 0, entries->pdata, entries->len);
  return G_LIST_MODEL (store);
}
