/* rbsource.c: what every runbook source shares: dispatch through its
 * operations, name and path rules, blob ids, the origin as JSON. */
#include "rbsource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "store.h"
#include "words.h"

int
rbsource_list(
    struct rbsource *src, rbsource_entry_fn fn, void *ctx, struct err *err)
{
	return src->ops->list(src, fn, ctx, err);
}

int
rbsource_read(struct rbsource *src, const char *path, struct buf *out,
    char blob[RBSOURCE_OID_HEX], struct err *err)
{
	if (!rbsource_path_valid(path))
		return err_set(err, ERR_FAILED,
		    "runbooks: '%.100s' is not a valid file path", path);
	return src->ops->read(src, path, out, blob, err);
}

/* The runbook names of a source, for "did you mean". */
struct rbsource_names {
	char *names[RBSOURCE_HINT_NAMES];
	size_t n;
	int found; /* the name asked for is among them */
	const char *want;
};

static int
rbsource_name_add(const char *name, const char *blob, void *ctx)
{
	struct rbsource_names *l = ctx;

	(void)blob;
	if (strcmp(name, l->want) == 0)
		l->found = 1;
	if (rbsource_is_test(name))
		return 0;
	if (l->n < RBSOURCE_HINT_NAMES && (l->names[l->n] = strdup(name)))
		l->n++;
	return 0;
}

int
rbsource_is_test(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".test") == 0;
}

/* A runbook that is not there: "no runbook 'X' in REPO; did you mean
 * 'Y'? (runbooks: ...)". A runbook that is there but could not be read
 * keeps the reader's message. */
static int
rbsource_not_found(struct rbsource *src, const char *name,
    const struct err *why, struct err *err)
{
	struct rbsource_names l = { .want = name };
	char hint[300];
	struct err e2;

	err_init(&e2);
	if (strstr(why->msg, RBSOURCE_MISSING) == NULL ||
	    rbsource_list(src, rbsource_name_add, &l, &e2) != 0 || l.found) {
		err_set(err, ERR_USAGE, "%s", why->msg);
		goto out;
	}
	words_hint(hint, sizeof hint, name, (const char *const *)l.names, l.n,
	    "runbooks", "");
	err_set(err, ERR_USAGE, "no runbook '%s' in %.200s%s%.12s%s", name,
	    src->origin.repo != NULL ? src->origin.repo : "the runbooks",
	    src->origin.commit[0] ? " at " : "", src->origin.commit, hint);
out:
	for (size_t i = 0; i < l.n; i++)
		free(l.names[i]);
	return -1;
}

int
rbsource_read_runbook(struct rbsource *src, const char *name, struct buf *out,
    char blob[RBSOURCE_OID_HEX], struct err *err)
{
	char path[RBSOURCE_PATH_MAX];
	struct err mine;

	if (!rbsource_name_valid(name))
		return err_set(err, ERR_USAGE,
		    "'%.100s' is not a valid runbook name", name);
	snprintf(path, sizeof path, "%s.lua", name);
	err_init(&mine);
	if (rbsource_read(src, path, out, blob, &mine) == 0)
		return 0;
	/* Naming a runbook that is not there is bad input (exit 2). */
	return rbsource_not_found(src, name, &mine, err);
}

int
rbsource_read_module(struct rbsource *src, const char *module, struct buf *out,
    char *path, char blob[RBSOURCE_OID_HEX], struct err *err)
{
	if (rbsource_module_path(module, path, err) == -1)
		return -1;
	return rbsource_read(src, path, out, blob, err);
}

void
rbsource_close(struct rbsource *src)
{
	if (src == NULL)
		return;
	free(src->origin.repo);
	free(src->origin.ref);
	if (src->ops != NULL && src->ops->close != NULL)
		src->ops->close(src);
	free(src);
}

static int
rbsource_comp_valid(const char *s, size_t n)
{
	if (n == 0 || n > 100 || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		        c == '.'))
			return 0;
	}
	return 1;
}

int
rbsource_name_valid(const char *name)
{
	return name != NULL && rbsource_comp_valid(name, strlen(name));
}

int
rbsource_path_valid(const char *path)
{
	size_t n;
	const char *p, *slash;

	if (path == NULL || (n = strlen(path)) < 5 || n >= RBSOURCE_PATH_MAX ||
	    strcmp(path + n - 4, ".lua") != 0)
		return 0;
	for (p = path;; p = slash + 1) {
		slash = strchr(p, '/');
		if (!rbsource_comp_valid(
		        p, slash ? (size_t)(slash - p) : strlen(p)))
			return 0;
		if (slash == NULL)
			return 1;
	}
}

int
rbsource_module_path(const char *module, char *out, struct err *err)
{
	size_t n = module ? strlen(module) : 0;

	if (n == 0 || n + 5 > RBSOURCE_PATH_MAX)
		goto bad;
	for (size_t i = 0; i < n; i++)
		out[i] = module[i] == '.' ? '/' : module[i];
	memcpy(out + n, ".lua", 5);
	if (rbsource_path_valid(out))
		return 0;
bad:
	out[0] = '\0';
	return err_set(err, ERR_USAGE,
	    "require: '%.100s' is not a valid "
	    "module name (letters, digits, _ and -, dots between parts)",
	    module ? module : "");
}

void
rbsource_blob_id(const void *p, size_t n, char out[RBSOURCE_OID_HEX])
{
	unsigned char md[HASH_SHA1_LEN];
	char head[40];
	int hn = snprintf(head, sizeof head, "blob %zu", n);

	/* git's object id: SHA-1 of "blob SIZE", a NUL and the bytes */
	hash_sha1_2(head, (size_t)hn + 1, p, n, md);
	hash_hex(md, sizeof md, out);
}

json_t *
rbsource_origin_json(const struct rbsource_origin *o)
{
	return json_pack("{s:s, s:s?, s:s?, s:s?, s:b, s:b}", "kind",
	    o->kind == RBSOURCE_GIT ? "git" : "dir", "repo", o->repo, "ref",
	    o->ref, "commit", o->commit[0] ? o->commit : NULL, "worktree",
	    o->worktree, "dirty", o->dirty);
}

int
rbsource_record_run(struct store *s, int64_t run_id,
    const struct rbsource_origin *o, const char *blob, struct err *err)
{
	static const char sql[] = "UPDATE runs SET source_ref = ?, "
	                          "blob_id = ?, dirty = ? WHERE id = ?";
	struct store_stmt *st = store_stmt(s, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	if (o->ref != NULL)
		store_bind_text(st, 1, o->ref, -1, STORE_STATIC);
	if (blob != NULL && blob[0] != '\0')
		store_bind_text(st, 2, blob, -1, STORE_STATIC);
	store_bind_int(st, 3, o->dirty);
	store_bind_int64(st, 4, run_id);
	rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? 0 : store_sqlerr(s, err, "runs: origin");
}

json_t *
rbsource_run_json(const struct rbsource_origin *o, const char *blob)
{
	json_t *j = rbsource_origin_json(o);

	if (j != NULL &&
	    json_object_set_new(j, "blob",
	        blob && *blob ? json_string(blob) : json_null()) == -1) {
		json_decref(j);
		return NULL;
	}
	return j;
}
