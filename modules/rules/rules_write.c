/* One write, whatever it changes: revision check, the next state, the
 * engine's swap, the durable commit, then the reply. Writers are
 * serialised, so the revision a write checks is the one it replaces. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules_module.h"

Falco__Rules__FileInfo *rules_write_file_info(const rules_file *f)
{
	Falco__Rules__FileInfo *fi = malloc(sizeof(*fi));
	if (!fi)
		return NULL;
	falco__rules__file_info__init(fi);
	fi->name = strdup(f->name);
	fi->origin = strdup("api");
	fi->sha256 = strdup(f->sha256);
	if (!fi->name || !fi->origin || !fi->sha256) {
		protobuf_c_message_free_unpacked(&fi->base, NULL);
		return NULL;
	}
	fi->revision = f->revision;
	fi->size = f->len;
	return fi;
}

void rules_write_release(const ProtobufCMessage *response, void *user)
{
	(void)user;
	protobuf_c_message_free_unpacked((ProtobufCMessage *)response, NULL);
}

/* The files whose content or presence differs between a and b. */
static int rules_write_changed(const rules_state *a, const rules_state *b, Falco__Rules__WriteResponse *r)
{
	size_t cap = a->nfiles + b->nfiles;
	if (!cap)
		return 0;
	if (!(r->files = calloc(cap, sizeof(*r->files))))
		return -1;
	for (size_t i = 0; i < b->nfiles; i++) {
		const rules_file *o = rules_state_find(a, b->files[i].name);
		if (o && strcmp(o->sha256, b->files[i].sha256) == 0)
			continue;
		if (!(r->files[r->n_files] = rules_write_file_info(&b->files[i])))
			return -1;
		r->n_files++;
	}
	for (size_t i = 0; i < a->nfiles; i++) {
		if (rules_state_find(b, a->files[i].name))
			continue;
		Falco__Rules__FileInfo *fi = rules_write_file_info(&a->files[i]);
		if (!fi)
			return -1;
		free(fi->origin);
		fi->origin = strdup("removed");
		fi->size = 0;
		r->files[r->n_files++] = fi;
		if (!fi->origin)
			return -1;
	}
	return 0;
}

static void rules_write_fail(fapi_unary_result *res, fapi_status_code code, const char *fmt, const char *arg)
{
	res->status = code;
	snprintf(res->message, sizeof(res->message), fmt, arg);
}

static double rules_write_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

void rules_write_run(rules_module *m, uint64_t if_revision, rules_write_fn fn, const void *request, bool reload,
		     const char *what, fapi_unary_result *res)
{
	char err[FAPI_ERRBUF_SIZE] = "";
	pthread_mutex_lock(&m->write_mu);
	rules_snapshot *cur = rules_module_acquire(m);
	rules_snapshot *next = calloc(1, sizeof(*next));
	fapi_rules_diags *d = NULL;
	Falco__Rules__WriteResponse *r = NULL;
	if (if_revision && if_revision != cur->state.revision) {
		res->status = FAPI_STATUS_ABORTED;
		snprintf(res->message, sizeof(res->message),
			 "the rules set is at revision %" PRIu64 ", not %" PRIu64 " (if_revision): nothing changed",
			 cur->state.revision, if_revision);
		goto out;
	}
	if (!next || rules_state_copy(&next->state, &cur->state) < 0) {
		rules_write_fail(res, FAPI_STATUS_RESOURCE_EXHAUSTED, "%s", "out of memory");
		goto out;
	}
	atomic_init(&next->refs, 1);
	next->state.revision = cur->state.revision + 1;
	fapi_status_code code = fn(m, &cur->state, &next->state, request, res->message, sizeof(res->message));
	if (code != FAPI_STATUS_OK) {
		res->status = code;
		goto out;
	}
	/* Apply first, persist second: a crash in between restarts with the
	 * old state, which is what the caller (who got no reply) must assume. */
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = reload ? m->host->rules_reload(m->ctx, NULL, &d, err, sizeof(err))
			: rules_set_run(m, &next->state, true, &d, err, sizeof(err));
	if (rc == FAPI_OK && reload && m->degraded) {
		/* The host's reload applies the contribution it kept, which
		 * is none while degraded: apply ours. */
		m->host->rules_diags_free(d);
		rc = rules_set_run(m, &next->state, true, &d, err, sizeof(err));
	}
	if (rc == FAPI_EINVAL && d) {
		res->status = FAPI_STATUS_INVALID_ARGUMENT;
		rules_diag_message(d, res->message, sizeof(res->message));
		goto out;
	}
	if (rc != FAPI_OK) {
		rules_write_fail(res, rc == FAPI_EUNSUPPORTED ? FAPI_STATUS_FAILED_PRECONDITION : FAPI_STATUS_INTERNAL,
				 "%s", err);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = rules_store_commit(&m->store, &cur->state, &next->state, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t2);
	if (rc != FAPI_OK) {
		m->host->log(m->ctx, FAPI_LOG_ERROR, "%s not persisted: %s; the previous set is applied again", what,
			     err);
		fapi_rules_diags *d2 = NULL;
		char err2[FAPI_ERRBUF_SIZE];
		if (!m->degraded && rules_set_run(m, &cur->state, true, &d2, err2, sizeof(err2)) != FAPI_OK)
			m->host->log(m->ctx, FAPI_LOG_ERROR, "the previous set does not apply again: %s", err2);
		m->host->rules_diags_free(d2);
		rules_write_fail(res, FAPI_STATUS_INTERNAL, "cannot persist the change, nothing changed: %s", err);
		goto out;
	}
	m->degraded = false;
	if (!(r = malloc(sizeof(*r)))) {
		rules_write_fail(res, FAPI_STATUS_RESOURCE_EXHAUSTED, "%s", "out of memory");
		/* Applied and persisted all the same: publish below. */
	} else {
		falco__rules__write_response__init(r);
		r->revision = next->state.revision;
		if (rules_diag_to_proto(d, true, &r->warnings, &r->n_warnings) < 0 ||
		    rules_write_changed(&cur->state, &next->state, r) < 0) {
			rules_write_release(&r->base, NULL);
			r = NULL;
			rules_write_fail(res, FAPI_STATUS_RESOURCE_EXHAUSTED, "%s", "out of memory");
		}
	}
	if (r) {
		res->response = &r->base;
		res->release = rules_write_release;
		/* An OK call's message reaches no client, but the audit log. */
		snprintf(res->message, sizeof(res->message), "revision %" PRIu64, next->state.revision);
	}
	m->host->log(m->ctx, FAPI_LOG_INFO, "%s: revision %" PRIu64 " (applied in %.1f ms, persisted in %.1f ms)", what,
		     next->state.revision, rules_write_ms(&t0, &t1), rules_write_ms(&t1, &t2));
	rules_module_publish(m, next);
	next = NULL;
out:
	if (d)
		m->host->rules_diags_free(d);
	if (next) {
		rules_state_free(&next->state);
		free(next);
	}
	rules_module_release(cur);
	pthread_mutex_unlock(&m->write_mu);
}
