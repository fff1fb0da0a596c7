/* fuzz-datetime.c: the XEP-0082 DateTime parser on hostile text
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a last-used attribute as a server could send it.
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "tessera-datetime.h"

#include "fuzz-common.h"

/* What was parsed formats to a DateTime that parses again, to the same
 * instant less the fraction of a second. */
static void
check_round_trip (GDateTime *dt)
{
  g_autofree char *text = tessera_datetime_format (dt);
  g_autoptr(GDateTime) again = NULL;
  g_autoptr(GError) error = NULL;

  tessera_fuzz_check (text != NULL && g_str_has_suffix (text, "Z") && strlen (text) == 20,
                      "format gives CCYY-MM-DDThh:mm:ssZ");
  again = tessera_datetime_parse (text, &error);
  tessera_fuzz_check (again != NULL, "a formatted DateTime parses");
  tessera_fuzz_check (g_date_time_to_unix (again) == g_date_time_to_unix (dt),
                      "format and parse keep the second");
  tessera_fuzz_check (g_date_time_get_microsecond (again) == 0, "format drops the fraction");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GError) error = NULL;

  tessera_fuzz_init ();

  text = tessera_fuzz_strndup (data, size);
  dt = tessera_datetime_parse (text, &error);
  tessera_fuzz_check ((dt == NULL) != (error == NULL), "a DateTime or an error");
  if (dt == NULL)
    {
      tessera_fuzz_check (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA),
                          "errors are G_IO_ERROR_INVALID_DATA");
      tessera_fuzz_check (g_utf8_validate (error->message, -1, NULL), "the message is valid UTF-8");
      return 0;
    }

  tessera_fuzz_check (g_date_time_get_year (dt) >= 1 && g_date_time_get_year (dt) <= 9999,
                      "the year is 1 to 9999");
  check_round_trip (dt);
  return 0;
}
