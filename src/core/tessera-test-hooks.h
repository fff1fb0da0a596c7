/* tessera-test-hooks.h: crash-injection points for the reliability tests
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <signal.h>

G_BEGIN_DECLS

/* Reliability tests kill the process at these points to prove that every
 * intermediate state on disk can be recovered. Compiled in only with the
 * test-hooks option, and inert unless TESSERA_TEST_CRASH_AT names the point. */
static inline void
tessera_test_crash_point (const char *name)
{
#ifdef TESSERA_TEST_HOOKS
  if (g_strcmp0 (g_getenv ("TESSERA_TEST_CRASH_AT"), name) == 0)
    raise (SIGKILL);
#else
  (void) name;
#endif
}

G_END_DECLS
