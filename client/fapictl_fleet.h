#ifndef FAPICTL_FLEET_H
#define FAPICTL_FLEET_H

/* The fleet commands read the JetStream stream the forward module fills
 * (not the daemon's gRPC API): one ephemeral (or durable) consumer over
 * falco.alerts.>, from where the options say. */

#include <nats/nats.h>

#include "fapictl_cmd.h"

typedef struct fapictl_fleet {
	natsConnection *nc;
	jsCtx *js;
	natsSubscription *sub;
	bool ack; /* durable consumer: messages are acknowledged */
	bool broken; /* fapictl_fleet_next failed for another reason than the wait */
} fapictl_fleet;

/* Connects to --nats and subscribes to --stream from --since D (or
 * --from-seq N; else from `def_since_ms` ago, or new messages only when
 * that is 0), durable when --durable is given. Returns FAPICTL_EXIT_OK or
 * an exit code after printing why to stderr. */
int fapictl_fleet_open(fapictl_fleet *f, const fapictl_args *args, int64_t def_since_ms);

/* The next message, or NULL after idle_ms without one, or NULL with
 * f->broken set (and the reason on stderr) when the subscription failed.
 * The caller destroys a message with fapictl_fleet_done. */
natsMsg *fapictl_fleet_next(fapictl_fleet *f, int64_t idle_ms);
void fapictl_fleet_done(fapictl_fleet *f, natsMsg *m);
void fapictl_fleet_close(fapictl_fleet *f);

/* "250ms", "2s", "5m", "1h" or bare milliseconds; -1 when bad. */
int64_t fapictl_fleet_duration_ms(const char *s);

#endif
