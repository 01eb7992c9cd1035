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
	if (req->min_priority) {
		if (req->min_priority->at_least > FALCO__SCHEMA__PRIORITY__DEBUG) {
			snprintf(msg, msglen, "min_priority: unknown priority %d", (int)req->min_priority->at_least);
			return FAPI_STATUS_INVALID_ARGUMENT;
		}
		f->has_priority = true;
		f->at_least = (unsigned)req->min_priority->at_least;
	}
	size_t bytes = 0;
	if (!outputs_filter_bounded("rules", req->rules, req->n_rules, limits, &bytes, msg, msglen) ||
	    !outputs_filter_bounded("tags_any", req->tags_any, req->n_tags_any, limits, &bytes, msg, msglen) ||
	    !outputs_filter_bounded("tags_all", req->tags_all, req->n_tags_all, limits, &bytes, msg, msglen) ||
	    !outputs_filter_bounded("sources", req->sources, req->n_sources, limits, &bytes, msg, msglen) ||
	    !outputs_filter_bounded("output_fields", req->output_fields, req->n_output_fields, limits, &bytes, msg,
				    msglen))
		return FAPI_STATUS_INVALID_ARGUMENT;
	if (outputs_strset_init(&f->rules, req->rules, req->n_rules) < 0 ||
	    outputs_strset_init(&f->tags_any, req->tags_any, req->n_tags_any) < 0 ||
	    outputs_strset_init(&f->tags_all, req->tags_all, req->n_tags_all) < 0 ||
	    outputs_strset_init(&f->sources, req->sources, req->n_sources) < 0 ||
	    outputs_strset_init(&f->fields, req->output_fields, req->n_output_fields) < 0) {
		outputs_filter_free(f);
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	f->omit_fields = req->omit_output_fields;
	return FAPI_STATUS_OK;
}

void outputs_filter_free(outputs_filter *f)
{
	outputs_strset_free(&f->rules);
	outputs_strset_free(&f->tags_any);
	outputs_strset_free(&f->tags_all);
	outputs_strset_free(&f->sources);
	outputs_strset_free(&f->fields);
	memset(f, 0, sizeof(*f));
}

/* True when the alert's tag i appeared earlier in its list: a rule may
 * repeat a tag, which must count once towards tags_all. The cost depends on
 * the rule, never on the filter. */
static bool outputs_filter_tag_repeated(const fapi_alert_view *a, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(a->tags[j], a->tags[i]) == 0)
			return true;
	return false;
}

bool outputs_filter_match(const outputs_filter *f, const fapi_alert_view *a)
{
	if (f->has_priority && a->priority > f->at_least)
		return false;
	if (f->rules.count && !outputs_strset_has(&f->rules, a->rule))
		return false;
	if (f->sources.count && !outputs_strset_has(&f->sources, a->source))
		return false;
	if (f->tags_any.count) {
		bool any = false;
		for (size_t i = 0; i < a->ntags && !any; i++)
			any = outputs_strset_has(&f->tags_any, a->tags[i]);
		if (!any)
			return false;
	}
	if (f->tags_all.count) {
		/* Every wanted tag is among the alert's: as many distinct alert
		 * tags are wanted as there are wanted tags. */
		if (f->tags_all.count > a->ntags)
			return false;
		size_t found = 0;
		for (size_t i = 0; i < a->ntags; i++)
			if (outputs_strset_has(&f->tags_all, a->tags[i]) && !outputs_filter_tag_repeated(a, i))
				found++;
		if (found < f->tags_all.count)
			return false;
	}
	return true;
}

bool outputs_filter_keep_field(const outputs_filter *f, const char *name)
{
	if (f->omit_fields)
		return false;
	return !f->fields.count || outputs_strset_has(&f->fields, name);
}
