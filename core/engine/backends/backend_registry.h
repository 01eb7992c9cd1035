#ifndef FAPI_ENGINE_BACKEND_REGISTRY_H
#define FAPI_ENGINE_BACKEND_REGISTRY_H

/*
 * The field backends of one engine, by source name, in registration order.
 *
 * A backend is made by its factory (backend_factory_fn) directly inside the
 * registry's slot, so its address is final: a backend may keep it (to stamp
 * backend_event.backend). The built-in sources are listed once, in
 * backend_registry.c (backend_registry_builtins); adding a source is one
 * line there plus its factory.
 *
 * Ownership: the registry owns every backend added to it and calls its
 * destroy(ctx) in backend_registry_free(), in reverse registration order.
 * Free every check and format of a backend before the registry.
 * Threads: build it on one thread; lookups are read-only afterwards.
 */

#include <stdbool.h>
#include <stddef.h>

#include "engine/backends/backend.h"

/** Options every factory receives. */
typedef struct backend_opts {
	bool all_events; /**< Falco's -A: the syscall source returns every event type */
	/* The syscall source's inspector settings from Falco's command line
	 * (sinsp_bridge_settings); other sources ignore them. */
	bool base64_buffers;            /**< -b: data buffers rendered in base64 */
	const char *const *cri_sockets; /**< --cri, in order; borrowed for the factory call */
	size_t ncri_sockets;
	bool disable_cri_async;         /**< --disable-cri-async */
	uint32_t snaplen;               /**< -S; 0 = libscap's default */
	/** json_source_backend_create: the declared source to make; borrowed
	 * for the factory call. Other factories ignore it. */
	const struct json_source_def *json_source;
} backend_opts;

/**
 * Fills *out (already BACKEND_INIT-initialised, at its final address) for
 * one source. Returns BACKEND_OK, or a negative status with err filled
 * (nothing to free then).
 */
typedef int (*backend_factory_fn)(const backend_opts *o, backend *out, char *err, size_t errlen);

/** One built-in source: its name and its factory. */
typedef struct backend_builtin {
	const char *source;
	backend_factory_fn create;
} backend_builtin;

typedef struct backend_registry backend_registry;

/** An empty registry, or NULL when out of memory. */
backend_registry *backend_registry_new(void);

/** Destroys every backend, then the registry. NULL is accepted. */
void backend_registry_free(backend_registry *r);

/**
 * Makes a backend with fn and adds it. Returns BACKEND_OK; the factory's
 * status; BACKEND_EINVAL when the result fails backend_is_valid() or its
 * source is already registered (the new backend is destroyed then);
 * BACKEND_ERROR when out of memory or the registry is full.
 */
int backend_registry_create(backend_registry *r, backend_factory_fn fn, const backend_opts *o, char *err,
			    size_t errlen);

/** The backend of `source`, or NULL when none is registered. */
const backend *backend_registry_find(const backend_registry *r, const char *source);

/** Number of registered backends; backend i (registration order), or NULL. */
size_t backend_registry_count(const backend_registry *r);
const backend *backend_registry_at(const backend_registry *r, size_t i);

/** The built-in sources of this build, in registration order. *n receives
 * their number; the array is static. */
const backend_builtin *backend_registry_builtins(size_t *n);

/**
 * Registers every built-in source except those named in disabled[0..n)
 * (Falco's --disable-source). Returns BACKEND_OK or the first failure.
 */
int backend_registry_add_builtins(backend_registry *r, const backend_opts *o, const char *const *disabled,
				  size_t ndisabled, char *err, size_t errlen);

struct json_source_def;
/**
 * Registers the declared JSON sources defs[0..n) (json_source.h) after the
 * built-ins. Returns BACKEND_OK or the first failure (err names the source).
 */
int backend_registry_add_json_sources(backend_registry *r, const backend_opts *o, const struct json_source_def *defs,
				      size_t n, char *err, size_t errlen);

#endif
