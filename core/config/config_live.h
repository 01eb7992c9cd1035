#ifndef FAPI_CONFIG_LIVE_H
#define FAPI_CONFIG_LIVE_H

/* The configuration while the daemon runs: what it started with, what is
 * stored now (falco.yaml as last read, the overlay of values set through
 * the API, -o), a revision counting the changes, and the one path every
 * change takes (the configuration host functions, SIGHUP, a watched file):
 * build the whole new configuration off to the side, check it as the
 * start-up would (the table of keys, then the daemon's own cross-key
 * checks), write the overlay crash-safely, and hand the new tree to the
 * daemon to apply. A change that fails changes nothing.
 *
 * Keys are named by their full path: the daemon's as in the table
 * ("outputs.rate"), a module's as "modules.NAME.KEY".
 *
 * The overlay file is `overlay.yaml` in the configs module's
 * config.state_dir (default CONFIG_LIVE_STATE_DIR), read only when
 * load_modules names `configs`: one line per key, `PATH: VALUE`.
 *
 * Thread-safe: one lock serialises changes and guards reads. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config_yaml.h"
#include "fapi/config_keys.h"

#define CONFIG_LIVE_STATE_DIR "/var/lib/falco-apid/configs"
#define CONFIG_LIVE_OVERLAY "overlay.yaml"

typedef struct config_live config_live;

/* What the daemon does with a configuration (set with config_live_hooks). */
typedef struct config_live_hooks {
	/* Checks what the table cannot: the readers and the cross-key rules
	 * (a TCP listener needs the three TLS files). 0 or -1 with err naming
	 * the key. Required. */
	int (*check)(void *user, const config_node *root, char *err, size_t errlen);
	/* Applies `root` (checked) over `old`: hot keys at once, the rules
	 * through the rules reload when keys they depend on changed (and on
	 * every reload). Returns 0, or -1 with err when it could not (a rules
	 * file that does not load): it must then have left everything as
	 * `old` says, and the change fails. Called again with the two
	 * swapped to take back a change whose overlay could not be written.
	 * Optional. */
	int (*apply)(void *user, const config_node *old, const config_node *root, char *err, size_t errlen);
	void *user;
} config_live_hooks;

/* Reads `file` (NULL: the defaults only) and the overlay, applies the
 * overrides (borrowed: they must outlive the config_live), and builds the
 * start-up configuration. 0, or -1 with err (*out NULL). */
int config_live_load(config_live **out, const char *file, const char *const *overrides, size_t noverrides,
		     char *err, size_t errlen);
void config_live_free(config_live *l);

/* The start-up configuration: every reader at start-up uses it, and it
 * stays unchanged (and valid) until config_live_free. */
config_doc *config_live_boot(config_live *l);

void config_live_set_hooks(config_live *l, const config_live_hooks *h);
/* Declares a module's keys (borrowed, static storage), as
 * "modules.NAME.KEY". */
int config_live_add_module(config_live *l, const char *name, const fapi_config_key *keys, size_t n);

/* The revision: 1 at start-up, +1 per change that changed a value. */
uint64_t config_live_revision(config_live *l);

/* One key: its path, declaration, and the module that declared it. */
typedef struct config_live_key {
	char path[512];
	const fapi_config_key *key;
	const char *module; /* NULL for the daemon's */
} config_live_key;

/* Visits the keys at `path` ("" all, a key, or a subtree) with the
 * current and the start-up trees, under the lock: fn(user, key, node now
 * (or NULL), node at start-up (or NULL), origin of the current value).
 * Keys inside list items ("grants[].uid") are not visited. Returns the
 * number visited (0: unknown path). *revision (optional) is the revision
 * the visit saw. The nodes are valid during fn only. */
typedef void (*config_live_visit_fn)(void *user, const config_live_key *k, const config_node *now,
				     const config_node *boot, const char *origin);
size_t config_live_visit(config_live *l, const char *path, config_live_visit_fn fn, void *user, uint64_t *revision);

/* Copies the current configuration's subtree at `path` as block YAML
 * (the whole document for ""). NULL when out of memory. */
char *config_live_yaml(config_live *l, const char *path);

/* One change request: values[i] for paths[i] (NULL values: reset, i.e.
 * drop them from the overlay). */
typedef struct config_live_change {
	const char *const *paths;
	const char *const *values; /* NULL for a reset */
	size_t n;
	uint64_t if_revision;      /* 0: any */
	bool validate_only;
} config_live_change;

/* What a change did; free with config_live_outcome_free. */
typedef struct config_live_outcome {
	uint64_t revision;
	char **pending; /* restart-class keys of the change whose value now differs from the running one */
	size_t npending;
	char **paths, **old_values, **new_values; /* per key of the change: flow YAML or NULL */
	size_t nchanged;
	char *key; /* on failure: the key at fault, or NULL */
} config_live_outcome;
void config_live_outcome_free(config_live_outcome *o);

/* Applies a change as the header comment says. Returns FAPI_OK,
 * FAPI_EINVAL (unknown key, bad value, a cross-key rule: err and
 * o->key name it), FAPI_ECONFLICT (stale if_revision), FAPI_EIO (the
 * overlay could not be written), FAPI_ENOMEM. Nothing changes on failure. */
int config_live_change_apply(config_live *l, const config_live_change *c, config_live_outcome *o, char *err,
			     size_t errlen);

/* SIGHUP: reads falco.yaml again and applies it as a change does. Keys of
 * class restart whose value changed are logged as needing a restart. 0,
 * or -1 with err (the running configuration stays). */
int config_live_reload(config_live *l, char *err, size_t errlen);

/* The file falco.yaml was read from (NULL: none) and the overlay's full
 * path (NULL: no configs module); borrowed. */
const char *config_live_file(const config_live *l);
const char *config_live_overlay_path(const config_live *l);

#endif
