/* The bridge answers some checks without libsinsp's compare(): evt.type
 * from a table, and `evt.arg.NAME contains X` on flags parameters from the
 * flag table without formatting. These must give libsinsp's answers on every
 * event: compared here, check by check, over the generated captures (and
 * Falco's, when the shared folder is there). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/backends/syscall/sinsp_bridge.h"

#ifndef FAPI_SHARED_DIR
#define FAPI_SHARED_DIR "/work/shared/falco-0.31.1"
#endif
#ifndef FAPI_TEST_BUILD_DIR
#define FAPI_TEST_BUILD_DIR "build"
#endif

typedef struct probe {
	const char *field;
	const char *op;
	const char *value;
} probe;

static const probe probes[] = {
	{"evt.arg.flags", "contains", "O_CREAT"},   {"evt.arg.flags", "contains", "O_RDONLY"},
	{"evt.arg.flags", "contains", "O_WRONLY"},  {"evt.arg.flags", "contains", "O_RDWR"},
	{"evt.arg.flags", "contains", "CLOEXEC"},   {"evt.arg.flags", "contains", "|"},
	{"evt.arg.flags", "contains", "O_"},        {"evt.arg.flags", "contains", "1"},
	{"evt.arg.flags", "contains", "0"},         {"evt.arg.flags", "contains", "O_NONE"},
	{"evt.arg.flags", "contains", "O_RDONLY|O_CLOEXEC"},
	{"evt.arg.prot", "contains", "PROT_EXEC"},  {"evt.arg.mode", "contains", "S_IX"},
	{"evt.arg.name", "contains", "shadow"},     {"evt.type", "=", "openat"},
	{"evt.type", "in", "open,openat,execve"},   {"evt.type", "!=", "read"},
};

/* Replays one capture, evaluating every probe both ways on every event;
 * returns the number of events. */
static uint64_t compare_on(const char *path, unsigned flags)
{
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_inspector *insp = sinsp_bridge_inspector_create(flags, &err);
	assert_non_null(insp);
	size_t n = sizeof(probes) / sizeof(probes[0]);
	sinsp_bridge_check *checks[sizeof(probes) / sizeof(probes[0])];
	for (size_t i = 0; i < n; i++) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", probes[i].value);
		const char *vals[8];
		size_t nv = 0;
		for (char *tok = strtok(buf, ","); tok && nv < 8; tok = strtok(NULL, ","))
			vals[nv++] = tok;
		if (strcmp(probes[i].op, "in") != 0) {
			vals[0] = probes[i].value;
			nv = 1;
		}
		int rc = sinsp_bridge_check_compile(insp, probes[i].field, NULL, probes[i].op, vals, nv, &checks[i], &err);
		if (rc != SINSP_BRIDGE_OK)
			fail_msg("%s %s %s: %s", probes[i].field, probes[i].op, probes[i].value, err.msg);
	}
	assert_int_equal(sinsp_bridge_open_file(insp, path, &err), SINSP_BRIDGE_OK);
	uint64_t events = 0, matches = 0;
	sinsp_bridge_evt *evt;
	int rc;
	while ((rc = sinsp_bridge_next(insp, &evt, &err)) != SINSP_BRIDGE_EOF) {
		assert_true(rc == SINSP_BRIDGE_OK || rc == SINSP_BRIDGE_TIMEOUT);
		if (rc != SINSP_BRIDGE_OK)
			continue;
		events++;
		for (size_t i = 0; i < n; i++) {
			bool fast = sinsp_bridge_check_eval(checks[i], evt);
			bool ref = sinsp_bridge_check_eval_reference(checks[i], evt);
			if (fast != ref)
				fail_msg("%s: event %llu (%s): %s %s %s: bridge %d, libsinsp %d", path,
					 (unsigned long long)sinsp_bridge_evt_num(evt),
					 sinsp_bridge_evttype_name(sinsp_bridge_evt_type(evt)), probes[i].field, probes[i].op,
					 probes[i].value, fast, ref);
			matches += fast;
		}
	}
	/* the probes do match something: the comparison is not vacuous */
	assert_true(matches > 0);
	for (size_t i = 0; i < n; i++)
		sinsp_bridge_check_free(checks[i]);
	sinsp_bridge_inspector_destroy(insp);
	return events;
}

static void test_generated_captures(void **state)
{
	(void)state;
	const char *names[] = {"basic.scap", "mix-small.scap"};
	for (size_t i = 0; i < 2; i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/captures/%s", FAPI_TEST_BUILD_DIR, names[i]);
		if (access(path, R_OK) != 0)
			fail_msg("%s missing: build the fapi-captures target", path);
		assert_true(compare_on(path, SINSP_BRIDGE_ALL_EVENTS) > 100);
	}
}

static void test_falco_captures(void **state)
{
	(void)state;
	const char *names[] = {"cat_write.scap", "open-multiple-files.scap", "syscall.scap"};
	char path[1024];
	snprintf(path, sizeof(path), "%s/captures/%s", FAPI_SHARED_DIR, names[0]);
	if (access(path, R_OK) != 0) {
		print_message("shared Falco captures not found at %s: skipped\n", FAPI_SHARED_DIR);
		skip();
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/captures/%s", FAPI_SHARED_DIR, names[i]);
		compare_on(path, SINSP_BRIDGE_ALL_EVENTS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_captures),
		cmocka_unit_test(test_falco_captures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
