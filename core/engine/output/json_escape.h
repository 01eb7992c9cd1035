#ifndef FAPI_ENGINE_JSON_ESCAPE_H
#define FAPI_ENGINE_JSON_ESCAPE_H

#include <stdio.h>

/* Writes s as a JSON string literal (with the quotes) the way jsoncpp 1.9's
 * writers do, which is what Falco 0.31's json_output uses: ", \ and control
 * characters escaped (\b \f \n \r \t, else \u00XX) and every non-ASCII
 * character as a \u escape of four hex digits (UTF-16, surrogate pairs above U+FFFF); invalid UTF-8
 * bytes become U+FFFD. */
void json_escape_write(FILE *out, const char *s);

/* Writes one ASCII character (c < 0x80) as jsoncpp and nlohmann both write
 * it inside a string literal: ", \ and control characters escaped, the
 * others as they are. */
void json_escape_ascii(FILE *out, unsigned char c);

#endif
