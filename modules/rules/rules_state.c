/* The module's state values: copy, change, name checks, checksums. */

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rules_state.h"

static void rules_file_free(rules_file *f)
{
	free(f->name);
	free(f->content);
}

void rules_state_free(rules_state *s)
{
	for (size_t i = 0; i < s->nfiles; i++)
		rules_file_free(&s->files[i]);
	for (size_t i = 0; i < s->ntoggles; i++)
		free(s->toggles[i].value);
	free(s->files);
	free(s->toggles);
	memset(s, 0, sizeof(*s));
}

static char *rules_state_dup(const char *p, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, p, len);
		d[len] = '\0';
	}
	return d;
}

static int rules_file_copy(rules_file *dst, const rules_file *src)
{
	*dst = *src;
	dst->name = strdup(src->name);
	dst->content = rules_state_dup(src->content, src->len);
	if (!dst->name || !dst->content) {
		rules_file_free(dst);
		return -1;
	}
	return 0;
}

int rules_state_copy(rules_state *dst, const rules_state *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->revision = src->revision;
	if (src->nfiles && !(dst->files = calloc(src->nfiles, sizeof(*dst->files))))
		goto fail;
	for (; dst->nfiles < src->nfiles; dst->nfiles++)
		if (rules_file_copy(&dst->files[dst->nfiles], &src->files[dst->nfiles]) < 0)
			goto fail;
	if (src->ntoggles && !(dst->toggles = calloc(src->ntoggles, sizeof(*dst->toggles))))
		goto fail;
	for (; dst->ntoggles < src->ntoggles; dst->ntoggles++) {
		rules_toggle *t = &dst->toggles[dst->ntoggles];
		*t = src->toggles[dst->ntoggles];
		if (!(t->value = strdup(t->value)))
			goto fail;
	}
	return 0;
fail:
	rules_state_free(dst);
	return -1;
}

const rules_file *rules_state_find(const rules_state *s, const char *name)
{
	for (size_t i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].name, name) == 0)
			return &s->files[i];
	return NULL;
}

int rules_state_put(rules_state *s, const char *name, const char *content, size_t len, uint64_t revision)
{
	rules_file f = {.len = len, .revision = revision};
	f.content = rules_state_dup(content, len);
	f.name = strdup(name);
	if (!f.content || !f.name || rules_state_sha256(content, len, f.sha256) < 0) {
		rules_file_free(&f);
		return -1;
	}
	size_t i = 0;
	while (i < s->nfiles && strcmp(s->files[i].name, name) < 0)
		i++;
	if (i < s->nfiles && strcmp(s->files[i].name, name) == 0) {
		rules_file_free(&s->files[i]);
		s->files[i] = f;
		return 0;
	}
	rules_file *n = realloc(s->files, (s->nfiles + 1) * sizeof(*n));
	if (!n) {
		rules_file_free(&f);
		return -1;
	}
	s->files = n;
	memmove(&n[i + 1], &n[i], (s->nfiles - i) * sizeof(*n));
	n[i] = f;
	s->nfiles++;
	return 0;
}

int rules_state_remove(rules_state *s, const char *name)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		if (strcmp(s->files[i].name, name) == 0) {
			rules_file_free(&s->files[i]);
			memmove(&s->files[i], &s->files[i + 1], (s->nfiles - i - 1) * sizeof(*s->files));
			s->nfiles--;
			return 0;
		}
	}
	return -1;
}

int rules_state_toggle(rules_state *s, bool enable, bool by_tag, const char *value)
{
	char *v = strdup(value);
	rules_toggle *n = v ? realloc(s->toggles, (s->ntoggles + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(v);
		return -1;
	}
	s->toggles = n;
	for (size_t i = 0; i < s->ntoggles; i++) {
		if (n[i].by_tag == by_tag && strcmp(n[i].value, value) == 0) {
			free(n[i].value);
			memmove(&n[i], &n[i + 1], (s->ntoggles - i - 1) * sizeof(*n));
			s->ntoggles--;
			break;
		}
	}
	n[s->ntoggles++] = (rules_toggle){.enable = enable, .by_tag = by_tag, .value = v};
	return 0;
}

bool rules_state_valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n <= 5 || n > 200 || name[0] == '.' || strcmp(name + n - 5, ".yaml") != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool rules_state_valid_value(const char *value)
{
	size_t n = strlen(value);
	if (n == 0 || n > 1024)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return false;
	return true;
}

int rules_state_sha256(const void *data, size_t len, char out[RULES_SHA256_HEX])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	if (EVP_Digest(data, len, d, &dlen, EVP_sha256(), NULL) != 1 || dlen != 32)
		return -1;
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < dlen; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
	return 0;
}
