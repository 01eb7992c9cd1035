#ifndef FAPI_DAEMON_METRICS_SNAPSHOT_H
#define FAPI_DAEMON_METRICS_SNAPSHOT_H

/* Falco's metrics snapshots (metrics.enabled): every metrics.interval a
 * thread of its own (asleep between ticks) reads the collectors /metrics
 * reads (the engine's counters and rules, the bus, daemon_resources) and
 * publishes the internal alert "Falco internal: metrics snapshot"
 * (output_rule) on the bus and stdout, and appends Falco's line
 * {"output_fields":{...},"sample":N} to output_file. The engine never
 * waits for it: the bus is non-blocking and the thread only reads. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/metrics_config.h"

struct engine;
struct bus;

typedef struct metrics_snapshot metrics_snapshot;

typedef struct metrics_snapshot_opts {
	const metrics_config *config; /* read at start; the strings copied */
	struct engine *engine;        /* borrowed, outlives the snapshot thread */
	struct bus *bus;              /* borrowed, outlives the snapshot thread */
	bool json_output;             /* Falco's json_output: the alert's line as JSON */
	bool stdout_output;           /* stdout_output.enabled: the alert's line on stdout too */
	bool buffered_outputs;        /* buffered_outputs: stdout not flushed after the line */
} metrics_snapshot_opts;

/* Opens output_file (appending; the check that it is writable) and starts
 * the thread when config->enabled; else *out is NULL and it returns 0.
 * 0, or -1 with err ("metrics.output_file '...': <strerror>"). */
int metrics_snapshot_start(metrics_snapshot **out, const metrics_snapshot_opts *o, char *err, size_t errlen);

/* Stops the thread and closes the file; NULL is fine. */
void metrics_snapshot_stop(metrics_snapshot *s);

#endif
