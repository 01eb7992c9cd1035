#include "config/config_tree.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/util/hashmap.h"

/* Maps up to this many keys are scanned; larger ones get an index. */
#define CONFIG_TREE_INDEX_AFTER 8

config_node *config_node_new(config_kind kind, const char *file, int line, int column)
{
	config_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	n->file = file;
	n->line = line;
	n->column = column;
	return n;
}

void config_node_free(config_node *n)
{
	if (!n)
		return;
	free(n->scalar);
	for (size_t i = 0; n->kind == CONFIG_MAP && i < n->count; i++) {
		free(n->pairs[i].key);
		config_node_free(n->pairs[i].value);
	}
	for (size_t i = 0; n->kind == CONFIG_SEQ && i < n->count; i++)
		config_node_free(n->items[i]);
	free(n->pairs);
	free(n->items);
	if (n->index) {
		hashmap_free(n->index);
		free(n->index);
	}
	free(n);
}

config_node *config_node_clone(const config_node *n)
{
	config_node *c = config_node_new(n->kind, n->file, n->line, n->column);
	if (!c)
		return NULL;
	c->quoted = n->quoted;
	if (n->scalar && !(c->scalar = strdup(n->scalar)))
		goto fail;
	for (size_t i = 0; i < n->count; i++) {
		config_node *v = config_node_clone(n->kind == CONFIG_MAP ? n->pairs[i].value : n->items[i]);
		if (!v)
			goto fail;
		if ((n->kind == CONFIG_MAP ? config_map_set(c, n->pairs[i].key, v) : config_seq_push(c, v)) < 0)
			goto fail;
	}
	return c;
fail:
	config_node_free(c);
	return NULL;
}

static int config_grow(config_node *n)
{
	if (n->count < n->cap)
		return 0;
	size_t cap = n->cap ? n->cap * 2 : 4;
	if (n->kind == CONFIG_MAP) {
		config_pair *p = realloc(n->pairs, cap * sizeof(*p));
		if (!p)
			return -1;
		n->pairs = p;
	} else {
		config_node **it = realloc(n->items, cap * sizeof(*it));
		if (!it)
			return -1;
		n->items = it;
	}
	n->cap = cap;
	return 0;
}

/* The position of the key of len bytes in map, or SIZE_MAX. */
static size_t config_map_find(const config_node *map, const char *key, size_t len)
{
	if (map->index) {
		void *v;
		return hashmap_find(map->index, key, len, &v) ? (size_t)(uintptr_t)v - 1 : SIZE_MAX;
	}
	for (size_t i = 0; i < map->count; i++)
		if (strncmp(map->pairs[i].key, key, len) == 0 && map->pairs[i].key[len] == '\0')
			return i;
	return SIZE_MAX;
}

/* Records pair i in the index, building the index when the map outgrows
 * scanning. Keys are borrowed from the pairs (they live as long as the
 * map). 0, or -1 on ENOMEM (the index is then dropped: lookups scan). */
static int config_map_index(config_node *map, size_t i)
{
	if (!map->index && map->count <= CONFIG_TREE_INDEX_AFTER)
		return 0;
	if (!map->index) {
		if (!(map->index = calloc(1, sizeof(*map->index))))
			return -1;
		i = 0;
	}
	for (; i < map->count; i++) {
		if (hashmap_put(map->index, map->pairs[i].key, strlen(map->pairs[i].key), (void *)(uintptr_t)(i + 1)) <
		    0) {
			hashmap_free(map->index);
			free(map->index);
			map->index = NULL;
			return -1;
		}
	}
	return 0;
}

config_node *config_map_getn(const config_node *map, const char *key, size_t len)
{
	if (!map || map->kind != CONFIG_MAP)
		return NULL;
	size_t i = config_map_find(map, key, len);
	return i == SIZE_MAX ? NULL : map->pairs[i].value;
}

config_node *config_map_get(const config_node *map, const char *key)
{
	return config_map_getn(map, key, strlen(key));
}

int config_map_set(config_node *map, const char *key, config_node *value)
{
	size_t i = config_map_find(map, key, strlen(key));
	if (i != SIZE_MAX) {
		config_node_free(map->pairs[i].value);
		map->pairs[i].value = value;
		return 0;
	}
	char *k = strdup(key);
	if (!k || config_grow(map) < 0) {
		free(k);
		config_node_free(value);
		return -1;
	}
	map->pairs[map->count].key = k;
	map->pairs[map->count].value = value;
	map->count++;
	if (config_map_index(map, map->count - 1) < 0) {
		/* the pair stays (lookups scan), but say so: a map this big
		 * would otherwise become quadratic silently */
		return -1;
	}
	return 0;
}

int config_seq_push(config_node *seq, config_node *item)
{
	if (config_grow(seq) < 0) {
		config_node_free(item);
		return -1;
	}
	seq->items[seq->count++] = item;
	return 0;
}

const config_node *config_lookup(const config_node *n, const char *path)
{
	const char *p = path;
	while (n && *p) {
		if (*p == '.') {
			p++;
			continue;
		}
		if (*p == '[') {
			char *end;
			errno = 0;
			unsigned long idx = strtoul(p + 1, &end, 10);
			if (errno || end == p + 1 || *end != ']' || n->kind != CONFIG_SEQ || idx >= n->count)
				return NULL;
			n = n->items[idx];
			p = end + 1;
			continue;
		}
		size_t len = strcspn(p, ".[");
		n = config_map_getn(n, p, len);
		p += len;
	}
	return n;
}

const char *config_node_where(const config_node *n, char *buf, size_t len)
{
	/* A value from the command line is named by its "-o KEY=VALUE", one
	 * set through the API by "api": a line and column would only point
	 * into that one value. */
	if (n->file && (strncmp(n->file, "-o ", 3) == 0 || strcmp(n->file, "api") == 0))
		snprintf(buf, len, "%s", n->file);
	else
		snprintf(buf, len, "%s:%d:%d", n->file ? n->file : "?", n->line, n->column);
	return buf;
}

int config_scalar_bool(const char *s, bool *out)
{
	static const char *yes[] = {"true", "yes", "on", "y"};
	static const char *no[] = {"false", "no", "off", "n"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int config_scalar_int(const char *s, int64_t *out)
{
	if (!*s)
		return -1;
	int base = 10;
	const char *digits = s;
	bool neg = false;
	if (*digits == '-' || *digits == '+') {
		neg = *digits == '-';
		digits++;
	}
	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
		base = 16;
		digits += 2;
	} else if (digits[0] == '0' && digits[1] == 'o') {
		base = 8;
		digits += 2;
	} else if (digits[0] == '0' && digits[1]) {
		base = 8; /* YAML 1.1: a leading zero means octal, as in mode: 0660 */
		digits += 1;
	}
	if (!*digits || !isalnum((unsigned char)*digits))
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(digits, &end, base);
	if (errno || *end)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

static const config_node *config_get_scalar(const config_node *root, const char *path, const char *want,
					    char *err, size_t errlen, int *rc)
{
	const config_node *n = config_lookup(root, path);
	*rc = 0;
	if (!n || (n->kind == CONFIG_SCALAR && !n->quoted && (strcmp(n->scalar, "~") == 0 ||
							      strcmp(n->scalar, "null") == 0 || !*n->scalar))) {
		*rc = 1;
		return NULL;
	}
	if (n->kind != CONFIG_SCALAR) {
		char where[300];
		snprintf(err, errlen, "%s: key '%s' must be %s, not a %s", config_node_where(n, where, sizeof(where)),
			 path, want, n->kind == CONFIG_MAP ? "mapping" : "sequence");
		*rc = -1;
		return NULL;
	}
	return n;
}

int config_get_string(const config_node *root, const char *path, const char *def, const char **out, char *err,
		      size_t errlen)
{
	int rc;
	const config_node *n = config_get_scalar(root, path, "a string", err, errlen, &rc);
	*out = n ? n->scalar : def;
	return rc;
}

int config_get_int(const config_node *root, const char *path, int64_t def, int64_t *out, char *err, size_t errlen)
{
	int rc;
	const config_node *n = config_get_scalar(root, path, "an integer", err, errlen, &rc);
	*out = def;
	if (!n)
		return rc;
	/* Quoted numbers are accepted, as Falco's YAML reader does. */
	if (config_scalar_int(n->scalar, out) < 0) {
		char where[300];
		snprintf(err, errlen, "%s: key '%s' must be an integer, got '%s'",
			 config_node_where(n, where, sizeof(where)), path, n->scalar);
		*out = def;
		return -1;
	}
	return 0;
}

int config_get_bool(const config_node *root, const char *path, bool def, bool *out, char *err, size_t errlen)
{
	int rc;
	const config_node *n = config_get_scalar(root, path, "a boolean", err, errlen, &rc);
	*out = def;
	if (!n)
		return rc;
	if (config_scalar_bool(n->scalar, out) < 0) {
		char where[300];
		snprintf(err, errlen, "%s: key '%s' must be true or false, got '%s'",
			 config_node_where(n, where, sizeof(where)), path, n->scalar);
		*out = def;
		return -1;
	}
	return 0;
}
