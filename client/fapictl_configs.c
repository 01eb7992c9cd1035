#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/output/json_escape.h"
#include "fapictl_configs.h"

static const char *fapictl_configs_reload(Falco__Configs__ReloadClass r)
{
	return r == FALCO__CONFIGS__RELOAD_CLASS__HOT ? "hot"
	       : r == FALCO__CONFIGS__RELOAD_CLASS__AT_RELOAD ? "at reload"
							       : "at restart";
}

static const char *fapictl_configs_origin_kind(const Falco__Configs__Origin *o)
{
	if (!o)
		return "default";
	switch (o->kind) {
	case FALCO__CONFIGS__ORIGIN_KIND__FILE:
		return "file";
	case FALCO__CONFIGS__ORIGIN_KIND__OVERRIDE:
		return "override";
	case FALCO__CONFIGS__ORIGIN_KIND__API:
		return "api";
	default:
		return "default";
	}
}

static void fapictl_configs_origin_text(const Falco__Configs__Origin *o)
{
	if (o && o->kind == FALCO__CONFIGS__ORIGIN_KIND__FILE && o->line)
		printf("%s:%u", o->file, o->line);
	else if (o && o->kind == FALCO__CONFIGS__ORIGIN_KIND__OVERRIDE)
		printf("-o");
	else
		printf("%s", fapictl_configs_origin_kind(o));
}

/* A value as JSON: its typed form when it has one, else its YAML text as
 * a string; null when absent. */
static void fapictl_configs_value_json(const Falco__Configs__Value *v)
{
	if (!v) {
		fputs("null", stdout);
		return;
	}
	switch (v->kind_case) {
	case FALCO__CONFIGS__VALUE__KIND_BOOL_VALUE:
		fputs(v->bool_value ? "true" : "false", stdout);
		break;
	case FALCO__CONFIGS__VALUE__KIND_INT_VALUE:
		printf("%lld", (long long)v->int_value);
		break;
	case FALCO__CONFIGS__VALUE__KIND_DOUBLE_VALUE:
		printf("%.17g", v->double_value);
		break;
	case FALCO__CONFIGS__VALUE__KIND_STRING_VALUE:
		json_escape_write(stdout, v->string_value);
		break;
	default:
		json_escape_write(stdout, v->yaml);
		break;
	}
}

static const char *fapictl_configs_yaml(const Falco__Configs__Value *v)
{
	return v ? v->yaml : "(none)";
}

void fapictl_configs_key_print(const Falco__Configs__Key *k, uint64_t revision, const char *target, int json)
{
	if (!json) {
		printf("%s = %s  (%s, %s, ", k->name, fapictl_configs_yaml(k->current), k->type,
		       fapictl_configs_reload(k->reload));
		fapictl_configs_origin_text(k->origin);
		putchar(')');
		if (k->pending_restart)
			printf("  pending restart: %s", fapictl_configs_yaml(k->pending));
		if (!k->settable)
			printf("  not settable (%s)", k->guard[0] ? k->guard : "guarded");
		putchar('\n');
		return;
	}
	fputs("{\"name\":", stdout);
	json_escape_write(stdout, k->name);
	fputs(",\"type\":", stdout);
	json_escape_write(stdout, k->type);
	fputs(",\"value\":", stdout);
	fapictl_configs_value_json(k->current);
	fputs(",\"yaml\":", stdout);
	if (k->current)
		json_escape_write(stdout, k->current->yaml);
	else
		fputs("null", stdout);
	fputs(",\"default\":", stdout);
	fapictl_configs_value_json(k->default_value);
	printf(",\"origin\":\"%s\"", fapictl_configs_origin_kind(k->origin));
	if (k->origin && k->origin->file[0]) {
		fputs(",\"file\":", stdout);
		json_escape_write(stdout, k->origin->file);
		printf(",\"line\":%u", k->origin->line);
	}
	printf(",\"reload\":\"%s\",\"pending_restart\":%s", fapictl_configs_reload(k->reload),
	       k->pending_restart ? "true" : "false");
	if (k->pending_restart) {
		fputs(",\"pending\":", stdout);
		fapictl_configs_value_json(k->pending);
	}
	printf(",\"settable\":%s,\"secret\":%s", k->settable ? "true" : "false", k->secret ? "true" : "false");
	if (k->guard[0]) {
		fputs(",\"guard\":", stdout);
		json_escape_write(stdout, k->guard);
	}
	if (k->n_allowed) {
		fputs(",\"allowed\":[", stdout);
		for (size_t i = 0; i < k->n_allowed; i++) {
			if (i)
				putchar(',');
			json_escape_write(stdout, k->allowed[i]);
		}
		putchar(']');
	}
	if (k->has_range)
		printf(",\"min\":%lld,\"max\":%lld", (long long)k->min, (long long)k->max);
	fputs(",\"description\":", stdout);
	json_escape_write(stdout, k->description);
	printf(",\"revision\":%llu", (unsigned long long)revision);
	if (target) {
		fputs(",\"target\":", stdout);
		json_escape_write(stdout, target);
	}
	puts("}");
}

void fapictl_configs_changes_print(Falco__Configs__Change *const *c, size_t n, uint64_t revision, int validated,
				   const char *target, int json)
{
	if (!json) {
		for (size_t i = 0; i < n; i++)
			printf("%s: %s -> %s  (%s)\n", c[i]->key, fapictl_configs_yaml(c[i]->old_value),
			       fapictl_configs_yaml(c[i]->new_value),
			       c[i]->pending_restart ? "pending restart" : fapictl_configs_reload(c[i]->reload));
		printf("%srevision %llu\n", validated ? "valid, nothing changed: " : "",
		       (unsigned long long)revision);
		return;
	}
	printf("{\"revision\":%llu,\"validated_only\":%s,\"changes\":[", (unsigned long long)revision,
	       validated ? "true" : "false");
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{\"key\":" : "{\"key\":", stdout);
		json_escape_write(stdout, c[i]->key);
		fputs(",\"old\":", stdout);
		fapictl_configs_value_json(c[i]->old_value);
		fputs(",\"new\":", stdout);
		fapictl_configs_value_json(c[i]->new_value);
		printf(",\"reload\":\"%s\",\"pending_restart\":%s}", fapictl_configs_reload(c[i]->reload),
		       c[i]->pending_restart ? "true" : "false");
	}
	putchar(']');
	if (target) {
		fputs(",\"target\":", stdout);
		json_escape_write(stdout, target);
	}
	puts("}");
}

int fapictl_configs_if_revision(const fapictl_args *a, uint64_t *out)
{
	*out = 0;
	const char *v = fapictl_args_get(a, "if-revision");
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long long r = strtoull(v, &end, 10);
	if (!*v || *end || errno || r == 0)
		return fapictl_usage_error(a->cmd, "--if-revision wants a revision number (1 or more), not '%s'", v);
	*out = r;
	return 0;
}
