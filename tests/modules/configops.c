/* The configuration host functions' test module, named `configs` so that
 * the daemon keeps its overlay (config.state_dir). A thread waits for
 * config.trigger (a file) to appear, reads it, removes it and runs its
 * lines, logging each result:
 *   set [@REV] KEY=VALUE...   config_set (if_revision REV) ->
 *       "configops: set rc=RC revision=R pending=[K,...] key=K err=E"
 *       and per key "configops: changed K: OLD -> NEW"
 *   validate KEY=VALUE...     the same with validate_only
 *   reset KEY...              config_reset, logged as set
 *   list [PATH]               config_list -> per key "configops: entry K
 *       type=T value=V origin=O reload=R pending=P running=V2 module=M",
 *       then "configops: yaml <YAML with \n as |>", "configops: listed N
 *       revision R", or "configops: list rc=RC err=E" */

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fapi/fapi.h"

typedef struct configops {
	fapi_module_ctx *ctx;
	const fapi_host *host;
	const char *trigger;
	pthread_t thread;
	atomic_bool stop;
	bool started;
} configops;

static const fapi_config_key configops_keys[] = {
	FAPI_CONFIG_KEY_INIT(.path = "state_dir", .type = FAPI_CONFIG_STRING, .def = "/var/lib/falco-apid/configs",
			     .description = "where the overlay is kept", .reload = FAPI_CONFIG_RESTART,
			     .flags = FAPI_CONFIG_GUARDED),
	FAPI_CONFIG_KEY_INIT(.path = "trigger", .type = FAPI_CONFIG_STRING, .description = "the command file",
			     .reload = FAPI_CONFIG_RESTART),
	FAPI_CONFIG_KEY_INIT(.path = "poll_ms", .type = FAPI_CONFIG_INT, .def = "5", .min = 1, .max = 1000,
			     .description = "how often the command file is looked for", .reload = FAPI_CONFIG_HOT),
};

static const char *configops_reload(fapi_config_reload r)
{
	return r == FAPI_CONFIG_HOT ? "hot" : r == FAPI_CONFIG_RELOAD ? "reload" : "restart";
}

static void configops_result(configops *c, const char *what, int rc, const fapi_config_result *r, const char *err)
{
	char pending[1024] = "";
	size_t o = 0;
	for (size_t i = 0; i < r->npending && o < sizeof(pending) - 1; i++)
		o += (size_t)snprintf(pending + o, sizeof(pending) - o, "%s%s", i ? "," : "", r->pending[i]);
	c->host->log(c->ctx, FAPI_LOG_INFO, "configops: %s rc=%d revision=%llu pending=[%s] key=%s err=%s", what, rc,
		     (unsigned long long)r->revision, pending, r->key ? r->key : "-", rc == FAPI_OK ? "-" : err);
	for (size_t i = 0; i < r->nchanged; i++)
		c->host->log(c->ctx, FAPI_LOG_INFO, "configops: changed %s: %s -> %s", r->paths[i],
			     r->old_values[i] ? r->old_values[i] : "(unset)", r->new_values[i] ? r->new_values[i] : "(unset)");
}

static void configops_set(configops *c, char **words, size_t n, bool validate)
{
	fapi_config_change ch[32];
	size_t k = 0;
	fapi_config_set_opts opts = FAPI_CONFIG_SET_OPTS_INIT(.validate_only = validate);
	for (size_t i = 0; i < n && k < 32; i++) {
		if (words[i][0] == '@') {
			opts.if_revision = strtoull(words[i] + 1, NULL, 10);
			continue;
		}
		char *eq = strchr(words[i], '=');
		if (!eq)
			continue;
		*eq = '\0';
		ch[k++] = (fapi_config_change)FAPI_CONFIG_CHANGE_INIT(.path = words[i], .value = eq + 1);
	}
	fapi_config_result r = FAPI_CONFIG_RESULT_INIT;
	char err[FAPI_ERRBUF_SIZE] = "";
	int rc = c->host->config_set(c->ctx, ch, k, &opts, &r, err, sizeof(err));
	configops_result(c, validate ? "validate" : "set", rc, &r, err);
	c->host->config_result_free(&r);
}

static void configops_reset(configops *c, char **words, size_t n)
{
	fapi_config_result r = FAPI_CONFIG_RESULT_INIT;
	char err[FAPI_ERRBUF_SIZE] = "";
	int rc = c->host->config_reset(c->ctx, (const char *const *)words, n, NULL, &r, err, sizeof(err));
	configops_result(c, "reset", rc, &r, err);
	c->host->config_result_free(&r);
}

static void configops_list(configops *c, const char *path)
{
	fapi_config_snapshot *s = NULL;
	char err[FAPI_ERRBUF_SIZE] = "";
	int rc = c->host->config_list(c->ctx, path, &s, err, sizeof(err));
	if (rc != FAPI_OK) {
		c->host->log(c->ctx, FAPI_LOG_INFO, "configops: list rc=%d err=%s", rc, err);
		return;
	}
	size_t n = c->host->config_snapshot_count(s);
	for (size_t i = 0; i < n; i++) {
		fapi_config_entry e = {.size = sizeof(e)};
		if (c->host->config_snapshot_entry(s, i, &e) != FAPI_OK)
			continue;
		c->host->log(c->ctx, FAPI_LOG_INFO,
			     "configops: entry %s type=%d value=%s origin=%s reload=%s pending=%d running=%s module=%s "
			     "int=%lld",
			     e.path, (int)e.type, e.value ? e.value : "(unset)", e.origin, configops_reload(e.reload),
			     e.pending_restart, e.running ? e.running : "-", e.module ? e.module : "-", (long long)e.i);
	}
	char *yaml = strdup(c->host->config_snapshot_yaml(s));
	for (char *p = yaml; p && *p; p++)
		if (*p == '\n')
			*p = '|';
	c->host->log(c->ctx, FAPI_LOG_INFO, "configops: yaml %s", yaml ? yaml : "?");
	free(yaml);
	c->host->log(c->ctx, FAPI_LOG_INFO, "configops: listed %zu revision %llu", n,
		     (unsigned long long)c->host->config_snapshot_revision(s));
	c->host->config_snapshot_free(s);
}

static void configops_line(configops *c, char *line)
{
	char *words[64];
	size_t n = 0;
	for (char *w = strtok(line, " \t"); w && n < 64; w = strtok(NULL, " \t"))
		words[n++] = w;
	if (!n)
		return;
	if (strcmp(words[0], "set") == 0 || strcmp(words[0], "validate") == 0)
		configops_set(c, words + 1, n - 1, words[0][0] == 'v');
	else if (strcmp(words[0], "reset") == 0)
		configops_reset(c, words + 1, n - 1);
	else if (strcmp(words[0], "list") == 0)
		configops_list(c, n > 1 ? words[1] : "");
}

static void configops_run(configops *c)
{
	FILE *f = fopen(c->trigger, "r");
	if (!f)
		return;
	char *text = NULL;
	size_t cap = 0;
	ssize_t len;
	unlink(c->trigger);
	while ((len = getline(&text, &cap, f)) > 0) {
		if (text[len - 1] == '\n')
			text[len - 1] = '\0';
		configops_line(c, text);
	}
	free(text);
	fclose(f);
	c->host->log(c->ctx, FAPI_LOG_INFO, "configops: done");
}

static void *configops_thread(void *arg)
{
	configops *c = arg;
	while (!atomic_load(&c->stop)) {
		if (access(c->trigger, F_OK) == 0)
			configops_run(c);
		struct timespec ts = {0, 5 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static int configops_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	if (!FAPI_HOST_HAS(host, config_revision)) {
		snprintf(err, errlen, "the host has no configuration functions");
		return FAPI_EUNSUPPORTED;
	}
	configops *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	c->ctx = ctx;
	c->host = host;
	if (host->config_string(host->config(ctx), "trigger", NULL, &c->trigger, err, errlen) != FAPI_OK ||
	    !c->trigger) {
		snprintf(err, errlen, "config.trigger is required");
		free(c);
		return FAPI_EINVAL;
	}
	*state = c;
	return FAPI_OK;
}

static int configops_register(void *state, char *err, size_t errlen)
{
	(void)state;
	(void)err;
	(void)errlen;
	return FAPI_OK;
}

static int configops_start(void *state, char *err, size_t errlen)
{
	configops *c = state;
	if (pthread_create(&c->thread, NULL, configops_thread, c) != 0) {
		snprintf(err, errlen, "cannot start the thread");
		return FAPI_EINTERNAL;
	}
	c->started = true;
	return FAPI_OK;
}

static void configops_stop(void *state)
{
	configops *c = state;
	if (!c->started)
		return;
	atomic_store(&c->stop, true);
	pthread_join(c->thread, NULL);
	c->started = false;
}

static void configops_destroy(void *state)
{
	free(state);
}

FAPI_MODULE_DEFINE(.name = "configs", .version = "0.0.1", .description = "configuration host functions test",
		   .init = configops_init, .register_rpcs = configops_register, .start = configops_start,
		   .stop = configops_stop, .destroy = configops_destroy, .config_keys = configops_keys,
		   .config_key_count = sizeof(configops_keys) / sizeof(configops_keys[0]));
