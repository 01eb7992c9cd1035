#ifndef FAPI_ENGINE_JSON_VALUE_H
#define FAPI_ENGINE_JSON_VALUE_H

/*
 * The values a JSON field yields and a condition compares them with, with
 * the semantics of Falco 0.31's json_event_value: a text that reads as
 * "INT:INT" is a range, one that reads as an integer (strtoll over the
 * whole text, leading white space and a sign allowed) is a number, any
 * other text a string. A number equals a range that contains it; values of
 * other differing types are never equal. Values print back as Falco prints
 * them (a number in decimal: "007" prints "7").
 *
 * A json_vals is the list of values one field extracted from one event, in
 * order, plus its set (sorted by Falco's operator<, equivalent values
 * once), which is what =, !=, in and intersects look at.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum json_val_type {
	JSON_VAL_STRING = 0, /* the order is Falco's: it orders values of different types */
	JSON_VAL_INT64 = 1,
	JSON_VAL_PAIR = 2,
} json_val_type;

typedef struct json_val {
	json_val_type type;
	const char *s; /* STRING: the text (NUL-terminated); owned by the list that holds the value */
	int64_t a, b;  /* INT64: a; PAIR: a:b */
} json_val;

/* Reads text as Falco does (see above). v->s points at text for strings:
 * text must outlive v. */
void json_value_parse(json_val *v, const char *text);

/* Falco's operator==, operator< and operator> (only meaningful for equal
 * types, as Falco uses it). */
bool json_value_eq(const json_val *x, const json_val *y);
bool json_value_lt(const json_val *x, const json_val *y);
bool json_value_gt(const json_val *x, const json_val *y);

/* Writes v as Falco's as_string() does. */
void json_value_write(FILE *out, const json_val *v);
/* The same into buf (truncated to len, NUL-terminated); returns buf. */
const char *json_value_text(const json_val *v, char *buf, size_t len);

typedef struct json_vals {
	json_val *items; /* in extraction order */
	size_t n, cap;
	size_t *set;     /* indexes into items: the set, in Falco's order */
	size_t nset, setcap;
	char **owned;    /* texts the list allocated (freed by reset) */
	size_t nowned, ownedcap;
	bool failed;     /* an allocation failed since the last reset */
} json_vals;

/* Empties the list (keeps its memory). */
void json_value_list_reset(json_vals *l);
/* Frees everything the list holds. */
void json_value_list_free(json_vals *l);
/* Appends text, parsed as a value. When own is true the list takes text
 * (malloc'd) and frees it on reset; else text must outlive the values.
 * NULL text (an allocation that failed) marks the list failed. */
void json_value_list_add_text(json_vals *l, const char *text, bool own);
/* Appends a copy of text. */
void json_value_list_add_copy(json_vals *l, const char *text);
/* Appends an integer. */
void json_value_list_add_int(json_vals *l, int64_t i);
/* Builds the set from items[0..n). */
void json_value_list_build_set(json_vals *l);
/* True when the set holds a value equivalent to v (Falco's std::set find). */
bool json_value_list_set_has(const json_vals *l, const json_val *v);

#endif
