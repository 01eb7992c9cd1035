#ifndef FAPI_CLI_ARGS_H
#define FAPI_CLI_ARGS_H

/* The command line, with Falco 0.31's flags and meanings so that scripts
 * can swap binaries. Every string points into argv (or is static) and every
 * array is owned by the cli_args and freed by cli_args_free. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Falco's default pid file for -d when -P is not given. */
#define CLI_ARGS_DEFAULT_PIDFILE "/var/run/falco.pid"
/* Falco's default --stats-interval, in milliseconds. */
#define CLI_ARGS_DEFAULT_STATS_INTERVAL_MS 5000

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
	const char *describe_rule;    /* -l RULE, or NULL */
	bool list_fields;             /* --list */
	const char *list_source;      /* --list=SOURCE, or NULL */
	bool unbuffered;              /* -U, --unbuffered: clears buffered_outputs */
	bool names_only;              /* -N: --list prints field names only */
	bool list_plugins;            /* --list-plugins */
	bool print_ignored_events;    /* -i */
	const char *print_additional; /* -p FORMAT, -pc / -pk / -pm presets; NULL when absent */
	bool daemon;                  /* -d */
	const char *pidfile;          /* -P; CLI_ARGS_DEFAULT_PIDFILE when absent */
	uint64_t snaplen;             /* -S; 0 = libscap's default */
	bool base64_buffers;          /* -b */
	const char *stats_file;       /* -s, or NULL */
	uint64_t stats_interval_ms;   /* --stats-interval; CLI_ARGS_DEFAULT_STATS_INTERVAL_MS when absent */
	const char **cri_sockets;     /* --cri, repeatable, in order */
	size_t ncri_sockets;
	bool disable_cri_async;       /* --disable-cri-async */
	bool support;                 /* --support */
	/* The first flag given that names a feature this build does not have
	 * (-u, -k, -K, --k8s-node, -m): a static sentence saying so, or NULL. */
	const char *unsupported;
	const char **disable_sources; /* --disable-source NAME, repeatable */
	size_t ndisable_sources;
	bool verbose;                 /* -v */
	bool version;                 /* --version */
	bool help;                    /* -h, --help */
	long duration_s;              /* -M; 0 = run until a signal */
	int argc;                     /* the command line as given (--support prints it) */
	char *const *argv;
} cli_args;

/* Parses argv (argc entries). Returns 0, or -1 with a message in err
 * (unknown flag, missing argument, bad number); a feature this build does
 * not have is not a parse error, see `unsupported`. On failure nothing is
 * left allocated. Free a parsed cli_args with cli_args_free. */
int cli_args_parse(cli_args *a, int argc, char **argv, char *err, size_t errlen);
/* Frees the arrays of a parsed cli_args; safe on a zeroed one. */
void cli_args_free(cli_args *a);
/* The usage text printed by -h; static. */
const char *cli_args_usage(void);

#endif
