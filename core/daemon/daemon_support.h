#ifndef FAPI_DAEMON_SUPPORT_H
#define FAPI_DAEMON_SUPPORT_H

/* Falco 0.31's --support: one line of JSON with the version, the system
 * (uname), the command line, the engine version, the configuration file's
 * text and every rules file loaded with its content and
 * required_engine_version. Keys in Falco's (sorted) order. */

#include <stddef.h>
#include <stdio.h>

#include "cli/cli_args.h"
#include "engine/engine.h"

/* Writes the JSON and a newline to out. `e` holds the loaded rules; the
 * configuration printed is a->config_file's content, or the embedded
 * configuration without -c. Returns 0, or -1 with the reason in err (uname
 * failed, a file can no longer be read); nothing is written then. */
int daemon_support_print(FILE *out, const cli_args *a, const engine *e, char *err, size_t errlen);

#endif
