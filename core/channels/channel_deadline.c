#include "channels/channel_deadline.h"

#include <time.h>

uint64_t channel_deadline_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void channel_deadline_set(channel_deadline *d, uint64_t at_ns)
{
	atomic_store(&d->at_ns, at_ns ? at_ns : 1);
}

bool channel_deadline_passed(const channel_deadline *d)
{
	uint64_t at = atomic_load_explicit(&d->at_ns, memory_order_relaxed);
	return at && channel_deadline_now_ns() >= at;
}
