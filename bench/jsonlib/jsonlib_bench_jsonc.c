/* The jsonc side of jsonlib_bench. */
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "jsonlib_bench.h"

static size_t jsonlib_bench_jsonc(char **lines, size_t n)
{
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *root = json_tokener_parse(lines[i]);
		for (size_t p = 0; p < jsonlib_bench_nptrs; p++) {
			json_object *v = NULL;
			found += json_pointer_get(root, jsonlib_bench_ptrs[p], &v) == 0;
		}
		json_object_put(root);
	}
	return found;
}

const struct jsonlib_bench_variant jsonlib_bench_variants[] = {{"json-c", jsonlib_bench_jsonc}};
const size_t jsonlib_bench_nvariants = 1;
