#include "engine/util/file_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_mkdirs(const char *dir, mode_t mode, char *err, size_t errlen)
{
	char path[4096];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof(path)) {
		snprintf(err, errlen, "state directory \"%s\": %s", dir, n ? "path too long" : "empty path");
		return -1;
	}
	memcpy(path, dir, n + 1);
	/* Each prefix in turn, so that a missing parent is made too. */
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char c = path[i];
		path[i] = '\0';
		if (mkdir(path, mode) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create \"%s\": %s", path, strerror(errno));
			return -1;
		}
		path[i] = c;
	}
	struct stat st;
	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "\"%s\": %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "\"%s\" is not a directory", dir);
		return -1;
	}
	return 0;
}

static int file_fsync_dir(const char *dir, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot sync directory \"%s\": %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int file_write_fd(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return fsync(fd);
}

int file_write_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode, char *err,
		      size_t errlen)
{
	if (!name[0] || strchr(name, '/')) {
		snprintf(err, errlen, "\"%s\" is not a plain file name", name);
		return -1;
	}
	char tmp[4096], dst[4096];
	int a = snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	int b = snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.XXXXXX", dir, name);
	if (a < 0 || b < 0 || (size_t)a >= sizeof(dst) || (size_t)b >= sizeof(tmp)) {
		snprintf(err, errlen, "\"%s/%s\": path too long", dir, name);
		return -1;
	}
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file in \"%s\": %s", dir, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) != 0 || file_write_fd(fd, data, len) != 0) {
		snprintf(err, errlen, "cannot write \"%s\": %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0) {
		snprintf(err, errlen, "cannot write \"%s\": %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, dst) != 0) {
		snprintf(err, errlen, "cannot rename \"%s\" to \"%s\": %s", tmp, dst, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return file_fsync_dir(dir, err, errlen);
}

int file_remove_durable(const char *dir, const char *name, char *err, size_t errlen)
{
	char dst[4096];
	int a = snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	if (a < 0 || (size_t)a >= sizeof(dst) || !name[0] || strchr(name, '/')) {
		snprintf(err, errlen, "\"%s\" is not a plain file name", name);
		return -1;
	}
	if (unlink(dst) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove \"%s\": %s", dst, strerror(errno));
		return -1;
	}
	return file_fsync_dir(dir, err, errlen);
}
