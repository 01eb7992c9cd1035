#ifndef FAPI_ENGINE_RULES_EXCEPTIONS_H
#define FAPI_ENGINE_RULES_EXCEPTIONS_H

/* rules_exceptions: Falco 0.31 rule exceptions and the condition text they
 * produce.
 *
 * A rule's exceptions are turned into text appended to its condition
 * exactly as Falco 0.31.1's rule_loader.lua does it:
 *
 *   compile condition = "(" condition ") " + " and not " E1 + " and not " E2 ...
 *
 * (note the two spaces after the closing parenthesis, which is what Falco
 * produces), where each Ei is, for an exception with a list of fields
 * (f1..fn, comps c1..cn) and value rows (v11..v1n), ..., (vm1..vmn):
 *
 *   "((f1 c1 v11 and ... and fn cn v1n) or ... or (f1 c1 vm1 and ... and fn cn vmn))"
 *
 * a value that is itself a list renders as "(q(a), q(b))"; a scalar value
 * whose operator works on lists (in, intersects, pmatch) renders as
 * "(value)" unless it already starts with "(" -- so a list name stays bare
 * inside the parentheses for the list expander; other scalars render as
 * q(value). For an exception with a single field f (a string), comp c and
 * values a, b, ...:
 *
 *   "(f c (q(a), q(b)))"
 *
 * q() is Falco's quote_item(): a value containing a space and not starting
 * with ' or " is wrapped in double quotes; nothing else is changed (no
 * escaping; other special characters do not trigger quoting, as in Falco).
 * Exceptions with no values contribute nothing; a rule whose exceptions
 * contribute nothing keeps its condition unchanged (no parentheses). */

#include <stdbool.h>
#include <stddef.h>

/* A position in a rules file. `file` points at a string owned by whoever
 * owns the structure holding the location (the rules document). */
typedef struct rules_loc {
	const char *file;
	unsigned line; /* 1-based; 0 when unknown */
	unsigned col;  /* 1-based; 0 when unknown */
} rules_loc;

/* One exception value: a scalar (is_list false, text set) or a list of
 * values (is_list true, items/n_items set; in practice items are scalars
 * or, for a row of a multi-field exception, scalars and lists). */
typedef struct rules_exception_value {
	bool is_list;
	const char *text;
	const struct rules_exception_value *items;
	size_t n_items;
	rules_loc loc;
} rules_exception_value;

/* One exception of a rule. */
typedef struct rules_exception {
	const char *name;
	/* fields written as a list (multi-field form) or as one string */
	bool fields_is_list;
	const char *const *fields; /* n_fields names; single form: n_fields == 1 */
	size_t n_fields;
	/* n_fields operators; defaults applied: "=" each (list form) or "in"
	 * (single form) when the rule gave no comps */
	const char *const *comps;
	/* the values, in order: list form: each entry is a row (a list with one
	 * value per field); single form: each entry is a scalar */
	rules_exception_value *values;
	size_t n_values;
	rules_loc loc; /* the exception's mapping in the file */
} rules_exception;

/* True when op is one of the comparison operators Falco 0.31 accepts in
 * exception comps: = == != < <= > >= contains icontains glob startswith
 * endswith in intersects pmatch. */
bool rules_exceptions_is_comp_operator(const char *op);

/* True for the operators that take a list operand: in, intersects, pmatch. */
bool rules_exceptions_is_list_operator(const char *op);

/* Falco's quote_item(): returns a malloc'd copy of item, wrapped in double
 * quotes when it contains a space and does not start with ' or ". The
 * caller frees the result. Returns NULL when out of memory. */
char *rules_exceptions_quote_item(const char *item);

/* Checks an exception as Falco 0.31 does when it is defined: comps (when
 * given) has as many entries as fields, and every comp is a supported
 * operator (field names are checked by the compiler, which knows the
 * source's fields). Messages use Falco's wording, e.g. "Rule exception item
 * NAME: comparison operator OP is not a supported comparison operator".
 * Returns true when valid; otherwise false with the message in err. */
bool rules_exceptions_validate(const rules_exception *e, char *err, size_t errlen);

/* Builds the condition text of a rule from its condition and exceptions
 * (see the top of this file). On success returns true and sets *out to a
 * malloc'd string (the caller frees it); when fields/n_fields are not
 * NULL, also sets *fields to a malloc'd array (caller frees the array, not
 * the strings, which belong to the exceptions) of the distinct field names
 * used by exceptions that have values, in first-use order (Falco's
 * exception_fields), and *n_fields to its length.
 * On failure (a row of a multi-field exception that is not a list of the
 * same length as fields: "Exception item NAME: fields and values lists must
 * have equal length"; a single-field value that is not a string: "Expected
 * values array for item NAME to contain a list of strings"; out of memory)
 * returns false, writes the message in err and, when err_loc is not NULL,
 * the location of the offending value (or exception) in *err_loc. */
bool rules_exceptions_build_condition(const char *condition, const rules_exception *exceptions,
				      size_t n_exceptions, char **out, const char ***fields,
				      size_t *n_fields, char *err, size_t errlen, rules_loc *err_loc);

#endif
