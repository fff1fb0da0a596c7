/* test-hostile-transport.c: tessera-cli against a mock TLS server that misbehaves on purpose
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "hostile-common.h"
#include "tessera-mock-xmpp-server.h"
#include "tessera-core.h"

/* What Prosody will not do on request (tessera-mock-xmpp-server.c, a mock): no
 * STARTTLS, a certificate for another domain, a self-signed or an expired
 * one, a stall right after <proceed/>, no or a refused SASL EXTERNAL. The
 * connection must be refused before any credential leaves, and a
 * certificate login never sends a password, even with one at hand: the
 * server records every <auth/> and every byte it read. */

#define JID "user1@localhost"
#define PASSWORD "hostile-password-never-to-be-sent"
#define KEY_PASSPHRASE "device key passphrase"
#define TIMEOUT 3

static char *tmpdir;
static char *ca_path;
static char *server_key_path;
static char *good_path;
static char *other_domain_path;
static char *expired_path;
static char *self_signed_path;
static char *passphrase_path;
static gboolean have_tls;

typedef struct
{
  TesseraTestDevice device;    /* management commands: nothing on disk */
  TesseraTestDevice holder;    /* holds a certificate for "login" */
  char          *root;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->root = tessera_test_tmpdir_new ("tessera-hostile-XXXXXX");
  tessera_test_device_init (&f->device, f->root, "device");
  tessera_test_device_init (&f->holder, f->root, "holder");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tessera_test_device_clear (&f->device);
  tessera_test_device_clear (&f->holder);
  g_clear_pointer (&f->root, tessera_test_tmpdir_free);
}

#define SKIP_WITHOUT_TLS() G_STMT_START { \
    if (!have_tls) { g_test_skip ("no GIO TLS backend (glib-networking) for the mock server"); return; } \
  } G_STMT_END

/* ---- certificates, made once with certtool ------------------------------ */

static void
certtool (const char * const *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_strv_builder_add (builder, "certtool");
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static char *
write_template (const char *name,
                const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmpdir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A server certificate signed by the test CA, with @template_text. */
static char *
signed_certificate (const char *name,
                    const char *template_text)
{
  g_autofree char *template = write_template ("server.tmpl", template_text);
  char *path = g_build_filename (tmpdir, name, NULL);
  const char *args[] = { "--generate-certificate", "--load-privkey", server_key_path,
                         "--load-ca-certificate", ca_path, "--load-ca-privkey", NULL,
                         "--template", template, "--outfile", path, NULL };
  g_autofree char *ca_key = g_build_filename (tmpdir, "ca.key", NULL);

  args[6] = ca_key;
  certtool (args);
  return path;
}

static void
make_certificates (void)
{
  g_autofree char *ca_key = g_build_filename (tmpdir, "ca.key", NULL);
  g_autofree char *ca_template = write_template ("ca.tmpl", "cn = \"Hostile test CA\"\nca\ncert_signing_key\n"
                                                             "expiration_days = 2\n");
  g_autofree char *self_template = write_template ("self.tmpl", "cn = \"localhost\"\ndns_name = \"localhost\"\n"
                                                                 "tls_www_server\nsigning_key\n"
                                                                 "expiration_days = 2\n");
  const char *ca_keygen[] = { "--generate-privkey", "--key-type=ecdsa", "--outfile", ca_key, NULL };
  const char *server_keygen[] = { "--generate-privkey", "--key-type=ecdsa", "--outfile", NULL, NULL };
  const char *ca_self[] = { "--generate-self-signed", "--load-privkey", ca_key, "--template", ca_template,
                            "--outfile", NULL, NULL };
  const char *self[] = { "--generate-self-signed", "--load-privkey", NULL, "--template", self_template,
                         "--outfile", NULL, NULL };

  ca_path = g_build_filename (tmpdir, "ca.pem", NULL);
  server_key_path = g_build_filename (tmpdir, "server.key", NULL);
  self_signed_path = g_build_filename (tmpdir, "self-signed.pem", NULL);
  certtool (ca_keygen);
  server_keygen[3] = server_key_path;
  certtool (server_keygen);
  ca_self[6] = ca_path;
  certtool (ca_self);
  self[2] = server_key_path;
  self[6] = self_signed_path;
  certtool (self);

  good_path = signed_certificate ("good.pem", "cn = \"localhost\"\ndns_name = \"localhost\"\n"
                                              "tls_www_server\nsigning_key\nexpiration_days = 2\n");
  other_domain_path = signed_certificate ("other-domain.pem", "cn = \"other.example\"\n"
                                                              "dns_name = \"other.example\"\n"
                                                              "tls_www_server\nsigning_key\n"
                                                              "expiration_days = 2\n");
  expired_path = signed_certificate ("expired.pem", "cn = \"localhost\"\ndns_name = \"localhost\"\n"
                                                    "tls_www_server\nsigning_key\n"
                                                    "activation_date = \"2020-01-01 00:00:00\"\n"
                                                    "expiration_date = \"2021-01-01 00:00:00\"\n");
}

/* A device that holds a certificate for JID (self-signed: the scripted
 * server does not check it), its key under a passphrase of its own. */
static void
give_certificate (TesseraTestDevice *device)
{
  g_autofree char *base = g_build_filename (device->data_home, "tessera", NULL);
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, base);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraKey) key = tessera_key_generate (TESSERA_KEY_TYPE_ECDSA_P256, NULL, &error);
  g_autoptr(GBytes) der = NULL;
  g_autoptr(TesseraCertificate) certificate = NULL;
  g_autoptr(TesseraKeyRecord) saved = NULL;
  g_autoptr(TesseraKeyRecord) certified = NULL;

  g_assert_no_error (error);
  der = tessera_key_create_self_signed (key, JID, 2, &error);
  g_assert_no_error (error);
  certificate = tessera_certificate_new_from_der (der, &error);
  g_assert_no_error (error);
  saved = tessera_key_store_save_key (store, key, "Laptop", "ccm2", KEY_PASSPHRASE, &error);
  g_assert_no_error (error);
  certified = tessera_key_store_save_certificate (store, tessera_key_record_get_id (saved), certificate, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tessera_key_record_get_state (certified), ==, TESSERA_KEY_STATE_CERTIFIED);
}

/* ---- running tessera-cli against the mock server -------------------- */

static void
run_cli (TesseraMockXmppServer *server,
         TesseraTestDevice     *device,
         gboolean               trust_ca,
         const char            *command,
         HostileRun            *run)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *port = g_strdup_printf ("%u", tessera_mock_xmpp_server_get_port (server));
  g_autofree char *timeout = g_strdup_printf ("%u", TIMEOUT);

  g_strv_builder_add_many (builder, "--json", "--timeout", timeout, "--jid", JID, "--host", "127.0.0.1",
                           "--port", port, "--key-passphrase-file", passphrase_path, NULL);
  if (trust_ca)
    g_strv_builder_add_many (builder, "--ca-file", ca_path, NULL);
  g_strv_builder_add (builder, command);
  argv = g_strv_builder_end (builder);

  /* The password is at hand for every command, "login" included: it must
   * never be sent where it does not belong. */
  hostile_run_cli (device, PASSWORD, NULL, (const char * const *) argv, run);
}

/* No credential of any kind reached the server. */
static void
assert_nothing_sent (TesseraMockXmppServer *server)
{
  g_autofree char *log = tessera_mock_xmpp_server_dup_auth_log (server);

  g_assert_cmpstr (log, ==, "");
  g_assert_cmpuint (tessera_mock_xmpp_server_get_auths (server), ==, 0);
  g_assert_false (tessera_mock_xmpp_server_received (server, PASSWORD));
  g_assert_false (tessera_mock_xmpp_server_received (server, "<auth"));
}

/* Refused for @server's TLS, with @code, for a management command and for
 * a certificate login, and nothing sent or changed. */
static void
check_refused (Fixture               *f,
               TesseraMockXmppServer *server,
               gboolean               trust_ca,
               const char            *code,
               const char            *reason)
{
  const struct { TesseraTestDevice *device; const char *command; } runs[] = {
    { &f->device, "list" },
    { &f->holder, "login" },
  };

  give_certificate (&f->holder);
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(GHashTable) before = hostile_device_snapshot (runs[i].device);
      g_autoptr(GHashTable) after = NULL;
      g_auto(HostileRun) run = { 0 };

      run_cli (server, runs[i].device, trust_ca, runs[i].command, &run);
      g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_FAILURE);
      g_assert_cmpstr (hostile_run_error_code (&run), ==, code);
      hostile_assert_contains (hostile_run_error_message (&run), reason);
      g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);
      after = hostile_device_snapshot (runs[i].device);
      hostile_assert_unchanged (before, after, FALSE);
    }
  g_assert_cmpuint (tessera_mock_xmpp_server_get_connections (server), ==, 2);
  assert_nothing_sent (server);
}

/* ---- 6. transport ------------------------------------------------------- */

/* The control case: the same server with a good certificate gets the
 * password (PLAIN), so the checks below can see one if it came. */
static void
test_control (Fixture       *f,
              gconstpointer  data)
{
  TesseraMockXmppConfig config = { TESSERA_MOCK_TLS_STARTTLS, good_path, server_key_path, "PLAIN", FALSE, NULL };
  g_autoptr(TesseraMockXmppServer) server = NULL;
  g_auto(HostileRun) run = { 0 };
  g_autofree char *log = NULL;

  SKIP_WITHOUT_TLS ();
  server = tessera_mock_xmpp_server_new (&config);
  run_cli (server, &f->device, TRUE, "list", &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  log = tessera_mock_xmpp_server_dup_auth_log (server);
  g_assert_cmpstr (log, ==, "PLAIN");
  g_assert_true (tessera_mock_xmpp_server_received (server, PASSWORD));
}

static void
test_no_starttls (Fixture       *f,
                  gconstpointer  data)
{
  TesseraMockXmppConfig config = { TESSERA_MOCK_TLS_NONE, NULL, NULL, "PLAIN EXTERNAL", FALSE, NULL };
  g_autoptr(TesseraMockXmppServer) server = NULL;

  SKIP_WITHOUT_TLS ();
  server = tessera_mock_xmpp_server_new (&config);
  check_refused (f, server, TRUE, "tls-not-offered", "does not offer TLS");
}

static void
test_other_domain (Fixture       *f,
                   gconstpointer  data)
{
  TesseraMockXmppConfig config = { TESSERA_MOCK_TLS_STARTTLS, other_domain_path, server_key_path,
                                   "PLAIN EXTERNAL", FALSE, NULL };
  g_autoptr(TesseraMockXmppServer) server = NULL;

  SKIP_WITHOUT_TLS ();
  server = tessera_mock_xmpp_server_new (&config);
  check_refused (f, server, TRUE, "tls-certificate", tessera_mock_xmpp_server_get_fingerprint (server));
}

static void
test_self_signed (Fixture       *f,
                  gconstpointer  data)
{
  TesseraMockXmppConfig config = { TESSERA_MOCK_TLS_STARTTLS, self_signed_path, server_key_path,
                                   "PLAIN EXTERNAL", FALSE, NULL };
  g_autoptr(TesseraMockXmppServer) server = NULL;

  SKIP_WITHOUT_TLS ();
  server = tessera_mock_xmpp_server_new (&config);
  check_refused (f, server, FALSE, "tls-certificate", tessera_mock_xmpp_server_get_fingerprint (server));
}

static void
test_expired (Fixture       *f,
              gconstpointer  data)
{
  TesseraMockXmppConfig config = { TESSERA_MOCK_TLS_STARTTLS, expired_path, server_key_path,
                                   "PLAIN EXTERNAL", FALSE, NULL };
  g_autoptr(TesseraMockXmppServer) server = NULL;

  SKIP_WITHOUT_TLS ();
  server = tessera_mock_xmpp_server_new (&config);
  check_refused (f, server, TRUE, "tls-certificate", "expired");
}

/* <proceed/>, then nothing: a timeout at the deadline, no credential. */
static void
test_stall_after_proceed (Fixture       *f,
                          gconstpointer  data)
{
  TesseraMockXmppConfig config = { TESSERA_MOCK_TLS_STALL, good_path, server_key_path, "PLAIN EXTERNAL", FALSE, NULL };
  g_autoptr(TesseraMockXmppServer) server = NULL;
  const char *commands[] = { "list", "login" };

  SKIP_WITHOUT_TLS ();
  server = tessera_mock_xmpp_server_new (&config);
  give_certificate (&f->holder);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      TesseraTestDevice *device = i == 0 ? &f->device : &f->holder;
      g_autoptr(GHashTable) before = hostile_device_snapshot (device);
      g_autoptr(GHashTable) after = NULL;
      g_auto(HostileRun) run = { 0 };

      run_cli (server, device, TRUE, commands[i], &run);
      g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_TEMPFAIL);
      g_assert_cmpstr (hostile_run_error_code (&run), ==, "timeout");
      g_assert_cmpfloat (run.seconds, >=, TIMEOUT - 1);
      g_assert_cmpfloat (run.seconds, <=, TIMEOUT + 1);
      after = hostile_device_snapshot (device);
      hostile_assert_unchanged (before, after, FALSE);
    }
  assert_nothing_sent (server);
}

/* A certificate login where EXTERNAL is not offered (but PLAIN and SCRAM
 * are, and a password is at hand): exit 77, nothing sent. */
static void
test_external_not_offered (Fixture       *f,
                           gconstpointer  data)
{
  TesseraMockXmppConfig config = { TESSERA_MOCK_TLS_STARTTLS, good_path, server_key_path, "SCRAM-SHA-1 PLAIN",
                                   FALSE, NULL };
  g_autoptr(TesseraMockXmppServer) server = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_auto(HostileRun) run = { 0 };

  SKIP_WITHOUT_TLS ();
  server = tessera_mock_xmpp_server_new (&config);
  give_certificate (&f->holder);
  before = hostile_device_snapshot (&f->holder);
  run_cli (server, &f->holder, TRUE, "login", &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_NOPERM);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "external-not-offered");
  hostile_assert_contains (hostile_run_error_message (&run), "does not offer SASL EXTERNAL");
  after = hostile_device_snapshot (&f->holder);
  hostile_assert_unchanged (before, after, FALSE);
  assert_nothing_sent (server);
}

/* EXTERNAL offered and refused, with SCRAM and PLAIN on offer too: one
 * <auth mechanism='EXTERNAL'/> and nothing else, exit 77. */
static void
test_external_refused (Fixture       *f,
                       gconstpointer  data)
{
  TesseraMockXmppConfig config = { TESSERA_MOCK_TLS_STARTTLS, good_path, server_key_path,
                                   "SCRAM-SHA-1 PLAIN EXTERNAL", TRUE, NULL };
  g_autoptr(TesseraMockXmppServer) server = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_auto(HostileRun) run = { 0 };
  g_autofree char *log = NULL;

  SKIP_WITHOUT_TLS ();
  server = tessera_mock_xmpp_server_new (&config);
  give_certificate (&f->holder);
  before = hostile_device_snapshot (&f->holder);
  run_cli (server, &f->holder, TRUE, "login", &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_NOPERM);
  g_assert_cmpstr (hostile_run_error_code (&run), ==, "authentication-failed");
  hostile_assert_contains (hostile_run_error_message (&run), "refuses every certificate");
  log = tessera_mock_xmpp_server_dup_auth_log (server);
  g_assert_cmpstr (log, ==, "EXTERNAL");
  g_assert_true (tessera_mock_xmpp_server_saw_client_certificate (server));
  g_assert_false (tessera_mock_xmpp_server_received (server, PASSWORD));
  after = hostile_device_snapshot (&f->holder);
  hostile_assert_unchanged (before, after, FALSE);
}

/* The control case for logins: EXTERNAL accepted, the JID bound. */
static void
test_external_accepted (Fixture       *f,
                        gconstpointer  data)
{
  TesseraMockXmppConfig config = { TESSERA_MOCK_TLS_STARTTLS, good_path, server_key_path,
                                   "SCRAM-SHA-1 PLAIN EXTERNAL", FALSE, NULL };
  g_autoptr(TesseraMockXmppServer) server = NULL;
  g_auto(HostileRun) run = { 0 };
  g_autofree char *log = NULL;

  SKIP_WITHOUT_TLS ();
  server = tessera_mock_xmpp_server_new (&config);
  give_certificate (&f->holder);
  run_cli (server, &f->holder, TRUE, "login", &run);
  g_assert_cmpint (run.status, ==, TESSERA_TEST_EXIT_OK);
  HOSTILE_RETURN_IF_FAILED ();
  g_assert_cmpstr (json_object_get_string_member (hostile_run_object (&run), "jid"), ==, JID "/scripted");
  log = tessera_mock_xmpp_server_dup_auth_log (server);
  g_assert_cmpstr (log, ==, "EXTERNAL");
  g_assert_false (tessera_mock_xmpp_server_received (server, PASSWORD));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  setlocale (LC_ALL, "");
  tmpdir = tessera_test_tmpdir_new ("tessera-hostile-certs-XXXXXX");
  /* The test process itself stores keys (with a passphrase of their own);
   * keep libsecret away from any real keyring. */
  tessera_test_file_keyring_setup ("tessera-hostile-transport");

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();

  have_tls = g_tls_backend_supports_tls (g_tls_backend_get_default ());
  if (have_tls)
    make_certificates ();
  passphrase_path = g_build_filename (tmpdir, "key-passphrase", NULL);
  g_file_set_contents_full (passphrase_path, KEY_PASSPHRASE "\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/tessera/hostile/transport/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("control", test_control);
  ADD ("no-starttls", test_no_starttls);
  ADD ("certificate-for-another-domain", test_other_domain);
  ADD ("self-signed-not-trusted", test_self_signed);
  ADD ("expired", test_expired);
  ADD ("stall-after-proceed", test_stall_after_proceed);
  ADD ("external-not-offered", test_external_not_offered);
  ADD ("external-refused", test_external_refused);
  ADD ("external-accepted", test_external_accepted);

#undef ADD

  ret = g_test_run ();

  tessera_test_file_keyring_teardown ();
  g_clear_pointer (&tmpdir, tessera_test_tmpdir_free);
  return ret;
}
