#ifndef FORWARD_BODY_H
#define FORWARD_BODY_H

/* What is published for one alert: subject, Nats-Msg-Id and JSON body. */

#include <stddef.h>
#include <stdint.h>

#include "fapi/fapi.h"

/* A growable byte buffer owned by its user (free with free(buf)). */
typedef struct forward_buf {
	char *buf;
	size_t len, cap;
} forward_buf;

/* Falco's name of a priority ("Warning"); "Debug" beyond range. */
const char *forward_body_priority_name(uint32_t p);

/* Expands the subject template: {hostname}, {priority} (lower case),
 * {source}; other characters are copied. Characters NATS forbids in a
 * token (space, '.', '*', '>') inside a value become '_'. Returns 0, or
 * -1 when it does not fit in out. */
int forward_body_subject(const char *tmpl, const char *hostname, const fapi_alert_view *a, char *out,
			 size_t outlen);

/* The alert as Falco's json_output line (output, priority, rule, source,
 * tags, time, output_fields) plus "hostname" and "seq". Returns 0, or -1
 * out of memory. The buffer is reset first. */
int forward_body_json(forward_buf *b, const char *hostname, const fapi_alert_view *a);

/* The decimal digits of v, written at the end of buf (NUL-terminated);
 * returns where they start. Per message, where snprintf's format parsing
 * was a tenth of the publisher's time. */
const char *forward_body_u64(char buf[32], uint64_t v);

#endif
