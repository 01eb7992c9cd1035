/* A module as it was written for ABI 1.1, built against the frozen 1.1
 * headers (tests/modules/abi11): it registers a unary method and
 * subscribes to alerts with a filter and a notify, and its method reports
 * what it read through the 1.1 layouts: the last alert's rule, priority
 * and output field (alert_view), its subscription's counters
 * (alert_sub_stats), the host's version (version_info) and its own entry
 * (module_info). The 1.4 host must hand it the layouts it knows. */

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/fapi.h"
#include "streamtest.pb-c.h"

#if FAPI_ABI_MINOR != 1
#error "abi11_module.c must be built against tests/modules/abi11"
#endif

static const fapi_host *ab_host;
static fapi_module_ctx *ab_ctx;
static fapi_alert_sub *ab_sub;
static atomic_uint ab_notified, ab_filtered;
static pthread_mutex_t ab_mu = PTHREAD_MUTEX_INITIALIZER;
static char ab_last[512];
static uint32_t ab_popped;

/* Skips the rules whose name starts with "skip". */
static bool ab_filter(const fapi_alert_view *a, void *user)
{
	(void)user;
	atomic_fetch_add(&ab_filtered, 1);
	return strncmp(a->rule, "skip", 4) != 0;
}

static void ab_notify(fapi_alert_sub *sub, void *user)
{
	(void)sub;
	(void)user;
	atomic_fetch_add(&ab_notified, 1);
}

static void ab_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result, void *user)
{
	(void)request;
	(void)peer;
	(void)user;
	static _Thread_local Fapi__Test__EchoMsg reply;
	static _Thread_local char text[2048];
	pthread_mutex_lock(&ab_mu);
	fapi_alert *a;
	uint64_t lost = 0;
	while ((a = ab_host->alert_pop(ab_sub, &lost))) {
		fapi_alert_view v;
		ab_host->alert_view(a, &v);
		snprintf(ab_last, sizeof(ab_last), "rule=%s priority=%u seq=%llu tags=%zu field0=%s=%s", v.rule,
			 v.priority, (unsigned long long)v.seq, v.ntags, v.nfields ? v.fields[0].name : "-",
			 v.nfields ? v.fields[0].value : "-");
		ab_host->alert_release(a);
		ab_popped++;
	}
	fapi_alert_sub_stats st;
	ab_host->alert_sub_stats(ab_sub, &st);
	fapi_version_info vi;
	ab_host->version_info(&vi);
	char self[256] = "?";
	for (size_t i = 0; i < ab_host->module_count(ab_ctx); i++) {
		fapi_module_info mi;
		if (ab_host->module_info(ab_ctx, i, &mi) == FAPI_OK && strcmp(mi.name, "abi11") == 0)
			snprintf(self, sizeof(self), "%s/%s/%u.%u", mi.name, mi.version, mi.abi_major, mi.abi_minor);
	}
	snprintf(text, sizeof(text),
		 "%s accepted=%llu delivered=%llu capacity=%zu version=%s host_abi=%u.%u self=%s notified=%s",
		 ab_last, (unsigned long long)st.accepted, (unsigned long long)st.delivered, st.capacity, vi.version,
		 vi.abi_major, vi.abi_minor, self, atomic_load(&ab_notified) ? "yes" : "no");
	fapi__test__echo_msg__init(&reply);
	reply.text = text;
	reply.seq = ab_popped;
	pthread_mutex_unlock(&ab_mu);
	result->response = &reply.base;
}

static int ab_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	ab_host = host;
	ab_ctx = ctx;
	*state = NULL;
	return FAPI_OK;
}

static int ab_register(void *state, char *err, size_t errlen)
{
	(void)state;
	fapi_unary_method m = {
		.path = "/fapi.test.abi11/last",
		.request_type = &fapi__test__echo_msg__descriptor,
		.response_type = &fapi__test__echo_msg__descriptor,
		.handler = ab_handle,
	};
	return ab_host->register_unary(ab_ctx, &m, err, errlen);
}

static int ab_start(void *state, char *err, size_t errlen)
{
	(void)state;
	fapi_alert_sub_opts o = {
		.capacity = 100000,
		.filter = ab_filter,
		.notify = ab_notify,
		.name = "abi11",
	};
	return ab_host->alert_subscribe(ab_ctx, &o, &ab_sub, err, errlen);
}

static void ab_stop(void *state)
{
	(void)state;
	ab_host->alert_unsubscribe(ab_sub);
	ab_sub = NULL;
}

static void ab_destroy(void *state)
{
	(void)state;
}

FAPI_MODULE_DEFINE(.name = "abi11", .version = "1.1.0", .description = "a module built against the ABI 1.1 headers",
		   .init = ab_init, .register_rpcs = ab_register, .start = ab_start, .stop = ab_stop,
		   .destroy = ab_destroy);
