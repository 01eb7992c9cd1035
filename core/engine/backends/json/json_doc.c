#include "engine/backends/json/json_doc.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cJSON allocates every node and string separately; taking them from an
 * arena freed at once makes parsing about 1.6x faster (bench/jsonlib). Its
 * allocation hooks are process-wide, so they serve the arena of the
 * document being built on this thread, and plain malloc otherwise. */
typedef struct json_arena_chunk {
	struct json_arena_chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
} json_arena_chunk;

struct json_doc {
	json_arena_chunk *chunks;
	cJSON *root;
};

static _Thread_local json_doc *json_doc_building;

/* One spare chunk per thread: most events fit in one chunk, so the next
 * document reuses it instead of returning it to malloc. Kept under a
 * thread key so that a thread's spare is freed when the thread ends. */
static pthread_key_t json_doc_spare_key;

static json_arena_chunk *json_doc_take_spare(void)
{
	json_arena_chunk *c = pthread_getspecific(json_doc_spare_key);
	if (c)
		pthread_setspecific(json_doc_spare_key, NULL);
	return c;
}

#define JSON_ARENA_CHUNK (64u * 1024u)

static void *json_doc_alloc(size_t n)
{
	json_doc *d = json_doc_building;
	if (!d)
		return malloc(n);
	n = (n + 15u) & ~(size_t)15u;
	json_arena_chunk *c = d->chunks;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > JSON_ARENA_CHUNK ? n : JSON_ARENA_CHUNK;
		json_arena_chunk *nc;
		if (cap != JSON_ARENA_CHUNK || !(nc = json_doc_take_spare())) {
			nc = malloc(sizeof(*nc) + cap);
			if (!nc)
				return NULL;
		}
		nc->used = 0;
		nc->cap = cap;
		nc->next = c;
		d->chunks = c = nc;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

/* While a document is being built its nodes are released with the arena. */
static void json_doc_release(void *p)
{
	if (!json_doc_building)
		free(p);
}

static pthread_once_t json_doc_hooks_once = PTHREAD_ONCE_INIT;

static void json_doc_hooks_install(void)
{
	pthread_key_create(&json_doc_spare_key, free);
	cJSON_Hooks h = {json_doc_alloc, json_doc_release};
	cJSON_InitHooks(&h);
}

static void json_doc_arena_free(json_arena_chunk *c)
{
	while (c) {
		json_arena_chunk *n = c->next;
		if (c->cap == JSON_ARENA_CHUNK && !pthread_getspecific(json_doc_spare_key)) {
			c->next = NULL;
			pthread_setspecific(json_doc_spare_key, c);
		} else {
			free(c);
		}
		c = n;
	}
}

json_doc *json_doc_parse(const char *text, size_t len, char *err, size_t errlen)
{
	pthread_once(&json_doc_hooks_once, json_doc_hooks_install);
	json_doc *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	const char *end = NULL;
	json_doc_building = d;
	d->root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	json_doc_building = NULL;
	if (d->root) {
		/* cJSON stops after the value; only white space may follow. */
		const char *p = end, *stop = text + len;
		while (p < stop && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (p < stop && *p) {
			snprintf(err, errlen, "parse error at column %zu: unexpected text after the JSON value",
				 (size_t)(p - text) + 1);
			json_doc_free(d);
			return NULL;
		}
		return d;
	}
	const char *at = cJSON_GetErrorPtr();
	if (at && at >= text && at <= text + len)
		snprintf(err, errlen, "parse error at column %zu: syntax error", (size_t)(at - text) + 1);
	else
		snprintf(err, errlen, "parse error: syntax error or out of memory");
	json_doc_free(d);
	return NULL;
}

void json_doc_free(json_doc *d)
{
	if (!d)
		return;
	json_doc_arena_free(d->chunks);
	free(d);
}

cJSON *json_doc_root(const json_doc *d)
{
	return d->root;
}

bool json_doc_set_string(json_doc *d, cJSON *obj, const char *key, const char *value)
{
	if (!cJSON_IsObject(obj))
		return false;
	json_doc_building = d;
	cJSON *s = cJSON_CreateString(value);
	bool ok = s != NULL;
	if (ok) {
		/* nlohmann keeps the last of duplicate keys; replace that one. */
		cJSON *last = (cJSON *)json_doc_member(obj, key);
		if (last) {
			/* ReplaceItemViaPointer keeps no key: move the old one (arena memory) */
			s->string = last->string;
			s->type |= last->type & cJSON_StringIsConst;
			last->string = NULL;
			ok = cJSON_ReplaceItemViaPointer(obj, last, s);
		} else {
			ok = cJSON_AddItemToObject(obj, key, s);
		}
	}
	json_doc_building = NULL;
	return ok;
}

const cJSON **json_doc_sorted_members(const cJSON *v, size_t *n)
{
	*n = 0;
	size_t cnt = 0;
	for (const cJSON *c = v->child; c; c = c->next)
		cnt++;
	if (!cnt)
		return NULL;
	/* Pair each member with its position so that the sort is stable. */
	struct {
		const cJSON *m;
		size_t pos;
	} *tmp = malloc(cnt * sizeof(*tmp));
	const cJSON **res = malloc(cnt * sizeof(*res));
	if (!tmp || !res) {
		free(tmp);
		free(res);
		return NULL;
	}
	size_t i = 0;
	for (const cJSON *c = v->child; c; c = c->next, i++) {
		tmp[i].m = c;
		tmp[i].pos = i;
	}
	/* insertion sort by (key, position): objects are small */
	for (size_t a = 1; a < cnt; a++) {
		__typeof__(tmp[0]) x = tmp[a];
		size_t b = a;
		while (b > 0) {
			int c = strcmp(tmp[b - 1].m->string ? tmp[b - 1].m->string : "", x.m->string ? x.m->string : "");
			if (c < 0 || (c == 0 && tmp[b - 1].pos < x.pos))
				break;
			tmp[b] = tmp[b - 1];
			b--;
		}
		tmp[b] = x;
	}
	size_t o = 0;
	for (i = 0; i < cnt; i++) {
		if (i + 1 < cnt && !strcmp(tmp[i].m->string ? tmp[i].m->string : "",
					   tmp[i + 1].m->string ? tmp[i + 1].m->string : ""))
			continue; /* a later duplicate wins */
		res[o++] = tmp[i].m;
	}
	free(tmp);
	*n = o;
	return res;
}


const cJSON *json_doc_member(const cJSON *obj, const char *key)
{
	const cJSON *found = NULL;
	if (!cJSON_IsObject(obj))
		return NULL;
	for (const cJSON *c = obj->child; c; c = c->next)
		if (c->string && c->string[0] == key[0] && !strcmp(c->string, key))
			found = c;
	return found;
}
