#ifndef FAPI_DAEMON_JSON_SOURCES_CONFIG_H
#define FAPI_DAEMON_JSON_SOURCES_CONFIG_H

/* The declared JSON sources (engine/backends/json/json_source.h), read by
 * the core from the inputs module's configuration at start-up, because the
 * rules that use them are compiled before any module is loaded:
 *
 *   modules:
 *     - name: inputs
 *       config:
 *         sources:
 *           - name: myapp
 *             time_pointer: /ts        # optional: arrival time when absent
 *             fields:
 *               - {name: myapp.user, pointer: /user/name, type: string, description: the user}
 *
 * Only when load_modules names inputs. */

#include <stddef.h>

#include "config/daemon_config.h"
#include "engine/backends/json/json_source.h"

typedef struct json_sources_config {
	json_source_def *defs; /* owned array; strings borrowed from the configuration tree */
	size_t n;
	json_source_field *fields; /* owned: every source's fields, defs[i].fields point into it */
} json_sources_config;

/* Reads and checks the sources (json_source_check). 0, or -1 with
 * "file:line:column: ..." in err. */
int json_sources_config_read(const daemon_config *cfg, json_sources_config *out, char *err, size_t errlen);
void json_sources_config_free(json_sources_config *c);

#endif
