#include "fapictl_conn.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "engine/util/file_read.h"

grpc_channel *fapictl_conn_channel(const fapictl_conn *conn, size_t i, int follow, char *err, size_t errlen)
{
	grpc_arg args[4];
	size_t n = 0;
	/* One connection per channel: two --target naming the same daemon are
	 * two subscriptions, as the user asked. */
	args[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, .value.integer = 1};
	if (follow) {
		/* gRPC's default reconnect backoff grows to 120 s; a watch wants
		 * the restarted daemon within a couple of seconds. */
		args[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
				       .value.integer = 100};
		args[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
				       .value.integer = 2000};
	}
	if (conn->server_name)
		args[n++] = (grpc_arg){.type = GRPC_ARG_STRING, .key = GRPC_SSL_TARGET_NAME_OVERRIDE_ARG,
				       .value.string = (char *)conn->server_name};
	grpc_channel_args cargs = {.num_args = n, .args = args};

	grpc_channel_credentials *creds;
	if (conn->ca || conn->cert || conn->key) {
		if ((conn->cert == NULL) != (conn->key == NULL)) {
			snprintf(err, errlen, "--cert and --key go together");
			return NULL;
		}
		char *ca = NULL, *cert = NULL, *key = NULL;
		size_t len;
		const char *bad = NULL;
		if (conn->ca && file_read_all(conn->ca, &ca, &len) != FILE_READ_OK)
			bad = conn->ca;
		else if (conn->cert && file_read_all(conn->cert, &cert, &len) != FILE_READ_OK)
			bad = conn->cert;
		else if (conn->key && file_read_all(conn->key, &key, &len) != FILE_READ_OK)
			bad = conn->key;
		if (bad) {
			snprintf(err, errlen, "cannot read %s: %s", bad, strerror(errno));
			free(ca);
			free(cert);
			free(key);
			return NULL;
		}
		grpc_ssl_pem_key_cert_pair pair = {.private_key = key, .cert_chain = cert};
		creds = grpc_ssl_credentials_create(ca, cert ? &pair : NULL, NULL, NULL);
		free(ca);
		free(cert);
		free(key);
	} else {
		creds = grpc_insecure_credentials_create();
	}
	grpc_channel *ch = grpc_channel_create(conn->targets[i], creds, &cargs);
	grpc_channel_credentials_release(creds);
	return ch;
}

const char *fapictl_conn_status_name(grpc_status_code code)
{
	static const char *const names[] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
		"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
		"OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
	};
	if ((unsigned)code < sizeof(names) / sizeof(names[0]))
		return names[code];
	return "UNKNOWN_STATUS";
}

/* Why a unix socket cannot be used, from the file itself; "" when it
 * looks usable. */
static void fapictl_conn_unix_reason(const char *path, char *out, size_t cap)
{
	struct stat st;
	out[0] = '\0';
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			snprintf(out, cap, "no such file (is falco-apid running?)");
		else if (errno == EACCES)
			snprintf(out, cap, "permission denied: you may not enter the socket's directory");
		else
			snprintf(out, cap, "%s", strerror(errno));
		return;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(out, cap, "not a socket");
		return;
	}
	if (access(path, R_OK | W_OK) != 0 && errno == EACCES) {
		struct group *g = getgrgid(st.st_gid);
		if (g)
			snprintf(out, cap, "permission denied: you are not in group %s", g->gr_name);
		else
			snprintf(out, cap, "permission denied: you are not in group %u", (unsigned)st.st_gid);
		return;
	}
}

void fapictl_conn_report(const char *target, grpc_status_code code, const char *details)
{
	const char *name = fapictl_conn_status_name(code);
	details = details ? details : "";
	char reason[512] = "";
	if (code == GRPC_STATUS_UNAVAILABLE) {
		if (strncmp(target, "unix://", 7) == 0)
			fapictl_conn_unix_reason(target + 7, reason, sizeof(reason));
		else if (strncmp(target, "unix:", 5) == 0)
			fapictl_conn_unix_reason(target + 5, reason, sizeof(reason));
		if (!reason[0] && strstr(details, "onnection refused"))
			snprintf(reason, sizeof(reason), "connection refused (is falco-apid running?)");
		if (!reason[0] && (strstr(details, "andshake") || strstr(details, "SSL") || strstr(details, "TLS") ||
				   strstr(details, "ssl")))
			snprintf(reason, sizeof(reason), "TLS handshake failed (check --ca, --cert, --key, --server-name)");
		if (reason[0]) {
			fprintf(stderr, "fapictl: cannot connect to %s: %s [%s: %s]\n", target, reason, name, details);
			return;
		}
		fprintf(stderr, "fapictl: %s is unavailable: %s [%s]\n", target, details, name);
		return;
	}
	switch (code) {
	case GRPC_STATUS_PERMISSION_DENIED:
		fprintf(stderr, "fapictl: permission denied by %s: %s [%s]\n", target, details, name);
		return;
	case GRPC_STATUS_UNAUTHENTICATED:
		fprintf(stderr, "fapictl: %s does not know who you are: %s [%s]\n", target, details, name);
		return;
	case GRPC_STATUS_UNIMPLEMENTED:
		fprintf(stderr, "fapictl: %s does not serve this call (is its module loaded?): %s [%s]\n", target,
			details, name);
		return;
	case GRPC_STATUS_DEADLINE_EXCEEDED:
		fprintf(stderr, "fapictl: %s did not answer in time (--timeout): %s [%s]\n", target, details, name);
		return;
	case GRPC_STATUS_INVALID_ARGUMENT:
		fprintf(stderr, "fapictl: %s refused the request: %s [%s]\n", target, details, name);
		return;
	case GRPC_STATUS_RESOURCE_EXHAUSTED:
		fprintf(stderr, "fapictl: %s is at a limit: %s [%s]\n", target, details, name);
		return;
	default:
		fprintf(stderr, "fapictl: %s: %s: %s\n", target, name, details);
	}
}

gpr_timespec fapictl_conn_deadline(double seconds)
{
	if (seconds < 0)
		return gpr_inf_future(GPR_CLOCK_REALTIME);
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis((int64_t)(seconds * 1000), GPR_TIMESPAN));
}
