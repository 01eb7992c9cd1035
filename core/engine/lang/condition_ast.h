#ifndef FAPI_ENGINE_CONDITION_AST_H
#define FAPI_ENGINE_CONDITION_AST_H

/*
 * The AST of Falco's condition language (the libsinsp filter syntax).
 *
 * One tree shape serves every consumer: the rules loader expands macros and
 * lists on it (condition_expand.h), the field backends bind its comparison
 * leaves (the `bound` slot), and tests and debug output print it with
 * condition_ast_to_string().
 *
 * Ownership: a tree is owned by whoever holds its root; every node owns its
 * children, strings and value arrays. condition_ast_free() releases a whole
 * tree. Nothing here keeps global state, so distinct trees may be used from
 * distinct threads freely; one tree is not internally locked.
 */

#include <stdbool.h>
#include <stddef.h>

#include "engine/lang/condition_op.h"

/* Return codes shared by the condition_* functions. Zero is success; every
 * failure also writes a one-line message to the caller's buffer. */
enum condition_status {
	CONDITION_OK = 0,
	CONDITION_ERR_SYNTAX = -1,    /* the text is not a valid condition */
	CONDITION_ERR_NOMEM = -2,     /* an allocation failed */
	CONDITION_ERR_UNDEFINED = -3, /* a macro reference names no macro */
	CONDITION_ERR_CYCLE = -4,     /* macros reference each other in a loop */
	CONDITION_ERR_LIMIT = -5,     /* nesting deeper than the fixed limits */
};

/* Where a node starts in the text it was parsed from. Nodes cloned from a
 * macro keep the positions they had in the macro's own condition. */
struct condition_pos {
	size_t offset; /* bytes from the start of the text */
	unsigned line; /* 1-based; only '\n' starts a new line */
	unsigned col;  /* 1-based, counted in bytes */
};

/* printf helpers so every message prints a position the same way:
 * "3:14 (offset 52)". */
#define CONDITION_POS_FMT "%u:%u (offset %zu)"
#define CONDITION_POS_ARGS(p) (p).line, (p).col, (p).offset

enum condition_node_kind {
	CONDITION_NODE_AND,       /* children[0..n_children), n_children >= 2 */
	CONDITION_NODE_OR,        /* children[0..n_children), n_children >= 2 */
	CONDITION_NODE_NOT,       /* children[0], n_children == 1 */
	CONDITION_NODE_CMP,       /* a field check, see struct condition_cmp */
	CONDITION_NODE_MACRO_REF, /* name: a macro to be expanded */
};

/* One right-hand-side value. text is NUL-terminated and already unescaped
 * (the escapes cannot produce a NUL byte, so strlen() is its length). */
struct condition_value {
	char *text;
	bool quoted; /* written as '...' or "..." (never expanded as a list name) */
	struct condition_pos pos;
};

struct condition_cmp {
	char *field;     /* "proc.aname" */
	char *arg;       /* text inside [...] ("2", "/user/name"), or NULL */
	bool arg_quoted; /* the argument was written quoted (arg is unescaped) */
	enum condition_op op;
	/* exists: none; numeric and string ops: exactly one; list ops: any number
	 * when list_values, else one bare list name still to be expanded. */
	struct condition_value *values;
	size_t n_values;
	size_t values_cap; /* allocated slots; managed by condition_cmp_add_value */
	bool list_values;  /* the value was a parenthesised list "(a, b)" */
	/* A backend's compiled form of this check. condition_ast_free() calls
	 * bound_free(bound) when both are set; clones start unbound. */
	void *bound;
	void (*bound_free)(void *bound);
};

struct condition_node {
	enum condition_node_kind kind;
	struct condition_pos pos;
	/* AND, OR, NOT */
	struct condition_node **children;
	size_t n_children;
	/* MACRO_REF */
	char *name;
	/* CMP */
	struct condition_cmp cmp;
	/* AND, OR, NOT: a result slot shared by identical subtrees of a
	 * compiled rule set (see subtree_memo.h), or NULL. Owned by that set,
	 * not by the node; clones start without one. */
	struct subtree_memo *memo;
};

/* Returns a zeroed node of the given kind at pos, or NULL when out of
 * memory. The caller owns it and fills in the members of its kind. */
struct condition_node *condition_ast_new(enum condition_node_kind kind, struct condition_pos pos);

/* Appends a value to a CMP node. Takes ownership of text (malloc'd) in every
 * case: it is freed on failure. Returns CONDITION_OK or CONDITION_ERR_NOMEM. */
int condition_cmp_add_value(struct condition_node *cmp, char *text, bool quoted, struct condition_pos pos);

/* Frees a whole tree, calling each bound leaf's bound_free. NULL is a no-op. */
void condition_ast_free(struct condition_node *node);

/* Returns a deep copy of the tree, or NULL when out of memory (nothing
 * leaks). Positions are copied; bound/bound_free are not (a compiled check
 * belongs to one leaf), so cloned CMP nodes start unbound. Caller frees it
 * with condition_ast_free(). */
struct condition_node *condition_ast_clone(const struct condition_node *node);

/* True when the two trees have the same shape, operators, fields and values
 * (including quoted flags); positions and bound slots are ignored. */
bool condition_ast_equal(const struct condition_node *a, const struct condition_node *b);

/* Returns the canonical text of the tree, malloc'd (caller frees), or NULL
 * when out of memory. AND, OR and NOT are always parenthesised, operators
 * take their canonical spelling, quoted values are printed double-quoted
 * with escapes, and an unquoted value that could not be re-read bare is
 * quoted too; so parsing the result yields an equal tree. Example:
 * "a or b and not c" -> "(a or (b and (not c)))". */
char *condition_ast_to_string(const struct condition_node *node);

/* Calls fn on every node, parents before children, left to right. Stops at
 * the first non-zero return of fn and returns it; returns 0 otherwise. */
typedef int (*condition_visit_fn)(void *user, struct condition_node *node);
int condition_ast_visit(struct condition_node *root, condition_visit_fn fn, void *user);

/* As condition_ast_visit() but fn only sees CMP leaves (the nodes a backend
 * binds). */
int condition_ast_visit_cmp(struct condition_node *root, condition_visit_fn fn, void *user);

/* Operators, their spellings and classes: engine/lang/condition_op.h. */

#endif
