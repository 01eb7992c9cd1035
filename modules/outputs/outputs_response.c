#include "outputs_response.h"

#include <stdlib.h>
#include <string.h>

#include "google/protobuf/timestamp.pb-c.h"

/* Falco's deprecated enum source, from the source's name. */
static Falco__Schema__Source outputs_response_source(const char *s)
{
	if (strcmp(s, "syscall") == 0)
		return FALCO__SCHEMA__SOURCE__SYSCALL;
	if (strcmp(s, "k8s_audit") == 0)
		return FALCO__SCHEMA__SOURCE__K8S_AUDIT;
	if (strcmp(s, "internal") == 0)
		return FALCO__SCHEMA__SOURCE__INTERNAL;
	return FALCO__SCHEMA__SOURCE__PLUGIN;
}

int outputs_response_write(const fapi_host *host, fapi_stream *stream, const fapi_alert_view *a,
			   const outputs_filter *filter, uint64_t seq, uint64_t lost)
{
	Falco__Outputs__Response r = FALCO__OUTPUTS__RESPONSE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	ts.seconds = (int64_t)(a->time_ns / 1000000000ull);
	ts.nanos = (int32_t)(a->time_ns % 1000000000ull);
	r.time = &ts;
	r.priority = (Falco__Schema__Priority)a->priority;
	r.source_deprecated = outputs_response_source(a->source);
	/* protobuf-c wants char *; the message is only packed, never changed. */
	r.rule = (char *)a->rule;
	r.output = (char *)a->output;
	r.hostname = (char *)a->hostname;
	r.source = (char *)a->source;
	r.tags = (char **)a->tags;
	r.n_tags = a->ntags;
	r.seq = seq;
	r.lost = lost;
	r.created_ns = a->created_ns;
	r.alert_seq = a->seq;

	Falco__Outputs__Response__OutputFieldsEntry stack_e[32], *entries = stack_e;
	Falco__Outputs__Response__OutputFieldsEntry *stack_p[32], **ptrs = stack_p;
	if (a->nfields > 32) {
		entries = malloc(a->nfields * sizeof(*entries));
		ptrs = malloc(a->nfields * sizeof(*ptrs));
		if (!entries || !ptrs) {
			free(entries);
			free(ptrs);
			return FAPI_ENOMEM;
		}
	}
	size_t n = 0;
	for (size_t i = 0; i < a->nfields; i++) {
		if (filter && !outputs_filter_keep_field(filter, a->fields[i].name))
			continue;
		falco__outputs__response__output_fields_entry__init(&entries[n]);
		entries[n].key = (char *)a->fields[i].name;
		entries[n].value = (char *)a->fields[i].value;
		ptrs[n] = &entries[n];
		n++;
	}
	r.output_fields = ptrs;
	r.n_output_fields = n;
	int rc = host->stream_write(stream, &r.base);
	if (entries != stack_e) {
		free(entries);
		free(ptrs);
	}
	return rc;
}
