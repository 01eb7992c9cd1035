#ifndef FAPI_HOST_STRUCT_H
#define FAPI_HOST_STRUCT_H

/* The two moves of the size-first structs (ABI 1.4): reading one a module
 * filled, of whatever size it was built with, and filling one a module
 * reads, only as far as its size reaches. */

#include <stdint.h>
#include <string.h>

/* Copies into known[0..known_size) (a host-sized struct) the members of
 * *in that its size reaches, zeroes the rest, and sets known's size to
 * known_size. Returns in's size. */
static inline uint32_t host_struct_read(void *known, size_t known_size, const void *in)
{
	uint32_t size;
	memcpy(&size, in, sizeof(size));
	memset(known, 0, known_size);
	memcpy(known, in, size < known_size ? size : known_size);
	uint32_t ks = (uint32_t)known_size;
	memcpy(known, &ks, sizeof(ks));
	return size;
}

/* Copies the members of full[0..full_size) (a host-sized struct) that fit
 * in *out's size into *out, leaving its size as the caller set it. */
static inline void host_struct_fill(void *out, const void *full, size_t full_size)
{
	uint32_t size;
	memcpy(&size, out, sizeof(size));
	size_t n = size < full_size ? size : full_size;
	if (n > sizeof(size))
		memcpy((char *)out + sizeof(size), (const char *)full + sizeof(size), n - sizeof(size));
}

#endif
