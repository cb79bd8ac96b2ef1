/* tests/forkslow.c: an LD_PRELOAD shim for the shell tests (compiled by
 * the test that uses it): after fork(), the parent waits
 * $OWL_TEST_FORK_PARENT_MS milliseconds before it goes on, so the child
 * always runs first, as a loaded machine sometimes schedules it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

typedef pid_t (*forkslow_fn)(void);

pid_t
fork(void)
{
	forkslow_fn real = (forkslow_fn)dlsym(RTLD_NEXT, "fork");
	const char *ms = getenv("OWL_TEST_FORK_PARENT_MS");
	struct timespec ts;
	pid_t pid;
	long n;

	pid = real();
	if (pid > 0 && ms != NULL && (n = atol(ms)) > 0) {
		ts.tv_sec = n / 1000;
		ts.tv_nsec = (n % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) == -1)
			;
	}
	return pid;
}
