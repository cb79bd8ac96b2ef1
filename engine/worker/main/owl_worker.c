/* owl_worker.c: owl-worker, the runbook worker as a program of its own
 * (rb_worker.h, RB_WORKER_PROGRAM): owl spawns it with the socket as
 * descriptor 3 and the limits as arguments; it lays out its heap, then
 * confines itself before anything else, then reads its runbook and runs
 * it (rb_vm_main). Linked statically: nothing to load, few pages to
 * touch. */
#include <jansson.h>
#include <signal.h>

#include "engine/heap.h"
#include "engine/worker/rb_vm.h"
#include "engine/worker/rb_worker.h"

int
main(int argc, char **argv)
{
	struct rb_worker_limits lim;
	struct rb_vm_conf conf;
	struct err err;
	json_t *held;
	sigset_t none;
	int fd, rc;

	/* owl spawns this program with every signal blocked
	 * (rb_worker_exec): its own come back now (SIGUSR1 cancels) */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* malloc's heap (libseccomp's filter, the Lua state's small
	 * blocks, the messages) in huge pages, as owl run's (engine/heap.h):
	 * a 20-step run touched ~20 of its 4 KiB pages, one fault each.
	 * Memory only, no input: the sandbox still comes before any. The
	 * block is never freed: the process ends with the run. */
	(void)heap_huge(RB_WORKER_HEAP);
	if ((fd = rb_worker_exec_main(argc, argv, &lim)) == -1)
		return RB_WORKER_EXIT_SETUP;
	err_init(&err);
	if (rb_vm_conf_recv(fd, &conf, &held, &err) == -1)
		return RB_WORKER_EXIT_OK + 2;
	/* the limits the broker confined it with are the ones it runs by */
	conf.mem_cap = lim.mem_cap;
	rc = rb_vm_main(fd, &conf);
	json_decref(held);
	return rc;
}
