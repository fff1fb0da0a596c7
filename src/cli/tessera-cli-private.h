/* tessera-cli-private.h: state and helpers shared by the tessera-cli sources
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tessera-core.h"

G_BEGIN_DECLS

/* Exit codes from sysexits.h, which scripts already know. */
#define TESSERA_CLI_EXIT_OK            0
#define TESSERA_CLI_EXIT_FAILURE       1
#define TESSERA_CLI_EXIT_USAGE        64
#define TESSERA_CLI_EXIT_UNAVAILABLE  69
#define TESSERA_CLI_EXIT_TEMPFAIL     75
#define TESSERA_CLI_EXIT_PROTOCOL     76
#define TESSERA_CLI_EXIT_NOPERM       77

/* Errors the command line tool raises itself (not the core). */
#define TESSERA_CLI_ERROR (tessera_cli_error_quark ())
typedef enum {
  TESSERA_CLI_ERROR_USAGE = 1,
  TESSERA_CLI_ERROR_NO_ACCOUNT,
  TESSERA_CLI_ERROR_PASSWORD_REQUIRED,
  TESSERA_CLI_ERROR_FORCE_REQUIRED,
  TESSERA_CLI_ERROR_AMBIGUOUS,
  TESSERA_CLI_ERROR_NO_CERTIFICATE,
  TESSERA_CLI_ERROR_KEY_NOT_HERE,
} TesseraCliError;

GQuark tessera_cli_error_quark (void);

typedef struct _TesseraCli TesseraCli;

/* What export and enroll --other-device write. */
typedef struct
{
  TesseraExportFormat format;
  gboolean            encrypt;
} ExportChoice;

typedef struct
{
  const char *name;
  const char *parameters;    /* shown after the command name in --help */
  const char *summary;
  const char *failure;       /* "what failed" in error messages */
  guint       min_args;
  guint       max_args;
  gboolean    needs_password;
  gboolean  (*run) (TesseraCli *cli,
                    GError    **error);
} TesseraCliCommand;

struct _TesseraCli
{
  /* global options */
  char     *jid;
  char     *host;
  int       port;
  gboolean  direct_tls;
  gboolean  starttls;
  char     *ca_file;
  char     *pin_fingerprint;
  char     *password_file;
  char     *key_passphrase_file;
  int       timeout;
  gboolean  json;
  gboolean  version;

  /* command options */
  char     *key_type;
  char     *key_passphrase;   /* from --key-passphrase-file, wiped on exit */
  gboolean  force;
  int       hold;
  char     *format;                  /* export: "pkcs12" or "pem" */
  char     *output;                  /* export: the file to write */
  char     *export_passphrase_file;
  gboolean  no_encrypt;
  gboolean  modern;
  char     *key_id;           /* remember-passphrase --key */
  gboolean  other_device;     /* enroll --other-device */
  gboolean  if_expiring;      /* renew --if-expiring */

  /* the command and its positional arguments */
  const TesseraCliCommand *command;
  char    **args;

  /* what the command works on */
  TesseraAccount  *account;
  gboolean         account_changed;
  TesseraKeyStore *store;
  TesseraSession  *session;
  GHashTable      *local_fingerprints;   /* of the store's certificates, read once */
  char            *device_fingerprint;   /* the one this device logs in with, or NULL */

  /* waiting for async calls */
  GMainLoop    *loop;
  GAsyncResult *result;
  GCancellable *cancellable;
};

/* tessera-cli-commands.c */
const TesseraCliCommand *_tessera_cli_get_commands (guint *n_commands);
const TesseraCliCommand *_tessera_cli_find_command (const char *name);

/* tessera-cli-run.c */
gboolean      _tessera_cli_prepare_account (TesseraCli *cli,
                                            GError    **error);
gboolean      _tessera_cli_prepare_session (TesseraCli *cli,
                                            GError    **error);
gboolean      _tessera_cli_remember_account (TesseraCli *cli,
                                             GError    **error);
void          _tessera_cli_async_done_cb   (GObject      *source,
                                            GAsyncResult *result,
                                            gpointer      user_data);
GAsyncResult *_tessera_cli_wait            (TesseraCli *cli);

/* tessera-cli-remember.c */
gboolean      _tessera_cli_run_remember_passphrase (TesseraCli *cli,
                                                    GError    **error);

/* tessera-cli-password.c */
char         *_tessera_cli_get_password    (TesseraCli *cli,
                                            GError    **error);
gboolean      _tessera_cli_get_key_passphrase (TesseraCli *cli,
                                               char      **passphrase,
                                               GError    **error);
char         *_tessera_cli_get_export_passphrase (TesseraCli *cli,
                                                  GError    **error);

/* tessera-cli-export.c */
gboolean      _tessera_cli_run_export      (TesseraCli *cli,
                                            GError    **error);
gboolean      _tessera_cli_parse_export_choice (TesseraCli    *cli,
                                                ExportChoice  *choice,
                                                GError       **error);

/* tessera-cli-other-device.c */
gboolean      _tessera_cli_run_enroll_other_device (TesseraCli     *cli,
                                                    const char     *name,
                                                    TesseraKeyType  key_type,
                                                    GError        **error);
/* Only enroll --other-device takes the options of a file. */
gboolean      _tessera_cli_check_enroll_options    (TesseraCli     *cli,
                                                    GError        **error);

/* What a certificate whose key is here is looked up for (the message when
 * none matches says so). */
typedef enum {
  TESSERA_CLI_KEY_USE_EXPORT,
  TESSERA_CLI_KEY_USE_RENEW,
} TesseraCliKeyUse;

/* tessera-cli-export.c: the stored record whose certificate's fingerprint
 * starts with @text (8 or more hex digits); KEY_NOT_HERE or AMBIGUOUS */
TesseraKeyRecord *_tessera_cli_find_local_record (TesseraCli        *cli,
                                                  const char        *text,
                                                  TesseraCliKeyUse   use,
                                                  GError           **error);

/* tessera-cli-renew.c */
gboolean      _tessera_cli_run_renew       (TesseraCli *cli,
                                            GError    **error);

/* tessera-cli-output.c */
int           _tessera_cli_error_classify  (const GError *error,
                                            const char  **code);
int           _tessera_cli_report_error    (TesseraCli   *cli,
                                            const char   *what,
                                            const GError *error);
void          _tessera_cli_print_json      (JsonBuilder *builder);
char         *_tessera_cli_format_time     (GDateTime *time);
char         *_tessera_cli_format_date     (GDateTime *time);
void          _tessera_cli_print_table     (GPtrArray *rows,
                                            guint      n_columns);

G_END_DECLS
