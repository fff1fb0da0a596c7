/* tessera-test-exit.h: the exit statuses of tessera-cli, by name, for the tests
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

/* The contract of data/tessera-cli.1 (EXIT STATUS), written down here on
 * its own rather than taken from src/cli: a test must notice when the
 * program changes a number that scripts rely on. The values are those of
 * sysexits.h. */
#define TESSERA_TEST_EXIT_OK            0   /* success */
#define TESSERA_TEST_EXIT_FAILURE       1   /* any other failure */
#define TESSERA_TEST_EXIT_USAGE        64   /* the command line was wrong */
#define TESSERA_TEST_EXIT_UNAVAILABLE  69   /* the server does not support the operation */
#define TESSERA_TEST_EXIT_TEMPFAIL     75   /* timed out, or the server said "wait" */
#define TESSERA_TEST_EXIT_PROTOCOL     76   /* a stanza error or a reply not understood */
#define TESSERA_TEST_EXIT_NOPERM       77   /* authentication failed, or not allowed */
