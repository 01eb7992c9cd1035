#include "outputs_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int outputs_filter_copy(char ***dst, size_t *n, char **src, size_t count)
{
	*n = 0;
	*dst = calloc(count ? count : 1, sizeof(**dst));
	if (!*dst)
		return -1;
	for (size_t i = 0; i < count; i++) {
		if (!((*dst)[i] = strdup(src[i])))
			return -1;
		(*n)++;
	}
	return 0;
}

fapi_status_code outputs_filter_init(outputs_filter *f, const Falco__Outputs__Request *req, char *msg,
				     size_t msglen)
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
	if (outputs_filter_copy(&f->rules, &f->nrules, req->rules, req->n_rules) < 0 ||
	    outputs_filter_copy(&f->tags_any, &f->ntags_any, req->tags_any, req->n_tags_any) < 0 ||
	    outputs_filter_copy(&f->tags_all, &f->ntags_all, req->tags_all, req->n_tags_all) < 0 ||
	    outputs_filter_copy(&f->sources, &f->nsources, req->sources, req->n_sources) < 0 ||
	    outputs_filter_copy(&f->fields, &f->nfields, req->output_fields, req->n_output_fields) < 0) {
		outputs_filter_free(f);
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	f->omit_fields = req->omit_output_fields;
	return FAPI_STATUS_OK;
}

static void outputs_filter_free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void outputs_filter_free(outputs_filter *f)
{
	outputs_filter_free_list(f->rules, f->nrules);
	outputs_filter_free_list(f->tags_any, f->ntags_any);
	outputs_filter_free_list(f->tags_all, f->ntags_all);
	outputs_filter_free_list(f->sources, f->nsources);
	outputs_filter_free_list(f->fields, f->nfields);
	memset(f, 0, sizeof(*f));
}

static bool outputs_filter_in(char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool outputs_filter_has_tag(const fapi_alert_view *a, const char *tag)
{
	for (size_t i = 0; i < a->ntags; i++)
		if (strcmp(a->tags[i], tag) == 0)
			return true;
	return false;
}

bool outputs_filter_match(const outputs_filter *f, const fapi_alert_view *a)
{
	if (f->has_priority && a->priority > f->at_least)
		return false;
	if (f->nrules && !outputs_filter_in(f->rules, f->nrules, a->rule))
		return false;
	if (f->nsources && !outputs_filter_in(f->sources, f->nsources, a->source))
		return false;
	if (f->ntags_any) {
		bool any = false;
		for (size_t i = 0; i < f->ntags_any && !any; i++)
			any = outputs_filter_has_tag(a, f->tags_any[i]);
		if (!any)
			return false;
	}
	for (size_t i = 0; i < f->ntags_all; i++)
		if (!outputs_filter_has_tag(a, f->tags_all[i]))
			return false;
	return true;
}

bool outputs_filter_keep_field(const outputs_filter *f, const char *name)
{
	if (f->omit_fields)
		return false;
	return !f->nfields || outputs_filter_in(f->fields, f->nfields, name);
}
