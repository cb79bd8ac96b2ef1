/* atomicfile.h: writing a file so that readers see the old content or
 * the new, never half of it: a temporary file beside it, written,
 * fsync'd, renamed over it, and the directory fsync'd. Used by the live
 * file.write and secret.put effects and by owl timeline -o. */
#ifndef OWL_ATOMICFILE_H
#define OWL_ATOMICFILE_H

#include <stddef.h>

#include "err.h"

/* A write in progress; the caller's struct (init with atomicfile_open). */
struct atomicfile {
	char *path; /* the file to replace */
	char *tmp; /* the temporary file beside it, NULL when none */
	int fd; /* the temporary file's descriptor (close-on-exec), -1 */
};

/* Starts replacing path: creates the temporary file "PATH.owl-XXXXXX" in
 * the same directory with mode `mode` (-1: the existing file's mode,
 * 0644 when there is none). A path that is a device, a pipe or a socket
 * is refused (replacing /dev/null would replace the device). Then write with
 * atomicfile_write (or to atomicfile_fd, e.g. to set its owner) and end with
 * atomicfile_commit or atomicfile_abort. -1 with err set ("PATH: reason"),
 * nothing left. */
int atomicfile_open(
    struct atomicfile *f, const char *path, int mode, struct err *err);

/* The temporary file's descriptor, for what write() cannot do (fchown,
 * fsetxattr). Borrowed: the atomicfile closes it. */
int atomicfile_fd(const struct atomicfile *f);

/* Appends n bytes. -1 with err set ("PATH: reason"); then abort. */
int atomicfile_write(
    struct atomicfile *f, const void *p, size_t n, struct err *err);

/* Makes the new content the file's: fsync, close, rename over the path,
 * fsync of the directory. On failure the temporary file is removed and
 * the old file left as it was: -1 with err set. Either way f is done. */
int atomicfile_commit(struct atomicfile *f, struct err *err);

/* Gives up: removes the temporary file. f is done; accepts a done f. */
void atomicfile_abort(struct atomicfile *f);

/* The three steps for content in memory. */
int atomicfile_put(
    const char *path, const void *p, size_t n, int mode, struct err *err);

#endif
