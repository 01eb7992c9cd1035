#ifndef FAPI_CONFIGS_KEY_H
#define FAPI_CONFIGS_KEY_H

/* Replies of the configs module: keys and values as protobuf messages,
 * built from the host's snapshot entries, with every allocation recorded
 * in the reply so that one release frees the whole. */

#include "configs.pb-c.h"
#include "configs_module.h"

typedef struct configs_reply {
	/* The response, first member (release receives its address). */
	union {
		ProtobufCMessage base;
		Falco__Configs__ListResponse list;
		Falco__Configs__GetResponse get;
		Falco__Configs__SetResponse set;
		Falco__Configs__ResetResponse reset;
	} u;
	const configs_module *m;
	fapi_config_snapshot *snap; /* the entries' strings live here */
	void **owned;               /* everything else the response points to */
	size_t nowned, capowned;
} configs_reply;

/* A zeroed reply for m, or NULL (ENOMEM). */
configs_reply *configs_reply_new(const configs_module *m);
/* fapi_unary_result.release: frees the reply and all it owns. */
void configs_reply_release(const ProtobufCMessage *response, void *user);
/* calloc(n, size) owned by the reply; NULL on ENOMEM. */
void *configs_reply_alloc(configs_reply *r, size_t n, size_t size);
/* A copy of s owned by the reply (NULL for NULL or ENOMEM). */
char *configs_reply_strdup(configs_reply *r, const char *s);

/* A value message of `type` from YAML flow text (NULL: absent, then NULL
 * is returned), typed by the key's type ("<redacted>" stays a string).
 * NULL on ENOMEM too. */
Falco__Configs__Value *configs_value_new(configs_reply *r, fapi_config_type type, const char *yaml);
/* The key message of a snapshot entry, its secret value redacted
 * (configs_guard_shown), or NULL on ENOMEM. */
Falco__Configs__Key *configs_key_new(configs_reply *r, const fapi_config_entry *e);
/* The proto's names of the key table's types and reload classes. */
const char *configs_key_type_name(fapi_config_type t);
Falco__Configs__ReloadClass configs_key_reload(fapi_config_reload r);

/* Finds `path` among the snapshot's entries; fills *out (out->size set
 * here). FAPI_OK or FAPI_ENOTFOUND. */
int configs_key_find(const configs_module *m, const fapi_config_snapshot *snap, const char *path,
		     fapi_config_entry *out);

#endif
