/* rb_worker.h: the runbook worker process. The broker forks one worker
 * per run; the worker keeps only its socket to the broker, drops into a
 * new session, and confines itself (rlimits, no_new_privs, a seccomp
 * allow-list) so that it can compute and talk to the broker, nothing
 * else. SECURITY.md §1.9: the process, not the Lua VM, is the boundary. */
#ifndef OWL_RB_WORKER_H
#define OWL_RB_WORKER_H

#include <sched.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/err.h"

/* Exit statuses a worker uses to say why it ended. */
#define RB_WORKER_EXIT_OK 0
#define RB_WORKER_EXIT_MEMCAP 86 /* the Lua allocator hit its cap */
#define RB_WORKER_EXIT_SETUP 87 /* could not confine itself */

struct rb_worker_limits {
	size_t mem_cap; /* bytes the Lua state may hold */
	int cpu_s; /* RLIMIT_CPU, seconds (0: none) */
};

/* The function a worker runs once confined; its return value is the
 * worker's exit status. fd is the socket to the broker. */
typedef int rb_worker_fn(int fd, void *arg);

/* Forks a worker that confines itself and calls fn(fd, arg). The parent
 * gets the child's pid and its end of the socketpair (close-on-exec).
 * Returns 0, or -1 with err set. The child never returns from here. */
int rb_worker_spawn(const struct rb_worker_limits *lim, rb_worker_fn *fn,
    void *arg, pid_t *pid, int *fd, struct err *err);

/* The standalone worker program (owl-worker), beside the running
 * executable: a small static binary that confines itself at once and
 * reads its runbook from the socket (rb_vm_conf_send). Spawning it
 * instead of forking owl costs a fraction: a forked child of a big
 * process pays for every page of its parent it touches (on a VM with
 * shadow paging ~7 us a read, ~25 us a copy-on-write, and the parent as
 * much again for each page it writes while the child lives); vfork +
 * exec shares nothing. */
#define RB_WORKER_PROGRAM "owl-worker"
/* The address space owl-worker's heap grows by at a time (heap_huge):
 * room in huge pages for what a run allocates outside the Lua state's
 * big blocks; RLIMIT_AS leaves 256 MiB besides the Lua cap. */
#define RB_WORKER_HEAP ((size_t)8 << 20)

/* The GNU build id (hex) of the owl-worker this owl was linked with:
 * make reads it from owl-worker's ELF note into build/gen/worker_id.c,
 * linked into owl only. Weak: a program built without it (the ASan owl,
 * the unit tests) has none and always forks its worker. */
extern const char rb_worker_build_id[] __attribute__((weak));

/* Hex digits of a build id, with its NUL (ids are at most 64 bytes). */
#define RB_WORKER_ID_MAX 129

/* What rb_worker_program found beside the running executable. */
enum rb_worker_found {
	RB_WORKER_NONE, /* none, or not trusted: fork (said nowhere) */
	RB_WORKER_OK, /* the program to spawn */
	RB_WORKER_OTHER /* trusted, but from another build: fork, and say so */
};

/* Finds the worker program beside /proc/self/exe into out (n bytes). It
 * is RB_WORKER_OK when it is a regular file owned by the same user as
 * the running executable (or root) that only its owner may write, whose
 * GNU build id is rb_worker_build_id: the very program this owl was
 * built with, so that both speak the same protocol. A program that
 * passes the first checks but carries another id (or none: a partial
 * copy, an install of one file, a stale build) is RB_WORKER_OTHER, with
 * why (wn bytes) saying which ids. */
enum rb_worker_found rb_worker_program(
    char *out, size_t n, char *why, size_t wn);

/* The BPF program rb_worker_confine loads (the filter of rb_filter.h as
 * libseccomp rendered it at build time): *n bytes at *prog. */
void rb_worker_filter(const void **prog, size_t *n);

/* Reads the GNU build id from the ELF file open at fd, as hex into hex
 * (n bytes). Returns 0, or -1 when it is not an ELF file of this
 * machine's class or has no build id note. Reads at most a few KiB. */
int rb_worker_build_id_of(int fd, char *hex, size_t n);

/* Spawns the worker program at path (vfork + exec, no environment, the
 * socket as descriptor 3, the limits in its arguments, every signal
 * blocked: the program unblocks them first); it confines itself before
 * it reads anything. The parent gets the pid and its end
 * of the socketpair (close-on-exec). Returns 0, or -1 with err set. */
int rb_worker_exec(const char *path, const struct rb_worker_limits *lim,
    pid_t *pid, int *fd, struct err *err);

/* The worker program's main: checks its arguments (the limits), confines
 * itself, and returns the socket (3), or -1 (the program exits
 * RB_WORKER_EXIT_SETUP). */
int rb_worker_exec_main(int argc, char **argv, struct rb_worker_limits *lim);

/* Confines the calling process: closes every descriptor but fd (moved to
 * descriptor 3; returns the new number), new session, parent-death
 * signal, rlimits (no files, no processes, address space, CPU), no core
 * dumps, PR_SET_NO_NEW_PRIVS and the seccomp allow-list. After it, a
 * forbidden system call kills the process with SIGSYS. Returns the new
 * fd, or -1 with err set. Exposed for the unit tests. */
int rb_worker_confine(
    int fd, const struct rb_worker_limits *lim, struct err *err);

/* Broker and worker talk in lockstep: one waits while the other works.
 * Keeping both on the CPU the broker runs on turns each round trip's
 * cross-CPU wake-up into a cheap local switch (half the per-effect cost
 * measured on a 2-core VM). rb_worker_pin saves the broker's CPU set in
 * *saved and pins the broker and the worker; rb_worker_unpin restores
 * the broker's set. Both are best effort: pinning is only speed. */
void rb_worker_pin(pid_t worker, cpu_set_t *saved, int *pinned);
void rb_worker_unpin(const cpu_set_t *saved, int *pinned);

/* Describes how a worker ended from its wait status, into out (n bytes):
 * "exited 1", "killed by SIGSEGV", "hit its memory cap". */
void rb_worker_describe(int status, char *out, size_t n);

#endif
