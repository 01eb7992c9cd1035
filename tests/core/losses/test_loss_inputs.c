/* The input-queue registry of loss reports (core/losses/loss_inputs.c)
 * and the listing of every source (losses.c) over a bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/output/bus.h"
#include "losses/loss_inputs.h"
#include "losses/losses.h"

typedef struct seen {
	fapi_loss_source src[8];
	char names[8][64], ids[8][64];
	size_t n;
} seen;

static void collect(const fapi_loss_source *s, void *user)
{
	seen *v = user;
	assert_true(v->n < 8);
	v->src[v->n] = *s;
	strcpy(v->names[v->n], s->name);
	strcpy(v->ids[v->n], s->identity);
	v->n++;
}

static void test_inputs(void **state)
{
	(void)state;
	loss_inputs *r = loss_inputs_new();
	assert_non_null(r);
	loss_input *a, *b, *c;
	char err[128];
	assert_int_equal(loss_inputs_register(r, "", 1, &a, err, sizeof(err)), -1);
	assert_int_equal(loss_inputs_register(r, "k8s_audit", 100, &a, err, sizeof(err)), 0);
	assert_int_equal(loss_inputs_register(r, "grpc-events", 10, &b, err, sizeof(err)), 0);
	assert_int_equal(loss_inputs_register(r, "third", 5, &c, err, sizeof(err)), 0);
	loss_input_report(a, 3, 100);
	loss_input_report(a, 4, 99);
	loss_input_report(b, 0, 7);
	loss_inputs_unregister(c);
	losses_where w = {.inputs = r};
	seen v = {0};
	assert_int_equal(losses_foreach(&w, FAPI_LOSS_ALL, collect, &v), 2);
	assert_string_equal(v.names[0], "k8s_audit");
	assert_int_equal(v.src[0].kind, FAPI_LOSS_INPUT_QUEUE);
	assert_int_equal(v.src[0].lost, 7);
	assert_int_equal(v.src[0].depth, 99);
	assert_int_equal(v.src[0].capacity, 100);
	assert_string_equal(v.names[1], "grpc-events");
	assert_int_equal(v.src[1].lost, 0);
	assert_int_equal(v.src[1].depth, 7);
	assert_true(v.src[0].id != v.src[1].id);
	/* the kind mask */
	memset(&v, 0, sizeof(v));
	assert_int_equal(losses_foreach(&w, FAPI_LOSS_BIT(FAPI_LOSS_KERNEL), collect, &v), 0);
	/* a new registration after an unregister keeps the order and a fresh id */
	loss_inputs_unregister(a);
	assert_int_equal(loss_inputs_register(r, "k8s_audit", 100, &a, err, sizeof(err)), 0);
	memset(&v, 0, sizeof(v));
	assert_int_equal(losses_foreach(&w, FAPI_LOSS_ALL, collect, &v), 2);
	assert_string_equal(v.names[0], "grpc-events");
	assert_string_equal(v.names[1], "k8s_audit");
	assert_int_equal(v.src[1].lost, 0);
	loss_inputs_free(r);
}

static void test_bus_subscribers(void **state)
{
	(void)state;
	bus *b = bus_new();
	bus_sub_opts o = {.capacity = 2, .name = "outputs#1(local)"};
	bus_subscriber *s1 = bus_subscribe(b, &o, NULL, 0);
	o.name = "other";
	bus_subscriber *s2 = bus_subscribe(b, &o, NULL, 0);
	bus_subscriber_set_identity(s1, "unix uid 1000");
	alert_spec spec = {.rule = "r", .source = "syscall", .hostname = "h", .text = "t"};
	for (int i = 0; i < 5; i++) {
		engine_alert *a = alert_new(&spec);
		bus_publish(b, a);
		alert_unref(a);
	}
	losses_where w = {.bus = b};
	seen v = {0};
	assert_int_equal(losses_foreach(&w, FAPI_LOSS_BIT(FAPI_LOSS_OUTPUT_QUEUE), collect, &v), 2);
	assert_string_equal(v.names[0], "outputs#1(local)");
	assert_string_equal(v.ids[0], "unix uid 1000");
	assert_int_equal(v.src[0].kind, FAPI_LOSS_OUTPUT_QUEUE);
	assert_int_equal(v.src[0].lost, 3);
	assert_int_equal(v.src[0].depth, 2);
	assert_int_equal(v.src[0].capacity, 2);
	assert_string_equal(v.ids[1], "");
	assert_true(v.src[0].id && v.src[1].id && v.src[0].id != v.src[1].id);
	/* the in-band count is the same */
	uint64_t lost = 0;
	engine_alert *a = bus_pop(s1, &lost);
	assert_int_equal(lost, 3);
	alert_unref(a);
	bus_unsubscribe(s1);
	bus_unsubscribe(s2);
	bus_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inputs),
		cmocka_unit_test(test_bus_subscribers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
