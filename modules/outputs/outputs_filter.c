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

/* The hashes of one alert's strings. The engine's thread tests an alert
 * against every subscriber's filter in turn: they are computed once per
 * alert (by its seq, unique and never 0), not once per subscriber. */
#define OUTPUTS_FILTER_MEMO_TAGS 32
typedef struct outputs_filter_memo {
	uint64_t seq;
	uint64_t rule, source;
	uint64_t tags[OUTPUTS_FILTER_MEMO_TAGS];
} outputs_filter_memo;

static const outputs_filter_memo *outputs_filter_memo_of(const fapi_alert_view *a)
{
	static _Thread_local outputs_filter_memo memo;
	if (a->seq && memo.seq == a->seq)
		return &memo;
	memo.seq = a->seq;
	memo.rule = outputs_strset_hash(a->rule);
	memo.source = outputs_strset_hash(a->source);
	for (size_t i = 0; i < a->ntags && i < OUTPUTS_FILTER_MEMO_TAGS; i++)
		memo.tags[i] = outputs_strset_hash(a->tags[i]);
	return &memo;
}

static uint64_t outputs_filter_tag_hash(const outputs_filter_memo *m, const fapi_alert_view *a, size_t i)
{
	return i < OUTPUTS_FILTER_MEMO_TAGS ? m->tags[i] : outputs_strset_hash(a->tags[i]);
}

bool outputs_filter_match(const outputs_filter *f, const fapi_alert_view *a)
{
	if (f->has_priority && a->priority > f->at_least)
		return false;
	if (!f->rules.count && !f->sources.count && !f->tags_any.count && !f->tags_all.count)
		return true;
	/* Every wanted tag among the alert's needs as many of them. */
	if (f->tags_all.count > a->ntags)
		return false;
	const outputs_filter_memo *m = outputs_filter_memo_of(a);
	if (f->rules.count && !outputs_strset_has_hashed(&f->rules, a->rule, m->rule))
		return false;
	if (f->sources.count && !outputs_strset_has_hashed(&f->sources, a->source, m->source))
		return false;
	if (f->tags_any.count) {
		bool any = false;
		for (size_t i = 0; i < a->ntags && !any; i++)
			any = outputs_strset_has_hashed(&f->tags_any, a->tags[i], outputs_filter_tag_hash(m, a, i));
		if (!any)
			return false;
	}
	if (f->tags_all.count) {
		/* The alert's tags are sorted: a tag a rule repeats is next to
		 * itself, and counts once. */
		size_t found = 0;
		for (size_t i = 0; i < a->ntags; i++)
			if ((i == 0 || strcmp(a->tags[i - 1], a->tags[i]) != 0) &&
			    outputs_strset_has_hashed(&f->tags_all, a->tags[i], outputs_filter_tag_hash(m, a, i)))
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
