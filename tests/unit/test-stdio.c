/* test-stdio.c: tessera_stdio_ensure_open ()
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <locale.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tessera-stdio.h"

static gboolean
is_dev_null (int fd)
{
  struct stat fd_stat, null_stat;

  return fstat (fd, &fd_stat) == 0 && stat ("/dev/null", &null_stat) == 0 &&
         fd_stat.st_rdev == null_stat.st_rdev && S_ISCHR (fd_stat.st_mode);
}

/* In a child: the descriptors closed in @closed (a bit each for 0, 1, 2)
 * are /dev/null afterwards, readable (0) or writable (1, 2); the others
 * are left as they were; a socket made next never takes 0, 1 or 2. */
static void
check_reopened (guint closed)
{
  int kept[3];
  int sock;

  for (int fd = 0; fd <= 2; fd++)
    kept[fd] = (closed & (1u << fd)) ? -1 : dup (fd);
  for (int fd = 0; fd <= 2; fd++)
    if (closed & (1u << fd))
      close (fd);

  tessera_stdio_ensure_open ();
  sock = socket (AF_INET, SOCK_STREAM, 0);

  for (int fd = 0; fd <= 2; fd++)
    {
      int flags = fcntl (fd, F_GETFL);

      if (flags == -1)
        _exit (10 + fd);
      if (closed & (1u << fd))
        {
          if (!is_dev_null (fd))
            _exit (20 + fd);
          if ((flags & O_ACCMODE) != (fd == 0 ? O_RDONLY : O_WRONLY))
            _exit (30 + fd);
          if (fcntl (fd, F_GETFD) & FD_CLOEXEC)
            _exit (40 + fd);
        }
      else
        {
          struct stat now, before;

          if (fstat (fd, &now) != 0 || fstat (kept[fd], &before) != 0 ||
              now.st_ino != before.st_ino || now.st_dev != before.st_dev)
            _exit (50 + fd);
        }
    }
  if (sock <= 2)
    _exit (60);
  _exit (0);
}

static void
test_reopen (gconstpointer data)
{
  guint closed = GPOINTER_TO_UINT (data);

  if (g_test_subprocess ())
    {
      check_reopened (closed);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Nothing closed: nothing changes, and it can be called again. (This
 * process may itself have started without some: the first call opens
 * them.) */
static void
test_all_open (void)
{
  struct stat before[3], after[3];

  tessera_stdio_ensure_open ();
  for (int fd = 0; fd <= 2; fd++)
    g_assert_no_errno (fstat (fd, &before[fd]));
  tessera_stdio_ensure_open ();
  tessera_stdio_ensure_open ();
  for (int fd = 0; fd <= 2; fd++)
    {
      g_assert_no_errno (fstat (fd, &after[fd]));
      g_assert_cmpuint (after[fd].st_ino, ==, before[fd].st_ino);
      g_assert_cmpuint (after[fd].st_dev, ==, before[fd].st_dev);
    }
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *path; guint closed; } cases[] = {
    { "/tessera/stdio/closed/stdin", 1 },
    { "/tessera/stdio/closed/stdout", 2 },
    { "/tessera/stdio/closed/stderr", 4 },
    { "/tessera/stdio/closed/stdin-and-stderr", 5 },
    { "/tessera/stdio/closed/all", 7 },
  };

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/stdio/all-open", test_all_open);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, GUINT_TO_POINTER (cases[i].closed), test_reopen);

  return g_test_run ();
}
