/* outputs_bench: K subscribers of /falco.api.streaming/outputs on the gRPC C
 * core, like the daemon itself, so that what it measures is the daemon's
 * fan-out and the transport rather than a client library's overhead.
 *
 * Each subscriber is one server-streaming call with an empty filter, on its
 * own channel by default (its own HTTP/2 connection, as separate subscriber
 * processes would have), always with one RECV_MESSAGE outstanding: each
 * received message is counted and the next read is posted at once. The
 * subscribers are spread over T worker threads, each with its own
 * completion queue.
 *
 * Per message only the top-level fields seq, lost and (when the proto has
 * it) created_ns are read, by a wire-format scan: a full unpack of every
 * message would allocate the output_fields map entries and spend on the
 * client the CPU that, on a small machine, the daemon under test needs. The
 * field numbers come from the generated descriptor, looked up by name, so
 * this file compiles whether or not created_ns exists. The first message of
 * every subscriber is unpacked in full once, to show it is a real alert.
 *
 * What a run reports, over the measuring window (after --warmup):
 *   - messages received per subscriber and in total;
 *   - accepted/s: alerts the daemon accepted for the fastest subscriber,
 *     seq + lost (every alert given to a subscriber either reaches it with
 *     a seq or is counted in a later message's lost); with a filter that
 *     passes everything this is the engine's alert rate;
 *   - delay percentiles, receipt wall clock minus created_ns, when the
 *     response carries created_ns (same machine, same CLOCK_REALTIME);
 *   - stream errors (a stream that ends or fails before the end of the run)
 *     and sequence breaks (seq not previous + 1).
 *
 * --stall opens the streams and never reads them: gRPC's flow control then
 * stops the server's writes for those streams once the window is full; run
 * it in its own process and SIGSTOP that process so that its sockets are
 * not drained either (run.sh does).
 *
 * --filter-items N --filter-bytes B: subscribe with the largest filter the
 * daemon allows (N entries in each of rules, tags_any, sources and
 * output_fields, B bytes in all) that passes the priority, rule, source and
 * tags_any tests of the bench's alerts (it names --filter-rule, --filter-tag
 * and "syscall") and then fails tags_all, whose one tag no alert has: the
 * engine thread pays for every test and the subscriber receives nothing. With --stall,
 * such subscribers measure what filtering costs the engine. */

#include <errno.h>
#include <getopt.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <signal.h>
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
#include "outputs.pb-c.h"


enum outputs_bench_phase { PHASE_WARMUP, PHASE_MEASURE, PHASE_DRAIN };
enum outputs_bench_op { OP_START, OP_RECV, OP_STATUS };

typedef struct outputs_bench_options {
	const char *target;
	int subscribers;
	int channels; /* 0: one per subscriber */
	int threads;
	double duration;
	double warmup;
	bool stall;
	const char *label;
	int filter_items;         /* 0: the empty filter */
	int filter_bytes;
	const char *filter_rule;  /* a rule the alerts come from */
	const char *filter_tag;   /* one of its tags */
} outputs_bench_options;

struct outputs_bench_worker;
struct outputs_bench_sub;

/* A completion tag: which operation of which subscriber completed. */
typedef struct outputs_bench_tag {
	struct outputs_bench_sub *sub;
	enum outputs_bench_op op;
} outputs_bench_tag;

typedef struct outputs_bench_sub {
	struct outputs_bench_worker *w;
	int index;
	int channel;
	grpc_call *call;
	int pending; /* batches in flight; the call is released at 0 */
	outputs_bench_tag start_tag, recv_tag, status_tag;
	grpc_metadata_array initial_md, trailing_md;
	grpc_byte_buffer *send, *recv;
	grpc_status_code status;
	grpc_slice details;
	grpc_op start_ops[4], recv_ops[1], status_ops[1];
	bool subscribed; /* initial metadata received */
	bool ended;      /* status received */
	/* Counters owned by the worker thread, read after it is joined. */
	uint64_t received;        /* messages in the measuring window */
	uint64_t received_all;    /* messages in the whole run */
	uint64_t last_seq;
	uint64_t lost_total;      /* sum of lost over the whole run */
	uint64_t lost_window;
	uint64_t acc_start, acc_end; /* seq + lost_total at the window's edges */
	bool have_start, have_end;
	uint64_t seq_breaks;
	uint64_t bad_messages;    /* undecodable */
	size_t first_bytes;       /* size of the first message */
	char first_rule[128];
} outputs_bench_sub;

typedef struct outputs_bench_worker {
	pthread_t thread;
	grpc_completion_queue *cq;
	outputs_bench_sub **subs;
	int nsubs;
	int pending;
	bench_hist delay; /* receipt - created_ns, measuring window */
	uint64_t negative_delays; /* created_ns after receipt: clocks disagree */
	uint64_t stream_errors;   /* streams that ended before the drain */
	char first_error[256];
} outputs_bench_worker;

/* Field numbers read by the wire scan; 0 when the proto has no such field. */
typedef struct outputs_bench_fields {
	uint32_t seq, lost, created_ns;
} outputs_bench_fields;

typedef struct outputs_bench {
	outputs_bench_options opt;
	outputs_bench_fields fields;
	grpc_channel **channels;
	void **registered;
	grpc_slice request;
	outputs_bench_sub *subs;
	outputs_bench_worker *workers;
	_Atomic int phase;
	_Atomic int subscribed; /* subscribers whose initial metadata came */
} outputs_bench;

static outputs_bench *outputs_bench_global; /* the workers' way to the shared state */
static volatile sig_atomic_t outputs_bench_stop_signal;

static uint64_t outputs_bench_now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double outputs_bench_cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

/* Sleeps, in short steps so that SIGTERM/SIGINT end the wait early (the
 * stalled client is stopped by run.sh this way). */
static void outputs_bench_sleep(double seconds)
{
	uint64_t until = outputs_bench_now_ns(CLOCK_MONOTONIC) + (uint64_t)(seconds * 1e9);
	while (!outputs_bench_stop_signal) {
		uint64_t now = outputs_bench_now_ns(CLOCK_MONOTONIC);
		if (now >= until)
			return;
		uint64_t step = until - now < 50000000u ? until - now : 50000000u;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)step};
		nanosleep(&ts, NULL);
	}
}

static void outputs_bench_on_signal(int sig)
{
	(void)sig;
	outputs_bench_stop_signal = 1;
}

static gpr_timespec outputs_bench_deadline_ms(int ms)
{
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

/* The top-level numbers of a field in falco.outputs.response, by name: a
 * field the proto lacks reads as 0, which no field can have. */
static uint32_t outputs_bench_field_id(const char *name)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(&falco__outputs__response__descriptor, name);
	return f ? f->id : 0;
}

static bool outputs_bench_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* Reads seq, lost and created_ns from one encoded response, skipping every
 * other field. Absent fields stay 0 (proto3 defaults). */
static bool outputs_bench_scan(const outputs_bench_fields *f, const uint8_t *p, size_t len, uint64_t *seq,
			       uint64_t *lost, uint64_t *created_ns)
{
	const uint8_t *end = p + len;
	*seq = *lost = *created_ns = 0;
	while (p < end) {
		uint64_t key, v = 0;
		if (!outputs_bench_varint(&p, end, &key))
			return false;
		uint32_t id = (uint32_t)(key >> 3);
		switch (key & 7) {
		case 0:
			if (!outputs_bench_varint(&p, end, &v))
				return false;
			break;
		case 1:
			if (end - p < 8)
				return false;
			for (int i = 7; i >= 0; i--)
				v = v << 8 | p[i];
			p += 8;
			break;
		case 2:
			if (!outputs_bench_varint(&p, end, &v) || v > (uint64_t)(end - p))
				return false;
			p += v;
			continue;
		case 5:
			if (end - p < 4)
				return false;
			v = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
			p += 4;
			break;
		default:
			return false;
		}
		if (id == f->seq)
			*seq = v;
		else if (id == f->lost)
			*lost = v;
		else if (f->created_ns && id == f->created_ns)
			*created_ns = v;
	}
	return true;
}

/* The message's bytes: its one slice when it has one (the usual case for a
 * message of a few hundred bytes), else a copy into `tmp`. */
static const uint8_t *outputs_bench_bytes(grpc_byte_buffer *bb, grpc_slice *tmp, size_t *len)
{
	*tmp = grpc_empty_slice();
	if (bb->type == GRPC_BB_RAW && bb->data.raw.compression == GRPC_COMPRESS_NONE &&
	    bb->data.raw.slice_buffer.count == 1) {
		grpc_slice s = bb->data.raw.slice_buffer.slices[0];
		*len = GRPC_SLICE_LENGTH(s);
		return GRPC_SLICE_START_PTR(s);
	}
	grpc_byte_buffer_reader r;
	if (grpc_byte_buffer_reader_init(&r, bb)) {
		*tmp = grpc_byte_buffer_reader_readall(&r);
		grpc_byte_buffer_reader_destroy(&r);
	}
	*len = GRPC_SLICE_LENGTH(*tmp);
	return GRPC_SLICE_START_PTR(*tmp);
}

static void outputs_bench_error(outputs_bench_worker *w, const char *fmt, const char *a, const char *b)
{
	if (!w->first_error[0])
		snprintf(w->first_error, sizeof(w->first_error), fmt, a, b);
}

static void outputs_bench_post_recv(outputs_bench_sub *s)
{
	memset(s->recv_ops, 0, sizeof(s->recv_ops));
	s->recv = NULL;
	s->recv_ops[0].op = GRPC_OP_RECV_MESSAGE;
	s->recv_ops[0].data.recv_message.recv_message = &s->recv;
	if (grpc_call_start_batch(s->call, s->recv_ops, 1, &s->recv_tag, NULL) == GRPC_CALL_OK) {
		s->pending++;
		s->w->pending++;
	} else {
		outputs_bench_error(s->w, "%s%s", "grpc_call_start_batch refused a read", "");
		s->w->stream_errors++;
	}
}

/* Opens the subscriber's stream: the request and headers in one batch, the
 * status in another (it completes only when the stream ends), and, unless
 * stalled, the first read. */
static void outputs_bench_sub_open(outputs_bench *b, outputs_bench_sub *s)
{
	s->details = grpc_empty_slice();
	grpc_metadata_array_init(&s->initial_md);
	grpc_metadata_array_init(&s->trailing_md);
	s->start_tag = (outputs_bench_tag){s, OP_START};
	s->recv_tag = (outputs_bench_tag){s, OP_RECV};
	s->status_tag = (outputs_bench_tag){s, OP_STATUS};
	/* No deadline: a subscription lasts until the bench cancels it. */
	s->call = grpc_channel_create_registered_call(b->channels[s->channel], NULL, GRPC_PROPAGATE_DEFAULTS, s->w->cq,
						      b->registered[s->channel], gpr_inf_future(GPR_CLOCK_REALTIME),
						      NULL);
	s->send = grpc_raw_byte_buffer_create(&b->request, 1);
	memset(s->start_ops, 0, sizeof(s->start_ops));
	s->start_ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	s->start_ops[1].op = GRPC_OP_SEND_MESSAGE;
	s->start_ops[1].data.send_message.send_message = s->send;
	s->start_ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	s->start_ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	s->start_ops[3].data.recv_initial_metadata.recv_initial_metadata = &s->initial_md;
	memset(s->status_ops, 0, sizeof(s->status_ops));
	s->status_ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	s->status_ops[0].data.recv_status_on_client.trailing_metadata = &s->trailing_md;
	s->status_ops[0].data.recv_status_on_client.status = &s->status;
	s->status_ops[0].data.recv_status_on_client.status_details = &s->details;
	if (grpc_call_start_batch(s->call, s->start_ops, 4, &s->start_tag, NULL) != GRPC_CALL_OK ||
	    grpc_call_start_batch(s->call, s->status_ops, 1, &s->status_tag, NULL) != GRPC_CALL_OK) {
		/* Only possible with a malformed batch: a bug here, not a server fault. */
		fprintf(stderr, "outputs_bench: grpc_call_start_batch refused to open a stream\n");
		exit(1);
	}
	s->pending += 2;
	s->w->pending += 2;
	if (!b->opt.stall)
		outputs_bench_post_recv(s);
}

/* Unpacks the first message in full: a run whose messages are not alerts
 * (say, a wrong method answering something else) is not a result. */
static void outputs_bench_check_first(outputs_bench_sub *s, const uint8_t *p, size_t len)
{
	s->first_bytes = len;
	Falco__Outputs__Response *r = falco__outputs__response__unpack(NULL, len, p);
	if (!r || !r->rule || !r->rule[0] || !r->output || !r->output[0]) {
		s->bad_messages++;
		outputs_bench_error(s->w, "%s%s", "the first message is not an alert (no rule or output)", "");
	} else {
		snprintf(s->first_rule, sizeof(s->first_rule), "%s", r->rule);
	}
	if (r)
		falco__outputs__response__free_unpacked(r, NULL);
}

static void outputs_bench_on_message(outputs_bench *b, outputs_bench_sub *s, int phase)
{
	uint64_t now_real = outputs_bench_now_ns(CLOCK_REALTIME);
	outputs_bench_worker *w = s->w;
	grpc_slice tmp;
	size_t len;
	const uint8_t *p = outputs_bench_bytes(s->recv, &tmp, &len);
	uint64_t seq, lost, created;
	if (!s->received_all)
		outputs_bench_check_first(s, p, len);
	if (!outputs_bench_scan(&b->fields, p, len, &seq, &lost, &created)) {
		s->bad_messages++;
		outputs_bench_error(w, "%s%s", "undecodable message", "");
		grpc_slice_unref(tmp);
		return;
	}
	grpc_slice_unref(tmp);
	/* seq counts the messages written to this stream, from 1, whatever
	 * was lost: anything else is a bug in the daemon. */
	if (seq != s->last_seq + 1)
		s->seq_breaks++;
	s->last_seq = seq;
	s->lost_total += lost;
	s->received_all++;
	uint64_t acc = seq + s->lost_total;
	if (phase == PHASE_WARMUP) {
		s->acc_start = acc;
		s->have_start = true;
	} else if (phase == PHASE_MEASURE) {
		if (!s->have_start) { /* the first message came after the warmup */
			s->acc_start = acc - 1 - lost;
			s->have_start = true;
		}
		s->acc_end = acc;
		s->have_end = true;
		s->received++;
		s->lost_window += lost;
		if (created) {
			if (now_real >= created)
				bench_hist_record(&w->delay, now_real - created);
			else
				w->negative_delays++;
		}
	}
}

static void outputs_bench_on_complete(outputs_bench *b, outputs_bench_tag *t, bool ok)
{
	outputs_bench_sub *s = t->sub;
	outputs_bench_worker *w = s->w;
	int phase = atomic_load_explicit(&b->phase, memory_order_relaxed);
	s->pending--;
	w->pending--;
	switch (t->op) {
	case OP_START:
		grpc_byte_buffer_destroy(s->send);
		s->send = NULL;
		if (ok) {
			s->subscribed = true;
			atomic_fetch_add(&b->subscribed, 1);
		}
		break;
	case OP_RECV:
		if (!ok || !s->recv) /* the stream ended; its status tells why */
			break;
		outputs_bench_on_message(b, s, phase);
		grpc_byte_buffer_destroy(s->recv);
		s->recv = NULL;
		if (phase != PHASE_DRAIN && !s->ended)
			outputs_bench_post_recv(s);
		break;
	case OP_STATUS:
		s->ended = true;
		if (phase != PHASE_DRAIN) {
			char *d = grpc_slice_to_c_string(s->details);
			char code[32];
			snprintf(code, sizeof(code), "status %d", (int)s->status);
			outputs_bench_error(w, "stream ended early with %s: %s", code, d);
			gpr_free(d);
			w->stream_errors++;
		}
		break;
	}
}

static void *outputs_bench_worker_main(void *arg)
{
	outputs_bench_worker *w = arg;
	outputs_bench *b = outputs_bench_global;
	for (int i = 0; i < w->nsubs; i++)
		outputs_bench_sub_open(b, w->subs[i]);
	bool cancelled = false;
	while (w->pending > 0) {
		if (!cancelled && atomic_load_explicit(&b->phase, memory_order_relaxed) == PHASE_DRAIN) {
			/* Cancelling completes every batch in flight, the status last. */
			for (int i = 0; i < w->nsubs; i++)
				grpc_call_cancel(w->subs[i]->call, NULL);
			cancelled = true;
		}
		/* Bounded only so that the drain is noticed without a message. */
		grpc_event ev = grpc_completion_queue_next(w->cq, outputs_bench_deadline_ms(100), NULL);
		if (ev.type == GRPC_OP_COMPLETE)
			outputs_bench_on_complete(b, ev.tag, ev.success != 0);
	}
	for (int i = 0; i < w->nsubs; i++) {
		outputs_bench_sub *s = w->subs[i];
		grpc_call_unref(s->call);
		s->call = NULL;
		grpc_metadata_array_destroy(&s->initial_md);
		grpc_metadata_array_destroy(&s->trailing_md);
		grpc_slice_unref(s->details);
	}
	return NULL;
}

/* A list of n entries of about `len` bytes each, the last one `last` when
 * given. The strings are allocated; the list is freed by the caller. */
static char **outputs_bench_list(int n, int len, const char *tag, const char *last)
{
	char **v = calloc((size_t)n, sizeof(*v));
	for (int i = 0; v && i < n; i++) {
		if (last && i == n - 1) {
			v[i] = strdup(last);
			continue;
		}
		v[i] = malloc((size_t)len + 1);
		if (v[i])
			snprintf(v[i], (size_t)len + 1, "%s%0*d", tag, len > 4 ? len - 2 : 1, i);
	}
	return v;
}

/* The maximal filter of --filter-items/--filter-bytes, encoded. */
static grpc_slice outputs_bench_filter(const outputs_bench_options *o)
{
	int n = o->filter_items;
	int len = (o->filter_bytes - 64) / (4 * n);
	if (len < 3)
		len = 3;
	Falco__Outputs__Request req = FALCO__OUTPUTS__REQUEST__INIT;
	/* tags_all holds one tag no alert has: longer, it would fail at once
	 * on its count (more wanted tags than the alert has). */
	req.n_rules = req.n_tags_any = req.n_sources = req.n_output_fields = (size_t)n;
	req.n_tags_all = 1;
	req.rules = outputs_bench_list(n, len, "r.", o->filter_rule);
	req.tags_any = outputs_bench_list(n, len, "a.", o->filter_tag);
	req.tags_all = outputs_bench_list(1, len, "t.", NULL);
	req.sources = outputs_bench_list(n, len, "s.", "syscall");
	req.output_fields = outputs_bench_list(n, len, "f.", NULL);
	grpc_slice s = grpc_slice_malloc(falco__outputs__request__get_packed_size(&req));
	falco__outputs__request__pack(&req, GRPC_SLICE_START_PTR(s));
	char **lists[] = {req.rules, req.tags_any, req.tags_all, req.sources, req.output_fields};
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		for (int i = 0; lists[l] && i < (lists[l] == req.tags_all ? 1 : n); i++)
			free(lists[l][i]);
		free(lists[l]);
	}
	return s;
}

static void outputs_bench_usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s --target unix:///PATH|HOST:PORT --subscribers K --duration SECONDS\n"
		"          [--warmup SECONDS] [--channels N] [--threads N] [--stall] [--label TEXT]\n"
		"          [--filter-items N --filter-bytes B --filter-rule RULE --filter-tag TAG]\n"
		"Opens K subscriptions to /falco.api.streaming/outputs (insecure credentials, no filter),\n"
		"reads them as fast as possible and prints one summary line for the window after the\n"
		"warmup: messages/s per subscriber and in total, alerts accepted/s by the daemon, and\n"
		"delay percentiles (receipt - created_ns) when the response has created_ns.\n"
		"--stall: open the streams, never read them, stay for warmup + duration (or until\n"
		"SIGTERM). Defaults: --warmup 1 --channels K (one connection per subscriber)\n"
		"--threads 1. Exit status: 0 ok, 1 setup error, 2 stream errors or no message.\n",
		argv0);
}

static int outputs_bench_parse(int argc, char **argv, outputs_bench_options *o)
{
	static const struct option longopts[] = {
		{"target", required_argument, NULL, 't'},   {"subscribers", required_argument, NULL, 'k'},
		{"duration", required_argument, NULL, 'd'}, {"warmup", required_argument, NULL, 'w'},
		{"channels", required_argument, NULL, 'c'}, {"threads", required_argument, NULL, 'T'},
		{"stall", no_argument, NULL, 's'},          {"label", required_argument, NULL, 'l'},
		{"filter-items", required_argument, NULL, 'n'}, {"filter-bytes", required_argument, NULL, 'b'},
		{"filter-rule", required_argument, NULL, 'R'},  {"filter-tag", required_argument, NULL, 'G'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->threads = 1;
	o->warmup = 1;
	o->label = "-";
	int have_duration = 0, c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 't': o->target = optarg; break;
		case 'l': o->label = optarg; break;
		case 's': o->stall = true; break;
		case 'R': o->filter_rule = optarg; break;
		case 'G': o->filter_tag = optarg; break;
		case 'n': rc = bench_parse_int("outputs_bench", optarg, "--filter-items", 1, 1 << 24, &o->filter_items); break;
		case 'b': rc = bench_parse_int("outputs_bench", optarg, "--filter-bytes", 64, 1 << 30, &o->filter_bytes); break;
		case 'k': rc = bench_parse_int("outputs_bench", optarg, "--subscribers", 1, 100000, &o->subscribers); break;
		case 'c': rc = bench_parse_int("outputs_bench", optarg, "--channels", 1, 100000, &o->channels); break;
		case 'T': rc = bench_parse_int("outputs_bench", optarg, "--threads", 1, 100000, &o->threads); break;
		case 'd':
			rc = bench_parse_seconds("outputs_bench", optarg, "--duration", 0.001, &o->duration);
			have_duration = 1;
			break;
		case 'w': rc = bench_parse_seconds("outputs_bench", optarg, "--warmup", 0, &o->warmup); break;
		case 'h': outputs_bench_usage(stdout, argv[0]); exit(0);
		default: outputs_bench_usage(stderr, argv[0]); return -1;
		}
		if (rc < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "outputs_bench: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->target || !o->subscribers || !have_duration) {
		fprintf(stderr, "outputs_bench: --target, --subscribers and --duration are required\n");
		outputs_bench_usage(stderr, argv[0]);
		return -1;
	}
	if (o->filter_items && (!o->filter_bytes || !o->filter_rule || !o->filter_tag)) {
		fprintf(stderr, "outputs_bench: --filter-items needs --filter-bytes, --filter-rule and --filter-tag\n");
		return -1;
	}
	if (!o->channels || o->channels > o->subscribers)
		o->channels = o->subscribers;
	/* A worker without a subscriber would only idle. */
	if (o->threads > o->subscribers)
		o->threads = o->subscribers;
	return 0;
}

static int outputs_bench_setup(outputs_bench *b, char *err, size_t errlen)
{
	const outputs_bench_options *o = &b->opt;
	b->fields.seq = outputs_bench_field_id("seq");
	b->fields.lost = outputs_bench_field_id("lost");
	b->fields.created_ns = outputs_bench_field_id("created_ns");
	if (!b->fields.seq || !b->fields.lost) {
		snprintf(err, errlen, "falco.outputs.response has no seq or lost field");
		return -1;
	}
	/* The empty filter: every alert. It encodes to zero bytes. */
	b->request = o->filter_items ? outputs_bench_filter(o) : grpc_empty_slice();
	b->channels = calloc((size_t)o->channels, sizeof(*b->channels));
	b->registered = calloc((size_t)o->channels, sizeof(*b->registered));
	b->subs = calloc((size_t)o->subscribers, sizeof(*b->subs));
	b->workers = calloc((size_t)o->threads, sizeof(*b->workers));
	if (!b->channels || !b->registered || !b->subs || !b->workers) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* A local subchannel pool per channel: otherwise gRPC shares one
	 * connection between channels with the same target and arguments. */
	grpc_arg args[] = {
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, .value.integer = 1},
	};
	grpc_channel_args cargs = {.num_args = 1, .args = args};
	grpc_channel_credentials *creds = grpc_insecure_credentials_create();
	for (int i = 0; i < o->channels; i++) {
		b->channels[i] = grpc_channel_create(o->target, creds, &cargs);
		b->registered[i] = grpc_channel_register_call(b->channels[i], "/falco.api.streaming/outputs", NULL, NULL);
	}
	grpc_channel_credentials_release(creds);
	for (int t = 0; t < o->threads; t++) {
		outputs_bench_worker *w = &b->workers[t];
		w->cq = grpc_completion_queue_create_for_next(NULL);
		w->subs = calloc((size_t)(o->subscribers / o->threads + 1), sizeof(*w->subs));
		if (!w->subs) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	for (int j = 0; j < o->subscribers; j++) {
		outputs_bench_worker *w = &b->workers[j % o->threads];
		outputs_bench_sub *s = &b->subs[j];
		s->w = w;
		s->index = j;
		s->channel = j % o->channels;
		w->subs[w->nsubs++] = s;
	}
	return 0;
}

/* Waits until every channel is connected, so that a refused connection is
 * a setup error rather than K failed streams. */
static int outputs_bench_connect(outputs_bench *b, char *err, size_t errlen)
{
	grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
	gpr_timespec deadline = outputs_bench_deadline_ms(5000);
	int rc = 0;
	for (int i = 0; i < b->opt.channels && !rc; i++) {
		grpc_connectivity_state st = grpc_channel_check_connectivity_state(b->channels[i], 1);
		while (st != GRPC_CHANNEL_READY) {
			grpc_channel_watch_connectivity_state(b->channels[i], st, deadline, cq, NULL);
			grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
			st = grpc_channel_check_connectivity_state(b->channels[i], 1);
			if ((ev.type == GRPC_OP_COMPLETE && !ev.success) || st == GRPC_CHANNEL_TRANSIENT_FAILURE ||
			    st == GRPC_CHANNEL_SHUTDOWN) {
				snprintf(err, errlen, "cannot connect to %s (channel %d)", b->opt.target, i);
				rc = -1;
				break;
			}
		}
	}
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(cq);
	return rc;
}

static void outputs_bench_teardown(outputs_bench *b)
{
	for (int t = 0; b->workers && t < b->opt.threads; t++) {
		outputs_bench_worker *w = &b->workers[t];
		free(w->subs);
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
	free(b->subs);
	free(b->workers);
	grpc_slice_unref(b->request);
}

static int outputs_bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Prints the run's summary line; returns the exit status it deserves. */
static int outputs_bench_report(outputs_bench *b, double measured, double cpu)
{
	const outputs_bench_options *o = &b->opt;
	bench_hist *h = calloc(1, sizeof(*h));
	double *rates = calloc((size_t)o->subscribers, sizeof(*rates));
	if (!h || !rates) {
		free(h);
		free(rates);
		fprintf(stderr, "outputs_bench: out of memory\n");
		return 1;
	}
	uint64_t total = 0, lost = 0, breaks = 0, bad = 0, errors = 0, negative = 0, accepted_max = 0;
	size_t bytes = 0;
	const char *rule = "?", *first_error = NULL;
	for (int t = 0; t < o->threads; t++) {
		outputs_bench_worker *w = &b->workers[t];
		bench_hist_merge(h, &w->delay);
		errors += w->stream_errors;
		negative += w->negative_delays;
		if (!first_error && w->first_error[0])
			first_error = w->first_error;
	}
	for (int j = 0; j < o->subscribers; j++) {
		outputs_bench_sub *s = &b->subs[j];
		total += s->received;
		lost += s->lost_window;
		breaks += s->seq_breaks;
		bad += s->bad_messages;
		rates[j] = (double)s->received / measured;
		uint64_t acc = s->have_start && s->have_end ? s->acc_end - s->acc_start : 0;
		if (acc > accepted_max)
			accepted_max = acc;
		if (s->first_rule[0] && rule[0] == '?') {
			rule = s->first_rule;
			bytes = s->first_bytes;
		}
	}
	qsort(rates, (size_t)o->subscribers, sizeof(*rates), outputs_bench_cmp_double);
	double med = o->subscribers % 2 ? rates[o->subscribers / 2]
				       : (rates[o->subscribers / 2 - 1] + rates[o->subscribers / 2]) / 2;
	char delay[256];
	if (!b->fields.created_ns)
		snprintf(delay, sizeof(delay), "delay=unavailable(no_created_ns_in_proto)");
	else if (!h->total)
		snprintf(delay, sizeof(delay), "delay=unavailable(created_ns_unset)");
	else
		snprintf(delay, sizeof(delay), "delay_p50_us=%.1f delay_p99_us=%.1f delay_max_us=%.1f delays=%llu",
			 bench_hist_quantile(h, 0.50) / 1e3, bench_hist_quantile(h, 0.99) / 1e3,
			 (double)h->max / 1e3, (unsigned long long)h->total);
	printf("outputs label=%s target=%s K=%d channels=%d threads=%d duration_s=%.2f msgs=%llu total/s=%.0f "
	       "per_sub/s=%.0f per_sub_min=%.0f per_sub_max=%.0f accepted/s=%.0f lost=%llu %s seq_breaks=%llu "
	       "errors=%llu msg_bytes=%zu rule=%s client_cpu=%.2f\n",
	       o->label, o->target, o->subscribers, o->channels, o->threads, measured, (unsigned long long)total,
	       (double)total / measured, med, rates[0], rates[o->subscribers - 1], (double)accepted_max / measured,
	       (unsigned long long)lost, delay, (unsigned long long)breaks, (unsigned long long)errors, bytes, rule,
	       cpu / measured);
	fflush(stdout);
	int rc = 0;
	if (errors || bad) {
		fprintf(stderr, "outputs_bench: %llu stream error(s), %llu bad message(s); first: %s\n",
			(unsigned long long)errors, (unsigned long long)bad, first_error ? first_error : "?");
		rc = 2;
	} else if (!total) {
		fprintf(stderr, "outputs_bench: no message received while measuring\n");
		rc = 2;
	}
	if (negative)
		fprintf(stderr, "outputs_bench: %llu message(s) created after their receipt (clock steps?)\n",
			(unsigned long long)negative);
	free(h);
	free(rates);
	return rc;
}

int main(int argc, char **argv)
{
	outputs_bench b;
	memset(&b, 0, sizeof(b));
	if (outputs_bench_parse(argc, argv, &b.opt) < 0)
		return 1;
	const outputs_bench_options *o = &b.opt;
	struct sigaction sa = {.sa_handler = outputs_bench_on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	grpc_init();
	char err[512];
	if (outputs_bench_setup(&b, err, sizeof(err)) < 0 || outputs_bench_connect(&b, err, sizeof(err)) < 0) {
		fprintf(stderr, "outputs_bench: %s\n", err);
		outputs_bench_teardown(&b);
		grpc_shutdown();
		return 1;
	}
	outputs_bench_global = &b;
	atomic_store(&b.phase, PHASE_WARMUP);
	int started = 0, rc = 0;
	for (; started < o->threads; started++) {
		if (pthread_create(&b.workers[started].thread, NULL, outputs_bench_worker_main, &b.workers[started])) {
			fprintf(stderr, "outputs_bench: cannot start worker thread %d\n", started);
			rc = 1;
			break;
		}
	}
	double measured = 0, cpu = 0;
	if (!rc) {
		/* Every stream's headers first: a warmup that starts before the
		 * subscriptions exist would measure connection setup. */
		uint64_t until = outputs_bench_now_ns(CLOCK_MONOTONIC) + 5000000000u;
		while (atomic_load(&b.subscribed) < o->subscribers && outputs_bench_now_ns(CLOCK_MONOTONIC) < until &&
		       !outputs_bench_stop_signal)
			outputs_bench_sleep(0.001);
		if (atomic_load(&b.subscribed) < o->subscribers) {
			fprintf(stderr, "outputs_bench: only %d of %d subscription(s) opened within 5 s\n",
				atomic_load(&b.subscribed), o->subscribers);
			rc = 1;
		}
	}
	if (!rc && o->stall) {
		/* run.sh waits for this line before stopping the process. */
		fprintf(stderr, "outputs_bench: %d stalled subscriber(s) subscribed\n", o->subscribers);
		outputs_bench_sleep(o->warmup + o->duration);
	} else if (!rc) {
		outputs_bench_sleep(o->warmup);
		double cpu0 = outputs_bench_cpu_seconds();
		uint64_t t0 = outputs_bench_now_ns(CLOCK_MONOTONIC);
		atomic_store(&b.phase, PHASE_MEASURE);
		outputs_bench_sleep(o->duration);
		atomic_store(&b.phase, PHASE_DRAIN);
		measured = (double)(outputs_bench_now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
		cpu = outputs_bench_cpu_seconds() - cpu0;
	}
	atomic_store(&b.phase, PHASE_DRAIN);
	for (int t = 0; t < started; t++)
		pthread_join(b.workers[t].thread, NULL);
	if (!rc && !o->stall)
		rc = outputs_bench_report(&b, measured, cpu);
	outputs_bench_teardown(&b);
	grpc_shutdown();
	return rc;
}
