/* tests/slowsync.c: an LD_PRELOAD shim for the shell tests (compiled by
 * the test that uses it): a disk that takes its time. While the file
 * $OWL_TEST_SYNC_DIR/slow exists, fsync and fdatasync return
 * $OWL_TEST_SYNC_MS milliseconds late, as on a loaded disk, and
 * $OWL_TEST_SYNC_DIR/busy.TID exists while one is held up. While
 * $OWL_TEST_SYNC_DIR/fail exists, they fail with EIO (a dying disk). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef int (*slowsync_fn)(int);

static int
slowsync(const char *name, int fd)
{
	slowsync_fn real = (slowsync_fn)dlsym(RTLD_NEXT, name);
	const char *dir = getenv("OWL_TEST_SYNC_DIR"),
	           *ms = getenv("OWL_TEST_SYNC_MS");
	char flag[PATH_MAX], busy[PATH_MAX];
	struct timespec ts;
	long n;
	int b;

	if (dir == NULL || ms == NULL || (n = atol(ms)) <= 0)
		return real(fd);
	snprintf(flag, sizeof flag, "%s/fail", dir);
	if (access(flag, F_OK) == 0) {
		errno = EIO;
		return -1;
	}
	snprintf(flag, sizeof flag, "%s/slow", dir);
	if (access(flag, F_OK) != 0)
		return real(fd);
	snprintf(
	    busy, sizeof busy, "%s/busy.%ld", dir, (long)syscall(SYS_gettid));
	if ((b = open(busy, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) != -1)
		close(b);
	ts.tv_sec = n / 1000;
	ts.tv_nsec = (n % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1)
		;
	unlink(busy);
	return real(fd);
}

int
fsync(int fd)
{
	return slowsync("fsync", fd);
}

int
fdatasync(int fd)
{
	return slowsync("fdatasync", fd);
}
