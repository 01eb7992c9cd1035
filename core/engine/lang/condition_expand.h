#ifndef FAPI_ENGINE_CONDITION_EXPAND_H
#define FAPI_ENGINE_CONDITION_EXPAND_H

/*
 * Macro and list expansion on a parsed condition, as Falco does when it
 * compiles a rule: macro references are replaced by (copies of) the macros'
 * trees, then list names inside the values of list operators are replaced by
 * the lists' items. Expand macros first, so that lists used inside macros
 * are expanded too.
 *
 * The lookups are callbacks so that the rules loader decides which macros
 * and lists are visible (Falco's definition order, appends, overrides);
 * nothing here keeps state between calls.
 */

#include <stdbool.h>
#include <stddef.h>

#include "engine/lang/condition_ast.h"

/* Macro references may nest this deep (a macro using a macro using ...). */
#define CONDITION_EXPAND_MAX_MACRO_DEPTH 64
/* Lists may name lists this deep. */
#define CONDITION_EXPAND_MAX_LIST_DEPTH 64
/* Bounds of the unlimited-looking entry points (the rules loader passes
 * its configured ones, engine.limits.condition_nodes and .list_items). */
#define CONDITION_EXPAND_MAX_NODES ((size_t)200000)
#define CONDITION_EXPAND_MAX_LIST_ITEMS ((size_t)100000)

/* Returns the tree of the macro called name, or NULL when there is no such
 * macro. The tree stays owned by the callee and is only read (cloned); it
 * may itself hold macro references, which are expanded in turn. */
typedef const struct condition_node *(*condition_macro_lookup_fn)(void *user, const char *name);

/* Replaces every MACRO_REF in *root by a clone of the named macro's tree,
 * recursively (so a macro using another macro works whether or not lookup
 * returns already-expanded trees). *root may itself be replaced when it is
 * a bare macro reference.
 * Returns CONDITION_OK, or:
 *   CONDITION_ERR_UNDEFINED  "undefined macro 'x' at 1:5 (offset 4)" and,
 *                            when the reference sits in a macro,
 *                            " in macro 'm'" (and " used by 'n'" ...);
 *   CONDITION_ERR_CYCLE      "macro cycle at 1:1 (offset 0) in macro 'b':
 *                            'a' -> 'b' -> 'a'" (the reference closing
 *                            the loop, in the text of the macro holding it);
 *   CONDITION_ERR_LIMIT      macros nested deeper than the limit above;
 *   CONDITION_ERR_NOMEM.
 * On failure *root is still one valid tree owned by the caller (possibly
 * partly expanded); the caller frees it either way. A NULL root or lookup
 * is refused with CONDITION_ERR_SYNTAX. */
int condition_expand_macros(struct condition_node **root, condition_macro_lookup_fn lookup, void *user, char *err,
			    size_t errlen);

/* condition_expand_macros() with a bound: when the tree would have more
 * than max_nodes nodes (each value of a check counting as a node) once
 * expanded (macros using macros several times
 * grow it exponentially), returns CONDITION_ERR_LIMIT naming the bound and
 * the macro reference where it was reached, before copying it. The
 * unlimited-looking form applies CONDITION_EXPAND_MAX_NODES. */
int condition_expand_macros_limited(struct condition_node **root, condition_macro_lookup_fn lookup, void *user,
				    size_t max_nodes, char *err, size_t errlen);

/* Looks a list up. Returns true and sets *items / *n_items (owned by the
 * callee, only read) when a list called name exists, false otherwise. */
typedef bool (*condition_list_lookup_fn)(void *user, const char *name, const char *const **items,
					 size_t *n_items);

/* Expands list names in the values of list operators (in, intersects,
 * pmatch) and of one-value operators (=, !=, contains, ...), in place and
 * in order:
 *   - in "(a, b, c)" each unquoted item naming a list is replaced by that
 *     list's items; quoted items are never expanded;
 *   - a bare list name after the operator ("in my_list") becomes the list
 *     "(items...)" (list_values set); a bare name that is no list is left
 *     for the field backend to judge;
 *   - the unquoted value of a one-value operator naming a list
 *     ("proc.name=cat_binaries") becomes that list's item, as Falco 0.31
 *     substitutes list names as text wherever blanks, parentheses, commas
 *     or '=' delimit them; a list of other than one item there is
 *     CONDITION_ERR_SYNTAX (Falco's text would not parse either).
 * The items returned by lookup are expanded in turn, so lists may be handed
 * over as written: an unquoted item naming another list brings that list's
 * items, except a list's own name (or that of a list it is nested in),
 * which stays a literal string, as in Falco where a list only sees the
 * lists defined before it. An item written as one quoted string ("\"sh -c\"",
 * as Falco's rules quote items with blanks) is unescaped and marked quoted.
 * Expanded items take the position of the name they replace.
 * Returns CONDITION_OK, CONDITION_ERR_SYNTAX (a quoted item with a bad
 * escape, naming the list), CONDITION_ERR_LIMIT or CONDITION_ERR_NOMEM with
 * a message in err. On failure the tree is valid (each leaf is either fully
 * expanded or untouched) and still owned by the caller. A NULL root or
 * lookup is refused with CONDITION_ERR_SYNTAX. */
int condition_expand_lists(struct condition_node *root, condition_list_lookup_fn lookup, void *user, char *err,
			   size_t errlen);

/* condition_expand_lists() with a bound: when more than max_items list
 * items (values, or names of lists, over the whole tree) would be visited
 * while expanding, returns CONDITION_ERR_LIMIT naming the bound and the
 * list. The unlimited-looking form applies CONDITION_EXPAND_MAX_LIST_ITEMS. */
int condition_expand_lists_limited(struct condition_node *root, condition_list_lookup_fn lookup, void *user,
				   size_t max_items, char *err, size_t errlen);

#endif
