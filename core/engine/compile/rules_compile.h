#ifndef FAPI_ENGINE_RULES_COMPILE_H
#define FAPI_ENGINE_RULES_COMPILE_H

/* From a loaded rules document to evaluable rules: every macro and rule
 * condition is parsed once, macros and lists are expanded on the tree, the
 * leaves are bound to libsinsp checks, each rule gets its event-type set
 * (for the index) and its output formatter. Errors name the file, the line
 * and the item; Falco's load warnings (no-evttype, unknown-field,
 * unknown-source) are collected in Falco's words. */

#include <stdbool.h>
#include <stddef.h>

#include "engine/lang/condition_ast.h"
#include "engine/compile/evttype_set.h"
#include "engine/rules/rules_doc.h"
#include "engine/backends/syscall/sinsp_bridge.h"

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
	bool evaluable;               /* false for sources this engine does not evaluate yet */
	struct condition_node *cond;  /* bound tree; owned */
	evttype_set evttypes;         /* codes as libsinsp/Falco computes them (load warnings) */
	evttype_set index;            /* codes the rule is indexed under: evttypes refined by evt.dir */
	sinsp_bridge_formatter *fmt;  /* "*%evt.time: <Priority> <output>"; owned */
	rules_loc loc;
	size_t order;                 /* declaration order */
} compiled_rule;

typedef struct compiled_rules {
	compiled_rule *rules; /* declaration order; owned */
	size_t n;
	char **warnings;      /* "Rule X: warning (code):\n ..." ; owned */
	size_t nwarnings;
	sinsp_bridge_inspector *insp; /* borrowed: must outlive this */
} compiled_rules;

typedef struct rules_compile_opts {
	bool time_format_iso_8601; /* %evt.time.iso8601 instead of %evt.time */
	const char *output_extra;   /* -p: appended to syscall rules' outputs; NULL or "" for none (borrowed) */
	bool replace_container_info; /* -pc/-pk/-pm: %container.info becomes output_extra */
} rules_compile_opts;

/* Compiles every rule of doc against the inspector's fields. Returns 0, or
 * -1 with "FILE:LINE:COL: ITEM: message" in err (nothing is returned then).
 * *out is freed with compiled_rules_free, before the inspector. */
int rules_compile(const rules_doc *doc, sinsp_bridge_inspector *insp, const rules_compile_opts *opts,
		  compiled_rules **out, char *err, size_t errlen);
void compiled_rules_free(compiled_rules *r);

/* The set of every indexable event code (what a rule matching "any event"
 * is indexed under). Computed once; thread-safe after the first call from
 * one thread. */
const evttype_set *rules_compile_all_evttypes(void);

#endif
