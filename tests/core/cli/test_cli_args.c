/* The command-line parser: Falco 0.31's flags, their arguments, defaults,
 * repeatable flags, the flags of features this build does not have, and
 * the errors. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_args.h"

/* Parses a NULL-terminated list of arguments (after the program name). */
static int parse(cli_args *a, char *err, const char *first, ...)
{
	char *argv[64];
	int argc = 0;
	argv[argc++] = "falco-apid";
	va_list ap;
	va_start(ap, first);
	for (const char *s = first; s && argc < 63; s = va_arg(ap, const char *))
		argv[argc++] = (char *)s;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return cli_args_parse(a, argc, argv, err, 512);
}

static void test_defaults(void **state)
{
	(void)state;
	cli_args a;
	char err[512];
	assert_int_equal(parse(&a, err, NULL), 0);
	assert_string_equal(a.pidfile, "/var/run/falco.pid");
	assert_int_equal(a.stats_interval_ms, 5000);
	assert_int_equal(a.snaplen, 0);
	assert_null(a.print_additional);
	assert_null(a.describe_rule);
	assert_null(a.stats_file);
	assert_null(a.unsupported);
	assert_false(a.daemon || a.base64_buffers || a.names_only || a.print_ignored_events || a.support ||
		     a.list_plugins || a.disable_cri_async);
	assert_int_equal(a.ncri_sockets, 0);
	assert_int_equal(a.argc, 1);
	cli_args_free(&a);
}

static void test_print_forms(void **state)
{
	(void)state;
	cli_args a;
	char err[512];
	/* -pc is -p with the value "c", as cxxopts reads it. */
	assert_int_equal(parse(&a, err, "-pc", NULL), 0);
	assert_string_equal(a.print_additional, "c");
	cli_args_free(&a);
	assert_int_equal(parse(&a, err, "-pk", NULL), 0);
	assert_string_equal(a.print_additional, "k");
	cli_args_free(&a);
	assert_int_equal(parse(&a, err, "-p", "user=%user.name", NULL), 0);
	assert_string_equal(a.print_additional, "user=%user.name");
	cli_args_free(&a);
	assert_int_equal(parse(&a, err, "--print=container", NULL), 0);
	assert_string_equal(a.print_additional, "container");
	cli_args_free(&a);
	assert_int_equal(parse(&a, err, "--print", "kubernetes", NULL), 0);
	assert_string_equal(a.print_additional, "kubernetes");
	cli_args_free(&a);
}

static void test_flags_with_values(void **state)
{
	(void)state;
	cli_args a;
	char err[512];
	assert_int_equal(parse(&a, err, "-l", "Write below etc", "-d", "-P", "/tmp/x.pid", "-S", "128", "-b", "-s",
			       "/tmp/st", "--stats-interval", "250", "-i", "-N", "--list", "--support", "--list-plugins",
			       "--disable-cri-async", NULL),
			 0);
	assert_string_equal(a.describe_rule, "Write below etc");
	assert_true(a.daemon);
	assert_string_equal(a.pidfile, "/tmp/x.pid");
	assert_int_equal(a.snaplen, 128);
	assert_true(a.base64_buffers);
	assert_string_equal(a.stats_file, "/tmp/st");
	assert_int_equal(a.stats_interval_ms, 250);
	assert_true(a.print_ignored_events);
	assert_true(a.names_only);
	assert_true(a.list_fields);
	assert_true(a.support);
	assert_true(a.list_plugins);
	assert_true(a.disable_cri_async);
	assert_int_equal(a.argc, 19);
	assert_string_equal(a.argv[1], "-l");
	cli_args_free(&a);
	/* Long names. */
	assert_int_equal(parse(&a, err, "--daemon", "--pidfile=/p", "--snaplen", "9", "--print-base64", "--validate",
			       "r.yaml", "--option", "k=v", NULL),
			 0);
	assert_true(a.daemon);
	assert_string_equal(a.pidfile, "/p");
	assert_int_equal(a.snaplen, 9);
	assert_true(a.base64_buffers);
	assert_int_equal(a.nvalidate, 1);
	assert_int_equal(a.noverrides, 1);
	assert_string_equal(a.overrides[0], "k=v");
	cli_args_free(&a);
}

static void test_cri_repeatable(void **state)
{
	(void)state;
	cli_args a;
	char err[512];
	assert_int_equal(parse(&a, err, "--cri", "/run/a.sock", "--cri=/run/b.sock", "--cri", "/run/c.sock", NULL), 0);
	assert_int_equal(a.ncri_sockets, 3);
	assert_string_equal(a.cri_sockets[0], "/run/a.sock");
	assert_string_equal(a.cri_sockets[1], "/run/b.sock");
	assert_string_equal(a.cri_sockets[2], "/run/c.sock");
	cli_args_free(&a);
}

static void test_unsupported_features(void **state)
{
	(void)state;
	static const struct {
		const char *flag, *value, *names;
	} cases[] = {
		{"-u", NULL, "userspace"},           {"--userspace", NULL, "userspace"},
		{"-k", "http://h:8080", "Kubernetes"}, {"--k8s-api", "http://h", "Kubernetes"},
		{"-K", "/c.pem", "Kubernetes"},      {"--k8s-api-cert", "/c.pem", "Kubernetes"},
		{"--k8s-node", "node1", "Kubernetes"}, {"-m", "http://m:5050", "Mesos"},
		{"--mesos-api", "http://m", "Mesos"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cli_args a;
		char err[512];
		/* Not a parse error: the argument is consumed and the feature named. */
		assert_int_equal(parse(&a, err, cases[i].flag, cases[i].value, NULL), 0);
		assert_non_null(a.unsupported);
		assert_non_null(strstr(a.unsupported, cases[i].names));
		assert_non_null(strstr(a.unsupported, "not available in this build"));
		cli_args_free(&a);
	}
	/* The first one given is the one reported. */
	cli_args a;
	char err[512];
	assert_int_equal(parse(&a, err, "-m", "x", "-u", NULL), 0);
	assert_non_null(strstr(a.unsupported, "Mesos"));
	cli_args_free(&a);
}

static void test_errors(void **state)
{
	(void)state;
	cli_args a;
	char err[512];
	assert_int_equal(parse(&a, err, "-S", "many", NULL), -1);
	assert_non_null(strstr(err, "-S"));
	assert_int_equal(parse(&a, err, "-S", "-1", NULL), -1);
	assert_int_equal(parse(&a, err, "--stats-interval", "0", NULL), -1);
	assert_non_null(strstr(err, "--stats-interval"));
	assert_int_equal(parse(&a, err, "--stats-interval", "5s", NULL), -1);
	assert_int_equal(parse(&a, err, "-M", "x", NULL), -1);
	assert_int_equal(parse(&a, err, "-l", NULL), -1);
	assert_string_equal(err, "option -l needs an argument");
	assert_int_equal(parse(&a, err, "--cri", NULL), -1);
	assert_string_equal(err, "option --cri needs an argument");
	assert_int_equal(parse(&a, err, "-Z", NULL), -1);
	assert_string_equal(err, "unknown option -Z");
	assert_int_equal(parse(&a, err, "--nope", NULL), -1);
	assert_string_equal(err, "unknown option --nope");
	assert_int_equal(parse(&a, err, "stray", NULL), -1);
	assert_string_equal(err, "unexpected argument 'stray'");
	/* A failed parse leaves nothing allocated (ASan checks the arrays). */
	assert_null(a.cri_sockets);
}

static void test_usage_lists_every_flag(void **state)
{
	(void)state;
	const char *u = cli_args_usage();
	static const char *const flags[] = {"-p,", "-pc", "-pk", "-l RULE", "-i ", "-N ", "-d,", "-P,", "-S,", "-b,",
					    "-s FILE", "--stats-interval", "--cri", "--disable-cri-async", "--support",
					    "--list-plugins", "-u,", "-k,", "-K,", "--k8s-node", "-m,", "-L ", "-V,",
					    "-c ", "-o,", "-r ", "-e ", "-D ", "-T ", "-t ", "-A ", "-M ", "-v ",
					    "--list", "--version", "-h,"};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strstr(u, flags[i]))
			fail_msg("usage does not list %s", flags[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_print_forms),
		cmocka_unit_test(test_flags_with_values),
		cmocka_unit_test(test_cri_repeatable),
		cmocka_unit_test(test_unsupported_features),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_usage_lists_every_flag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
