#include "engine/backends/json/json_dump.h"

#include "engine/output/json_escape.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void json_dump_string(FILE *out, const char *s)
{
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* the bytes written as they are, in one run */
		const unsigned char *run = p;
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), out);
		if (!*p)
			break;
		json_escape_ascii(out, *p); /* a byte the run stopped at: below 0x80 */
	}
	putc('"', out);
}

/* nlohmann prints a double with the fewest digits that read back the same,
 * as d.ddde+XX outside 1e-5 .. 1e15, and with ".0" when integral. */
static void json_dump_double(FILE *out, double d)
{
	if (!isfinite(d)) {
		fputs("null", out);
		return;
	}
	if (d == 0) {
		fputs(signbit(d) ? "-0.0" : "0.0", out);
		return;
	}
	char digits[40];
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, d);
		if (strtod(digits, NULL) == d)
			break;
	}
	/* digits: [-]D.DDDe[+-]XX */
	char *e = strchr(digits, 'e');
	int exp10 = atoi(e + 1);
	*e = 0;
	char mant[40];
	size_t nm = 0;
	bool neg = digits[0] == '-';
	for (char *c = digits + neg; *c; c++)
		if (*c != '.')
			mant[nm++] = *c;
	mant[nm] = 0;
	int n = (int)nm, k = exp10 + 1; /* value = 0.mant * 10^k */
	if (neg)
		putc('-', out);
	if (k >= n && k <= 15) {
		fputs(mant, out);
		for (int z = n; z < k; z++)
			putc('0', out);
		fputs(".0", out);
	} else if (k > 0 && k <= 15) {
		fprintf(out, "%.*s.%s", k, mant, mant + k);
	} else if (k > -5 && k <= 0) {
		fputs("0.", out);
		for (int z = k; z < 0; z++)
			putc('0', out);
		fputs(mant, out);
	} else {
		fprintf(out, "%c", mant[0]);
		if (n > 1)
			fprintf(out, ".%s", mant + 1);
		fprintf(out, "e%c%02d", k - 1 < 0 ? '-' : '+', abs(k - 1));
	}
}

bool json_dump_is_integer(const cJSON *v)
{
	double d = v->valuedouble;
	return d == floor(d) && fabs(d) < 9007199254740992.0;
}

static void json_dump_number(FILE *out, const cJSON *v)
{
	double d = v->valuedouble;
	if (json_dump_is_integer(v))
		fprintf(out, "%lld", (long long)d);
	else
		json_dump_double(out, d);
}

void json_dump_write(FILE *out, const cJSON *v)
{
	if (!v) {
		fputs("null", out);
		return;
	}
	if (cJSON_IsString(v)) {
		json_dump_string(out, v->valuestring ? v->valuestring : "");
	} else if (cJSON_IsNumber(v)) {
		json_dump_number(out, v);
	} else if (cJSON_IsTrue(v)) {
		fputs("true", out);
	} else if (cJSON_IsFalse(v)) {
		fputs("false", out);
	} else if (cJSON_IsArray(v)) {
		putc('[', out);
		for (const cJSON *c = v->child; c; c = c->next) {
			if (c != v->child)
				putc(',', out);
			json_dump_write(out, c);
		}
		putc(']', out);
	} else if (cJSON_IsObject(v)) {
		size_t n = 0;
		const cJSON **m = json_doc_sorted_members(v, &n);
		putc('{', out);
		for (size_t i = 0; i < n; i++) {
			if (i)
				putc(',', out);
			json_dump_string(out, m[i]->string);
			putc(':', out);
			json_dump_write(out, m[i]);
		}
		putc('}', out);
		free(m);
	} else {
		fputs("null", out);
	}
}

char *json_dump_as_string(const cJSON *v)
{
	if (cJSON_IsString(v))
		return strdup(v->valuestring ? v->valuestring : "");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	json_dump_write(m, v);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
