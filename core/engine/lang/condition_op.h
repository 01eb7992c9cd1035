#ifndef FAPI_ENGINE_CONDITION_OP_H
#define FAPI_ENGINE_CONDITION_OP_H

/*
 * The operator table of the condition language: every comparison operator,
 * once, with its spellings, the shape of its right-hand side, the field
 * types it applies to, and the comparison semantics every field backend
 * shares (libsinsp's flt_compare_* of March 2022, which Falco 0.31 applies
 * to syscall fields and, through the same function, to k8s_audit fields).
 *
 * The lexer, the parser, the AST printer, the exceptions loader and every
 * backend read this table; no other file lists operators.
 *
 * Everything here is pure: no allocation, no global state, thread-safe.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Comparison operators. "=" and "==" mean the same in libsinsp and share
 * CONDITION_OP_EQ; the canonical spelling is "=". */
enum condition_op {
	CONDITION_OP_EQ,
	CONDITION_OP_NE,
	CONDITION_OP_LT,
	CONDITION_OP_LE,
	CONDITION_OP_GT,
	CONDITION_OP_GE,
	CONDITION_OP_CONTAINS,
	CONDITION_OP_ICONTAINS,
	CONDITION_OP_BCONTAINS,
	CONDITION_OP_STARTSWITH,
	CONDITION_OP_BSTARTSWITH,
	CONDITION_OP_ENDSWITH,
	CONDITION_OP_GLOB,
	CONDITION_OP_IN,
	CONDITION_OP_INTERSECTS,
	CONDITION_OP_PMATCH,
	CONDITION_OP_EXISTS,
	CONDITION_OP__COUNT
};

/* What an operator takes on its right-hand side; it decides how the parser
 * reads the value. */
enum condition_op_class {
	CONDITION_OPCLASS_UNARY,   /* exists: no value */
	CONDITION_OPCLASS_NUMERIC, /* < <= > >=: one number (decimal or 0x hex) */
	CONDITION_OPCLASS_STRING,  /* = != contains ...: one bare or quoted value */
	CONDITION_OPCLASS_LIST,    /* in intersects pmatch: "(...)" or a list name */
};

/* Families of field types, by what libsinsp's flt_compare_* accept without
 * throwing. A backend maps each of its field types to one family and asks
 * condition_op_allowed() at compile time, so a misfit (proc.pid contains 1)
 * is a compile error everywhere instead of an evaluation-time exception. */
enum condition_op_family {
	CONDITION_OPFAM_STRING,  /* text: every operator */
	CONDITION_OPFAM_BUFFER,  /* bytes: no icontains, glob, ordering */
	CONDITION_OPFAM_NUMERIC, /* integers, flags, bools, times, ipv4 addresses */
	CONDITION_OPFAM_NET,     /* networks, ipv6/ip addresses: equality and lists only */
	CONDITION_OPFAM_OTHER,   /* anything else: equality and lists only */
};

/* One row of the table. Every string is static. */
struct condition_op_info {
	const char *name;  /* canonical spelling, e.g. "=", "icontains" */
	const char *alias; /* a second accepted spelling ("==") or NULL */
	enum condition_op_class cls;
	/* Usable as an exception comp (Falco 0.31's rule_loader list:
	 * = == != < <= > >= contains icontains glob startswith endswith in
	 * intersects pmatch). */
	bool exception_comp;
	/* Bit (1u << family) set for every enum condition_op_family the
	 * operator applies to. */
	unsigned families;
};

/* The row of op; NULL for an out-of-range value. */
const struct condition_op_info *condition_op_info(enum condition_op op);

/* The canonical spelling of op ("=", "icontains", ...); static. NULL for an
 * out-of-range value. */
const char *condition_op_to_string(enum condition_op op);

/* Looks an operator up by its exact, case-sensitive spelling (canonical or
 * alias). Returns true and sets *op when found; *op is untouched otherwise. */
bool condition_op_from_string(const char *s, enum condition_op *op);

/* The longest operator spelling that text[0..len) starts with, ignoring
 * word boundaries (the lexer applies those). Returns its length and sets
 * *op, or 0 when none matches. */
size_t condition_op_match_prefix(const char *text, size_t len, enum condition_op *op);

/* Every spelling in table order, for messages: "=, ==, !=, <, ..., exists".
 * Writes it NUL-terminated to buf (truncated to cap-1 bytes) and returns
 * its full length, like snprintf. */
size_t condition_op_list_text(char *buf, size_t cap);

/* The value shape op takes (CONDITION_OPCLASS_STRING when out of range). */
enum condition_op_class condition_op_class(enum condition_op op);

/* True for in, intersects and pmatch: any number of values. */
bool condition_op_is_list(enum condition_op op);

/* True when op applies to fields of family fam. */
bool condition_op_allowed(enum condition_op op, enum condition_op_family fam);

/* ---- Semantics shared by backends --------------------------------------- */

/* libsinsp's string comparison for =, !=, <, <=, >, >= (strcmp order),
 * contains, icontains (strcasestr), startswith, endswith, glob (fnmatch
 * without flags, value as the pattern); bcontains and bstartswith compare
 * the text's bytes with rhs as raw bytes (already decoded, see
 * condition_op_hex_decode). lhs is the field's value, rhs the rule's value;
 * both NUL-terminated. Other operators (in, pmatch, exists...) are false:
 * a backend composes them from these (in = any "=", pmatch =
 * condition_op_pmatch over the values). */
bool condition_op_compare_string(enum condition_op op, const char *lhs, const char *rhs);

/* The same on byte buffers of explicit length (libsinsp's BYTEBUF rules):
 * =, !=, contains/bcontains (memmem), startswith/bstartswith, endswith.
 * Unlike libsinsp, startswith never reads past lhs. Other operators are
 * false. */
bool condition_op_compare_buffer(enum condition_op op, const void *lhs, size_t lhslen, const void *rhs,
				 size_t rhslen);

/* Numeric comparisons for =, !=, <, <=, >, >=; other operators are false. */
bool condition_op_compare_int64(enum condition_op op, int64_t lhs, int64_t rhs);
bool condition_op_compare_uint64(enum condition_op op, uint64_t lhs, uint64_t rhs);
bool condition_op_compare_double(enum condition_op op, double lhs, double rhs);

/* pmatch of one value, as libsinsp's path_prefix_search: both are split on
 * '/', empty components are ignored, and path matches when prefix's
 * components are its leading components ("/var/run" matches "/var/run/x"
 * and "/var//run", not "/var/running"). A prefix without components
 * matches nothing. */
bool condition_op_pmatch(const char *path, const char *prefix);

/* Decodes the hex value of bcontains/bstartswith ("6f70656e" -> "open"):
 * an even, non-zero number of hex digits, either case. Writes up to cap
 * bytes to out and returns the decoded length (which may exceed cap: call
 * again with a larger buffer), or -1 when hex is not valid. */
long condition_op_hex_decode(const char *hex, unsigned char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
