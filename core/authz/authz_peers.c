#include "authz/authz_peers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct authz_peer_slot {
	bool set;
	authz_unix_creds creds;
} authz_peer_slot;

static pthread_mutex_t authz_peers_mu = PTHREAD_MUTEX_INITIALIZER;
static authz_peer_slot *authz_peers_slots;
static size_t authz_peers_cap;

int authz_peers_set(int fd, const authz_unix_creds *c)
{
	if (fd < 0)
		return -1;
	pthread_mutex_lock(&authz_peers_mu);
	if ((size_t)fd >= authz_peers_cap) {
		size_t cap = authz_peers_cap ? authz_peers_cap : 64;
		while (cap <= (size_t)fd)
			cap *= 2;
		authz_peer_slot *s = realloc(authz_peers_slots, cap * sizeof(*s));
		if (!s) {
			pthread_mutex_unlock(&authz_peers_mu);
			return -1;
		}
		memset(s + authz_peers_cap, 0, (cap - authz_peers_cap) * sizeof(*s));
		authz_peers_slots = s;
		authz_peers_cap = cap;
	}
	authz_peers_slots[fd].set = true;
	authz_peers_slots[fd].creds = *c;
	pthread_mutex_unlock(&authz_peers_mu);
	return 0;
}

bool authz_peers_get(const char *grpc_peer, authz_unix_creds *out)
{
	if (strncmp(grpc_peer, "fd:", 3) != 0)
		return false;
	char *end;
	long fd = strtol(grpc_peer + 3, &end, 10);
	if (end == grpc_peer + 3 || *end || fd < 0)
		return false;
	bool found = false;
	pthread_mutex_lock(&authz_peers_mu);
	if ((size_t)fd < authz_peers_cap && authz_peers_slots[fd].set) {
		*out = authz_peers_slots[fd].creds;
		found = true;
	}
	pthread_mutex_unlock(&authz_peers_mu);
	return found;
}

void authz_peers_free(void)
{
	pthread_mutex_lock(&authz_peers_mu);
	free(authz_peers_slots);
	authz_peers_slots = NULL;
	authz_peers_cap = 0;
	pthread_mutex_unlock(&authz_peers_mu);
}
