#ifndef FAPI_CONFIG_KEYS_H
#define FAPI_CONFIG_KEYS_H

/* Configuration keys as the host and modules declare them (ABI 1.4).
 *
 * The daemon knows each of its keys once, in one table (core/config/
 * config_keys.c); a module declares the keys of its own `config:` subtree
 * the same way, through fapi_module.config_keys. From these tables the host
 * checks falco.yaml at start-up (a key of the wrong type or out of range is
 * refused, naming the module and the key), and the configuration host
 * functions (fapi/host.h, "ABI 1.4: configuration") list, read, change and
 * reset keys while the daemon runs. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The type of a key's value, as falco.yaml writes it. */
typedef enum fapi_config_type {
	FAPI_CONFIG_BOOL = 1,     /* true/false (YAML 1.1 spellings: yes/no/on/off too) */
	FAPI_CONFIG_INT = 2,      /* decimal, 0x hex, 0o or leading-zero octal */
	FAPI_CONFIG_DOUBLE = 3,   /* a decimal number */
	FAPI_CONFIG_STRING = 4,   /* any scalar */
	FAPI_CONFIG_ENUM = 5,     /* one of `values` (compared case-insensitively) */
	FAPI_CONFIG_STRINGS = 6,  /* a list of strings; a single string counts as a list of one */
	FAPI_CONFIG_DURATION = 7, /* an integer of milliseconds, or with a unit: 250ms, 10s, 5m, 1h */
	FAPI_CONFIG_TREE = 8,     /* free-form below this path (a plugin's init_config); never checked */
	FAPI_CONFIG_LIST = 9      /* a list of mappings, the keys of whose items are declared as "PATH[].KEY" */
} fapi_config_type;

/* When a changed value takes effect. */
typedef enum fapi_config_reload {
	FAPI_CONFIG_HOT = 0,     /* at once, between two events (no event sees half a change) */
	FAPI_CONFIG_RELOAD = 1,  /* at the next reload (SIGHUP, or a watched file changing) */
	FAPI_CONFIG_RESTART = 2  /* only when the daemon starts again */
} fapi_config_reload;

/* Flags of a key (fapi_config_key.flags). */
/* Changing it could lock clients out or open the daemon (listeners, TLS
 * files, the authorisation policy, the socket mode): the configs module
 * refuses it unless its own configuration allows it. */
#define FAPI_CONFIG_GUARDED 0x1u
/* The value names a secret (a private key's path): show the value, never
 * read or show what it points to. */
#define FAPI_CONFIG_SECRET 0x2u

/* One key. Modules declare an array of these in static storage; every
 * pointer member points to static storage too. */
typedef struct fapi_config_key {
	uint32_t size; /* required: sizeof(fapi_config_key) as built (FAPI_CONFIG_KEY_INIT sets it) */
	/* Required: the key's dotted path. A module's is relative to its
	 * `config:` ("queue_capacity", "tls.cert"); the daemon's is from the
	 * root ("outputs.rate"). "[]" stands for every item of a sequence
	 * ("grants[].uid"). */
	const char *path;
	fapi_config_type type; /* required */
	/* Optional: the default as YAML text ("1000", "true", "[a, b]"), or
	 * NULL when an absent key has no value. */
	const char *def;
	/* INT, DOUBLE, DURATION (in ms): inclusive bounds, applied only when
	 * min < max. */
	double min, max;
	/* ENUM: the allowed values, NULL-terminated (required for ENUM). */
	const char *const *values;
	const char *description; /* required: one line, no trailing period */
	fapi_config_reload reload;
	uint32_t flags; /* FAPI_CONFIG_GUARDED, FAPI_CONFIG_SECRET */
} fapi_config_key;

/* Usage:
 *   static const fapi_config_key my_keys[] = {
 *       FAPI_CONFIG_KEY_INIT(.path = "queue_capacity", .type = FAPI_CONFIG_INT,
 *                            .def = "1024", .min = 1, .max = 1 << 24,
 *                            .description = "alerts queued per subscriber",
 *                            .reload = FAPI_CONFIG_RESTART),
 *   };                                                                      */
#define FAPI_CONFIG_KEY_INIT(...) {.size = sizeof(fapi_config_key), __VA_ARGS__}

/* An array of keys built by a module with another SDK may have another
 * element size: step through it with this (first element's size). */
#define FAPI_CONFIG_KEY_AT(keys, i) \
	((const fapi_config_key *)(const void *)((const char *)(keys) + (size_t)(i) * (keys)[0].size))

/* ---- What the configuration host functions hand out (fapi/host.h) ---- */

/* A list of keys with their values, taken at one revision (config_list).
 * Opaque; owned by the caller, freed with config_snapshot_free; every
 * string an entry points to lives as long as the snapshot. */
typedef struct fapi_config_snapshot fapi_config_snapshot;

/* One key as the host reports it (config_snapshot_entry). */
typedef struct fapi_config_entry {
	uint32_t size;       /* set by the CALLER to sizeof(fapi_config_entry); the host fills what fits */
	/* The full path: "outputs.rate", "grpc.authorization.grants",
	 * "modules.outputs.queue_capacity" for a module's key. Keys inside a
	 * sequence's items ("grants[].uid") are not listed: their sequence is,
	 * with its whole value. */
	const char *path;
	const char *module;  /* the module that declared it, NULL for the daemon's keys */
	fapi_config_type type;
	const char *def;     /* the default as YAML text, NULL when none */
	double min, max;     /* as in fapi_config_key */
	const char *const *values; /* ENUM: NULL-terminated */
	const char *description;
	fapi_config_reload reload;
	uint32_t flags;      /* FAPI_CONFIG_GUARDED, FAPI_CONFIG_SECRET */
	bool present;        /* the key has a value; when false, value is NULL and the typed members are zero */
	/* The current value (the configuration as stored: file, overlay, -o,
	 * defaults) as one line of YAML flow text: "5", "true", "debug",
	 * "[a, b]", "{name: x}". */
	const char *value;
	bool b;          /* BOOL */
	int64_t i;       /* INT; DURATION in milliseconds */
	double d;        /* DOUBLE; INT and DURATION too, converted */
	const char *s;   /* STRING, ENUM: the scalar's text */
	const char *const *items; /* STRINGS: nitems strings */
	size_t nitems;
	/* Where the value comes from: "default", "FILE:LINE" (falco.yaml or an
	 * included file), "-o" (the command line), "api" (set through
	 * config_set, kept in the overlay). */
	const char *origin;
	/* The value above is not the one the daemon runs with: a restart-class
	 * key changed since start-up (through the API or in the file). */
	bool pending_restart;
	const char *running; /* when pending_restart: the value in use, YAML flow text (NULL when it had none) */
} fapi_config_entry;

/* One change for config_set. */
typedef struct fapi_config_change {
	uint32_t size;      /* sizeof(fapi_config_change) (FAPI_CONFIG_CHANGE_INIT); the host steps by changes[0].size */
	const char *path;   /* required: a full path as config_list reports it */
	/* Required: the new value as YAML text ("5", "error", "[a, b]"); it is
	 * checked against the key's type, range and values. */
	const char *value;
} fapi_config_change;
#define FAPI_CONFIG_CHANGE_INIT(...) {.size = sizeof(fapi_config_change), __VA_ARGS__}

/* Options of config_set and config_reset; NULL means all zero. */
typedef struct fapi_config_set_opts {
	uint32_t size;        /* sizeof(fapi_config_set_opts) (FAPI_CONFIG_SET_OPTS_INIT) */
	uint64_t if_revision; /* 0: no check; else the call fails with FAPI_ECONFLICT unless it is current */
	bool validate_only;   /* check everything, change nothing (no revision, no file written) */
} fapi_config_set_opts;
#define FAPI_CONFIG_SET_OPTS_INIT(...) {.size = sizeof(fapi_config_set_opts), __VA_ARGS__}

/* What config_set and config_reset did. The caller sets `size`; the host
 * fills the rest, success or not; free with config_result_free (which
 * leaves `size`). All strings and arrays are owned by the result. */
typedef struct fapi_config_result {
	uint32_t size;      /* set by the CALLER to sizeof(fapi_config_result) */
	uint64_t revision;  /* the revision after the call (the current one when nothing changed) */
	/* The keys of the call that wait for a restart (their class is
	 * restart; reload-class keys are applied by the call itself). */
	const char *const *pending;
	size_t npending;
	/* Per key of the call, in order: the path and the value before and
	 * after, YAML flow text (NULL: absent), for the audit. On failure 0. */
	const char *const *paths;
	const char *const *old_values;
	const char *const *new_values;
	size_t nchanged;
	const char *key;    /* on failure: the key at fault, or NULL when none is (a conflict, an I/O error) */
	void *host_private; /* the host's; do not touch */
} fapi_config_result;
#define FAPI_CONFIG_RESULT_INIT {.size = sizeof(fapi_config_result)}

#endif
