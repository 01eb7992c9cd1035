#ifndef FAPI_RULES_API_H
#define FAPI_RULES_API_H

/* Rules operations for modules (ABI 1.4): validate, apply, reload and list
 * the running set of rules. See the "ABI 1.4: rules operations" group of
 * fapi_host for the functions.
 *
 * The running set is the rules files of falco.yaml and -r (origin CONFIG:
 * directories expanded in name order, read from disk at startup and at each
 * reload only) followed by the documents each module contributed (origin
 * API, in module load order, each module's in the order it gave them),
 * loaded as one set: an API document may use, append to or override the
 * lists, macros and rules of the files before it, as Falco's later rules
 * files do. The core keeps every module's contribution (its documents and
 * its toggles), so a reload (SIGHUP, rules_reload) re-reads the config
 * files and applies them with the kept contributions, and the toggles
 * survive every later apply and reload until the module replaces them.
 *
 * Versioning: every struct here starts with `uint32_t size`.
 *  - Structs the module fills (fapi_rules_doc, fapi_rules_toggle,
 *    fapi_rules_set) are initialised with their FAPI_..._INIT macro, which
 *    sets size to sizeof as the module was built; the host reads only the
 *    members that fit in that size and treats the others as zero.
 *  - Structs the host fills (diagnostics, lists) carry the host's sizeof;
 *    a module built against a newer SDK tests a member with
 *    FAPI_RULES_HAS(ptr, type, member) before reading it.
 *  - Arrays are arrays of pointers, so a struct that grows never changes
 *    the stride a module built earlier assumed. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fapi/status.h"

/* True when *ptr (a host- or module-filled struct of `type`) reaches
 * `member`. */
#define FAPI_RULES_HAS(ptr, type, member) FAPI_STRUCT_HAS(ptr, type, member)

/* Where a rules file of the running set comes from. */
typedef enum fapi_rules_origin {
	FAPI_RULES_ORIGIN_CONFIG = 1, /* rules_file of falco.yaml or -r; read-only through the API */
	FAPI_RULES_ORIGIN_API = 2     /* contributed by a module through rules_apply */
} fapi_rules_origin;

/* One rules document a module contributes (filled by the module). */
typedef struct fapi_rules_doc {
	uint32_t size;    /* required: FAPI_RULES_DOC_INIT sets it */
	/* Required: the document's name, as diagnostics and rules_list show it
	 * ("10-web.yaml"): 1..255 bytes, no '/', no NUL, unique among the
	 * module's documents. Borrowed for the call (the core copies it). */
	const char *name;
	/* Required: the YAML text, Falco's rules format, len bytes (need not be
	 * NUL-terminated). Borrowed for the call (the core copies it). */
	const char *text;
	size_t len;
} fapi_rules_doc;
#define FAPI_RULES_DOC_INIT {.size = sizeof(fapi_rules_doc)}

/* Enables or disables rules at run time, on top of the documents'
 * `enabled:` (filled by the module). Exactly one of rule and tag is set. */
typedef struct fapi_rules_toggle {
	uint32_t size;    /* required: FAPI_RULES_TOGGLE_INIT sets it */
	const char *rule; /* a rule's exact name (any origin), or NULL; borrowed for the call */
	const char *tag;  /* every rule with this tag, or NULL; borrowed for the call */
	bool enabled;     /* the state those rules get */
} fapi_rules_toggle;
#define FAPI_RULES_TOGGLE_INIT {.size = sizeof(fapi_rules_toggle)}

/* A module's whole contribution: what rules_validate checks and rules_apply
 * installs (filled by the module). Toggles are applied in order over every
 * rule of the set (a later toggle wins over an earlier one for the rules
 * both match); the command line's -D/-T/-t still apply on top of them, as
 * they do on the documents. A toggle that matches no rule of the set is a
 * warning with code "toggle-no-match" (the set still applies, so that a
 * persisted toggle for a rule since removed from a config file does not
 * stop a restart; a module that wants it to be an error checks the
 * diagnostics). */
typedef struct fapi_rules_set {
	uint32_t size;                          /* required: FAPI_RULES_SET_INIT sets it */
	const fapi_rules_doc *const *docs;      /* ndocs pointers; borrowed for the call */
	size_t ndocs;                           /* 0: the module contributes no document */
	const fapi_rules_toggle *const *toggles; /* ntoggles pointers; borrowed for the call */
	size_t ntoggles;
} fapi_rules_set;
#define FAPI_RULES_SET_INIT {.size = sizeof(fapi_rules_set)}

/* One error or warning of a set (filled by the host). Strings are owned by
 * the fapi_rules_diags that holds it, never NULL ("" when unknown). */
typedef struct fapi_rules_diag {
	uint32_t size;       /* the host's sizeof(fapi_rules_diag) */
	bool is_error;       /* an error stops the set; a warning does not */
	/* The config file's path or the API document's name the item is in; ""
	 * for a diagnostic about the set as a whole. */
	const char *file;
	uint32_t line;       /* 1-based; 0 when unknown */
	uint32_t column;     /* 1-based; 0 when unknown */
	/* The item: "rule 'Write below etc'", "macro 'spawned_process'",
	 * "list 'shell_binaries'", "toggle 'rule X'", "" for the document */
	const char *item;
	/* Falco's warning code ("no-evttype", "unknown-field"...), our own for
	 * our warnings ("toggle-no-match"); "" for every error. */
	const char *code;
	const char *message; /* the words, without file, position or item */
} fapi_rules_diag;

typedef struct fapi_rules_diags {
	uint32_t size;                        /* the host's sizeof(fapi_rules_diags) */
	const fapi_rules_diag *const *items;  /* n pointers, in document order: errors and warnings mixed */
	size_t n;
	size_t nerrors;                       /* how many items are errors */
} fapi_rules_diags;

/* One rule of the running set (filled by the host; strings owned by the
 * fapi_rules_list). */
typedef struct fapi_rules_rule {
	uint32_t size;               /* the host's sizeof(fapi_rules_rule) */
	const char *name;
	const char *description;     /* "desc", after appends */
	const char *priority;        /* as written ("WARNING", "Notice") */
	const char *source;          /* "syscall", "k8s_audit", ... */
	const char *const *tags;     /* ntags, in the order written */
	size_t ntags;
	bool enabled;                /* takes part in evaluation (documents, toggles, -D/-T/-t, priority) */
	const char *file;            /* where the rule item is defined: config path or API name */
	uint32_t line;               /* its line there (1-based) */
	fapi_rules_origin origin;    /* of that file */
	uint64_t matches;            /* since startup; kept across swaps while name and condition are unchanged */
} fapi_rules_rule;

/* One file of the running set, in load order (filled by the host). */
typedef struct fapi_rules_file {
	uint32_t size;            /* the host's sizeof(fapi_rules_file) */
	const char *name;         /* config: the path as loaded; API: the document's name */
	fapi_rules_origin origin;
	const char *module;       /* API: the contributing module's name; config: "" */
	const char *sha256;       /* of the content loaded, lower-case hex */
} fapi_rules_file;

/* The running set (filled by the host; everything it points to is owned
 * by it until rules_list_free). */
typedef struct fapi_rules_list {
	uint32_t size;                       /* the host's sizeof(fapi_rules_list) */
	uint64_t generation;                 /* of the running set: 1 at startup, +1 per successful swap */
	const fapi_rules_rule *const *rules; /* nrules pointers, in declaration order */
	size_t nrules;
	const fapi_rules_file *const *files; /* nfiles pointers, in load order */
	size_t nfiles;
} fapi_rules_list;

#endif
