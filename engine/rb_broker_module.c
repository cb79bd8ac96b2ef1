/* rb_broker_module.c: the broker's answer to a runbook's require(name):
 * the module's source from the run's snapshot, or from the runbook
 * directory (never outside it). */
#include "rb_broker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

#define RB_BROKER_MODULE_MAX (1 << 20)

/* require(name) from the run's snapshot (the runbook's own commit). */
static json_t *
rb_broker_module_src(struct rb_broker *b, const char *name)
{
	char path[RBSOURCE_PATH_MAX];
	struct err err;
	struct buf src;
	json_t *r;

	err_init(&err);
	buf_init(&src, RBSOURCE_FILE_MAX + 1);
	if (rbsource_read_module(
	        b->src, name ? name : "", &src, path, NULL, &err) == -1)
		r = json_pack("{s:s}", "error", err.msg);
	else
		r = json_pack("{s:s%, s:s}", "source", buf_str(&src), src.len,
		    "path", path);
	buf_done(&src);
	return r ? r : json_pack("{s:s}", "error", "not UTF-8 text");
}

/* require(name): a .lua file under the runbook directory, never outside
 * it (symbolic links resolved). */
json_t *
rb_broker_module(struct rb_broker *b, const char *name)
{
	char rel[256], path[PATH_MAX], real[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	struct buf src;
	json_t *r = NULL;
	char chunk[8192];
	ssize_t n;
	int fd;

	if (b->src != NULL)
		return rb_broker_module_src(b, name);
	snprintf(rel, sizeof rel, "%s", name ? name : "");
	for (char *p = rel; *p; p++)
		if (*p == '.')
			*p = '/';
	snprintf(path, sizeof path, "%s/%s.lua", b->dir, rel);
	if (realpath(b->dir, dir) == NULL || realpath(path, real) == NULL)
		return json_pack("{s:s}", "error", "no such module");
	if (strncmp(real, dir, strlen(dir)) != 0 || real[strlen(dir)] != '/')
		return json_pack("{s:s}", "error",
		    "the module is outside the "
		    "runbook directory");
	/* O_NONBLOCK and a regular file: a FIFO must not hang the broker */
	if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return json_pack("{s:s}", "error", strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return json_pack("{s:s}", "error", "not a regular file");
	}
	buf_init(&src, RB_BROKER_MODULE_MAX);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		if (buf_add(&src, chunk, (size_t)n, NULL) == -1)
			break;
	close(fd);
	if (n != 0)
		r = json_pack("{s:s}", "error", "unreadable or too large");
	else
		r = json_pack("{s:s%, s:s}", "source", buf_str(&src), src.len,
		    "path", real + strlen(dir) + 1);
	buf_done(&src);
	return r ? r : json_pack("{s:s}", "error", "not UTF-8 text");
}
