/* fapictl drops watch: /falco.api.streaming/drops, one line per loss
 * report (text or --json). */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/support/alloc.h>

#include "drops.pb-c.h"
#include "engine/output/json_escape.h"
#include "fapictl_cmd.h"
#include "fapictl_rpc.h"

static const fapictl_opt fapictl_drops_watch_opts[] = {
	{"kinds", "LIST", "only these kinds, comma-separated: kernel, output_queue, input_queue, rate_limit "
			  "(repeatable; default all)"},
	{"interval", "D", "how often the daemon reads the counters: 500ms, 2s, 1m (default 1s)"},
	{"min-count", "N", "report a source once it lost at least N (default 1)"},
	{"heartbeat", "D", "a heartbeat line after D without any report"},
	{"json", NULL, "one JSON object a line (see README.md)"},
	{"count", "N", "stop after N reports (heartbeats included)"},
	{NULL, NULL, NULL},
};

static const char *const fapictl_drops_kind_names[] = {"heartbeat", "kernel", "output_queue", "input_queue",
						      "rate_limit"};

/* "250ms", "2s", "1m", or bare milliseconds. Returns ms, or 0 when bad. */
static uint64_t fapictl_drops_duration_ms(const char *s)
{
	char *end;
	if (!s || s[0] == '-')
		return 0;
	double v = strtod(s, &end);
	if (end == s || v <= 0)
		return 0;
	double ms = strcmp(end, "ms") == 0 || *end == '\0' ? v
		    : strcmp(end, "s") == 0		   ? v * 1e3
		    : strcmp(end, "m") == 0		   ? v * 60e3
							   : -1;
	return ms >= 1 && ms < 4e9 ? (uint64_t)ms : 0;
}

/* Adds the kinds of one --kinds value to req. 0, or -1 naming the bad one. */
static int fapictl_drops_kinds(const char *list, Falco__Drops__Kind *kinds, size_t *n, char *bad, size_t badlen)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		size_t k = 1;
		while (k < 5 && strcmp(w, fapictl_drops_kind_names[k]) != 0)
			k++;
		if (k == 5) {
			snprintf(bad, badlen, "%s", w);
			return -1;
		}
		bool dup = false;
		for (size_t i = 0; i < *n; i++)
			dup |= kinds[i] == (Falco__Drops__Kind)k;
		if (!dup && *n < 4)
			kinds[(*n)++] = (Falco__Drops__Kind)k;
	}
	return 0;
}

static void fapictl_drops_time(const Google__Protobuf__Timestamp *t, char *buf, size_t cap)
{
	time_t s = t ? (time_t)t->seconds : 0;
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%09dZ", t ? t->nanos : 0);
}

static void fapictl_drops_print(const Falco__Drops__Response *r, bool json)
{
	char t0[48], t1[48];
	fapictl_drops_time(r->interval_start, t0, sizeof(t0));
	fapictl_drops_time(r->interval_end, t1, sizeof(t1));
	const char *kind = r->heartbeat ? "heartbeat"
			   : (unsigned)r->kind < 5 ? fapictl_drops_kind_names[r->kind]
						 : "unknown";
	if (json) {
		printf("{\"seq\":%" PRIu64 ",\"kind\":\"%s\",\"interval_start\":\"%s\",\"interval_end\":\"%s\"", r->seq,
		       kind, t0, t1);
		if (!r->heartbeat) {
			fputs(",\"source\":", stdout);
			json_escape_write(stdout, r->source);
			fputs(",\"identity\":", stdout);
			json_escape_write(stdout, r->identity);
			printf(",\"source_id\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"total_lost\":%" PRIu64
			       ",\"depth\":%" PRIu64 ",\"capacity\":%" PRIu64,
			       r->source_id, r->lost, r->total_lost, r->depth, r->capacity);
		}
		if (r->kernel) {
			const Falco__Drops__KernelCounters *k = r->kernel;
			printf(",\"kernel\":{\"n_evts\":%" PRIu64 ",\"n_drops\":%" PRIu64 ",\"n_drops_buffer\":%" PRIu64
			       ",\"n_drops_scratch_map\":%" PRIu64 ",\"n_drops_pf\":%" PRIu64 ",\"n_drops_bug\":%" PRIu64
			       ",\"n_preemptions\":%" PRIu64 ",\"ebpf_enabled\":%s}",
			       k->n_evts, k->n_drops, k->n_drops_buffer, k->n_drops_scratch_map, k->n_drops_pf,
			       k->n_drops_bug, k->n_preemptions, k->ebpf_enabled ? "true" : "false");
		}
		puts("}");
		return;
	}
	if (r->heartbeat) {
		printf("%s heartbeat: nothing lost since %s\n", t1, t0);
		return;
	}
	printf("%s %s %s", t1, kind, r->source);
	if (r->identity[0])
		printf(" (%s)", r->identity);
	printf(": %" PRIu64 " lost since %s (total %" PRIu64 ")", r->lost, t0, r->total_lost);
	if (r->capacity)
		printf(", queue %" PRIu64 "/%" PRIu64, r->depth, r->capacity);
	if (r->kernel)
		printf(", n_evts=%" PRIu64 " n_drops_buffer=%" PRIu64 " n_drops_scratch_map=%" PRIu64
		       " n_drops_pf=%" PRIu64 " n_drops_bug=%" PRIu64 " n_preemptions=%" PRIu64,
		       r->kernel->n_evts, r->kernel->n_drops_buffer, r->kernel->n_drops_scratch_map, r->kernel->n_drops_pf,
		       r->kernel->n_drops_bug, r->kernel->n_preemptions);
	putchar('\n');
}

static double fapictl_drops_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fapictl_drops_watch_run(const fapictl_conn *conn, const fapictl_args *a)
{
	const fapictl_cmd *self = a->cmd;
	if (a->npos)
		return fapictl_usage_error(self, "unexpected argument '%s'", a->pos[0]);
	Falco__Drops__Request req = FALCO__DROPS__REQUEST__INIT;
	Falco__Drops__Kind kinds[4];
	size_t nkinds = 0;
	for (size_t i = 0; i < a->n; i++) {
		char bad[256];
		if (strcmp(a->names[i], "kinds") == 0 && fapictl_drops_kinds(a->values[i], kinds, &nkinds, bad, sizeof(bad)))
			return fapictl_usage_error(self, "--kinds: unknown kind '%s' (kernel, output_queue, input_queue, "
						   "rate_limit)", bad);
	}
	req.kinds = kinds;
	req.n_kinds = nkinds;
	const char *v;
	if ((v = fapictl_args_get(a, "interval")) && !(req.interval_ms = (uint32_t)fapictl_drops_duration_ms(v)))
		return fapictl_usage_error(self, "--interval %s: not a duration (500ms, 2s, 1m)", v);
	if ((v = fapictl_args_get(a, "heartbeat")) && !(req.heartbeat_ms = (uint32_t)fapictl_drops_duration_ms(v)))
		return fapictl_usage_error(self, "--heartbeat %s: not a duration (500ms, 2s, 1m)", v);
	uint64_t count = 0;
	const char *names[2] = {"min-count", "count"};
	uint64_t *dst[2] = {&req.min_count, &count};
	for (size_t i = 0; i < 2; i++) {
		if (!(v = fapictl_args_get(a, names[i])))
			continue;
		char *end;
		unsigned long long c = strtoull(v, &end, 10);
		if (end == v || *end || c == 0 || v[0] == '-')
			return fapictl_usage_error(self, "--%s %s: not a positive number", names[i], v);
		*dst[i] = c;
	}
	bool json = fapictl_args_has(a, "json");

	char err[512];
	grpc_channel *ch = fapictl_conn_channel(conn, 0, 0, err, sizeof(err));
	if (!ch) {
		fprintf(stderr, "fapictl: %s\n", err);
		return FAPICTL_EXIT_RPC;
	}
	grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
	fapictl_rpc_stream s;
	int rc = FAPICTL_EXIT_OK;
	if (fapictl_rpc_stream_open(&s, ch, cq, "/falco.api.streaming/drops", &req.base, false) != 0) {
		fprintf(stderr, "fapictl: %s: cannot start the call\n", conn->targets[0]);
		rc = FAPICTL_EXIT_RPC;
	} else {
		double end = conn->timeout_s >= 0 ? fapictl_drops_now() + conn->timeout_s : 0;
		bool stopping = false;
		uint64_t seen = 0;
		while (!(s.ended && s.pending == 0)) {
			gpr_timespec dl = gpr_inf_future(GPR_CLOCK_MONOTONIC);
			if (end && !stopping) {
				double left = end - fapictl_drops_now();
				dl = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
						  gpr_time_from_micros(left > 0 ? (int64_t)(left * 1e6) : 0, GPR_TIMESPAN));
			}
			grpc_event ev = grpc_completion_queue_next(cq, dl, NULL);
			if (ev.type == GRPC_QUEUE_TIMEOUT) {
				/* --timeout ends a watch normally (exit 0). */
				stopping = true;
				grpc_call_cancel(s.call, NULL);
				continue;
			}
			if (ev.type != GRPC_OP_COMPLETE)
				break;
			fapictl_rpc_tag *tag = ev.tag;
			if (tag->op != FAPICTL_RPC_RECV) {
				fapictl_rpc_stream_done(&s, tag->op);
				continue;
			}
			grpc_slice tmp;
			size_t len = 0;
			const uint8_t *p = ev.success ? fapictl_rpc_stream_bytes(&s, &tmp, &len) : NULL;
			bool more = p != NULL && !stopping;
			if (p && !stopping) {
				Falco__Drops__Response *r = falco__drops__response__unpack(NULL, len, p);
				if (!r) {
					fprintf(stderr, "fapictl: %s: an answer could not be decoded\n", conn->targets[0]);
					rc = FAPICTL_EXIT_RPC;
					more = false;
					grpc_call_cancel(s.call, NULL);
				} else {
					fapictl_drops_print(r, json);
					fflush(stdout);
					falco__drops__response__free_unpacked(r, NULL);
					if (count && ++seen >= count) {
						stopping = true;
						more = false;
						grpc_call_cancel(s.call, NULL);
					}
				}
			}
			if (p)
				grpc_slice_unref(tmp);
			fapictl_rpc_stream_done(&s, FAPICTL_RPC_RECV);
			if (more && fapictl_rpc_stream_read(&s) != 0)
				grpc_call_cancel(s.call, NULL);
		}
		if (!stopping && s.code != GRPC_STATUS_OK) {
			char *details = grpc_slice_to_c_string(s.details);
			fapictl_conn_report(conn->targets[0], s.code, details);
			gpr_free(details);
			rc = FAPICTL_EXIT_RPC;
		}
		fapictl_rpc_stream_free(&s);
	}
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(cq);
	grpc_channel_destroy(ch);
	return rc;
}

const fapictl_cmd fapictl_drops_watch_cmd = {
	.path = "drops watch",
	.summary = "print what the daemon loses: kernel drops, queue drops, rate-limited alerts",
	.usage = "[--kinds LIST]... [--interval D] [--min-count N] [--heartbeat D] [--json] [--count N] "
		 "[--timeout D] [--target ADDR]",
	.help = "Subscribes to /falco.api.streaming/drops (the drops module) and prints one line per\n"
		"report: a source (the kernel, an alert subscriber's queue with who subscribed, an\n"
		"input queue, the outputs rate limiter) that lost something in the interval, how much,\n"
		"and its running total; or with --json one JSON object a line with every field of the\n"
		"response. Nothing is printed while nothing is lost, unless --heartbeat is given.\n"
		"--timeout D ends the watch after D (exit 0).\n"
		"\nexamples:\n"
		"  fapictl drops watch\n"
		"  fapictl drops watch --kinds kernel,rate_limit --interval 5s --json\n"
		"  fapictl drops watch --kinds output_queue --min-count 100 --heartbeat 1m",
	.opts = fapictl_drops_watch_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_drops_watch_run,
};
