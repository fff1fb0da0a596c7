/* test-hostile-timing.c: silence, dropped connections and stream errors, and a Unicode JID
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "hostile-common.h"
#include "tessera-core.h"

/* The misbehaving Prosody (see test-hostile-replies.c) stays silent, drops
 * the connection or ends the stream with an error, before or after mod_ccm2
 * did what was asked. Each run must end within its deadline (--timeout 3)
 * plus a second, change nothing it cannot stand behind, and a later run
 * must finish what was left: the same request again, no second certificate
 * on the server, no key lost. */

#define TIMEOUT 3
#define UNICODE_USER "jürgen"

static const char *unicode_server[] = { "--user", UNICODE_USER, NULL };

typedef HostileFixture Fixture;

/* A successful list: the device remembers the account, so that later
 * snapshots see no change from that. */
static void
remember_account (Fixture       *f,
                  TesseraTestDevice *device)
{
  g_auto(HostileRun) run = { 0 };

  hostile_server_script (f->server, "");
  hostile_cli (f->server, device, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
}

static void
assert_in_time (HostileRun *run,
                double      deadline)
{
  g_assert_cmpfloat (run->seconds, >=, deadline - 1);
  g_assert_cmpfloat (run->seconds, <=, deadline + 1);
}

/* ---- 7. a reply that never comes -------------------------------------- */

static void
test_list_no_reply (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_auto(HostileRun) run = { 0 };

  remember_account (f, &f->a);
  before = hostile_device_snapshot (&f->a);
  hostile_server_script (f->server, "list=silent\n");
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_TEMPFAIL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "timeout");
  hostile_assert_contains (hostile_run_error_message (&run), "did not answer in time");
  assert_in_time (&run, TIMEOUT);
  g_assert_cmpuint (hostile_server_count (f->server, "list"), ==, 1);
  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, FALSE);
}

/* The key folder of the one key of @device for the server's account. */
static char *
only_key_dir (Fixture       *f,
              TesseraTestDevice *device)
{
  const char *jid = tessera_test_server_get_jid (f->server);
  g_autoptr(GPtrArray) ids = hostile_device_key_ids (device, jid);
  g_autofree char *account_dir = hostile_device_account_dir (device, jid);

  g_assert_cmpuint (ids->len, ==, 1);
  if (ids->len != 1)
    return NULL;
  return g_build_filename (account_dir, g_ptr_array_index (ids, 0), NULL);
}

/* After an enroll that did not finish: the key and its request are on
 * disk, no certificate. The next run (with the server behaving) sends the
 * same request once; the server then holds exactly @expected certificates
 * and one of them is this device's. */
static void
check_enroll_finished_later (Fixture *f,
                             guint    expected)
{
  g_autofree char *key_dir = only_key_dir (f, &f->a);
  g_autofree char *request = NULL;
  g_autofree char *key = NULL;
  g_autofree char *request_after = NULL;
  g_autofree char *key_after = NULL;
  g_autofree char *certificate = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(TesseraCertificate) stored = NULL;
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };

  HOSTILE_RETURN_IF_FAILED ();
  certificate = hostile_read_file (key_dir, "certificate.pem");
  g_assert_null (certificate);
  request = hostile_read_file (key_dir, "request.der");
  key = hostile_read_file (key_dir, "key.pem");
  g_assert_nonnull (request);
  g_assert_nonnull (key);

  hostile_server_script (f->server, "");
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_cmpuint (hostile_server_count (f->server, "add"), ==, 1);
  hostile_assert_contains (run.err, "is now stored");

  request_after = hostile_read_file (key_dir, "request.der");
  key_after = hostile_read_file (key_dir, "key.pem");
  g_assert_cmpstr (request_after, ==, request);
  g_assert_cmpstr (key_after, ==, key);
  certificate = hostile_read_file (key_dir, "certificate.pem");
  g_assert_nonnull (certificate);
  HOSTILE_RETURN_IF_FAILED ();
  pem = g_bytes_new (certificate, strlen (certificate));
  stored = tessera_certificate_new_from_pem (pem, NULL);
  g_assert_nonnull (stored);
  HOSTILE_RETURN_IF_FAILED ();

  truth = hostile_fixture_server_truth (f);
  g_assert_cmpuint (json_array_get_length (truth), ==, expected);
  g_assert_nonnull (hostile_find_certificate (truth, tessera_certificate_get_fingerprint (stored)));
}

/* mod_ccm2 issues the certificate, its reply never comes. */
static void
test_enroll_no_reply (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };

  hostile_server_script (f->server, "add=pass-then-silent\n");
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "enroll", "Laptop", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_TEMPFAIL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "timeout");
  g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);
  g_assert_cmpuint (hostile_server_count (f->server, "add"), ==, 1);
  truth = hostile_fixture_server_truth (f);
  g_assert_cmpuint (json_array_get_length (truth), ==, 1);
  check_enroll_finished_later (f, 1);
}

/* The connection drops after the request reached the server, which issued
 * the certificate. */
static void
test_enroll_dropped_after (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };

  hostile_server_script (f->server, "add=pass-then-drop\n");
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "enroll", "Laptop", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_FAILURE);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "connection-failed");
  hostile_assert_contains (hostile_run_error_message (&run), "connection was lost");
  g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);
  truth = hostile_fixture_server_truth (f);
  g_assert_cmpuint (json_array_get_length (truth), ==, 1);
  check_enroll_finished_later (f, 1);
}

/* The connection drops before the server did anything. */
static void
test_enroll_dropped_before (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };

  hostile_server_script (f->server, "add=drop\n");
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "enroll", "Laptop", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_FAILURE);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "connection-failed");
  g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);
  truth = hostile_fixture_server_truth (f);
  g_assert_cmpuint (json_array_get_length (truth), ==, 0);
  check_enroll_finished_later (f, 1);
}

/* ---- 7. revocations cut short ------------------------------------------- */

/* Another device's certificate: the server revokes it, the answer is lost.
 * Nothing local changes; the next attempt lists first and sends nothing. */
static void
check_revoke_other_cut (Fixture    *f,
                        const char *script,
                        int         status,
                        const char *code)
{
  g_auto(HostileTwoDevices) two = { NULL, };
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };

  if (!hostile_fixture_enroll_two (f, &two))
    return;
  before = hostile_device_snapshot (&f->a);
  hostile_server_script (f->server, script);
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "revoke", two.fp_b, NULL);
  g_assert_cmpint (run.status, ==, status);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, code);
  g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);
  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, FALSE);
  truth = hostile_fixture_server_truth (f);
  g_assert_null (hostile_find_certificate (truth, two.fp_b));
  g_assert_nonnull (hostile_find_certificate (truth, two.fp_a));

  hostile_run_clear (&run);
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "revoke", two.fp_b, NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_PROTOCOL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "item-not-found");
  hostile_assert_contains (hostile_run_error_message (&run), "nothing was sent");
  g_assert_cmpuint (hostile_server_count (f->server, "revoke"), ==, 0);
}

static void
test_revoke_dropped (Fixture       *f,
                     gconstpointer  data)
{
  check_revoke_other_cut (f, "revoke=pass-then-drop\n", TESSERA_TEST_EXIT_FAILURE, "connection-failed");
}

static void
test_revoke_no_reply (Fixture       *f,
                      gconstpointer  data)
{
  check_revoke_other_cut (f, "revoke=pass-then-silent\n", TESSERA_TEST_EXIT_TEMPFAIL, "timeout");
}

/* This device's own certificate: the server revokes it, the answer is
 * lost. The key must not go before a confirmation; a later run lists and
 * decides. */
static void
check_revoke_own_cut (Fixture    *f,
                      const char *script,
                      int         status,
                      const char *code)
{
  const char *jid;
  g_auto(HostileTwoDevices) two = { NULL, };
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };
  JsonArray *listed;

  if (!hostile_fixture_enroll_two (f, &two))
    return;
  jid = tessera_test_server_get_jid (f->server);
  hostile_server_script (f->server, script);
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "revoke", "--force", two.fp_a, NULL);
  g_assert_cmpint (run.status, ==, status);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, code);
  g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);
  keys = hostile_device_key_ids (&f->a, jid);
  g_assert_cmpuint (keys->len, ==, 1);
  truth = hostile_fixture_server_truth (f);
  g_assert_null (hostile_find_certificate (truth, two.fp_a));
  HOSTILE_RETURN_IF_FAILED ();

  /* A later run lists: the certificate is gone, and nothing else. */
  hostile_run_clear (&run);
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  listed = hostile_run_certificates (&run);
  g_assert_null (hostile_find_certificate (listed, two.fp_a));
  g_assert_nonnull (hostile_find_certificate (listed, two.fp_b));
  g_ptr_array_unref (keys);
  /* That run reconciled: the key left REVOKING goes once the list shows
   * the certificate gone. */
  keys = hostile_device_key_ids (&f->a, jid);
  g_assert_cmpuint (keys->len, ==, 0);
}

static void
test_revoke_own_dropped (Fixture       *f,
                         gconstpointer  data)
{
  check_revoke_own_cut (f, "revoke=pass-then-drop\n", TESSERA_TEST_EXIT_FAILURE, "connection-failed");
}

static void
test_revoke_own_no_reply (Fixture       *f,
                          gconstpointer  data)
{
  check_revoke_own_cut (f, "revoke=pass-then-silent\n", TESSERA_TEST_EXIT_TEMPFAIL, "timeout");
}

/* ---- 8. stream errors --------------------------------------------------- */

static void
test_stream_errors (Fixture       *f,
                    gconstpointer  data)
{
  const char *conditions[] = {
    "policy-violation", "system-shutdown", "conflict", "connection-timeout", "internal-server-error",
    "not-authorized", "resource-constraint", "undefined-condition", "reset",
  };
  g_autoptr(GHashTable) messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;

  remember_account (f, &f->a);
  before = hostile_device_snapshot (&f->a);
  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    {
      g_autofree char *script = g_strdup_printf ("list=stream-error\nlist.condition=%s\n"
                                                 "list.text=The test server says %s\n",
                                                 conditions[i], conditions[i]);
      g_auto(HostileRun) run = { 0 };
      const char *message;

      hostile_server_script (f->server, script);
      hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
      g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_FAILURE);
      g_assert_cmpstr (hostile_run_error_code (&run), ==, "stream-error");
      g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);
      message = hostile_run_error_message (&run);
      hostile_assert_contains (message, conditions[i]);
      if (message != NULL)
        {
          g_assert_false (g_hash_table_contains (messages, message));
          g_hash_table_add (messages, g_strdup (message));
        }
      /* A password login has no certificate the server could revoke. */
      if (g_str_equal (conditions[i], "reset") && message != NULL)
        g_assert_null (strstr (message, "certificate it used"));
    }
  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, FALSE);
}

/* The server confirms, then resets the stream (RFC 6120 4.9.3.16): the
 * confirmation counts; checking the list afterwards takes a new connection. */
static void
test_reset_after_revoke (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(HostileTwoDevices) two = { NULL, };
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };

  if (!hostile_fixture_enroll_two (f, &two))
    return;
  hostile_server_script (f->server, "revoke=pass-then-reply-and-stream-error\nrevoke.condition=reset\n");
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "revoke", two.fp_b, NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  HOSTILE_RETURN_IF_FAILED ();
  g_assert_true (json_object_get_boolean_member (hostile_run_object (&run), "revoked"));
  truth = hostile_fixture_server_truth (f);
  g_assert_null (hostile_find_certificate (truth, two.fp_b));
  g_assert_nonnull (hostile_find_certificate (truth, two.fp_a));
}

/* <reset/> instead of the answer to this device's own revocation. */
static void
test_reset_instead_of_reply (Fixture       *f,
                             gconstpointer  data)
{
  check_revoke_own_cut (f, "revoke=pass-then-stream-error\nrevoke.condition=reset\n", TESSERA_TEST_EXIT_FAILURE,
                        "stream-error");
}

/* ---- a Unicode JID end to end ------------------------------------------ */

/* The DER of a UTF8String holding @text (short), as RFC 6120 13.7.1.4 wants
 * the xmppAddr: the JID as it is, not its IDNA form. */
static GBytes *
utf8_string_der (const char *text)
{
  GByteArray *der = g_byte_array_new ();
  guint8 header[2] = { 0x0c, (guint8) strlen (text) };

  g_byte_array_append (der, header, 2);
  g_byte_array_append (der, (const guint8 *) text, strlen (text));
  return g_byte_array_free_to_bytes (der);
}

static gboolean
bytes_contain (GBytes *haystack,
               GBytes *needle)
{
  gsize size, needle_size;
  const guint8 *data = g_bytes_get_data (haystack, &size);
  const guint8 *wanted = g_bytes_get_data (needle, &needle_size);

  for (gsize i = 0; needle_size <= size && i <= size - needle_size; i++)
    {
      if (memcmp (data + i, wanted, needle_size) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
check_unicode_der (GBytes     *der,
                   const char *jid)
{
  g_autoptr(GBytes) expected = utf8_string_der (jid);
  g_autoptr(GBytes) ace = g_bytes_new_static ("xn--", 4);

  g_assert_true (bytes_contain (der, expected));
  g_assert_false (bytes_contain (der, ace));
}

/* What our own code writes for a Unicode JID: a self-signed certificate
 * (XEP-0257), read back. */
static void
check_unicode_self_signed (const char *jid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_autoptr(GBytes) self_signed = NULL;
  g_autoptr(TesseraCertificate) read_back = NULL;
  const char * const *addrs;

  g_assert_no_error (error);
  self_signed = tessera_key_create_self_signed (key, jid, 2, &error);
  g_assert_no_error (error);
  HOSTILE_RETURN_IF_FAILED ();
  check_unicode_der (self_signed, jid);
  read_back = tessera_certificate_new_from_der (self_signed, &error);
  g_assert_no_error (error);
  HOSTILE_RETURN_IF_FAILED ();
  addrs = tessera_certificate_get_xmpp_addrs (read_back);
  g_assert_cmpstr (addrs[0], ==, jid);
  g_assert_null (addrs[1]);
}

/* The CSR kept on disk and the certificate Prosody issued for it. */
static void
check_unicode_key_folder (const char *key_dir,
                          const char *jid,
                          const char *fingerprint)
{
  g_autofree char *request_path = g_build_filename (key_dir, "request.der", NULL);
  g_autofree char *request = NULL;
  g_autofree char *pem = NULL;
  g_autoptr(GBytes) request_der = NULL;
  g_autoptr(GBytes) pem_bytes = NULL;
  g_autoptr(TesseraCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *addrs;
  gsize request_len = 0;

  g_assert_true (g_file_get_contents (request_path, &request, &request_len, NULL));
  request_der = g_bytes_new (request, request_len);
  check_unicode_der (request_der, jid);
  pem = hostile_read_file (key_dir, "certificate.pem");
  g_assert_nonnull (pem);
  HOSTILE_RETURN_IF_FAILED ();
  pem_bytes = g_bytes_new (pem, strlen (pem));
  stored = tessera_certificate_new_from_pem (pem_bytes, &error);
  g_assert_no_error (error);
  HOSTILE_RETURN_IF_FAILED ();
  check_unicode_der (tessera_certificate_get_der (stored), jid);
  addrs = tessera_certificate_get_xmpp_addrs (stored);
  g_assert_cmpstr (addrs[0], ==, jid);
  g_assert_null (addrs[1]);
  g_assert_cmpstr (tessera_certificate_get_fingerprint (stored), ==, fingerprint);
}

static void
test_unicode_jid (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *jid = g_strconcat (UNICODE_USER, "@", tessera_test_server_get (f->server, "DOMAIN"), NULL);
  g_autofree char *fingerprint = NULL;
  g_autofree char *account_dir = NULL;
  g_autofree char *key_dir = NULL;
  g_autofree char *prefix = g_strconcat (jid, "/", NULL);
  g_autoptr(GPtrArray) ids = NULL;
  g_auto(HostileRun) run = { 0 };

  g_assert_nonnull (hostile_server_password_of (f->server, jid));
  check_unicode_self_signed (jid);
  HOSTILE_RETURN_IF_FAILED ();

  /* Enroll through ccm2. */
  hostile_cli (f->server, &f->a, jid, 20, &run, "enroll", "Laptop", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  HOSTILE_RETURN_IF_FAILED ();
  fingerprint = g_strdup (json_object_get_string_member (hostile_run_object (&run), "fingerprint"));
  ids = hostile_device_key_ids (&f->a, jid);
  g_assert_cmpuint (ids->len, ==, 1);
  HOSTILE_RETURN_IF_FAILED ();
  account_dir = hostile_device_account_dir (&f->a, jid);
  key_dir = g_build_filename (account_dir, g_ptr_array_index (ids, 0), NULL);
  check_unicode_key_folder (key_dir, jid, fingerprint);

  /* Listed as this device's, and SASL EXTERNAL binds the Unicode JID. */
  hostile_run_clear (&run);
  hostile_cli (f->server, &f->a, jid, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_true (hostile_is_this_device (hostile_run_certificates (&run), fingerprint));
  hostile_run_clear (&run);
  hostile_cli (f->server, &f->a, jid, TIMEOUT, &run, "login", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  HOSTILE_RETURN_IF_FAILED ();
  g_assert_true (g_str_has_prefix (json_object_get_string_member (hostile_run_object (&run), "jid"), prefix));

  /* And revoked, with the key gone only then. */
  hostile_run_clear (&run);
  hostile_cli (f->server, &f->a, jid, TIMEOUT, &run, "revoke", "--force", fingerprint, NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  g_ptr_array_unref (ids);
  ids = hostile_device_key_ids (&f->a, jid);
  g_assert_cmpuint (ids->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();

#define ADD(path, func, options) \
  HOSTILE_ADD ("/tessera/hostile/" path, options, func)

  ADD ("timing/list-no-reply", test_list_no_reply, NULL);
  ADD ("timing/enroll-no-reply", test_enroll_no_reply, NULL);
  ADD ("timing/enroll-dropped-after-request", test_enroll_dropped_after, NULL);
  ADD ("timing/enroll-dropped-before-request", test_enroll_dropped_before, NULL);
  ADD ("timing/revoke-dropped", test_revoke_dropped, NULL);
  ADD ("timing/revoke-no-reply", test_revoke_no_reply, NULL);
  ADD ("timing/revoke-own-dropped", test_revoke_own_dropped, NULL);
  ADD ("timing/revoke-own-no-reply", test_revoke_own_no_reply, NULL);
  ADD ("stream/errors", test_stream_errors, NULL);
  ADD ("stream/reset-after-revoke", test_reset_after_revoke, NULL);
  ADD ("stream/reset-instead-of-reply", test_reset_instead_of_reply, NULL);
  ADD ("unicode/jid", test_unicode_jid, unicode_server);

#undef ADD

  return g_test_run ();
}
