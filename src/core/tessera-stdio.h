/* tessera-stdio.h: standard input, output and error always open
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void tessera_stdio_ensure_open (void);

G_END_DECLS
