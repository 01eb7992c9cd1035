#include "engine/engine_fields.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int engine_fields_list(const backend_registry *r, engine_field **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	size_t total = 0;
	for (size_t k = 0; k < backend_registry_count(r); k++) {
		const backend *b = backend_registry_at(r, k);
		for (size_t i = 0; i < b->fieldclass_count(b->ctx); i++) {
			backend_fieldclass fc;
			if (b->fieldclass_get(b->ctx, i, &fc) == BACKEND_OK)
				total += fc.nfields;
		}
	}
	engine_field *f = calloc(total ? total : 1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t m = 0;
	for (size_t k = 0; k < backend_registry_count(r); k++) {
		const backend *b = backend_registry_at(r, k);
		for (size_t i = 0; i < b->fieldclass_count(b->ctx); i++) {
			backend_fieldclass fc;
			if (b->fieldclass_get(b->ctx, i, &fc) != BACKEND_OK)
				continue;
			for (size_t j = 0; j < fc.nfields && m < total; j++) {
				backend_field bf;
				if (b->field_get(b->ctx, i, j, &bf) == BACKEND_OK)
					f[m++] = (engine_field){.source = b->source, .name = bf.name, .type = bf.type};
			}
		}
	}
	*out = f;
	*n = m;
	return 0;
}

static int engine_fields_cmp(const void *a, const void *b)
{
	const engine_field *x = a, *y = b;
	int c = strcmp(x->source, y->source);
	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->type, y->type);
	return c;
}

int engine_fields_checksum(engine_field *fields, size_t n, char out[ENGINE_FIELDS_CHECKSUM_SIZE], char *err,
			   size_t errlen)
{
	out[0] = '\0';
	if (n)
		qsort(fields, n, sizeof(*fields), engine_fields_cmp);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		snprintf(err, errlen, "cannot start a SHA-256 digest");
		return -1;
	}
	int ok = 1;
	for (size_t i = 0; i < n && ok; i++) {
		if (i && engine_fields_cmp(&fields[i - 1], &fields[i]) == 0)
			continue;
		/* Each string with its NUL: no two different lists hash the same
		 * bytes ("a" "bc" vs "ab" "c"). */
		const char *parts[] = {fields[i].source, fields[i].name, fields[i].type};
		for (size_t p = 0; p < 3 && ok; p++)
			ok = EVP_DigestUpdate(md, parts[p], strlen(parts[p]) + 1) == 1;
	}
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	if (ok)
		ok = EVP_DigestFinal_ex(md, digest, &dlen) == 1 && dlen * 2 + 1 == ENGINE_FIELDS_CHECKSUM_SIZE;
	EVP_MD_CTX_free(md);
	if (!ok) {
		snprintf(err, errlen, "SHA-256 digest failed");
		return -1;
	}
	for (unsigned int i = 0; i < dlen; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

static char engine_fields_builtin[ENGINE_FIELDS_CHECKSUM_SIZE];
static pthread_once_t engine_fields_once = PTHREAD_ONCE_INIT;

static void engine_fields_compute_builtin(void)
{
	char err[512];
	engine_field *f = NULL;
	size_t n = 0;
	backend_opts o = {0};
	backend_registry *r = backend_registry_new();
	if (r && backend_registry_add_builtins(r, &o, NULL, 0, err, sizeof(err)) == BACKEND_OK &&
	    engine_fields_list(r, &f, &n, err, sizeof(err)) == 0 &&
	    engine_fields_checksum(f, n, engine_fields_builtin, err, sizeof(err)) < 0)
		engine_fields_builtin[0] = '\0';
	free(f);
	backend_registry_free(r);
}

const char *engine_fields_checksum_builtin(void)
{
	pthread_once(&engine_fields_once, engine_fields_compute_builtin);
	return engine_fields_builtin;
}
