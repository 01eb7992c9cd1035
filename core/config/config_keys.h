#ifndef FAPI_CONFIG_KEYS_H_CORE
#define FAPI_CONFIG_KEYS_H_CORE

/* The table of configuration keys (config_keys_table.c) and what is done
 * with a table: the daemon's and each module's (fapi_module.config_keys)
 * are checked the same way. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config_yaml.h"
#include "engine/util/strbuf.h"
#include "fapi/config_keys.h"

extern const fapi_config_key config_keys_daemon[];
extern const size_t config_keys_daemon_count;

/* The daemon's key at `path` ("outputs.rate"; indexes "[2]" are read as
 * "[]"), or NULL. Thread-safe. */
const fapi_config_key *config_keys_find(const char *path);
/* Same in any table (keys[0..n), stepped with FAPI_CONFIG_KEY_AT). */
const fapi_config_key *config_keys_find_in(const fapi_config_key *keys, size_t n, const char *path);

/* Checks one value against its key: type, bounds, enum values. A null or
 * empty scalar counts as absent and passes. `shown` is the key's path in
 * the message: "file:line:column: key 'SHOWN' must be an integer, got 'x'",
 * "file:line:column: SHOWN must be between 1 and 10, got 0". 0 or -1 with
 * err. */
int config_keys_check_value(const fapi_config_key *k, const config_node *v, const char *shown, char *err,
			    size_t errlen);

/* Called once per key the table does not know, with "file:line:column:
 * unknown configuration key 'PATH' (ignored)". */
typedef void (*config_keys_warn_fn)(void *user, const char *message);

/* Walks `root` against keys[0..n): every known key's value is checked
 * (config_keys_check_value; the first wrong one stops the walk: -1 with
 * err), every unknown key is passed to warn. Free-form (TREE) keys are not
 * entered. `prefix` is put before every path in messages ("" for the
 * daemon, "modules[outputs].config" for a module). Returns the number of
 * unknown keys, or -1. */
long config_keys_check(const config_node *root, const fapi_config_key *keys, size_t n, const char *prefix,
		       config_keys_warn_fn warn, void *user, char *err, size_t errlen);

/* Builds the embedded defaults: a map with every daemon key that has a
 * default, at "<default>". *out is the caller's. 0 or -1 with err. */
int config_keys_defaults(config_doc *d, config_node **out, char *err, size_t errlen);

/* Typed reads of a daemon key, its default and bounds from the table: 0
 * and *out, or -1 with "file:line:column: key 'PATH' must be ..." in err
 * (also for a path not in the table: a reader's bug). A string key
 * without a value and without a default gives NULL. */
int config_key_bool(const config_node *root, const char *path, bool *out, char *err, size_t errlen);
int config_key_int(const config_node *root, const char *path, int64_t *out, char *err, size_t errlen);
int config_key_double(const config_node *root, const char *path, double *out, char *err, size_t errlen);
int config_key_string(const config_node *root, const char *path, const char **out, char *err, size_t errlen);

/* Parses a DURATION's text ("250", "250ms", "10s", "5m", "1h") into ms.
 * 0 or -1. */
int config_keys_duration_ms(const char *s, int64_t *out);

/* Names of types and reload classes, as README and the API show them. */
const char *config_keys_type_name(fapi_config_type t);
const char *config_keys_reload_name(fapi_config_reload r);

/* README's Configuration table of the daemon's keys (markdown rows with
 * header), as the test compares it. */
void config_keys_markdown(strbuf *b);

#endif
