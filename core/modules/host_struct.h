#ifndef FAPI_HOST_STRUCT_H
#define FAPI_HOST_STRUCT_H

/* The two moves of the size-first structs (ABI 1.4): reading one a module
 * filled, of whatever size it was built with, and filling one a module
 * reads, only as far as its size reaches.
 *
 * A size of 0 (a struct zeroed or designated-initialised without its
 * FAPI_<NAME>_INIT) stands for the layout the struct had when ABI 1.4 was
 * published: those members exist in every 1.4 module, and a member added
 * later is then never read or written. HOST_SIZE_14 gives that size; it
 * never changes. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fapi/fapi.h"

#define HOST_SIZE_14_END(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#define HOST_SIZE_14_UNARY_METHOD HOST_SIZE_14_END(fapi_unary_method, audit_summary)
#define HOST_SIZE_14_STREAM_METHOD HOST_SIZE_14_END(fapi_stream_method, audit_summary)
#define HOST_SIZE_14_ALERT_VIEW HOST_SIZE_14_END(fapi_alert_view, nfields)
#define HOST_SIZE_14_ALERT_SUB_OPTS HOST_SIZE_14_END(fapi_alert_sub_opts, name)
#define HOST_SIZE_14_ALERT_SUB_STATS HOST_SIZE_14_END(fapi_alert_sub_stats, high_water)
#define HOST_SIZE_14_MODULE_INFO HOST_SIZE_14_END(fapi_module_info, abi_minor)
#define HOST_SIZE_14_VERSION_INFO HOST_SIZE_14_END(fapi_version_info, abi_minor)

/* Copies into known[0..known_size) (a host-sized struct) the members of
 * *in that its size reaches (0: size14), zeroes the rest, and sets known's
 * size to known_size. Returns the size read. */
static inline uint32_t host_struct_read(void *known, size_t known_size, const void *in, size_t size14)
{
	uint32_t size;
	memcpy(&size, in, sizeof(size));
	if (!size)
		size = (uint32_t)size14;
	memset(known, 0, known_size);
	memcpy(known, in, size < known_size ? size : known_size);
	uint32_t ks = (uint32_t)known_size;
	memcpy(known, &ks, sizeof(ks));
	return size;
}

/* Copies the members of full[0..full_size) (a host-sized struct) that fit
 * in *out's size (0: size14) into *out, leaving its size as the caller set
 * it. */
static inline void host_struct_fill(void *out, const void *full, size_t full_size, size_t size14)
{
	uint32_t size;
	memcpy(&size, out, sizeof(size));
	if (!size)
		size = (uint32_t)size14;
	size_t n = size < full_size ? size : full_size;
	if (n > sizeof(size))
		memcpy((char *)out + sizeof(size), (const char *)full + sizeof(size), n - sizeof(size));
}

#endif
