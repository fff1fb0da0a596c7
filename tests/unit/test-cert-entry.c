/* test-cert-entry.c: tests of the listed-certificate object
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-cert-entry.h"
#include "tessera-datetime.h"

/* sha256sum of well-known inputs, independent of the code under test. */
#define SHA256_EMPTY       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_HELLO_WORLD "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"

static GBytes *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "unit", "data", "protocol", name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static char *
load_sha256 (const char *der_name)
{
  g_autofree char *name = g_strconcat (der_name, ".sha256", NULL);
  g_autoptr(GBytes) bytes = load_fixture (name);
  char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return g_strstrip (text);
}

static void
test_readable (void)
{
  const char *users[] = { "Phone", "Tablet", NULL };
  g_autoptr(GBytes) der = load_fixture ("cert-a.der");
  g_autofree char *sha = load_sha256 ("cert-a.der");
  g_autoptr(GDateTime) when = tessera_datetime_parse ("2026-11-26T23:58:37+02:00", NULL);
  g_autoptr(GDateTime) expected_not_after = g_date_time_new_utc (2036, 1, 1, 0, 0, 0);
  TesseraCertEntry *entry;
  TesseraCertificate *cert;
  GDateTime *not_after;

  entry = tessera_cert_entry_new ("Phone", der, TESSERA_LAST_USED_AT, when, users, "ccm2");
  g_assert_cmpstr (tessera_cert_entry_get_name (entry), ==, "Phone");
  g_assert_true (g_bytes_equal (tessera_cert_entry_get_der (entry), der));
  g_assert_cmpstr (tessera_cert_entry_get_fingerprint (entry), ==, sha);
  g_assert_true (tessera_cert_entry_get_readable (entry));
  cert = tessera_cert_entry_get_certificate (entry);
  g_assert_nonnull (cert);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (cert), ==, sha);
  g_assert_cmpint (tessera_cert_entry_get_last_used_state (entry), ==, TESSERA_LAST_USED_AT);
  g_assert_true (g_date_time_equal (tessera_cert_entry_get_last_used (entry), when));
  not_after = tessera_cert_entry_get_not_after (entry);
  g_assert_nonnull (not_after);
  g_assert_true (g_date_time_equal (not_after, expected_not_after));
  g_assert_cmpstrv (tessera_cert_entry_get_users (entry), users);
  g_assert_cmpstr (tessera_cert_entry_get_protocol (entry), ==, "ccm2");

  g_assert_finalize_object (entry);
}

static void
test_properties (void)
{
  const char *users[] = { "Desk", NULL };
  g_autoptr(GBytes) der = load_fixture ("cert-b.der");
  g_autofree char *sha = load_sha256 ("cert-b.der");
  g_autoptr(GDateTime) when = g_date_time_new_utc (2026, 11, 26, 21, 58, 37);
  g_autoptr(GDateTime) last_used = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autofree char *name = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *protocol = NULL;
  g_auto(GStrv) users_prop = NULL;
  g_autoptr(TesseraCertificate) cert = NULL;
  TesseraCertEntry *entry;
  gboolean readable = FALSE;
  int state = -1;

  entry = tessera_cert_entry_new ("Laptop", der, TESSERA_LAST_USED_AT, when, users, "xep0257");
  g_object_get (entry,
                "name", &name,
                "fingerprint", &fingerprint,
                "last-used", &last_used,
                "last-used-state", &state,
                "not-after", &not_after,
                "readable", &readable,
                "users", &users_prop,
                "protocol", &protocol,
                "certificate", &cert,
                NULL);
  g_assert_cmpstr (name, ==, "Laptop");
  g_assert_cmpstr (fingerprint, ==, sha);
  g_assert_true (g_date_time_equal (last_used, when));
  g_assert_cmpint (state, ==, TESSERA_LAST_USED_AT);
  g_assert_nonnull (not_after);
  g_assert_true (readable);
  g_assert_cmpstrv (users_prop, users);
  g_assert_cmpstr (protocol, ==, "xep0257");
  g_assert_true (cert == tessera_cert_entry_get_certificate (entry));
  g_clear_object (&cert);

  g_assert_finalize_object (entry);
}

static void
test_properties_read_only (void)
{
  const char *names[] = { "name", "fingerprint", "last-used", "last-used-state", "not-after",
                          "readable", "users", "protocol", "certificate", NULL };
  g_autoptr(GTypeClass) klass = g_type_class_ref (TESSERA_TYPE_CERT_ENTRY);
  gsize i;

  for (i = 0; names[i] != NULL; i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), names[i]);

      g_test_message ("property %s", names[i]);
      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_READABLE);
      g_assert_false (pspec->flags & G_PARAM_WRITABLE);
    }
  g_assert_true (G_IS_PARAM_SPEC_BOXED (g_object_class_find_property (G_OBJECT_CLASS (klass), "last-used")));
  g_assert_cmpuint (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (G_OBJECT_CLASS (klass), "not-after")),
                    ==, G_TYPE_DATE_TIME);
  g_assert_cmpuint (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (G_OBJECT_CLASS (klass), "users")),
                    ==, G_TYPE_STRV);
}

static void
test_unreadable (void)
{
  g_autoptr(GBytes) junk = g_bytes_new_static ("hello world", 11);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) full = load_fixture ("cert-a.der");
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (full, 0, g_bytes_get_size (full) - 10);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  TesseraCertEntry *a = tessera_cert_entry_new ("Junk", junk, TESSERA_LAST_USED_NEVER, NULL, NULL, "ccm2");
  TesseraCertEntry *b = tessera_cert_entry_new ("Empty", empty, TESSERA_LAST_USED_NEVER, NULL, NULL, "ccm2");
  TesseraCertEntry *c = tessera_cert_entry_new ("Cut", truncated, TESSERA_LAST_USED_NEVER, NULL, NULL, "ccm2");
  gboolean readable = TRUE;
  g_autoptr(GDateTime) not_after = NULL;

  g_assert_false (tessera_cert_entry_get_readable (a));
  g_assert_null (tessera_cert_entry_get_certificate (a));
  g_assert_null (tessera_cert_entry_get_not_after (a));
  g_assert_cmpstr (tessera_cert_entry_get_fingerprint (a), ==, SHA256_HELLO_WORLD);
  g_assert_cmpstr (tessera_cert_entry_get_name (a), ==, "Junk");
  g_object_get (a, "readable", &readable, "not-after", &not_after, NULL);
  g_assert_false (readable);
  g_assert_null (not_after);

  g_assert_false (tessera_cert_entry_get_readable (b));
  g_assert_cmpstr (tessera_cert_entry_get_fingerprint (b), ==, SHA256_EMPTY);

  /* A cut certificate is unreadable; its fingerprint is of the bytes it has. */
  g_assert_false (tessera_cert_entry_get_readable (c));
  g_checksum_update (checksum, g_bytes_get_data (truncated, NULL), (gssize) g_bytes_get_size (truncated));
  g_assert_cmpstr (tessera_cert_entry_get_fingerprint (c), ==, g_checksum_get_string (checksum));

  g_assert_finalize_object (a);
  g_assert_finalize_object (b);
  g_assert_finalize_object (c);
}

static void
test_last_used_states (void)
{
  g_autoptr(GBytes) der = load_fixture ("cert-a.der");
  g_autoptr(GDateTime) when = g_date_time_new_utc (2199, 1, 1, 0, 0, 0);
  TesseraCertEntry *never = tessera_cert_entry_new ("n", der, TESSERA_LAST_USED_NEVER, when, NULL, "ccm2");
  TesseraCertEntry *unknown = tessera_cert_entry_new ("u", der, TESSERA_LAST_USED_UNKNOWN, when, NULL, "ccm2");
  TesseraCertEntry *at_null = tessera_cert_entry_new ("a", der, TESSERA_LAST_USED_AT, NULL, NULL, "ccm2");
  TesseraCertEntry *future = tessera_cert_entry_new ("f", der, TESSERA_LAST_USED_AT, when, NULL, "ccm2");
  g_autoptr(GDateTime) prop = NULL;

  /* A time only travels with AT; AT without one is not "never". */
  g_assert_cmpint (tessera_cert_entry_get_last_used_state (never), ==, TESSERA_LAST_USED_NEVER);
  g_assert_null (tessera_cert_entry_get_last_used (never));
  g_assert_cmpint (tessera_cert_entry_get_last_used_state (unknown), ==, TESSERA_LAST_USED_UNKNOWN);
  g_assert_null (tessera_cert_entry_get_last_used (unknown));
  g_assert_cmpint (tessera_cert_entry_get_last_used_state (at_null), ==, TESSERA_LAST_USED_UNKNOWN);
  g_assert_null (tessera_cert_entry_get_last_used (at_null));
  /* The future is kept as given. */
  g_assert_cmpint (tessera_cert_entry_get_last_used_state (future), ==, TESSERA_LAST_USED_AT);
  g_assert_true (g_date_time_equal (tessera_cert_entry_get_last_used (future), when));
  g_object_get (never, "last-used", &prop, NULL);
  g_assert_null (prop);

  g_assert_finalize_object (never);
  g_assert_finalize_object (unknown);
  g_assert_finalize_object (at_null);
  g_assert_finalize_object (future);
}

static void
test_defaults_and_copies (void)
{
  char *users[] = { g_strdup ("Phone"), NULL };
  const char * const empty[] = { NULL };
  g_autoptr(GBytes) der = load_fixture ("cert-b.der");
  TesseraCertEntry *no_name = tessera_cert_entry_new (NULL, der, TESSERA_LAST_USED_UNKNOWN, NULL, NULL, "ccm2");
  TesseraCertEntry *copied = tessera_cert_entry_new ("x", der, TESSERA_LAST_USED_UNKNOWN, NULL,
                                                     (const char * const *) users, "ccm2");
  g_auto(GStrv) users_prop = NULL;

  g_assert_cmpstr (tessera_cert_entry_get_name (no_name), ==, "");
  g_assert_nonnull (tessera_cert_entry_get_users (no_name));
  g_assert_cmpstrv (tessera_cert_entry_get_users (no_name), empty);
  g_object_get (no_name, "users", &users_prop, NULL);
  g_assert_nonnull (users_prop);
  g_assert_cmpuint (g_strv_length (users_prop), ==, 0);

  /* The entry owns its own copy of the caller's array. */
  g_free (users[0]);
  users[0] = g_strdup ("Changed");
  g_assert_cmpstr (tessera_cert_entry_get_users (copied)[0], ==, "Phone");
  g_free (users[0]);

  g_assert_finalize_object (no_name);
  g_assert_finalize_object (copied);
}

static gpointer
create_in_thread (gpointer data)
{
  GBytes *der = data;

  return tessera_cert_entry_new ("Threaded", der, TESSERA_LAST_USED_NEVER, NULL, NULL, "ccm2");
}

/* Made on a worker thread, read on the main thread, as the session does. */
static void
test_thread_handoff (void)
{
  g_autoptr(GBytes) der = load_fixture ("cert-a.der");
  g_autofree char *sha = load_sha256 ("cert-a.der");
  GThread *thread = g_thread_new ("entry", create_in_thread, der);
  TesseraCertEntry *entry = g_thread_join (thread);

  g_assert_true (tessera_cert_entry_get_readable (entry));
  g_assert_cmpstr (tessera_cert_entry_get_fingerprint (entry), ==, sha);
  g_assert_finalize_object (entry);
}

/* The stale rule at its edges: "more than" 30 days since issue for a
 * never-used certificate, 90 since the last use; unknown and unreadable
 * entries are never stale. cert-a.der was issued 2026-01-01T00:00:00Z. */
static void
test_stale (void)
{
  g_autoptr(GBytes) der = load_fixture ("cert-a.der");
  g_autoptr(GBytes) junk = g_bytes_new_static ("junk", 4);
  g_autoptr(GDateTime) issued = NULL;
  g_autoptr(GDateTime) day30 = NULL;
  g_autoptr(GDateTime) day30_plus = NULL;
  g_autoptr(GDateTime) used = g_date_time_new_utc (2026, 3, 1, 0, 0, 0);
  g_autoptr(GDateTime) used_90 = g_date_time_add_days (used, 90);
  g_autoptr(GDateTime) used_90_plus = g_date_time_add_seconds (used_90, 1);
  g_autoptr(TesseraCertEntry) never = tessera_cert_entry_new ("A", der, TESSERA_LAST_USED_NEVER, NULL, NULL, "ccm2");
  g_autoptr(TesseraCertEntry) at = tessera_cert_entry_new ("B", der, TESSERA_LAST_USED_AT, used, NULL, "ccm2");
  g_autoptr(TesseraCertEntry) unknown = tessera_cert_entry_new ("C", der, TESSERA_LAST_USED_UNKNOWN, NULL, NULL,
                                                                "ccm2");
  g_autoptr(TesseraCertEntry) unreadable = tessera_cert_entry_new ("D", junk, TESSERA_LAST_USED_NEVER, NULL, NULL,
                                                                   "ccm2");
  g_autoptr(GDateTime) far = g_date_time_new_utc (2030, 1, 1, 0, 0, 0);

  issued = g_date_time_ref (tessera_cert_entry_get_not_before (never));
  g_assert_nonnull (issued);
  day30 = g_date_time_add_days (issued, TESSERA_STALE_NEVER_USED_DAYS);
  day30_plus = g_date_time_add_seconds (day30, 1);

  g_assert_false (tessera_cert_entry_is_stale (never, issued));
  g_assert_false (tessera_cert_entry_is_stale (never, day30));
  g_assert_true (tessera_cert_entry_is_stale (never, day30_plus));

  g_assert_false (tessera_cert_entry_is_stale (at, used_90));
  g_assert_true (tessera_cert_entry_is_stale (at, used_90_plus));

  g_assert_false (tessera_cert_entry_is_stale (unknown, far));
  g_assert_null (tessera_cert_entry_get_not_before (unreadable));
  g_assert_false (tessera_cert_entry_is_stale (unreadable, far));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/cert-entry/readable", test_readable);
  g_test_add_func ("/tessera/cert-entry/properties", test_properties);
  g_test_add_func ("/tessera/cert-entry/properties-read-only", test_properties_read_only);
  g_test_add_func ("/tessera/cert-entry/unreadable", test_unreadable);
  g_test_add_func ("/tessera/cert-entry/last-used-states", test_last_used_states);
  g_test_add_func ("/tessera/cert-entry/defaults-and-copies", test_defaults_and_copies);
  g_test_add_func ("/tessera/cert-entry/thread-handoff", test_thread_handoff);
  g_test_add_func ("/tessera/cert-entry/stale", test_stale);

  return g_test_run ();
}
