/* tessera-error.c: error domains of the core library
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-error.h"

G_DEFINE_QUARK (tessera-jid-error-quark, tessera_jid_error)
G_DEFINE_QUARK (tessera-crypto-error-quark, tessera_crypto_error)
G_DEFINE_QUARK (tessera-store-error-quark, tessera_store_error)
G_DEFINE_QUARK (tessera-xmpp-error-quark, tessera_xmpp_error)

typedef struct
{
  TesseraStanzaErrorType type;
} TesseraStanzaErrorPrivate;

static void
tessera_stanza_error_private_init (TesseraStanzaErrorPrivate *priv)
{
  priv->type = TESSERA_STANZA_ERROR_TYPE_UNKNOWN;
}

static void
tessera_stanza_error_private_copy (const TesseraStanzaErrorPrivate *src,
                                   TesseraStanzaErrorPrivate       *dest)
{
  dest->type = src->type;
}

static void
tessera_stanza_error_private_clear (TesseraStanzaErrorPrivate *priv)
{
}

/* Defines tessera_stanza_error_quark() and tessera_stanza_error_get_private(). */
G_DEFINE_EXTENDED_ERROR (TesseraStanzaError, tessera_stanza_error)

static const struct {
  const char *name;
  const char *message;
} conditions[] = {
  [TESSERA_STANZA_ERROR_BAD_REQUEST] = { "bad-request", N_("The server did not understand the request") },
  [TESSERA_STANZA_ERROR_CONFLICT] = { "conflict", N_("The request conflicts with something that already exists") },
  [TESSERA_STANZA_ERROR_FEATURE_NOT_IMPLEMENTED] = { "feature-not-implemented", N_("The server does not implement this feature") },
  [TESSERA_STANZA_ERROR_FORBIDDEN] = { "forbidden", N_("The account is not allowed to do this") },
  [TESSERA_STANZA_ERROR_GONE] = { "gone", N_("The address is no longer in use") },
  [TESSERA_STANZA_ERROR_INTERNAL_SERVER_ERROR] = { "internal-server-error", N_("The server had an internal error") },
  [TESSERA_STANZA_ERROR_ITEM_NOT_FOUND] = { "item-not-found", N_("The server does not know this certificate") },
  [TESSERA_STANZA_ERROR_JID_MALFORMED] = { "jid-malformed", N_("The server rejected the address as malformed") },
  [TESSERA_STANZA_ERROR_NOT_ACCEPTABLE] = { "not-acceptable", N_("The server's policy does not accept the request") },
  [TESSERA_STANZA_ERROR_NOT_ALLOWED] = { "not-allowed", N_("This session may not manage certificates") },
  [TESSERA_STANZA_ERROR_NOT_AUTHORIZED] = { "not-authorized", N_("The account is not authorized to do this") },
  [TESSERA_STANZA_ERROR_POLICY_VIOLATION] = { "policy-violation", N_("The request violates a server policy") },
  [TESSERA_STANZA_ERROR_RECIPIENT_UNAVAILABLE] = { "recipient-unavailable", N_("The server's service is unavailable at the moment") },
  [TESSERA_STANZA_ERROR_REDIRECT] = { "redirect", N_("The server redirected the request elsewhere") },
  [TESSERA_STANZA_ERROR_REGISTRATION_REQUIRED] = { "registration-required", N_("The account must be registered first") },
  [TESSERA_STANZA_ERROR_REMOTE_SERVER_NOT_FOUND] = { "remote-server-not-found", N_("The server could not reach the service") },
  [TESSERA_STANZA_ERROR_REMOTE_SERVER_TIMEOUT] = { "remote-server-timeout", N_("The server timed out reaching the service") },
  [TESSERA_STANZA_ERROR_RESOURCE_CONSTRAINT] = { "resource-constraint", N_("The server is too busy to handle the request") },
  [TESSERA_STANZA_ERROR_SERVICE_UNAVAILABLE] = { "service-unavailable", N_("The server does not offer this service") },
  [TESSERA_STANZA_ERROR_SUBSCRIPTION_REQUIRED] = { "subscription-required", N_("A subscription is required first") },
  [TESSERA_STANZA_ERROR_UNDEFINED_CONDITION] = { "undefined-condition", N_("The server reported an unspecified error") },
  [TESSERA_STANZA_ERROR_UNEXPECTED_REQUEST] = { "unexpected-request", N_("The server did not expect this request now") },
};

static const char *type_names[] = {
  [TESSERA_STANZA_ERROR_TYPE_UNKNOWN] = "unknown",
  [TESSERA_STANZA_ERROR_TYPE_AUTH] = "auth",
  [TESSERA_STANZA_ERROR_TYPE_CANCEL] = "cancel",
  [TESSERA_STANZA_ERROR_TYPE_CONTINUE] = "continue",
  [TESSERA_STANZA_ERROR_TYPE_MODIFY] = "modify",
  [TESSERA_STANZA_ERROR_TYPE_WAIT] = "wait",
};

static const char *
type_explanation (TesseraStanzaErrorType type)
{
  switch (type)
    {
    case TESSERA_STANZA_ERROR_TYPE_AUTH:
      return _("log in again with other credentials");
    case TESSERA_STANZA_ERROR_TYPE_CANCEL:
      return _("do not retry");
    case TESSERA_STANZA_ERROR_TYPE_CONTINUE:
      return _("a warning only");
    case TESSERA_STANZA_ERROR_TYPE_MODIFY:
      return _("change the request and try again");
    case TESSERA_STANZA_ERROR_TYPE_WAIT:
      return _("try again later");
    case TESSERA_STANZA_ERROR_TYPE_UNKNOWN:
    default:
      return _("no error type given");
    }
}

GError *
tessera_stanza_error_new (TesseraStanzaErrorCondition  condition,
                          TesseraStanzaErrorType       type,
                          const char                  *text)
{
  TesseraStanzaErrorPrivate *priv;
  GError *error;

  if (condition < TESSERA_STANZA_ERROR_BAD_REQUEST ||
      condition > TESSERA_STANZA_ERROR_UNEXPECTED_REQUEST)
    condition = TESSERA_STANZA_ERROR_UNDEFINED_CONDITION;
  if (type > TESSERA_STANZA_ERROR_TYPE_WAIT)
    type = TESSERA_STANZA_ERROR_TYPE_UNKNOWN;

  if (text != NULL && *text != '\0')
    /* Translators: "<what happened> (<condition>, <advice>): <server's own text>" */
    error = g_error_new (TESSERA_STANZA_ERROR, condition, _("%s (%s, %s): “%s”"),
                         _(conditions[condition].message), conditions[condition].name,
                         type_explanation (type), text);
  else
    /* Translators: "<what happened> (<condition>, <advice>)" */
    error = g_error_new (TESSERA_STANZA_ERROR, condition, _("%s (%s, %s)"),
                         _(conditions[condition].message), conditions[condition].name,
                         type_explanation (type));

  priv = tessera_stanza_error_get_private (error);
  priv->type = type;
  return error;
}

TesseraStanzaErrorType
tessera_stanza_error_get_error_type (const GError *error)
{
  TesseraStanzaErrorPrivate *priv;

  if (error == NULL || error->domain != TESSERA_STANZA_ERROR)
    return TESSERA_STANZA_ERROR_TYPE_UNKNOWN;
  priv = tessera_stanza_error_get_private (error);
  return priv != NULL ? priv->type : TESSERA_STANZA_ERROR_TYPE_UNKNOWN;
}

const char *
tessera_stanza_error_condition_to_string (TesseraStanzaErrorCondition condition)
{
  if (condition < TESSERA_STANZA_ERROR_BAD_REQUEST ||
      condition > TESSERA_STANZA_ERROR_UNEXPECTED_REQUEST)
    return "undefined-condition";
  return conditions[condition].name;
}

gboolean
tessera_stanza_error_condition_from_string (const char                  *name,
                                            TesseraStanzaErrorCondition *condition)
{
  g_return_val_if_fail (condition != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = TESSERA_STANZA_ERROR_BAD_REQUEST; i < G_N_ELEMENTS (conditions); i++)
    {
      if (g_str_equal (name, conditions[i].name))
        {
          *condition = i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
tessera_stanza_error_type_to_string (TesseraStanzaErrorType type)
{
  if (type > TESSERA_STANZA_ERROR_TYPE_WAIT)
    type = TESSERA_STANZA_ERROR_TYPE_UNKNOWN;
  return type_names[type];
}

TesseraStanzaErrorType
tessera_stanza_error_type_from_string (const char *name)
{
  if (name == NULL)
    return TESSERA_STANZA_ERROR_TYPE_UNKNOWN;
  for (guint i = TESSERA_STANZA_ERROR_TYPE_AUTH; i < G_N_ELEMENTS (type_names); i++)
    {
      if (g_str_equal (name, type_names[i]))
        return i;
    }
  return TESSERA_STANZA_ERROR_TYPE_UNKNOWN;
}
