#include "channels/channel_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A burst is written in pieces of this size. */
#define CHANNEL_FILE_BUFSIZE 65536

typedef struct channel_file {
	char *filename;
	bool keep_alive;
	FILE *f;
	size_t pending; /* alerts in f's buffer */
} channel_file;

void *channel_file_new(const char *filename, bool keep_alive)
{
	channel_file *c = calloc(1, sizeof(*c));
	if (!c || !(c->filename = strdup(filename))) {
		free(c);
		return NULL;
	}
	c->keep_alive = keep_alive;
	return c;
}

/* Closes the file; what its buffer held is lost if that fails. */
static int channel_file_close_err(channel_file *c, size_t *lost, char *err, size_t errlen)
{
	if (!c->f)
		return 0;
	int rc = fclose(c->f);
	c->f = NULL;
	size_t pending = c->pending;
	c->pending = 0;
	if (rc != 0) {
		snprintf(err, errlen, "writing %s: %s", c->filename, strerror(errno));
		*lost += pending;
		return -1;
	}
	return 0;
}

static int channel_file_write(void *state, const engine_alert *a, const channel_deadline *deadline, size_t *lost,
			      char *err, size_t errlen)
{
	(void)deadline;
	channel_file *c = state;
	if (!c->f) {
		c->f = fopen(c->filename, "ae");
		if (!c->f) {
			snprintf(err, errlen, "failed to open output file %s: %s", c->filename, strerror(errno));
			return -1;
		}
		setvbuf(c->f, NULL, _IOFBF, CHANNEL_FILE_BUFSIZE);
	}
	size_t len = strlen(a->output);
	if (fwrite(a->output, 1, len, c->f) != len || putc('\n', c->f) == EOF) {
		snprintf(err, errlen, "writing %s: %s", c->filename, strerror(errno));
		/* The buffer may hold earlier lines that will never be written. */
		*lost += c->pending;
		c->pending = 0;
		fclose(c->f);
		c->f = NULL;
		return -1;
	}
	if (!c->keep_alive)
		return channel_file_close_err(c, lost, err, errlen);
	c->pending++;
	return 0;
}

static int channel_file_flush(void *state, const channel_deadline *deadline, size_t *lost, char *err, size_t errlen)
{
	(void)deadline;
	channel_file *c = state;
	if (c->f && fflush(c->f) != 0) {
		snprintf(err, errlen, "writing %s: %s", c->filename, strerror(errno));
		*lost += c->pending;
		c->pending = 0;
		fclose(c->f);
		c->f = NULL;
		return -1;
	}
	c->pending = 0;
	return 0;
}

static void channel_file_close(void *state, const channel_deadline *deadline)
{
	(void)deadline;
	char err[64];
	size_t lost = 0;
	channel_file_close_err(state, &lost, err, sizeof(err));
}

static void channel_file_free(void *state)
{
	channel_file *c = state;
	if (!c)
		return;
	if (c->f)
		fclose(c->f);
	free(c->filename);
	free(c);
}

const channel_ops channel_file_ops = {
	.name = "file",
	.write = channel_file_write,
	.flush = channel_file_flush,
	.close = channel_file_close,
	.free = channel_file_free,
};
