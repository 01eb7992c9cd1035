#ifndef FAPI_CHANNELS_CHANNEL_HTTP_H
#define FAPI_CHANNELS_CHANNEL_HTTP_H

/* Falco's http_output: every alert POSTed to `url` with libcurl, the body
 * being Falco's message (the JSON alert with json_output, else the text
 * line), with Falco's headers: "Content-Type: application/json" (or
 * "text/plain" without json_output) and the User-Agent `user_agent`
 * (http_output.user_agent, default "falcosecurity/falco"). The response is
 * not looked at, as in Falco; a transfer error fails the alert ("libcurl
 * error: ..."). Unlike Falco, one handle serves the whole run, so the
 * connection is kept alive between alerts, and no "Expect: 100-continue" is
 * sent (a server that does not answer it would cost a second per alert).
 * A transfer under way is abandoned at the drain deadline.
 *
 * channel_http_global_init() must run once, before any thread starts
 * (libcurl's global state is not thread-safe to create). */

#include <stdbool.h>

#include "channels/channel.h"

extern const channel_ops channel_http_ops;

/* libcurl's global initialization. 0, or -1 with err. */
int channel_http_global_init(char *err, size_t errlen);
/* Undoes one successful channel_http_global_init, once every handle is
 * freed. */
void channel_http_global_cleanup(void);

/* The channel's state for channel_http_ops; strings are copied. NULL on
 * ENOMEM or when libcurl cannot make a handle. Freed by
 * channel_http_ops.free. */
void *channel_http_new(const char *url, const char *user_agent, bool json_output);

#endif
