/* effects_live.c: effects performed for real (see effects_live.h). */
#include "effects_live.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "effects_exec.h"
#include "effects_git.h"
#include "effects_http.h"
#include "engine/atomicfile.h"
#include "engine/paths.h"

#define EFFECTS_LIVE_SECRET_MAX ((size_t)1 << 16) /* bytes per secret */
#define EFFECTS_LIVE_SECRETS_MAX 4096 /* files read from the directory */

extern char **environ;

/* An environment variable taken out of the environment (see
 * effects_live_env_take). */
struct effects_live_env {
	char *var;
	char *value;
	size_t len;
};

struct effects_live {
	const struct config *config;
	char *secret_dir;
	struct effects_git_live *git; /* the work copies, made at first use */
	struct effects_live_env *env;
	size_t nenv;
};

static int
effects_live_http(void *ctx, const struct effects_http *req,
    struct effects_http_res *res, struct err *err)
{
	(void)ctx;
	return effects_http_do(req, res, err);
}

static int
effects_live_exec(void *ctx, const struct effects_exec *req,
    struct effects_exec_res *res, struct err *err)
{
	(void)ctx;
	return effects_exec_do(req, res, err);
}

static int
effects_live_read_fd(int fd, const char *path, struct buf *out, struct err *err)
{
	char chunk[16384];
	ssize_t r;

	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		if (buf_add(out, chunk, (size_t)r, err) == -1) {
			err_prefix(err, "%s: ", path);
			return -1;
		}
	if (r == -1)
		return err_set(
		    err, ERR_FAILED, "%s: %s", path, strerror(errno));
	return 0;
}

static int
effects_live_file_read(
    void *ctx, const char *path, struct effects_file_res *res, struct err *err)
{
	struct stat st;
	int fd, rc;

	(void)ctx;
	/* O_NONBLOCK: open() of a FIFO would wait, outside any deadline */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		if (errno == ENOENT) {
			res->missing = 1;
			return 0;
		}
		return err_set(
		    err, ERR_FAILED, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(err, ERR_FAILED, "%s: not a regular file", path);
	}
	rc = effects_live_read_fd(fd, path, &res->content, err);
	close(fd);
	return rc;
}

/* The names of path's extended attributes (ACLs are some), NUL-separated,
 * into *list (malloc'd); 0 with *n = 0 when the file system has none. */
static int
effects_live_xattr_names(const char *path, int fd, char **list, ssize_t *n)
{
	*list = NULL;
	for (int tries = 0; tries < 4; tries++) {
		ssize_t want =
		    path ? listxattr(path, NULL, 0) : flistxattr(fd, NULL, 0);
		if (want == -1 && (errno == ENOTSUP || errno == ENOSYS)) {
			*n = 0;
			return 0;
		}
		if (want <= 0) {
			*n = want == 0 ? 0 : -1;
			return (int)*n;
		}
		if ((*list = malloc((size_t)want)) == NULL)
			return -1;
		*n = path ? listxattr(path, *list, (size_t)want)
		          : flistxattr(fd, *list, (size_t)want);
		if (*n >= 0)
			return 0;
		free(*list);
		*list = NULL;
		if (errno != ERANGE) /* it grew meanwhile: again */
			return -1;
	}
	return -1;
}

/* Gives the temporary file at fd what the file it replaces has: its
 * owner and group, and its extended attributes (POSIX ACLs, labels);
 * drops those the new file got from its directory. A file whose owner or
 * attributes cannot be kept is not written (-1). */
static int
effects_live_keep(
    int fd, const char *path, const struct stat *st, struct err *err)
{
	char *names = NULL, *mine = NULL, val[65536];
	ssize_t n = 0, m = 0, len;
	int rc = -1;

	if ((st->st_uid != geteuid() || st->st_gid != getegid()) &&
	    fchown(fd, st->st_uid, st->st_gid) == -1)
		return err_set(err, ERR_FAILED,
		    "%s: cannot keep its owner and group (%lu:%lu): %s; not "
		    "written",
		    path, (unsigned long)st->st_uid, (unsigned long)st->st_gid,
		    strerror(errno));
	if (effects_live_xattr_names(path, -1, &names, &n) == -1 ||
	    effects_live_xattr_names(NULL, fd, &mine, &m) == -1) {
		err_set(err, ERR_FAILED,
		    "%s: cannot read its extended "
		    "attributes: %s; not written",
		    path, strerror(errno));
		goto out;
	}
	for (ssize_t i = 0; i < m; i += (ssize_t)strlen(mine + i) + 1)
		if (fgetxattr(fd, mine + i, NULL, 0) >= 0 &&
		    getxattr(path, mine + i, NULL, 0) == -1 &&
		    fremovexattr(fd, mine + i) == -1) {
			err_set(err, ERR_FAILED,
			    "%s: cannot drop the extended "
			    "attribute %s it does not have: %s; not written",
			    path, mine + i, strerror(errno));
			goto out;
		}
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(names + i) + 1) {
		if ((len = getxattr(path, names + i, val, sizeof val)) == -1 ||
		    fsetxattr(fd, names + i, val, (size_t)len, 0) == -1) {
			err_set(err, ERR_FAILED,
			    "%s: cannot keep its extended "
			    "attribute %s: %s; not written",
			    path, names + i, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	free(names);
	free(mine);
	return rc;
}

int
effects_live_write_file(
    const char *path, const char *data, size_t n, int mode, struct err *err)
{
	struct atomicfile f;
	struct stat st;
	int exists;

	exists = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	if (mode < 0)
		mode = exists ? (int)(st.st_mode & 07777) : 0644;
	if (atomicfile_open(&f, path, mode, err) == -1)
		return -1;
	/* owner first (it may clear set-id bits), then attributes (an ACL
	 * sets mode bits too), then the mode again */
	if ((exists &&
	        effects_live_keep(atomicfile_fd(&f), path, &st, err) == -1) ||
	    (fchmod(atomicfile_fd(&f), (mode_t)mode) == -1 &&
	        err_set(err, ERR_FAILED, "%s: %s", path, strerror(errno))) ||
	    atomicfile_write(&f, data, n, err) == -1) {
		atomicfile_abort(&f);
		return -1;
	}
	return atomicfile_commit(&f, err);
}

static int
effects_live_file_write(void *ctx, const char *path, const char *data, size_t n,
    int mode, int *simulated, struct err *err)
{
	(void)ctx;
	*simulated = 0;
	return effects_live_write_file(path, data, n, mode, err);
}

static int
effects_live_secret_file(
    const char *path, const char *name, struct buf *v, struct err *err)
{
	struct stat st;
	int fd, rc;

	/* O_NONBLOCK: a FIFO must not hang the run in open() */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) ==
	    -1)
		return err_set(err, ERR_FAILED, "secret %s: %s: %s", name, path,
		    errno == ENOENT ? "no such secret" : strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(err, ERR_FAILED,
		    "secret %s: %s: not a regular "
		    "file",
		    name, path);
	}
	rc = effects_live_read_fd(fd, path, v, err);
	close(fd);
	/* one trailing newline is an editor's, not the secret's */
	if (rc == 0 && v->len > 0 && v->data[v->len - 1] == '\n')
		v->data[--v->len] = '\0';
	return rc;
}

/* Takes the secret variable var out of the process environment: its
 * value is kept here for secret_get, the bytes of every copy in the
 * environment block are overwritten (/proc/PID/environ shows the block
 * as it is now) and the variable is removed, so that no process started
 * later inherits it. NULL when it is not set. */
static const struct effects_live_env *
effects_live_env_take(struct effects_live *l, const char *var)
{
	size_t n = strlen(var);
	struct effects_live_env *nv, *e;
	const char *v;

	for (size_t i = 0; i < l->nenv; i++)
		if (strcmp(l->env[i].var, var) == 0)
			return &l->env[i];
	if ((v = getenv(var)) == NULL ||
	    (nv = realloc(l->env, (l->nenv + 1) * sizeof *nv)) == NULL)
		return NULL;
	l->env = nv;
	e = &nv[l->nenv];
	e->len = strlen(v);
	e->var = strdup(var);
	if ((e->value = malloc(e->len + 1)) == NULL || e->var == NULL) {
		free(e->var);
		free(e->value);
		return NULL;
	}
	memcpy(e->value, v, e->len + 1);
	for (char **p = environ; p != NULL && *p != NULL; p++)
		if (strncmp(*p, var, n) == 0 && (*p)[n] == '=')
			explicit_bzero(*p + n + 1, strlen(*p + n + 1));
	unsetenv(var);
	l->nenv++;
	return e;
}

static int
effects_live_secret_get(
    void *ctx, const char *name, struct buf *value, struct err *err)
{
	struct effects_live *l = ctx;
	const struct effects_live_env *e;
	const json_t *src = NULL;
	const char *env, *file;
	char path[4200];

	if (l->config != NULL) {
		snprintf(path, sizeof path, "secrets.%s", name);
		src = config_get(l->config, path);
	}
	if ((env = json_string_value(json_object_get(src, "env"))) != NULL) {
		if ((e = effects_live_env_take(l, env)) == NULL)
			return err_set(err, ERR_FAILED,
			    "secret %s: $%s is not "
			    "set",
			    name, env);
		return buf_add(value, e->value, e->len, err);
	}
	if ((file = json_string_value(json_object_get(src, "file"))) != NULL)
		return effects_live_secret_file(file, name, value, err);
	snprintf(path, sizeof path, "%s/%s", l->secret_dir, name);
	return effects_live_secret_file(path, name, value, err);
}

/* Reads one secret (as secret_get does, or from the file at path) and
 * hands it to fn. */
static int
effects_live_secret_one(struct effects_live *l, const char *name,
    const char *path, effects_secret_fn *fn, void *arg)
{
	struct err err;
	struct buf v;
	int rc = 0;

	err_init(&err);
	buf_init(&v, EFFECTS_LIVE_SECRET_MAX);
	if ((path ? effects_live_secret_file(path, name, &v, &err)
	          : effects_live_secret_get(l, name, &v, &err)) == 0)
		rc = fn(arg, name, buf_str(&v), v.len);
	if (v.data != NULL)
		explicit_bzero(v.data, v.cap);
	buf_done(&v);
	return rc;
}

static int
effects_live_secret_each(
    void *ctx, effects_secret_fn *fn, void *arg, struct err *err)
{
	struct effects_live *l = ctx;
	const json_t *secrets =
	    l->config ? config_get(l->config, "secrets") : NULL;
	struct dirent *d;
	const json_t *v;
	const char *k;
	size_t count = 0;
	DIR *dir;

	(void)err;
	json_object_foreach((json_t *)secrets, k, v)
	{
		if (effects_live_secret_one(l, k, NULL, fn, arg) != 0)
			return 0;
	}
	if ((dir = opendir(l->secret_dir)) == NULL)
		return 0; /* no directory: no secret there */
	while (
	    (d = readdir(dir)) != NULL && count++ < EFFECTS_LIVE_SECRETS_MAX) {
		char path[4200];
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", l->secret_dir, d->d_name);
		if (effects_live_secret_one(l, d->d_name, path, fn, arg) != 0)
			break;
	}
	closedir(dir);
	return 0;
}

static int
effects_live_secret_put(void *ctx, const char *name, const char *value,
    size_t n, int *simulated, struct err *err)
{
	struct effects_live *l = ctx;
	char path[4200];

	*simulated = 0;
	snprintf(path, sizeof path, "%s/%s", l->secret_dir, name);
	if (paths_mkparents(path, err) == -1)
		return -1;
	return effects_live_write_file(path, value, n, 0600, err);
}

static int
effects_live_notify(
    void *ctx, const char *text, int *simulated, struct err *err)
{
	struct effects_live *l = ctx;
	const char *url =
	    l->config ? config_str(l->config, "notify.url", NULL, NULL) : NULL;
	struct effects_kv h = { "Content-Type", "application/json", 16 };
	struct effects_http req = {
		.method = "POST", .url = url, .headers = &h, .nheaders = 1
	};
	struct effects_http_res res;
	json_t *body;
	char *s;
	int rc;

	*simulated = 0;
	if (url == NULL) /* no notifier configured: the log holds it */
		return 0;
	body = json_pack("{s:s, s:s}", "text", text, "source", "owl");
	s = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (s == NULL)
		return err_set(err, ERR_FAILED, "notify: out of memory");
	req.body = s;
	req.body_len = strlen(s);
	effects_http_res_init(&res);
	rc = effects_http_do(&req, &res, err);
	if (rc == 0 && (res.status < 200 || res.status > 299))
		rc = err_set(err, ERR_FAILED, "notify: %s answered %ld", url,
		    res.status);
	effects_http_res_done(&res);
	free(s);
	return rc;
}

/* git: private work copies under the state directory (STATE/git). */
static int
effects_live_git(void *ctx, const struct effects_git *req,
    struct effects_git_res *res, struct err *err)
{
	struct effects_live *l = ctx;
	char *state;

	if (l->git == NULL) {
		if ((state = paths_state_dir(err)) == NULL)
			return -1;
		l->git = effects_git_live_new(state, err);
		free(state);
		if (l->git == NULL)
			return -1;
	}
	return effects_git_live_do(l->git, req, res, err);
}

static void
effects_live_free(void *ctx)
{
	struct effects_live *l = ctx;

	effects_git_live_free(l->git);

	for (size_t i = 0; i < l->nenv; i++) {
		explicit_bzero(l->env[i].value, l->env[i].len);
		free(l->env[i].value);
		free(l->env[i].var);
	}
	free(l->env);
	free(l->secret_dir);
	free(l);
}

struct effects *
effects_live_new(
    const struct config *config, const char *secret_dir, struct err *err)
{
	struct effects *fx = calloc(1, sizeof *fx);
	struct effects_live *l = calloc(1, sizeof *l);
	char *state;

	if (fx == NULL || l == NULL)
		goto oom;
	l->config = config;
	if (secret_dir != NULL) {
		l->secret_dir = strdup(secret_dir);
	} else if ((state = paths_state_dir(err)) != NULL) {
		if (asprintf(&l->secret_dir, "%s/secrets", state) == -1)
			l->secret_dir = NULL;
		free(state);
	} else {
		goto fail;
	}
	if (l->secret_dir == NULL)
		goto oom;
	*fx = (struct effects){ .name = "live",
		.ctx = l,
		.http = effects_live_http,
		.exec = effects_live_exec,
		.file_read = effects_live_file_read,
		.file_write = effects_live_file_write,
		.secret_get = effects_live_secret_get,
		.secret_put = effects_live_secret_put,
		.notify = effects_live_notify,
		.git = effects_live_git,
		.secret_each = effects_live_secret_each,
		.free = effects_live_free };
	return fx;
oom:
	err_set(err, ERR_FAILED, "out of memory");
fail:
	if (l != NULL)
		free(l->secret_dir);
	free(l);
	free(fx);
	return NULL;
}
