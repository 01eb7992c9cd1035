#include "engine/util/file_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int file_read_all(const char *path, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return FILE_READ_EOPEN;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (cap - n < 65536) {
			size_t nc = cap ? cap * 2 : 262144;
			char *nb = realloc(buf, nc);
			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return FILE_READ_ENOMEM;
			}
			buf = nb;
			cap = nc;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	int bad = ferror(f);
	int saved = errno;
	fclose(f);
	if (bad) {
		free(buf);
		errno = saved;
		return FILE_READ_EREAD;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return FILE_READ_OK;
}
