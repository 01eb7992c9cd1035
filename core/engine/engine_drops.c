#include "engine/engine_drops.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "fapi/host.h"

int engine_drops_parse_actions(const char *const *names, size_t n, unsigned *out, char *err, size_t errlen)
{
	unsigned a = 0;
	for (size_t i = 0; i < n; i++) {
		const char *act = names[i];
		if (strcmp(act, "ignore") == 0) {
			a |= ENGINE_DROPS_IGNORE;
		} else if (strcmp(act, "log") == 0 || strcmp(act, "alert") == 0) {
			/* Falco checks in list order: "ignore" after "log" passes. */
			if (a & ENGINE_DROPS_IGNORE) {
				snprintf(err, errlen, "syscall event drop action \"%s\" does not make sense with the \"ignore\" action",
					 act);
				return -1;
			}
			a |= act[0] == 'l' ? ENGINE_DROPS_LOG : ENGINE_DROPS_ALERT;
		} else if (strcmp(act, "exit") == 0) {
			a |= ENGINE_DROPS_EXIT;
		} else {
			snprintf(err, errlen,
				 "available actions for syscall event drops are \"ignore\", \"log\", \"alert\", and \"exit\"");
			return -1;
		}
	}
	*out = a ? a : ENGINE_DROPS_IGNORE;
	return 0;
}

void engine_drops_init(engine_drops *d, const engine_drops_opts *o)
{
	memset(d, 0, sizeof(*d));
	d->o = *o;
	/* Falco: simulating drops means every check is an occurrence. */
	if (d->o.simulate)
		d->o.threshold = 0;
	for (size_t i = 0; i < 7; i++)
		atomic_init(&d->total[i], 0);
	atomic_init(&d->occurrences, 0);
	atomic_init(&d->actions, 0);
}

static void engine_drops_log(const engine_drops *d, int level, const char *msg)
{
	if (d->o.log)
		d->o.log(level, msg);
}

static void engine_drops_store(engine_drops *d, const backend_drops *now)
{
	uint64_t v[7] = {now->n_evts,	  now->n_drops + d->simulated, now->n_drops_buffer, now->n_drops_scratch_map,
			 now->n_drops_pf, now->n_drops_bug,	      now->n_preemptions};
	for (size_t i = 0; i < 7; i++)
		atomic_store_explicit(&d->total[i], v[i], memory_order_relaxed);
}

bool engine_drops_check(engine_drops *d, uint64_t ts, const backend_drops *now, engine_drops_notice *n)
{
	static const backend_drops zero = {0};
	if (!now)
		now = &zero;
	d->next_check_ts = ts + 1000000000ull;
	if (d->rebase) {
		d->tb.last_ns = ts;
		d->rebase = false;
	}
	backend_drops *dl = &n->delta;
	/* Unsigned differences, as Falco's: a reopened feed restarts at 0. */
	dl->n_evts = now->n_evts - d->last.n_evts;
	dl->n_drops = now->n_drops - d->last.n_drops;
	dl->n_drops_buffer = now->n_drops_buffer - d->last.n_drops_buffer;
	dl->n_drops_scratch_map = now->n_drops_scratch_map - d->last.n_drops_scratch_map;
	dl->n_drops_pf = now->n_drops_pf - d->last.n_drops_pf;
	dl->n_drops_bug = now->n_drops_bug - d->last.n_drops_bug;
	dl->n_preemptions = now->n_preemptions - d->last.n_preemptions;
	d->last = *now;
	n->act = false;
	if (d->o.simulate) {
		engine_drops_log(d, FAPI_LOG_INFO, "Simulating syscall event drop");
		dl->n_drops++;
		d->simulated++;
	}
	engine_drops_store(d, now);
	if (dl->n_drops == 0)
		return false;
	/* Falco assumes n_evts does not count the dropped events. */
	double ratio = (double)dl->n_drops / (double)(dl->n_drops + dl->n_evts);
	if (!(ratio > d->o.threshold))
		return false;
	uint64_t occ = atomic_load_explicit(&d->occurrences, memory_order_relaxed);
	if (occ == 0) {
		/* Falco's bucket starts full at the wall clock, and the first claim
		 * on an older event time wraps around and fills it: start it full
		 * at this event's time instead, which refills alike from here. */
		token_bucket_init(&d->tb, d->o.rate, d->o.max_burst, ts);
		d->tb.zero_rate_unlimited = false;
	}
	atomic_store_explicit(&d->occurrences, occ + 1, memory_order_relaxed);
	if (token_bucket_claim(&d->tb, ts)) {
		atomic_fetch_add_explicit(&d->actions, 1, memory_order_relaxed);
		n->act = true;
	} else {
		engine_drops_log(d, FAPI_LOG_DEBUG, "Syscall event drop but token bucket depleted, skipping actions");
	}
	return true;
}

void engine_drops_rewind(engine_drops *d)
{
	d->next_check_ts = 0;
	d->rebase = true;
}

void engine_drops_message(const engine_drops_notice *n, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s. %" PRIu64 " system calls dropped in last second.", ENGINE_DROPS_RULE, n->delta.n_drops);
}

void engine_drops_totals(const engine_drops *d, backend_drops *out)
{
	uint64_t v[7];
	for (size_t i = 0; i < 7; i++)
		v[i] = atomic_load_explicit(&((engine_drops *)d)->total[i], memory_order_relaxed);
	*out = (backend_drops){v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
}

void engine_drops_print_stats(const engine_drops *d, FILE *out)
{
	fprintf(out, "Syscall event drop monitoring:\n");
	fprintf(out, "   - event drop detected: %" PRIu64 " occurrences\n",
		atomic_load_explicit(&((engine_drops *)d)->occurrences, memory_order_relaxed));
	fprintf(out, "   - num times actions taken: %" PRIu64 "\n",
		atomic_load_explicit(&((engine_drops *)d)->actions, memory_order_relaxed));
}
