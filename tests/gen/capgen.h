/*
 * fapi-capgen: writes deterministic .scap captures without a kernel driver.
 *
 * Layers, one file each:
 *   capgen_evt.c    encodes one event; parameter widths come from libscap's
 *                   event table (scap_get_event_info_table), never hard-coded.
 *   capgen_scap.c   the libscap side: a no-driver handle whose host state
 *                   (machine info, interfaces, users, /proc threads) is
 *                   replaced by synthetic state, and the dumper.
 *   capgen_world.c  a tiny process model (pid tree, comm, args, cgroups) and
 *                   the clock/CPU/event plumbing.
 *   capgen_sys.c    one emitter per system call, writing enter/exit pairs.
 *   capgen_basic.c  the "basic" scenario (documented in README.md).
 *   capgen_bench.c  the "mix" and "shadow" benchmark scenarios.
 *   capgen.c        command line.
 */
#ifndef FAPI_CAPGEN_H
#define FAPI_CAPGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <scap.h>

/* 2022-03-01T00:00:00Z: every capture starts here, so files are reproducible. */
#define CAPGEN_EPOCH_NS 1646092800000000000ULL
/* The kernel driver copies at most this many bytes of I/O buffers (snaplen). */
#define CAPGEN_SNAPLEN 80
/* Error message buffer size used across the generator. */
#define CAPGEN_ERR_SIZE 512
/* Number of CPUs recorded in the machine info block; events spread over them. */
#define CAPGEN_NCPUS 4

/* ---- capgen_evt.c: table-driven event encoder ---- */

typedef struct capgen_evt {
	uint8_t *buf;                     /* header + length array + data */
	size_t cap;
	size_t len;                       /* bytes used so far */
	const struct ppm_event_info *info; /* row of the event table */
	uint32_t nparams;                 /* from the table */
	uint32_t next;                    /* index of the next parameter */
	size_t lensz;                     /* 2, or 4 for EF_LARGE_PAYLOAD events */
	char err[CAPGEN_ERR_SIZE];        /* first error, sticky until begin */
} capgen_evt;

void capgen_evt_init(capgen_evt *e);
void capgen_evt_fini(capgen_evt *e);
/* Starts an event of the given type; returns false on an unknown type. */
bool capgen_evt_begin(capgen_evt *e, uint16_t type, uint64_t ts, uint64_t tid);
/* Appends a fixed-width parameter: the width is the table's, value truncated. */
void capgen_evt_num(capgen_evt *e, uint64_t v);
/* Appends a NUL-terminated string parameter (the NUL is part of the value). */
void capgen_evt_str(capgen_evt *e, const char *s);
/* Appends a variable-length binary parameter. */
void capgen_evt_bytes(capgen_evt *e, const void *p, size_t n);
/* PT_SOCKADDR for AF_INET: family, address (network order), port. */
void capgen_evt_sockaddr4(capgen_evt *e, uint32_t ip_be, uint16_t port);
/* PT_SOCKTUPLE for AF_INET: family, sip, sport, dip, dport. */
void capgen_evt_socktuple4(capgen_evt *e, uint32_t sip_be, uint16_t sport,
			   uint32_t dip_be, uint16_t dport);
/* Finishes the event; NULL (and e->err set) if any parameter was wrong. */
scap_evt *capgen_evt_end(capgen_evt *e);

/* ---- capgen_scap.c: libscap handle and dumper ---- */

typedef struct capgen_out {
	scap_t *h;
	scap_dumper_t *d;
	char err[CAPGEN_ERR_SIZE];
} capgen_out;

/* Opens libscap in no-driver mode and replaces all host state with
 * synthetic, fixed state (machine, interfaces, users; empty thread table). */
bool capgen_scap_open(capgen_out *o);
/* Adds one thread to the table written at the start of the capture; *added
 * is libscap's copy, to which fds can then be added. */
bool capgen_scap_add_thread(capgen_out *o, const scap_threadinfo *ti, scap_threadinfo **added);
/* Adds one fd to a thread returned by capgen_scap_add_thread. */
bool capgen_scap_add_fd(capgen_out *o, scap_threadinfo *t, const scap_fdinfo *fdi);
/* Writes the file header blocks (machine, interfaces, users, threads, fds). */
bool capgen_scap_dump_open(capgen_out *o, const char *path);
bool capgen_scap_dump(capgen_out *o, scap_evt *ev, uint16_t cpu);
void capgen_scap_close(capgen_out *o);

/* ---- capgen_world.c: process model; capgen_sys.c: system call emitters ---- */

#define CAPGEN_COMM_MAX 16 /* TASK_COMM_LEN, including the NUL */
#define CAPGEN_STR_MAX 256
#define CAPGEN_BUF_MAX 1024

typedef struct capgen_proc {
	int64_t tid, pid, ptid, sid, vpgid, vtid, vpid;
	uint32_t uid, gid;
	int32_t loginuid;
	char comm[CAPGEN_COMM_MAX];
	char exe[CAPGEN_STR_MAX];      /* argv[0] */
	char exepath[CAPGEN_STR_MAX];
	char cwd[CAPGEN_STR_MAX];
	char args[CAPGEN_BUF_MAX];     /* argv[1..], each NUL-terminated */
	uint16_t args_len;
	char env[CAPGEN_BUF_MAX];
	uint16_t env_len;
	char cgroups[CAPGEN_BUF_MAX];  /* "subsys=path\0" entries */
	uint16_t cgroups_len;
	bool alive;
	scap_threadinfo *seeded;       /* libscap's entry for seeded threads */
} capgen_proc;

typedef struct capgen_world {
	capgen_out out;
	capgen_evt evt;
	uint64_t ts;        /* timestamp of the next event */
	uint64_t step;      /* nanoseconds between consecutive events */
	uint64_t nevents;   /* events written so far */
	capgen_proc *procs;
	size_t nprocs, capprocs;
	bool dumping;       /* header written; threads can no longer be seeded */
	char err[CAPGEN_ERR_SIZE];
} capgen_world;

/* Description of a thread that exists when the capture starts. */
typedef struct capgen_seed {
	int64_t tid, pid, ptid;
	int64_t vtid, vpid;          /* 0 means same as tid/pid (host pid ns) */
	uint32_t uid, gid;
	int32_t loginuid;            /* -1 for none */
	const char *comm;
	const char *exepath;
	const char *cwd;
	const char *const *argv;     /* argv[0] is exe; NULL-terminated */
	const char *const *env;      /* NULL-terminated, may be NULL */
	const char *container_id;    /* 64 hex chars, or NULL for the host */
	const char *user_slice;      /* host cgroup path, or NULL for "/" */
} capgen_seed;

bool capgen_world_init(capgen_world *w, uint64_t step_ns);
void capgen_world_fini(capgen_world *w);
capgen_proc *capgen_world_proc(capgen_world *w, int64_t tid);
bool capgen_world_seed(capgen_world *w, const capgen_seed *s);
bool capgen_world_seed_file(capgen_world *w, int64_t tid, int64_t fd,
			    const char *path, uint32_t ppm_flags);
bool capgen_world_seed_tcp(capgen_world *w, int64_t tid, int64_t fd,
			   const char *sip, uint16_t sport, const char *dip, uint16_t dport);
bool capgen_world_seed_listen(capgen_world *w, int64_t tid, int64_t fd,
			      const char *ip, uint16_t port);
bool capgen_world_start(capgen_world *w, const char *path);
/* Model side of clone: a new thread copied from tid (a thread of the same
 * process with PPM_CL_CLONE_THREAD). child_vtid is used when the parent is in
 * a pid namespace. Returns the child, or NULL with w->err set. */
capgen_proc *capgen_world_fork(capgen_world *w, int64_t tid, int64_t child, int64_t child_vtid,
			       uint32_t flags);
/* Model side of a successful execve: new argv, comm (basename of path, cut to
 * 15 bytes like the kernel) and exepath. */
bool capgen_world_exec(capgen_world *w, capgen_proc *p, const char *path, const char *const *argv);

/* Plumbing for the emitters. begin starts an event of the given type for tid;
 * emit finishes it, dumps it on CPU tid % CAPGEN_NCPUS and advances the clock. */
bool capgen_world_begin(capgen_world *w, uint16_t type, int64_t tid);
bool capgen_world_emit(capgen_world *w, int64_t tid);
/* The live thread tid, or NULL with w->err set. */
capgen_proc *capgen_world_need(capgen_world *w, int64_t tid);
/* Dotted IPv4 to network-order address; false with w->err set. */
bool capgen_world_ip(capgen_world *w, const char *s, uint32_t *ip);
/* Bytes of an I/O buffer the driver copies for a call returning res. */
size_t capgen_world_snap(int64_t res, size_t avail);
/* Thread parameters the model does not track, reported as constants. */
#define CAPGEN_FDLIMIT 1024
#define CAPGEN_VM_SIZE_KB 10240
#define CAPGEN_VM_RSS_KB 2048

/* Emitters. They return false on error (w->err set). res is the syscall's
 * return value: an fd/count/0 on success, -errno on failure. */
bool capgen_sys_container(capgen_world *w, const char *json);
bool capgen_sys_clone(capgen_world *w, int64_t tid, int64_t child, int64_t child_vtid,
		      uint16_t evtype, uint32_t flags);
bool capgen_sys_execve(capgen_world *w, int64_t tid, const char *path,
		       const char *const *argv, int64_t res);
bool capgen_sys_procexit(capgen_world *w, int64_t tid, int64_t status);
bool capgen_sys_open(capgen_world *w, int64_t tid, const char *path,
		     uint32_t flags, uint32_t mode, int64_t res);
bool capgen_sys_openat(capgen_world *w, int64_t tid, int64_t dirfd, const char *path,
		       uint32_t flags, uint32_t mode, int64_t res);
bool capgen_sys_read(capgen_world *w, int64_t tid, int64_t fd,
		     const void *data, size_t size, int64_t res);
bool capgen_sys_write(capgen_world *w, int64_t tid, int64_t fd,
		      const void *data, size_t size, int64_t res);
bool capgen_sys_close(capgen_world *w, int64_t tid, int64_t fd, int64_t res);
bool capgen_sys_socket(capgen_world *w, int64_t tid, uint32_t domain, uint32_t type,
		       uint32_t proto, int64_t res);
bool capgen_sys_connect(capgen_world *w, int64_t tid, int64_t fd,
			const char *sip, uint16_t sport, const char *dip, uint16_t dport,
			int64_t res);
bool capgen_sys_accept(capgen_world *w, int64_t tid, bool accept4, int64_t res,
		       const char *cip, uint16_t cport, const char *sip, uint16_t sport);
/* An IPv4 connection as the driver reports it: client (s) -> server (d). */
typedef struct capgen_tuple {
	const char *sip;
	uint16_t sport;
	const char *dip;
	uint16_t dport;
} capgen_tuple;

bool capgen_sys_sendto(capgen_world *w, int64_t tid, int64_t fd, const void *data,
		       size_t size, int64_t res, const capgen_tuple *t);
bool capgen_sys_recvfrom(capgen_world *w, int64_t tid, int64_t fd, const void *data,
			 size_t size, int64_t res, const capgen_tuple *t);
bool capgen_sys_setuid(capgen_world *w, int64_t tid, uint32_t uid, int64_t res);
bool capgen_sys_chdir(capgen_world *w, int64_t tid, const char *path, int64_t res);
bool capgen_sys_stat(capgen_world *w, int64_t tid, const char *path, int64_t res);
bool capgen_sys_mmap(capgen_world *w, int64_t tid, uint64_t len, int64_t fd, uint64_t res);
bool capgen_sys_futex(capgen_world *w, int64_t tid, uint64_t addr, uint16_t op, int64_t res);

/* ---- scenarios ---- */

/* Each writes a whole capture to path; nevents is 0 for the default size. */
bool capgen_basic_run(capgen_world *w, const char *path);
bool capgen_bench_mix(capgen_world *w, const char *path, uint64_t nevents);
bool capgen_bench_shadow(capgen_world *w, const char *path, uint64_t nevents);

#endif
