#ifndef FAPI_DAEMON_ENGINE_CONFIG_H
#define FAPI_DAEMON_ENGINE_CONFIG_H

/* The engine's settings from falco.yaml and the command line, with Falco
 * 0.31's keys and meanings (-r replaces rules_file; priority, json_output,
 * json_include_*_property, time_format_iso_8601, stdout_output.enabled,
 * buffered_outputs, outputs.rate, outputs.max_burst) plus the source keys of
 * this daemon (engine.capture.*, engine.live.*), and Falco's FALCO_BPF_PROBE
 * environment variable. */

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli_args.h"
#include "config/config_tree.h"
#include "engine/engine.h"

typedef struct engine_config {
	engine_opts opts;
	const char **rules;     /* owned array; strings from argv or the tree */
	size_t nrules;
	const char *capture;    /* -e, else engine.capture.file, else NULL */
	uint64_t loops;         /* engine.capture.loop: times to replay, 0 = forever (default 1) */
	double rate;            /* engine.capture.rate, events/s, 0 = unpaced */
	bool live;              /* engine.live.enabled (default true) */
	const char *probe;      /* engine.live.probe, else FALCO_BPF_PROBE: eBPF probe path, NULL = kernel module */
	char *probe_owned;      /* the path built for an empty FALCO_BPF_PROBE; owned */
} engine_config;

/* The engine settings a running engine can change (engine_set_settings):
 * json_output, json_include_*_property, outputs.rate/max_burst, priority,
 * engine.limits.*, into *o. 0, or -1 with err. */
int engine_config_settings(const config_node *root, engine_opts *o, char *err, size_t errlen);

/* Fills *c. Returns 0, or -1 with "file:line:column: ..." in err. */
int engine_config_read(const config_node *root, const cli_args *a, engine_config *c, char *err, size_t errlen);
void engine_config_free(engine_config *c);

#endif
