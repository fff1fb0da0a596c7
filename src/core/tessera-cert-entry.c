/* tessera-cert-entry.c: one certificate of the account, as a server listed it
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cert-entry"

#include "config.h"

#include "tessera-cert-entry.h"

struct _TesseraCertEntry
{
  GObject              parent_instance;

  char                *name;
  GBytes              *der;
  char                *fingerprint;
  TesseraCertificate  *certificate;
  TesseraLastUsedState last_used_state;
  GDateTime           *last_used;
  char               **users;
  char                *protocol;
};

G_DEFINE_FINAL_TYPE (TesseraCertEntry, tessera_cert_entry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_FINGERPRINT,
  PROP_LAST_USED,
  PROP_LAST_USED_STATE,
  PROP_NOT_AFTER,
  PROP_READABLE,
  PROP_USERS,
  PROP_PROTOCOL,
  PROP_CERTIFICATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tessera_cert_entry_finalize (GObject *object)
{
  TesseraCertEntry *self = (TesseraCertEntry *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->der, g_bytes_unref);
  g_clear_pointer (&self->fingerprint, g_free);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->last_used, g_date_time_unref);
  g_clear_pointer (&self->users, g_strfreev);
  g_clear_pointer (&self->protocol, g_free);

  G_OBJECT_CLASS (tessera_cert_entry_parent_class)->finalize (object);
}

static void
tessera_cert_entry_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TesseraCertEntry *self = TESSERA_CERT_ENTRY (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    case PROP_LAST_USED:
      g_value_set_boxed (value, self->last_used);
      break;
    case PROP_LAST_USED_STATE:
      g_value_set_int (value, self->last_used_state);
      break;
    case PROP_NOT_AFTER:
      g_value_set_boxed (value, tessera_cert_entry_get_not_after (self));
      break;
    case PROP_READABLE:
      g_value_set_boolean (value, self->certificate != NULL);
      break;
    case PROP_USERS:
      g_value_set_boxed (value, self->users);
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, self->protocol);
      break;
    case PROP_CERTIFICATE:
      g_value_set_object (value, self->certificate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_cert_entry_class_init (TesseraCertEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tessera_cert_entry_finalize;
  object_class->get_property = tessera_cert_entry_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "", flags);
  properties[PROP_FINGERPRINT] =
    g_param_spec_string ("fingerprint", NULL, NULL, NULL, flags);
  properties[PROP_LAST_USED] =
    g_param_spec_boxed ("last-used", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_LAST_USED_STATE] =
    g_param_spec_int ("last-used-state", NULL, NULL,
                      TESSERA_LAST_USED_NEVER, TESSERA_LAST_USED_AT,
                      TESSERA_LAST_USED_NEVER, flags);
  properties[PROP_NOT_AFTER] =
    g_param_spec_boxed ("not-after", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_READABLE] =
    g_param_spec_boolean ("readable", NULL, NULL, FALSE, flags);
  properties[PROP_USERS] =
    g_param_spec_boxed ("users", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_PROTOCOL] =
    g_param_spec_string ("protocol", NULL, NULL, NULL, flags);
  properties[PROP_CERTIFICATE] =
    g_param_spec_object ("certificate", NULL, NULL, TESSERA_TYPE_CERTIFICATE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_cert_entry_init (TesseraCertEntry *self)
{
}

static char *
compute_fingerprint (GBytes *der)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = 0;
  const guchar *data = g_bytes_get_data (der, &len);

  g_checksum_update (checksum, data, (gssize) len);
  return g_strdup (g_checksum_get_string (checksum));
}

TesseraCertEntry *
tessera_cert_entry_new (const char          *name,
                        GBytes              *der,
                        TesseraLastUsedState state,
                        GDateTime           *last_used,
                        const char * const  *users,
                        const char          *protocol)
{
  g_autoptr(GError) error = NULL;
  TesseraCertEntry *self;

  g_return_val_if_fail (der != NULL, NULL);
  g_return_val_if_fail (state <= TESSERA_LAST_USED_AT, NULL);
  g_return_val_if_fail (protocol != NULL, NULL);

  self = g_object_new (TESSERA_TYPE_CERT_ENTRY, NULL);
  self->name = g_strdup (name != NULL ? name : "");
  self->der = g_bytes_ref (der);
  self->fingerprint = compute_fingerprint (der);
  self->protocol = g_strdup (protocol);
  self->users = users != NULL ? g_strdupv ((char **) users) : g_new0 (char *, 1);

  if (state == TESSERA_LAST_USED_AT && last_used == NULL)
    state = TESSERA_LAST_USED_UNKNOWN;
  self->last_used_state = state;
  if (state == TESSERA_LAST_USED_AT)
    self->last_used = g_date_time_ref (last_used);

  self->certificate = tessera_certificate_new_from_der (der, &error);
  if (self->certificate == NULL)
    g_debug ("Listed certificate %s is unreadable: %s",
             self->fingerprint, error != NULL ? error->message : "no reason given");

  return self;
}

const char *
tessera_cert_entry_get_name (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), NULL);
  return self->name;
}

GBytes *
tessera_cert_entry_get_der (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), NULL);
  return self->der;
}

const char *
tessera_cert_entry_get_fingerprint (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), NULL);
  return self->fingerprint;
}

TesseraCertificate *
tessera_cert_entry_get_certificate (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), NULL);
  return self->certificate;
}

gboolean
tessera_cert_entry_get_readable (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), FALSE);
  return self->certificate != NULL;
}

TesseraLastUsedState
tessera_cert_entry_get_last_used_state (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), TESSERA_LAST_USED_UNKNOWN);
  return self->last_used_state;
}

GDateTime *
tessera_cert_entry_get_last_used (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), NULL);
  return self->last_used;
}

GDateTime *
tessera_cert_entry_get_not_before (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), NULL);

  if (self->certificate == NULL)
    return NULL;
  return tessera_certificate_get_not_before (self->certificate);
}

/* "More than N days": a time exactly N days old is not stale yet. */
static gboolean
older_than_days (GDateTime *time,
                 GDateTime *now,
                 int        days)
{
  return g_date_time_difference (now, time) > (GTimeSpan) days * G_TIME_SPAN_DAY;
}

gboolean
tessera_cert_entry_is_stale (TesseraCertEntry *self,
                             GDateTime        *now)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), FALSE);
  g_return_val_if_fail (now != NULL, FALSE);

  if (self->certificate == NULL)
    return FALSE;
  switch (self->last_used_state)
    {
    case TESSERA_LAST_USED_NEVER:
      return older_than_days (tessera_certificate_get_not_before (self->certificate), now,
                              TESSERA_STALE_NEVER_USED_DAYS);
    case TESSERA_LAST_USED_AT:
      return self->last_used != NULL && older_than_days (self->last_used, now, TESSERA_STALE_UNUSED_DAYS);
    case TESSERA_LAST_USED_UNKNOWN:
    default:
      return FALSE;
    }
}

GDateTime *
tessera_cert_entry_get_not_after (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), NULL);
  if (self->certificate == NULL)
    return NULL;
  return tessera_certificate_get_not_after (self->certificate);
}

const char * const *
tessera_cert_entry_get_users (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), NULL);
  return (const char * const *) self->users;
}

const char *
tessera_cert_entry_get_protocol (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), NULL);
  return self->protocol;
}

TesseraCertEntry *
tessera_cert_entries_find (GPtrArray  *entries,
                           const char *fingerprint)
{
  g_return_val_if_fail (entries != NULL, NULL);
  g_return_val_if_fail (fingerprint != NULL, NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      TesseraCertEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (tessera_cert_entry_get_fingerprint (entry), fingerprint))
        return entry;
    }

  return NULL;
}

guint
tessera_cert_entries_count_named (GPtrArray  *entries,
                                  const char *name)
{
  guint n = 0;

  g_return_val_if_fail (entries != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  for (guint i = 0; i < entries->len; i++)
    {
      if (g_str_equal (tessera_cert_entry_get_name (g_ptr_array_index (entries, i)), name))
        n++;
    }

  return n;
}

TesseraCertProtocol
tessera_cert_entry_get_cert_protocol (TesseraCertEntry *self)
{
  g_return_val_if_fail (TESSERA_IS_CERT_ENTRY (self), TESSERA_CERT_PROTOCOL_NONE);

  return tessera_cert_protocol_from_string (self->protocol);
}
