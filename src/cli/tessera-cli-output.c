/* tessera-cli-output.c: exit codes, error reports, JSON and table output of tessera-cli
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-cli"

#include <stdio.h>
#include <glib/gi18n-lib.h>

#include "tessera-cli-private.h"

G_DEFINE_QUARK (tessera-cli-error-quark, tessera_cli_error)

static int
classify_xmpp_error (const GError *error,
                     const char  **code)
{
  switch ((TesseraXmppError) error->code)
    {
    case TESSERA_XMPP_ERROR_NOT_SUPPORTED:
      *code = "not-supported";
      return TESSERA_CLI_EXIT_UNAVAILABLE;
    case TESSERA_XMPP_ERROR_TIMEOUT:
      *code = "timeout";
      return TESSERA_CLI_EXIT_TEMPFAIL;
    case TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED:
      *code = "authentication-failed";
      return TESSERA_CLI_EXIT_NOPERM;
    case TESSERA_XMPP_ERROR_EXTERNAL_NOT_OFFERED:
      *code = "external-not-offered";
      return TESSERA_CLI_EXIT_NOPERM;
    case TESSERA_XMPP_ERROR_MALFORMED_REPLY:
      *code = "malformed-reply";
      return TESSERA_CLI_EXIT_PROTOCOL;
    case TESSERA_XMPP_ERROR_CERTIFICATE_REJECTED:
      *code = "certificate-rejected";
      return TESSERA_CLI_EXIT_PROTOCOL;
    case TESSERA_XMPP_ERROR_NOT_FOUND:
      *code = "item-not-found";
      return TESSERA_CLI_EXIT_PROTOCOL;
    case TESSERA_XMPP_ERROR_REVOKE_UNCONFIRMED:
      /* The server said "revoked" and still lists it: nonsense. */
      *code = "revoke-unconfirmed";
      return TESSERA_CLI_EXIT_PROTOCOL;
    case TESSERA_XMPP_ERROR_CONNECTION_FAILED:
      *code = "connection-failed";
      return TESSERA_CLI_EXIT_FAILURE;
    case TESSERA_XMPP_ERROR_TLS_NOT_OFFERED:
      *code = "tls-not-offered";
      return TESSERA_CLI_EXIT_FAILURE;
    case TESSERA_XMPP_ERROR_TLS_CERTIFICATE:
      *code = "tls-certificate";
      return TESSERA_CLI_EXIT_FAILURE;
    case TESSERA_XMPP_ERROR_STREAM_ERROR:
      *code = "stream-error";
      return TESSERA_CLI_EXIT_FAILURE;
    case TESSERA_XMPP_ERROR_FAILED:
    default:
      *code = "xmpp-failed";
      return TESSERA_CLI_EXIT_FAILURE;
    }
}

static int
classify_stanza_error (const GError *error,
                       const char  **code)
{
  *code = tessera_stanza_error_condition_to_string (error->code);

  /* The error type says more than the condition about whether to retry. */
  if (tessera_stanza_error_get_error_type (error) == TESSERA_STANZA_ERROR_TYPE_WAIT)
    return TESSERA_CLI_EXIT_TEMPFAIL;

  switch ((TesseraStanzaErrorCondition) error->code)
    {
    case TESSERA_STANZA_ERROR_SERVICE_UNAVAILABLE:
    case TESSERA_STANZA_ERROR_FEATURE_NOT_IMPLEMENTED:
      return TESSERA_CLI_EXIT_UNAVAILABLE;
    case TESSERA_STANZA_ERROR_NOT_ALLOWED:
    case TESSERA_STANZA_ERROR_FORBIDDEN:
    case TESSERA_STANZA_ERROR_NOT_AUTHORIZED:
      return TESSERA_CLI_EXIT_NOPERM;
    case TESSERA_STANZA_ERROR_REMOTE_SERVER_TIMEOUT:
      return TESSERA_CLI_EXIT_TEMPFAIL;
    default:
      return TESSERA_CLI_EXIT_PROTOCOL;
    }
}

static int
classify_store_error (const GError *error,
                      const char  **code)
{
  switch ((TesseraStoreError) error->code)
    {
    case TESSERA_STORE_ERROR_IO:
      *code = "store-io";
      break;
    case TESSERA_STORE_ERROR_NOT_FOUND:
      *code = "store-not-found";
      break;
    case TESSERA_STORE_ERROR_CORRUPT:
      *code = "store-corrupt";
      break;
    case TESSERA_STORE_ERROR_PERMISSIONS:
      *code = "store-permissions";
      break;
    case TESSERA_STORE_ERROR_NO_SECRET_SERVICE:
      *code = "no-secret-service";
      break;
    case TESSERA_STORE_ERROR_SECRET_MISSING:
      *code = "secret-missing";
      break;
    case TESSERA_STORE_ERROR_PASSPHRASE_REQUIRED:
      *code = "passphrase-required";
      break;
    case TESSERA_STORE_ERROR_BUSY:
      /* Another Tessera holds the account (tessera-account-lock.h): a
       * script can run the command again once it has finished. */
      *code = "account-busy";
      return TESSERA_CLI_EXIT_TEMPFAIL;
    case TESSERA_STORE_ERROR_DEVICE_ENROLLED:
      /* One certificate per device: the user asked for the wrong thing. */
      *code = "device-enrolled";
      return TESSERA_CLI_EXIT_USAGE;
    case TESSERA_STORE_ERROR_FAILED:
    default:
      *code = "store-failed";
      break;
    }
  return TESSERA_CLI_EXIT_FAILURE;
}

static int
classify_crypto_error (const GError *error,
                       const char  **code)
{
  switch ((TesseraCryptoError) error->code)
    {
    /* Checks of the certificate the server issued (PROTOCOL.md §2): the
     * reply was wrong, like a malformed one. */
    case TESSERA_CRYPTO_ERROR_KEY_MISMATCH:
      *code = "key-mismatch";
      return TESSERA_CLI_EXIT_PROTOCOL;
    case TESSERA_CRYPTO_ERROR_WRONG_IDENTITY:
      *code = "wrong-identity";
      return TESSERA_CLI_EXIT_PROTOCOL;
    case TESSERA_CRYPTO_ERROR_IS_CA:
      *code = "is-ca";
      return TESSERA_CLI_EXIT_PROTOCOL;
    case TESSERA_CRYPTO_ERROR_NOT_VALID_NOW:
      *code = "not-valid-now";
      return TESSERA_CLI_EXIT_PROTOCOL;
    case TESSERA_CRYPTO_ERROR_INVALID_FINGERPRINT:
      *code = "invalid-fingerprint";
      return TESSERA_CLI_EXIT_USAGE;
    case TESSERA_CRYPTO_ERROR_UNSUPPORTED_KEY_TYPE:
      *code = "unsupported-key-type";
      return TESSERA_CLI_EXIT_USAGE;
    case TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE:
      *code = "wrong-passphrase";
      return TESSERA_CLI_EXIT_FAILURE;
    case TESSERA_CRYPTO_ERROR_INVALID_DATA:
      *code = "invalid-data";
      return TESSERA_CLI_EXIT_FAILURE;
    case TESSERA_CRYPTO_ERROR_BAD_SIGNATURE:
      *code = "bad-signature";
      return TESSERA_CLI_EXIT_FAILURE;
    case TESSERA_CRYPTO_ERROR_FAILED:
    default:
      *code = "crypto-failed";
      return TESSERA_CLI_EXIT_FAILURE;
    }
}

static int
classify_cli_error (const GError *error,
                    const char  **code)
{
  switch ((TesseraCliError) error->code)
    {
    case TESSERA_CLI_ERROR_USAGE:
      *code = "usage";
      return TESSERA_CLI_EXIT_USAGE;
    case TESSERA_CLI_ERROR_NO_ACCOUNT:
      *code = "no-account";
      return TESSERA_CLI_EXIT_USAGE;
    case TESSERA_CLI_ERROR_AMBIGUOUS:
      *code = "ambiguous-fingerprint";
      return TESSERA_CLI_EXIT_USAGE;
    case TESSERA_CLI_ERROR_PASSWORD_REQUIRED:
      *code = "password-required";
      return TESSERA_CLI_EXIT_NOPERM;
    case TESSERA_CLI_ERROR_NO_CERTIFICATE:
      *code = "no-certificate";
      return TESSERA_CLI_EXIT_NOPERM;
    case TESSERA_CLI_ERROR_KEY_NOT_HERE:
      *code = "key-not-here";
      return TESSERA_CLI_EXIT_USAGE;
    case TESSERA_CLI_ERROR_FORCE_REQUIRED:
      *code = "force-required";
      return TESSERA_CLI_EXIT_FAILURE;
    default:
      *code = "failed";
      return TESSERA_CLI_EXIT_FAILURE;
    }
}

/* The one place that turns an error into an exit code and a stable,
 * kebab-case code for --json. */
int
_tessera_cli_error_classify (const GError *error,
                             const char  **code)
{
  const char *dummy;

  if (code == NULL)
    code = &dummy;

  if (error->domain == TESSERA_XMPP_ERROR)
    return classify_xmpp_error (error, code);
  if (error->domain == TESSERA_STANZA_ERROR)
    return classify_stanza_error (error, code);
  if (error->domain == TESSERA_STORE_ERROR)
    return classify_store_error (error, code);
  if (error->domain == TESSERA_CRYPTO_ERROR)
    return classify_crypto_error (error, code);
  if (error->domain == TESSERA_CLI_ERROR)
    return classify_cli_error (error, code);
  if (error->domain == TESSERA_JID_ERROR)
    {
      *code = "invalid-jid";
      return TESSERA_CLI_EXIT_USAGE;
    }
  if (error->domain == G_OPTION_ERROR)
    {
      *code = "usage";
      return TESSERA_CLI_EXIT_USAGE;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      *code = "cancelled";
      return TESSERA_CLI_EXIT_FAILURE;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      *code = "file-exists";
      return TESSERA_CLI_EXIT_FAILURE;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      *code = "timeout";
      return TESSERA_CLI_EXIT_TEMPFAIL;
    }

  *code = "failed";
  return TESSERA_CLI_EXIT_FAILURE;
}

/* Prints "tessera-cli: WHAT: MESSAGE" on stderr and, with --json, the error
 * document on stdout. Returns the exit code. */
int
_tessera_cli_report_error (TesseraCli   *cli,
                           const char   *what,
                           const GError *error)
{
  g_autofree char *message = NULL;
  const char *code = NULL;
  int status;

  status = _tessera_cli_error_classify (error, &code);

  /* The hint only helps who gave no passphrase (remember-passphrase needs a keyring and has one). */
  if ((g_error_matches (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NO_SECRET_SERVICE) ||
       g_error_matches (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PASSPHRASE_REQUIRED)) &&
      cli->key_passphrase_file == NULL)
    /* Translators: appended to an error about the keyring */
    message = g_strdup_printf (_("%s (without a keyring, give a passphrase for the key with --key-passphrase-file)"),
                               error->message);
  else if (status == TESSERA_CLI_EXIT_UNAVAILABLE)
    /* Translators: appended to an error; “features” is a command name */
    message = g_strdup_printf (_("%s (not supported by this server; “tessera-cli features” shows what it offers)"),
                               error->message);
  else
    message = g_strdup (error->message);

  if (what != NULL)
    g_printerr ("tessera-cli: %s: %s\n", what, message);
  else
    g_printerr ("tessera-cli: %s\n", message);

  if (cli != NULL && cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *full = NULL;

      full = what != NULL ? g_strdup_printf ("%s: %s", what, message) : g_strdup (message);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, full);
      json_builder_set_member_name (builder, "exit_status");
      json_builder_add_int_value (builder, status);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
    }

  return status;
}

void
_tessera_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* Local time to the minute, for people; --json gives the exact UTC time. */
char *
_tessera_cli_format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

char *
_tessera_cli_format_date (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_format (local, "%Y-%m-%d");
}

static void
print_padded (const char *text,
              guint       width,
              gboolean    last)
{
  glong length = g_utf8_strlen (text, -1);

  fputs (text, stdout);
  if (last)
    return;
  for (glong i = length; i < (glong) width + 2; i++)
    fputc (' ', stdout);
}

/* @rows holds string arrays of @n_columns cells each; the first is the
 * header. Columns are as wide as their widest cell. */
void
_tessera_cli_print_table (GPtrArray *rows,
                          guint      n_columns)
{
  g_autofree guint *widths = g_new0 (guint, n_columns);

  for (guint r = 0; r < rows->len; r++)
    {
      const char * const *cells = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_columns; c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (cells[c], -1));
    }

  for (guint r = 0; r < rows->len; r++)
    {
      const char * const *cells = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_columns; c++)
        print_padded (cells[c], widths[c], c + 1 == n_columns);
      fputc ('\n', stdout);
    }
  fflush (stdout);
}
