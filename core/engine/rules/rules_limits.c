#include "engine/rules/rules_limits.h"

void rules_limits_init(rules_limits *l)
{
	*l = (rules_limits){
		.file_bytes = RULES_LIMITS_FILE_BYTES,
		.yaml_depth = RULES_LIMITS_YAML_DEPTH,
		.yaml_nodes = RULES_LIMITS_YAML_NODES,
		.appends = RULES_LIMITS_APPENDS,
		.condition_bytes = RULES_LIMITS_CONDITION_BYTES,
		.list_items = RULES_LIMITS_LIST_ITEMS,
		.condition_nodes = RULES_LIMITS_CONDITION_NODES,
		.errors = RULES_LIMITS_ERRORS,
	};
}

void rules_limits_resolve(const rules_limits *in, rules_limits *out)
{
	rules_limits d;
	rules_limits_init(&d);
	*out = in ? *in : d;
	if (!out->file_bytes)
		out->file_bytes = d.file_bytes;
	if (!out->yaml_depth)
		out->yaml_depth = d.yaml_depth;
	if (!out->yaml_nodes)
		out->yaml_nodes = d.yaml_nodes;
	if (!out->appends)
		out->appends = d.appends;
	if (!out->condition_bytes)
		out->condition_bytes = d.condition_bytes;
	if (!out->list_items)
		out->list_items = d.list_items;
	if (!out->condition_nodes)
		out->condition_nodes = d.condition_nodes;
	if (!out->errors)
		out->errors = d.errors;
}
