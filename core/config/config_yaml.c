#include "config/config_yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "engine/util/file_read.h"
#include "engine/util/hashmap.h"

int config_doc_init(config_doc *d)
{
	memset(d, 0, sizeof(*d));
	config_limits_init(&d->limits);
	d->root = config_node_new(CONFIG_MAP, config_doc_intern(d, "<default>"), 1, 1);
	return d->root ? 0 : -1;
}

void config_doc_free(config_doc *d)
{
	config_node_free(d->root);
	for (size_t i = 0; i < d->nnames; i++)
		free(d->names[i]);
	free(d->names);
	memset(d, 0, sizeof(*d));
}

const char *config_doc_intern(config_doc *d, const char *name)
{
	for (size_t i = 0; i < d->nnames; i++)
		if (strcmp(d->names[i], name) == 0)
			return d->names[i];
	char **names = realloc(d->names, (d->nnames + 1) * sizeof(*names));
	if (!names)
		return NULL;
	d->names = names;
	if (!(names[d->nnames] = strdup(name)))
		return NULL;
	return names[d->nnames++];
}

void config_limits_init(config_limits *l)
{
	*l = (config_limits){
		.file_bytes = CONFIG_LIMITS_FILE_BYTES,
		.depth = CONFIG_LIMITS_DEPTH,
		.nodes = CONFIG_LIMITS_NODES,
	};
}

/* ---- event-driven tree builder ---------------------------------------- */

/* libyaml's document loader finds each alias by scanning every anchor
 * (quadratic in their number) and reads the whole input before anything
 * can be checked; events let the builder bound depth and size as it goes
 * and keep anchors in a hash map. */

typedef struct config_yaml_anchor {
	char *name;         /* owned */
	config_node *node;  /* borrowed from the tree being built */
	size_t nodes;       /* nodes of the subtree (what an alias copies) */
	bool complete;
} config_yaml_anchor;

typedef struct config_yaml_frame {
	config_node *node;
	char *key;          /* mapping: the key read, waiting for its value; owned */
	int key_line, key_col;
	size_t anchor;      /* anchor index + 1, or 0 */
	size_t nodes_before;
} config_yaml_frame;

typedef struct config_yaml_builder {
	const char *name;
	const config_limits *lim;
	config_yaml_frame *stack;
	size_t depth, cap;
	config_yaml_anchor *anchors;
	size_t nanchors, anchors_cap;
	hashmap anchor_idx;
	size_t nodes;       /* nodes produced so far, alias copies included */
	config_node *root;
	char *err;
	size_t errlen;
} config_yaml_builder;

static int config_yaml_fail(config_yaml_builder *b, const yaml_mark_t *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int config_yaml_fail(config_yaml_builder *b, const yaml_mark_t *m, const char *fmt, ...)
{
	int off = snprintf(b->err, b->errlen, "%s:%zu:%zu: ", b->name, m->line + 1, m->column + 1);
	if (off >= 0 && (size_t)off < b->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(b->err + off, b->errlen - (size_t)off, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int config_yaml_count(config_yaml_builder *b, size_t n, const yaml_mark_t *m)
{
	if (n > b->lim->nodes || b->nodes > b->lim->nodes - n)
		return config_yaml_fail(b, m,
					"the configuration has more than %zu YAML nodes once its aliases are "
					"resolved (config.limits.nodes)",
					b->lim->nodes);
	b->nodes += n;
	return 0;
}

static int config_yaml_add_anchor(config_yaml_builder *b, const char *name, config_node *n, bool complete)
{
	if (b->nanchors == b->anchors_cap) {
		size_t nc = b->anchors_cap ? b->anchors_cap * 2 : 8;
		config_yaml_anchor *a = realloc(b->anchors, nc * sizeof(*a));
		if (!a)
			return -1;
		b->anchors = a;
		b->anchors_cap = nc;
	}
	char *copy = strdup(name);
	if (!copy)
		return -1;
	/* a redefined anchor shadows the old one */
	if (hashmap_put(&b->anchor_idx, copy, strlen(copy), (void *)(uintptr_t)(b->nanchors + 1)) < 0) {
		free(copy);
		return -1;
	}
	b->anchors[b->nanchors++] = (config_yaml_anchor){copy, n, 1, complete};
	return 0;
}

/* Hands a finished node to its parent (or makes it the root). Takes
 * ownership of n. */
static int config_yaml_attach(config_yaml_builder *b, config_node *n, const yaml_mark_t *m)
{
	if (b->depth == 0) {
		config_node_free(b->root);
		b->root = n;
		return 0;
	}
	config_yaml_frame *f = &b->stack[b->depth - 1];
	if (f->node->kind == CONFIG_SEQ)
		return config_seq_push(f->node, n) < 0 ? config_yaml_fail(b, m, "out of memory") : 0;
	if (!f->key) {
		if (n->kind != CONFIG_SCALAR) {
			config_node_free(n);
			return config_yaml_fail(b, m, "mapping keys must be plain strings");
		}
		f->key = n->scalar;
		f->key_line = n->line;
		f->key_col = n->column;
		n->scalar = NULL;
		config_node_free(n);
		return 0;
	}
	char *key = f->key;
	f->key = NULL;
	if (config_map_get(f->node, key)) {
		yaml_mark_t km = {.line = (size_t)f->key_line - 1, .column = (size_t)f->key_col - 1};
		config_node_free(n);
		config_yaml_fail(b, &km, "duplicate key '%.200s'", key);
		free(key);
		return -1;
	}
	int rc = config_map_set(f->node, key, n);
	free(key);
	return rc < 0 ? config_yaml_fail(b, m, "out of memory") : 0;
}

static int config_yaml_event(config_yaml_builder *b, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	int line = (int)m->line + 1, col = (int)m->column + 1;
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		if (config_yaml_count(b, 1, m) < 0)
			return -1;
		/* a key's node is not kept, so nothing could alias it */
		if (ev->data.scalar.anchor && b->depth && b->stack[b->depth - 1].node->kind == CONFIG_MAP &&
		    !b->stack[b->depth - 1].key)
			return config_yaml_fail(b, m, "anchors on mapping keys are not supported");
		config_node *n = config_node_new(CONFIG_SCALAR, b->name, line, col);
		if (!n || !(n->scalar = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length))) {
			config_node_free(n);
			return config_yaml_fail(b, m, "out of memory");
		}
		yaml_scalar_style_t st = ev->data.scalar.style;
		n->quoted = st == YAML_SINGLE_QUOTED_SCALAR_STYLE || st == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
			    st == YAML_LITERAL_SCALAR_STYLE || st == YAML_FOLDED_SCALAR_STYLE;
		if (ev->data.scalar.anchor && config_yaml_add_anchor(b, (const char *)ev->data.scalar.anchor, n, true) < 0) {
			config_node_free(n);
			return config_yaml_fail(b, m, "out of memory");
		}
		return config_yaml_attach(b, n, m);
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		/* checked before libyaml reads deeper: its cost grows faster
		 * than the nesting */
		if (b->depth >= b->lim->depth)
			return config_yaml_fail(b, m, "nesting deeper than %zu levels (config.limits.depth)", b->lim->depth);
		size_t before = b->nodes;
		if (config_yaml_count(b, 1, m) < 0)
			return -1;
		if (b->depth == b->cap) {
			size_t nc = b->cap ? b->cap * 2 : 16;
			config_yaml_frame *s = realloc(b->stack, nc * sizeof(*s));
			if (!s)
				return config_yaml_fail(b, m, "out of memory");
			b->stack = s;
			b->cap = nc;
		}
		config_node *n = config_node_new(seq ? CONFIG_SEQ : CONFIG_MAP, b->name, line, col);
		if (!n)
			return config_yaml_fail(b, m, "out of memory");
		const yaml_char_t *anc = seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
		if (anc && config_yaml_add_anchor(b, (const char *)anc, n, false) < 0) {
			config_node_free(n);
			return config_yaml_fail(b, m, "out of memory");
		}
		b->stack[b->depth++] = (config_yaml_frame){.node = n, .anchor = anc ? b->nanchors : 0,
							   .nodes_before = before};
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		config_yaml_frame f = b->stack[--b->depth];
		free(f.key); /* libyaml never ends a mapping after a lone key */
		if (f.anchor) {
			b->anchors[f.anchor - 1].complete = true;
			b->anchors[f.anchor - 1].nodes = b->nodes - f.nodes_before;
		}
		return config_yaml_attach(b, f.node, m);
	}
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		void *v;
		if (!hashmap_find(&b->anchor_idx, name, strlen(name), &v))
			return config_yaml_fail(b, m, "undefined alias *%.200s", name);
		const config_yaml_anchor *a = &b->anchors[(uintptr_t)v - 1];
		if (!a->complete)
			return config_yaml_fail(b, m, "recursive alias *%.200s", name);
		/* an alias is a copy: a billion laughs is counted before it is
		 * made */
		if (config_yaml_count(b, a->nodes, m) < 0)
			return -1;
		config_node *c = config_node_clone(a->node);
		if (!c)
			return config_yaml_fail(b, m, "out of memory");
		return config_yaml_attach(b, c, m);
	}
	default:
		return 0;
	}
}

static void config_yaml_builder_free(config_yaml_builder *b)
{
	/* open frames own their nodes (not yet attached) */
	for (size_t i = b->depth; i-- > 0;) {
		free(b->stack[i].key);
		config_node_free(b->stack[i].node);
	}
	free(b->stack);
	for (size_t i = 0; i < b->nanchors; i++)
		free(b->anchors[i].name);
	free(b->anchors);
	hashmap_free(&b->anchor_idx);
	config_node_free(b->root);
}

int config_yaml_parse(config_doc *d, const char *name, const char *buf, size_t len, config_node **out, char *err,
		      size_t errlen)
{
	*out = NULL;
	const char *iname = config_doc_intern(d, name);
	if (!iname) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	config_limits lim = d->limits;
	config_limits dl;
	config_limits_init(&dl);
	if (!lim.file_bytes)
		lim.file_bytes = dl.file_bytes;
	if (!lim.depth)
		lim.depth = dl.depth;
	if (!lim.nodes)
		lim.nodes = dl.nodes;
	if (len > lim.file_bytes) {
		snprintf(err, errlen, "%s:1:1: %zu bytes, more than %zu (config.limits.file_bytes)", name, len,
			 lim.file_bytes);
		return -1;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot initialise the YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	config_yaml_builder b = {.name = iname, .lim = &lim, .err = err, .errlen = errlen};
	int rc = 0;
	bool in_doc = false, done = false;
	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", name, parser.problem_mark.line + 1,
				 parser.problem_mark.column + 1, parser.problem ? parser.problem : "malformed YAML",
				 parser.context ? " " : "", parser.context ? parser.context : "");
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			in_doc = true;
			break;
		case YAML_DOCUMENT_END_EVENT:
			/* only the first document counts, as with yaml_parser_load */
			done = true;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			if (in_doc && config_yaml_event(&b, &ev) < 0)
				rc = -1;
			break;
		}
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
	}
	yaml_parser_delete(&parser);
	if (rc == 0) {
		*out = b.root;
		b.root = NULL;
	}
	config_yaml_builder_free(&b);
	return rc;
}

int config_yaml_parse_file(config_doc *d, const char *path, config_node **out, char *err, size_t errlen)
{
	*out = NULL;
	/* a file far too long is refused before it is read */
	struct stat st;
	size_t max = d->limits.file_bytes ? d->limits.file_bytes : CONFIG_LIMITS_FILE_BYTES;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		snprintf(err, errlen, "%s:1:1: %jd bytes, more than %zu (config.limits.file_bytes)", path,
			 (intmax_t)st.st_size, max);
		return -1;
	}
	char *buf;
	size_t len;
	int rc = file_read_all(path, &buf, &len);
	if (rc != FILE_READ_OK) {
		if (rc == FILE_READ_EOPEN)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		else
			snprintf(err, errlen, "%s: %s", path, rc == FILE_READ_ENOMEM ? "out of memory" : "read error");
		return -1;
	}
	rc = config_yaml_parse(d, path, buf, len, out, err, errlen);
	free(buf);
	return rc;
}

int config_merge(config_node *dst, config_node *src)
{
	for (size_t i = 0; i < src->count; i++) {
		config_node *v = src->pairs[i].value;
		config_node *old = config_map_get(dst, src->pairs[i].key);
		if (old && old->kind == CONFIG_MAP && v->kind == CONFIG_MAP) {
			src->pairs[i].value = NULL;
			if (config_merge(old, v) < 0)
				goto fail;
			continue;
		}
		src->pairs[i].value = NULL;
		if (config_map_set(dst, src->pairs[i].key, v) < 0)
			goto fail;
	}
	config_node_free(src);
	return 0;
fail:
	config_node_free(src);
	return -1;
}
