#include "daemon/engine_config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_keys.h"
#include "daemon/drops_config.h"
#include "engine/compile/output_extra.h"
#include "engine/rules/rules_priority.h"

/* engine.limits.*: the rules loader's bounds (rules_limits.h). */
static int engine_config_limits(const config_node *root, rules_limits *l, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"engine.limits.rules_file_bytes", offsetof(rules_limits, file_bytes)},
		{"engine.limits.yaml_depth", offsetof(rules_limits, yaml_depth)},
		{"engine.limits.yaml_nodes", offsetof(rules_limits, yaml_nodes)},
		{"engine.limits.appends", offsetof(rules_limits, appends)},
		{"engine.limits.condition_bytes", offsetof(rules_limits, condition_bytes)},
		{"engine.limits.list_items", offsetof(rules_limits, list_items)},
		{"engine.limits.condition_nodes", offsetof(rules_limits, condition_nodes)},
		{"engine.limits.errors", offsetof(rules_limits, errors)},
	};
	rules_limits_init(l);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int64_t v;
		if (config_key_int(root, keys[i].key, &v, err, errlen) < 0)
			return -1;
		*(size_t *)((char *)l + keys[i].off) = (size_t)v;
	}
	return 0;
}

int engine_config_settings(const config_node *root, engine_opts *o, char *err, size_t errlen)
{
	const char *prio = NULL;
	int64_t rate, max_burst;
	if (config_key_bool(root, "json_output", &o->json_output, err, errlen) < 0 ||
	    config_key_bool(root, "json_include_output_property", &o->json_include_output, err, errlen) < 0 ||
	    config_key_bool(root, "json_include_tags_property", &o->json_include_tags, err, errlen) < 0 ||
	    config_key_int(root, "outputs.rate", &rate, err, errlen) < 0 ||
	    config_key_int(root, "outputs.max_burst", &max_burst, err, errlen) < 0 ||
	    config_key_string(root, "priority", &prio, err, errlen) < 0 ||
	    engine_config_limits(root, &o->limits, err, errlen) < 0)
		return -1;
	rules_priority p;
	if (!rules_priority_from_string(prio, &p)) {
		snprintf(err, errlen, "priority: unknown priority '%s'", prio);
		return -1;
	}
	o->min_priority = (int)p;
	o->rate = (double)rate;
	o->max_burst = (double)max_burst;
	return 0;
}

int engine_config_read(const config_node *root, const cli_args *a, engine_config *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	engine_opts *o = &c->opts;
	const char *capture = NULL, *probe = NULL;
	int64_t loops, evrate;
	if (engine_config_settings(root, o, err, errlen) < 0 ||
	    config_key_bool(root, "time_format_iso_8601", &o->time_format_iso_8601, err, errlen) < 0 ||
	    config_key_bool(root, "stdout_output.enabled", &o->stdout_output, err, errlen) < 0 ||
	    config_key_bool(root, "buffered_outputs", &o->buffered_outputs, err, errlen) < 0 ||
	    config_key_string(root, "engine.capture.file", &capture, err, errlen) < 0 ||
	    config_key_int(root, "engine.capture.loop", &loops, err, errlen) < 0 ||
	    config_key_int(root, "engine.capture.rate", &evrate, err, errlen) < 0 ||
	    config_key_bool(root, "engine.live.enabled", &c->live, err, errlen) < 0 ||
	    config_key_string(root, "engine.live.probe", &probe, err, errlen) < 0)
		return -1;
	if (drops_config_read(root, &o->drops, err, errlen) < 0)
		return -1;
	o->all_events = a->all_events;
	o->disabled_sources = a->disable_sources;
	o->ndisabled_sources = a->ndisable_sources;
	o->selection = (ruleset_selection){
		.disable_substr = a->disable_substr,
		.ndisable_substr = a->ndisable_substr,
		.disable_tags = a->disable_tags,
		.ndisable_tags = a->ndisable_tags,
		.only_tags = a->only_tags,
		.nonly_tags = a->nonly_tags,
	};
	o->output_extra = output_extra_from_flag(a->print_additional, &o->replace_container_info);
	o->base64_buffers = a->base64_buffers;
	o->cri_sockets = a->cri_sockets;
	o->ncri_sockets = a->ncri_sockets;
	o->disable_cri_async = a->disable_cri_async;
	o->snaplen = (uint32_t)a->snaplen;
	c->capture = a->capture ? a->capture : capture;
	/* engine.capture.loop and .rate apply to -e too: replay N times, paced. */
	c->loops = (uint64_t)loops;
	c->rate = (double)evrate;
	c->probe = probe;
	/* Falco's variable: set, it selects the eBPF probe at that path; empty,
	 * the one Falco installs, $HOME/.falco/falco-bpf.o. */
	const char *env = probe ? NULL : getenv("FALCO_BPF_PROBE");
	if (env && *env) {
		c->probe = env;
	} else if (env) {
		const char *home = getenv("HOME");
		if (!home || !*home) {
			snprintf(err, errlen, "FALCO_BPF_PROBE is empty and HOME is not set: no default eBPF probe path");
			return -1;
		}
		if (asprintf(&c->probe_owned, "%s/.falco/falco-bpf.o", home) < 0) {
			c->probe_owned = NULL;
			goto nomem;
		}
		c->probe = c->probe_owned;
	}

	/* -r replaces rules_file, as in Falco. */
	if (a->nrules) {
		c->rules = malloc(a->nrules * sizeof(*c->rules));
		if (!c->rules)
			goto nomem;
		memcpy(c->rules, a->rules, a->nrules * sizeof(*c->rules));
		c->nrules = a->nrules;
	} else {
		const config_node *rf = config_lookup(root, "rules_file");
		size_t n = !rf ? 0 : rf->kind == CONFIG_SEQ ? rf->count : 1;
		c->rules = calloc(n ? n : 1, sizeof(*c->rules));
		if (!c->rules)
			goto nomem;
		for (size_t i = 0; i < n; i++) {
			const config_node *it = rf->kind == CONFIG_SEQ ? rf->items[i] : rf;
			if (it->kind != CONFIG_SCALAR) {
				char where[300];
				snprintf(err, errlen, "%s: rules_file entries must be paths",
					 config_node_where(it, where, sizeof(where)));
				engine_config_free(c);
				return -1;
			}
			if (*it->scalar)
				c->rules[c->nrules++] = it->scalar;
		}
	}
	o->rules_paths = c->rules;
	o->nrules_paths = c->nrules;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

void engine_config_free(engine_config *c)
{
	free(c->rules);
	free(c->probe_owned);
	memset(c, 0, sizeof(*c));
}
