/*
 * One emitter per system call, filling event parameters from the process
 * model (capgen_world.c).
 *
 * Every system call is written as an enter event and an exit event (procexit
 * and container events have no exit), one clock step apart, on CPU
 * tid % CAPGEN_NCPUS, like the driver does.
 */
#include <stdio.h>
#include <string.h>

#include "capgen.h"

bool capgen_sys_container(capgen_world *w, const char *json)
{
	/* Written with tid -1, as sinsp does for container state at the start
	 * of a capture; sinsp then knows container.name, image, etc. */
	if(!capgen_world_begin(w, PPME_CONTAINER_JSON_E, -1))
		return false;
	capgen_evt_str(&w->evt, json);
	return capgen_world_emit(w, -1);
}

/* The 20 parameters shared by the clone/fork/vfork exit events. */
static void capgen_sys_clone_params(capgen_world *w, const capgen_proc *p, int64_t res,
				    int64_t ptid, uint32_t flags)
{
	capgen_evt *e = &w->evt;
	capgen_evt_num(e, (uint64_t)res);
	capgen_evt_str(e, p->exe);
	capgen_evt_bytes(e, p->args, p->args_len);
	capgen_evt_num(e, (uint64_t)p->tid);
	capgen_evt_num(e, (uint64_t)p->pid);
	capgen_evt_num(e, (uint64_t)ptid);
	capgen_evt_str(e, p->cwd);
	capgen_evt_num(e, CAPGEN_FDLIMIT);
	capgen_evt_num(e, 0);
	capgen_evt_num(e, 0);
	capgen_evt_num(e, CAPGEN_VM_SIZE_KB);
	capgen_evt_num(e, CAPGEN_VM_RSS_KB);
	capgen_evt_num(e, 0);
	capgen_evt_str(e, p->comm);
	capgen_evt_bytes(e, p->cgroups, p->cgroups_len);
	capgen_evt_num(e, flags);
	capgen_evt_num(e, p->uid);
	capgen_evt_num(e, p->gid);
	capgen_evt_num(e, (uint64_t)p->vtid);
	capgen_evt_num(e, (uint64_t)p->vpid);
}

bool capgen_sys_clone(capgen_world *w, int64_t tid, int64_t child, int64_t child_vtid,
		      uint16_t evtype, uint32_t flags)
{
	capgen_proc *c = capgen_world_fork(w, tid, child, child_vtid, flags);
	if(c == NULL)
		return false;
	/* fork may have moved the thread array: look the parent up again. */
	capgen_proc *parent = capgen_world_need(w, tid);
	bool in_ns = parent->vtid != parent->tid;

	uint16_t enter = (uint16_t)(evtype - 1);
	if(!capgen_world_begin(w, enter, tid) || !capgen_world_emit(w, tid))
		return false;
	/* Parent side: res is the child's tid; parameters describe the parent. */
	if(!capgen_world_begin(w, evtype, tid))
		return false;
	capgen_sys_clone_params(w, parent, child, parent->ptid, flags);
	if(!capgen_world_emit(w, tid))
		return false;
	/* Child side: res 0; the driver marks children born in a pid namespace. */
	if(!capgen_world_begin(w, evtype, child))
		return false;
	capgen_sys_clone_params(w, c, 0, c->ptid, flags | (in_ns ? PPM_CL_CHILD_IN_PIDNS : 0));
	return capgen_world_emit(w, child);
}

bool capgen_sys_execve(capgen_world *w, int64_t tid, const char *path,
		       const char *const *argv, int64_t res)
{
	capgen_proc *p = capgen_world_need(w, tid);
	if(p == NULL)
		return false;
	if(!capgen_world_begin(w, PPME_SYSCALL_EXECVE_19_E, tid))
		return false;
	capgen_evt_str(&w->evt, path);
	if(!capgen_world_emit(w, tid))
		return false;
	if(res == 0 && !capgen_world_exec(w, p, path, argv))
		return false;
	capgen_evt *e = &w->evt;
	if(!capgen_world_begin(w, PPME_SYSCALL_EXECVE_19_X, tid))
		return false;
	capgen_evt_num(e, (uint64_t)res);
	capgen_evt_str(e, p->exe);
	capgen_evt_bytes(e, p->args, p->args_len);
	capgen_evt_num(e, (uint64_t)p->tid);
	capgen_evt_num(e, (uint64_t)p->pid);
	capgen_evt_num(e, (uint64_t)p->ptid);
	capgen_evt_str(e, p->cwd);
	capgen_evt_num(e, CAPGEN_FDLIMIT);
	capgen_evt_num(e, 0);
	capgen_evt_num(e, 0);
	capgen_evt_num(e, CAPGEN_VM_SIZE_KB);
	capgen_evt_num(e, CAPGEN_VM_RSS_KB);
	capgen_evt_num(e, 0);
	capgen_evt_str(e, p->comm);
	capgen_evt_bytes(e, p->cgroups, p->cgroups_len);
	capgen_evt_bytes(e, p->env, p->env_len);
	capgen_evt_num(e, 0);                          /* tty */
	capgen_evt_num(e, (uint64_t)p->vpgid);         /* pgid */
	capgen_evt_num(e, (uint64_t)(int64_t)p->loginuid);
	capgen_evt_num(e, 0);                          /* flags: exe not writable */
	return capgen_world_emit(w, tid);
}

bool capgen_sys_procexit(capgen_world *w, int64_t tid, int64_t status)
{
	capgen_proc *p = capgen_world_need(w, tid);
	if(p == NULL)
		return false;
	if(!capgen_world_begin(w, PPME_PROCEXIT_1_E, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)(status << 8)); /* wait status */
	capgen_evt_num(&w->evt, (uint64_t)status);
	capgen_evt_num(&w->evt, 0);
	capgen_evt_num(&w->evt, 0);
	p->alive = false;
	return capgen_world_emit(w, tid);
}

bool capgen_sys_open(capgen_world *w, int64_t tid, const char *path,
		     uint32_t flags, uint32_t mode, int64_t res)
{
	if(!capgen_world_begin(w, PPME_SYSCALL_OPEN_E, tid))
		return false;
	capgen_evt_str(&w->evt, path);
	capgen_evt_num(&w->evt, flags);
	capgen_evt_num(&w->evt, mode);
	if(!capgen_world_emit(w, tid) || !capgen_world_begin(w, PPME_SYSCALL_OPEN_X, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	capgen_evt_str(&w->evt, path);
	capgen_evt_num(&w->evt, flags);
	capgen_evt_num(&w->evt, mode);
	capgen_evt_num(&w->evt, 0x803); /* dev: 8:3, a disk partition */
	return capgen_world_emit(w, tid);
}

bool capgen_sys_openat(capgen_world *w, int64_t tid, int64_t dirfd, const char *path,
		       uint32_t flags, uint32_t mode, int64_t res)
{
	if(!capgen_world_begin(w, PPME_SYSCALL_OPENAT_2_E, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)dirfd);
	capgen_evt_str(&w->evt, path);
	capgen_evt_num(&w->evt, flags);
	capgen_evt_num(&w->evt, mode);
	if(!capgen_world_emit(w, tid) || !capgen_world_begin(w, PPME_SYSCALL_OPENAT_2_X, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	capgen_evt_num(&w->evt, (uint64_t)dirfd);
	capgen_evt_str(&w->evt, path);
	capgen_evt_num(&w->evt, flags);
	capgen_evt_num(&w->evt, mode);
	capgen_evt_num(&w->evt, 0x803);
	return capgen_world_emit(w, tid);
}

/* read/write/recvfrom/sendto share this shape: enter(fd, size[, tuple]),
 * exit(res, data[, tuple]). */
static bool capgen_sys_io(capgen_world *w, int64_t tid, uint16_t type, int64_t fd,
			  const void *data, size_t size, int64_t res, const capgen_tuple *t)
{
	uint32_t sip = 0, dip = 0;
	if(t != NULL && (!capgen_world_ip(w, t->sip, &sip) || !capgen_world_ip(w, t->dip, &dip)))
		return false;
	bool has_enter_tuple = type == PPME_SOCKET_SENDTO_E;
	bool has_exit_tuple = type == PPME_SOCKET_RECVFROM_E;

	if(!capgen_world_begin(w, type, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)fd);
	capgen_evt_num(&w->evt, size);
	if(has_enter_tuple) {
		if(t != NULL)
			capgen_evt_socktuple4(&w->evt, sip, t->sport, dip, t->dport);
		else
			capgen_evt_bytes(&w->evt, NULL, 0);
	}
	if(!capgen_world_emit(w, tid) || !capgen_world_begin(w, (uint16_t)(type + 1), tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	capgen_evt_bytes(&w->evt, data, capgen_world_snap(res, data ? size : 0));
	if(has_exit_tuple) {
		if(t != NULL)
			capgen_evt_socktuple4(&w->evt, sip, t->sport, dip, t->dport);
		else
			capgen_evt_bytes(&w->evt, NULL, 0);
	}
	return capgen_world_emit(w, tid);
}

bool capgen_sys_read(capgen_world *w, int64_t tid, int64_t fd,
		     const void *data, size_t size, int64_t res)
{
	return capgen_sys_io(w, tid, PPME_SYSCALL_READ_E, fd, data, size, res, NULL);
}

bool capgen_sys_write(capgen_world *w, int64_t tid, int64_t fd,
		      const void *data, size_t size, int64_t res)
{
	return capgen_sys_io(w, tid, PPME_SYSCALL_WRITE_E, fd, data, size, res, NULL);
}

bool capgen_sys_sendto(capgen_world *w, int64_t tid, int64_t fd, const void *data,
		       size_t size, int64_t res, const capgen_tuple *t)
{
	return capgen_sys_io(w, tid, PPME_SOCKET_SENDTO_E, fd, data, size, res, t);
}

bool capgen_sys_recvfrom(capgen_world *w, int64_t tid, int64_t fd, const void *data,
			 size_t size, int64_t res, const capgen_tuple *t)
{
	return capgen_sys_io(w, tid, PPME_SOCKET_RECVFROM_E, fd, data, size, res, t);
}

bool capgen_sys_close(capgen_world *w, int64_t tid, int64_t fd, int64_t res)
{
	if(!capgen_world_begin(w, PPME_SYSCALL_CLOSE_E, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)fd);
	if(!capgen_world_emit(w, tid) || !capgen_world_begin(w, PPME_SYSCALL_CLOSE_X, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	return capgen_world_emit(w, tid);
}

bool capgen_sys_socket(capgen_world *w, int64_t tid, uint32_t domain, uint32_t type,
		       uint32_t proto, int64_t res)
{
	if(!capgen_world_begin(w, PPME_SOCKET_SOCKET_E, tid))
		return false;
	capgen_evt_num(&w->evt, domain);
	capgen_evt_num(&w->evt, type);
	capgen_evt_num(&w->evt, proto);
	if(!capgen_world_emit(w, tid) || !capgen_world_begin(w, PPME_SOCKET_SOCKET_X, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	return capgen_world_emit(w, tid);
}

bool capgen_sys_connect(capgen_world *w, int64_t tid, int64_t fd,
			const char *sip, uint16_t sport, const char *dip, uint16_t dport,
			int64_t res)
{
	uint32_t s, d;
	if(!capgen_world_ip(w, sip, &s) || !capgen_world_ip(w, dip, &d))
		return false;
	if(!capgen_world_begin(w, PPME_SOCKET_CONNECT_E, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)fd);
	capgen_evt_sockaddr4(&w->evt, d, dport);
	if(!capgen_world_emit(w, tid) || !capgen_world_begin(w, PPME_SOCKET_CONNECT_X, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	capgen_evt_socktuple4(&w->evt, s, sport, d, dport);
	return capgen_world_emit(w, tid);
}

bool capgen_sys_accept(capgen_world *w, int64_t tid, bool accept4, int64_t res,
		       const char *cip, uint16_t cport, const char *sip, uint16_t sport)
{
	uint32_t c, s;
	if(!capgen_world_ip(w, cip, &c) || !capgen_world_ip(w, sip, &s))
		return false;
	uint16_t enter = accept4 ? PPME_SOCKET_ACCEPT4_5_E : PPME_SOCKET_ACCEPT_5_E;
	if(!capgen_world_begin(w, enter, tid))
		return false;
	if(accept4)
		capgen_evt_num(&w->evt, 0); /* flags */
	if(!capgen_world_emit(w, tid) || !capgen_world_begin(w, (uint16_t)(enter + 1), tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	/* Inbound: the driver reports the peer as source, us as destination. */
	capgen_evt_socktuple4(&w->evt, c, cport, s, sport);
	capgen_evt_num(&w->evt, 0);   /* queuepct */
	capgen_evt_num(&w->evt, 0);   /* queuelen */
	capgen_evt_num(&w->evt, 128); /* queuemax */
	return capgen_world_emit(w, tid);
}

bool capgen_sys_setuid(capgen_world *w, int64_t tid, uint32_t uid, int64_t res)
{
	capgen_proc *p = capgen_world_need(w, tid);
	if(p == NULL || !capgen_world_begin(w, PPME_SYSCALL_SETUID_E, tid))
		return false;
	capgen_evt_num(&w->evt, uid);
	if(!capgen_world_emit(w, tid) || !capgen_world_begin(w, PPME_SYSCALL_SETUID_X, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	if(res == 0)
		p->uid = uid;
	return capgen_world_emit(w, tid);
}

bool capgen_sys_chdir(capgen_world *w, int64_t tid, const char *path, int64_t res)
{
	capgen_proc *p = capgen_world_need(w, tid);
	if(p == NULL || !capgen_world_begin(w, PPME_SYSCALL_CHDIR_E, tid) || !capgen_world_emit(w, tid))
		return false;
	if(!capgen_world_begin(w, PPME_SYSCALL_CHDIR_X, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	capgen_evt_str(&w->evt, path);
	/* The model keeps absolute directories only, like the driver's cwd. */
	if(res == 0)
		snprintf(p->cwd, sizeof(p->cwd), "%s", path);
	return capgen_world_emit(w, tid);
}

bool capgen_sys_stat(capgen_world *w, int64_t tid, const char *path, int64_t res)
{
	if(!capgen_world_begin(w, PPME_SYSCALL_STAT_E, tid) || !capgen_world_emit(w, tid))
		return false;
	if(!capgen_world_begin(w, PPME_SYSCALL_STAT_X, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	capgen_evt_str(&w->evt, path);
	return capgen_world_emit(w, tid);
}

bool capgen_sys_mmap(capgen_world *w, int64_t tid, uint64_t len, int64_t fd, uint64_t res)
{
	if(!capgen_world_begin(w, PPME_SYSCALL_MMAP_E, tid))
		return false;
	capgen_evt_num(&w->evt, 0);
	capgen_evt_num(&w->evt, len);
	capgen_evt_num(&w->evt, PPM_PROT_READ | PPM_PROT_WRITE);
	capgen_evt_num(&w->evt, fd < 0 ? (PPM_MAP_PRIVATE | PPM_MAP_ANONYMOUS) : PPM_MAP_PRIVATE);
	capgen_evt_num(&w->evt, (uint64_t)fd);
	capgen_evt_num(&w->evt, 0);
	if(!capgen_world_emit(w, tid) || !capgen_world_begin(w, PPME_SYSCALL_MMAP_X, tid))
		return false;
	capgen_evt_num(&w->evt, res);
	capgen_evt_num(&w->evt, CAPGEN_VM_SIZE_KB);
	capgen_evt_num(&w->evt, CAPGEN_VM_RSS_KB);
	capgen_evt_num(&w->evt, 0);
	return capgen_world_emit(w, tid);
}

bool capgen_sys_futex(capgen_world *w, int64_t tid, uint64_t addr, uint16_t op, int64_t res)
{
	if(!capgen_world_begin(w, PPME_SYSCALL_FUTEX_E, tid))
		return false;
	capgen_evt_num(&w->evt, addr);
	capgen_evt_num(&w->evt, op);
	capgen_evt_num(&w->evt, 1);
	if(!capgen_world_emit(w, tid) || !capgen_world_begin(w, PPME_SYSCALL_FUTEX_X, tid))
		return false;
	capgen_evt_num(&w->evt, (uint64_t)res);
	return capgen_world_emit(w, tid);
}
