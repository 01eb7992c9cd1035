/* unary_bench: a closed-loop load generator for one unary method, on the gRPC
 * C core like the daemon itself, so what it measures is the server and the
 * transport rather than a client library's overhead.
 *
 * K calls are outstanding at all times: each completed call is re-issued at
 * once from the thread that saw it complete. The K call slots are spread
 * over T worker threads, each with its own completion queue (no contention
 * between workers on one queue), and over C channels round-robin; every
 * channel has its own subchannel pool, hence its own connection, because
 * gRPC otherwise shares one connection between channels with equal args.
 *
 * A run is: connect and probe one call (a setup failure is reported as such
 * rather than as a flood of errors), warm up, measure, then stop re-issuing
 * and wait for what is still in flight. Only calls that complete inside the
 * measuring window count towards calls/s and the latency percentiles. */

#include <errno.h>
#include <getopt.h>
#include <grpc/byte_buffer.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_args.h"
#include "bench_hist.h"

#define BENCH_CODES 17 /* gRPC status codes 0..16 */

enum bench_phase { BENCH_WARMUP, BENCH_MEASURE, BENCH_DRAIN };

typedef struct bench_options {
	const char *target;
	const char *method;
	int concurrency;
	int channels;
	int threads;
	double duration;
	double warmup;
	int timeout_ms;
} bench_options;

struct bench_worker;

/* One of the K outstanding calls; its address is the completion tag. */
typedef struct bench_slot {
	struct bench_worker *w;
	int channel;
	grpc_call *call;
	uint64_t start_ns;
	grpc_metadata_array initial_md;
	grpc_metadata_array trailing_md;
	grpc_byte_buffer *send;
	grpc_byte_buffer *recv;
	grpc_status_code status;
	grpc_slice details;
	grpc_op ops[6];
} bench_slot;

typedef struct bench_worker {
	pthread_t thread;
	grpc_completion_queue *cq;
	bench_slot *slots;
	int nslots;
	int inflight;
	bench_hist hist;            /* successful calls completed while measuring */
	uint64_t errors[BENCH_CODES + 1]; /* by status code; the last: bad reply */
	uint64_t outside_errors; /* failed during warmup or drain */
	char first_error[256];
} bench_worker;

typedef struct bench {
	bench_options opt;
	grpc_channel **channels;
	void **registered; /* grpc_channel_register_call handle per channel */
	grpc_slice request; /* the encoded request, built once and shared */
	bench_worker *workers;
	_Atomic int phase;
	size_t reply_bytes; /* size of the probe's response, to show it was a real one */
} bench;

static const char *const bench_code_names[BENCH_CODES + 1] = {
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
	"OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
	"NO_RESPONSE",
};

static uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double bench_cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static void bench_sleep(double seconds)
{
	struct timespec ts = {.tv_sec = (time_t)seconds,
			      .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static gpr_timespec bench_deadline_ms(int ms)
{
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

/* Starts the slot's next call. The metadata arrays are reused across calls
 * (count reset, capacity kept) because the core only appends to them: this
 * saves an allocation per call that the server under test does not pay. */
static grpc_call_error bench_slot_start(bench *b, bench_slot *s)
{
	s->initial_md.count = 0;
	s->trailing_md.count = 0;
	s->recv = NULL;
	s->details = grpc_empty_slice();
	s->start_ns = bench_now_ns();
	s->call = grpc_channel_create_registered_call(b->channels[s->channel], NULL, GRPC_PROPAGATE_DEFAULTS,
						      s->w->cq, b->registered[s->channel],
						      bench_deadline_ms(b->opt.timeout_ms), NULL);
	/* SEND_MESSAGE takes the slices of its buffer, so every call gets its
	 * own buffer holding a reference to the one request slice. */
	s->send = grpc_raw_byte_buffer_create(&b->request, 1);
	memset(s->ops, 0, sizeof(s->ops));
	s->ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	s->ops[1].op = GRPC_OP_SEND_MESSAGE;
	s->ops[1].data.send_message.send_message = s->send;
	s->ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	s->ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	s->ops[3].data.recv_initial_metadata.recv_initial_metadata = &s->initial_md;
	s->ops[4].op = GRPC_OP_RECV_MESSAGE;
	s->ops[4].data.recv_message.recv_message = &s->recv;
	s->ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	s->ops[5].data.recv_status_on_client.trailing_metadata = &s->trailing_md;
	s->ops[5].data.recv_status_on_client.status = &s->status;
	s->ops[5].data.recv_status_on_client.status_details = &s->details;
	grpc_call_error e = grpc_call_start_batch(s->call, s->ops, 6, s, NULL);
	if (e != GRPC_CALL_OK) {
		grpc_call_unref(s->call);
		s->call = NULL;
		grpc_byte_buffer_destroy(s->send);
		s->send = NULL;
	}
	return e;
}

/* Settles a completed call: classifies it, records it, frees what it
 * owned. Returns the status code slot it counted under (0 for success). */
static int bench_slot_finish(bench_slot *s, bool ok, int phase, uint64_t end_ns)
{
	bench_worker *w = s->w;
	int code;
	if (!ok)
		code = GRPC_STATUS_UNKNOWN; /* the batch itself failed: not expected on a client */
	else if (s->status != GRPC_STATUS_OK)
		code = (int)s->status >= 0 && (int)s->status < BENCH_CODES ? (int)s->status : GRPC_STATUS_UNKNOWN;
	else if (!s->recv)
		code = BENCH_CODES; /* OK without a message: a broken server */
	else
		code = 0;
	if (code == 0) {
		if (phase == BENCH_MEASURE)
			bench_hist_record(&w->hist, end_ns - s->start_ns);
	} else {
		if (phase == BENCH_MEASURE)
			w->errors[code]++;
		else
			w->outside_errors++;
		if (!w->first_error[0]) {
			char *d = grpc_slice_to_c_string(s->details);
			snprintf(w->first_error, sizeof(w->first_error), "%s: %s", bench_code_names[code], d);
			gpr_free(d);
		}
	}
	grpc_call_unref(s->call);
	s->call = NULL;
	grpc_byte_buffer_destroy(s->send);
	s->send = NULL;
	if (s->recv)
		grpc_byte_buffer_destroy(s->recv);
	s->recv = NULL;
	grpc_slice_unref(s->details);
	s->details = grpc_empty_slice();
	return code;
}

static bench *bench_global; /* the worker thread's only way to the shared state */

static void *bench_worker_main(void *arg)
{
	bench_worker *w = arg;
	bench *b = bench_global;
	for (int i = 0; i < w->nslots; i++) {
		if (bench_slot_start(b, &w->slots[i]) != GRPC_CALL_OK) {
			snprintf(w->first_error, sizeof(w->first_error), "grpc_call_start_batch refused a call");
			w->outside_errors++;
			continue;
		}
		w->inflight++;
	}
	while (w->inflight > 0) {
		/* A bounded wait only so that a stalled server cannot hang the
		 * bench past the call deadline; completions normally wake us. */
		grpc_event ev = grpc_completion_queue_next(w->cq, bench_deadline_ms(1000), NULL);
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		uint64_t end = bench_now_ns();
		bench_slot *s = ev.tag;
		int phase = atomic_load_explicit(&b->phase, memory_order_relaxed);
		bench_slot_finish(s, ev.success != 0, phase, end);
		w->inflight--;
		if (phase == BENCH_DRAIN)
			continue;
		if (bench_slot_start(b, s) != GRPC_CALL_OK) {
			snprintf(w->first_error, sizeof(w->first_error), "grpc_call_start_batch refused a call");
			w->errors[GRPC_STATUS_UNKNOWN]++;
			continue;
		}
		w->inflight++;
	}
	return NULL;
}

static const char *bench_state_name(grpc_connectivity_state st)
{
	switch (st) {
	case GRPC_CHANNEL_IDLE: return "IDLE";
	case GRPC_CHANNEL_CONNECTING: return "CONNECTING";
	case GRPC_CHANNEL_READY: return "READY";
	case GRPC_CHANNEL_TRANSIENT_FAILURE: return "TRANSIENT_FAILURE";
	case GRPC_CHANNEL_SHUTDOWN: return "SHUTDOWN";
	}
	return "?";
}

/* Connects every channel (so that no connection setup lands in the warmup
 * of one channel and not another) and fails fast on a refused connection. */
static int bench_connect(bench *b, grpc_completion_queue *cq, char *err, size_t errlen)
{
	gpr_timespec deadline = bench_deadline_ms(5000);
	for (int i = 0; i < b->opt.channels; i++) {
		grpc_connectivity_state st = grpc_channel_check_connectivity_state(b->channels[i], 1);
		while (st != GRPC_CHANNEL_READY) {
			grpc_channel_watch_connectivity_state(b->channels[i], st, deadline, cq, NULL);
			grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
			grpc_connectivity_state now = grpc_channel_check_connectivity_state(b->channels[i], 1);
			if (ev.type == GRPC_OP_COMPLETE && !ev.success) {
				snprintf(err, errlen, "cannot connect to %s within 5 s (channel %d is %s)", b->opt.target,
					 i, bench_state_name(now));
				return -1;
			}
			if (now == GRPC_CHANNEL_TRANSIENT_FAILURE || now == GRPC_CHANNEL_SHUTDOWN) {
				snprintf(err, errlen, "cannot connect to %s (channel %d is %s)", b->opt.target, i,
					 bench_state_name(now));
				return -1;
			}
			st = now;
		}
	}
	return 0;
}

/* One call on every channel before the load: a wrong method or a server
 * that answers errors is a setup error, not a benchmark result. */
static int bench_probe(bench *b, grpc_completion_queue *cq, char *err, size_t errlen)
{
	bench_worker w;
	memset(&w, 0, sizeof(w));
	w.cq = cq;
	for (int i = 0; i < b->opt.channels; i++) {
		bench_slot s;
		memset(&s, 0, sizeof(s));
		s.w = &w;
		s.channel = i;
		grpc_metadata_array_init(&s.initial_md);
		grpc_metadata_array_init(&s.trailing_md);
		int rc = 0;
		if (bench_slot_start(b, &s) != GRPC_CALL_OK) {
			snprintf(err, errlen, "cannot start a call on %s", b->opt.target);
			rc = -1;
		} else {
			grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
			if (ev.success && s.recv)
				b->reply_bytes = grpc_byte_buffer_length(s.recv);
			if (bench_slot_finish(&s, ev.success != 0, BENCH_WARMUP, bench_now_ns()) != 0) {
				snprintf(err, errlen, "probe call %s on %s failed: %s", b->opt.method, b->opt.target,
					 w.first_error);
				rc = -1;
			}
		}
		grpc_metadata_array_destroy(&s.initial_md);
		grpc_metadata_array_destroy(&s.trailing_md);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void bench_usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s --target unix:///PATH|HOST:PORT --concurrency K --duration SECONDS\n"
		"          [--warmup SECONDS] [--method PATH] [--channels N] [--threads N] [--timeout-ms MS]\n"
		"Keeps K calls of a unary method outstanding (insecure credentials, empty request) and\n"
		"prints one summary line: calls/s and latency percentiles of the calls completed after\n"
		"the warmup. Defaults: --warmup 1 --method /falco.api.unary/version --channels 1\n"
		"--threads 1 --timeout-ms 10000. Exit status: 0 all calls OK, 1 setup error,\n"
		"2 some calls failed.\n",
		argv0);
}

static int bench_parse(int argc, char **argv, bench_options *o)
{
	static const struct option longopts[] = {
		{"target", required_argument, NULL, 't'},   {"concurrency", required_argument, NULL, 'k'},
		{"duration", required_argument, NULL, 'd'}, {"warmup", required_argument, NULL, 'w'},
		{"method", required_argument, NULL, 'm'},   {"channels", required_argument, NULL, 'c'},
		{"threads", required_argument, NULL, 'T'},  {"timeout-ms", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->method = "/falco.api.unary/version";
	o->channels = 1;
	o->threads = 1;
	o->warmup = 1;
	o->timeout_ms = 10000;
	int have_duration = 0, c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 't': o->target = optarg; break;
		case 'm': o->method = optarg; break;
		case 'k': rc = bench_parse_int("unary_bench", optarg, "--concurrency", 1, 1000000, &o->concurrency); break;
		case 'c': rc = bench_parse_int("unary_bench", optarg, "--channels", 1, 1000000, &o->channels); break;
		case 'T': rc = bench_parse_int("unary_bench", optarg, "--threads", 1, 1000000, &o->threads); break;
		case 'o': rc = bench_parse_int("unary_bench", optarg, "--timeout-ms", 1, 1000000, &o->timeout_ms); break;
		case 'd':
			rc = bench_parse_seconds("unary_bench", optarg, "--duration", 0.001, &o->duration);
			have_duration = 1;
			break;
		case 'w': rc = bench_parse_seconds("unary_bench", optarg, "--warmup", 0, &o->warmup); break;
		case 'h': bench_usage(stdout, argv[0]); exit(0);
		default: bench_usage(stderr, argv[0]); return -1;
		}
		if (rc < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "unary_bench: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->target || !o->concurrency || !have_duration) {
		fprintf(stderr, "unary_bench: --target, --concurrency and --duration are required\n");
		bench_usage(stderr, argv[0]);
		return -1;
	}
	if (o->method[0] != '/') {
		fprintf(stderr, "unary_bench: --method must be a path like /package.service/method\n");
		return -1;
	}
	/* A worker or a channel without a call would only idle. */
	if (o->threads > o->concurrency)
		o->threads = o->concurrency;
	if (o->channels > o->concurrency)
		o->channels = o->concurrency;
	return 0;
}

static int bench_setup(bench *b, char *err, size_t errlen)
{
	const bench_options *o = &b->opt;
	/* The empty falco.version.request encodes to zero bytes. */
	b->request = grpc_empty_slice();
	b->channels = calloc((size_t)o->channels, sizeof(*b->channels));
	b->registered = calloc((size_t)o->channels, sizeof(*b->registered));
	b->workers = calloc((size_t)o->threads, sizeof(*b->workers));
	if (!b->channels || !b->registered || !b->workers) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	grpc_arg args[] = {
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, .value.integer = 1},
	};
	grpc_channel_args cargs = {.num_args = 1, .args = args};
	grpc_channel_credentials *creds = grpc_insecure_credentials_create();
	for (int i = 0; i < o->channels; i++) {
		b->channels[i] = grpc_channel_create(o->target, creds, &cargs);
		b->registered[i] = grpc_channel_register_call(b->channels[i], o->method, NULL, NULL);
	}
	grpc_channel_credentials_release(creds);
	for (int t = 0; t < o->threads; t++) {
		bench_worker *w = &b->workers[t];
		w->cq = grpc_completion_queue_create_for_next(NULL);
		w->nslots = o->concurrency / o->threads + (t < o->concurrency % o->threads);
		w->slots = calloc((size_t)w->nslots, sizeof(*w->slots));
		if (!w->slots) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	/* Slot j overall goes to worker j % T and channel j % C, so every
	 * worker spreads its calls over the channels too. */
	for (int j = 0; j < o->concurrency; j++) {
		bench_worker *w = &b->workers[j % o->threads];
		bench_slot *s = &w->slots[j / o->threads];
		s->w = w;
		s->channel = j % o->channels;
		s->details = grpc_empty_slice();
		grpc_metadata_array_init(&s->initial_md);
		grpc_metadata_array_init(&s->trailing_md);
	}
	return 0;
}

static void bench_teardown(bench *b)
{
	for (int t = 0; b->workers && t < b->opt.threads; t++) {
		bench_worker *w = &b->workers[t];
		for (int i = 0; w->slots && i < w->nslots; i++) {
			grpc_metadata_array_destroy(&w->slots[i].initial_md);
			grpc_metadata_array_destroy(&w->slots[i].trailing_md);
		}
		free(w->slots);
		if (w->cq) {
			grpc_completion_queue_shutdown(w->cq);
			while (grpc_completion_queue_next(w->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
			       GRPC_QUEUE_SHUTDOWN)
				;
			grpc_completion_queue_destroy(w->cq);
		}
	}
	for (int i = 0; b->channels && i < b->opt.channels; i++)
		if (b->channels[i])
			grpc_channel_destroy(b->channels[i]);
	free(b->channels);
	free(b->registered);
	free(b->workers);
	grpc_slice_unref(b->request);
}

int main(int argc, char **argv)
{
	bench b;
	memset(&b, 0, sizeof(b));
	if (bench_parse(argc, argv, &b.opt) < 0)
		return 1;
	const bench_options *o = &b.opt;
	grpc_init();
	char err[512];
	int rc = 0;
	grpc_completion_queue *setup_cq = grpc_completion_queue_create_for_next(NULL);
	if (bench_setup(&b, err, sizeof(err)) < 0 || bench_connect(&b, setup_cq, err, sizeof(err)) < 0 ||
	    bench_probe(&b, setup_cq, err, sizeof(err)) < 0) {
		fprintf(stderr, "unary_bench: %s\n", err);
		rc = 1;
	}
	grpc_completion_queue_shutdown(setup_cq);
	while (grpc_completion_queue_next(setup_cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
	       GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(setup_cq);
	if (rc) {
		bench_teardown(&b);
		grpc_shutdown();
		return rc;
	}

	bench_global = &b;
	atomic_store(&b.phase, BENCH_WARMUP);
	int started = 0;
	for (; started < o->threads; started++) {
		if (pthread_create(&b.workers[started].thread, NULL, bench_worker_main, &b.workers[started]) != 0) {
			fprintf(stderr, "unary_bench: cannot start worker thread %d\n", started);
			rc = 1;
			break;
		}
	}
	double measured = 0, cpu = 0;
	if (!rc) {
		bench_sleep(o->warmup);
		double cpu0 = bench_cpu_seconds();
		uint64_t t0 = bench_now_ns();
		atomic_store(&b.phase, BENCH_MEASURE);
		bench_sleep(o->duration);
		atomic_store(&b.phase, BENCH_DRAIN);
		measured = (double)(bench_now_ns() - t0) / 1e9;
		cpu = bench_cpu_seconds() - cpu0;
	} else {
		atomic_store(&b.phase, BENCH_DRAIN);
	}
	for (int t = 0; t < started; t++)
		pthread_join(b.workers[t].thread, NULL);
	if (rc) {
		bench_teardown(&b);
		grpc_shutdown();
		return rc;
	}

	bench_hist *h = calloc(1, sizeof(*h));
	if (!h) {
		fprintf(stderr, "unary_bench: out of memory\n");
		bench_teardown(&b);
		grpc_shutdown();
		return 1;
	}
	uint64_t errors[BENCH_CODES + 1] = {0}, nerrors = 0, outside_errors = 0;
	const char *first_error = NULL;
	for (int t = 0; t < o->threads; t++) {
		bench_worker *w = &b.workers[t];
		bench_hist_merge(h, &w->hist);
		for (int c = 0; c <= BENCH_CODES; c++) {
			errors[c] += w->errors[c];
			nerrors += w->errors[c];
		}
		outside_errors += w->outside_errors;
		if (!first_error && w->first_error[0])
			first_error = w->first_error;
	}
	char codes[512] = "none";
	size_t n = 0;
	for (int c = 1; c <= BENCH_CODES; c++) {
		if (!errors[c])
			continue;
		int w = snprintf(codes + n, sizeof(codes) - n, "%s%s:%llu", n ? "," : "", bench_code_names[c],
				 (unsigned long long)errors[c]);
		if (w < 0 || (size_t)w >= sizeof(codes) - n)
			break;
		n += (size_t)w;
	}
	printf("unary target=%s method=%s K=%d channels=%d threads=%d duration_s=%.2f calls=%llu calls/s=%.0f "
	       "p50_us=%.1f p99_us=%.1f max_us=%.1f errors=%llu codes=%s reply_bytes=%zu client_cpu=%.2f\n",
	       o->target, o->method, o->concurrency, o->channels, o->threads, measured,
	       (unsigned long long)h->total, (double)h->total / measured, bench_hist_quantile(h, 0.50) / 1e3,
	       bench_hist_quantile(h, 0.99) / 1e3, (double)h->max / 1e3, (unsigned long long)nerrors, codes,
	       b.reply_bytes, cpu / measured);
	fflush(stdout);
	if (nerrors || outside_errors) {
		fprintf(stderr, "unary_bench: %llu call(s) failed (%llu outside the measuring window); first: %s\n",
			(unsigned long long)(nerrors + outside_errors), (unsigned long long)outside_errors,
			first_error ? first_error : "?");
		rc = 2;
	} else if (!h->total) {
		fprintf(stderr, "unary_bench: no call completed while measuring\n");
		rc = 2;
	}
	free(h);
	bench_teardown(&b);
	grpc_shutdown();
	return rc;
}
