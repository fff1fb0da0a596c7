/* bench-ui.c: the window with a big account: first frame of the list, scrolling, and app start
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Run under Xvfb with GSK_RENDERER=cairo (tools/run-bench does it).
 *
 *   bench-ui list FILE    a window holding the app's own TesseraCertList; once
 *                         it has shown its first (empty) frame, the reply in
 *                         FILE is turned into the model and handed to the list
 *                         ("reply to first frame showing the list"); then the
 *                         list is scrolled from top to bottom, one step per
 *                         frame, recording each frame's work (frame clock
 *                         before-paint to after-paint) and the gaps between
 *                         frames
 *   bench-ui list-plain FILE  the same with the floor: a plain GtkColumnView
 *                         (same model, same sort, one GtkLabel per cell)
 *                         Both print the CPU time too; BENCH_UI_FIRST_FRAME_ONLY
 *                         in the environment stops them at the first frame
 *                         with rows, for a profiler
 *   bench-ui start        the application as src/main.c starts it; prints the
 *                         CLOCK_MONOTONIC time of its first painted frame and
 *                         its RSS then and 1.5 s later
 *   bench-ui start-plain  the floor: an AdwApplication with one empty
 *                         AdwApplicationWindow of the same size
 *   bench-ui start-content  a second, fairer floor: the same window with
 *                         what Tessera's first frame shows (a header bar with
 *                         a title and two icon buttons, a status page with an
 *                         icon, a title, a description and a button)
 *   bench-ui suite DIR N… runs "list" and "list-plain" of DIR/list-N.xml
 *                         three times per size, and "start", "start-plain"
 *                         and "start-content" five times, each in a fresh
 *                         process, and adds to each start the time from
 *                         spawn to first frame
 *
 * Each prints JSON lines on stdout. */

#include "config.h"

#define G_LOG_DOMAIN "tessera-bench"

#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <glib/gi18n.h>

/* Under valgrind --tool=callgrind --instr-atstart=no, only the list's part
 * of the first frame is counted: instructions, which unlike times do not
 * depend on the machine's load. A start under callgrind writes its counts
 * up to the first frame as a part of their own. */
#if defined(__has_include)
# if __has_include(<valgrind/callgrind.h>)
#  include <valgrind/callgrind.h>
# endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
# define CALLGRIND_START_INSTRUMENTATION
# define CALLGRIND_STOP_INSTRUMENTATION
# define CALLGRIND_DUMP_STATS_AT(name)
#endif

#include "bench-reply.h"
#include "bench-stats.h"
#include "tessera-application.h"
#include "tessera-cert-list.h"

#define FRAME_BUDGET_MS  16.0
#define SCROLL_FRAMES    300
#define MAX_FRAMES       3000
#define START_SETTLE_MS  1500
#define LIST_ROUNDS      3

typedef enum {
  PHASE_WAIT_EMPTY,
  PHASE_LOADING,
  PHASE_WAIT_LIST,
  PHASE_SCROLL,
  PHASE_DONE,
} Phase;

typedef struct
{
  GMainLoop       *loop;
  GtkWidget       *window;
  GtkWidget       *list;         /* TesseraCertList, or the plain floor */
  gboolean         plain;
  char            *xml;
  Phase            phase;
  gint64           frame_start_ns;
  gint64           last_frame_end_ns;
  gint64           reply_ns;
  double           model_ms;
  double           set_model_ms;
  double           reply_cpu_ms;   /* process CPU time (all threads) */
  double           model_cpu_ms;
  double           first_list_cpu_ms;
  gboolean         first_only;     /* stop at the first frame with rows */
  guint            frames_until_rows;
  double           first_list_ms;
  double           first_list_frame_work_ms;
  guint            n_items;
  guint            unreadable;
  double           step;
  guint            frames;
  gboolean         reached_bottom;
  GArray          *work_ms;
  GArray          *interval_ms;
  GError          *error;
} ListBench;

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LIST_VIEW (child))
        return child;
      if ((found = find_list_view (child)) != NULL)
        return found;
    }
  return NULL;
}

static guint
count_rows (ListBench *bench)
{
  GtkWidget *view = find_list_view (bench->list);
  guint rows = 0;

  for (GtkWidget *child = view != NULL ? gtk_widget_get_first_child (view) : NULL;
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_mapped (child))
      rows++;
  return rows;
}

static GtkAdjustment *
vadjustment (ListBench *bench)
{
  GtkWidget *view = find_list_view (bench->list);

  return view != NULL ? gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view)) : NULL;
}

/* ---- the floor: a plain GtkColumnView --------------------------------- */

/* What GTK itself needs for the same table: the same model, sorted by name
 * the same way, five columns of one GtkLabel each showing a short text per
 * entry, in a GtkScrolledWindow. No badges, icons, tooltips or CSS classes. */

typedef enum { PLAIN_NAME, PLAIN_LAST_USED, PLAIN_USERS, PLAIN_EXPIRES, PLAIN_FINGERPRINT } PlainColumn;

static void
plain_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_list_item_set_child (item, label);
}

static void
plain_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  TesseraCertEntry *entry = gtk_list_item_get_item (item);
  TesseraCertificate *certificate = tessera_cert_entry_get_certificate (entry);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *text = NULL;
  GDateTime *when;

  switch ((PlainColumn) GPOINTER_TO_INT (user_data))
    {
    case PLAIN_NAME:
      gtk_label_set_label (label, tessera_cert_entry_get_name (entry));
      return;
    case PLAIN_LAST_USED:
      when = tessera_cert_entry_get_last_used (entry);
      text = when != NULL ? g_date_time_format (when, "%F") : g_strdup ("never");
      break;
    case PLAIN_USERS:
      text = g_strjoinv (", ", (char **) tessera_cert_entry_get_users (entry));
      break;
    case PLAIN_EXPIRES:
      when = certificate != NULL ? tessera_certificate_get_not_after (certificate) : NULL;
      text = when != NULL ? g_date_time_format (when, "%F") : g_strdup ("?");
      break;
    case PLAIN_FINGERPRINT:
    default:
      text = g_strndup (tessera_cert_entry_get_fingerprint (entry), 8);
      break;
    }
  gtk_label_set_label (label, text);
}

static GtkWidget *
plain_new (void)
{
  static const char * const titles[] = { "Name", "Last used", "Used by", "Expires", "Fingerprint" };
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkSortListModel *sort_model = gtk_sort_list_model_new (NULL, NULL);
  GtkSingleSelection *selection = gtk_single_selection_new (G_LIST_MODEL (sort_model));
  GtkWidget *view = gtk_column_view_new (GTK_SELECTION_MODEL (selection));
  GtkExpression *name = gtk_property_expression_new (TESSERA_TYPE_CERT_ENTRY, NULL, "name");
  GtkColumnViewColumn *name_column = NULL;

  gtk_single_selection_set_autoselect (selection, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (plain_setup_cb), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (plain_bind_cb), GINT_TO_POINTER (i));
      column = gtk_column_view_column_new (titles[i], factory);
      gtk_column_view_column_set_expand (column, i == PLAIN_NAME);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (view), column);
      if (i == PLAIN_NAME)
        name_column = column;
      g_object_unref (column);
    }
  gtk_column_view_column_set_sorter (name_column, GTK_SORTER (gtk_string_sorter_new (name)));
  gtk_sort_list_model_set_sorter (sort_model, gtk_column_view_get_sorter (GTK_COLUMN_VIEW (view)));
  gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (view), name_column, GTK_SORT_ASCENDING);
  g_object_set_data (G_OBJECT (scrolled), "sort-model", sort_model);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  return scrolled;
}

static void
plain_set_model (GtkWidget  *plain,
                 GListModel *model)
{
  gtk_sort_list_model_set_model (g_object_get_data (G_OBJECT (plain), "sort-model"), model);
}

/* The "reply": text to model to widget, timed from here to the first frame
 * that shows rows. */
static gboolean
load_cb (gpointer user_data)
{
  ListBench *bench = user_data;
  g_autoptr(GListModel) model = NULL;
  xmpp_ctx_t *ctx = xmpp_ctx_new (NULL, NULL);

  bench->reply_ns = bench_now_ns ();
  bench->reply_cpu_ms = bench_cpu_ms ();
  model = bench_reply_build_model (ctx, bench->xml, &bench->unreadable, &bench->error);
  xmpp_ctx_free (ctx);
  bench->model_ms = (bench_now_ns () - bench->reply_ns) / 1e6;
  bench->model_cpu_ms = bench_cpu_ms () - bench->reply_cpu_ms;
  if (model == NULL)
    {
      g_main_loop_quit (bench->loop);
      return G_SOURCE_REMOVE;
    }
  bench->n_items = g_list_model_get_n_items (model);
  CALLGRIND_START_INSTRUMENTATION;
  if (bench->plain)
    plain_set_model (bench->list, model);
  else
    tessera_cert_list_set_model (TESSERA_CERT_LIST (bench->list), model);
  bench->set_model_ms = (bench_now_ns () - bench->reply_ns) / 1e6 - bench->model_ms;
  bench->phase = PHASE_WAIT_LIST;
  return G_SOURCE_REMOVE;
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  ListBench *bench = user_data;
  GtkAdjustment *adj = vadjustment (bench);
  double bottom;

  if (adj == NULL || bench->phase != PHASE_SCROLL)
    return G_SOURCE_REMOVE;

  bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);
  if (bench->step == 0.0)
    bench->step = MAX (1.0, bottom / SCROLL_FRAMES);
  if (gtk_adjustment_get_value (adj) >= bottom - 0.5)
    {
      bench->reached_bottom = TRUE;
      return G_SOURCE_REMOVE;
    }
  gtk_adjustment_set_value (adj, MIN (bottom, gtk_adjustment_get_value (adj) + bench->step));
  return G_SOURCE_CONTINUE;
}

static void
before_paint_cb (GdkFrameClock *clock,
                 ListBench     *bench)
{
  bench->frame_start_ns = bench_now_ns ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                ListBench     *bench)
{
  gint64 now = bench_now_ns ();
  double work = (now - bench->frame_start_ns) / 1e6;

  switch (bench->phase)
    {
    case PHASE_WAIT_EMPTY:
      bench->phase = PHASE_LOADING;
      /* After this frame is out: the reply arrives while the window idles. */
      g_timeout_add (100, load_cb, bench);
      break;

    case PHASE_WAIT_LIST:
      bench->frames_until_rows++;
      if (count_rows (bench) == 0)
        break;
      bench->first_list_ms = (now - bench->reply_ns) / 1e6;
      bench->first_list_cpu_ms = bench_cpu_ms () - bench->reply_cpu_ms;
      CALLGRIND_STOP_INSTRUMENTATION;
      bench->first_list_frame_work_ms = work;
      if (bench->first_only)
        {
          bench->phase = PHASE_DONE;
          g_main_loop_quit (bench->loop);
          break;
        }
      bench->phase = PHASE_SCROLL;
      gtk_widget_add_tick_callback (bench->list, scroll_tick_cb, bench, NULL);
      break;

    case PHASE_SCROLL:
      g_array_append_val (bench->work_ms, work);
      if (bench->last_frame_end_ns != 0)
        {
          double interval = (now - bench->last_frame_end_ns) / 1e6;

          g_array_append_val (bench->interval_ms, interval);
        }
      if (bench->reached_bottom || ++bench->frames >= MAX_FRAMES)
        {
          bench->phase = PHASE_DONE;
          g_main_loop_quit (bench->loop);
        }
      break;

    case PHASE_LOADING:
    case PHASE_DONE:
    default:
      break;
    }
  bench->last_frame_end_ns = now;
}

static void
realize_cb (GtkWidget *window,
            ListBench *bench)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), bench);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (after_paint_cb), bench);
}

static guint
count_over_budget (GArray *samples)
{
  guint over = 0;

  for (guint i = 0; i < samples->len; i++)
    if (g_array_index (samples, double, i) > FRAME_BUDGET_MS)
      over++;
  return over;
}

static int
run_list (const char *path,
          gboolean    plain)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GArray) work_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) interval_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  ListBench bench = { 0, };
  guint over;

  bench.loop = loop;
  bench.plain = plain;
  /* For profiling the first frame alone (perf record, callgrind) */
  bench.first_only = g_getenv ("BENCH_UI_FIRST_FRAME_ONLY") != NULL;
  bench.work_ms = work_ms;
  bench.interval_ms = interval_ms;
  if (!g_file_get_contents (path, &bench.xml, NULL, &error))
    {
      g_printerr ("bench-ui: %s\n", error->message);
      return 1;
    }

  gtk_init ();
  adw_init ();
  bench.window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (bench.window), 1000, 700);
  /* The app's style sheet, as TesseraApplication (an AdwApplication) loads
   * it: the list's icons are CSS backgrounds drawn from it. */
  if (!plain)
    {
      g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (css, "/io/github/tessera_xmpp/Tessera/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }
  bench.list = plain ? plain_new () : tessera_cert_list_new ();
  gtk_window_set_child (GTK_WINDOW (bench.window), bench.list);
  g_signal_connect (bench.window, "realize", G_CALLBACK (realize_cb), &bench);
  gtk_window_present (GTK_WINDOW (bench.window));
  g_main_loop_run (loop);

  if (bench.error != NULL)
    {
      g_printerr ("bench-ui: %s\n", bench.error->message);
      return 1;
    }

  over = count_over_budget (work_ms);
  g_string_append_printf (json, "{\"widget\":\"%s\",\"set_model_ms\":%.3f,\"frames_until_rows\":%u,",
                          plain ? "plain" : "tessera", bench.set_model_ms, bench.frames_until_rows);
  g_string_append_printf (json, "\"file\":\"%s\",\"entries\":%u,\"unreadable\":%u,\"model_ms\":%.3f,"
                          "\"first_list_ms\":%.3f,\"first_list_frame_work_ms\":%.3f,"
                          "\"model_cpu_ms\":%.3f,\"first_list_cpu_ms\":%.3f,"
                          "\"scroll_frames\":%u,\"reached_bottom\":%s,\"frames_over_16ms\":%u,",
                          path, bench.n_items, bench.unreadable, bench.model_ms, bench.first_list_ms,
                          bench.first_list_frame_work_ms, bench.model_cpu_ms, bench.first_list_cpu_ms,
                          work_ms->len,
                          bench.reached_bottom ? "true" : "false", over);
  bench_stats_to_json (json, "frame_work_ms", bench_stats_compute (work_ms));
  g_string_append (json, ",");
  bench_stats_to_json (json, "frame_interval_ms", bench_stats_compute (interval_ms));
  g_string_append_printf (json, ",\"maxrss_kib\":%ld}", bench_maxrss_kib ());
  g_print ("%s\n", json->str);

  gtk_window_destroy (GTK_WINDOW (bench.window));
  g_free (bench.xml);
  return 0;
}

/* ---- application start ------------------------------------------------- */

typedef struct
{
  GApplication *app;
  const char   *name;
  gint64        first_frame_ns;
  glong         first_frame_rss_kib;
  double        first_frame_cpu_ms;
  double        window_added_cpu_ms;    /* the window built, not shown */
  double        realize_cpu_ms;         /* shown: realized, before layout and paint */
} StartBench;

static gboolean
settle_cb (gpointer user_data)
{
  StartBench *bench = user_data;

  g_print ("{\"app\":\"%s\",\"first_frame_ns\":%" G_GINT64_FORMAT ",\"rss_first_frame_kib\":%ld,"
           "\"rss_settled_kib\":%ld,\"maxrss_kib\":%ld,\"cpu_first_frame_ms\":%.1f,"
           "\"cpu_window_added_ms\":%.1f,\"cpu_realize_ms\":%.1f}\n",
           bench->name,
           bench->first_frame_ns, bench->first_frame_rss_kib, bench_rss_kib (), bench_maxrss_kib (),
           bench->first_frame_cpu_ms, bench->window_added_cpu_ms, bench->realize_cpu_ms);
  g_application_quit (bench->app);
  return G_SOURCE_REMOVE;
}

static void
start_after_paint_cb (GdkFrameClock *clock,
                      StartBench    *bench)
{
  if (bench->first_frame_ns != 0)
    return;
  bench->first_frame_ns = bench_now_ns ();
  bench->first_frame_rss_kib = bench_rss_kib ();
  bench->first_frame_cpu_ms = bench_cpu_ms ();
  CALLGRIND_DUMP_STATS_AT ("first frame");
  g_timeout_add (START_SETTLE_MS, settle_cb, bench);
}

static void
start_realize_cb (GtkWidget  *window,
                  StartBench *bench)
{
  bench->realize_cpu_ms = bench_cpu_ms ();
  /* Not connected after: the app's own after-paint handlers (the enrollment
   * wizard, built once the window is on screen) run after this frame is
   * out, and are not part of it. */
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (start_after_paint_cb), bench);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 StartBench     *bench)
{
  /* Emitted once the window is built (the app's own windows add
   * themselves from their constructor). */
  bench->window_added_cpu_ms = bench_cpu_ms ();
  g_signal_connect (window, "realize", G_CALLBACK (start_realize_cb), bench);
}

/* The floor of a start: libadwaita's own application with one empty window. */
static void
plain_activate_cb (GtkApplication *app,
                   gpointer        user_data)
{
  GtkWidget *window = adw_application_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
}

/* The second floor: what Tessera's first frame shows without an account,
 * built by hand: the text, icons and drawing any such window pays for. */
static void
content_activate_cb (GtkApplication *app,
                     gpointer        user_data)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *status = adw_status_page_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic ("_Set Up This Device…");
  GtkWidget *menu = gtk_menu_button_new ();

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new ("Tessera", "No account"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), gtk_button_new_from_icon_name ("view-refresh-symbolic"));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu), "open-menu-symbolic");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), menu);
  gtk_box_append (GTK_BOX (box), header);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "channel-secure-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), "Welcome to Tessera");
  adw_status_page_set_description (ADW_STATUS_PAGE (status),
                                   "Log in to your XMPP account with a certificate made on this device "
                                   "instead of a password.");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "pill");
  gtk_widget_add_css_class (button, "suggested-action");
  adw_status_page_set_child (ADW_STATUS_PAGE (status), button);
  gtk_widget_set_vexpand (status, TRUE);
  gtk_box_append (GTK_BOX (box), status);

  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
}

typedef enum { START_TESSERA, START_PLAIN, START_CONTENT } StartKind;

static int
run_start (StartKind kind)
{
  g_autoptr(GtkApplication) app = NULL;
  StartBench bench = { NULL, NULL, 0, 0, 0.0, 0.0, 0.0 };
  char *argv[] = { (char *) "tessera", NULL };

  /* As src/main.c does */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name ("Tessera");

  if (kind == START_TESSERA)
    {
      app = GTK_APPLICATION (tessera_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS));
      bench.name = "tessera";
    }
  else
    {
      app = GTK_APPLICATION (adw_application_new (APP_ID ".BenchFloor", G_APPLICATION_DEFAULT_FLAGS));
      g_signal_connect (app, "activate",
                        kind == START_PLAIN ? G_CALLBACK (plain_activate_cb) : G_CALLBACK (content_activate_cb),
                        NULL);
      bench.name = kind == START_PLAIN ? "plain" : "content";
    }
  bench.app = G_APPLICATION (app);
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), &bench);
  return g_application_run (G_APPLICATION (app), 1, argv);
}

/* ---- suite: each measurement in a fresh process ------------------------ */

static gboolean
relay (const char * const *argv,
       gint64              spawn_ns,
       GError            **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s %s: %s: ", argv[0], argv[1], err);
      return FALSE;
    }
  g_strchomp (out);
  if (spawn_ns != 0)
    {
      const char *field = strstr (out, "\"first_frame_ns\":");
      gint64 first = field != NULL ? g_ascii_strtoll (field + strlen ("\"first_frame_ns\":"), NULL, 10) : 0;

      /* Inserted before the closing brace */
      out[strlen (out) - 1] = '\0';
      g_print ("%s,\"start_to_first_frame_ms\":%.3f}\n", out, first > 0 ? (first - spawn_ns) / 1e6 : -1.0);
    }
  else
    {
      g_print ("%s\n", out);
    }
  return TRUE;
}

static int
run_suite (const char *self,
           const char *dir,
           int         n_sizes,
           char       *sizes[])
{
  g_autoptr(GError) error = NULL;

  /* A first GTK process in a fresh X server and session bus pays for
   * caches of its own: one untimed run, so that no measured one does. */
  if (n_sizes > 0)
    {
      g_autofree char *name = g_strdup_printf ("list-%s.xml", sizes[0]);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      const char *argv[] = { self, "list-plain", path, NULL };
      g_autofree char *out = NULL;
      int status = 0;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                         &status, &error))
        goto fail;
    }
  /* Each size LIST_ROUNDS times, the two widgets taking turns in both
   * orders, so that a slow moment of the machine falls on both alike */
  for (int round = 0; round < LIST_ROUNDS; round++)
    for (int i = 0; i < n_sizes; i++)
      {
        g_autofree char *name = g_strdup_printf ("list-%s.xml", sizes[i]);
        g_autofree char *path = g_build_filename (dir, name, NULL);
        const char *argv[] = { self, "list", path, NULL };
        const char *plain_argv[] = { self, "list-plain", path, NULL };
        const char * const *first = round % 2 == 0 ? argv : plain_argv;
        const char * const *second = round % 2 == 0 ? plain_argv : argv;

        if (!relay (first, 0, &error) || !relay (second, 0, &error))
          goto fail;
      }
  for (int i = 0; i < 5; i++)
    {
      const char *argv[] = { self, "start", NULL };
      const char *plain_argv[] = { self, "start-plain", NULL };
      const char *content_argv[] = { self, "start-content", NULL };

      if (!relay (argv, bench_now_ns (), &error) || !relay (plain_argv, bench_now_ns (), &error) ||
          !relay (content_argv, bench_now_ns (), &error))
        goto fail;
    }
  return 0;

fail:
  g_printerr ("bench-ui: %s\n", error->message);
  return 1;
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "list"))
    return run_list (argv[2], FALSE);
  if (argc == 3 && g_str_equal (argv[1], "list-plain"))
    return run_list (argv[2], TRUE);
  if (argc == 2 && g_str_equal (argv[1], "start"))
    return run_start (START_TESSERA);
  if (argc == 2 && g_str_equal (argv[1], "start-plain"))
    return run_start (START_PLAIN);
  if (argc == 2 && g_str_equal (argv[1], "start-content"))
    return run_start (START_CONTENT);
  if (argc >= 3 && g_str_equal (argv[1], "suite"))
    return run_suite (argv[0], argv[2], argc - 3, argv + 3);

  g_printerr ("usage: bench-ui list FILE | list-plain FILE | start | start-plain | start-content | suite DIR N…\n");
  return 2;
}
