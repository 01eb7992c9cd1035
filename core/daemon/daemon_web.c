/* Falco's webserver, and /metrics named as Falco 0.39+ names its metrics. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config_keys.h"
#include "daemon/daemon_resources.h"
#include "daemon/daemon_web.h"
#include "daemon/rules_ctl.h"
#include "engine/engine.h"
#include "engine/output/bus.h"
#include "engine/rules/rules_priority.h"
#include "http/metrics_text.h"
#include "log/log.h"
#include "losses/losses.h"
#include "server/server_metrics.h"

/* Falco's HELP text for every metric it exports. */
#define DAEMON_WEB_HELP "https://falco.org/docs/metrics/"

static void daemon_web_counter(fapi_metrics_writer *w, const char *name, const char *help, uint64_t v)
{
	metrics_text_family(w, name, FAPI_METRIC_COUNTER, help);
	metrics_text_sample_u64(w, name, NULL, 0, v);
}

static void daemon_web_gauge(fapi_metrics_writer *w, const char *name, const char *help, double v)
{
	metrics_text_family(w, name, FAPI_METRIC_GAUGE, help);
	metrics_text_sample(w, name, NULL, 0, v);
}

/* cpu and memory of this process (daemon_resources: the snapshots' reader too). */
static void daemon_web_resources(fapi_metrics_writer *w)
{
	daemon_resources r;
	daemon_resources_read(&r);
	daemon_web_gauge(w, "falcosecurity_falco_cpu_usage_ratio", DAEMON_WEB_HELP, r.cpu_ratio);
	daemon_web_gauge(w, "falcosecurity_falco_memory_rss_bytes", DAEMON_WEB_HELP, (double)r.rss_bytes);
	daemon_web_gauge(w, "falcosecurity_falco_memory_vsz_bytes", DAEMON_WEB_HELP, (double)r.vsz_bytes);
	daemon_web_gauge(w, "falcosecurity_falco_memory_pss_bytes", DAEMON_WEB_HELP, (double)r.pss_bytes);
}

static void daemon_web_rules(fapi_metrics_writer *w, struct engine *eng)
{
	engine_rule_info *rules = NULL;
	size_t n = 0;
	if (engine_list_rules(eng, &rules, &n, NULL) < 0)
		return;
	bool family = false;
	for (size_t i = 0; i < n; i++) {
		/* Falco lists only rules that matched, priority as its number. */
		if (!rules[i].matches)
			continue;
		if (!family)
			metrics_text_family(w, "falcosecurity_falco_rules_matches_total", FAPI_METRIC_COUNTER,
					    DAEMON_WEB_HELP);
		family = true;
		rules_priority p = 0;
		char prio[8];
		snprintf(prio, sizeof(prio), "%d",
			 rules_priority_from_string(rules[i].priority ? rules[i].priority : "", &p) ? (int)p : 7);
		const char *labels[] = {"priority", prio, "rule_name", rules[i].name, "source", rules[i].source};
		metrics_text_sample_u64(w, "falcosecurity_falco_rules_matches_total", labels, 3, rules[i].matches);
	}
	engine_rule_infos_free(rules, n);
}

typedef struct daemon_web_pass {
	fapi_metrics_writer *w;
	int what; /* 0 depth, 1 delivered, 2 dropped */
	const char *metric;
} daemon_web_pass;

static void daemon_web_sub(const char *name, const bus_sub_stats *st, void *user)
{
	daemon_web_pass *p = user;
	char id[24];
	snprintf(id, sizeof(id), "%llu", (unsigned long long)st->id);
	const char *labels[] = {"subscriber", name, "id", id, "identity", st->identity};
	uint64_t v = p->what == 0 ? st->depth : p->what == 1 ? st->delivered : st->dropped;
	metrics_text_sample_u64(p->w, p->metric, labels, 3, v);
}

static const char *const daemon_web_loss_kinds[FAPI_LOSS_KINDS] = {"kernel", "output_queue", "input_queue",
								   "rate_limit"};

static void daemon_web_loss(const fapi_loss_source *src, void *user)
{
	daemon_web_pass *p = user;
	char id[24];
	snprintf(id, sizeof(id), "%llu", (unsigned long long)src->id);
	const char *labels[] = {"kind", daemon_web_loss_kinds[src->kind], "name", src->name, "id", id};
	metrics_text_sample_u64(p->w, p->metric, labels, 3, p->what == 0 ? src->depth : src->lost);
}

void daemon_web_metrics(strbuf *out, void *user)
{
	daemon_web *dw = user;
	fapi_metrics_writer w = {.out = out};
	const char *version[] = {"version", FAPI_VERSION_STRING};
	metrics_text_family(&w, "falcosecurity_falco_version_info", FAPI_METRIC_GAUGE, DAEMON_WEB_HELP);
	metrics_text_sample(&w, "falcosecurity_falco_version_info", version, 1, 1);
	metrics_text_family(&w, "falcosecurity_falco_reload_timestamp_nanoseconds", FAPI_METRIC_GAUGE, DAEMON_WEB_HELP);
	metrics_text_sample_u64(&w, "falcosecurity_falco_reload_timestamp_nanoseconds", NULL, 0,
				dw->rules ? rules_ctl_reload_ns(dw->rules) : dw->start_ns);
	daemon_web_resources(&w);
	if (dw->engine) {
		backend_drops k = {0};
		bool ebpf = false;
		engine_get_kernel_losses(dw->engine, &k, &ebpf);
		daemon_web_counter(&w, "falcosecurity_scap_n_evts_total", DAEMON_WEB_HELP, k.n_evts);
		daemon_web_counter(&w, "falcosecurity_scap_n_drops_total", DAEMON_WEB_HELP, k.n_drops);
		daemon_web_counter(&w, "falcosecurity_scap_n_drops_buffer_total", DAEMON_WEB_HELP, k.n_drops_buffer);
		daemon_web_counter(&w, "falcosecurity_scap_n_drops_scratch_map_total", DAEMON_WEB_HELP,
				   k.n_drops_scratch_map);
		daemon_web_counter(&w, "falcosecurity_scap_n_drops_page_faults_total", DAEMON_WEB_HELP, k.n_drops_pf);
		daemon_web_counter(&w, "falcosecurity_scap_n_drops_bug_total", DAEMON_WEB_HELP, k.n_drops_bug);
		daemon_web_counter(&w, "falcosecurity_scap_n_preemptions_total", DAEMON_WEB_HELP, k.n_preemptions);
		engine_stats es;
		engine_get_stats(dw->engine, &es);
		daemon_web_counter(&w, "falcosecurity_apid_engine_events_total",
				   "events the engine evaluated (every source)", es.events);
		daemon_web_counter(&w, "falcosecurity_apid_rate_limited_alerts_total",
				   "matches not output because of outputs.rate / outputs.max_burst", es.rate_limited);
		daemon_web_rules(&w, dw->engine);
	}
	if (dw->bus) {
		bus_totals t;
		bus_stats(dw->bus, &t);
		daemon_web_counter(&w, "falcosecurity_falco_outputs_queue_num_drops_total", DAEMON_WEB_HELP, t.dropped);
		static const struct {
			const char *name, *help;
			fapi_metric_type type;
		} subs[] = {
			{"falcosecurity_apid_subscriber_queue_depth", "alerts queued for a subscriber now", FAPI_METRIC_GAUGE},
			{"falcosecurity_apid_subscriber_delivered_total", "alerts delivered to a subscriber", FAPI_METRIC_COUNTER},
			{"falcosecurity_apid_subscriber_dropped_total", "alerts a subscriber's full queue dropped",
			 FAPI_METRIC_COUNTER},
		};
		for (int i = 0; i < 3; i++) {
			daemon_web_pass p = {.w = &w, .what = i, .metric = subs[i].name};
			metrics_text_family(&w, subs[i].name, subs[i].type, subs[i].help);
			bus_foreach_subscriber(dw->bus, daemon_web_sub, &p);
		}
	}
	losses_where where = {.engine = dw->engine, .bus = dw->bus, .inputs = dw->mods ? dw->mods->loss_inputs : NULL};
	daemon_web_pass p = {.w = &w, .what = 1, .metric = "falcosecurity_apid_losses_total"};
	metrics_text_family(&w, p.metric, FAPI_METRIC_COUNTER, "what each source of losses (core/losses) lost");
	losses_foreach(&where, FAPI_LOSS_ALL, daemon_web_loss, &p);
	p = (daemon_web_pass){.w = &w, .what = 0, .metric = "falcosecurity_apid_loss_queue_depth"};
	metrics_text_family(&w, p.metric, FAPI_METRIC_GAUGE, "entries waiting now in each queue that can lose");
	losses_foreach(&where, FAPI_LOSS_BIT(FAPI_LOSS_OUTPUT_QUEUE) | FAPI_LOSS_BIT(FAPI_LOSS_INPUT_QUEUE),
		       daemon_web_loss, &p);
	if (dw->grpc)
		server_metrics_write(dw->grpc, &w);
	if (dw->mods)
		for (size_t i = 0; i < dw->mods->http.ncollectors; i++)
			dw->mods->http.collectors[i].collect(&w, dw->mods->http.collectors[i].user);
}

int daemon_web_start(daemon_web *w, const config_node *root, char *err, size_t errlen)
{
	bool enabled = false, tls = false;
	int64_t port = 0, threads = 0, conns = 0, body = 0;
	const char *addr = NULL, *pem = NULL;
	if (config_key_bool(root, "webserver.enabled", &enabled, err, errlen) < 0)
		return -1;
	if (!enabled)
		return 0;
	if (config_key_int(root, "webserver.listen_port", &port, err, errlen) < 0 ||
	    config_key_string(root, "webserver.listen_address", &addr, err, errlen) < 0 ||
	    config_key_bool(root, "webserver.ssl_enabled", &tls, err, errlen) < 0 ||
	    config_key_string(root, "webserver.ssl_certificate", &pem, err, errlen) < 0 ||
	    config_key_int(root, "webserver.threads", &threads, err, errlen) < 0 ||
	    config_key_int(root, "webserver.max_connections", &conns, err, errlen) < 0 ||
	    config_key_int(root, "webserver.max_body_bytes", &body, err, errlen) < 0)
		return -1;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	w->start_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	http_server_opts o = {
		.address = addr,
		.port = (uint16_t)port,
		.threads = (unsigned)threads,
		.max_connections = (unsigned)conns,
		.max_body = (uint64_t)body,
		.tls_pem = tls ? pem : NULL,
		.routes = w->mods ? &w->mods->http : NULL,
		.metrics = daemon_web_metrics,
		.metrics_user = w,
	};
	static const http_routes none = {0};
	if (!o.routes)
		o.routes = &none;
	w->srv = http_server_start(&o, err, errlen);
	if (!w->srv)
		return -1;
	log_msg(FAPI_LOG_INFO, "webserver", "webserver listening on %s%s%s:%u (%s)", strchr(addr, ':') ? "[" : "",
		addr, strchr(addr, ':') ? "]" : "", http_server_port(w->srv), tls ? "https" : "http");
	return 0;
}

void daemon_web_stop(daemon_web *w)
{
	http_server_stop(w->srv);
	w->srv = NULL;
}
