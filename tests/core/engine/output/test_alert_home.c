/* Alert homes: an alert released on another thread than its builder's
 * waits on the builder's home and is freed there, at the builder's next
 * alert; past ALERT_HOME_MAX_DEAD, or once the home was left, the
 * releasing thread frees it. ASan and LSan tell that each is freed once. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "engine/output/alert.h"

static engine_alert *home_alert(uint64_t seq)
{
	alert_spec spec = {.seq = seq, .rule = "r", .source = "syscall", .hostname = "h", .text = "t"};
	engine_alert *a = alert_new(&spec);
	assert_non_null(a);
	return a;
}

typedef struct home_batch {
	engine_alert **v;
	size_t n;
} home_batch;

static void *home_release_all(void *arg)
{
	home_batch *b = arg;
	for (size_t i = 0; i < b->n; i++)
		alert_unref(b->v[i]);
	return NULL;
}

static void home_release_elsewhere(engine_alert **v, size_t n)
{
	home_batch b = {v, n};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, home_release_all, &b), 0);
	pthread_join(t, NULL);
}

static void test_released_elsewhere_freed_at_home(void **state)
{
	(void)state;
	alert_home_enter();
	engine_alert *v[10];
	for (size_t i = 0; i < 10; i++)
		v[i] = alert_ref(home_alert(i + 1)); /* one reference here, one there */
	for (size_t i = 0; i < 10; i++)
		alert_unref(v[i]); /* not the last: nothing waits */
	assert_int_equal(alert_home_waiting(), 0);
	home_release_elsewhere(v, 10);
	assert_int_equal(alert_home_waiting(), 10);
	alert_unref(home_alert(11)); /* the next alert frees them; its own release is at home */
	assert_int_equal(alert_home_waiting(), 0);
	/* Idle: tidy frees them without a next alert. */
	engine_alert *w = home_alert(12);
	home_release_elsewhere(&w, 1);
	assert_int_equal(alert_home_waiting(), 1);
	alert_home_tidy();
	assert_int_equal(alert_home_waiting(), 0);
	alert_home_leave();
}

static void test_overflow_freed_by_the_releaser(void **state)
{
	(void)state;
	alert_home_enter();
	size_t n = ALERT_HOME_MAX_DEAD + 100;
	engine_alert **v = malloc(n * sizeof(*v));
	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = home_alert(i + 1);
	home_release_elsewhere(v, n);
	assert_true(alert_home_waiting() <= ALERT_HOME_MAX_DEAD);
	alert_home_leave();
	free(v);
}

static void test_after_leave_freed_by_the_releaser(void **state)
{
	(void)state;
	alert_home_enter();
	engine_alert *v[5];
	for (size_t i = 0; i < 5; i++)
		v[i] = home_alert(i + 1);
	alert_home_leave();
	home_release_elsewhere(v, 5);
	/* The home is free for the next thread, with nothing left on it. */
	alert_home_enter();
	assert_int_equal(alert_home_waiting(), 0);
	alert_home_leave();
}

static void test_without_home_freed_where_released(void **state)
{
	(void)state;
	engine_alert *v[3] = {home_alert(1), home_alert(2), home_alert(3)};
	home_release_elsewhere(v, 3);
	assert_int_equal(alert_home_waiting(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_released_elsewhere_freed_at_home),
		cmocka_unit_test(test_overflow_freed_by_the_releaser),
		cmocka_unit_test(test_after_leave_freed_by_the_releaser),
		cmocka_unit_test(test_without_home_freed_where_released),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
