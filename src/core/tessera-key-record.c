/* tessera-key-record.c: an immutable snapshot of one key and what belongs to it
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-store"

#include "config.h"

#include "tessera-key-record-private.h"

G_DEFINE_ENUM_TYPE (TesseraKeyState, tessera_key_state,
                    G_DEFINE_ENUM_VALUE (TESSERA_KEY_STATE_KEY_SAVED, "key-saved"),
                    G_DEFINE_ENUM_VALUE (TESSERA_KEY_STATE_REQUEST_PENDING, "request-pending"),
                    G_DEFINE_ENUM_VALUE (TESSERA_KEY_STATE_CERTIFIED, "certified"),
                    G_DEFINE_ENUM_VALUE (TESSERA_KEY_STATE_REVOKING, "revoking"))

G_DEFINE_FINAL_TYPE (TesseraKeyRecord, tessera_key_record, G_TYPE_OBJECT)

enum {
  RECORD_PROP_0,
  RECORD_PROP_ID,
  RECORD_PROP_NAME,
  RECORD_PROP_PROTOCOL,
  RECORD_PROP_STATE,
  RECORD_PROP_CREATED,
  RECORD_PROP_CERTIFICATE,
  RECORD_N_PROPS
};

static GParamSpec *record_properties[RECORD_N_PROPS];

static void
tessera_key_record_finalize (GObject *object)
{
  TesseraKeyRecord *self = TESSERA_KEY_RECORD (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->protocol);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_clear_pointer (&self->request_der, g_bytes_unref);
  g_clear_object (&self->certificate);
  g_free (self->key_path);
  g_free (self->certificate_path);
  g_free (self->output_path);
  g_free (self->output_format);
  g_free (self->renewed_by);

  G_OBJECT_CLASS (tessera_key_record_parent_class)->finalize (object);
}

static void
tessera_key_record_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TesseraKeyRecord *self = TESSERA_KEY_RECORD (object);

  switch (prop_id)
    {
    case RECORD_PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case RECORD_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case RECORD_PROP_PROTOCOL:
      g_value_set_string (value, self->protocol);
      break;
    case RECORD_PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case RECORD_PROP_CREATED:
      g_value_set_boxed (value, self->created);
      break;
    case RECORD_PROP_CERTIFICATE:
      g_value_set_object (value, self->certificate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_key_record_class_init (TesseraKeyRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tessera_key_record_finalize;
  object_class->get_property = tessera_key_record_get_property;

  record_properties[RECORD_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  record_properties[RECORD_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  record_properties[RECORD_PROP_PROTOCOL] = g_param_spec_string ("protocol", NULL, NULL, NULL,
                                                                 flags);
  record_properties[RECORD_PROP_STATE] = g_param_spec_enum ("state", NULL, NULL,
                                                            TESSERA_TYPE_KEY_STATE,
                                                            TESSERA_KEY_STATE_KEY_SAVED, flags);
  record_properties[RECORD_PROP_CREATED] = g_param_spec_boxed ("created", NULL, NULL,
                                                               G_TYPE_DATE_TIME, flags);
  record_properties[RECORD_PROP_CERTIFICATE] = g_param_spec_object ("certificate", NULL, NULL,
                                                                    TESSERA_TYPE_CERTIFICATE,
                                                                    flags);
  g_object_class_install_properties (object_class, RECORD_N_PROPS, record_properties);
}

static void
tessera_key_record_init (TesseraKeyRecord *self)
{
}

const char *
tessera_key_record_get_id (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->id;
}

const char *
tessera_key_record_get_name (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->name;
}

const char *
tessera_key_record_get_protocol (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->protocol;
}

TesseraKeyType
tessera_key_record_get_key_type (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), TESSERA_KEY_TYPE_ECDSA_P256);

  return self->key_type;
}

TesseraKeyState
tessera_key_record_get_state (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), TESSERA_KEY_STATE_KEY_SAVED);

  return self->state;
}

GDateTime *
tessera_key_record_get_created (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->created;
}

GBytes *
tessera_key_record_get_request_der (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->request_der;
}

TesseraCertificate *
tessera_key_record_get_certificate (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->certificate;
}

const char *
tessera_key_record_get_key_path (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->key_path;
}

const char *
tessera_key_record_get_certificate_path (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->certificate_path;
}

gboolean
tessera_key_record_expires_within (TesseraKeyRecord *self,
                                   guint             days)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) limit = NULL;
  GDateTime *not_after;

  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), FALSE);

  if (self->certificate == NULL)
    return FALSE;
  not_after = tessera_certificate_get_not_after (self->certificate);
  if (not_after == NULL)
    return TRUE;   /* unreadable: better renewed than trusted */
  now = g_date_time_new_now_utc ();
  limit = g_date_time_add_days (now, (gint) MIN (days, 36500));

  return g_date_time_compare (not_after, limit) <= 0;
}

const char *
tessera_key_record_get_renewed_by (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->renewed_by;
}

gboolean
tessera_key_record_get_uses_user_passphrase (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), FALSE);

  return self->uses_user_passphrase;
}

gboolean
tessera_key_record_is_other_device (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), FALSE);

  return self->other_device;
}

const char *
tessera_key_record_get_output_path (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->output_path;
}

const char *
tessera_key_record_get_output_format (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), NULL);

  return self->output_format;
}

const char *
tessera_key_state_to_string (TesseraKeyState state)
{
  switch (state)
    {
    case TESSERA_KEY_STATE_KEY_SAVED:
      return "key-saved";
    case TESSERA_KEY_STATE_REQUEST_PENDING:
      return "request-pending";
    case TESSERA_KEY_STATE_CERTIFIED:
      return "certified";
    case TESSERA_KEY_STATE_REVOKING:
      return "revoking";
    default:
      return NULL;
    }
}

gboolean
tessera_key_state_from_string (const char      *text,
                               TesseraKeyState *state)
{
  for (TesseraKeyState s = TESSERA_KEY_STATE_KEY_SAVED; s <= TESSERA_KEY_STATE_REVOKING; s++)
    if (g_strcmp0 (text, tessera_key_state_to_string (s)) == 0)
      {
        *state = s;
        return TRUE;
      }

  return FALSE;
}

TesseraCertProtocol
tessera_key_record_get_cert_protocol (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), TESSERA_CERT_PROTOCOL_NONE);

  return tessera_cert_protocol_from_string (self->protocol);
}

gboolean
tessera_key_record_is_pending (TesseraKeyRecord *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (self), FALSE);

  return self->state == TESSERA_KEY_STATE_KEY_SAVED || self->state == TESSERA_KEY_STATE_REQUEST_PENDING;
}
