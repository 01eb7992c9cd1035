#include "authz/authz_audit.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "engine/output/json_escape.h"
#include "log/log.h"

struct authz_audit {
	pthread_mutex_t mu;
	int fd;     /* -1: daemon log only */
	char *path; /* owned; NULL when no file */
};

static const char *const authz_audit_codes[] = {
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
	"PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
	"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
};

static int authz_audit_openfd(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

int authz_audit_open(authz_audit **out, const char *path, char *err, size_t errlen)
{
	authz_audit *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->fd = -1;
	pthread_mutex_init(&a->mu, NULL);
	if (path && *path) {
		if (!(a->path = strdup(path)) || (a->fd = authz_audit_openfd(path)) < 0) {
			snprintf(err, errlen, "grpc.audit_log: cannot open %s: %s", path, strerror(errno));
			authz_audit_close(a);
			return -1;
		}
	}
	*out = a;
	return 0;
}

static void authz_audit_sha256(FILE *out, const uint8_t *data, size_t len)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	static const uint8_t empty[1];
	if (EVP_Digest(data ? data : empty, len, d, &dl, EVP_sha256(), NULL) != 1)
		return;
	fputs(",\"sha256\":\"", out);
	for (unsigned int i = 0; i < dl; i++)
		fprintf(out, "%02x", d[i]);
	fputc('"', out);
}

static void authz_audit_time(FILE *out)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char buf[32];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(out, "\"time\":\"%s.%06ldZ\"", buf, (long)tv.tv_usec);
}

void authz_audit_record(authz_audit *a, const authz_identity *id, const char *method,
			const authz_audit_request *req, fapi_status_code code, const char *message)
{
	char *line = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&line, &len);
	if (!m) {
		log_msg(FAPI_LOG_ERROR, "audit", "out of memory: a call to %s by %s was not recorded", method, id->text);
		return;
	}
	fputc('{', m);
	authz_audit_time(m);
	fputs(",\"identity\":", m);
	authz_identity_write_json(id, m);
	fputs(",\"method\":", m);
	json_escape_write(m, method);
	fputs(",\"request\":{", m);
	if (req && req->type) {
		fputs("\"type\":", m);
		json_escape_write(m, req->type);
		if (req->has_body) {
			fprintf(m, ",\"bytes\":%zu", req->len);
			authz_audit_sha256(m, req->data, req->len);
		}
		if (req->summary && *req->summary) {
			fputs(",\"summary\":", m);
			json_escape_write(m, req->summary);
		}
	}
	fputc('}', m);
	if (req && req->event) {
		fputs(",\"stream\":{\"event\":", m);
		json_escape_write(m, req->event);
		for (size_t i = 0; i < req->ncounts; i++) {
			fputc(',', m);
			json_escape_write(m, req->names[i]);
			fprintf(m, ":%" PRIu64, req->values[i]);
		}
		fputc('}', m);
	}
	unsigned c = (unsigned)code;
	fprintf(m, ",\"result\":{\"code\":%u,\"status\":\"%s\"", c,
		c < sizeof(authz_audit_codes) / sizeof(authz_audit_codes[0]) ? authz_audit_codes[c] : "UNKNOWN");
	if (message && *message) {
		fputs(",\"message\":", m);
		json_escape_write(m, message);
	}
	fputs("}}\n", m);
	if (fclose(m) != 0 || !line) {
		free(line);
		log_msg(FAPI_LOG_ERROR, "audit", "out of memory: a call to %s by %s was not recorded", method, id->text);
		return;
	}
	log_msg(FAPI_LOG_INFO, "audit", "%.*s", (int)(len ? len - 1 : 0), line);
	pthread_mutex_lock(&a->mu);
	if (a->fd >= 0) {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(a->fd, line + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				log_msg(FAPI_LOG_ERROR, "audit", "cannot write to %s: %s", a->path, strerror(errno));
				break;
			}
			off += (size_t)w;
		}
		if (off == len && fsync(a->fd) < 0)
			log_msg(FAPI_LOG_ERROR, "audit", "cannot fsync %s: %s", a->path, strerror(errno));
	}
	pthread_mutex_unlock(&a->mu);
	free(line);
}

int authz_audit_reopen(authz_audit *a)
{
	if (!a || !a->path)
		return 0;
	int fd = authz_audit_openfd(a->path);
	if (fd < 0) {
		log_msg(FAPI_LOG_ERROR, "audit", "cannot reopen %s: %s (still writing to the old file)", a->path,
			strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&a->mu);
	int old = a->fd;
	a->fd = fd;
	pthread_mutex_unlock(&a->mu);
	if (old >= 0)
		close(old);
	log_msg(FAPI_LOG_INFO, "audit", "reopened %s", a->path);
	return 0;
}

void authz_audit_close(authz_audit *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	pthread_mutex_destroy(&a->mu);
	free(a->path);
	free(a);
}
