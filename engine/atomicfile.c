/* atomicfile.c: replacing a file atomically (see atomicfile.h). */
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
atomicfile_reset(struct atomicfile *f)
{
	free(f->path);
	free(f->tmp);
	f->path = f->tmp = NULL;
	f->fd = -1;
}

int
atomicfile_open(
    struct atomicfile *f, const char *path, int mode, struct err *err)
{
	size_t n = strlen(path) + sizeof ".owl-XXXXXX";
	struct stat st;

	f->fd = -1;
	f->path = strdup(path);
	f->tmp = malloc(n);
	if (f->path == NULL || f->tmp == NULL) {
		atomicfile_reset(f);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	if (stat(path, &st) == 0 &&
	    (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
	        S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		/* renaming a file over /dev/null replaces the device */
		err_set(err, ERR_FAILED,
		    "%s: not a regular file (a device, pipe or socket); owl "
		    "writes a file by replacing it",
		    path);
		atomicfile_reset(f);
		return -1;
	}
	if (mode < 0)
		mode = stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : 0644;
	snprintf(f->tmp, n, "%s.owl-XXXXXX", path);
	if ((f->fd = mkostemp(f->tmp, O_CLOEXEC)) == -1) {
		err_set(err, ERR_FAILED, "%s: %s", path, strerror(errno));
		atomicfile_reset(f);
		return -1;
	}
	if (fchmod(f->fd, (mode_t)mode) == -1) {
		err_set(err, ERR_FAILED, "%s: %s", path, strerror(errno));
		atomicfile_abort(f);
		return -1;
	}
	return 0;
}

int
atomicfile_fd(const struct atomicfile *f)
{
	return f->fd;
}

int
atomicfile_write(struct atomicfile *f, const void *p, size_t n, struct err *err)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(f->fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return err_set(err, ERR_FAILED, "%s: %s", f->path,
			    strerror(errno));
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Makes the rename itself durable; a failure here is not reported: the
 * file is in place, only its survival of a power cut is less sure. */
static void
atomicfile_sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (copy == NULL)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int
atomicfile_commit(struct atomicfile *f, struct err *err)
{
	int fd = f->fd, rc, e = 0;

	f->fd = -1;
	if ((rc = fsync(fd)) == -1)
		e = errno;
	if (close(fd) == -1 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0 && rename(f->tmp, f->path) == -1) {
		rc = -1;
		e = errno;
	}
	if (rc == -1) {
		err_set(err, ERR_FAILED, "%s: %s", f->path, strerror(e));
		atomicfile_abort(f);
		return -1;
	}
	atomicfile_sync_dir(f->path);
	atomicfile_reset(f);
	return 0;
}

void
atomicfile_abort(struct atomicfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp != NULL)
		unlink(f->tmp);
	atomicfile_reset(f);
}

int
atomicfile_put(
    const char *path, const void *p, size_t n, int mode, struct err *err)
{
	struct atomicfile f;

	if (atomicfile_open(&f, path, mode, err) == -1)
		return -1;
	if (atomicfile_write(&f, p, n, err) == -1) {
		atomicfile_abort(&f);
		return -1;
	}
	return atomicfile_commit(&f, err);
}
