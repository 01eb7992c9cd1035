#include "fapictl_fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t fapictl_fleet_duration_ms(const char *s)
{
	char *end;
	if (!s || s[0] == '-')
		return -1;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	double ms = strcmp(end, "ms") == 0 || *end == '\0' ? v
		    : strcmp(end, "s") == 0		   ? v * 1e3
		    : strcmp(end, "m") == 0		   ? v * 60e3
		    : strcmp(end, "h") == 0		   ? v * 3600e3
		    : strcmp(end, "d") == 0		   ? v * 86400e3
							   : -1;
	return ms >= 0 ? (int64_t)ms : -1;
}

static int fapictl_fleet_fail(fapictl_fleet *f, const char *what, natsStatus s, jsErrCode jerr)
{
	const char *last = nats_GetLastError(NULL);
	fprintf(stderr, "fapictl: %s: %s%s%s", what, natsStatus_GetText(s), last && *last ? ": " : "",
		last ? last : "");
	if (jerr)
		fprintf(stderr, " (jetstream error %d)", (int)jerr);
	fputc('\n', stderr);
	fapictl_fleet_close(f);
	return FAPICTL_EXIT_RPC;
}

int fapictl_fleet_open(fapictl_fleet *f, const fapictl_args *args, int64_t def_since_ms)
{
	memset(f, 0, sizeof(*f));
	const char *url = fapictl_args_get(args, "nats");
	const char *stream = fapictl_args_get(args, "stream");
	const char *since = fapictl_args_get(args, "since");
	const char *from = fapictl_args_get(args, "from-seq");
	const char *durable = fapictl_args_get(args, "durable");
	if (!url)
		return fapictl_usage_error(args->cmd, "--nats URL is required");
	if (since && from)
		return fapictl_usage_error(args->cmd, "--since and --from-seq exclude each other");
	int64_t since_ms = def_since_ms;
	if (since && (since_ms = fapictl_fleet_duration_ms(since)) < 0)
		return fapictl_usage_error(args->cmd, "--since: not a duration: %s (250ms, 10s, 5m, 1h, 2d)", since);
	char *end = NULL;
	unsigned long long seq = from ? strtoull(from, &end, 10) : 0;
	if (from && (!*from || *end || seq == 0))
		return fapictl_usage_error(args->cmd, "--from-seq: a sequence number from 1 expected: %s", from);

	natsStatus s = natsConnection_ConnectTo(&f->nc, url);
	if (s != NATS_OK)
		return fapictl_fleet_fail(f, url, s, 0);
	jsErrCode jerr = 0;
	if ((s = natsConnection_JetStream(&f->js, f->nc, NULL)) != NATS_OK)
		return fapictl_fleet_fail(f, "jetstream", s, 0);
	jsSubOptions so;
	jsSubOptions_Init(&so);
	so.Stream = stream ? stream : "FALCO";
	so.Config.AckPolicy = durable ? js_AckExplicit : js_AckNone;
	so.Config.Durable = durable;
	if (from) {
		so.Config.DeliverPolicy = js_DeliverByStartSequence;
		so.Config.OptStartSeq = seq;
	} else if (since || def_since_ms) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		so.Config.DeliverPolicy = js_DeliverByStartTime;
		so.Config.OptStartTime = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - since_ms * 1000000;
	} else {
		so.Config.DeliverPolicy = durable ? js_DeliverAll : js_DeliverNew;
	}
	f->ack = durable != NULL;
	s = js_SubscribeSync(&f->sub, f->js, "falco.alerts.>", NULL, &so, &jerr);
	if (s != NATS_OK)
		return fapictl_fleet_fail(f, so.Stream, s, jerr);
	return FAPICTL_EXIT_OK;
}

natsMsg *fapictl_fleet_next(fapictl_fleet *f, int64_t idle_ms)
{
	natsMsg *m = NULL;
	natsStatus s = natsSubscription_NextMsg(&m, f->sub, idle_ms);
	if (s == NATS_OK)
		return m;
	if (s != NATS_TIMEOUT) {
		fprintf(stderr, "fapictl: NATS: %s\n", natsStatus_GetText(s));
		f->broken = true;
	}
	return NULL;
}

void fapictl_fleet_done(fapictl_fleet *f, natsMsg *m)
{
	if (f->ack)
		natsMsg_Ack(m, NULL);
	natsMsg_Destroy(m);
}

void fapictl_fleet_close(fapictl_fleet *f)
{
	/* The connection first: its reader thread may be delivering to the
	 * subscription (under ASan, destroying the subscription first crashed
	 * that thread), and the library's threads gone before the exit. */
	if (f->nc)
		natsConnection_Close(f->nc);
	if (f->sub)
		natsSubscription_Destroy(f->sub);
	if (f->js)
		jsCtx_Destroy(f->js);
	if (f->nc)
		natsConnection_Destroy(f->nc);
	memset(f, 0, sizeof(*f));
	nats_CloseAndWait(2000);
}
