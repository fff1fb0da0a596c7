/* test-jid.c: tests of Jabber ID parsing and normalization
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-error.h"
#include "tessera-jid.h"

typedef struct
{
  const char *input;
  const char *local;    /* expected parts; NULL = absent */
  const char *domain;
  const char *resource;
} ValidCase;

static const ValidCase valid_cases[] = {
  { "alice@example.org", "alice", "example.org", NULL },
  { "example.org", NULL, "example.org", NULL },
  { "alice@example.org/phone", "alice", "example.org", "phone" },
  { "alice@EXAMPLE.Org", "alice", "example.org", NULL },
  { "Alice@example.org", "alice", "example.org", NULL },
  { "alice@example.org.", "alice", "example.org", NULL },
  { "alice@example.org./Res", "alice", "example.org", "Res" },
  /* A resource keeps its case and may hold spaces, '@' and '/'. */
  { "alice@example.org/My Phone", "alice", "example.org", "My Phone" },
  { "alice@example.org/a@b/c", "alice", "example.org", "a@b/c" },
  { "alice@127.0.0.1", "alice", "127.0.0.1", NULL },
  { "alice@[::1]", "alice", "[::1]", NULL },
  { "alice@[2001:DB8::1]/x", "alice", "[2001:db8::1]", "x" },
  { "localhost", NULL, "localhost", NULL },
  { "jürgen@bücher.example", "jürgen", "bücher.example", NULL },
  { "JÜRGEN@BÜCHER.example", "jürgen", "bücher.example", NULL },
  /* NFC: "e" + combining acute becomes "é". */
  { "re\xcc\x81sume\xcc\x81@example.org", "r\xc3\xa9sum\xc3\xa9", "example.org", NULL },
  { "a.b-c_d+e@sub-1.example_host.org", "a.b-c_d+e", "sub-1.example_host.org", NULL },
};

typedef struct
{
  const char *input;
  int         code;
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "", TESSERA_JID_ERROR_EMPTY },
  { "@example.org", TESSERA_JID_ERROR_MALFORMED },
  { "alice@", TESSERA_JID_ERROR_MALFORMED },
  { "alice@/res", TESSERA_JID_ERROR_MALFORMED },
  { "alice@example.org/", TESSERA_JID_ERROR_MALFORMED },
  { "/res", TESSERA_JID_ERROR_MALFORMED },
  { "alice@bob@example.org", TESSERA_JID_ERROR_MALFORMED },
  { "a@@example.org", TESSERA_JID_ERROR_MALFORMED },
  { "alice@.", TESSERA_JID_ERROR_MALFORMED },
  { "alice@example..org", TESSERA_JID_ERROR_MALFORMED },
  { "alice@.example.org", TESSERA_JID_ERROR_MALFORMED },
  { "alice@example.org..", TESSERA_JID_ERROR_MALFORMED },
  { "alice smith@example.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice@exa mple.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { " alice@example.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice@example.org ", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice\t@example.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "ali\x01" "ce@example.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice@exam\x7fple.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice@example.org/ph\x0aone", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice@example.org/\xc2\x85", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice\xc2\xa0x@example.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "al<ice@example.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "al:ice@example.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "al\"ice@example.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "al'ice@example.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice@exa,mple.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice@example.org:5222", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice@\xff\xfe.org", TESSERA_JID_ERROR_INVALID_CHARACTER },
  { "alice@[::1", TESSERA_JID_ERROR_MALFORMED },
  { "alice@[127.0.0.1]", TESSERA_JID_ERROR_MALFORMED },
  { "alice@[not-an-ip]", TESSERA_JID_ERROR_MALFORMED },
};

static void
test_valid (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      const ValidCase *c = &valid_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *local = NULL;
      g_autofree char *domain = NULL;
      g_autofree char *resource = NULL;

      g_test_message ("valid: %s", c->input);
      g_assert_true (tessera_jid_parse (c->input, &local, &domain, &resource, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (local, ==, c->local);
      g_assert_cmpstr (domain, ==, c->domain);
      g_assert_cmpstr (resource, ==, c->resource);
    }
}

static void
test_invalid (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      const InvalidCase *c = &invalid_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *escaped = g_strescape (c->input, NULL);
      char *local = (char *) "untouched";
      char *domain = (char *) "untouched";

      g_test_message ("invalid: %s", escaped);
      g_assert_false (tessera_jid_parse (c->input, &local, &domain, NULL, &error));
      g_assert_error (error, TESSERA_JID_ERROR, c->code);
      g_assert_nonnull (error->message);
      /* A failed parse leaves the out arguments alone. */
      g_assert_cmpstr (local, ==, "untouched");
      g_assert_cmpstr (domain, ==, "untouched");
    }
}

static void
test_null (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (tessera_jid_parse (NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, TESSERA_JID_ERROR, TESSERA_JID_ERROR_EMPTY);
  g_assert_null (tessera_jid_get_domain_of (NULL));
}

static char *
repeat (char  c,
        gsize n)
{
  char *s = g_malloc (n + 1);

  memset (s, c, n);
  s[n] = '\0';
  return s;
}

static void
test_lengths (void)
{
  g_autofree char *part1023 = repeat ('a', 1023);
  g_autofree char *part1024 = repeat ('a', 1024);
  g_autofree char *huge = repeat ('a', 100000);
  g_autofree char *ok_local = g_strconcat (part1023, "@example.org", NULL);
  g_autofree char *long_local = g_strconcat (part1024, "@example.org", NULL);
  g_autofree char *long_domain = g_strconcat ("alice@", part1024, NULL);
  g_autofree char *ok_resource = g_strconcat ("alice@example.org/", part1023, NULL);
  g_autofree char *long_resource = g_strconcat ("alice@example.org/", part1024, NULL);
  g_autofree char *huge_local = g_strconcat (huge, "@example.org", NULL);
  /* "é" is two bytes: 512 of them are 1024 bytes though only 512 characters. */
  g_autoptr(GString) wide = g_string_new (NULL);
  const char *too_long[] = { long_local, long_domain, long_resource, huge_local, NULL };
  gsize i;

  g_assert_true (tessera_jid_parse (ok_local, NULL, NULL, NULL, NULL));
  g_assert_true (tessera_jid_parse (ok_resource, NULL, NULL, NULL, NULL));
  for (i = 0; too_long[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (tessera_jid_parse (too_long[i], NULL, NULL, NULL, &error));
      g_assert_error (error, TESSERA_JID_ERROR, TESSERA_JID_ERROR_TOO_LONG);
    }

  for (i = 0; i < 512; i++)
    g_string_append (wide, "\xc3\xa9");
  g_string_append (wide, "@example.org");
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (tessera_jid_parse (wide->str, NULL, NULL, NULL, &error));
    g_assert_error (error, TESSERA_JID_ERROR, TESSERA_JID_ERROR_TOO_LONG);
  }
}

static void
test_normalize_bare (void)
{
  static const struct {
    const char *input;
    const char *expected; /* NULL = refused with code */
    int         code;
  } cases[] = {
    { "alice@example.org", "alice@example.org", 0 },
    { "Alice@Example.ORG.", "alice@example.org", 0 },
    { "alice@[::1]", "alice@[::1]", 0 },
    { "alice@192.168.1.1", "alice@192.168.1.1", 0 },
    { "alice@example.org/phone", NULL, TESSERA_JID_ERROR_RESOURCE_NOT_ALLOWED },
    { "example.org", NULL, TESSERA_JID_ERROR_MALFORMED },
    { "", NULL, TESSERA_JID_ERROR_EMPTY },
    { "a@b@example.org", NULL, TESSERA_JID_ERROR_MALFORMED },
    { "a b@example.org", NULL, TESSERA_JID_ERROR_INVALID_CHARACTER },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *bare = tessera_jid_normalize_bare (cases[i].input, &error);

      g_test_message ("normalize_bare: %s", cases[i].input);
      g_assert_cmpstr (bare, ==, cases[i].expected);
      if (cases[i].expected != NULL)
        g_assert_no_error (error);
      else
        g_assert_error (error, TESSERA_JID_ERROR, cases[i].code);
    }
}

static void
test_domain_of (void)
{
  g_autofree char *a = tessera_jid_get_domain_of ("alice@Example.org");
  g_autofree char *b = tessera_jid_get_domain_of ("example.net");
  g_autofree char *c = tessera_jid_get_domain_of ("alice@example.org/res");
  g_autofree char *d = tessera_jid_get_domain_of ("a@b@c");

  g_assert_cmpstr (a, ==, "example.org");
  g_assert_cmpstr (b, ==, "example.net");
  g_assert_cmpstr (c, ==, "example.org");
  g_assert_null (d);
}

static void
test_equal (void)
{
  g_assert_true (tessera_jid_equal ("alice@example.org", "ALICE@EXAMPLE.ORG."));
  g_assert_true (tessera_jid_equal ("example.org", "Example.Org"));
  g_assert_false (tessera_jid_equal ("alice@example.org/A", "alice@example.org/a"));
  g_assert_false (tessera_jid_equal ("alice@example.org", "example.org"));
  g_assert_false (tessera_jid_equal ("alice@example.org", "bob@example.org"));
  g_assert_false (tessera_jid_equal ("a@b@c", "a@b@c"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/jid/valid", test_valid);
  g_test_add_func ("/tessera/jid/invalid", test_invalid);
  g_test_add_func ("/tessera/jid/null", test_null);
  g_test_add_func ("/tessera/jid/lengths", test_lengths);
  g_test_add_func ("/tessera/jid/normalize-bare", test_normalize_bare);
  g_test_add_func ("/tessera/jid/domain-of", test_domain_of);
  g_test_add_func ("/tessera/jid/equal", test_equal);

  return g_test_run ();
}
