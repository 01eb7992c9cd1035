/* The authorisation policy: the defaults (uid 0 everything, the socket's
 * group, certificate holders and plaintext loopback clients read, writes
 * need a grant), grants by every kind of identity, a method's own
 * permission, denials naming what is missing, and configuration errors. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "authz/authz_identity.h"
#include "authz/authz_policy.h"
#include "config/config_yaml.h"

typedef struct fixture {
	config_doc doc;
	config_node *root;
	authz_policy policy;
} fixture;

static int load(fixture *f, const char *yaml, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(config_doc_init(&f->doc), 0);
	assert_int_equal(config_yaml_parse(&f->doc, "test.yaml", yaml, strlen(yaml), &f->root, err, errlen), 0);
	return authz_policy_read(f->root, &f->policy, err, errlen);
}

static void unload(fixture *f)
{
	authz_policy_free(&f->policy);
	config_node_free(f->root);
	config_doc_free(&f->doc);
}

static authz_identity unix_peer(uint32_t uid, uint32_t gid, const char *user, bool in_group)
{
	authz_identity id;
	authz_identity_init(&id, "unix");
	authz_unix_creds c;
	memset(&c, 0, sizeof(c));
	c.uid = uid;
	c.gid = gid;
	c.pid = 4242;
	snprintf(c.user, sizeof(c.user), "%s", user);
	snprintf(c.group, sizeof(c.group), "g%u", gid);
	c.in_socket_group = in_group;
	c.groups[c.ngroups++] = gid;
	c.groups[c.ngroups++] = 5000;
	authz_identity_set_unix(&id, &c);
	authz_identity_finish(&id);
	return id;
}

/* Filled in place: an identity's strings point into itself. */
static void cert_peer(authz_identity *id, const char *cn, const char *uri, const char *dns)
{
	authz_identity_init(id, "tcp+mtls");
	authz_identity_add_cert(id, 'c', cn, strlen(cn));
	if (uri)
		authz_identity_add_cert(id, 'u', uri, strlen(uri));
	if (dns)
		authz_identity_add_cert(id, 'd', dns, strlen(dns));
	authz_identity_finish(id);
}

static bool allows(const fixture *f, const authz_identity *id, fapi_method_class cls, const char *own, char *msg)
{
	msg[0] = '\0';
	return authz_policy_allows(&f->policy, id, "/p.s/m", cls, own, msg, 512);
}

static void test_defaults(void **state)
{
	(void)state;
	fixture f;
	char err[512], msg[512];
	assert_int_equal(load(&f, "grpc: {}\n", err, sizeof(err)), 0);
	assert_true(f.policy.enabled);
	authz_identity root = unix_peer(0, 0, "root", false);
	assert_true(allows(&f, &root, FAPI_METHOD_WRITE, "x.y", msg));
	authz_identity member = unix_peer(12345, 100, "alice", true);
	assert_true(allows(&f, &member, FAPI_METHOD_READ, NULL, msg));
	assert_false(allows(&f, &member, FAPI_METHOD_WRITE, NULL, msg));
	assert_non_null(strstr(msg, "permission 'write' denied: /p.s/m needs it"));
	assert_non_null(strstr(msg, "unix uid=12345(alice)"));
	/* a method that declares no class is a write */
	assert_false(allows(&f, &member, FAPI_METHOD_UNSET, NULL, msg));
	assert_non_null(strstr(msg, "permission 'write'"));
	authz_identity outsider = unix_peer(12346, 101, "bob", false);
	assert_false(allows(&f, &outsider, FAPI_METHOD_READ, NULL, msg));
	assert_non_null(strstr(msg, "permission 'read'"));
	authz_identity cert;
	cert_peer(&cert, "dash", NULL, NULL);
	assert_true(allows(&f, &cert, FAPI_METHOD_READ, NULL, msg));
	assert_false(allows(&f, &cert, FAPI_METHOD_WRITE, "rules.put", msg));
	assert_non_null(strstr(msg, "permission 'rules.put' denied"));
	assert_non_null(strstr(msg, "(or 'write')"));
	authz_identity plain;
	authz_identity_init(&plain, "tcp+insecure");
	authz_identity_finish(&plain);
	assert_true(allows(&f, &plain, FAPI_METHOD_READ, NULL, msg));
	assert_false(allows(&f, &plain, FAPI_METHOD_WRITE, NULL, msg));
	/* an unknown unix peer (no credentials) gets nothing */
	authz_identity unknown;
	authz_identity_init(&unknown, "unix");
	authz_identity_finish(&unknown);
	assert_false(allows(&f, &unknown, FAPI_METHOD_READ, NULL, msg));
	unload(&f);
}

static void test_grants(void **state)
{
	(void)state;
	fixture f;
	char err[512], msg[512];
	assert_int_equal(load(&f,
			      "grpc:\n"
			      "  authorization:\n"
			      "    grants:\n"
			      "      - {uid: 2001, permissions: [write]}\n"
			      "      - {user: carol, permissions: [rules.put]}\n"
			      "      - {gid: 5000, permissions: [configs.set]}\n"
			      "      - {cert_cn: deployer, permissions: [\"*\"]}\n"
			      "      - {cert_san: \"spiffe://example.org/ci\", permissions: [write]}\n"
			      "      - {cert_san: ops.example.org, permissions: [read, inputs]}\n",
			      err, sizeof(err)),
			 0);
	assert_int_equal(f.policy.ngrants, 6);
	authz_identity by_uid = unix_peer(2001, 100, "dave", false);
	assert_true(allows(&f, &by_uid, FAPI_METHOD_WRITE, "rules.put", msg));
	authz_identity carol = unix_peer(2002, 100, "carol", true);
	assert_true(allows(&f, &carol, FAPI_METHOD_WRITE, "rules.put", msg));
	assert_false(allows(&f, &carol, FAPI_METHOD_WRITE, "rules.delete", msg));
	assert_false(allows(&f, &carol, FAPI_METHOD_WRITE, NULL, msg));
	/* gid matches supplementary groups too (5000 is one of every test peer's) */
	authz_identity erin = unix_peer(2003, 100, "erin", false);
	assert_true(allows(&f, &erin, FAPI_METHOD_WRITE, "configs.set", msg));
	assert_false(allows(&f, &erin, FAPI_METHOD_WRITE, "rules.put", msg));
	authz_identity dep;
	cert_peer(&dep, "deployer", NULL, NULL);
	assert_true(allows(&f, &dep, FAPI_METHOD_WRITE, "anything", msg));
	authz_identity ci;
	cert_peer(&ci, "runner", "spiffe://example.org/ci", NULL);
	assert_true(allows(&f, &ci, FAPI_METHOD_WRITE, NULL, msg));
	authz_identity other;
	cert_peer(&other, "runner", "spiffe://example.org/cd", NULL);
	assert_false(allows(&f, &other, FAPI_METHOD_WRITE, NULL, msg));
	assert_non_null(strstr(msg, "tls cn=runner uri=spiffe://example.org/cd"));
	authz_identity ops;
	cert_peer(&ops, "x", NULL, "ops.example.org");
	assert_true(allows(&f, &ops, FAPI_METHOD_WRITE, "inputs", msg));
	assert_false(allows(&f, &ops, FAPI_METHOD_WRITE, "rules.put", msg));
	/* a certificate's CN does not match a unix user's grant of that name */
	authz_identity carol_cert;
	cert_peer(&carol_cert, "carol", NULL, NULL);
	assert_false(allows(&f, &carol_cert, FAPI_METHOD_WRITE, "rules.put", msg));
	unload(&f);
}

static void test_disabled(void **state)
{
	(void)state;
	fixture f;
	char err[512], msg[512];
	assert_int_equal(load(&f, "grpc: {authorization: {enabled: false}}\n", err, sizeof(err)), 0);
	authz_identity outsider = unix_peer(12346, 101, "bob", false);
	assert_true(allows(&f, &outsider, FAPI_METHOD_WRITE, NULL, msg));
	unload(&f);
}

static void expect_error(const char *yaml, const char *text)
{
	fixture f;
	char err[512] = "";
	assert_int_equal(load(&f, yaml, err, sizeof(err)), -1);
	if (!strstr(err, text))
		fail_msg("error '%s' does not contain '%s'", err, text);
	unload(&f);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("grpc: {authorization: {grants: {uid: 1}}}\n", "test.yaml:1:32: grpc.authorization.grants must be a list");
	expect_error("grpc: {authorization: {grants: [{permissions: [write]}]}}\n",
		     "a grant needs one of uid, user, gid, group, cert_cn, cert_san");
	expect_error("grpc: {authorization: {grants: [{uid: 1, user: a, permissions: [write]}]}}\n",
		     "a grant matches one identity: 'uid' and 'user' both given");
	expect_error("grpc: {authorization: {grants: [{uid: 1}]}}\n", "a grant needs 'permissions'");
	expect_error("grpc: {authorization: {grants: [{uid: -3, permissions: [write]}]}}\n",
		     "uid must be between 0 and");
	expect_error("grpc: {authorization: {grants: [{user: '', permissions: [write]}]}}\n", "user must not be empty");
	expect_error("grpc: {authorization: {grants: [{user: a, permissions: [[x]]}]}}\n",
		     "every permission must be a non-empty string");
	expect_error("grpc: {authorization: {enabled: maybe}}\n", "grpc.authorization.enabled");
}

static void test_identity_export(void **state)
{
	(void)state;
	authz_identity id;
	cert_peer(&id, "deployer", "spiffe://example.org/ci", "ci.example.org");
	fapi_identity out;
	memset(&out, 0, sizeof(out));
	out.size = sizeof(out);
	assert_int_equal(authz_identity_export(&id, &out), FAPI_OK);
	assert_string_equal(out.transport, "tcp+mtls");
	assert_true(out.has_cert);
	assert_false(out.has_unix_creds);
	assert_string_equal(out.common_name, "deployer");
	assert_int_equal(out.nuri, 1);
	assert_string_equal(out.uri_sans[0], "spiffe://example.org/ci");
	assert_string_equal(out.dns_sans[0], "ci.example.org");
	assert_string_equal(out.text, "tls cn=deployer uri=spiffe://example.org/ci dns=ci.example.org");
	/* a module built with a shorter struct gets only what it has */
	struct {
		fapi_identity id;
		char canary[8];
	} small;
	memset(&small, 0x5a, sizeof(small));
	small.id.size = offsetof(fapi_identity, uid);
	assert_int_equal(authz_identity_export(&id, &small.id), FAPI_OK);
	assert_string_equal(small.id.transport, "tcp+mtls");
	assert_int_equal(((unsigned char *)&small.id)[offsetof(fapi_identity, uid)], 0x5a);
	fapi_identity tiny = {.size = 2};
	assert_int_equal(authz_identity_export(&id, &tiny), FAPI_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),     cmocka_unit_test(test_grants),
		cmocka_unit_test(test_disabled),     cmocka_unit_test(test_errors),
		cmocka_unit_test(test_identity_export),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
