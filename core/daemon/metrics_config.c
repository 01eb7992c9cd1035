#include "daemon/metrics_config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "config/config_keys.h"

uint64_t metrics_config_parse_interval(const char *s)
{
	/* The units in the order Falco's regex wants them, each at most once. */
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = {{"y", 365ull * 86400000}, {"w", 7ull * 86400000}, {"d", 86400000}, {"h", 3600000},
		     {"m", 60000},		   {"s", 1000},		    {"ms", 1}};
	char buf[128];
	size_t n = 0;
	for (; s && *s && n + 1 < sizeof(buf); s++)
		if (!isspace((unsigned char)*s))
			buf[n++] = *s;
	if (s && *s)
		return 0;
	buf[n] = '\0';
	uint64_t total = 0;
	size_t next = 0;
	const char *p = buf;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return 0;
		uint64_t v = 0;
		for (; isdigit((unsigned char)*p); p++) {
			if (v > (UINT64_MAX - 9) / 10)
				return 0;
			v = v * 10 + (uint64_t)(*p - '0');
		}
		/* "ms" before "m": the longest unit that follows. */
		size_t u = sizeof(units) / sizeof(units[0]);
		if (p[0] == 'm' && p[1] == 's')
			u = 6;
		else
			for (size_t i = 0; i < 6; i++)
				if (*p == units[i].unit[0]) {
					u = i;
					break;
				}
		if (u == sizeof(units) / sizeof(units[0]) || u < next)
			return 0;
		p += strlen(units[u].unit);
		next = u + 1;
		total += v * units[u].ms;
	}
	return total;
}

int metrics_config_read(const config_node *root, metrics_config *c, char *err, size_t errlen)
{
	*c = (metrics_config){0};
	bool web = false;
	if (config_key_bool(root, "metrics.enabled", &c->enabled, err, errlen) < 0 ||
	    config_key_string(root, "metrics.interval", &c->interval, err, errlen) < 0 ||
	    config_key_bool(root, "metrics.output_rule", &c->output_rule, err, errlen) < 0 ||
	    config_key_string(root, "metrics.output_file", &c->output_file, err, errlen) < 0 ||
	    config_key_bool(root, "metrics.rules_counters_enabled", &c->rules_counters, err, errlen) < 0 ||
	    config_key_bool(root, "metrics.resource_utilization_enabled", &c->resource_utilization, err, errlen) < 0 ||
	    config_key_bool(root, "metrics.state_counters_enabled", &c->state_counters, err, errlen) < 0 ||
	    config_key_bool(root, "metrics.kernel_event_counters_enabled", &c->kernel_event_counters, err, errlen) <
		    0 ||
	    config_key_bool(root, "metrics.libbpf_stats_enabled", &c->libbpf_stats, err, errlen) < 0 ||
	    config_key_bool(root, "metrics.convert_memory_to_mb", &c->convert_memory_to_mb, err, errlen) < 0 ||
	    config_key_bool(root, "metrics.include_empty_values", &c->include_empty_values, err, errlen) < 0 ||
	    config_key_bool(root, "webserver.enabled", &web, err, errlen) < 0)
		return -1;
	if (c->output_file && !*c->output_file)
		c->output_file = NULL;
	if (!c->enabled)
		return 0;
	c->interval_ms = metrics_config_parse_interval(c->interval);
	/* Falco's messages, in the order it checks. */
	if (c->interval_ms < 100) {
		snprintf(err, errlen,
			 "metrics.interval '%s': Metrics interval must have a minimum value of 100ms and reflect a "
			 "Prometheus compliant time duration format: "
			 "https://prometheus.io/docs/prometheus/latest/querying/basics/#time-durations.",
			 c->interval ? c->interval : "");
		return -1;
	}
	bool digits = true;
	for (const char *p = c->interval; *p; p++)
		digits = digits && isdigit((unsigned char)*p);
	if (digits) {
		snprintf(err, errlen,
			 "metrics.interval '%s': Metrics interval was passed as numeric value without Prometheus time "
			 "unit. Please specify a time unit",
			 c->interval);
		return -1;
	}
	if (!c->output_rule && !c->output_file && !web) {
		snprintf(err, errlen, "Metrics are enabled with no output configured. Please enable at least one output "
				      "channel ('metrics.output_rule', 'metrics.output_file' or 'webserver.enabled')");
		return -1;
	}
	return 0;
}
