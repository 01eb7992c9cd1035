/* The k8s_audit backend on hand-written audit events: every field present,
 * missing and on arrays, escaped pointers, the custom extractors, every
 * operator on multi-valued fields, outputs, and the event splitting and
 * timestamps of the audit reader. Expected values follow Falco 0.31.1's
 * json_evt.cpp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "engine/backends/json/json_doc.h"
#include "engine/backends/json/json_dump.h"
#include "engine/backends/json/k8s_audit_backend.h"
#include "engine/backends/json/k8s_audit_reader.h"

static const char *const POD_EVENT =
	"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a1\",\"stage\":\"ResponseComplete\","
	"\"requestURI\":\"/api/v1/namespaces/default/pods/p/exec?command=bash&command=-i&container=c%201&stdin=true\","
	"\"verb\":\"create\",\"user\":{\"username\":\"alice\",\"groups\":[\"system:masters\",\"dev\"]},"
	"\"impersonatedUser\":{\"username\":\"bob\"},\"userAgent\":\"kubectl/1.0\","
	"\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":\"nginx\",\"subresource\":\"exec\"},"
	"\"responseStatus\":{\"code\":201,\"reason\":\"Created\"},"
	"\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":\"RBAC\"},"
	"\"odd\":{\"a/b\":\"slash\",\"m~n\":\"tilde\"},"
	"\"requestObject\":{\"kind\":\"Pod\",\"data\":{\"b\":\"2\",\"a\":\"1\"},"
	"\"subjects\":[{\"kind\":\"User\",\"name\":\"u\"}],\"roleRef\":{\"name\":\"cluster-admin\"},"
	"\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"pods/exec\"],\"verbs\":[\"get\",\"create\"]},"
	"{\"nonResourceURLs\":[\"/healthz\"],\"verbs\":[\"*\"]}],"
	"\"spec\":{\"hostNetwork\":true,\"hostPID\":false,\"type\":\"NodePort\",\"ports\":[{\"port\":80},{\"port\":443}],"
	"\"securityContext\":{\"runAsUser\":1000,\"runAsGroup\":3000,\"fsGroup\":2000,\"supplementalGroups\":[4,5]},"
	"\"containers\":["
	"{\"name\":\"c1\",\"image\":\"docker.io/library/nginx:1.7.9\",\"ports\":[{\"containerPort\":80},{\"hostPort\":8080,"
	"\"containerPort\":81}],\"securityContext\":{\"privileged\":true,\"runAsUser\":0,\"runAsGroup\":7,"
	"\"capabilities\":{\"add\":[\"NET_ADMIN\",\"SYS_TIME\"]},\"procMount\":\"Unmasked\"}},"
	"{\"name\":\"c2\",\"image\":\"busybox@sha256:abcd\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
	"\"readOnlyRootFilesystem\":true}}],"
	"\"volumes\":[{\"name\":\"v1\",\"hostPath\":{\"path\":\"/etc\",\"type\":\"Directory\"}},"
	"{\"name\":\"v2\",\"flexVolume\":{\"driver\":\"drv\"}},{\"name\":\"v3\",\"emptyDir\":{},\"configMap\":{}}]}},"
	"\"responseObject\":{\"metadata\":{\"name\":\"nginx-resp\"}},"
	"\"stageTimestamp\":\"2019-03-06T14:25:17.395718Z\"}";

/* An event with almost nothing in it. */
static const char *const BARE_EVENT = "{\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:00.5Z\"}";

typedef struct fixture {
	backend b;
	json_doc *doc;
	json_evt *evts;
	size_t n;
	backend_event evt;
} fixture;

static fixture *fx_new(const char *json)
{
	fixture *f = calloc(1, sizeof(*f));
	backend init = BACKEND_INIT;
	f->b = init;
	char err[256];
	backend_opts o = {0};
	assert_int_equal(k8s_audit_backend_create(&o, &f->b, err, sizeof(err)), BACKEND_OK);
	assert_true(backend_is_valid(&f->b, err, sizeof(err)));
	int rc = k8s_audit_reader_parse(json, strlen(json), &f->doc, &f->evts, &f->n, err, sizeof(err));
	if (rc != 0)
		fail_msg("parse: %s", err);
	assert_true(f->n >= 1);
	f->evt.backend = &f->b;
	f->evt.ts = f->evts[0].ts;
	f->evt.payload = &f->evts[0];
	return f;
}

static void fx_free(fixture *f)
{
	json_doc_free(f->doc);
	free(f->evts);
	f->b.destroy(f->b.ctx);
	free(f);
}

/* Compiles field[arg] op values... (NULL-terminated) and evaluates it. */
static bool eval_v(fixture *f, const char *field, const char *arg, enum condition_op op, const char *const *vals)
{
	size_t n = 0;
	while (vals && vals[n])
		n++;
	backend_leaf leaf = {field, arg, op, vals, n};
	backend_check *chk = NULL;
	char err[256] = "";
	int rc = f->b.check_compile(f->b.ctx, &leaf, &chk, err, sizeof(err));
	if (rc != BACKEND_OK)
		fail_msg("compile %s: %s", field, err);
	bool r = f->b.check_eval(chk, &f->evt);
	f->b.check_free(chk);
	return r;
}

#define EVAL(f, field, arg, op, ...) eval_v((f), (field), (arg), (op), (const char *const[]){__VA_ARGS__, NULL})
#define EXISTS(f, field, arg) eval_v((f), (field), (arg), CONDITION_OP_EXISTS, NULL)

/* The text a format renders. Caller frees. */
static char *render(fixture *f, const char *format)
{
	backend_format *fmt = NULL;
	char err[256] = "";
	if (f->b.format_compile(f->b.ctx, format, &fmt, err, sizeof(err)) != BACKEND_OK)
		fail_msg("format %s: %s", format, err);
	char *out = NULL;
	assert_int_equal(f->b.format_text(fmt, &f->evt, &out, err, sizeof(err)), BACKEND_OK);
	f->b.format_free(fmt);
	return out;
}

static void assert_render(fixture *f, const char *format, const char *want)
{
	char *got = render(f, format);
	if (strcmp(got, want))
		fail_msg("%s: got \"%s\", want \"%s\"", format, got, want);
	free(got);
}

static void test_pointer_fields(void **state)
{
	(void)state;
	fixture *f = fx_new(POD_EVENT);
	assert_render(f, "%ka.auditid %ka.stage %ka.verb %ka.uri.param[container]", "a1 ResponseComplete create c%201");
	assert_render(f, "%ka.auth.decision/%ka.auth.reason", "allow/RBAC"); /* ~1 in the pointer */
	assert_render(f, "%ka.user.name %ka.impuser.name %ka.useragent", "alice bob kubectl/1.0");
	assert_render(f, "%ka.user.groups", "(system:masters,dev)");
	assert_render(f, "%ka.target.name %ka.target.namespace %ka.target.resource %ka.target.subresource",
		      "nginx default pods exec");
	assert_render(f, "%ka.req.configmap.name %ka.req.configmap.obj", "nginx {\"a\":\"1\",\"b\":\"2\"}");
	assert_render(f, "%ka.req.binding.subjects %ka.req.binding.role", "{\"kind\":\"User\",\"name\":\"u\"} cluster-admin");
	assert_render(f, "%ka.req.pod.host_network %ka.req.container.host_network %ka.req.pod.host_pid %ka.req.pod.host_ipc",
		      "true true false <NA>");
	assert_render(f, "%ka.req.pod.run_as_user %ka.req.pod.run_as_group %ka.req.pod.fs_group %ka.req.pod.supplemental_groups",
		      "1000 3000 2000 (4,5)");
	assert_render(f, "%ka.req.service.type %ka.req.service.ports", "NodePort ({\"port\":80},{\"port\":443})");
	assert_render(f, "%ka.resp.name %ka.response.code %ka.response.reason", "nginx-resp 201 Created");
	assert_render(f, "%ka.uri", "/api/v1/namespaces/default/pods/p/exec?command=bash&command=-i&container=c%201&stdin=true");
	fx_free(f);
}

static void test_missing_fields(void **state)
{
	(void)state;
	fixture *f = fx_new(BARE_EVENT);
	assert_render(f, "%ka.user.name %ka.user.groups %ka.req.pod.containers.image %ka.uri.param[x] %jevt.value[/nope]",
		      "<NA> <NA> <NA> <NA> <NA>");
	assert_render(f, "%ka.req.pod.containers.eff_run_as_user %ka.req.pod.volumes.volume_type %ka.req.role.rules.verbs",
		      "<NA> <NA> <NA>");
	assert_render(f, "%ka.req.volume.hostpath[/etc] %ka.req.container.privileged %ka.req.pod.containers.host_port",
		      "<NA> <NA> <NA>");
	/* the deprecated has_name yields "true" whatever the event */
	assert_render(f, "%ka.req.binding.subject.has_name[x]", "true");
	assert_false(EXISTS(f, "ka.user.name", NULL));
	assert_false(EVAL(f, "ka.user.name", NULL, CONDITION_OP_EQ, "alice"));
	/* <NA> is a value like any other for =, != and in */
	assert_true(EVAL(f, "ka.user.name", NULL, CONDITION_OP_EQ, "<NA>"));
	assert_true(EVAL(f, "ka.user.name", NULL, CONDITION_OP_NE, "alice"));
	assert_true(EVAL(f, "ka.user.name", NULL, CONDITION_OP_PMATCH, "/etc"));
	fx_free(f);
}

static void test_per_container_fields(void **state)
{
	(void)state;
	fixture *f = fx_new(POD_EVENT);
	assert_render(f, "%ka.req.pod.containers.image", "(docker.io/library/nginx:1.7.9,busybox@sha256:abcd)");
	assert_render(f, "%ka.req.container.image", "docker.io/library/nginx:1.7.9");
	assert_render(f, "%ka.req.pod.containers.image.repository", "(docker.io/library/nginx,busybox)");
	assert_render(f, "%ka.req.container.image.repository", "docker.io/library/nginx");
	/* an item without the property is <NA> */
	assert_render(f, "%ka.req.pod.containers.privileged", "(true,<NA>)");
	assert_render(f, "%ka.req.pod.containers.allow_privilege_escalation", "(<NA>,false)");
	assert_render(f, "%ka.req.pod.containers.read_only_fs", "(<NA>,true)");
	assert_render(f, "%ka.req.pod.containers.proc_mount", "(Unmasked,<NA>)");
	assert_render(f, "%ka.req.pod.containers.add_capabilities", "(NET_ADMIN,SYS_TIME,<NA>)");
	/* Falco 0.31.1 reads runAsGroup for run_as_user */
	assert_render(f, "%ka.req.pod.containers.run_as_user %ka.req.pod.containers.run_as_group", "(7,<NA>) (7,<NA>)");
	/* effective ids: the container's, else the pod's */
	assert_render(f, "%ka.req.pod.containers.eff_run_as_user %ka.req.pod.containers.eff_run_as_group",
		      "(0,1000) (7,3000)");
	assert_render(f, "%ka.req.pod.containers.host_port", "(80,8080)");
	assert_render(f, "%ka.req.container.privileged", "true");
	/* a numeric index picks one value of a pointer field */
	assert_render(f, "%ka.req.pod.containers.privileged[0] %ka.req.pod.containers.privileged[1]", "true <NA>");
	assert_render(f, "%ka.req.pod.containers.privileged[5]", "<NA>");
	/* custom extractors ignore it, as in Falco */
	assert_render(f, "%ka.req.pod.containers.image[1]", "(docker.io/library/nginx:1.7.9,busybox@sha256:abcd)");
	fx_free(f);
}

static void test_volumes_and_rules(void **state)
{
	(void)state;
	fixture *f = fx_new(POD_EVENT);
	assert_render(f, "%ka.req.pod.volumes.hostpath", "(/etc,<NA>,<NA>)");
	assert_render(f, "%ka.req.pod.volumes.flexvolume_driver", "(<NA>,drv,<NA>)");
	/* every key but name, in key order */
	assert_render(f, "%ka.req.pod.volumes.volume_type", "(hostPath,flexVolume,configMap,emptyDir)");
	/* hostPath is an object in real pods: the exact form never matches,
	 * the '*' form cannot compare and yields <NA> (Falco 0.31.1) */
	assert_render(f, "%ka.req.volume.hostpath[/etc]", "false");
	assert_render(f, "%ka.req.volume.hostpath[/etc*]", "<NA>");
	assert_render(f, "%ka.req.role.rules.verbs", "(get,create,*)");
	assert_render(f, "%ka.req.role.rules.resources %ka.req.role.rules.apiGroups %ka.req.role.rules.nonResourceURLs",
		      "(pods,pods/exec)  /healthz");
	assert_render(f, "%ka.req.role.rules",
		      "({\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"pods/exec\"],\"verbs\":[\"get\",\"create\"]},"
		      "{\"nonResourceURLs\":[\"/healthz\"],\"verbs\":[\"*\"]})");
	fx_free(f);

	/* hostPath given as a string: exact and '*' forms compare with it */
	f = fx_new("{\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:00Z\",\"requestObject\":{\"spec\":{"
		   "\"volumes\":[{\"hostPath\":\"/var/run\"},{\"hostPath\":\"/proc\"}]}}}");
	assert_render(f, "%ka.req.volume.hostpath[/proc]", "(true,false)");
	assert_render(f, "%ka.req.volume.hostpath[/var/run*]", "(true,false)");
	assert_render(f, "%ka.req.volume.hostpath[/var*]", "false");
	fx_free(f);
}

static void test_uri_param(void **state)
{
	(void)state;
	fixture *f = fx_new(POD_EVENT);
	/* the first parameter of that name; keys are URI-decoded, values not */
	assert_render(f, "%ka.uri.param[command]", "bash");
	assert_render(f, "%ka.uri.param[stdin]", "true");
	assert_render(f, "%ka.uri.param[tty]", "<NA>");
	assert_true(EVAL(f, "ka.uri.param", "command", CONDITION_OP_IN, "bash", "sh"));
	fx_free(f);
	f = fx_new("{\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:00Z\",\"requestURI\":\"/x?a%20b=1&c\"}");
	assert_render(f, "%ka.uri.param[a b]", "1");
	fx_free(f);
	/* two '?' : not a query Falco reads */
	f = fx_new("{\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:00Z\",\"requestURI\":\"/x?a=1?b=2\"}");
	assert_render(f, "%ka.uri.param[a]", "<NA>");
	fx_free(f);
}

static void test_jevt_fields(void **state)
{
	(void)state;
	fixture *f = fx_new(POD_EVENT);
	/* the fractional seconds are added in double precision, as libsinsp */
	assert_render(f, "%jevt.rawtime", "1551882317395717888");
	assert_render(f, "%jevt.time", "14:25:17.395717888"); /* TZ=UTC, set in main */
	assert_render(f, "%jevt.time.iso8601", "2019-03-06T14:25:17.395717888+0000");
	assert_render(f, "%jevt.value[/odd/a~1b] %jevt.value[/odd/m~0n]", "slash tilde");
	assert_render(f, "%jevt.value[/user/groups] %jevt.value[/user/groups/1]", "[\"system:masters\",\"dev\"] dev");
	assert_render(f, "%jevt.value[/responseStatus/code]", "201");
	assert_render(f, "%jevt.value[/user/groups/01]", "<NA>"); /* no leading zeros */
	fx_free(f);
	f = fx_new("{\"kind\":\"Event\",\"b\":[1,2.5,null,true],\"a\":\"x\\n\\\"y\\u0001\",\"stageTimestamp\":\"2020-01-01T00:00:00Z\"}");
	assert_render(f, "%jevt.obj",
		      "{\"a\":\"x\\n\\\"y\\u0001\",\"b\":[1,2.5,null,true],\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:00Z\"}");
	fx_free(f);
}

static void test_operators_multi_valued(void **state)
{
	(void)state;
	fixture *f = fx_new(POD_EVENT);
	/* = and != compare the whole set */
	assert_false(EVAL(f, "ka.user.groups", NULL, CONDITION_OP_EQ, "dev"));
	assert_true(EVAL(f, "ka.user.groups", NULL, CONDITION_OP_NE, "dev"));
	assert_true(EVAL(f, "ka.user.name", NULL, CONDITION_OP_EQ, "alice"));
	/* in: every value is listed */
	assert_true(EVAL(f, "ka.user.groups", NULL, CONDITION_OP_IN, "dev", "system:masters", "other"));
	assert_false(EVAL(f, "ka.user.groups", NULL, CONDITION_OP_IN, "dev"));
	/* intersects: one in common */
	assert_true(EVAL(f, "ka.user.groups", NULL, CONDITION_OP_INTERSECTS, "dev", "x"));
	assert_false(EVAL(f, "ka.user.groups", NULL, CONDITION_OP_INTERSECTS, "x", "y"));
	assert_true(EVAL(f, "ka.req.pod.containers.privileged", NULL, CONDITION_OP_INTERSECTS, "true"));
	assert_false(EVAL(f, "ka.req.pod.containers.privileged", NULL, CONDITION_OP_EQ, "true"));
	/* an index narrows startswith/contains/exists, not = or intersects */
	assert_true(EVAL(f, "ka.req.pod.containers.privileged", "0", CONDITION_OP_STARTSWITH, "tr"));
	assert_false(EVAL(f, "ka.req.pod.containers.privileged", "0", CONDITION_OP_EQ, "true"));
	assert_true(EXISTS(f, "ka.req.pod.containers.privileged", "0"));
	assert_false(EXISTS(f, "ka.req.pod.containers.privileged", "1"));
	/* contains / startswith / exists need exactly one value */
	assert_false(EVAL(f, "ka.user.groups", NULL, CONDITION_OP_CONTAINS, "dev"));
	assert_false(EXISTS(f, "ka.user.groups", NULL));
	assert_true(EVAL(f, "ka.user.name", NULL, CONDITION_OP_CONTAINS, "lic"));
	assert_true(EVAL(f, "ka.user.name", NULL, CONDITION_OP_STARTSWITH, "ali"));
	assert_false(EVAL(f, "ka.user.name", NULL, CONDITION_OP_STARTSWITH, "lic"));
	assert_true(EXISTS(f, "ka.user.name", NULL));
	/* numbers and ranges */
	assert_true(EVAL(f, "ka.response.code", NULL, CONDITION_OP_EQ, "201"));
	assert_true(EVAL(f, "ka.response.code", NULL, CONDITION_OP_EQ, "200:299"));
	assert_true(EVAL(f, "ka.response.code", NULL, CONDITION_OP_IN, "100:199", "200:299"));
	assert_false(EVAL(f, "ka.response.code", NULL, CONDITION_OP_EQ, "300:399"));
	assert_true(EVAL(f, "ka.response.code", NULL, CONDITION_OP_GE, "201"));
	assert_true(EVAL(f, "ka.response.code", NULL, CONDITION_OP_LT, "300"));
	assert_false(EVAL(f, "ka.response.code", NULL, CONDITION_OP_GT, "201"));
	assert_true(EVAL(f, "ka.response.code", NULL, CONDITION_OP_LE, "201"));
	/* ordering needs equal types: a string is not below a number */
	assert_false(EVAL(f, "ka.user.name", NULL, CONDITION_OP_LT, "5"));
	assert_true(EVAL(f, "ka.user.name", NULL, CONDITION_OP_LT, "bob"));
	assert_true(EVAL(f, "ka.req.pod.containers.eff_run_as_user", NULL, CONDITION_OP_INTERSECTS, "0"));
	assert_true(EVAL(f, "ka.req.pod.containers.eff_run_as_user", NULL, CONDITION_OP_IN, "0", "1000"));
	assert_true(EVAL(f, "ka.req.pod.containers.host_port", NULL, CONDITION_OP_INTERSECTS, "8000:9000"));
	/* pmatch is true only when every value is <NA> */
	assert_false(EVAL(f, "ka.req.pod.volumes.hostpath", NULL, CONDITION_OP_PMATCH, "/etc"));
	/* empty array: in is vacuously true, intersects false */
	fx_free(f);
	f = fx_new("{\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:00Z\",\"user\":{\"groups\":[]}}");
	assert_true(EVAL(f, "ka.user.groups", NULL, CONDITION_OP_IN, "a"));
	assert_false(EVAL(f, "ka.user.groups", NULL, CONDITION_OP_INTERSECTS, "a"));
	assert_false(EXISTS(f, "ka.user.groups", NULL));
	assert_render(f, "%ka.user.groups", "<NA>");
	fx_free(f);
}

static void test_compile_errors(void **state)
{
	(void)state;
	fixture *f = fx_new(BARE_EVENT);
	char err[256];
	backend_check *chk = NULL;
	const char *v[] = {"x"};
	backend_leaf leaf = {"ka.nope", NULL, CONDITION_OP_EQ, v, 1};
	assert_int_equal(f->b.check_compile(f->b.ctx, &leaf, &chk, err, sizeof(err)), BACKEND_EUNKNOWN_FIELD);
	leaf = (backend_leaf){"ka.verb", "1", CONDITION_OP_EQ, v, 1};
	assert_int_equal(f->b.check_compile(f->b.ctx, &leaf, &chk, err, sizeof(err)), BACKEND_ERROR);
	assert_string_equal(err, "When parsing filtercheck ka.verb[1]: ka.verb forbids an index but one provided");
	leaf = (backend_leaf){"ka.uri.param", NULL, CONDITION_OP_EQ, v, 1};
	assert_int_equal(f->b.check_compile(f->b.ctx, &leaf, &chk, err, sizeof(err)), BACKEND_ERROR);
	assert_string_equal(err, "When parsing filtercheck ka.uri.param: ka.uri.param requires an index but none provided");
	leaf = (backend_leaf){"ka.req.pod.containers.image", "x", CONDITION_OP_EQ, v, 1};
	assert_int_equal(f->b.check_compile(f->b.ctx, &leaf, &chk, err, sizeof(err)), BACKEND_ERROR);
	assert_non_null(strstr(err, "requires a numeric index"));
	leaf = (backend_leaf){"jevt.value", "a/b", CONDITION_OP_EQ, v, 1};
	assert_int_equal(f->b.check_compile(f->b.ctx, &leaf, &chk, err, sizeof(err)), BACKEND_ERROR);
	assert_non_null(strstr(err, "Invalid json selector"));
	leaf = (backend_leaf){"jevt.value", "/a~2", CONDITION_OP_EQ, v, 1};
	assert_int_equal(f->b.check_compile(f->b.ctx, &leaf, &chk, err, sizeof(err)), BACKEND_ERROR);
	leaf = (backend_leaf){"ka.verb", NULL, CONDITION_OP_GLOB, v, 1};
	assert_int_equal(f->b.check_compile(f->b.ctx, &leaf, &chk, err, sizeof(err)), BACKEND_EBAD_OPERATOR);
	backend_format *fmt = NULL;
	assert_int_equal(f->b.format_compile(f->b.ctx, "x %ka.nope y", &fmt, err, sizeof(err)), BACKEND_EUNKNOWN_FIELD);
	assert_string_equal(err, "Could not parse format string \"x %ka.nope y\": unknown filtercheck field ka.nope y");
	fx_free(f);
}

static void test_output_json_and_fields(void **state)
{
	(void)state;
	fixture *f = fx_new(POD_EVENT);
	char err[256];
	backend_format *fmt = NULL;
	assert_int_equal(f->b.format_compile(f->b.ctx, "*%ka.verb by %ka.user.name (%ka.user.groups) %ka.req.pod.containers.privileged[1] "
						     "%ka.impuser.name %jevt.value[/nope]",
					     &fmt, err, sizeof(err)),
			 BACKEND_OK);
	char *js = NULL;
	assert_int_equal(f->b.format_json(fmt, &f->evt, &js, err, sizeof(err)), BACKEND_OK);
	/* keys without their argument, sorted */
	assert_string_equal(js, "{\"jevt.value\":\"<NA>\",\"ka.impuser.name\":\"bob\",\"ka.req.pod.containers.privileged\":\"<NA>\","
				"\"ka.user.groups\":\"(system:masters,dev)\",\"ka.user.name\":\"alice\",\"ka.verb\":\"create\"}");
	free(js);
	backend_field_value *fv = NULL;
	size_t n = 0;
	assert_int_equal(f->b.format_fields(fmt, &f->evt, &fv, &n, err, sizeof(err)), BACKEND_OK);
	assert_int_equal(n, 6);
	assert_string_equal(fv[0].name, "jevt.value");
	assert_string_equal(fv[5].name, "ka.verb");
	assert_string_equal(fv[5].value, "create");
	free(fv);
	char *text = NULL;
	assert_int_equal(f->b.format_text(fmt, &f->evt, &text, err, sizeof(err)), BACKEND_OK);
	assert_string_equal(text, "create by alice ((system:masters,dev)) <NA> bob <NA>");
	free(text);
	f->b.format_free(fmt);
	/* a format without fields: output_fields is null */
	assert_int_equal(f->b.format_compile(f->b.ctx, "plain", &fmt, err, sizeof(err)), BACKEND_OK);
	assert_int_equal(f->b.format_json(fmt, &f->evt, &js, err, sizeof(err)), BACKEND_OK);
	assert_string_equal(js, "null");
	free(js);
	f->b.format_free(fmt);
	fx_free(f);
}

static void test_value_normalisation(void **state)
{
	(void)state;
	/* numbers print as Falco prints them: "007" is 7, " 5" is 5 */
	fixture *f = fx_new("{\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:00Z\",\"user\":{\"username\":\"007\"},"
			    "\"verb\":\"1:2\"}");
	assert_render(f, "%ka.user.name %ka.verb", "7 1:2");
	assert_true(EVAL(f, "ka.user.name", NULL, CONDITION_OP_EQ, "7"));
	assert_true(EVAL(f, "ka.verb", NULL, CONDITION_OP_EQ, "1:2"));
	fx_free(f);
}

static void test_parse_splitting(void **state)
{
	(void)state;
	json_doc *d = NULL;
	json_evt *e = NULL;
	size_t n = 0;
	char err[256];
	const char *list = "{\"kind\":\"EventList\",\"items\":[{\"verb\":\"get\",\"stageTimestamp\":\"2020-01-01T00:00:01Z\"},"
			   "{\"kind\":\"Other\",\"verb\":\"list\",\"stageTimestamp\":\"2020-01-01T00:00:02Z\"}]}";
	assert_int_equal(k8s_audit_reader_parse(list, strlen(list), &d, &e, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].ts, 1577836801000000000ull);
	assert_int_equal(e[1].ts, 1577836802000000000ull);
	/* items become kind Event */
	char *s = json_dump_as_string(e[1].obj);
	assert_string_equal(s, "{\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:02Z\",\"verb\":\"list\"}");
	free(s);
	json_doc_free(d);
	free(e);
	const char *arr = "[{\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:01Z\"},{\"kind\":\"EventList\",\"items\":[]}]";
	assert_int_equal(k8s_audit_reader_parse(arr, strlen(arr), &d, &e, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	json_doc_free(d);
	free(e);
	const char *bad[] = {
		"{\"kind\": 0}", "[[{\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:01Z\"}]]", "\"Event\"",
		"{\"kind\":\"Event\"}", "{\"kind\":\"Event\",\"stageTimestamp\":\"yesterday\"}",
		"[{\"kind\":\"Event\",\"stageTimestamp\":\"2020-01-01T00:00:01Z\"},{\"kind\":\"Pod\"}]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(k8s_audit_reader_parse(bad[i], strlen(bad[i]), &d, &e, &n, err, sizeof(err)), -1);
		assert_string_equal(err, "Data not recognized as a k8s audit event");
		assert_null(d);
	}
	assert_int_equal(k8s_audit_reader_parse("{\"kind\":", 8, &d, &e, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Could not parse data: "));
	assert_int_equal(k8s_audit_reader_parse("{} x", 4, &d, &e, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Could not parse data: "));
}

static void write_file(const char *path, const char *text, bool gz)
{
	if (gz) {
		gzFile g = gzopen(path, "wb");
		assert_non_null(g);
		gzputs(g, text);
		gzclose(g);
	} else {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
}

static void test_reader(void **state)
{
	(void)state;
	char dir[] = "/tmp/k8s_reader_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	const char *text = "{\"kind\":\"Event\",\"verb\":\"a\",\"stageTimestamp\":\"2020-01-01T00:00:01Z\"}\n"
			   "\n"
			   "[{\"kind\":\"Event\",\"verb\":\"b\",\"stageTimestamp\":\"2020-01-01T00:00:02Z\"},"
			   "{\"kind\":\"Event\",\"verb\":\"c\",\"stageTimestamp\":\"2020-01-01T00:00:03Z\"}]\n"
			   "{\"kind\": 0}\n";
	for (int gz = 0; gz < 2; gz++) {
		snprintf(path, sizeof(path), "%s/a%s", dir, gz ? ".gz" : ".json");
		write_file(path, text, gz);
		k8s_audit_reader *r = NULL;
		char err[512];
		assert_int_equal(k8s_audit_reader_open(&r, path, err, sizeof(err)), 0);
		const json_evt *e = NULL;
		const char *want[] = {"a", "b", "c"};
		for (int i = 0; i < 3; i++) {
			assert_int_equal(k8s_audit_reader_next(r, &e, err, sizeof(err)), 0);
			const cJSON *verb = cJSON_GetObjectItemCaseSensitive(e->obj, "verb");
			assert_string_equal(verb->valuestring, want[i]);
		}
		assert_int_equal(k8s_audit_reader_next(r, &e, err, sizeof(err)), -1);
		assert_string_equal(err, "Could not read k8s audit event line #4, \"{\"kind\": 0}\": Data not recognized as "
					 "a k8s audit event, stopping");
		k8s_audit_reader_close(r);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/b.json", dir);
	write_file(path, "not json\n", false);
	k8s_audit_reader *r = NULL;
	char err[512];
	assert_int_equal(k8s_audit_reader_open(&r, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not recognized as system call events or k8s audit events"));
	unlink(path);
	rmdir(dir);
	const unsigned char j[] = " \n{", s[] = "\x0a\x0d\x0d\x0a";
	assert_true(k8s_audit_reader_probe(j, 3));
	assert_false(k8s_audit_reader_probe(s, 4));
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pointer_fields),	   cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_per_container_fields), cmocka_unit_test(test_volumes_and_rules),
		cmocka_unit_test(test_uri_param),	   cmocka_unit_test(test_jevt_fields),
		cmocka_unit_test(test_operators_multi_valued), cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_output_json_and_fields), cmocka_unit_test(test_value_normalisation),
		cmocka_unit_test(test_parse_splitting),	   cmocka_unit_test(test_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
