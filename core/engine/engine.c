#include "engine/engine.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "engine/backends/backend_registry.h"
#include "engine/engine_diag.h"
#include "engine/output/alert_format.h"
#include "engine/output/alert_meta.h"
#include "engine/engine_stats_file.h"
#include "engine/engine_drops.h"
#include "engine/engine_drops_alert.h"
#include "fapi/host.h"
#include "engine/compile/rules_compile.h"
#include "engine/rules/rules_doc.h"
#include "engine/rules/rules_files.h"
#include "engine/output/token_bucket.h"

/* Evaluation state of one source: leaves, shared subtrees and the backend's
 * checks and formatters remember results per event (leaf.h, subtree_memo.h,
 * the backends' per-check buffers), and the leaves of one source are only
 * ever those of its backend (leaf_table_bind), so each source is evaluated
 * by one thread at a time under its own lock, with its own generations.
 * The engine thread (syscall) and the inputs thread (JSON sources) thus
 * never wait for each other; a source fed by both (a k8s_audit capture
 * with -e while inputs stream k8s_audit events) is serialised. */
typedef struct engine_eval_ctx {
	const backend *backend; /* set once, under ctxs_lock; NULL: free slot */
	pthread_mutex_t mu;     /* held per event (engine thread) or batch (engine_eval) */
	uint64_t gen;           /* the source's event generation, under mu; 0 is never used */
} engine_eval_ctx;

/* More sources than this share the last slot (still correct: serialised). */
#define ENGINE_EVAL_CTXS 16

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
	bool ebpf;            /* the live feed is the eBPF probe's */
	bool drops_on;        /* syscall_event_drops watches the open source (syscall only, as Falco) */
	engine_drops drops;
	/* counters, written by both evaluating threads */
	_Atomic uint64_t events, alerts, rate_limited, errors;
	_Atomic uint64_t by_priority[8];
	_Atomic uint64_t *rule_matches;
	/* Alert sequence numbers, unique and in emission order across sources;
	 * within a source also in evaluation order (taken under its lock). */
	_Atomic uint64_t seq;
	/* thread */
	pthread_t thread;
	bool thread_running;
	atomic_bool stop;
	void (*on_end)(void *, int, const char *);
	void *on_end_user;
	/* swapping rulesets (engine_apply) */
	pthread_mutex_t apply_lock;  /* serialises engine_validate/engine_apply */
	pthread_mutex_t job_lock;    /* guards job and running */
	pthread_cond_t job_done;
	struct engine_job *job;      /* the compile-and-swap the engine thread is to run */
	atomic_bool job_pending;     /* job != NULL, read per event without the lock */
	bool running;                /* engine_run is reading events */
	pthread_t runner;            /* the thread that does, while running */
	_Atomic uint64_t settings_applied; /* engine_set_settings calls that took effect */
	pthread_rwlock_t rs_lock;    /* readers on other threads vs the swap of rs/doc/rule_matches */
	_Atomic uint64_t generation;
	_Atomic uint64_t swap_jobs, swap_hold_ns, swap_free_ns; /* engine_stats */
	/* Evaluation happens on the engine thread and on the input thread
	 * (engine_eval), each source under its context's lock. A swap of
	 * rs/rule_matches or of the output settings holds every context lock
	 * (engine_eval_lock_all), so each thread switches between two of its
	 * events or batches. Taken after job_lock, never before; an evaluating
	 * thread holds one context lock at a time. */
	engine_eval_ctx ctxs[ENGINE_EVAL_CTXS];
	_Atomic size_t nctxs;
	pthread_mutex_t ctxs_lock;   /* adding a context */
	pthread_mutex_t tb_lock;     /* the token bucket, taken per alert only with a rate limit */
};

static uint64_t engine_now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static rules_compile_opts engine_compile_opts(const engine *e)
{
	return (rules_compile_opts){
		.time_format_iso_8601 = e->o.time_format_iso_8601,
		.validate_only = e->o.validate_only,
		.output_extra = e->o.output_extra,
		.replace_container_info = e->o.replace_container_info,
	};
}

static rules_doc *engine_doc_new(const engine *e, bool all_errors)
{
	rules_doc_options dopts;
	rules_doc_options_init(&dopts);
	dopts.min_priority = (rules_priority)e->o.min_priority;
	dopts.all_errors = all_errors;
	rules_limits_resolve(&e->o.limits, &dopts.limits);
	return rules_doc_new(&dopts);
}

static int engine_load_rules(engine *e, char *err, size_t errlen)
{
	e->doc = engine_doc_new(e, false);
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
	rules_compile_opts copts = engine_compile_opts(e);
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
	pthread_mutex_init(&e->apply_lock, NULL);
	pthread_mutex_init(&e->job_lock, NULL);
	for (size_t i = 0; i < ENGINE_EVAL_CTXS; i++)
		pthread_mutex_init(&e->ctxs[i].mu, NULL);
	pthread_mutex_init(&e->ctxs_lock, NULL);
	pthread_mutex_init(&e->tb_lock, NULL);
	pthread_cond_init(&e->job_done, NULL);
	pthread_rwlock_init(&e->rs_lock, NULL);
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
	if (backend_registry_add_builtins(e->reg, &bo, NULL, 0, err, errlen) != BACKEND_OK ||
	    backend_registry_add_json_sources(e->reg, &bo, o->json_sources, o->njson_sources, err, errlen) !=
		    BACKEND_OK) {
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
	engine_drops_init(&e->drops, &o->drops);
	atomic_init(&e->stop, false);
	atomic_init(&e->generation, 1);
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
	pthread_mutex_destroy(&e->apply_lock);
	pthread_mutex_destroy(&e->job_lock);
	for (size_t i = 0; i < ENGINE_EVAL_CTXS; i++)
		pthread_mutex_destroy(&e->ctxs[i].mu);
	pthread_mutex_destroy(&e->ctxs_lock);
	pthread_mutex_destroy(&e->tb_lock);
	pthread_cond_destroy(&e->job_done);
	pthread_rwlock_destroy(&e->rs_lock);
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
	e->drops_on = strcmp(b->source, "syscall") == 0;
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
	e->ebpf = probe && *probe;
	e->drops_on = strcmp(b->source, "syscall") == 0;
	return 0;
}

static void engine_output(engine *e, engine_alert *a, engine_sink_fn tap, void *tap_user);

/* The evaluation context of backend b, made on first use. */
static engine_eval_ctx *engine_ctx_of(engine *e, const backend *b)
{
	size_t n = atomic_load_explicit(&e->nctxs, memory_order_acquire);
	for (size_t i = 0; i < n; i++)
		if (e->ctxs[i].backend == b)
			return &e->ctxs[i];
	pthread_mutex_lock(&e->ctxs_lock);
	n = atomic_load_explicit(&e->nctxs, memory_order_relaxed);
	engine_eval_ctx *c = NULL;
	for (size_t i = 0; i < n && !c; i++)
		if (e->ctxs[i].backend == b)
			c = &e->ctxs[i];
	if (!c && n < ENGINE_EVAL_CTXS) {
		c = &e->ctxs[n];
		c->backend = b;
		atomic_store_explicit(&e->nctxs, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&e->ctxs_lock);
	return c ? c : &e->ctxs[ENGINE_EVAL_CTXS - 1];
}

/* Every context, in slot order (the only place more than one is held):
 * no source is being evaluated when this returns. */
static void engine_eval_lock_all(engine *e)
{
	for (size_t i = 0; i < ENGINE_EVAL_CTXS; i++)
		pthread_mutex_lock(&e->ctxs[i].mu);
}

static void engine_eval_unlock_all(engine *e)
{
	for (size_t i = ENGINE_EVAL_CTXS; i-- > 0;)
		pthread_mutex_unlock(&e->ctxs[i].mu);
}

/* Under the lock of evt's source context: rs, rule_matches, fo and the
 * bucket's settings cannot change meanwhile. */
static void engine_emit(engine *e, const compiled_rule *r, const backend_event *evt, engine_sink_fn tap,
			void *tap_user)
{
	atomic_fetch_add_explicit(&e->alerts, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->by_priority[r->priority & 7], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->rule_matches[r - e->rs->rules->rules], 1, memory_order_relaxed);
	/* Without a rate limit there is no clock to read per alert. */
	if (e->tb.rate > 0) {
		pthread_mutex_lock(&e->tb_lock);
		bool ok = token_bucket_claim(&e->tb, engine_now_ns(CLOCK_MONOTONIC));
		pthread_mutex_unlock(&e->tb_lock);
		if (!ok) {
			atomic_fetch_add_explicit(&e->rate_limited, 1, memory_order_relaxed);
			return;
		}
	}
	char err[512];
	uint64_t seq = atomic_fetch_add_explicit(&e->seq, 1, memory_order_relaxed) + 1;
	engine_alert *a = alert_format(r, evt, seq, &e->fo, err, sizeof(err));
	if (!a) {
		atomic_fetch_add_explicit(&e->errors, 1, memory_order_relaxed);
		return;
	}
	engine_output(e, a, tap, tap_user);
}

/* syscall_event_drops' check at event time ts. Returns false when its exit
 * action asks the engine to stop (the message in err). */
static bool engine_drops_run(engine *e, uint64_t ts, char *err, size_t errlen)
{
	backend_drops now;
	bool live = e->live && e->src->live_drops && e->src->live_drops(e->src->ctx, &now) == BACKEND_OK;
	engine_drops_notice n;
	if (!engine_drops_check(&e->drops, ts, live ? &now : NULL, &n) || !n.act)
		return true;
	char msg[160];
	engine_drops_message(&n, msg, sizeof(msg));
	unsigned act = e->drops.o.actions;
	if ((act & ENGINE_DROPS_LOG) && e->drops.o.log)
		e->drops.o.log(FAPI_LOG_DEBUG, msg);
	if (act & ENGINE_DROPS_ALERT) {
		/* Falco's handle_msg: every output, no rate limit, no priority floor. */
		uint64_t seq = atomic_fetch_add_explicit(&e->seq, 1, memory_order_relaxed) + 1;
		engine_alert *a = engine_drops_alert(&n, ts, seq, e->ebpf, e->o.json_output, e->hostname);
		if (a)
			engine_output(e, a, NULL, NULL);
		else
			atomic_fetch_add_explicit(&e->errors, 1, memory_order_relaxed);
	}
	if (act & ENGINE_DROPS_EXIT) {
		snprintf(err, errlen, "%s", msg);
		return false;
	}
	return true;
}

static void engine_output(engine *e, engine_alert *a, engine_sink_fn tap, void *tap_user)
{
	if (e->o.stdout_output) {
		/* One line under stdout's lock: the other evaluating thread and
		 * the metrics snapshots write whole lines too. */
		flockfile(stdout);
		fputs(a->output, stdout);
		putc_unlocked('\n', stdout);
		if (!e->o.buffered_outputs)
			fflush(stdout);
		funlockfile(stdout);
	}
	if (e->sink)
		e->sink(e->sink_user, a);
	if (tap)
		tap(tap_user, a);
	alert_unref(a);
}

/* Sleeps until event n is due, in slices: a rules change or a stop waiting
 * for this thread is not held up by the pacing (at 50 events/s one sleep
 * is 320 ms). It returns early for them; the job runs at the top of the
 * loop, between two events, and the schedule, absolute, catches up. */
static void engine_pace(engine *e, atomic_bool *stop, double rate, uint64_t n, uint64_t start_ns)
{
	uint64_t due = start_ns + (uint64_t)((double)n * 1e9 / rate);
	for (;;) {
		if (atomic_load_explicit(stop, memory_order_relaxed) ||
		    atomic_load_explicit(&e->job_pending, memory_order_acquire))
			return;
		uint64_t now = engine_now_ns(CLOCK_MONOTONIC);
		if (due <= now)
			return;
		uint64_t left = due - now, slice = left < 10000000ull ? left : 10000000ull;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)slice};
		alert_home_tidy();
		nanosleep(&ts, NULL);
	}
}

struct engine_job;
static void engine_job_take(engine *e);

static int engine_run_source(engine *e, atomic_bool *stop, char *err, size_t errlen)
{
	uint64_t iteration = 0;
	uint64_t paced = 0, start_ns = engine_now_ns(CLOCK_MONOTONIC);
	engine_eval_ctx *ctx = NULL;
	for (;;) {
		for (;;) {
			if (atomic_load_explicit(stop, memory_order_relaxed))
				return 0;
			if (!e->src) {
				snprintf(err, errlen, "no event source is open");
				return -1;
			}
			/* Between two events: the only point where the ruleset changes. */
			if (atomic_load_explicit(&e->job_pending, memory_order_acquire))
				engine_job_take(e);
			backend_event *evt = NULL;
			char be[512] = "";
			int rc = e->src->next_event(e->src->ctx, &evt, be, sizeof(be));
			if (e->stats_file && engine_stats_file_due(e->stats_file))
				engine_write_stats(e);
			if (rc == BACKEND_TIMEOUT) {
				alert_home_tidy();
				continue;
			}
			if (rc == BACKEND_EOF)
				break;
			if (rc != BACKEND_OK) {
				snprintf(err, errlen, "reading events: %s", be);
				return -1;
			}
			atomic_fetch_add_explicit(&e->events, 1, memory_order_relaxed);
			if (e->drops_on && engine_drops_due(&e->drops, evt->ts) && !engine_drops_run(e, evt->ts, err, errlen))
				return 1;
			if (e->rate > 0 && (++paced & 15) == 0)
				engine_pace(e, stop, e->rate, paced, start_ns);
			if (!ctx || ctx->backend != evt->backend)
				ctx = engine_ctx_of(e, evt->backend);
			/* Uncontended unless inputs feed this source too. */
			pthread_mutex_lock(&ctx->mu);
			const compiled_rule *r = ruleset_match(e->rs, evt, ++ctx->gen);
			if (r)
				engine_emit(e, r, evt, NULL, NULL);
			pthread_mutex_unlock(&ctx->mu);
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
		engine_drops_rewind(&e->drops);
		if (src->capture_open(src->ctx, e->capture, be, sizeof(be)) != BACKEND_OK) {
			e->src = NULL;
			snprintf(err, errlen, "reopening %s: %s", e->capture, be);
			return -1;
		}
	}
}

void engine_eval(engine *e, const backend_event *evts, size_t n, engine_sink_fn tap, void *user)
{
	/* The batch holds its source's lock: one ruleset for all of it, and
	 * its alerts in event order. */
	engine_eval_ctx *ctx = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!ctx || ctx->backend != evts[i].backend) {
			if (ctx)
				pthread_mutex_unlock(&ctx->mu);
			ctx = engine_ctx_of(e, evts[i].backend);
			pthread_mutex_lock(&ctx->mu);
		}
		atomic_fetch_add_explicit(&e->events, 1, memory_order_relaxed);
		const compiled_rule *r = ruleset_match(e->rs, &evts[i], ++ctx->gen);
		if (r)
			engine_emit(e, r, &evts[i], tap, user);
	}
	if (ctx)
		pthread_mutex_unlock(&ctx->mu);
}

int engine_run(engine *e, atomic_bool *stop, char *err, size_t errlen)
{
	pthread_mutex_lock(&e->job_lock);
	e->running = true;
	e->runner = pthread_self();
	pthread_mutex_unlock(&e->job_lock);
	alert_home_enter();
	int rc = engine_run_source(e, stop, err, errlen);
	alert_home_leave();
	pthread_mutex_lock(&e->job_lock);
	e->running = false;
	pthread_mutex_unlock(&e->job_lock);
	/* A job handed over while the last event was read is not left waiting. */
	if (atomic_load_explicit(&e->job_pending, memory_order_acquire))
		engine_job_take(e);
	return rc;
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
	out->swaps = atomic_load(&e->swap_jobs);
	out->swap_hold_ns = atomic_load(&e->swap_hold_ns);
	out->swap_free_ns = atomic_load(&e->swap_free_ns);
	for (int i = 0; i < 8; i++)
		out->by_priority[i] = atomic_load(&e->by_priority[i]);
}

void engine_get_kernel_losses(const engine *e, backend_drops *totals, bool *ebpf_enabled)
{
	engine_drops_totals(&e->drops, totals);
	if (ebpf_enabled)
		*ebpf_enabled = e->ebpf;
}

void engine_print_drop_stats(const engine *e, FILE *out)
{
	engine_drops_print_stats(&e->drops, out);
}

uint64_t engine_rule_matches(const engine *e, size_t i)
{
	pthread_rwlock_t *l = (pthread_rwlock_t *)&e->rs_lock;
	pthread_rwlock_rdlock(l);
	uint64_t n = i < e->rs->rules->n ? atomic_load(&e->rule_matches[i]) : 0;
	pthread_rwlock_unlock(l);
	return n;
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

/* ---- Swapping rulesets ----------------------------------------------- */

typedef struct engine_job {
	rules_doc *doc;      /* loaded; the job takes it (kept when applied, else freed) */
	bool apply;          /* false: compile to validate only */
	bool done;
	int rc;
	uint64_t generation; /* applied: the new generation */
	char err[1024];
	char **warnings;     /* the compiler's, moved out of the compiled rules; owned */
	size_t nwarnings;
	/* engine_set_enabled: doc is the running one (kept), each rule keeps
	 * its enabled flag but those named or tagged here get `enable`. */
	bool toggle;
	bool enable;
	const char *const *names, *const *tags;
	size_t nnames, ntags;
	/* engine_change_set: toggles applied over the compiled rules, and
	 * whether each matched a rule (hits, ntoggles entries, caller's). */
	const engine_toggle *toggles;
	size_t ntoggles;
	bool *hits;
	/* Every error of the compile (the first is also in err); owned. */
	char **errors;
	size_t nerrors;
	/* Applied: what the new set replaced, freed by the thread that ran
	 * the job once the caller is released (engine_job_release_old). */
	ruleset *old_rs;
	rules_doc *old_doc;
	_Atomic uint64_t *old_matches;
	/* engine_set_settings: no doc; the output settings to take. */
	const struct engine_settings *settings;
} engine_job;

static void engine_job_warning(void *user, const char *message)
{
	engine_job *job = user;
	char **w = realloc(job->warnings, (job->nwarnings + 1) * sizeof(*w));
	if (!w)
		return;
	job->warnings = w;
	if ((w[job->nwarnings] = strdup(message)))
		job->nwarnings++;
}

static void engine_job_error(void *user, const char *message)
{
	engine_job *job = user;
	char **e = realloc(job->errors, (job->nerrors + 1) * sizeof(*e));
	if (!e)
		return;
	job->errors = e;
	if ((e[job->nerrors] = strdup(message)))
		job->nerrors++;
}

/* The compiled rule of old rules declared at `order`, or SIZE_MAX (rules are
 * kept in declaration order, so the search is a bisection). */
static size_t engine_rule_by_order(const compiled_rules *cr, size_t order)
{
	size_t lo = 0, hi = cr->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cr->rules[mid].order < order)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cr->n && cr->rules[lo].order == order ? lo : SIZE_MAX;
}

/* The counters of the new rules: a rule whose name and compiled condition
 * are those of a running rule continues its count. */
static _Atomic uint64_t *engine_carry_matches(const engine *e, const rules_doc *doc, const compiled_rules *cr)
{
	_Atomic uint64_t *m = calloc(cr->n ? cr->n : 1, sizeof(*m));
	if (!m)
		return NULL;
	for (size_t i = 0; i < cr->n; i++) {
		const rules_rule *nr = rules_doc_find_rule(doc, cr->rules[i].name);
		const rules_rule *or = rules_doc_find_rule(e->doc, cr->rules[i].name);
		if (!nr || !or || strcmp(nr->compile_condition, or->compile_condition) != 0)
			continue;
		size_t j = engine_rule_by_order(e->rs->rules, or->order);
		if (j != SIZE_MAX)
			atomic_init(&m[i], atomic_load_explicit(&e->rule_matches[j], memory_order_relaxed));
	}
	return m;
}

static bool engine_rule_selected(const compiled_rule *r, const engine_job *job)
{
	for (size_t i = 0; i < job->nnames; i++)
		if (strcmp(r->name, job->names[i]) == 0)
			return true;
	for (size_t i = 0; i < job->ntags; i++)
		for (size_t t = 0; t < r->ntags; t++)
			if (strcmp(r->tags[t], job->tags[i]) == 0)
				return true;
	return false;
}

/* cr is the running document compiled again (same rules, same order): each
 * rule keeps its running enabled flag unless the job selects it. */
static void engine_toggle_running(const compiled_rules *running, compiled_rules *cr, const engine_job *job)
{
	for (size_t i = 0; i < cr->n; i++) {
		if (i < running->n)
			cr->rules[i].enabled = running->rules[i].enabled;
		if (engine_rule_selected(&cr->rules[i], job))
			cr->rules[i].enabled = job->enable;
	}
}

static bool engine_toggle_matches(const compiled_rule *r, const engine_toggle *t)
{
	if (t->rule)
		return strcmp(r->name, t->rule) == 0;
	for (size_t i = 0; t->tag && i < r->ntags; i++)
		if (strcmp(r->tags[i], t->tag) == 0)
			return true;
	return false;
}

static void engine_apply_toggles(compiled_rules *cr, const engine_job *job)
{
	for (size_t k = 0; k < job->ntoggles; k++)
		for (size_t i = 0; i < cr->n; i++)
			if (engine_toggle_matches(&cr->rules[i], &job->toggles[k])) {
				cr->rules[i].enabled = job->toggles[k].enabled;
				job->hits[k] = true;
			}
}

/* Compiles the job's document and, to apply, swaps it in. Runs on the thread
 * that owns the backends at that moment: the engine thread between two
 * events, or the caller while no engine thread runs. */
/* The output settings, between two events (engine thread) or while no
 * engine thread runs: an alert is formatted and limited wholly with the
 * old settings or wholly with the new. */
static void engine_settings_exec(engine *e, const engine_settings *s)
{
	engine_eval_lock_all(e);
	e->fo.json = e->o.json_output = s->json_output;
	e->fo.json_include_output = e->o.json_include_output = s->json_include_output;
	e->fo.json_include_tags = e->o.json_include_tags = s->json_include_tags;
	if (s->rate != e->o.rate || s->max_burst != e->o.max_burst) {
		e->o.rate = s->rate;
		e->o.max_burst = s->max_burst;
		token_bucket_init(&e->tb, s->rate, s->max_burst, engine_now_ns(CLOCK_MONOTONIC));
	}
	engine_eval_unlock_all(e);
	atomic_fetch_add_explicit(&e->settings_applied, 1, memory_order_release);
}

static void engine_job_exec(engine *e, engine_job *job)
{
	if (job->settings) {
		engine_settings_exec(e, job->settings);
		job->rc = 0;
		return;
	}
	rules_compile_opts copts = engine_compile_opts(e);
	copts.on_error = engine_job_error;
	copts.on_warning = engine_job_warning;
	copts.error_user = job;
	copts.max_errors = rules_doc_limits(job->doc)->errors;
	/* This thread evaluates the running set and will free it: the new
	 * set may share its checks (most of a compile's cost otherwise). */
	copts.reuse = e->rs ? e->rs->rules : NULL;
	compiled_rules *cr = NULL;
	job->rc = -1;
	if (rules_compile(job->doc, e->reg, &copts, &cr, job->err, sizeof(job->err)) < 0)
		return;
	job->warnings = cr->warnings;
	job->nwarnings = cr->nwarnings;
	cr->warnings = NULL;
	cr->nwarnings = 0;
	engine_apply_toggles(cr, job);
	if (!job->apply) {
		compiled_rules_free(cr);
		job->rc = 0;
		return;
	}
	if (job->toggle)
		engine_toggle_running(e->rs->rules, cr, job);
	ruleset *rs = ruleset_new(cr, &e->o.selection);
	if (!rs) {
		snprintf(job->err, sizeof(job->err), "out of memory");
		return;
	}
	/* The running ruleset keeps its warnings (engine_warning): the new
	 * ones are handed back to the caller and kept with the new set. */
	char **w = calloc(job->nwarnings ? job->nwarnings : 1, sizeof(*w));
	for (size_t i = 0; w && i < job->nwarnings; i++)
		w[i] = strdup(job->warnings[i]);
	rs->rules->warnings = w;
	rs->rules->nwarnings = w ? job->nwarnings : 0;
	/* The compile ran beside the other thread's evaluation (it only reads
	 * the running set); the switch waits for its current batch. */
	engine_eval_lock_all(e);
	/* Counted under the locks: no alert of the old set is left out. */
	_Atomic uint64_t *matches = engine_carry_matches(e, job->doc, cr);
	if (!matches) {
		engine_eval_unlock_all(e);
		ruleset_free(rs);
		snprintf(job->err, sizeof(job->err), "out of memory");
		return;
	}
	pthread_rwlock_wrlock(&e->rs_lock);
	ruleset *old_rs = e->rs;
	rules_doc *old_doc = e->doc;
	_Atomic uint64_t *old_matches = e->rule_matches;
	e->rs = rs;
	e->doc = job->doc;
	e->rule_matches = matches;
	job->generation = atomic_fetch_add(&e->generation, 1) + 1;
	pthread_rwlock_unlock(&e->rs_lock);
	engine_eval_unlock_all(e);
	job->doc = NULL;
	job->old_rs = old_rs;
	job->old_doc = old_doc != e->doc ? old_doc : NULL;
	job->old_matches = old_matches;
	job->rc = 0;
}

/* Nothing evaluates the old set any more (the swap held every evaluation
 * context, so each thread's next event or batch took the new one), and
 * readers on other threads hold rs_lock, so it is freed here, after the
 * caller was released: the free (libsinsp's checks and formatters) is not
 * part of the time to active. */
static void engine_job_release_old(engine *e, ruleset *rs, rules_doc *doc, _Atomic uint64_t *matches)
{
	if (!rs && !doc && !matches)
		return;
	uint64_t t0 = engine_now_ns(CLOCK_MONOTONIC);
	ruleset_free(rs);
	rules_doc_free(doc);
	free(matches);
	atomic_fetch_add_explicit(&e->swap_free_ns, engine_now_ns(CLOCK_MONOTONIC) - t0, memory_order_relaxed);
}

/* Runs the job on this thread, timing it as the engine thread's hold. */
static void engine_job_run(engine *e, engine_job *job)
{
	uint64_t t0 = engine_now_ns(CLOCK_MONOTONIC);
	engine_job_exec(e, job);
	atomic_fetch_add_explicit(&e->swap_hold_ns, engine_now_ns(CLOCK_MONOTONIC) - t0, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->swap_jobs, 1, memory_order_relaxed);
}

static void engine_job_take(engine *e)
{
	pthread_mutex_lock(&e->job_lock);
	engine_job *job = e->job;
	ruleset *old_rs = NULL;
	rules_doc *old_doc = NULL;
	_Atomic uint64_t *old_matches = NULL;
	if (job) {
		engine_job_run(e, job);
		old_rs = job->old_rs;
		old_doc = job->old_doc;
		old_matches = job->old_matches;
		job->done = true; /* the caller may return: job is not read again */
		e->job = NULL;
		atomic_store_explicit(&e->job_pending, false, memory_order_release);
		pthread_cond_broadcast(&e->job_done);
	}
	pthread_mutex_unlock(&e->job_lock);
	engine_job_release_old(e, old_rs, old_doc, old_matches);
}

/* Runs the job on the engine thread when it reads events, else here. */
static void engine_job_submit(engine *e, engine_job *job)
{
	pthread_mutex_lock(&e->job_lock);
	if (!e->running) {
		engine_job_run(e, job);
		engine_job_release_old(e, job->old_rs, job->old_doc, job->old_matches);
	} else {
		e->job = job;
		atomic_store_explicit(&e->job_pending, true, memory_order_release);
		while (!job->done)
			pthread_cond_wait(&e->job_done, &e->job_lock);
	}
	pthread_mutex_unlock(&e->job_lock);
}

static int engine_docs_load(const engine *e, const engine_document *docs, size_t ndocs, rules_doc **out,
			    engine_diags *diags, const char *const *names)
{
	char err[1024];
	*out = NULL;
	rules_doc *doc = engine_doc_new(e, true);
	if (!doc) {
		engine_diags_add(diags, true, "out of memory", NULL, NULL, 0);
		return -1;
	}
	for (size_t i = 0; i < ndocs; i++) {
		int rc;
		if (!docs[i].name) {
			snprintf(err, sizeof(err), "document #%zu has no name", i);
			rc = -1;
		} else if (docs[i].text) {
			rc = rules_doc_load_buffer(doc, docs[i].name, docs[i].text, docs[i].len, err, sizeof(err));
		} else {
			rc = rules_doc_load_file(doc, docs[i].name, err, sizeof(err));
		}
		if (rc == RULES_OK)
			continue;
		/* The document changed nothing; the next ones are loaded still,
		 * for their own errors, up to engine.limits.errors in all. */
		size_t n = rules_doc_error_count(doc);
		if (!n)
			engine_diags_add(diags, true, err, NULL, names, ndocs);
		for (size_t k = 0; k < n; k++)
			engine_diags_add(diags, true, rules_doc_error_at(doc, k), NULL, names, ndocs);
		if (diags->nerrors >= rules_doc_limits(doc)->errors || rc == RULES_ERR_NOMEM)
			break;
	}
	for (size_t i = 0; i < rules_doc_warning_count(doc); i++)
		engine_diags_add(diags, false, rules_doc_warning_at(doc, i), doc, names, ndocs);
	if (diags->nerrors) {
		rules_doc_free(doc);
		return -1;
	}
	*out = doc;
	return 0;
}

/* True on the thread reading events: a change from there would wait for
 * itself. */
static bool engine_on_engine_thread(engine *e)
{
	pthread_mutex_lock(&e->job_lock);
	bool on = e->running && pthread_equal(e->runner, pthread_self());
	pthread_mutex_unlock(&e->job_lock);
	return on;
}

int engine_change_set(engine *e, const engine_set *set, bool apply, uint64_t *generation, engine_diags *diags)
{
	*diags = (engine_diags){0};
	if (engine_on_engine_thread(e)) {
		engine_diags_add_parts(diags, true, "", 0, 0, "", "", "rules cannot change from the engine's thread");
		return -1;
	}
	const char **names = calloc(set->ndocs ? set->ndocs : 1, sizeof(*names));
	bool *hits = calloc(set->ntoggles ? set->ntoggles : 1, sizeof(*hits));
	if (!names || !hits) {
		free(names);
		free(hits);
		engine_diags_add(diags, true, "out of memory", NULL, NULL, 0);
		return -1;
	}
	for (size_t i = 0; i < set->ndocs; i++)
		names[i] = set->docs[i].name;
	pthread_mutex_lock(&e->apply_lock);
	engine_job job = {.apply = apply, .toggles = set->toggles, .ntoggles = set->ntoggles, .hits = hits};
	if (engine_docs_load(e, set->docs, set->ndocs, &job.doc, diags, names) < 0) {
		pthread_mutex_unlock(&e->apply_lock);
		free(names);
		free(hits);
		return -1;
	}
	engine_job_submit(e, &job);
	/* Applied, the document is the engine's: read under apply_lock, as
	 * only an apply frees it. */
	const rules_doc *doc = job.doc ? job.doc : e->doc;
	if (job.rc < 0 && !job.nerrors)
		engine_diags_add(diags, true, job.err, doc, names, set->ndocs);
	for (size_t i = 0; i < job.nerrors; i++) {
		engine_diags_add(diags, true, job.errors[i], doc, names, set->ndocs);
		free(job.errors[i]);
	}
	free(job.errors);
	for (size_t i = 0; i < job.nwarnings; i++) {
		engine_diags_add(diags, false, job.warnings[i], doc, names, set->ndocs);
		free(job.warnings[i]);
	}
	free(job.warnings);
	pthread_mutex_unlock(&e->apply_lock);
	for (size_t k = 0; job.rc == 0 && k < set->ntoggles; k++) {
		if (hits[k])
			continue;
		const engine_toggle *t = &set->toggles[k];
		char item[512];
		snprintf(item, sizeof(item), "toggle '%s %s'", t->rule ? "rule" : "tag", t->rule ? t->rule : t->tag ? t->tag : "");
		engine_diags_add_parts(diags, false, "", 0, 0, item, "toggle-no-match",
				       t->rule ? "no rule of the set has this name" : "no rule of the set has this tag");
	}
	rules_doc_free(job.doc);
	free(names);
	free(hits);
	if (job.rc == 0 && generation)
		*generation = job.generation;
	return job.rc;
}

static int engine_change(engine *e, const engine_document *docs, size_t ndocs, bool apply, uint64_t *generation,
			 engine_diags *diags)
{
	engine_set set = {.docs = docs, .ndocs = ndocs};
	return engine_change_set(e, &set, apply, generation, diags);
}

int engine_set_enabled(engine *e, const char *const *names, size_t nnames, const char *const *tags, size_t ntags,
		       bool enable, uint64_t *generation, engine_diags *diags)
{
	*diags = (engine_diags){0};
	pthread_mutex_lock(&e->apply_lock);
	/* Names must be rules, as a typo would otherwise silently do nothing. */
	int rc = 0;
	for (size_t i = 0; i < nnames; i++) {
		bool found = false;
		pthread_rwlock_rdlock(&e->rs_lock);
		for (size_t j = 0; j < e->rs->rules->n && !found; j++)
			found = strcmp(e->rs->rules->rules[j].name, names[i]) == 0;
		pthread_rwlock_unlock(&e->rs_lock);
		if (!found) {
			char item[512];
			snprintf(item, sizeof(item), "rule '%s'", names[i]);
			engine_diags_add_parts(diags, true, "", 0, 0, item, "", "no rule of the set has this name");
			rc = -1;
		}
	}
	if (rc < 0) {
		pthread_mutex_unlock(&e->apply_lock);
		return -1;
	}
	engine_job job = {.apply = true, .toggle = true, .enable = enable, .names = names, .nnames = nnames,
			  .tags = tags, .ntags = ntags, .doc = e->doc};
	engine_job_submit(e, &job);
	pthread_mutex_unlock(&e->apply_lock);
	/* The warnings are those of the running document, already reported. */
	for (size_t i = 0; i < job.nwarnings; i++)
		free(job.warnings[i]);
	free(job.warnings);
	for (size_t i = 0; i < job.nerrors; i++)
		free(job.errors[i]);
	free(job.errors);
	if (job.rc < 0) {
		engine_diags_add(diags, true, job.err, NULL, NULL, 0);
		return -1;
	}
	if (generation)
		*generation = job.generation;
	return 0;
}

int engine_validate(engine *e, const engine_document *docs, size_t ndocs, engine_diags *diags)
{
	return engine_change(e, docs, ndocs, false, NULL, diags);
}

int engine_apply(engine *e, const engine_document *docs, size_t ndocs, uint64_t *generation, engine_diags *diags)
{
	return engine_change(e, docs, ndocs, true, generation, diags);
}

uint64_t engine_generation(const engine *e)
{
	return atomic_load(&e->generation);
}

void engine_rule_infos_free(engine_rule_info *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].name);
		free(r[i].desc);
		free(r[i].source);
		free(r[i].priority);
		free(r[i].file);
		for (size_t t = 0; t < r[i].ntags; t++)
			free(r[i].tags[t]);
		free(r[i].tags);
	}
	free(r);
}

static char *engine_dup(const char *s, bool *ok)
{
	char *d = strdup(s ? s : "");
	if (!d)
		*ok = false;
	return d;
}

int engine_list_rules(engine *e, engine_rule_info **out, size_t *n, uint64_t *generation)
{
	pthread_rwlock_rdlock(&e->rs_lock);
	const compiled_rules *cr = e->rs->rules;
	engine_rule_info *r = calloc(cr->n ? cr->n : 1, sizeof(*r));
	bool ok = r != NULL;
	for (size_t i = 0; ok && i < cr->n; i++) {
		const compiled_rule *c = &cr->rules[i];
		r[i].name = engine_dup(c->name, &ok);
		r[i].desc = engine_dup(c->desc, &ok);
		r[i].source = engine_dup(c->source, &ok);
		r[i].priority = engine_dup(c->priority_text, &ok);
		r[i].file = engine_dup(c->loc.file, &ok);
		r[i].line = c->loc.line;
		r[i].enabled = ruleset_is_enabled(e->rs, i);
		r[i].matches = atomic_load(&e->rule_matches[i]);
		r[i].tags = calloc(c->ntags ? c->ntags : 1, sizeof(char *));
		ok = ok && r[i].tags;
		for (size_t t = 0; ok && t < c->ntags; t++, r[i].ntags++)
			r[i].tags[t] = engine_dup(c->tags[t], &ok);
	}
	if (generation)
		*generation = atomic_load(&e->generation);
	size_t count = cr->n;
	pthread_rwlock_unlock(&e->rs_lock);
	if (!ok) {
		engine_rule_infos_free(r, count);
		return -1;
	}
	*out = r;
	*n = count;
	return 0;
}

int engine_rule_matches_copy(engine *e, uint64_t generation, uint64_t *out, size_t n)
{
	pthread_rwlock_rdlock(&e->rs_lock);
	int rc = -1;
	if (atomic_load(&e->generation) == generation && e->rs->rules->n == n) {
		for (size_t i = 0; i < n; i++)
			out[i] = atomic_load_explicit(&e->rule_matches[i], memory_order_relaxed);
		rc = 0;
	}
	pthread_rwlock_unlock(&e->rs_lock);
	return rc;
}

int engine_set_settings(engine *e, const engine_settings *s)
{
	if (e->thread_running && pthread_equal(pthread_self(), e->thread))
		return -1;
	pthread_mutex_lock(&e->apply_lock);
	/* Read by the loader of the next set, which runs under apply_lock. */
	e->o.min_priority = s->min_priority;
	rules_limits_resolve(&s->limits, &e->o.limits);
	engine_job job = {.settings = s};
	engine_job_submit(e, &job);
	pthread_mutex_unlock(&e->apply_lock);
	return job.rc;
}

void engine_get_settings(engine *e, engine_settings *out)
{
	pthread_mutex_lock(&e->apply_lock);
	pthread_mutex_lock(&e->job_lock);
	*out = (engine_settings){
		.json_output = e->o.json_output,
		.json_include_output = e->o.json_include_output,
		.json_include_tags = e->o.json_include_tags,
		.rate = e->o.rate,
		.max_burst = e->o.max_burst,
		.min_priority = e->o.min_priority,
		.limits = e->o.limits,
	};
	pthread_mutex_unlock(&e->job_lock);
	pthread_mutex_unlock(&e->apply_lock);
}

uint64_t engine_settings_applied(const engine *e)
{
	return atomic_load_explicit(&e->settings_applied, memory_order_acquire);
}
