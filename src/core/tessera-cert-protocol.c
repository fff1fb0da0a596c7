/* tessera-cert-protocol.c: the two ways a server manages client certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tessera-cert-protocol.h"

const char *
tessera_cert_protocol_to_string (TesseraCertProtocol protocol)
{
  switch (protocol)
    {
    case TESSERA_CERT_PROTOCOL_CCM2:
      return "ccm2";
    case TESSERA_CERT_PROTOCOL_XEP0257:
      return "xep0257";
    case TESSERA_CERT_PROTOCOL_NONE:
    default:
      return NULL;
    }
}

TesseraCertProtocol
tessera_cert_protocol_from_string (const char *text)
{
  if (g_strcmp0 (text, "ccm2") == 0)
    return TESSERA_CERT_PROTOCOL_CCM2;
  if (g_strcmp0 (text, "xep0257") == 0)
    return TESSERA_CERT_PROTOCOL_XEP0257;

  return TESSERA_CERT_PROTOCOL_NONE;
}

TesseraCertProtocol
tessera_cert_protocol_for_features (TesseraFeatures features)
{
  if (features & TESSERA_FEATURE_ADD)
    return TESSERA_CERT_PROTOCOL_CCM2;
  if (features & TESSERA_FEATURE_XEP0257)
    return TESSERA_CERT_PROTOCOL_XEP0257;

  return TESSERA_CERT_PROTOCOL_NONE;
}

gunichar
tessera_device_name_find_hidden_char (const char *name)
{
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (g_unichar_type (c))
        {
        case G_UNICODE_CONTROL:
        case G_UNICODE_FORMAT:
        case G_UNICODE_LINE_SEPARATOR:
        case G_UNICODE_PARAGRAPH_SEPARATOR:
          return c;
        default:
          break;
        }
    }
  return 0;
}
