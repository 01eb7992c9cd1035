/* The host side of engine access (fapi/engine.h): module subscriptions are
 * bus subscribers, alerts are the engine's, read through views. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/output/alert.h"
#include "engine/output/bus.h"
#include "modules/host_alerts.h"
#include "modules/host_legacy.h"
#include "modules/host_struct.h"

struct fapi_alert_sub {
	bus_subscriber *bs;
	fapi_alert_sub_opts opts; /* as this host knows them */
	/* A module of ABI 1.1-1.3: its filter takes the frozen view. */
	bool (*filter_v13)(const fapi_v13_alert_view *alert, void *user);
};

static void host_alert_view_full(const fapi_alert *alert, fapi_alert_view *v)
{
	const engine_alert *a = (const engine_alert *)alert;
	*v = (fapi_alert_view){
		.size = sizeof(*v),
		.seq = a->seq,
		.time_ns = a->time_ns,
		.created_ns = a->created_ns,
		.priority = (uint32_t)a->priority,
		.rule = a->rule,
		.source = a->source,
		.hostname = a->hostname,
		.output = a->output,
		.text = a->text,
		.fields_json = a->fields_json,
		.tags = a->tags,
		.ntags = a->ntags,
		/* alert_field and fapi_alert_field are both {name, value} */
		.fields = (const fapi_alert_field *)(const void *)a->fields,
		.nfields = a->nfields,
	};
}

void host_alert_view(const fapi_alert *alert, fapi_alert_view *out)
{
	fapi_alert_view v;
	host_alert_view_full(alert, &v);
	host_struct_fill(out, &v, sizeof(v), HOST_SIZE_14_ALERT_VIEW);
}

void host_alert_view_v13(const fapi_alert *alert, fapi_v13_alert_view *out)
{
	fapi_alert_view v;
	host_alert_view_full(alert, &v);
	*out = (fapi_v13_alert_view){
		.seq = v.seq,
		.time_ns = v.time_ns,
		.created_ns = v.created_ns,
		.priority = v.priority,
		.rule = v.rule,
		.source = v.source,
		.hostname = v.hostname,
		.output = v.output,
		.text = v.text,
		.fields_json = v.fields_json,
		.tags = v.tags,
		.ntags = v.ntags,
		.fields = v.fields,
		.nfields = v.nfields,
	};
}

static bool host_alerts_filter(const engine_alert *a, void *user)
{
	fapi_alert_sub *s = user;
	if (s->filter_v13) {
		fapi_v13_alert_view v;
		host_alert_view_v13((const fapi_alert *)a, &v);
		return s->filter_v13(&v, s->opts.user);
	}
	fapi_alert_view v;
	host_alert_view_full((const fapi_alert *)a, &v);
	return s->opts.filter(&v, s->opts.user);
}

static void host_alerts_notify(bus_subscriber *bs, void *user)
{
	(void)bs;
	fapi_alert_sub *s = user;
	s->opts.notify(s, s->opts.user);
}

/* Subscribes with *opts (host layout) and, for a module of ABI 1.1-1.3,
 * its filter of the frozen view. */
static int host_alert_subscribe_known(fapi_module_ctx *ctx, const fapi_alert_sub_opts *opts,
				      bool (*filter_v13)(const fapi_v13_alert_view *, void *), fapi_alert_sub **out,
				      char *err, size_t errlen)
{
	*out = NULL;
	if (!ctx->set->bus) {
		snprintf(err, errlen, "no engine: the daemon runs without rules or event source");
		return FAPI_EUNSUPPORTED;
	}
	if (opts->capacity == 0) {
		snprintf(err, errlen, "capacity must be at least 1");
		return FAPI_EINVAL;
	}
	fapi_alert_sub *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	s->opts = *opts;
	s->opts.name = NULL; /* copied by the bus */
	s->filter_v13 = filter_v13;
	bus_sub_opts bo = {
		.capacity = opts->capacity,
		.max_bytes = opts->max_bytes,
		.filter = opts->filter || filter_v13 ? host_alerts_filter : NULL,
		.notify = opts->notify ? host_alerts_notify : NULL,
		.user = s,
		.name = opts->name,
	};
	if (!(s->bs = bus_subscribe(ctx->set->bus, &bo, err, errlen))) {
		free(s);
		return FAPI_EINVAL;
	}
	*out = s;
	return FAPI_OK;
}

int host_alert_subscribe(fapi_module_ctx *ctx, const fapi_alert_sub_opts *opts, fapi_alert_sub **out, char *err,
			 size_t errlen)
{
	*out = NULL;
	if (!opts || (opts->size && !FAPI_STRUCT_HAS(opts, fapi_alert_sub_opts, capacity))) {
		snprintf(err, errlen, "alert subscription options: NULL, or a size too small (FAPI_ALERT_SUB_OPTS_INIT)");
		return FAPI_EINVAL;
	}
	fapi_alert_sub_opts known;
	host_struct_read(&known, sizeof(known), opts, HOST_SIZE_14_ALERT_SUB_OPTS);
	return host_alert_subscribe_known(ctx, &known, NULL, out, err, errlen);
}

int host_alert_subscribe_v13(fapi_module_ctx *ctx, const fapi_v13_alert_sub_opts *opts, fapi_alert_sub **out,
			     char *err, size_t errlen)
{
	*out = NULL;
	if (!opts) {
		snprintf(err, errlen, "capacity must be at least 1");
		return FAPI_EINVAL;
	}
	fapi_alert_sub_opts known = FAPI_ALERT_SUB_OPTS_INIT;
	known.capacity = opts->capacity;
	known.notify = opts->notify;
	known.user = opts->user;
	known.name = opts->name;
	return host_alert_subscribe_known(ctx, &known, opts->filter, out, err, errlen);
}

void host_alert_unsubscribe(fapi_alert_sub *s)
{
	if (!s)
		return;
	bus_unsubscribe(s->bs);
	free(s);
}

fapi_alert *host_alert_pop(fapi_alert_sub *s, uint64_t *lost)
{
	uint64_t l = 0;
	engine_alert *a = bus_pop(s->bs, &l);
	if (lost)
		*lost = l;
	return (fapi_alert *)a;
}

size_t host_alert_pop_many(fapi_alert_sub *s, fapi_alert **out, size_t max, uint64_t *lost)
{
	uint64_t l = 0;
	size_t n = bus_pop_many(s->bs, (engine_alert **)out, max, &l);
	if (lost)
		*lost = l;
	return n;
}

void host_alert_release(fapi_alert *a)
{
	alert_unref((engine_alert *)a);
}

void host_alert_sub_set_identity(fapi_alert_sub *s, const char *identity)
{
	if (s)
		bus_subscriber_set_identity(s->bs, identity);
}

void host_alert_sub_stats(fapi_alert_sub *s, fapi_alert_sub_stats *out)
{
	bus_sub_stats st;
	bus_subscriber_stats(s->bs, &st);
	fapi_alert_sub_stats full = {
		.size = sizeof(full),
		.accepted = st.accepted,
		.filtered_out = st.filtered_out,
		.delivered = st.delivered,
		.dropped = st.dropped,
		.depth = st.depth,
		.capacity = st.capacity,
		.high_water = st.high_water,
		.bytes = st.bytes,
		.max_bytes = st.max_bytes,
	};
	host_struct_fill(out, &full, sizeof(full), HOST_SIZE_14_ALERT_SUB_STATS);
}
