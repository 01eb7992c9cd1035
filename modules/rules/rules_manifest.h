#ifndef RULES_MANIFEST_H
#define RULES_MANIFEST_H

/* The manifest: the one file whose rename makes a new state visible. It
 * names the revision, every API file (name, revision, size, sha256: the
 * content is in a blob file named after its sha256) and the toggles, and
 * ends with the sha256 of everything before its last line, so that a file
 * that is not whole is refused instead of read as a smaller state.
 *
 *   # falco-apid rules state: written by the rules module; do not edit
 *   format 1
 *   revision 7
 *   file 5 1234 <sha256> custom.yaml
 *   toggle disable rule Write below etc
 *   toggle enable tag network
 *   end <sha256 of the lines above>
 */

#include <stddef.h>

#include "rules_state.h"

#define RULES_MANIFEST_NAME "manifest"

/* The blob file name of a content's sha256: "api-<sha256>.yaml". */
void rules_manifest_blob_name(const char sha256[RULES_SHA256_HEX], char *out, size_t outlen);

/* The manifest of s (contents left out) into *out (malloc'd, *len bytes,
 * NUL-terminated). 0, or -1 when out of memory. */
int rules_manifest_format(const rules_state *s, char **out, size_t *len);

/* Parses a manifest into *out (zeroed by the callee): revision, toggles,
 * and files with name, revision, len and sha256, content NULL. 0, or -1
 * with "line N: why" in err (out then empty). */
int rules_manifest_parse(const char *text, size_t len, rules_state *out, char *err, size_t errlen);

#endif
