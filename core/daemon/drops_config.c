#include "daemon/drops_config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "log/log.h"

static void drops_config_log(int level, const char *msg)
{
	log_msg((fapi_log_level)level, "engine", "%s", msg);
}

/* A double key (Falco reads these with yaml-cpp's get_scalar<double>). 0,
 * or -1 with the key's position in err. */
static int drops_config_double(const config_node *root, const char *key, double *v, char *err, size_t errlen)
{
	const config_node *n = config_lookup(root, key);
	if (!n)
		return 0;
	char *end = NULL;
	errno = 0;
	double d = n->kind == CONFIG_SCALAR ? strtod(n->scalar, &end) : NAN;
	if (n->kind != CONFIG_SCALAR || errno || end == n->scalar || *end || !isfinite(d)) {
		char where[300];
		snprintf(err, errlen, "%s: key '%s' must be a number", config_node_where(n, where, sizeof(where)), key);
		return -1;
	}
	*v = d;
	return 0;
}

int drops_config_read(const config_node *root, engine_drops_opts *o, char *err, size_t errlen)
{
	*o = (engine_drops_opts)ENGINE_DROPS_OPTS_INIT;
	o->log = drops_config_log;
	char where[300];
	const config_node *acts = config_lookup(root, "syscall_event_drops.actions");
	const char *names[16];
	size_t n = 0;
	if (acts && acts->kind == CONFIG_SEQ) {
		for (size_t i = 0; i < acts->count; i++) {
			const config_node *it = acts->items[i];
			if (it->kind != CONFIG_SCALAR || n == sizeof(names) / sizeof(names[0])) {
				snprintf(err, errlen, "%s: syscall_event_drops.actions: at most %zu action names",
					 config_node_where(it, where, sizeof(where)), sizeof(names) / sizeof(names[0]));
				return -1;
			}
			names[n++] = it->scalar;
		}
	} else if (acts && acts->kind == CONFIG_SCALAR && *acts->scalar) {
		names[n++] = acts->scalar;
	} else if (acts && acts->kind == CONFIG_MAP) {
		snprintf(err, errlen, "%s: syscall_event_drops.actions must be a list of action names",
			 config_node_where(acts, where, sizeof(where)));
		return -1;
	}
	char why[256];
	if (engine_drops_parse_actions(names, n, &o->actions, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", config_node_where(acts, where, sizeof(where)), why);
		return -1;
	}
	if (drops_config_double(root, "syscall_event_drops.threshold", &o->threshold, err, errlen) < 0 ||
	    drops_config_double(root, "syscall_event_drops.rate", &o->rate, err, errlen) < 0 ||
	    drops_config_double(root, "syscall_event_drops.max_burst", &o->max_burst, err, errlen) < 0 ||
	    config_get_bool(root, "syscall_event_drops.simulate_drops", false, &o->simulate, err, errlen) < 0)
		return -1;
	if (o->threshold < 0 || o->threshold > 1) {
		snprintf(err, errlen, "%s: syscall event drops threshold must be a double in the range [0, 1]",
			 config_node_where(config_lookup(root, "syscall_event_drops.threshold"), where, sizeof(where)));
		return -1;
	}
	if (o->rate < 0 || o->max_burst < 0) {
		snprintf(err, errlen, "%s: syscall_event_drops.rate and max_burst must not be negative",
			 config_node_where(config_lookup(root, o->rate < 0 ? "syscall_event_drops.rate"
									 : "syscall_event_drops.max_burst"),
					   where, sizeof(where)));
		return -1;
	}
	return 0;
}
