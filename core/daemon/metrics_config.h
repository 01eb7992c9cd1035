#ifndef FAPI_DAEMON_METRICS_CONFIG_H
#define FAPI_DAEMON_METRICS_CONFIG_H

/* Falco 0.39's `metrics` keys: enabled, interval (a Prometheus duration,
 * at least 100ms), output_rule, output_file and the switches choosing the
 * snapshot's groups, with Falco's checks and messages. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config_tree.h"

typedef struct metrics_config {
	bool enabled;
	uint64_t interval_ms;
	const char *interval; /* the key's text; borrowed from the tree */
	bool output_rule;
	const char *output_file; /* borrowed from the tree, NULL when unset or empty */
	bool rules_counters, resource_utilization, state_counters, kernel_event_counters, libbpf_stats;
	bool convert_memory_to_mb, include_empty_values;
} metrics_config;

/* A Prometheus duration ([Ny][Nw][Nd][Nh][Nm][Ns][Nms], white space
 * ignored) in milliseconds, as Falco's parse_prometheus_interval: 0 when
 * it does not match. */
uint64_t metrics_config_parse_interval(const char *s);

/* Reads the keys. When metrics.enabled, checks them as Falco does: an
 * interval under 100ms or not a duration, a number without a unit, no
 * output (output_rule, output_file or webserver.enabled). 0, or -1 with
 * Falco's message in err. */
int metrics_config_read(const config_node *root, metrics_config *c, char *err, size_t errlen);

#endif
