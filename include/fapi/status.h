#ifndef FAPI_STATUS_H
#define FAPI_STATUS_H

#include <stddef.h>

/* True when *ptr, a struct of `type` that starts with its size (ABI 1.4),
 * reaches `member`: a struct filled by an older host, or by an older
 * module, stops earlier. */
#define FAPI_STRUCT_HAS(ptr, type, member) \
	((ptr)->size >= offsetof(type, member) + sizeof(((type *)0)->member))

/* Return codes of the SDK's functions. Zero is success; every failure is
 * negative so callers can test `rc < 0`. */
typedef enum fapi_rc {
	FAPI_OK = 0,
	FAPI_EINVAL = -1,      /* an argument is malformed or out of range */
	FAPI_ENOMEM = -2,      /* allocation failed */
	FAPI_ECLOSED = -3,     /* the call or object is already finished */
	FAPI_EFULL = -4,       /* a bounded queue is at its capacity */
	FAPI_EEXIST = -5,      /* the name is already registered */
	FAPI_ENOTFOUND = -6,   /* no such key, method or object */
	FAPI_EINTERNAL = -7,   /* a bug or an unexpected library failure */
	FAPI_EUNSUPPORTED = -8, /* the host does not offer this (too old) */
	FAPI_EIO = -9,         /* a file could not be read or written (ABI 1.4) */
	FAPI_ECONFLICT = -10   /* the caller's revision is stale: someone changed it first (ABI 1.4) */
} fapi_rc;

/* gRPC status codes, numerically equal to gRPC's, so that a module can end a
 * call with a precise status without including any gRPC header. */
typedef enum fapi_status_code {
	FAPI_STATUS_OK = 0,
	FAPI_STATUS_CANCELLED = 1,
	FAPI_STATUS_UNKNOWN = 2,
	FAPI_STATUS_INVALID_ARGUMENT = 3,
	FAPI_STATUS_DEADLINE_EXCEEDED = 4,
	FAPI_STATUS_NOT_FOUND = 5,
	FAPI_STATUS_ALREADY_EXISTS = 6,
	FAPI_STATUS_PERMISSION_DENIED = 7,
	FAPI_STATUS_RESOURCE_EXHAUSTED = 8,
	FAPI_STATUS_FAILED_PRECONDITION = 9,
	FAPI_STATUS_ABORTED = 10,
	FAPI_STATUS_OUT_OF_RANGE = 11,
	FAPI_STATUS_UNIMPLEMENTED = 12,
	FAPI_STATUS_INTERNAL = 13,
	FAPI_STATUS_UNAVAILABLE = 14,
	FAPI_STATUS_DATA_LOSS = 15,
	FAPI_STATUS_UNAUTHENTICATED = 16
} fapi_status_code;

/* Size of every error and status-message buffer the SDK hands out. */
#define FAPI_ERRBUF_SIZE 512

#endif
