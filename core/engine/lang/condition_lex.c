#include "engine/lang/condition_lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* <ctype.h> depends on the locale; the grammar is defined on ASCII bytes,
 * so the classes are spelled out. */
static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

bool condition_lex_is_blank(char c)
{
	/* libsinsp skips \b too; \v and \f end bare strings there (POSIX
	 * [:space:]) so treating them as blanks only accepts more. */
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\b';
}

bool condition_lex_is_bare_char(char c)
{
	return c != '\0' && !condition_lex_is_blank(c) && c != '(' && c != ')' && c != '"' && c != '\'' &&
	       c != '=' && c != ',';
}

bool condition_lex_is_arg_char(char c)
{
	return c != '\0' && !condition_lex_is_blank(c) && c != '[' && c != ']' && c != '"' && c != '\'';
}

bool condition_lex_is_bare_string(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!condition_lex_is_bare_char(*s))
			return false;
	return true;
}

bool condition_lex_is_bare_arg(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!condition_lex_is_arg_char(*s))
			return false;
	return true;
}

void condition_lex_init(struct condition_lexer *lx, const char *text, size_t len)
{
	lx->text = text;
	lx->len = len;
	lx->off = 0;
	lx->line = 1;
	lx->line_start = 0;
}

struct condition_pos condition_lex_pos(const struct condition_lexer *lx)
{
	struct condition_pos p = {
		.offset = lx->off,
		.line = lx->line,
		.col = (unsigned)(lx->off - lx->line_start + 1),
	};
	return p;
}

bool condition_lex_at_end(const struct condition_lexer *lx)
{
	return lx->off >= lx->len;
}

char condition_lex_peek(const struct condition_lexer *lx)
{
	return lx->off < lx->len ? lx->text[lx->off] : '\0';
}

/* The byte i positions after the cursor, '\0' past the end. Embedded NUL
 * bytes also read as '\0', which no token accepts, so they end up reported
 * as garbage rather than silently truncating the text. */
static char at(const struct condition_lexer *lx, size_t i)
{
	return lx->off + i < lx->len ? lx->text[lx->off + i] : '\0';
}

/* Line tracking lives here so that positions stay right whichever scanner
 * consumed a newline (blanks and quoted strings both can). */
static void advance(struct condition_lexer *lx, size_t n)
{
	for (size_t i = 0; i < n && lx->off < lx->len; i++) {
		if (lx->text[lx->off] == '\n') {
			lx->line++;
			lx->line_start = lx->off + 1;
		}
		lx->off++;
	}
}

static void take(struct condition_lexer *lx, struct condition_token *tok, size_t n)
{
	tok->off = lx->off;
	tok->len = n;
	tok->pos = condition_lex_pos(lx);
	advance(lx, n);
}

bool condition_lex_skip_blank(struct condition_lexer *lx)
{
	size_t start = lx->off;
	while (lx->off < lx->len && condition_lex_is_blank(lx->text[lx->off]))
		advance(lx, 1);
	return lx->off != start;
}

bool condition_lex_char(struct condition_lexer *lx, char c)
{
	if (lx->off < lx->len && lx->text[lx->off] == c) {
		advance(lx, 1);
		return true;
	}
	return false;
}

/* Length of the word at the cursor as a field name would scan it, so that
 * keywords and identifiers agree on where a word ends. */
static size_t word_len(const struct condition_lexer *lx, bool *has_dot)
{
	size_t n = 0;
	*has_dot = false;
	if (!is_alpha(at(lx, 0)))
		return 0;
	for (;;) {
		while (is_ident_char(at(lx, n)))
			n++;
		/* A dot only belongs to the word when a letter follows it, as in
		 * the regex identifier('.' identifier)+. */
		if (at(lx, n) == '.' && is_alpha(at(lx, n + 1))) {
			*has_dot = true;
			n++;
			continue;
		}
		return n;
	}
}

bool condition_lex_keyword(struct condition_lexer *lx, const char *kw)
{
	bool has_dot;
	size_t n = strlen(kw);
	if (word_len(lx, &has_dot) != n || has_dot || lx->len - lx->off < n ||
	    memcmp(lx->text + lx->off, kw, n) != 0)
		return false;
	advance(lx, n);
	return true;
}

bool condition_lex_word(struct condition_lexer *lx, struct condition_token *tok, bool *has_dot)
{
	size_t n = word_len(lx, has_dot);
	if (n == 0)
		return false;
	take(lx, tok, n);
	return true;
}

bool condition_lex_operator(struct condition_lexer *lx, enum condition_op *op)
{
	enum condition_op found;
	size_t n = condition_op_match_prefix(lx->text + lx->off, lx->len - lx->off, &found);
	if (n == 0)
		return false;
	const char *s = lx->text + lx->off;
	if ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) {
		char next = at(lx, n);
		if (is_ident_char(next) || next == '.')
			return false;
		/* libsinsp spells the string operators with a trailing space
		 * ("contains "), so "contains(" or contains at the end of the
		 * text are not operators. */
		if (condition_op_class(found) == CONDITION_OPCLASS_STRING && !condition_lex_is_blank(next))
			return false;
	}
	*op = found;
	advance(lx, n);
	return true;
}

bool condition_lex_number(struct condition_lexer *lx, struct condition_token *tok)
{
	size_t n = 0;
	if (at(lx, 0) == '0' && (at(lx, 1) == 'x' || at(lx, 1) == 'X') && is_ident_char(at(lx, 2)) &&
	    at(lx, 2) != '_') {
		n = 2;
		while (is_alpha(at(lx, n)) || is_digit(at(lx, n)))
			n++;
	} else {
		if (at(lx, 0) == '+' || at(lx, 0) == '-')
			n++;
		if (!is_digit(at(lx, n)))
			return false;
		while (is_digit(at(lx, n)))
			n++;
		if (at(lx, n) == '.')
			n++;
		while (is_digit(at(lx, n)))
			n++;
		if ((at(lx, n) == 'e' || at(lx, n) == 'E') && (at(lx, n + 1) == '+' || at(lx, n + 1) == '-') &&
		    is_digit(at(lx, n + 2))) {
			n += 2;
			while (is_digit(at(lx, n)))
				n++;
		}
	}
	/* "5abc" is not the number 5 followed by garbage: refuse it whole so
	 * the error points at the value rather than at what follows it. */
	if (condition_lex_is_bare_char(at(lx, n)))
		return false;
	take(lx, tok, n);
	return true;
}

bool condition_lex_bare(struct condition_lexer *lx, struct condition_token *tok)
{
	size_t n = 0;
	while (condition_lex_is_bare_char(at(lx, n)))
		n++;
	if (n == 0)
		return false;
	take(lx, tok, n);
	return true;
}

bool condition_lex_bare_arg(struct condition_lexer *lx, struct condition_token *tok)
{
	size_t n = 0;
	while (condition_lex_is_arg_char(at(lx, n)))
		n++;
	if (n == 0)
		return false;
	take(lx, tok, n);
	return true;
}

char *condition_unescape(const char *body, size_t len, char quote, size_t *bad)
{
	/* Unescaping never lengthens the text. */
	char *out = malloc(len + 1);
	size_t o = 0;
	if (out == NULL) {
		*bad = len;
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		char c = body[i];
		if (c != '\\') {
			out[o++] = c;
			continue;
		}
		if (i + 1 >= len) {
			free(out);
			*bad = i;
			return NULL;
		}
		switch (body[++i]) {
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case ' ': /* libsinsp compatibility quirk, see the header */
		case '\\':
			out[o++] = '\\';
			break;
		case '/':
			out[o++] = '/';
			break;
		case '"':
		case '\'':
			/* Only the delimiter may be escaped, as in libsinsp. */
			if (body[i] != quote) {
				free(out);
				*bad = i - 1;
				return NULL;
			}
			out[o++] = body[i];
			break;
		default:
			free(out);
			*bad = i - 1;
			return NULL;
		}
	}
	out[o] = '\0';
	return out;
}

/* The position of the byte rel bytes past the cursor, without moving it. */
static struct condition_pos pos_ahead(const struct condition_lexer *lx, size_t rel)
{
	struct condition_lexer tmp = *lx;
	advance(&tmp, rel);
	return condition_lex_pos(&tmp);
}

int condition_lex_quoted(struct condition_lexer *lx, char **out, struct condition_pos *pos, char *err,
			 size_t errlen)
{
	char quote = condition_lex_peek(lx);
	size_t n = 1;
	size_t bad;
	char *s;

	if (condition_lex_at_end(lx) || (quote != '"' && quote != '\''))
		return 0;
	*pos = condition_lex_pos(lx);
	/* A backslash always takes the next byte with it, so \\" ends the
	 * string (libsinsp's look-behind scan does not; that is a bug there,
	 * not a behaviour rules depend on). */
	while (lx->off + n < lx->len && lx->text[lx->off + n] != quote) {
		if (lx->text[lx->off + n] == '\\' && lx->off + n + 1 < lx->len)
			n++;
		n++;
	}
	if (lx->off + n >= lx->len) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "unterminated string at " CONDITION_POS_FMT ": missing closing %c",
				 CONDITION_POS_ARGS(*pos), quote);
		return CONDITION_ERR_SYNTAX;
	}
	s = condition_unescape(lx->text + lx->off + 1, n - 1, quote, &bad);
	if (s == NULL) {
		struct condition_pos bp;
		if (bad == n - 1) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "out of memory reading a string at " CONDITION_POS_FMT,
					 CONDITION_POS_ARGS(*pos));
			return CONDITION_ERR_NOMEM;
		}
		bp = pos_ahead(lx, 1 + bad);
		if (err != NULL && errlen > 0) {
			char e = lx->text[lx->off + 1 + bad + 1];
			if (e == '"' || e == '\'')
				snprintf(err, errlen,
					 "invalid escape '\\%c' at " CONDITION_POS_FMT
					 ": only the delimiter %c may be escaped in this string",
					 e, CONDITION_POS_ARGS(bp), quote);
			else if ((unsigned char)e >= 0x20 && (unsigned char)e < 0x7f)
				snprintf(err, errlen,
					 "unsupported escape '\\%c' at " CONDITION_POS_FMT
					 ": expected one of \\b \\f \\n \\r \\t \\\\ \\/ \\%c",
					 e, CONDITION_POS_ARGS(bp), quote);
			else
				snprintf(err, errlen,
					 "unsupported escape (byte 0x%02x) at " CONDITION_POS_FMT
					 ": expected one of \\b \\f \\n \\r \\t \\\\ \\/ \\%c",
					 (unsigned char)e, CONDITION_POS_ARGS(bp), quote);
		}
		return CONDITION_ERR_SYNTAX;
	}
	advance(lx, n + 1);
	*out = s;
	return 1;
}

void condition_lex_describe(const struct condition_lexer *lx, char *buf, size_t n)
{
	enum { MAX_SHOWN = 32 };
	char c = condition_lex_peek(lx);
	size_t len = 0;
	bool has_dot;

	if (n == 0)
		return;
	if (condition_lex_at_end(lx)) {
		snprintf(buf, n, "end of input");
		return;
	}
	if (c == '\0') {
		snprintf(buf, n, "NUL byte");
		return;
	}
	if (is_alpha(c)) {
		/* show the whole run the reader sees as one word ("a-b") */
		len = word_len(lx, &has_dot);
		while (condition_lex_is_bare_char(at(lx, len)))
			len++;
	} else if (c == '"' || c == '\'') {
		len = 1;
		while (at(lx, len) != '\0' && at(lx, len) != c)
			len += at(lx, len) == '\\' && at(lx, len + 1) != '\0' ? 2 : 1;
		if (at(lx, len) == c)
			len++;
	} else if ((c == '<' || c == '>' || c == '=' || c == '!') && at(lx, 1) == '=') {
		len = 2;
	} else if (!condition_lex_is_bare_char(c) || c == '[' || c == ']') {
		len = 1;
	} else {
		while (condition_lex_is_bare_char(at(lx, len)))
			len++;
	}
	if (len > MAX_SHOWN)
		snprintf(buf, n, "'%.*s...'", (int)MAX_SHOWN, lx->text + lx->off);
	else if ((unsigned char)c < 0x20 || (unsigned char)c == 0x7f)
		snprintf(buf, n, "byte 0x%02x", (unsigned char)c);
	else
		snprintf(buf, n, "'%.*s'", (int)len, lx->text + lx->off);
}
