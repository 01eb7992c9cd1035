#include "engine/rules/rules_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int rules_files_push(char ***out, size_t *n, const char *path)
{
	char **a = realloc(*out, (*n + 1) * sizeof(**out));
	if (!a)
		return -1;
	*out = a;
	if (!(a[*n] = strdup(path)))
		return -1;
	(*n)++;
	return 0;
}

static int rules_files_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rules_files_expand(const char *const *paths, size_t npaths, char ***out, size_t *nout, char *err,
		       size_t errlen)
{
	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < npaths; i++) {
		struct stat st;
		if (stat(paths[i], &st) < 0) {
			snprintf(err, errlen, "%s: cannot read rules: %s", paths[i], strerror(errno));
			goto fail;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (rules_files_push(out, nout, paths[i]) < 0)
				goto nomem;
			continue;
		}
		DIR *d = opendir(paths[i]);
		if (!d) {
			snprintf(err, errlen, "%s: cannot read rules directory: %s", paths[i], strerror(errno));
			goto fail;
		}
		size_t first = *nout;
		struct dirent *de;
		while ((de = readdir(d))) {
			char p[4096];
			snprintf(p, sizeof(p), "%s/%s", paths[i], de->d_name);
			if (de->d_name[0] == '.' || stat(p, &st) < 0 || !S_ISREG(st.st_mode))
				continue;
			if (rules_files_push(out, nout, p) < 0) {
				closedir(d);
				goto nomem;
			}
		}
		closedir(d);
		if (*nout > first) /* an empty directory: *out may still be NULL */
			qsort(*out + first, *nout - first, sizeof(**out), rules_files_cmp);
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	rules_files_free(*out, *nout);
	*out = NULL;
	*nout = 0;
	return -1;
}

void rules_files_free(char **files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
}
