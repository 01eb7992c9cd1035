#ifndef FAPI_MODULE_H
#define FAPI_MODULE_H

/* The module ABI. A module is a shared object exporting exactly one data
 * symbol, FAPI_MODULE_SYMBOL, of type fapi_module, best declared with
 * FAPI_MODULE_DEFINE. The host checks, in order: the symbol is present, the
 * magic matches, the ABI major is the host's, the ABI minor is not newer
 * than the host's, the struct is large enough for the required fields, the
 * required callbacks are set, and the name is not taken. */

#include <stddef.h>
#include <stdint.h>

#include "fapi/config_keys.h"
#include "fapi/engine.h"
#include "fapi/host.h"
#include "fapi/rpc.h"
#include "fapi/status.h"

#define FAPI_MODULE_MAGIC 0x46415049u /* "FAPI" */
#define FAPI_ABI_MAJOR 1
#define FAPI_ABI_MINOR 6
#define FAPI_MODULE_SYMBOL fapi_module_v1
#define FAPI_MODULE_SYMBOL_NAME "fapi_module_v1"

typedef struct fapi_module {
	uint32_t magic;     /* FAPI_MODULE_MAGIC */
	uint16_t abi_major; /* FAPI_ABI_MAJOR the module was built with */
	uint16_t abi_minor; /* FAPI_ABI_MINOR the module was built with */
	uint32_t size;      /* sizeof(fapi_module) the module was built with */
	const char *name;        /* unique, [a-z0-9_]+; static storage */
	const char *version;     /* the module's own version; static */
	const char *description; /* one line; static */

	/* Called first, on the main thread. Allocate the module's state into
	 * *state (the host passes it back to every later callback). Keep `host`
	 * and `ctx`: both stay valid until destroy returns. Return FAPI_OK, or
	 * an error with a message in err; on error nothing else is called, so
	 * free what was allocated. Required. */
	int (*init)(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen);
	/* Register RPC handlers with the host's register_* functions. Runs
	 * before the server starts. Required. */
	int (*register_rpcs)(void *state, char *err, size_t errlen);
	/* The server is about to accept calls: start threads, subscriptions.
	 * Optional (NULL). */
	int (*start)(void *state, char *err, size_t errlen);
	/* Stop what start began; called in reverse load order, before the
	 * server drains its calls. Optional. */
	void (*stop)(void *state);
	/* Free the state; called last, in reverse load order, whether or not
	 * start ran. Required. */
	void (*destroy)(void *state);

	/* ---- ABI 1.4 ---- */

	/* The keys of the module's own `config:` subtree (fapi/config_keys.h),
	 * config_key_count of them, in static storage (the array and every
	 * string). Optional (NULL, 0): the subtree is then free-form. When
	 * given, the host checks the module's config before init: a key of the
	 * wrong type, out of range or not among an enum's values stops the
	 * start-up with "LIBRARY: module NAME: modules[NAME].config:
	 * FILE:LINE:COL: key 'KEY' must be ...", an undeclared key is warned
	 * about; and the configuration host functions
	 * list the keys as "modules.NAME.KEY". Elements are read with
	 * FAPI_CONFIG_KEY_AT (stride config_keys[0].size). The host reads these
	 * two members only from modules whose `size` reaches them. */
	const fapi_config_key *config_keys;
	size_t config_key_count;
} fapi_module;

/* The smallest struct size the host accepts: everything up to destroy. */
#define FAPI_MODULE_MIN_SIZE (offsetof(fapi_module, destroy) + sizeof(void (*)(void *)))

#if defined(__GNUC__)
#define FAPI_MODULE_EXPORT __attribute__((visibility("default")))
#else
#define FAPI_MODULE_EXPORT
#endif

/* Defines the module's one exported symbol. Usage:
 *   FAPI_MODULE_DEFINE(.name = "version", .version = "1.0.0", ...,
 *                      .init = my_init, ...);                              */
#define FAPI_MODULE_DEFINE(...)                                                     \
	FAPI_MODULE_EXPORT const fapi_module FAPI_MODULE_SYMBOL = {                 \
		.magic = FAPI_MODULE_MAGIC,                                         \
		.abi_major = FAPI_ABI_MAJOR,                                        \
		.abi_minor = FAPI_ABI_MINOR,                                        \
		.size = sizeof(fapi_module),                                        \
		__VA_ARGS__}

#endif
