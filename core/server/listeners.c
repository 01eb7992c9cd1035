#include "server/listeners.h"

#include <errno.h>
#include <grpc/grpc_security.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log/log.h"
#include "engine/util/file_read.h"

int listeners_is_loopback(const char *hostport)
{
	const char *h = hostport;
	if (strncmp(h, "ipv4:", 5) == 0 || strncmp(h, "ipv6:", 5) == 0)
		h += 5;
	if (strncmp(h, "localhost:", 10) == 0 || strncmp(h, "[::1]:", 6) == 0)
		return 1;
	if (strncmp(h, "127.", 4) == 0) {
		/* 127.a.b.c:port */
		int dots = 0;
		for (const char *p = h; *p && *p != ':'; p++) {
			if (*p == '.')
				dots++;
			else if (*p < '0' || *p > '9')
				return 0;
		}
		return dots == 3;
	}
	return 0;
}

static int listeners_mkdirs(const char *dir, char *err, size_t errlen)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", path, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create directory %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A socket file nobody accepts on is left over from a crash: replace it. One
 * somebody accepts on belongs to a running daemon: refuse. */
static int listeners_clear_stale(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int live = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	if (live) {
		snprintf(err, errlen, "%s is in use by a running process", path);
		return -1;
	}
	if (unlink(path) < 0) {
		snprintf(err, errlen, "cannot remove stale socket %s: %s", path, strerror(errno));
		return -1;
	}
	log_msg(FAPI_LOG_INFO, "grpc", "replaced stale socket %s", path);
	return 0;
}

static int listeners_open_unix(listeners *l, server *s, const char *address, const char *path, unsigned mode,
			       char *err, size_t errlen)
{
	if (!*path || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "%s: socket path is empty or too long", address);
		return -1;
	}
	char *dir = strdup(path);
	char **paths = realloc(l->unix_paths, (l->nunix + 1) * sizeof(*paths));
	if (!dir || !paths) {
		free(dir);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->unix_paths = paths;
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		rc = listeners_mkdirs(dir, err, errlen);
	}
	free(dir);
	if (rc < 0 || listeners_clear_stale(path, err, errlen) < 0)
		return -1;
	/* The socket is created with the umask; keep it closed to everyone
	 * until chmod sets the configured mode. */
	mode_t old = umask(0177);
	grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
	rc = server_add_port(s, address, creds, err, errlen);
	grpc_server_credentials_release(creds);
	umask(old);
	if (rc < 0)
		return -1;
	if (!(l->unix_paths[l->nunix] = strdup(path))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->nunix++;
	if (chmod(path, mode) < 0) {
		snprintf(err, errlen, "cannot set mode %04o on %s: %s", mode, path, strerror(errno));
		return -1;
	}
	return 0;
}

static char *listeners_read_file(const char *key, const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int rc = file_read_all(path, &buf, &len);
	if (rc == FILE_READ_EOPEN) {
		snprintf(err, errlen, "%s: cannot read %s: %s", key, path, strerror(errno));
		return NULL;
	}
	if (rc != FILE_READ_OK || len == 0) {
		free(buf);
		snprintf(err, errlen, "%s: %s is empty or unreadable", key, path);
		return NULL;
	}
	return buf;
}

static int listeners_open_tcp(server *s, const daemon_config *c, const char *address, char *err, size_t errlen)
{
	int have = !!c->private_key + !!c->cert_chain + !!c->root_certs;
	if (have == 0) {
		if (c->insecure && listeners_is_loopback(address)) {
			log_msg(FAPI_LOG_WARNING, "grpc",
				"listening on %s WITHOUT TLS (grpc.insecure: true): any local user can call the API",
				address);
			grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
			int rc = server_add_port(s, address, creds, err, errlen);
			grpc_server_credentials_release(creds);
			return rc;
		}
		snprintf(err, errlen,
			 "refusing to listen on %s without mutual TLS: set grpc.private_key, grpc.cert_chain and "
			 "grpc.root_certs%s",
			 address,
			 listeners_is_loopback(address) ? " (or grpc.insecure: true, allowed on loopback only)"
							: " (plaintext is only allowed on a loopback address)");
		return -1;
	}
	if (have < 3) {
		snprintf(err, errlen, "%s: mutual TLS needs all of grpc.private_key, grpc.cert_chain and grpc.root_certs; missing:%s%s%s",
			 address, c->private_key ? "" : " grpc.private_key", c->cert_chain ? "" : " grpc.cert_chain",
			 c->root_certs ? "" : " grpc.root_certs");
		return -1;
	}
	char *key = listeners_read_file("grpc.private_key", c->private_key, err, errlen);
	char *cert = key ? listeners_read_file("grpc.cert_chain", c->cert_chain, err, errlen) : NULL;
	char *ca = cert ? listeners_read_file("grpc.root_certs", c->root_certs, err, errlen) : NULL;
	int rc = -1;
	if (ca) {
		grpc_ssl_pem_key_cert_pair pair = {.private_key = key, .cert_chain = cert};
		grpc_server_credentials *creds = grpc_ssl_server_credentials_create_ex(
			ca, &pair, 1, GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY, NULL);
		if (!creds) {
			snprintf(err, errlen, "%s: gRPC rejected the TLS key, certificate or CA", address);
		} else {
			rc = server_add_port(s, address, creds, err, errlen);
			grpc_server_credentials_release(creds);
		}
	}
	free(key);
	free(cert);
	free(ca);
	return rc;
}

int listeners_open(listeners *l, server *s, const daemon_config *c, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	if (c->nbind == 0) {
		snprintf(err, errlen, "grpc.bind_address is empty: nowhere to listen");
		return -1;
	}
	for (size_t i = 0; i < c->nbind; i++) {
		const char *a = c->bind_addresses[i];
		int rc;
		if (strncmp(a, "unix://", 7) == 0)
			rc = listeners_open_unix(l, s, a, a + 7, c->socket_mode, err, errlen);
		else if (strncmp(a, "unix:", 5) == 0)
			rc = listeners_open_unix(l, s, a, a + 5, c->socket_mode, err, errlen);
		else
			rc = listeners_open_tcp(s, c, a, err, errlen);
		if (rc < 0)
			return -1;
		log_msg(FAPI_LOG_INFO, "grpc", "listening on %s", a);
	}
	return 0;
}

void listeners_close(listeners *l)
{
	for (size_t i = 0; i < l->nunix; i++) {
		unlink(l->unix_paths[i]);
		free(l->unix_paths[i]);
	}
	free(l->unix_paths);
	memset(l, 0, sizeof(*l));
}
