/* The configs module: the daemon's configuration over gRPC, through the
 * host's one table of configuration keys.
 *   /falco.api.unary/configs_list   every key (daemon and modules), typed, with origin and reload class;
 *   /falco.api.unary/configs_get    one key or a subtree, typed and as YAML text;
 *   /falco.api.unary/configs_set    keys to new values, validated, all or none (write);
 *   /falco.api.unary/configs_reset  keys back to falco.yaml, -o and the defaults (write).
 * The host keeps what the API sets in the overlay (config.state_dir); the
 * module adds the guard rails (configs_guard.h) and the audit summaries. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configs.pb-c.h"
#include "configs_audit.h"
#include "configs_list.h"
#include "configs_module.h"
#include "configs_write.h"

static int configs_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen);
static int configs_register(void *state, char *err, size_t errlen);
static void configs_destroy(void *state);

#define CONFIGS_DEFAULT_MAX_CHANGES 256
#define CONFIGS_STR(x) #x
#define CONFIGS_XSTR(x) CONFIGS_STR(x)

static const char *const configs_groups[] = {"listeners", "tls",	"authorization", "socket", "audit",
					     "modules",	  "programs", "files",	       "guarded",  NULL};

/* The module's own keys ("modules.configs.KEY"). state_dir is read by the
 * host, which keeps the overlay; none is settable through the API. */
static const fapi_config_key configs_keys[] = {
	FAPI_CONFIG_KEY_INIT(.path = "state_dir", .type = FAPI_CONFIG_STRING, .def = "/var/lib/falco-apid/configs",
			     .description = "directory of the overlay file (overlay.yaml) that keeps values set "
					    "through the API, read after falco.yaml and before -o at every start",
			     .reload = FAPI_CONFIG_RESTART),
	FAPI_CONFIG_KEY_INIT(.path = "allow_guarded", .type = FAPI_CONFIG_STRINGS, .def = "[]",
			     .description = "guard-rail groups (listeners, tls, authorization, socket, audit, "
					    "modules, programs, files, guarded) or key paths configs_set and "
					    "configs_reset may change",
			     .reload = FAPI_CONFIG_RESTART),
	FAPI_CONFIG_KEY_INIT(.path = "max_changes", .type = FAPI_CONFIG_INT,
			     .def = CONFIGS_XSTR(CONFIGS_DEFAULT_MAX_CHANGES), .min = 1, .max = 65536,
			     .description = "keys of one configs_set or configs_reset call",
			     .reload = FAPI_CONFIG_RESTART),
};

FAPI_MODULE_DEFINE(.name = "configs", .version = "1.0.0",
		   .description = "the configuration: list, get, set and reset keys, validated, hot where possible",
		   .init = configs_init, .register_rpcs = configs_register, .destroy = configs_destroy,
		   .config_keys = configs_keys, .config_key_count = sizeof(configs_keys) / sizeof(configs_keys[0]));

/* allow_guarded: a string or a list of strings, each a group or a key. */
static int configs_read_allow(configs_module *m, char *err, size_t errlen)
{
	const fapi_config *cfg = m->host->config(m->ctx);
	const fapi_config *list = cfg ? m->host->config_get(cfg, "allow_guarded") : NULL;
	if (!list)
		return FAPI_OK;
	size_t n = m->host->config_count(list);
	const char *one;
	if (n == 0) {
		if (m->host->config_string(cfg, "allow_guarded", "", &one, err, errlen) != FAPI_OK)
			return FAPI_EINVAL;
		if (!*one)
			return FAPI_OK;
	}
	if (!(m->allow = calloc(n ? n : 1, sizeof(*m->allow)))) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	for (size_t i = 0; i < (n ? n : 1); i++) {
		char path[32];
		snprintf(path, sizeof(path), "[%zu]", i);
		const char *s = one;
		if (n && m->host->config_string(list, path, "", &s, err, errlen) != FAPI_OK)
			return FAPI_EINVAL;
		if (!*s) {
			snprintf(err, errlen, "allow_guarded[%zu] must be a group or a key path", i);
			return FAPI_EINVAL;
		}
		m->allow[m->nallow++] = s;
		if (strchr(s, '.'))
			continue;
		bool group = false;
		for (size_t g = 0; configs_groups[g]; g++)
			group |= strcmp(configs_groups[g], s) == 0;
		if (!group)
			m->host->log(m->ctx, FAPI_LOG_WARNING,
				     "allow_guarded: '%s' is no guard-rail group, taken as a key path", s);
	}
	return FAPI_OK;
}

static int configs_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	if (!FAPI_HOST_HAS(host, config_revision)) {
		snprintf(err, errlen, "needs a host with the configuration functions of module ABI 1.4");
		return FAPI_EUNSUPPORTED;
	}
	configs_module *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	m->ctx = ctx;
	m->host = host;
	int64_t max = CONFIGS_DEFAULT_MAX_CHANGES;
	int rc = host->config_int(host->config(ctx), "max_changes", CONFIGS_DEFAULT_MAX_CHANGES, &max, err, errlen);
	if (rc == FAPI_ENOTFOUND)
		rc = FAPI_OK;
	if (rc == FAPI_OK && (max < 1 || max > 65536)) {
		snprintf(err, errlen, "max_changes must be between 1 and 65536");
		rc = FAPI_EINVAL;
	}
	m->max_changes = (size_t)max;
	if (rc == FAPI_OK)
		rc = configs_read_allow(m, err, errlen);
	if (rc != FAPI_OK) {
		free(m->allow);
		free(m);
		return rc;
	}
	for (size_t i = 0; i < m->nallow; i++)
		host->log(ctx, FAPI_LOG_WARNING, "guard rail lifted: configs_set may change '%s'", m->allow[i]);
	*state = m;
	return FAPI_OK;
}

static int configs_register(void *state, char *err, size_t errlen)
{
	configs_module *m = state;
	/* Designated, so that a member added to fapi_unary_method later stays
	 * zero here; .user is the module state, hence not static. */
	const fapi_unary_method methods[] = {
		{.size = sizeof(fapi_unary_method), .path = CONFIGS_PATH_LIST, .permission = "configs.list",
		 .request_type = &falco__configs__list_request__descriptor,
		 .response_type = &falco__configs__list_response__descriptor, .handler = configs_list_handle,
		 .method_class = FAPI_METHOD_READ, .user = m},
		{.size = sizeof(fapi_unary_method), .path = CONFIGS_PATH_GET, .permission = "configs.get",
		 .request_type = &falco__configs__get_request__descriptor,
		 .response_type = &falco__configs__get_response__descriptor, .handler = configs_get_handle,
		 .method_class = FAPI_METHOD_READ, .user = m},
		{.size = sizeof(fapi_unary_method), .path = CONFIGS_PATH_SET, .permission = CONFIGS_PERM_SET,
		 .request_type = &falco__configs__set_request__descriptor,
		 .response_type = &falco__configs__set_response__descriptor, .handler = configs_set_handle,
		 .method_class = FAPI_METHOD_WRITE, .audit_summary = configs_audit_summary, .user = m},
		{.size = sizeof(fapi_unary_method), .path = CONFIGS_PATH_RESET,
		 .permission = CONFIGS_PERM_RESET, .request_type = &falco__configs__reset_request__descriptor,
		 .response_type = &falco__configs__reset_response__descriptor, .handler = configs_reset_handle,
		 .method_class = FAPI_METHOD_WRITE, .audit_summary = configs_audit_summary, .user = m},
	};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		int rc = m->host->register_unary(m->ctx, &methods[i], err, errlen);
		if (rc != FAPI_OK)
			return rc;
	}
	return FAPI_OK;
}

static void configs_destroy(void *state)
{
	configs_module *m = state;
	free(m->allow);
	free(m);
}
