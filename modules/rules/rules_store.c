/* The state directory: blobs and the manifest (see rules_store.h). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules_manifest.h"
#include "rules_store.h"

int rules_store_prepare(const rules_store *st, char *err, size_t errlen)
{
	return st->host->state_dir_prepare(st->ctx, st->dir, err, errlen);
}

int rules_store_read_path(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen)
{
	*data = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return FAPI_ENOTFOUND;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return FAPI_EIO;
	}
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
		snprintf(err, errlen, "%s: %s", path, !S_ISREG(sb.st_mode) ? "not a regular file" : "too large");
		close(fd);
		return FAPI_EIO;
	}
	size_t n = (size_t)sb.st_size;
	char *buf = malloc(n + 1);
	size_t got = 0;
	while (buf && got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!buf || got != n) {
		snprintf(err, errlen, "cannot read %s: %s", path, buf ? "short read" : "out of memory");
		free(buf);
		return FAPI_EIO;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return FAPI_OK;
}

static int rules_store_read(const rules_store *st, const char *name, size_t max, char **data, size_t *len,
			    char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", st->dir, name);
	return rules_store_read_path(path, max, data, len, err, errlen);
}

/* The largest manifest accepted: far beyond any real one. */
#define RULES_STORE_MAX_MANIFEST (16u << 20)
#define RULES_STORE_MAX_BLOB ((size_t)1 << 30)

int rules_store_load(const rules_store *st, rules_state *out, bool *found, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	*found = false;
	char *text;
	size_t len;
	char why[FAPI_ERRBUF_SIZE];
	int rc = rules_store_read(st, RULES_MANIFEST_NAME, RULES_STORE_MAX_MANIFEST, &text, &len, err, errlen);
	if (rc == FAPI_ENOTFOUND) {
		out->revision = 1;
		return FAPI_OK;
	}
	if (rc != FAPI_OK)
		return rc;
	rc = rules_manifest_parse(text, len, out, why, sizeof(why));
	free(text);
	if (rc < 0) {
		snprintf(err, errlen, "%s/%s: %s", st->dir, RULES_MANIFEST_NAME, why);
		return FAPI_EINVAL;
	}
	for (size_t i = 0; i < out->nfiles; i++) {
		rules_file *f = &out->files[i];
		char blob[128], sum[RULES_SHA256_HEX];
		rules_manifest_blob_name(f->sha256, blob, sizeof(blob));
		size_t want = f->len;
		rc = rules_store_read(st, blob, want < RULES_STORE_MAX_BLOB ? want : RULES_STORE_MAX_BLOB, &f->content,
				      &f->len, why, sizeof(why));
		if (rc == FAPI_ENOTFOUND)
			snprintf(why, sizeof(why), "%s/%s is missing", st->dir, blob);
		else if (rc == FAPI_OK && (f->len != want || rules_state_sha256(f->content, f->len, sum) < 0 ||
					   strcmp(sum, f->sha256) != 0))
			snprintf(why, sizeof(why), "%s/%s does not match its sha256", st->dir, blob), rc = FAPI_EIO;
		if (rc != FAPI_OK) {
			snprintf(err, errlen, "API rules file %s: %s", f->name, why);
			rules_state_free(out);
			return FAPI_EIO;
		}
	}
	*found = true;
	return FAPI_OK;
}

static bool rules_store_has_sha(const rules_state *s, const char *sha)
{
	for (size_t i = 0; s && i < s->nfiles; i++)
		if (strcmp(s->files[i].sha256, sha) == 0)
			return true;
	return false;
}

static bool rules_store_has_sha_before(const rules_state *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(s->files[j].sha256, s->files[i].sha256) == 0)
			return true;
	return false;
}

/* Removes the blobs `s` names that `keep` does not (best effort: a blob
 * left behind is swept at the next start). */
static void rules_store_drop(const rules_store *st, const rules_state *s, const rules_state *keep)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		const char *sha = s->files[i].sha256;
		if (rules_store_has_sha(keep, sha))
			continue;
		char blob[128], err[FAPI_ERRBUF_SIZE];
		rules_manifest_blob_name(sha, blob, sizeof(blob));
		if (st->host->state_remove(st->ctx, st->dir, blob, err, sizeof(err)) != FAPI_OK)
			st->host->log(st->ctx, FAPI_LOG_WARNING, "%s", err);
	}
}

int rules_store_commit(const rules_store *st, const rules_state *prev, const rules_state *next, char *err,
		       size_t errlen)
{
	int rc = FAPI_OK;
	for (size_t i = 0; i < next->nfiles && rc == FAPI_OK; i++) {
		const rules_file *f = &next->files[i];
		if (rules_store_has_sha(prev, f->sha256) || rules_store_has_sha_before(next, i))
			continue;
		char blob[128];
		rules_manifest_blob_name(f->sha256, blob, sizeof(blob));
		rc = st->host->state_write(st->ctx, st->dir, blob, f->content, f->len, err, errlen);
	}
	char *m = NULL;
	size_t mlen = 0;
	if (rc == FAPI_OK && rules_manifest_format(next, &m, &mlen) < 0) {
		snprintf(err, errlen, "out of memory");
		rc = FAPI_ENOMEM;
	}
	if (rc == FAPI_OK)
		rc = st->host->state_write(st->ctx, st->dir, RULES_MANIFEST_NAME, m, mlen, err, errlen);
	free(m);
	if (rc != FAPI_OK) {
		rules_store_drop(st, next, prev);
		return rc;
	}
	if (prev)
		rules_store_drop(st, prev, next);
	return FAPI_OK;
}

void rules_store_sweep(const rules_store *st, const rules_state *s)
{
	DIR *d = opendir(st->dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		bool ours = false;
		if (strncmp(n, "api-", 4) == 0 && strlen(n) == 4 + 64 + 5) {
			char sha[RULES_SHA256_HEX];
			memcpy(sha, n + 4, 64);
			sha[64] = '\0';
			ours = !rules_store_has_sha(s, sha);
		} else if (n[0] == '.' && strstr(n, ".tmp.")) {
			ours = true;
		}
		if (!ours)
			continue;
		char err[FAPI_ERRBUF_SIZE];
		if (st->host->state_remove(st->ctx, st->dir, n, err, sizeof(err)) == FAPI_OK)
			st->host->log(st->ctx, FAPI_LOG_INFO, "removed %s/%s, left by an interrupted write", st->dir, n);
		else
			st->host->log(st->ctx, FAPI_LOG_WARNING, "%s", err);
	}
	closedir(d);
}
