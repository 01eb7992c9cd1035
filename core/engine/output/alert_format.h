#ifndef FAPI_ENGINE_ALERT_FORMAT_H
#define FAPI_ENGINE_ALERT_FORMAT_H

/* Turning a rule match into an alert formatted exactly like Falco 0.31's:
 * the text line "<time>: <Priority> <output>" and, with json_output, the
 * JSON line with the keys output, priority, rule, source, tags, time and
 * output_fields. */

#include <stdbool.h>
#include <stdint.h>

#include "engine/output/alert.h"
#include "engine/compile/rules_compile.h"
#include "engine/backends/backend.h"

typedef struct alert_format_opts {
	bool json;                    /* build the json_output line */
	bool json_include_output;     /* json_include_output_property */
	bool json_include_tags;       /* json_include_tags_property */
	bool fields;                  /* build the text output_fields (for gRPC) */
	const char *hostname;
} alert_format_opts;

/* Builds the alert for rule r matching evt (an event of r's source), with
 * r's backend formatting the fields. Returns NULL with err filled on
 * failure (backend error or ENOMEM). */
engine_alert *alert_format(const compiled_rule *r, const backend_event *evt, uint64_t seq, const alert_format_opts *o,
			   char *err, size_t errlen);

#endif
