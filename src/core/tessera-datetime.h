/* tessera-datetime.h: XEP-0082 DateTime parsing and formatting
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* XEP-0082 DateTime: CCYY-MM-DDThh:mm:ss[.s+](Z|±hh:mm), surrounding XML
 * whitespace allowed. Nothing else is accepted: no missing zone, no week or
 * ordinal dates, no out-of-range field. A leap second (:60) becomes
 * :59.999999. The result keeps the offset it was given (microsecond
 * precision). Errors are G_IO_ERROR_INVALID_DATA. */
GDateTime *tessera_datetime_parse  (const char  *text,
                                    GError     **error);

/* "2026-11-26T21:58:37Z": converted to UTC, fractions dropped. */
char      *tessera_datetime_format (GDateTime   *dt);

G_END_DECLS
