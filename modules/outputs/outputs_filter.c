#include "outputs_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks one list against the limits; adds its bytes to *bytes. */
static bool outputs_filter_bounded(const char *field, char *const *items, size_t n,
				   const outputs_filter_limits *l, size_t *bytes, char *msg, size_t msglen)
{
	if (n > l->max_items) {
		snprintf(msg, msglen, "filter too large: %zu %s, more than max_filter_items (%zu)", n, field,
			 l->max_items);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		*bytes += strlen(items[i]);
	if (*bytes > l->max_bytes) {
		snprintf(msg, msglen, "filter too large: more than max_filter_bytes (%zu bytes) in rules, tags, sources "
				      "and output_fields",
			 l->max_bytes);
		return false;
	}
	return true;
}

fapi_status_code outputs_filter_init(outputs_filter *f, const Falco__Outputs__Request *req,
				     const outputs_filter_limits *limits, char *msg, size_t msglen)
{
	memset(f, 0, sizeof(*f));
	fapi_sdk_filter_spec spec = {
		.rules = req->rules, .n_rules = req->n_rules,
		.tags_any = req->tags_any, .n_tags_any = req->n_tags_any,
		.tags_all = req->tags_all, .n_tags_all = req->n_tags_all,
		.sources = req->sources, .n_sources = req->n_sources,
	};
	if (req->min_priority) {
		if (req->min_priority->at_least > FALCO__SCHEMA__PRIORITY__DEBUG) {
			snprintf(msg, msglen, "min_priority: unknown priority %d", (int)req->min_priority->at_least);
			return FAPI_STATUS_INVALID_ARGUMENT;
		}
		spec.has_priority = true;
		spec.at_least = (unsigned)req->min_priority->at_least;
	}
	size_t bytes = 0;
	if (!outputs_filter_bounded("rules", req->rules, req->n_rules, limits, &bytes, msg, msglen) ||
	    !outputs_filter_bounded("tags_any", req->tags_any, req->n_tags_any, limits, &bytes, msg, msglen) ||
	    !outputs_filter_bounded("tags_all", req->tags_all, req->n_tags_all, limits, &bytes, msg, msglen) ||
	    !outputs_filter_bounded("sources", req->sources, req->n_sources, limits, &bytes, msg, msglen) ||
	    !outputs_filter_bounded("output_fields", req->output_fields, req->n_output_fields, limits, &bytes, msg,
				    msglen))
		return FAPI_STATUS_INVALID_ARGUMENT;
	if (fapi_sdk_filter_init(&f->match, &spec) < 0 ||
	    fapi_sdk_strset_init(&f->fields, req->output_fields, req->n_output_fields) < 0) {
		outputs_filter_free(f);
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	f->omit_fields = req->omit_output_fields;
	return FAPI_STATUS_OK;
}

void outputs_filter_free(outputs_filter *f)
{
	fapi_sdk_filter_free(&f->match);
	fapi_sdk_strset_free(&f->fields);
	memset(f, 0, sizeof(*f));
}

bool outputs_filter_match(const outputs_filter *f, const fapi_alert_view *a)
{
	return fapi_sdk_filter_match(&f->match, a);
}

bool outputs_filter_keep_field(const outputs_filter *f, const char *name)
{
	if (f->omit_fields)
		return false;
	return !f->fields.count || fapi_sdk_strset_has(&f->fields, name);
}
