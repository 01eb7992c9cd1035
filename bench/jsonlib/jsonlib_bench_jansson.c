/* The jansson side of jsonlib_bench. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonlib_bench.h"

static json_t *jsonlib_bench_jansson_get(json_t *j, const char *ptr)
{
	char tok[256];
	while (j && *ptr == '/') {
		ptr = jsonlib_bench_token(ptr, tok, sizeof tok);
		if (json_is_object(j))
			j = json_object_get(j, tok);
		else if (json_is_array(j))
			j = json_array_get(j, strtoul(tok, NULL, 10));
		else
			j = NULL;
	}
	return j;
}

static size_t jsonlib_bench_jansson(char **lines, size_t n)
{
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *root = json_loads(lines[i], JSON_DECODE_ANY, NULL);
		for (size_t p = 0; p < jsonlib_bench_nptrs; p++)
			found += jsonlib_bench_jansson_get(root, jsonlib_bench_ptrs[p]) != NULL;
		json_decref(root);
	}
	return found;
}

const struct jsonlib_bench_variant jsonlib_bench_variants[] = {{"jansson", jsonlib_bench_jansson}};
const size_t jsonlib_bench_nvariants = 1;
