#ifndef FAPI_DAEMON_DETACH_H
#define FAPI_DAEMON_DETACH_H

/* Falco 0.31's -d/-P: fork; the child starts its own session, sets umask
 * 027, moves to / and points stdin and stdout at /dev/null; the parent
 * writes the child's pid to the pid file and exits 0. Unlike Falco, the
 * parent waits until the child has started (source open, listeners up):
 * until then the child's stderr is still the caller's, so a start-up error
 * reaches the terminal and the parent exits 1 instead of leaving no daemon
 * behind a successful exit. Call it while the process has a single thread. */

#include <stdbool.h>
#include <stddef.h>

/*
 * Forks. In the child: returns 0 with *parent false and *ready_fd set; call
 * daemon_detach_ready(ready_fd) once start-up succeeded (exiting without it
 * is a failed start-up). In the parent: returns once the child is ready and
 * the pid file written (0, *parent true: exit 0), or -1 with *parent true
 * and the reason in err when the child stopped during start-up or the pid
 * file could not be written (the child is then stopped). Also -1 with
 * *parent false when fork, setsid or chdir failed.
 */
int daemon_detach(const char *pidfile, bool *parent, int *ready_fd, char *err, size_t errlen);

/* In the child: points stderr at /dev/null and tells the parent that
 * start-up succeeded. Sets *ready_fd to -1; does nothing when it is -1. */
void daemon_detach_ready(int *ready_fd);

#endif
