#ifndef FAPI_ENGINE_CONDITION_LEX_H
#define FAPI_ENGINE_CONDITION_LEX_H

/*
 * The tokenizer of the condition language.
 *
 * libsinsp's filter grammar is not context-free at the token level: the
 * same bytes read differently depending on where they are ("a=b" is a field
 * check after a field name but "in" may be a list name after an operator,
 * and "/etc/x" is a value only on the right-hand side). So instead of one
 * token stream, the lexer is a cursor with one scanner per token class, and
 * the parser asks for the class the grammar expects at each point. Every
 * scanner either consumes a whole token and returns true/1, or leaves the
 * cursor untouched.
 *
 * Token classes (as in libsinsp 2022, parser.h):
 *   blank        ' ' \t \n \r \v \f \b
 *   identifier   [a-zA-Z][a-zA-Z0-9_]*
 *   field name   identifier ('.' identifier)+
 *   field arg    [^][\"' blanks]+ or a quoted string, between '[' and ']'
 *   number       [+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)?  or 0[xX][0-9a-zA-Z]+
 *   bare string  [^()\"' blanks=,]+
 *   quoted str   "..." or '...' with the escapes \b \f \n \r \t \\ \/ and
 *                the delimiter itself; "\ " is read as a backslash, a quirk
 *                libsinsp keeps for a rule Falco ships (falco_rules.yaml,
 *                "Sudo Potential Privilege Escalation").
 *
 * The lexer only reads the text it is given; it allocates only in
 * condition_lex_quoted() and condition_unescape().
 */

#include <stdbool.h>
#include <stddef.h>

#include "engine/lang/condition_ast.h"

struct condition_lexer {
	const char *text;
	size_t len;
	size_t off;        /* cursor */
	unsigned line;     /* line of the cursor, 1-based */
	size_t line_start; /* offset of the first byte of that line */
};

/* A span of the source text. */
struct condition_token {
	size_t off;
	size_t len;
	struct condition_pos pos;
};

/* Character classes, exposed so condition_ast_to_string() prints only what
 * the lexer reads back the same way. */
bool condition_lex_is_blank(char c);
bool condition_lex_is_bare_char(char c);
bool condition_lex_is_arg_char(char c);

/* True when s (NUL-terminated, non-empty) reads back as one bare string. */
bool condition_lex_is_bare_string(const char *s);

/* True when s (NUL-terminated, non-empty) reads back as a bare field arg. */
bool condition_lex_is_bare_arg(const char *s);

/* Starts a lexer on text[0..len). The text must outlive the lexer. */
void condition_lex_init(struct condition_lexer *lx, const char *text, size_t len);

/* The position of the cursor. */
struct condition_pos condition_lex_pos(const struct condition_lexer *lx);

/* True when the cursor is at the end of the text. */
bool condition_lex_at_end(const struct condition_lexer *lx);

/* The byte at the cursor, or '\0' at the end. */
char condition_lex_peek(const struct condition_lexer *lx);

/* Skips blanks; returns true when at least one was skipped. */
bool condition_lex_skip_blank(struct condition_lexer *lx);

/* Consumes c when it is the byte at the cursor. */
bool condition_lex_char(struct condition_lexer *lx, char c);

/* Consumes the keyword kw ("and", "or", "not") when it is at the cursor and
 * not the start of a longer word or field name ("android", "or.x"). */
bool condition_lex_keyword(struct condition_lexer *lx, const char *kw);

/* Consumes an identifier or a field name; tok->len tells its length and
 * *has_dot whether it is a field name. */
bool condition_lex_word(struct condition_lexer *lx, struct condition_token *tok, bool *has_dot);

/* Consumes a comparison operator. Word operators must end at a word
 * boundary ("in(" and "in x" are fine, "inx" is not); the string operators
 * (contains, glob, ...) must be followed by a blank, as in libsinsp. The
 * spelling is case-sensitive. */
bool condition_lex_operator(struct condition_lexer *lx, enum condition_op *op);

/* Consumes a number (decimal or hex) that ends at a token boundary. */
bool condition_lex_number(struct condition_lexer *lx, struct condition_token *tok);

/* Consumes a bare string (right-hand-side value). */
bool condition_lex_bare(struct condition_lexer *lx, struct condition_token *tok);

/* Consumes a bare field argument (the text between '[' and ']'). */
bool condition_lex_bare_arg(struct condition_lexer *lx, struct condition_token *tok);

/* Reads a quoted string at the cursor.
 * Returns 1 and sets *out to the unescaped content (malloc'd, caller frees)
 * and *pos to the opening quote; 0 when the cursor is not at a quote
 * (nothing consumed); a negative condition_status when the string is
 * unterminated, holds an unsupported escape, or memory runs out, with a
 * message in err and nothing consumed. */
int condition_lex_quoted(struct condition_lexer *lx, char **out, struct condition_pos *pos, char *err,
			 size_t errlen);

/* Unescapes the content of a quoted string: body[0..len) is what lies
 * between the quotes and quote is the delimiter. Returns the malloc'd result
 * (caller frees), or NULL with *bad set to the offset in body of the
 * offending backslash (or to len when out of memory). */
char *condition_unescape(const char *body, size_t len, char quote, size_t *bad);

/* Writes a short quoted description of what is at the cursor, for error
 * messages: "end of input", "')'", "'evt.type'", "'\"abc...'". */
void condition_lex_describe(const struct condition_lexer *lx, char *buf, size_t n);

#endif
