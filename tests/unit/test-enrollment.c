/* test-enrollment.c: the device-name rule and the local part of an enrollment
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-enrollment.h"
#include "tessera-key-store.h"

#define JID "alice@example.org"

static void
test_check_name (void)
{
  g_autofree char *long_name = g_strnfill (TESSERA_DEVICE_NAME_MAX_CHARS, 'x');
  g_autofree char *too_long = g_strnfill (TESSERA_DEVICE_NAME_MAX_CHARS + 1, 'x');
  /* 64 characters, 128 bytes: the rule counts characters */
  g_autoptr(GString) umlauts = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  for (guint i = 0; i < TESSERA_DEVICE_NAME_MAX_CHARS; i++)
    g_string_append (umlauts, "ü");

  name = tessera_enrollment_check_name ("  Laptop \n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Laptop");
  g_clear_pointer (&name, g_free);

  name = tessera_enrollment_check_name (long_name, &error);
  g_assert_no_error (error);
  g_clear_pointer (&name, g_free);
  name = tessera_enrollment_check_name (umlauts->str, &error);
  g_assert_no_error (error);
  g_clear_pointer (&name, g_free);

  g_assert_null (tessera_enrollment_check_name ("   ", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "The device name must have 1 to 64 characters");
  g_clear_error (&error);
  g_assert_null (tessera_enrollment_check_name (too_long, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (tessera_enrollment_check_name ("bad \xff byte", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "The device name is not valid UTF-8");
  g_clear_error (&error);

  /* PROTOCOL.md §2: no character that hides or disguises text (C1 control
   * NEL, right-to-left override, zero-width space, line and paragraph
   * separators, a tab inside the name). */
  {
    const char *hidden[] = { "Lap\xc2\x85top", "\xe2\x80\xae" "potpaL", "Lap\xe2\x80\x8btop",
                             "Lap\xe2\x80\xa8top", "Lap\xe2\x80\xa9top", "Lap\ttop" };

    for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
      {
        g_assert_null (tessera_enrollment_check_name (hidden[i], &error));
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull (strstr (error->message, "U+"));
        g_clear_error (&error);
      }
  }
}

typedef struct
{
  GArray           *steps;
  TesseraKeyRecord *record;
  GError           *error;
  gboolean          done;
} Watch;

static void
step_cb (GObject    *object,
         GParamSpec *pspec,
         gpointer    user_data)
{
  Watch *watch = user_data;
  TesseraEnrollmentStep step = tessera_enrollment_get_step (TESSERA_ENROLLMENT (object));

  /* Notifications come in the caller's context, in order. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_array_append_val (watch->steps, step);
}

static void
prepared_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Watch *watch = user_data;

  watch->record = tessera_enrollment_prepare_finish (TESSERA_ENROLLMENT (object), result, &watch->error);
  watch->done = TRUE;
}

static void
uploaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Watch *watch = user_data;
  TesseraKeyRecord *record = tessera_enrollment_upload_finish (TESSERA_ENROLLMENT (object), result, &watch->error);

  g_assert_null (record);
  watch->done = TRUE;
}

static void
run_prepare (TesseraEnrollment *enrollment,
             GCancellable      *cancellable,
             Watch             *watch)
{
  g_signal_connect (enrollment, "notify::step", G_CALLBACK (step_cb), watch);
  tessera_enrollment_prepare_async (enrollment, TESSERA_CERT_PROTOCOL_CCM2, cancellable, prepared_cb, watch);
  while (!watch->done)
    g_main_context_iteration (NULL, TRUE);
  /* what was queued before the result */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_prepare (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(TesseraEnrollment) enrollment = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  Watch watch = { g_array_new (FALSE, FALSE, sizeof (TesseraEnrollmentStep)), NULL, NULL, FALSE };
  const TesseraEnrollmentStep expected[] = {
    TESSERA_ENROLLMENT_STEP_CHECKING, TESSERA_ENROLLMENT_STEP_GENERATING,
    TESSERA_ENROLLMENT_STEP_SAVING, TESSERA_ENROLLMENT_STEP_SAVED,
  };

  enrollment = tessera_enrollment_new (store, JID, " Laptop ", TESSERA_KEY_TYPE_ECDSA_P256);
  /* no Secret Service here: the key is encrypted with the user's */
  tessera_enrollment_set_user_passphrase (enrollment, "correct horse battery staple");
  g_assert_cmpint (tessera_enrollment_get_step (enrollment), ==, TESSERA_ENROLLMENT_STEP_NEW);
  run_prepare (enrollment, NULL, &watch);

  g_assert_no_error (watch.error);
  g_assert_nonnull (watch.record);
  g_assert_true (tessera_key_record_is_pending (watch.record));
  g_assert_nonnull (tessera_key_record_get_request_der (watch.record));
  g_assert_cmpint (tessera_key_record_get_cert_protocol (watch.record), ==, TESSERA_CERT_PROTOCOL_CCM2);
  g_assert_cmpstr (tessera_key_record_get_name (watch.record), ==, "Laptop");
  name = tessera_enrollment_dup_name (enrollment);
  g_assert_cmpstr (name, ==, "Laptop");
  record = tessera_enrollment_dup_record (enrollment);
  g_assert_cmpstr (tessera_key_record_get_id (record), ==, tessera_key_record_get_id (watch.record));

  g_assert_cmpuint (watch.steps->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (g_array_index (watch.steps, TesseraEnrollmentStep, i), ==, expected[i]);

  /* Sending it needs a session's server: this one was made without. */
  watch.done = FALSE;
  tessera_enrollment_upload_async (enrollment, NULL, uploaded_cb, &watch);
  while (!watch.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (watch.error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&watch.error);
  g_assert_cmpint (tessera_enrollment_get_step (enrollment), ==, TESSERA_ENROLLMENT_STEP_SAVED);

  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_true (tessera_key_store_delete (store, tessera_key_record_get_id (record), &error));

  g_array_unref (watch.steps);
  g_clear_object (&watch.record);
}

/* A cancelled local part leaves no key; a bad name none either. */
static void
test_prepare_leaves_nothing (void)
{
  g_autoptr(TesseraKeyStore) store = tessera_key_store_new (JID, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TesseraEnrollment) enrollment = NULL;
      Watch watch = { g_array_new (FALSE, FALSE, sizeof (TesseraEnrollmentStep)), NULL, NULL, FALSE };

      enrollment = tessera_enrollment_new (store, JID, i == 0 ? "Laptop" : "", TESSERA_KEY_TYPE_ECDSA_P256);
      tessera_enrollment_set_user_passphrase (enrollment, "correct horse battery staple");
      if (i == 0)
        g_cancellable_cancel (cancellable);
      run_prepare (enrollment, i == 0 ? cancellable : NULL, &watch);

      g_assert_null (watch.record);
      if (i == 0)
        g_assert_error (watch.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      else
        g_assert_error (watch.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpint (tessera_enrollment_get_step (enrollment), ==, TESSERA_ENROLLMENT_STEP_FAILED);
      g_clear_error (&watch.error);
      g_array_unref (watch.steps);
    }

  records = tessera_key_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/tessera/enrollment/check-name", test_check_name);
  g_test_add_func ("/tessera/enrollment/prepare", test_prepare);
  g_test_add_func ("/tessera/enrollment/prepare-leaves-nothing", test_prepare_leaves_nothing);

  return g_test_run ();
}
