/* tessera-format.c: human-readable times, expiry states and resource lists
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-cert-protocol.h"
#include "tessera-format.h"

#define MINUTE (60)
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)
#define MONTH  (30 * DAY)
#define YEAR   (365 * DAY)

static char *
format_past (gint64 seconds)
{
  int n;

  if (seconds < HOUR)
    {
      n = (int) (seconds / MINUTE);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", n), n);
    }
  if (seconds < DAY)
    {
      n = (int) (seconds / HOUR);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", n), n);
    }
  if (seconds < 2 * DAY)
    return g_strdup (_("Yesterday"));
  if (seconds < MONTH)
    {
      n = (int) (seconds / DAY);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", n), n);
    }
  if (seconds < YEAR)
    {
      n = (int) (seconds / MONTH);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d month ago", "%d months ago", n), n);
    }
  n = (int) (seconds / YEAR);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year ago", "%d years ago", n), n);
}

static char *
format_future (gint64 seconds)
{
  int n;

  if (seconds < HOUR)
    {
      n = (int) (seconds / MINUTE);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "In %d minute", "In %d minutes", n), n);
    }
  if (seconds < DAY)
    {
      n = (int) (seconds / HOUR);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "In %d hour", "In %d hours", n), n);
    }
  if (seconds < YEAR)
    {
      n = (int) (seconds / DAY);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "In %d day", "In %d days", n), n);
    }
  n = (int) (seconds / YEAR);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "In %d year", "In %d years", n), n);
}

/* The local time zone, looked up once a minute at most: GLib 2.74's
 * g_time_zone_new_local() checks /etc/localtime on every call (a stat()),
 * which was most of the cost of formatting a list's dates. A change of the
 * zone is still picked up, within a minute. */
#define LOCAL_ZONE_MAX_AGE (60 * G_USEC_PER_SEC)

static GTimeZone *
local_zone (void)
{
  static GTimeZone *zone;
  static gint64 looked_up;
  G_LOCK_DEFINE_STATIC (zone);
  gint64 now = g_get_monotonic_time ();
  GTimeZone *result;

  G_LOCK (zone);
  if (zone == NULL || now - looked_up > LOCAL_ZONE_MAX_AGE)
    {
      g_clear_pointer (&zone, g_time_zone_unref);
      zone = g_time_zone_new_local ();
      looked_up = now;
    }
  result = g_time_zone_ref (zone);
  G_UNLOCK (zone);

  return result;
}

static GDateTime *
to_local (GDateTime *when)
{
  g_autoptr(GTimeZone) zone = local_zone ();

  return g_date_time_to_timezone (when, zone);
}

/**
 * tessera_format_relative_time:
 * @when: the time to describe
 * @now: (nullable): the reference time, %NULL for the current time
 *
 * Describes @when relative to @now: "3 days ago", "In 2 hours". A time in
 * the future is described as such, never clamped to "now".
 *
 * Returns: (transfer full): the text
 */
char *
tessera_format_relative_time (GDateTime *when,
                              GDateTime *now)
{
  g_autoptr(GDateTime) local_now = NULL;
  gint64 seconds;

  g_return_val_if_fail (when != NULL, NULL);

  if (now == NULL)
    now = local_now = g_date_time_new_now_utc ();

  seconds = g_date_time_difference (now, when) / G_TIME_SPAN_SECOND;

  if (seconds > -MINUTE && seconds < MINUTE)
    return g_strdup (_("Just now"));
  if (seconds > 0)
    return format_past (seconds);
  return format_future (-seconds);
}

/**
 * tessera_format_exact_time:
 * @when: a time
 *
 * Returns: (transfer full): @when in local time, to the second, with its zone
 */
char *
tessera_format_exact_time (GDateTime *when)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (when != NULL, NULL);

  local = to_local (when);
  /* Translators: an exact date and time, see g_date_time_format() */
  return g_date_time_format (local, _("%B %-d, %Y, %H:%M:%S %Z"));
}

/**
 * tessera_format_date:
 * @when: a time
 *
 * Returns: (transfer full): the local date of @when, e.g. "Nov 26, 2027"
 */
char *
tessera_format_date (GDateTime *when)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (when != NULL, NULL);

  local = to_local (when);
  /* Translators: a short date, see g_date_time_format() */
  return g_date_time_format (local, _("%b %-d, %Y"));
}

/**
 * tessera_format_expiry_state:
 * @not_after: (nullable): the end of a certificate's validity
 * @now: (nullable): the reference time, %NULL for the current time
 *
 * Returns: whether the certificate expired, expires within
 *   %TESSERA_EXPIRY_WARNING_DAYS days, or is fine
 */
TesseraExpiryState
tessera_format_expiry_state (GDateTime *not_after,
                             GDateTime *now)
{
  g_autoptr(GDateTime) local_now = NULL;
  GTimeSpan left;

  if (not_after == NULL)
    return TESSERA_EXPIRY_UNKNOWN;

  if (now == NULL)
    now = local_now = g_date_time_new_now_utc ();

  left = g_date_time_difference (not_after, now);
  if (left <= 0)
    return TESSERA_EXPIRY_EXPIRED;
  if (left <= TESSERA_EXPIRY_WARNING_DAYS * G_TIME_SPAN_DAY)
    return TESSERA_EXPIRY_SOON;
  return TESSERA_EXPIRY_VALID;
}

/**
 * tessera_format_expiry:
 * @not_after: (nullable): the end of a certificate's validity
 * @now: (nullable): the reference time, %NULL for the current time
 *
 * Returns: (transfer full): "Expired", "In 3 days" for a certificate about
 *   to expire, the date otherwise, "Unknown" without a date
 */
char *
tessera_format_expiry (GDateTime *not_after,
                       GDateTime *now)
{
  g_autoptr(GDateTime) local_now = NULL;
  GTimeSpan left;
  int days;

  if (now == NULL)
    now = local_now = g_date_time_new_now_utc ();

  switch (tessera_format_expiry_state (not_after, now))
    {
    case TESSERA_EXPIRY_UNKNOWN:
      return g_strdup (_("Unknown"));

    case TESSERA_EXPIRY_EXPIRED:
      return g_strdup (_("Expired"));

    case TESSERA_EXPIRY_SOON:
      left = g_date_time_difference (not_after, now);
      days = (int) (left / G_TIME_SPAN_DAY);
      if (days < 1)
        return g_strdup (_("Today"));
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "In %d day", "In %d days", days), days);

    case TESSERA_EXPIRY_VALID:
    default:
      return tessera_format_date (not_after);
    }
}

/**
 * tessera_format_users:
 * @users: (nullable): resources whose session uses a certificate
 *
 * Returns: (transfer full) (nullable): the resources separated by commas,
 *   %NULL when there are none
 */
char *
tessera_format_users (const char * const *users)
{
  if (users == NULL || users[0] == NULL)
    return NULL;

  return g_strjoinv (", ", (char **) users);
}

/* The key types offered, in order; the first is the default. */
static const TesseraKeyType key_types[] = {
  TESSERA_KEY_TYPE_ECDSA_P256,
  TESSERA_KEY_TYPE_ED25519,
  TESSERA_KEY_TYPE_RSA3072,
};

/**
 * tessera_format_key_type_labels:
 *
 * Returns: (transfer full): the labels of the key types offered, the
 *   recommended one first; tessera_format_key_type_at() maps a position back
 */
/**
 * tessera_format_error_fingerprint:
 * @error: an error of a failed connection
 *
 * The core reports a refused server certificate as
 * %TESSERA_XMPP_ERROR_TLS_CERTIFICATE with its SHA-256 fingerprint only in
 * the (translated) message, "… (SHA-256 <64 hex digits>)": it carries no
 * extended error data. So this takes the one run of exactly 64 hex digits
 * in the message, which no translation changes, and nothing when there is
 * none or more than one.
 *
 * Returns: (transfer full) (nullable): the server certificate's
 *   fingerprint, 64 lowercase hex digits
 */
char *
tessera_format_error_fingerprint (const GError *error)
{
  g_autofree char *found = NULL;
  const char *p;

  if (!g_error_matches (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_TLS_CERTIFICATE))
    return NULL;

  for (p = error->message; *p != '\0';)
    {
      gsize run = 0;

      while (g_ascii_isxdigit (p[run]))
        run++;
      if (run == TESSERA_FINGERPRINT_HEX_LEN)
        {
          if (found != NULL)
            return NULL;
          found = g_ascii_strdown (p, run);
        }
      p += run > 0 ? run : 1;
    }

  return g_steal_pointer (&found);
}

/**
 * tessera_format_certificate_error:
 * @error: an error of a failed connection
 * @pinned: (nullable): the fingerprint the account pins, normalized
 *
 * Returns: (transfer full) (nullable): when the server presented another
 *   certificate than the pinned one, a message with both fingerprints;
 *   %NULL for any other error
 */
char *
tessera_format_certificate_error (const GError *error,
                                  const char   *pinned)
{
  g_autofree char *presented = tessera_format_error_fingerprint (error);
  g_autofree char *old_lines = NULL;
  g_autofree char *new_lines = NULL;

  if (presented == NULL || pinned == NULL || g_str_equal (presented, pinned))
    return NULL;

  old_lines = tessera_format_fingerprint_lines (pinned);
  new_lines = tessera_format_fingerprint_lines (presented);
  return g_strdup_printf (_("The server’s certificate changed: it is not the one pinned for this account, "
                            "so Tessera did not connect.\n\n"
                            "Pinned (SHA-256):\n%s\n\n"
                            "The server now shows (SHA-256):\n%s\n\n"
                            "If the server’s administrator confirms the new certificate, "
                            "clear the pinned fingerprint under Advanced in the account settings and connect again."),
                          old_lines, new_lines);
}

GStrv
tessera_format_key_type_labels (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    g_strv_builder_add (builder, tessera_key_type_get_label (key_types[i]));
  return g_strv_builder_end (builder);
}

TesseraKeyType
tessera_format_key_type_at (guint position)
{
  if (position >= G_N_ELEMENTS (key_types))
    return key_types[0];
  return key_types[position];
}

/**
 * tessera_format_default_device_name:
 *
 * Returns: (transfer full): the name suggested for this device: its host name
 */
char *
tessera_format_default_device_name (void)
{
  char *host = tessera_enrollment_check_name (g_get_host_name (), NULL);

  /* A host name the device-name rule refuses is not offered. */
  return host != NULL ? host : g_strdup (_("This computer"));
}

/**
 * tessera_format_fingerprint_lines:
 * @fingerprint: 64 lowercase hex digits
 *
 * Returns: (transfer full): "AB:CD:…" in four lines of eight bytes, easy
 *   to compare by eye
 */
char *
tessera_format_fingerprint_lines (const char *fingerprint)
{
  g_autofree char *colons = tessera_fingerprint_format (fingerprint,
                                                        TESSERA_FINGERPRINT_UPPER | TESSERA_FINGERPRINT_COLONS);
  GString *lines = g_string_new (NULL);
  guint bytes = 0;

  for (const char *p = colons; *p != '\0'; p++)
    {
      if (*p == ':' && ++bytes % 8 == 0)
        g_string_append_c (lines, '\n');
      else
        g_string_append_c (lines, *p);
    }
  return g_string_free (lines, FALSE);
}
