/*
 * The libscap side of the generator.
 *
 * scap_open(SCAP_MODE_NODRIVER) needs no kernel module, but it fills the
 * handle with the host's state: hostname, CPU count and memory (machine info
 * block), network interfaces (getifaddrs), optionally users, and every thread
 * found in /proc. scap_dump_open copies all of that into the file header, and
 * would even rescan /proc unless skip_proc_scan is set. So, once opened, every
 * piece of host state is replaced by fixed synthetic values; this is what makes
 * the output byte-for-byte reproducible and keeps the machine's processes out.
 *
 * libscap has no setters for these tables, so this file (and only this one)
 * reaches into struct scap through scap-int.h, which the -dev package installs.
 * Ownership stays with libscap: tables are malloc'd here and released by
 * scap_close with the same free() calls libscap uses for its own.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capgen.h"

#include <scap-int.h>

/* Interfaces recorded in the capture (sinsp uses them for fd.lip/fd.rip). */
static const struct {
	const char *name;
	const char *addr;
	const char *mask;
	const char *bcast;
} capgen_scap_ifaces[] = {
	{"lo", "127.0.0.1", "255.0.0.0", "0.0.0.0"},
	{"eth0", "192.168.10.5", "255.255.255.0", "192.168.10.255"},
	{"docker0", "172.17.0.1", "255.255.0.0", "172.17.255.255"},
};

/* Users and groups recorded in the capture (user.name, group.name). */
static const struct {
	uint32_t uid, gid;
	const char *name, *home, *shell;
} capgen_scap_users[] = {
	{0, 0, "root", "/root", "/bin/bash"},
	{33, 33, "www-data", "/var/www", "/usr/sbin/nologin"},
	{101, 101, "nginx", "/nonexistent", "/bin/false"},
	{999, 999, "postgres", "/var/lib/postgresql", "/bin/bash"},
	{1000, 1000, "alice", "/home/alice", "/bin/bash"},
	{1001, 1001, "app", "/app", "/usr/sbin/nologin"},
	{65534, 65534, "nobody", "/nonexistent", "/usr/sbin/nologin"},
};

static const struct {
	uint32_t gid;
	const char *name;
} capgen_scap_groups[] = {
	{0, "root"}, {33, "www-data"}, {101, "nginx"}, {999, "postgres"}, {1000, "alice"},
	{1001, "app"}, {65534, "nogroup"},
};

#define CAPGEN_NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void capgen_scap_machine(scap_t *h)
{
	scap_machine_info *mi = &h->m_machine_info;
	memset(mi, 0, sizeof(*mi));
	mi->num_cpus = CAPGEN_NCPUS;
	mi->memory_size_bytes = 8ULL << 30;
	mi->max_pid = 4194304;
	snprintf(mi->hostname, sizeof(mi->hostname), "fapi-capgen-host");
}

static bool capgen_scap_iflist(capgen_out *o)
{
	scap_t *h = o->h;
	size_t n = CAPGEN_NELEMS(capgen_scap_ifaces);
	scap_addrlist *al = calloc(1, sizeof(*al));
	scap_ifinfo_ipv4 *v4 = calloc(n, sizeof(*v4));
	scap_ifinfo_ipv6 *v6 = calloc(1, sizeof(*v6));
	if(al == NULL || v4 == NULL || v6 == NULL) {
		free(al);
		free(v4);
		free(v6);
		snprintf(o->err, sizeof(o->err), "out of memory (interfaces)");
		return false;
	}
	for(size_t i = 0; i < n; i++) {
		v4[i].type = SCAP_II_IPV4;
		inet_pton(AF_INET, capgen_scap_ifaces[i].addr, &v4[i].addr);
		inet_pton(AF_INET, capgen_scap_ifaces[i].mask, &v4[i].netmask);
		inet_pton(AF_INET, capgen_scap_ifaces[i].bcast, &v4[i].bcast);
		snprintf(v4[i].ifname, sizeof(v4[i].ifname), "%s", capgen_scap_ifaces[i].name);
		v4[i].ifnamelen = (uint16_t)strlen(v4[i].ifname);
		/* Same accounting as scap_create_iflist: the on-disk entry omits
		 * the unused part of ifname. */
		al->totlen += sizeof(scap_ifinfo_ipv4) + v4[i].ifnamelen - SCAP_MAX_PATH_SIZE;
	}
	v6[0].type = SCAP_II_IPV6;
	inet_pton(AF_INET6, "::1", v6[0].addr);
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", v6[0].netmask);
	snprintf(v6[0].ifname, sizeof(v6[0].ifname), "lo");
	v6[0].ifnamelen = 2;
	al->totlen += sizeof(scap_ifinfo_ipv6) + v6[0].ifnamelen - SCAP_MAX_PATH_SIZE;
	al->n_v4_addrs = (uint32_t)n;
	al->n_v6_addrs = 1;
	al->v4list = v4;
	al->v6list = v6;

	if(h->m_addrlist != NULL)
		scap_free_iflist(h->m_addrlist);
	h->m_addrlist = al;
	return true;
}

static bool capgen_scap_userlist(capgen_out *o)
{
	scap_t *h = o->h;
	size_t nu = CAPGEN_NELEMS(capgen_scap_users);
	size_t ng = CAPGEN_NELEMS(capgen_scap_groups);
	scap_userlist *ul = calloc(1, sizeof(*ul));
	scap_userinfo *u = calloc(nu, sizeof(*u));
	scap_groupinfo *g = calloc(ng, sizeof(*g));
	if(ul == NULL || u == NULL || g == NULL) {
		free(ul);
		free(u);
		free(g);
		snprintf(o->err, sizeof(o->err), "out of memory (users)");
		return false;
	}
	for(size_t i = 0; i < nu; i++) {
		u[i].uid = capgen_scap_users[i].uid;
		u[i].gid = capgen_scap_users[i].gid;
		snprintf(u[i].name, sizeof(u[i].name), "%s", capgen_scap_users[i].name);
		snprintf(u[i].homedir, sizeof(u[i].homedir), "%s", capgen_scap_users[i].home);
		snprintf(u[i].shell, sizeof(u[i].shell), "%s", capgen_scap_users[i].shell);
	}
	for(size_t i = 0; i < ng; i++) {
		g[i].gid = capgen_scap_groups[i].gid;
		snprintf(g[i].name, sizeof(g[i].name), "%s", capgen_scap_groups[i].name);
	}
	ul->nusers = (uint32_t)nu;
	ul->ngroups = (uint32_t)ng;
	ul->users = u;
	ul->groups = g;
	/* totsavelen is only used by the writer of older formats; the current
	 * writer recomputes lengths. */
	if(h->m_userlist != NULL)
		scap_free_userlist(h->m_userlist);
	h->m_userlist = ul;
	return true;
}

bool capgen_scap_open(capgen_out *o)
{
	scap_open_args args;
	char err[SCAP_LASTERR_SIZE] = "";
	int32_t rc = SCAP_SUCCESS;

	memset(o, 0, sizeof(*o));
	memset(&args, 0, sizeof(args));
	args.mode = SCAP_MODE_NODRIVER;
	/* Users are replaced anyway; do not read the host's /etc/passwd. */
	args.import_users = false;
	o->h = scap_open(args, err, &rc);
	if(o->h == NULL) {
		snprintf(o->err, sizeof(o->err), "scap_open(no driver): %s (rc %d)", err, rc);
		return false;
	}
	/* The /proc scan done by scap_open is thrown away here: only the
	 * synthetic threads added by the scenario are written. */
	scap_proc_free_table(o->h);
	capgen_scap_machine(o->h);
	if(!capgen_scap_iflist(o) || !capgen_scap_userlist(o)) {
		scap_close(o->h);
		o->h = NULL;
		return false;
	}
	return true;
}

bool capgen_scap_add_thread(capgen_out *o, const scap_threadinfo *ti, scap_threadinfo **added)
{
	scap_threadinfo *t = scap_proc_alloc(o->h);
	if(t == NULL) {
		snprintf(o->err, sizeof(o->err), "scap_proc_alloc: %s", scap_getlasterr(o->h));
		return false;
	}
	*t = *ti;
	t->fdlist = NULL;
	memset(&t->hh, 0, sizeof(t->hh));
	if(scap_proc_add(o->h, t->tid, t) != SCAP_SUCCESS) {
		snprintf(o->err, sizeof(o->err), "scap_proc_add: %s", scap_getlasterr(o->h));
		free(t);
		return false;
	}
	*added = t;
	return true;
}

bool capgen_scap_add_fd(capgen_out *o, scap_threadinfo *t, const scap_fdinfo *fdi)
{
	scap_fdinfo *f = malloc(sizeof(*f));
	if(f == NULL) {
		snprintf(o->err, sizeof(o->err), "out of memory (fd)");
		return false;
	}
	*f = *fdi;
	memset(&f->hh, 0, sizeof(f->hh));
	if(scap_fd_add(o->h, t, f->fd, f) != SCAP_SUCCESS) {
		snprintf(o->err, sizeof(o->err), "scap_fd_add: %s", scap_getlasterr(o->h));
		free(f);
		return false;
	}
	return true;
}

bool capgen_scap_dump_open(capgen_out *o, const char *path)
{
	/* skip_proc_scan: otherwise libscap rescans the host's /proc here. */
	o->d = scap_dump_open(o->h, path, SCAP_COMPRESSION_GZIP, true);
	if(o->d == NULL) {
		snprintf(o->err, sizeof(o->err), "scap_dump_open(%s): %s", path, scap_getlasterr(o->h));
		return false;
	}
	return true;
}

bool capgen_scap_dump(capgen_out *o, scap_evt *ev, uint16_t cpu)
{
	if(scap_dump(o->h, o->d, ev, cpu, 0) != SCAP_SUCCESS) {
		snprintf(o->err, sizeof(o->err), "scap_dump: %s", scap_getlasterr(o->h));
		return false;
	}
	return true;
}

void capgen_scap_close(capgen_out *o)
{
	if(o->d != NULL)
		scap_dump_close(o->d);
	if(o->h != NULL)
		scap_close(o->h);
	o->d = NULL;
	o->h = NULL;
}
