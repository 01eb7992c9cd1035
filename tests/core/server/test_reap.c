/* reap: the connections accepted on a listener are shut down, nothing else
 * (the listener, the client ends, another listener's connections), and the
 * listener's address is matched as the file system names it. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/reap.h"

static int reap_test_listen(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static int reap_test_connect(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* True when the peer of fd shut the connection: reading gives EOF at once. */
static int reap_test_eof(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 1000) != 1)
		return 0;
	char c;
	return read(fd, &c, 1) == 0;
}

static void test_reap_shuts_only_accepted_connections(void **state)
{
	(void)state;
	char dir[] = "/tmp/fapi-reap-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char mine[128], other[128];
	snprintf(mine, sizeof(mine), "%s/mine.sock", dir);
	snprintf(other, sizeof(other), "%s/other.sock", dir);
	int l1 = reap_test_listen(mine), l2 = reap_test_listen(other);
	int c1 = reap_test_connect(mine), c2 = reap_test_connect(other);
	int a1 = accept(l1, NULL, NULL), a2 = accept(l2, NULL, NULL);
	assert_true(a1 >= 0 && a2 >= 0);

	reap_listener l;
	char uri[160];
	/* gRPC's form of the address, with the slashes it binds. */
	snprintf(uri, sizeof(uri), "unix:///%s", mine);
	assert_int_equal(reap_listener_from(&l, uri, 0), 0);
	assert_int_equal(reap_accepted(&l, 1), 1);

	assert_true(reap_test_eof(c1));
	/* the other listener's connection still carries data */
	assert_int_equal(write(a2, "x", 1), 1);
	char c;
	assert_int_equal(read(c2, &c, 1), 1);
	/* and the listener still accepts */
	int c3 = reap_test_connect(mine);
	int a3 = accept(l1, NULL, NULL);
	assert_true(a3 >= 0);
	assert_int_equal(write(a3, "y", 1), 1);
	assert_int_equal(read(c3, &c, 1), 1);

	int fds[] = {l1, l2, c1, c2, c3, a1, a2, a3};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close(fds[i]);
	unlink(mine);
	unlink(other);
	rmdir(dir);
}

static void test_reap_listener_addresses(void **state)
{
	(void)state;
	reap_listener l;
	assert_int_equal(reap_listener_from(&l, "unix:/run/falco/falco.sock", 0), 0);
	assert_string_equal(l.path, "/run/falco/falco.sock");
	assert_int_equal(reap_listener_from(&l, "127.0.0.1:5060", 5060), 0);
	assert_int_equal(l.port, 5060);
	assert_string_equal(l.path, "");
	assert_int_equal(reap_listener_from(&l, "[::1]:0", 0), -1);
	assert_int_equal(reap_listener_from(&l, "unix:", 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reap_shuts_only_accepted_connections),
		cmocka_unit_test(test_reap_listener_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
