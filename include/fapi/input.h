#ifndef FAPI_INPUT_H
#define FAPI_INPUT_H

/* Event input (ABI 1.5): a module hands the engine events of a JSON source
 * ("k8s_audit") in batches and learns, per batch, what became of them.
 *
 * The core keeps one queue and one evaluation thread for input events,
 * separate from the syscall engine thread; batches are evaluated whole, in
 * the order they were submitted (so the alerts of one source keep the
 * order of its events), and each batch's `done` runs on that thread when
 * it has been evaluated. Alerts go to every outputs subscriber as the
 * engine's do; with want_alerts the batch's own alerts are also handed to
 * `done`. The queue itself is unbounded: the module bounds what it
 * submits (events and bytes in flight) and stops reading its streams
 * (stream_read_pause) while it is at its bound, so that clients are slowed
 * by gRPC flow control rather than lose events. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fapi/engine.h"
#include "fapi/status.h"

/* A handle on one source, for one submitter (a stream). Opaque; owned by
 * the host from input_open until input_close. */
typedef struct fapi_input fapi_input;

/* One rejected event of a batch. */
typedef struct fapi_input_reject {
	uint32_t index;     /* the event's index in the batch */
	/* "<class>: <detail>", class "not JSON" or "not an audit event", the
	 * detail in Falco 0.31's words ("Could not parse data: ...", "Data not
	 * recognized as a k8s audit event"); owned by the host. */
	const char *reason;
} fapi_input_reject;

/* What became of a batch; handed to `done`, valid during that call only. */
typedef struct fapi_input_result {
	uint32_t size;                     /* sizeof(fapi_input_result) as the host was built */
	uint64_t accepted;                 /* events evaluated */
	const fapi_input_reject *rejects;  /* nrejects entries, in index order; owned by the host */
	size_t nrejects;
	/* With want_alerts: the alerts raised by exactly these events, in
	 * order; read them with alert_view (FAPI_ALERT_VIEW_INIT); take no
	 * reference (they are released after done returns). Else NULL, 0. */
	const fapi_alert *const *alerts;
	size_t nalerts;
	bool discarded; /* the handle was closed before the batch was evaluated: nothing was evaluated */
} fapi_input_result;

/* Called once per submitted batch: on the input thread, in submission
 * order, once the batch was evaluated; or, for a batch that input_close
 * discarded, on the thread calling input_close (result->discarded set).
 * Never on input_submit's thread inside input_submit. Must not block and
 * must not call input_close. */
typedef void (*fapi_input_done_fn)(const fapi_input_result *result, void *user);

/* A batch of events. Set size with FAPI_INPUT_BATCH_INIT. */
typedef struct fapi_input_batch {
	uint32_t size;              /* required: FAPI_INPUT_BATCH_INIT sets it */
	const char *const *events;  /* required: n JSON texts (k8s_audit: an Event or an EventList each); copied */
	const size_t *lens;         /* required: their lengths in bytes */
	size_t n;                   /* events (may be 0: done still runs, in order) */
	bool want_alerts;           /* optional: hand the batch's alerts to done */
	fapi_input_done_fn done;    /* required */
	void *user;                 /* passed to done; owned by the module */
} fapi_input_batch;
#define FAPI_INPUT_BATCH_INIT {.size = sizeof(fapi_input_batch)}

/* One audit record about a stream, beyond the one the core writes when a
 * write-class stream opens (host stream_audit): e.g. at its close, with
 * what the stream did. Set size with FAPI_STREAM_AUDIT_INIT. Everything is
 * borrowed for the call. */
typedef struct fapi_stream_audit {
	uint32_t size;             /* required: FAPI_STREAM_AUDIT_INIT sets it */
	const char *event;         /* required: what the record is about ("close"), [a-z_]+ */
	const char *const *names;  /* optional: n counter names ("events", "rejected", "lost"), [a-z_]+ */
	const uint64_t *values;    /* their values (required when n > 0) */
	size_t n;
	fapi_status_code code;     /* optional: the stream's status (FAPI_STATUS_OK by default) */
	const char *message;       /* optional: its message, or NULL */
} fapi_stream_audit;
#define FAPI_STREAM_AUDIT_INIT {.size = sizeof(fapi_stream_audit)}

#endif
