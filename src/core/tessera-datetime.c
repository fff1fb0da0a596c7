/* tessera-datetime.c: XEP-0082 DateTime parsing and formatting
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-datetime"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "tessera-datetime.h"

/* g_date_time_new_from_iso8601() is not used on purpose: it also takes week
 * and ordinal dates, missing separators and a missing zone (read as local
 * time), none of which is an XEP-0082 DateTime. */

typedef struct
{
  int  year, month, day;
  int  hour, minute, second;
  int  microsecond;
  int  offset_seconds;
  gboolean utc;
} Fields;

static gboolean
fail (GError     **error,
      const char  *why)
{
  /* Translators: "<what failed>: <why>", about a timestamp a server sent */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("Reading the date and time failed: %s"), why);
  return FALSE;
}

static gboolean
read_number (const char **p,
             guint        digits,
             int         *value)
{
  guint i;

  *value = 0;
  for (i = 0; i < digits; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      *value = *value * 10 + ((*p)[i] - '0');
    }
  *p += digits;
  return TRUE;
}

static gboolean
expect (const char **p,
        char         c)
{
  if (**p != c)
    return FALSE;
  (*p)++;
  return TRUE;
}

/* ".d+": the first six digits are kept, the rest only validated. */
static gboolean
read_fraction (const char **p,
               int         *microsecond)
{
  guint n = 0;

  *microsecond = 0;
  if (!expect (p, '.'))
    return TRUE;
  while (g_ascii_isdigit (**p))
    {
      if (n < 6)
        *microsecond = *microsecond * 10 + (**p - '0');
      n++;
      (*p)++;
    }
  if (n == 0)
    return FALSE;
  for (; n < 6; n++)
    *microsecond *= 10;
  return TRUE;
}

static gboolean
read_zone (const char  **p,
           Fields       *f,
           GError      **error)
{
  int sign, hh, mm;

  if (expect (p, 'Z'))
    {
      f->utc = TRUE;
      return TRUE;
    }
  if (**p != '+' && **p != '-')
    return fail (error, _("the time zone is missing (expected “Z” or “±hh:mm”)"));
  sign = **p == '-' ? -1 : 1;
  (*p)++;
  if (!read_number (p, 2, &hh) || !expect (p, ':') || !read_number (p, 2, &mm))
    return fail (error, _("the time zone offset is not “±hh:mm”"));
  if (hh > 23 || mm > 59)
    return fail (error, _("the time zone offset is out of range"));
  f->offset_seconds = sign * (hh * 3600 + mm * 60);
  return TRUE;
}

static gboolean
read_fields (const char  *p,
             Fields      *f,
             GError     **error)
{
  if (!read_number (&p, 4, &f->year) || !expect (&p, '-') ||
      !read_number (&p, 2, &f->month) || !expect (&p, '-') ||
      !read_number (&p, 2, &f->day))
    return fail (error, _("the date is not “YYYY-MM-DD”"));
  if (!expect (&p, 'T'))
    return fail (error, _("the date is not followed by “T” and a time"));
  if (!read_number (&p, 2, &f->hour) || !expect (&p, ':') ||
      !read_number (&p, 2, &f->minute) || !expect (&p, ':') ||
      !read_number (&p, 2, &f->second))
    return fail (error, _("the time is not “hh:mm:ss”"));
  if (!read_fraction (&p, &f->microsecond))
    return fail (error, _("the fraction of a second has no digits"));
  if (!read_zone (&p, f, error))
    return FALSE;
  if (*p != '\0')
    return fail (error, _("there is text after the time zone"));
  return TRUE;
}

static gboolean
check_ranges (Fields  *f,
              GError **error)
{
  if (f->year < 1 || f->month < 1 || f->month > 12 || f->day < 1 ||
      f->day > g_date_get_days_in_month ((GDateMonth) f->month, (GDateYear) f->year))
    return fail (error, _("the date does not exist"));
  if (f->hour > 23 || f->minute > 59 || f->second > 60)
    return fail (error, _("the time of day is out of range"));
  if (f->second == 60)
    {
      /* A leap second: GDateTime has none, keep it inside the same minute. */
      f->second = 59;
      f->microsecond = G_USEC_PER_SEC - 1;
    }
  return TRUE;
}

GDateTime *
tessera_datetime_parse (const char  *text,
                        GError     **error)
{
  g_autofree char *copy = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) whole = NULL;
  g_autoptr(GDateTime) utc = NULL;
  Fields f = { 0 };

  if (text == NULL)
    {
      fail (error, _("it is empty"));
      return NULL;
    }
  /* xs:dateTime collapses surrounding whitespace. */
  copy = g_strstrip (g_strdup (text));
  if (*copy == '\0')
    {
      fail (error, _("it is empty"));
      return NULL;
    }
  if (!read_fields (copy, &f, error) || !check_ranges (&f, error))
    return NULL;

  tz = f.utc ? g_time_zone_new_utc () : g_time_zone_new_offset (f.offset_seconds);
  whole = g_date_time_new (tz, f.year, f.month, f.day, f.hour, f.minute, f.second);
  /* The same instant in UTC must exist too (year 1 to 9999), so that
   * formatting and comparing never meet a NULL. */
  utc = whole != NULL ? g_date_time_to_utc (whole) : NULL;
  if (utc == NULL)
    {
      fail (error, _("it is outside the supported range of years"));
      return NULL;
    }
  return g_date_time_add (whole, f.microsecond);
}

char *
tessera_datetime_format (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = NULL;

  g_return_val_if_fail (dt != NULL, NULL);

  utc = g_date_time_to_utc (dt);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ",
                          g_date_time_get_year (utc),
                          g_date_time_get_month (utc),
                          g_date_time_get_day_of_month (utc),
                          g_date_time_get_hour (utc),
                          g_date_time_get_minute (utc),
                          g_date_time_get_second (utc));
}
