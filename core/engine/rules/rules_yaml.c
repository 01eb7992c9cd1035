#include "engine/rules/rules_yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "engine/util/file_read.h"
#include "engine/util/hashmap.h"

/* ---- arena ------------------------------------------------------------ */

#define ARENA_ALIGN 16u
#define ARENA_CHUNK (64u * 1024u)

typedef struct arena_chunk {
	struct arena_chunk *next;
	size_t cap;
	size_t used;
	_Alignas(16) unsigned char data[];
} arena_chunk;

struct rules_yaml_file {
	arena_chunk *chunks;
	char *name;
	rules_yaml_node **items;
	size_t n_items;
};

void *rules_yaml_alloc(rules_yaml_file *f, size_t size)
{
	if(!f)
		return NULL;
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if(size == 0)
		size = ARENA_ALIGN;
	arena_chunk *c = f->chunks;
	if(!c || c->cap - c->used < size) {
		size_t cap = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
		arena_chunk *nc = malloc(sizeof(*nc) + cap);
		if(!nc)
			return NULL;
		nc->cap = cap;
		nc->used = 0;
		if(size > ARENA_CHUNK / 4 && c) {
			/* big block: keep the current chunk as the bump target */
			nc->next = c->next;
			c->next = nc;
		} else {
			nc->next = c;
			f->chunks = nc;
		}
		c = nc;
	}
	void *p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *rules_yaml_strndup(rules_yaml_file *f, const char *s, size_t len)
{
	char *p = rules_yaml_alloc(f, len + 1);
	if(!p)
		return NULL;
	if(len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void rules_yaml_free(rules_yaml_file *f)
{
	if(!f)
		return;
	arena_chunk *c = f->chunks;
	while(c) {
		arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	free(f->items);
	free(f->name);
	free(f);
}

const char *rules_yaml_file_name(const rules_yaml_file *f)
{
	return f ? f->name : NULL;
}

size_t rules_yaml_item_count(const rules_yaml_file *f)
{
	return f ? f->n_items : 0;
}

const rules_yaml_node *rules_yaml_item_at(const rules_yaml_file *f, size_t i)
{
	if(!f || i >= f->n_items)
		return NULL;
	return f->items[i];
}

const char *rules_status_name(int status)
{
	switch(status) {
	case RULES_OK: return "ok";
	case RULES_ERR_IO: return "I/O error";
	case RULES_ERR_YAML: return "YAML syntax error";
	case RULES_ERR_SCHEMA: return "invalid rules file structure";
	case RULES_ERR_SEMANTIC: return "invalid rules";
	case RULES_ERR_VERSION: return "engine version too low";
	case RULES_ERR_VALIDATE: return "rejected by validation";
	case RULES_ERR_NOMEM: return "out of memory";
	case RULES_ERR_ARG: return "invalid argument";
	default: return "unknown error";
	}
}

/* ---- scalar typing ------------------------------------------------------ */

static bool text_is(const rules_yaml_node *n, const char *s)
{
	size_t l = strlen(s);
	return n->len == l && memcmp(n->text, s, l) == 0;
}

bool rules_yaml_is_null(const rules_yaml_node *n)
{
	if(!n)
		return true;
	if(n->kind != RULES_YAML_SCALAR || !n->plain)
		return false;
	return n->len == 0 || text_is(n, "~") || text_is(n, "null") || text_is(n, "Null") ||
	       text_is(n, "NULL");
}

bool rules_yaml_bool(const rules_yaml_node *n, bool *out)
{
	static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
	static const char *const f[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
	if(!n || n->kind != RULES_YAML_SCALAR || !n->plain)
		return false;
	for(size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if(text_is(n, t[i])) {
			*out = true;
			return true;
		}
		if(text_is(n, f[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

bool rules_yaml_number(const rules_yaml_node *n, double *out)
{
	if(!n || n->kind != RULES_YAML_SCALAR || !n->plain || n->len == 0 || n->len > 64)
		return false;
	char buf[72];
	size_t j = 0;
	for(size_t i = 0; i < n->len; i++) {
		if(n->text[i] != '_')
			buf[j++] = n->text[i];
	}
	buf[j] = '\0';
	const char *p = buf;
	if(*p == '+' || *p == '-')
		p++;
	if(!((*p >= '0' && *p <= '9') || *p == '.'))
		return false;
	char *end = NULL;
	errno = 0;
	double v;
	if(p[0] == '0' && p[1] >= '0' && p[1] <= '7' && !strpbrk(p, ".eE")) {
		long long o = strtoll(buf, &end, 8); /* YAML 1.1 octal */
		v = (double)o;
	} else {
		v = strtod(buf, &end);
	}
	if(!end || *end != '\0' || errno == ERANGE)
		return false;
	*out = v;
	return true;
}

bool rules_yaml_is_text(const rules_yaml_node *n)
{
	return n && n->kind == RULES_YAML_SCALAR && !rules_yaml_is_null(n);
}

const char *rules_yaml_type_name(const rules_yaml_node *n)
{
	bool b;
	double d;
	if(rules_yaml_is_null(n))
		return "null";
	if(n->kind == RULES_YAML_SEQUENCE)
		return "sequence";
	if(n->kind == RULES_YAML_MAPPING)
		return "mapping";
	if(rules_yaml_bool(n, &b))
		return "boolean";
	if(rules_yaml_number(n, &d))
		return "number";
	return "string";
}

static const rules_yaml_node *map_get_depth(const rules_yaml_node *map, const char *key, size_t klen,
					    int depth)
{
	if(!map || map->kind != RULES_YAML_MAPPING || depth > 16)
		return NULL;
	for(size_t i = map->n; i-- > 0;) {
		const rules_yaml_node *k = map->kids[2 * i];
		if(k->kind == RULES_YAML_SCALAR && k->len == klen && memcmp(k->text, key, klen) == 0)
			return map->kids[2 * i + 1];
	}
	/* "<<" merge keys: explicit keys win over merged ones; earlier merged
	 * mappings win over later ones. */
	for(size_t i = 0; i < map->n; i++) {
		const rules_yaml_node *k = map->kids[2 * i];
		if(!(k->kind == RULES_YAML_SCALAR && k->plain && text_is(k, "<<")))
			continue;
		const rules_yaml_node *v = map->kids[2 * i + 1];
		if(v->kind == RULES_YAML_MAPPING) {
			const rules_yaml_node *r = map_get_depth(v, key, klen, depth + 1);
			if(r)
				return r;
		} else if(v->kind == RULES_YAML_SEQUENCE) {
			for(size_t j = 0; j < v->n; j++) {
				const rules_yaml_node *r = map_get_depth(v->kids[j], key, klen, depth + 1);
				if(r)
					return r;
			}
		}
	}
	return NULL;
}

const rules_yaml_node *rules_yaml_map_get(const rules_yaml_node *map, const char *key)
{
	if(!key)
		return NULL;
	return map_get_depth(map, key, strlen(key), 0);
}

/* ---- event-driven tree builder ------------------------------------------ */

typedef struct frame {
	rules_yaml_node *node;
	rules_yaml_node **kids;
	size_t n, cap;
	size_t anchor;   /* index + 1 of the anchor the node defines, 0 when none */
	size_t expanded; /* builder's `expanded` before the node */
} frame;

typedef struct anchor {
	char *name;
	rules_yaml_node *node;
	size_t expanded; /* nodes of the subtree with its aliases expanded */
	bool complete;
} anchor;

typedef struct builder {
	rules_yaml_file *f;
	frame *stack;
	size_t depth, stack_cap;
	anchor *anchors;
	size_t n_anchors, anchors_cap;
	/* anchor name -> index + 1: the last definition of a name wins, and a
	 * file with many anchors and aliases stays linear */
	hashmap anchor_idx;
	/* nodes so far with every alias expanded: what a walk of the tree
	 * that follows aliases visits at most */
	size_t expanded;
	const rules_limits *lim;
	rules_yaml_node *root;
	size_t items_cap;
	char *err;
	size_t errlen;
} builder;

static int set_err(builder *b, int code, unsigned line, unsigned col, const char *fmt, ...)
{
	if(b->err && b->errlen) {
		int off = snprintf(b->err, b->errlen, "%s:%u:%u: ", b->f->name, line, col);
		if(off >= 0 && (size_t)off < b->errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(b->err + off, b->errlen - (size_t)off, fmt, ap);
			va_end(ap);
		}
	}
	return code;
}

static int push_kid(frame *fr, rules_yaml_node *n)
{
	if(fr->n == fr->cap) {
		size_t nc = fr->cap ? fr->cap * 2 : 8;
		rules_yaml_node **k = realloc(fr->kids, nc * sizeof(*k));
		if(!k)
			return -1;
		fr->kids = k;
		fr->cap = nc;
	}
	fr->kids[fr->n++] = n;
	return 0;
}

static int add_node(builder *b, rules_yaml_node *n)
{
	if(b->depth == 0) {
		b->root = n;
		return 0;
	}
	return push_kid(&b->stack[b->depth - 1], n);
}

static int add_anchor(builder *b, const char *name, rules_yaml_node *n, bool complete)
{
	if(b->n_anchors == b->anchors_cap) {
		size_t nc = b->anchors_cap ? b->anchors_cap * 2 : 8;
		anchor *a = realloc(b->anchors, nc * sizeof(*a));
		if(!a)
			return -1;
		b->anchors = a;
		b->anchors_cap = nc;
	}
	char *copy = strdup(name);
	if(!copy)
		return -1;
	/* a redefined anchor shadows the old one */
	if(hashmap_put(&b->anchor_idx, copy, strlen(copy), (void *)(uintptr_t)(b->n_anchors + 1)) != 0) {
		free(copy);
		return -1;
	}
	b->anchors[b->n_anchors].name = copy;
	b->anchors[b->n_anchors].node = n;
	b->anchors[b->n_anchors].expanded = 1;
	b->anchors[b->n_anchors].complete = complete;
	b->n_anchors++;
	return 0;
}

static void clear_anchors(builder *b)
{
	hashmap_free(&b->anchor_idx);
	for(size_t i = 0; i < b->n_anchors; i++)
		free(b->anchors[i].name);
	b->n_anchors = 0;
}

/* Counts n more nodes of the expanded tree; an error past the limit. */
static int count_nodes(builder *b, size_t n, unsigned line, unsigned col)
{
	if(n > b->lim->yaml_nodes || b->expanded > b->lim->yaml_nodes - n)
		return set_err(b, RULES_ERR_SCHEMA, line, col,
			       "the file expands to more than %zu YAML nodes once its aliases are resolved "
			       "(engine.limits.yaml_nodes)",
			       b->lim->yaml_nodes);
	b->expanded += n;
	return RULES_OK;
}

static rules_yaml_node *new_node(builder *b, rules_yaml_kind kind, const yaml_mark_t *m)
{
	rules_yaml_node *n = rules_yaml_alloc(b->f, sizeof(*n));
	if(!n)
		return NULL;
	n->kind = kind;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	return n;
}

static int finish_document(builder *b)
{
	rules_yaml_node *r = b->root;
	b->root = NULL;
	clear_anchors(b);
	if(rules_yaml_is_null(r))
		return RULES_OK; /* empty document */
	if(r->kind == RULES_YAML_SCALAR)
		return set_err(b, RULES_ERR_SCHEMA, r->line, r->col, "Rules content is not yaml");
	if(r->kind == RULES_YAML_MAPPING)
		return set_err(b, RULES_ERR_SCHEMA, r->line, r->col, "Rules content is not yaml array of objects");
	rules_yaml_file *f = b->f;
	for(size_t i = 0; i < r->n; i++) {
		rules_yaml_node *it = r->kids[i];
		if(it->kind != RULES_YAML_MAPPING)
			return set_err(b, RULES_ERR_SCHEMA, it->line, it->col,
				       "Unexpected element of type %s. Each element should be a yaml "
				       "associative array.",
				       rules_yaml_type_name(it));
		if(f->n_items == b->items_cap) {
			size_t nc = b->items_cap ? b->items_cap * 2 : 64;
			rules_yaml_node **ni = realloc(f->items, nc * sizeof(*ni));
			if(!ni)
				return set_err(b, RULES_ERR_NOMEM, it->line, it->col, "out of memory");
			f->items = ni;
			b->items_cap = nc;
		}
		f->items[f->n_items++] = it;
	}
	return RULES_OK;
}

static int yaml_error(builder *b, yaml_parser_t *p)
{
	if(p->error == YAML_MEMORY_ERROR)
		return set_err(b, RULES_ERR_NOMEM, 1, 1, "out of memory while parsing YAML");
	unsigned line = (unsigned)p->problem_mark.line + 1, col = (unsigned)p->problem_mark.column + 1;
	const char *problem = p->problem ? p->problem : "unknown problem";
	if(p->error == YAML_READER_ERROR)
		return set_err(b, RULES_ERR_YAML, line, col, "invalid YAML: %s (byte offset %zu)", problem,
			       p->problem_offset);
	if(p->context)
		return set_err(b, RULES_ERR_YAML, line, col, "invalid YAML: %s (%s at line %u, column %u)",
			       problem, p->context, (unsigned)p->context_mark.line + 1,
			       (unsigned)p->context_mark.column + 1);
	return set_err(b, RULES_ERR_YAML, line, col, "invalid YAML: %s", problem);
}

static int handle_event(builder *b, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	unsigned line = (unsigned)m->line + 1, col = (unsigned)m->column + 1;
	switch(ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		b->root = NULL;
		return RULES_OK;
	case YAML_DOCUMENT_END_EVENT:
		return finish_document(b);
	case YAML_SCALAR_EVENT: {
		int rc = count_nodes(b, 1, line, col);
		if(rc != RULES_OK)
			return rc;
		rules_yaml_node *n = new_node(b, RULES_YAML_SCALAR, m);
		if(!n)
			return set_err(b, RULES_ERR_NOMEM, line, col, "out of memory");
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
		n->text = rules_yaml_strndup(b->f, (const char *)ev->data.scalar.value, ev->data.scalar.length);
		n->len = ev->data.scalar.length;
		if(!n->text || (ev->data.scalar.anchor &&
				add_anchor(b, (const char *)ev->data.scalar.anchor, n, true) != 0) ||
		   add_node(b, n) != 0)
			return set_err(b, RULES_ERR_NOMEM, line, col, "out of memory");
		return RULES_OK;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		/* checked before libyaml reads deeper, since its cost grows
		 * faster than the depth */
		if(b->depth >= b->lim->yaml_depth)
			return set_err(b, RULES_ERR_SCHEMA, line, col,
				       "sequences and mappings nested deeper than %zu levels (engine.limits.yaml_depth)",
				       b->lim->yaml_depth);
		size_t before = b->expanded;
		int rc = count_nodes(b, 1, line, col);
		if(rc != RULES_OK)
			return rc;
		rules_yaml_node *n = new_node(b, seq ? RULES_YAML_SEQUENCE : RULES_YAML_MAPPING, m);
		if(!n)
			return set_err(b, RULES_ERR_NOMEM, line, col, "out of memory");
		const yaml_char_t *anc = seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
		if(anc && add_anchor(b, (const char *)anc, n, false) != 0)
			return set_err(b, RULES_ERR_NOMEM, line, col, "out of memory");
		size_t anchor_no = anc ? b->n_anchors : 0;
		if(b->depth == b->stack_cap) {
			size_t nc = b->stack_cap ? b->stack_cap * 2 : 16;
			frame *s = realloc(b->stack, nc * sizeof(*s));
			if(!s)
				return set_err(b, RULES_ERR_NOMEM, line, col, "out of memory");
			b->stack = s;
			b->stack_cap = nc;
		}
		b->stack[b->depth++] = (frame){.node = n, .anchor = anchor_no, .expanded = before};
		return RULES_OK;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		frame fr = b->stack[--b->depth];
		rules_yaml_node *n = fr.node;
		if(n->kind == RULES_YAML_MAPPING) {
			if(fr.n % 2 != 0) {
				free(fr.kids);
				return set_err(b, RULES_ERR_YAML, n->line, n->col, "invalid YAML: odd mapping");
			}
			for(size_t i = 0; i < fr.n; i += 2) {
				if(fr.kids[i]->kind != RULES_YAML_SCALAR) {
					unsigned kl = fr.kids[i]->line, kc = fr.kids[i]->col;
					free(fr.kids);
					return set_err(b, RULES_ERR_SCHEMA, kl, kc,
						       "mapping keys must be scalars");
				}
			}
			n->n = fr.n / 2;
		} else {
			n->n = fr.n;
		}
		if(fr.n) {
			n->kids = rules_yaml_alloc(b->f, fr.n * sizeof(*n->kids));
			if(!n->kids) {
				free(fr.kids);
				return set_err(b, RULES_ERR_NOMEM, n->line, n->col, "out of memory");
			}
			memcpy(n->kids, fr.kids, fr.n * sizeof(*n->kids));
		}
		free(fr.kids);
		if(fr.anchor) {
			b->anchors[fr.anchor - 1].complete = true;
			b->anchors[fr.anchor - 1].expanded = b->expanded - fr.expanded;
		}
		if(add_node(b, n) != 0)
			return set_err(b, RULES_ERR_NOMEM, n->line, n->col, "out of memory");
		return RULES_OK;
	}
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		void *v;
		if(!hashmap_find(&b->anchor_idx, name, strlen(name), &v))
			return set_err(b, RULES_ERR_YAML, line, col, "invalid YAML: undefined alias *%s", name);
		const anchor *a = &b->anchors[(uintptr_t)v - 1];
		if(!a->complete)
			return set_err(b, RULES_ERR_SCHEMA, line, col, "recursive alias *%s is not supported", name);
		int rc = count_nodes(b, a->expanded, line, col);
		if(rc != RULES_OK)
			return rc;
		if(add_node(b, a->node) != 0)
			return set_err(b, RULES_ERR_NOMEM, line, col, "out of memory");
		return RULES_OK;
	}
	default:
		return RULES_OK;
	}
}

int rules_yaml_parse(const char *name, const char *buf, size_t len, rules_yaml_file **out, char *err,
		     size_t errlen)
{
	return rules_yaml_parse_limited(name, buf, len, NULL, out, err, errlen);
}

int rules_yaml_parse_limited(const char *name, const char *buf, size_t len, const rules_limits *limits,
			     rules_yaml_file **out, char *err, size_t errlen)
{
	if(err && errlen)
		err[0] = '\0';
	if(!out)
		return RULES_ERR_ARG;
	*out = NULL;
	if(!buf && len)
		return RULES_ERR_ARG;
	rules_yaml_file *f = calloc(1, sizeof(*f));
	if(!f)
		return RULES_ERR_NOMEM;
	f->name = strdup(name ? name : "<rules>");
	if(!f->name) {
		free(f);
		return RULES_ERR_NOMEM;
	}
	rules_limits lim;
	rules_limits_resolve(limits, &lim);
	builder b = {.f = f, .err = err, .errlen = errlen, .lim = &lim};
	if(len > lim.file_bytes) {
		int rc = set_err(&b, RULES_ERR_SCHEMA, 1, 1,
				 "the file is %zu bytes, more than %zu (engine.limits.rules_file_bytes)", len,
				 lim.file_bytes);
		rules_yaml_free(f);
		return rc;
	}
	yaml_parser_t parser;
	if(!yaml_parser_initialize(&parser)) {
		rules_yaml_free(f);
		return RULES_ERR_NOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)(buf ? buf : ""), len);
	int rc = RULES_OK;
	for(;;) {
		yaml_event_t ev;
		if(!yaml_parser_parse(&parser, &ev)) {
			rc = yaml_error(&b, &parser);
			break;
		}
		bool end = ev.type == YAML_STREAM_END_EVENT;
		rc = handle_event(&b, &ev);
		yaml_event_delete(&ev);
		if(rc != RULES_OK || end)
			break;
	}
	yaml_parser_delete(&parser);
	for(size_t i = 0; i < b.depth; i++)
		free(b.stack[i].kids);
	free(b.stack);
	clear_anchors(&b);
	free(b.anchors);
	if(rc != RULES_OK) {
		rules_yaml_free(f);
		return rc;
	}
	*out = f;
	return RULES_OK;
}

int rules_yaml_read_file(const char *path, char **data_out, size_t *len_out, char *err, size_t errlen)
{
	int rc = file_read_all(path, data_out, len_out);
	if(rc == FILE_READ_ENOMEM)
		return RULES_ERR_NOMEM;
	if(rc != FILE_READ_OK) {
		if(err && errlen)
			snprintf(err, errlen, "%s: could not %s rules file: %s", path, rc == FILE_READ_EOPEN ? "open" : "read",
				 strerror(errno));
		return RULES_ERR_IO;
	}
	return RULES_OK;
}

int rules_yaml_parse_file(const char *path, rules_yaml_file **out, char *err, size_t errlen)
{
	return rules_yaml_parse_file_limited(path, NULL, out, err, errlen);
}

int rules_yaml_parse_file_limited(const char *path, const rules_limits *limits, rules_yaml_file **out, char *err,
				  size_t errlen)
{
	if(err && errlen)
		err[0] = '\0';
	if(!out || !path)
		return RULES_ERR_ARG;
	*out = NULL;
	rules_limits lim;
	rules_limits_resolve(limits, &lim);
	/* a file far too long is refused before it is read */
	struct stat st;
	if(stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > lim.file_bytes) {
		if(err && errlen)
			snprintf(err, errlen, "%s:1:1: the file is %jd bytes, more than %zu (engine.limits.rules_file_bytes)",
				 path, (intmax_t)st.st_size, lim.file_bytes);
		return RULES_ERR_SCHEMA;
	}
	char *data;
	size_t len;
	int rc = rules_yaml_read_file(path, &data, &len, err, errlen);
	if(rc != RULES_OK)
		return rc;
	rc = rules_yaml_parse_limited(path, data, len, &lim, out, err, errlen);
	free(data);
	return rc;
}
