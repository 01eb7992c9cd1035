#ifndef FAPI_CONFIGS_MODULE_H
#define FAPI_CONFIGS_MODULE_H

/* The configs module's state, shared by its files. */

#include <stddef.h>

#include "fapi/fapi.h"

/* The methods, as registered and as the guard rails' authorisation check
 * names them. */
#define CONFIGS_PATH_LIST "/falco.api.unary/configs_list"
#define CONFIGS_PATH_GET "/falco.api.unary/configs_get"
#define CONFIGS_PATH_SET "/falco.api.unary/configs_set"
#define CONFIGS_PATH_RESET "/falco.api.unary/configs_reset"
#define CONFIGS_PERM_SET "configs.set"
#define CONFIGS_PERM_RESET "configs.reset"

typedef struct configs_module {
	fapi_module_ctx *ctx;
	const fapi_host *host;
	/* allow_guarded: guard-rail groups ("tls") or key paths the API may
	 * change; the strings are the host's config, valid until destroy. */
	const char **allow;
	size_t nallow;
	size_t max_changes; /* assignments or keys of one set or reset */
} configs_module;

#endif
