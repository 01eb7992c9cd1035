#include "engine/ruleset.h"

#include <stdlib.h>
#include <string.h>

#include "engine/condition_eval.h"

static bool ruleset_has_tag(const compiled_rule *r, const char *const *tags, size_t ntags)
{
	for (size_t i = 0; i < ntags; i++)
		for (size_t j = 0; j < r->ntags; j++)
			if (strcmp(tags[i], r->tags[j]) == 0)
				return true;
	return false;
}

static bool ruleset_selected(const compiled_rule *r, const ruleset_selection *sel)
{
	bool on = r->enabled;
	if (sel && sel->nonly_tags)
		on = ruleset_has_tag(r, sel->only_tags, sel->nonly_tags);
	for (size_t i = 0; sel && i < sel->ndisable_substr; i++)
		if (strstr(r->name, sel->disable_substr[i]))
			on = false;
	if (sel && ruleset_has_tag(r, sel->disable_tags, sel->ndisable_tags))
		on = false;
	return on;
}

ruleset *ruleset_new(compiled_rules *rules, const ruleset_selection *sel)
{
	ruleset *rs = calloc(1, sizeof(*rs));
	if (!rs) {
		compiled_rules_free(rules);
		return NULL;
	}
	rs->rules = rules;
	rs->enabled = calloc(rules->n ? rules->n : 1, sizeof(*rs->enabled));
	if (!rs->enabled)
		goto fail;
	/* Two passes over the codes: count, then fill, into one flat array. */
	uint32_t counts[EVTTYPE_SET_BITS] = {0};
	size_t total = 0;
	for (size_t i = 0; i < rules->n; i++) {
		const compiled_rule *r = &rules->rules[i];
		rs->enabled[i] = ruleset_selected(r, sel);
		rs->nenabled += rs->enabled[i];
		if (!rs->enabled[i] || !r->evaluable)
			continue;
		for (unsigned c = 0; c < EVTTYPE_SET_BITS; c++) {
			if (evttype_set_has(&r->index, c)) {
				counts[c]++;
				total++;
			}
		}
	}
	rs->items = calloc(total ? total : 1, sizeof(*rs->items));
	if (!rs->items)
		goto fail;
	uint32_t fill[EVTTYPE_SET_BITS];
	rs->offsets[0] = 0;
	for (unsigned c = 0; c < EVTTYPE_SET_BITS; c++) {
		rs->offsets[c + 1] = rs->offsets[c] + counts[c];
		fill[c] = rs->offsets[c];
	}
	for (size_t i = 0; i < rules->n; i++) {
		const compiled_rule *r = &rules->rules[i];
		if (!rs->enabled[i] || !r->evaluable)
			continue;
		for (unsigned c = 0; c < EVTTYPE_SET_BITS; c++)
			if (evttype_set_has(&r->index, c))
				rs->items[fill[c]++] = r;
	}
	return rs;
fail:
	ruleset_free(rs);
	return NULL;
}

void ruleset_free(ruleset *rs)
{
	if (!rs)
		return;
	compiled_rules_free(rs->rules);
	free(rs->enabled);
	free(rs->items);
	free(rs);
}

const compiled_rule *ruleset_match(const ruleset *rs, sinsp_bridge_evt *evt, uint64_t gen)
{
	unsigned c = sinsp_bridge_evt_type(evt);
	if (c >= EVTTYPE_SET_BITS)
		return NULL;
	for (uint32_t i = rs->offsets[c]; i < rs->offsets[c + 1]; i++)
		if (condition_eval(rs->items[i]->cond, evt, gen, c))
			return rs->items[i];
	return NULL;
}

bool ruleset_is_enabled(const ruleset *rs, size_t i)
{
	return i < rs->rules->n && rs->enabled[i];
}
