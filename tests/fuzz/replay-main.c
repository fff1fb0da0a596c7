/* replay-main.c: runs a fuzz harness over corpus files, without libFuzzer
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: fuzz-NAME FILE-OR-DIRECTORY...
 *
 * Every regular file given, and every regular file directly inside a
 * directory given, is one input. This is how builds without clang (and the
 * 'fuzz' test suite) keep the corpus, crashers included, as a regression
 * test. Fails when an input crashes (the harness aborts) or when there was
 * nothing to replay.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz-common.h"

static gboolean
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  uint8_t *copy;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return FALSE;
    }
  /* An exact-size heap copy, so that AddressSanitizer sees any read past
   * the end of the input as libFuzzer would. */
  copy = g_memdup2 (contents, length);
  LLVMFuzzerTestOneInput (copy, length);
  g_free (copy);
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* Returns the number of inputs replayed, -1 on a read error. */
static int
replay_directory (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  const char *name;
  int count = 0;
  guint i;

  if (dir == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return -1;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  /* A stable order, so that a failure is reproducible from the log. */
  g_ptr_array_sort (names, compare_names);

  for (i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);

      if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
        continue;
      if (!replay_file (file))
        return -1;
      count++;
    }
  return count;
}

int
main (int   argc,
      char *argv[])
{
  int total = 0;
  int i;

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
      return 2;
    }

  for (i = 1; i < argc; i++)
    {
      int count;

      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        count = replay_directory (argv[i]);
      else
        count = replay_file (argv[i]) ? 1 : -1;
      if (count < 0)
        return 1;
      total += count;
    }

  if (total == 0)
    {
      fprintf (stderr, "%s: no input to replay\n", argv[0]);
      return 1;
    }
  printf ("%s: replayed %d inputs\n", argv[0], total);
  return 0;
}
