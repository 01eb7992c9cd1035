/* The manifest's text form (see rules_manifest.h). */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_manifest.h"

#define RULES_MANIFEST_HEADER "# falco-apid rules state: written by the rules module; do not edit\n"

void rules_manifest_blob_name(const char sha256[RULES_SHA256_HEX], char *out, size_t outlen)
{
	snprintf(out, outlen, "api-%s.yaml", sha256);
}

int rules_manifest_format(const rules_state *s, char **out, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		return -1;
	fputs(RULES_MANIFEST_HEADER, f);
	fprintf(f, "format 1\nrevision %" PRIu64 "\n", s->revision);
	for (size_t i = 0; i < s->nfiles; i++) {
		const rules_file *rf = &s->files[i];
		fprintf(f, "file %" PRIu64 " %zu %s %s\n", rf->revision, rf->len, rf->sha256, rf->name);
	}
	for (size_t i = 0; i < s->ntoggles; i++) {
		const rules_toggle *t = &s->toggles[i];
		fprintf(f, "toggle %s %s %s\n", t->enable ? "enable" : "disable", t->by_tag ? "tag" : "rule", t->value);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -1;
	}
	char sum[RULES_SHA256_HEX];
	char *all = NULL;
	if (rules_state_sha256(buf, n, sum) < 0 || !(all = malloc(n + 4 + 64 + 2))) {
		free(buf);
		return -1;
	}
	memcpy(all, buf, n);
	int k = sprintf(all + n, "end %s\n", sum);
	free(buf);
	*out = all;
	*len = n + (size_t)k;
	return 0;
}

static int rules_manifest_fail(rules_state *out, char *err, size_t errlen, unsigned line, const char *why)
{
	rules_state_free(out);
	snprintf(err, errlen, "line %u: %s", line, why);
	return -1;
}

static int rules_manifest_u64(const char *p, char **end, uint64_t *v)
{
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(p, end, 10);
	if (errno || **end != ' ')
		return -1;
	*v = x;
	return 0;
}

static int rules_manifest_hex(const char *p)
{
	for (int i = 0; i < 64; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return -1;
	return p[64] == ' ' || p[64] == '\0' ? 0 : -1;
}

static int rules_manifest_file(rules_state *out, char *l)
{
	uint64_t rev, size;
	char *p;
	if (rules_manifest_u64(l, &p, &rev) < 0 || rules_manifest_u64(p + 1, &p, &size) < 0)
		return -1;
	p++;
	if (rules_manifest_hex(p) < 0 || p[64] != ' ' || !rules_state_valid_name(p + 65) ||
	    rules_state_find(out, p + 65))
		return -1;
	if (out->nfiles && strcmp(out->files[out->nfiles - 1].name, p + 65) >= 0)
		return -1; /* written in name order: anything else is not ours */
	rules_file *n = realloc(out->files, (out->nfiles + 1) * sizeof(*n));
	if (!n)
		return -1;
	out->files = n;
	rules_file *f = &n[out->nfiles];
	memset(f, 0, sizeof(*f));
	if (!(f->name = strdup(p + 65)))
		return -1;
	memcpy(f->sha256, p, 64);
	f->revision = rev;
	f->len = (size_t)size;
	out->nfiles++;
	return 0;
}

static int rules_manifest_toggle(rules_state *out, const char *l)
{
	bool enable;
	if (strncmp(l, "enable ", 7) == 0)
		enable = true, l += 7;
	else if (strncmp(l, "disable ", 8) == 0)
		enable = false, l += 8;
	else
		return -1;
	bool by_tag;
	if (strncmp(l, "tag ", 4) == 0)
		by_tag = true;
	else if (strncmp(l, "rule ", 5) == 0)
		by_tag = false;
	else
		return -1;
	l += by_tag ? 4 : 5;
	if (!rules_state_valid_value(l))
		return -1;
	return rules_state_toggle(out, enable, by_tag, l);
}

int rules_manifest_parse(const char *text, size_t len, rules_state *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len))
		return rules_manifest_fail(out, err, errlen, 1, "a NUL byte");
	char *copy = malloc(len + 1);
	if (!copy)
		return rules_manifest_fail(out, err, errlen, 0, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	unsigned line = 0;
	bool seen_format = false, seen_revision = false, ended = false;
	char *p = copy;
	const char *why = NULL;
	while (*p && !why) {
		char *l = p;
		char *nl = strchr(p, '\n');
		line++;
		if (!nl) {
			why = "the last line has no newline: not a whole manifest";
			break;
		}
		*nl = '\0';
		p = nl + 1;
		if (ended) {
			why = "text after the end line";
		} else if (l[0] == '#') {
			continue;
		} else if (strncmp(l, "end ", 4) == 0) {
			char sum[RULES_SHA256_HEX];
			if (rules_manifest_hex(l + 4) < 0 || l[68] != '\0')
				why = "malformed end line";
			else if (rules_state_sha256(text, (size_t)(l - copy), sum) < 0 || strcmp(sum, l + 4) != 0)
				why = "checksum mismatch: not the manifest the module wrote";
			ended = true;
		} else if (strcmp(l, "format 1") == 0) {
			seen_format = true;
		} else if (strncmp(l, "revision ", 9) == 0 && !seen_revision) {
			char *e;
			errno = 0;
			out->revision = strtoull(l + 9, &e, 10);
			if (errno || *e || l[9] < '0' || l[9] > '9' || out->revision == 0)
				why = "malformed revision";
			seen_revision = true;
		} else if (strncmp(l, "file ", 5) == 0) {
			if (rules_manifest_file(out, l + 5) < 0)
				why = "malformed file line";
		} else if (strncmp(l, "toggle ", 7) == 0) {
			if (rules_manifest_toggle(out, l + 7) < 0)
				why = "malformed toggle line";
		} else {
			why = "unknown line";
		}
	}
	free(copy);
	if (!why && (!seen_format || !seen_revision || !ended))
		why = !seen_format ? "no format line (format 1)" : !seen_revision ? "no revision line" : "no end line";
	if (why)
		return rules_manifest_fail(out, err, errlen, line, why);
	return 0;
}
