#ifndef FAPI_LOADER_H
#define FAPI_LOADER_H

/* Loading API modules with libltdl and running their lifecycle:
 * load+check all, then init -> register_rpcs for each in order, then start
 * each in order; stop and destroy run in reverse. A failure part-way undoes
 * what was done, in reverse. */

#include <stdbool.h>
#include <stddef.h>
#include <ltdl.h>

#include "config/daemon_config.h"
#include "fapi/module.h"
#include "http/http_routes.h"
#include "server/service_table.h"

struct fapi_module_ctx {
	const char *name;          /* the module's name (from its descriptor) */
	uint16_t abi_minor;        /* the ABI minor it was built for: which descriptor fields it has */
	const config_node *config; /* its config subtree or NULL; owned by the config doc */
	service_table *table;      /* where register_* adds methods */
	bool registering;          /* register_* allowed only while true */
	struct module_set *set;
};

typedef struct loaded_module {
	lt_dlhandle handle;
	const fapi_module *desc;   /* inside the loaded object */
	char *path;                /* the file it came from; owned */
	struct fapi_module_ctx ctx;
	void *state;               /* the module's, from init */
	bool inited, started;
} loaded_module;

typedef struct module_set {
	loaded_module *mods; /* owned, in load order */
	size_t count;
	service_table *table;
	bool ltdl_ready;
	struct bus *bus;                /* the engine's alert bus, or NULL; borrowed */
	const config_node *config_root; /* the whole configuration; borrowed */
	struct reflection *reflection;  /* where register_descriptors adds, or NULL; borrowed */
	struct rules_ctl *rules;        /* the rules operations' target, or NULL (no engine); borrowed */
	struct config_live *live;       /* the configuration host functions' target, or NULL; borrowed */
	const struct engine *engine;    /* the engine (loss reports), or NULL; borrowed */
	struct loss_inputs *loss_inputs; /* the registered input queues, or NULL; borrowed */
	http_routes http;                /* the HTTP routes and metrics collectors modules registered; owned */
	struct engine_input *input;     /* the input queue (fapi/input.h), or NULL (no engine); borrowed */
} module_set;

/* Checks a module descriptor found in `file`, in the documented order:
 * magic, ABI major, ABI minor, struct size, required callbacks, name. (The
 * symbol's presence and name uniqueness are checked by the caller.) Returns
 * 0, or -1 with "FILE: reason" in err. */
int loader_check(const fapi_module *m, const char *file, char *err, size_t errlen);

/* Opens `file` (a path, with or without .so, or a bare name searched in
 * the search dirs), finds the symbol and checks it. On success fills the
 * module's handle, desc and path. */
int loader_open(loaded_module *lm, const char *file, char *err, size_t errlen);

/* Loads and checks every module of the configuration (load_modules order),
 * searching library files in `search_dirs` then module_paths. Names must be
 * unique. Returns 0 or -1 with err; on failure nothing stays loaded. */
int loader_load_all(module_set *set, service_table *table, const daemon_config *c, const char *const *search_dirs,
		    size_t ndirs, char *err, size_t errlen);

/* init + register_rpcs for every module, in order. On failure, destroys the
 * modules already initialised, in reverse, and returns -1 with err. */
int loader_init_all(module_set *set, char *err, size_t errlen);
/* start for every module, in order; on failure stops the started ones in
 * reverse and returns -1 with err. */
int loader_start_all(module_set *set, char *err, size_t errlen);
/* stop in reverse order (modules that started). */
void loader_stop_all(module_set *set);
/* destroy in reverse order (modules that initialised), unload, free. */
void loader_unload_all(module_set *set);

/* The keys a module declares (fapi_module.config_keys, ABI 1.4), or NULL
 * with *n = 0 when it declares none or was built before 1.4. */
const fapi_config_key *loader_module_keys(const fapi_module *m, size_t *n);

/* The host function table handed to every module. */
const fapi_host *loader_host_table(void);

#endif
