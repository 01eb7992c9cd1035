/*
 * Benchmark scenarios: "mix" (a realistic blend of system calls over ~300
 * threads) and "shadow" (nothing but failed opens of /etc/shadow).
 *
 * Both count scap events: an enter/exit pair is two events. Every action in
 * "mix" writes an even number of events, so sinsp delivers N rounded up to
 * an even number; the file also holds 3 container metadata events before
 * them, which sinsp consumes as state and does not deliver. "shadow" writes
 * ceil(N/2) openat pairs and nothing else.
 * Choices come from a fixed-seed xorshift generator, so the output is the same
 * on every run and every machine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "capgen.h"

#define CAPGEN_TRY(x)                  \
	do {                           \
		if(!(x))               \
			return false;  \
	} while(0)

#define CAPGEN_BENCH_DEFAULT_EVENTS 1000000ULL
#define CAPGEN_FORK_FLAGS (PPM_CL_CLONE_CHILD_CLEARTID | PPM_CL_CLONE_CHILD_SETTID)

#define CAPGEN_BENCH_APP_ID "2c1d9a8b7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"
#define CAPGEN_BENCH_DB_ID "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"
#define CAPGEN_BENCH_WEB_ID "68d5c0026bb045046d2246dcf5aa32257fdf8cf15a58363938e913af1dca6c88"

/* Population of the "mix" capture. */
#define CAPGEN_MIX_JAVA_PID 4000
#define CAPGEN_MIX_JAVA_THREADS 150
#define CAPGEN_MIX_PG_PID 5000
#define CAPGEN_MIX_PG_BACKENDS 60
#define CAPGEN_MIX_NGINX_PID 2000
#define CAPGEN_MIX_NGINX_WORKERS 16
#define CAPGEN_MIX_DOCKERD_PID 900
#define CAPGEN_MIX_DOCKERD_THREADS 20
#define CAPGEN_MIX_NODE_PID 6000
#define CAPGEN_MIX_NODE_THREADS 12
#define CAPGEN_MIX_CRON_PID 700
#define CAPGEN_MIX_FIRST_SPAWN 10000

typedef struct capgen_bench_rng {
	uint64_t s;
} capgen_bench_rng;

static uint64_t capgen_bench_rng_next(capgen_bench_rng *r)
{
	/* xorshift64*: fast, and good enough to pick actions. */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

static uint32_t capgen_bench_rng_below(capgen_bench_rng *r, uint32_t n)
{
	return (uint32_t)((capgen_bench_rng_next(r) >> 32) % n);
}

/* 4 KiB of printable bytes that reads and writes return. */
static char capgen_bench_data[4096];

static void capgen_bench_fill_data(void)
{
	static const char text[] =
		"2022-03-01T00:00:00Z INFO request handled path=/api/v1/items status=200 ";
	for(size_t i = 0; i < sizeof(capgen_bench_data); i++)
		capgen_bench_data[i] = text[i % (sizeof(text) - 1)];
}

/* ---- shadow ---- */

bool capgen_bench_shadow(capgen_world *w, const char *path, uint64_t nevents)
{
	static const char *const bash_argv[] = {"-bash", NULL};
	const capgen_seed bash = {
		.tid = 1201, .pid = 1201, .ptid = 1, .uid = 1000, .gid = 1000, .loginuid = 1000,
		.comm = "bash", .exepath = "/usr/bin/bash", .cwd = "/home/alice", .argv = bash_argv,
		.user_slice = "/user.slice/user-1000.slice/session-3.scope"};
	static const char *const init_argv[] = {"/sbin/init", NULL};
	const capgen_seed init = {.tid = 1, .pid = 1, .ptid = 0, .loginuid = -1,
				  .comm = "systemd", .exepath = "/usr/lib/systemd/systemd",
				  .argv = init_argv, .user_slice = "/init.scope"};

	if(nevents == 0)
		nevents = CAPGEN_BENCH_DEFAULT_EVENTS;
	CAPGEN_TRY(capgen_world_seed(w, &init));
	CAPGEN_TRY(capgen_world_seed(w, &bash));
	CAPGEN_TRY(capgen_world_start(w, path));
	for(uint64_t i = 0; i < (nevents + 1) / 2; i++)
		CAPGEN_TRY(capgen_sys_openat(w, 1201, PPM_AT_FDCWD, "/etc/shadow",
					     PPM_O_RDONLY | PPM_O_CLOEXEC, 0, -EACCES));
	return true;
}

/* ---- mix: population ---- */

static bool capgen_bench_mix_seed_host(capgen_world *w)
{
	static const char *const init_argv[] = {"/sbin/init", NULL};
	static const char *const cron_argv[] = {"/usr/sbin/cron", "-f", NULL};
	static const char *const dockerd_argv[] = {"/usr/bin/dockerd", "-H", "fd://", NULL};
	static const char *const node_argv[] = {"/usr/bin/node_exporter", "--web.listen-address=:9100",
						NULL};
	static const char *const shim_argv[] = {"/usr/bin/containerd-shim-runc-v2", "-namespace",
						"moby", NULL};
	capgen_seed s = {.tid = 1, .pid = 1, .ptid = 0, .loginuid = -1, .comm = "systemd",
			 .exepath = "/usr/lib/systemd/systemd", .argv = init_argv,
			 .user_slice = "/init.scope"};
	CAPGEN_TRY(capgen_world_seed(w, &s));
	s = (capgen_seed){.tid = CAPGEN_MIX_CRON_PID, .pid = CAPGEN_MIX_CRON_PID, .ptid = 1,
			  .loginuid = -1, .comm = "cron", .exepath = "/usr/sbin/cron",
			  .argv = cron_argv, .user_slice = "/system.slice/cron.service"};
	CAPGEN_TRY(capgen_world_seed(w, &s));
	for(int i = 0; i < 3; i++) {
		s = (capgen_seed){.tid = 950 + i, .pid = 950 + i, .ptid = 1, .loginuid = -1,
				  .comm = "containerd-shim",
				  .exepath = "/usr/bin/containerd-shim-runc-v2", .argv = shim_argv,
				  .user_slice = "/system.slice/containerd.service"};
		CAPGEN_TRY(capgen_world_seed(w, &s));
	}
	for(int i = 0; i < CAPGEN_MIX_DOCKERD_THREADS; i++) {
		s = (capgen_seed){.tid = CAPGEN_MIX_DOCKERD_PID + i, .pid = CAPGEN_MIX_DOCKERD_PID,
				  .ptid = 1, .loginuid = -1, .comm = "dockerd",
				  .exepath = "/usr/bin/dockerd", .argv = dockerd_argv,
				  .user_slice = "/system.slice/docker.service"};
		CAPGEN_TRY(capgen_world_seed(w, &s));
	}
	CAPGEN_TRY(capgen_world_seed_file(w, CAPGEN_MIX_DOCKERD_PID, 3,
					  "/var/lib/docker/containers/" CAPGEN_BENCH_APP_ID "/"
					  CAPGEN_BENCH_APP_ID "-json.log",
					  PPM_O_WRONLY | PPM_O_APPEND));
	for(int i = 0; i < CAPGEN_MIX_NODE_THREADS; i++) {
		s = (capgen_seed){.tid = CAPGEN_MIX_NODE_PID + i, .pid = CAPGEN_MIX_NODE_PID,
				  .ptid = 1, .uid = 65534, .gid = 65534, .loginuid = -1,
				  .comm = "node_exporter", .exepath = "/usr/bin/node_exporter",
				  .argv = node_argv, .user_slice = "/system.slice/node_exporter.service"};
		CAPGEN_TRY(capgen_world_seed(w, &s));
	}
	return true;
}

static bool capgen_bench_mix_seed_containers(capgen_world *w)
{
	static const char *const java_argv[] = {"java", "-Xmx2g", "-jar", "/app/app.jar", NULL};
	static const char *const pg_argv[] = {"postgres", "-D", "/var/lib/postgresql/data", NULL};
	static const char *const nginx_argv[] = {"nginx", "-g", "daemon off;", NULL};
	char path[128];

	for(int i = 0; i < CAPGEN_MIX_JAVA_THREADS; i++) {
		capgen_seed s = {.tid = CAPGEN_MIX_JAVA_PID + i, .pid = CAPGEN_MIX_JAVA_PID,
				 .ptid = 950, .vtid = 1 + i, .vpid = 1, .uid = 1001, .gid = 1001,
				 .loginuid = -1, .comm = "java",
				 .exepath = "/usr/lib/jvm/java-17/bin/java", .cwd = "/app",
				 .argv = java_argv, .container_id = CAPGEN_BENCH_APP_ID};
		CAPGEN_TRY(capgen_world_seed(w, &s));
	}
	for(int fd = 0; fd < 3; fd++)
		CAPGEN_TRY(capgen_world_seed_file(w, CAPGEN_MIX_JAVA_PID, fd, "/dev/null", PPM_O_RDWR));
	CAPGEN_TRY(capgen_world_seed_file(w, CAPGEN_MIX_JAVA_PID, 3, "/app/logs/app.log",
					  PPM_O_WRONLY | PPM_O_APPEND));
	for(int fd = 4; fd < 10; fd++) {
		snprintf(path, sizeof(path), "/app/lib/lib-%d.jar", fd);
		CAPGEN_TRY(capgen_world_seed_file(w, CAPGEN_MIX_JAVA_PID, fd, path, PPM_O_RDONLY));
	}
	for(int fd = 20; fd < 30; fd++)
		CAPGEN_TRY(capgen_world_seed_tcp(w, CAPGEN_MIX_JAVA_PID, fd, "172.17.0.10",
						 (uint16_t)(36000 + fd), "172.17.0.20", 5432));

	capgen_seed pg = {.tid = CAPGEN_MIX_PG_PID, .pid = CAPGEN_MIX_PG_PID, .ptid = 951,
			  .vtid = 1, .vpid = 1, .uid = 999, .gid = 999, .loginuid = -1,
			  .comm = "postgres", .exepath = "/usr/lib/postgresql/14/bin/postgres",
			  .cwd = "/var/lib/postgresql/data", .argv = pg_argv,
			  .container_id = CAPGEN_BENCH_DB_ID};
	CAPGEN_TRY(capgen_world_seed(w, &pg));
	CAPGEN_TRY(capgen_world_seed_listen(w, CAPGEN_MIX_PG_PID, 5, "0.0.0.0", 5432));
	for(int i = 1; i <= CAPGEN_MIX_PG_BACKENDS; i++) {
		pg.tid = pg.pid = CAPGEN_MIX_PG_PID + i;
		pg.ptid = CAPGEN_MIX_PG_PID;
		pg.vtid = pg.vpid = 100 + i;
		CAPGEN_TRY(capgen_world_seed(w, &pg));
		CAPGEN_TRY(capgen_world_seed_tcp(w, pg.tid, 10, "172.17.0.10",
						 (uint16_t)(36020 + i % 10), "172.17.0.20", 5432));
		for(int fd = 20; fd < 25; fd++) {
			snprintf(path, sizeof(path), "/var/lib/postgresql/data/base/16384/%d",
				 16400 + fd);
			CAPGEN_TRY(capgen_world_seed_file(w, pg.tid, fd, path, PPM_O_RDWR));
		}
	}

	capgen_seed ng = {.tid = CAPGEN_MIX_NGINX_PID, .pid = CAPGEN_MIX_NGINX_PID, .ptid = 952,
			  .vtid = 1, .vpid = 1, .loginuid = -1, .comm = "nginx",
			  .exepath = "/usr/sbin/nginx", .cwd = "/usr/share/nginx", .argv = nginx_argv,
			  .container_id = CAPGEN_BENCH_WEB_ID};
	for(int i = 0; i <= CAPGEN_MIX_NGINX_WORKERS; i++) {
		ng.tid = ng.pid = CAPGEN_MIX_NGINX_PID + i;
		ng.vtid = ng.vpid = 1 + i;
		ng.ptid = i == 0 ? 952 : CAPGEN_MIX_NGINX_PID;
		ng.uid = ng.gid = i == 0 ? 0 : 101;
		CAPGEN_TRY(capgen_world_seed(w, &ng));
		CAPGEN_TRY(capgen_world_seed_file(w, ng.tid, 3, "/var/log/nginx/access.log",
						  PPM_O_WRONLY | PPM_O_APPEND));
		CAPGEN_TRY(capgen_world_seed_listen(w, ng.tid, 6, "0.0.0.0", 80));
	}
	return true;
}

/* Container metadata events, as sinsp writes them at the start of a capture. */
static bool capgen_bench_mix_containers(capgen_world *w)
{
	static const char *const json[] = {
		"{\"container\":{\"id\":\"2c1d9a8b7e6f\",\"full_id\":\"" CAPGEN_BENCH_APP_ID "\","
		"\"type\":0,\"name\":\"app\",\"image\":\"registry.example.com/shop/app:2.4.1\","
		"\"imagerepo\":\"registry.example.com/shop/app\",\"imagetag\":\"2.4.1\","
		"\"privileged\":false,\"lookup_state\":1,\"ip\":\"172.17.0.10\","
		"\"labels\":{},\"env\":[],\"Mounts\":[]}}",
		"{\"container\":{\"id\":\"9e8d7c6b5a4f\",\"full_id\":\"" CAPGEN_BENCH_DB_ID "\","
		"\"type\":0,\"name\":\"db\",\"image\":\"postgres:14\",\"imagerepo\":\"postgres\","
		"\"imagetag\":\"14\",\"privileged\":false,\"lookup_state\":1,"
		"\"ip\":\"172.17.0.20\",\"labels\":{},\"env\":[],\"Mounts\":[]}}",
		"{\"container\":{\"id\":\"68d5c0026bb0\",\"full_id\":\"" CAPGEN_BENCH_WEB_ID "\","
		"\"type\":0,\"name\":\"web\",\"image\":\"nginx:1.21\",\"imagerepo\":\"nginx\","
		"\"imagetag\":\"1.21\",\"privileged\":false,\"lookup_state\":1,"
		"\"ip\":\"172.17.0.30\",\"labels\":{},\"env\":[],\"Mounts\":[]}}",
	};
	for(size_t i = 0; i < sizeof(json) / sizeof(json[0]); i++)
		CAPGEN_TRY(capgen_sys_container(w, json[i]));
	return true;
}

/* ---- mix: actions ---- */

typedef struct capgen_bench_mix_state {
	capgen_world *w;
	capgen_bench_rng rng;
	int64_t next_spawn;   /* tid of the next short-lived process */
	uint16_t next_port;   /* next ephemeral port */
} capgen_bench_mix_state;

static int64_t capgen_bench_mix_java(capgen_bench_mix_state *m)
{
	return CAPGEN_MIX_JAVA_PID + capgen_bench_rng_below(&m->rng, CAPGEN_MIX_JAVA_THREADS);
}

static int64_t capgen_bench_mix_pg(capgen_bench_mix_state *m)
{
	return CAPGEN_MIX_PG_PID + 1 + capgen_bench_rng_below(&m->rng, CAPGEN_MIX_PG_BACKENDS);
}

static int64_t capgen_bench_mix_nginx(capgen_bench_mix_state *m)
{
	return CAPGEN_MIX_NGINX_PID + 1 + capgen_bench_rng_below(&m->rng, CAPGEN_MIX_NGINX_WORKERS);
}

static int64_t capgen_bench_mix_any(capgen_bench_mix_state *m)
{
	switch(capgen_bench_rng_below(&m->rng, 5)) {
	case 0: return capgen_bench_mix_java(m);
	case 1: return capgen_bench_mix_pg(m);
	case 2: return capgen_bench_mix_nginx(m);
	case 3: return CAPGEN_MIX_DOCKERD_PID + capgen_bench_rng_below(&m->rng, CAPGEN_MIX_DOCKERD_THREADS);
	default: return CAPGEN_MIX_NODE_PID + capgen_bench_rng_below(&m->rng, CAPGEN_MIX_NODE_THREADS);
	}
}

static size_t capgen_bench_mix_size(capgen_bench_mix_state *m)
{
	return 64 + capgen_bench_rng_below(&m->rng, sizeof(capgen_bench_data) - 64);
}

static bool capgen_bench_mix_read(capgen_bench_mix_state *m)
{
	size_t n = capgen_bench_mix_size(m);
	switch(capgen_bench_rng_below(&m->rng, 3)) {
	case 0: /* java reads a jar or a db socket */
		return capgen_sys_read(m->w, capgen_bench_mix_java(m),
				       capgen_bench_rng_below(&m->rng, 2) ? 4 + capgen_bench_rng_below(&m->rng, 6)
								    : 20 + capgen_bench_rng_below(&m->rng, 10),
				       capgen_bench_data, n, (int64_t)n);
	case 1: /* postgres reads a relation */
		return capgen_sys_read(m->w, capgen_bench_mix_pg(m), 20 + capgen_bench_rng_below(&m->rng, 5),
				       capgen_bench_data, 8192, 8192);
	default: /* the db backend reads the query from its client socket */
		return capgen_sys_read(m->w, capgen_bench_mix_pg(m), 10, capgen_bench_data, n, (int64_t)n);
	}
}

static bool capgen_bench_mix_write(capgen_bench_mix_state *m)
{
	size_t n = capgen_bench_mix_size(m);
	switch(capgen_bench_rng_below(&m->rng, 4)) {
	case 0:
		return capgen_sys_write(m->w, capgen_bench_mix_java(m), 3, capgen_bench_data, n, (int64_t)n);
	case 1:
		return capgen_sys_write(m->w, capgen_bench_mix_java(m), 20 + capgen_bench_rng_below(&m->rng, 10),
					capgen_bench_data, n, (int64_t)n);
	case 2:
		return capgen_sys_write(m->w, capgen_bench_mix_nginx(m), 3, capgen_bench_data, 120, 120);
	default:
		return capgen_sys_write(m->w, CAPGEN_MIX_DOCKERD_PID +
					capgen_bench_rng_below(&m->rng, CAPGEN_MIX_DOCKERD_THREADS),
					3, capgen_bench_data, n, (int64_t)n);
	}
}

static bool capgen_bench_mix_sock_io(capgen_bench_mix_state *m)
{
	int64_t tid = capgen_bench_mix_pg(m);
	size_t n = capgen_bench_mix_size(m);
	if(capgen_bench_rng_below(&m->rng, 2))
		return capgen_sys_recvfrom(m->w, tid, 10, capgen_bench_data, 8192, (int64_t)n, NULL);
	return capgen_sys_sendto(m->w, tid, 10, capgen_bench_data, n, (int64_t)n, NULL);
}

/* open + read + close (6 events), or a failed open (2 events). */
static bool capgen_bench_mix_open(capgen_bench_mix_state *m)
{
	static const char *const files[] = {
		"/etc/ld.so.cache", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/proc/self/status",
		"/proc/stat", "/etc/hosts", "/etc/resolv.conf", "/sys/fs/cgroup/memory.max",
		"/usr/share/zoneinfo/UTC", "/etc/nsswitch.conf", "/etc/passwd"};
	static const char *const missing[] = {"/etc/app/override.yaml", "/root/.config/app.yaml",
					      "/usr/lib/x86_64-linux-gnu/libfoo.so.1",
					      "/tmp/.lock"};
	int64_t tid = capgen_bench_mix_any(m);
	if(capgen_bench_rng_below(&m->rng, 5) == 0) {
		const char *p = missing[capgen_bench_rng_below(&m->rng, 4)];
		return capgen_sys_openat(m->w, tid, PPM_AT_FDCWD, p, PPM_O_RDONLY, 0, -ENOENT);
	}
	const char *p = files[capgen_bench_rng_below(&m->rng, 10)];
	size_t n = capgen_bench_mix_size(m);
	/* fd 100 is never seeded; actions do not interleave, so it is free. */
	CAPGEN_TRY(capgen_sys_openat(m->w, tid, PPM_AT_FDCWD, p, PPM_O_RDONLY | PPM_O_CLOEXEC, 0, 100));
	CAPGEN_TRY(capgen_sys_read(m->w, tid, 100, capgen_bench_data, 4096, (int64_t)n));
	return capgen_sys_close(m->w, tid, 100, 0);
}

static bool capgen_bench_mix_stat(capgen_bench_mix_state *m)
{
	static const char *const paths[] = {"/etc/localtime", "/app/config/app.yaml",
					    "/var/run/docker.sock", "/tmp/missing"};
	uint32_t i = capgen_bench_rng_below(&m->rng, 4);
	return capgen_sys_stat(m->w, capgen_bench_mix_any(m), paths[i], i == 3 ? -ENOENT : 0);
}

/* socket + connect + write + read + close: java to redis (10 events). */
static bool capgen_bench_mix_connect(capgen_bench_mix_state *m)
{
	int64_t tid = capgen_bench_mix_java(m);
	uint16_t port = m->next_port;
	m->next_port = (uint16_t)(m->next_port >= 60999 ? 40000 : m->next_port + 1);
	CAPGEN_TRY(capgen_sys_socket(m->w, tid, PPM_AF_INET, 1, 6, 101));
	CAPGEN_TRY(capgen_sys_connect(m->w, tid, 101, "172.17.0.10", port, "10.0.0.30", 6379, 0));
	CAPGEN_TRY(capgen_sys_write(m->w, tid, 101, "*1\r\n$4\r\nPING\r\n", 14, 14));
	CAPGEN_TRY(capgen_sys_read(m->w, tid, 101, "+PONG\r\n", 512, 7));
	return capgen_sys_close(m->w, tid, 101, 0);
}

/* accept + read + write + close: an nginx worker serves a client (8 events). */
static bool capgen_bench_mix_accept(capgen_bench_mix_state *m)
{
	static const char req[] = "GET /api/v1/items HTTP/1.1\r\nHost: web\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]";
	int64_t tid = capgen_bench_mix_nginx(m);
	char cip[32];
	snprintf(cip, sizeof(cip), "10.1.%u.%u", capgen_bench_rng_below(&m->rng, 256),
		 1 + capgen_bench_rng_below(&m->rng, 254));
	uint16_t cport = (uint16_t)(32768 + capgen_bench_rng_below(&m->rng, 28000));
	CAPGEN_TRY(capgen_sys_accept(m->w, tid, true, 7, cip, cport, "172.17.0.30", 80));
	CAPGEN_TRY(capgen_sys_read(m->w, tid, 7, req, 1024, (int64_t)(sizeof(req) - 1)));
	CAPGEN_TRY(capgen_sys_write(m->w, tid, 7, resp, sizeof(resp) - 1, (int64_t)(sizeof(resp) - 1)));
	return capgen_sys_close(m->w, tid, 7, 0);
}

/* cron runs a short job: clone (3) + execve (2) + openat/read/close (6) +
 * write (2) + procexit (1) = 14 events. */
static bool capgen_bench_mix_spawn(capgen_bench_mix_state *m)
{
	static const char *const date_argv[] = {"date", "+%s", NULL};
	static const char *const ls_argv[] = {"ls", "-l", "/var/log", NULL};
	bool date = capgen_bench_rng_below(&m->rng, 2) == 0;
	int64_t tid = m->next_spawn++;
	CAPGEN_TRY(capgen_sys_clone(m->w, CAPGEN_MIX_CRON_PID, tid, 0, PPME_SYSCALL_CLONE_20_X,
				    CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(m->w, tid, date ? "/usr/bin/date" : "/usr/bin/ls",
				     date ? date_argv : ls_argv, 0));
	CAPGEN_TRY(capgen_sys_openat(m->w, tid, PPM_AT_FDCWD, date ? "/etc/localtime" : "/var/log",
				     PPM_O_RDONLY | PPM_O_CLOEXEC | (date ? 0 : PPM_O_DIRECTORY), 0, 3));
	CAPGEN_TRY(capgen_sys_read(m->w, tid, 3, capgen_bench_data, 4096, 118));
	CAPGEN_TRY(capgen_sys_close(m->w, tid, 3, 0));
	CAPGEN_TRY(capgen_sys_write(m->w, tid, 1, "1646092800\n", 11, 11));
	return capgen_sys_procexit(m->w, tid, 0);
}

bool capgen_bench_mix(capgen_world *w, const char *path, uint64_t nevents)
{
	if(nevents == 0)
		nevents = CAPGEN_BENCH_DEFAULT_EVENTS;
	capgen_bench_fill_data();
	CAPGEN_TRY(capgen_bench_mix_seed_host(w));
	CAPGEN_TRY(capgen_bench_mix_seed_containers(w));
	CAPGEN_TRY(capgen_world_start(w, path));
	CAPGEN_TRY(capgen_bench_mix_containers(w));

	capgen_bench_mix_state m = {.w = w, .rng = {0x9e3779b97f4a7c15ULL},
			.next_spawn = CAPGEN_MIX_FIRST_SPAWN, .next_port = 40000};
	/* Weights out of 1000 actions (most actions are one syscall). */
	/* Container events are not counted: sinsp consumes them as state. */
	uint64_t base = w->nevents;
	while(w->nevents - base < nevents) {
		uint64_t left = nevents - (w->nevents - base);
		uint32_t r = capgen_bench_rng_below(&m.rng, 1000);
		/* Multi-syscall actions only when they fit in what is left. */
		if(left < 14 && r >= 850)
			r = 0;
		if(r < 330)
			CAPGEN_TRY(capgen_bench_mix_read(&m));
		else if(r < 560)
			CAPGEN_TRY(capgen_bench_mix_write(&m));
		else if(r < 680)
			CAPGEN_TRY(capgen_sys_futex(w, capgen_bench_mix_any(&m), 0x7f0000001000ULL,
						    capgen_bench_rng_below(&m.rng, 2) ? PPM_FU_FUTEX_WAIT
										: PPM_FU_FUTEX_WAKE,
						    0));
		else if(r < 760)
			CAPGEN_TRY(capgen_bench_mix_sock_io(&m));
		else if(r < 800)
			CAPGEN_TRY(capgen_bench_mix_stat(&m));
		else if(r < 830)
			CAPGEN_TRY(capgen_sys_mmap(w, capgen_bench_mix_any(&m), 1 << 16, -1,
						   0x7f0000000000ULL));
		else if(r < 850)
			CAPGEN_TRY(capgen_sys_close(w, capgen_bench_mix_any(&m), 999, -EBADF));
		else if(r < 975)
			CAPGEN_TRY(left >= 6 ? capgen_bench_mix_open(&m) : capgen_bench_mix_read(&m));
		else if(r < 985)
			CAPGEN_TRY(capgen_bench_mix_connect(&m));
		else if(r < 995)
			CAPGEN_TRY(capgen_bench_mix_accept(&m));
		else
			CAPGEN_TRY(capgen_bench_mix_spawn(&m));
	}
	return true;
}
