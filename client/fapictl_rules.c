/* The rules commands' shared parts (see fapictl_rules.h). */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/output/json_escape.h"
#include "engine/util/file_read.h"
#include "fapictl_rules.h"

int fapictl_rules_files_read(char **paths, size_t n, fapictl_rules_files *out)
{
	memset(out, 0, sizeof(*out));
	out->paths = paths;
	out->files = calloc(n ? n : 1, sizeof(*out->files));
	if (!out->files) {
		fprintf(stderr, "fapictl: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char *data;
		size_t len;
		if (file_read_all(paths[i], &data, &len) != FILE_READ_OK) {
			fprintf(stderr, "fapictl: cannot read %s: %s\n", paths[i], strerror(errno));
			fapictl_rules_files_free(out);
			return -1;
		}
		if (strlen(data) != len) {
			fprintf(stderr, "fapictl: %s holds a NUL byte: not a rules file\n", paths[i]);
			free(data);
			fapictl_rules_files_free(out);
			return -1;
		}
		Falco__Rules__ApiFile *f = malloc(sizeof(*f));
		const char *slash = strrchr(paths[i], '/');
		if (!f || !(slash = strdup(slash ? slash + 1 : paths[i]))) {
			free(f);
			free(data);
			fapictl_rules_files_free(out);
			return -1;
		}
		falco__rules__api_file__init(f);
		f->name = (char *)slash;
		f->content = data;
		out->files[out->n++] = f;
	}
	return 0;
}

void fapictl_rules_files_free(fapictl_rules_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		protobuf_c_message_free_unpacked(&f->files[i]->base, NULL);
	free(f->files);
	memset(f, 0, sizeof(*f));
}

int fapictl_rules_call(const fapictl_conn *conn, const char *method, const ProtobufCMessage *req,
		       const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out, fapictl_rpc_status *st)
{
	char err[512];
	*out = NULL;
	memset(st, 0, sizeof(*st));
	grpc_channel *ch = fapictl_conn_channel(conn, 0, 0, err, sizeof(err));
	if (!ch) {
		st->code = GRPC_STATUS_INVALID_ARGUMENT;
		st->details = strdup(err);
		return -1;
	}
	*out = fapictl_rpc_unary(ch, method, req, desc, conn->timeout_s >= 0 ? conn->timeout_s : 10, st);
	grpc_channel_destroy(ch);
	return *out ? 0 : -1;
}

int fapictl_rules_if_revision(const fapictl_args *a, uint64_t *out)
{
	*out = 0;
	const char *v = fapictl_args_get(a, "if-revision");
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	if (errno || !*v || *end || x == 0 || v[0] == '-')
		return fapictl_usage_error(a->cmd, "--if-revision needs a revision (a number from 1), not '%s'", v),
		       -1;
	*out = x;
	return 0;
}

static const char *fapictl_rules_local(const fapictl_rules_files *f, const char *name, size_t len)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (strlen(f->files[i]->name) == len && strncmp(f->files[i]->name, name, len) == 0)
			return f->paths[i];
	return NULL;
}

void fapictl_rules_diag_text(FILE *out, const Falco__Rules__Diagnostic *d, const fapictl_rules_files *f)
{
	const char *local = fapictl_rules_local(f, d->file, strlen(d->file));
	fprintf(out, "%s:%u:%u: ", local ? local : d->file[0] ? d->file : "<set>", d->line, d->column);
	if (d->error)
		fputs("error: ", out);
	else if (d->code[0])
		fprintf(out, "warning (%s): ", d->code);
	else
		fputs("warning: ", out);
	if (d->item[0])
		fprintf(out, "%s: ", d->item);
	fprintf(out, "%s\n", d->message);
}

void fapictl_rules_diag_json(const Falco__Rules__Diagnostic *d)
{
	printf("{\"error\":%s,\"file\":", d->error ? "true" : "false");
	json_escape_write(stdout, d->file);
	printf(",\"line\":%u,\"column\":%u,\"item\":", d->line, d->column);
	json_escape_write(stdout, d->item);
	fputs(",\"code\":", stdout);
	json_escape_write(stdout, d->code);
	fputs(",\"message\":", stdout);
	json_escape_write(stdout, d->message);
	putchar('}');
}

/* Whether a status message is the module's diagnostics: its first line
 * reads "FILE:LINE:COL: ". */
static int fapictl_rules_is_diag(const char *details)
{
	const char *colon = strchr(details, ':');
	const char *nl = strchr(details, '\n');
	unsigned line, col;
	int end = 0;
	return colon && (!nl || colon < nl) && sscanf(colon, ":%u:%u: %n", &line, &col, &end) == 2 && end > 0;
}

int fapictl_rules_write_failed(const fapictl_conn *conn, const fapictl_rpc_status *st, const fapictl_rules_files *f)
{
	if (st->code != GRPC_STATUS_INVALID_ARGUMENT || !fapictl_rules_is_diag(st->details)) {
		fapictl_conn_report(conn->targets[0], st->code, st->details);
		return FAPICTL_EXIT_RPC;
	}
	/* One diagnostic a line, "NAME:LINE:COL: ...": the name becomes the
	 * local path it was read from. */
	for (const char *p = st->details; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *colon = memchr(p, ':', n);
		const char *local = colon ? fapictl_rules_local(f, p, (size_t)(colon - p)) : NULL;
		if (local)
			fprintf(stderr, "%s%.*s\n", local, (int)(n - (size_t)(colon - p)), colon);
		else
			fprintf(stderr, "%.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	return FAPICTL_EXIT_INVALID;
}

static void fapictl_rules_file_json(const Falco__Rules__FileInfo *fi)
{
	fputs("{\"name\":", stdout);
	json_escape_write(stdout, fi->name);
	fputs(",\"origin\":", stdout);
	json_escape_write(stdout, fi->origin);
	printf(",\"sha256\":\"%s\",\"revision\":%" PRIu64 ",\"size\":%" PRIu64 "}", fi->sha256, fi->revision,
	       fi->size);
}

int fapictl_rules_write(const fapictl_conn *conn, const fapictl_args *a, const char *method,
			const ProtobufCMessage *req, const fapictl_rules_files *f)
{
	ProtobufCMessage *m;
	fapictl_rpc_status st;
	if (fapictl_rules_call(conn, method, req, &falco__rules__write_response__descriptor, &m, &st) < 0) {
		int rc = fapictl_rules_write_failed(conn, &st, f);
		fapictl_rpc_status_free(&st);
		return rc;
	}
	const Falco__Rules__WriteResponse *r = (const Falco__Rules__WriteResponse *)m;
	if (fapictl_args_has(a, "json")) {
		printf("{\"revision\":%" PRIu64 ",\"rules_changed\":%u,\"files\":[", r->revision, r->rules_changed);
		for (size_t i = 0; i < r->n_files; i++) {
			if (i)
				putchar(',');
			fapictl_rules_file_json(r->files[i]);
		}
		fputs("],\"warnings\":[", stdout);
		for (size_t i = 0; i < r->n_warnings; i++) {
			if (i)
				putchar(',');
			fapictl_rules_diag_json(r->warnings[i]);
		}
		puts("]}");
	} else {
		printf("revision %" PRIu64 "\n", r->revision);
		for (size_t i = 0; i < r->n_files; i++) {
			const Falco__Rules__FileInfo *fi = r->files[i];
			printf("%s %s sha256=%s\n", strcmp(fi->origin, "removed") == 0 ? "removed" : "file", fi->name,
			       fi->sha256);
		}
		if (strstr(method, "rules_enable"))
			printf("rules changed: %u\n", r->rules_changed);
		for (size_t i = 0; i < r->n_warnings; i++)
			fapictl_rules_diag_text(stderr, r->warnings[i], f);
	}
	fapictl_rpc_status_free(&st);
	protobuf_c_message_free_unpacked(m, NULL);
	return FAPICTL_EXIT_OK;
}

int fapictl_rules_toggle(const fapictl_conn *conn, const fapictl_args *a, int enable)
{
	Falco__Rules__EnableRequest req = FALCO__RULES__ENABLE_REQUEST__INIT;
	if (fapictl_rules_if_revision(a, &req.if_revision) < 0)
		return FAPICTL_EXIT_USAGE;
	const char *tags[FAPICTL_RULES_MAX_TAGS];
	size_t ntags = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->names[i], "tag") != 0)
			continue;
		if (ntags == FAPICTL_RULES_MAX_TAGS)
			return fapictl_usage_error(a->cmd, "at most %d --tag", FAPICTL_RULES_MAX_TAGS);
		tags[ntags++] = a->values[i];
	}
	if (!a->npos && !ntags)
		return fapictl_usage_error(a->cmd, "no rule name and no --tag given");
	req.enable = enable;
	req.rules = a->pos;
	req.n_rules = a->npos;
	req.tags = (char **)tags;
	req.n_tags = ntags;
	return fapictl_rules_write(conn, a, "/falco.api.unary/rules_enable", &req.base, NULL);
}
