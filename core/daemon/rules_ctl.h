#ifndef FAPI_DAEMON_RULES_CTL_H
#define FAPI_DAEMON_RULES_CTL_H

/* rules_ctl: the running set of rules as the daemon composes it, and every
 * change to it (the host's rules operations, SIGHUP).
 *
 * The set is the config rules files (falco.yaml's rules_file and -r,
 * directories expanded in name order; their text read at startup and at
 * each reload, and kept, so that an apply between two reloads uses the
 * files as they were loaded) followed by each contributor's documents, in
 * contributor rank order (a module's load index), then every contributor's
 * toggles in that order. rules_ctl keeps each contribution, so a reload
 * applies it again.
 *
 * Thread-safe: changes (validate, apply, reload) are serialised on one
 * lock; rules_ctl_list takes a different one only for a pointer copy, so a
 * list never waits for an apply in progress. */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

typedef struct rules_ctl rules_ctl;

/* Starts with the config files of `paths` (borrowed; copied), which the
 * engine `e` (borrowed; outlives the rules_ctl) was created with. 0, or -1
 * with err (a file that cannot be read). */
int rules_ctl_new(rules_ctl **out, engine *e, const char *const *paths, size_t npaths, char *err, size_t errlen);
void rules_ctl_free(rules_ctl *c);
/* Wall-clock nanoseconds of the last successful change (start, apply or
 * reload): /metrics' falcosecurity_falco_reload_timestamp_nanoseconds.
 * Thread-safe; 0 for NULL. */
uint64_t rules_ctl_reload_ns(const rules_ctl *c);

/* A contributor's documents (each with text; names 1..255 bytes without
 * '/', unique in the set) and toggles; borrowed for the call. */
typedef engine_set rules_ctl_contrib;

/* Validates the set with `owner`'s contribution (rank: its place among
 * contributors; name: for rules_ctl_list) replaced by *c. 0, or -1 with
 * diags (always filled; free with engine_diags_free). */
int rules_ctl_validate(rules_ctl *ctl, unsigned rank, const char *owner, const rules_ctl_contrib *c,
		       engine_diags *diags);
/* As validate, then swaps it in and keeps *c (copied) as owner's
 * contribution. An empty *c withdraws it. 0 and *generation, or -1 with
 * diags and nothing changed. */
int rules_ctl_apply(rules_ctl *ctl, unsigned rank, const char *owner, const rules_ctl_contrib *c,
		    uint64_t *generation, engine_diags *diags);
/* Reads the config files again, from `paths` when set_paths (borrowed;
 * copied on success), else from the current ones, and applies them with
 * the kept contributions. 0 and *generation, or -1 with diags (a file
 * that cannot be read is one) and nothing changed. */
int rules_ctl_reload(rules_ctl *ctl, bool set_paths, const char *const *paths, size_t npaths,
		     uint64_t *generation, engine_diags *diags);

enum { RULES_CTL_ORIGIN_CONFIG = 1, RULES_CTL_ORIGIN_API = 2 };

/* One file of the running set. */
typedef struct rules_ctl_file {
	char *name;    /* config path as loaded, or the document's name */
	int origin;    /* RULES_CTL_ORIGIN_* */
	char *owner;   /* the contributor, "" for config */
	char sha256[65];
} rules_ctl_file;

/* The running set's description, immutable and reference-counted: its
 * rules (as engine_list_rules gives them, matches as of the build) with
 * the origin of each rule's file, its files, its generation. */
typedef struct rules_ctl_snapshot {
	atomic_uint refs;
	uint64_t generation;
	engine_rule_info *rules;
	size_t nrules;
	int *rule_origin; /* nrules entries */
	rules_ctl_file *files;
	size_t nfiles;
} rules_ctl_snapshot;

/* The running set's snapshot (a reference the caller releases), built
 * again only when the generation moved. NULL when out of memory. */
rules_ctl_snapshot *rules_ctl_snapshot_get(rules_ctl *ctl);
void rules_ctl_snapshot_release(rules_ctl_snapshot *s);
/* The snapshot's current match counts into out[0..s->nrules): 0, or -1
 * when the set changed since (get a new snapshot). */
int rules_ctl_matches(rules_ctl *ctl, const rules_ctl_snapshot *s, uint64_t *out);

#endif
