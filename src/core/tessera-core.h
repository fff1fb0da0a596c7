/* tessera-core.h: everything the UI and the CLI see of the core
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-account.h"
#include "tessera-cert-entry.h"
#include "tessera-cert-protocol.h"
#include "tessera-certificate.h"
#include "tessera-crypto.h"
#include "tessera-datetime.h"
#include "tessera-enrollment.h"
#include "tessera-error.h"
#include "tessera-features.h"
#include "tessera-fingerprint.h"
#include "tessera-jid.h"
#include "tessera-journal.h"
#include "tessera-key-export.h"
#include "tessera-key-store.h"
#include "tessera-other-device.h"
#include "tessera-secret.h"
#include "tessera-session.h"
#include "tessera-stdio.h"
