#ifndef FAPI_CONFIGS_GUARD_H
#define FAPI_CONFIGS_GUARD_H

/* The guard rails: keys that could lock clients out or open the daemon,
 * grouped (listeners, tls, authorization, socket, audit, modules, programs,
 * files), which the API may change only when the module's allow_guarded
 * names their group or the key; the module's own keys, never; and which
 * values are secrets, shown only as paths. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "configs_module.h"

/* The guard-rail group of `path` (a full key path as config_list reports
 * it), with the key table's flags: a static name, "own" for the configs
 * module's own keys (never settable: they say what is), "guarded" for a key
 * the table flags FAPI_CONFIG_GUARDED outside every named group, or NULL
 * for a key anyone with write permission may change. */
const char *configs_guard_group(const char *path, uint32_t flags);

/* True when the API may change `path` of `group` (configs_guard_group):
 * group NULL, or allow_guarded names the group or the key (or a subtree
 * holding it); never for "own". */
bool configs_guard_allowed(const configs_module *m, const char *path, const char *group);

/* True when changing `path` can change the authorisation policy: the
 * caller's own write permission must then survive the change. */
bool configs_guard_policy(const char *path);

/* True for a secret-looking key: the table's FAPI_CONFIG_SECRET, or a name
 * such as private_key, password, token, secret. */
bool configs_guard_secret(const char *path, uint32_t flags);

/* What may be shown of a value of `path`: the value itself, unless the key
 * is secret-looking and the value is not a path (a file's contents are
 * never read), then "<redacted>". NULL stays NULL. */
const char *configs_guard_shown(const char *path, uint32_t flags, const char *value);

#endif
