/* Who a call comes from: its gRPC peer string, transport and identity. */

#include <grpc/support/alloc.h>
#include <stdio.h>
#include <string.h>

#include "authz/authz_peers.h"
#include "server/server_internal.h"

/* Copies every value of one auth-context property into the identity. */
static void server_peer_cert(grpc_auth_context *ctx, const char *name, char which, authz_identity *id)
{
	grpc_auth_property_iterator it = grpc_auth_context_find_properties_by_name(ctx, name);
	const grpc_auth_property *p;
	while ((p = grpc_auth_property_iterator_next(&it)))
		authz_identity_add_cert(id, which, p->value, p->value_length);
}

void server_peer_fill(grpc_call *call, server_peer *peer)
{
	peer->owned = grpc_call_get_peer(call);
	peer->pub.address = peer->owned ? peer->owned : "";
	authz_unix_creds creds;
	/* Our unix listener hands accepted fds to gRPC, which names those
	 * connections "fd:N". */
	if (strncmp(peer->pub.address, "unix:", 5) == 0 || strncmp(peer->pub.address, "fd:", 3) == 0) {
		peer->pub.transport = "unix";
		authz_identity_init(&peer->id, "unix");
		if (authz_peers_get(peer->pub.address, &creds)) {
			authz_identity_set_unix(&peer->id, &creds);
			/* "fd:N" means nothing to a handler or a log reader; the
			 * address keeps gRPC's "unix:" form and says who. */
			snprintf(peer->unix_address, sizeof(peer->unix_address), "unix:uid=%u,pid=%d", creds.uid,
				 creds.pid);
			peer->pub.address = peer->unix_address;
		}
		authz_identity_finish(&peer->id);
		return;
	}
	grpc_auth_context *ctx = grpc_call_auth_context(call);
	bool tls = ctx && grpc_auth_context_peer_is_authenticated(ctx);
	peer->pub.transport = tls ? "tcp+mtls" : "tcp+insecure";
	authz_identity_init(&peer->id, peer->pub.transport);
	if (tls) {
		server_peer_cert(ctx, GRPC_X509_SUBJECT_PROPERTY_NAME, 's', &peer->id);
		server_peer_cert(ctx, GRPC_X509_CN_PROPERTY_NAME, 'c', &peer->id);
		server_peer_cert(ctx, GRPC_PEER_DNS_PROPERTY_NAME, 'd', &peer->id);
		server_peer_cert(ctx, GRPC_PEER_URI_PROPERTY_NAME, 'u', &peer->id);
		/* A certificate with no subject string or SAN is still a
		 * verified one. */
		peer->id.has_cert = true;
	}
	if (ctx)
		grpc_auth_context_release(ctx);
	authz_identity_finish(&peer->id);
}

int server_peer_identity(const fapi_peer *peer, fapi_identity *out)
{
	if (!peer)
		return FAPI_EINVAL;
	const server_peer *p = SERVER_CONTAINER_OF(peer, server_peer, pub);
	return authz_identity_export(&p->id, out);
}

const authz_identity *server_peer_authz(const fapi_peer *peer)
{
	return peer ? &SERVER_CONTAINER_OF(peer, server_peer, pub)->id : NULL;
}
