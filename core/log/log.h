#ifndef FAPI_LOG_H
#define FAPI_LOG_H

/* The daemon's log: one line per message on stderr, "<time> <level> [<who>]
 * <message>". Thread-safe. */

#include <stdarg.h>

#include "fapi/host.h"

/* Messages above this level are dropped; defaults to FAPI_LOG_INFO. */
void log_set_level(fapi_log_level level);
/* Parses "error", "warning", "info", "debug" (Falco's names also accepted:
 * "notice" is info, "critical"/"emergency"/"alert" are error). 0 or -1. */
int log_parse_level(const char *name, fapi_log_level *out);

/* Writes one line; `who` is the component ("core", "grpc", a module's
 * name). */
void log_msg(fapi_log_level level, const char *who, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void log_vmsg(fapi_log_level level, const char *who, const char *fmt, va_list ap);

#endif
