/* tessera-journal.h: the steps of an enrollment or a revocation, as a key's journal records them
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each key folder has a journal: one line "<ISO 8601 UTC time> <step>" per
 * step, appended before (or right after) the step happens, so that a run
 * after a crash knows how far the last one got (tessera-reconciler.c).
 * Never a secret. The names are the file format: do not rename one, add an
 * alias in tessera-journal.c instead. */
typedef enum {
  TESSERA_JOURNAL_STEP_UNKNOWN = 0,        /* a line this version does not know */
  /* enrollment */
  TESSERA_JOURNAL_STEP_KEY_SAVED,          /* "key-saved" */
  TESSERA_JOURNAL_STEP_REQUEST_SAVED,      /* "request-saved" */
  TESSERA_JOURNAL_STEP_REQUEST_SENT,       /* "request-sent": may have reached the server */
  TESSERA_JOURNAL_STEP_RESULT_RECEIVED,    /* "result-received" */
  TESSERA_JOURNAL_STEP_REQUEST_REFUSED,    /* "request-refused": the server said no */
  TESSERA_JOURNAL_STEP_RESULT_REFUSED,     /* "result-refused": its certificate failed a check */
  TESSERA_JOURNAL_STEP_CERTIFICATE_STORED, /* "certificate-stored" */
  /* revocation */
  TESSERA_JOURNAL_STEP_REVOKE_SENT,        /* "revoke-sent" */
  TESSERA_JOURNAL_STEP_REVOKE_REFUSED,     /* "revoke-refused" */
  TESSERA_JOURNAL_STEP_REVOKE_NOT_CONFIRMED, /* "revoke-not-confirmed": still listed */
  TESSERA_JOURNAL_STEP_REVOKE_CONFIRMED,   /* "revoke-confirmed" */
  TESSERA_JOURNAL_STEP_LOCAL_REMOVED,      /* "local-removed" */
  TESSERA_JOURNAL_STEP_LOCAL_REMOVE_FAILED, /* "local-remove-failed" */
  /* meta.ini's state changed (tessera_key_store_set_state) */
  TESSERA_JOURNAL_STEP_STATE_KEY_SAVED,    /* "state key-saved" */
  TESSERA_JOURNAL_STEP_STATE_REQUEST_PENDING, /* "state request-pending" */
  TESSERA_JOURNAL_STEP_STATE_CERTIFIED,    /* "state certified" */
  TESSERA_JOURNAL_STEP_STATE_REVOKING,     /* "state revoking" */
  /* another device's key (enroll --other-device): its file, then erased */
  TESSERA_JOURNAL_STEP_EXPORT_WRITTEN,     /* "export-written": the file is complete on disk */
  TESSERA_JOURNAL_STEP_EXPORT_GIVEN_UP,    /* "export-given-up": it cannot be written; the key is kept */
  /* renewal, in the journal of the key being renewed (the new key's id is
   * in its meta.ini, "renewed-by") */
  TESSERA_JOURNAL_STEP_RENEWAL_STARTED,    /* "renewal-started": the new key may follow */
  TESSERA_JOURNAL_STEP_RENEWAL_CERTIFIED,  /* "renewal-certified": the new key has its certificate */
  TESSERA_JOURNAL_STEP_RENEWAL_LOGGED_IN,  /* "renewal-logged-in": the new certificate logged in */
  TESSERA_JOURNAL_STEP_RENEWAL_ENDED,      /* "renewal-ended": the mark is gone (abandoned) */
} TesseraJournalStep;

#define TESSERA_JOURNAL_STEP_LAST TESSERA_JOURNAL_STEP_RENEWAL_ENDED

/* The name written to the file; NULL for UNKNOWN or a value out of range. */
const char         *tessera_journal_step_to_string (TesseraJournalStep  step);
/* A step name, the ones of this version or an older one (an old store's
 * journal still reconciles); UNKNOWN otherwise. */
TesseraJournalStep  tessera_journal_step_parse     (const char         *name);
/* The step of a journal line "<time> <step>". */
TesseraJournalStep  tessera_journal_step_of_line   (const char         *line);

/* Whether the journal @lines (nullable) say that the key's request left this
 * device and no answer settled it: the last of REQUEST_SENT,
 * RESULT_RECEIVED, REQUEST_REFUSED and RESULT_REFUSED is one of the first
 * two. */
gboolean            tessera_journal_request_in_flight (const char * const *lines);
/* Whether @lines (nullable) hold @step. */
gboolean            tessera_journal_contains          (const char * const *lines,
                                                       TesseraJournalStep  step);

G_END_DECLS
