/* tessera-cli-password.c: where tessera-cli finds the account password
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-cli"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "tessera-cli-private.h"

#define PASSWORD_MAX 4096

void
_tessera_cli_free_secret (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/* The first line of the file, without its line ending. */
static char *
read_secret_file (const char  *path,
                  int          code,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize length = 0;
  char *secret;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, TESSERA_CLI_ERROR, code, _("Could not read “%s”: %s"), path, local_error->message);
      return NULL;
    }

  contents[strcspn (contents, "\r\n")] = '\0';
  secret = g_strdup (contents);
  explicit_bzero (contents, length);
  g_free (contents);

  if (*secret == '\0')
    {
      _tessera_cli_free_secret (secret);
      g_set_error (error, TESSERA_CLI_ERROR, code, _("The first line of “%s” is empty"), path);
      return NULL;
    }
  return secret;
}

/* Reads a line from the terminal on stdin without echoing it. */
static char *
prompt_password (const char  *bare_jid,
                 GError     **error)
{
  struct termios saved, quiet;
  char buffer[PASSWORD_MAX];
  gboolean have_line;
  char *password;

  if (tcgetattr (STDIN_FILENO, &saved) != 0)
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_PASSWORD_REQUIRED,
                   _("Could not ask for the password: the terminal cannot hide input"));
      return NULL;
    }
  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  quiet.c_lflag |= ECHONL;

  g_printerr (_("Password for %s: "), bare_jid);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  have_line = fgets (buffer, sizeof buffer, stdin) != NULL;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);

  if (!have_line)
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_PASSWORD_REQUIRED,
                   _("No password was entered"));
      return NULL;
    }

  buffer[strcspn (buffer, "\r\n")] = '\0';
  password = g_strdup (buffer);
  explicit_bzero (buffer, sizeof buffer);
  if (*password == '\0')
    {
      _tessera_cli_free_secret (password);
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_PASSWORD_REQUIRED,
                   _("No password was entered"));
      return NULL;
    }
  return password;
}

/* --password-file, then $TESSERA_PASSWORD, then the Secret Service, then a
 * prompt when stdin is a terminal. Only the management commands call this:
 * a certificate login never carries a password. */
char *
_tessera_cli_get_password (TesseraCli  *cli,
                           GError     **error)
{
  const char *bare_jid = tessera_account_get_jid (cli->account);
  g_autoptr(GError) secret_error = NULL;
  const char *env;
  char *password;

  if (cli->password_file != NULL)
    return read_secret_file (cli->password_file, TESSERA_CLI_ERROR_PASSWORD_REQUIRED, error);

  env = g_getenv ("TESSERA_PASSWORD");
  if (env != NULL && *env != '\0')
    return g_strdup (env);

  password = tessera_secret_lookup_password (bare_jid, &secret_error);
  if (password != NULL)
    return password;
  if (secret_error != NULL)
    g_debug ("No password from the Secret Service: %s", secret_error->message);

  if (isatty (STDIN_FILENO))
    return prompt_password (bare_jid, error);

  g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_PASSWORD_REQUIRED,
               _("No password for %s: give --password-file, set TESSERA_PASSWORD, "
                 "store it in the keyring or run this on a terminal"),
               bare_jid);
  return NULL;
}

/* --key-passphrase-file: for keys encrypted with a passphrase of the user's
 * (no Secret Service). NULL without error when none was given. */
gboolean
_tessera_cli_get_key_passphrase (TesseraCli  *cli,
                                 char       **passphrase,
                                 GError     **error)
{
  *passphrase = NULL;
  if (cli->key_passphrase_file == NULL)
    return TRUE;
  *passphrase = read_secret_file (cli->key_passphrase_file, TESSERA_CLI_ERROR_USAGE, error);
  return *passphrase != NULL;
}
