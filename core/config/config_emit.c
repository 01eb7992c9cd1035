#include "config/config_emit.h"

#include <stdbool.h>
#include <string.h>

/* True when the scalar must be quoted to be read back as the same string
 * (an empty one, indicators, ": " or " #", leading/trailing space, a
 * quoted original). Plain scalars that look like numbers or booleans stay
 * plain: the key's type decides how they are read. */
static bool config_emit_needs_quotes(const config_node *n)
{
	const char *s = n->scalar;
	if (n->quoted || !*s)
		return true;
	if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) && !(s[0] == '-' && s[1] && s[1] != ' '))
		return true;
	if (s[0] == ' ' || s[strlen(s) - 1] == ' ')
		return true;
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == ',' || *p == '[' || *p == ']' || *p == '{' || *p == '}')
			return true;
		if ((p[0] == ':' && (p[1] == ' ' || !p[1])) || (p[0] == ' ' && p[1] == '#'))
			return true;
	}
	return false;
}

static void config_emit_scalar(strbuf *b, const config_node *n)
{
	if (!config_emit_needs_quotes(n)) {
		strbuf_add(b, n->scalar);
		return;
	}
	strbuf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)n->scalar; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_addf(b, "\\%c", *p);
		else if (*p == '\n')
			strbuf_add(b, "\\n");
		else if (*p == '\t')
			strbuf_add(b, "\\t");
		else if (*p < 0x20)
			strbuf_addf(b, "\\x%02x", *p);
		else
			strbuf_addc(b, (char)*p);
	}
	strbuf_addc(b, '"');
}

static void config_emit_key(strbuf *b, const char *key)
{
	config_node k = {.kind = CONFIG_SCALAR, .scalar = (char *)key};
	config_emit_scalar(b, &k);
}

void config_emit_flow(strbuf *b, const config_node *n)
{
	if (n->kind == CONFIG_SCALAR) {
		config_emit_scalar(b, n);
		return;
	}
	strbuf_addc(b, n->kind == CONFIG_MAP ? '{' : '[');
	for (size_t i = 0; i < n->count; i++) {
		if (i)
			strbuf_add(b, ", ");
		if (n->kind == CONFIG_MAP) {
			config_emit_key(b, n->pairs[i].key);
			strbuf_add(b, ": ");
			config_emit_flow(b, n->pairs[i].value);
		} else {
			config_emit_flow(b, n->items[i]);
		}
	}
	strbuf_addc(b, n->kind == CONFIG_MAP ? '}' : ']');
}

static void config_emit_map(strbuf *b, const config_node *n, size_t indent)
{
	for (size_t i = 0; i < n->count; i++) {
		const config_node *v = n->pairs[i].value;
		strbuf_pad(b, ' ', indent);
		config_emit_key(b, n->pairs[i].key);
		strbuf_addc(b, ':');
		if (v->kind == CONFIG_MAP && v->count) {
			strbuf_addc(b, '\n');
			config_emit_map(b, v, indent + 2);
			continue;
		}
		strbuf_addc(b, ' ');
		config_emit_flow(b, v);
		strbuf_addc(b, '\n');
	}
}

void config_emit_block(strbuf *b, const config_node *n)
{
	if (n->kind == CONFIG_MAP && n->count) {
		config_emit_map(b, n, 0);
		return;
	}
	config_emit_flow(b, n);
	strbuf_addc(b, '\n');
}
