/* fapictl inputs send [--source S] [--alerts] [--batch N] FILE|-: JSON
 * lines to /falco.api.bidirectional/inputs, N lines a request, printing
 * each acknowledgement, each rejected line and (--alerts) each alert. One
 * send and one receive in flight at a time, as gRPC allows, so the daemon's
 * backpressure slows this client down. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/support/alloc.h>

#include "fapictl_cmd.h"
#include "fapictl_rpc.h"
#include "inputs.pb-c.h"
#include "schema.pb-c.h"

#define INPUTS_METHOD "/falco.api.bidirectional/inputs"

typedef struct send_state {
	FILE *in;
	const char *source;
	bool alerts;
	size_t batch;
	uint64_t next_id;  /* ids are 1, 2, ... */
	uint64_t line;     /* lines read so far */
	uint64_t *first;   /* first line number of each request in flight, by id */
	size_t nfirst, capfirst;
	uint64_t base_id;
	bool eof;
	uint64_t accepted, rejected, alerts_seen;
} send_state;

/* The next request (NULL at the end of the input); caller frees. */
static grpc_byte_buffer *send_next(send_state *s)
{
	if (s->eof)
		return NULL;
	char **ev = calloc(s->batch, sizeof(*ev));
	if (!ev)
		return NULL;
	size_t n = 0;
	uint64_t first = s->line + 1;
	char *l = NULL;
	size_t cap = 0;
	ssize_t len;
	while (n < s->batch && (len = getline(&l, &cap, s->in)) >= 0) {
		s->line++;
		while (len > 0 && (l[len - 1] == '\n' || l[len - 1] == '\r'))
			l[--len] = '\0';
		if (len == 0)
			continue;
		ev[n++] = strdup(l);
	}
	free(l);
	if (n < s->batch)
		s->eof = true;
	grpc_byte_buffer *bb = NULL;
	if (n) {
		char id[32];
		snprintf(id, sizeof(id), "%llu", (unsigned long long)++s->next_id);
		if (s->nfirst == s->capfirst) {
			size_t c = s->capfirst ? s->capfirst * 2 : 64;
			uint64_t *f = realloc(s->first, c * sizeof(*f));
			if (f) {
				s->first = f;
				s->capfirst = c;
			}
		}
		if (s->nfirst < s->capfirst)
			s->first[s->nfirst++] = first;
		Falco__Inputs__Request q = FALCO__INPUTS__REQUEST__INIT;
		q.id = id;
		q.source = (char *)s->source;
		q.n_events = n;
		q.events = ev;
		q.want_alerts = s->alerts;
		bb = fapictl_rpc_pack(&q.base);
	}
	for (size_t i = 0; i < n; i++)
		free(ev[i]);
	free(ev);
	return bb;
}

static void send_print(send_state *s, const Falco__Inputs__Response *r)
{
	uint64_t id = strtoull(r->id, NULL, 10);
	uint64_t first = id > s->base_id && id - s->base_id <= s->nfirst ? s->first[id - s->base_id - 1] : 0;
	printf("request %s: %llu accepted, %zu rejected\n", r->id, (unsigned long long)r->accepted, r->n_rejected);
	for (size_t i = 0; i < r->n_rejected; i++)
		printf("  line %llu (event %u): %s\n", (unsigned long long)(first + r->rejected[i]->index),
		       r->rejected[i]->index, r->rejected[i]->reason);
	for (size_t i = 0; i < r->n_alerts; i++) {
		const ProtobufCEnumValue *p =
			protobuf_c_enum_descriptor_get_value(&falco__schema__priority__descriptor, r->alerts[i]->priority);
		printf("  alert %s %s: %s\n", p ? p->name : "?", r->alerts[i]->rule, r->alerts[i]->output);
	}
	s->accepted += r->accepted;
	s->rejected += r->n_rejected;
	s->alerts_seen += r->n_alerts;
	fflush(stdout);
}

static int fapictl_inputs_send_run(const fapictl_conn *conn, const fapictl_args *args)
{
	const char *batch = fapictl_args_get(args, "batch");
	send_state s = {.source = fapictl_args_get(args, "source"), .alerts = fapictl_args_has(args, "alerts"),
			.batch = batch ? strtoul(batch, NULL, 10) : 100};
	if (!s.source)
		s.source = "k8s_audit";
	if (args->npos != 1)
		return fapictl_usage_error(args->cmd, "one FILE (or - for stdin) is needed");
	if (s.batch == 0 || s.batch > 100000)
		return fapictl_usage_error(args->cmd, "--batch must be between 1 and 100000");
	s.in = strcmp(args->pos[0], "-") == 0 ? stdin : fopen(args->pos[0], "r");
	if (!s.in) {
		fprintf(stderr, "fapictl: cannot open %s\n", args->pos[0]);
		return FAPICTL_EXIT_USAGE;
	}
	char err[512];
	grpc_channel *ch = fapictl_conn_channel(conn, 0, 0, err, sizeof(err));
	if (!ch) {
		fprintf(stderr, "fapictl: %s\n", err);
		if (s.in != stdin)
			fclose(s.in);
		return FAPICTL_EXIT_RPC;
	}
	grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
	grpc_call *call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
						   grpc_slice_from_static_string(INPUTS_METHOD), NULL,
						   fapictl_conn_deadline(conn->timeout_s), NULL);
	static char tag_start, tag_status, tag_send, tag_recv;
	grpc_metadata_array imd, tmd;
	grpc_metadata_array_init(&imd);
	grpc_metadata_array_init(&tmd);
	grpc_status_code code = GRPC_STATUS_UNKNOWN;
	grpc_slice details = grpc_empty_slice();
	grpc_op start[2] = {{.op = GRPC_OP_SEND_INITIAL_METADATA},
			    {.op = GRPC_OP_RECV_INITIAL_METADATA, .data.recv_initial_metadata.recv_initial_metadata = &imd}};
	grpc_op status = {.op = GRPC_OP_RECV_STATUS_ON_CLIENT,
			  .data.recv_status_on_client = {.trailing_metadata = &tmd, .status = &code, .status_details = &details}};
	grpc_byte_buffer *sending = NULL, *recv = NULL;
	grpc_op sendop = {0}, recvop = {.op = GRPC_OP_RECV_MESSAGE, .data.recv_message.recv_message = &recv};
	int pending = 0, rc = FAPICTL_EXIT_OK;
	bool closed = false;
	if (grpc_call_start_batch(call, start, 2, &tag_start, NULL) == GRPC_CALL_OK)
		pending++;
	if (grpc_call_start_batch(call, &status, 1, &tag_status, NULL) == GRPC_CALL_OK)
		pending++;
	if (grpc_call_start_batch(call, &recvop, 1, &tag_recv, NULL) == GRPC_CALL_OK)
		pending++;
	/* Sends the next request, or closes the sending side at the end. */
#define SEND_NEXT()                                                                                            \
	do {                                                                                                   \
		sending = send_next(&s);                                                                       \
		sendop = (grpc_op){.op = sending ? GRPC_OP_SEND_MESSAGE : GRPC_OP_SEND_CLOSE_FROM_CLIENT};     \
		if (sending)                                                                                   \
			sendop.data.send_message.send_message = sending;                                       \
		else                                                                                           \
			closed = true;                                                                         \
		if (grpc_call_start_batch(call, &sendop, 1, &tag_send, NULL) == GRPC_CALL_OK)                  \
			pending++;                                                                             \
	} while (0)
	SEND_NEXT();
	while (pending > 0) {
		grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type != GRPC_OP_COMPLETE)
			break;
		pending--;
		if (ev.tag == &tag_send) {
			if (sending)
				grpc_byte_buffer_destroy(sending);
			sending = NULL;
			if (ev.success && !closed)
				SEND_NEXT();
		} else if (ev.tag == &tag_recv) {
			if (!ev.success || !recv)
				continue;
			Falco__Inputs__Response *r = (Falco__Inputs__Response *)fapictl_rpc_unpack(
				recv, &falco__inputs__response__descriptor);
			grpc_byte_buffer_destroy(recv);
			recv = NULL;
			if (!r) {
				fprintf(stderr, "fapictl: %s: an answer could not be decoded\n", conn->targets[0]);
				rc = FAPICTL_EXIT_RPC;
				grpc_call_cancel(call, NULL);
				continue;
			}
			send_print(&s, r);
			falco__inputs__response__free_unpacked(r, NULL);
			if (grpc_call_start_batch(call, &recvop, 1, &tag_recv, NULL) == GRPC_CALL_OK)
				pending++;
		}
	}
#undef SEND_NEXT
	if (code != GRPC_STATUS_OK) {
		char *d = grpc_slice_to_c_string(details);
		fapictl_conn_report(conn->targets[0], code, d);
		gpr_free(d);
		rc = FAPICTL_EXIT_RPC;
	} else {
		printf("%llu events accepted, %llu rejected, %llu alerts\n", (unsigned long long)s.accepted,
		       (unsigned long long)s.rejected, (unsigned long long)s.alerts_seen);
	}
	grpc_slice_unref(details);
	grpc_metadata_array_destroy(&imd);
	grpc_metadata_array_destroy(&tmd);
	grpc_call_unref(call);
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(cq);
	grpc_channel_destroy(ch);
	free(s.first);
	if (s.in != stdin)
		fclose(s.in);
	return rc;
}

static const fapictl_opt fapictl_inputs_send_opts[] = {
	{"source", "NAME", "the events' source (default k8s_audit)"},
	{"alerts", NULL, "ask for and print the alerts each request raised"},
	{"batch", "N", "JSON lines per request (default 100)"},
	{NULL, NULL, NULL},
};

const fapictl_cmd fapictl_inputs_send_cmd = {
	.path = "inputs send",
	.summary = "send JSON events (one a line) to the engine and print the acknowledgements",
	.usage = "[--source NAME] [--alerts] [--batch N] [--timeout D] [--target ADDR] FILE|-",
	.help = "Streams the JSON lines of FILE (or stdin for -) to /falco.api.bidirectional/inputs,\n"
		"N lines a request, and prints each request's acknowledgement: events accepted, and\n"
		"each rejected line with the reason; with --alerts, the alerts its events raised.\n"
		"Ends with the totals. The daemon slows the client down when its queue is full.\n"
		"\nexamples:\n"
		"  fapictl inputs send audit.jsonl\n"
		"  kubectl get events -o json | jq -c . | fapictl inputs send --alerts -",
	.opts = fapictl_inputs_send_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_inputs_send_run,
};
