/* scratch.c: anonymous scratch files in $TMPDIR or /tmp (scratch.h). */
#include "scratch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A scratch file in dir, or NULL with errno set. */
static FILE *
scratch_in(const char *dir)
{
	char path[4096];
	FILE *f;
	int fd, e;
	int n = snprintf(path, sizeof path, "%s/owl-scratch-XXXXXX", dir);

	if (n < 0 || (size_t)n >= sizeof path) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return NULL;
	(void)unlink(path);
	if ((f = fdopen(fd, "w+")) == NULL) {
		e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

FILE *
scratch_file(void)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;

	if (dir != NULL && dir[0] != '\0' && (f = scratch_in(dir)) != NULL)
		return f;
	return scratch_in("/tmp");
}
