#ifndef FAPI_DAEMON_DETACH_H
#define FAPI_DAEMON_DETACH_H

/* Falco 0.31's -d/-P: fork; the parent writes the child's pid to the pid
 * file and leaves; the child starts its own session, sets umask 027, moves
 * to / and points stdin, stdout and stderr at /dev/null. Call it while the
 * process has a single thread, after everything that can fail at start-up
 * has been checked (the errors then reach the foreground). */

#include <stdbool.h>
#include <stddef.h>

/* Returns 0 in the child (*parent false) and in the parent once the pid file
 * is written (*parent true: it should exit 0 without cleanup of shared
 * state such as sockets); -1 with the reason in err (fork, setsid, chdir or
 * the pid file failed; in the parent the child is then killed). */
int daemon_detach(const char *pidfile, bool *parent, char *err, size_t errlen);

#endif
