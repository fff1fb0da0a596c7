/* tessera-window-refresh.c: loading the window's certificate list from the server
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include "tessera-tasks.h"
#include "tessera-window-private.h"

/* No user-visible text here: the pages are filled in tessera-window.c.
 *
 * A refresh asks the server what it supports, lists the certificates, then
 * checks the key store for the ones whose key lives on this device. Each
 * step is async and carries a TesseraWindowOp, so that a step finishing
 * after an account switch changes nothing. */

static void refresh_failed (TesseraWindow *self,
                            GError        *error);

static gboolean
is_connection_error (const GError *error)
{
  if (error->domain != TESSERA_XMPP_ERROR)
    return FALSE;

  switch (error->code)
    {
    case TESSERA_XMPP_ERROR_CONNECTION_FAILED:
    case TESSERA_XMPP_ERROR_TLS_NOT_OFFERED:
    case TESSERA_XMPP_ERROR_TLS_CERTIFICATE:
    case TESSERA_XMPP_ERROR_TIMEOUT:
    case TESSERA_XMPP_ERROR_STREAM_ERROR:
      return TRUE;

    default:
      return FALSE;
    }
}

static void
end_refresh (TesseraWindow *self)
{
  self->refreshing = FALSE;
  _tessera_window_update_actions (self);

  /* Asked for while this one ran (e.g. after an upload): the list may
   * already be out of date. */
  if (self->refresh_queued)
    {
      self->refresh_queued = FALSE;
      tessera_window_refresh (self);
    }
}

static void
show_list (TesseraWindow  *self,
           GListModel     *entries,
           TesseraKeyScan *scan)
{
  g_autofree char *select = g_steal_pointer (&self->select_fingerprint);
  TesseraCertEntry *previous = tessera_cert_list_get_selected (self->cert_list);
  g_autofree char *previous_fingerprint = NULL;

  if (select == NULL && previous != NULL)
    previous_fingerprint = g_strdup (tessera_cert_entry_get_fingerprint (previous));

  g_set_object (&self->pending, scan->pending);
  tessera_cert_list_set_device_fingerprints (self->cert_list, (const char * const *) scan->device_fingerprints);
  tessera_cert_list_set_model (self->cert_list, entries);

  if (select != NULL)
    tessera_cert_list_select_fingerprint (self->cert_list, select);
  else if (previous_fingerprint != NULL)
    tessera_cert_list_select_fingerprint (self->cert_list, previous_fingerprint);
  _tessera_window_update_details (self);

  _tessera_window_show_page (self, g_list_model_get_n_items (entries) > 0 ? "list" : "empty");
}

static void
scanned_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TesseraWindowOp) op = user_data;
  TesseraWindow *self = op->window;
  g_autoptr(TesseraKeyScan) scan = NULL;
  g_autoptr(GListModel) entries = NULL;
  GError *error = NULL;

  scan = tessera_task_scan_keys_finish (result, &error);
  if (_tessera_window_op_is_stale (op))
    {
      g_clear_error (&error);
      return;
    }

  entries = g_steal_pointer (&self->incoming);
  if (scan == NULL)
    {
      refresh_failed (self, error);
      return;
    }

  show_list (self, entries, scan);
  end_refresh (self);
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TesseraWindowOp) op = user_data;
  TesseraWindow *self = op->window;
  GListModel *entries;
  GError *error = NULL;

  entries = tessera_session_list_finish (TESSERA_SESSION (object), result, &error);
  if (_tessera_window_op_is_stale (op))
    {
      g_clear_object (&entries);
      g_clear_error (&error);
      return;
    }

  if (entries == NULL)
    {
      refresh_failed (self, error);
      return;
    }

  /* Kept aside until the key store scan says which rows are this device. */
  g_clear_object (&self->incoming);
  self->incoming = entries;
  /* (self->cancellable is op->cancellable: the operation is not stale.) */
  tessera_task_scan_keys_async (self->store, entries, self->cancellable, scanned_cb, g_steal_pointer (&op));
}

static void
discovered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TesseraWindowOp) op = user_data;
  TesseraWindow *self = op->window;
  GError *error = NULL;
  TesseraFeatures features;

  features = tessera_session_discover_finish (TESSERA_SESSION (object), result, &error);
  if (_tessera_window_op_is_stale (op))
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    {
      refresh_failed (self, error);
      return;
    }

  self->features = features;
  self->online = TRUE;
  _tessera_window_update_actions (self);

  if (!(features & (TESSERA_FEATURE_LIST | TESSERA_FEATURE_XEP0257)))
    {
      _tessera_window_show_unsupported (self);
      end_refresh (self);
      return;
    }

  tessera_session_list_async (self->session, self->cancellable, listed_cb, g_steal_pointer (&op));
}

static void
refresh_failed (TesseraWindow *self,
                GError        *error)
{
  g_autoptr(GError) owned = error;

  g_debug ("Refreshing failed: %s", error->message);

  /* Drop the connection: the next attempt starts afresh. */
  if (self->session != NULL)
    tessera_session_close (self->session);
  self->online = FALSE;
  g_clear_object (&self->incoming);
  tessera_cert_list_set_model (self->cert_list, NULL);
  gtk_revealer_set_reveal_child (self->details_revealer, FALSE);

  _tessera_window_show_offline (self, error, is_connection_error (error));
  end_refresh (self);
}

/**
 * tessera_window_refresh:
 * @self: a #TesseraWindow
 *
 * Reloads the certificate list of the current account from the server.
 */
void
tessera_window_refresh (TesseraWindow *self)
{
  g_return_if_fail (TESSERA_IS_WINDOW (self));

  if (self->account == NULL)
    {
      _tessera_window_show_page (self, "no-account");
      _tessera_window_update_actions (self);
      return;
    }
  if (self->refreshing)
    {
      self->refresh_queued = TRUE;
      return;
    }

  self->refreshing = TRUE;
  _tessera_window_update_actions (self);

  if (tessera_cert_list_get_model (self->cert_list) == NULL)
    _tessera_window_show_page (self, "loading");

  /* The session reads the password from the Secret Service itself, on its
   * worker thread. */
  if (self->session == NULL)
    self->session = tessera_session_new (self->account, self->store);
  tessera_session_discover_async (self->session, self->cancellable, discovered_cb,
                                  _tessera_window_op_new (self));
}
