#ifndef FAPI_ENGINE_RULES_DOC_H
#define FAPI_ENGINE_RULES_DOC_H

/* rules_doc: the rules document accumulated over several Falco 0.31 rules
 * files loaded in order (files, or memory buffers with a name).
 *
 * It applies Falco 0.31.1's item semantics (userspace/engine/lua/
 * rule_loader.lua) and keeps the file/line of everything:
 *
 *  - items: required_engine_version (a number; higher than the engine's is
 *    an error), required_plugin_versions, macro, list, rule, dispatched on
 *    the first of those keys that is present and not false (a null value
 *    counts, as in Falco: `- rule:` alone is "Rule name is empty"); an
 *    item with none of them is a warning ("Unknown top level object: {...}").
 *    Other keys inside an item are ignored, as in Falco.
 *  - list: items (a sequence of scalars) required; `append: true` appends
 *    items. After each file, every list is flattened in declaration order:
 *    an item naming a list declared earlier is replaced by that list's
 *    (flattened) items.
 *  - macro: condition required; `append: true` appends " " + condition;
 *    source defaults to "syscall".
 *  - rule: a new definition needs condition, output, desc, priority
 *    ("Rule must have property X"); output is trimmed; priority must be a
 *    known name. A rule item lacking one of those but having `enabled`
 *    sets the enabled flag of an existing rule (error if none). `append:
 *    true` appends " " + condition and/or exceptions (values of an existing
 *    exception of the same name are appended; a new name is added with its
 *    fields/comps); it needs a condition or exceptions. Rules whose
 *    priority is less severe than the configured minimum are skipped (not
 *    in the document; appends to them are silently ignored), as in Falco.
 *  - appending to an undefined list/macro/rule is an error ("... has
 *    'append' key but no ... by that name already exists").
 *  - defining an existing list/macro/rule again without append replaces
 *    it; it keeps its original position in declaration order (Falco
 *    "loads rules in the order in which they first appeared").
 *  - after each file, each rule's exceptions are turned into its compile
 *    condition (see rules_exceptions.h).
 *
 * Types are checked strictly: a string field that is a mapping/sequence, a
 * list (items, tags) that is not a sequence of scalars, a boolean (append,
 * enabled, skip-if-unknown-filter, warn_evttypes) that is not a YAML
 * boolean, an unknown priority, ... are errors.
 *
 * Errors and warnings read "FILE:LINE:COL: ITEM: message", where ITEM is
 * e.g. "rule 'open_from_cat'", "macro 'is_cat'", "list 'shells'",
 * "required_engine_version" (and is omitted when no item applies), and the
 * message uses Falco 0.31's wording where Falco has one.
 *
 * Atomicity: a load either applies the whole file or nothing. The file is
 * applied to a staged copy of the document state, which replaces the
 * current state only when the whole file (and the optional validation
 * callback) succeeded. A failed load leaves the document exactly as it was
 * (pointers obtained before it stay valid). A successful load invalidates
 * every rules_list/rules_macro/rules_rule pointer obtained before it.
 *
 * Thread-compatibility: no global mutable state; one document must not be
 * used by several threads at once without external locking; distinct
 * documents are independent.
 *
 * What is left to the condition compiler: parsing conditions and outputs,
 * expanding macros and lists, checking that referenced macros exist (a
 * macro may only use macros declared before it, i.e. with a smaller
 * `order`; rules may use any macro; macros and rules may use any list),
 * checking exception field names against the rule's source, skipping rules
 * of unknown sources, the unused list/macro warnings and the no-evttype
 * warning. */

#include <stdbool.h>
#include <stddef.h>

#include "engine/rules/rules_exceptions.h"
#include "engine/rules/rules_priority.h"
#include "engine/rules/rules_yaml.h"

/* A list, after appends. Strings belong to the document. */
typedef struct rules_list {
	const char *name;
	rules_loc loc;         /* the current (last non-append) definition */
	size_t order;          /* position in declaration order == index for rules_doc_list_at() */
	size_t seq;            /* global item index of the current definition (all kinds, all files) */
	const char **items;    /* raw items as written (after appends), not flattened */
	size_t n_items;
	/* Falco's flattened list: each item naming a list declared EARLIER (a
	 * smaller order) is replaced by that list's expanded items; an item
	 * naming this list or a later one stays a literal, as in Falco. Use
	 * these (not `items`) and do not expand their names again. Items are
	 * raw YAML text: Falco substitutes quote_item(item) (see
	 * rules_exceptions_quote_item()) into the condition text, so read each
	 * item as a value token of the condition language (an item written
	 * '"sh -c x"' is the quoted string sh -c x). */
	const char **expanded;
	size_t n_expanded;
	bool used_by_list;     /* some later list's items named this list (Falco's "used") */
	rules_loc *appends;    /* locations of the append items applied, in order */
	size_t n_appends;
} rules_list;

/* A macro, after appends. */
typedef struct rules_macro {
	const char *name;
	const char *condition; /* after appends, joined with one space */
	const char *source;    /* "syscall" unless the definition said otherwise */
	rules_loc loc;
	rules_loc condition_loc; /* the definition's condition value */
	size_t order;
	size_t seq;
	rules_loc *appends;
	size_t n_appends;
} rules_macro;

/* A rule, after appends, enabled toggles and exceptions. */
typedef struct rules_rule {
	const char *name;
	const char *condition;         /* after textual appends, without exceptions */
	const char *compile_condition; /* condition + exceptions: what the compiler compiles */
	const char *output;            /* trimmed of leading/trailing whitespace */
	const char *desc;
	rules_priority priority;
	const char *priority_text;     /* as written ("WARNING", "INFO"): Falco's summary prints it */
	const char *source;            /* "syscall" by default; e.g. "k8s_audit" */
	const char *const *tags;
	size_t n_tags;
	bool enabled;                  /* default true */
	bool skip_if_unknown_filter;   /* default false */
	bool warn_evttypes;            /* default true */
	rules_exception *exceptions;
	size_t n_exceptions;
	const char **exception_fields; /* distinct fields used by exceptions with values */
	size_t n_exception_fields;
	rules_loc loc;
	rules_loc condition_loc;
	rules_loc output_loc;
	size_t order;
	size_t seq;
	rules_loc *appends;            /* append items applied (condition and/or exceptions) */
	size_t n_appends;
} rules_rule;

/* One required_plugin_versions entry. */
typedef struct rules_plugin_requirement {
	const char *name;
	const char *version;
	rules_loc loc;
} rules_plugin_requirement;

typedef struct rules_doc rules_doc;

/* Optional validation hook, called with the staged document after a file
 * was applied and before it is committed (e.g. to compile all conditions
 * as Falco does after every file: in Falco a file whose macros use a macro
 * only defined in a later file fails). The staged document includes the
 * file being loaded (file list, warnings, entities). Return 0 to accept; any other value
 * rejects the file: the load returns RULES_ERR_VALIDATE, the document stays
 * unchanged and the message written to err (errlen bytes) is the load's
 * error. The staged document is read-only and only valid during the call. */
typedef int (*rules_doc_validate_fn)(const rules_doc *staged, void *user, char *err, size_t errlen);

typedef struct rules_doc_options {
	/* Engine version required_engine_version is checked against; 0 means
	 * this engine's (engine_version_number(), 11). */
	unsigned engine_version;
	/* Rules with a less severe priority (a higher number) are skipped, as
	 * with Falco's `priority` setting. RULES_PRIORITY_DEBUG keeps all. */
	rules_priority min_priority;
	rules_doc_validate_fn validate; /* may be NULL */
	void *validate_user;
	/* The loader's bounds (rules_limits.h); a 0 field takes its default,
	 * so a zeroed struct means all defaults. */
	rules_limits limits;
	/* Go on past an item's error (a schema or semantic error of one list,
	 * macro or rule) to report the errors of the following items too, up
	 * to limits.errors; the load still fails and changes nothing. A YAML
	 * syntax error, required_engine_version and running out of memory
	 * still stop the file. See rules_doc_error_count. */
	bool all_errors;
} rules_doc_options;

/* Fills *opts with the defaults: engine version 0 (= ours), min priority
 * DEBUG, no validation hook, default limits. */
void rules_doc_options_init(rules_doc_options *opts);

/* Creates an empty document. opts may be NULL (defaults); it is copied.
 * Returns NULL when out of memory. Free with rules_doc_free(). */
rules_doc *rules_doc_new(const rules_doc_options *opts);

/* Frees the document and everything it owns. NULL is allowed. */
void rules_doc_free(rules_doc *doc);

/* Loads the rules file at `path` into the document (after what was loaded
 * before). Returns RULES_OK, or a negative rules_status with the first
 * error in err ("PATH:LINE:COL: ITEM: message"; truncated to errlen; err
 * may be NULL if errlen is 0). On error the document is unchanged.
 * Warnings of a successful load are added to the document's warnings;
 * those of a failed load are dropped. */
int rules_doc_load_file(rules_doc *doc, const char *path, char *err, size_t errlen);

/* Same as rules_doc_load_file() for `len` bytes at `buf`, with `name`
 * standing for the file name in messages and locations (e.g. a name
 * received over gRPC). The buffer is not kept. */
int rules_doc_load_buffer(rules_doc *doc, const char *name, const char *buf, size_t len, char *err,
			  size_t errlen);

/* Same, for an already parsed file. On success the document takes
 * ownership of f; on failure f is freed. */
int rules_doc_load_yaml(rules_doc *doc, rules_yaml_file *f, char *err, size_t errlen);

/* Declaration-ordered access. Counts return the number of entries;
 * *_at() returns entry i or NULL when out of range; find() returns the
 * entry with that name or NULL. Pointers stay valid until the next
 * successful load or rules_doc_free(). */
size_t rules_doc_list_count(const rules_doc *doc);
const rules_list *rules_doc_list_at(const rules_doc *doc, size_t i);
const rules_list *rules_doc_find_list(const rules_doc *doc, const char *name);

size_t rules_doc_macro_count(const rules_doc *doc);
const rules_macro *rules_doc_macro_at(const rules_doc *doc, size_t i);
const rules_macro *rules_doc_find_macro(const rules_doc *doc, const char *name);

size_t rules_doc_rule_count(const rules_doc *doc);
const rules_rule *rules_doc_rule_at(const rules_doc *doc, size_t i);
const rules_rule *rules_doc_find_rule(const rules_doc *doc, const char *name);

/* True when a rule of that name was skipped for its priority (and is not
 * otherwise defined). */
bool rules_doc_rule_skipped(const rules_doc *doc, const char *name);

/* Warnings of all successful loads, in order ("FILE:LINE:COL: ...").
 * Strings are owned by the document. */
size_t rules_doc_warning_count(const rules_doc *doc);
const char *rules_doc_warning_at(const rules_doc *doc, size_t i);

/* The errors of the last failed load, in item order (with all_errors:
 * every item's; else the one error err received); empty after a
 * successful one. Strings are owned by the document, valid until the next
 * load. */
size_t rules_doc_error_count(const rules_doc *doc);
const char *rules_doc_error_at(const rules_doc *doc, size_t i);

/* Files successfully loaded, in order: their names, and the
 * required_engine_version each declared (the last one in the file; 0 when
 * none). */
size_t rules_doc_file_count(const rules_doc *doc);
const char *rules_doc_file_name(const rules_doc *doc, size_t i);
unsigned rules_doc_file_required_engine_version(const rules_doc *doc, size_t i);

/* The highest required_engine_version over all loaded files (0: none). */
unsigned rules_doc_required_engine_version(const rules_doc *doc);

/* required_plugin_versions entries of all loaded files, in order. */
size_t rules_doc_plugin_requirement_count(const rules_doc *doc);
const rules_plugin_requirement *rules_doc_plugin_requirement_at(const rules_doc *doc, size_t i);

/* Total number of items (of every kind) applied so far; a rules_*.seq is
 * below this. */
size_t rules_doc_item_count(const rules_doc *doc);

/* The limits the document loads with (defaults filled in); owned by doc.
 * The compiler bounds macro and list expansion with them. */
const rules_limits *rules_doc_limits(const rules_doc *doc);

#endif
