#include "fapi_sdk_filter.h"

#include <string.h>

int fapi_sdk_filter_init(fapi_sdk_filter *f, const fapi_sdk_filter_spec *spec)
{
	memset(f, 0, sizeof(*f));
	f->has_priority = spec->has_priority;
	f->at_least = spec->at_least;
	if (fapi_sdk_strset_init(&f->rules, spec->rules, spec->n_rules) < 0 ||
	    fapi_sdk_strset_init(&f->tags_any, spec->tags_any, spec->n_tags_any) < 0 ||
	    fapi_sdk_strset_init(&f->tags_all, spec->tags_all, spec->n_tags_all) < 0 ||
	    fapi_sdk_strset_init(&f->sources, spec->sources, spec->n_sources) < 0) {
		fapi_sdk_filter_free(f);
		return -1;
	}
	return 0;
}

void fapi_sdk_filter_free(fapi_sdk_filter *f)
{
	fapi_sdk_strset_free(&f->rules);
	fapi_sdk_strset_free(&f->tags_any);
	fapi_sdk_strset_free(&f->tags_all);
	fapi_sdk_strset_free(&f->sources);
	memset(f, 0, sizeof(*f));
}

/* The hashes of one alert's strings. The engine's thread tests an alert
 * against every subscriber's filter in turn: they are computed once per
 * alert (by its seq, unique and never 0), not once per subscriber. */
#define FAPI_SDK_FILTER_MEMO_TAGS 32
typedef struct fapi_sdk_filter_memo {
	uint64_t seq;
	uint64_t rule, source;
	uint64_t tags[FAPI_SDK_FILTER_MEMO_TAGS];
} fapi_sdk_filter_memo;

static const fapi_sdk_filter_memo *fapi_sdk_filter_memo_of(const fapi_alert_view *a)
{
	static _Thread_local fapi_sdk_filter_memo memo;
	if (a->seq && memo.seq == a->seq)
		return &memo;
	memo.seq = a->seq;
	memo.rule = fapi_sdk_strset_hash(a->rule);
	memo.source = fapi_sdk_strset_hash(a->source);
	for (size_t i = 0; i < a->ntags && i < FAPI_SDK_FILTER_MEMO_TAGS; i++)
		memo.tags[i] = fapi_sdk_strset_hash(a->tags[i]);
	return &memo;
}

static uint64_t fapi_sdk_filter_tag_hash(const fapi_sdk_filter_memo *m, const fapi_alert_view *a, size_t i)
{
	return i < FAPI_SDK_FILTER_MEMO_TAGS ? m->tags[i] : fapi_sdk_strset_hash(a->tags[i]);
}

bool fapi_sdk_filter_match(const fapi_sdk_filter *f, const fapi_alert_view *a)
{
	if (f->has_priority && a->priority > f->at_least)
		return false;
	if (!f->rules.count && !f->sources.count && !f->tags_any.count && !f->tags_all.count)
		return true;
	/* Every wanted tag among the alert's needs as many of them. */
	if (f->tags_all.count > a->ntags)
		return false;
	const fapi_sdk_filter_memo *m = fapi_sdk_filter_memo_of(a);
	if (f->rules.count && !fapi_sdk_strset_has_hashed(&f->rules, a->rule, m->rule))
		return false;
	if (f->sources.count && !fapi_sdk_strset_has_hashed(&f->sources, a->source, m->source))
		return false;
	if (f->tags_any.count) {
		bool any = false;
		for (size_t i = 0; i < a->ntags && !any; i++)
			any = fapi_sdk_strset_has_hashed(&f->tags_any, a->tags[i], fapi_sdk_filter_tag_hash(m, a, i));
		if (!any)
			return false;
	}
	if (f->tags_all.count) {
		/* The alert's tags are sorted: a tag a rule repeats is next to
		 * itself, and counts once. */
		size_t found = 0;
		for (size_t i = 0; i < a->ntags; i++)
			if ((i == 0 || strcmp(a->tags[i - 1], a->tags[i]) != 0) &&
			    fapi_sdk_strset_has_hashed(&f->tags_all, a->tags[i], fapi_sdk_filter_tag_hash(m, a, i)))
				found++;
		if (found < f->tags_all.count)
			return false;
	}
	return true;
}
