#ifndef FAPI_CLI_ARGS_H
#define FAPI_CLI_ARGS_H

/* The command line, with Falco 0.31's flags and meanings so that scripts
 * can swap binaries. */

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_args {
	const char *config_file;      /* -c; NULL: embedded defaults only */
	const char **rules;           /* -r, repeatable; owned array, strings from argv */
	size_t nrules;
	const char *capture;          /* -e */
	const char **overrides;       /* -o key=value, repeatable */
	size_t noverrides;
	const char **validate;        /* -V, repeatable */
	size_t nvalidate;
	const char **disable_substr;  /* -D, repeatable */
	size_t ndisable_substr;
	const char **disable_tags;    /* -T, repeatable */
	size_t ndisable_tags;
	const char **only_tags;       /* -t, repeatable */
	size_t nonly_tags;
	bool all_events;              /* -A */
	bool list_rules;              /* -L */
	bool list_fields;             /* --list */
	const char *list_source;      /* --list=SOURCE, or NULL */
	bool unbuffered;              /* -U, --unbuffered: clears buffered_outputs */
	const char **disable_sources; /* --disable-source NAME, repeatable */
	size_t ndisable_sources;
	bool verbose;                 /* -v */
	bool version;                 /* --version */
	bool help;                    /* -h, --help */
	long duration_s;              /* -M; 0 = run until a signal */
} cli_args;

/* Parses argv. Returns 0, or -1 with a message in err (unknown flag,
 * missing argument, bad number). Free with cli_args_free. */
int cli_args_parse(cli_args *a, int argc, char **argv, char *err, size_t errlen);
void cli_args_free(cli_args *a);
/* The usage text; static. */
const char *cli_args_usage(void);

#endif
