/* rb_guard.c: the file-path policy of the chokepoint (see rb_guard.h). */
#include "rb_guard.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

/* Where a runbook may read and write files unless the config says. */
static const char *const rb_guard_default[] = { "/etc", "/srv", "/opt",
	"/var/lib", "/var/log", "/tmp", "/var/tmp", NULL };

/* Never, whatever the roots: the kernel's views of processes (a
 * process's environment) and devices, and the system's own secrets. */
static const struct {
	const char *path, *why;
} rb_guard_system[] = {
	{ "/proc", "the kernel's process files (environments, memory)" },
	{ "/sys", "the kernel's files" },
	{ "/dev", "devices" },
	{ "/etc/shadow", "the system's password hashes" },
	{ "/etc/shadow-", "the system's password hashes" },
	{ "/etc/gshadow", "the system's password hashes" },
	{ "/etc/gshadow-", "the system's password hashes" },
	{ "/etc/ssl/private", "the system's TLS private keys" },
};

/* Resolves symbolic links, "." and ".." of the part of path that exists;
 * the rest (a file to create, a fake's path) is normalised as text. */
static void
rb_guard_resolve(const char *path, char *out, size_t n)
{
	char dir[PATH_MAX], real[PATH_MAX], tmp[RB_GUARD_PATH_MAX];
	const char *base, *p;
	size_t o = 0;

	if (realpath(path, real) != NULL) {
		snprintf(out, n, "%s", real);
		return;
	}
	base = strrchr(path, '/');
	if (base != NULL && strcmp(base, "/.") != 0 &&
	    strcmp(base, "/..") != 0 && (size_t)(base - path) < sizeof dir) {
		snprintf(dir, sizeof dir, "%.*s", (int)(base - path), path);
		if (realpath(dir[0] ? dir : "/", real) != NULL) {
			snprintf(out, n, "%s%s", strcmp(real, "/") ? real : "",
			    base);
			return;
		}
	}
	/* lexically: drop empty and "." parts, ".." removes the one before */
	for (p = path; *p != '\0';) {
		size_t len;
		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && tmp[--o] != '/')
				;
		} else if (o + len + 2 < sizeof tmp) {
			tmp[o++] = '/';
			memcpy(tmp + o, p, len);
			o += len;
		}
		p += len;
	}
	tmp[o] = '\0';
	snprintf(out, n, "%s", o ? tmp : "/");
}

/* Nonzero when path is root or lies under it (whole components). */
static int
rb_guard_under(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return 1;
	return strncmp(path, root, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/');
}

/* The buffers are the heap's: rb_guard_init runs this ~20 times at the
 * bottom of a deep stack, and each 4 KiB of stack a run first touches is
 * a page fault (10-35 us on a VM with shadow paging). */
static int
rb_guard_deny(struct rb_guard *g, const char *path, const char *why, int secret,
    int writable)
{
	struct rb_guard_path *nv;
	char *real, *cwd = NULL, *abs = NULL;
	int rc = -1;

	if (path == NULL || path[0] == '\0')
		return 0;
	/* a relative path (--db owl.db, a config's { file = "key" }) is
	 * opened from owl's working directory: guard that file, not none */
	if (path[0] != '/') {
		if ((cwd = getcwd(NULL, 0)) == NULL)
			return -1;
		if (strlen(path) > PATH_MAX) {
			free(cwd);
			errno = ENAMETOOLONG;
			return -1;
		}
		if (asprintf(&abs, "%s/%s", cwd, path) == -1) {
			free(cwd);
			return -1;
		}
		free(cwd);
		path = abs;
	}
	if ((real = malloc(RB_GUARD_PATH_MAX)) == NULL)
		goto out;
	rb_guard_resolve(path, real, RB_GUARD_PATH_MAX);
	if ((nv = realloc(g->deny, (g->ndeny + 1) * sizeof *nv)) == NULL)
		goto out;
	g->deny = nv;
	if ((nv[g->ndeny].path = strdup(real)) == NULL)
		goto out;
	nv[g->ndeny].why = why;
	nv[g->ndeny].secret = secret;
	nv[g->ndeny].writable = writable;
	g->ndeny++;
	rc = 0;
out:
	free(real);
	free(abs);
	return rc;
}

/* The database and the files SQLite keeps beside it. */
static int
rb_guard_deny_db(struct rb_guard *g, const char *db)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[RB_GUARD_PATH_MAX];

	for (size_t i = 0; db != NULL && i < sizeof sfx / sizeof sfx[0]; i++) {
		snprintf(p, sizeof p, "%s%s", db, sfx[i]);
		if (rb_guard_deny(g, p, "owl's database", 0, 0) == -1)
			return -1;
	}
	return 0;
}

/* owl's own files: state (database, secrets), config, secret files. */
static int
rb_guard_deny_owl(struct rb_guard *g, const struct config *c, const char *db)
{
	static const struct {
		const char *key, *why;
	} serve_keys[] = {
		{ "serve.token_file", "owl serve's tokens, serve.token_file" },
		{ "serve.hmac_secret_file",
		    "owl serve's HMAC secrets, serve.hmac_secret_file" },
		{ "serve.tls_key", "owl serve's TLS key, serve.tls_key" },
	};
	const json_t *secrets = c ? config_get(c, "secrets") : NULL, *v;
	char *state = paths_state_dir(NULL), sdir[RB_GUARD_PATH_MAX];
	const char *k;
	int rc = 0;

	if (state != NULL) {
		snprintf(sdir, sizeof sdir, "%s/secrets", state);
		rc |= rb_guard_deny(g, sdir, "owl's secret directory", 1, 0);
		rc |= rb_guard_deny(g, state, "owl's state directory", 0, 0);
		free(state);
	}
	rc |= rb_guard_deny_db(g, db);
	if (c != NULL && config_path(c)[0] != '\0')
		rc |= rb_guard_deny(g, config_path(c), "owl's config", 0, 0);
	rc |= rb_guard_deny(g, getenv("CREDENTIALS_DIRECTORY"),
	    "the service's credentials (systemd)", 1, 0);
	json_object_foreach((json_t *)secrets, k, v)
	{
		const char *f = json_string_value(json_object_get(v, "file"));
		rc |=
		    rb_guard_deny(g, f, "a secret file of owl's config", 1, 1);
	}
	/* owl serve's credentials named by the config: with a webhook
	 * token or HMAC secret a runbook could post alerts as a sender */
	for (size_t i = 0;
	     c != NULL && i < sizeof serve_keys / sizeof serve_keys[0]; i++)
		rc |= rb_guard_deny(g,
		    json_string_value(config_get(c, serve_keys[i].key)),
		    serve_keys[i].why, 1, 0);
	return rc;
}

/* Fills *roots from the config's list at key, else from def. */
static int
rb_guard_roots(const struct config *c, const char *key, char *const *def,
    size_t ndef, char ***roots, size_t *n, struct err *err)
{
	const json_t *list = c ? config_get(c, key) : NULL;
	char real[RB_GUARD_PATH_MAX];
	size_t i, count;

	if (list != NULL && !json_is_array(list))
		return err_set(err, ERR_USAGE,
		    "config: %s: expected a list of absolute directories", key);
	count = list ? json_array_size(list) : ndef;
	if ((*roots = calloc(count + 1, sizeof **roots)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	for (i = 0; i < count; i++) {
		const char *p =
		    list ? json_string_value(json_array_get(list, i)) : def[i];
		if (p == NULL || p[0] != '/')
			return err_set(err, ERR_USAGE,
			    "config: %s[%zu]: expected an absolute directory",
			    key, i + 1);
		rb_guard_resolve(p, real, sizeof real);
		if (((*roots)[i] = strdup(real)) == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
		(*n)++;
	}
	return 0;
}

/* Keeps dry_run.exec after checking its shape. */
static int
rb_guard_dry_init(struct rb_guard *g, const struct config *c, struct err *err)
{
	const json_t *list = c ? config_get(c, "dry_run.exec") : NULL, *e, *w;
	size_t i, k;

	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return err_set(err, ERR_USAGE,
		    "config: dry_run.exec: expected a list of commands such as "
		    "{ { \"kubectl\", \"get\" }, { \"cat\" } }");
	json_array_foreach(list, i, e)
	{
		if (!json_is_array(e) || json_array_size(e) == 0)
			return err_set(err, ERR_USAGE,
			    "config: dry_run.exec[%zu]: expected a list of "
			    "words such as { \"kubectl\", \"get\" }",
			    i + 1);
		json_array_foreach(e, k,
		    w) if (!json_is_string(w)) return err_set(err, ERR_USAGE,
		    "config: dry_run.exec[%zu][%zu]: expected "
		    "a string",
		    i + 1, k + 1);
	}
	if ((g->dry_exec = json_deep_copy(list)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

int
rb_guard_dry_exec(
    const struct rb_guard *g, const json_t *argv, const json_t *env)
{
	const json_t *e, *w;
	const char *k;
	size_t i, j;

	json_object_foreach((json_t *)env, k, w)
	{
		if (strncmp(k, "LD_", 3) == 0 || strcmp(k, "GCONV_PATH") == 0)
			return 0;
	}
	json_array_foreach(g->dry_exec, i, e)
	{
		int match = json_array_size(e) <= json_array_size(argv);
		json_array_foreach(e, j, w) match =
		    match && json_equal((json_t *)w, json_array_get(argv, j));
		if (match)
			return 1;
	}
	return 0;
}

int
rb_guard_init(struct rb_guard *g, const struct config *c, const char *db_path,
    struct err *err)
{
	char *def[sizeof rb_guard_default / sizeof rb_guard_default[0] + 1];
	const char *tmp = getenv("TMPDIR");
	size_t ndef = 0;

	memset(g, 0, sizeof *g);
	for (size_t i = 0; rb_guard_default[i] != NULL; i++)
		def[ndef++] = (char *)rb_guard_default[i];
	/* the temporary directory is one too, wherever it is */
	if (tmp != NULL && tmp[0] == '/')
		def[ndef++] = (char *)tmp;
	for (size_t i = 0;
	     i < sizeof rb_guard_system / sizeof rb_guard_system[0]; i++)
		if (rb_guard_deny(g, rb_guard_system[i].path,
		        rb_guard_system[i].why, 0, 0) == -1)
			goto oom;
	if (rb_guard_deny_owl(g, c, db_path) != 0)
		goto oom;
	if (rb_guard_dry_init(g, c, err) == -1 ||
	    rb_guard_roots(c, "runbooks.read_paths", def, ndef, &g->read,
	        &g->nread, err) == -1)
		goto fail;
	/* writes go where reads may, unless the config says otherwise */
	if (rb_guard_roots(c,
	        c != NULL && config_get(c, "runbooks.write_paths") != NULL
	            ? "runbooks.write_paths"
	            : "runbooks.read_paths",
	        def, ndef, &g->write, &g->nwrite, err) == -1)
		goto fail;
	return 0;
oom: /* malloc, or getcwd for a relative path of owl's files */
	err_set(err, ERR_FAILED, "runbooks: cannot guard owl's files: %s",
	    strerror(errno));
fail:
	rb_guard_done(g);
	return -1;
}

void
rb_guard_done(struct rb_guard *g)
{
	for (size_t i = 0; i < g->ndeny; i++)
		free(g->deny[i].path);
	for (size_t i = 0; i < g->nread; i++)
		free(g->read[i]);
	for (size_t i = 0; i < g->nwrite; i++)
		free(g->write[i]);
	free(g->deny);
	free(g->read);
	free(g->write);
	json_decref(g->dry_exec);
	memset(g, 0, sizeof *g);
}

void
rb_guard_roots_text(const struct rb_guard *g, int write, char *out, size_t n)
{
	char *const *r = write ? g->write : g->read;
	size_t count = write ? g->nwrite : g->nread, o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < count && o < n; i++) {
		int w = snprintf(out + o, n - o, "%s%s", i ? ", " : "", r[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	if (count == 0)
		snprintf(out, n, "none");
}

int
rb_guard_file(const struct rb_guard *g, const char *what, const char *path,
    int write, char *out, size_t n, struct err *err)
{
	char roots[300];
	size_t count = write ? g->nwrite : g->nread;
	char *const *r = write ? g->write : g->read;

	rb_guard_resolve(path, out, n);
	for (size_t i = 0; i < g->ndeny; i++)
		if (rb_guard_under(out, g->deny[i].path) &&
		    !(write && g->deny[i].writable))
			return err_set(err, ERR_REFUSED,
			    "%s %s: refused: %s is off limits to runbooks "
			    "(%s)",
			    what, path, out, g->deny[i].why);
	for (size_t i = 0; i < count; i++)
		if (rb_guard_under(out, r[i]))
			return 0;
	rb_guard_roots_text(g, write, roots, sizeof roots);
	return err_set(err, ERR_REFUSED,
	    "%s %s: refused: %s is outside the paths runbooks may %s "
	    "(runbooks.%s_paths: %s)",
	    what, path, out, write ? "write" : "read", write ? "write" : "read",
	    roots);
}

int
rb_guard_is_secret(const struct rb_guard *g, const char *resolved)
{
	for (size_t i = 0; i < g->ndeny; i++)
		if (g->deny[i].secret &&
		    rb_guard_under(resolved, g->deny[i].path))
			return 1;
	return 0;
}
