/* tessera-cli-password.c: where tessera-cli finds the account password
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-cli"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tessera-cli-private.h"

#define PASSWORD_MAX 4096
/* A password or passphrase file holds one line: anything bigger is not
 * one (and /dev/zero would otherwise be read until memory runs out). */
#define SECRET_FILE_MAX 4096

typedef enum {
  SECRET_FILE_PASSWORD,
  SECRET_FILE_KEY_PASSPHRASE,
  SECRET_FILE_EXPORT_PASSPHRASE,
} SecretFileKind;

static void
warn_if_readable_by_others (const char        *path,
                            const struct stat *st,
                            SecretFileKind     kind)
{
  if ((st->st_mode & 0077) == 0)
    return;

  if (kind == SECRET_FILE_PASSWORD)
    g_printerr (_("tessera-cli: warning: other users may read the password file “%s”; "
                  "make it readable by its owner only (chmod 600)\n"), path);
  else if (kind == SECRET_FILE_KEY_PASSPHRASE)
    g_printerr (_("tessera-cli: warning: other users may read the key passphrase file “%s”; "
                  "make it readable by its owner only (chmod 600)\n"), path);
  else
    g_printerr (_("tessera-cli: warning: other users may read the export passphrase file “%s”; "
                  "make it readable by its owner only (chmod 600)\n"), path);
}

static void
set_too_large_error (GError     **error,
                     int          code,
                     const char  *path)
{
  g_set_error (error, TESSERA_CLI_ERROR, code,
               _("Could not read “%s”: it is larger than %d bytes, which is more than a password "
                 "or passphrase file needs (it holds one line)"), path, SECRET_FILE_MAX);
}

/* Opens @path as a regular file of at most SECRET_FILE_MAX bytes. O_NONBLOCK:
 * opening a FIFO must not wait for a writer; it is refused right after. */
static int
open_secret_file (const char      *path,
                  int              code,
                  SecretFileKind   kind,
                  GError         **error)
{
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, TESSERA_CLI_ERROR, code, _("Could not read “%s”: %s"), path,
                   g_strerror (saved_errno));
      return -1;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, TESSERA_CLI_ERROR, code,
                   _("Could not read “%s”: it is not a regular file"), path);
      close (fd);
      return -1;
    }

  if (st.st_size > SECRET_FILE_MAX)
    {
      set_too_large_error (error, code, path);
      close (fd);
      return -1;
    }

  warn_if_readable_by_others (path, &st, kind);
  return fd;
}

/* Reads at most SECRET_FILE_MAX bytes (+1 to notice a file that grew). */
static gssize
read_secret_bytes (int   fd,
                   char *buffer,
                   gsize size)
{
  gsize total = 0;

  while (total < size)
    {
      gssize got = read (fd, buffer + total, size - total);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        return -1;
      if (got == 0)
        break;
      total += (gsize) got;
    }
  return (gssize) total;
}

/* The first line of the file, without its line ending. */
static char *
read_secret_file (const char      *path,
                  int              code,
                  SecretFileKind   kind,
                  GError         **error)
{
  char buffer[SECRET_FILE_MAX + 2];
  gssize length;
  char *secret;
  int fd;

  fd = open_secret_file (path, code, kind, error);
  if (fd < 0)
    return NULL;

  length = read_secret_bytes (fd, buffer, SECRET_FILE_MAX + 1);
  if (length < 0)
    {
      int saved_errno = errno;

      close (fd);
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, TESSERA_CLI_ERROR, code, _("Could not read “%s”: %s"), path,
                   g_strerror (saved_errno));
      return NULL;
    }
  close (fd);

  if (length > SECRET_FILE_MAX)
    {
      explicit_bzero (buffer, sizeof buffer);
      set_too_large_error (error, code, path);
      return NULL;
    }

  buffer[length] = '\0';
  buffer[strcspn (buffer, "\r\n")] = '\0';
  secret = g_strdup (buffer);
  explicit_bzero (buffer, sizeof buffer);

  if (*secret == '\0')
    {
      tessera_secret_free (secret);
      g_set_error (error, TESSERA_CLI_ERROR, code, _("The first line of “%s” is empty"), path);
      return NULL;
    }
  return secret;
}

/* The terminal settings to restore when Ctrl+C ends a prompt. */
static struct termios prompt_saved;

static void
prompt_interrupted (int signum)
{
  /* Only async-signal-safe calls here. */
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &prompt_saved);
  signal (signum, SIG_DFL);
  raise (signum);
}

static gboolean
read_line_quietly (char  *buffer,
                   gsize  size)
{
  struct sigaction action = { 0 }, old_int, old_term;
  struct termios quiet;
  gboolean have_line;

  quiet = prompt_saved;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  quiet.c_lflag |= ECHONL;
  action.sa_handler = prompt_interrupted;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, &old_int);
  sigaction (SIGTERM, &action, &old_term);

  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  have_line = fgets (buffer, (int) size, stdin) != NULL;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &prompt_saved);

  sigaction (SIGINT, &old_int, NULL);
  sigaction (SIGTERM, &old_term, NULL);
  return have_line;
}

/* Reads a line from the terminal on stdin without echoing it, after
 * @label. NULL with @error (code @code) when there is no terminal, no
 * line or an empty one. */
static char *
prompt_secret (const char  *label,
               int          code,
               GError     **error)
{
  char buffer[PASSWORD_MAX];
  gboolean have_line;
  char *secret;

  if (tcgetattr (STDIN_FILENO, &prompt_saved) != 0)
    {
      g_set_error (error, TESSERA_CLI_ERROR, code,
                   _("Could not ask for the password: the terminal cannot hide input"));
      return NULL;
    }

  g_printerr ("%s", label);
  have_line = read_line_quietly (buffer, sizeof buffer);
  if (!have_line)
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, TESSERA_CLI_ERROR, code, _("No password was entered"));
      return NULL;
    }

  buffer[strcspn (buffer, "\r\n")] = '\0';
  secret = g_strdup (buffer);
  explicit_bzero (buffer, sizeof buffer);
  if (*secret == '\0')
    {
      tessera_secret_free (secret);
      g_set_error (error, TESSERA_CLI_ERROR, code, _("No password was entered"));
      return NULL;
    }
  return secret;
}

static char *
prompt_password (const char  *bare_jid,
                 GError     **error)
{
  g_autofree char *label = g_strdup_printf (_("Password for %s: "), bare_jid);

  return prompt_secret (label, TESSERA_CLI_ERROR_PASSWORD_REQUIRED, error);
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
    {
      return read_secret_file (cli->password_file, TESSERA_CLI_ERROR_PASSWORD_REQUIRED,
                               SECRET_FILE_PASSWORD, error);
    }

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
  *passphrase = read_secret_file (cli->key_passphrase_file, TESSERA_CLI_ERROR_USAGE,
                                 SECRET_FILE_KEY_PASSPHRASE, error);
  return *passphrase != NULL;
}

/* --export-passphrase-file, else asked twice on a terminal. An empty
 * passphrase is refused: an export without encryption is asked for by
 * name (--no-encrypt), never by leaving a prompt empty. */
char *
_tessera_cli_get_export_passphrase (TesseraCli  *cli,
                                    GError     **error)
{
  char *first;
  char *second;
  gboolean same;

  if (cli->export_passphrase_file != NULL)
    return read_secret_file (cli->export_passphrase_file, TESSERA_CLI_ERROR_USAGE,
                             SECRET_FILE_EXPORT_PASSPHRASE, error);

  if (!isatty (STDIN_FILENO))
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                   _("No export passphrase: give --export-passphrase-file or run this on a terminal"));
      return NULL;
    }

  first = prompt_secret (_("Passphrase for the exported file: "), TESSERA_CLI_ERROR_USAGE, error);
  if (first == NULL)
    return NULL;
  second = prompt_secret (_("The same passphrase again: "), TESSERA_CLI_ERROR_USAGE, error);
  if (second == NULL)
    {
      tessera_secret_free (first);
      return NULL;
    }
  same = g_str_equal (first, second);
  tessera_secret_free (second);
  if (!same)
    {
      tessera_secret_free (first);
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                   _("The two passphrases differ; nothing was exported"));
      return NULL;
    }
  return first;
}
