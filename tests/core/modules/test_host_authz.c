/* The host's authz_check (ABI 1.4: authorisation check): the policy a
 * configuration change would give, decided for the caller without changing
 * the running configuration. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "config/config_yaml.h"
#include "modules/host_authz.h"
#include "modules/loader.h"
#include "server/server_internal.h"

typedef struct fixture {
	config_doc doc;
	module_set set;
	struct fapi_module_ctx ctx;
	server_peer peer;
} fixture;

static const char *const test_host_authz_yaml =
	"grpc:\n"
	"  authorization:\n"
	"    enabled: true\n"
	"    grants:\n"
	"      - {uid: 1234, permissions: [write]}\n";

static void fixture_init(fixture *f, uint32_t uid)
{
	char err[512];
	memset(f, 0, sizeof(*f));
	assert_int_equal(config_doc_init(&f->doc), 0);
	config_node *root = NULL;
	assert_int_equal(config_yaml_parse(&f->doc, "falco.yaml", test_host_authz_yaml, strlen(test_host_authz_yaml),
					   &root, err, sizeof(err)),
			 0);
	config_node_free(f->doc.root);
	f->doc.root = root;
	f->set.config_root = root;
	f->ctx.name = "configs";
	f->ctx.set = &f->set;
	authz_identity_init(&f->peer.id, "unix");
	authz_unix_creds c = {.uid = uid, .gid = uid};
	authz_identity_set_unix(&f->peer.id, &c);
	authz_identity_finish(&f->peer.id);
	f->peer.pub.address = "unix:uid=1234,pid=1";
	f->peer.pub.transport = "unix";
}

static bool check(fixture *f, const char *key, const char *value, int expect_rc, char *msg, size_t msglen)
{
	const char *keys[] = {key}, *values[] = {value};
	fapi_authz_query q = FAPI_AUTHZ_QUERY_INIT;
	q.path = "/falco.api.unary/configs_set";
	q.method_class = FAPI_METHOD_WRITE;
	q.permission = "configs.set";
	q.keys = keys;
	q.values = values;
	q.n = key ? 1 : 0;
	bool allowed = true;
	msg[0] = '\0';
	assert_int_equal(host_authz_check(&f->ctx, &f->peer.pub, &q, &allowed, msg, msglen), expect_rc);
	return allowed;
}

static void test_running_policy_allows_the_granted_uid(void **s)
{
	(void)s;
	fixture f;
	char msg[512];
	fixture_init(&f, 1234);
	assert_true(check(&f, NULL, NULL, FAPI_OK, msg, sizeof(msg)));
	config_doc_free(&f.doc);
}

static void test_dropping_the_grant_is_denied_and_changes_nothing(void **s)
{
	(void)s;
	fixture f;
	char msg[512];
	fixture_init(&f, 1234);
	assert_false(check(&f, "grpc.authorization.grants", "[]", FAPI_OK, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "permission 'configs.set' denied"));
	assert_false(check(&f, "grpc.authorization.grants", "[{uid: 1234, permissions: [read]}]", FAPI_OK, msg,
			   sizeof(msg)));
	/* The running configuration is untouched. */
	const config_node *g = config_lookup(f.set.config_root, "grpc.authorization.grants");
	assert_non_null(g);
	assert_int_equal(g->count, 1);
	assert_true(check(&f, NULL, NULL, FAPI_OK, msg, sizeof(msg)));
	config_doc_free(&f.doc);
}

static void test_changes_that_keep_the_grant_or_disable_the_policy_are_allowed(void **s)
{
	(void)s;
	fixture f;
	char msg[512];
	fixture_init(&f, 1234);
	assert_true(check(&f, "grpc.authorization.grants",
			  "[{uid: 1234, permissions: [configs.set]}, {uid: 99, permissions: [read]}]", FAPI_OK, msg,
			  sizeof(msg)));
	assert_true(check(&f, "grpc.authorization.enabled", "false", FAPI_OK, msg, sizeof(msg)));
	config_doc_free(&f.doc);
}

static void test_other_uid_and_root(void **s)
{
	(void)s;
	fixture f;
	char msg[512];
	fixture_init(&f, 4321);
	assert_false(check(&f, NULL, NULL, FAPI_OK, msg, sizeof(msg)));
	assert_true(check(&f, "grpc.authorization.grants", "[{uid: 4321, permissions: [\"*\"]}]", FAPI_OK, msg,
			  sizeof(msg)));
	config_doc_free(&f.doc);
	fixture_init(&f, 0);
	assert_true(check(&f, "grpc.authorization.grants", "[]", FAPI_OK, msg, sizeof(msg)));
	config_doc_free(&f.doc);
}

static void test_invalid_would_be_policy_is_an_error_naming_the_key(void **s)
{
	(void)s;
	fixture f;
	char msg[512];
	fixture_init(&f, 1234);
	check(&f, "grpc.authorization.grants", "[{permissions: [write]}]", FAPI_EINVAL, msg, sizeof(msg));
	assert_non_null(strstr(msg, "policy would be invalid"));
	check(&f, "grpc.authorization.grants", "[unclosed", FAPI_EINVAL, msg, sizeof(msg));
	assert_non_null(strstr(msg, "grpc.authorization.grants"));
	fapi_authz_query q = {.size = 4, .path = "/x"};
	bool allowed = true;
	assert_int_equal(host_authz_check(&f.ctx, &f.peer.pub, &q, &allowed, msg, sizeof(msg)), FAPI_EINVAL);
	config_doc_free(&f.doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_running_policy_allows_the_granted_uid),
		cmocka_unit_test(test_dropping_the_grant_is_denied_and_changes_nothing),
		cmocka_unit_test(test_changes_that_keep_the_grant_or_disable_the_policy_are_allowed),
		cmocka_unit_test(test_other_uid_and_root),
		cmocka_unit_test(test_invalid_would_be_policy_is_an_error_naming_the_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
