/* rb_filter.h: the runbook worker's system-call filter, as libseccomp
 * rules. libseccomp renders them to a BPF program once, at build time
 * (engine/worker/main/rb_filter_gen.c writes build/gen/rb_filter_bpf.h),
 * and the worker loads that program (rb_worker_confine): building it with
 * libseccomp in every worker cost ~0.2 ms of CPU a run. tests/unit/
 * test_worker.c checks that the program is what libseccomp makes of
 * these rules now. */
#ifndef OWL_RB_FILTER_H
#define OWL_RB_FILTER_H

#include <seccomp.h>

/* The filter: memory, time, the worker's socket and exit allowed (mmap
 * and mprotect never with PROT_EXEC), anything else kills the process;
 * NULL when libseccomp fails. seccomp_release() it. */
scmp_filter_ctx rb_filter_ctx(void);

#endif
