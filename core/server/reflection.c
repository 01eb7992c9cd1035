/* Server reflection over the registered descriptor sets. Everything is
 * added before the server starts and only read afterwards, so requests take
 * no lock. Lookups scan the files: a daemon has a few dozen, and reflection
 * is asked a handful of questions per client session.
 *
 * v1alpha's messages are v1's under another package, field for field: both
 * methods decode and encode with v1's protobuf-c types. */

#include "server/reflection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/descriptor.pb-c.h"
#include "reflection_v1.pb-c.h"
#include "server/server.h"

/* The project's .proto files, embedded by cmake/descriptor_set.cmake. */
extern const unsigned char fapi_descriptor_set[];
extern const size_t fapi_descriptor_set_len;

typedef struct reflection_file {
	const Google__Protobuf__FileDescriptorProto *fd; /* inside one of sets[] */
	ProtobufCBinaryData raw;                         /* fd serialised; owned */
} reflection_file;

struct reflection {
	const service_table *table;
	Google__Protobuf__FileDescriptorSet **sets; /* owned, unpacked */
	size_t nsets;
	reflection_file *files; /* owned array */
	size_t nfiles;
};

/* gRPC status codes in ErrorResponse.error_code. */
#define REFLECTION_INVALID_ARGUMENT 3
#define REFLECTION_NOT_FOUND 5

static const reflection_file *reflection_file_named(const reflection *r, const char *name)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].fd->name ? r->files[i].fd->name : "", name) == 0)
			return &r->files[i];
	return NULL;
}

int reflection_add_set(reflection *r, const char *owner, const uint8_t *data, size_t len, char *err,
		       size_t errlen)
{
	Google__Protobuf__FileDescriptorSet *set = google__protobuf__file_descriptor_set__unpack(NULL, len, data);
	if (!set) {
		snprintf(err, errlen, "%s: the descriptors given are not a FileDescriptorSet", owner);
		return FAPI_EINVAL;
	}
	Google__Protobuf__FileDescriptorSet **sets = realloc(r->sets, (r->nsets + 1) * sizeof(*sets));
	reflection_file *files = sets ? realloc(r->files, (r->nfiles + set->n_file) * sizeof(*files)) : NULL;
	if (sets)
		r->sets = sets;
	if (!files) {
		google__protobuf__file_descriptor_set__free_unpacked(set, NULL);
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	r->files = files;
	r->sets[r->nsets++] = set;
	for (size_t i = 0; i < set->n_file; i++) {
		const Google__Protobuf__FileDescriptorProto *fd = set->file[i];
		if (!fd->name || reflection_file_named(r, fd->name))
			continue;
		reflection_file *f = &r->files[r->nfiles];
		f->fd = fd;
		f->raw.len = protobuf_c_message_get_packed_size(&fd->base);
		if (!(f->raw.data = malloc(f->raw.len ? f->raw.len : 1))) {
			snprintf(err, errlen, "out of memory");
			return FAPI_ENOMEM;
		}
		protobuf_c_message_pack(&fd->base, f->raw.data);
		r->nfiles++;
	}
	return FAPI_OK;
}

/* `rest` names something inside message m (or m itself). */
static bool reflection_in_message(const Google__Protobuf__DescriptorProto *m, const char *rest)
{
	size_t n = strlen(m->name ? m->name : "");
	if (strncmp(rest, m->name ? m->name : "", n) != 0)
		return false;
	if (rest[n] == '\0')
		return true;
	if (rest[n] != '.')
		return false;
	rest += n + 1;
	for (size_t i = 0; i < m->n_nested_type; i++)
		if (reflection_in_message(m->nested_type[i], rest))
			return true;
	for (size_t i = 0; i < m->n_enum_type; i++)
		if (m->enum_type[i]->name && strcmp(m->enum_type[i]->name, rest) == 0)
			return true;
	for (size_t i = 0; i < m->n_field; i++)
		if (m->field[i]->name && strcmp(m->field[i]->name, rest) == 0)
			return true;
	return false;
}

/* True when the fully qualified `symbol` (a message, enum, service,
 * method or field) is declared in fd. */
static bool reflection_declares(const Google__Protobuf__FileDescriptorProto *fd, const char *symbol)
{
	const char *pkg = fd->package ? fd->package : "";
	size_t plen = strlen(pkg);
	const char *rest = symbol;
	if (plen) {
		if (strncmp(symbol, pkg, plen) != 0 || symbol[plen] != '.')
			return false;
		rest = symbol + plen + 1;
	}
	for (size_t i = 0; i < fd->n_message_type; i++)
		if (reflection_in_message(fd->message_type[i], rest))
			return true;
	for (size_t i = 0; i < fd->n_enum_type; i++)
		if (fd->enum_type[i]->name && strcmp(fd->enum_type[i]->name, rest) == 0)
			return true;
	for (size_t i = 0; i < fd->n_service; i++) {
		const Google__Protobuf__ServiceDescriptorProto *s = fd->service[i];
		size_t n = strlen(s->name ? s->name : "");
		if (!s->name || strncmp(rest, s->name, n) != 0)
			continue;
		if (rest[n] == '\0')
			return true;
		for (size_t j = 0; rest[n] == '.' && j < s->n_method; j++)
			if (s->method[j]->name && strcmp(s->method[j]->name, rest + n + 1) == 0)
				return true;
	}
	return false;
}

static const reflection_file *reflection_file_declaring(const reflection *r, const char *symbol)
{
	if (symbol[0] == '.')
		symbol++;
	for (size_t i = 0; i < r->nfiles; i++)
		if (reflection_declares(r->files[i].fd, symbol))
			return &r->files[i];
	return NULL;
}

/* Fills out with f and every file it depends on, transitively, f first.
 * `seen` and `out` have room for every file. Returns the count. */
static size_t reflection_closure(const reflection *r, const reflection_file *f, bool *seen,
				 ProtobufCBinaryData *out)
{
	size_t n = 0, next = 0;
	const reflection_file **queue = malloc(r->nfiles * sizeof(*queue));
	if (!queue)
		return 0;
	seen[f - r->files] = true;
	queue[n++] = f;
	while (next < n) {
		const reflection_file *cur = queue[next++];
		for (size_t i = 0; i < cur->fd->n_dependency; i++) {
			const reflection_file *d = reflection_file_named(r, cur->fd->dependency[i]);
			if (d && !seen[d - r->files]) {
				seen[d - r->files] = true;
				queue[n++] = d;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		out[i] = queue[i]->raw;
	free(queue);
	return n;
}

/* The names of the services of the table's methods, each once. Returns the
 * count; names point into the table's paths with their length in lens. */
static size_t reflection_services(const reflection *r, const char **names, size_t *lens)
{
	size_t n = 0;
	for (size_t i = 0; i < r->table->count; i++) {
		const service_entry *e = &r->table->entries[i];
		const char *p = (e->kind == SERVICE_UNARY ? e->unary.path : e->stream.path) + 1;
		const char *slash = strrchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++)
			dup = lens[j] == len && strncmp(names[j], p, len) == 0;
		if (!dup) {
			names[n] = p;
			lens[n++] = len;
		}
	}
	return n;
}

static void reflection_error(Grpc__Reflection__V1__ServerReflectionResponse *resp,
			     Grpc__Reflection__V1__ErrorResponse *er, int code, char *text)
{
	er->error_code = code;
	er->error_message = text;
	resp->message_response_case = GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE;
	resp->error_response = er;
}

/* Answers one request on the stream. */
static int reflection_answer(reflection *r, fapi_stream *stream, const Grpc__Reflection__V1__ServerReflectionRequest *req)
{
	Grpc__Reflection__V1__ServerReflectionResponse resp = GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__INIT;
	Grpc__Reflection__V1__ErrorResponse er = GRPC__REFLECTION__V1__ERROR_RESPONSE__INIT;
	Grpc__Reflection__V1__FileDescriptorResponse fdr = GRPC__REFLECTION__V1__FILE_DESCRIPTOR_RESPONSE__INIT;
	Grpc__Reflection__V1__ListServiceResponse lsr = GRPC__REFLECTION__V1__LIST_SERVICE_RESPONSE__INIT;
	Grpc__Reflection__V1__ExtensionNumberResponse enr = GRPC__REFLECTION__V1__EXTENSION_NUMBER_RESPONSE__INIT;
	char text[512];
	resp.valid_host = req->host;
	resp.original_request = (Grpc__Reflection__V1__ServerReflectionRequest *)req;
	size_t cap = r->nfiles > r->table->count ? r->nfiles : r->table->count;
	bool *seen = calloc(cap + 1, sizeof(*seen));
	ProtobufCBinaryData *blobs = calloc(cap + 1, sizeof(*blobs));
	const char **names = calloc(cap + 1, sizeof(*names));
	size_t *lens = calloc(cap + 1, sizeof(*lens));
	Grpc__Reflection__V1__ServiceResponse *svc = calloc(cap + 1, sizeof(*svc));
	Grpc__Reflection__V1__ServiceResponse **svcp = calloc(cap + 1, sizeof(*svcp));
	char **svcnames = calloc(cap + 1, sizeof(*svcnames));
	int rc = FAPI_ENOMEM;
	if (!seen || !blobs || !names || !lens || !svc || !svcp || !svcnames)
		goto out;
	const reflection_file *f = NULL;
	const char *what = NULL;
	switch (req->message_request_case) {
	case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES: {
		size_t n = reflection_services(r, names, lens);
		for (size_t i = 0; i < n; i++) {
			grpc__reflection__v1__service_response__init(&svc[i]);
			if (!(svcnames[i] = strndup(names[i], lens[i])))
				goto out;
			svc[i].name = svcnames[i];
			svcp[i] = &svc[i];
		}
		lsr.n_service = n;
		lsr.service = svcp;
		resp.message_response_case =
			GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE;
		resp.list_services_response = &lsr;
		break;
	}
	case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME:
		what = "file";
		f = reflection_file_named(r, req->file_by_filename);
		break;
	case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL:
		what = "symbol";
		f = reflection_file_declaring(r, req->file_containing_symbol);
		break;
	case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE:
		/* No file here declares extensions: a known type has none. */
		if (!reflection_file_declaring(r, req->all_extension_numbers_of_type)) {
			snprintf(text, sizeof(text), "unknown type %s", req->all_extension_numbers_of_type);
			reflection_error(&resp, &er, REFLECTION_NOT_FOUND, text);
			break;
		}
		enr.base_type_name = req->all_extension_numbers_of_type;
		resp.message_response_case =
			GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ALL_EXTENSION_NUMBERS_RESPONSE;
		resp.all_extension_numbers_response = &enr;
		break;
	case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION:
		snprintf(text, sizeof(text), "no extension %d of %s",
			 req->file_containing_extension ? req->file_containing_extension->extension_number : 0,
			 req->file_containing_extension && req->file_containing_extension->containing_type
				 ? req->file_containing_extension->containing_type
				 : "");
		reflection_error(&resp, &er, REFLECTION_NOT_FOUND, text);
		break;
	default:
		snprintf(text, sizeof(text), "empty reflection request");
		reflection_error(&resp, &er, REFLECTION_INVALID_ARGUMENT, text);
		break;
	}
	if (what && !f) {
		snprintf(text, sizeof(text), "unknown %s %s", what,
			 req->message_request_case ==
					 GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME
				 ? req->file_by_filename
				 : req->file_containing_symbol);
		reflection_error(&resp, &er, REFLECTION_NOT_FOUND, text);
	} else if (f) {
		fdr.n_file_descriptor_proto = reflection_closure(r, f, seen, blobs);
		fdr.file_descriptor_proto = blobs;
		resp.message_response_case =
			GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE;
		resp.file_descriptor_response = &fdr;
	}
	rc = server_stream_write(stream, &resp.base);
out:
	for (size_t i = 0; svcnames && i <= cap; i++)
		free(svcnames[i]);
	free(svcnames);
	free(svcp);
	free(svc);
	free(lens);
	free(names);
	free(blobs);
	free(seen);
	return rc;
}

static fapi_status_code reflection_open(fapi_stream *stream, const ProtobufCMessage *request, const fapi_peer *peer,
					void *user, char *msg, size_t msglen)
{
	(void)stream, (void)request, (void)peer, (void)user, (void)msg, (void)msglen;
	return FAPI_STATUS_OK;
}

static fapi_status_code reflection_read(fapi_stream *stream, const ProtobufCMessage *message, void *user, char *msg,
					size_t msglen)
{
	int rc = reflection_answer(user, stream, (const Grpc__Reflection__V1__ServerReflectionRequest *)message);
	if (rc == FAPI_OK)
		return FAPI_STATUS_OK;
	/* A client that sends requests without reading the answers fills the
	 * stream's queue: it is told so instead of the daemon holding more. */
	snprintf(msg, msglen, rc == FAPI_EFULL ? "too many reflection answers not read" : "cannot answer");
	return rc == FAPI_EFULL ? FAPI_STATUS_RESOURCE_EXHAUSTED : FAPI_STATUS_INTERNAL;
}

static void reflection_read_end(fapi_stream *stream, void *user)
{
	(void)user;
	server_stream_finish(stream, FAPI_STATUS_OK, NULL);
}

static void reflection_close(fapi_stream *stream, fapi_status_code why, void *user)
{
	(void)stream, (void)why, (void)user;
}

int reflection_register(reflection **out, service_table *t, char *err, size_t errlen)
{
	reflection *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->table = t;
	if (reflection_add_set(r, "core", fapi_descriptor_set, fapi_descriptor_set_len, err, errlen) != FAPI_OK) {
		reflection_free(r);
		return -1;
	}
	fapi_stream_method m = {
		.path = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
		.request_type = &grpc__reflection__v1__server_reflection_request__descriptor,
		.response_type = &grpc__reflection__v1__server_reflection_response__descriptor,
		.on_open = reflection_open,
		.on_read = reflection_read,
		.on_read_end = reflection_read_end,
		.on_close = reflection_close,
		.user = r,
		.max_queued = 64,
		.method_class = FAPI_METHOD_READ,
	};
	fapi_stream_method alpha = m;
	alpha.path = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
	if (service_table_add_stream(t, "core", SERVICE_BIDI, &m, err, errlen) != FAPI_OK ||
	    service_table_add_stream(t, "core", SERVICE_BIDI, &alpha, err, errlen) != FAPI_OK) {
		reflection_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void reflection_free(reflection *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].raw.data);
	free(r->files);
	for (size_t i = 0; i < r->nsets; i++)
		google__protobuf__file_descriptor_set__free_unpacked(r->sets[i], NULL);
	free(r->sets);
	free(r);
}
