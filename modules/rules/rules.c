/* The rules module: the running set of rules files through the API, each
 * change validated with the whole set, swapped in between two events and
 * durable before the reply.
 *   /falco.api.unary/rules_list      read   the rules, files, toggles, revision
 *   /falco.api.unary/rules_get       read   one file's content
 *   /falco.api.unary/rules_validate  read   the set some files would make; changes nothing
 *   /falco.api.unary/rules_put       write  (rules.put) create or replace API files
 *   /falco.api.unary/rules_delete    write  (rules.delete) remove API files
 *   /falco.api.unary/rules_enable    write  (rules.enable) enable or disable rules by name or tag
 *   /falco.api.unary/rules_reload    write  (rules.reload) re-read the config files, as SIGHUP */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/fapi.h"
#include "rules.pb-c.h"
#include "rules_module.h"

static int rules_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen);
static int rules_register(void *state, char *err, size_t errlen);
static int rules_start(void *state, char *err, size_t errlen);
static void rules_destroy(void *state);

FAPI_MODULE_DEFINE(.name = "rules", .version = "1.0.0",
		   .description = "rules files through the API: list, get, validate, put, delete, enable, reload",
		   .init = rules_init, .register_rpcs = rules_register, .start = rules_start, .destroy = rules_destroy);

#define RULES_DEFAULT_STATE_DIR "/var/lib/falco-apid/rules"
#define RULES_DEFAULT_MAX_FILE_BYTES (4 << 20)
#define RULES_DEFAULT_MAX_FILES 256
#define RULES_DEFAULT_MAX_REQUEST_FILES 64

rules_snapshot *rules_module_acquire(rules_module *m)
{
	pthread_mutex_lock(&m->cur_mu);
	rules_snapshot *s = m->cur;
	atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&m->cur_mu);
	return s;
}

void rules_module_release(rules_snapshot *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		rules_state_free(&s->state);
		free(s);
	}
}

void rules_module_publish(rules_module *m, rules_snapshot *s)
{
	pthread_mutex_lock(&m->cur_mu);
	rules_snapshot *old = m->cur;
	m->cur = s;
	pthread_mutex_unlock(&m->cur_mu);
	rules_module_release(old);
}

static int rules_config_size(rules_module *m, const char *key, int64_t def, int64_t max, size_t *out, char *err,
			     size_t errlen)
{
	int64_t v;
	if (m->host->config_int(m->host->config(m->ctx), key, def, &v, err, errlen) == FAPI_EINVAL)
		return FAPI_EINVAL;
	if (v < 1 || v > max) {
		snprintf(err, errlen, "%s must be between 1 and %lld", key, (long long)max);
		return FAPI_EINVAL;
	}
	*out = (size_t)v;
	return FAPI_OK;
}

static int rules_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	if (!FAPI_HOST_HAS(host, rules_diags_free) || !host->rules_apply || !host->rules_list) {
		snprintf(err, errlen, "needs a host with the module ABI 1.4 rules operations");
		return FAPI_EUNSUPPORTED;
	}
	rules_module *m = calloc(1, sizeof(*m));
	rules_snapshot *s = calloc(1, sizeof(*s));
	if (!m || !s) {
		free(m);
		free(s);
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	m->ctx = ctx;
	m->host = host;
	atomic_init(&s->refs, 1);
	s->state.revision = 1;
	m->cur = s;
	pthread_mutex_init(&m->write_mu, NULL);
	pthread_mutex_init(&m->cur_mu, NULL);
	*state = m;
	const fapi_config *c = host->config(ctx);
	const char *dir = RULES_DEFAULT_STATE_DIR;
	int rc = host->config_string(c, "state_dir", RULES_DEFAULT_STATE_DIR, &dir, err, errlen);
	if (rc != FAPI_EINVAL) {
		rc = FAPI_OK;
		if (!dir[0]) {
			snprintf(err, errlen, "state_dir must not be empty");
			rc = FAPI_EINVAL;
		} else if (!(m->state_dir = strdup(dir))) {
			snprintf(err, errlen, "out of memory");
			rc = FAPI_ENOMEM;
		}
	}
	if (rc == FAPI_OK &&
	    host->config_bool(c, "start_without_api_files", false, &m->start_without_api_files, err, errlen) ==
		    FAPI_EINVAL)
		rc = FAPI_EINVAL;
	if (rc == FAPI_OK)
		rc = rules_config_size(m, "max_file_bytes", RULES_DEFAULT_MAX_FILE_BYTES, 1 << 30, &m->max_file_bytes,
				       err, errlen);
	if (rc == FAPI_OK)
		rc = rules_config_size(m, "max_files", RULES_DEFAULT_MAX_FILES, 100000, &m->max_files, err, errlen);
	if (rc == FAPI_OK)
		rc = rules_config_size(m, "max_request_files", RULES_DEFAULT_MAX_REQUEST_FILES, 100000,
				       &m->max_request_files, err, errlen);
	int64_t cfb = 0;
	if (rc == FAPI_OK && host->config_int(host->config_root(ctx), "engine.limits.rules_file_bytes", 16 << 20, &cfb,
					      err, errlen) == FAPI_EINVAL)
		rc = FAPI_EINVAL;
	m->config_file_bytes = cfb > 0 ? (size_t)cfb : 16u << 20;
	m->store = (rules_store){.host = host, .ctx = ctx, .dir = m->state_dir};
	if (rc != FAPI_OK) {
		rules_destroy(m);
		*state = NULL;
	}
	return rc;
}

static int rules_register(void *state, char *err, size_t errlen)
{
	rules_module *m = state;
	/* Designated, so that a member added to fapi_unary_method later stays
	 * zero here; .user is the module state, hence not static. */
	const fapi_unary_method methods[] = {
		{.size = sizeof(fapi_unary_method), .path = "/falco.api.unary/rules_list",
		 .request_type = &falco__rules__list_request__descriptor,
		 .response_type = &falco__rules__list_response__descriptor, .handler = rules_list_handler,
		 .method_class = FAPI_METHOD_READ, .permission = "rules.list", .user = m},
		{.size = sizeof(fapi_unary_method), .path = "/falco.api.unary/rules_get",
		 .request_type = &falco__rules__get_request__descriptor,
		 .response_type = &falco__rules__get_response__descriptor, .handler = rules_get_handler,
		 .method_class = FAPI_METHOD_READ, .permission = "rules.get", .user = m},
		{.size = sizeof(fapi_unary_method), .path = "/falco.api.unary/rules_validate",
		 .request_type = &falco__rules__validate_request__descriptor,
		 .response_type = &falco__rules__validate_response__descriptor,
		 .handler = rules_validate_handler, .method_class = FAPI_METHOD_READ,
		 .permission = "rules.validate", .user = m},
		{.size = sizeof(fapi_unary_method), .path = "/falco.api.unary/rules_put",
		 .request_type = &falco__rules__put_request__descriptor,
		 .response_type = &falco__rules__write_response__descriptor, .handler = rules_put_handler,
		 .method_class = FAPI_METHOD_WRITE, .permission = "rules.put", .audit_summary = rules_audit_put,
		 .user = m},
		{.size = sizeof(fapi_unary_method), .path = "/falco.api.unary/rules_delete",
		 .request_type = &falco__rules__delete_request__descriptor,
		 .response_type = &falco__rules__write_response__descriptor, .handler = rules_delete_handler,
		 .method_class = FAPI_METHOD_WRITE, .permission = "rules.delete",
		 .audit_summary = rules_audit_delete, .user = m},
		{.size = sizeof(fapi_unary_method), .path = "/falco.api.unary/rules_enable",
		 .request_type = &falco__rules__enable_request__descriptor,
		 .response_type = &falco__rules__write_response__descriptor, .handler = rules_enable_handler,
		 .method_class = FAPI_METHOD_WRITE, .permission = "rules.enable",
		 .audit_summary = rules_audit_enable, .user = m},
		{.size = sizeof(fapi_unary_method), .path = "/falco.api.unary/rules_reload",
		 .request_type = &falco__rules__reload_request__descriptor,
		 .response_type = &falco__rules__write_response__descriptor, .handler = rules_reload_handler,
		 .method_class = FAPI_METHOD_WRITE, .permission = "rules.reload",
		 .audit_summary = rules_audit_reload, .user = m},
	};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		int rc = m->host->register_unary(m->ctx, &methods[i], err, errlen);
		if (rc != FAPI_OK)
			return rc;
	}
	return FAPI_OK;
}

/* Loads the persisted state and applies it with the config files; the
 * daemon does not start when that fails, unless start_without_api_files. */
static int rules_start(void *state, char *err, size_t errlen)
{
	rules_module *m = state;
	int rc = rules_store_prepare(&m->store, err, errlen);
	if (rc != FAPI_OK)
		return rc;
	rules_snapshot *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	atomic_init(&s->refs, 1);
	bool found = false;
	char why[FAPI_ERRBUF_SIZE];
	rc = rules_store_load(&m->store, &s->state, &found, why, sizeof(why));
	if (rc != FAPI_OK) {
		if (!m->start_without_api_files) {
			snprintf(err, errlen, "%s (start_without_api_files: true starts without them)", why);
			free(s);
			return rc;
		}
		m->host->log(m->ctx, FAPI_LOG_WARNING,
			     "%s: starting without the API rules files (start_without_api_files); the next write "
			     "replaces the unreadable state",
			     why);
		s->state.revision = 1;
		rules_module_publish(m, s);
		return FAPI_OK;
	}
	rules_store_sweep(&m->store, &s->state);
	fapi_rules_diags *d = NULL;
	rc = found ? rules_set_run(m, &s->state, true, &d, why, sizeof(why)) : FAPI_OK;
	if (rc == FAPI_EINVAL && d) {
		rules_diag_message(d, why, sizeof(why));
		m->host->rules_diags_free(d);
		d = NULL;
	}
	if (rc != FAPI_OK) {
		if (!m->start_without_api_files) {
			snprintf(err, errlen,
				 "the persisted API rules files of %s do not load (start_without_api_files: true starts "
				 "without them): %s",
				 m->state_dir, why);
			rules_state_free(&s->state);
			free(s);
			return rc;
		}
		m->host->log(m->ctx, FAPI_LOG_WARNING,
			     "the persisted API rules files of %s do not load: %s; starting without them "
			     "(start_without_api_files) until a write makes a set that loads",
			     m->state_dir, why);
		m->degraded = true;
	} else if (d) {
		for (size_t i = 0; i < d->n; i++) {
			char line[FAPI_ERRBUF_SIZE];
			rules_diag_line(d->items[i], line, sizeof(line));
			m->host->log(m->ctx, FAPI_LOG_WARNING, "%s", line);
		}
	}
	if (d)
		m->host->rules_diags_free(d);
	m->host->log(m->ctx, FAPI_LOG_INFO, "%zu API rules file(s), %zu toggle(s), revision %llu, from %s",
		     s->state.nfiles, s->state.ntoggles, (unsigned long long)s->state.revision, m->state_dir);
	rules_module_publish(m, s);
	return FAPI_OK;
}

static void rules_destroy(void *state)
{
	rules_module *m = state;
	if (!m)
		return;
	rules_module_release(m->cur);
	pthread_mutex_destroy(&m->write_mu);
	pthread_mutex_destroy(&m->cur_mu);
	free(m->state_dir);
	free(m);
}
