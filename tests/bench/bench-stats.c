/* bench-stats.c: timing and memory helpers shared by the benchmark programs
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench-stats.h"

gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

BenchStats
bench_stats_compute (GArray *samples)
{
  BenchStats stats = { 0, 0.0, 0.0, 0.0 };
  double *v;
  guint n, rank;

  n = samples->len;
  if (n == 0)
    return stats;
  g_array_sort (samples, compare_doubles);
  v = (double *) (void *) samples->data;
  stats.n = n;
  stats.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  /* nearest rank: ceil (0.99 * n), 1-based */
  rank = (guint) ((99 * (guint64) n + 99) / 100);
  stats.p99 = v[MIN (rank, n) - 1];
  stats.max = v[n - 1];
  return stats;
}

glong
bench_maxrss_kib (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return usage.ru_maxrss;
}

glong
bench_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "\nVmRSS:");
  if (line == NULL)
    return 0;
  return strtol (line + strlen ("\nVmRSS:"), NULL, 10);
}

void
bench_stats_to_json (GString    *json,
                     const char *name,
                     BenchStats  stats)
{
  g_string_append_printf (json, "\"%s\":{\"n\":%u,\"median\":%.4f,\"p99\":%.4f,\"max\":%.4f}",
                          name, stats.n, stats.median, stats.p99, stats.max);
}

double
bench_cpu_ms (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return -1.0;
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}
