#include "losses/losses.h"

#include "engine/engine.h"
#include "engine/output/bus.h"
#include "losses/loss_inputs.h"

typedef struct losses_walk {
	fapi_loss_source_fn fn;
	void *user;
} losses_walk;

static void losses_subscriber(const char *name, const bus_sub_stats *st, void *user)
{
	losses_walk *w = user;
	fapi_loss_source s = FAPI_LOSS_SOURCE_INIT;
	s.kind = FAPI_LOSS_OUTPUT_QUEUE;
	s.name = name;
	s.identity = st->identity;
	s.id = st->id;
	s.lost = st->dropped;
	s.depth = st->depth;
	s.capacity = st->capacity;
	w->fn(&s, w->user);
}

static void losses_input(const char *name, uint64_t id, uint64_t lost, uint64_t depth, uint64_t capacity,
			 void *user)
{
	losses_walk *w = user;
	fapi_loss_source s = FAPI_LOSS_SOURCE_INIT;
	s.kind = FAPI_LOSS_INPUT_QUEUE;
	s.name = name;
	s.identity = "";
	s.id = id;
	s.lost = lost;
	s.depth = depth;
	s.capacity = capacity;
	w->fn(&s, w->user);
}

size_t losses_foreach(const losses_where *w, uint32_t kinds, fapi_loss_source_fn fn, void *user)
{
	size_t n = 0;
	losses_walk walk = {fn, user};
	if (w->engine && (kinds & FAPI_LOSS_BIT(FAPI_LOSS_KERNEL))) {
		backend_drops d;
		bool ebpf = false;
		engine_get_kernel_losses(w->engine, &d, &ebpf);
		fapi_loss_source s = FAPI_LOSS_SOURCE_INIT;
		s.kind = FAPI_LOSS_KERNEL;
		s.name = "syscall";
		s.identity = "";
		s.lost = d.n_drops;
		s.n_evts = d.n_evts;
		s.n_drops = d.n_drops;
		s.n_drops_buffer = d.n_drops_buffer;
		s.n_drops_scratch_map = d.n_drops_scratch_map;
		s.n_drops_pf = d.n_drops_pf;
		s.n_drops_bug = d.n_drops_bug;
		s.n_preemptions = d.n_preemptions;
		s.ebpf_enabled = ebpf;
		fn(&s, user);
		n++;
	}
	if (w->bus && (kinds & FAPI_LOSS_BIT(FAPI_LOSS_OUTPUT_QUEUE)))
		n += bus_foreach_subscriber(w->bus, losses_subscriber, &walk);
	if (w->inputs && (kinds & FAPI_LOSS_BIT(FAPI_LOSS_INPUT_QUEUE)))
		n += loss_inputs_foreach(w->inputs, losses_input, &walk);
	if (w->engine && (kinds & FAPI_LOSS_BIT(FAPI_LOSS_RATE_LIMIT))) {
		engine_stats st;
		engine_get_stats(w->engine, &st);
		fapi_loss_source s = FAPI_LOSS_SOURCE_INIT;
		s.kind = FAPI_LOSS_RATE_LIMIT;
		s.name = "outputs.rate";
		s.identity = "";
		s.lost = st.rate_limited;
		fn(&s, user);
		n++;
	}
	return n;
}
