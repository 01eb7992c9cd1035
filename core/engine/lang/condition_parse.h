#ifndef FAPI_ENGINE_CONDITION_PARSE_H
#define FAPI_ENGINE_CONDITION_PARSE_H

/*
 * Recursive-descent parser for Falco's condition language, following the
 * grammar of libsinsp's filter parser (2022):
 *
 *   Expr       ::= OrExpr
 *   OrExpr     ::= AndExpr ('or' AndExpr)*
 *   AndExpr    ::= NotExpr ('and' NotExpr)*
 *   NotExpr    ::= 'not' NotExpr | Check
 *   Check      ::= Field Condition | Identifier | '(' OrExpr ')'
 *   Field      ::= FieldName ('[' (QuotedStr | FieldArgBareStr) ']')?
 *   Condition  ::= 'exists'
 *                | ('<' | '<=' | '>' | '>=') Number
 *                | ('=' | '==' | '!=' | 'contains' | 'icontains' | 'bcontains'
 *                   | 'startswith' | 'bstartswith' | 'endswith' | 'glob')
 *                  (QuotedStr | BareStr)
 *                | ('in' | 'intersects' | 'pmatch')
 *                  ('(' ((QuotedStr | BareStr) (',' (QuotedStr | BareStr))*)? ')'
 *                   | Identifier)
 *
 * so "not" binds tighter than "and", which binds tighter than "or", and a
 * chain "a and b and c" is one n-ary node (parentheses are kept as nesting).
 * An Identifier alone is a macro reference; after a list operator it is a
 * list name (one unquoted value with list_values false). "and", "or" and
 * "not" are reserved and cannot name a macro. Token classes are documented
 * in condition_lex.h.
 *
 * Parentheses and 'not' may nest CONDITION_PARSE_MAX_DEPTH deep, so hostile
 * input cannot exhaust the stack.
 */

#include <stddef.h>

#include "engine/lang/condition_ast.h"

#define CONDITION_PARSE_MAX_DEPTH 200

/* Parses the NUL-terminated text.
 * On success returns CONDITION_OK and stores the tree in *out (caller frees
 * it with condition_ast_free()). On failure returns CONDITION_ERR_SYNTAX,
 * CONDITION_ERR_LIMIT or CONDITION_ERR_NOMEM, sets *out to NULL, frees
 * everything it built, and writes a message naming the position to err
 * (when err is non-NULL and errlen > 0; truncated to errlen), of the form
 *   "unexpected ')' at 1:17 (offset 16): expected a value"
 * Positions are 1-based line:column, plus the 0-based byte offset. */
int condition_parse(const char *text, struct condition_node **out, char *err, size_t errlen);

/* As condition_parse() for text[0..len), which need not be NUL-terminated
 * (e.g. a scalar inside a YAML buffer). A NUL byte inside is an error. */
int condition_parse_n(const char *text, size_t len, struct condition_node **out, char *err, size_t errlen);

#endif
