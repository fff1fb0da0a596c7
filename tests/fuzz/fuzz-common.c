/* fuzz-common.c: what every fuzz harness shares
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

static GLogWriterOutput
fatal_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  if ((log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) == 0)
    return G_LOG_WRITER_HANDLED;

  g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
  abort ();
}

void
tessera_fuzz_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_log_set_writer_func (fatal_writer, NULL, NULL);
      g_once_init_leave (&initialized, 1);
    }
}

char *
tessera_fuzz_strndup (const uint8_t *data,
                      size_t         size)
{
  char *text = g_malloc (size + 1);

  if (size > 0)
    memcpy (text, data, size);
  text[size] = '\0';
  return text;
}

void
tessera_fuzz_fail (const char *location,
                   const char *what)
{
  fprintf (stderr, "%s: property broken: %s\n", location, what);
  abort ();
}
