/* rb_worker.c: forking and confining the runbook worker (rb_worker.h). */
#include "rb_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <seccomp.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RB_WORKER_FD 3

#if defined(__SANITIZE_ADDRESS__)
#define RB_WORKER_ASAN 1 /* ASan reserves terabytes: no RLIMIT_AS */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RB_WORKER_ASAN 1
#endif
#endif
#ifndef RB_WORKER_ASAN
#define RB_WORKER_ASAN 0
#endif

/* The system calls a worker may make: memory, time, its socket, exit. */
static const int rb_worker_allowed[] = {
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(readv),
	SCMP_SYS(writev),
	SCMP_SYS(close),
	SCMP_SYS(brk),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	SCMP_SYS(madvise),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(clock_gettime),
	SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(getpid),
	SCMP_SYS(gettid),
	SCMP_SYS(futex),
	SCMP_SYS(restart_syscall),
	SCMP_SYS(sched_yield),
	SCMP_SYS(getrandom),
	SCMP_SYS(poll),
	SCMP_SYS(ppoll),
	SCMP_SYS(sigaltstack),
	SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg),
};

static int
rb_worker_seccomp(struct err *err)
{
	scmp_filter_ctx ctx;
	int rc = -1;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return err_set(err, ERR_FAILED, "seccomp: cannot initialise");
	for (size_t i = 0;
	     i < sizeof rb_worker_allowed / sizeof rb_worker_allowed[0]; i++)
		if (seccomp_rule_add(
		        ctx, SCMP_ACT_ALLOW, rb_worker_allowed[i], 0) != 0)
			goto out;
	/* Memory may be mapped, but never executable. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	        SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	        SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0)
		goto out;
	if (seccomp_load(ctx) != 0)
		goto out;
	rc = 0;
out:
	seccomp_release(ctx);
	if (rc == -1)
		err_set(err, ERR_FAILED, "seccomp: cannot load the filter");
	return rc;
}

/* Address space: what is mapped now plus the Lua cap and room for the
 * protocol's buffers. */
static rlim_t
rb_worker_as_limit(size_t mem_cap)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f != NULL) {
		if (fscanf(f, "%lu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) +
	    (rlim_t)mem_cap * 2 + ((rlim_t)256 << 20);
}

static int
rb_worker_rlimits(const struct rb_worker_limits *lim, struct err *err)
{
	struct rlimit r;
	rlim_t as = rb_worker_as_limit(lim->mem_cap);

	r.rlim_cur = r.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &r) == -1 ||
	    setrlimit(RLIMIT_FSIZE, &r) == -1 ||
	    setrlimit(RLIMIT_NPROC, &r) == -1)
		goto fail;
	r.rlim_cur = r.rlim_max = RB_WORKER_FD + 1;
	if (setrlimit(RLIMIT_NOFILE, &r) == -1)
		goto fail;
	if (lim->cpu_s > 0) {
		r.rlim_cur = (rlim_t)lim->cpu_s;
		r.rlim_max = (rlim_t)lim->cpu_s + 1;
		if (setrlimit(RLIMIT_CPU, &r) == -1)
			goto fail;
	}
	if (!RB_WORKER_ASAN) {
		r.rlim_cur = r.rlim_max = as;
		if (setrlimit(RLIMIT_AS, &r) == -1)
			goto fail;
	}
	return 0;
fail:
	return err_set(err, ERR_FAILED, "setrlimit: %s", strerror(errno));
}

extern char **environ;

/* The worker is forked from the broker and so holds a copy of its
 * environment: wipe the bytes and drop it (nothing in the worker reads
 * it, and a runbook that got hold of the process's memory must not find
 * values there). */
static void
rb_worker_scrub_env(void)
{
	for (char **p = environ; p != NULL && *p != NULL; p++)
		explicit_bzero(*p, strlen(*p));
	clearenv();
}

int
rb_worker_confine(int fd, const struct rb_worker_limits *lim, struct err *err)
{
	pid_t parent = getppid();

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		return err_set(err, ERR_FAILED, "the broker went away");
	setsid(); /* no terminal: ^C goes to the broker, which decides */
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (fd != RB_WORKER_FD) {
		if (dup2(fd, RB_WORKER_FD) == -1)
			return err_set(
			    err, ERR_FAILED, "dup2: %s", strerror(errno));
		fd = RB_WORKER_FD;
	}
	/* jansson seeds its hash function from /dev/urandom on first use:
	 * do it now, while files can still be opened. */
	json_object_seed(0);
	rb_worker_scrub_env();
	if (rb_worker_rlimits(lim, err) == -1)
		return -1;
	if (close_range(0, RB_WORKER_FD - 1, 0) == -1 ||
	    close_range(RB_WORKER_FD + 1, ~0U, 0) == -1)
		return err_set(
		    err, ERR_FAILED, "close_range: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return err_set(err, ERR_FAILED, "prctl: %s", strerror(errno));
	if (rb_worker_seccomp(err) == -1)
		return -1;
	return fd;
}

int
rb_worker_spawn(const struct rb_worker_limits *lim, rb_worker_fn *fn, void *arg,
    pid_t *pid, int *fd, struct err *err)
{
	struct err cerr;
	int sv[2], cfd;
	pid_t p;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return err_set(
		    err, ERR_FAILED, "socketpair: %s", strerror(errno));
	fflush(NULL);
	if ((p = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return err_set(err, ERR_FAILED, "fork: %s", strerror(errno));
	}
	if (p == 0) {
		close(sv[0]);
		err_init(&cerr);
		if ((cfd = rb_worker_confine(sv[1], lim, &cerr)) == -1)
			_exit(RB_WORKER_EXIT_SETUP);
		_exit(fn(cfd, arg));
	}
	close(sv[1]);
	*pid = p;
	*fd = sv[0];
	return 0;
}

int
rb_worker_program(char *out, size_t n)
{
	char self[PATH_MAX], *slash;
	struct stat me, st;
	ssize_t len;

	if ((len = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0)
		return -1;
	self[len] = '\0';
	if ((slash = strrchr(self, '/')) == NULL || stat(self, &me) == -1)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(out, n, "%s/%s", self, RB_WORKER_PROGRAM) >= n ||
	    stat(out, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != me.st_uid && st.st_uid != 0) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    (st.st_mode & S_IXUSR) == 0)
		return -1;
	return 0;
}

int
rb_worker_exec(const char *path, const struct rb_worker_limits *lim, pid_t *pid,
    int *fd, struct err *err)
{
	char cap[32], cpu[16];
	char *argv[] = { RB_WORKER_PROGRAM, cap, cpu, NULL };
	char *envp[] = { NULL };
	posix_spawn_file_actions_t fa;
	int sv[2], rc;

	snprintf(cap, sizeof cap, "%zu", lim->mem_cap);
	snprintf(cpu, sizeof cpu, "%d", lim->cpu_s);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return err_set(
		    err, ERR_FAILED, "socketpair: %s", strerror(errno));
	/* dup2 onto descriptor 3 clears close-on-exec there; sv[1] itself
	 * is 3 only if 0-2 are closed, then it must be moved first */
	posix_spawn_file_actions_init(&fa);
	if (sv[1] == RB_WORKER_FD) {
		posix_spawn_file_actions_adddup2(&fa, sv[1], RB_WORKER_FD + 1);
		posix_spawn_file_actions_adddup2(
		    &fa, RB_WORKER_FD + 1, RB_WORKER_FD);
	} else {
		posix_spawn_file_actions_adddup2(&fa, sv[1], RB_WORKER_FD);
	}
	rc = posix_spawn(pid, path, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		return err_set(
		    err, ERR_FAILED, "cannot start %s: %s", path, strerror(rc));
	}
	*fd = sv[0];
	return 0;
}

int
rb_worker_exec_main(int argc, char **argv, struct rb_worker_limits *lim)
{
	unsigned long long cap;
	char *end;
	struct err err;
	long cpu;

	if (argc != 3)
		return -1;
	errno = 0;
	cap = strtoull(argv[1], &end, 10);
	if (errno != 0 || *end != '\0' || cap == 0 || cap > SIZE_MAX / 4)
		return -1;
	cpu = strtol(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || cpu < 0 || cpu > INT_MAX)
		return -1;
	lim->mem_cap = (size_t)cap;
	lim->cpu_s = (int)cpu;
	err_init(&err);
	return rb_worker_confine(RB_WORKER_FD, lim, &err);
}

void
rb_worker_pin(pid_t worker, cpu_set_t *saved, int *pinned)
{
	cpu_set_t one;
	int cpu;

	*pinned = 0;
	if (sched_getaffinity(0, sizeof *saved, saved) == -1 ||
	    CPU_COUNT(saved) < 2 || (cpu = sched_getcpu()) < 0 ||
	    !CPU_ISSET(cpu, saved))
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) == -1)
		return;
	*pinned = 1;
	(void)sched_setaffinity(worker, sizeof one, &one);
}

void
rb_worker_unpin(const cpu_set_t *saved, int *pinned)
{
	if (*pinned)
		(void)sched_setaffinity(0, sizeof *saved, saved);
	*pinned = 0;
}

void
rb_worker_describe(int status, char *out, size_t n)
{
	if (WIFEXITED(status)) {
		switch (WEXITSTATUS(status)) {
		case RB_WORKER_EXIT_MEMCAP:
			snprintf(out, n, "hit its memory cap");
			break;
		case RB_WORKER_EXIT_SETUP:
			snprintf(out, n, "could not confine itself");
			break;
		default: snprintf(out, n, "exited %d", WEXITSTATUS(status));
		}
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *name = sigabbrev_np(sig);
		snprintf(out, n, "killed by SIG%s%s", name ? name : "?",
		    sig == SIGSYS        ? " (a forbidden system call)"
		        : sig == SIGXCPU ? " (its CPU limit)"
		                         : "");
	} else {
		snprintf(out, n, "ended (status %d)", status);
	}
}
