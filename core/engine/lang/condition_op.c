#include "engine/lang/condition_op.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#define FAM(f) (1u << CONDITION_OPFAM_##f)
#define FAM_ALL (FAM(STRING) | FAM(BUFFER) | FAM(NUMERIC) | FAM(NET) | FAM(OTHER))
#define FAM_TEXT (FAM(STRING) | FAM(BUFFER))

static const struct condition_op_info condition_op_table[CONDITION_OP__COUNT] = {
	[CONDITION_OP_EQ] = {"=", "==", CONDITION_OPCLASS_STRING, true, FAM_ALL},
	[CONDITION_OP_NE] = {"!=", NULL, CONDITION_OPCLASS_STRING, true, FAM_ALL},
	[CONDITION_OP_LT] = {"<", NULL, CONDITION_OPCLASS_NUMERIC, true, FAM(STRING) | FAM(NUMERIC)},
	[CONDITION_OP_LE] = {"<=", NULL, CONDITION_OPCLASS_NUMERIC, true, FAM(STRING) | FAM(NUMERIC)},
	[CONDITION_OP_GT] = {">", NULL, CONDITION_OPCLASS_NUMERIC, true, FAM(STRING) | FAM(NUMERIC)},
	[CONDITION_OP_GE] = {">=", NULL, CONDITION_OPCLASS_NUMERIC, true, FAM(STRING) | FAM(NUMERIC)},
	[CONDITION_OP_CONTAINS] = {"contains", NULL, CONDITION_OPCLASS_STRING, true, FAM_TEXT},
	[CONDITION_OP_ICONTAINS] = {"icontains", NULL, CONDITION_OPCLASS_STRING, true, FAM(STRING)},
	[CONDITION_OP_BCONTAINS] = {"bcontains", NULL, CONDITION_OPCLASS_STRING, false, FAM_TEXT},
	[CONDITION_OP_STARTSWITH] = {"startswith", NULL, CONDITION_OPCLASS_STRING, true, FAM_TEXT},
	[CONDITION_OP_BSTARTSWITH] = {"bstartswith", NULL, CONDITION_OPCLASS_STRING, false, FAM_TEXT},
	[CONDITION_OP_ENDSWITH] = {"endswith", NULL, CONDITION_OPCLASS_STRING, true, FAM_TEXT},
	[CONDITION_OP_GLOB] = {"glob", NULL, CONDITION_OPCLASS_STRING, true, FAM(STRING)},
	[CONDITION_OP_IN] = {"in", NULL, CONDITION_OPCLASS_LIST, true, FAM_ALL},
	[CONDITION_OP_INTERSECTS] = {"intersects", NULL, CONDITION_OPCLASS_LIST, true, FAM_ALL},
	[CONDITION_OP_PMATCH] = {"pmatch", NULL, CONDITION_OPCLASS_LIST, true, FAM_TEXT},
	[CONDITION_OP_EXISTS] = {"exists", NULL, CONDITION_OPCLASS_UNARY, false, FAM_ALL},
};

const struct condition_op_info *condition_op_info(enum condition_op op)
{
	if ((unsigned)op >= CONDITION_OP__COUNT)
		return NULL;
	return &condition_op_table[op];
}

const char *condition_op_to_string(enum condition_op op)
{
	const struct condition_op_info *i = condition_op_info(op);
	return i ? i->name : NULL;
}

bool condition_op_from_string(const char *s, enum condition_op *op)
{
	if (s == NULL)
		return false;
	for (unsigned i = 0; i < CONDITION_OP__COUNT; i++) {
		const struct condition_op_info *r = &condition_op_table[i];
		if (strcmp(s, r->name) == 0 || (r->alias && strcmp(s, r->alias) == 0)) {
			*op = (enum condition_op)i;
			return true;
		}
	}
	return false;
}

static size_t condition_op_prefix_len(const char *text, size_t len, const char *spelling)
{
	size_t n = spelling ? strlen(spelling) : 0;
	return n && n <= len && memcmp(text, spelling, n) == 0 ? n : 0;
}

size_t condition_op_match_prefix(const char *text, size_t len, enum condition_op *op)
{
	size_t best = 0;
	for (unsigned i = 0; i < CONDITION_OP__COUNT; i++) {
		const struct condition_op_info *r = &condition_op_table[i];
		size_t n = condition_op_prefix_len(text, len, r->name);
		size_t a = condition_op_prefix_len(text, len, r->alias);
		if (a > n)
			n = a;
		if (n > best) {
			best = n;
			*op = (enum condition_op)i;
		}
	}
	return best;
}

size_t condition_op_list_text(char *buf, size_t cap)
{
	size_t len = 0;
	for (unsigned i = 0; i < CONDITION_OP__COUNT; i++) {
		const char *sp[2] = {condition_op_table[i].name, condition_op_table[i].alias};
		for (unsigned k = 0; k < 2 && sp[k]; k++) {
			int n = snprintf(buf ? buf + (len < cap ? len : cap) : NULL, len < cap ? cap - len : 0, "%s%s",
					 len ? ", " : "", sp[k]);
			len += n > 0 ? (size_t)n : 0;
		}
	}
	if (buf && cap && len == 0)
		buf[0] = '\0';
	return len;
}

enum condition_op_class condition_op_class(enum condition_op op)
{
	const struct condition_op_info *i = condition_op_info(op);
	return i ? i->cls : CONDITION_OPCLASS_STRING;
}

bool condition_op_is_list(enum condition_op op)
{
	return condition_op_class(op) == CONDITION_OPCLASS_LIST;
}

bool condition_op_allowed(enum condition_op op, enum condition_op_family fam)
{
	const struct condition_op_info *i = condition_op_info(op);
	return i && (unsigned)fam < 32 && (i->families & (1u << fam)) != 0;
}

bool condition_op_compare_string(enum condition_op op, const char *lhs, const char *rhs)
{
	switch (op) {
	case CONDITION_OP_EQ:
		return strcmp(lhs, rhs) == 0;
	case CONDITION_OP_NE:
		return strcmp(lhs, rhs) != 0;
	case CONDITION_OP_LT:
		return strcmp(lhs, rhs) < 0;
	case CONDITION_OP_LE:
		return strcmp(lhs, rhs) <= 0;
	case CONDITION_OP_GT:
		return strcmp(lhs, rhs) > 0;
	case CONDITION_OP_GE:
		return strcmp(lhs, rhs) >= 0;
	case CONDITION_OP_CONTAINS:
	case CONDITION_OP_BCONTAINS:
		return strstr(lhs, rhs) != NULL;
	case CONDITION_OP_ICONTAINS:
		return strcasestr(lhs, rhs) != NULL;
	case CONDITION_OP_STARTSWITH:
	case CONDITION_OP_BSTARTSWITH:
		return strncmp(lhs, rhs, strlen(rhs)) == 0;
	case CONDITION_OP_ENDSWITH: {
		size_t l = strlen(lhs), r = strlen(rhs);
		return r <= l && memcmp(lhs + l - r, rhs, r) == 0;
	}
	case CONDITION_OP_GLOB:
		return fnmatch(rhs, lhs, 0) == 0;
	default:
		return false;
	}
}

bool condition_op_compare_buffer(enum condition_op op, const void *lhs, size_t lhslen, const void *rhs,
				 size_t rhslen)
{
	switch (op) {
	case CONDITION_OP_EQ:
		return lhslen == rhslen && memcmp(lhs, rhs, lhslen) == 0;
	case CONDITION_OP_NE:
		return lhslen != rhslen || memcmp(lhs, rhs, lhslen) != 0;
	case CONDITION_OP_CONTAINS:
	case CONDITION_OP_BCONTAINS:
		return memmem(lhs, lhslen, rhs, rhslen) != NULL;
	case CONDITION_OP_STARTSWITH:
	case CONDITION_OP_BSTARTSWITH:
		return rhslen <= lhslen && memcmp(lhs, rhs, rhslen) == 0;
	case CONDITION_OP_ENDSWITH:
		return rhslen <= lhslen && memcmp((const char *)lhs + lhslen - rhslen, rhs, rhslen) == 0;
	default:
		return false;
	}
}

#define CONDITION_OP_ORDERED(op, a, b)                                                                         \
	switch (op) {                                                                                          \
	case CONDITION_OP_EQ:                                                                                  \
		return (a) == (b);                                                                             \
	case CONDITION_OP_NE:                                                                                  \
		return (a) != (b);                                                                             \
	case CONDITION_OP_LT:                                                                                  \
		return (a) < (b);                                                                              \
	case CONDITION_OP_LE:                                                                                  \
		return (a) <= (b);                                                                             \
	case CONDITION_OP_GT:                                                                                  \
		return (a) > (b);                                                                              \
	case CONDITION_OP_GE:                                                                                  \
		return (a) >= (b);                                                                             \
	default:                                                                                               \
		return false;                                                                                  \
	}

bool condition_op_compare_int64(enum condition_op op, int64_t lhs, int64_t rhs)
{
	CONDITION_OP_ORDERED(op, lhs, rhs)
}

bool condition_op_compare_uint64(enum condition_op op, uint64_t lhs, uint64_t rhs)
{
	CONDITION_OP_ORDERED(op, lhs, rhs)
}

bool condition_op_compare_double(enum condition_op op, double lhs, double rhs)
{
	CONDITION_OP_ORDERED(op, lhs, rhs)
}

/* The next non-empty '/'-separated component at or after *p: sets *start
 * and returns its length, 0 at the end of the text. */
static size_t condition_op_component(const char **p, const char **start)
{
	while (**p == '/')
		(*p)++;
	*start = *p;
	while (**p && **p != '/')
		(*p)++;
	return (size_t)(*p - *start);
}

bool condition_op_pmatch(const char *path, const char *prefix)
{
	const char *a = path, *b = prefix, *sa, *sb;
	size_t nb = condition_op_component(&b, &sb);
	if (nb == 0)
		return false;
	while (nb) {
		size_t na = condition_op_component(&a, &sa);
		if (na != nb || memcmp(sa, sb, na) != 0)
			return false;
		nb = condition_op_component(&b, &sb);
	}
	return true;
}

static int condition_op_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long condition_op_hex_decode(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = condition_op_hexval(hex[i]), lo = condition_op_hexval(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		if (i / 2 < cap)
			out[i / 2] = (unsigned char)(hi * 16 + lo);
	}
	return (long)(n / 2);
}
