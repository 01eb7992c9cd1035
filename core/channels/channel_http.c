#include "channels/channel_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct channel_http {
	CURL *h;
	struct curl_slist *headers;
	const channel_deadline *deadline; /* of the transfer under way */
} channel_http;

int channel_http_global_init(char *err, size_t errlen)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

void channel_http_global_cleanup(void)
{
	curl_global_cleanup();
}

/* The response body is not used. */
static size_t channel_http_discard(char *ptr, size_t size, size_t nmemb, void *user)
{
	(void)ptr;
	(void)user;
	return size * nmemb;
}

/* Called by libcurl during the transfer: a non-zero return abandons it. */
static int channel_http_progress(void *user, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	channel_http *c = user;
	return c->deadline && channel_deadline_passed(c->deadline);
}

void *channel_http_new(const char *url, const char *user_agent, bool json_output)
{
	channel_http *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->h = curl_easy_init();
	struct curl_slist *h1 = curl_slist_append(NULL, json_output ? "Content-Type: application/json"
								    : "Content-Type: text/plain");
	struct curl_slist *h2 = h1 ? curl_slist_append(h1, "Expect:") : NULL;
	if (!c->h || !h2) {
		curl_slist_free_all(h1);
		if (c->h)
			curl_easy_cleanup(c->h);
		free(c);
		return NULL;
	}
	c->headers = h2;
	/* libcurl copies string options. */
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_USERAGENT, user_agent);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, channel_http_discard);
	curl_easy_setopt(c->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c->h, CURLOPT_XFERINFOFUNCTION, channel_http_progress);
	curl_easy_setopt(c->h, CURLOPT_XFERINFODATA, c);
	return c;
}

static int channel_http_write(void *state, const engine_alert *a, const channel_deadline *deadline, size_t *lost,
			      char *err, size_t errlen)
{
	(void)lost;
	channel_http *c = state;
	c->deadline = deadline;
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, a->output);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE, (long)strlen(a->output));
	CURLcode rc = curl_easy_perform(c->h);
	/* The body is the alert's: do not let the handle keep a pointer to it. */
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, "");
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "libcurl error: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

static void channel_http_free(void *state)
{
	channel_http *c = state;
	if (!c)
		return;
	curl_easy_cleanup(c->h);
	curl_slist_free_all(c->headers);
	free(c);
}

const channel_ops channel_http_ops = {
	.name = "http",
	.write = channel_http_write,
	.free = channel_http_free,
};
