#include "config/config_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "engine/util/file_read.h"

int config_doc_init(config_doc *d)
{
	memset(d, 0, sizeof(*d));
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

/* libyaml's document API resolves aliases to node indexes; converting
 * recursively with a depth limit keeps alias bombs from exhausting memory. */
static config_node *config_yaml_convert(yaml_document_t *doc, yaml_node_t *yn, const char *name, int depth,
					char *err, size_t errlen)
{
	if (depth > 64) {
		snprintf(err, errlen, "%s:%zu:%zu: nesting deeper than 64 levels", name, yn->start_mark.line + 1,
			 yn->start_mark.column + 1);
		return NULL;
	}
	config_kind kind = yn->type == YAML_MAPPING_NODE ? CONFIG_MAP
			   : yn->type == YAML_SEQUENCE_NODE ? CONFIG_SEQ
							    : CONFIG_SCALAR;
	config_node *n = config_node_new(kind, name, (int)yn->start_mark.line + 1, (int)yn->start_mark.column + 1);
	if (!n)
		goto nomem;
	if (kind == CONFIG_SCALAR) {
		n->scalar = strndup((const char *)yn->data.scalar.value, yn->data.scalar.length);
		if (!n->scalar)
			goto nomem;
		n->quoted = yn->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			    yn->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
			    yn->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
			    yn->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
	} else if (kind == CONFIG_SEQ) {
		for (yaml_node_item_t *it = yn->data.sequence.items.start; it < yn->data.sequence.items.top; it++) {
			config_node *c = config_yaml_convert(doc, yaml_document_get_node(doc, *it), name, depth + 1,
							     err, errlen);
			if (!c)
				goto fail;
			if (config_seq_push(n, c) < 0)
				goto nomem;
		}
	} else {
		for (yaml_node_pair_t *p = yn->data.mapping.pairs.start; p < yn->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			if (k->type != YAML_SCALAR_NODE) {
				snprintf(err, errlen, "%s:%zu:%zu: mapping keys must be plain strings", name,
					 k->start_mark.line + 1, k->start_mark.column + 1);
				goto fail;
			}
			char key[256];
			snprintf(key, sizeof(key), "%.*s", (int)k->data.scalar.length, k->data.scalar.value);
			if (config_map_get(n, key)) {
				snprintf(err, errlen, "%s:%zu:%zu: duplicate key '%s'", name, k->start_mark.line + 1,
					 k->start_mark.column + 1, key);
				goto fail;
			}
			config_node *v = config_yaml_convert(doc, yaml_document_get_node(doc, p->value), name,
							     depth + 1, err, errlen);
			if (!v)
				goto fail;
			if (config_map_set(n, key, v) < 0)
				goto nomem;
		}
	}
	return n;
nomem:
	snprintf(err, errlen, "%s: out of memory", name);
fail:
	config_node_free(n);
	return NULL;
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
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot initialise the YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	int rc = 0;
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", name, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "malformed YAML",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root) {
		*out = config_yaml_convert(&doc, root, iname, 0, err, errlen);
		rc = *out ? 0 : -1;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int config_yaml_parse_file(config_doc *d, const char *path, config_node **out, char *err, size_t errlen)
{
	*out = NULL;
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
