/* tessera-cli.c: command line parsing and the main function of tessera-cli
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-cli"

#include <locale.h>
#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "tessera-cli-private.h"

static void
add_global_options (TesseraCli     *cli,
                    GOptionContext *context,
                    gboolean        main_group)
{
  const GOptionEntry entries[] = {
    { "jid", 0, 0, G_OPTION_ARG_STRING, &cli->jid,
      N_("Account address (user@example.org); optional with one stored account"), N_("JID") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &cli->host,
      N_("Server host name or address (default: from the JID's domain)"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &cli->port,
      N_("Server port (default: 5222, or 5223 with --direct-tls)"), N_("PORT") },
    { "direct-tls", 0, 0, G_OPTION_ARG_NONE, &cli->direct_tls,
      N_("Use direct TLS instead of STARTTLS"), NULL },
    { "starttls", 0, 0, G_OPTION_ARG_NONE, &cli->starttls,
      N_("Use STARTTLS (the default; undoes a remembered --direct-tls)"), NULL },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &cli->ca_file,
      N_("Also trust the CA certificates in this PEM file for the server"), N_("PEM") },
    { "pin-fingerprint", 0, 0, G_OPTION_ARG_STRING, &cli->pin_fingerprint,
      N_("Trust the server certificate with this SHA-256 fingerprint"), N_("HEX") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli->password_file,
      N_("Read the account password from the first line of FILE"), N_("FILE") },
    { "key-passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &cli->key_passphrase_file,
      N_("Without a keyring: encrypt new keys with, and unlock keys by, the first line of FILE"), N_("FILE") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &cli->timeout,
      N_("Give up on the server after this many seconds (default: 30)"), N_("SECONDS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print one JSON document on standard output"), NULL },
    { NULL }
  };
  GOptionGroup *group;

  if (main_group)
    {
      g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
      return;
    }

  group = g_option_group_new ("global", _("Global options:"), _("Show the global options"), NULL, NULL);
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_add_group (context, group);
}

static void
add_command_options (TesseraCli              *cli,
                     GOptionContext          *context,
                     const TesseraCliCommand *command)
{
  const GOptionEntry enroll_entries[] = {
    { "key-type", 0, 0, G_OPTION_ARG_STRING, &cli->key_type,
      N_("Key type: ecdsa-p256 (default), ed25519 or rsa3072"), N_("TYPE") },
    { "other-device", 0, 0, G_OPTION_ARG_NONE, &cli->other_device,
      N_("For another device (a phone, a bot): write its key and certificate to --output FILE and keep "
         "nothing of it here"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &cli->output,
      N_("With --other-device: write to FILE (created readable by you only)"), N_("FILE") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &cli->format,
      N_("With --other-device: pkcs12 (the default, for phones) or pem (for poezio, slixmpp, libstrophe)"),
      N_("FORMAT") },
    { "export-passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &cli->export_passphrase_file,
      N_("With --other-device: encrypt the file with the first line of FILE instead of asking twice"),
      N_("FILE") },
    { "modern", 0, 0, G_OPTION_ARG_NONE, &cli->modern,
      N_("With --other-device: PKCS #12 with AES-256 and a SHA-256 MAC (Android 14 and later, desktops)"), NULL },
    { "no-encrypt", 0, 0, G_OPTION_ARG_NONE, &cli->no_encrypt,
      N_("With --other-device, PEM only: leave the private key unencrypted"), NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &cli->force,
      N_("With --other-device: replace FILE if it exists"), NULL },
    { NULL }
  };
  const GOptionEntry revoke_entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &cli->force,
      N_("Also revoke this device's certificate or the account's last one"), NULL },
    { NULL }
  };
  const GOptionEntry login_entries[] = {
    { "hold", 0, 0, G_OPTION_ARG_INT, &cli->hold,
      N_("Stay logged in for this many seconds before exiting"), N_("SECONDS") },
    { NULL }
  };

  const GOptionEntry export_entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &cli->format,
      N_("pkcs12 (the default: one file for phones and desktops) or pem (for poezio, slixmpp, libstrophe)"),
      N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &cli->output,
      N_("Write to FILE (created readable by you only)"), N_("FILE") },
    { "export-passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &cli->export_passphrase_file,
      N_("Encrypt the file with the first line of FILE instead of asking twice"), N_("FILE") },
    { "modern", 0, 0, G_OPTION_ARG_NONE, &cli->modern,
      N_("PKCS #12 with AES-256 and a SHA-256 MAC (Android 14 and later, desktops)"), NULL },
    { "no-encrypt", 0, 0, G_OPTION_ARG_NONE, &cli->no_encrypt,
      N_("PEM only: leave the private key unencrypted (for programs that cannot be given a passphrase)"), NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &cli->force,
      N_("Replace FILE if it exists"), NULL },
    { NULL }
  };
  const GOptionEntry renew_entries[] = {
    { "if-expiring", 0, 0, G_OPTION_ARG_NONE, &cli->if_expiring,
      N_("Renew only when the certificate expires within 30 days (or has expired)"), NULL },
    { NULL }
  };
  const GOptionEntry remember_entries[] = {
    { "key", 0, 0, G_OPTION_ARG_STRING, &cli->key_id,
      N_("Only the key with this id (its folder's name); default: every key with a passphrase of its own"),
      N_("KEYID") },
    { NULL }
  };

  if (g_str_equal (command->name, "enroll"))
    g_option_context_add_main_entries (context, enroll_entries, GETTEXT_PACKAGE);
  else if (g_str_equal (command->name, "revoke"))
    g_option_context_add_main_entries (context, revoke_entries, GETTEXT_PACKAGE);
  else if (g_str_equal (command->name, "login"))
    g_option_context_add_main_entries (context, login_entries, GETTEXT_PACKAGE);
  else if (g_str_equal (command->name, "export"))
    g_option_context_add_main_entries (context, export_entries, GETTEXT_PACKAGE);
  else if (g_str_equal (command->name, "remember-passphrase"))
    g_option_context_add_main_entries (context, remember_entries, GETTEXT_PACKAGE);
  else if (g_str_equal (command->name, "renew"))
    g_option_context_add_main_entries (context, renew_entries, GETTEXT_PACKAGE);

  add_global_options (cli, context, FALSE);
}

static char *
describe_commands (void)
{
  g_autoptr(GString) text = g_string_new (_("Commands:"));
  const TesseraCliCommand *commands;
  guint n_commands;

  commands = _tessera_cli_get_commands (&n_commands);
  for (guint i = 0; i < n_commands; i++)
    g_string_append_printf (text, "\n  %-20s %s", commands[i].parameters, _(commands[i].summary));
  g_string_append_printf (text, "\n  %-20s %s", "help COMMAND", _("Show the options of COMMAND"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static GOptionContext *
new_main_context (TesseraCli *cli)
{
  GOptionContext *context = g_option_context_new (_("COMMAND [ARGS…]"));
  g_autofree char *summary = describe_commands ();
  const GOptionEntry version_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &cli->version, N_("Show the version and exit"), NULL },
    { NULL }
  };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context,
    _("The password of management commands comes from --password-file, else $TESSERA_PASSWORD, else the "
      "keyring, else a prompt on the terminal; “login” never uses one. Server settings given on the command "
      "line are remembered for the account once a command succeeded.\n\n"
      "Exit status: 0 done, 64 usage error, 69 not supported by the server, 75 timeout or try again later, "
      "76 the server refused the request or answered nonsense, 77 authentication failed or not allowed, "
      "1 anything else."));
  /* Options after the command belong to it; see new_command_context(). */
  g_option_context_set_strict_posix (context, TRUE);
  add_global_options (cli, context, TRUE);
  g_option_context_add_main_entries (context, version_entries, GETTEXT_PACKAGE);
  return context;
}

static GOptionContext *
new_command_context (TesseraCli              *cli,
                     const TesseraCliCommand *command)
{
  GOptionContext *context = g_option_context_new (command->parameters);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(command->summary));
  add_command_options (cli, context, command);
  return context;
}

static int
usage_error (TesseraCli *cli,
             const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE, message);

  _tessera_cli_report_error (cli, NULL, error);
  g_printerr (_("Try “tessera-cli --help”.\n"));
  return TESSERA_CLI_EXIT_USAGE;
}

/* "help" and "help COMMAND" print the same text as --help. */
static int
print_help (TesseraCli *cli,
            char      **args)
{
  const TesseraCliCommand *command = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *text = NULL;

  if (args[0] != NULL)
    {
      command = _tessera_cli_find_command (args[0]);
      if (command == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("Unknown command “%s”"), args[0]);

          return usage_error (cli, message);
        }
      context = new_command_context (cli, command);
    }
  else
    {
      context = new_main_context (cli);
    }
  text = g_option_context_get_help (context, FALSE, NULL);
  g_print ("%s", text);
  return TESSERA_CLI_EXIT_OK;
}

/* Parses the command's own options and positional arguments from @argv
 * (the arguments after the command name). */
static int
parse_command (TesseraCli  *cli,
               const char  *name,
               char       **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  guint n_args;

  cli->command = _tessera_cli_find_command (name);
  if (cli->command == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Unknown command “%s”"), name);

      return usage_error (cli, message);
    }

  g_strv_builder_add (builder, "tessera-cli");
  g_strv_builder_addv (builder, (const char **) argv);
  args = g_strv_builder_end (builder);

  context = new_command_context (cli, cli->command);
  if (!g_option_context_parse_strv (context, &args, &error))
    return usage_error (cli, error->message);

  n_args = g_strv_length (args) - 1;
  if (n_args < cli->command->min_args || n_args > cli->command->max_args)
    {
      g_autofree char *message = g_strdup_printf (_("Wrong number of arguments; usage: tessera-cli [OPTION…] %s"),
                                                  cli->command->parameters);

      return usage_error (cli, message);
    }
  if (cli->timeout < 0 || cli->hold < 0)
    return usage_error (cli, _("--timeout and --hold take a number of seconds (0 or more)"));

  cli->args = g_strdupv (args + 1);
  return TESSERA_CLI_EXIT_OK;
}

static gboolean
cancel_cb (gpointer user_data)
{
  TesseraCli *cli = user_data;

  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

/* Ctrl+C cancels the running operation, which then ends with its own
 * message. Installed after the password prompt, which the default
 * handling interrupts best. */
static gboolean
run_cancellable (TesseraCli  *cli,
                 GError     **error)
{
  guint sigint_id = g_unix_signal_add (SIGINT, cancel_cb, cli);
  guint sigterm_id = g_unix_signal_add (SIGTERM, cancel_cb, cli);
  gboolean ok;

  ok = cli->command->run (cli, error) &&
       _tessera_cli_remember_account (cli, error);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  return ok;
}

static int
run_command (TesseraCli *cli)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  cli->loop = g_main_loop_new (NULL, FALSE);
  cli->cancellable = g_cancellable_new ();

  ok = _tessera_cli_prepare_account (cli, &error) &&
       _tessera_cli_prepare_session (cli, &error) &&
       run_cancellable (cli, &error);

  if (cli->session != NULL)
    tessera_session_close (cli->session);

  if (!ok)
    return _tessera_cli_report_error (cli, _(cli->command->failure), error);
  return TESSERA_CLI_EXIT_OK;
}

static void
tessera_cli_clear (TesseraCli *cli)
{
  g_clear_pointer (&cli->jid, g_free);
  g_clear_pointer (&cli->host, g_free);
  g_clear_pointer (&cli->ca_file, g_free);
  g_clear_pointer (&cli->pin_fingerprint, g_free);
  g_clear_pointer (&cli->password_file, g_free);
  g_clear_pointer (&cli->key_passphrase_file, g_free);
  g_clear_pointer (&cli->key_passphrase, tessera_secret_free);
  g_clear_pointer (&cli->key_type, g_free);
  g_clear_pointer (&cli->format, g_free);
  g_clear_pointer (&cli->output, g_free);
  g_clear_pointer (&cli->export_passphrase_file, g_free);
  g_clear_pointer (&cli->key_id, g_free);
  g_clear_pointer (&cli->args, g_strfreev);
  g_clear_object (&cli->session);
  g_clear_pointer (&cli->local_fingerprints, g_hash_table_unref);
  g_clear_pointer (&cli->device_fingerprint, g_free);
  g_clear_object (&cli->store);
  g_clear_object (&cli->account);
  g_clear_object (&cli->result);
  g_clear_object (&cli->cancellable);
  g_clear_pointer (&cli->loop, g_main_loop_unref);
}

int
main (int   argc,
      char *argv[])
{
  TesseraCli cli = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  int status;

  /* Before anything opens a file: a closed 1 would let --json land in
   * one (tessera_stdio_ensure_open ()). */
  tessera_stdio_ensure_open ();
  /* Debug and info messages go to stderr: stdout carries --json. */
  g_log_writer_default_set_use_stderr (TRUE);

  setlocale (LC_ALL, "");
  /* TESSERA_LOCALEDIR lets an uninstalled build (and its tests) use the
   * catalogs in <builddir>/po. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("TESSERA_LOCALEDIR") != NULL
                                     ? g_getenv ("TESSERA_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("tessera-cli");

  args = g_strdupv (argv);
  context = new_main_context (&cli);
  if (!g_option_context_parse_strv (context, &args, &error))
    status = usage_error (&cli, error->message);
  else if (cli.version)
    {
      g_print ("tessera-cli %s\n", PACKAGE_VERSION);
      status = TESSERA_CLI_EXIT_OK;
    }
  else if (args[1] == NULL)
    status = usage_error (&cli, _("No command given"));
  else if (g_str_equal (args[1], "help"))
    status = print_help (&cli, args + 2);
  else if ((status = parse_command (&cli, args[1], args + 2)) == TESSERA_CLI_EXIT_OK)
    status = run_command (&cli);

  tessera_cli_clear (&cli);
  return status;
}
