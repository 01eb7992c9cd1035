#include "channels/channel_program.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* A burst is written in pieces of this size. */
#define CHANNEL_PROGRAM_BUFSIZE 65536
/* How often a blocked write or wait looks at the deadline. */
#define CHANNEL_PROGRAM_POLL_MS 20

typedef struct channel_program {
	char *program;
	bool keep_alive;
	pid_t pid; /* 0 = not running */
	int fd;    /* write end of its stdin, -1 = none */
	char *buf; /* pending lines (keep_alive) */
	size_t len, cap;
	size_t pending; /* alerts in buf */
} channel_program;

void *channel_program_new(const char *program, bool keep_alive)
{
	channel_program *c = calloc(1, sizeof(*c));
	if (!c || !(c->program = strdup(program))) {
		free(c);
		return NULL;
	}
	c->keep_alive = keep_alive;
	c->fd = -1;
	return c;
}

static int channel_program_spawn(channel_program *c, char *err, size_t errlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	posix_spawnattr_init(&attr);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char *argv[] = {"sh", "-c", c->program, NULL};
	int rc = posix_spawn(&c->pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(p[0]);
	if (rc != 0) {
		close(p[1]);
		c->pid = 0;
		snprintf(err, errlen, "cannot run /bin/sh -c '%s': %s", c->program, strerror(rc));
		return -1;
	}
	/* Non-blocking, so that a program that stops reading cannot hold the
	 * thread past the deadline. */
	fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
	c->fd = p[1];
	return 0;
}

/* Waits for the process to exit, until the deadline; past it the process is
 * left to finish on its own (it has seen EOF on its stdin). */
static void channel_program_reap(channel_program *c, const channel_deadline *deadline)
{
	if (!c->pid)
		return;
	long sleep_us = 100;
	for (;;) {
		int status;
		pid_t r = waitpid(c->pid, &status, WNOHANG);
		if (r == c->pid || (r < 0 && errno != EINTR))
			break;
		if (channel_deadline_passed(deadline))
			break;
		struct timespec ts = {0, sleep_us * 1000};
		nanosleep(&ts, NULL);
		if (sleep_us < CHANNEL_PROGRAM_POLL_MS * 1000)
			sleep_us *= 2;
	}
	c->pid = 0;
}

static void channel_program_stop(channel_program *c, const channel_deadline *deadline)
{
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	channel_program_reap(c, deadline);
}

/* Writes all of buf to the program, waiting while its pipe is full. */
static int channel_program_send(channel_program *c, const char *buf, size_t len, const channel_deadline *deadline,
				char *err, size_t errlen)
{
	while (len) {
		ssize_t n = write(c->fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (channel_deadline_passed(deadline)) {
				snprintf(err, errlen, "'%s' does not read its input: given up at shutdown", c->program);
				return -1;
			}
			struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
			poll(&pfd, 1, CHANNEL_PROGRAM_POLL_MS);
			continue;
		}
		snprintf(err, errlen, "writing to '%s': %s", c->program, n < 0 ? strerror(errno) : "short write");
		/* The program is gone (EPIPE): the next alert starts it again. */
		channel_program_stop(c, deadline);
		return -1;
	}
	return 0;
}

static int channel_program_flush(void *state, const channel_deadline *deadline, size_t *lost, char *err,
				 size_t errlen)
{
	channel_program *c = state;
	size_t len = c->len, pending = c->pending;
	c->len = 0;
	c->pending = 0;
	if (!len)
		return 0;
	if (c->fd < 0 || channel_program_send(c, c->buf, len, deadline, err, errlen) < 0) {
		if (c->fd < 0)
			snprintf(err, errlen, "'%s' is not running", c->program);
		*lost += pending;
		return -1;
	}
	return 0;
}

static int channel_program_write(void *state, const engine_alert *a, const channel_deadline *deadline, size_t *lost,
				 char *err, size_t errlen)
{
	channel_program *c = state;
	if (c->fd < 0 && channel_program_spawn(c, err, errlen) < 0)
		return -1;
	size_t olen = strlen(a->output);
	int rc = 0;
	if (c->keep_alive) {
		if (c->len + olen + 1 > c->cap) {
			if (c->len && (rc = channel_program_flush(c, deadline, lost, err, errlen)) < 0)
				return rc;
			if (c->fd < 0 && channel_program_spawn(c, err, errlen) < 0)
				return -1;
			size_t cap = olen + 1 > CHANNEL_PROGRAM_BUFSIZE ? olen + 1 : CHANNEL_PROGRAM_BUFSIZE;
			if (cap > c->cap) {
				char *nb = realloc(c->buf, cap);
				if (!nb) {
					snprintf(err, errlen, "out of memory");
					return -1;
				}
				c->buf = nb;
				c->cap = cap;
			}
		}
		memcpy(c->buf + c->len, a->output, olen);
		c->buf[c->len + olen] = '\n';
		c->len += olen + 1;
		c->pending++;
		if (c->len >= CHANNEL_PROGRAM_BUFSIZE && channel_program_flush(c, deadline, lost, err, errlen) < 0) {
			/* This alert was in the buffer: it is this call's failure. */
			(*lost)--;
			rc = -1;
		}
	} else {
		/* One write per process: line and newline together. */
		char stackbuf[2048];
		char *line = olen + 1 <= sizeof(stackbuf) ? stackbuf : malloc(olen + 1);
		if (!line) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		memcpy(line, a->output, olen);
		line[olen] = '\n';
		rc = channel_program_send(c, line, olen + 1, deadline, err, errlen);
		if (line != stackbuf)
			free(line);
	}
	if (!c->keep_alive)
		channel_program_stop(c, deadline);
	return rc;
}

static void channel_program_close(void *state, const channel_deadline *deadline)
{
	channel_program *c = state;
	char err[256];
	size_t lost = 0;
	channel_program_flush(c, deadline, &lost, err, sizeof(err));
	channel_program_stop(c, deadline);
}

static void channel_program_free(void *state)
{
	channel_program *c = state;
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c->program);
	free(c);
}

const channel_ops channel_program_ops = {
	.name = "program",
	.write = channel_program_write,
	.flush = channel_program_flush,
	.close = channel_program_close,
	.free = channel_program_free,
};
