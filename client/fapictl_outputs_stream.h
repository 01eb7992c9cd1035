#ifndef FAPICTL_OUTPUTS_STREAM_H
#define FAPICTL_OUTPUTS_STREAM_H

/* Reading alert streams (falco.outputs.response) from every target at
 * once on one completion queue, printing each alert as it comes: the loop
 * behind `outputs watch` and `outputs get`. */

#include <stdbool.h>
#include <stdint.h>

#include "fapictl_conn.h"
#include "outputs.pb-c.h"

typedef struct fapictl_outputs_stream_opts {
	const char *method;                  /* required: "/falco.api.streaming/outputs" */
	const Falco__Outputs__Request *req;  /* required: sent to every target */
	bool json;                           /* JSON lines instead of Falco's text lines */
	bool follow;                         /* reconnect when a stream ends, and report the gap */
	bool filtered;                       /* req filters: the gap is an upper bound */
	uint64_t count;                      /* stop after this many alerts in all (0: no limit) */
	double duration_s;                   /* stop after this long, exit 0 (< 0: no limit) */
	double deadline_s;                   /* each call's own deadline, an error past it (< 0: none) */
} fapictl_outputs_stream_opts;

/* Runs until every stream ended (without follow), count alerts came or
 * duration passed. Returns FAPICTL_EXIT_OK, or FAPICTL_EXIT_RPC when a
 * stream failed (its status reported on stderr). */
int fapictl_outputs_stream_run(const fapictl_conn *conn, const fapictl_outputs_stream_opts *o);

#endif
