#include "engine/engine.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "engine/backends/backend_registry.h"
#include "engine/output/alert_format.h"
#include "engine/output/alert_meta.h"
#include "engine/engine_stats_file.h"
#include "engine/compile/rules_compile.h"
#include "engine/rules/rules_doc.h"
#include "engine/rules/rules_files.h"
#include "engine/output/token_bucket.h"

struct engine {
	engine_opts o;
	backend_registry *reg;
	const backend *src;   /* the backend whose capture or live feed is open, or NULL */
	rules_doc *doc;
	ruleset *rs;
	char hostname[256];
	alert_format_opts fo;
	token_bucket tb;
	engine_sink_fn sink;
	void *sink_user;
	engine_stats_file *stats_file;
	/* source */
	char *capture;
	uint64_t loops;
	double rate;
	bool live;
	char *probe;
	/* counters, written by the engine thread only */
	_Atomic uint64_t events, alerts, rate_limited, errors;
	_Atomic uint64_t by_priority[8];
	_Atomic uint64_t *rule_matches;
	uint64_t seq;
	uint64_t gen;
	/* thread */
	pthread_t thread;
	bool thread_running;
	atomic_bool stop;
	void (*on_end)(void *, int, const char *);
	void *on_end_user;
};

static uint64_t engine_now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int engine_load_rules(engine *e, char *err, size_t errlen)
{
	rules_doc_options dopts;
	rules_doc_options_init(&dopts);
	dopts.min_priority = (rules_priority)e->o.min_priority;
	rules_limits_resolve(&e->o.limits, &dopts.limits);
	e->doc = rules_doc_new(&dopts);
	if (!e->doc) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char **files = NULL;
	size_t nfiles = 0;
	if (rules_files_expand(e->o.rules_paths, e->o.nrules_paths, &files, &nfiles, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < nfiles; i++) {
		if (rules_doc_load_file(e->doc, files[i], err, errlen) != RULES_OK) {
			rules_files_free(files, nfiles);
			return -1;
		}
	}
	rules_files_free(files, nfiles);
	rules_compile_opts copts = {
		.time_format_iso_8601 = e->o.time_format_iso_8601,
		.validate_only = e->o.validate_only,
		.output_extra = e->o.output_extra,
		.replace_container_info = e->o.replace_container_info,
	};
	compiled_rules *cr = NULL;
	if (rules_compile(e->doc, e->reg, &copts, &cr, err, errlen) < 0)
		return -1;
	e->rs = ruleset_new(cr, &e->o.selection);
	e->rule_matches = calloc(cr->n ? cr->n : 1, sizeof(*e->rule_matches));
	if (!e->rs || !e->rule_matches) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static bool engine_source_disabled(const engine *e, const char *source)
{
	for (size_t i = 0; i < e->o.ndisabled_sources; i++)
		if (strcmp(e->o.disabled_sources[i], source) == 0)
			return true;
	return false;
}

int engine_create(engine **out, const engine_opts *o, char *err, size_t errlen)
{
	*out = NULL;
	engine *e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	e->o = *o;
	backend_opts bo = {
		.all_events = o->all_events,
		.base64_buffers = o->base64_buffers,
		.cri_sockets = o->cri_sockets,
		.ncri_sockets = o->ncri_sockets,
		.disable_cri_async = o->disable_cri_async,
		.snaplen = o->snaplen,
	};
	if (!(e->reg = backend_registry_new())) {
		snprintf(err, errlen, "out of memory");
		engine_free(e);
		return -1;
	}
	if (backend_registry_add_builtins(e->reg, &bo, NULL, 0, err, errlen) != BACKEND_OK) {
		engine_free(e);
		return -1;
	}
	if (engine_source_disabled(e, "syscall") && engine_source_disabled(e, "k8s_audit")) {
		/* Falco 0.31's words (falco.cpp). */
		snprintf(err, errlen, "The event source \"syscall\" and \"k8s_audit\" can not be disabled together");
		engine_free(e);
		return -1;
	}
	char herr[256];
	if (alert_meta_hostname(e->hostname, sizeof(e->hostname), herr, sizeof(herr)) < 0)
		snprintf(e->hostname, sizeof(e->hostname), "unknown");
	if (engine_load_rules(e, err, errlen) < 0) {
		engine_free(e);
		return -1;
	}
	e->fo = (alert_format_opts){
		.json = o->json_output,
		.json_include_output = o->json_include_output,
		.json_include_tags = o->json_include_tags,
		.fields = o->want_fields,
		.hostname = e->hostname,
	};
	token_bucket_init(&e->tb, o->rate, o->max_burst, engine_now_ns(CLOCK_MONOTONIC));
	atomic_init(&e->stop, false);
	*out = e;
	return 0;
}

void engine_free(engine *e)
{
	if (!e)
		return;
	engine_stop(e);
	/* Checks and formats belong to the backends: free them first. */
	if (e->src)
		e->src->capture_close(e->src->ctx);
	ruleset_free(e->rs);
	rules_doc_free(e->doc);
	backend_registry_free(e->reg);
	free(e->rule_matches);
	free(e->capture);
	free(e->probe);
	free(e);
}

size_t engine_warning_count(const engine *e)
{
	return e->rs ? e->rs->rules->nwarnings : 0;
}

const char *engine_warning(const engine *e, size_t i)
{
	return i < engine_warning_count(e) ? e->rs->rules->warnings[i] : NULL;
}

const backend_registry *engine_backends(const engine *e)
{
	return e->reg;
}

const ruleset *engine_ruleset(const engine *e)
{
	return e->rs;
}

void engine_set_sink(engine *e, engine_sink_fn fn, void *user)
{
	e->sink = fn;
	e->sink_user = user;
}

void engine_set_stats_file(engine *e, engine_stats_file *s)
{
	e->stats_file = s;
}

const rules_doc *engine_rules_doc(const engine *e)
{
	return e->doc;
}

static void engine_write_stats(engine *e)
{
	uint64_t c[3];
	if (e->live && e->src && e->src->live_stats && e->src->live_stats(e->src->ctx, c) == BACKEND_OK)
		engine_stats_file_write(e->stats_file, c[0], c[1], c[2]);
	else
		engine_stats_file_write(e->stats_file, atomic_load_explicit(&e->events, memory_order_relaxed), 0, 0);
}

/* The source whose reader recognises the capture's first bytes (gzip is
 * looked through), else the first source that reads captures, so that its
 * own message says why the file cannot be read. */
static const backend *engine_capture_source(const engine *e, const char *path)
{
	unsigned char head[64];
	int n = 0;
	gzFile f = gzopen(path, "rb");
	if (f) {
		n = gzread(f, head, sizeof(head));
		gzclose(f);
	}
	const backend *fallback = NULL;
	for (size_t i = 0; i < backend_registry_count(e->reg); i++) {
		const backend *b = backend_registry_at(e->reg, i);
		if (!b->capture_open)
			continue;
		if (!fallback)
			fallback = b;
		if (n > 0 && b->capture_probe && b->capture_probe(b->ctx, head, (size_t)n))
			return b;
	}
	return fallback;
}

static void engine_close_source(engine *e)
{
	if (e->src)
		e->src->capture_close(e->src->ctx);
	e->src = NULL;
}

int engine_open_capture(engine *e, const char *path, uint64_t loops, double rate, char *err, size_t errlen)
{
	const backend *b = engine_capture_source(e, path);
	if (!b) {
		snprintf(err, errlen, "no event source can read capture files");
		return -1;
	}
	engine_close_source(e);
	if (b->capture_open(b->ctx, path, err, errlen) != BACKEND_OK)
		return -1;
	e->src = b;
	free(e->capture);
	e->capture = strdup(path);
	e->loops = loops;
	e->rate = rate;
	e->live = false;
	return e->capture ? 0 : -1;
}

int engine_open_live(engine *e, const char *probe, char *err, size_t errlen)
{
	const backend *b = NULL;
	const char *disabled = NULL;
	for (size_t i = 0; i < backend_registry_count(e->reg) && !b; i++) {
		const backend *c = backend_registry_at(e->reg, i);
		if (c->live_open && engine_source_disabled(e, c->source))
			disabled = c->source;
		else if (c->live_open)
			b = c;
	}
	if (!b) {
		if (disabled)
			snprintf(err, errlen, "no event source: the live feed of %s is disabled (--disable-source)",
				 disabled);
		else
			snprintf(err, errlen, "no event source has a live feed");
		return -1;
	}
	engine_close_source(e);
	if (b->live_open(b->ctx, probe, 100, err, errlen) != BACKEND_OK)
		return -1;
	e->src = b;
	e->live = true;
	return 0;
}

static void engine_emit(engine *e, const compiled_rule *r, const backend_event *evt)
{
	atomic_fetch_add_explicit(&e->alerts, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->by_priority[r->priority & 7], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->rule_matches[r - e->rs->rules->rules], 1, memory_order_relaxed);
	/* Without a rate limit there is no clock to read per alert. */
	if (e->tb.rate > 0 && !token_bucket_claim(&e->tb, engine_now_ns(CLOCK_MONOTONIC))) {
		atomic_fetch_add_explicit(&e->rate_limited, 1, memory_order_relaxed);
		return;
	}
	char err[512];
	engine_alert *a = alert_format(r, evt, ++e->seq, &e->fo, err, sizeof(err));
	if (!a) {
		atomic_fetch_add_explicit(&e->errors, 1, memory_order_relaxed);
		return;
	}
	if (e->o.stdout_output) {
		fputs(a->output, stdout);
		putc('\n', stdout);
		if (!e->o.buffered_outputs)
			fflush(stdout);
	}
	if (e->sink)
		e->sink(e->sink_user, a);
	alert_unref(a);
}

/* Sleeps as needed so that `n` events since `start_ns` do not exceed rate. */
static void engine_pace(double rate, uint64_t n, uint64_t start_ns)
{
	uint64_t due = start_ns + (uint64_t)((double)n * 1e9 / rate);
	uint64_t now = engine_now_ns(CLOCK_MONOTONIC);
	if (due > now) {
		struct timespec ts = {.tv_sec = (time_t)((due - now) / 1000000000ull),
				      .tv_nsec = (long)((due - now) % 1000000000ull)};
		nanosleep(&ts, NULL);
	}
}

int engine_run(engine *e, atomic_bool *stop, char *err, size_t errlen)
{
	uint64_t iteration = 0;
	uint64_t paced = 0, start_ns = engine_now_ns(CLOCK_MONOTONIC);
	for (;;) {
		for (;;) {
			if (atomic_load_explicit(stop, memory_order_relaxed))
				return 0;
			if (!e->src) {
				snprintf(err, errlen, "no event source is open");
				return -1;
			}
			backend_event *evt = NULL;
			char be[512] = "";
			int rc = e->src->next_event(e->src->ctx, &evt, be, sizeof(be));
			if (e->stats_file && engine_stats_file_due(e->stats_file))
				engine_write_stats(e);
			if (rc == BACKEND_TIMEOUT)
				continue;
			if (rc == BACKEND_EOF)
				break;
			if (rc != BACKEND_OK) {
				snprintf(err, errlen, "reading events: %s", be);
				return -1;
			}
			atomic_fetch_add_explicit(&e->events, 1, memory_order_relaxed);
			if (e->rate > 0 && (++paced & 15) == 0)
				engine_pace(e->rate, paced, start_ns);
			/* Leaf results are remembered per generation; 0 is never used. */
			const compiled_rule *r = ruleset_match(e->rs, evt, ++e->gen);
			if (r)
				engine_emit(e, r, evt);
		}
		const backend *src = e->src;
		src->capture_close(src->ctx);
		if (e->live || !e->capture) {
			e->src = NULL;
			return 0;
		}
		if (e->loops && ++iteration >= e->loops) {
			e->src = NULL;
			return 0;
		}
		char be[512] = "";
		if (src->capture_open(src->ctx, e->capture, be, sizeof(be)) != BACKEND_OK) {
			e->src = NULL;
			snprintf(err, errlen, "reopening %s: %s", e->capture, be);
			return -1;
		}
	}
}

static void *engine_thread(void *arg)
{
	engine *e = arg;
	char err[512] = "";
	pthread_setname_np(pthread_self(), "engine");
	int rc = engine_run(e, &e->stop, err, sizeof(err));
	if (e->on_end)
		e->on_end(e->on_end_user, rc, err);
	return NULL;
}

int engine_start(engine *e, void (*on_end)(void *user, int rc, const char *err), void *user)
{
	e->on_end = on_end;
	e->on_end_user = user;
	atomic_store(&e->stop, false);
	if (pthread_create(&e->thread, NULL, engine_thread, e) != 0)
		return -1;
	e->thread_running = true;
	return 0;
}

void engine_stop(engine *e)
{
	if (!e->thread_running)
		return;
	atomic_store(&e->stop, true);
	pthread_join(e->thread, NULL);
	e->thread_running = false;
}

void engine_get_stats(const engine *e, engine_stats *out)
{
	out->events = atomic_load(&e->events);
	out->alerts = atomic_load(&e->alerts);
	out->rate_limited = atomic_load(&e->rate_limited);
	out->errors = atomic_load(&e->errors);
	for (int i = 0; i < 8; i++)
		out->by_priority[i] = atomic_load(&e->by_priority[i]);
}

uint64_t engine_rule_matches(const engine *e, size_t i)
{
	return i < e->rs->rules->n ? atomic_load(&e->rule_matches[i]) : 0;
}

void engine_print_summary(const engine *e, FILE *out)
{
	const compiled_rules *cr = e->rs->rules;
	fprintf(out, "Events detected: %llu\n", (unsigned long long)atomic_load(&e->alerts));
	fprintf(out, "Rule counts by severity:\n");
	/* Falco prints each severity as the rules spelled it. */
	for (int p = 0; p < 8; p++) {
		uint64_t n = atomic_load(&e->by_priority[p]);
		if (!n)
			continue;
		const char *spelling = NULL;
		for (size_t i = 0; i < cr->n && !spelling; i++)
			if (cr->rules[i].priority == p && atomic_load(&e->rule_matches[i]))
				spelling = cr->rules[i].priority_text;
		fprintf(out, "   %s: %llu\n", spelling ? spelling : "?", (unsigned long long)n);
	}
	fprintf(out, "Triggered rules by rule name:\n");
	for (size_t i = 0; i < cr->n; i++) {
		uint64_t n = atomic_load(&e->rule_matches[i]);
		if (n)
			fprintf(out, "   %s: %llu\n", cr->rules[i].name, (unsigned long long)n);
	}
}

void engine_print_rules(const engine *e, FILE *out)
{
	const compiled_rules *cr = e->rs->rules;
	fprintf(out, "%-50s %s\n%-50s %s\n", "Rule", "Description", "----", "-----------");
	for (size_t i = 0; i < cr->n; i++)
		fprintf(out, "%-50s %s\n", cr->rules[i].name, cr->rules[i].desc);
}
