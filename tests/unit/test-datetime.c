/* test-datetime.c: tests of XEP-0082 DateTime parsing and formatting
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "tessera-datetime.h"

typedef struct
{
  const char *input;
  const char *utc;         /* tessera_datetime_format() of the result */
  int         microsecond;
  gint64      offset_s;    /* UTC offset the result keeps */
} ValidCase;

static const ValidCase valid_cases[] = {
  { "2026-11-26T21:58:37Z", "2026-11-26T21:58:37Z", 0, 0 },
  { "2026-11-26T21:58:37.5Z", "2026-11-26T21:58:37Z", 500000, 0 },
  { "2026-11-26T21:58:37.123456Z", "2026-11-26T21:58:37Z", 123456, 0 },
  { "2026-11-26T21:58:37.123Z", "2026-11-26T21:58:37Z", 123000, 0 },
  { "2026-11-26T21:58:37.1234567891Z", "2026-11-26T21:58:37Z", 123456, 0 },
  { "2026-11-26T21:58:37.000001Z", "2026-11-26T21:58:37Z", 1, 0 },
  { "2026-11-26T23:58:37+02:00", "2026-11-26T21:58:37Z", 0, 7200 },
  { "2026-11-26T16:28:37-05:30", "2026-11-26T21:58:37Z", 0, -19800 },
  { "2026-11-27T03:28:37.25+05:30", "2026-11-26T21:58:37Z", 250000, 19800 },
  { "2026-11-26T21:58:37-00:00", "2026-11-26T21:58:37Z", 0, 0 },
  { "2026-11-26T21:58:37+00:00", "2026-11-26T21:58:37Z", 0, 0 },
  /* Crossing midnight, a year and a leap day. */
  { "2027-01-01T01:00:00+02:00", "2026-12-31T23:00:00Z", 0, 7200 },
  { "2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z", 0, 0 },
  { "2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z", 0, 0 },
  /* Far future is kept as given. */
  { "2199-12-31T23:59:59Z", "2199-12-31T23:59:59Z", 0, 0 },
  { "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", 0, 0 },
  { "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59Z", 999999, 0 },
  /* Leap second stays inside its minute. */
  { "2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z", 999999, 0 },
  /* xs:dateTime collapses surrounding whitespace. */
  { "  2026-11-26T21:58:37Z\n", "2026-11-26T21:58:37Z", 0, 0 },
};

static const char *invalid_cases[] = {
  "",
  "   ",
  "garbage",
  "2026-11-26",
  "21:58:37Z",
  "2026-11-26T21:58:37",           /* missing zone */
  "2026-11-26T21:58Z",             /* missing seconds */
  "2026-11-26 21:58:37Z",          /* space instead of T */
  "2026-11-26t21:58:37Z",
  "2026-11-26T21:58:37z",
  "20261126T215837Z",              /* ISO 8601 basic format */
  "2026-W48-4T21:58:37Z",          /* week date */
  "2026-330T21:58:37Z",            /* ordinal date */
  "26-11-26T21:58:37Z",
  "+2026-11-26T21:58:37Z",
  "2026-1-26T21:58:37Z",
  "2026-11-26T1:58:37Z",
  "2026-00-26T21:58:37Z",
  "2026-13-26T21:58:37Z",
  "2026-11-00T21:58:37Z",
  "2026-11-31T21:58:37Z",
  "2026-02-29T21:58:37Z",          /* not a leap year */
  "1900-02-29T00:00:00Z",
  "0000-01-01T00:00:00Z",
  "2026-11-26T24:00:00Z",
  "2026-11-26T21:60:37Z",
  "2026-11-26T21:58:61Z",
  "2026-11-26T21:58:37.Z",         /* fraction without digits */
  "2026-11-26T21:58:37,5Z",
  "2026-11-26T21:58:37+2:00",
  "2026-11-26T21:58:37+0200",
  "2026-11-26T21:58:37+02",
  "2026-11-26T21:58:37+24:00",
  "2026-11-26T21:58:37+02:60",
  "2026-11-26T21:58:37ZZ",
  "2026-11-26T21:58:37Z trailing",
  "2026-11-26T21:58:37+02:00Z",
  "2026-11-26T21:58:37 Z",
  "2026-11-26T2a:58:37Z",
  "9999-12-31T23:59:59-05:00",     /* beyond year 9999 in UTC */
  "0001-01-01T00:00:00+01:00",     /* before year 1 in UTC */
};

static void
test_valid (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      const ValidCase *c = &valid_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GDateTime) dt = NULL;
      g_autofree char *formatted = NULL;

      g_test_message ("valid: %s", c->input);
      dt = tessera_datetime_parse (c->input, &error);
      g_assert_no_error (error);
      g_assert_nonnull (dt);
      formatted = tessera_datetime_format (dt);
      g_assert_cmpstr (formatted, ==, c->utc);
      g_assert_cmpint (g_date_time_get_microsecond (dt), ==, c->microsecond);
      g_assert_cmpint (g_date_time_get_utc_offset (dt) / G_TIME_SPAN_SECOND, ==, c->offset_s);
    }
}

static void
test_invalid (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDateTime) dt = NULL;

      g_test_message ("invalid: “%s”", invalid_cases[i]);
      dt = tessera_datetime_parse (invalid_cases[i], &error);
      g_assert_null (dt);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static void
test_null (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (tessera_datetime_parse (NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  /* No GError asked for: still a clean NULL. */
  g_assert_null (tessera_datetime_parse ("nope", NULL));
}

static void
test_same_instant (void)
{
  g_autoptr(GDateTime) a = tessera_datetime_parse ("2026-11-26T21:58:37Z", NULL);
  g_autoptr(GDateTime) b = tessera_datetime_parse ("2026-11-26T23:58:37+02:00", NULL);
  g_autoptr(GDateTime) c = tessera_datetime_parse ("2026-11-26T16:28:37-05:30", NULL);
  g_autoptr(GDateTime) d = tessera_datetime_parse ("2026-11-26T21:58:37.5Z", NULL);

  g_assert_true (g_date_time_equal (a, b));
  g_assert_true (g_date_time_equal (a, c));
  g_assert_cmpint (g_date_time_difference (d, a), ==, G_USEC_PER_SEC / 2);
}

static void
test_format (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (-3 * 3600);
  g_autoptr(GDateTime) local = g_date_time_new (tz, 2026, 1, 1, 1, 2, 3.75);
  g_autoptr(GDateTime) early = g_date_time_new_utc (7, 3, 4, 5, 6, 7);
  g_autoptr(GDateTime) back = NULL;
  g_autofree char *text = tessera_datetime_format (local);
  g_autofree char *early_text = tessera_datetime_format (early);

  g_assert_cmpstr (text, ==, "2026-01-01T04:02:03Z");
  g_assert_cmpstr (early_text, ==, "0007-03-04T05:06:07Z");

  /* Round trip through the parser, whole seconds. */
  back = tessera_datetime_parse (text, NULL);
  g_assert_nonnull (back);
  g_assert_cmpint (g_date_time_to_unix (back), ==, g_date_time_to_unix (local));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/datetime/valid", test_valid);
  g_test_add_func ("/tessera/datetime/invalid", test_invalid);
  g_test_add_func ("/tessera/datetime/null", test_null);
  g_test_add_func ("/tessera/datetime/same-instant", test_same_instant);
  g_test_add_func ("/tessera/datetime/format", test_format);

  return g_test_run ();
}
