/* The cjson side of jsonlib_bench. */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonlib_bench.h"

static cJSON *jsonlib_bench_cjson_get(cJSON *j, const char *ptr)
{
	char tok[256];
	while (j && *ptr == '/') {
		ptr = jsonlib_bench_token(ptr, tok, sizeof tok);
		if (cJSON_IsObject(j))
			j = cJSON_GetObjectItemCaseSensitive(j, tok);
		else if (cJSON_IsArray(j))
			j = cJSON_GetArrayItem(j, atoi(tok));
		else
			j = NULL;
	}
	return j;
}

static size_t jsonlib_bench_cjson(char **lines, size_t n)
{
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		cJSON *root = cJSON_Parse(lines[i]);
		for (size_t p = 0; p < jsonlib_bench_nptrs; p++)
			found += jsonlib_bench_cjson_get(root, jsonlib_bench_ptrs[p]) != NULL;
		cJSON_Delete(root);
	}
	return found;
}

/* The same with every node taken from a per-event arena that is reset, not
 * freed node by node: cJSON allocates each node and string on its own. */
static char *jsonlib_bench_arena;
static size_t jsonlib_bench_arena_used, jsonlib_bench_arena_cap;

static void *jsonlib_bench_arena_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (jsonlib_bench_arena_used + n > jsonlib_bench_arena_cap)
		return malloc(n); /* not reached with the arena's size; leaks by design of the bench */
	void *p = jsonlib_bench_arena + jsonlib_bench_arena_used;
	jsonlib_bench_arena_used += n;
	return p;
}

static void jsonlib_bench_arena_free(void *p)
{
	(void)p;
}

static size_t jsonlib_bench_cjson_arena(char **lines, size_t n)
{
	size_t found = 0;
	jsonlib_bench_arena_cap = 1 << 20;
	jsonlib_bench_arena = malloc(jsonlib_bench_arena_cap);
	cJSON_Hooks hooks = {jsonlib_bench_arena_alloc, jsonlib_bench_arena_free};
	cJSON_InitHooks(&hooks);
	for (size_t i = 0; i < n; i++) {
		jsonlib_bench_arena_used = 0;
		cJSON *root = cJSON_Parse(lines[i]);
		for (size_t p = 0; p < jsonlib_bench_nptrs; p++)
			found += jsonlib_bench_cjson_get(root, jsonlib_bench_ptrs[p]) != NULL;
	}
	cJSON_InitHooks(NULL);
	free(jsonlib_bench_arena);
	return found;
}

const struct jsonlib_bench_variant jsonlib_bench_variants[] = {
	{"cjson", jsonlib_bench_cjson},
	{"cjson-arena", jsonlib_bench_cjson_arena},
};
const size_t jsonlib_bench_nvariants = 2;
