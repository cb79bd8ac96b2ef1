/* rbsource_dir.c: a plain directory as a runbook source (--runbooks DIR,
 * and the working tree of a repository under --worktree). Unversioned:
 * the origin has no ref or commit. Files are opened component by
 * component without following symbolic links, so a link cannot lead a
 * read outside the directory. */
#include "rbsource.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rbsource_dir {
	char *root;
};

/* Opens path (valid per rbsource_path_valid) below root, refusing
 * symbolic links anywhere on the way. Returns the fd or -1 with errno. */
static int
rbsource_dir_openat(const char *root, const char *path)
{
	char comp[RBSOURCE_PATH_MAX];
	const char *p = path, *slash;
	int dfd, fd;

	if ((dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	while ((slash = strchr(p, '/')) != NULL) {
		memcpy(comp, p, (size_t)(slash - p));
		comp[slash - p] = '\0';
		fd = openat(
		    dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		if (fd == -1)
			return -1;
		dfd = fd;
		p = slash + 1;
	}
	fd = openat(dfd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	close(dfd);
	return fd;
}

static int
rbsource_dir_read(struct rbsource *src, const char *path, struct buf *out,
    char blob[RBSOURCE_OID_HEX], struct err *err)
{
	struct rbsource_dir *d = src->impl;
	size_t start = out->len;
	char chunk[8192];
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = rbsource_dir_openat(d->root, path)) == -1) {
		if (errno == ELOOP || errno == ENOTDIR)
			return err_set(err, ERR_FAILED,
			    "runbooks: %s: a "
			    "symbolic link or not a file; refused",
			    path);
		return err_set(err, ERR_FAILED, "runbooks: %s: %s", path,
		    errno == ENOENT ? "no such file" : strerror(errno));
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		err_set(
		    err, ERR_FAILED, "runbooks: %s: not a regular file", path);
		goto out;
	}
	if (st.st_size > RBSOURCE_FILE_MAX)
		goto big;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(err, ERR_FAILED, "runbooks: %s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (out->len - start + (size_t)n > RBSOURCE_FILE_MAX)
			goto big;
		if (buf_add(out, chunk, (size_t)n, err) == -1)
			goto out;
	}
	if (blob != NULL)
		rbsource_blob_id(
		    out->data ? out->data + start : "", out->len - start, blob);
	rc = 0;
	goto out;
big:
	err_set(err, ERR_FAILED, "runbooks: %s: larger than %d bytes", path,
	    RBSOURCE_FILE_MAX);
out:
	close(fd);
	return rc;
}

static int
rbsource_dir_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the names of the runbook files (regular NAME.lua, not links)
 * at the top of the directory, sorted. */
static int
rbsource_dir_names(
    const char *root, char ***namesp, size_t *np, struct err *err)
{
	char **names = NULL, **grown;
	size_t n = 0, cap = 0, len;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int dfd;

	if ((dir = opendir(root)) == NULL)
		return err_set(
		    err, ERR_FAILED, "runbooks: %s: %s", root, strerror(errno));
	dfd = dirfd(dir);
	while ((de = readdir(dir)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".lua") != 0 ||
		    !rbsource_path_valid(de->d_name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(names, cap * sizeof *names)) ==
			    NULL)
				goto oom;
			names = grown;
		}
		if ((names[n] = strndup(de->d_name, len - 4)) == NULL)
			goto oom;
		n++;
	}
	closedir(dir);
	if (n > 0)
		qsort(names, n, sizeof *names, rbsource_dir_cmp);
	*namesp = names;
	*np = n;
	return 0;
oom:
	closedir(dir);
	while (n > 0)
		free(names[--n]);
	free(names);
	return err_set(err, ERR_FAILED, "out of memory");
}

static int
rbsource_dir_list(
    struct rbsource *src, rbsource_entry_fn fn, void *ctx, struct err *err)
{
	struct rbsource_dir *d = src->impl;
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (rbsource_dir_names(d->root, &names, &n, err) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		rc = fn(names[i], "", ctx);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static void
rbsource_dir_close(struct rbsource *src)
{
	struct rbsource_dir *d = src->impl;

	if (d != NULL)
		free(d->root);
	free(d);
}

static const struct rbsource_ops rbsource_dir_ops = {
	rbsource_dir_list,
	rbsource_dir_read,
	rbsource_dir_close,
};

struct rbsource *
rbsource_dir_open(const char *dir, struct err *err)
{
	struct rbsource *src;
	struct rbsource_dir *d;
	struct stat st;

	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    access(dir, R_OK | X_OK) == -1) {
		err_set(err, ERR_USAGE,
		    "runbooks: %s: not a readable "
		    "directory",
		    dir);
		return NULL;
	}
	src = calloc(1, sizeof *src);
	d = calloc(1, sizeof *d);
	if (src == NULL || d == NULL || (d->root = strdup(dir)) == NULL ||
	    (src->origin.repo = strdup(dir)) == NULL) {
		if (d != NULL)
			free(d->root);
		free(d);
		free(src);
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	src->ops = &rbsource_dir_ops;
	src->impl = d;
	src->origin.kind = RBSOURCE_DIR;
	return src;
}
