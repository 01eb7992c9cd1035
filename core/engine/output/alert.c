#include "engine/output/alert.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/rules/rules_priority.h"

struct alert_home {
	atomic_bool taken;      /* a thread is (or is becoming) its owner */
	atomic_bool open;       /* owned: its owner frees what releasers push */
	_Atomic(engine_alert *) dead; /* released elsewhere, to free */
	atomic_size_t ndead;
};

/* Static: an alert may outlive its builder's thread, so its home must too. */
#define ALERT_HOMES 8
static alert_home alert_homes[ALERT_HOMES];
static _Thread_local alert_home *alert_my_home;

static void alert_home_reap(alert_home *h)
{
	/* seq_cst, as the push's CAS and the loads of `open`: a leave (store
	 * open, then reap) and a push (CAS, then load open) must not both miss
	 * each other. */
	engine_alert *a = atomic_exchange(&h->dead, NULL);
	size_t n = 0;
	while (a) {
		engine_alert *next = a->next_dead;
		free(a);
		a = next;
		n++;
	}
	if (n)
		atomic_fetch_sub_explicit(&h->ndead, n, memory_order_relaxed);
}

void alert_home_enter(void)
{
	if (alert_my_home)
		return;
	for (size_t i = 0; i < ALERT_HOMES; i++) {
		bool no = false;
		if (atomic_compare_exchange_strong(&alert_homes[i].taken, &no, true)) {
			alert_my_home = &alert_homes[i];
			atomic_store(&alert_my_home->open, true);
			return;
		}
	}
}

void alert_home_leave(void)
{
	alert_home *h = alert_my_home;
	if (!h)
		return;
	/* Closed before the last reap: a releaser that pushes after it sees
	 * the home closed and reaps itself, so nothing stays on the list. */
	atomic_store(&h->open, false);
	alert_home_reap(h);
	alert_my_home = NULL;
	atomic_store(&h->taken, false);
}

void alert_home_tidy(void)
{
	alert_home *h = alert_my_home;
	if (h && atomic_load_explicit(&h->dead, memory_order_relaxed))
		alert_home_reap(h);
}

size_t alert_home_waiting(void)
{
	return alert_my_home ? atomic_load(&alert_my_home->ndead) : 0;
}

static void alert_home_defer(alert_home *h, engine_alert *a)
{
	engine_alert *head = atomic_load_explicit(&h->dead, memory_order_relaxed);
	do
		a->next_dead = head;
	while (!atomic_compare_exchange_weak_explicit(&h->dead, &head, a, memory_order_seq_cst,
						      memory_order_relaxed));
	size_t n = atomic_fetch_add_explicit(&h->ndead, 1, memory_order_relaxed) + 1;
	if (n > ALERT_HOME_MAX_DEAD || !atomic_load(&h->open))
		alert_home_reap(h);
}

static size_t alert_strlen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copies s to the bump pointer *p; returns the copy (NULL for NULL). */
static const char *alert_put(char **p, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	memcpy(*p, s, n);
	const char *r = *p;
	*p += n;
	return r;
}

engine_alert *alert_new(const alert_spec *spec)
{
	size_t strings = alert_strlen(spec->rule) + alert_strlen(spec->source) + alert_strlen(spec->hostname) +
			 alert_strlen(spec->text) + alert_strlen(spec->json) +
			 alert_strlen(spec->fields_json);
	for (size_t i = 0; i < spec->ntags; i++)
		strings += alert_strlen(spec->tags[i]);
	for (size_t i = 0; i < spec->nfields; i++)
		strings += alert_strlen(spec->fields[i].name) + alert_strlen(spec->fields[i].value);
	size_t size = sizeof(engine_alert) + spec->ntags * sizeof(char *) + spec->nfields * sizeof(alert_field) +
		      strings;
	alert_home_tidy();
	engine_alert *a = malloc(size);
	if (!a)
		return NULL;
	a->home = alert_my_home;
	a->next_dead = NULL;
	const char **tags = (const char **)(a + 1);
	alert_field *fields = (alert_field *)(tags + spec->ntags);
	char *p = (char *)(fields + spec->nfields);
	atomic_init(&a->refs, 1);
	a->bytes = size;
	a->seq = spec->seq;
	a->time_ns = spec->time_ns;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	a->created_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	a->priority = spec->priority;
	a->rule = alert_put(&p, spec->rule);
	a->source = alert_put(&p, spec->source);
	a->hostname = alert_put(&p, spec->hostname);
	a->text = alert_put(&p, spec->text);
	a->json = alert_put(&p, spec->json);
	a->output = a->json ? a->json : a->text;
	a->fields_json = alert_put(&p, spec->fields_json);
	for (size_t i = 0; i < spec->ntags; i++)
		tags[i] = alert_put(&p, spec->tags[i]);
	for (size_t i = 0; i < spec->nfields; i++) {
		fields[i].name = alert_put(&p, spec->fields[i].name);
		fields[i].value = alert_put(&p, spec->fields[i].value);
	}
	a->tags = tags;
	a->ntags = spec->ntags;
	a->fields = fields;
	a->nfields = spec->nfields;
	return a;
}

engine_alert *alert_ref(engine_alert *a)
{
	atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
	return a;
}

void alert_unref(engine_alert *a)
{
	if (!a || atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (!a->home || a->home == alert_my_home)
		free(a);
	else
		alert_home_defer(a->home, a);
}

const char *alert_priority_name(int priority)
{
	return rules_priority_name((rules_priority)priority);
}
