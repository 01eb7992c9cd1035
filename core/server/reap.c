#include "server/reap.h"

#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int reap_listener_from(reap_listener *l, const char *address, int bound_port)
{
	memset(l, 0, sizeof(*l));
	const char *path = strncmp(address, "unix://", 7) == 0 ? address + 7
			   : strncmp(address, "unix:", 5) == 0 ? address + 5
							       : NULL;
	if (path) {
		if (!*path || strlen(path) >= sizeof(l->path))
			return -1;
		snprintf(l->path, sizeof(l->path), "%s", path);
		return 0;
	}
	if (bound_port <= 0)
		return -1;
	l->port = bound_port;
	return 0;
}

/* Compares two socket paths as the file system does: gRPC binds
 * "unix:///run/x" as the path "///run/x". */
static int reap_same_path(const char *a, const char *b, size_t max)
{
	const char *end = a + max;
	while (a < end && *a && *b) {
		if (*a == '/' && *b == '/') {
			while (a + 1 < end && a[1] == '/')
				a++;
			while (b[1] == '/')
				b++;
		} else if (*a != *b) {
			return 0;
		}
		a++;
		b++;
	}
	return (a == end || !*a) && !*b;
}

/* True when fd is a connection accepted on one of the listeners. */
static int reap_matches(int fd, const reap_listener *ls, size_t n)
{
	int listening = 0;
	socklen_t len = sizeof(listening);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening)
		return 0;
	struct sockaddr_storage ss;
	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (ss.ss_family == AF_UNIX && ls[i].path[0]) {
			const struct sockaddr_un *un = (const struct sockaddr_un *)&ss;
			if (reap_same_path(un->sun_path, ls[i].path, sizeof(un->sun_path)))
				return 1;
		} else if (ss.ss_family == AF_INET && ls[i].port) {
			if (ntohs(((const struct sockaddr_in *)&ss)->sin_port) == ls[i].port)
				return 1;
		} else if (ss.ss_family == AF_INET6 && ls[i].port) {
			if (ntohs(((const struct sockaddr_in6 *)&ss)->sin6_port) == ls[i].port)
				return 1;
		}
	}
	return 0;
}

size_t reap_accepted(const reap_listener *ls, size_t n)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	size_t closed = 0;
	int self = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || fd == self)
			continue;
		if (reap_matches((int)fd, ls, n) && shutdown((int)fd, SHUT_RDWR) == 0)
			closed++;
	}
	closedir(d);
	return closed;
}
