/* authz_bench: what the authorisation step costs a call, in CPU time per
 * call, measured in-process so that the figure does not depend on how busy
 * the shared machine is (bench/unary measures the whole call, whose
 * calls/s swing with the load). Per call the server looks up the unix
 * peer's credentials by connection, builds the identity and asks the
 * policy; this bench does exactly that, for the cases the server meets:
 *   unix-root-read    uid 0 calling a read method (decided by the defaults)
 *   unix-member-read  a member of the socket's group calling a read method
 *   unix-denied-write a user with no grant calling a write method: every
 *                     grant is looked at and the denial message composed
 *   tls-granted-write a certificate holder granted write by its SAN (the
 *                     identity has CN, subject, URI and DNS SANs)
 * each with the policy on (6 grants) and off. Prints, per case, the median
 * ns/call of RUNS runs and their min/max. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz/authz_identity.h"
#include "authz/authz_peers.h"
#include "authz/authz_policy.h"
#include "config/config_yaml.h"

#define BENCH_ITERS 200000
#define BENCH_RUNS 7

static const char bench_policy_yaml[] =
	"grpc:\n"
	"  authorization:\n"
	"    enabled: %s\n"
	"    grants:\n"
	"      - {uid: 64001, permissions: [write]}\n"
	"      - {user: nobody-bench, permissions: [write]}\n"
	"      - {gid: 64002, permissions: [write]}\n"
	"      - {group: nogroup-bench, permissions: [write]}\n"
	"      - {cert_cn: bench-writer, permissions: [write]}\n"
	"      - {cert_san: \"spiffe://bench.invalid/writer\", permissions: [write]}\n";

typedef enum bench_case { UNIX_ROOT, UNIX_MEMBER, UNIX_DENIED, TLS_GRANTED, BENCH_NCASES } bench_case;
static const char *const bench_case_names[] = {"unix-root-read", "unix-member-read", "unix-denied-write",
					       "tls-granted-write"};

static double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench_tls_identity(authz_identity *id)
{
	static const char subject[] = "CN=bench-writer,O=bench", cn[] = "bench-writer",
			  uri[] = "spiffe://bench.invalid/writer", dns[] = "writer.bench.invalid";
	authz_identity_init(id, "tcp+mtls");
	authz_identity_add_cert(id, 's', subject, sizeof(subject) - 1);
	authz_identity_add_cert(id, 'c', cn, sizeof(cn) - 1);
	authz_identity_add_cert(id, 'u', uri, sizeof(uri) - 1);
	authz_identity_add_cert(id, 'd', dns, sizeof(dns) - 1);
	authz_identity_finish(id);
}

/* One call's worth of work; returns whether it was allowed. */
static int bench_one(const authz_policy *p, bench_case c, authz_identity *id, char *msg, size_t msglen)
{
	if (c == TLS_GRANTED) {
		bench_tls_identity(id);
		return authz_policy_allows(p, id, "/falco.api.unary/rules_put", FAPI_METHOD_WRITE, NULL, msg, msglen);
	}
	static const char *const peers[] = {"fd:7", "fd:8", "fd:9"};
	authz_unix_creds creds;
	authz_identity_init(id, "unix");
	if (authz_peers_get(peers[c], &creds))
		authz_identity_set_unix(id, &creds);
	authz_identity_finish(id);
	fapi_method_class cls = c == UNIX_DENIED ? FAPI_METHOD_WRITE : FAPI_METHOD_READ;
	return authz_policy_allows(p, id, "/falco.api.unary/version", cls, NULL, msg, msglen);
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int bench_policy(const char *enabled, config_doc *doc, config_node **root, authz_policy *p)
{
	char yaml[1024], err[512];
	snprintf(yaml, sizeof(yaml), bench_policy_yaml, enabled);
	if (config_doc_init(doc) < 0 || config_yaml_parse(doc, "bench.yaml", yaml, strlen(yaml), root, err, sizeof(err)) < 0 ||
	    authz_policy_read(*root, p, err, sizeof(err)) < 0) {
		fprintf(stderr, "authz_bench: %s\n", err);
		return -1;
	}
	return 0;
}

int main(void)
{
	authz_unix_creds root = {.uid = 0, .gid = 0, .pid = 1, .user = "root", .group = "root", .ngroups = 1};
	authz_unix_creds member = {.uid = 1000, .gid = 1000, .pid = 2, .user = "alice", .group = "alice",
				   .in_socket_group = true, .groups = {1000, 121}, .ngroups = 2};
	authz_unix_creds other = {.uid = 1001, .gid = 1001, .pid = 3, .user = "bob", .group = "bob",
				  .groups = {1001}, .ngroups = 1};
	if (authz_peers_set(7, &root) < 0 || authz_peers_set(8, &member) < 0 || authz_peers_set(9, &other) < 0)
		return 1;
	printf("authz: CPU time per call of the identity lookup and the policy decision, %d calls x %d runs\n",
	       BENCH_ITERS, BENCH_RUNS);
	printf("%-18s %-6s %9s %9s %9s %8s\n", "case", "policy", "ns/call", "min", "max", "allowed");
	static const char *const modes[] = {"true", "false"};
	for (int m = 0; m < 2; m++) {
		config_doc doc;
		config_node *tree = NULL;
		authz_policy p;
		if (bench_policy(modes[m], &doc, &tree, &p) < 0)
			return 1;
		for (int c = 0; c < BENCH_NCASES; c++) {
			double ns[BENCH_RUNS];
			int allowed = 0;
			for (int r = 0; r < BENCH_RUNS; r++) {
				static authz_identity id;
				char msg[512];
				allowed = 0;
				double t0 = bench_now();
				for (int i = 0; i < BENCH_ITERS; i++)
					allowed += bench_one(&p, (bench_case)c, &id, msg, sizeof(msg));
				ns[r] = (bench_now() - t0) * 1e9 / BENCH_ITERS;
			}
			qsort(ns, BENCH_RUNS, sizeof(ns[0]), bench_cmp);
			printf("%-18s %-6s %9.1f %9.1f %9.1f %8s\n", bench_case_names[c], m == 0 ? "on" : "off",
			       ns[BENCH_RUNS / 2], ns[0], ns[BENCH_RUNS - 1], allowed == BENCH_ITERS ? "yes" : allowed ? "some" : "no");
		}
		authz_policy_free(&p);
		config_node_free(tree);
		config_doc_free(&doc);
	}
	authz_peers_free();
	return 0;
}
