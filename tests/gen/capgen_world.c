/*
 * The process model: threads seeded before the capture starts (written into
 * the file's thread and fd tables) and their state as the capture goes on,
 * plus the plumbing every emitter uses (clock, CPU, event begin/emit).
 *
 * The kernel driver reports, in clone and execve exit events, the whole state
 * of the calling process (exe, args, cwd, comm, cgroups, uid, vtid...), and
 * sinsp rebuilds its thread table from those. So the generator keeps the same
 * state per thread; the emitters (capgen_sys.c) fill parameters from it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capgen.h"

/* ---- model ---- */

bool capgen_world_init(capgen_world *w, uint64_t step_ns)
{
	memset(w, 0, sizeof(*w));
	capgen_evt_init(&w->evt);
	w->ts = CAPGEN_EPOCH_NS;
	w->step = step_ns ? step_ns : 1000;
	if(!capgen_scap_open(&w->out)) {
		snprintf(w->err, sizeof(w->err), "%s", w->out.err);
		return false;
	}
	return true;
}

void capgen_world_fini(capgen_world *w)
{
	capgen_scap_close(&w->out);
	capgen_evt_fini(&w->evt);
	free(w->procs);
	w->procs = NULL;
	w->nprocs = w->capprocs = 0;
}

capgen_proc *capgen_world_proc(capgen_world *w, int64_t tid)
{
	/* Linear scan from the end: recent threads are the ones used most, and
	 * scenarios have at most a few thousand threads. */
	for(size_t i = w->nprocs; i > 0; i--) {
		if(w->procs[i - 1].tid == tid && w->procs[i - 1].alive)
			return &w->procs[i - 1];
	}
	return NULL;
}

static capgen_proc *capgen_world_new_proc(capgen_world *w)
{
	if(w->nprocs == w->capprocs) {
		size_t ncap = w->capprocs ? w->capprocs * 2 : 64;
		capgen_proc *np = realloc(w->procs, ncap * sizeof(*np));
		if(np == NULL) {
			snprintf(w->err, sizeof(w->err), "out of memory (threads)");
			return NULL;
		}
		w->procs = np;
		w->capprocs = ncap;
	}
	capgen_proc *p = &w->procs[w->nprocs++];
	memset(p, 0, sizeof(*p));
	p->alive = true;
	return p;
}

/* Appends s and its NUL to a NUL-separated list; false if it does not fit. */
static bool capgen_world_append(char *buf, uint16_t *len, size_t cap, const char *s)
{
	size_t n = strlen(s) + 1;
	if(*len + n > cap)
		return false;
	memcpy(buf + *len, s, n);
	*len = (uint16_t)(*len + n);
	return true;
}

static bool capgen_world_set_args(capgen_world *w, capgen_proc *p, const char *const *argv)
{
	p->args_len = 0;
	if(argv == NULL || argv[0] == NULL) {
		snprintf(w->err, sizeof(w->err), "empty argv for tid %ld", (long)p->tid);
		return false;
	}
	snprintf(p->exe, sizeof(p->exe), "%s", argv[0]);
	for(size_t i = 1; argv[i] != NULL; i++) {
		if(!capgen_world_append(p->args, &p->args_len, sizeof(p->args), argv[i])) {
			snprintf(w->err, sizeof(w->err), "arguments too long for tid %ld", (long)p->tid);
			return false;
		}
	}
	return true;
}

/* cgroup v1 layout as the driver reports it. Container threads live under
 * /docker/<64 hex>, which sinsp's docker engine turns into container.id (the
 * first 12 characters); host threads get a systemd slice. */
static bool capgen_world_set_cgroups(capgen_world *w, capgen_proc *p, const char *container_id,
				     const char *slice)
{
	static const char *const subsys[] = {"cpuset", "cpu", "cpuacct", "memory", "pids"};
	char path[CAPGEN_STR_MAX];
	char entry[CAPGEN_STR_MAX + 16];

	if(container_id != NULL)
		snprintf(path, sizeof(path), "/docker/%s", container_id);
	else
		snprintf(path, sizeof(path), "%s", slice ? slice : "/");
	p->cgroups_len = 0;
	for(size_t i = 0; i < sizeof(subsys) / sizeof(subsys[0]); i++) {
		snprintf(entry, sizeof(entry), "%s=%s", subsys[i], path);
		if(!capgen_world_append(p->cgroups, &p->cgroups_len, sizeof(p->cgroups), entry)) {
			snprintf(w->err, sizeof(w->err), "cgroups too long for tid %ld", (long)p->tid);
			return false;
		}
	}
	return true;
}

/* The last path component, truncated like the kernel's task comm. */
static void capgen_world_comm_of(char *comm, const char *path)
{
	const char *slash = strrchr(path, '/');
	snprintf(comm, CAPGEN_COMM_MAX, "%s", slash ? slash + 1 : path);
}

bool capgen_world_seed(capgen_world *w, const capgen_seed *s)
{
	if(w->dumping) {
		snprintf(w->err, sizeof(w->err), "seed after capture start");
		return false;
	}
	capgen_proc *p = capgen_world_new_proc(w);
	if(p == NULL)
		return false;
	p->tid = s->tid;
	p->pid = s->pid;
	p->ptid = s->ptid;
	p->sid = s->pid;
	p->vpgid = s->pid;
	p->vtid = s->vtid ? s->vtid : s->tid;
	p->vpid = s->vpid ? s->vpid : s->pid;
	p->uid = s->uid;
	p->gid = s->gid;
	p->loginuid = s->loginuid;
	snprintf(p->comm, sizeof(p->comm), "%s", s->comm);
	snprintf(p->exepath, sizeof(p->exepath), "%s", s->exepath);
	snprintf(p->cwd, sizeof(p->cwd), "%s", s->cwd ? s->cwd : "/");
	if(!capgen_world_set_args(w, p, s->argv))
		return false;
	p->env_len = 0;
	for(size_t i = 0; s->env != NULL && s->env[i] != NULL; i++) {
		if(!capgen_world_append(p->env, &p->env_len, sizeof(p->env), s->env[i])) {
			snprintf(w->err, sizeof(w->err), "environment too long for tid %ld", (long)p->tid);
			return false;
		}
	}
	if(!capgen_world_set_cgroups(w, p, s->container_id, s->user_slice))
		return false;

	/* scap_threadinfo is ~15 KB: keep it off the stack. */
	scap_threadinfo *ti = calloc(1, sizeof(*ti));
	if(ti == NULL) {
		snprintf(w->err, sizeof(w->err), "out of memory (threadinfo)");
		return false;
	}
	ti->tid = (uint64_t)p->tid;
	ti->pid = (uint64_t)p->pid;
	ti->ptid = (uint64_t)p->ptid;
	ti->sid = (uint64_t)p->sid;
	ti->vpgid = (uint64_t)p->vpgid;
	snprintf(ti->comm, sizeof(ti->comm), "%s", p->comm);
	snprintf(ti->exe, sizeof(ti->exe), "%s", p->exe);
	snprintf(ti->exepath, sizeof(ti->exepath), "%s", p->exepath);
	memcpy(ti->args, p->args, p->args_len);
	ti->args_len = p->args_len;
	memcpy(ti->env, p->env, p->env_len);
	ti->env_len = p->env_len;
	snprintf(ti->cwd, sizeof(ti->cwd), "%s", p->cwd);
	ti->fdlimit = CAPGEN_FDLIMIT;
	/* Same flags the /proc scan gives secondary threads, so sinsp shares
	 * the main thread's fd table with them. */
	ti->flags = p->tid == p->pid ? 0 : PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES;
	ti->uid = p->uid;
	ti->gid = p->gid;
	ti->vmsize_kb = CAPGEN_VM_SIZE_KB;
	ti->vmrss_kb = CAPGEN_VM_RSS_KB;
	ti->vtid = p->vtid;
	ti->vpid = p->vpid;
	memcpy(ti->cgroups, p->cgroups, p->cgroups_len);
	ti->cgroups_len = p->cgroups_len;
	snprintf(ti->root, sizeof(ti->root), "/");
	ti->loginuid = p->loginuid;
	bool ok = capgen_scap_add_thread(&w->out, ti, &p->seeded);
	free(ti);
	if(!ok)
		snprintf(w->err, sizeof(w->err), "%s", w->out.err);
	return ok;
}

capgen_proc *capgen_world_fork(capgen_world *w, int64_t tid, int64_t child, int64_t child_vtid,
			       uint32_t flags)
{
	if(capgen_world_need(w, tid) == NULL)
		return NULL;
	if(capgen_world_proc(w, child) != NULL) {
		snprintf(w->err, sizeof(w->err), "clone: tid %ld already exists", (long)child);
		return NULL;
	}
	capgen_proc *c = capgen_world_new_proc(w);
	if(c == NULL)
		return NULL;
	/* new_proc may have moved the array; c is zeroed so it cannot match. */
	const capgen_proc *parent = capgen_world_proc(w, tid);
	*c = *parent;
	bool thread = (flags & PPM_CL_CLONE_THREAD) != 0;
	bool in_ns = parent->vtid != parent->tid;
	c->tid = child;
	c->pid = thread ? parent->pid : child;
	c->ptid = thread ? parent->ptid : parent->tid;
	c->vtid = in_ns ? child_vtid : child;
	c->vpid = thread ? parent->vpid : c->vtid;
	c->alive = true;
	c->seeded = NULL;
	return c;
}

bool capgen_world_exec(capgen_world *w, capgen_proc *p, const char *path, const char *const *argv)
{
	if(!capgen_world_set_args(w, p, argv))
		return false;
	capgen_world_comm_of(p->comm, path);
	snprintf(p->exepath, sizeof(p->exepath), "%s", path);
	return true;
}

bool capgen_world_ip(capgen_world *w, const char *s, uint32_t *ip)
{
	if(inet_pton(AF_INET, s, ip) != 1) {
		snprintf(w->err, sizeof(w->err), "bad IPv4 address '%s'", s);
		return false;
	}
	return true;
}

static bool capgen_world_add_fd(capgen_world *w, int64_t tid, scap_fdinfo *f)
{
	if(w->dumping) {
		snprintf(w->err, sizeof(w->err), "seed after capture start");
		return false;
	}
	capgen_proc *p = capgen_world_proc(w, tid);
	if(p == NULL || p->seeded == NULL) {
		snprintf(w->err, sizeof(w->err), "fd %ld for unknown thread %ld", (long)f->fd, (long)tid);
		return false;
	}
	bool ok = capgen_scap_add_fd(&w->out, p->seeded, f);
	if(!ok)
		snprintf(w->err, sizeof(w->err), "%s", w->out.err);
	return ok;
}

bool capgen_world_seed_file(capgen_world *w, int64_t tid, int64_t fd,
			    const char *path, uint32_t ppm_flags)
{
	scap_fdinfo f;
	memset(&f, 0, sizeof(f));
	f.fd = fd;
	/* Deterministic fake inode, distinct per (tid, fd). */
	f.ino = (uint64_t)(tid * 1000 + fd);
	f.type = SCAP_FD_FILE_V2;
	f.info.regularinfo.open_flags = ppm_flags;
	snprintf(f.info.regularinfo.fname, sizeof(f.info.regularinfo.fname), "%s", path);
	return capgen_world_add_fd(w, tid, &f);
}

bool capgen_world_seed_tcp(capgen_world *w, int64_t tid, int64_t fd,
			   const char *sip, uint16_t sport, const char *dip, uint16_t dport)
{
	scap_fdinfo f;
	memset(&f, 0, sizeof(f));
	f.fd = fd;
	f.ino = (uint64_t)(tid * 1000 + fd);
	f.type = SCAP_FD_IPV4_SOCK;
	if(!capgen_world_ip(w, sip, &f.info.ipv4info.sip) ||
	   !capgen_world_ip(w, dip, &f.info.ipv4info.dip))
		return false;
	f.info.ipv4info.sport = sport;
	f.info.ipv4info.dport = dport;
	f.info.ipv4info.l4proto = SCAP_L4_TCP;
	return capgen_world_add_fd(w, tid, &f);
}

bool capgen_world_seed_listen(capgen_world *w, int64_t tid, int64_t fd,
			      const char *ip, uint16_t port)
{
	scap_fdinfo f;
	memset(&f, 0, sizeof(f));
	f.fd = fd;
	f.ino = (uint64_t)(tid * 1000 + fd);
	f.type = SCAP_FD_IPV4_SERVSOCK;
	if(!capgen_world_ip(w, ip, &f.info.ipv4serverinfo.ip))
		return false;
	f.info.ipv4serverinfo.port = port;
	f.info.ipv4serverinfo.l4proto = SCAP_L4_TCP;
	return capgen_world_add_fd(w, tid, &f);
}

bool capgen_world_start(capgen_world *w, const char *path)
{
	if(!capgen_scap_dump_open(&w->out, path)) {
		snprintf(w->err, sizeof(w->err), "%s", w->out.err);
		return false;
	}
	w->dumping = true;
	return true;
}

/* ---- event plumbing ---- */

bool capgen_world_begin(capgen_world *w, uint16_t type, int64_t tid)
{
	if(!w->dumping) {
		snprintf(w->err, sizeof(w->err), "event before capture start");
		return false;
	}
	if(!capgen_evt_begin(&w->evt, type, w->ts, (uint64_t)tid)) {
		snprintf(w->err, sizeof(w->err), "%s", w->evt.err);
		return false;
	}
	return true;
}

bool capgen_world_emit(capgen_world *w, int64_t tid)
{
	scap_evt *ev = capgen_evt_end(&w->evt);
	if(ev == NULL) {
		snprintf(w->err, sizeof(w->err), "%s", w->evt.err);
		return false;
	}
	uint16_t cpu = tid < 0 ? 0 : (uint16_t)(tid % CAPGEN_NCPUS);
	if(!capgen_scap_dump(&w->out, ev, cpu)) {
		snprintf(w->err, sizeof(w->err), "%s", w->out.err);
		return false;
	}
	w->ts += w->step;
	w->nevents++;
	return true;
}

capgen_proc *capgen_world_need(capgen_world *w, int64_t tid)
{
	capgen_proc *p = capgen_world_proc(w, tid);
	if(p == NULL)
		snprintf(w->err, sizeof(w->err), "unknown thread %ld", (long)tid);
	return p;
}

/* Size of the data the driver copies for a buffer of n bytes. */
size_t capgen_world_snap(int64_t res, size_t avail)
{
	if(res <= 0)
		return 0;
	size_t n = (size_t)res < avail ? (size_t)res : avail;
	return n < CAPGEN_SNAPLEN ? n : CAPGEN_SNAPLEN;
}
