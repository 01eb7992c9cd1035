#include "modules/loader.h"
#include "modules/host_legacy.h"

#include "config/config_keys.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"

static const char *const loader_required[] = {"init", "register_rpcs", "destroy"};

int loader_check(const fapi_module *m, const char *file, char *err, size_t errlen)
{
	if (m->magic != FAPI_MODULE_MAGIC) {
		snprintf(err, errlen, "%s: bad magic 0x%08x in %s (not a falco-apid module)", file, m->magic,
			 FAPI_MODULE_SYMBOL_NAME);
		return -1;
	}
	if (m->abi_major != FAPI_ABI_MAJOR) {
		snprintf(err, errlen, "%s: built for module ABI %u.%u, this falco-apid speaks %d.%d (major differs)",
			 file, m->abi_major, m->abi_minor, FAPI_ABI_MAJOR, FAPI_ABI_MINOR);
		return -1;
	}
	if (m->abi_minor > FAPI_ABI_MINOR) {
		snprintf(err, errlen, "%s: built for module ABI %u.%u, newer than this falco-apid's %d.%d: upgrade falco-apid",
			 file, m->abi_major, m->abi_minor, FAPI_ABI_MAJOR, FAPI_ABI_MINOR);
		return -1;
	}
	if (m->size < FAPI_MODULE_MIN_SIZE) {
		snprintf(err, errlen, "%s: module descriptor is %u bytes, at least %zu are required", file, m->size,
			 (size_t)FAPI_MODULE_MIN_SIZE);
		return -1;
	}
	const void *cbs[] = {(const void *)m->init, (const void *)m->register_rpcs, (const void *)m->destroy};
	for (size_t i = 0; i < sizeof(cbs) / sizeof(cbs[0]); i++) {
		if (!cbs[i]) {
			snprintf(err, errlen, "%s: required callback '%s' is missing", file, loader_required[i]);
			return -1;
		}
	}
	if (!m->name || !*m->name) {
		snprintf(err, errlen, "%s: module has no name", file);
		return -1;
	}
	for (const char *p = m->name; *p; p++) {
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_') {
			snprintf(err, errlen, "%s: module name '%s' must be [a-z0-9_]+", file, m->name);
			return -1;
		}
	}
	return 0;
}

int loader_open(loaded_module *lm, const char *file, char *err, size_t errlen)
{
	memset(lm, 0, sizeof(*lm));
	lt_dlhandle h = lt_dlopenext(file);
	if (!h) {
		const char *why = lt_dlerror();
		snprintf(err, errlen, "%s: cannot load: %s", file, why ? why : "unknown error");
		return -1;
	}
	const lt_dlinfo *info = lt_dlgetinfo(h);
	const char *path = info && info->filename ? info->filename : file;
	const fapi_module *m = lt_dlsym(h, FAPI_MODULE_SYMBOL_NAME);
	if (!m) {
		snprintf(err, errlen, "%s: symbol %s not found (not a falco-apid module?)", path, FAPI_MODULE_SYMBOL_NAME);
		lt_dlclose(h);
		return -1;
	}
	if (loader_check(m, path, err, errlen) < 0 || !(lm->path = strdup(path))) {
		if (!lm->path && !err[0])
			snprintf(err, errlen, "out of memory");
		lt_dlclose(h);
		return -1;
	}
	lm->handle = h;
	lm->desc = m;
	return 0;
}

int loader_load_all(module_set *set, service_table *table, const daemon_config *c, const char *const *search_dirs,
		    size_t ndirs, char *err, size_t errlen)
{
	memset(set, 0, sizeof(*set));
	set->table = table;
	err[0] = '\0';
	if (lt_dlinit() != 0) {
		snprintf(err, errlen, "libltdl: %s", lt_dlerror());
		return -1;
	}
	set->ltdl_ready = true;
	for (size_t i = 0; i < c->nmodule_paths; i++)
		lt_dladdsearchdir(c->module_paths[i]);
	for (size_t i = 0; i < ndirs; i++)
		lt_dladdsearchdir(search_dirs[i]);
	set->mods = calloc(c->nmodules ? c->nmodules : 1, sizeof(*set->mods));
	if (!set->mods) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < c->nmodules; i++) {
		const daemon_module_entry *e = &c->modules[i];
		char file[512];
		if (e->library_path)
			snprintf(file, sizeof(file), "%s", e->library_path);
		else
			snprintf(file, sizeof(file), "fapi-%s", e->name);
		loaded_module *lm = &set->mods[set->count];
		if (loader_open(lm, file, err, errlen) < 0) {
			if (!e->library_path) {
				size_t n = strlen(err);
				snprintf(err + n, errlen - n, " (module '%s' searched as %s.so in module_paths and the default module directory)",
					 e->name, file);
			}
			goto fail;
		}
		set->count++;
		if (strcmp(lm->desc->name, e->name) != 0) {
			snprintf(err, errlen, "%s: declares the name '%s' but was loaded as '%s'", lm->path, lm->desc->name,
				 e->name);
			goto fail;
		}
		for (size_t j = 0; j + 1 < set->count; j++) {
			if (strcmp(set->mods[j].desc->name, lm->desc->name) == 0) {
				snprintf(err, errlen, "%s: a module named '%s' is already loaded from %s", lm->path,
					 lm->desc->name, set->mods[j].path);
				goto fail;
			}
		}
		lm->ctx.name = lm->desc->name;
		lm->ctx.abi_minor = lm->desc->abi_minor;
		lm->ctx.config = e->config;
		lm->ctx.table = table;
		lm->ctx.set = set;
	}
	return 0;
fail:
	loader_unload_all(set);
	return -1;
}

const fapi_config_key *loader_module_keys(const fapi_module *m, size_t *n)
{
	*n = 0;
	if (m->size < offsetof(fapi_module, config_key_count) + sizeof(m->config_key_count) || !m->config_keys ||
	    !m->config_key_count || m->config_keys[0].size < offsetof(fapi_config_key, flags) + sizeof(uint32_t))
		return NULL;
	*n = m->config_key_count;
	return m->config_keys;
}

static void loader_warn_key(void *user, const char *message)
{
	const char *name = user;
	log_msg(FAPI_LOG_WARNING, "modules", "module %s: modules[%s].config: %s", name, name, message);
}

/* Each module's `config:` against the keys it declares, before any init:
 * a wrong value stops the start-up naming the module and the key. */
static int loader_check_configs(module_set *set, char *err, size_t errlen)
{
	for (size_t i = 0; i < set->count; i++) {
		loaded_module *lm = &set->mods[i];
		size_t n;
		const fapi_config_key *keys = loader_module_keys(lm->desc, &n);
		if (!keys)
			continue;
		char kerr[1024];
		if (config_keys_check(lm->ctx.config, keys, n, "", loader_warn_key, (void *)lm->desc->name, kerr,
				      sizeof(kerr)) < 0) {
			snprintf(err, errlen, "%s: module %s: modules[%s].config: %s", lm->path, lm->desc->name,
				 lm->desc->name, kerr);
			return -1;
		}
	}
	return 0;
}

int loader_init_all(module_set *set, char *err, size_t errlen)
{
	if (loader_check_configs(set, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < set->count; i++) {
		loaded_module *lm = &set->mods[i];
		char merr[FAPI_ERRBUF_SIZE] = "";
		if (lm->desc->init(&lm->ctx, lm->ctx.abi_minor < 4 ? host_legacy_table() : loader_host_table(), &lm->state, merr, sizeof(merr)) != FAPI_OK) {
			snprintf(err, errlen, "%s: init failed: %s", lm->path, merr[0] ? merr : "no reason given");
			goto fail;
		}
		lm->inited = true;
		lm->ctx.registering = true;
		int rc = lm->desc->register_rpcs(lm->state, merr, sizeof(merr));
		lm->ctx.registering = false;
		if (rc != FAPI_OK) {
			snprintf(err, errlen, "%s: register_rpcs failed: %s", lm->path, merr[0] ? merr : "no reason given");
			goto fail;
		}
	}
	return 0;
fail:
	for (size_t i = set->count; i-- > 0;) {
		loaded_module *lm = &set->mods[i];
		if (lm->inited)
			lm->desc->destroy(lm->state);
		lm->inited = false;
	}
	return -1;
}

int loader_start_all(module_set *set, char *err, size_t errlen)
{
	for (size_t i = 0; i < set->count; i++) {
		loaded_module *lm = &set->mods[i];
		char merr[FAPI_ERRBUF_SIZE] = "";
		if (lm->desc->start && lm->desc->start(lm->state, merr, sizeof(merr)) != FAPI_OK) {
			snprintf(err, errlen, "%s: start failed: %s", lm->path, merr[0] ? merr : "no reason given");
			loader_stop_all(set);
			return -1;
		}
		lm->started = true;
	}
	return 0;
}

void loader_stop_all(module_set *set)
{
	for (size_t i = set->count; i-- > 0;) {
		loaded_module *lm = &set->mods[i];
		if (lm->started && lm->desc->stop)
			lm->desc->stop(lm->state);
		lm->started = false;
	}
}

void loader_unload_all(module_set *set)
{
	loader_stop_all(set);
	for (size_t i = set->count; i-- > 0;) {
		loaded_module *lm = &set->mods[i];
		if (lm->inited)
			lm->desc->destroy(lm->state);
		lm->inited = false;
	}
	for (size_t i = set->count; i-- > 0;) {
		lt_dlclose(set->mods[i].handle);
		free(set->mods[i].path);
	}
	free(set->mods);
	if (set->ltdl_ready)
		lt_dlexit();
	http_routes_free(&set->http);
	memset(set, 0, sizeof(*set));
}
