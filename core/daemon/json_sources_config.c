#include "daemon/json_sources_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *json_sources_config_scalar(const config_node *map, const char *key)
{
	const config_node *v = config_map_get(map, key);
	return v && v->kind == CONFIG_SCALAR ? v->scalar : NULL;
}

int json_sources_config_read(const daemon_config *cfg, json_sources_config *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	const config_node *srcs = NULL;
	for (size_t i = 0; i < cfg->nmodules; i++)
		if (!strcmp(cfg->modules[i].name, "inputs") && cfg->modules[i].config)
			srcs = config_map_get(cfg->modules[i].config, "sources");
	if (!srcs)
		return 0;
	char where[256];
	if (srcs->kind != CONFIG_SEQ) {
		snprintf(err, errlen, "%s: inputs: sources must be a list of {name, time_pointer, fields}",
			 config_node_where(srcs, where, sizeof(where)));
		return -1;
	}
	size_t nf = 0;
	for (size_t i = 0; i < srcs->count; i++) {
		const config_node *f = srcs->items[i]->kind == CONFIG_MAP ? config_map_get(srcs->items[i], "fields") : NULL;
		nf += f && f->kind == CONFIG_SEQ ? f->count : 0;
	}
	out->defs = calloc(srcs->count ? srcs->count : 1, sizeof(*out->defs));
	out->fields = calloc(nf ? nf : 1, sizeof(*out->fields));
	if (!out->defs || !out->fields) {
		json_sources_config_free(out);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t k = 0;
	for (size_t i = 0; i < srcs->count; i++) {
		const config_node *s = srcs->items[i];
		const config_node *fl = s->kind == CONFIG_MAP ? config_map_get(s, "fields") : NULL;
		if (s->kind != CONFIG_MAP || (fl && fl->kind != CONFIG_SEQ)) {
			snprintf(err, errlen, "%s: inputs: a source is {name, time_pointer, fields: [...]}",
				 config_node_where(s, where, sizeof(where)));
			goto fail;
		}
		json_source_def *d = &out->defs[out->n++];
		d->name = json_sources_config_scalar(s, "name");
		d->time_pointer = json_sources_config_scalar(s, "time_pointer");
		d->fields = &out->fields[k];
		for (size_t j = 0; fl && j < fl->count; j++) {
			const config_node *f = fl->items[j];
			if (f->kind != CONFIG_MAP) {
				snprintf(err, errlen, "%s: inputs: a field is {name, pointer, type, description}",
					 config_node_where(f, where, sizeof(where)));
				goto fail;
			}
			const char *desc = json_sources_config_scalar(f, "description");
			out->fields[k++] = (json_source_field){.name = json_sources_config_scalar(f, "name"),
							       .ptr = json_sources_config_scalar(f, "pointer"),
							       .type = json_sources_config_scalar(f, "type"),
							       .desc = desc ? desc : ""};
			d->nfields++;
		}
		char msg[512];
		if (json_source_check(d, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s: inputs: %s", config_node_where(s, where, sizeof(where)), msg);
			goto fail;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(out->defs[j].name, d->name)) {
				snprintf(err, errlen, "%s: inputs: source \"%s\" is declared twice",
					 config_node_where(s, where, sizeof(where)), d->name);
				goto fail;
			}
	}
	return 0;
fail:
	json_sources_config_free(out);
	return -1;
}

void json_sources_config_free(json_sources_config *c)
{
	free(c->defs);
	free(c->fields);
	memset(c, 0, sizeof(*c));
}
