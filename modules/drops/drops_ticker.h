#ifndef DROPS_TICKER_H
#define DROPS_TICKER_H

/* The module's one timer thread: when a stream's interval (or heartbeat)
 * is due, it marks the stream due and asks the host for its on_writable
 * (stream_wake); the counters are read and written on a gRPC thread, never
 * here. Sleeps until the earliest deadline of any stream. */

#include "drops_module.h"

/* 0, or -1 with err. */
int drops_ticker_start(drops_module *m, char *err, size_t errlen);
/* Stops and joins the thread; safe when it was never started. */
void drops_ticker_stop(drops_module *m);
/* Tells the ticker the set of streams changed (a deadline may be earlier). */
void drops_ticker_kick(drops_module *m);

#endif
