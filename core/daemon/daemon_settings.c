#include "daemon/daemon_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_policy.h"
#include "channels/channels_config.h"
#include "config/config_emit.h"
#include "config/config_keys.h"
#include "config/daemon_config.h"
#include "daemon/engine_config.h"
#include "engine/rules/rules_files.h"
#include "log/log.h"
#include "server/listeners.h"

static int daemon_settings_check(void *user, const config_node *root, char *err, size_t errlen)
{
	daemon_settings *s = user;
	daemon_config cfg;
	engine_config ec;
	channels_config chc;
	authz_policy pol;
	int rc = -1;
	if (daemon_config_read(root, &cfg, err, errlen) < 0)
		return -1;
	if (engine_config_read(root, s->args, &ec, err, errlen) == 0) {
		if (channels_config_read(root, &chc, err, errlen) == 0 && authz_policy_read(root, &pol, err, errlen) == 0) {
			rc = listeners_check_config(&cfg, err, errlen);
			authz_policy_free(&pol);
		}
		engine_config_free(&ec);
	}
	daemon_config_free(&cfg);
	return rc;
}

static bool daemon_settings_same(const config_node *a, const config_node *b, const char *path)
{
	const config_node *x = a ? config_lookup(a, path) : NULL, *y = config_lookup(b, path);
	if (!x || !y)
		return x == y;
	strbuf p = STRBUF_INIT, q = STRBUF_INIT;
	config_emit_flow(&p, x);
	config_emit_flow(&q, y);
	char *ps = strbuf_finish(&p), *qs = strbuf_finish(&q);
	bool same = ps && qs && strcmp(ps, qs) == 0;
	free(ps);
	free(qs);
	return same;
}

static void daemon_settings_log_level(const daemon_settings *s, const config_node *root)
{
	const char *name = NULL;
	char err[256];
	fapi_log_level lvl;
	if (s->args->verbose || config_key_string(root, "log_level", &name, err, sizeof(err)) < 0 || !name ||
	    log_parse_level(name, &lvl) < 0)
		return;
	log_set_level(lvl);
}

static void daemon_settings_log_diags(const engine_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		log_msg(d->items[i].error ? FAPI_LOG_ERROR : FAPI_LOG_WARNING, "engine", "%s", d->items[i].message);
}

static int daemon_settings_apply(void *user, const config_node *old, const config_node *root, char *err,
				 size_t errlen)
{
	daemon_settings *s = user;
	daemon_settings_log_level(s, root);
	if (!s->eng)
		return 0;
	engine_opts o = {0};
	engine_config ec;
	if (engine_config_settings(root, &o, err, errlen) < 0)
		return -1;
	engine_settings was, now = {
		.json_output = o.json_output,
		.json_include_output = o.json_include_output,
		.json_include_tags = o.json_include_tags,
		.rate = o.rate,
		.max_burst = o.max_burst,
		.min_priority = o.min_priority,
		.limits = o.limits,
	};
	engine_get_settings(s->eng, &was);
	bool paths = !s->args->nrules && !daemon_settings_same(old, root, "rules_file");
	bool rules = s->reloading || paths || was.min_priority != now.min_priority ||
		     memcmp(&was.limits, &now.limits, sizeof(was.limits)) != 0;
	if (engine_set_settings(s->eng, &now) < 0) {
		snprintf(err, errlen, "the engine settings cannot change from the engine thread");
		return -1;
	}
	if (!rules || !s->rules)
		return 0;
	if (engine_config_read(root, s->args, &ec, err, errlen) < 0) {
		engine_set_settings(s->eng, &was);
		return -1;
	}
	uint64_t gen = 0;
	engine_diags d;
	int rc = rules_ctl_reload(s->rules, paths, ec.rules, ec.nrules, &gen, &d);
	if (rc < 0) {
		daemon_settings_log_diags(&d);
		snprintf(err, errlen, "the rules do not load: %s",
			 d.nerrors && d.n ? d.items[0].message : "see the errors above");
		for (size_t i = 0; i < d.n; i++)
			if (d.items[i].error) {
				snprintf(err, errlen, "the rules do not load: %s", d.items[i].message);
				break;
			}
		engine_set_settings(s->eng, &was);
	} else {
		for (size_t i = 0; i < d.n; i++)
			log_msg(FAPI_LOG_WARNING, "engine", "%s", d.items[i].message);
		log_msg(FAPI_LOG_INFO, "engine", "rules reloaded: generation %llu", (unsigned long long)gen);
	}
	engine_diags_free(&d);
	engine_config_free(&ec);
	return rc;
}

config_live_hooks daemon_settings_hooks(daemon_settings *s)
{
	return (config_live_hooks){.check = daemon_settings_check, .apply = daemon_settings_apply, .user = s};
}

int daemon_settings_reload(daemon_settings *s, const char *why)
{
	char err[2048];
	log_msg(FAPI_LOG_INFO, "core", "%s: reloading the configuration and the rules", why);
	s->reloading = true;
	int rc = config_live_reload(s->live, err, sizeof(err));
	s->reloading = false;
	if (rc < 0)
		log_msg(FAPI_LOG_ERROR, "core", "reload failed, the running configuration and rules stay: %s", err);
	else
		log_msg(FAPI_LOG_INFO, "core", "reloaded (configuration revision %llu)",
			(unsigned long long)config_live_revision(s->live));
	return rc;
}


int daemon_settings_files(daemon_settings *s, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	/* The rules paths as the current configuration names them. */
	char *yaml = config_live_yaml(s->live, "");
	if (!yaml)
		return -1;
	config_doc d;
	config_node *root = NULL;
	char err[1024];
	int rc = -1;
	if (config_doc_init(&d) == 0 && config_yaml_parse(&d, "<current>", yaml, strlen(yaml), &root, err, sizeof(err)) == 0 &&
	    root) {
		engine_config ec;
		if (engine_config_read(root, s->args, &ec, err, sizeof(err)) == 0) {
			char **files = NULL;
			size_t nf = 0;
			if (rules_files_expand(ec.rules, ec.nrules, &files, &nf, err, sizeof(err)) < 0) {
				/* A directory that vanished: watch the paths as named. */
				files = calloc(ec.nrules + 1, sizeof(*files));
				for (size_t i = 0; files && i < ec.nrules; i++)
					files[nf++] = strdup(ec.rules[i]);
			}
			char **all = files ? calloc(nf + 1, sizeof(*all)) : NULL;
			if (all) {
				size_t k = 0;
				const char *cf = config_live_file(s->live);
				if (cf)
					all[k++] = strdup(cf);
				for (size_t i = 0; i < nf; i++)
					all[k++] = files[i];
				free(files);
				*out = all;
				*n = k;
				rc = 0;
			} else {
				rules_files_free(files, nf);
			}
			engine_config_free(&ec);
		}
	}
	config_node_free(root);
	config_doc_free(&d);
	free(yaml);
	return rc;
}
