#include "server/listeners.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <grpc/grpc_posix.h>
#include <grpc/grpc_security.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "authz/authz_peers.h"
#include "log/log.h"
#include "engine/util/file_read.h"
#include "server/reap.h"
#include "server/server_internal.h"

/* One HOST:PORT, without scheme. */
static int listeners_is_loopback_one(const char *h, size_t n)
{
	if ((n > 10 && strncmp(h, "localhost:", 10) == 0) || (n > 6 && strncmp(h, "[::1]:", 6) == 0))
		return 1;
	if (n > 4 && strncmp(h, "127.", 4) == 0) {
		/* 127.a.b.c:port */
		int dots = 0;
		size_t i = 0;
		for (; i < n && h[i] != ':'; i++) {
			if (h[i] == '.')
				dots++;
			else if (h[i] < '0' || h[i] > '9')
				return 0;
		}
		return dots == 3 && i < n;
	}
	return 0;
}

int listeners_is_loopback(const char *hostport)
{
	const char *h = hostport;
	/* gRPC's ipv4: and ipv6: schemes take a comma-separated list: every
	 * address of it must be loopback. */
	if (strncmp(h, "ipv4:", 5) == 0 || strncmp(h, "ipv6:", 5) == 0)
		h += 5;
	for (;;) {
		const char *comma = strchr(h, ',');
		size_t n = comma ? (size_t)(comma - h) : strlen(h);
		if (!listeners_is_loopback_one(h, n))
			return 0;
		if (!comma)
			return 1;
		h = comma + 1;
	}
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

/* grpc.unix_socket_group: a group name or a number. */
static int listeners_socket_gid(const char *group, gid_t *out, char *err, size_t errlen)
{
	char *end;
	unsigned long v = strtoul(group, &end, 10);
	if (*group && !*end) {
		*out = (gid_t)v;
		return 0;
	}
	struct group gr, *res = NULL;
	char buf[4096];
	if (getgrnam_r(group, &gr, buf, sizeof(buf), &res) != 0 || !res) {
		snprintf(err, errlen, "grpc.unix_socket_group: no group named '%s'", group);
		return -1;
	}
	*out = res->gr_gid;
	return 0;
}

static int listeners_bind_unix(const char *address, const char *path, int *out, char *err, size_t errlen)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s: socket: %s", address, strerror(errno));
		return -1;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* The socket is created with the umask; keep it closed to everyone
	 * until chmod sets the configured mode. */
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	umask(old);
	if (rc < 0) {
		if (e == EACCES || e == EPERM || e == EROFS)
			snprintf(err, errlen, "cannot listen on %s: no permission to create %s (%s)", address, path,
				 strerror(e));
		else if (e == EADDRINUSE)
			snprintf(err, errlen, "cannot listen on %s: address in use (%s exists)", address, path);
		else
			snprintf(err, errlen, "cannot listen on %s: bind: %s", address, strerror(e));
		close(fd);
		return -1;
	}
	if (listen(fd, 128) < 0) {
		snprintf(err, errlen, "cannot listen on %s: listen: %s", address, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	*out = fd;
	return 0;
}

static int listeners_open_unix(listeners *l, server *s, const daemon_config *c, const char *address,
			       const char *path, char *err, size_t errlen)
{
	if (!*path || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "%s: socket path is empty or too long", address);
		return -1;
	}
	gid_t gid = getegid();
	if (c->socket_group && *c->socket_group && listeners_socket_gid(c->socket_group, &gid, err, errlen) < 0)
		return -1;
	char *dir = strdup(path);
	listeners_unix *u = realloc(l->unix, (l->nunix + 1) * sizeof(*u));
	if (!dir || !u) {
		free(dir);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->unix = u;
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		rc = listeners_mkdirs(dir, err, errlen);
	}
	free(dir);
	int fd;
	if (rc < 0 || listeners_clear_stale(path, err, errlen) < 0 ||
	    listeners_bind_unix(address, path, &fd, err, errlen) < 0)
		return -1;
	u = &l->unix[l->nunix];
	u->fd = fd;
	u->gid = (uint32_t)gid;
	if (!(u->path = strdup(path))) {
		close(fd);
		unlink(path);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->nunix++;
	/* Its connections are closed from under gRPC at shutdown too (see
	 * reap.h). */
	if (s->nlisteners < SERVER_MAX_LISTENERS && reap_listener_from(&s->listeners[s->nlisteners], address, 0) == 0)
		s->nlisteners++;
	if (c->socket_group && *c->socket_group && chown(path, (uid_t)-1, gid) < 0) {
		snprintf(err, errlen, "grpc.unix_socket_group: cannot give %s to group %s: %s", path, c->socket_group,
			 strerror(errno));
		return -1;
	}
	if (chmod(path, c->socket_mode) < 0) {
		snprintf(err, errlen, "cannot set mode %04o on %s: %s", c->socket_mode, path, strerror(errno));
		return -1;
	}
	if (c->socket_mode & 0007)
		log_msg(FAPI_LOG_WARNING, "grpc",
			"grpc.unix_socket_mode %04o lets every local user connect to %s (the policy still limits "
			"what they may call)",
			c->socket_mode, path);
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

/* What gRPC would only report as "cannot listen": each file checked with
 * OpenSSL first, so the message names the file and what is wrong with it. */
static int listeners_check_tls(const daemon_config *c, const char *key, const char *cert, const char *ca, char *err,
			       size_t errlen)
{
	int rc = -1;
	BIO *b = BIO_new_mem_buf(key, -1);
	EVP_PKEY *pk = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	b = BIO_new_mem_buf(cert, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	b = BIO_new_mem_buf(ca, -1);
	X509 *cax = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (!pk)
		snprintf(err, errlen, "grpc.private_key: %s is not a PEM private key (or it is encrypted)",
			 c->private_key);
	else if (!x)
		snprintf(err, errlen, "grpc.cert_chain: %s holds no PEM certificate", c->cert_chain);
	else if (!cax)
		snprintf(err, errlen, "grpc.root_certs: %s holds no PEM certificate (a CA certificate is needed to "
				      "verify clients)",
			 c->root_certs);
	else if (X509_check_private_key(x, pk) != 1)
		snprintf(err, errlen, "grpc.private_key %s does not match the certificate of grpc.cert_chain %s",
			 c->private_key, c->cert_chain);
	else
		rc = 0;
	EVP_PKEY_free(pk);
	X509_free(x);
	X509_free(cax);
	ERR_clear_error();
	return rc;
}

/* Binds each address of `address` once, the way gRPC will, to tell an
 * address in use, a permission problem and an address this machine does
 * not have apart; gRPC itself says only that it could not listen. */
static int listeners_check_tcp(const char *address, char *err, size_t errlen)
{
	const char *h = address;
	if (strncmp(h, "ipv4:", 5) == 0 || strncmp(h, "ipv6:", 5) == 0)
		h += 5;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", h);
	char *save = NULL;
	for (char *one = strtok_r(buf, ",", &save); one; one = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(one, ':');
		if (!colon) {
			snprintf(err, errlen, "cannot listen on %s: want HOST:PORT", address);
			return -1;
		}
		*colon = '\0';
		char *host = one, *port = colon + 1;
		size_t hl = strlen(host);
		if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
			host[hl - 1] = '\0';
			host++;
		}
		struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
		struct addrinfo *res = NULL;
		int g = getaddrinfo(*host ? host : NULL, port, &hints, &res);
		if (g != 0) {
			snprintf(err, errlen, "cannot listen on %s: cannot resolve '%s' port '%s': %s", address, host, port,
				 gai_strerror(g));
			return -1;
		}
		int rc = 0;
		for (struct addrinfo *ai = res; ai && rc == 0; ai = ai->ai_next) {
			int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
			if (fd < 0)
				continue;
			int on = 1;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
				int e = errno;
				rc = -1;
				if (e == EADDRINUSE)
					snprintf(err, errlen, "cannot listen on %s: address in use (another process listens "
							      "on port %s)",
						 address, port);
				else if (e == EACCES || e == EPERM)
					snprintf(err, errlen, "cannot listen on %s: no permission to bind port %s (ports "
							      "below 1024 need root or CAP_NET_BIND_SERVICE)",
						 address, port);
				else if (e == EADDRNOTAVAIL)
					snprintf(err, errlen, "cannot listen on %s: '%s' is not an address of this machine",
						 address, host);
				else
					snprintf(err, errlen, "cannot listen on %s: %s", address, strerror(e));
			}
			close(fd);
		}
		freeaddrinfo(res);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The cross-key rules of one TCP address, without touching a file or a
 * socket: 1 when it may listen in plaintext (grpc.insecure on loopback), 0
 * with all three TLS files, -1 with err otherwise. */
static int listeners_check_address(const daemon_config *c, const char *address, char *err, size_t errlen)
{
	int have = !!c->private_key + !!c->cert_chain + !!c->root_certs;
	if (have == 0) {
		if (c->insecure && listeners_is_loopback(address))
			return 1;
		snprintf(err, errlen,
			 "refusing to listen on %s without mutual TLS: set grpc.private_key, grpc.cert_chain and "
			 "grpc.root_certs%s",
			 address,
			 listeners_is_loopback(address) ? " (or grpc.insecure: true, allowed on loopback only)"
							: " (plaintext is only allowed on a loopback address; every address of a list must be loopback)");
		return -1;
	}
	if (have < 3) {
		snprintf(err, errlen, "%s: mutual TLS needs all of grpc.private_key, grpc.cert_chain and grpc.root_certs; missing:%s%s%s",
			 address, c->private_key ? "" : " grpc.private_key", c->cert_chain ? "" : " grpc.cert_chain",
			 c->root_certs ? "" : " grpc.root_certs");
		return -1;
	}
	return 0;
}

int listeners_check_config(const daemon_config *c, char *err, size_t errlen)
{
	for (size_t i = 0; c->grpc_enabled && i < c->nbind; i++)
		if (strncmp(c->bind_addresses[i], "unix:", 5) != 0 &&
		    listeners_check_address(c, c->bind_addresses[i], err, errlen) < 0)
			return -1;
	return 0;
}

static int listeners_open_tcp(server *s, const daemon_config *c, const char *address, char *err, size_t errlen)
{
	int plain = listeners_check_address(c, address, err, errlen);
	if (plain < 0)
		return -1;
	if (plain) {
		if (listeners_check_tcp(address, err, errlen) < 0)
			return -1;
		log_msg(FAPI_LOG_WARNING, "grpc",
			"listening on %s WITHOUT TLS (grpc.insecure: true): any local user can call the read "
			"methods of the API",
			address);
		grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
		int rc = server_add_port(s, address, creds, err, errlen);
		grpc_server_credentials_release(creds);
		return rc;
	}
	char *key = listeners_read_file("grpc.private_key", c->private_key, err, errlen);
	char *cert = key ? listeners_read_file("grpc.cert_chain", c->cert_chain, err, errlen) : NULL;
	char *ca = cert ? listeners_read_file("grpc.root_certs", c->root_certs, err, errlen) : NULL;
	int rc = -1;
	if (ca && listeners_check_tls(c, key, cert, ca, err, errlen) == 0 && listeners_check_tcp(address, err, errlen) == 0) {
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
	l->wake[0] = l->wake[1] = -1;
	if (c->nbind == 0) {
		snprintf(err, errlen, "grpc.bind_address is empty: nowhere to listen");
		return -1;
	}
	for (size_t i = 0; i < c->nbind; i++) {
		const char *a = c->bind_addresses[i];
		int rc;
		if (strncmp(a, "unix://", 7) == 0)
			rc = listeners_open_unix(l, s, c, a, a + 7, err, errlen);
		else if (strncmp(a, "unix:", 5) == 0)
			rc = listeners_open_unix(l, s, c, a, a + 5, err, errlen);
		else
			rc = listeners_open_tcp(s, c, a, err, errlen);
		if (rc < 0)
			return -1;
		log_msg(FAPI_LOG_INFO, "grpc", "listening on %s", a);
	}
	return 0;
}

/* Takes the peer's credentials, as the connection is accepted, and hands
 * the connection to gRPC. */
static void listeners_accept(listeners *l, const listeners_unix *u)
{
	int fd = accept4(u->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
			log_msg(FAPI_LOG_WARNING, "grpc", "accept on %s: %s", u->path, strerror(errno));
		return;
	}
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0) {
		log_msg(FAPI_LOG_WARNING, "grpc", "%s: cannot read the peer's credentials (%s): connection refused",
			u->path, strerror(errno));
		close(fd);
		return;
	}
	authz_unix_creds c;
	memset(&c, 0, sizeof(c));
	c.uid = (uint32_t)cr.uid;
	c.gid = (uint32_t)cr.gid;
	c.pid = (int32_t)cr.pid;
	char buf[4096];
	struct passwd pw, *pwr = NULL;
	if (getpwuid_r(cr.uid, &pw, buf, sizeof(buf), &pwr) == 0 && pwr)
		snprintf(c.user, sizeof(c.user), "%s", pwr->pw_name);
	struct group gr, *grr = NULL;
	if (getgrgid_r(cr.gid, &gr, buf, sizeof(buf), &grr) == 0 && grr)
		snprintf(c.group, sizeof(c.group), "%s", grr->gr_name);
	c.groups[c.ngroups++] = c.gid;
	if (*c.user) {
		gid_t groups[AUTHZ_MAX_GROUPS];
		int n = AUTHZ_MAX_GROUPS;
		getgrouplist(c.user, cr.gid, groups, &n);
		for (int i = 0; i < n && i < AUTHZ_MAX_GROUPS && c.ngroups < AUTHZ_MAX_GROUPS; i++)
			if ((uint32_t)groups[i] != c.gid)
				c.groups[c.ngroups++] = (uint32_t)groups[i];
	}
	for (size_t i = 0; i < c.ngroups; i++)
		c.in_socket_group |= c.groups[i] == u->gid;
	if (authz_peers_set(fd, &c) < 0) {
		log_msg(FAPI_LOG_ERROR, "grpc", "out of memory: connection on %s refused", u->path);
		close(fd);
		return;
	}
	log_msg(FAPI_LOG_DEBUG, "grpc", "connection on %s from uid %u gid %u pid %d", u->path, c.uid, c.gid, c.pid);
	grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
	grpc_server_add_channel_from_fd(l->srv->grpc, fd, creds);
	grpc_server_credentials_release(creds);
}

static void *listeners_thread(void *arg)
{
	listeners *l = arg;
	struct pollfd *pfd = calloc(l->nunix + 1, sizeof(*pfd));
	if (!pfd) {
		log_msg(FAPI_LOG_ERROR, "grpc", "out of memory: the unix sockets accept no connection");
		return NULL;
	}
	pfd[0].fd = l->wake[0];
	pfd[0].events = POLLIN;
	for (size_t i = 0; i < l->nunix; i++) {
		pfd[i + 1].fd = l->unix[i].fd;
		pfd[i + 1].events = POLLIN;
	}
	for (;;) {
		int n = poll(pfd, l->nunix + 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || pfd[0].revents)
			break;
		for (size_t i = 0; i < l->nunix; i++)
			if (pfd[i + 1].revents & POLLIN)
				listeners_accept(l, &l->unix[i]);
	}
	free(pfd);
	return NULL;
}

int listeners_start(listeners *l, server *s, char *err, size_t errlen)
{
	if (l->nunix == 0)
		return 0;
	l->srv = s;
	if (pipe2(l->wake, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot start accepting on the unix sockets: %s", strerror(errno));
		return -1;
	}
	int rc = pthread_create(&l->thread, NULL, listeners_thread, l);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start accepting on the unix sockets: %s", strerror(rc));
		return -1;
	}
	l->running = true;
	return 0;
}

void listeners_stop(listeners *l)
{
	if (!l->running)
		return;
	char c = 0;
	while (write(l->wake[1], &c, 1) < 0 && errno == EINTR)
		;
	pthread_join(l->thread, NULL);
	l->running = false;
}

void listeners_close(listeners *l)
{
	listeners_stop(l);
	for (size_t i = 0; i < l->nunix; i++) {
		close(l->unix[i].fd);
		unlink(l->unix[i].path);
		free(l->unix[i].path);
	}
	free(l->unix);
	for (int i = 0; i < 2; i++)
		if (l->wake[i] >= 0)
			close(l->wake[i]);
	memset(l, 0, sizeof(*l));
	l->wake[0] = l->wake[1] = -1;
}
