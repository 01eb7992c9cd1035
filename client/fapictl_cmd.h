#ifndef FAPICTL_CMD_H
#define FAPICTL_CMD_H

/* The command table: every command of fapictl is one fapictl_cmd, defined
 * in its own file and listed once in fapictl_cmds.c. The main program
 * parses the connection options and the command's own options from the
 * command's table of options, then calls run(). */

#include <stddef.h>

#include "fapictl_conn.h"

/* Exit codes of every command. */
enum {
	FAPICTL_EXIT_OK = 0,
	FAPICTL_EXIT_RPC = 1,   /* the call failed, or could not be made */
	FAPICTL_EXIT_USAGE = 2, /* bad command line */
	FAPICTL_EXIT_INVALID = 3, /* rules validate, put, delete, reload: the rules do not validate */
};

/* One option of a command (long form only: --name or --name=VALUE). */
typedef struct fapictl_opt {
	const char *name; /* required: without the dashes */
	const char *arg;  /* optional: the value's placeholder in --help ("N"); NULL for a flag */
	const char *help; /* required: one line */
} fapictl_opt;

/* The command line as parsed for a command: its options in the order
 * given (a repeated option appears several times) and its positional
 * arguments. Owned by the main program; valid during run(). */
typedef struct fapictl_args {
	const struct fapictl_cmd *cmd; /* the command being run */
	const char **names;  /* option names, as in fapictl_opt.name */
	const char **values; /* their values (NULL for a flag) */
	size_t n;
	char **pos;          /* positional arguments */
	size_t npos;
} fapictl_args;

/* Which connection options a command takes. */
enum {
	FAPICTL_CMD_CONNECTS = 1u << 0, /* takes --target, TLS flags, --timeout */
	FAPICTL_CMD_MULTI = 1u << 1,    /* accepts several --target */
};

typedef struct fapictl_cmd {
	const char *path;        /* required: "outputs watch"; words separated by one space */
	const char *summary;     /* required: one line for `fapictl --help` */
	const char *usage;       /* required: what follows the path in the usage line ("[OPTIONS]") */
	const char *help;        /* required: description and examples for `fapictl CMD --help` */
	const fapictl_opt *opts; /* optional: the command's own options, ended by {NULL} */
	unsigned flags;          /* FAPICTL_CMD_* */
	/* Required. conn is NULL without FAPICTL_CMD_CONNECTS. Returns an
	 * FAPICTL_EXIT_* code; prints its own messages (results on stdout,
	 * errors on stderr). */
	int (*run)(const fapictl_conn *conn, const fapictl_args *args);
} fapictl_cmd;

/* The connection options every FAPICTL_CMD_CONNECTS command takes, ended
 * by {NULL} (fapictl.c): for help and completion. */
extern const fapictl_opt fapictl_conn_opts[];

/* Every command, ended by NULL (fapictl_cmds.c). */
extern const fapictl_cmd *const fapictl_cmds[];

/* Value of the last --name given, or NULL. */
const char *fapictl_args_get(const fapictl_args *a, const char *name);
/* Whether --name was given. */
int fapictl_args_has(const fapictl_args *a, const char *name);

/* Prints "fapictl: MSG" and a hint to stderr; returns FAPICTL_EXIT_USAGE. */
int fapictl_usage_error(const fapictl_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
