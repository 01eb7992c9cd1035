#include "daemon/daemon_detach.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The one byte the child sends when it is up. */
#define DAEMON_DETACH_READY 'R'

static int daemon_detach_parent(pid_t pid, int rfd, const char *pidfile, char *err, size_t errlen)
{
	/* The caller blocks these for sigwait; while the parent only waits,
	 * Ctrl-C or SIGTERM should end it as usual. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	char c = 0;
	ssize_t n;
	do
		n = read(rfd, &c, 1);
	while (n < 0 && errno == EINTR);
	close(rfd);
	if (n != 1 || c != DAEMON_DETACH_READY) {
		int st = 0;
		waitpid(pid, &st, 0);
		if (WIFEXITED(st))
			snprintf(err, errlen, "The daemon stopped during start-up (exit code %d)", WEXITSTATUS(st));
		else
			snprintf(err, errlen, "The daemon stopped during start-up (signal %d)",
				 WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		return -1;
	}
	FILE *f = fopen(pidfile, "w");
	bool ok = f && fprintf(f, "%d", (int)pid) > 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok) {
		snprintf(err, errlen, "Could not write pid to pid file %s: %s", pidfile, strerror(errno));
		/* Falco leaves such a child running, known to nobody. */
		kill(pid, SIGTERM);
		return -1;
	}
	return 0;
}

int daemon_detach(const char *pidfile, bool *parent, int *ready_fd, char *err, size_t errlen)
{
	*parent = false;
	*ready_fd = -1;
	int fds[2];
	/* Close-on-exec: a program the daemon starts must not hold the pipe. */
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "Could not fork: %s", strerror(errno));
		return -1;
	}
	/* Output buffered so far belongs to the foreground only. */
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "Could not fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid > 0) {
		*parent = true;
		close(fds[1]);
		return daemon_detach_parent(pid, fds[0], pidfile, err, errlen);
	}
	close(fds[0]);
	*ready_fd = fds[1];
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
	int out = open("/dev/null", O_WRONLY);
	if (in < 0 || out < 0) {
		snprintf(err, errlen, "Could not open /dev/null: %s", strerror(errno));
		return -1;
	}
	dup2(in, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	if (in > STDERR_FILENO)
		close(in);
	if (out > STDERR_FILENO)
		close(out);
	return 0;
}

void daemon_detach_ready(int *ready_fd)
{
	if (*ready_fd < 0)
		return;
	fflush(stderr);
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	char c = DAEMON_DETACH_READY;
	while (write(*ready_fd, &c, 1) < 0 && errno == EINTR)
		;
	close(*ready_fd);
	*ready_fd = -1;
}
