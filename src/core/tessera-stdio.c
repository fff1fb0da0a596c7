/* tessera-stdio.c: standard input, output and error always open
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "tessera-stdio.h"

/**
 * tessera_stdio_ensure_open:
 *
 * Opens /dev/null on each of the descriptors 0, 1 and 2 that is closed, as
 * a program started without them (by a script's `<&-`, or a service
 * manager that closes them) has. Otherwise the next file or socket opened
 * takes that number, with two consequences:
 *
 * - libstrophe (0.12) takes a socket numbered 0 for no socket at all: it
 *   never waits on it, and the connection times out;
 * - what is printed or logged to a closed 1 or 2 lands in that file (a key
 *   store's file, say).
 *
 * Call it first in main (); the core calls it again before its first
 * connection, which covers a program that did not, unless a descriptor
 * opened in between holds the number and is closed later.
 */
void
tessera_stdio_ensure_open (void)
{
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
    {
      int opened;

      if (fcntl (fd, F_GETFD) != -1 || errno != EBADF)
        continue;
      /* The lowest free number: this one, as the lower ones are open. */
      do
        opened = open ("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
      while (opened == -1 && errno == EINTR);
      /* Nowhere to say so: standard error may be the one missing. */
      if (opened == -1)
        return;
      if (opened != fd)
        {
          dup2 (opened, fd);
          close (opened);
        }
    }
}
