/* rbsel.c: picks and opens the runbook source of a command (rbsel.h). */
#include "rbsel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/actlog.h"

static void
rbsel_note(const struct rbsel *s, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (s->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	s->note(s->note_ctx, text);
}

/* Copies a trust file's path, relative to the config's folder. */
static const char *
rbsel_trust_path(const struct config *c, const char *v, char *out, size_t n)
{
	const char *cp = config_path(c), *slash = strrchr(cp, '/');

	if (v == NULL || *v == '\0')
		return NULL;
	if (v[0] == '/' || slash == NULL)
		snprintf(out, n, "%s", v);
	else
		snprintf(out, n, "%.*s/%s", (int)(slash - cp), cp, v);
	return out;
}

int
rbsel_config(struct rbsel *s, const struct config *c, struct err *err)
{
	const char *signers, *ring;

	s->cfg_repo = config_str(c, "runbooks.repo", NULL, err);
	s->cfg_ref = config_str(c, "runbooks.ref", NULL, err);
	s->cfg_dir = config_str(c, "runbooks.dir", NULL, err);
	s->cfg_subdir = config_str(c, "runbooks.subdir", NULL, err);
	s->require_signed = config_bool(c, "runbooks.require_signed", 0, err);
	signers = config_str(c, "runbooks.allowed_signers", NULL, err);
	ring = config_str(c, "runbooks.gpg_keyring", NULL, err);
	s->trust.allowed_signers = rbsel_trust_path(
	    c, signers, s->signers_path, sizeof s->signers_path);
	s->trust.gpg_keyring =
	    rbsel_trust_path(c, ring, s->keyring_path, sizeof s->keyring_path);
	return err_isset(err) ? -1 : 0;
}

int
rbsel_option(struct rbsel *s, int opt, const char *arg)
{
	switch (opt) {
	case RBSEL_OPT_RUNBOOKS: s->dir = arg; return 1;
	case RBSEL_OPT_REPO: s->repo = arg; return 1;
	case RBSEL_OPT_REF: s->ref = arg; return 1;
	case RBSEL_OPT_REV: s->rev = arg; return 1;
	case RBSEL_OPT_SUBDIR: s->subdir = arg; return 1;
	case RBSEL_OPT_WORKTREE: s->worktree = 1; return 1;
	default: return 0;
	}
}

static int
rbsel_isdir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int
rbsel_pick(const struct rbsel *s, struct rbgit_opts *o, const char **dir,
    struct err *err)
{
	const char *env = getenv("OWL_RUNBOOKS");
	int flags_git = s->repo || s->ref || s->rev || s->worktree;

	*o = (struct rbgit_opts){ 0 };
	*dir = NULL;
	if (s->dir != NULL && (flags_git || s->subdir))
		return err_set(err, ERR_USAGE,
		    "--runbooks DIR is a plain "
		    "directory; --repo, --ref, --rev, --subdir and --worktree "
		    "apply to a git repository");
	if (s->dir != NULL) {
		*dir = s->dir;
		return 0;
	}
	o->ref = s->rev ? s->rev : s->ref;
	o->subdir = s->subdir;
	o->worktree = s->worktree;
	if ((o->repo = s->repo) == NULL && env != NULL && *env != '\0') {
		/* $OWL_RUNBOOKS: a plain directory unless it is a repo. */
		if (!rbsource_git_is_url(env) && rbsel_isdir(env) &&
		    !rbsource_git_is_repo(env) && !flags_git) {
			*dir = env;
			return 0;
		}
		o->repo = env;
	}
	if (o->repo == NULL && s->cfg_repo != NULL)
		o->repo = s->cfg_repo;
	if (o->repo == NULL && s->cfg_dir != NULL && !flags_git) {
		*dir = s->cfg_dir;
		return 0;
	}
	if (o->repo == NULL)
		return err_set(err, ERR_USAGE,
		    "no runbooks: give --runbooks "
		    "DIR or --repo PATH|URL, set OWL_RUNBOOKS, or set "
		    "runbooks.repo in the config");
	/* The configured ref and folder go with the configured repo. */
	if (o->repo == s->cfg_repo) {
		if (o->ref == NULL && !o->worktree)
			o->ref = s->cfg_ref;
		if (o->subdir == NULL)
			o->subdir = s->cfg_subdir;
	}
	return 1;
}

/* Warns about uncommitted runbook changes; a failure to tell is only
 * reported, as the committed version is read either way. */
static void
rbsel_warn_dirty(const struct rbsel *s, struct rbsource *src)
{
	char first[RBSOURCE_PATH_MAX];
	struct err err;
	int count = 0;

	err_init(&err);
	if (rbsource_git_changes(src, &count, first, &err) == -1) {
		rbsel_note(s, "warning: %s", err.msg);
		return;
	}
	if (count == 0)
		return;
	rbsel_note(s,
	    "warning: %s has uncommitted changes to runbooks (%s%s); using "
	    "commit %.12s (--worktree to use the working files)",
	    src->origin.repo, first, count > 1 ? " and more" : "",
	    src->origin.commit);
}

struct rbsource *
rbsel_open(const struct rbsel *s, int quiet, struct err *err)
{
	struct rbgit_opts o;
	struct rbsource *src;
	const char *dir;
	int git;

	if ((git = rbsel_pick(s, &o, &dir, err)) == -1)
		return NULL;
	if (!git)
		return rbsource_dir_open(dir, err);
	if ((src = rbsource_git_open(&o, err)) == NULL)
		return NULL;
	if (!quiet && !o.worktree)
		rbsel_warn_dirty(s, src);
	return src;
}

int
rbsel_verify(const struct rbsel *s, struct rbsource *src, char *signer,
    size_t n, struct err *err)
{
	signer[0] = '\0';
	if (!s->require_signed)
		return 0;
	return rbsource_git_verify(src, &s->trust, signer, n, err);
}

/* Logs a refused run: what was asked for, the commit, why. */
static void
rbsel_log_refusal(const struct rbsel *s, struct store *st, const char *name,
    const struct rbsource *src, const char *why)
{
	struct actlog_new e = { .kind = "runbook.refused" };
	json_t *d = rbsource_origin_json(&src->origin);
	struct err err;

	if (d == NULL)
		return;
	json_object_set_new(d, "runbook", json_string(name));
	json_object_set_new(d, "reason", json_string(why));
	err_init(&err);
	if (actlog_append_json(
	        st, &e, d, JSON_COMPACT | JSON_SORT_KEYS, NULL, &err) == -1)
		rbsel_note(
		    s, "warning: the refusal was not logged: %s", err.msg);
}

struct rbsource *
rbsel_open_run(const struct rbsel *s, struct store *st, const char *name,
    int dry_run, int quiet, struct err *err)
{
	struct rbsource *src;
	char signer[256];

	if ((src = rbsel_open(s, quiet, err)) == NULL)
		return NULL;
	if (rbsel_verify(s, src, signer, sizeof signer, err) == -1) {
		rbsel_log_refusal(s, st, name, src, err->msg);
		err_prefix(err, "refused: ");
		rbsource_close(src);
		return NULL;
	}
	if (src->origin.dirty && !quiet)
		rbsel_note(s,
		    "note: %s the working files of %s, with uncommitted "
		    "changes; the run is logged as dirty",
		    dry_run ? "dry-run of" : "running", src->origin.repo);
	return src;
}

void
rbsel_origin_text(struct rbsource *src, const char *name, char *out, size_t n)
{
	const struct rbsource_origin *o = &src->origin;
	char blob[RBSOURCE_OID_HEX] = "";
	struct err err;
	struct buf b;

	out[0] = '\0';
	err_init(&err);
	buf_init(&b, RBSOURCE_FILE_MAX + 1);
	if (rbsource_read_runbook(src, name, &b, blob, &err) == -1) {
		buf_done(&b); /* no such runbook: the run itself says so */
		return;
	}
	buf_done(&b);
	if (o->kind == RBSOURCE_DIR)
		snprintf(out, n,
		    "%s.lua from %s (plain directory, unversioned)", name,
		    o->repo ? o->repo : "?");
	else
		snprintf(out, n, "%s.lua from %s at %s %.12s%s%s%.12s%s", name,
		    o->repo ? o->repo : "?", o->ref ? o->ref : "?", o->commit,
		    o->dirty ? " + uncommitted working files (dirty)" : "",
		    blob[0] ? " (blob " : "", blob, blob[0] ? ")" : "");
}
