#include "engine/backends/json/json_value.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* std::stoll over the whole text. */
static bool json_value_parse_int(const char *s, size_t len, int64_t *out)
{
	char buf[32];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno || end == buf || *end)
		return false;
	*out = v;
	return true;
}

/* Whether strtoll could read a number at the start of s. */
static bool json_value_may_be_number(const char *s)
{
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '+' || *s == '-')
		s++;
	return *s >= '0' && *s <= '9';
}

void json_value_parse(json_val *v, const char *text)
{
	v->s = text;
	if (!json_value_may_be_number(text)) {
		v->type = JSON_VAL_STRING;
		return;
	}
	const char *colon = strchr(text, ':');
	if (colon && json_value_parse_int(text, (size_t)(colon - text), &v->a) &&
	    json_value_parse_int(colon + 1, strlen(colon + 1), &v->b)) {
		v->type = JSON_VAL_PAIR;
		return;
	}
	v->type = json_value_parse_int(text, strlen(text), &v->a) ? JSON_VAL_INT64 : JSON_VAL_STRING;
}

bool json_value_eq(const json_val *x, const json_val *y)
{
	if (x->type == JSON_VAL_INT64 && y->type == JSON_VAL_PAIR)
		return x->a >= y->a && x->a <= y->b;
	if (x->type == JSON_VAL_PAIR && y->type == JSON_VAL_INT64)
		return y->a >= x->a && y->a <= x->b;
	if (x->type != y->type)
		return false;
	switch (x->type) {
	case JSON_VAL_STRING:
		return !strcmp(x->s, y->s);
	case JSON_VAL_INT64:
		return x->a == y->a;
	case JSON_VAL_PAIR:
		return x->a == y->a && x->b == y->b;
	}
	return false;
}

bool json_value_lt(const json_val *x, const json_val *y)
{
	if (x->type == JSON_VAL_INT64 && y->type == JSON_VAL_PAIR)
		return x->a < y->a;
	if (x->type == JSON_VAL_PAIR && y->type == JSON_VAL_INT64)
		return x->b < y->a;
	if (x->type != y->type)
		return x->type < y->type;
	switch (x->type) {
	case JSON_VAL_STRING:
		return strcmp(x->s, y->s) < 0;
	case JSON_VAL_INT64:
		return x->a < y->a;
	case JSON_VAL_PAIR:
		return x->a != y->a ? x->a < y->a : x->b < y->b;
	}
	return false;
}

bool json_value_gt(const json_val *x, const json_val *y)
{
	if (x->type != y->type)
		return x->type < y->type; /* as Falco's operator> */
	switch (x->type) {
	case JSON_VAL_STRING:
		return strcmp(x->s, y->s) > 0;
	case JSON_VAL_INT64:
		return x->a > y->a;
	case JSON_VAL_PAIR:
		return x->a != y->a ? x->a > y->a : x->b > y->b;
	}
	return false;
}

const char *json_value_text(const json_val *v, char *buf, size_t len)
{
	switch (v->type) {
	case JSON_VAL_STRING:
		snprintf(buf, len, "%s", v->s);
		break;
	case JSON_VAL_INT64:
		snprintf(buf, len, "%" PRId64, v->a);
		break;
	case JSON_VAL_PAIR:
		snprintf(buf, len, "%" PRId64 ":%" PRId64, v->a, v->b);
		break;
	}
	return buf;
}

void json_value_write(FILE *out, const json_val *v)
{
	if (v->type == JSON_VAL_STRING) {
		fputs(v->s, out);
		return;
	}
	char buf[48];
	fputs(json_value_text(v, buf, sizeof(buf)), out);
}

void json_value_list_reset(json_vals *l)
{
	for (size_t i = 0; i < l->nowned; i++)
		free(l->owned[i]);
	l->nowned = 0;
	l->n = 0;
	l->nset = 0;
	l->failed = false;
}

void json_value_list_free(json_vals *l)
{
	json_value_list_reset(l);
	free(l->items);
	free(l->set);
	free(l->owned);
	memset(l, 0, sizeof(*l));
}

static bool json_value_list_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 8;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return false;
	*p = np;
	*cap = nc;
	return true;
}

static json_val *json_value_list_push(json_vals *l)
{
	if (!json_value_list_grow((void **)&l->items, &l->cap, l->n + 1, sizeof(*l->items))) {
		l->failed = true;
		return NULL;
	}
	return &l->items[l->n++];
}

void json_value_list_add_text(json_vals *l, const char *text, bool own)
{
	if (!text) {
		l->failed = true;
		return;
	}
	if (own) {
		if (!json_value_list_grow((void **)&l->owned, &l->ownedcap, l->nowned + 1, sizeof(*l->owned))) {
			free((char *)text);
			l->failed = true;
			return;
		}
		l->owned[l->nowned++] = (char *)text;
	}
	json_val *v = json_value_list_push(l);
	if (v)
		json_value_parse(v, text);
}

void json_value_list_add_copy(json_vals *l, const char *text)
{
	json_value_list_add_text(l, strdup(text), true);
}

void json_value_list_add_int(json_vals *l, int64_t i)
{
	json_val *v = json_value_list_push(l);
	if (v) {
		v->type = JSON_VAL_INT64;
		v->s = NULL;
		v->a = i;
	}
}

/* The first set position whose value is not below v. */
static size_t json_value_list_lower_bound(const json_vals *l, const json_val *v)
{
	size_t lo = 0, hi = l->nset;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (json_value_lt(&l->items[l->set[mid]], v))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void json_value_list_build_set(json_vals *l)
{
	l->nset = 0;
	if (!json_value_list_grow((void **)&l->set, &l->setcap, l->n, sizeof(*l->set))) {
		l->failed = true;
		return;
	}
	/* std::set insertion: keep the first of equivalent values, in order. */
	for (size_t i = 0; i < l->n; i++) {
		const json_val *v = &l->items[i];
		size_t lo = json_value_list_lower_bound(l, v);
		if (lo < l->nset && !json_value_lt(v, &l->items[l->set[lo]]))
			continue;
		memmove(&l->set[lo + 1], &l->set[lo], (l->nset - lo) * sizeof(*l->set));
		l->set[lo] = i;
		l->nset++;
	}
}

bool json_value_list_set_has(const json_vals *l, const json_val *v)
{
	size_t lo = json_value_list_lower_bound(l, v);
	return lo < l->nset && !json_value_lt(v, &l->items[l->set[lo]]);
}
