/* tessera-account-lock.c: one Tessera process at a time works on an account
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-store"

#include "config.h"

#include <poll.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "tessera-account-lock.h"
#include "tessera-error.h"
#include "tessera-store-file.h"

#define LOCK_FILE_NAME "lock"
/* How often a waiting process tries again. flock() itself could wait, but
 * then neither the deadline nor the cancellable could end the wait. */
#define RETRY_INTERVAL_MS 50

struct _TesseraAccountLock
{
  GObject  parent_instance;

  char    *path;
};

G_DEFINE_FINAL_TYPE (TesseraAccountLock, tessera_account_lock, G_TYPE_OBJECT)

/* The locks this process holds: lock file path -> Held. A second open()
 * plus flock() in the same process would conflict with the first (flock
 * locks belong to open files), so holders of one process share one. */
typedef struct
{
  int   fd;
  guint holders;
} Held;

static GMutex held_mutex;
static GHashTable *held_locks;

static void
held_free (gpointer data)
{
  Held *held = data;

  close (held->fd);
  g_free (held);
}

static void
tessera_account_lock_finalize (GObject *object)
{
  TesseraAccountLock *self = TESSERA_ACCOUNT_LOCK (object);
  Held *held;

  g_mutex_lock (&held_mutex);
  held = g_hash_table_lookup (held_locks, self->path);
  g_assert (held != NULL && held->holders > 0);
  /* Closing the last descriptor releases the flock. */
  if (--held->holders == 0)
    g_hash_table_remove (held_locks, self->path);
  g_mutex_unlock (&held_mutex);

  g_free (self->path);

  G_OBJECT_CLASS (tessera_account_lock_parent_class)->finalize (object);
}

static void
tessera_account_lock_class_init (TesseraAccountLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_account_lock_finalize;
}

static void
tessera_account_lock_init (TesseraAccountLock *self)
{
}

const char *
tessera_account_lock_get_path (TesseraAccountLock *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_LOCK (self), NULL);

  return self->path;
}

/* One attempt, without waiting. TRUE when this process now holds the lock
 * once more; TESSERA_STORE_ERROR_BUSY when another process holds it. */
static gboolean
try_once (const char  *path,
          const char  *jid,
          GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&held_mutex);
  g_autofree char *busy = NULL;
  Held *held;
  int fd;

  if (held_locks == NULL)
    held_locks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, held_free);

  held = g_hash_table_lookup (held_locks, path);
  if (held != NULL)
    {
      held->holders++;
      return TRUE;
    }

  busy = g_strdup_printf (_("Another Tessera is working on the account %s: try again when it has finished"),
                          jid);
  fd = tessera_store_lock_file (path, busy, error);
  if (fd < 0)
    return FALSE;

  held = g_new0 (Held, 1);
  held->fd = fd;
  held->holders = 1;
  g_hash_table_insert (held_locks, g_strdup (path), held);
  return TRUE;
}

/* Sleeps @ms, or less when @cancellable is cancelled meanwhile. */
static gboolean
sleep_cancellable (int            ms,
                   GCancellable  *cancellable,
                   GError       **error)
{
  GPollFD pollfd;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      struct pollfd fds = { .fd = pollfd.fd, .events = POLLIN };

      poll (&fds, 1, ms);
      g_cancellable_release_fd (cancellable);
    }
  else
    {
      g_usleep ((gulong) ms * 1000);
    }

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

TesseraAccountLock *
tessera_account_lock_acquire (TesseraKeyStore  *store,
                              gint64            deadline,
                              GCancellable     *cancellable,
                              GError          **error)
{
  const char *dir;
  g_autofree char *path = NULL;
  TesseraAccountLock *self;
  gboolean waiting = FALSE;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (store), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = tessera_key_store_get_dir (store);
  path = g_build_filename (dir, LOCK_FILE_NAME, NULL);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 remaining;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (try_once (path, tessera_key_store_get_jid (store), &local_error))
        break;

      remaining = deadline - g_get_monotonic_time ();
      if (!g_error_matches (local_error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_BUSY) || remaining <= 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      if (!waiting)
        g_debug ("%s: waiting for another process to release %s", tessera_key_store_get_jid (store), path);
      waiting = TRUE;
      if (!sleep_cancellable ((int) MIN (RETRY_INTERVAL_MS, (remaining + 999) / 1000), cancellable, error))
        return NULL;
    }

  self = g_object_new (TESSERA_TYPE_ACCOUNT_LOCK, NULL);
  self->path = g_steal_pointer (&path);
  return self;
}

TesseraAccountLock *
tessera_account_lock_try_acquire (TesseraKeyStore  *store,
                                  GError          **error)
{
  return tessera_account_lock_acquire (store, 0, NULL, error);
}
