#include "daemon/metrics_snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon_resources.h"
#include "engine/engine.h"
#include "engine/output/alert.h"
#include "engine/output/alert_meta.h"
#include "engine/output/bus.h"
#include "engine/output/json_escape.h"
#include "log/log.h"

#define METRICS_SNAPSHOT_RULE "Falco internal: metrics snapshot"
#define METRICS_SNAPSHOT_MSG "Falco metrics snapshot"
#define METRICS_SNAPSHOT_INFORMATIONAL 6

struct metrics_snapshot {
	metrics_config c;
	char *output_file;
	FILE *file;
	struct engine *engine;
	struct bus *bus;
	bool json, stdout_output, buffered;
	uint64_t start_ns, boot_ns;
	char hostname[256], kernel[128];
	/* the previous tick's counters: Falco's *_prev fields and rates */
	uint64_t last_num_evts, last_n_evts, last_n_drops, last_ns, samples;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
};

/* One output field: a number (integer or double) or a string. */
typedef struct snap_field {
	char *name;
	int kind; /* 0 u64, 1 double, 2 string */
	uint64_t u;
	double d;
	const char *s; /* borrowed from the snapshot */
} snap_field;

typedef struct snap_fields {
	snap_field *v;
	size_t n, cap;
	bool oom;
} snap_fields;

static void snap_add(snap_fields *f, const char *name, int kind, uint64_t u, double d, const char *s)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		snap_field *v = realloc(f->v, cap * sizeof(*v));
		if (!v) {
			f->oom = true;
			return;
		}
		f->v = v;
		f->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy) {
		f->oom = true;
		return;
	}
	f->v[f->n++] = (snap_field){.name = copy, .kind = kind, .u = u, .d = d, .s = s};
}

#define SNAP_U64(f, name, v) snap_add((f), (name), 0, (v), 0, NULL)
#define SNAP_DBL(f, name, v) snap_add((f), (name), 1, 0, (v), NULL)
#define SNAP_STR(f, name, v) snap_add((f), (name), 2, 0, 0, (v))

/* A group's counter: zeros only with include_empty_values, as Falco. */
static void snap_counter(metrics_snapshot *s, snap_fields *f, const char *name, uint64_t v)
{
	if (v || s->c.include_empty_values)
		SNAP_U64(f, name, v);
}

static int snap_cmp(const void *a, const void *b)
{
	return strcmp(((const snap_field *)a)->name, ((const snap_field *)b)->name);
}

/* Falco's sanitize_rule_name: [^a-zA-Z0-9_:] to '_', runs of '_' to one,
 * no trailing '_'. */
static void snap_sanitize(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	for (; *in && n + 1 < cap; in++) {
		char c = *in;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
			  c == ':';
		if (!ok)
			c = '_';
		if (c == '_' && n && out[n - 1] == '_')
			continue;
		out[n++] = c;
	}
	if (n && out[n - 1] == '_')
		n--;
	out[n] = '\0';
}

static double snap_round1(double v)
{
	return round(v * 10.0) / 10.0;
}

/* Memory in Falco's unit convention: kB, or MB (one decimal) with
 * convert_memory_to_mb, the name's suffix following. */
static void snap_memory(metrics_snapshot *s, snap_fields *f, const char *base, uint64_t bytes)
{
	char name[64];
	if (s->c.convert_memory_to_mb) {
		snprintf(name, sizeof(name), "falco.%s_mb", base);
		double mb = snap_round1((double)bytes / 1024.0 / 1024.0);
		if (mb != 0 || s->c.include_empty_values)
			SNAP_DBL(f, name, mb);
	} else {
		snprintf(name, sizeof(name), "falco.%s_kb", base);
		snap_counter(s, f, name, bytes / 1024);
	}
}

static void snap_collect(metrics_snapshot *s, snap_fields *f, uint64_t now)
{
	double dt = s->last_ns && now > s->last_ns ? (double)(now - s->last_ns) / 1e9 : 0;
	engine_stats es;
	engine_get_stats(s->engine, &es);
	bus_totals bt = {0};
	if (s->bus)
		bus_stats(s->bus, &bt);

	/* Falco's wrapper fields, always there. */
	SNAP_U64(f, "evt.time", now);
	SNAP_STR(f, "falco.version", FAPI_VERSION_STRING);
	SNAP_U64(f, "falco.start_ts", s->start_ns);
	SNAP_U64(f, "falco.duration_sec", now > s->start_ns ? (now - s->start_ns) / 1000000000ull : 0);
	SNAP_STR(f, "falco.kernel_release", s->kernel);
	SNAP_STR(f, "evt.hostname", s->hostname);
	SNAP_U64(f, "falco.host_boot_ts", s->boot_ns);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	SNAP_U64(f, "falco.host_num_cpus", cpus > 0 ? (uint64_t)cpus : 0);
	SNAP_U64(f, "falco.outputs_queue_num_drops", bt.dropped);
	SNAP_STR(f, "evt.source", "syscall");
	if (s->last_num_evts && dt > 0)
		SNAP_DBL(f, "falco.evts_rate_sec", snap_round1((double)(es.events - s->last_num_evts) / dt));
	SNAP_U64(f, "falco.num_evts", es.events);
	SNAP_U64(f, "falco.num_evts_prev", s->last_num_evts);
	s->last_num_evts = es.events;

	if (s->c.rules_counters) {
		engine_rule_info *rules = NULL;
		size_t n = 0;
		if (engine_list_rules(s->engine, &rules, &n, NULL) == 0) {
			uint64_t total = 0;
			char name[512], clean[480];
			for (size_t i = 0; i < n; i++) {
				total += rules[i].matches;
				if (!rules[i].matches && !s->c.include_empty_values)
					continue;
				snap_sanitize(rules[i].name, clean, sizeof(clean));
				snprintf(name, sizeof(name), "falco.rules.%s", clean);
				SNAP_U64(f, name, rules[i].matches);
			}
			SNAP_U64(f, "falco.rules.matches_total", total);
			engine_rule_infos_free(rules, n);
		} else {
			f->oom = true;
		}
	}
	if (s->c.resource_utilization) {
		daemon_resources r;
		daemon_resources_read(&r);
		double perc = snap_round1(r.cpu_ratio * 100.0);
		if (perc != 0 || s->c.include_empty_values)
			SNAP_DBL(f, "falco.cpu_usage_perc", perc);
		snap_memory(s, f, "memory_rss", r.rss_bytes);
		snap_memory(s, f, "memory_vsz", r.vsz_bytes);
		snap_memory(s, f, "memory_pss", r.pss_bytes);
	}
	if (s->c.kernel_event_counters) {
		backend_drops k = {0};
		bool ebpf = false;
		engine_get_kernel_losses(s->engine, &k, &ebpf);
		/* n_evts, n_drops and their derivatives always, as Falco. */
		uint64_t de = k.n_evts - s->last_n_evts, dd = k.n_drops - s->last_n_drops;
		SNAP_U64(f, "scap.n_evts", k.n_evts);
		SNAP_U64(f, "scap.n_evts_prev", s->last_n_evts);
		SNAP_DBL(f, "scap.evts_rate_sec", de && dt > 0 ? snap_round1((double)de / dt) : 0.0);
		SNAP_U64(f, "scap.n_drops", k.n_drops);
		SNAP_U64(f, "scap.n_drops_prev", s->last_n_drops);
		SNAP_DBL(f, "scap.evts_drop_rate_sec", dd && dt > 0 ? snap_round1((double)dd / dt) : 0.0);
		SNAP_DBL(f, "scap.n_drops_perc", de ? 100.0 * (double)dd / (double)de : 0.0);
		snap_counter(s, f, "scap.n_drops_buffer_total", k.n_drops_buffer);
		snap_counter(s, f, "scap.n_drops_scratch_map", k.n_drops_scratch_map);
		snap_counter(s, f, "scap.n_drops_page_faults", k.n_drops_pf);
		snap_counter(s, f, "scap.n_drops_bug", k.n_drops_bug);
		snap_counter(s, f, "scap.n_preemptions", k.n_preemptions);
		s->last_n_evts = k.n_evts;
		s->last_n_drops = k.n_drops;
	}
	/* state_counters (libsinsp's thread and fd tables) and libbpf_stats
	 * (the eBPF probe's programs) have no source in this daemon. */
	s->last_ns = now;
	qsort(f->v, f->n, sizeof(*f->v), snap_cmp);
}

/* A number as nlohmann writes it: integers as they are, doubles with a
 * decimal point. */
static void snap_value(FILE *out, const snap_field *v)
{
	if (v->kind == 0)
		fprintf(out, "%" PRIu64, v->u);
	else if (v->kind == 2)
		json_escape_write(out, v->s);
	else if (v->d == floor(v->d) && fabs(v->d) < 1e15)
		fprintf(out, "%.1f", v->d);
	else {
		/* the shortest text that reads back as the same double, as
		 * nlohmann's dump: 5.9, not 5.9000000000000004 */
		char buf[32];
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(buf, sizeof(buf), "%.*g", prec, v->d);
			if (strtod(buf, NULL) == v->d)
				break;
		}
		fputs(buf, out);
	}
}

static void snap_free_fields(snap_fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].name);
	free(f->v);
}

/* The alert as Falco's falco_outputs::handle_msg makes it: text
 * "<time>: Informational Falco metrics snapshot (k=v ...)" with values as
 * JSON, or (json_output) {"hostname","output","output_fields","priority",
 * "rule","source","time"}. */
static void snap_publish(metrics_snapshot *s, const snap_fields *f, const char *fields_json, uint64_t now)
{
	char when[64];
	char *text = NULL, *json = NULL, *vals = NULL;
	size_t tlen = 0, jlen = 0, vlen = 0;
	FILE *t = open_memstream(&text, &tlen);
	FILE *vv = open_memstream(&vals, &vlen);
	alert_field *af = calloc(f->n ? f->n : 1, sizeof(*af));
	size_t *voff = calloc(f->n ? f->n : 1, sizeof(*voff));
	if (!t || !vv || !af || !voff)
		goto out;
	alert_meta_time_text(now, when, sizeof(when));
	fprintf(t, "%s: %s %s (", when, alert_priority_name(METRICS_SNAPSHOT_INFORMATIONAL), METRICS_SNAPSHOT_MSG);
	for (size_t i = 0; i < f->n; i++) {
		fprintf(t, "%s%s=", i ? " " : "", f->v[i].name);
		snap_value(t, &f->v[i]);
		/* the gRPC output_fields: text values, strings unquoted */
		fflush(vv);
		voff[i] = (size_t)ftell(vv);
		if (f->v[i].kind == 2)
			fputs(f->v[i].s, vv);
		else
			snap_value(vv, &f->v[i]);
		fputc('\0', vv);
	}
	fputc(')', t);
	if (fclose(t) != 0) {
		t = NULL;
		goto out;
	}
	t = NULL;
	if (fclose(vv) != 0) {
		vv = NULL;
		goto out;
	}
	vv = NULL;
	for (size_t i = 0; i < f->n; i++)
		af[i] = (alert_field){f->v[i].name, vals + voff[i]};
	if (s->json) {
		FILE *j = open_memstream(&json, &jlen);
		if (!j)
			goto out;
		alert_meta_json_time(now, when, sizeof(when));
		fputs("{\"hostname\":", j);
		json_escape_write(j, s->hostname);
		fprintf(j, ",\"output\":\"%s\",\"output_fields\":%s,\"priority\":\"%s\",\"rule\":\"%s\","
			   "\"source\":\"internal\",\"time\":\"%s\"}",
			METRICS_SNAPSHOT_MSG, fields_json, alert_priority_name(METRICS_SNAPSHOT_INFORMATIONAL),
			METRICS_SNAPSHOT_RULE, when);
		if (fclose(j) != 0)
			goto out;
	}
	alert_spec spec = {
		.seq = 0, /* not the engine's: this thread is not its emission order */
		.time_ns = now,
		.priority = METRICS_SNAPSHOT_INFORMATIONAL,
		.rule = METRICS_SNAPSHOT_RULE,
		.source = "internal",
		.hostname = s->hostname,
		.text = text,
		.json = json,
		.fields_json = s->json ? fields_json : NULL,
		.fields = af,
		.nfields = f->n,
	};
	engine_alert *a = alert_new(&spec);
	if (a) {
		if (s->stdout_output) {
			/* as the engine writes its alerts: a whole line under the lock */
			flockfile(stdout);
			fputs(a->output, stdout);
			putc_unlocked('\n', stdout);
			if (!s->buffered)
				fflush(stdout);
			funlockfile(stdout);
		}
		bus_publish(s->bus, a);
		alert_unref(a);
	}
out:
	if (t)
		fclose(t);
	if (vv)
		fclose(vv);
	free(text);
	free(json);
	free(vals);
	free(af);
	free(voff);
}

static void snap_tick(metrics_snapshot *s)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	snap_fields f = {0};
	snap_collect(s, &f, now);
	char *fj = NULL;
	size_t fjlen = 0;
	FILE *j = f.oom ? NULL : open_memstream(&fj, &fjlen);
	if (j) {
		fputc('{', j);
		for (size_t i = 0; i < f.n; i++) {
			fprintf(j, "%s\"%s\":", i ? "," : "", f.v[i].name);
			snap_value(j, &f.v[i]);
		}
		fputc('}', j);
		if (fclose(j) != 0) {
			free(fj);
			fj = NULL;
		}
	}
	if (!fj) {
		log_msg(FAPI_LOG_ERROR, "metrics", "metrics snapshot: out of memory");
		snap_free_fields(&f);
		return;
	}
	s->samples++;
	if (s->c.output_rule && s->bus)
		snap_publish(s, &f, fj, now);
	if (s->file) {
		/* Falco's line: nlohmann's order puts output_fields before sample. */
		if (fprintf(s->file, "{\"output_fields\":%s,\"sample\":%" PRIu64 "}\n", fj, s->samples) < 0 ||
		    fflush(s->file) != 0)
			log_msg(FAPI_LOG_ERROR, "metrics", "metrics.output_file '%s': %s", s->output_file,
				strerror(errno));
	}
	free(fj);
	snap_free_fields(&f);
}

static void *snap_thread(void *arg)
{
	metrics_snapshot *s = arg;
	pthread_setname_np(pthread_self(), "metrics");
	struct timespec due;
	clock_gettime(CLOCK_MONOTONIC, &due);
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		due.tv_sec += (time_t)(s->c.interval_ms / 1000);
		due.tv_nsec += (long)(s->c.interval_ms % 1000) * 1000000L;
		if (due.tv_nsec >= 1000000000L) {
			due.tv_sec++;
			due.tv_nsec -= 1000000000L;
		}
		int rc = 0;
		while (!s->stop && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&s->cond, &s->lock, &due);
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		snap_tick(s);
		pthread_mutex_lock(&s->lock);
		/* A tick that took longer than the interval: the next from now. */
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > due.tv_sec + 1)
			due = now;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Everything but the thread, which has ended or never started. */
static void snap_free(metrics_snapshot *s)
{
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	if (s->file)
		fclose(s->file);
	free(s->output_file);
	free(s);
}

int metrics_snapshot_start(metrics_snapshot **out, const metrics_snapshot_opts *o, char *err, size_t errlen)
{
	*out = NULL;
	if (!o->config->enabled)
		return 0;
	metrics_snapshot *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->c = *o->config;
	s->c.interval = NULL;
	s->c.output_file = NULL;
	s->engine = o->engine;
	s->bus = o->bus;
	s->json = o->json_output;
	s->stdout_output = o->stdout_output;
	s->buffered = o->buffered_outputs;
	s->start_ns = daemon_resources_start_ns();
	s->boot_ns = daemon_resources_boot_ns();
	if (gethostname(s->hostname, sizeof(s->hostname)) != 0)
		s->hostname[0] = '\0';
	s->hostname[sizeof(s->hostname) - 1] = '\0';
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(s->kernel, sizeof(s->kernel), "%s", u.release);
	if (o->config->output_file) {
		if (!(s->output_file = strdup(o->config->output_file))) {
			snprintf(err, errlen, "out of memory");
			free(s);
			return -1;
		}
		if (!(s->file = fopen(s->output_file, "a"))) {
			snprintf(err, errlen, "metrics.output_file '%s': %s", s->output_file, strerror(errno));
			free(s->output_file);
			free(s);
			return -1;
		}
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->thread, NULL, snap_thread, s) != 0) {
		snprintf(err, errlen, "cannot start the metrics snapshot thread");
		snap_free(s);
		return -1;
	}
	log_msg(FAPI_LOG_INFO, "metrics", "Setting metrics interval to %s, equivalent to %" PRIu64 " (ms)",
		o->config->interval, o->config->interval_ms);
	*out = s;
	return 0;
}

void metrics_snapshot_stop(metrics_snapshot *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	snap_free(s);
}
