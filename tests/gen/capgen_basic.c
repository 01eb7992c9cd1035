/*
 * Scenario "basic": a short, hand-written story that gives tests real sinsp
 * state to match against. README.md lists it event by event; keep the two in
 * step. Each phase is one function so a test writer can find "the curl part".
 */
#include <errno.h>
#include <string.h>

#include "capgen.h"

#define CAPGEN_TRY(x)                  \
	do {                           \
		if(!(x))               \
			return false;  \
	} while(0)

/* Full container ids (64 hex); sinsp reports the first 12 as container.id. */
#define CAPGEN_BASIC_WEB_ID "68d5c0026bb045046d2246dcf5aa32257fdf8cf15a58363938e913af1dca6c88"
#define CAPGEN_BASIC_TOOLBOX_ID "7110430de5c55c88fe10fdba1ae982b14f47031b80ff4642eb85c8dd4b528b51"

#define CAPGEN_FORK PPME_SYSCALL_FORK_20_X
#define CAPGEN_CLONE PPME_SYSCALL_CLONE_20_X
/* What glibc's fork() passes to clone. */
#define CAPGEN_FORK_FLAGS (PPM_CL_CLONE_CHILD_CLEARTID | PPM_CL_CLONE_CHILD_SETTID)
/* What pthread_create passes to clone. */
#define CAPGEN_THREAD_FLAGS                                                            \
	(PPM_CL_CLONE_VM | PPM_CL_CLONE_FS | PPM_CL_CLONE_FILES | PPM_CL_CLONE_SIGHAND | \
	 PPM_CL_CLONE_THREAD | PPM_CL_CLONE_SYSVSEM | PPM_CL_CLONE_SETTLS |               \
	 PPM_CL_CLONE_PARENT_SETTID | PPM_CL_CLONE_CHILD_CLEARTID)

#define CAPGEN_RD PPM_O_RDONLY
#define CAPGEN_WR_NEW (PPM_O_WRONLY | PPM_O_CREAT | PPM_O_TRUNC)
#define CAPGEN_WR_APPEND (PPM_O_WRONLY | PPM_O_CREAT | PPM_O_APPEND)
#define CAPGEN_SOCK_STREAM 1
#define CAPGEN_SOCK_DGRAM 2

/* Strings written by the processes (sizes are strlen, as write(2) gets). */
static const char capgen_basic_passwd[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"alice:x:1000:1000::/home/alice:/bin/bash\n";
static const char capgen_basic_shadow[] = "root:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n";
static const char capgen_basic_http_req[] =
	"GET /index.html HTTP/1.1\r\nHost: web\r\nUser-Agent: curl/7.81.0\r\nAccept: */*\r\n\r\n";
static const char capgen_basic_http_evil[] =
	"GET /../../etc/passwd HTTP/1.1\r\nHost: web\r\nUser-Agent: sqlmap/1.6\r\n\r\n";
static const char capgen_basic_http_ok[] =
	"HTTP/1.1 200 OK\r\nServer: nginx/1.21.6\r\nContent-Length: 45\r\n\r\n";
static const char capgen_basic_http_404[] =
	"HTTP/1.1 404 Not Found\r\nServer: nginx/1.21.6\r\nContent-Length: 0\r\n\r\n";
static const char capgen_basic_index[] = "<html><body><h1>It works!</h1></body></html>\n";
/* TLS records: binary payloads for bcontains / bstartswith (16 03 01 ...). */
static const unsigned char capgen_basic_tls_hello[] = {
	0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, 0xde, 0xad, 0xbe,
	0xef, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,
	0x1b, 0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00};
static const unsigned char capgen_basic_tls_server[] = {
	0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x03, 0xca, 0xfe, 0xba,
	0xbe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x13, 0x01, 0x00};
/* A DNS query for example.com (id 0x1234, RD). */
static const unsigned char capgen_basic_dns_query[] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 'e',
	'x',  'a',  'm',  'p',  'l',  'e',  0x03, 'c',  'o',  'm',  0x00, 0x00, 0x01, 0x00, 0x01};

#define CAPGEN_LEN(s) (sizeof(s) - 1)

static bool capgen_basic_seed(capgen_world *w)
{
	static const char *const systemd_argv[] = {"/sbin/init", "splash", NULL};
	static const char *const sshd_argv[] = {"/usr/sbin/sshd", "-D", NULL};
	static const char *const sshd_sess_argv[] = {"sshd: alice [priv]", NULL};
	static const char *const bash_argv[] = {"-bash", NULL};
	static const char *const bash_env[] = {"HOME=/home/alice", "USER=alice", "SHELL=/bin/bash",
					       "PATH=/usr/local/bin:/usr/bin:/bin",
					       "TERM=xterm-256color", NULL};
	static const char *const cron_argv[] = {"/usr/sbin/cron", "-f", NULL};
	static const char *const dockerd_argv[] = {"/usr/bin/dockerd", "-H", "fd://", NULL};
	static const char *const shim_web_argv[] = {"/usr/bin/containerd-shim-runc-v2",
						    "-namespace", "moby", "-id",
						    CAPGEN_BASIC_WEB_ID, NULL};
	static const char *const shim_tb_argv[] = {"/usr/bin/containerd-shim-runc-v2",
						   "-namespace", "moby", "-id",
						   CAPGEN_BASIC_TOOLBOX_ID, NULL};
	static const char *const nginx_argv[] = {"nginx", "-g", "daemon off;", NULL};
	static const char *const tb_argv[] = {"/bin/bash", NULL};
	static const char *const tb_env[] = {"HOME=/root", "HOSTNAME=toolbox", NULL};
	static const char *const session = "/user.slice/user-1000.slice/session-3.scope";

	const capgen_seed seeds[] = {
		{.tid = 1, .pid = 1, .ptid = 0, .uid = 0, .gid = 0, .loginuid = -1,
		 .comm = "systemd", .exepath = "/usr/lib/systemd/systemd", .argv = systemd_argv,
		 .user_slice = "/init.scope"},
		{.tid = 612, .pid = 612, .ptid = 1, .loginuid = -1, .comm = "sshd",
		 .exepath = "/usr/sbin/sshd", .argv = sshd_argv,
		 .user_slice = "/system.slice/ssh.service"},
		{.tid = 700, .pid = 700, .ptid = 1, .loginuid = -1, .comm = "cron",
		 .exepath = "/usr/sbin/cron", .argv = cron_argv,
		 .user_slice = "/system.slice/cron.service"},
		{.tid = 900, .pid = 900, .ptid = 1, .loginuid = -1, .comm = "dockerd",
		 .exepath = "/usr/bin/dockerd", .argv = dockerd_argv,
		 .user_slice = "/system.slice/docker.service"},
		{.tid = 950, .pid = 950, .ptid = 1, .loginuid = -1, .comm = "containerd-shim",
		 .exepath = "/usr/bin/containerd-shim-runc-v2", .argv = shim_web_argv,
		 .user_slice = "/system.slice/containerd.service"},
		{.tid = 951, .pid = 951, .ptid = 1, .loginuid = -1, .comm = "containerd-shim",
		 .exepath = "/usr/bin/containerd-shim-runc-v2", .argv = shim_tb_argv,
		 .user_slice = "/system.slice/containerd.service"},
		{.tid = 1200, .pid = 1200, .ptid = 612, .loginuid = 1000, .comm = "sshd",
		 .exepath = "/usr/sbin/sshd", .argv = sshd_sess_argv, .user_slice = session},
		{.tid = 1201, .pid = 1201, .ptid = 1200, .uid = 1000, .gid = 1000,
		 .loginuid = 1000, .comm = "bash", .exepath = "/usr/bin/bash",
		 .cwd = "/home/alice", .argv = bash_argv, .env = bash_env, .user_slice = session},
		{.tid = 2000, .pid = 2000, .ptid = 950, .vtid = 1, .vpid = 1, .loginuid = -1,
		 .comm = "nginx", .exepath = "/usr/sbin/nginx", .cwd = "/usr/share/nginx",
		 .argv = nginx_argv, .container_id = CAPGEN_BASIC_WEB_ID},
		{.tid = 3000, .pid = 3000, .ptid = 951, .vtid = 1, .vpid = 1, .loginuid = -1,
		 .comm = "bash", .exepath = "/bin/bash", .cwd = "/root", .argv = tb_argv,
		 .env = tb_env, .container_id = CAPGEN_BASIC_TOOLBOX_ID},
	};
	for(size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		CAPGEN_TRY(capgen_world_seed(w, &seeds[i]));

	CAPGEN_TRY(capgen_world_seed_listen(w, 612, 3, "0.0.0.0", 22));
	for(int fd = 0; fd < 3; fd++) {
		CAPGEN_TRY(capgen_world_seed_file(w, 1201, fd, "/dev/pts/0", PPM_O_RDWR));
		CAPGEN_TRY(capgen_world_seed_file(w, 2000, fd, "/dev/null", PPM_O_RDWR));
		CAPGEN_TRY(capgen_world_seed_file(w, 3000, fd, "/dev/pts/1", PPM_O_RDWR));
	}
	CAPGEN_TRY(capgen_world_seed_tcp(w, 1200, 4, "192.168.10.20", 53122, "192.168.10.5", 22));
	CAPGEN_TRY(capgen_world_seed_file(w, 2000, 3, "/var/log/nginx/access.log",
					  PPM_O_WRONLY | PPM_O_APPEND));
	CAPGEN_TRY(capgen_world_seed_listen(w, 2000, 6, "0.0.0.0", 80));
	return true;
}

static bool capgen_basic_containers(capgen_world *w)
{
	CAPGEN_TRY(capgen_sys_container(w,
		"{\"container\":{\"id\":\"68d5c0026bb0\",\"full_id\":\"" CAPGEN_BASIC_WEB_ID "\","
		"\"type\":0,\"name\":\"web\",\"image\":\"nginx:1.21\","
		"\"imageid\":\"c919045c4c2b0b0007c606e763ed2c830c7b1d038ce878a3c0d6f0b81e6d5a80\","
		"\"imagerepo\":\"nginx\",\"imagetag\":\"1.21\",\"imagedigest\":\"\","
		"\"privileged\":false,\"is_pod_sandbox\":false,\"lookup_state\":1,"
		"\"created_time\":1646092000,\"ip\":\"172.17.0.3\","
		"\"labels\":{\"app\":\"web\",\"tier\":\"frontend\"},\"env\":[],\"Mounts\":[]}}"));
	CAPGEN_TRY(capgen_sys_container(w,
		"{\"container\":{\"id\":\"7110430de5c5\",\"full_id\":\"" CAPGEN_BASIC_TOOLBOX_ID "\","
		"\"type\":0,\"name\":\"toolbox\",\"image\":\"alpine:3.15\","
		"\"imageid\":\"0ac33e5f5afa79e084075e8698a22d574816eea8d7b7d480586835657c3e1c8b\","
		"\"imagerepo\":\"alpine\",\"imagetag\":\"3.15\",\"imagedigest\":\"\","
		"\"privileged\":true,\"is_pod_sandbox\":false,\"lookup_state\":1,"
		"\"created_time\":1646092100,\"ip\":\"172.17.0.2\","
		"\"labels\":{},\"env\":[],\"Mounts\":[]}}"));
	return true;
}

/* alice's bash runs cat on /etc/passwd (works) and /etc/shadow (EACCES). */
static bool capgen_basic_cat(capgen_world *w)
{
	static const char *const cat_passwd[] = {"cat", "/etc/passwd", NULL};
	static const char *const cat_shadow[] = {"cat", "/etc/shadow", NULL};
	static const char denied[] = "cat: /etc/shadow: Permission denied\n";

	CAPGEN_TRY(capgen_sys_clone(w, 1201, 1210, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1210, "/usr/bin/cat", cat_passwd, 0));
	CAPGEN_TRY(capgen_sys_openat(w, 1210, PPM_AT_FDCWD, "/etc/passwd",
				     CAPGEN_RD | PPM_O_CLOEXEC, 0, 3));
	CAPGEN_TRY(capgen_sys_read(w, 1210, 3, capgen_basic_passwd, 4096,
				   (int64_t)CAPGEN_LEN(capgen_basic_passwd)));
	CAPGEN_TRY(capgen_sys_write(w, 1210, 1, capgen_basic_passwd, CAPGEN_LEN(capgen_basic_passwd),
				    (int64_t)CAPGEN_LEN(capgen_basic_passwd)));
	CAPGEN_TRY(capgen_sys_close(w, 1210, 3, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1210, 0));

	CAPGEN_TRY(capgen_sys_clone(w, 1201, 1211, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1211, "/usr/bin/cat", cat_shadow, 0));
	CAPGEN_TRY(capgen_sys_openat(w, 1211, PPM_AT_FDCWD, "/etc/shadow",
				     CAPGEN_RD | PPM_O_CLOEXEC, 0, -EACCES));
	CAPGEN_TRY(capgen_sys_write(w, 1211, 2, denied, CAPGEN_LEN(denied),
				    (int64_t)CAPGEN_LEN(denied)));
	CAPGEN_TRY(capgen_sys_procexit(w, 1211, 1));
	return true;
}

/* sh -c writes /tmp, /dev/null, misses a config file, then runs a build whose
 * deepest process (cc1) has seven ancestors. */
static bool capgen_basic_sh_build(capgen_world *w)
{
	static const char *const sh_argv[] = {
		"sh", "-c", "echo hello > /tmp/hello.txt; make -C /home/alice/proj", NULL};
	static const char *const make_argv[] = {"make", "-C", "/home/alice/proj", NULL};
	static const char *const gcc_argv[] = {"gcc", "-O2", "-c", "main.c", "-o", "main.o", NULL};
	static const char *const cc1_argv[] = {"/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "-quiet",
					       "main.c", "-o", "/tmp/ccA1b2C3.s", NULL};
	static const char hello[] = "hello\n";
	static const char devnull[] = "discarded output\n";
	static const char src[] = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n";
	static const char as[] = "\t.file\t\"main.c\"\n\t.text\n";

	CAPGEN_TRY(capgen_sys_clone(w, 1201, 1220, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1220, "/bin/sh", sh_argv, 0));
	CAPGEN_TRY(capgen_sys_open(w, 1220, "/tmp/hello.txt", CAPGEN_WR_NEW, 0644, 3));
	CAPGEN_TRY(capgen_sys_write(w, 1220, 3, hello, CAPGEN_LEN(hello), CAPGEN_LEN(hello)));
	CAPGEN_TRY(capgen_sys_close(w, 1220, 3, 0));
	CAPGEN_TRY(capgen_sys_openat(w, 1220, PPM_AT_FDCWD, "/etc/app/missing.conf", CAPGEN_RD,
				     0, -ENOENT));
	CAPGEN_TRY(capgen_sys_open(w, 1220, "/dev/null", PPM_O_WRONLY, 0, 4));
	CAPGEN_TRY(capgen_sys_write(w, 1220, 4, devnull, CAPGEN_LEN(devnull), CAPGEN_LEN(devnull)));
	CAPGEN_TRY(capgen_sys_close(w, 1220, 4, 0));

	CAPGEN_TRY(capgen_sys_clone(w, 1220, 1230, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1230, "/usr/bin/make", make_argv, 0));
	CAPGEN_TRY(capgen_sys_chdir(w, 1230, "/home/alice/proj", 0));
	CAPGEN_TRY(capgen_sys_clone(w, 1230, 1231, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1231, "/usr/bin/gcc", gcc_argv, 0));
	CAPGEN_TRY(capgen_sys_clone(w, 1231, 1232, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1232, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", cc1_argv, 0));
	/* Relative path: sinsp resolves it against the cwd set by make's chdir. */
	CAPGEN_TRY(capgen_sys_openat(w, 1232, PPM_AT_FDCWD, "main.c", CAPGEN_RD, 0, 3));
	CAPGEN_TRY(capgen_sys_read(w, 1232, 3, src, 4096, CAPGEN_LEN(src)));
	CAPGEN_TRY(capgen_sys_openat(w, 1232, PPM_AT_FDCWD, "/tmp/ccA1b2C3.s", CAPGEN_WR_NEW,
				     0666, 4));
	CAPGEN_TRY(capgen_sys_write(w, 1232, 4, as, CAPGEN_LEN(as), CAPGEN_LEN(as)));
	CAPGEN_TRY(capgen_sys_close(w, 1232, 4, 0));
	CAPGEN_TRY(capgen_sys_close(w, 1232, 3, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1232, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1231, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1230, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1220, 0));
	return true;
}

/* Process and file names with spaces, glob metacharacters and UTF-8. */
static bool capgen_basic_odd_names(capgen_world *w)
{
	static const char *const myproc_argv[] = {"/opt/my tools/my proc", "--opt",
						  "value with space", NULL};
	static const char *const glob_argv[] = {"/usr/local/bin/x*y?[z]", "--pattern=*.txt", NULL};
	static const char *const cafe_argv[] = {"/usr/local/bin/caf\xc3\xa9", "-v", NULL};
	static const char report[] = "Quarterly numbers\n";

	CAPGEN_TRY(capgen_sys_clone(w, 1201, 1240, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1240, "/opt/my tools/my proc", myproc_argv, 0));
	CAPGEN_TRY(capgen_sys_openat(w, 1240, PPM_AT_FDCWD,
				     "/home/alice/Documents/Report (final) [v2].txt", CAPGEN_RD, 0, 3));
	CAPGEN_TRY(capgen_sys_read(w, 1240, 3, report, 4096, CAPGEN_LEN(report)));
	CAPGEN_TRY(capgen_sys_close(w, 1240, 3, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1240, 0));

	CAPGEN_TRY(capgen_sys_clone(w, 1201, 1250, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1250, "/usr/local/bin/x*y?[z]", glob_argv, 0));
	CAPGEN_TRY(capgen_sys_stat(w, 1250, "/home/alice/*.txt", -ENOENT));
	CAPGEN_TRY(capgen_sys_procexit(w, 1250, 2));

	CAPGEN_TRY(capgen_sys_clone(w, 1201, 1251, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1251, "/usr/local/bin/caf\xc3\xa9", cafe_argv, 0));
	CAPGEN_TRY(capgen_sys_openat(w, 1251, PPM_AT_FDCWD, "/tmp/men\xc3\xbc.txt", CAPGEN_WR_NEW,
				     0644, 3));
	CAPGEN_TRY(capgen_sys_close(w, 1251, 3, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1251, 0));
	return true;
}

/* A python program with a second thread; both share one fd table. */
static bool capgen_basic_threads(capgen_world *w)
{
	static const char *const py_argv[] = {"python3", "/home/alice/app.py", NULL};
	static const char json[] = "{\"ok\": true}\n";

	CAPGEN_TRY(capgen_sys_clone(w, 1201, 1260, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1260, "/usr/bin/python3.11", py_argv, 0));
	CAPGEN_TRY(capgen_sys_mmap(w, 1260, 1 << 20, -1, 0x7f0000000000ULL));
	CAPGEN_TRY(capgen_sys_clone(w, 1260, 1261, 0, CAPGEN_CLONE, CAPGEN_THREAD_FLAGS));
	CAPGEN_TRY(capgen_sys_openat(w, 1261, PPM_AT_FDCWD, "/home/alice/data.json", CAPGEN_RD,
				     0, 3));
	CAPGEN_TRY(capgen_sys_read(w, 1261, 3, json, 65536, CAPGEN_LEN(json)));
	CAPGEN_TRY(capgen_sys_futex(w, 1260, 0x7f0000001000ULL, PPM_FU_FUTEX_WAIT, 0));
	/* The main thread closes the fd its sibling opened. */
	CAPGEN_TRY(capgen_sys_close(w, 1260, 3, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1261, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1260, 0));
	return true;
}

/* Root's cron job writes below /etc. */
static bool capgen_basic_cron(capgen_world *w)
{
	static const char *const sh_argv[] = {
		"/bin/sh", "-c", "echo '10.0.0.99 evil.example' >> /etc/hosts", NULL};
	static const char *const tee_argv[] = {"tee", "-a", "/etc/sudoers.d/90-evil", NULL};
	static const char hosts[] = "10.0.0.99 evil.example\n";
	static const char sudoers[] = "alice ALL=(ALL) NOPASSWD:ALL\n";

	CAPGEN_TRY(capgen_sys_clone(w, 700, 1300, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1300, "/bin/sh", sh_argv, 0));
	CAPGEN_TRY(capgen_sys_openat(w, 1300, PPM_AT_FDCWD, "/etc/hosts", CAPGEN_WR_APPEND, 0666, 3));
	CAPGEN_TRY(capgen_sys_write(w, 1300, 3, hosts, CAPGEN_LEN(hosts), CAPGEN_LEN(hosts)));
	CAPGEN_TRY(capgen_sys_close(w, 1300, 3, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1300, 0));

	CAPGEN_TRY(capgen_sys_clone(w, 700, 1301, 0, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 1301, "/usr/bin/tee", tee_argv, 0));
	CAPGEN_TRY(capgen_sys_openat(w, 1301, PPM_AT_FDCWD, "/etc/sudoers.d/90-evil",
				     CAPGEN_WR_APPEND, 0666, 3));
	CAPGEN_TRY(capgen_sys_write(w, 1301, 3, sudoers, CAPGEN_LEN(sudoers), CAPGEN_LEN(sudoers)));
	CAPGEN_TRY(capgen_sys_close(w, 1301, 3, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 1301, 0));
	return true;
}

/* In the privileged "toolbox" container, root reads /etc/shadow and curl
 * talks TLS to 10.0.0.5:443, is refused by 10.0.0.6:8080, and asks DNS. */
static bool capgen_basic_toolbox(capgen_world *w)
{
	static const char *const cat_argv[] = {"cat", "/etc/shadow", NULL};
	static const char *const curl_argv[] = {"curl", "-s", "https://10.0.0.5/", NULL};
	const capgen_tuple dns = {"172.17.0.2", 51515, "8.8.8.8", 53};

	CAPGEN_TRY(capgen_sys_clone(w, 3000, 3010, 12, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 3010, "/bin/cat", cat_argv, 0));
	CAPGEN_TRY(capgen_sys_openat(w, 3010, PPM_AT_FDCWD, "/etc/shadow", CAPGEN_RD, 0, 3));
	CAPGEN_TRY(capgen_sys_read(w, 3010, 3, capgen_basic_shadow, 4096,
				   CAPGEN_LEN(capgen_basic_shadow)));
	CAPGEN_TRY(capgen_sys_write(w, 3010, 1, capgen_basic_shadow, CAPGEN_LEN(capgen_basic_shadow),
				    CAPGEN_LEN(capgen_basic_shadow)));
	CAPGEN_TRY(capgen_sys_close(w, 3010, 3, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 3010, 0));

	CAPGEN_TRY(capgen_sys_clone(w, 3000, 3020, 15, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_execve(w, 3020, "/usr/bin/curl", curl_argv, 0));
	CAPGEN_TRY(capgen_sys_socket(w, 3020, PPM_AF_INET, CAPGEN_SOCK_STREAM, 6, 3));
	CAPGEN_TRY(capgen_sys_connect(w, 3020, 3, "172.17.0.2", 40000, "10.0.0.5", 443, 0));
	CAPGEN_TRY(capgen_sys_write(w, 3020, 3, capgen_basic_tls_hello,
				    sizeof(capgen_basic_tls_hello), sizeof(capgen_basic_tls_hello)));
	CAPGEN_TRY(capgen_sys_read(w, 3020, 3, capgen_basic_tls_server, 16384,
				   sizeof(capgen_basic_tls_server)));
	CAPGEN_TRY(capgen_sys_close(w, 3020, 3, 0));
	CAPGEN_TRY(capgen_sys_socket(w, 3020, PPM_AF_INET, CAPGEN_SOCK_STREAM, 6, 4));
	CAPGEN_TRY(capgen_sys_connect(w, 3020, 4, "172.17.0.2", 40002, "10.0.0.6", 8080,
				      -ECONNREFUSED));
	CAPGEN_TRY(capgen_sys_close(w, 3020, 4, 0));
	CAPGEN_TRY(capgen_sys_socket(w, 3020, PPM_AF_INET, CAPGEN_SOCK_DGRAM, 17, 5));
	CAPGEN_TRY(capgen_sys_connect(w, 3020, 5, "172.17.0.2", 51515, "8.8.8.8", 53, 0));
	CAPGEN_TRY(capgen_sys_sendto(w, 3020, 5, capgen_basic_dns_query,
				     sizeof(capgen_basic_dns_query), sizeof(capgen_basic_dns_query),
				     &dns));
	CAPGEN_TRY(capgen_sys_recvfrom(w, 3020, 5, capgen_basic_dns_query, 512,
				       sizeof(capgen_basic_dns_query), &dns));
	CAPGEN_TRY(capgen_sys_close(w, 3020, 5, 0));
	CAPGEN_TRY(capgen_sys_procexit(w, 3020, 0));
	return true;
}

/* nginx in the "web" container forks two workers that drop to uid 101 and
 * serve one request each: a 200 and a 404 for a path traversal attempt. */
static bool capgen_basic_nginx(capgen_world *w)
{
	static const char access_line[] =
		"10.0.0.9 - - [01/Mar/2022:00:00:00 +0000] \"GET /index.html HTTP/1.1\" 200 45\n";

	CAPGEN_TRY(capgen_sys_stat(w, 2000, "/etc/nginx/nginx.conf", 0));
	CAPGEN_TRY(capgen_sys_stat(w, 2000, "/etc/nginx/conf.d/missing.conf", -ENOENT));
	CAPGEN_TRY(capgen_sys_clone(w, 2000, 2001, 7, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_clone(w, 2000, 2002, 8, CAPGEN_FORK, CAPGEN_FORK_FLAGS));
	CAPGEN_TRY(capgen_sys_setuid(w, 2001, 101, 0));
	CAPGEN_TRY(capgen_sys_setuid(w, 2002, 101, 0));

	CAPGEN_TRY(capgen_sys_accept(w, 2001, false, 7, "10.0.0.9", 51234, "172.17.0.3", 80));
	CAPGEN_TRY(capgen_sys_read(w, 2001, 7, capgen_basic_http_req, 1024,
				   CAPGEN_LEN(capgen_basic_http_req)));
	CAPGEN_TRY(capgen_sys_openat(w, 2001, PPM_AT_FDCWD, "/usr/share/nginx/html/index.html",
				     CAPGEN_RD | PPM_O_NONBLOCK, 0, 8));
	CAPGEN_TRY(capgen_sys_read(w, 2001, 8, capgen_basic_index, 4096, CAPGEN_LEN(capgen_basic_index)));
	CAPGEN_TRY(capgen_sys_write(w, 2001, 7, capgen_basic_http_ok, CAPGEN_LEN(capgen_basic_http_ok),
				    CAPGEN_LEN(capgen_basic_http_ok)));
	CAPGEN_TRY(capgen_sys_write(w, 2001, 3, access_line, CAPGEN_LEN(access_line),
				    CAPGEN_LEN(access_line)));
	CAPGEN_TRY(capgen_sys_close(w, 2001, 8, 0));
	CAPGEN_TRY(capgen_sys_close(w, 2001, 7, 0));

	CAPGEN_TRY(capgen_sys_accept(w, 2002, true, 7, "10.0.0.10", 51300, "172.17.0.3", 80));
	CAPGEN_TRY(capgen_sys_read(w, 2002, 7, capgen_basic_http_evil, 1024,
				   CAPGEN_LEN(capgen_basic_http_evil)));
	/* Relative to the master's cwd, /usr/share/nginx. */
	CAPGEN_TRY(capgen_sys_openat(w, 2002, PPM_AT_FDCWD, "html/missing.html", CAPGEN_RD, 0,
				     -ENOENT));
	CAPGEN_TRY(capgen_sys_write(w, 2002, 7, capgen_basic_http_404, CAPGEN_LEN(capgen_basic_http_404),
				    CAPGEN_LEN(capgen_basic_http_404)));
	CAPGEN_TRY(capgen_sys_close(w, 2002, 7, 0));
	return true;
}

bool capgen_basic_run(capgen_world *w, const char *path)
{
	CAPGEN_TRY(capgen_basic_seed(w));
	CAPGEN_TRY(capgen_world_start(w, path));
	CAPGEN_TRY(capgen_basic_containers(w));
	CAPGEN_TRY(capgen_basic_cat(w));
	CAPGEN_TRY(capgen_basic_sh_build(w));
	CAPGEN_TRY(capgen_basic_odd_names(w));
	CAPGEN_TRY(capgen_basic_threads(w));
	CAPGEN_TRY(capgen_basic_cron(w));
	CAPGEN_TRY(capgen_basic_toolbox(w));
	CAPGEN_TRY(capgen_basic_nginx(w));
	return true;
}
