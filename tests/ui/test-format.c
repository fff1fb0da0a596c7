/* test-format.c: times, expiry flags, device names and fingerprints as the UI shows them
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "tessera-format.h"

static GDateTime *
now_utc (void)
{
  return g_date_time_new_utc (2026, 11, 26, 21, 58, 37);
}

static void
check_relative (GTimeSpan   offset,
                const char *expected)
{
  g_autoptr(GDateTime) now = now_utc ();
  g_autoptr(GDateTime) when = g_date_time_add (now, offset);
  g_autofree char *text = tessera_format_relative_time (when, now);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_relative_time (void)
{
  check_relative (-30 * G_TIME_SPAN_SECOND, "Just now");
  check_relative (-1 * G_TIME_SPAN_MINUTE, "1 minute ago");
  check_relative (-5 * G_TIME_SPAN_MINUTE, "5 minutes ago");
  check_relative (-2 * G_TIME_SPAN_HOUR, "2 hours ago");
  check_relative (-30 * G_TIME_SPAN_HOUR, "Yesterday");
  check_relative (-3 * G_TIME_SPAN_DAY, "3 days ago");
  check_relative (-90 * G_TIME_SPAN_DAY, "3 months ago");
  check_relative (-800 * G_TIME_SPAN_DAY, "2 years ago");
  /* The future is shown as such, never clamped to "now". */
  check_relative (2 * G_TIME_SPAN_DAY + G_TIME_SPAN_HOUR, "In 2 days");
  check_relative (10 * G_TIME_SPAN_MINUTE, "In 10 minutes");
}

static void
check_expiry (GTimeSpan           offset,
              TesseraExpiryState  state,
              const char         *text)
{
  g_autoptr(GDateTime) now = now_utc ();
  g_autoptr(GDateTime) not_after = g_date_time_add (now, offset);
  g_autofree char *shown = tessera_format_expiry (not_after, now);

  g_assert_cmpint (tessera_format_expiry_state (not_after, now), ==, state);
  if (text != NULL)
    g_assert_cmpstr (shown, ==, text);
}

static void
test_expiry (void)
{
  g_autoptr(GDateTime) now = now_utc ();
  g_autofree char *unknown = tessera_format_expiry (NULL, now);

  check_expiry (-G_TIME_SPAN_SECOND, TESSERA_EXPIRY_EXPIRED, "Expired");
  check_expiry (-30 * G_TIME_SPAN_DAY, TESSERA_EXPIRY_EXPIRED, "Expired");
  check_expiry (3 * G_TIME_SPAN_HOUR, TESSERA_EXPIRY_SOON, "Today");
  check_expiry (5 * G_TIME_SPAN_DAY + G_TIME_SPAN_HOUR, TESSERA_EXPIRY_SOON, "In 5 days");
  check_expiry (14 * G_TIME_SPAN_DAY, TESSERA_EXPIRY_SOON, "In 14 days");
  check_expiry (15 * G_TIME_SPAN_DAY, TESSERA_EXPIRY_VALID, NULL);
  check_expiry (365 * G_TIME_SPAN_DAY, TESSERA_EXPIRY_VALID, NULL);

  g_assert_cmpint (tessera_format_expiry_state (NULL, now), ==, TESSERA_EXPIRY_UNKNOWN);
  g_assert_cmpstr (unknown, ==, "Unknown");
}

/* The UI checks names with the core's one rule (tessera_enrollment_check_name(),
 * tested in tests/unit/test-enrollment.c); what it adds is the default name. */
static void
test_device_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fallback = tessera_format_default_device_name ();
  g_autofree char *checked = tessera_enrollment_check_name (fallback, &error);
  g_autofree char *hidden = NULL;

  g_assert_cmpstr (fallback, ==, g_get_host_name ());
  g_assert_no_error (error);
  g_assert_cmpstr (checked, ==, fallback);

  hidden = tessera_enrollment_check_name ("\xe2\x80\xae" "potpaL", &error);
  g_assert_null (hidden);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "U+202E"));
}

static void
test_fingerprint_lines (void)
{
  const char *fingerprint = "0a1854ae0b255e4b34e71bf6a79ba560df43e99f91fcbc2247f35fdbf74dea28";
  g_autofree char *lines = tessera_format_fingerprint_lines (fingerprint);

  g_assert_cmpstr (lines, ==,
                   "0A:18:54:AE:0B:25:5E:4B\n"
                   "34:E7:1B:F6:A7:9B:A5:60\n"
                   "DF:43:E9:9F:91:FC:BC:22\n"
                   "47:F3:5F:DB:F7:4D:EA:28");
}

static void
test_key_types (void)
{
  g_auto(GStrv) labels = tessera_format_key_type_labels ();

  g_assert_cmpuint (g_strv_length (labels), ==, 3);
  /* ECDSA P-256 comes first: the dialogs preselect position 0. */
  g_assert_cmpint (tessera_format_key_type_at (0), ==, TESSERA_KEY_TYPE_ECDSA_P256);
  g_assert_cmpstr (labels[0], ==, tessera_key_type_get_label (TESSERA_KEY_TYPE_ECDSA_P256));
  g_assert_cmpint (tessera_format_key_type_at (1), ==, TESSERA_KEY_TYPE_ED25519);
  g_assert_cmpint (tessera_format_key_type_at (2), ==, TESSERA_KEY_TYPE_RSA3072);
  g_assert_cmpint (tessera_format_key_type_at (99), ==, TESSERA_KEY_TYPE_ECDSA_P256);
}

static void
test_users (void)
{
  const char * const none[] = { NULL };
  const char * const two[] = { "laptop", "phone", NULL };
  g_autofree char *joined = tessera_format_users (two);

  g_assert_null (tessera_format_users (NULL));
  g_assert_null (tessera_format_users (none));
  g_assert_cmpstr (joined, ==, "laptop, phone");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/ui/format/relative-time", test_relative_time);
  g_test_add_func ("/tessera/ui/format/expiry", test_expiry);
  g_test_add_func ("/tessera/ui/format/device-name", test_device_name);
  g_test_add_func ("/tessera/ui/format/fingerprint-lines", test_fingerprint_lines);
  g_test_add_func ("/tessera/ui/format/key-types", test_key_types);
  g_test_add_func ("/tessera/ui/format/users", test_users);

  return g_test_run ();
}
