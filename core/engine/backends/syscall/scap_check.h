#ifndef FAPI_ENGINE_SCAP_CHECK_H
#define FAPI_ENGINE_SCAP_CHECK_H

/*
 * scap_check - a structural check of a capture file before libsinsp reads
 * it.
 *
 * libscap checks block lengths but not the events inside them, and
 * libsinsp's parsers trust every event: a parameter length pointing past
 * the event, an event length past its block, or a parameter count that
 * does not match the event table makes them read past libscap's buffer
 * (heap over-read, or a crash in the release build). A replay of such a
 * file is refused with the offset of the first bad event instead.
 *
 * What is checked, for every event block (plain or gzip file, all block
 * versions): the event header fits in the block and its length does not
 * exceed the block; for the blocks that carry a parameter count (v2), the
 * count is at most the event table's for known event types, the length
 * array fits in the event, and the parameters' lengths add up to exactly
 * the event length (libscap's writers always write it so). Other blocks
 * (header, machine, process, fd, user lists) are left to libscap, which
 * checks them. A file that ends inside a block is left to libscap too (it
 * reports the truncation when the replay gets there).
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Checks the capture at path. Returns 0 when every event is well formed
 * (or the file cannot be opened: the caller's open reports that), -1 with
 * "event block at offset N: what is wrong" in err (errlen > 0) otherwise.
 * *nevents (may be NULL) receives the number of event blocks checked.
 * Reads the whole file once (decompressing gzip); allocates one block
 * buffer, freed before returning.
 */
int scap_check_file(const char *path, uint64_t *nevents, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
