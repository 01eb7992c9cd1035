#ifndef FORWARD_MODULE_H
#define FORWARD_MODULE_H

/* The forward module's state, shared by its files. */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fapi/fapi.h"
#include "fapi_sdk_filter.h"

#define FORWARD_MAX_SERVERS 16
#define FORWARD_MAX_FILTER 64

/* A message to publish again, by the engine's sequence number. */
typedef struct forward_retry {
	uint64_t seq;
	void *msg; /* natsMsg */
} forward_retry;

#define FORWARD_LAT_RING 65536
typedef struct forward_module {
	fapi_module_ctx *ctx;
	const fapi_host *host;

	/* Configuration (strings owned by the host's config tree). */
	const char *servers[FORWARD_MAX_SERVERS];
	size_t nservers;
	const char *tls_ca, *tls_cert, *tls_key;
	const char *user, *password, *token, *creds;
	const char *subject; /* template: {hostname} {priority} {source} */
	const char *stream;
	bool create_stream;
	int64_t stream_max_msgs;
	int64_t queue_capacity;
	int64_t queue_bytes; /* bound of the bus queue, and of what the module holds (in flight, retry) */
	int64_t max_pending;
	int64_t ack_wait_ms;
	const char *hostname; /* override, or NULL: the alert's */
	bool required;
	int64_t nice; /* of the publisher and the nats.c threads it starts */
	fapi_sdk_filter filter;
	char boot_id[64];

	fapi_alert_sub *sub;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
	/* wake: there is work (set by the engine's notify and nats.c's
	 * callbacks); sleeping: the publisher is (about to be) in its wait, the
	 * only time a notify needs the lock and a signal. Both seq_cst: either
	 * the notify sees sleeping or the publisher sees wake. */
	atomic_bool wake, sleeping;
	/* Connections are numbered; nats.c's callbacks carry their number
	 * (forward_conn), so a late one of an older connection changes nothing,
	 * and `closed_upto` (under mu) counts the connections whose closed
	 * callback, their last, ran: m outlives every callback. */
	uint64_t conn_gen, closed_upto;

	/* nats.c objects (void: the header stays out of the shared one). The
	 * publisher owns the connection: nats.c does not reconnect by itself
	 * (see forward_nats_connect_once), so nothing can go out on a new
	 * connection before what the old one left unresolved. */
	void *nc, *js;
	bool js_used; /* an async publish was taken on js (nats.c makes its pending map then) */
	bool was_connected; /* a connection was made before: the next is a reconnect */
	atomic_bool connected;
	atomic_uint_fast64_t published, acked, retried, failed;
	/* Published and neither acknowledged nor back in the retry list, and
	 * the body bytes of those plus the retry list's. */
	atomic_int_fast64_t inflight, held_bytes;
	/* A disconnect or a failed ack happened: publish nothing newer until
	 * every message in flight is resolved and the retry list, in sequence
	 * order, is sent again. */
	atomic_bool resync;
#define FORWARD_LAT_BUCKETS 40
	atomic_uint_fast64_t lat[FORWARD_LAT_BUCKETS]; /* creation to ack: bucket b holds [2^b, 2^(b+1)) us */
	/* Creation time by sequence, for the ack handler: slot seq %
	 * FORWARD_LAT_RING, the seq written last so a reader can tell a slot
	 * reused meanwhile (no sample then). */
	struct {
		atomic_uint_fast64_t seq, created_ns;
	} *lat_ring;
	pthread_mutex_t retry_mu;
	/* Messages to publish again, in sequence order: retry[retry_at..nretry). */
	forward_retry *retry;
	size_t retry_at, nretry, retry_cap;
} forward_module;

/* forward_nats.c: connects (with retries), publishes, counts acks. */
void forward_nats_nice(forward_module *m);
int forward_nats_connect_once(forward_module *m, char *err, size_t errlen);
void *forward_nats_thread(void *arg);
/* After the publisher thread ended: waits (2 s at most) for the acks of
 * what is in flight and returns how many alerts are left unacknowledged. */
uint64_t forward_nats_finish(forward_module *m);
/* Ends the connection and frees what is left. */
void forward_nats_close(forward_module *m);

#endif
