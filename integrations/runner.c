/* runner.c: starting a runbook run the one way (see runner.h). */
#include "runner.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "engine/rb_incident.h"
#include "engine/rb_runs.h"
#include "integrations/effects_live.h"

struct runner_swept {
	rbsel_note_fn *note;
	void *ctx;
};

static void
runner_swept_one(void *ctx, int64_t id, const char *runbook, const char *why)
{
	struct runner_swept *w = ctx;
	char text[1600];

	snprintf(text, sizeof text, "note: run %lld (%s) %s", (long long)id,
	    runbook, why);
	w->note(w->ctx, text);
}

void
runner_sweep(struct store *s, rbsel_note_fn *note, void *ctx)
{
	struct runner_swept w = { note, ctx };
	char text[700];
	struct err err;

	err_init(&err);
	/* a failed sweep must not stop the run it comes before */
	if (rb_runs_sweep(s, note ? runner_swept_one : NULL, &w, &err) == -1 &&
	    note != NULL) {
		snprintf(text, sizeof text,
		    "warning: could not look for interrupted runs: %s",
		    err.msg);
		note(ctx, text);
	}
}

int
runner_run(struct store *s, struct runner_req *q, struct rb_run_result *r,
    struct err *err)
{
	struct rbsource *src = NULL;
	struct effects *live = NULL;
	json_t *incident = NULL;
	struct sigaction ign, hup, pipe;
	char origin[1400];
	int rc = -1;

	memset(r, 0, sizeof *r);
	runner_sweep(s, q->note, q->note_ctx);
	if (q->o.config == NULL)
		q->o.config = q->config;
	if (q->o.src == NULL && q->o.dir == NULL) {
		if ((src = rbsel_open_run(
		         q->sel, s, q->o.name, q->o.dry_run, 0, err)) == NULL)
			goto out;
		q->o.src = src;
	}
	if (q->o.incident != 0 && q->o.incident_json == NULL) {
		if ((incident = rb_incident_json(s, q->o.incident, err)) ==
		    NULL)
			goto out;
		q->o.incident_json = incident;
	}
	if (q->o.fx == NULL) {
		if ((live = effects_live_new(q->o.config, NULL, err)) == NULL)
			goto out;
		q->o.fx = live;
	}
	if (q->origin != NULL && q->o.src != NULL) {
		rbsel_origin_text(q->o.src, q->o.name, origin, sizeof origin);
		if (origin[0] != '\0')
			q->origin(q->note_ctx, origin);
	}
	/* Runs outlive the terminal: a dropped SSH connection must not
	 * leave a run half done; it goes on and records everything. */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &ign, &hup);
	sigaction(SIGPIPE, &ign, &pipe);
	rc = rb_run(s, &q->o, r, err);
	sigaction(SIGHUP, &hup, NULL);
	sigaction(SIGPIPE, &pipe, NULL);
out:
	if (src != NULL) {
		rbsource_close(src);
		q->o.src = NULL;
	}
	if (live != NULL) {
		effects_free(live);
		q->o.fx = NULL;
	}
	if (incident != NULL) {
		json_decref(incident);
		q->o.incident_json = NULL;
	}
	return rc;
}

int
runner_plan_source(
    struct rbsel *sel, const char *source, const char *commit, struct err *err)
{
	sel->dir = sel->repo = sel->ref = sel->rev = sel->subdir = NULL;
	sel->worktree = 0;
	if (strncmp(source, "dir:", 4) == 0) {
		sel->dir = source + 4;
		return 0;
	}
	if (strncmp(source, "git:", 4) != 0 || commit == NULL)
		return err_set(err, ERR_USAGE,
		    "the plan's runbook came from '%s', which owl cannot "
		    "read again at a fixed version",
		    source);
	sel->repo = source + 4;
	sel->rev = commit;
	/* the configured folder goes with the configured repository */
	if (sel->cfg_repo != NULL && strcmp(sel->cfg_repo, sel->repo) == 0)
		sel->subdir = sel->cfg_subdir;
	return 0;
}
