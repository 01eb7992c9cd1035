/* The syscall replay (engine thread) and k8s audit input events (the inputs
 * thread, engine_input.h) evaluated at once, with ruleset swaps during both:
 * every set has one rule per source matching every event of it, so the
 * alerts of each source are exactly its events however the swaps fall (an
 * event lost or evaluated twice changes a count); every alert comes from
 * the set that was active for it (never a rule of neither); the input
 * alerts come in event order, on the sink and in each batch's want_alerts
 * list, with ascending sequence numbers. Checked by ASan/UBSan in
 * build-asan (ThreadSanitizer cannot instrument libsinsp here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/engine_input.h"
#include "engine/output/alert.h"

#ifndef FAPI_SHARED_DIR
#define FAPI_SHARED_DIR "/work/shared/falco-0.31.1"
#endif
#define CAPTURE FAPI_SHARED_DIR "/captures/cat_write.scap"
#define K8S_EVENT FAPI_SHARED_DIR "/k8s_audit/exec_pod.json"

#define SET(x)                                                                                                         \
	"- rule: s_" x "\n  desc: every syscall event\n  condition: evt.num > 0\n  output: s %evt.num\n"                \
	"  priority: WARNING\n"                                                                                        \
	"- rule: k_" x "\n  desc: every audit event\n  condition: ka.target.resource = pods\n"                         \
	"  output: k %ka.auditid\n  priority: WARNING\n  source: k8s_audit\n"
static const char set_a[] = SET("a");
static const char set_b[] = SET("b");

#define BATCH 100
#define NBATCHES 200

typedef struct counts {
	_Atomic uint64_t s, k, wrong;
	/* Touched by the inputs thread only (k8s_audit alerts). */
	long last_k;          /* index of the last input event alerted */
	uint64_t last_k_seq;
	uint64_t k_disorder;
	/* Touched by the engine thread only. */
	uint64_t last_s_seq;
	uint64_t s_disorder;
} counts;

static void count_sink(void *user, engine_alert *a)
{
	counts *c = user;
	if (strcmp(a->rule, "s_a") == 0 || strcmp(a->rule, "s_b") == 0) {
		atomic_fetch_add(&c->s, 1);
		c->s_disorder += a->seq <= c->last_s_seq;
		c->last_s_seq = a->seq;
	} else if (strcmp(a->rule, "k_a") == 0 || strcmp(a->rule, "k_b") == 0) {
		atomic_fetch_add(&c->k, 1);
		const char *p = strstr(a->output, "k n");
		long idx = p ? strtol(p + 3, NULL, 10) : -1;
		c->k_disorder += idx != c->last_k + 1 || a->seq <= c->last_k_seq;
		c->last_k = idx;
		c->last_k_seq = a->seq;
	} else {
		atomic_fetch_add(&c->wrong, 1);
	}
}

/* One batch's acknowledgement: its alerts must be its events, in order. */
typedef struct batch_ack {
	long first;
	atomic_bool done;
	uint64_t accepted, nalerts;
	bool in_order;
} batch_ack;

static void on_done(const fapi_input_result *r, void *user)
{
	batch_ack *b = user;
	b->accepted = r->accepted;
	b->nalerts = r->nalerts;
	b->in_order = !r->discarded;
	for (size_t i = 0; i < r->nalerts; i++) {
		const engine_alert *a = (const engine_alert *)r->alerts[i];
		const char *p = strstr(a->output, "k n");
		if (!p || strtol(p + 3, NULL, 10) != b->first + (long)i)
			b->in_order = false;
	}
	atomic_store(&b->done, true);
}

static char *read_line(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char buf[1 << 16];
	char *l = fgets(buf, sizeof(buf), f);
	fclose(f);
	assert_non_null(l);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* The shared audit event with auditID "n<i>": the alert output names it. */
static char *event_text(const char *tmpl, long i)
{
	const char *id = strstr(tmpl, "\"auditID\":\"");
	assert_non_null(id);
	id += strlen("\"auditID\":\"");
	const char *end = strchr(id, '"');
	size_t len = strlen(tmpl) + 32;
	char *t = malloc(len);
	assert_non_null(t);
	snprintf(t, len, "%.*sn%06ld%s", (int)(id - tmpl), tmpl, i, end);
	return t;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void apply(engine *e, const char *text)
{
	engine_document d = {.name = "set.yaml", .text = text, .len = strlen(text)};
	engine_diags diags;
	uint64_t gen = 0;
	int rc = engine_apply(e, &d, 1, &gen, &diags);
	for (size_t i = 0; i < diags.n; i++)
		if (diags.items[i].error)
			print_message("%s\n", diags.items[i].message);
	engine_diags_free(&diags);
	assert_int_equal(rc, 0);
}

static void on_end(void *user, int rc, const char *err)
{
	(void)err;
	atomic_store((atomic_int *)user, rc == 0 ? 1 : -1);
}

typedef struct submitter {
	engine_input_src *src;
	char **texts;
	size_t *lens;
	batch_ack *acks;
	atomic_bool finished;
} submitter;

static void *submit_all(void *arg)
{
	submitter *s = arg;
	for (long b = 0; b < NBATCHES; b++) {
		s->acks[b].first = b * BATCH;
		fapi_input_batch bt = FAPI_INPUT_BATCH_INIT;
		bt.events = (const char *const *)&s->texts[b * BATCH];
		bt.lens = &s->lens[b * BATCH];
		bt.n = BATCH;
		bt.want_alerts = true;
		bt.done = on_done;
		bt.user = &s->acks[b];
		char err[256];
		if (engine_input_submit(s->src, &bt, err, sizeof(err)) != FAPI_OK)
			break;
		/* A few batches in flight, as the module's queue bound keeps it. */
		if (b >= 4)
			while (!atomic_load(&s->acks[b - 4].done))
				sleep_ms(1);
	}
	atomic_store(&s->finished, true);
	return NULL;
}

static void test_both_sources_with_swaps(void **state)
{
	(void)state;
	if (access(CAPTURE, R_OK) != 0 || access(K8S_EVENT, R_OK) != 0) {
		print_message("skipping: %s or %s not found\n", CAPTURE, K8S_EVENT);
		skip();
	}
	engine_opts o = {.all_events = true, .min_priority = 7};
	engine *e = NULL;
	char err[512];
	assert_int_equal(engine_create(&e, &o, err, sizeof(err)), 0);
	counts *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->last_k = -1;
	engine_set_sink(e, count_sink, c);
	apply(e, set_a);

	/* Syscall events per loop, and alerts per loop (every event). */
	atomic_bool stop = false;
	assert_int_equal(engine_open_capture(e, CAPTURE, 1, 0, err, sizeof(err)), 0);
	assert_int_equal(engine_run(e, &stop, err, sizeof(err)), 0);
	uint64_t per_loop = atomic_load(&c->s);
	assert_true(per_loop > 0);
	engine_stats one;
	engine_get_stats(e, &one);
	atomic_store(&c->s, 0);
	c->last_s_seq = 0;

	engine_input *in = NULL;
	assert_int_equal(engine_input_new(&in, e, err, sizeof(err)), 0);
	submitter s = {0};
	assert_int_equal(engine_input_open(in, "k8s_audit", &s.src, err, sizeof(err)), FAPI_OK);
	const char *tmpl = read_line(K8S_EVENT);
	size_t n = (size_t)BATCH * NBATCHES;
	s.texts = calloc(n, sizeof(*s.texts));
	s.lens = calloc(n, sizeof(*s.lens));
	s.acks = calloc(NBATCHES, sizeof(*s.acks));
	assert_non_null(s.texts);
	assert_non_null(s.lens);
	assert_non_null(s.acks);
	for (size_t i = 0; i < n; i++) {
		s.texts[i] = event_text(tmpl, (long)i);
		s.lens[i] = strlen(s.texts[i]);
	}

	uint64_t loops = 60000 / one.events + 1;
	atomic_int ended = 0;
	assert_int_equal(engine_open_capture(e, CAPTURE, loops, 0, err, sizeof(err)), 0);
	assert_int_equal(engine_start(e, on_end, &ended), 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, submit_all, &s), 0);
	/* Swaps while both sources flow (and after either ended). */
	int swaps = 0;
	while (!atomic_load(&ended) || !atomic_load(&s.finished) || swaps < 10) {
		apply(e, swaps % 2 ? set_a : set_b);
		swaps++;
		sleep_ms(2);
	}
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&ended), 1);
	engine_stop(e);
	for (long b = 0; b < NBATCHES; b++)
		while (!atomic_load(&s.acks[b].done))
			sleep_ms(1);
	assert_int_equal(engine_input_close(s.src), 0);
	engine_input_free(in);

	engine_stats st;
	engine_get_stats(e, &st);
	print_message("%llu syscall loops (%llu alerts), %zu input events, %d swaps\n", (unsigned long long)loops,
		      (unsigned long long)atomic_load(&c->s), n, swaps);
	assert_int_equal(atomic_load(&c->wrong), 0);
	assert_int_equal(atomic_load(&c->s), loops * per_loop);
	assert_int_equal(atomic_load(&c->k), n);
	assert_int_equal(st.events - one.events, loops * one.events + n);
	assert_int_equal(st.alerts - one.alerts, loops * per_loop + n);
	assert_int_equal(c->k_disorder, 0);
	assert_int_equal(c->s_disorder, 0);
	assert_int_equal(c->last_k, (long)n - 1);
	for (long b = 0; b < NBATCHES; b++) {
		assert_int_equal(s.acks[b].accepted, BATCH);
		assert_int_equal(s.acks[b].nalerts, BATCH);
		assert_true(s.acks[b].in_order);
	}
	for (size_t i = 0; i < n; i++)
		free(s.texts[i]);
	free(s.texts);
	free(s.lens);
	free(s.acks);
	free(c);
	engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_sources_with_swaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
