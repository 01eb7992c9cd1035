/* Tests of the engine's field listing and its checksum: the syscall source's
 * fields are all there with their types, the checksum is SHA-256 over the
 * sorted set (checked against a digest computed independently), equal sets
 * give equal checksums whatever their order or repetitions, and any change
 * to a source, a name or a type changes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine_fields.h"

static char errbuf[256];

static const engine_field *find(const engine_field *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

static backend_registry *builtins(void)
{
	backend_registry *r = backend_registry_new();
	assert_non_null(r);
	backend_opts o = {0};
	assert_int_equal(backend_registry_add_builtins(r, &o, NULL, 0, errbuf, sizeof(errbuf)), BACKEND_OK);
	return r;
}

static void test_list_has_the_syscall_fields(void **state)
{
	(void)state;
	engine_field *f = NULL;
	size_t n = 0;
	backend_registry *r = builtins();
	assert_int_equal(engine_fields_list(r, &f, &n, errbuf, sizeof(errbuf)), 0);
	assert_true(n > 200);
	size_t nsys = 0, nk8s = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(f[i].source, "syscall") == 0)
			nsys++;
		else if (strcmp(f[i].source, "k8s_audit") == 0)
			nk8s++;
		else
			fail_msg("unexpected source %s", f[i].source);
		assert_true(f[i].name[0] && f[i].type[0]);
	}
	assert_true(nsys > 200);
	assert_true(nk8s > 50);
	/* Falco 0.31.1's 5 jevt and 57 ka fields, every one CHARBUF */
	assert_int_equal(nk8s, 62);
	const engine_field *ku = find(f, n, "ka.user.name");
	assert_non_null(ku);
	assert_string_equal(ku->source, "k8s_audit");
	assert_string_equal(ku->type, "CHARBUF");
	const engine_field *pn = find(f, n, "proc.name");
	assert_non_null(pn);
	assert_string_equal(pn->type, "CHARBUF");
	const engine_field *pid = find(f, n, "proc.pid");
	assert_non_null(pid);
	assert_string_equal(pid->type, "INT64");
	assert_non_null(find(f, n, "evt.type"));
	assert_non_null(find(f, n, "container.id"));
	free(f);
	backend_registry_free(r);
}

static void test_checksum_is_sha256_of_the_sorted_set(void **state)
{
	(void)state;
	engine_field f[] = {
		{"syscall", "proc.name", "CHARBUF"},
		{"k8s_audit", "ka.verb", "CHARBUF"},
		{"syscall", "evt.num", "UINT64"},
	};
	char sum[ENGINE_FIELDS_CHECKSUM_SIZE];
	assert_int_equal(engine_fields_checksum(f, 3, sum, errbuf, sizeof(errbuf)), 0);
	/* python3: sha256(b"".join(s.encode() + b"\0" for t in sorted(set) for s in t)) */
	assert_string_equal(sum, "d7e5d8c01858a6ebf9fd595e2492bd3dcb69997d25372f631dcda7c9a83209a4");
	assert_int_equal(engine_fields_checksum(NULL, 0, sum, errbuf, sizeof(errbuf)), 0);
	assert_string_equal(sum, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_equal_sets_equal_checksums(void **state)
{
	(void)state;
	engine_field a[] = {
		{"syscall", "proc.name", "CHARBUF"},
		{"k8s_audit", "ka.verb", "CHARBUF"},
		{"syscall", "evt.num", "UINT64"},
	};
	engine_field b[] = {
		{"syscall", "evt.num", "UINT64"},
		{"syscall", "proc.name", "CHARBUF"},
		{"syscall", "evt.num", "UINT64"},
		{"k8s_audit", "ka.verb", "CHARBUF"},
	};
	char sa[ENGINE_FIELDS_CHECKSUM_SIZE], sb[ENGINE_FIELDS_CHECKSUM_SIZE];
	assert_int_equal(engine_fields_checksum(a, 3, sa, errbuf, sizeof(errbuf)), 0);
	assert_int_equal(engine_fields_checksum(b, 4, sb, errbuf, sizeof(errbuf)), 0);
	assert_string_equal(sa, sb);
}

static void test_any_change_changes_the_checksum(void **state)
{
	(void)state;
	engine_field base[] = {{"syscall", "proc.name", "CHARBUF"}, {"syscall", "evt.num", "UINT64"}};
	engine_field other_type[] = {{"syscall", "proc.name", "CHARBUF"}, {"syscall", "evt.num", "INT64"}};
	engine_field other_source[] = {{"syscall", "proc.name", "CHARBUF"}, {"k8s_audit", "evt.num", "UINT64"}};
	engine_field other_name[] = {{"syscall", "proc.name", "CHARBUF"}, {"syscall", "evt.nun", "UINT64"}};
	engine_field more[] = {{"syscall", "proc.name", "CHARBUF"}, {"syscall", "evt.num", "UINT64"},
			       {"k8s_audit", "ka.verb", "CHARBUF"}};
	/* the same bytes split differently are a different set */
	engine_field shifted[] = {{"syscall", "proc.nam", "eCHARBUF"}, {"syscall", "evt.num", "UINT64"}};
	char s0[ENGINE_FIELDS_CHECKSUM_SIZE], s[ENGINE_FIELDS_CHECKSUM_SIZE];
	assert_int_equal(engine_fields_checksum(base, 2, s0, errbuf, sizeof(errbuf)), 0);
	engine_field *variants[] = {other_type, other_source, other_name, more, shifted};
	size_t counts[] = {2, 2, 2, 3, 2};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(engine_fields_checksum(variants[i], counts[i], s, errbuf, sizeof(errbuf)), 0);
		assert_string_not_equal(s, s0);
	}
}

static void test_builtin_is_the_checksum_of_the_list(void **state)
{
	(void)state;
	engine_field *f = NULL;
	size_t n = 0;
	backend_registry *r = builtins();
	assert_int_equal(engine_fields_list(r, &f, &n, errbuf, sizeof(errbuf)), 0);
	/* listed backwards: the order must not matter */
	for (size_t i = 0; i < n / 2; i++) {
		engine_field t = f[i];
		f[i] = f[n - 1 - i];
		f[n - 1 - i] = t;
	}
	char sum[ENGINE_FIELDS_CHECKSUM_SIZE];
	assert_int_equal(engine_fields_checksum(f, n, sum, errbuf, sizeof(errbuf)), 0);
	free(f);
	backend_registry_free(r);
	const char *builtin = engine_fields_checksum_builtin();
	assert_int_equal(strlen(builtin), ENGINE_FIELDS_CHECKSUM_SIZE - 1);
	assert_string_equal(builtin, sum);
	assert_ptr_equal(engine_fields_checksum_builtin(), builtin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_has_the_syscall_fields),
		cmocka_unit_test(test_checksum_is_sha256_of_the_sorted_set),
		cmocka_unit_test(test_equal_sets_equal_checksums),
		cmocka_unit_test(test_any_change_changes_the_checksum),
		cmocka_unit_test(test_builtin_is_the_checksum_of_the_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
