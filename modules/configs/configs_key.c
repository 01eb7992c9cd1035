#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "configs_guard.h"
#include "configs_key.h"

configs_reply *configs_reply_new(const configs_module *m)
{
	configs_reply *r = calloc(1, sizeof(*r));
	if (r)
		r->m = m;
	return r;
}

void configs_reply_release(const ProtobufCMessage *response, void *user)
{
	(void)user;
	configs_reply *r = (configs_reply *)(void *)response; /* u is the first member */
	if (!r)
		return;
	for (size_t i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	free(r->owned);
	if (r->snap)
		r->m->host->config_snapshot_free(r->snap);
	free(r);
}

void *configs_reply_alloc(configs_reply *r, size_t n, size_t size)
{
	if (r->nowned == r->capowned) {
		size_t cap = r->capowned ? r->capowned * 2 : 16;
		void **o = realloc(r->owned, cap * sizeof(*o));
		if (!o)
			return NULL;
		r->owned = o;
		r->capowned = cap;
	}
	void *p = calloc(n ? n : 1, size);
	if (p)
		r->owned[r->nowned++] = p;
	return p;
}

char *configs_reply_strdup(configs_reply *r, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = configs_reply_alloc(r, n, 1);
	if (p)
		memcpy(p, s, n);
	return p;
}

const char *configs_key_type_name(fapi_config_type t)
{
	switch (t) {
	case FAPI_CONFIG_BOOL:
		return "bool";
	case FAPI_CONFIG_INT:
		return "int";
	case FAPI_CONFIG_DOUBLE:
		return "double";
	case FAPI_CONFIG_STRING:
		return "string";
	case FAPI_CONFIG_ENUM:
		return "enum";
	case FAPI_CONFIG_STRINGS:
		return "list";
	case FAPI_CONFIG_DURATION:
		return "duration";
	case FAPI_CONFIG_TREE:
		return "map";
	case FAPI_CONFIG_LIST:
		return "list of maps";
	default: /* a type of a newer host: its values come as YAML text */
		return "yaml";
	}
}

Falco__Configs__ReloadClass configs_key_reload(fapi_config_reload r)
{
	return r == FAPI_CONFIG_HOT      ? FALCO__CONFIGS__RELOAD_CLASS__HOT
	       : r == FAPI_CONFIG_RELOAD ? FALCO__CONFIGS__RELOAD_CLASS__AT_RELOAD
					 : FALCO__CONFIGS__RELOAD_CLASS__AT_RESTART;
}

/* The scalar of YAML flow text without its quotes (escapes of double
 * quotes undone for \" and \\ only: what the host writes). */
static char *configs_value_unquote(configs_reply *r, const char *yaml)
{
	size_t n = strlen(yaml);
	if (n < 2 || !((yaml[0] == '"' && yaml[n - 1] == '"') || (yaml[0] == '\'' && yaml[n - 1] == '\'')))
		return configs_reply_strdup(r, yaml);
	char *out = configs_reply_alloc(r, n, 1);
	if (!out)
		return NULL;
	size_t j = 0;
	for (size_t i = 1; i + 1 < n; i++) {
		if (yaml[0] == '"' && yaml[i] == '\\' && i + 2 < n)
			i++;
		else if (yaml[0] == '\'' && yaml[i] == '\'' && i + 2 < n && yaml[i + 1] == '\'')
			i++;
		out[j++] = yaml[i];
	}
	out[j] = '\0';
	return out;
}

static bool configs_value_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "y"}, *const no[] = {"false", "no", "off", "n"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return (*out = true), true;
		if (strcasecmp(s, no[i]) == 0)
			return (*out = false), true;
	}
	return false;
}

Falco__Configs__Value *configs_value_new(configs_reply *r, fapi_config_type type, const char *yaml)
{
	if (!yaml)
		return NULL;
	Falco__Configs__Value *v = configs_reply_alloc(r, 1, sizeof(*v));
	if (!v)
		return NULL;
	falco__configs__value__init(v);
	if (!(v->yaml = configs_reply_strdup(r, yaml)))
		return NULL;
	char *end;
	bool b;
	errno = 0;
	switch (strcmp(yaml, "<redacted>") == 0 ? FAPI_CONFIG_STRING : type) {
	case FAPI_CONFIG_BOOL:
		if (configs_value_bool(yaml, &b)) {
			v->kind_case = FALCO__CONFIGS__VALUE__KIND_BOOL_VALUE;
			v->bool_value = b;
		}
		break;
	case FAPI_CONFIG_INT:
	case FAPI_CONFIG_DURATION: {
		long long i = strtoll(yaml, &end, 0);
		if (*yaml && !*end && !errno) {
			v->kind_case = FALCO__CONFIGS__VALUE__KIND_INT_VALUE;
			v->int_value = i;
		}
		break;
	}
	case FAPI_CONFIG_DOUBLE: {
		double d = strtod(yaml, &end);
		if (*yaml && !*end && !errno) {
			v->kind_case = FALCO__CONFIGS__VALUE__KIND_DOUBLE_VALUE;
			v->double_value = d;
		}
		break;
	}
	case FAPI_CONFIG_STRING:
	case FAPI_CONFIG_ENUM:
		if (!(v->string_value = configs_value_unquote(r, yaml)))
			return NULL;
		v->kind_case = FALCO__CONFIGS__VALUE__KIND_STRING_VALUE;
		break;
	default: /* lists and maps: YAML text only */
		break;
	}
	return v;
}

/* The entry's value as the host typed it. */
static Falco__Configs__Value *configs_value_entry(configs_reply *r, const fapi_config_entry *e, const char *shown)
{
	Falco__Configs__Value *v = configs_value_new(r, e->type, shown);
	if (!v || shown != e->value)
		return v;
	switch (e->type) {
	case FAPI_CONFIG_BOOL:
		v->kind_case = FALCO__CONFIGS__VALUE__KIND_BOOL_VALUE;
		v->bool_value = e->b;
		break;
	case FAPI_CONFIG_INT:
	case FAPI_CONFIG_DURATION:
		v->kind_case = FALCO__CONFIGS__VALUE__KIND_INT_VALUE;
		v->int_value = e->i;
		break;
	case FAPI_CONFIG_DOUBLE:
		v->kind_case = FALCO__CONFIGS__VALUE__KIND_DOUBLE_VALUE;
		v->double_value = e->d;
		break;
	case FAPI_CONFIG_STRING:
	case FAPI_CONFIG_ENUM:
		if (e->s) {
			v->kind_case = FALCO__CONFIGS__VALUE__KIND_STRING_VALUE;
			v->string_value = (char *)e->s;
		}
		break;
	default:
		break;
	}
	return v;
}

/* "default", "FILE:LINE", "-o", "api" as the message. */
static Falco__Configs__Origin *configs_key_origin(configs_reply *r, const char *origin)
{
	Falco__Configs__Origin *o = configs_reply_alloc(r, 1, sizeof(*o));
	if (!o)
		return NULL;
	falco__configs__origin__init(o);
	if (!origin || strcmp(origin, "default") == 0) {
		o->kind = FALCO__CONFIGS__ORIGIN_KIND__DEFAULT;
	} else if (strcmp(origin, "api") == 0) {
		o->kind = FALCO__CONFIGS__ORIGIN_KIND__API;
	} else if (strncmp(origin, "-o", 2) == 0) {
		o->kind = FALCO__CONFIGS__ORIGIN_KIND__OVERRIDE;
		o->file = (char *)origin;
	} else {
		o->kind = FALCO__CONFIGS__ORIGIN_KIND__FILE;
		const char *colon = strrchr(origin, ':');
		char *end;
		unsigned long line = colon ? strtoul(colon + 1, &end, 10) : 0;
		if (colon && colon[1] && !*end) {
			if (!(o->file = configs_reply_strdup(r, origin)))
				return NULL;
			o->file[colon - origin] = '\0';
			o->line = (uint32_t)line;
		} else {
			o->file = (char *)origin;
		}
	}
	return o;
}

Falco__Configs__Key *configs_key_new(configs_reply *r, const fapi_config_entry *e)
{
	Falco__Configs__Key *k = configs_reply_alloc(r, 1, sizeof(*k));
	if (!k)
		return NULL;
	falco__configs__key__init(k);
	k->name = (char *)e->path;
	k->type = (char *)configs_key_type_name(e->type);
	k->description = (char *)(e->description ? e->description : "");
	k->reload = configs_key_reload(e->reload);
	k->secret = configs_guard_secret(e->path, e->flags);
	const char *group = configs_guard_group(e->path, e->flags);
	k->guard = (char *)(group ? group : "");
	k->settable = configs_guard_allowed(r->m, e->path, group);
	const char *def = configs_guard_shown(e->path, e->flags, e->def);
	if (def && !(k->default_value = configs_value_new(r, e->type, def)))
		return NULL;
	const char *cur = e->present ? configs_guard_shown(e->path, e->flags, e->value) : NULL;
	if (cur && !(k->current = configs_value_entry(r, e, cur)))
		return NULL;
	/* A key without a value runs with its default (a module's key absent
	 * from its config: the module reads the default). */
	if (!e->present && k->default_value)
		k->current = k->default_value;
	if (!(k->origin = configs_key_origin(r, e->origin)))
		return NULL;
	k->pending_restart = e->pending_restart;
	if (e->pending_restart && e->present) {
		/* The stored value waits; the one in use is `running`: current
		 * says what the daemon uses now, pending what comes next. */
		k->pending = k->current;
		const char *run = configs_guard_shown(e->path, e->flags, e->running);
		k->current = run ? configs_value_new(r, e->type, run) : k->default_value;
		if (run && !k->current)
			return NULL;
	}
	if (e->type == FAPI_CONFIG_ENUM && e->values) {
		size_t n = 0;
		while (e->values[n])
			n++;
		if (!(k->allowed = configs_reply_alloc(r, n, sizeof(*k->allowed))))
			return NULL;
		for (size_t i = 0; i < n; i++)
			k->allowed[i] = (char *)e->values[i];
		k->n_allowed = n;
	}
	if (e->min < e->max && (e->type == FAPI_CONFIG_INT || e->type == FAPI_CONFIG_DURATION)) {
		k->has_range = true;
		k->min = (int64_t)e->min;
		k->max = (int64_t)e->max;
	}
	return k;
}

int configs_key_find(const configs_module *m, const fapi_config_snapshot *snap, const char *path,
		     fapi_config_entry *out)
{
	size_t n = m->host->config_snapshot_count(snap);
	for (size_t i = 0; i < n; i++) {
		memset(out, 0, sizeof(*out));
		out->size = sizeof(*out);
		if (m->host->config_snapshot_entry(snap, i, out) == FAPI_OK && strcmp(out->path, path) == 0)
			return FAPI_OK;
	}
	return FAPI_ENOTFOUND;
}
