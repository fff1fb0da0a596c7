/* test-hostile-replies.c: tessera-cli against a Prosody that answers ccm2 requests wrongly
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "hostile-common.h"
#include "tessera-core.h"

/* A real Prosody with mod_ccm2 and, in front of it, mod_ccm2_misbehave
 * (tests/hostile/prosody), which answers as each case scripts it: broken
 * lists, wrong certificates, revocations that lie, every stanza error,
 * forged replies. Each case checks the exit status and message of
 * tessera-cli, that the device's files did not change (or changed only as
 * the protocol says), and what the server really holds afterwards. */

#define LIST_NS "urn:xmpp:ccm2:list-certs:0"
#define TIMEOUT 3

typedef HostileFixture Fixture;

/* ---- 1. list replies ----------------------------------------------------- */

typedef struct
{
  Fixture    *f;
  char       *cert;        /* a readable certificate, base64 */
  char       *fingerprint; /* its SHA-256 */
} ListCase;

static void
list_case_clear (ListCase *lc)
{
  g_free (lc->cert);
  g_free (lc->fingerprint);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ListCase, list_case_clear)

/* Serves <iq type='result'>@payload</iq> to one list from device A; checks
 * that the device did not change and that the server got one request. */
static void
list_with_payload (ListCase   *lc,
                   const char *payload,
                   gssize      length,
                   guint       timeout,
                   HostileRun *run)
{
  g_autofree char *path = hostile_server_payload (lc->f->server, "list.xml", payload, length);
  g_autofree char *script = g_strdup_printf ("list=result\nlist.payload=%s\n", path);
  g_autoptr(GHashTable) before = hostile_device_snapshot (&lc->f->a);
  g_autoptr(GHashTable) after = NULL;

  hostile_server_script (lc->f->server, script);
  hostile_cli (lc->f->server, &lc->f->a, NULL, timeout, run, "list", NULL);
  after = hostile_device_snapshot (&lc->f->a);
  hostile_assert_unchanged (before, after, FALSE);
  g_assert_cmpuint (hostile_server_count (lc->f->server, "list"), ==, 1);
}

static char *
one_entry (const char *attributes,
           const char *name,
           const char *cert)
{
  g_autofree char *name_xml = name != NULL ? g_markup_printf_escaped ("<name>%s</name>", name) : g_strdup ("");

  return g_strdup_printf ("<x509certificate%s>%s<x509cert>%s</x509cert></x509certificate>",
                          attributes, name_xml, cert);
}

static char *
wrap_list (const char *root,
           const char *entries)
{
  return g_strdup_printf ("<%s xmlns='" LIST_NS "'>%s</%s>", root, entries, root);
}

/* The list's only entry, after checking its name and readability. */
static JsonObject *
only_entry (HostileRun *run,
            const char *name,
            gboolean    readable)
{
  JsonArray *certificates = hostile_run_certificates (run);
  JsonObject *entry;

  g_assert_cmpint (run->status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_nonnull (certificates);
  if (certificates == NULL)
    return NULL;
  g_assert_cmpuint (json_array_get_length (certificates), ==, 1);
  if (json_array_get_length (certificates) != 1)
    return NULL;
  entry = json_array_get_object_element (certificates, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, name);
  g_assert_cmpint (json_object_get_boolean_member (entry, "readable"), ==, readable);
  g_assert_cmpuint (strlen (json_object_get_string_member (entry, "fingerprint")), ==, 64);
  return entry;
}

static void
check_list_spelling (ListCase *lc)
{
  g_autofree char *entry = one_entry ("", "Spelled", lc->cert);
  g_autofree char *payload = wrap_list ("list-of-certficiates", entry);
  g_auto(HostileRun) run = { 0 };
  JsonObject *listed;

  list_with_payload (lc, payload, -1, TIMEOUT, &run);
  listed = only_entry (&run, "Spelled", TRUE);
  if (listed != NULL)
    g_assert_cmpstr (json_object_get_string_member (listed, "fingerprint"), ==, lc->fingerprint);
}

static void
check_list_base64 (ListCase *lc)
{
  g_autoptr(GString) folded = g_string_new (NULL);
  g_autofree char *junk = g_strdup_printf ("%.20s!!*junk*!!%s", lc->cert, lc->cert + 20);
  g_autofree char *entry = NULL;
  g_autofree char *payload = NULL;
  g_auto(HostileRun) run = { 0 };
  JsonObject *listed;

  /* Line breaks and spaces anywhere: still the same certificate. */
  for (const char *p = lc->cert; *p != '\0'; p++)
    {
      g_string_append_c (folded, *p);
      if ((p - lc->cert) % 13 == 12)
        g_string_append (folded, "\n \t");
    }
  entry = one_entry ("", "Folded", folded->str);
  payload = wrap_list ("list-of-certificates", entry);
  list_with_payload (lc, payload, -1, TIMEOUT, &run);
  listed = only_entry (&run, "Folded", TRUE);
  if (listed != NULL)
    g_assert_cmpstr (json_object_get_string_member (listed, "fingerprint"), ==, lc->fingerprint);
  hostile_run_clear (&run);
  g_clear_pointer (&entry, g_free);
  g_clear_pointer (&payload, g_free);

  /* Junk inside the base64: listed, unreadable, never dropped. */
  entry = one_entry ("", "Junk", junk);
  payload = wrap_list ("list-of-certificates", entry);
  list_with_payload (lc, payload, -1, TIMEOUT, &run);
  listed = only_entry (&run, "Junk", FALSE);
  if (listed != NULL)
    {
      g_assert_true (json_object_get_null_member (listed, "not_after"));
      g_assert_cmpstr (json_object_get_string_member (listed, "fingerprint"), !=, lc->fingerprint);
    }
}

static void
check_list_not_der (ListCase *lc)
{
  g_autofree char *not_der = g_base64_encode ((const guchar *) "hello, I am not DER", 19);
  g_autofree char *entries = NULL;
  g_autofree char *payload = NULL;
  g_auto(HostileRun) run = { 0 };
  JsonArray *certificates;
  JsonObject *good;

  /* Next to a good one, which must not suffer from it. */
  entries = g_strconcat (one_entry ("", "Not DER", not_der), one_entry ("", "Good", lc->cert), NULL);
  payload = wrap_list ("list-of-certificates", entries);
  list_with_payload (lc, payload, -1, TIMEOUT, &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  certificates = hostile_run_certificates (&run);
  g_assert_nonnull (certificates);
  if (certificates == NULL)
    return;
  g_assert_cmpuint (json_array_get_length (certificates), ==, 2);
  HOSTILE_RETURN_IF_FAILED ();
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (certificates, 0), "readable"));
  good = hostile_find_certificate (certificates, lc->fingerprint);
  g_assert_nonnull (good);
  if (good != NULL)
    g_assert_true (json_object_get_boolean_member (good, "readable"));
}

static void
check_list_missing_name (ListCase *lc)
{
  g_autofree char *entry = one_entry ("", NULL, lc->cert);
  g_autofree char *payload = wrap_list ("list-of-certificates", entry);
  g_auto(HostileRun) run = { 0 };

  list_with_payload (lc, payload, -1, TIMEOUT, &run);
  only_entry (&run, "", TRUE);
}

/* last-used: absent = never, empty or garbage = unknown (never "never"),
 * an offset is converted to UTC, the far future is shown as given. */
static void
check_list_last_used (ListCase *lc)
{
  const struct {
    const char *attribute;
    const char *state;
    const char *shown;
  } cases[] = {
    { "", "never", NULL },
    { " last-used=''", "unknown", NULL },
    { " last-used='yesterday, around noon'", "unknown", NULL },
    { " last-used='2026-13-45T99:99:99Z'", "unknown", NULL },
    { " last-used='2026-01-02T03:04:05.123456+02:00'", "used", "2026-01-02T01:04:05Z" },
    { " last-used='2026-01-02T03:04:05-05:30'", "used", "2026-01-02T08:34:05Z" },
    { " last-used='9999-12-31T23:59:59Z'", "used", "9999-12-31T23:59:59Z" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *entry = one_entry (cases[i].attribute, "Timed", lc->cert);
      g_autofree char *payload = wrap_list ("list-of-certificates", entry);
      g_auto(HostileRun) run = { 0 };
      JsonObject *listed;

      list_with_payload (lc, payload, -1, TIMEOUT, &run);
      listed = only_entry (&run, "Timed", TRUE);
      if (listed == NULL)
        continue;
      g_assert_cmpstr (json_object_get_string_member (listed, "last_used_state"), ==, cases[i].state);
      if (cases[i].shown != NULL)
        g_assert_cmpstr (json_object_get_string_member (listed, "last_used"), ==, cases[i].shown);
      else
        g_assert_true (json_object_get_null_member (listed, "last_used"));
    }
}

/* 10,000 distinct certificates: all listed, in time. */
static void
check_list_many (ListCase *lc)
{
  const guint n = 10000;
  g_autoptr(GString) entries = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_autoptr(GHashTable) fingerprints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *payload = NULL;
  g_auto(HostileRun) run = { 0 };
  JsonArray *certificates;

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) der = tessera_key_create_self_signed (key, tessera_test_server_get_jid (lc->f->server),
                                                               1 + i % 365, &error);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));

      g_assert_no_error (error);
      g_hash_table_add (fingerprints, tessera_fingerprint_compute (der));
      g_string_append_printf (entries, "<x509certificate last-used='2026-01-01T00:00:%02uZ'><name>Device %u</name>"
                              "<x509cert>%s</x509cert></x509certificate>", i % 60, i, b64);
    }
  g_assert_cmpuint (g_hash_table_size (fingerprints), ==, n);
  payload = wrap_list ("list-of-certificates", entries->str);
  g_test_message ("10,000 entries: %zu bytes", strlen (payload));

  list_with_payload (lc, payload, -1, 60, &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_cmpfloat (run.seconds, <, 30);
  certificates = hostile_run_certificates (&run);
  g_assert_nonnull (certificates);
  if (certificates == NULL)
    return;
  g_assert_cmpuint (json_array_get_length (certificates), ==, n);
  for (guint i = 0; i < json_array_get_length (certificates); i++)
    {
      JsonObject *entry = json_array_get_object_element (certificates, i);

      g_assert_true (g_hash_table_contains (fingerprints, json_object_get_string_member (entry, "fingerprint")));
    }
}

/* A 5 MiB text node, three ways: as a name, as whitespace around a good
 * certificate, and as junk instead of one. */
static void
check_list_huge_text (ListCase *lc)
{
  const gsize size = 5 * 1024 * 1024;
  g_autofree char *big_name = g_malloc (size + 1);
  g_autofree char *padded = NULL;
  g_autofree char *junk = g_malloc (size + 1);
  g_autofree char *entries = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *spaces = g_malloc (size / 2 + 1);
  g_auto(HostileRun) run = { 0 };
  JsonArray *certificates;
  JsonObject *entry;

  memset (big_name, 'N', size);
  big_name[size] = '\0';
  memset (spaces, ' ', size / 2);
  spaces[size / 2] = '\0';
  padded = g_strconcat (spaces, lc->cert, "\n", spaces, NULL);
  for (gsize i = 0; i < size; i++)
    junk[i] = "AB=/+*"[i % 6];
  junk[size] = '\0';

  entries = g_strconcat (one_entry ("", big_name, lc->cert), one_entry ("", "Padded", padded),
                         one_entry ("", "Huge junk", junk), NULL);
  payload = wrap_list ("list-of-certificates", entries);
  list_with_payload (lc, payload, -1, 60, &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_cmpfloat (run.seconds, <, 30);
  certificates = hostile_run_certificates (&run);
  g_assert_nonnull (certificates);
  if (certificates == NULL)
    return;
  g_assert_cmpuint (json_array_get_length (certificates), ==, 3);
  HOSTILE_RETURN_IF_FAILED ();
  entry = json_array_get_object_element (certificates, 0);
  g_assert_cmpuint (strlen (json_object_get_string_member (entry, "name")), ==, size);
  g_assert_true (json_object_get_boolean_member (entry, "readable"));
  entry = json_array_get_object_element (certificates, 1);
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, "Padded");
  g_assert_cmpstr (json_object_get_string_member (entry, "fingerprint"), ==, lc->fingerprint);
  g_assert_true (json_object_get_boolean_member (entry, "readable"));
  entry = json_array_get_object_element (certificates, 2);
  g_assert_false (json_object_get_boolean_member (entry, "readable"));
}

static void
test_list_replies (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(ListCase) lc = { f, NULL, NULL };
  g_autofree char *device_fp = NULL;
  g_autofree guchar *der = NULL;
  gsize der_len = 0;

  /* Device A has a key and a certificate of its own: its files must stay. */
  device_fp = hostile_fixture_enroll (f, &f->a, "Laptop");
  HOSTILE_RETURN_IF_FAILED ();
  lc.cert = hostile_make_certificate (tessera_test_server_get_jid (f->server));
  der = g_base64_decode (lc.cert, &der_len);
  lc.fingerprint = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, der_len);

  check_list_spelling (&lc);
  check_list_base64 (&lc);
  check_list_not_der (&lc);
  check_list_missing_name (&lc);
  check_list_last_used (&lc);
  check_list_huge_text (&lc);
  check_list_many (&lc);
}

/* ---- 2. add replies ------------------------------------------------------ */

typedef struct
{
  const char *variant;
  const char *code;       /* --json error code */
  const char *reason;     /* in the message */
} AddCase;

static const AddCase add_cases[] = {
  { "other-key", "certificate-rejected", "another key" },
  { "other-jid", "certificate-rejected", "mallory@localhost" },
  { "two-addrs", "certificate-rejected", "2 XMPP addresses" },
  { "ca", "certificate-rejected", "certificate authority" },
  { "expired", "certificate-rejected", "expired" },
  { "not-yet-valid", "certificate-rejected", "valid from" },
  { "junk", "certificate-rejected", "certificate" },
  { "bad-base64", "malformed-reply", "base64" },
  { "empty", "malformed-reply", "certificate" },
};

/* The one key folder of @device: key and request, no certificate. */
static char *
pending_key (TesseraTestDevice *device,
             const char    *jid)
{
  g_autoptr(GPtrArray) ids = hostile_device_key_ids (device, jid);
  g_autofree char *account_dir = hostile_device_account_dir (device, jid);
  g_autofree char *key_dir = NULL;
  g_autofree char *certificate = NULL;
  g_autofree char *request = NULL;

  g_assert_cmpuint (ids->len, ==, 1);
  if (ids->len != 1)
    return NULL;
  key_dir = g_build_filename (account_dir, g_ptr_array_index (ids, 0), NULL);
  certificate = g_build_filename (key_dir, "certificate.pem", NULL);
  request = g_build_filename (key_dir, "request.der", NULL);
  g_assert_false (g_file_test (certificate, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (request, G_FILE_TEST_IS_REGULAR));
  return g_steal_pointer (&key_dir);
}

static void
check_wrong_certificate (Fixture       *f,
                         const AddCase *c)
{
  const char *jid = tessera_test_server_get_jid (f->server);
  g_auto(TesseraTestDevice) device = { NULL, };
  g_auto(HostileRun) run = { 0 };
  g_autoptr(JsonArray) truth_before = hostile_fixture_server_truth (f);
  g_autoptr(JsonArray) truth_after = NULL;
  g_autofree char *script = g_strdup_printf ("add=cert\nadd.variant=%s\n", c->variant);
  g_autofree char *key_dir = NULL;
  g_autofree char *request = NULL;
  g_autofree char *key = NULL;
  g_autofree char *request_after = NULL;
  g_autofree char *key_after = NULL;
  g_autofree char *certificate = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(TesseraCertificate) stored = NULL;

  g_test_message ("add answered with a certificate: %s", c->variant);
  hostile_fixture_new_device (f, &device);
  hostile_server_script (f->server, script);
  hostile_cli (f->server, &device, NULL, 20, &run, "enroll", "Laptop", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_PROTOCOL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, c->code);
  hostile_assert_contains (hostile_run_error_message (&run), c->reason);
  g_assert_cmpuint (hostile_server_count (f->server, "add"), ==, 1);
  HOSTILE_RETURN_IF_FAILED ();

  /* Nothing stored; the key and its request are kept for a retry. */
  key_dir = pending_key (&device, jid);
  HOSTILE_RETURN_IF_FAILED ();
  request = hostile_read_file (key_dir, "request.der");
  key = hostile_read_file (key_dir, "key.pem");
  truth_after = hostile_fixture_server_truth (f);
  g_assert_cmpuint (json_array_get_length (truth_after), ==, json_array_get_length (truth_before));

  /* The server behaves again: the next run sends the same request and
   * stores the certificate; the server holds it once. */
  hostile_run_clear (&run);
  hostile_server_script (f->server, "");
  hostile_cli (f->server, &device, NULL, 20, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_cmpuint (hostile_server_count (f->server, "add"), ==, 1);
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
  g_clear_pointer (&truth_after, json_array_unref);
  truth_after = hostile_fixture_server_truth (f);
  g_assert_cmpuint (json_array_get_length (truth_after), ==, json_array_get_length (truth_before) + 1);
  g_assert_nonnull (hostile_find_certificate (truth_after, tessera_certificate_get_fingerprint (stored)));
  g_assert_true (hostile_is_this_device (hostile_run_certificates (&run),
                                         tessera_certificate_get_fingerprint (stored)));
}

static void
test_add_wrong_certificates (Fixture       *f,
                             gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (add_cases) && !g_test_failed (); i++)
    check_wrong_certificate (f, &add_cases[i]);
}

/* A refused request (not a wrong answer): the key stays, nothing is sent
 * again by itself. */
static void
test_add_refused (Fixture       *f,
                  gconstpointer  data)
{
  const char *jid = tessera_test_server_get_jid (f->server);
  g_auto(HostileRun) run = { 0 };
  g_autofree char *key_dir = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(JsonArray) truth = NULL;

  hostile_server_script (f->server, "add=error\nadd.condition=not-acceptable\nadd.type=modify\n"
                                    "add.text=Key too weak: a test says so\n");
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "enroll", "Laptop", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_PROTOCOL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "not-acceptable");
  hostile_assert_contains (hostile_run_error_message (&run), "Key too weak: a test says so");
  g_assert_cmpuint (hostile_server_count (f->server, "add"), ==, 1);
  key_dir = pending_key (&f->a, jid);
  HOSTILE_RETURN_IF_FAILED ();

  /* The next run tries once more (the refusal came in this run), then
   * journals the refusal; after that nothing is sent by itself. */
  hostile_run_clear (&run);
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_cmpuint (hostile_server_count (f->server, "add"), ==, 2);
  before = hostile_device_snapshot (&f->a);
  hostile_run_clear (&run);
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_cmpuint (hostile_server_count (f->server, "add"), ==, 2);
  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, TRUE);
  truth = hostile_fixture_server_truth (f);
  g_assert_cmpuint (json_array_get_length (truth), ==, 0);
}

/* ---- 3. revoke ----------------------------------------------------------- */

static void
revoke_from_a (Fixture    *f,
               const char *script,
               const char *fingerprint,
               gboolean    force,
               HostileRun *run)
{
  hostile_server_script (f->server, script);
  if (force)
    hostile_cli (f->server, &f->a, NULL, TIMEOUT, run, "revoke", "--force", fingerprint, NULL);
  else
    hostile_cli (f->server, &f->a, NULL, TIMEOUT, run, "revoke", fingerprint, NULL);
}

static void
assert_listed (JsonArray  *truth,
               const char *fingerprint,
               gboolean    listed)
{
  g_assert_cmpint (hostile_find_certificate (truth, fingerprint) != NULL, ==, listed);
}

/* item-not-found for a certificate the server lists: another device's, then
 * this device's own. Nothing changes here or there. */
static void
test_revoke_item_not_found (Fixture       *f,
                            gconstpointer  data)
{
  static const char *script = "revoke=error\nrevoke.condition=item-not-found\nrevoke.type=cancel\n";
  g_auto(HostileTwoDevices) two = { NULL, };
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };

  if (!hostile_fixture_enroll_two (f, &two))
    return;
  before = hostile_device_snapshot (&f->a);
  revoke_from_a (f, script, two.fp_b, FALSE, &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_PROTOCOL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "item-not-found");
  g_assert_cmpuint (hostile_server_count (f->server, "revoke"), ==, 1);
  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, FALSE);

  hostile_run_clear (&run);
  revoke_from_a (f, script, two.fp_a, TRUE, &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_PROTOCOL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "item-not-found");
  g_clear_pointer (&after, g_hash_table_unref);
  after = hostile_device_snapshot (&f->a);
  /* Only the journal says that a revocation was tried. */
  hostile_assert_unchanged (before, after, TRUE);

  truth = hostile_fixture_server_truth (f);
  assert_listed (truth, two.fp_a, TRUE);
  assert_listed (truth, two.fp_b, TRUE);
}

/* The server confirms a revocation it did not do: the certificate is still
 * listed, and tessera-cli says so instead of "revoked". */
static void
test_revoke_lie (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(HostileTwoDevices) two = { NULL, };
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };

  if (!hostile_fixture_enroll_two (f, &two))
    return;
  before = hostile_device_snapshot (&f->a);
  revoke_from_a (f, "revoke=lie\n", two.fp_b, FALSE, &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_PROTOCOL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "revoke-unconfirmed");
  hostile_assert_contains (hostile_run_error_message (&run), "still lists");
  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, FALSE);
  truth = hostile_fixture_server_truth (f);
  assert_listed (truth, two.fp_a, TRUE);
  assert_listed (truth, two.fp_b, TRUE);
}

/* Asked to revoke another device's certificate, the server revokes this
 * device's instead and says "done". The reply names no fingerprint, so the
 * client cannot tell what was revoked: it must never delete a local key for
 * a revocation it did not ask for, and it finds out, by listing again, that
 * what it asked for is still there. */
static void
test_revoke_other (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(HostileTwoDevices) two = { NULL, };
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };

  if (!hostile_fixture_enroll_two (f, &two))
    return;
  before = hostile_device_snapshot (&f->a);
  revoke_from_a (f, "revoke=revoke-other\n", two.fp_b, FALSE, &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_PROTOCOL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "revoke-unconfirmed");
  hostile_assert_contains (hostile_run_error_message (&run), "still lists");
  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, FALSE);
  truth = hostile_fixture_server_truth (f);
  assert_listed (truth, two.fp_a, FALSE);
  assert_listed (truth, two.fp_b, TRUE);

  /* The key of A is still there; its certificate no longer works. */
  hostile_run_clear (&run);
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "login", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_NOPERM);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "authentication-failed");
  g_clear_pointer (&after, g_hash_table_unref);
  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, FALSE);
}

/* A forged "done" for this device's own revocation (right id, wrong
 * sender), then silence: a timeout, and the key stays. */
static void
test_revoke_forged_success (Fixture       *f,
                            gconstpointer  data)
{
  g_auto(HostileTwoDevices) two = { NULL, };
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(JsonArray) truth = NULL;
  g_auto(HostileRun) run = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *script = NULL;

  if (!hostile_fixture_enroll_two (f, &two))
    return;
  path = hostile_server_payload (f->server, "forged-revoke.xml",
                                 "<iq type='result' id='{id}' from='mallory@evil.example' to='{to}'/>"
                                 "<iq type='result' id='{id}' from='{bare}/other' to='{to}'/>"
                                 "<message type='result' id='{id}' from='{domain}' to='{to}'/>", -1);
  script = g_strdup_printf ("revoke=raw\nrevoke.payload=%s\nrevoke.then=silent\n", path);
  before = hostile_device_snapshot (&f->a);
  revoke_from_a (f, script, two.fp_a, TRUE, &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_TEMPFAIL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "timeout");
  g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);
  truth = hostile_fixture_server_truth (f);
  assert_listed (truth, two.fp_a, TRUE);

  /* The client cannot know what happened: the key stays, marked as being
   * revoked, until a later run lists. That run finds the certificate still
   * there and puts everything back as it was. */
  hostile_run_clear (&run);
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, TRUE);
}

/* The server confirms the revocation of this device's certificate without
 * doing it. tessera-cli must say that it is still listed. */
static void
test_revoke_lie_own (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(HostileTwoDevices) two = { NULL, };
  g_autoptr(JsonArray) truth = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_auto(HostileRun) run = { 0 };

  if (!hostile_fixture_enroll_two (f, &two))
    return;
  revoke_from_a (f, "revoke=lie\n", two.fp_a, TRUE, &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_PROTOCOL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "revoke-unconfirmed");
  hostile_assert_contains (hostile_run_error_message (&run), "still lists");
  truth = hostile_fixture_server_truth (f);
  assert_listed (truth, two.fp_a, TRUE);

  /* The key stays: the session lists again before it deletes anything. */
  keys = hostile_device_key_ids (&f->a, tessera_test_server_get_jid (f->server));
  g_assert_cmpuint (keys->len, ==, 1);
}

/* ---- 4. stanza errors ---------------------------------------------------- */

static const char *conditions[] = {
  "bad-request", "conflict", "feature-not-implemented", "forbidden", "gone", "internal-server-error",
  "item-not-found", "jid-malformed", "not-acceptable", "not-allowed", "not-authorized",
  "policy-violation", "recipient-unavailable", "redirect", "registration-required",
  "remote-server-not-found", "remote-server-timeout", "resource-constraint", "service-unavailable",
  "subscription-required", "undefined-condition", "unexpected-request",
};

static const struct {
  const char *type;
  const char *explanation;
} error_types[] = {
  { "auth", "log in again with other credentials" },
  { "cancel", "do not retry" },
  { "continue", "a warning only" },
  { "modify", "change the request and try again" },
};

/* tessera-cli(1): 69 not supported, 75 try later, 77 not allowed, 76 the rest */
static int
expected_exit (const char *condition)
{
  if (g_str_equal (condition, "service-unavailable") || g_str_equal (condition, "feature-not-implemented"))
    return TESSERA_TEST_EXIT_UNAVAILABLE;
  if (g_str_equal (condition, "not-allowed") || g_str_equal (condition, "forbidden") ||
      g_str_equal (condition, "not-authorized"))
    return TESSERA_TEST_EXIT_NOPERM;
  if (g_str_equal (condition, "remote-server-timeout"))
    return TESSERA_TEST_EXIT_TEMPFAIL;
  return TESSERA_TEST_EXIT_PROTOCOL;
}

static void
check_error (Fixture    *f,
             const char *condition,
             guint       type_index,
             GHashTable *messages)
{
  g_autofree char *script = g_strdup_printf ("list=error\nlist.condition=%s\nlist.type=%s\n", condition,
                                             error_types[type_index].type);
  g_auto(HostileRun) run = { 0 };
  const char *message;

  hostile_server_script (f->server, script);
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, expected_exit (condition));
  g_assert_cmpstr (hostile_run_error_code (&run), ==, condition);
  message = hostile_run_error_message (&run);
  hostile_assert_contains (message, condition);
  hostile_assert_contains (message, error_types[type_index].explanation);
  /* Not retried */
  g_assert_cmpuint (hostile_server_count (f->server, "list"), ==, 1);
  if (message != NULL)
    {
      g_assert_false (g_hash_table_contains (messages, message));
      g_hash_table_add (messages, g_strdup (message));
    }
}

/* `wait` once, then the list: retried, and it works. */
static void
check_wait_retried (Fixture    *f,
                    const char *condition)
{
  g_autofree char *script = g_strdup_printf ("list=error\nlist.condition=%s\nlist.type=wait\nlist.times=1\n",
                                             condition);
  g_auto(HostileRun) run = { 0 };

  hostile_server_script (f->server, script);
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  g_assert_nonnull (hostile_run_certificates (&run));
  g_assert_cmpuint (hostile_server_count (f->server, "list"), ==, 2);
}

static void
test_stanza_errors (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GHashTable) messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_auto(HostileRun) run = { 0 };

  /* A first list remembers the account: from then on nothing may change. */
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  hostile_run_clear (&run);
  before = hostile_device_snapshot (&f->a);

  for (guint c = 0; c < G_N_ELEMENTS (conditions); c++)
    {
      for (guint t = 0; t < G_N_ELEMENTS (error_types); t++)
        check_error (f, conditions[c], t, messages);
      check_wait_retried (f, conditions[c]);
    }
  g_assert_cmpuint (g_hash_table_size (messages), ==, G_N_ELEMENTS (conditions) * G_N_ELEMENTS (error_types));

  /* `wait` for ever: retried with backoff until the deadline, then said. */
  hostile_server_script (f->server, "list=error\nlist.condition=resource-constraint\nlist.type=wait\n");
  hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_TEMPFAIL);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "resource-constraint");
  hostile_assert_contains (hostile_run_error_message (&run), "try again later");
  g_assert_cmpuint (hostile_server_count (f->server, "list"), >=, 2);
  g_assert_cmpuint (hostile_server_count (f->server, "list"), <=, 4);
  g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);

  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, FALSE);
}

/* Errors a server should not send: no type, an unknown condition, none. */
static void
test_odd_errors (Fixture       *f,
                 gconstpointer  data)
{
  const char *replies[] = {
    "<iq type='error' id='{id}' to='{to}'><error><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
    "</error></iq>",
    "<iq type='error' id='{id}' to='{to}'><error type='cancel'><made-up xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
    "</error></iq>",
    "<iq type='error' id='{id}' to='{to}'><error type='cancel'/></iq>",
    "<iq type='error' id='{id}' to='{to}'/>",
  };
  g_autoptr(GHashTable) before = hostile_device_snapshot (&f->a);
  g_autoptr(GHashTable) after = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      g_autofree char *path = hostile_server_payload (f->server, "odd.xml", replies[i], -1);
      g_autofree char *script = g_strdup_printf ("list=raw\nlist.payload=%s\n", path);
      g_auto(HostileRun) run = { 0 };

      hostile_server_script (f->server, script);
      hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
      g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_PROTOCOL);
      g_assert_nonnull (hostile_run_error_code (&run));
      g_assert_cmpuint (hostile_server_count (f->server, "list"), ==, 1);
    }
  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, FALSE);
}

/* ---- 5. forged replies ----------------------------------------------------- */

#define FORGED_LIST "<list-of-certificates xmlns='" LIST_NS "'><x509certificate><name>Forged</name>" \
                    "<x509cert>AAAA</x509cert></x509certificate></list-of-certificates>"

static const char *forgeries[] = {
  "<iq type='result' id='{id}' to='{to}' from='mallory@evil.example'>" FORGED_LIST "</iq>",
  "<iq type='result' id='{id}' to='{to}' from='evil.example'>" FORGED_LIST "</iq>",
  "<iq type='result' id='{id}' to='{to}' from='{bare}/elsewhere'>" FORGED_LIST "</iq>",
  "<iq type='result' id='{id}' to='{to}' from='{domain}/admin'>" FORGED_LIST "</iq>",
  "<iq type='set' id='{id}' to='{to}' from='{domain}'>" FORGED_LIST "</iq>",
  "<iq type='get' id='{id}' to='{to}'>" FORGED_LIST "</iq>",
  "<iq id='{id}' to='{to}'>" FORGED_LIST "</iq>",
  "<iq type='headline' id='{id}' to='{to}'>" FORGED_LIST "</iq>",
  "<message type='result' id='{id}' to='{to}' from='{domain}'>" FORGED_LIST "</message>",
  "<presence id='{id}' to='{to}' from='{domain}'>" FORGED_LIST "</presence>",
  "<iq type='error' id='{id}' to='{to}' from='mallory@evil.example'><error type='cancel'>"
  "<not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
};

static void
test_forged_replies (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autofree char *fp_a = hostile_fixture_enroll (f, &f->a, "Laptop");

  HOSTILE_RETURN_IF_FAILED ();
  before = hostile_device_snapshot (&f->a);

  /* Each forgery, then the real answer: the real one counts. */
  for (guint i = 0; i < G_N_ELEMENTS (forgeries); i++)
    {
      g_autofree char *path = hostile_server_payload (f->server, "forged.xml", forgeries[i], -1);
      g_autofree char *script = g_strdup_printf ("list=raw\nlist.payload=%s\nlist.then=pass\n", path);
      g_auto(HostileRun) run = { 0 };
      JsonArray *certificates;

      g_test_message ("forged first: %s", forgeries[i]);
      hostile_server_script (f->server, script);
      hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
      g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
      certificates = hostile_run_certificates (&run);
      g_assert_nonnull (certificates);
      if (certificates == NULL)
        continue;
      g_assert_cmpuint (json_array_get_length (certificates), ==, 1);
      g_assert_nonnull (hostile_find_certificate (certificates, fp_a));
      g_string_append (all, forgeries[i]);
    }

  /* All of them and nothing else: a timeout, in time. */
  {
    g_autofree char *path = hostile_server_payload (f->server, "forged.xml", all->str, -1);
    g_autofree char *script = g_strdup_printf ("list=raw\nlist.payload=%s\nlist.then=silent\n", path);
    g_auto(HostileRun) run = { 0 };

    hostile_server_script (f->server, script);
    hostile_cli (f->server, &f->a, NULL, TIMEOUT, &run, "list", NULL);
    g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_TEMPFAIL);
    g_assert_cmpstr (hostile_run_error_code (&run), ==, "timeout");
    g_assert_cmpfloat (run.seconds, >=, TIMEOUT - 1);
    g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);
  }

  after = hostile_device_snapshot (&f->a);
  hostile_assert_unchanged (before, after, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();

  HOSTILE_ADD ("/tessera/hostile/list/replies", NULL, test_list_replies);
  HOSTILE_ADD ("/tessera/hostile/add/wrong-certificates", NULL, test_add_wrong_certificates);
  HOSTILE_ADD ("/tessera/hostile/add/refused", NULL, test_add_refused);
  HOSTILE_ADD ("/tessera/hostile/revoke/item-not-found", NULL, test_revoke_item_not_found);
  HOSTILE_ADD ("/tessera/hostile/revoke/lie", NULL, test_revoke_lie);
  HOSTILE_ADD ("/tessera/hostile/revoke/other-fingerprint", NULL, test_revoke_other);
  HOSTILE_ADD ("/tessera/hostile/revoke/forged-success", NULL, test_revoke_forged_success);
  HOSTILE_ADD ("/tessera/hostile/revoke/lie-own", NULL, test_revoke_lie_own);
  HOSTILE_ADD ("/tessera/hostile/errors/stanza-errors", NULL, test_stanza_errors);
  HOSTILE_ADD ("/tessera/hostile/errors/odd-errors", NULL, test_odd_errors);
  HOSTILE_ADD ("/tessera/hostile/forged/replies", NULL, test_forged_replies);

  return g_test_run ();
}
