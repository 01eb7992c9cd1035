#ifndef RULES_STATE_H
#define RULES_STATE_H

/* The rules module's state as it is persisted: the API files (name,
 * content, sha256, revision last changed) in name order, the toggles in
 * the order they apply, and the set's revision. Values, copied on change:
 * a write builds a new rules_state from the current one, validates and
 * persists it, and only then replaces the current one. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RULES_SHA256_HEX 65 /* 64 hex digits and the NUL */

typedef struct rules_file {
	char *name;    /* owned; [A-Za-z0-9._-]+ ending in ".yaml" */
	char *content; /* owned; NUL-terminated after len bytes */
	size_t len;
	char sha256[RULES_SHA256_HEX];
	uint64_t revision; /* the revision the file was last changed in */
} rules_file;

typedef struct rules_toggle {
	bool enable;
	bool by_tag;  /* value is a tag, else a rule name */
	char *value;  /* owned; no control characters */
} rules_toggle;

typedef struct rules_state {
	uint64_t revision; /* 1 for a state that never saw a write */
	rules_file *files; /* owned, nfiles entries, sorted by name */
	size_t nfiles;
	rules_toggle *toggles; /* owned, ntoggles entries */
	size_t ntoggles;
} rules_state;

/* Frees s's members and zeroes it (s itself is the caller's). */
void rules_state_free(rules_state *s);
/* Deep copy of src into *dst (zeroed by the callee). 0, or -1 when out of
 * memory (*dst then empty). */
int rules_state_copy(rules_state *dst, const rules_state *src);
/* The file named `name`, or NULL. */
const rules_file *rules_state_find(const rules_state *s, const char *name);
/* Creates or replaces file `name` with content[0..len), stamped with
 * `revision`; the list stays in name order. 0, or -1 when out of memory
 * (s unchanged). */
int rules_state_put(rules_state *s, const char *name, const char *content, size_t len, uint64_t revision);
/* Removes file `name`. 0, or -1 when there is none. */
int rules_state_remove(rules_state *s, const char *name);
/* Appends a toggle, dropping an earlier one of the same kind and value
 * (the newer decides, and it applies after every other). 0 or -1 (out of
 * memory, s unchanged). */
int rules_state_toggle(rules_state *s, bool enable, bool by_tag, const char *value);

/* Whether `name` is a valid API file name: [A-Za-z0-9._-]+ ending in
 * ".yaml", not starting with '.', at most 200 bytes. */
bool rules_state_valid_name(const char *name);
/* Whether a toggle's value can be persisted: non-empty, at most 1024
 * bytes, no control characters. */
bool rules_state_valid_value(const char *value);

/* The SHA-256 of data[0..len) in lower-case hex into out. 0 or -1. */
int rules_state_sha256(const void *data, size_t len, char out[RULES_SHA256_HEX]);

#endif
