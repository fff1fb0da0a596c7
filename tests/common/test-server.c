/* test-server.c: tests of the local Prosody fixture itself
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>

#include "tessera-test-server.h"

#define STREAM_HEADER \
  "<?xml version='1.0'?><stream:stream to='localhost' version='1.0' xmlns='jabber:client' " \
  "xmlns:stream='http://etherx.jabber.org/streams'>"

static gboolean
process_exists (GPid pid)
{
  return kill (pid, 0) == 0 || errno != ESRCH;
}

/* Sends @request on @stream and returns what the server answers, up to and
 * including @until. */
static char *
exchange (GIOStream  *stream,
          const char *request,
          const char *until)
{
  g_autoptr(GError) error = NULL;
  GString *answer = g_string_new (NULL);
  char buffer[1024];
  gssize count = 1;

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), request, strlen (request),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  while (count > 0 && strstr (answer->str, until) == NULL && answer->len < 65536)
    {
      count = g_input_stream_read (g_io_stream_get_input_stream (stream), buffer, sizeof buffer,
                                   NULL, &error);
      g_assert_no_error (error);
      g_string_append_len (answer, buffer, count);
    }
  return g_string_free (answer, FALSE);
}

static char *
exchange_stream_header (GIOStream *stream)
{
  return exchange (stream, STREAM_HEADER, "</stream:features>");
}

/* TLS on @connection, verified against CA_FILE for DOMAIN. */
static GIOStream *
start_tls (TesseraTestServer *server,
           GSocketConnection *connection)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  database = g_tls_file_database_new (tessera_test_server_get_ca_file (server), &error);
  g_assert_no_error (error);
  identity = g_network_address_new (tessera_test_server_get (server, "DOMAIN"), 0);
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  return tls;
}

static GSocketConnection *
connect_to (TesseraTestServer *server,
            const char        *port_key)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  guint64 port = 0;
  GSocketConnection *connection;

  g_assert_true (g_ascii_string_to_unsigned (tessera_test_server_get (server, port_key), 10, 1,
                                             G_MAXUINT16, &port, NULL));
  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, tessera_test_server_get (server, "HOST"),
                                                (guint16) port, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

/* PORT answers a stream header in plain XML and offers STARTTLS only. */
static void
assert_starttls_offered (TesseraTestServer *server)
{
  g_autoptr(GSocketConnection) connection = connect_to (server, "PORT");
  g_autofree char *answer = exchange_stream_header (G_IO_STREAM (connection));

  g_assert_nonnull (strstr (answer, "<stream:stream"));
  g_assert_nonnull (strstr (answer, "urn:ietf:params:xml:ns:xmpp-tls"));
  g_assert_null (strstr (answer, "SCRAM-SHA-1"));
}

/* STARTTLS on PORT, verified against CA_FILE: then SASL is offered. */
static void
assert_starttls_works (TesseraTestServer *server)
{
  g_autoptr(GSocketConnection) connection = connect_to (server, "PORT");
  g_autoptr(GIOStream) tls = NULL;
  g_autofree char *features = exchange_stream_header (G_IO_STREAM (connection));
  g_autofree char *proceed = NULL;
  g_autofree char *answer = NULL;

  g_assert_nonnull (strstr (features, "starttls"));
  proceed = exchange (G_IO_STREAM (connection), "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
                      "/>");
  g_assert_nonnull (strstr (proceed, "<proceed"));
  tls = start_tls (server, connection);
  answer = exchange_stream_header (tls);
  g_assert_nonnull (strstr (answer, "urn:ietf:params:xml:ns:xmpp-sasl"));
  g_assert_nonnull (strstr (answer, "SCRAM-SHA-1"));
}

/* DIRECT_TLS_PORT: TLS first, verified against CA_FILE; SASL is offered. */
static void
assert_direct_tls_works (TesseraTestServer *server)
{
  g_autoptr(GSocketConnection) connection = connect_to (server, "DIRECT_TLS_PORT");
  g_autoptr(GIOStream) tls = start_tls (server, connection);
  g_autofree char *answer = exchange_stream_header (tls);

  g_assert_nonnull (strstr (answer, "urn:ietf:params:xml:ns:xmpp-sasl"));
  g_assert_nonnull (strstr (answer, "SCRAM-SHA-1"));
}

static void
test_lifecycle (void)
{
  g_autoptr(GError) error = NULL;
  TesseraTestServer *server;
  g_autofree char *old_port = NULL;
  GPid old_pid, pid;

  server = tessera_test_server_start (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (server);

  g_assert_cmpstr (tessera_test_server_get_jid (server), ==, "user1@localhost");
  g_assert_cmpstr (tessera_test_server_get (server, "JID2"), ==, "user2@localhost");
  g_assert_cmpuint (strlen (tessera_test_server_get_password (server)), >=, 16);
  g_assert_cmpstr (tessera_test_server_get_password (server), !=,
                   tessera_test_server_get (server, "PASSWORD2"));
  g_assert_true (g_file_test (tessera_test_server_get_ca_file (server), G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (tessera_test_server_get (server, "LOG_FILE"), G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (tessera_test_server_get_port (server), >, 0);
  pid = tessera_test_server_get_pid (server);
  g_assert_cmpint (pid, >, 0);
  g_assert_true (process_exists (pid));

  assert_starttls_offered (server);
  if (g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      assert_starttls_works (server);
      assert_direct_tls_works (server);
    }
  else
    g_test_message ("No GIO TLS backend (glib-networking): direct TLS not checked");

  old_pid = pid;
  old_port = g_strdup (tessera_test_server_get (server, "PORT"));
  tessera_test_server_restart (server, &error);
  g_assert_no_error (error);
  pid = tessera_test_server_get_pid (server);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (pid, !=, old_pid);
  g_assert_false (process_exists (old_pid));
  g_assert_cmpstr (tessera_test_server_get (server, "PORT"), ==, old_port);
  assert_starttls_offered (server);

  tessera_test_server_stop (server);
  g_assert_false (process_exists (pid));
}

static void
test_options (void)
{
  const char * const options[] = { "--accounts", "1", "--features", "add,list", NULL };
  g_autoptr(GError) error = NULL;
  TesseraTestServer *server;
  g_autofree char *dir = NULL;
  GPid pid;

  server = tessera_test_server_start (options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_test_server_get_jid (server), ==, "user1@localhost");
  g_assert_null (tessera_test_server_get (server, "JID2"));
  dir = g_strdup (tessera_test_server_get (server, "DIR"));
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  pid = tessera_test_server_get_pid (server);

  tessera_test_server_stop (server);
  g_assert_false (process_exists (pid));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

static void
test_bad_option (void)
{
  const char * const options[] = { "--no-such-option", NULL };
  g_autoptr(GError) error = NULL;
  TesseraTestServer *server;

  server = tessera_test_server_start (options, &error);
  g_assert_null (server);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/test-server/lifecycle", test_lifecycle);
  g_test_add_func ("/tessera/test-server/options", test_options);
  g_test_add_func ("/tessera/test-server/bad-option", test_bad_option);

  return g_test_run ();
}
