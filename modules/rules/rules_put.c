/* rules_put: create or replace API files, all at once. */

#include <stdio.h>
#include <string.h>

#include "rules_module.h"

fapi_status_code rules_put_check(const rules_module *m, Falco__Rules__ApiFile *const *files, size_t n, char *msg,
				 size_t msglen)
{
	if (n > m->max_request_files) {
		snprintf(msg, msglen, "%zu files in one request: max_request_files is %zu", n, m->max_request_files);
		return FAPI_STATUS_INVALID_ARGUMENT;
	}
	for (size_t i = 0; i < n; i++) {
		const Falco__Rules__ApiFile *f = files[i];
		if (!rules_state_valid_name(f->name)) {
			snprintf(msg, msglen,
				 "file name \"%.200s\": must be [A-Za-z0-9._-]+ ending in .yaml, not starting with '.', "
				 "at most 200 bytes",
				 f->name);
			return FAPI_STATUS_INVALID_ARGUMENT;
		}
		if (strlen(f->content) > m->max_file_bytes) {
			snprintf(msg, msglen, "%s: %zu bytes, max_file_bytes is %zu", f->name, strlen(f->content),
				 m->max_file_bytes);
			return FAPI_STATUS_INVALID_ARGUMENT;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(files[j]->name, f->name) == 0) {
				snprintf(msg, msglen, "%s is given twice", f->name);
				return FAPI_STATUS_INVALID_ARGUMENT;
			}
		}
	}
	return FAPI_STATUS_OK;
}

static fapi_status_code rules_put_build(rules_module *m, const rules_state *cur, rules_state *next,
					const void *request, char *msg, size_t msglen)
{
	(void)cur;
	const Falco__Rules__PutRequest *q = request;
	if (!q->n_files) {
		snprintf(msg, msglen, "no file to put");
		return FAPI_STATUS_INVALID_ARGUMENT;
	}
	fapi_status_code code = rules_put_check(m, q->files, q->n_files, msg, msglen);
	if (code != FAPI_STATUS_OK)
		return code;
	for (size_t i = 0; i < q->n_files; i++) {
		const Falco__Rules__ApiFile *f = q->files[i];
		if (rules_state_put(next, f->name, f->content, strlen(f->content), next->revision) < 0) {
			snprintf(msg, msglen, "out of memory");
			return FAPI_STATUS_RESOURCE_EXHAUSTED;
		}
	}
	if (next->nfiles > m->max_files) {
		snprintf(msg, msglen, "the set would have %zu API files: max_files is %zu", next->nfiles, m->max_files);
		return FAPI_STATUS_INVALID_ARGUMENT;
	}
	return FAPI_STATUS_OK;
}

void rules_put_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user)
{
	(void)peer;
	const Falco__Rules__PutRequest *q = (const Falco__Rules__PutRequest *)req;
	rules_write_run(user, q->if_revision, rules_put_build, q, false, "rules_put", r);
}
