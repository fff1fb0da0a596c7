/* test-fingerprint.c: tests of fingerprint parsing and formatting
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-error.h"
#include "tessera-fingerprint.h"

/* the last 58 digits of FP_LOWER, to build variants of its first six */
#define TAIL58 "6789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FP_LOWER "012345" TAIL58
#define FP_UPPER "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
#define FP_COLONS_UPPER \
  "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:" \
  "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"
#define FP_COLONS_LOWER \
  "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:" \
  "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef"
#define FP_SPACES \
  "01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef " \
  "01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef"

typedef struct {
  const char *input;
  const char *expected; /* NULL: must be refused */
} NormalizeCase;

static const NormalizeCase normalize_cases[] = {
  { FP_LOWER, FP_LOWER },
  { FP_UPPER, FP_LOWER },
  { FP_COLONS_UPPER, FP_LOWER },
  { FP_COLONS_LOWER, FP_LOWER },
  { FP_SPACES, FP_LOWER },
  { "  " FP_UPPER "\n", FP_LOWER },
  { "\t" FP_COLONS_LOWER " ", FP_LOWER },
  /* mixed separators between pairs are still pairs */
  { "01:23 45" TAIL58, FP_LOWER },
  { "", NULL },
  { "   ", NULL },
  { FP_LOWER "0", NULL },            /* 65 digits */
  { FP_LOWER "00", NULL },           /* 66 digits */
  { "0123" TAIL58, NULL },           /* 62 digits */
  { "01234" TAIL58, NULL },          /* 63 digits */
  { FP_COLONS_LOWER ":", NULL },     /* trailing separator */
  { ":" FP_COLONS_LOWER, NULL },     /* leading separator */
  { "01::2345" TAIL58, NULL },       /* double separator */
  { "0:12345" TAIL58, NULL },        /* separator inside a pair */
  { "g12345" TAIL58, NULL },
  { "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeZ", NULL },
  { "sha256:" FP_LOWER, NULL },
  { "0x2345" TAIL58, NULL },
  { "01-2345" TAIL58, NULL },        /* '-' is not a separator */
  { "\xc3\xa9" "2345" TAIL58, NULL }, /* non-ASCII */
};

static void
test_normalize (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (normalize_cases); i++)
    {
      const NormalizeCase *c = &normalize_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *result = tessera_fingerprint_normalize (c->input, &error);

      g_test_message ("case %u: “%s”", i, c->input);
      if (c->expected != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (result, ==, c->expected);
        }
      else
        {
          g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_FINGERPRINT);
          g_assert_null (result);
          g_assert_true (g_str_has_prefix (error->message, "Reading the fingerprint failed: "));
        }
    }
}

typedef struct {
  const char *input;
  guint min_digits;
  const char *expected;
} PrefixCase;

static const PrefixCase prefix_cases[] = {
  { "ab12cd34", 8, "ab12cd34" },
  { "AB:12:CD:34", 8, "ab12cd34" },
  { "ab 12 cd 3", 8, NULL },         /* 7 digits < 8 */
  { "ab12c", 4, "ab12c" },           /* odd count is fine for a prefix */
  { "AB:12:C", 4, "ab12c" },
  { "ab12", 6, NULL },
  { "", 0, NULL },                   /* never empty */
  { "a", 0, "a" },
  { FP_UPPER, 8, FP_LOWER },         /* a whole fingerprint is a prefix */
  { FP_LOWER "0", 8, NULL },         /* longer than a fingerprint */
  { "ab1:2", 4, NULL },
  { "ab12:", 4, NULL },
  { "xyz123", 4, NULL },
};

static void
test_normalize_prefix (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (prefix_cases); i++)
    {
      const PrefixCase *c = &prefix_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *result = tessera_fingerprint_normalize_prefix (c->input, c->min_digits, &error);

      g_test_message ("case %u: “%s” (min %u)", i, c->input, c->min_digits);
      if (c->expected != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (result, ==, c->expected);
        }
      else
        {
          g_assert_error (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_INVALID_FINGERPRINT);
          g_assert_null (result);
        }
    }
}

static void
test_format (void)
{
  static const struct {
    TesseraFingerprintFormat format;
    const char *expected;
  } cases[] = {
    { TESSERA_FINGERPRINT_LOWER, FP_LOWER },
    { TESSERA_FINGERPRINT_UPPER, FP_UPPER },
    { TESSERA_FINGERPRINT_COLONS, FP_COLONS_LOWER },
    { TESSERA_FINGERPRINT_UPPER | TESSERA_FINGERPRINT_COLONS, FP_COLONS_UPPER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *formatted = tessera_fingerprint_format (FP_LOWER, cases[i].format);
      g_autoptr(GError) error = NULL;
      g_autofree char *back = NULL;

      g_assert_cmpstr (formatted, ==, cases[i].expected);
      /* whatever we print, we read back */
      back = tessera_fingerprint_normalize (formatted, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (back, ==, FP_LOWER);
    }
}

static void
test_shorten (void)
{
  g_autofree char *short_fp = tessera_fingerprint_shorten (FP_LOWER);
  g_autofree char *tiny = tessera_fingerprint_shorten ("abc");

  g_assert_cmpstr (short_fp, ==, "01234567\xe2\x80\xa6");
  g_assert_true (g_utf8_validate (short_fp, -1, NULL));
  g_assert_cmpstr (tiny, ==, "abc");
}

static void
test_compute (void)
{
  /* FIPS 180-2 test vector "abc", computed independently of GLib's
   * checksum by sha256sum(1) when the test was written. */
  g_autoptr(GBytes) abc = g_bytes_new_static ("abc", 3);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autofree char *fp_abc = tessera_fingerprint_compute (abc);
  g_autofree char *fp_empty = tessera_fingerprint_compute (empty);
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  g_assert_cmpstr (fp_abc, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_cmpstr (fp_empty, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  g_assert_cmpuint (strlen (fp_abc), ==, TESSERA_FINGERPRINT_HEX_LEN);

  normalized = tessera_fingerprint_normalize (fp_abc, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, fp_abc);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/fingerprint/normalize", test_normalize);
  g_test_add_func ("/tessera/fingerprint/normalize-prefix", test_normalize_prefix);
  g_test_add_func ("/tessera/fingerprint/format", test_format);
  g_test_add_func ("/tessera/fingerprint/shorten", test_shorten);
  g_test_add_func ("/tessera/fingerprint/compute", test_compute);

  return g_test_run ();
}
