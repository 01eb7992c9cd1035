/*
 * test_sinsp_bridge.c - unit tests of the libsinsp bridge (core/engine/backends/syscall/sinsp_bridge.h)
 * against Falco 0.31.1's own captures and expectations.
 *
 * Falco 0.31.1's test suite (test/falco_tests.yaml) says that on cat_write.scap
 * with rules/single_rule.yaml + rules/double_rule.yaml and -A (all events):
 *   open_from_cat 8, access_from_cat 6, exec_from_cat 1
 * and without -A access_from_cat fires 0 times (access is a simple-consumer
 * event type, dropped by default). The expected alert text is
 *   "16:17:57.881781397: Warning An open was seen (command=cat /dev/null)"
 * with TZ=UTC.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/backends/syscall/sinsp_bridge.h"
#include "engine/output/alert_meta.h"

#ifndef FAPI_SHARED_DIR
#define FAPI_SHARED_DIR "/work/shared/falco-0.31.1"
#endif

#define CAT_WRITE FAPI_SHARED_DIR "/captures/cat_write.scap"

/* Timestamp of the first open (enter) by cat in cat_write.scap. */
#define FIRST_CAT_OPEN_TS 1470327477881781397ULL

/*
 * LeakSanitizer (FAPI_SANITIZE builds): libscap of March 2022 leaks one
 * 16-byte scap_reader_t per capture-file open (scap_reader_open_gzfile()
 * mallocs it inside scap_open(); scap_reader_close() only gzcloses the file).
 * That is libscap's, not ours; nothing else is suppressed. Unused otherwise.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:scap_open\n";
}

static bool have_captures(void)
{
	struct stat st;
	if(stat(CAT_WRITE, &st) != 0)
	{
		print_message("shared Falco 0.31.1 data not found at %s (%s): skipping\n", CAT_WRITE,
			      strerror(errno));
		return false;
	}
	return true;
}

#define REQUIRE_CAPTURES()          \
	do                          \
	{                           \
		if(!have_captures()) \
		{                   \
			skip();     \
		}                   \
	} while(0)

static sinsp_bridge_inspector *open_capture(unsigned flags)
{
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_inspector *insp = sinsp_bridge_inspector_create(flags, &err);
	if(insp == NULL)
	{
		fail_msg("inspector_create: %s", err.msg);
	}
	int rc = sinsp_bridge_open_file(insp, CAT_WRITE, &err);
	if(rc != SINSP_BRIDGE_OK)
	{
		fail_msg("open_file: %d %s", rc, err.msg);
	}
	return insp;
}

static sinsp_bridge_check *compile1(sinsp_bridge_inspector *insp, const char *field, const char *arg, const char *op,
				    const char *value)
{
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_check *chk = NULL;
	const char *values[1] = {value};
	int rc = sinsp_bridge_check_compile(insp, field, arg, op, values, value ? 1 : 0, &chk, &err);
	if(rc != SINSP_BRIDGE_OK)
	{
		fail_msg("compile %s %s %s: %d %s", field, op, value ? value : "", rc, err.msg);
	}
	assert_non_null(chk);
	return chk;
}

static int compile_rc(sinsp_bridge_inspector *insp, const char *field, const char *arg, const char *op,
		      const char *const *values, size_t n, sinsp_bridge_error *err)
{
	sinsp_bridge_check *chk = (sinsp_bridge_check *)0x1;
	int rc = sinsp_bridge_check_compile(insp, field, arg, op, values, n, &chk, err);
	if(rc == SINSP_BRIDGE_OK)
	{
		sinsp_bridge_check_free(chk);
	}
	else
	{
		assert_null(chk);
	}
	return rc;
}

static int utc_setup(void **state)
{
	(void)state;
	/* %evt.time is local time in libsinsp; Falco's expectations are UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

/* ------------------------------------------------------------------------ */

static void test_count_events(void **state)
{
	(void)state;
	REQUIRE_CAPTURES();
	sinsp_bridge_error err = {{0}};

	/* All events (Falco -A). */
	sinsp_bridge_inspector *insp = open_capture(SINSP_BRIDGE_ALL_EVENTS);
	assert_true(sinsp_bridge_is_open(insp));
	assert_false(sinsp_bridge_is_live(insp));
	sinsp_bridge_evt *evt;
	uint64_t n = 0, last_num = 0, last_ts = 0;
	int rc;
	while((rc = sinsp_bridge_next(insp, &evt, &err)) != SINSP_BRIDGE_EOF)
	{
		if(rc == SINSP_BRIDGE_TIMEOUT)
		{
			continue;
		}
		assert_int_equal(rc, SINSP_BRIDGE_OK);
		assert_non_null(evt);
		n++;
		assert_int_equal(sinsp_bridge_evt_num(evt), last_num + 1);
		last_num = sinsp_bridge_evt_num(evt);
		assert_true(sinsp_bridge_evt_ts(evt) >= last_ts);
		last_ts = sinsp_bridge_evt_ts(evt);
		uint16_t type = sinsp_bridge_evt_type(evt);
		assert_true(type < sinsp_bridge_evttype_max());
		assert_int_equal(sinsp_bridge_evt_direction(evt),
				 (type & 1) ? SINSP_BRIDGE_DIR_EXIT : SINSP_BRIDGE_DIR_ENTER);
	}
	assert_int_equal(n, 345);
	sinsp_bridge_stats st;
	assert_int_equal(sinsp_bridge_get_stats(insp, &st), SINSP_BRIDGE_OK);
	assert_int_equal(st.events_returned, 345);
	assert_int_equal(st.events_skipped, 0);
	assert_int_equal(st.sinsp_events, 345);
	/* next() after EOF stays at EOF. */
	assert_int_equal(sinsp_bridge_next(insp, &evt, &err), SINSP_BRIDGE_EOF);
	assert_null(evt);
	sinsp_bridge_close(insp);
	assert_false(sinsp_bridge_is_open(insp));
	assert_int_equal(sinsp_bridge_next(insp, &evt, &err), SINSP_BRIDGE_EINVAL);
	/* Re-open the same inspector. */
	assert_int_equal(sinsp_bridge_open_file(insp, CAT_WRITE, &err), SINSP_BRIDGE_OK);
	assert_int_equal(sinsp_bridge_next(insp, &evt, &err), SINSP_BRIDGE_OK);
	assert_int_equal(sinsp_bridge_evt_num(evt), 1);
	sinsp_bridge_inspector_destroy(insp);

	/* Default (Falco without -A): simple-consumer event types are skipped. */
	insp = open_capture(0);
	n = 0;
	while((rc = sinsp_bridge_next(insp, &evt, &err)) != SINSP_BRIDGE_EOF)
	{
		if(rc == SINSP_BRIDGE_OK)
		{
			n++;
			assert_false(sinsp_bridge_evttype_dropped_by_default(sinsp_bridge_evt_type(evt)));
		}
		else
		{
			assert_int_equal(rc, SINSP_BRIDGE_TIMEOUT);
		}
	}
	assert_int_equal(sinsp_bridge_get_stats(insp, &st), SINSP_BRIDGE_OK);
	assert_int_equal(st.events_returned, n);
	assert_true(n > 0 && n < 345);
	assert_int_equal(st.events_returned + st.events_skipped, 345);
	sinsp_bridge_inspector_destroy(insp);
}

struct rule_counts {
	int open, access, exec;
};

static struct rule_counts count_rules(unsigned flags)
{
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_inspector *insp = open_capture(flags);
	/* is_cat: proc.name in (cat_capable_binaries) -> (cat) */
	const char *cat[] = {"cat"};
	sinsp_bridge_check *is_cat = NULL;
	assert_int_equal(sinsp_bridge_check_compile(insp, "proc.name", NULL, "in", cat, 1, &is_cat, &err),
			 SINSP_BRIDGE_OK);
	sinsp_bridge_check *name_eq = compile1(insp, "proc.name", NULL, "=", "cat");
	sinsp_bridge_check *open = compile1(insp, "evt.type", NULL, "=", "open");
	sinsp_bridge_check *access = compile1(insp, "evt.type", NULL, "=", "access");
	sinsp_bridge_check *exec = compile1(insp, "evt.type", NULL, "=", "execve");

	struct rule_counts c = {0, 0, 0};
	sinsp_bridge_evt *evt;
	int rc;
	while((rc = sinsp_bridge_next(insp, &evt, &err)) != SINSP_BRIDGE_EOF)
	{
		if(rc != SINSP_BRIDGE_OK)
		{
			assert_int_equal(rc, SINSP_BRIDGE_TIMEOUT);
			continue;
		}
		bool in_cat = sinsp_bridge_check_eval(is_cat, evt);
		assert_int_equal(in_cat, sinsp_bridge_check_eval(name_eq, evt));
		if(sinsp_bridge_check_eval(open, evt) && in_cat)
		{
			c.open++;
		}
		if(sinsp_bridge_check_eval(access, evt) && in_cat)
		{
			c.access++;
		}
		if(sinsp_bridge_check_eval(exec, evt) && in_cat)
		{
			c.exec++;
		}
	}
	assert_int_equal(sinsp_bridge_check_eval_errors(open, &err), 0);
	assert_int_equal(sinsp_bridge_check_eval_errors(is_cat, &err), 0);
	sinsp_bridge_check_free(is_cat);
	sinsp_bridge_check_free(name_eq);
	sinsp_bridge_check_free(open);
	sinsp_bridge_check_free(access);
	sinsp_bridge_check_free(exec);
	sinsp_bridge_inspector_destroy(insp);
	return c;
}

static void test_rule_counts(void **state)
{
	(void)state;
	REQUIRE_CAPTURES();
	struct rule_counts all = count_rules(SINSP_BRIDGE_ALL_EVENTS);
	assert_int_equal(all.open, 8);
	assert_int_equal(all.access, 6);
	assert_int_equal(all.exec, 1);
	struct rule_counts def = count_rules(0);
	assert_int_equal(def.open, 8);
	assert_int_equal(def.access, 0);
	assert_int_equal(def.exec, 1);
}

static void test_check_operators(void **state)
{
	(void)state;
	REQUIRE_CAPTURES();
	sinsp_bridge_inspector *insp = open_capture(SINSP_BRIDGE_ALL_EVENTS);
	sinsp_bridge_check *eq = compile1(insp, "proc.name", NULL, "=", "cat");
	sinsp_bridge_check *ne = compile1(insp, "proc.name", NULL, "!=", "cat");
	sinsp_bridge_check *bc = compile1(insp, "proc.name", NULL, "bcontains", "6174"); /* "at" */
	sinsp_bridge_check *bs = compile1(insp, "proc.name", NULL, "bstartswith", "6361"); /* "ca" */
	sinsp_bridge_check *glob = compile1(insp, "proc.name", NULL, "glob", "c?t");
	sinsp_bridge_check *parent = compile1(insp, "proc.aname", "1", "=", "bash");
	sinsp_bridge_check *pname = compile1(insp, "proc.pname", NULL, "=", "bash");
	sinsp_bridge_check *fd = compile1(insp, "fd.name", NULL, "=", "/dev/null");
	sinsp_bridge_check *fdexists = compile1(insp, "fd.name", NULL, "exists", NULL);
	const char *paths[] = {"/dev", "/etc"};
	sinsp_bridge_check *pm = NULL;
	sinsp_bridge_error err = {{0}};
	assert_int_equal(sinsp_bridge_check_compile(insp, "fd.name", NULL, "pmatch", paths, 2, &pm, &err),
			 SINSP_BRIDGE_OK);
	sinsp_bridge_check *pid = compile1(insp, "proc.pid", NULL, ">", "0");

	int n_eq = 0, n_ne = 0, n_bc = 0, n_bs = 0, n_glob = 0, n_fd = 0, n_pm = 0, n_pid = 0, n_exists = 0;
	sinsp_bridge_evt *evt;
	int rc;
	while((rc = sinsp_bridge_next(insp, &evt, &err)) != SINSP_BRIDGE_EOF)
	{
		if(rc != SINSP_BRIDGE_OK)
		{
			continue;
		}
		bool is_cat = sinsp_bridge_check_eval(eq, evt);
		n_eq += is_cat;
		n_ne += sinsp_bridge_check_eval(ne, evt);
		/* bcontains/bstartswith agree with = on this capture's names */
		bool b1 = sinsp_bridge_check_eval(bc, evt), b2 = sinsp_bridge_check_eval(bs, evt);
		n_bc += b1;
		n_bs += b2;
		n_glob += sinsp_bridge_check_eval(glob, evt);
		/* proc.aname[1] is the parent: same as proc.pname */
		assert_int_equal(sinsp_bridge_check_eval(parent, evt), sinsp_bridge_check_eval(pname, evt));
		n_fd += sinsp_bridge_check_eval(fd, evt);
		n_exists += sinsp_bridge_check_eval(fdexists, evt);
		n_pm += sinsp_bridge_check_eval(pm, evt);
		n_pid += sinsp_bridge_check_eval(pid, evt);
	}
	assert_true(n_eq > 0);
	assert_true(n_ne > 0);
	assert_int_equal(n_glob, n_eq);
	assert_true(n_bc >= n_eq); /* names containing "at" include cat */
	assert_true(n_bs >= n_eq);
	assert_true(n_fd > 0);
	assert_true(n_pm >= n_fd); /* /dev/null is under /dev */
	assert_true(n_exists >= n_pm);
	assert_true(n_pid > 0);
	sinsp_bridge_check_free(eq);
	sinsp_bridge_check_free(ne);
	sinsp_bridge_check_free(bc);
	sinsp_bridge_check_free(bs);
	sinsp_bridge_check_free(glob);
	sinsp_bridge_check_free(parent);
	sinsp_bridge_check_free(pname);
	sinsp_bridge_check_free(fd);
	sinsp_bridge_check_free(fdexists);
	sinsp_bridge_check_free(pm);
	sinsp_bridge_check_free(pid);
	sinsp_bridge_inspector_destroy(insp);
}

/* evt.type =, != and in are answered from a per-code table; glob without
 * wildcards goes through libsinsp's string comparison: they must agree. */
static void test_evttype_fast_path(void **state)
{
	(void)state;
	REQUIRE_CAPTURES();
	static const char *const names[] = {"open", "close", "procinfo", "execve", "access", "mmap", "read"};
	enum { N = sizeof(names) / sizeof(names[0]) };
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_inspector *insp = open_capture(SINSP_BRIDGE_ALL_EVENTS);
	sinsp_bridge_check *eq[N], *ne[N], *glob[N];
	for(int i = 0; i < N; i++)
	{
		eq[i] = compile1(insp, "evt.type", NULL, "=", names[i]);
		ne[i] = compile1(insp, "evt.type", NULL, "!=", names[i]);
		glob[i] = compile1(insp, "evt.type", NULL, "glob", names[i]);
	}
	const char *pair[] = {"open", "close"};
	sinsp_bridge_check *in = NULL;
	assert_int_equal(sinsp_bridge_check_compile(insp, "evt.type", NULL, "in", pair, 2, &in, &err),
			 SINSP_BRIDGE_OK);
	int matched[N] = {0};
	sinsp_bridge_evt *evt;
	int rc;
	while((rc = sinsp_bridge_next(insp, &evt, &err)) != SINSP_BRIDGE_EOF)
	{
		if(rc != SINSP_BRIDGE_OK)
		{
			continue;
		}
		for(int i = 0; i < N; i++)
		{
			bool g = sinsp_bridge_check_eval(glob[i], evt);
			assert_int_equal(sinsp_bridge_check_eval(eq[i], evt), g);
			assert_int_equal(sinsp_bridge_check_eval(ne[i], evt), !g);
			assert_int_equal(g, strcmp(sinsp_bridge_evttype_name(sinsp_bridge_evt_type(evt)), names[i]) == 0);
			matched[i] += g;
		}
		assert_int_equal(sinsp_bridge_check_eval(in, evt),
				 sinsp_bridge_check_eval(eq[0], evt) || sinsp_bridge_check_eval(eq[1], evt));
	}
	for(int i = 0; i < 4; i++) /* open, close, procinfo, execve occur */
	{
		assert_true(matched[i] > 0);
	}
	for(int i = 0; i < N; i++)
	{
		sinsp_bridge_check_free(eq[i]);
		sinsp_bridge_check_free(ne[i]);
		sinsp_bridge_check_free(glob[i]);
	}
	sinsp_bridge_check_free(in);
	sinsp_bridge_inspector_destroy(insp);
}

static void test_check_errors(void **state)
{
	(void)state;
	sinsp_bridge_error err = {{0}};
	/* Compilation needs no open capture. */
	sinsp_bridge_inspector *insp = sinsp_bridge_inspector_create(0, &err);
	assert_non_null(insp);
	const char *one[] = {"x"};
	const char *two[] = {"a", "b"};
	const char *num[] = {"1"};

	assert_int_equal(compile_rc(insp, "proc.nosuchfield", NULL, "=", one, 1, &err), SINSP_BRIDGE_EUNKNOWN_FIELD);
	assert_non_null(strstr(err.msg, "proc.nosuchfield"));
	assert_int_equal(compile_rc(insp, "nosuchclass.field", NULL, "exists", NULL, 0, &err),
			 SINSP_BRIDGE_EUNKNOWN_FIELD);
	/* a non-numeric index is not a field libsinsp knows (as in Falco) */
	assert_int_equal(compile_rc(insp, "proc.aname", "x", "=", one, 1, &err), SINSP_BRIDGE_EUNKNOWN_FIELD);

	assert_int_equal(compile_rc(insp, "proc.name", NULL, "=~", one, 1, &err), SINSP_BRIDGE_EBAD_OPERATOR);
	assert_non_null(strstr(err.msg, "=~"));
	assert_int_equal(compile_rc(insp, "proc.name", NULL, "", one, 1, &err), SINSP_BRIDGE_EBAD_OPERATOR);
	assert_int_equal(compile_rc(insp, "proc.pid", NULL, "contains", num, 1, &err), SINSP_BRIDGE_EBAD_OPERATOR);
	assert_int_equal(compile_rc(insp, "proc.pid", NULL, "glob", num, 1, &err), SINSP_BRIDGE_EBAD_OPERATOR);
	assert_int_equal(compile_rc(insp, "fd.ip", NULL, "<", (const char *[]){"1.2.3.4"}, 1, &err),
			 SINSP_BRIDGE_EBAD_OPERATOR);
	assert_int_equal(compile_rc(insp, "proc.pid", NULL, "bcontains", (const char *[]){"31"}, 1, &err),
			 SINSP_BRIDGE_EBAD_OPERATOR);

	assert_int_equal(compile_rc(insp, "proc.pid", NULL, "=", (const char *[]){"abc"}, 1, &err),
			 SINSP_BRIDGE_EBAD_VALUE);
	assert_int_equal(compile_rc(insp, "evt.type", NULL, "=", (const char *[]){"nosuchevent"}, 1, &err),
			 SINSP_BRIDGE_EBAD_VALUE);
	assert_non_null(strstr(err.msg, "nosuchevent"));
	assert_int_equal(compile_rc(insp, "proc.name", NULL, "exists", one, 1, &err), SINSP_BRIDGE_EBAD_VALUE);
	assert_int_equal(compile_rc(insp, "proc.name", NULL, "=", two, 2, &err), SINSP_BRIDGE_EBAD_VALUE);
	assert_int_equal(compile_rc(insp, "proc.name", NULL, "=", NULL, 0, &err), SINSP_BRIDGE_EBAD_VALUE);
	assert_int_equal(compile_rc(insp, "proc.name", NULL, "bcontains", (const char *[]){"abc"}, 1, &err),
			 SINSP_BRIDGE_EBAD_VALUE);
	assert_int_equal(compile_rc(insp, "proc.name", NULL, "bcontains", (const char *[]){"zz"}, 1, &err),
			 SINSP_BRIDGE_EBAD_VALUE);

	/* Valid leaves of Falco's rules compile. */
	assert_int_equal(compile_rc(insp, "proc.name", NULL, "in", two, 2, &err), SINSP_BRIDGE_OK);
	assert_int_equal(compile_rc(insp, "proc.name", NULL, "in", NULL, 0, &err), SINSP_BRIDGE_OK);
	assert_int_equal(compile_rc(insp, "evt.arg.flags", NULL, "contains", one, 1, &err), SINSP_BRIDGE_OK);
	assert_int_equal(compile_rc(insp, "fd.net", NULL, "=", (const char *[]){"10.0.0.0/8"}, 1, &err),
			 SINSP_BRIDGE_OK);
	assert_int_equal(compile_rc(insp, "proc.aname", "2", "in", two, 2, &err), SINSP_BRIDGE_OK);
	assert_int_equal(compile_rc(insp, "proc.pid", NULL, "in", (const char *[]){"1", "2"}, 2, &err),
			 SINSP_BRIDGE_OK);

	/* NULL handling */
	assert_int_equal(compile_rc(insp, NULL, NULL, "=", one, 1, &err), SINSP_BRIDGE_EINVAL);
	assert_int_equal(compile_rc(insp, "proc.name", NULL, NULL, one, 1, &err), SINSP_BRIDGE_EINVAL);
	assert_int_equal(sinsp_bridge_check_compile(insp, "proc.name", NULL, "=", one, 1, NULL, &err),
			 SINSP_BRIDGE_EINVAL);
	sinsp_bridge_check_free(NULL);

	/* Formatter errors */
	sinsp_bridge_formatter *f = (sinsp_bridge_formatter *)0x1;
	assert_int_equal(sinsp_bridge_formatter_create(insp, "x=%proc.nosuchfield y", &f, &err),
			 SINSP_BRIDGE_EUNKNOWN_FIELD);
	assert_null(f);
	assert_non_null(strstr(err.msg, "proc.nosuchfield"));
	assert_int_equal(sinsp_bridge_formatter_create(insp, "trailing %", &f, &err), SINSP_BRIDGE_ERROR);
	assert_int_equal(sinsp_bridge_formatter_create(insp, "", &f, &err), SINSP_BRIDGE_ERROR);
	assert_int_equal(sinsp_bridge_formatter_create(insp, "%fd.ip", &f, &err), SINSP_BRIDGE_ERROR);
	sinsp_bridge_formatter_free(NULL);
	sinsp_bridge_inspector_destroy(insp);
}

static void test_formatter(void **state)
{
	(void)state;
	REQUIRE_CAPTURES();
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_inspector *insp = open_capture(0);
	sinsp_bridge_check *is_cat = compile1(insp, "proc.name", NULL, "=", "cat");
	sinsp_bridge_check *open = compile1(insp, "evt.type", NULL, "=", "open");
	sinsp_bridge_formatter *rule_fmt = NULL, *falco_fmt = NULL, *iso_fmt = NULL;
	assert_int_equal(sinsp_bridge_formatter_create(insp, "An open was seen (command=%proc.cmdline)", &rule_fmt, &err),
			 SINSP_BRIDGE_OK);
	/* What falco_outputs.cpp builds for priority WARNING. */
	assert_int_equal(sinsp_bridge_formatter_create(
				 insp, "*%evt.time: Warning An open was seen (command=%proc.cmdline)", &falco_fmt, &err),
			 SINSP_BRIDGE_OK);
	assert_int_equal(sinsp_bridge_formatter_create(insp,
						       "*%evt.time.iso8601: Warning An open was seen "
						       "(command=%proc.cmdline) %proc.aname[1] %proc.nochild",
						       &iso_fmt, &err),
			 SINSP_BRIDGE_EUNKNOWN_FIELD);
	assert_int_equal(sinsp_bridge_formatter_create(insp,
						       "*%evt.time.iso8601: Warning An open was seen "
						       "(command=%proc.cmdline) %proc.aname[1] %container.id",
						       &iso_fmt, &err),
			 SINSP_BRIDGE_OK);

	sinsp_bridge_evt *evt = NULL;
	int rc;
	while((rc = sinsp_bridge_next(insp, &evt, &err)) != SINSP_BRIDGE_EOF)
	{
		if(rc == SINSP_BRIDGE_OK && sinsp_bridge_check_eval(open, evt) && sinsp_bridge_check_eval(is_cat, evt))
		{
			break;
		}
	}
	assert_int_equal(rc, SINSP_BRIDGE_OK);
	assert_int_equal(sinsp_bridge_evt_ts(evt), FIRST_CAT_OPEN_TS);

	char *text = NULL;
	bool all = false;
	assert_int_equal(sinsp_bridge_format(rule_fmt, evt, &text, &all, &err), SINSP_BRIDGE_OK);
	assert_string_equal(text, "An open was seen (command=cat /dev/null)");
	assert_true(all);
	free(text);

	assert_int_equal(sinsp_bridge_format(falco_fmt, evt, &text, NULL, &err), SINSP_BRIDGE_OK);
	assert_string_equal(text, "16:17:57.881781397: Warning An open was seen (command=cat /dev/null)");
	free(text);

	char *json = NULL;
	assert_int_equal(sinsp_bridge_format_json(falco_fmt, evt, &json, &err), SINSP_BRIDGE_OK);
	assert_string_equal(json, "{\"evt.time\":1470327477881781397,\"proc.cmdline\":\"cat /dev/null\"}");
	free(json);

	sinsp_bridge_field_value *fv = NULL;
	size_t n = 0;
	assert_int_equal(sinsp_bridge_format_fields(falco_fmt, evt, SINSP_BRIDGE_VALUES_JSON, &fv, &n, &err),
			 SINSP_BRIDGE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(fv[0].name, "evt.time");
	assert_string_equal(fv[0].value, "1470327477881781397");
	assert_string_equal(fv[1].name, "proc.cmdline");
	assert_string_equal(fv[1].value, "\"cat /dev/null\"");
	free(fv);

	assert_int_equal(sinsp_bridge_format_fields(falco_fmt, evt, SINSP_BRIDGE_VALUES_TEXT, &fv, &n, &err),
			 SINSP_BRIDGE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(fv[0].name, "evt.time");
	assert_string_equal(fv[0].value, "16:17:57.881781397");
	assert_string_equal(fv[1].name, "proc.cmdline");
	assert_string_equal(fv[1].value, "cat /dev/null");
	free(fv);

	/* ISO time, an indexed field, a missing value (<NA> / null) */
	assert_int_equal(sinsp_bridge_format(iso_fmt, evt, &text, &all, &err), SINSP_BRIDGE_OK);
	assert_string_equal(text, "2016-08-04T16:17:57.881781397+0000: Warning An open was seen "
				  "(command=cat /dev/null) bash host");
	free(text);
	assert_int_equal(sinsp_bridge_format_json(iso_fmt, evt, &json, &err), SINSP_BRIDGE_OK);
	assert_string_equal(json, "{\"container.id\":\"host\",\"evt.time.iso8601\":1470327477881781397,"
				  "\"proc.aname[1]\":\"bash\",\"proc.cmdline\":\"cat /dev/null\"}");
	/* the JSON pairs rebuild the exact object */
	assert_int_equal(sinsp_bridge_format_fields(iso_fmt, evt, SINSP_BRIDGE_VALUES_JSON, &fv, &n, &err),
			 SINSP_BRIDGE_OK);
	assert_int_equal(n, 4);
	char rebuilt[512] = "{";
	for(size_t i = 0; i < n; i++)
	{
		snprintf(rebuilt + strlen(rebuilt), sizeof(rebuilt) - strlen(rebuilt), "%s\"%s\":%s", i ? "," : "",
			 fv[i].name, fv[i].value);
	}
	strcat(rebuilt, "}");
	assert_string_equal(rebuilt, json);
	free(fv);
	free(json);

	/* The time helpers print what the formatter prints, in another zone too. */
	static const char *const zones[] = {"UTC", "UTC-2", "America/New_York", "Asia/Kolkata"};
	for(size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++)
	{
		setenv("TZ", zones[z], 1);
		tzset();
		sinsp_bridge_formatter *tf = NULL;
		assert_int_equal(sinsp_bridge_formatter_create(insp, "%evt.time|%evt.time.iso8601", &tf, &err),
				 SINSP_BRIDGE_OK);
		assert_int_equal(sinsp_bridge_format(tf, evt, &text, NULL, &err), SINSP_BRIDGE_OK);
		char expect[128], t1[64], t2[64];
		alert_meta_time_text(FIRST_CAT_OPEN_TS, t1, sizeof(t1));
		alert_meta_iso8601(FIRST_CAT_OPEN_TS, t2, sizeof(t2));
		snprintf(expect, sizeof(expect), "%s|%s", t1, t2);
		assert_string_equal(text, expect);
		free(text);
		sinsp_bridge_formatter_free(tf);
	}
	setenv("TZ", "UTC", 1);
	tzset();

	sinsp_bridge_check_free(is_cat);
	sinsp_bridge_check_free(open);
	sinsp_bridge_formatter_free(rule_fmt);
	sinsp_bridge_formatter_free(falco_fmt);
	sinsp_bridge_formatter_free(iso_fmt);
	sinsp_bridge_inspector_destroy(insp);
}

static void test_missing_values(void **state)
{
	(void)state;
	REQUIRE_CAPTURES();
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_inspector *insp = open_capture(SINSP_BRIDGE_ALL_EVENTS);
	sinsp_bridge_formatter *star = NULL, *strict = NULL;
	assert_int_equal(sinsp_bridge_formatter_create(insp, "*a=%fd.name b=%proc.name", &star, &err), SINSP_BRIDGE_OK);
	assert_int_equal(sinsp_bridge_formatter_create(insp, "a=%fd.name b=%proc.name", &strict, &err), SINSP_BRIDGE_OK);
	sinsp_bridge_evt *evt;
	/* The first event (a procinfo of systemd) has no fd. */
	assert_int_equal(sinsp_bridge_next(insp, &evt, &err), SINSP_BRIDGE_OK);
	char *text;
	bool all = true;
	assert_int_equal(sinsp_bridge_format(star, evt, &text, &all, &err), SINSP_BRIDGE_OK);
	assert_string_equal(text, "a=<NA> b=systemd");
	assert_true(all);
	free(text);
	assert_int_equal(sinsp_bridge_format(strict, evt, &text, &all, &err), SINSP_BRIDGE_OK);
	assert_false(all);
	free(text);
	char *json;
	assert_int_equal(sinsp_bridge_format_json(star, evt, &json, &err), SINSP_BRIDGE_OK);
	assert_string_equal(json, "{\"fd.name\":null,\"proc.name\":\"systemd\"}");
	free(json);
	sinsp_bridge_formatter_free(star);
	sinsp_bridge_formatter_free(strict);
	sinsp_bridge_inspector_destroy(insp);
}

static bool set_has(const uint16_t *codes, size_t n, uint16_t c)
{
	for(size_t i = 0; i < n; i++)
	{
		if(codes[i] == c)
		{
			return true;
		}
	}
	return false;
}

static void test_evttypes(void **state)
{
	(void)state;
	uint16_t max = sinsp_bridge_evttype_max();
	assert_true(max > 300);
	assert_null(sinsp_bridge_evttype_name(max));

	uint16_t codes[16];
	/* open: PPME_SYSCALL_OPEN_E = 2, PPME_SYSCALL_OPEN_X = 3 */
	size_t n = sinsp_bridge_evttypes_for_name("open", codes, 16);
	assert_int_equal(n, 2);
	assert_int_equal(codes[0], 2);
	assert_int_equal(codes[1], 3);
	assert_string_equal(sinsp_bridge_evttype_name(2), "open");
	assert_string_equal(sinsp_bridge_evttype_name(3), "open");

	/* execve: only the current enter/exit versions, old ones excluded */
	n = sinsp_bridge_evttypes_for_name("execve", codes, 16);
	assert_true(n >= 2 && n <= 16);
	int enter = 0, exit_ = 0;
	for(size_t i = 0; i < n; i++)
	{
		assert_string_equal(sinsp_bridge_evttype_name(codes[i]), "execve");
		assert_true(sinsp_bridge_evttype_is_indexable(codes[i]));
		if(codes[i] & 1)
		{
			exit_++;
		}
		else
		{
			enter++;
		}
		if(i > 0)
		{
			assert_true(codes[i] > codes[i - 1]);
		}
	}
	assert_true(enter >= 1 && exit_ >= 1);
	/* some execve versions are old and not indexed */
	size_t all_execve = 0;
	for(uint16_t c = 0; c < max; c++)
	{
		if(strcmp(sinsp_bridge_evttype_name(c), "execve") == 0)
		{
			all_execve++;
		}
	}
	assert_true(all_execve > n);

	/* variants are distinct names */
	uint16_t oa[16];
	size_t noa = sinsp_bridge_evttypes_for_name("openat", oa, 16);
	assert_true(noa >= 2);
	for(size_t i = 0; i < noa; i++)
	{
		assert_false(set_has(codes, n, oa[i]));
		assert_true(oa[i] != 2 && oa[i] != 3);
	}
	/* the count is returned even when the array is too small */
	assert_int_equal(sinsp_bridge_evttypes_for_name("open", NULL, 0), 2);
	assert_int_equal(sinsp_bridge_evttypes_for_name("nosuchevent", codes, 16), 0);
	assert_true(sinsp_bridge_evttype_name_is_valid("open"));
	assert_false(sinsp_bridge_evttype_name_is_valid("nosuchevent"));

	/* generic events are not indexable; access is dropped without -A */
	assert_false(sinsp_bridge_evttype_is_indexable(0));
	assert_false(sinsp_bridge_evttype_is_indexable(1));
	assert_false(sinsp_bridge_evttype_dropped_by_default(2));
	n = sinsp_bridge_evttypes_for_name("access", codes, 16);
	assert_true(n >= 1);
	assert_true(sinsp_bridge_evttype_dropped_by_default(codes[0]));

	/* A compiled leaf reports the same codes libsinsp gives Falco. */
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_inspector *insp = sinsp_bridge_inspector_create(0, &err);
	assert_non_null(insp);
	sinsp_bridge_check *c = compile1(insp, "evt.type", NULL, "=", "open");
	n = sinsp_bridge_check_evttypes(c, codes, 16);
	assert_int_equal(n, 2);
	assert_int_equal(codes[0], 2);
	assert_int_equal(codes[1], 3);
	sinsp_bridge_check_free(c);

	size_t indexable = 0;
	for(uint16_t k = 0; k < max; k++)
	{
		indexable += sinsp_bridge_evttype_is_indexable(k);
	}
	c = compile1(insp, "proc.name", NULL, "=", "cat");
	assert_int_equal(sinsp_bridge_check_evttypes(c, NULL, 0), indexable);
	sinsp_bridge_check_free(c);
	c = compile1(insp, "evt.type", NULL, "!=", "open");
	assert_int_equal(sinsp_bridge_check_evttypes(c, NULL, 0), indexable - 2);
	sinsp_bridge_check_free(c);
	sinsp_bridge_inspector_destroy(insp);
}

static void test_capture_errors(void **state)
{
	(void)state;
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_inspector *insp = sinsp_bridge_inspector_create(0, &err);
	assert_non_null(insp);

	assert_int_equal(sinsp_bridge_open_file(insp, "/nonexistent/dir/none.scap", &err), SINSP_BRIDGE_ECAPTURE);
	assert_non_null(strstr(err.msg, "/nonexistent/dir/none.scap"));
	assert_non_null(strstr(err.msg, "No such file"));
	assert_false(sinsp_bridge_is_open(insp));

	/* empty name would open a live capture in libsinsp: refused */
	assert_int_equal(sinsp_bridge_open_file(insp, "", &err), SINSP_BRIDGE_EINVAL);
	assert_int_equal(sinsp_bridge_open_file(insp, NULL, &err), SINSP_BRIDGE_EINVAL);

	/* a directory */
	assert_int_equal(sinsp_bridge_open_file(insp, "/", &err), SINSP_BRIDGE_ECAPTURE);

	/* a file that is not a capture */
	char path[] = "/tmp/test_sinsp_bridge_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char junk[] = "this is not a capture file, just some text\n";
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	assert_int_equal(sinsp_bridge_open_file(insp, path, &err), SINSP_BRIDGE_ECAPTURE);
	assert_non_null(strstr(err.msg, path));
	assert_false(sinsp_bridge_is_open(insp));

	/* an unreadable file (only meaningful when not root) */
	if(geteuid() != 0)
	{
		assert_int_equal(chmod(path, 0), 0);
		assert_int_equal(sinsp_bridge_open_file(insp, path, &err), SINSP_BRIDGE_ECAPTURE);
		assert_non_null(strstr(err.msg, "Permission denied"));
	}
	unlink(path);

	/* the inspector still works afterwards */
	if(have_captures())
	{
		assert_int_equal(sinsp_bridge_open_file(insp, CAT_WRITE, &err), SINSP_BRIDGE_OK);
		assert_int_equal(sinsp_bridge_open_file(insp, CAT_WRITE, &err), SINSP_BRIDGE_EINVAL);
	}
	sinsp_bridge_evt *evt = NULL;
	assert_int_equal(sinsp_bridge_next(NULL, &evt, &err), SINSP_BRIDGE_EINVAL);
	sinsp_bridge_inspector_destroy(insp);
	sinsp_bridge_inspector_destroy(NULL);
	sinsp_bridge_close(NULL);
}

static void test_live_unavailable(void **state)
{
	(void)state;
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_inspector *insp = sinsp_bridge_inspector_create(0, &err);
	assert_non_null(insp);

	/* eBPF with a probe file that does not exist */
	assert_int_equal(sinsp_bridge_open_live(insp, "/nonexistent/falco-bpf.o", 0, &err),
			 SINSP_BRIDGE_EUNAVAILABLE);
	assert_non_null(strstr(err.msg, "eBPF probe"));
	assert_non_null(strstr(err.msg, "/nonexistent/falco-bpf.o"));
	assert_false(sinsp_bridge_is_open(insp));

	/* libscap turns a module open into an eBPF one when BPF_PROBE is set:
	 * the error names the probe it would really load, and where from */
	setenv("BPF_PROBE", "/nonexistent/env-probe.o", 1);
	assert_int_equal(sinsp_bridge_open_live(insp, NULL, 0, &err), SINSP_BRIDGE_EUNAVAILABLE);
	assert_non_null(strstr(err.msg, "/nonexistent/env-probe.o"));
	assert_non_null(strstr(err.msg, "BPF_PROBE"));
	unsetenv("BPF_PROBE");

	/* kernel module: only when this machine has no driver loaded */
	struct stat st;
	if(stat("/dev/scap0", &st) != 0 && stat("/sys/module/scap", &st) != 0)
	{
		assert_int_equal(sinsp_bridge_open_live(insp, NULL, 0, &err), SINSP_BRIDGE_EUNAVAILABLE);
		assert_non_null(strstr(err.msg, "/dev/scap0"));
		assert_non_null(strstr(err.msg, "not loaded"));
		assert_false(sinsp_bridge_is_open(insp));
	}
	else
	{
		print_message("a kernel driver is present: module error path not tested\n");
	}
	sinsp_bridge_inspector_destroy(insp);
}

static void test_field_listing(void **state)
{
	(void)state;
	size_t nc = sinsp_bridge_fieldclass_count();
	assert_true(nc >= 5);
	bool seen_proc_name = false, seen_fd_ip = false, seen_evt_type = false;
	size_t proc_class = nc;
	for(size_t i = 0; i < nc; i++)
	{
		sinsp_bridge_fieldclass fc;
		assert_int_equal(sinsp_bridge_fieldclass_get(i, &fc), SINSP_BRIDGE_OK);
		assert_non_null(fc.name);
		assert_non_null(fc.desc);
		assert_true(fc.nfields > 0);
		for(size_t j = 0; j < fc.nfields; j++)
		{
			sinsp_bridge_field f;
			assert_int_equal(sinsp_bridge_field_get(i, j, &f), SINSP_BRIDGE_OK);
			assert_non_null(f.name);
			assert_non_null(f.type);
			assert_non_null(f.desc);
			if(strcmp(f.name, "proc.name") == 0)
			{
				seen_proc_name = true;
				proc_class = i;
				assert_string_equal(f.type, "CHARBUF");
				assert_false(f.flags & SINSP_BRIDGE_FIELD_FILTER_ONLY);
			}
			if(strcmp(f.name, "fd.ip") == 0)
			{
				seen_fd_ip = true;
				assert_true(f.flags & SINSP_BRIDGE_FIELD_FILTER_ONLY);
			}
			if(strcmp(f.name, "evt.type") == 0)
			{
				seen_evt_type = true;
			}
		}
		sinsp_bridge_field f;
		assert_int_equal(sinsp_bridge_field_get(i, fc.nfields, &f), SINSP_BRIDGE_EINVAL);
	}
	assert_true(seen_proc_name && seen_fd_ip && seen_evt_type);
	sinsp_bridge_fieldclass fc;
	assert_int_equal(sinsp_bridge_fieldclass_get(nc, &fc), SINSP_BRIDGE_EINVAL);

	const char *sources[] = {"syscall"};
	char *text = sinsp_bridge_fieldclass_as_string(proc_class, false, sources, 1);
	assert_non_null(text);
	assert_non_null(strstr(text, "proc.name"));
	assert_non_null(strstr(text, "syscall"));
	free(text);
	assert_null(sinsp_bridge_fieldclass_as_string(nc, false, NULL, 0));
}

static void test_read_rate(void **state)
{
	(void)state;
	REQUIRE_CAPTURES();
	sinsp_bridge_error err = {{0}};
	sinsp_bridge_read_rate rr;
	assert_int_equal(sinsp_bridge_measure_read_rate(CAT_WRITE, SINSP_BRIDGE_ALL_EVENTS, 0, &rr, &err),
			 SINSP_BRIDGE_OK);
	assert_int_equal(rr.events, 345);
	assert_true(rr.seconds > 0);
	assert_true(rr.events_per_sec > 0);
	assert_int_equal(sinsp_bridge_measure_read_rate(CAT_WRITE, SINSP_BRIDGE_ALL_EVENTS, 10, &rr, &err),
			 SINSP_BRIDGE_OK);
	assert_int_equal(rr.events, 10);
	assert_int_equal(sinsp_bridge_measure_read_rate("/nonexistent.scap", 0, 0, &rr, &err), SINSP_BRIDGE_ECAPTURE);
}

static void test_status_str(void **state)
{
	(void)state;
	assert_string_equal(sinsp_bridge_status_str(SINSP_BRIDGE_OK), "ok");
	assert_string_equal(sinsp_bridge_status_str(SINSP_BRIDGE_EUNKNOWN_FIELD), "unknown field");
	assert_string_equal(sinsp_bridge_status_str(12345), "unknown status");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_events),
		cmocka_unit_test(test_rule_counts),
		cmocka_unit_test(test_check_operators),
		cmocka_unit_test(test_evttype_fast_path),
		cmocka_unit_test(test_check_errors),
		cmocka_unit_test(test_formatter),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_evttypes),
		cmocka_unit_test(test_capture_errors),
		cmocka_unit_test(test_live_unavailable),
		cmocka_unit_test(test_field_listing),
		cmocka_unit_test(test_read_rate),
		cmocka_unit_test(test_status_str),
	};
	return cmocka_run_group_tests(tests, utc_setup, NULL);
}
