/* rb_worker.c: forking and confining the runbook worker (rb_worker.h). */
#include "rb_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <limits.h>
#include <signal.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* The filter (rb_filter.h), rendered by libseccomp at build time. */
#include "build/gen/rb_filter_bpf.h"

void
rb_worker_filter(const void **prog, size_t *n)
{
	*prog = rb_filter_bpf;
	*n = sizeof rb_filter_bpf;
}

static int
rb_worker_seccomp(struct err *err)
{
	struct sock_fprog prog = {
		.len = sizeof rb_filter_bpf / sizeof rb_filter_bpf[0],
		.filter = (struct sock_filter *)rb_filter_bpf,
	};

	/* as libseccomp's seccomp_load did: no-new-privs is set already */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
		return err_set(err, ERR_FAILED,
		    "seccomp: cannot load the filter: %s", strerror(errno));
	return 0;
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
rb_worker_exec(const char *path, const struct rb_worker_limits *lim, pid_t *pid,
    int *fd, struct err *err)
{
	char cap[32], cpu[16];
	char *argv[] = { RB_WORKER_PROGRAM, cap, cpu, NULL };
	char *envp[] = { NULL };
	volatile int child_errno = 0;
	sigset_t all, old;
	int sv[2];
	pid_t p;

	snprintf(cap, sizeof cap, "%zu", lim->mem_cap);
	snprintf(cpu, sizeof cpu, "%d", lim->cpu_s);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return err_set(
		    err, ERR_FAILED, "socketpair: %s", strerror(errno));
	/* vfork, not posix_spawn: glibc's child resets all 64 signal
	 * handlers one system call at a time (~130 of them, ~0.15 ms of
	 * CPU a run) and runs on a stack mapped for it. Here every signal
	 * stays blocked from before the vfork to the program's first
	 * instruction (owl-worker unblocks them), so no handler of owl's
	 * can run in the child; exec resets the caught ones to their
	 * default, and the ignored ones stay ignored, as with posix_spawn.
	 * The child only moves the socket to descriptor 3 (dup2 clears
	 * close-on-exec there; when sv[1] is 3 already, fcntl does) and
	 * execs; a failure's errno comes back through the shared memory. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if ((p = vfork()) == 0) {
		if ((sv[1] == RB_WORKER_FD ? fcntl(sv[1], F_SETFD, 0)
		                           : dup2(sv[1], RB_WORKER_FD)) != -1)
			execve(path, argv, envp);
		child_errno = errno;
		_exit(127);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	if (p == -1 || child_errno != 0) {
		int e = p == -1 ? errno : child_errno;
		if (p != -1)
			waitpid(p, NULL, 0);
		close(sv[0]);
		return err_set(
		    err, ERR_FAILED, "cannot start %s: %s", path, strerror(e));
	}
	*pid = p;
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
