/* tessera-key-passphrase.c: a passphrase the user chooses for a key when no keyring is available
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-key-passphrase.h"

/* Without a Secret Service the core cannot keep a key's random passphrase
 * (TESSERA_STORE_ERROR_NO_SECRET_SERVICE), and the CLI takes
 * --key-passphrase-file instead. The window asks the user for one: typed
 * twice, with a hint of its strength, held in memory for this run only and
 * wiped when done. The rows of the .ui bind "text" and "repeat"; "needed"
 * says whether to ask at all (probed off the main thread, since libsecret
 * blocks), "hint" and "acceptable" follow the text. */

struct _TesseraKeyPassphrase
{
  GObject       parent_instance;

  char         *text;
  char         *repeat;
  gboolean      needed;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (TesseraKeyPassphrase, tessera_key_passphrase, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_REPEAT,
  PROP_NEEDED,
  PROP_STRENGTH,
  PROP_HINT,
  PROP_ACCEPTABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * tessera_passphrase_strength:
 * @passphrase: (nullable): what the user typed
 *
 * A rough measure from the length and the classes of characters (lower
 * case, upper case, digits, anything else): no dictionary, so it praises
 * "Password1234567!" too; it only steers away from short, plain ones.
 */
TesseraPassphraseStrength
tessera_passphrase_strength (const char *passphrase)
{
  gboolean lower = FALSE, upper = FALSE, digit = FALSE, other = FALSE;
  glong length;
  guint classes;

  if (passphrase == NULL || passphrase[0] == '\0')
    return TESSERA_PASSPHRASE_EMPTY;

  length = g_utf8_strlen (passphrase, -1);
  if (length < TESSERA_KEY_PASSPHRASE_MIN_LENGTH)
    return TESSERA_PASSPHRASE_TOO_SHORT;

  for (const char *p = passphrase; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_islower (c))
        lower = TRUE;
      else if (g_unichar_isupper (c))
        upper = TRUE;
      else if (g_unichar_isdigit (c))
        digit = TRUE;
      else
        other = TRUE;
    }
  classes = lower + upper + digit + other;

  if (length >= 20 || (length >= 12 && classes >= 3))
    return TESSERA_PASSPHRASE_STRONG;
  if (length >= 12 || classes >= 3)
    return TESSERA_PASSPHRASE_FAIR;
  return TESSERA_PASSPHRASE_WEAK;
}

static gboolean
matches (TesseraKeyPassphrase *self)
{
  return self->text != NULL && self->repeat != NULL && g_str_equal (self->text, self->repeat);
}

gboolean
tessera_key_passphrase_get_acceptable (TesseraKeyPassphrase *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_PASSPHRASE (self), FALSE);

  if (!self->needed)
    return TRUE;
  return tessera_passphrase_strength (self->text) >= TESSERA_PASSPHRASE_WEAK && matches (self);
}

static char *
describe (TesseraKeyPassphrase *self)
{
  if (!self->needed)
    return NULL;

  switch (tessera_passphrase_strength (self->text))
    {
    case TESSERA_PASSPHRASE_EMPTY:
      return g_strdup (_("Choose a passphrase for the new key and type it twice."));
    case TESSERA_PASSPHRASE_TOO_SHORT:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Too short: use at least %d character.",
                                           "Too short: use at least %d characters.",
                                           TESSERA_KEY_PASSPHRASE_MIN_LENGTH),
                              TESSERA_KEY_PASSPHRASE_MIN_LENGTH);
    default:
      break;
    }

  if (self->repeat != NULL && self->repeat[0] != '\0' && !matches (self))
    return g_strdup (_("The two passphrases differ."));

  switch (tessera_passphrase_strength (self->text))
    {
    case TESSERA_PASSPHRASE_WEAK:
      return g_strdup (_("Weak: make it longer, or mix upper and lower case, digits and symbols."));
    case TESSERA_PASSPHRASE_FAIR:
      return g_strdup (_("Fair: a few more characters make it stronger."));
    case TESSERA_PASSPHRASE_STRONG:
    default:
      return g_strdup (_("Strong."));
    }
}

static void
text_changed (TesseraKeyPassphrase *self,
              GParamSpec           *pspec)
{
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STRENGTH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HINT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCEPTABLE]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_secret (TesseraKeyPassphrase  *self,
            char                 **field,
            const char            *value,
            GParamSpec            *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  tessera_secret_free (*field);
  *field = g_strdup (value);
  text_changed (self, pspec);
}

static void
set_needed (TesseraKeyPassphrase *self,
            gboolean              needed)
{
  if (self->needed == needed)
    return;
  self->needed = needed;
  text_changed (self, properties[PROP_NEEDED]);
}

gboolean
tessera_key_passphrase_get_needed (TesseraKeyPassphrase *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_PASSPHRASE (self), FALSE);

  return self->needed;
}

/**
 * tessera_key_passphrase_dup:
 * @self: a #TesseraKeyPassphrase
 *
 * Returns: (transfer full) (nullable): the passphrase when one is needed
 *   and acceptable, %NULL otherwise; free it with tessera_secret_free()
 */
char *
tessera_key_passphrase_dup (TesseraKeyPassphrase *self)
{
  g_return_val_if_fail (TESSERA_IS_KEY_PASSPHRASE (self), NULL);

  if (!self->needed || !tessera_key_passphrase_get_acceptable (self))
    return NULL;
  return g_strdup (self->text);
}

/**
 * tessera_key_passphrase_clear:
 * @self: a #TesseraKeyPassphrase
 *
 * Wipes both texts; the bound rows empty themselves.
 */
void
tessera_key_passphrase_clear (TesseraKeyPassphrase *self)
{
  g_return_if_fail (TESSERA_IS_KEY_PASSPHRASE (self));

  set_secret (self, &self->text, NULL, properties[PROP_TEXT]);
  set_secret (self, &self->repeat, NULL, properties[PROP_REPEAT]);
}

/* Is a keyring there? */

static void
probed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TesseraKeyPassphrase) self = user_data;
  gboolean available = tessera_secret_is_available_finish (result);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (!available)
    g_debug ("No keyring: the new key's passphrase is asked for");
  set_needed (self, !available);
}

/**
 * tessera_key_passphrase_probe:
 * @self: a #TesseraKeyPassphrase
 *
 * Asks, off the main thread, whether a Secret Service answers; sets
 * #TesseraKeyPassphrase:needed when none does.
 */
void
tessera_key_passphrase_probe (TesseraKeyPassphrase *self)
{
  g_return_if_fail (TESSERA_IS_KEY_PASSPHRASE (self));

  tessera_secret_is_available_async (self->cancellable, probed_cb, g_object_ref (self));
}

/* GObject */

static void
tessera_key_passphrase_dispose (GObject *object)
{
  TesseraKeyPassphrase *self = (TesseraKeyPassphrase *) object;

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (tessera_key_passphrase_parent_class)->dispose (object);
}

static void
tessera_key_passphrase_finalize (GObject *object)
{
  TesseraKeyPassphrase *self = (TesseraKeyPassphrase *) object;

  tessera_secret_free (self->text);
  tessera_secret_free (self->repeat);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (tessera_key_passphrase_parent_class)->finalize (object);
}

static void
tessera_key_passphrase_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TesseraKeyPassphrase *self = TESSERA_KEY_PASSPHRASE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text != NULL ? self->text : "");
      break;

    case PROP_REPEAT:
      g_value_set_string (value, self->repeat != NULL ? self->repeat : "");
      break;

    case PROP_NEEDED:
      g_value_set_boolean (value, self->needed);
      break;

    case PROP_STRENGTH:
      g_value_set_uint (value, tessera_passphrase_strength (self->text));
      break;

    case PROP_HINT:
      g_value_take_string (value, describe (self));
      break;

    case PROP_ACCEPTABLE:
      g_value_set_boolean (value, tessera_key_passphrase_get_acceptable (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_key_passphrase_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  TesseraKeyPassphrase *self = TESSERA_KEY_PASSPHRASE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      set_secret (self, &self->text, g_value_get_string (value), pspec);
      break;

    case PROP_REPEAT:
      set_secret (self, &self->repeat, g_value_get_string (value), pspec);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_key_passphrase_class_init (TesseraKeyPassphraseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tessera_key_passphrase_dispose;
  object_class->finalize = tessera_key_passphrase_finalize;
  object_class->get_property = tessera_key_passphrase_get_property;
  object_class->set_property = tessera_key_passphrase_set_property;

  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, "", rw);
  properties[PROP_REPEAT] = g_param_spec_string ("repeat", NULL, NULL, "", rw);
  /* No keyring answers: the key needs the user's passphrase */
  properties[PROP_NEEDED] = g_param_spec_boolean ("needed", NULL, NULL, FALSE, ro);
  /* TesseraPassphraseStrength of "text" */
  properties[PROP_STRENGTH] = g_param_spec_uint ("strength", NULL, NULL, 0, TESSERA_PASSPHRASE_STRONG,
                                                 TESSERA_PASSPHRASE_EMPTY, ro);
  properties[PROP_HINT] = g_param_spec_string ("hint", NULL, NULL, NULL, ro);
  /* Not needed, or long enough and typed the same twice */
  properties[PROP_ACCEPTABLE] = g_param_spec_boolean ("acceptable", NULL, NULL, TRUE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_key_passphrase_init (TesseraKeyPassphrase *self)
{
  self->cancellable = g_cancellable_new ();
}

TesseraKeyPassphrase *
tessera_key_passphrase_new (void)
{
  return g_object_new (TESSERA_TYPE_KEY_PASSPHRASE, NULL);
}
