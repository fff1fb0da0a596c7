/* tessera-cert-entry.c: placeholder until the module lands */

#include "config.h"
