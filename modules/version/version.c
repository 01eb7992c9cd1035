/* The version module: Falco's /falco.version.service/version, the API's
 * /falco.api.unary/version, with the build facts and the loaded modules. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/fapi.h"
#include "version.pb-c.h"

typedef struct version_state {
	fapi_module_ctx *ctx;
	const fapi_host *host;
} version_state;

/* A response and the storage its repeated field points into, freed in one
 * piece by version_release. */
typedef struct version_reply {
	Falco__Version__Response resp;
	Falco__Version__Module **ptrs;
	Falco__Version__Module *items;
} version_reply;

static void version_release(const ProtobufCMessage *response, void *user)
{
	(void)user;
	version_reply *r = (version_reply *)(void *)response; /* resp is the first member */
	free(r->ptrs);
	free(r->items);
	free(r);
}

static void version_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			   void *user)
{
	(void)request;
	(void)peer;
	version_state *st = user;
	fapi_version_info vi = FAPI_VERSION_INFO_INIT;
	st->host->version_info(&vi);
	size_t n = st->host->module_count(st->ctx);
	version_reply *r = calloc(1, sizeof(*r));
	if (r) {
		r->ptrs = calloc(n ? n : 1, sizeof(*r->ptrs));
		r->items = calloc(n ? n : 1, sizeof(*r->items));
	}
	if (!r || !r->ptrs || !r->items) {
		if (r)
			version_release(&r->resp.base, NULL);
		result->status = FAPI_STATUS_RESOURCE_EXHAUSTED;
		snprintf(result->message, sizeof(result->message), "out of memory");
		return;
	}
	Falco__Version__Response *v = &r->resp;
	falco__version__response__init(v);
	/* protobuf-c fields are char *, the host's strings are const and
	 * static: the message is only packed, never modified. */
	v->version = (char *)vi.version;
	v->major = vi.major;
	v->minor = vi.minor;
	v->patch = vi.patch;
	v->prerelease = (char *)vi.prerelease;
	v->build = (char *)vi.build;
	v->engine_version = (char *)vi.engine_version;
	v->engine_major = vi.engine_major;
	v->engine_minor = vi.engine_minor;
	v->engine_patch = vi.engine_patch;
	v->engine_fields_checksum = (char *)st->host->engine_fields_checksum(st->ctx);
	v->git_commit = (char *)vi.git_commit;
	v->build_type = (char *)vi.build_type;
	v->abi_major = vi.abi_major;
	v->abi_minor = vi.abi_minor;
	for (size_t i = 0; i < n; i++) {
		fapi_module_info mi = FAPI_MODULE_INFO_INIT;
		if (st->host->module_info(st->ctx, i, &mi) != FAPI_OK)
			break;
		Falco__Version__Module *m = &r->items[v->n_modules];
		falco__version__module__init(m);
		m->name = (char *)mi.name;
		m->version = (char *)mi.version;
		m->description = (char *)mi.description;
		m->library_path = (char *)mi.library_path;
		m->abi_major = mi.abi_major;
		m->abi_minor = mi.abi_minor;
		r->ptrs[v->n_modules++] = m;
	}
	v->modules = r->ptrs;
	result->response = &v->base;
	result->release = version_release;
}

static int version_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	version_state *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	st->ctx = ctx;
	st->host = host;
	*state = st;
	return FAPI_OK;
}

static int version_register(void *state, char *err, size_t errlen)
{
	version_state *st = state;
	static const char *const paths[] = {"/falco.version.service/version", "/falco.api.unary/version"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		fapi_unary_method m = FAPI_UNARY_METHOD_INIT;
		m.path = paths[i];
		m.request_type = &falco__version__request__descriptor;
		m.response_type = &falco__version__response__descriptor;
		m.handler = version_handle;
		m.user = st;
		m.method_class = FAPI_METHOD_READ;
		int rc = st->host->register_unary(st->ctx, &m, err, errlen);
		if (rc != FAPI_OK)
			return rc;
	}
	return FAPI_OK;
}

static void version_destroy(void *state)
{
	free(state);
}

FAPI_MODULE_DEFINE(.name = "version", .version = "1.0.0",
		   .description = "Falco and API version, build facts and loaded modules",
		   .init = version_init, .register_rpcs = version_register, .destroy = version_destroy);
