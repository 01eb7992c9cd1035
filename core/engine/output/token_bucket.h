#ifndef FAPI_ENGINE_TOKEN_BUCKET_H
#define FAPI_ENGINE_TOKEN_BUCKET_H

/* Falco's output rate limiter (outputs.rate, outputs.max_burst): a bucket
 * of max_burst tokens refilled at `rate` tokens per second of wall time;
 * each alert sent takes one. rate 0 disables limiting, unless
 * zero_rate_unlimited is cleared after init: syscall_event_drops' bucket is
 * Falco's, where rate 0 means max_burst notices and never more. */

#include <stdbool.h>
#include <stdint.h>

typedef struct token_bucket {
	double rate;
	double max_burst;
	double tokens;
	uint64_t last_ns;
	bool zero_rate_unlimited; /* true after token_bucket_init */
} token_bucket;

void token_bucket_init(token_bucket *tb, double rate, double max_burst, uint64_t now_ns);
/* Takes a token if one is available at now_ns. */
bool token_bucket_claim(token_bucket *tb, uint64_t now_ns);

#endif
