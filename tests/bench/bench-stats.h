/* bench-stats.h: timing and memory helpers shared by the benchmark programs
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint  n;
  double median;
  double p99;
  double max;
} BenchStats;

/* CLOCK_MONOTONIC in nanoseconds (the clock g_get_monotonic_time() reads,
 * so times compare across processes). */
gint64     bench_now_ns        (void);
/* Summary of @samples (doubles, any unit); sorts the array in place. p99 is
 * the nearest-rank 99th percentile: with fewer than 100 samples, the max. */
BenchStats bench_stats_compute (GArray     *samples);
/* Peak resident set size of this process (getrusage), in KiB. */
glong      bench_maxrss_kib    (void);
/* Current resident set size (VmRSS in /proc/self/status), in KiB; 0 if unknown. */
glong      bench_rss_kib       (void);
/* CPU time (user + system, all threads) of this process so far, in ms. */
double     bench_cpu_ms        (void);
/* Appends "\"name\":{\"n\":…,\"median\":…,\"p99\":…,\"max\":…}" to @json. */
void       bench_stats_to_json (GString    *json,
                                const char *name,
                                BenchStats  stats);

G_END_DECLS
