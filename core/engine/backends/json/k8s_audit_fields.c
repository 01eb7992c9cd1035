#include "engine/backends/json/k8s_audit_fields.h"

#include <ctype.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/backends/json/json_dump.h"
#include "engine/output/alert_meta.h"

/* How each field is extracted. */
enum k8s_extract {
	K8S_X_PTR,          /* pointer fields (one or two pointers) */
	K8S_X_IMAGES,       /* every container's image */
	K8S_X_IMAGE_FIRST,  /* the first container's image */
	K8S_X_REPOS,        /* every container's image repository */
	K8S_X_REPO_FIRST,   /* the first container's image repository */
	K8S_X_QUERY_PARAM,  /* ka.uri.param[k] */
	K8S_X_RULE_ATTRS,   /* ka.req.role.rules.<prop> */
	K8S_X_VOL_HOSTPATH, /* ka.req.volume.hostpath[P] */
	K8S_X_VOL_TYPES,    /* the keys of each volume but "name" */
	K8S_X_HOST_PORT,    /* hostPort, else containerPort, of each port */
	K8S_X_EFF_USER,     /* container runAsUser, else the pod's, else 0 */
	K8S_X_EFF_GROUP,    /* the same for runAsGroup */
	K8S_X_TRUE,         /* always "true" */
	K8S_X_ANY_PRIV,     /* "true" when any container is privileged */
	K8S_X_JEVT_TIME,
	K8S_X_JEVT_TIME_ISO,
	K8S_X_JEVT_RAWTIME,
	K8S_X_JEVT_VALUE,
	K8S_X_JEVT_OBJ,
};

static const k8s_field_info k8s_jevt_fields[] = {
	{"jevt.time", "event time as local time of day with nanoseconds", K8S_ARG_NONE, false},
	{"jevt.time.iso8601", "event time in ISO 8601, with nanoseconds and UTC offset", K8S_ARG_NONE, false},
	{"jevt.rawtime", "event time in nanoseconds since the epoch", K8S_ARG_NONE, false},
	{"jevt.value", "the value at a JSON pointer: jevt.value[/user/username]", K8S_ARG_REQUIRED, false},
	{"jevt.obj", "the whole event as JSON text", K8S_ARG_NONE, false},
};
static const int k8s_jevt_extract[] = {
	K8S_X_JEVT_TIME, K8S_X_JEVT_TIME_ISO, K8S_X_JEVT_RAWTIME, K8S_X_JEVT_VALUE, K8S_X_JEVT_OBJ,
};

#define A K8S_ARG_ALLOWED
#define N K8S_ARG_NONE
#define R K8S_ARG_REQUIRED
static const k8s_field_info k8s_ka_fields[] = {
	{"ka.auditid", "audit event id", N, false},
	{"ka.stage", "request stage (RequestReceived, ResponseComplete, ...)", N, false},
	{"ka.auth.decision", "authorization decision", N, false},
	{"ka.auth.reason", "authorization reason", N, false},
	{"ka.user.name", "user name of the requester", N, false},
	{"ka.user.groups", "groups of the requester", N, false},
	{"ka.impuser.name", "impersonated user name", N, false},
	{"ka.verb", "the request's verb", N, false},
	{"ka.uri", "the request URI as sent", N, false},
	{"ka.uri.param", "a query parameter of the URI: ka.uri.param[key]", R, false},
	{"ka.target.name", "target object name", N, false},
	{"ka.target.namespace", "target object namespace", N, false},
	{"ka.target.resource", "target object resource", N, false},
	{"ka.target.subresource", "target object subresource", N, false},
	{"ka.req.binding.subjects", "role binding request: its subjects", N, false},
	{"ka.req.binding.role", "role binding request: its role name", N, false},
	{"ka.req.binding.subject.has_name", "deprecated; always \"true\" (as Falco 0.31)", R, false},
	{"ka.req.configmap.name", "configmap request: its name", N, false},
	{"ka.req.configmap.obj", "configmap request: its data as JSON", N, false},
	{"ka.req.pod.containers.image", "pod request: every container's image", A, true},
	{"ka.req.container.image", "deprecated: the first container's image", N, false},
	{"ka.req.pod.containers.image.repository", "pod request: every image's repository", A, true},
	{"ka.req.container.image.repository", "deprecated: the first image's repository", N, false},
	{"ka.req.pod.host_ipc", "pod request: hostIPC", N, false},
	{"ka.req.pod.host_network", "pod request: hostNetwork", N, false},
	{"ka.req.container.host_network", "deprecated alias of ka.req.pod.host_network", N, false},
	{"ka.req.pod.host_pid", "pod request: hostPID", N, false},
	{"ka.req.pod.containers.host_port", "pod request: every port's hostPort (else containerPort)", A, true},
	{"ka.req.pod.containers.privileged", "pod request: every container's privileged flag", A, true},
	{"ka.req.container.privileged", "deprecated: true when any container is privileged", N, false},
	{"ka.req.pod.containers.allow_privilege_escalation", "pod request: every container's allowPrivilegeEscalation", A, true},
	{"ka.req.pod.containers.read_only_fs", "pod request: every container's readOnlyRootFilesystem", A, true},
	{"ka.req.pod.run_as_user", "pod request: the pod's runAsUser", N, false},
	{"ka.req.pod.containers.run_as_user", "pod request: every container's runAsGroup (sic, as Falco 0.31.1)", A, true},
	{"ka.req.pod.containers.eff_run_as_user", "pod request: every container's effective uid (0 when unset)", A, true},
	{"ka.req.pod.run_as_group", "pod request: the pod's runAsGroup", N, false},
	{"ka.req.pod.containers.run_as_group", "pod request: every container's runAsGroup", A, true},
	{"ka.req.pod.containers.eff_run_as_group", "pod request: every container's effective gid (0 when unset)", A, true},
	{"ka.req.pod.containers.proc_mount", "pod request: every container's procMount", A, true},
	{"ka.req.role.rules", "role request: its rules", N, false},
	{"ka.req.role.rules.apiGroups", "role request: the api groups of its rules", A, true},
	{"ka.req.role.rules.nonResourceURLs", "role request: the non-resource URLs of its rules", A, true},
	{"ka.req.role.rules.verbs", "role request: the verbs of its rules", A, true},
	{"ka.req.role.rules.resources", "role request: the resources of its rules", A, true},
	{"ka.req.pod.fs_group", "pod request: fsGroup", N, false},
	{"ka.req.pod.supplemental_groups", "pod request: supplementalGroups", N, false},
	{"ka.req.pod.containers.add_capabilities", "pod request: every container's added capabilities", A, true},
	{"ka.req.service.type", "service request: its type", N, false},
	{"ka.req.service.ports", "service request: its ports", A, true},
	{"ka.req.pod.volumes.hostpath", "pod request: every volume's hostPath path", A, true},
	{"ka.req.volume.hostpath", "deprecated: \"true\" when a volume's hostPath is the argument", A, false},
	{"ka.req.pod.volumes.flexvolume_driver", "pod request: every volume's flexVolume driver", A, true},
	{"ka.req.pod.volumes.volume_type", "pod request: every volume's types", A, true},
	{"ka.resp.name", "response object name", N, false},
	{"ka.response.code", "response code", N, false},
	{"ka.response.reason", "response reason", N, false},
	{"ka.useragent", "the requester's user agent", N, false},
};
#undef A
#undef N
#undef R

/* For each ka field: its extraction and, for pointer fields, its pointers. */
static const struct {
	int x;
	const char *p0, *p1;
} k8s_ka_extract[] = {
	{K8S_X_PTR, "/auditID", NULL},
	{K8S_X_PTR, "/stage", NULL},
	{K8S_X_PTR, "/annotations/authorization.k8s.io~1decision", NULL},
	{K8S_X_PTR, "/annotations/authorization.k8s.io~1reason", NULL},
	{K8S_X_PTR, "/user/username", NULL},
	{K8S_X_PTR, "/user/groups", NULL},
	{K8S_X_PTR, "/impersonatedUser/username", NULL},
	{K8S_X_PTR, "/verb", NULL},
	{K8S_X_PTR, "/requestURI", NULL},
	{K8S_X_QUERY_PARAM, NULL, NULL},
	{K8S_X_PTR, "/objectRef/name", NULL},
	{K8S_X_PTR, "/objectRef/namespace", NULL},
	{K8S_X_PTR, "/objectRef/resource", NULL},
	{K8S_X_PTR, "/objectRef/subresource", NULL},
	{K8S_X_PTR, "/requestObject/subjects", NULL},
	{K8S_X_PTR, "/requestObject/roleRef/name", NULL},
	{K8S_X_TRUE, NULL, NULL},
	{K8S_X_PTR, "/objectRef/name", NULL},
	{K8S_X_PTR, "/requestObject/data", NULL},
	{K8S_X_IMAGES, NULL, NULL},
	{K8S_X_IMAGE_FIRST, NULL, NULL},
	{K8S_X_REPOS, NULL, NULL},
	{K8S_X_REPO_FIRST, NULL, NULL},
	{K8S_X_PTR, "/requestObject/spec/hostIPC", NULL},
	{K8S_X_PTR, "/requestObject/spec/hostNetwork", NULL},
	{K8S_X_PTR, "/requestObject/spec/hostNetwork", NULL},
	{K8S_X_PTR, "/requestObject/spec/hostPID", NULL},
	{K8S_X_HOST_PORT, NULL, NULL},
	{K8S_X_PTR, "/requestObject/spec/containers", "/securityContext/privileged"},
	{K8S_X_ANY_PRIV, NULL, NULL},
	{K8S_X_PTR, "/requestObject/spec/containers", "/securityContext/allowPrivilegeEscalation"},
	{K8S_X_PTR, "/requestObject/spec/containers", "/securityContext/readOnlyRootFilesystem"},
	{K8S_X_PTR, "/requestObject/spec/securityContext/runAsUser", NULL},
	/* Falco 0.31.1 reads runAsGroup here (a bug, kept for identical rules). */
	{K8S_X_PTR, "/requestObject/spec/containers", "/securityContext/runAsGroup"},
	{K8S_X_EFF_USER, NULL, NULL},
	{K8S_X_PTR, "/requestObject/spec/securityContext/runAsGroup", NULL},
	{K8S_X_PTR, "/requestObject/spec/containers", "/securityContext/runAsGroup"},
	{K8S_X_EFF_GROUP, NULL, NULL},
	{K8S_X_PTR, "/requestObject/spec/containers", "/securityContext/procMount"},
	{K8S_X_PTR, "/requestObject/rules", NULL},
	{K8S_X_RULE_ATTRS, NULL, NULL},
	{K8S_X_RULE_ATTRS, NULL, NULL},
	{K8S_X_RULE_ATTRS, NULL, NULL},
	{K8S_X_RULE_ATTRS, NULL, NULL},
	{K8S_X_PTR, "/requestObject/spec/securityContext/fsGroup", NULL},
	{K8S_X_PTR, "/requestObject/spec/securityContext/supplementalGroups", NULL},
	{K8S_X_PTR, "/requestObject/spec/containers", "/securityContext/capabilities/add"},
	{K8S_X_PTR, "/requestObject/spec/type", NULL},
	{K8S_X_PTR, "/requestObject/spec/ports", NULL},
	{K8S_X_PTR, "/requestObject/spec/volumes", "/hostPath/path"},
	{K8S_X_VOL_HOSTPATH, NULL, NULL},
	{K8S_X_PTR, "/requestObject/spec/volumes", "/flexVolume/driver"},
	{K8S_X_VOL_TYPES, NULL, NULL},
	{K8S_X_PTR, "/responseObject/metadata/name", NULL},
	{K8S_X_PTR, "/responseStatus/code", NULL},
	{K8S_X_PTR, "/responseStatus/reason", NULL},
	{K8S_X_PTR, "/userAgent", NULL},
};

_Static_assert(sizeof(k8s_ka_extract) / sizeof(k8s_ka_extract[0]) == sizeof(k8s_ka_fields) / sizeof(k8s_ka_fields[0]),
	       "one extraction per ka field");

static const k8s_field_class k8s_classes[] = {
	{.name = "jevt", .desc = "any JSON event", .fields = k8s_jevt_fields,
	 .nfields = sizeof(k8s_jevt_fields) / sizeof(k8s_jevt_fields[0])},
	{.name = "ka", .desc = "Kubernetes audit events", .fields = k8s_ka_fields,
	 .nfields = sizeof(k8s_ka_fields) / sizeof(k8s_ka_fields[0])},
};

size_t k8s_audit_fields_class_count(void)
{
	return sizeof(k8s_classes) / sizeof(k8s_classes[0]);
}

const k8s_field_class *k8s_audit_fields_class(size_t i)
{
	return i < k8s_audit_fields_class_count() ? &k8s_classes[i] : NULL;
}

static int k8s_audit_fields_bind(k8s_field *f, const k8s_field_class *cls, const k8s_field_info *info, const char *arg,
				 char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	f->info = info;
	const char *name = info->name;
	if (!arg || !*arg) {
		if (info->arg == K8S_ARG_REQUIRED) {
			if (!strcmp(name, "jevt.value"))
				snprintf(err, errlen,
					 "Could not parse filtercheck field \"%s\". Did not have expected format with "
					 "'jevt.value[<json pointer>]'",
					 name);
			else
				snprintf(err, errlen, "When parsing filtercheck %s: %s requires an index but none provided",
					 name, name);
			return -1;
		}
		arg = NULL;
	} else if (info->arg == K8S_ARG_NONE) {
		snprintf(err, errlen, "When parsing filtercheck %s[%s]: %s forbids an index but one provided", name, arg,
			 name);
		return -1;
	} else if (info->arg_numeric && strspn(arg, "0123456789") != strlen(arg)) {
		snprintf(err, errlen, "When parsing filtercheck %s[%s]: %s requires a numeric index", name, arg, name);
		return -1;
	}
	if (arg && !(f->arg = strdup(arg))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char perr[160];
	if (info >= k8s_jevt_fields && info < k8s_jevt_fields + sizeof(k8s_jevt_fields) / sizeof(k8s_jevt_fields[0])) {
		f->id = k8s_jevt_extract[info - k8s_jevt_fields];
		if (f->id == K8S_X_JEVT_VALUE) {
			if (json_pointer_compile(&f->ptr[0], arg, perr, sizeof(perr)) != 0) {
				snprintf(err, errlen,
					 "Could not parse filtercheck field \"%s[%s]\". Invalid json selector (%s)", name,
					 arg, perr);
				k8s_audit_fields_free(f);
				return -1;
			}
			f->nptr = 1;
		}
		return 0;
	}
	const char *ptrs[2] = {NULL, NULL};
	if (cls && cls->ptrs) {
		f->id = K8S_X_PTR;
		ptrs[0] = cls->ptrs[info - cls->fields];
	} else {
		size_t i = (size_t)(info - k8s_ka_fields);
		f->id = k8s_ka_extract[i].x;
		ptrs[0] = k8s_ka_extract[i].p0;
		ptrs[1] = k8s_ka_extract[i].p1;
	}
	for (size_t k = 0; k < 2 && ptrs[k]; k++) {
		if (json_pointer_compile(&f->ptr[k], ptrs[k], perr, sizeof(perr)) != 0) {
			snprintf(err, errlen, "%s: %s", name, perr);
			k8s_audit_fields_free(f);
			return -1;
		}
		f->nptr++;
	}
	if (f->id == K8S_X_PTR && arg) {
		f->has_index = true;
		f->index = (size_t)strtoull(arg, NULL, 10);
		if (strlen(arg) > 18)
			f->index = SIZE_MAX;
	}
	return 0;
}

/* The field of that name in jevt or cls (NULL: ka), and its class. */
static const k8s_field_info *k8s_audit_fields_lookup(const k8s_field_class **cls, const char *name)
{
	const k8s_field_class *classes[2] = {&k8s_classes[0], *cls ? *cls : &k8s_classes[1]};
	for (size_t c = 0; c < 2; c++)
		for (size_t i = 0; i < classes[c]->nfields; i++)
			if (!strcmp(classes[c]->fields[i].name, name)) {
				*cls = classes[c];
				return &classes[c]->fields[i];
			}
	return NULL;
}

int k8s_audit_fields_resolve(k8s_field *f, const k8s_field_class *cls, const char *name, const char *arg, char *err,
			     size_t errlen)
{
	const k8s_field_info *info = k8s_audit_fields_lookup(&cls, name);
	if (!info)
		return 1;
	return k8s_audit_fields_bind(f, cls, info, arg, err, errlen);
}

void k8s_audit_fields_free(k8s_field *f)
{
	for (size_t k = 0; k < 2; k++)
		json_pointer_free(&f->ptr[k]);
	free(f->arg);
	memset(f, 0, sizeof(*f));
}

long k8s_audit_fields_scan(k8s_field *f, const k8s_field_class *cls, const char *text, char *err, size_t errlen)
{
	/* Falco tries the jevt class first, which matches any text that starts
	 * with one of its names (longest first: jevt.time.iso8601 before
	 * jevt.time); then the longest ka name that is followed by neither a
	 * letter, a digit nor a '.'. */
	static const char *const jevt_order[] = {"jevt.time.iso8601", "jevt.time", "jevt.rawtime", "jevt.obj"};
	for (size_t i = 0; i < sizeof(jevt_order) / sizeof(jevt_order[0]); i++) {
		size_t n = strlen(jevt_order[i]);
		if (!strncmp(text, jevt_order[i], n)) {
			if (k8s_audit_fields_bind(f, NULL, k8s_audit_fields_lookup(&(const k8s_field_class *){NULL}, jevt_order[i]), NULL, err, errlen) != 0)
				return -1;
			return (long)n;
		}
	}
	if (!strncmp(text, "jevt.value", 10)) {
		const char *end = strchr(text + 1, ']');
		if (text[10] != '[' || !end) {
			snprintf(err, errlen,
				 "Could not parse filtercheck field \"%s\". Did not have expected format with "
				 "'jevt.value[<json pointer>]'",
				 text);
			return -1;
		}
		char *arg = strndup(text + 11, (size_t)(end - (text + 11)));
		if (!arg) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		int rc = k8s_audit_fields_bind(f, NULL, k8s_audit_fields_lookup(&(const k8s_field_class *){NULL}, "jevt.value"), arg, err, errlen);
		if (rc == 0 && !f->arg && !(f->arg = strdup(""))) {
			k8s_audit_fields_free(f);
			rc = -1;
		}
		free(arg);
		return rc == 0 ? (long)(end - text + 1) : -1;
	}
	const k8s_field_info *best = NULL;
	size_t best_len = 0;
	if (!cls)
		cls = &k8s_classes[1];
	for (size_t i = 0; i < cls->nfields; i++) {
		size_t n = strlen(cls->fields[i].name);
		if (n > best_len && !strncmp(text, cls->fields[i].name, n) && !isalnum((unsigned char)text[n]) &&
		    text[n] != '.') {
			best = &cls->fields[i];
			best_len = n;
		}
	}
	if (!best)
		return 0;
	long used = (long)best_len;
	char *arg = NULL;
	if (text[best_len] == '[') {
		const char *end = strchr(text + best_len + 1, ']');
		if (end) {
			arg = strndup(text + best_len + 1, (size_t)(end - (text + best_len + 1)));
			if (!arg) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			used = (long)(end - text + 1);
		}
	}
	int rc = k8s_audit_fields_bind(f, cls, best, arg, err, errlen);
	free(arg);
	return rc == 0 ? used : -1;
}

/* nlohmann's range-for: an array's items, an object's values, nothing for
 * null, the value itself for any other value. */
typedef struct k8s_iter {
	const cJSON *cur;
	bool single;
} k8s_iter;

static const cJSON *k8s_audit_fields_iter_begin(k8s_iter *it, const cJSON *v)
{
	it->single = !(cJSON_IsArray(v) || cJSON_IsObject(v));
	if (cJSON_IsNull(v))
		it->cur = NULL;
	else
		it->cur = it->single ? v : v->child;
	return it->cur;
}

static const cJSON *k8s_audit_fields_iter_next(k8s_iter *it)
{
	it->cur = it->single ? NULL : it->cur->next;
	return it->cur;
}

#define K8S_FOREACH(var, it, v) for (const cJSON *var = k8s_audit_fields_iter_begin(&(it), (v)); var; var = k8s_audit_fields_iter_next(&(it)))

/* json_as_string(v) as a value. Scalars skip the text: an integral number
 * is the number its dump would read as, true/false/null their words. */
static void k8s_audit_fields_add_json(json_vals *out, const cJSON *v)
{
	if (cJSON_IsString(v))
		json_value_list_add_text(out, v->valuestring, false);
	else if (cJSON_IsNumber(v) && json_dump_is_integer(v))
		json_value_list_add_int(out, (int64_t)v->valuedouble);
	else if (cJSON_IsTrue(v))
		json_value_list_add_text(out, "true", false);
	else if (cJSON_IsFalse(v))
		json_value_list_add_text(out, "false", false);
	else if (cJSON_IsNull(v))
		json_value_list_add_text(out, "null", false);
	else
		json_value_list_add_text(out, json_dump_as_string(v), true);
}

/* Falco's def_extract: the remaining pointers applied to each item of an
 * array met on the way. */
static bool k8s_audit_fields_def_extract(const k8s_field *f, const cJSON *root, size_t i, json_vals *out)
{
	if (i == f->nptr) {
		k8s_audit_fields_add_json(out, root);
		return true;
	}
	const cJSON *j = json_pointer_get(&f->ptr[i], root);
	if (!j)
		return false;
	if (cJSON_IsArray(j)) {
		for (const cJSON *item = j->child; item; item = item->next)
			if (!k8s_audit_fields_def_extract(f, item, i + 1, out))
				json_value_list_add_text(out, K8S_NO_VALUE, false);
	} else {
		k8s_audit_fields_add_json(out, j);
	}
	return true;
}

/* The part of an image reference Falco calls the repository: host[:port]/
 * and the name, without tag or digest (sinsp_utils::split_container_image
 * with split_repo false). */
static char *k8s_audit_fields_image_repository(const char *image)
{
	const char *slash = strchr(image, '/');
	const char *rem = slash ? slash + 1 : image;
	size_t repo_len = slash ? (size_t)(rem - image) : 0;
	const char *at = strchr(rem, '@');
	size_t rem_len = at ? (size_t)(at - rem) : strlen(rem);
	const char *colon = memchr(rem, ':', rem_len);
	size_t name_len = colon ? (size_t)(colon - rem) : rem_len;
	char *res = malloc(repo_len + name_len + 1);
	if (!res)
		return NULL;
	memcpy(res, image, repo_len);
	memcpy(res + repo_len, rem, name_len);
	res[repo_len + name_len] = 0;
	return res;
}

/* The pointers the custom extractors use, compiled once. */
enum k8s_static_ptr {
	K8S_P_CONTAINERS, /* /requestObject/spec/containers */
	K8S_P_URI,
	K8S_P_RULES,
	K8S_P_VOLUMES,
	K8S_P_SPEC,
	K8S_P_SPEC_CONTAINERS, /* /containers, from the spec */
	K8S_P_RUN_AS_USER,
	K8S_P_RUN_AS_GROUP,
	K8S_P_PRIVILEGED,
	K8S_P__COUNT
};
static const char *const k8s_static_texts[K8S_P__COUNT] = {
	"/requestObject/spec/containers", "/requestURI", "/requestObject/rules", "/requestObject/spec/volumes",
	"/requestObject/spec", "/containers", "/securityContext/runAsUser", "/securityContext/runAsGroup",
	"/securityContext/privileged",
};
static json_pointer k8s_static_ptrs[K8S_P__COUNT];
static bool k8s_static_ok;
static pthread_once_t k8s_static_once = PTHREAD_ONCE_INIT;

static void k8s_audit_fields_static_init(void)
{
	char err[64];
	k8s_static_ok = true;
	for (size_t i = 0; i < K8S_P__COUNT; i++)
		if (json_pointer_compile(&k8s_static_ptrs[i], k8s_static_texts[i], err, sizeof(err)) != 0)
			k8s_static_ok = false;
}

static const cJSON *k8s_audit_fields_get(const cJSON *root, enum k8s_static_ptr p)
{
	return k8s_static_ok ? json_pointer_get(&k8s_static_ptrs[p], root) : NULL;
}

static bool k8s_audit_fields_extract_images(const k8s_field *f, const cJSON *root, json_vals *out)
{
	const cJSON *containers = k8s_audit_fields_get(root, K8S_P_CONTAINERS);
	if (!containers)
		return false;
	bool repo = f->id == K8S_X_REPOS || f->id == K8S_X_REPO_FIRST;
	bool first = f->id == K8S_X_IMAGE_FIRST || f->id == K8S_X_REPO_FIRST;
	k8s_iter it;
	K8S_FOREACH(c, it, containers)
	{
		const cJSON *image = json_doc_member(c, "image");
		if (!cJSON_IsString(image))
			return false;
		if (repo)
			json_value_list_add_text(out, k8s_audit_fields_image_repository(image->valuestring), true);
		else
			json_value_list_add_text(out, image->valuestring, false);
		if (first)
			break;
	}
	return true;
}

/* std::getline splitting, as sinsp_split(): a trailing empty part is not
 * a part. Returns the number of parts, storing at most max (start, len). */
static size_t k8s_audit_fields_split(const char *s, size_t len, char delim, const char **starts, size_t *lens, size_t max)
{
	size_t n = 0, i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != delim)
			j++;
		if (n < max) {
			starts[n] = s + i;
			lens[n] = j - i;
		}
		n++;
		i = j + 1;
	}
	return n;
}

static int k8s_audit_fields_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* uri::decode(): %XX escapes; false on a malformed escape. */
static bool k8s_audit_fields_uri_decode_equals(const char *s, size_t len, const char *want)
{
	size_t wl = strlen(want), o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return false;
			int hi = k8s_audit_fields_hex(s[i + 1]), lo = k8s_audit_fields_hex(s[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (o >= wl || want[o] != c)
			return false;
		o++;
	}
	return o == wl;
}

static bool k8s_audit_fields_extract_query_param(const k8s_field *f, const cJSON *root, json_vals *out)
{
	const cJSON *uri = k8s_audit_fields_get(root, K8S_P_URI);
	if (!cJSON_IsString(uri))
		return false;
	const char *s = uri->valuestring;
	const char *st[3];
	size_t ln[3];
	if (k8s_audit_fields_split(s, strlen(s), '?', st, ln, 3) != 2)
		return false;
	const char *q = st[1];
	size_t qlen = ln[1];
	size_t i = 0;
	while (i < qlen) {
		size_t j = i;
		while (j < qlen && q[j] != '&')
			j++;
		const char *pst[3];
		size_t pln[3];
		if (k8s_audit_fields_split(q + i, j - i, '=', pst, pln, 3) == 2 &&
		    k8s_audit_fields_uri_decode_equals(pst[0], pln[0], f->arg ? f->arg : "")) {
			json_value_list_add_text(out, strndup(pst[1], pln[1]), true);
			return true;
		}
		i = j + 1;
	}
	return false;
}

static bool k8s_audit_fields_extract_rule_attrs(const k8s_field *f, const cJSON *root, json_vals *out)
{
	const cJSON *rules = k8s_audit_fields_get(root, K8S_P_RULES);
	if (!rules)
		return false;
	const char *prop = strrchr(f->info->name, '.') + 1;
	k8s_iter it, it2;
	K8S_FOREACH(rule, it, rules)
	{
		const cJSON *v = json_doc_member(rule, prop);
		if (!v)
			continue;
		K8S_FOREACH(item, it2, v)
		k8s_audit_fields_add_json(out, item);
	}
	return true;
}

static bool k8s_audit_fields_extract_vol_hostpath(const k8s_field *f, const cJSON *root, json_vals *out)
{
	const cJSON *vols = k8s_audit_fields_get(root, K8S_P_VOLUMES);
	if (!vols)
		return false;
	const char *idx = f->arg ? f->arg : "";
	size_t il = strlen(idx);
	bool prefix = il > 0 && idx[il - 1] == '*';
	k8s_iter it;
	K8S_FOREACH(vol, it, vols)
	{
		const cJSON *hp = json_doc_member(vol, "hostPath");
		if (!hp)
			continue;
		if (prefix) {
			/* Falco compares the argument without its '*' to the whole
			 * hostPath (std::string::compare(0, n-1, hostPath)), which
			 * must be a string. */
			if (!cJSON_IsString(hp))
				return false;
			if (strlen(hp->valuestring) == il - 1 && !memcmp(hp->valuestring, idx, il - 1))
				json_value_list_add_text(out, "true", false);
		} else if (cJSON_IsString(hp) && !strcmp(hp->valuestring, idx)) {
			json_value_list_add_text(out, "true", false);
		}
	}
	json_value_list_add_text(out, "false", false);
	return true;
}

static bool k8s_audit_fields_extract_vol_types(const cJSON *root, json_vals *out)
{
	const cJSON *vols = k8s_audit_fields_get(root, K8S_P_VOLUMES);
	if (!vols)
		return false;
	k8s_iter it;
	K8S_FOREACH(vol, it, vols)
	{
		if (cJSON_IsNull(vol))
			continue;
		if (!cJSON_IsObject(vol))
			return false;
		size_t n = 0;
		const cJSON **m = json_doc_sorted_members(vol, &n);
		for (size_t i = 0; i < n; i++)
			if (strcmp(m[i]->string, "name"))
				json_value_list_add_text(out, m[i]->string, false);
		free(m);
	}
	return true;
}

static bool k8s_audit_fields_extract_host_port(const cJSON *root, json_vals *out)
{
	const cJSON *containers = k8s_audit_fields_get(root, K8S_P_CONTAINERS);
	if (!containers)
		return false;
	k8s_iter it, it2;
	K8S_FOREACH(c, it, containers)
	{
		const cJSON *ports = json_doc_member(c, "ports");
		if (!ports)
			continue;
		K8S_FOREACH(p, it2, ports)
		{
			const cJSON *v = json_doc_member(p, "hostPort");
			if (!v)
				v = json_doc_member(p, "containerPort");
			if (v)
				k8s_audit_fields_add_json(out, v);
		}
	}
	return true;
}

/* nlohmann's value(ptr, default) read as int64: the default when the
 * pointer designates nothing; false when the value is not a number (or a
 * boolean, which nlohmann converts). */
static bool k8s_audit_fields_value_int(const cJSON *obj, enum k8s_static_ptr ptr, int64_t dflt, int64_t *out)
{
	if (!cJSON_IsObject(obj))
		return false;
	const cJSON *v = k8s_audit_fields_get(obj, ptr);
	if (!v) {
		*out = dflt;
		return true;
	}
	if (cJSON_IsNumber(v))
		*out = (int64_t)v->valuedouble;
	else if (cJSON_IsBool(v))
		*out = cJSON_IsTrue(v);
	else
		return false;
	return true;
}

static bool k8s_audit_fields_extract_eff_run_as(const k8s_field *f, const cJSON *root, json_vals *out)
{
	const cJSON *spec = k8s_audit_fields_get(root, K8S_P_SPEC);
	if (!spec)
		return false;
	enum k8s_static_ptr ptr = f->id == K8S_X_EFF_USER ? K8S_P_RUN_AS_USER : K8S_P_RUN_AS_GROUP;
	int64_t pod_id;
	if (!k8s_audit_fields_value_int(spec, ptr, 0, &pod_id))
		return false;
	const cJSON *containers = k8s_audit_fields_get(spec, K8S_P_SPEC_CONTAINERS);
	if (!containers)
		return false;
	k8s_iter it;
	K8S_FOREACH(c, it, containers)
	{
		int64_t id;
		if (!k8s_audit_fields_value_int(c, ptr, pod_id, &id))
			return false;
		json_value_list_add_int(out, id);
	}
	return true;
}

static bool k8s_audit_fields_extract_any_privileged(const cJSON *root, json_vals *out)
{
	const cJSON *containers = k8s_audit_fields_get(root, K8S_P_CONTAINERS);
	if (!containers)
		return false;
	k8s_iter it;
	K8S_FOREACH(c, it, containers)
	{
		const cJSON *p = k8s_audit_fields_get(c, K8S_P_PRIVILEGED);
		if (!p)
			continue;
		if (!cJSON_IsBool(p))
			return false;
		if (cJSON_IsTrue(p)) {
			json_value_list_add_text(out, "true", false);
			return true;
		}
	}
	json_value_list_add_text(out, "false", false);
	return true;
}

static bool k8s_audit_fields_extract_jevt(const k8s_field *f, const json_evt *evt, json_vals *out)
{
	char buf[64];
	switch (f->id) {
	case K8S_X_JEVT_RAWTIME:
		if (evt->ts <= INT64_MAX) {
			json_value_list_add_int(out, (int64_t)evt->ts); /* prints as %llu would */
		} else {
			snprintf(buf, sizeof(buf), "%" PRIu64, evt->ts);
			json_value_list_add_copy(out, buf);
		}
		return true;
	case K8S_X_JEVT_TIME:
		alert_meta_time_text(evt->ts, buf, sizeof(buf));
		json_value_list_add_copy(out, buf);
		return true;
	case K8S_X_JEVT_TIME_ISO:
		alert_meta_iso8601(evt->ts, buf, sizeof(buf));
		json_value_list_add_copy(out, buf);
		return true;
	case K8S_X_JEVT_OBJ:
		json_value_list_add_text(out, json_dump_as_string(evt->obj), true);
		return true;
	case K8S_X_JEVT_VALUE: {
		const cJSON *v = json_pointer_get(&f->ptr[0], evt->obj);
		if (!v)
			return false;
		k8s_audit_fields_add_json(out, v);
		return true;
	}
	}
	return false;
}

static bool k8s_audit_fields_extract_values(const k8s_field *f, const json_evt *evt, json_vals *out)
{
	const cJSON *root = evt->obj;
	switch (f->id) {
	case K8S_X_PTR:
		return k8s_audit_fields_def_extract(f, root, 0, out);
	case K8S_X_IMAGES:
	case K8S_X_IMAGE_FIRST:
	case K8S_X_REPOS:
	case K8S_X_REPO_FIRST:
		return k8s_audit_fields_extract_images(f, root, out);
	case K8S_X_QUERY_PARAM:
		return k8s_audit_fields_extract_query_param(f, root, out);
	case K8S_X_RULE_ATTRS:
		return k8s_audit_fields_extract_rule_attrs(f, root, out);
	case K8S_X_VOL_HOSTPATH:
		return k8s_audit_fields_extract_vol_hostpath(f, root, out);
	case K8S_X_VOL_TYPES:
		return k8s_audit_fields_extract_vol_types(root, out);
	case K8S_X_HOST_PORT:
		return k8s_audit_fields_extract_host_port(root, out);
	case K8S_X_EFF_USER:
	case K8S_X_EFF_GROUP:
		return k8s_audit_fields_extract_eff_run_as(f, root, out);
	case K8S_X_TRUE:
		json_value_list_add_text(out, "true", false);
		return true;
	case K8S_X_ANY_PRIV:
		return k8s_audit_fields_extract_any_privileged(root, out);
	default:
		return k8s_audit_fields_extract_jevt(f, evt, out);
	}
}

void k8s_audit_fields_extract(const k8s_field *f, const json_evt *evt, json_vals *out, size_t *first, size_t *nfirst)
{
	pthread_once(&k8s_static_once, k8s_audit_fields_static_init);
	json_value_list_reset(out);
	bool ok = k8s_audit_fields_extract_values(f, evt, out) && !out->failed;
	if (ok && f->has_index && f->index >= out->n)
		ok = false;
	if (!ok) {
		json_value_list_reset(out);
		json_value_list_add_text(out, K8S_NO_VALUE, false);
	}
	json_value_list_build_set(out);
	*first = ok && f->has_index ? f->index : 0;
	*nfirst = ok && f->has_index ? 1 : out->n;
}
