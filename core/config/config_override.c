#include "config/config_override.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value is parsed as YAML so that lists and maps can be given; a value
 * that is not valid YAML on its own (e.g. "a: b: c") is kept as a string. */
static config_node *config_override_value(config_doc *d, const char *origin, const char *text, char *err,
					  size_t errlen)
{
	config_node *v = NULL;
	char perr[256];
	if (*text && config_yaml_parse(d, origin, text, strlen(text), &v, perr, sizeof(perr)) == 0 && v)
		return v;
	config_node_free(v);
	v = config_node_new(CONFIG_SCALAR, config_doc_intern(d, origin), 1, 1);
	if (!v || !(v->scalar = strdup(text))) {
		config_node_free(v);
		snprintf(err, errlen, "-o: out of memory");
		return NULL;
	}
	return v;
}

int config_override_apply(config_doc *d, const char *assignment, char *err, size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment) {
		snprintf(err, errlen, "-o '%s': expected key=value", assignment);
		return -1;
	}
	/* Every node this override makes names it as its origin, so that a
	 * message about one of them says "-o KEY=VALUE" (config_node_where). */
	char *origin = NULL;
	if (asprintf(&origin, "-o %s", assignment) < 0) {
		snprintf(err, errlen, "-o: out of memory");
		return -1;
	}
	const char *ofile = config_doc_intern(d, origin);
	free(origin);
	if (!ofile) {
		snprintf(err, errlen, "-o: out of memory");
		return -1;
	}
	char *key = strndup(assignment, (size_t)(eq - assignment));
	config_node *value = config_override_value(d, ofile, eq + 1, err, errlen);
	if (!key || !value) {
		free(key);
		config_node_free(value);
		if (!key)
			snprintf(err, errlen, "-o: out of memory");
		return -1;
	}
	/* Work on a copy of the root so a bad path leaves the document as it was. */
	config_node *root = config_node_clone(d->root);
	if (!root) {
		snprintf(err, errlen, "-o: out of memory");
		goto fail;
	}
	config_node *cur = root;
	char *p = key;
	while (*p) {
		size_t len = strcspn(p, ".[");
		if (len == 0) {
			snprintf(err, errlen, "-o '%s': empty key segment", assignment);
			goto fail;
		}
		char seg[256];
		snprintf(seg, sizeof(seg), "%.*s", (int)len, p);
		p += len;
		/* Gather the indexes that follow this segment. */
		if (cur->kind != CONFIG_MAP) {
			snprintf(err, errlen, "-o '%s': '%s' is below a value that is not a mapping", assignment, seg);
			goto fail;
		}
		bool last = !*p;
		if (last) {
			if (config_map_set(cur, seg, value) < 0) {
				value = NULL;
				snprintf(err, errlen, "-o: out of memory");
				goto fail;
			}
			value = NULL;
			break;
		}
		config_node *next = config_map_get(cur, seg);
		if (!next) {
			next = config_node_new(*p == '[' ? CONFIG_SEQ : CONFIG_MAP, ofile, 1, 1);
			if (!next || config_map_set(cur, seg, next) < 0) {
				snprintf(err, errlen, "-o: out of memory");
				goto fail;
			}
		}
		cur = next;
		while (*p == '[') {
			char *end = strchr(p, ']');
			if (!end) {
				snprintf(err, errlen, "-o '%s': missing ']'", assignment);
				goto fail;
			}
			if (cur->kind != CONFIG_SEQ) {
				snprintf(err, errlen, "-o '%s': '%s' is not a sequence", assignment, seg);
				goto fail;
			}
			bool append = end == p + 1;
			size_t idx = cur->count;
			if (!append) {
				char *iend;
				errno = 0;
				unsigned long v = strtoul(p + 1, &iend, 10);
				if (errno || iend != end || !isdigit((unsigned char)p[1])) {
					snprintf(err, errlen, "-o '%s': bad index '%.*s'", assignment, (int)(end - p - 1),
						 p + 1);
					goto fail;
				}
				idx = v;
				if (idx > cur->count) {
					snprintf(err, errlen, "-o '%s': index %zu is past the end of '%s' (%zu items)",
						 assignment, idx, seg, cur->count);
					goto fail;
				}
			}
			p = end + 1;
			bool final = !*p;
			if (final) {
				if (idx == cur->count) {
					if (config_seq_push(cur, value) < 0) {
						value = NULL;
						snprintf(err, errlen, "-o: out of memory");
						goto fail;
					}
				} else {
					config_node_free(cur->items[idx]);
					cur->items[idx] = value;
				}
				value = NULL;
				break;
			}
			if (idx == cur->count) {
				config_node *m = config_node_new(*p == '[' ? CONFIG_SEQ : CONFIG_MAP, ofile, 1, 1);
				if (!m || config_seq_push(cur, m) < 0) {
					snprintf(err, errlen, "-o: out of memory");
					goto fail;
				}
			}
			cur = cur->items[idx];
		}
		if (!value)
			break;
		if (*p == '.')
			p++;
		else if (*p) {
			snprintf(err, errlen, "-o '%s': unexpected '%c'", assignment, *p);
			goto fail;
		}
	}
	if (value) {
		snprintf(err, errlen, "-o '%s': key ends with '.'", assignment);
		goto fail;
	}
	config_node_free(d->root);
	d->root = root;
	free(key);
	return 0;
fail:
	config_node_free(root);
	config_node_free(value);
	free(key);
	return -1;
}
