/* rb_filter.c: the runbook worker's system-call filter (rb_filter.h). */
#include "rb_filter.h"

#include <stddef.h>
#include <sys/mman.h>

/* The system calls a worker may make: memory, time, its socket, exit. */
static const int rb_filter_allowed[] = {
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

scmp_filter_ctx
rb_filter_ctx(void)
{
	scmp_filter_ctx ctx;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return NULL;
	for (size_t i = 0;
	     i < sizeof rb_filter_allowed / sizeof rb_filter_allowed[0]; i++)
		if (seccomp_rule_add(
		        ctx, SCMP_ACT_ALLOW, rb_filter_allowed[i], 0) != 0)
			goto fail;
	/* Memory may be mapped, but never executable. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	        SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	        SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0)
		goto fail;
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}
