#ifndef FAPI_ENGINE_FILE_READ_H
#define FAPI_ENGINE_FILE_READ_H

/* The one read-a-whole-file loop (rules files, the configuration, TLS key
 * files). The caller words the message, since each says what the file is
 * for; errno tells why. */

#include <stddef.h>

enum file_read_status {
	FILE_READ_OK = 0,
	FILE_READ_EOPEN = -1,  /* fopen failed; errno says why */
	FILE_READ_EREAD = -2,  /* a read failed; errno says why */
	FILE_READ_ENOMEM = -3, /* out of memory */
};

/* Reads all of path into *data (malloc'd, NUL-terminated after *len bytes;
 * the caller frees it). On failure *data is NULL, *len 0, and errno is
 * that of the failing call. Returns an enum file_read_status. */
int file_read_all(const char *path, char **data, size_t *len);

#endif
