#ifndef FAPI_ENGINE_ALERT_META_H
#define FAPI_ENGINE_ALERT_META_H

/* What an alert carries besides its event's fields: the host name and the
 * time texts Falco 0.31 prints. Pure C re-implementations of libsinsp's
 * helpers (which use gmtime()/localtime() static buffers): re-entrant and
 * shared by every source (evt.time and jevt.time print alike). */

#include <stddef.h>
#include <stdint.h>

/* The hostname Falco 0.31 reports: FALCO_GRPC_HOSTNAME when set, else
 * gethostname(). Writes it NUL-terminated to buf (truncated to cap-1).
 * Returns 0, or -1 with err filled (gethostname failed, or no buffer). */
int alert_meta_hostname(char *buf, size_t cap, char *err, size_t errlen);

/* Time of day as %evt.time prints it: "16:17:57.881781397", in LOCAL time
 * with the UTC offset the zone has NOW (libsinsp's gmt2local(time(NULL))),
 * not the offset at the event's date. Writes to buf (cap >= 19 for the full
 * text) and returns the full length (snprintf convention). */
size_t alert_meta_time_text(uint64_t ts, char *buf, size_t cap);

/* As %evt.time.iso8601 prints it, always UTC:
 * "2016-08-04T16:17:57.881781397+0000". Returns the full length (34). */
size_t alert_meta_iso8601(uint64_t ts, char *buf, size_t cap);

/* The "time" key of a JSON alert, always UTC:
 * "2016-08-04T16:17:57.881781397Z". Returns the full length (30). */
size_t alert_meta_json_time(uint64_t ts, char *buf, size_t cap);

#endif
