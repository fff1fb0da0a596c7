/* bench-stall.c: does the main loop keep ticking while Tessera works? A 1 ms ticker's longest gap
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A g_timeout_add (1 ms) ticker on the main context records the gaps
 * between its calls; the longest gap is the longest stall a window would
 * suffer (goal: under 16 ms, one frame). On a shared machine the main
 * thread also waits for a CPU now and then although it is ready to run:
 * /proc/thread-self/schedstat counts that time (run_delay), and the "own"
 * gap is the gap less that wait, the part the program itself (busy or
 * blocked) is to blame for. Prints one JSON line.
 *
 *   bench-stall idle MS          the ticker alone (what the machine gives)
 *   bench-stall keygen N         N × tessera_key_generate_async (RSA-3072)
 *   bench-stall silent SECONDS   tessera_session_list_async against a TCP
 *                                server that accepts and never says a word,
 *                                with a SECONDS deadline (expects TIMEOUT) */

#include "config.h"

#define G_LOG_DOMAIN "tessera-bench"

#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

#include "bench-stats.h"
#include "tessera-core.h"

typedef struct
{
  GMainLoop *loop;
  GArray    *gaps;        /* of double, ms */
  GArray    *own_gaps;    /* each gap less the time the thread waited for a CPU */
  gint64     last_ns;
  gint64     last_run_delay_ns;
  int        schedstat_fd;
  guint      remaining;
  GArray    *op_ms;       /* of double */
  gint64     op_start_ns;
  GError    *error;
  TesseraSession *session;
} Bench;

/* Nanoseconds this thread has spent ready to run but waiting for a CPU
 * (second field of /proc/thread-self/schedstat); 0 when unknown. */
static gint64
run_delay_ns (Bench *bench)
{
  char buf[128];
  ssize_t n;
  const char *space;

  if (bench->schedstat_fd < 0 || (n = pread (bench->schedstat_fd, buf, sizeof buf - 1, 0)) <= 0)
    return 0;
  buf[n] = '\0';
  space = strchr (buf, ' ');
  return space != NULL ? g_ascii_strtoll (space + 1, NULL, 10) : 0;
}

static gboolean
tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = bench_now_ns ();
  gint64 run_delay = run_delay_ns (bench);
  double gap, own;

  if (bench->last_ns != 0)
    {
      gap = (now - bench->last_ns) / 1e6;
      own = MAX (0.0, gap - (run_delay - bench->last_run_delay_ns) / 1e6);
      g_array_append_val (bench->gaps, gap);
      g_array_append_val (bench->own_gaps, own);
    }
  bench->last_ns = now;
  bench->last_run_delay_ns = run_delay;
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  Bench *bench = user_data;

  g_main_loop_quit (bench->loop);
  return G_SOURCE_REMOVE;
}

static void
record_op (Bench *bench)
{
  double ms = (bench_now_ns () - bench->op_start_ns) / 1e6;

  g_array_append_val (bench->op_ms, ms);
}

static void
keygen_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(TesseraKey) key = tessera_key_generate_finish (result, &bench->error);

  record_op (bench);
  if (key == NULL || --bench->remaining == 0)
    {
      g_main_loop_quit (bench->loop);
      return;
    }
  bench->op_start_ns = bench_now_ns ();
  tessera_key_generate_async (TESSERA_KEY_TYPE_RSA3072, NULL, keygen_done_cb, bench);
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GListModel) model = tessera_session_list_finish (bench->session, result, &bench->error);

  record_op (bench);
  g_main_loop_quit (bench->loop);
}

/* Listens on 127.0.0.1 and never accepts: the kernel completes the TCP
 * handshake and buffers what the client sends; no byte ever comes back. */
static int
silent_listener (guint16 *port)
{
  struct sockaddr_in addr = { 0, };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 ||
      bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0 ||
      listen (fd, 16) != 0 ||
      getsockname (fd, (struct sockaddr *) &addr, &len) != 0)
    return -1;
  *port = ntohs (addr.sin_port);
  return fd;
}

static gboolean
start_silent (Bench  *bench,
              guint   seconds,
              int    *fd)
{
  g_autoptr(TesseraAccount) account = NULL;
  g_autoptr(TesseraKeyStore) store = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tessera-bench-XXXXXX", NULL);
  guint16 port = 0;

  *fd = silent_listener (&port);
  if (*fd < 0 || dir == NULL)
    return FALSE;
  account = tessera_account_new ("user1@localhost", "127.0.0.1", port, TESSERA_TLS_STARTTLS, NULL, NULL);
  store = tessera_key_store_new ("user1@localhost", dir);
  bench->session = tessera_session_new (account, store);
  tessera_session_set_password (bench->session, "not-a-real-password");
  tessera_session_set_timeout (bench->session, seconds);
  tessera_session_list_async (bench->session, NULL, list_done_cb, bench);
  g_rmdir (dir);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GArray) gaps = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) own_gaps = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) op_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GString) json = g_string_new (NULL);
  Bench bench = { loop, gaps, own_gaps, 0, 0, -1, 0, op_ms, 0, NULL, NULL };
  const char *mode = argc == 3 ? argv[1] : "";
  int value = argc == 3 ? atoi (argv[2]) : 0;
  int fd = -1;
  guint tick;

  if (value <= 0 || !(g_str_equal (mode, "idle") || g_str_equal (mode, "keygen") || g_str_equal (mode, "silent")))
    {
      g_printerr ("usage: bench-stall idle MS | keygen N | silent SECONDS\n");
      return 2;
    }

  /* The main thread's own; the ticker reads it with pread () */
  bench.schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  tick = g_timeout_add (1, tick_cb, &bench);
  bench.op_start_ns = bench_now_ns ();
  if (g_str_equal (mode, "idle"))
    {
      g_timeout_add ((guint) value, quit_cb, &bench);
    }
  else if (g_str_equal (mode, "keygen"))
    {
      bench.remaining = (guint) value;
      tessera_key_generate_async (TESSERA_KEY_TYPE_RSA3072, NULL, keygen_done_cb, &bench);
    }
  else if (!start_silent (&bench, (guint) value, &fd))
    {
      g_printerr ("bench-stall: cannot listen on 127.0.0.1\n");
      return 1;
    }
  g_main_loop_run (loop);
  g_source_remove (tick);

  g_string_append_printf (json, "{\"mode\":\"%s\",", mode);
  bench_stats_to_json (json, "gap_ms", bench_stats_compute (gaps));
  g_string_append (json, ",");
  bench_stats_to_json (json, "own_gap_ms", bench_stats_compute (own_gaps));
  g_string_append (json, ",");
  bench_stats_to_json (json, "op_ms", bench_stats_compute (op_ms));
  g_string_append_printf (json, ",\"error\":\"%s\",\"timeout\":%s}",
                          bench.error != NULL ? g_quark_to_string (bench.error->domain) : "",
                          g_error_matches (bench.error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TIMEOUT)
                            ? "true" : "false");
  g_print ("%s\n", json->str);

  if (bench.session != NULL)
    tessera_session_close (bench.session);
  g_clear_object (&bench.session);
  if (fd >= 0)
    close (fd);
  if (bench.schedstat_fd >= 0)
    close (bench.schedstat_fd);
  g_clear_error (&bench.error);
  return 0;
}
