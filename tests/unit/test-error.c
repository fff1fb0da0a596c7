/* test-error.c: stanza error conditions and types
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "tessera-error.h"

static void
test_condition_round_trip (void)
{
  for (guint c = TESSERA_STANZA_ERROR_BAD_REQUEST; c <= TESSERA_STANZA_ERROR_UNEXPECTED_REQUEST; c++)
    {
      TesseraStanzaErrorCondition parsed = 0;
      const char *name = tessera_stanza_error_condition_to_string (c);

      g_assert_true (tessera_stanza_error_condition_from_string (name, &parsed));
      g_assert_cmpint (parsed, ==, c);
    }
  g_assert_false (tessera_stanza_error_condition_from_string ("no-such-condition", &(TesseraStanzaErrorCondition){0}));
  g_assert_false (tessera_stanza_error_condition_from_string (NULL, &(TesseraStanzaErrorCondition){0}));
}

static void
test_messages_distinct (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint c = TESSERA_STANZA_ERROR_BAD_REQUEST; c <= TESSERA_STANZA_ERROR_UNEXPECTED_REQUEST; c++)
    for (guint t = TESSERA_STANZA_ERROR_TYPE_AUTH; t <= TESSERA_STANZA_ERROR_TYPE_WAIT; t++)
      {
        g_autoptr(GError) error = tessera_stanza_error_new (c, t, NULL);

        g_assert_error (error, TESSERA_STANZA_ERROR, (int) c);
        g_assert_cmpint (tessera_stanza_error_get_error_type (error), ==, t);
        g_assert_false (g_hash_table_contains (seen, error->message));
        g_hash_table_add (seen, g_strdup (error->message));
      }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 22 * 5);
}

static void
test_type_survives_copy (void)
{
  g_autoptr(GError) error = tessera_stanza_error_new (TESSERA_STANZA_ERROR_RESOURCE_CONSTRAINT,
                                                      TESSERA_STANZA_ERROR_TYPE_WAIT,
                                                      "busy, try in a minute");
  g_autoptr(GError) copy = g_error_copy (error);

  g_assert_cmpint (tessera_stanza_error_get_error_type (copy), ==, TESSERA_STANZA_ERROR_TYPE_WAIT);
  g_assert_nonnull (strstr (copy->message, "busy, try in a minute"));
  g_assert_nonnull (strstr (copy->message, "resource-constraint"));
}

static void
test_type_names (void)
{
  g_assert_cmpint (tessera_stanza_error_type_from_string ("wait"), ==, TESSERA_STANZA_ERROR_TYPE_WAIT);
  g_assert_cmpint (tessera_stanza_error_type_from_string ("cancel"), ==, TESSERA_STANZA_ERROR_TYPE_CANCEL);
  g_assert_cmpint (tessera_stanza_error_type_from_string ("bogus"), ==, TESSERA_STANZA_ERROR_TYPE_UNKNOWN);
  g_assert_cmpint (tessera_stanza_error_type_from_string (NULL), ==, TESSERA_STANZA_ERROR_TYPE_UNKNOWN);
  g_assert_cmpstr (tessera_stanza_error_type_to_string (TESSERA_STANZA_ERROR_TYPE_MODIFY), ==, "modify");
}

static void
test_out_of_range_condition (void)
{
  g_autoptr(GError) error = tessera_stanza_error_new (999, 999, NULL);

  g_assert_error (error, TESSERA_STANZA_ERROR, TESSERA_STANZA_ERROR_UNDEFINED_CONDITION);
  g_assert_cmpint (tessera_stanza_error_get_error_type (error), ==, TESSERA_STANZA_ERROR_TYPE_UNKNOWN);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tessera/error/condition-round-trip", test_condition_round_trip);
  g_test_add_func ("/tessera/error/messages-distinct", test_messages_distinct);
  g_test_add_func ("/tessera/error/type-survives-copy", test_type_survives_copy);
  g_test_add_func ("/tessera/error/type-names", test_type_names);
  g_test_add_func ("/tessera/error/out-of-range-condition", test_out_of_range_condition);
  return g_test_run ();
}
