/* gw_repo.c: the demo gateway's GitOps side: it re-reads the model pin
 * from a bare config repository (a `model: NAME` line in one file at one
 * ref), as Argo CD or Flux would deploy it, and remembers the commit. */
#include "gw.h"

#include <git2.h>
#include <stdio.h>
#include <string.h>

void
gw_repo_init(void)
{
	git_libgit2_init();
}

void
gw_repo_done(void)
{
	git_libgit2_shutdown();
}

static void
gw_repo_error(struct gw_pin *pin, const char *what)
{
	const git_error *e = git_error_last();

	snprintf(pin->error, sizeof pin->error, "%.100s: %.140s", what,
	    e != NULL && e->message != NULL ? e->message : "failed");
}

/* Copies the value of the first `model:` line of text into pin->model. */
static int
gw_repo_parse(const char *text, size_t n, struct gw_pin *pin)
{
	const char *p = text, *end = text + n;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *v, *ve;

		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > 6 && memcmp(p, "model:", 6) == 0) {
			for (v = p + 6; v < eol && (*v == ' ' || *v == '\t');
			     v++)
				;
			for (ve = eol; ve > v &&
			     (ve[-1] == ' ' || ve[-1] == '\t' ||
			         ve[-1] == '\r');
			     ve--)
				;
			if (ve > v && (size_t)(ve - v) < sizeof pin->model) {
				memcpy(pin->model, v, (size_t)(ve - v));
				pin->model[ve - v] = '\0';
				return 0;
			}
		}
		p = eol + 1;
	}
	return -1;
}

void
gw_repo_sync(const struct gw_opts *o, struct gw_pin *pin)
{
	git_repository *repo = NULL;
	git_object *commit = NULL, *blob = NULL;
	char spec[512];

	pin->error[0] = '\0';
	if (git_repository_open_bare(&repo, o->repo) != 0) {
		gw_repo_error(pin, o->repo);
		goto out;
	}
	if (git_revparse_single(&commit, repo, o->ref) != 0) {
		gw_repo_error(pin, o->ref);
		goto out;
	}
	snprintf(spec, sizeof spec, "%s:%s", o->ref, o->pin_file);
	if (git_revparse_single(&blob, repo, spec) != 0 ||
	    git_object_type(blob) != GIT_OBJECT_BLOB) {
		gw_repo_error(pin, spec);
		goto out;
	}
	if (gw_repo_parse(git_blob_rawcontent((git_blob *)blob),
	        (size_t)git_blob_rawsize((git_blob *)blob), pin) == -1) {
		snprintf(pin->error, sizeof pin->error,
		    "%.200s: no 'model:' line", spec);
		goto out;
	}
	git_oid_tostr(pin->commit, sizeof pin->commit, git_object_id(commit));
out:
	pin->synced_us = gw_now_us();
	pin->syncs++;
	git_object_free(blob);
	git_object_free(commit);
	git_repository_free(repo);
}
