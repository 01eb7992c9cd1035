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
		cJSON *last = NULL;
		for (cJSON *c = obj->child; c; c = c->next)
			if (c->string && !strcmp(c->string, key))
				last = c;
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

int json_pointer_compile(json_pointer *p, const char *text, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (!*text)
		return 0;
	if (*text != '/') {
		snprintf(err, errlen, "JSON pointer must be empty or begin with '/' - was: '%s'", text);
		return -1;
	}
	size_t n = 0;
	for (const char *s = text; *s; s++)
		n += *s == '/';
	p->tokens = calloc(n, sizeof(*p->tokens));
	if (!p->tokens) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *s = text;
	while (*s == '/') {
		s++;
		size_t tl = strcspn(s, "/");
		char *tok = malloc(tl + 1);
		if (!tok) {
			json_pointer_free(p);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		size_t o = 0;
		for (size_t i = 0; i < tl; i++) {
			if (s[i] == '~') {
				if (i + 1 >= tl || (s[i + 1] != '0' && s[i + 1] != '1')) {
					free(tok);
					json_pointer_free(p);
					snprintf(err, errlen, "escape character '~' must be followed with '0' or '1'");
					return -1;
				}
				tok[o++] = s[i + 1] == '0' ? '~' : '/';
				i++;
			} else {
				tok[o++] = s[i];
			}
		}
		tok[o] = 0;
		p->tokens[p->ntokens++] = tok;
		s += tl;
	}
	return 0;
}

void json_pointer_free(json_pointer *p)
{
	for (size_t i = 0; i < p->ntokens; i++)
		free(p->tokens[i]);
	free(p->tokens);
	memset(p, 0, sizeof(*p));
}

/* The last member named key (nlohmann keeps the last of duplicates). */
static const cJSON *json_doc_member(const cJSON *obj, const char *key)
{
	const cJSON *found = NULL;
	for (const cJSON *c = obj->child; c; c = c->next)
		if (c->string && c->string[0] == key[0] && !strcmp(c->string, key))
			found = c;
	return found;
}

const cJSON *json_pointer_get(const json_pointer *p, const cJSON *v)
{
	for (size_t i = 0; v && i < p->ntokens; i++) {
		const char *t = p->tokens[i];
		if (cJSON_IsObject(v)) {
			v = json_doc_member(v, t);
		} else if (cJSON_IsArray(v)) {
			if (!*t || (t[0] == '0' && t[1]) || strspn(t, "0123456789") != strlen(t))
				return NULL;
			errno = 0;
			unsigned long long idx = strtoull(t, NULL, 10);
			if (errno)
				return NULL;
			const cJSON *c = v->child;
			for (unsigned long long k = 0; c && k < idx; k++)
				c = c->next;
			v = c;
		} else {
			return NULL;
		}
	}
	return v;
}

void json_dump_string(FILE *out, const char *s)
{
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* the bytes written as they are, in one run */
		const unsigned char *run = p;
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), out);
		if (!*p)
			break;
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				putc(*p, out);
		}
	}
	putc('"', out);
}

/* nlohmann prints a double with the fewest digits that read back the same,
 * as d.ddde+XX outside 1e-5 .. 1e15, and with ".0" when integral. */
static void json_dump_double(FILE *out, double d)
{
	if (!isfinite(d)) {
		fputs("null", out);
		return;
	}
	if (d == 0) {
		fputs(signbit(d) ? "-0.0" : "0.0", out);
		return;
	}
	char digits[40];
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, d);
		if (strtod(digits, NULL) == d)
			break;
	}
	/* digits: [-]D.DDDe[+-]XX */
	char *e = strchr(digits, 'e');
	int exp10 = atoi(e + 1);
	*e = 0;
	char mant[40];
	size_t nm = 0;
	bool neg = digits[0] == '-';
	for (char *c = digits + neg; *c; c++)
		if (*c != '.')
			mant[nm++] = *c;
	mant[nm] = 0;
	int n = (int)nm, k = exp10 + 1; /* value = 0.mant * 10^k */
	if (neg)
		putc('-', out);
	if (k >= n && k <= 15) {
		fputs(mant, out);
		for (int z = n; z < k; z++)
			putc('0', out);
		fputs(".0", out);
	} else if (k > 0 && k <= 15) {
		fprintf(out, "%.*s.%s", k, mant, mant + k);
	} else if (k > -5 && k <= 0) {
		fputs("0.", out);
		for (int z = k; z < 0; z++)
			putc('0', out);
		fputs(mant, out);
	} else {
		fprintf(out, "%c", mant[0]);
		if (n > 1)
			fprintf(out, ".%s", mant + 1);
		fprintf(out, "e%c%02d", k - 1 < 0 ? '-' : '+', abs(k - 1));
	}
}

static void json_dump_number(FILE *out, const cJSON *v)
{
	double d = v->valuedouble;
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		fprintf(out, "%lld", (long long)d);
	else
		json_dump_double(out, d);
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

void json_dump_write(FILE *out, const cJSON *v)
{
	if (!v) {
		fputs("null", out);
		return;
	}
	if (cJSON_IsString(v)) {
		json_dump_string(out, v->valuestring ? v->valuestring : "");
	} else if (cJSON_IsNumber(v)) {
		json_dump_number(out, v);
	} else if (cJSON_IsTrue(v)) {
		fputs("true", out);
	} else if (cJSON_IsFalse(v)) {
		fputs("false", out);
	} else if (cJSON_IsArray(v)) {
		putc('[', out);
		for (const cJSON *c = v->child; c; c = c->next) {
			if (c != v->child)
				putc(',', out);
			json_dump_write(out, c);
		}
		putc(']', out);
	} else if (cJSON_IsObject(v)) {
		size_t n = 0;
		const cJSON **m = json_doc_sorted_members(v, &n);
		putc('{', out);
		for (size_t i = 0; i < n; i++) {
			if (i)
				putc(',', out);
			json_dump_string(out, m[i]->string);
			putc(':', out);
			json_dump_write(out, m[i]);
		}
		putc('}', out);
		free(m);
	} else {
		fputs("null", out);
	}
}

char *json_dump_as_string(const cJSON *v)
{
	if (cJSON_IsString(v))
		return strdup(v->valuestring ? v->valuestring : "");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	json_dump_write(m, v);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
