#ifndef FAPI_DAEMON_H
#define FAPI_DAEMON_H

#include "cli/cli_args.h"

/* Runs the daemon: configuration, modules, gRPC server, until SIGINT or
 * SIGTERM (or -M). Returns the process exit code: 0 after a clean shutdown,
 * 1 on a startup error (already logged). `exe_dir` is the directory of the
 * running binary, used to find the modules next to it. */
int daemon_run(const cli_args *args, const char *exe_dir);

#endif
