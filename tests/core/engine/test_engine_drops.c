/* syscall_event_drops' logic (engine_drops.c): Falco 0.31's action rules
 * and messages, its once-per-second-of-event-time check, the threshold,
 * simulate_drops and the token bucket on notices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine_drops.h"

#define SEC 1000000000ull
#define T0 1646092800000000000ull

static unsigned parse(const char *const *names, size_t n, int want_rc, const char *want_err)
{
	unsigned a = 0;
	char err[256] = "";
	int rc = engine_drops_parse_actions(names, n, &a, err, sizeof(err));
	assert_int_equal(rc, want_rc);
	if (want_err)
		assert_string_equal(err, want_err);
	return a;
}

static void test_actions(void **state)
{
	(void)state;
	assert_int_equal(parse(NULL, 0, 0, NULL), ENGINE_DROPS_IGNORE);
	const char *all[] = {"log", "alert", "exit"};
	assert_int_equal(parse(all, 3, 0, NULL), ENGINE_DROPS_LOG | ENGINE_DROPS_ALERT | ENGINE_DROPS_EXIT);
	const char *il[] = {"ignore", "log"};
	parse(il, 2, -1, "syscall event drop action \"log\" does not make sense with the \"ignore\" action");
	const char *ia[] = {"ignore", "alert"};
	parse(ia, 2, -1, "syscall event drop action \"alert\" does not make sense with the \"ignore\" action");
	/* Falco checks in list order: ignore after log is accepted. */
	const char *li[] = {"log", "ignore"};
	assert_int_equal(parse(li, 2, 0, NULL), ENGINE_DROPS_LOG | ENGINE_DROPS_IGNORE);
	const char *ie[] = {"ignore", "exit"};
	assert_int_equal(parse(ie, 2, 0, NULL), ENGINE_DROPS_IGNORE | ENGINE_DROPS_EXIT);
	const char *bad[] = {"panic"};
	parse(bad, 1, -1,
	      "available actions for syscall event drops are \"ignore\", \"log\", \"alert\", and \"exit\"");
}

/* Feeds events `step` apart for `span` of event time; counts notices. */
static uint64_t run(engine_drops *d, uint64_t step, uint64_t span, const backend_drops *(*stats)(uint64_t),
		    uint64_t *checks)
{
	uint64_t acts = 0;
	*checks = 0;
	for (uint64_t ts = T0; ts < T0 + span; ts += step) {
		if (!engine_drops_due(d, ts))
			continue;
		(*checks)++;
		engine_drops_notice n;
		if (engine_drops_check(d, ts, stats ? stats(ts) : NULL, &n) && n.act)
			acts++;
	}
	return acts;
}

static void test_simulate_every_second_of_event_time(void **state)
{
	(void)state;
	engine_drops_opts o = ENGINE_DROPS_OPTS_INIT;
	o.simulate = true;
	o.rate = .03333;
	o.max_burst = 10;
	engine_drops d;
	engine_drops_init(&d, &o);
	uint64_t checks;
	/* Falco's ping_sendto.scap case: 10 s of events, 9 checks. */
	uint64_t acts = run(&d, 5000000, 10 * SEC, NULL, &checks);
	assert_int_equal(checks, 9);
	assert_int_equal(acts, 9);
	assert_int_equal(atomic_load(&d.occurrences), 9);
	backend_drops t;
	engine_drops_totals(&d, &t);
	assert_int_equal(t.n_drops, 9);
	assert_int_equal(t.n_evts, 0);
	char msg[160];
	engine_drops_notice n = {.delta = {.n_drops = 1}};
	engine_drops_message(&n, msg, sizeof(msg));
	assert_string_equal(msg, "Falco internal: syscall event drop. 1 system calls dropped in last second.");
}

static void test_bucket_limits_notices(void **state)
{
	(void)state;
	static const struct {
		double rate, burst;
		uint64_t acts;
	} cases[] = {
		{.03333, 1, 1}, /* Falco's default: one notice, then one per 30 s */
		{0, 3, 3},      /* rate 0: max_burst notices, never more */
		{1, 1, 9},      /* one token a second: every check (1.005 s apart) */
		{.5, 2, 6},     /* 2 tokens, then half a token per check (1.005 s apart): 1 1 1 0 1 0 1 0 1 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		engine_drops_opts o = ENGINE_DROPS_OPTS_INIT;
		o.simulate = true;
		o.rate = cases[i].rate;
		o.max_burst = cases[i].burst;
		engine_drops d;
		engine_drops_init(&d, &o);
		uint64_t checks;
		uint64_t acts = run(&d, 5000000, 10 * SEC, NULL, &checks);
		assert_int_equal(atomic_load(&d.occurrences), 9);
		assert_int_equal(acts, cases[i].acts);
		assert_int_equal(atomic_load(&d.actions), cases[i].acts);
	}
}

static backend_drops live_now;

static const backend_drops *live(uint64_t ts)
{
	(void)ts;
	/* 1000 events and 50 drops (5%) a check, 20 of them buffer drops */
	live_now.n_evts += 1000;
	live_now.n_drops += 50;
	live_now.n_drops_buffer += 20;
	live_now.n_preemptions += 1;
	return &live_now;
}

static void test_threshold_on_driver_counters(void **state)
{
	(void)state;
	for (int above = 0; above < 2; above++) {
		memset(&live_now, 0, sizeof(live_now));
		engine_drops_opts o = ENGINE_DROPS_OPTS_INIT;
		o.threshold = above ? .04 : .05; /* 50 / 1050 = 4.76% */
		o.rate = 1;
		engine_drops d;
		engine_drops_init(&d, &o);
		uint64_t checks;
		run(&d, 5000000, 10 * SEC, live, &checks);
		assert_int_equal(checks, 9);
		assert_int_equal(atomic_load(&d.occurrences), above ? 9 : 0);
		backend_drops t;
		engine_drops_totals(&d, &t);
		assert_int_equal(t.n_evts, 9000);
		assert_int_equal(t.n_drops, 450);
		assert_int_equal(t.n_drops_buffer, 180);
		assert_int_equal(t.n_preemptions, 9);
	}
	/* the deltas of one check */
	memset(&live_now, 0, sizeof(live_now));
	engine_drops_opts o = ENGINE_DROPS_OPTS_INIT;
	o.threshold = 0;
	engine_drops d;
	engine_drops_init(&d, &o);
	assert_false(engine_drops_due(&d, T0));
	assert_false(engine_drops_due(&d, T0 + SEC));
	assert_true(engine_drops_due(&d, T0 + SEC + 1));
	engine_drops_notice n;
	assert_true(engine_drops_check(&d, T0 + SEC + 1, live(0), &n));
	assert_int_equal(n.delta.n_evts, 1000);
	assert_int_equal(n.delta.n_drops, 50);
	assert_int_equal(n.delta.n_drops_buffer, 20);
	assert_true(n.act);
}

static void test_rewind_restarts_checks(void **state)
{
	(void)state;
	engine_drops_opts o = ENGINE_DROPS_OPTS_INIT;
	o.simulate = true;
	o.rate = 1;
	engine_drops d;
	engine_drops_init(&d, &o);
	uint64_t checks;
	run(&d, 5000000, 10 * SEC, NULL, &checks);
	assert_int_equal(checks, 9);
	/* a looped capture: event time starts again */
	engine_drops_rewind(&d);
	uint64_t acts = run(&d, 5000000, 10 * SEC, NULL, &checks);
	assert_int_equal(checks, 9);
	/* the jump back in time earns no token: the first check of the new
	 * pass finds the bucket as the last one of the old pass left it */
	assert_int_equal(acts, 8);
	assert_int_equal(atomic_load(&d.occurrences), 18);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_simulate_every_second_of_event_time),
		cmocka_unit_test(test_bucket_limits_notices),
		cmocka_unit_test(test_threshold_on_driver_counters),
		cmocka_unit_test(test_rewind_restarts_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
