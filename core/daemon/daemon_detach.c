#include "daemon/daemon_detach.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int daemon_detach(const char *pidfile, bool *parent, char *err, size_t errlen)
{
	*parent = false;
	/* Output buffered so far belongs to the foreground only. */
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "Could not fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		*parent = true;
		FILE *f = fopen(pidfile, "w");
		bool ok = f && fprintf(f, "%d", (int)pid) > 0;
		if (f && fclose(f) != 0)
			ok = false;
		if (!ok) {
			snprintf(err, errlen, "Could not write pid to pid file %s: %s", pidfile, strerror(errno));
			/* Falco leaves such a child running, unknown to anyone. */
			kill(pid, SIGTERM);
			return -1;
		}
		return 0;
	}
	if (setsid() < 0) {
		snprintf(err, errlen, "Could not set session id: %s", strerror(errno));
		return -1;
	}
	umask(027);
	if (chdir("/") < 0) {
		snprintf(err, errlen, "Could not change working directory to '/': %s", strerror(errno));
		return -1;
	}
	int in = open("/dev/null", O_RDONLY);
	int io = open("/dev/null", O_RDWR);
	if (in < 0 || io < 0) {
		snprintf(err, errlen, "Could not open /dev/null: %s", strerror(errno));
		return -1;
	}
	dup2(in, STDIN_FILENO);
	dup2(io, STDOUT_FILENO);
	dup2(io, STDERR_FILENO);
	if (in > STDERR_FILENO)
		close(in);
	if (io > STDERR_FILENO)
		close(io);
	return 0;
}
