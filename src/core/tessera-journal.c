/* tessera-journal.c: the steps of an enrollment or a revocation, as a key's journal records them
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-journal.h"

static const char * const step_names[] = {
  [TESSERA_JOURNAL_STEP_UNKNOWN] = NULL,
  [TESSERA_JOURNAL_STEP_KEY_SAVED] = "key-saved",
  [TESSERA_JOURNAL_STEP_REQUEST_SAVED] = "request-saved",
  [TESSERA_JOURNAL_STEP_REQUEST_SENT] = "request-sent",
  [TESSERA_JOURNAL_STEP_RESULT_RECEIVED] = "result-received",
  [TESSERA_JOURNAL_STEP_REQUEST_REFUSED] = "request-refused",
  [TESSERA_JOURNAL_STEP_RESULT_REFUSED] = "result-refused",
  [TESSERA_JOURNAL_STEP_CERTIFICATE_STORED] = "certificate-stored",
  [TESSERA_JOURNAL_STEP_REVOKE_SENT] = "revoke-sent",
  [TESSERA_JOURNAL_STEP_REVOKE_REFUSED] = "revoke-refused",
  [TESSERA_JOURNAL_STEP_REVOKE_NOT_CONFIRMED] = "revoke-not-confirmed",
  [TESSERA_JOURNAL_STEP_REVOKE_CONFIRMED] = "revoke-confirmed",
  [TESSERA_JOURNAL_STEP_LOCAL_REMOVED] = "local-removed",
  [TESSERA_JOURNAL_STEP_LOCAL_REMOVE_FAILED] = "local-remove-failed",
  [TESSERA_JOURNAL_STEP_STATE_KEY_SAVED] = "state key-saved",
  [TESSERA_JOURNAL_STEP_STATE_REQUEST_PENDING] = "state request-pending",
  [TESSERA_JOURNAL_STEP_STATE_CERTIFIED] = "state certified",
  [TESSERA_JOURNAL_STEP_STATE_REVOKING] = "state revoking",
  [TESSERA_JOURNAL_STEP_EXPORT_WRITTEN] = "export-written",
  [TESSERA_JOURNAL_STEP_EXPORT_GIVEN_UP] = "export-given-up",
  [TESSERA_JOURNAL_STEP_RENEWAL_STARTED] = "renewal-started",
  [TESSERA_JOURNAL_STEP_RENEWAL_CERTIFIED] = "renewal-certified",
  [TESSERA_JOURNAL_STEP_RENEWAL_LOGGED_IN] = "renewal-logged-in",
  [TESSERA_JOURNAL_STEP_RENEWAL_ENDED] = "renewal-ended",
};

G_STATIC_ASSERT (G_N_ELEMENTS (step_names) == TESSERA_JOURNAL_STEP_LAST + 1);

/* Names that journals written by earlier versions hold. */
static const struct
{
  const char         *name;
  TesseraJournalStep  step;
} aliases[] = {
  /* the key store's own line for a stored certificate */
  { "certificate-saved", TESSERA_JOURNAL_STEP_CERTIFICATE_STORED },
  /* reconciliation's, when it marked such a key certified */
  { "reconciled certificate-stored", TESSERA_JOURNAL_STEP_CERTIFICATE_STORED },
};

const char *
tessera_journal_step_to_string (TesseraJournalStep step)
{
  if ((guint) step > TESSERA_JOURNAL_STEP_LAST)
    return NULL;

  return step_names[step];
}

TesseraJournalStep
tessera_journal_step_parse (const char *name)
{
  g_return_val_if_fail (name != NULL, TESSERA_JOURNAL_STEP_UNKNOWN);

  for (guint i = 1; i < G_N_ELEMENTS (step_names); i++)
    {
      if (g_str_equal (step_names[i], name))
        return (TesseraJournalStep) i;
    }
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      if (g_str_equal (aliases[i].name, name))
        return aliases[i].step;
    }

  return TESSERA_JOURNAL_STEP_UNKNOWN;
}

TesseraJournalStep
tessera_journal_step_of_line (const char *line)
{
  const char *space;

  g_return_val_if_fail (line != NULL, TESSERA_JOURNAL_STEP_UNKNOWN);

  space = strchr (line, ' ');
  return tessera_journal_step_parse (space != NULL ? space + 1 : line);
}

gboolean
tessera_journal_request_in_flight (const char * const *lines)
{
  gboolean in_flight = FALSE;

  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      switch (tessera_journal_step_of_line (lines[i]))
        {
        case TESSERA_JOURNAL_STEP_REQUEST_SENT:
        case TESSERA_JOURNAL_STEP_RESULT_RECEIVED:
          in_flight = TRUE;
          break;

        case TESSERA_JOURNAL_STEP_REQUEST_REFUSED:
        case TESSERA_JOURNAL_STEP_RESULT_REFUSED:
          in_flight = FALSE;
          break;

        default:
          break;
        }
    }

  return in_flight;
}

gboolean
tessera_journal_contains (const char * const *lines,
                          TesseraJournalStep  step)
{
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      if (tessera_journal_step_of_line (lines[i]) == step)
        return TRUE;
    }

  return FALSE;
}
