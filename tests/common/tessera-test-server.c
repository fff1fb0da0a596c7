/* tessera-test-server.c: a throw-away local Prosody for tests
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-test-server"

#include <signal.h>
#include <glib/gstdio.h>

#include "tessera-test-fixtures.h"
#include "tessera-test-server.h"

#define READY_TIMEOUT_SECONDS 30
#define STOP_TIMEOUT_SECONDS 20

struct _TesseraTestServer
{
  GSubprocess      *process;
  GDataInputStream *output;
  GHashTable       *values;
  char             *dir;
};

typedef struct
{
  gboolean  done;
  char     *line;
  GError   *error;
} LineRead;

static gboolean
flag_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

/* Reads one line within the deadline of @timed_out's source; NULL with
 * @error unset means end of file. */
static char *
read_line (TesseraTestServer *self,
           GMainContext      *context,
           GCancellable      *cancellable,
           const gboolean    *timed_out,
           GError           **error)
{
  LineRead read = { FALSE, NULL, NULL };

  g_data_input_stream_read_line_async (self->output, G_PRIORITY_DEFAULT, cancellable,
                                       read_line_cb, &read);
  while (!read.done)
    {
      if (*timed_out)
        g_cancellable_cancel (cancellable);
      g_main_context_iteration (context, TRUE);
    }

  if (read.error != NULL && *timed_out)
    {
      g_clear_error (&read.error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "local-server did not print READY within %d s", READY_TIMEOUT_SECONDS);
      return NULL;
    }
  if (read.error != NULL)
    g_propagate_error (error, read.error);
  return read.line;
}

static void
set_exit_error (TesseraTestServer *self,
                GError           **error)
{
  g_subprocess_wait (self->process, NULL, NULL);
  if (g_subprocess_get_if_exited (self->process))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "local-server exited with status %d before READY (see its messages above)",
                 g_subprocess_get_exit_status (self->process));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "local-server was killed by signal %d before READY",
                 g_subprocess_get_term_sig (self->process));
}

static void
store_line (TesseraTestServer *self,
            const char        *line)
{
  const char *equals = strchr (line, '=');

  if (equals == NULL || equals == line)
    {
      g_debug ("Ignoring local-server output: %s", line);
      return;
    }
  g_hash_table_insert (self->values, g_strndup (line, equals - line), g_strdup (equals + 1));
}

/* Stores KEY=value lines until READY. */
static gboolean
read_until_ready (TesseraTestServer *self,
                  GError           **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (READY_TIMEOUT_SECONDS);
  gboolean timed_out = FALSE;
  gboolean ready = FALSE;
  GError *local_error = NULL;

  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, flag_cb, &timed_out, NULL);
  g_source_attach (timeout, context);

  while (!ready && local_error == NULL)
    {
      g_autofree char *line = read_line (self, context, cancellable, &timed_out, &local_error);

      if (line == NULL && local_error == NULL)
        set_exit_error (self, &local_error);
      else if (g_strcmp0 (line, "READY") == 0)
        ready = TRUE;
      else if (line != NULL)
        store_line (self, line);
    }

  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

/* SIGTERM, then SIGKILL if local-server does not exit in time. */
static void
terminate_process (GSubprocess *process)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (STOP_TIMEOUT_SECONDS);
  gboolean timed_out = FALSE;
  gboolean done = FALSE;

  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, flag_cb, &timed_out, NULL);
  g_source_attach (timeout, context);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait_async (process, NULL, wait_cb, &done);
  while (!done && !timed_out)
    g_main_context_iteration (context, TRUE);
  if (!done)
    {
      g_warning ("local-server did not stop within %d s, killing it", STOP_TIMEOUT_SECONDS);
      g_subprocess_force_exit (process);
      while (!done)
        g_main_context_iteration (context, TRUE);
    }

  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
}

static void
free_server (TesseraTestServer *self)
{
  if (self->process != NULL)
    terminate_process (self->process);
  if (self->dir != NULL)
    tessera_test_remove_tree (self->dir, NULL);
  g_clear_object (&self->output);
  g_clear_object (&self->process);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_free (self->dir);
  g_free (self);
}

static GPtrArray *
build_argv (const char         *program,
            const char         *dir,
            const char * const *options)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) program);
  g_ptr_array_add (argv, (gpointer) dir);
  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) options[i]);
  g_ptr_array_add (argv, NULL);
  return argv;
}

TesseraTestServer *
tessera_test_server_start (const char * const  *options,
                           GError             **error)
{
  const char *program = g_getenv ("TESSERA_LOCAL_SERVER");
  g_autoptr(GPtrArray) argv = NULL;
  TesseraTestServer *self;

  if (program == NULL || *program == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "TESSERA_LOCAL_SERVER is not set (tests/meson.build sets it)");
      return NULL;
    }

  self = g_new0 (TesseraTestServer, 1);
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->dir = g_dir_make_tmp ("tessera-server-XXXXXX", error);
  if (self->dir == NULL)
    {
      free_server (self);
      return NULL;
    }
  g_hash_table_insert (self->values, g_strdup ("DIR"), g_strdup (self->dir));

  argv = build_argv (program, self->dir, options);
  self->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (self->process == NULL)
    {
      free_server (self);
      return NULL;
    }
  self->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));

  if (!read_until_ready (self, error))
    {
      free_server (self);
      return NULL;
    }
  return self;
}

const char *
tessera_test_server_get (TesseraTestServer *self,
                         const char        *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (self->values, key);
}

gboolean
tessera_test_server_restart (TesseraTestServer  *self,
                             GError            **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  g_hash_table_remove (self->values, "PROSODY_PID");
  g_subprocess_send_signal (self->process, SIGHUP);
  return read_until_ready (self, error);
}

void
tessera_test_server_stop (TesseraTestServer *self)
{
  if (self != NULL)
    free_server (self);
}

const char *
tessera_test_server_get_jid (TesseraTestServer *self)
{
  return tessera_test_server_get (self, "JID");
}

const char *
tessera_test_server_get_password (TesseraTestServer *self)
{
  return tessera_test_server_get (self, "PASSWORD");
}

const char *
tessera_test_server_get_ca_file (TesseraTestServer *self)
{
  return tessera_test_server_get (self, "CA_FILE");
}

guint16
tessera_test_server_get_port (TesseraTestServer *self)
{
  const char *value = tessera_test_server_get (self, "PORT");
  guint64 port = 0;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT16, &port, NULL))
    return 0;
  return (guint16) port;
}

GPid
tessera_test_server_get_pid (TesseraTestServer *self)
{
  const char *value = tessera_test_server_get (self, "PROSODY_PID");
  guint64 pid = 0;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, G_MAXINT, &pid, NULL))
    return 0;
  return (GPid) pid;
}
