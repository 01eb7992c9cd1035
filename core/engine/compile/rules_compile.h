#ifndef FAPI_ENGINE_RULES_COMPILE_H
#define FAPI_ENGINE_RULES_COMPILE_H

/* From a loaded rules document to evaluable rules: every macro and rule
 * condition is parsed once, macros and lists are expanded on the tree, the
 * leaves are bound to the checks of the rule's source backend, each rule
 * gets its event-type set (for the index) and its output format. Errors name the file, the line
 * and the item; Falco's load warnings (no-evttype, unknown-field,
 * unknown-source) are collected in Falco's words. */

#include <stdbool.h>
#include <stddef.h>

#include "engine/lang/condition_ast.h"
#include "engine/compile/evttype_set.h"
#include "engine/rules/rules_doc.h"
#include "engine/backends/backend_registry.h"

typedef struct compiled_rule {
	char *name;                   /* owned, like every string here */
	char *desc;
	char *source;
	char *output;                 /* as written in the rule (trimmed) */
	char **tags;                  /* sorted, as Falco's std::set */
	size_t ntags;
	int priority;                 /* 0 emergency .. 7 debug */
	char *priority_text;          /* as written in the rules file */
	bool enabled;
	bool evaluable;               /* false when no backend of its source is registered */
	const backend *backend;       /* the source's backend; NULL when not evaluable */
	struct condition_node *cond;  /* bound tree; owned */
	evttype_set evttypes;         /* codes as libsinsp/Falco computes them (load warnings) */
	evttype_set index;            /* codes the rule is indexed under: evttypes refined by evt.dir (every code, generic 0 and 1 too, when evttypes is empty, as Falco) */
	backend_format *fmt;          /* "*%<time field>: <Priority> <output>"; borrowed from compiled_rules.formatters; NULL with validate_only */
	rules_loc loc;
	size_t order;                 /* declaration order */
} compiled_rule;

typedef struct compiled_rules {
	compiled_rule *rules; /* declaration order; owned */
	size_t n;
	char **warnings;      /* "Rule X: warning (code):\n ..." ; owned */
	size_t nwarnings;
	const backend_registry *registry; /* borrowed: must outlive this */
	/* The bound leaves, kept so that a later compile can share them
	 * (rules_compile_opts.reuse); owned. */
	struct leaf_table *leaves;
	/* The rules' formatters (shared like the leaves); owned. */
	struct format_table *formatters;
} compiled_rules;

typedef struct rules_compile_opts {
	bool time_format_iso_8601; /* %<time field>.iso8601 instead of %<time field> */
	const char *output_extra;   /* -p: appended to syscall rules' outputs; NULL or "" for none (borrowed) */
	bool replace_container_info; /* -pc/-pk/-pm: %container.info becomes output_extra */
	/* Sources whose rules are kept (parsed and expanded, so errors
	 * surface) but not evaluated when no backend of theirs is registered;
	 * a rule of any other unregistered source gets Falco's unknown-source
	 * warning and is skipped. NULL: {"syscall", "k8s_audit"}, the sources
	 * Falco 0.31 always knows. Borrowed. */
	const char *const *known_sources;
	size_t nknown_sources;
	/* Only validate (-V): outputs are checked as the backend's formatter
	 * would check them (format_check.h), without compiling a format per
	 * rule (fmt stays NULL): nothing will be formatted, and libsinsp's
	 * formatters are most of the cost of a whole -V process. */
	bool validate_only;
	/* Optional: go on past a list's, macro's or rule's error to find the
	 * others, calling on_error with each ("FILE:LINE:COL: ITEM: message";
	 * the first one also goes to err), at most max_errors times (0: no
	 * bound); compiling still fails. A rule or macro that fails only
	 * because a macro it uses failed is not reported again. */
	void (*on_error)(void *user, const char *message);
	/* With on_error: when compiling fails, each warning found is handed
	 * here (else dropped with the result). */
	void (*on_warning)(void *user, const char *message);
	void *error_user;
	size_t max_errors;
	/* Optional, borrowed: a set compiled before with the same registry
	 * (the running one). Identical condition leaves are shared with it
	 * instead of being compiled again (leaf_table_bind), and so are
	 * identical output formats (format_table_get), so both sets must be
	 * evaluated, formatted with and freed on one thread at a time. */
	const compiled_rules *reuse;
} rules_compile_opts;

/* Compiles every rule of doc with the backend of its source. Returns 0, or
 * -1 with "FILE:LINE:COL: ITEM: message" in err (nothing is returned then).
 * *out is freed with compiled_rules_free, before the registry. */
int rules_compile(const rules_doc *doc, const backend_registry *reg, const rules_compile_opts *opts,
		  compiled_rules **out, char *err, size_t errlen);
void compiled_rules_free(compiled_rules *r);

/* The codes of b that rules may be indexed under (what a rule matching
 * "any event" of that source is indexed under). */
void rules_compile_indexable(const backend *b, evttype_set *out);

#endif
