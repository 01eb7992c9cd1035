/* The size-first structs of ABI 1.4 and the frozen layouts of 1.1-1.3:
 * the host reads only the members a module's size reaches and fills only
 * those, a missing size is refused, and a module of an older minor gets
 * the table of its layouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "modules/host_legacy.h"
#include "modules/loader.h"

static void nop_handler(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			void *user)
{
	(void)request;
	(void)peer;
	(void)result;
	(void)user;
}

/* Any descriptor will do: the table only keeps the pointers. */
static const ProtobufCMessageDescriptor some_type = {.magic = PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC};

static void test_unary_read_by_size(void **state)
{
	(void)state;
	service_table t;
	service_table_init(&t);
	module_set set = {0};
	fapi_module_ctx ctx = {.name = "m", .abi_minor = 4, .table = &t, .registering = true, .set = &set};
	const fapi_host *h = loader_host_table();
	char err[256];
	fapi_unary_method m = FAPI_UNARY_METHOD_INIT;
	m.path = "/a.b/full";
	m.request_type = m.response_type = &some_type;
	m.handler = nop_handler;
	m.method_class = FAPI_METHOD_READ;
	assert_int_equal(h->register_unary(&ctx, &m, err, sizeof(err)), FAPI_OK);
	assert_int_equal(service_table_find(&t, "/a.b/full")->unary.method_class, FAPI_METHOD_READ);
	/* As if built before method_class existed: the host must not read it. */
	m.path = "/a.b/short";
	m.size = offsetof(fapi_unary_method, method_class);
	assert_int_equal(h->register_unary(&ctx, &m, err, sizeof(err)), FAPI_OK);
	assert_int_equal(service_table_find(&t, "/a.b/short")->unary.method_class, FAPI_METHOD_UNSET);
	/* A size too small for the required members: refused, naming the
	 * initializer. */
	m.path = "/a.b/tiny";
	m.size = offsetof(fapi_unary_method, handler);
	assert_int_equal(h->register_unary(&ctx, &m, err, sizeof(err)), FAPI_EINVAL);
	assert_non_null(strstr(err, "FAPI_UNARY_METHOD_INIT"));
	/* No size (designated initializer without .size): the layout of ABI
	 * 1.4 as published, every member of it read. */
	m.path = "/a.b/nosize";
	m.size = 0;
	assert_int_equal(h->register_unary(&ctx, &m, err, sizeof(err)), FAPI_OK);
	assert_int_equal(service_table_find(&t, "/a.b/nosize")->unary.method_class, FAPI_METHOD_READ);
	service_table_free(&t);
}

static void test_fill_by_size(void **state)
{
	(void)state;
	const fapi_host *h = loader_host_table();
	fapi_version_info full = FAPI_VERSION_INFO_INIT;
	h->version_info(&full);
	assert_int_equal(full.abi_minor, FAPI_ABI_MINOR);
	assert_non_null(full.engine_fields_checksum);
	/* A caller whose struct ends after `version`: nothing past it is written. */
	struct {
		fapi_version_info v;
		char guard[64];
	} small;
	memset(&small, 0x5a, sizeof(small));
	small.v.size = offsetof(fapi_version_info, major);
	h->version_info(&small.v);
	assert_string_equal(small.v.version, full.version);
	assert_int_equal(small.v.size, offsetof(fapi_version_info, major));
	const unsigned char *p = (const unsigned char *)&small.v.major;
	for (size_t i = 0; i < sizeof(small) - offsetof(fapi_version_info, major); i++)
		assert_int_equal(p[i], 0x5a);
	/* A zeroed struct gets the members of ABI 1.4 */
	fapi_version_info z = {0};
	h->version_info(&z);
	assert_string_equal(z.version, full.version);
	assert_int_equal(z.abi_minor, FAPI_ABI_MINOR);
	/* module_info into a size too small for the name is refused */
	module_set set = {0};
	fapi_module_ctx ctx = {.name = "m", .abi_minor = 4, .set = &set};
	fapi_module_info mi = {.size = 2};
	assert_int_equal(h->module_info(&ctx, 0, &mi), FAPI_EINVAL);
}

static void test_legacy_table(void **state)
{
	(void)state;
	const fapi_host *cur = loader_host_table(), *old = host_legacy_table();
	assert_ptr_not_equal(cur, old);
	/* what the layouts do not touch is shared */
	assert_ptr_equal(cur->log, old->log);
	assert_ptr_equal(cur->alert_pop, old->alert_pop);
	assert_ptr_not_equal(cur->register_unary, old->register_unary);
	fapi_version_info v = FAPI_VERSION_INFO_INIT;
	cur->version_info(&v);
	fapi_v13_version_info o;
	memset(&o, 0, sizeof(o));
	old->version_info((fapi_version_info *)(void *)&o);
	assert_string_equal(o.version, v.version);
	assert_int_equal(o.abi_major, v.abi_major);
	assert_int_equal(o.abi_minor, v.abi_minor);
	assert_string_equal(o.engine_fields_checksum, v.engine_fields_checksum);

	/* A 1.2 module's unary method ends at user; a 1.3 one has a class. */
	service_table t;
	service_table_init(&t);
	module_set set = {0};
	fapi_module_ctx ctx = {.name = "m", .abi_minor = 2, .table = &t, .registering = true, .set = &set};
	fapi_v13_unary_method m = {.path = "/a.b/old", .request_type = &some_type, .response_type = &some_type,
				   .handler = nop_handler, .method_class = FAPI_METHOD_READ};
	char err[256];
	assert_int_equal(old->register_unary(&ctx, (const fapi_unary_method *)(const void *)&m, err, sizeof(err)),
			 FAPI_OK);
	const service_entry *e = service_table_find(&t, "/a.b/old");
	assert_non_null(e);
	assert_ptr_equal(e->unary.handler, nop_handler);
	assert_int_equal(e->unary.method_class, FAPI_METHOD_UNSET);
	ctx.abi_minor = 3;
	m.path = "/a.b/old13";
	assert_int_equal(old->register_unary(&ctx, (const fapi_unary_method *)(const void *)&m, err, sizeof(err)),
			 FAPI_OK);
	assert_int_equal(service_table_find(&t, "/a.b/old13")->unary.method_class, FAPI_METHOD_READ);
	service_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unary_read_by_size),
		cmocka_unit_test(test_fill_by_size),
		cmocka_unit_test(test_legacy_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
