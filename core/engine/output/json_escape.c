#include "engine/output/json_escape.h"

#include <stdint.h>

/* Decodes one UTF-8 sequence at *p; advances *p. Returns U+FFFD for bytes
 * that are not valid UTF-8. */
static uint32_t json_escape_utf8(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t cp;
	int extra;
	if (s[0] < 0xC2 || s[0] > 0xF4) {
		*p += 1;
		return 0xFFFD;
	}
	if (s[0] < 0xE0) {
		cp = s[0] & 0x1F;
		extra = 1;
	} else if (s[0] < 0xF0) {
		cp = s[0] & 0x0F;
		extra = 2;
	} else {
		cp = s[0] & 0x07;
		extra = 3;
	}
	for (int i = 1; i <= extra; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*p += 1;
			return 0xFFFD;
		}
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	*p += 1 + extra;
	return cp;
}

void json_escape_ascii(FILE *out, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", out);
		break;
	case '\\':
		fputs("\\\\", out);
		break;
	case '\b':
		fputs("\\b", out);
		break;
	case '\f':
		fputs("\\f", out);
		break;
	case '\n':
		fputs("\\n", out);
		break;
	case '\r':
		fputs("\\r", out);
		break;
	case '\t':
		fputs("\\t", out);
		break;
	default:
		if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			putc(c, out);
	}
}

void json_escape_write(FILE *out, const char *str)
{
	const unsigned char *p = (const unsigned char *)str;
	putc('"', out);
	while (*p) {
		unsigned char c = *p;
		if (c < 0x80) {
			p++;
			json_escape_ascii(out, c);
			continue;
		}
		uint32_t cp = json_escape_utf8(&p);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			fprintf(out, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
		} else {
			fprintf(out, "\\u%04x", cp);
		}
	}
	putc('"', out);
}
