/* fuzz-common.h: what every fuzz harness shares
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

/* The libFuzzer entry point. Built with -fsanitize=fuzzer, libFuzzer's own
 * main() drives it; otherwise replay-main.c feeds it corpus files. */
int   LLVMFuzzerTestOneInput (const uint8_t *data,
                              size_t         size);

/* Once per process: every GLib warning or critical (a g_return_if_fail()
 * hit by hostile input included) aborts, so the fuzzer counts it as a
 * crash; debug and info messages are dropped. */
void  tessera_fuzz_init      (void);

/* The input as a NUL-terminated string (it stops at the first NUL byte,
 * as C strings from the wire or the user would). */
char *tessera_fuzz_strndup   (const uint8_t *data,
                              size_t         size);

/* Aborts with @what when @condition is false: a property of the code under
 * test that no input may break. */
#define tessera_fuzz_check(condition, what) \
  G_STMT_START { \
    if (G_UNLIKELY (!(condition))) \
      tessera_fuzz_fail (G_STRLOC, (what)); \
  } G_STMT_END

G_NORETURN void tessera_fuzz_fail (const char *location,
                                   const char *what);

G_END_DECLS
