#include "engine/rules/rules_exceptions.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lang/condition_op.h"
#include "engine/util/strbuf.h"

bool rules_exceptions_is_comp_operator(const char *op)
{
	enum condition_op o;
	return condition_op_from_string(op, &o) && condition_op_info(o)->exception_comp;
}

bool rules_exceptions_is_list_operator(const char *op)
{
	enum condition_op o;
	return condition_op_from_string(op, &o) && condition_op_is_list(o);
}

static bool needs_quotes(const char *item)
{
	return strchr(item, ' ') != NULL && item[0] != '\'' && item[0] != '"';
}

static void sb_add_quoted(strbuf *b, const char *item)
{
	if(needs_quotes(item)) {
		strbuf_add(b, "\"");
		strbuf_add(b, item);
		strbuf_add(b, "\"");
	} else {
		strbuf_add(b, item);
	}
}

char *rules_exceptions_quote_item(const char *item)
{
	if(!item)
		return NULL;
	strbuf b = {0};
	sb_add_quoted(&b, item);
	if(b.oom) {
		free(b.p);
		return NULL;
	}
	if(!b.p)
		return strdup("");
	return b.p;
}

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
	if(err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

bool rules_exceptions_validate(const rules_exception *e, char *err, size_t errlen)
{
	for(size_t i = 0; i < e->n_fields; i++) {
		if(!e->comps || !e->comps[i])
			return fail(err, errlen, "Rule exception item %s: fields and comps lists must have equal length",
				    e->name);
	}
	for(size_t i = 0; i < e->n_fields; i++) {
		if(!rules_exceptions_is_comp_operator(e->comps[i]))
			return fail(err, errlen,
				    "Rule exception item %s: comparison operator %s is not a supported comparison "
				    "operator",
				    e->name, e->comps[i]);
	}
	return true;
}

/* ---- condition building ------------------------------------------------ */

typedef struct fieldset {
	const char **v;
	size_t n, cap;
	bool oom;
} fieldset;

static void fs_add(fieldset *fs, const char *f)
{
	for(size_t i = 0; i < fs->n; i++) {
		if(strcmp(fs->v[i], f) == 0)
			return;
	}
	if(fs->n == fs->cap) {
		size_t nc = fs->cap ? fs->cap * 2 : 8;
		const char **nv = realloc(fs->v, nc * sizeof(*nv));
		if(!nv) {
			fs->oom = true;
			return;
		}
		fs->v = nv;
		fs->cap = nc;
	}
	fs->v[fs->n++] = f;
}

static void set_loc(rules_loc *dst, const rules_loc *src)
{
	if(dst)
		*dst = *src;
}

/* Falco's build_exception_condition_string_multi_fields(). */
static bool build_multi(const rules_exception *e, strbuf *ic, fieldset *fs, char *err, size_t errlen,
			rules_loc *err_loc)
{
	size_t start = ic->len;
	strbuf_add(ic, "(");
	for(size_t r = 0; r < e->n_values; r++) {
		const rules_exception_value *row = &e->values[r];
		if(!row->is_list || row->n_items != e->n_fields) {
			set_loc(err_loc, &row->loc);
			return fail(err, errlen, "Exception item %s: fields and values lists must have equal length",
				    e->name);
		}
		if(r > 0)
			strbuf_add(ic, " or ");
		strbuf_add(ic, "(");
		for(size_t k = 0; k < e->n_fields; k++) {
			const rules_exception_value *cell = &row->items[k];
			if(k > 0)
				strbuf_add(ic, " and ");
			strbuf_add(ic, e->fields[k]);
			strbuf_add(ic, " ");
			strbuf_add(ic, e->comps[k]);
			strbuf_add(ic, " ");
			if(cell->is_list) {
				strbuf_add(ic, "(");
				for(size_t j = 0; j < cell->n_items; j++) {
					const rules_exception_value *it = &cell->items[j];
					if(it->is_list) {
						set_loc(err_loc, &it->loc);
						return fail(err, errlen,
							    "Exception item %s: a value list may only contain strings",
							    e->name);
					}
					if(j > 0)
						strbuf_add(ic, ", ");
					sb_add_quoted(ic, it->text);
				}
				strbuf_add(ic, ")");
			} else if(rules_exceptions_is_list_operator(e->comps[k])) {
				/* paren_item(): a list name stays bare inside parentheses */
				if(cell->text[0] != '(') {
					strbuf_add(ic, "(");
					strbuf_add(ic, cell->text);
					strbuf_add(ic, ")");
				} else {
					strbuf_add(ic, cell->text);
				}
			} else {
				sb_add_quoted(ic, cell->text);
			}
			fs_add(fs, e->fields[k]);
		}
		strbuf_add(ic, ")");
	}
	strbuf_add(ic, ")");
	if(!ic->oom && ic->len - start == 2) {
		/* "()": trivially empty, contributes nothing */
		ic->len = start;
		ic->p[start] = '\0';
	}
	return true;
}

/* Falco's build_exception_condition_string_single_field(). */
static bool build_single(const rules_exception *e, strbuf *ic, fieldset *fs, char *err, size_t errlen,
			 rules_loc *err_loc)
{
	for(size_t i = 0; i < e->n_values; i++) {
		const rules_exception_value *v = &e->values[i];
		if(v->is_list) {
			set_loc(err_loc, &v->loc);
			return fail(err, errlen, "Expected values array for item %s to contain a list of strings",
				    e->name);
		}
		if(i == 0) {
			strbuf_add(ic, "(");
			strbuf_add(ic, e->fields[0]);
			strbuf_add(ic, " ");
			strbuf_add(ic, e->comps[0]);
			strbuf_add(ic, " (");
		} else {
			strbuf_add(ic, ", ");
		}
		fs_add(fs, e->fields[0]);
		sb_add_quoted(ic, v->text);
	}
	if(e->n_values > 0)
		strbuf_add(ic, "))");
	return true;
}

bool rules_exceptions_build_condition(const char *condition, const rules_exception *exceptions,
				      size_t n_exceptions, char **out, const char ***fields,
				      size_t *n_fields, char *err, size_t errlen, rules_loc *err_loc)
{
	if(err && errlen)
		err[0] = '\0';
	*out = NULL;
	if(fields)
		*fields = NULL;
	if(n_fields)
		*n_fields = 0;
	strbuf econd = {0}, ic = {0};
	fieldset fs = {0};
	for(size_t i = 0; i < n_exceptions; i++) {
		const rules_exception *e = &exceptions[i];
		ic.len = 0;
		if(ic.p)
			ic.p[0] = '\0';
		bool ok = e->fields_is_list ? build_multi(e, &ic, &fs, err, errlen, err_loc)
					    : build_single(e, &ic, &fs, err, errlen, err_loc);
		if(!ok) {
			free(econd.p);
			free(ic.p);
			free(fs.v);
			return false;
		}
		if(ic.len > 0) {
			strbuf_add(&econd, " and not ");
			strbuf_addn(&econd, ic.p, ic.len);
		}
	}
	strbuf res = {0};
	if(econd.len > 0) {
		strbuf_add(&res, "(");
		strbuf_add(&res, condition ? condition : "");
		strbuf_add(&res, ") ");
		strbuf_addn(&res, econd.p, econd.len);
	} else {
		strbuf_add(&res, condition ? condition : "");
	}
	bool oom = econd.oom || ic.oom || fs.oom || res.oom;
	free(econd.p);
	free(ic.p);
	if(!oom && !res.p)
		res.p = strdup("");
	if(oom || !res.p) {
		free(res.p);
		free(fs.v);
		if(exceptions && n_exceptions)
			set_loc(err_loc, &exceptions[0].loc);
		return fail(err, errlen, "out of memory");
	}
	*out = res.p;
	if(fields) {
		*fields = fs.v;
		if(n_fields)
			*n_fields = fs.n;
	} else {
		free(fs.v);
	}
	return true;
}
