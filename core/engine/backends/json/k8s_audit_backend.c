#include "engine/backends/json/k8s_audit_backend.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/backends/json/json_format.h"
#include "engine/backends/json/k8s_audit_reader.h"

/* One field (with its argument) and its values for the last event it was
 * extracted from: the checks of a field share it, so that "ka.verb = x",
 * "ka.verb in (...)" and the rest extract ka.verb once per event. */
typedef struct k8s_audit_slot {
	struct k8s_audit_slot *next;
	char *key; /* "name\x1farg" */
	k8s_field field;
	json_vals vals;
	size_t first, n; /* Falco's first list: vals.items[first .. first+n) */
	uint64_t id;     /* json_evt.id the values belong to (0: none) */
	unsigned refs;
} k8s_audit_slot;

/* A declared source (json_source.h): its copied definition as the class
 * beside jevt, and its time pointer. */
typedef struct k8s_audit_declared {
	char *source;
	k8s_field_class cls;
	k8s_field_info *fields; /* names and descriptions owned below */
	char **ptrs;
	const char **types;     /* static (json_source_list_type) */
	char **strs;            /* every copied string */
	size_t nstrs;
	json_pointer time_ptr;
	bool has_time;
} k8s_audit_declared;

typedef struct k8s_audit_ctx {
	const backend *self;
	k8s_audit_declared *decl; /* NULL: k8s_audit */
	k8s_audit_reader *reader;
	backend_event evt; /* the event next_event lends */
	pthread_mutex_t lock; /* slots: checks may be compiled off the engine thread */
	k8s_audit_slot *slots;
} k8s_audit_ctx;

struct backend_check {
	k8s_audit_ctx *ctx;
	k8s_audit_slot *slot;
	enum condition_op op;
	json_vals rhs; /* the rule's values, and their set */
};

struct backend_format {
	json_format *f;
};

/* Class i of the source: jevt, then ka or the declared class. */
static const k8s_field_class *k8s_audit_backend_class(const k8s_audit_ctx *ctx, size_t i)
{
	return ctx->decl && i == 1 ? &ctx->decl->cls : k8s_audit_fields_class(i);
}

/* The class beside jevt that fields resolve in (NULL: ka). */
static const k8s_field_class *k8s_audit_backend_own(const k8s_audit_ctx *ctx)
{
	return ctx->decl ? &ctx->decl->cls : NULL;
}

static size_t k8s_audit_backend_fieldclass_count(void *ctx)
{
	(void)ctx;
	return k8s_audit_fields_class_count();
}

static int k8s_audit_backend_fieldclass_get(void *ctx, size_t i, backend_fieldclass *out)
{
	const k8s_field_class *c = k8s_audit_backend_class(ctx, i);
	if (!c)
		return BACKEND_EINVAL;
	out->name = c->name;
	out->desc = c->desc;
	out->shortdesc = "";
	out->nfields = c->nfields;
	return BACKEND_OK;
}

static int k8s_audit_backend_field_get(void *ctx, size_t i, size_t j, backend_field *out)
{
	const k8s_field_class *c = k8s_audit_backend_class(ctx, i);
	if (!c || j >= c->nfields)
		return BACKEND_EINVAL;
	const k8s_field_info *f = &c->fields[j];
	out->name = f->name;
	/* Falco lists every JSON field as text; a declared field as declared. */
	out->type = c->types ? c->types[j] : "CHARBUF";
	out->desc = f->desc;
	out->flags = f->arg == K8S_ARG_REQUIRED  ? BACKEND_FIELD_ARG_REQUIRED
		     : f->arg == K8S_ARG_ALLOWED ? BACKEND_FIELD_ARG_ALLOWED
						 : 0;
	return BACKEND_OK;
}

static void k8s_audit_backend_slot_release(k8s_audit_ctx *ctx, k8s_audit_slot *slot)
{
	pthread_mutex_lock(&ctx->lock);
	if (--slot->refs == 0) {
		for (k8s_audit_slot **p = &ctx->slots; *p; p = &(*p)->next)
			if (*p == slot) {
				*p = slot->next;
				break;
			}
	} else {
		slot = NULL;
	}
	pthread_mutex_unlock(&ctx->lock);
	if (slot) {
		k8s_audit_fields_free(&slot->field);
		json_value_list_free(&slot->vals);
		free(slot->key);
		free(slot);
	}
}

/* The slot of field[arg], made (resolving the field, with Falco's errors)
 * when none exists. Returns 0, 1 (unknown field) or -1 with err. */
static int k8s_audit_backend_slot_get(k8s_audit_ctx *ctx, const char *field, const char *arg, k8s_audit_slot **out,
				      char *err, size_t errlen)
{
	size_t fl = strlen(field), al = arg ? strlen(arg) : 0;
	char *key = malloc(fl + al + 2);
	if (!key) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(key, field, fl);
	key[fl] = 0x1f;
	memcpy(key + fl + 1, arg ? arg : "", al + 1);
	pthread_mutex_lock(&ctx->lock);
	for (k8s_audit_slot *s = ctx->slots; s; s = s->next)
		if (!strcmp(s->key, key)) {
			s->refs++;
			pthread_mutex_unlock(&ctx->lock);
			free(key);
			*out = s;
			return 0;
		}
	pthread_mutex_unlock(&ctx->lock);
	k8s_audit_slot *s = calloc(1, sizeof(*s));
	if (!s) {
		free(key);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = k8s_audit_fields_resolve(&s->field, k8s_audit_backend_own(ctx), field, arg, err, errlen);
	if (rc != 0) {
		free(key);
		free(s);
		return rc;
	}
	s->key = key;
	s->refs = 1;
	pthread_mutex_lock(&ctx->lock);
	s->next = ctx->slots;
	ctx->slots = s;
	pthread_mutex_unlock(&ctx->lock);
	*out = s;
	return 0;
}

static void k8s_audit_backend_check_free(backend_check *chk)
{
	if (!chk)
		return;
	if (chk->slot)
		k8s_audit_backend_slot_release(chk->ctx, chk->slot);
	json_value_list_free(&chk->rhs);
	free(chk);
}

/* A declared field's rule values must be of its declared type, so that
 * "myapp.count = ten" fails when the rules load, not silently per event. */
static int k8s_audit_backend_check_type(const k8s_audit_ctx *ctx, const backend_leaf *leaf, char *err, size_t errlen)
{
	const k8s_field_class *c = ctx->decl ? &ctx->decl->cls : NULL;
	for (size_t i = 0; c && i < c->nfields; i++) {
		if (strcmp(c->fields[i].name, leaf->field))
			continue;
		const char *t = c->types[i];
		for (size_t k = 0; k < leaf->nvalues; k++) {
			const char *v = leaf->values[k];
			bool ok = true;
			if (!strcmp(t, "UINT64"))
				ok = *v && strspn(v, "0123456789") == strlen(v);
			else if (!strcmp(t, "INT64"))
				ok = *v && strspn(v + (*v == '-'), "0123456789") == strlen(v + (*v == '-')) && v[*v == '-'];
			else if (!strcmp(t, "BOOL"))
				ok = !strcmp(v, "true") || !strcmp(v, "false");
			if (!ok) {
				snprintf(err, errlen, "%s: value \"%s\" is not of the field's type %s", leaf->field, v, t);
				return BACKEND_EBAD_VALUE;
			}
		}
	}
	return BACKEND_OK;
}

static int k8s_audit_backend_check_compile(void *vctx, const backend_leaf *leaf, backend_check **out, char *err,
					   size_t errlen)
{
	k8s_audit_ctx *ctx = vctx;
	*out = NULL;
	switch (leaf->op) {
	case CONDITION_OP_ICONTAINS:
	case CONDITION_OP_BCONTAINS:
	case CONDITION_OP_BSTARTSWITH:
	case CONDITION_OP_ENDSWITH:
	case CONDITION_OP_GLOB:
		snprintf(err, errlen, "operator %s is not supported on %s field %s", condition_op_to_string(leaf->op),
			 ctx->self->source, leaf->field);
		return BACKEND_EBAD_OPERATOR;
	default:
		break;
	}
	int trc = k8s_audit_backend_check_type(ctx, leaf, err, errlen);
	if (trc != BACKEND_OK)
		return trc;
	backend_check *chk = calloc(1, sizeof(*chk));
	if (!chk) {
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	chk->ctx = ctx;
	int rc = k8s_audit_backend_slot_get(ctx, leaf->field, leaf->arg, &chk->slot, err, errlen);
	if (rc != 0) {
		free(chk);
		if (rc > 0) {
			snprintf(err, errlen, "filter_check called with nonexistent field %s", leaf->field);
			return BACKEND_EUNKNOWN_FIELD;
		}
		return BACKEND_ERROR;
	}
	chk->op = leaf->op;
	for (size_t i = 0; i < leaf->nvalues; i++)
		json_value_list_add_copy(&chk->rhs, leaf->values[i]);
	json_value_list_build_set(&chk->rhs);
	if (chk->rhs.failed) {
		k8s_audit_backend_check_free(chk);
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	*out = chk;
	return BACKEND_OK;
}

static const json_val *k8s_audit_backend_set_at(const json_vals *l, size_t i)
{
	return &l->items[l->set[i]];
}

/* std::set operator==: same size, equal element by element. */
static bool k8s_audit_backend_sets_equal(const json_vals *a, const json_vals *b)
{
	if (a->nset != b->nset)
		return false;
	for (size_t i = 0; i < a->nset; i++)
		if (!json_value_eq(k8s_audit_backend_set_at(a, i), k8s_audit_backend_set_at(b, i)))
			return false;
	return true;
}

/* std::set_intersection is not empty. */
static bool k8s_audit_backend_sets_intersect(const json_vals *a, const json_vals *b)
{
	size_t i = 0, j = 0;
	while (i < a->nset && j < b->nset) {
		const json_val *x = k8s_audit_backend_set_at(a, i), *y = k8s_audit_backend_set_at(b, j);
		if (json_value_lt(x, y))
			i++;
		else if (json_value_lt(y, x))
			j++;
		else
			return true;
	}
	return false;
}

static bool k8s_audit_backend_check_eval(backend_check *chk, const backend_event *evt)
{
	const json_evt *je = evt->payload;
	k8s_audit_slot *slot = chk->slot;
	json_vals *v = &slot->vals;
	if (!je->id || slot->id != je->id) {
		k8s_audit_fields_extract(&slot->field, je, v, &slot->first, &slot->n);
		slot->id = je->id;
	}
	size_t first = slot->first, n = slot->n;
	const json_vals *rhs = &chk->rhs;
	char a[48], b[48];
	switch (chk->op) {
	case CONDITION_OP_EQ:
		return k8s_audit_backend_sets_equal(v, rhs);
	case CONDITION_OP_NE:
		return !k8s_audit_backend_sets_equal(v, rhs);
	case CONDITION_OP_STARTSWITH:
	case CONDITION_OP_CONTAINS: {
		if (n != 1 || rhs->nset != 1)
			return false;
		const json_val *x = &v->items[first], *y = k8s_audit_backend_set_at(rhs, 0);
		const char *xs = x->type == JSON_VAL_STRING ? x->s : json_value_text(x, a, sizeof(a));
		const char *ys = y->type == JSON_VAL_STRING ? y->s : json_value_text(y, b, sizeof(b));
		return condition_op_compare_string(chk->op, xs, ys);
	}
	case CONDITION_OP_IN:
		for (size_t i = 0; i < v->nset; i++)
			if (!json_value_list_set_has(rhs, k8s_audit_backend_set_at(v, i)))
				return false;
		return true;
	case CONDITION_OP_INTERSECTS:
		return k8s_audit_backend_sets_intersect(v, rhs);
	case CONDITION_OP_PMATCH:
		for (size_t i = 0; i < v->nset; i++) {
			const json_val *x = k8s_audit_backend_set_at(v, i);
			if (x->type != JSON_VAL_STRING || strcmp(x->s, K8S_NO_VALUE))
				return false;
		}
		return true;
	case CONDITION_OP_LT:
	case CONDITION_OP_LE:
	case CONDITION_OP_GT:
	case CONDITION_OP_GE: {
		if (n != 1 || rhs->nset != 1)
			return false;
		const json_val *x = &v->items[first], *y = k8s_audit_backend_set_at(rhs, 0);
		if (x->type != y->type)
			return false;
		switch (chk->op) {
		case CONDITION_OP_LT:
			return json_value_lt(x, y);
		case CONDITION_OP_LE:
			return json_value_lt(x, y) || json_value_eq(x, y);
		case CONDITION_OP_GT:
			return json_value_gt(x, y);
		default:
			return json_value_gt(x, y) || json_value_eq(x, y);
		}
	}
	case CONDITION_OP_EXISTS: {
		if (n != 1)
			return false;
		const json_val *x = &v->items[first];
		return !(x->type == JSON_VAL_STRING && !strcmp(x->s, K8S_NO_VALUE));
	}
	default:
		return false;
	}
}

static void k8s_audit_backend_format_free(backend_format *fmt)
{
	if (!fmt)
		return;
	json_format_free(fmt->f);
	free(fmt);
}

static int k8s_audit_backend_format_compile(void *ctx, const char *format, backend_format **out, char *err, size_t errlen)
{
	*out = NULL;
	backend_format *fmt = calloc(1, sizeof(*fmt));
	if (!fmt) {
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	int rc = json_format_compile(format, k8s_audit_backend_own(ctx), &fmt->f, err, errlen);
	if (rc != 0) {
		free(fmt);
		return rc > 0 ? BACKEND_EUNKNOWN_FIELD : BACKEND_ERROR;
	}
	*out = fmt;
	return BACKEND_OK;
}

static int k8s_audit_backend_format_text(backend_format *fmt, const backend_event *evt, char **out, char *err, size_t errlen)
{
	if (!(*out = json_format_text(fmt->f, evt->payload))) {
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	return BACKEND_OK;
}

static int k8s_audit_backend_format_json(backend_format *fmt, const backend_event *evt, char **out, char *err, size_t errlen)
{
	if (!(*out = json_format_json(fmt->f, evt->payload))) {
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	return BACKEND_OK;
}

static int k8s_audit_backend_format_fields(backend_format *fmt, const backend_event *evt, backend_field_value **out,
				   size_t *n, char *err, size_t errlen)
{
	if (json_format_fields(fmt->f, evt->payload, out, n) != 0) {
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	return BACKEND_OK;
}

static bool k8s_audit_backend_capture_probe(void *ctx, const unsigned char *head, size_t n)
{
	(void)ctx;
	return k8s_audit_reader_probe(head, n);
}

static int k8s_audit_backend_capture_open(void *vctx, const char *path, char *err, size_t errlen)
{
	k8s_audit_ctx *ctx = vctx;
	if (ctx->reader) {
		snprintf(err, errlen, "a k8s_audit capture is already open");
		return BACKEND_EINVAL;
	}
	if (k8s_audit_reader_open(&ctx->reader, path, err, errlen) != 0)
		return BACKEND_ECAPTURE;
	return BACKEND_OK;
}

static int k8s_audit_backend_next_event(void *vctx, backend_event **evt, char *err, size_t errlen)
{
	k8s_audit_ctx *ctx = vctx;
	*evt = NULL;
	if (!ctx->reader) {
		snprintf(err, errlen, "no k8s_audit capture is open");
		return BACKEND_EINVAL;
	}
	const json_evt *je = NULL;
	int rc = k8s_audit_reader_next(ctx->reader, &je, err, errlen);
	if (rc > 0)
		return BACKEND_EOF;
	if (rc < 0)
		return BACKEND_ERROR;
	ctx->evt.backend = ctx->self;
	ctx->evt.ts = je->ts;
	ctx->evt.type = 0;
	ctx->evt.payload = (void *)je;
	*evt = &ctx->evt;
	return BACKEND_OK;
}

static void k8s_audit_backend_capture_close(void *vctx)
{
	k8s_audit_ctx *ctx = vctx;
	k8s_audit_reader_close(ctx->reader);
	ctx->reader = NULL;
}

static void k8s_audit_backend_declared_free(k8s_audit_declared *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nstrs; i++)
		free(d->strs[i]);
	free(d->strs);
	free(d->fields);
	free(d->ptrs);
	free(d->types);
	json_pointer_free(&d->time_ptr);
	free(d);
}

/* A copy of s kept until the declaration is freed, or NULL. */
static char *k8s_audit_backend_keep(k8s_audit_declared *d, const char *s)
{
	char *c = strdup(s ? s : "");
	if (c)
		d->strs[d->nstrs++] = c;
	return c;
}

/* Copies a checked definition. NULL when out of memory. */
static k8s_audit_declared *k8s_audit_backend_declared_new(const json_source_def *def)
{
	k8s_audit_declared *d = calloc(1, sizeof(*d));
	size_t n = def->nfields;
	if (!d || !(d->strs = calloc(3 * n + 1, sizeof(char *))) || !(d->fields = calloc(n + 1, sizeof(*d->fields))) ||
	    !(d->ptrs = calloc(n + 1, sizeof(char *))) || !(d->types = calloc(n + 1, sizeof(char *))) ||
	    !(d->source = k8s_audit_backend_keep(d, def->name)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const json_source_field *f = &def->fields[i];
		d->fields[i] = (k8s_field_info){.arg = K8S_ARG_ALLOWED, .arg_numeric = true};
		if (!(d->fields[i].name = k8s_audit_backend_keep(d, f->name)) ||
		    !(d->fields[i].desc = k8s_audit_backend_keep(d, f->desc)) ||
		    !(d->ptrs[i] = k8s_audit_backend_keep(d, f->ptr)))
			goto fail;
		d->types[i] = json_source_list_type(f->type);
	}
	d->cls = (k8s_field_class){.name = d->source,
				   .desc = "fields declared in the configuration",
				   .fields = d->fields,
				   .nfields = n,
				   .ptrs = (const char *const *)d->ptrs,
				   .types = d->types};
	char perr[160];
	if (def->time_pointer) {
		if (json_pointer_compile(&d->time_ptr, def->time_pointer, perr, sizeof(perr)) != 0)
			goto fail;
		d->has_time = true;
	}
	return d;
fail:
	k8s_audit_backend_declared_free(d);
	return NULL;
}

static void k8s_audit_backend_destroy(void *vctx)
{
	k8s_audit_ctx *ctx = vctx;
	k8s_audit_backend_capture_close(ctx);
	k8s_audit_backend_declared_free(ctx->decl);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

/* The JSON backend of k8s_audit (def NULL) or of a declared source. */
static int k8s_audit_backend_make(const json_source_def *def, backend *out, char *err, size_t errlen)
{
	k8s_audit_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx || (def && !(ctx->decl = k8s_audit_backend_declared_new(def)))) {
		free(ctx);
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	ctx->self = out;
	pthread_mutex_init(&ctx->lock, NULL);
	out->source = def ? ctx->decl->source : "k8s_audit";
	out->ctx = ctx;
	out->time_field = "jevt.time";
	out->evttype_count = 1;
	out->fieldclass_count = k8s_audit_backend_fieldclass_count;
	out->fieldclass_get = k8s_audit_backend_fieldclass_get;
	out->field_get = k8s_audit_backend_field_get;
	out->check_compile = k8s_audit_backend_check_compile;
	out->check_eval = k8s_audit_backend_check_eval;
	out->check_free = k8s_audit_backend_check_free;
	out->format_compile = k8s_audit_backend_format_compile;
	out->format_text = k8s_audit_backend_format_text;
	out->format_json = k8s_audit_backend_format_json;
	out->format_fields = k8s_audit_backend_format_fields;
	out->format_free = k8s_audit_backend_format_free;
	if (!def) {
		/* A declared source has no capture format of its own. */
		out->capture_probe = k8s_audit_backend_capture_probe;
		out->capture_open = k8s_audit_backend_capture_open;
		out->next_event = k8s_audit_backend_next_event;
		out->capture_close = k8s_audit_backend_capture_close;
	}
	out->destroy = k8s_audit_backend_destroy;
	return BACKEND_OK;
}

int k8s_audit_backend_create(const backend_opts *o, backend *out, char *err, size_t errlen)
{
	(void)o;
	return k8s_audit_backend_make(NULL, out, err, errlen);
}

int json_source_backend_create(const backend_opts *o, backend *out, char *err, size_t errlen)
{
	if (!o->json_source) {
		snprintf(err, errlen, "no declared source to make");
		return BACKEND_EINVAL;
	}
	if (json_source_check(o->json_source, err, errlen) < 0)
		return BACKEND_EINVAL;
	return k8s_audit_backend_make(o->json_source, out, err, errlen);
}

bool json_backend_is(const backend *b)
{
	return b && b->check_compile == k8s_audit_backend_check_compile;
}

/* One event of a declared source: a JSON object, its time at the pointer. */
static int json_backend_parse_declared(const k8s_audit_ctx *ctx, const char *text, size_t len, json_doc **doc,
				       json_evt **evts, size_t *n, char *err, size_t errlen)
{
	static _Atomic uint64_t next_id = 1;
	char perr[160];
	const k8s_audit_declared *d = ctx->decl;
	json_doc *jd = json_doc_parse(text, len, perr, sizeof(perr));
	if (!jd) {
		snprintf(err, errlen, "Could not parse data: %s", perr);
		return -1;
	}
	const cJSON *root = json_doc_root(jd);
	uint64_t ts = 0;
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "Data not recognized as a %s event: not a JSON object", d->source);
		goto fail;
	}
	if (d->has_time) {
		const cJSON *t = json_pointer_get(&d->time_ptr, root);
		if (cJSON_IsString(t) && k8s_audit_reader_parse_time(t->valuestring, &ts)) {
		} else if (cJSON_IsNumber(t) && t->valuedouble >= 0 && t->valuedouble < 1.8e19) {
			ts = (uint64_t)t->valuedouble;
		} else {
			snprintf(err, errlen,
				 "Data not recognized as a %s event: no ISO 8601 time or nanoseconds at its time pointer",
				 d->source);
			goto fail;
		}
	} else {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		ts = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	}
	json_evt *e = malloc(sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	*e = (json_evt){.obj = root, .ts = ts, .id = next_id++};
	*doc = jd;
	*evts = e;
	*n = 1;
	return 0;
fail:
	json_doc_free(jd);
	return -1;
}

int json_backend_parse(const backend *b, const char *text, size_t len, json_doc **doc, json_evt **evts, size_t *n,
		       char *err, size_t errlen)
{
	if (!json_backend_is(b)) {
		snprintf(err, errlen, "not a JSON source");
		return -1;
	}
	const k8s_audit_ctx *ctx = b->ctx;
	if (!ctx->decl)
		return k8s_audit_reader_parse(text, len, doc, evts, n, err, errlen);
	return json_backend_parse_declared(ctx, text, len, doc, evts, n, err, errlen);
}
