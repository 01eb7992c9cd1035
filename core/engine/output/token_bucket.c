#include "engine/output/token_bucket.h"

void token_bucket_init(token_bucket *tb, double rate, double max_burst, uint64_t now_ns)
{
	tb->rate = rate;
	tb->max_burst = max_burst;
	tb->tokens = max_burst;
	tb->last_ns = now_ns;
	tb->zero_rate_unlimited = true;
}

bool token_bucket_claim(token_bucket *tb, uint64_t now_ns)
{
	if (tb->rate <= 0 && tb->zero_rate_unlimited)
		return true;
	if (now_ns > tb->last_ns) {
		tb->tokens += tb->rate * (double)(now_ns - tb->last_ns) / 1e9;
		if (tb->tokens > tb->max_burst)
			tb->tokens = tb->max_burst;
		tb->last_ns = now_ns;
	}
	if (tb->tokens < 1.0)
		return false;
	tb->tokens -= 1.0;
	return true;
}
