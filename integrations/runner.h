/* runner.h: the one entry through which every front end starts a
 * runbook run (`owl run`, `owl apply`, `owl test`, the TUI): it marks
 * the runs that dead owl processes left "running" as interrupted, opens
 * the runbook source under the signature policy (a refusal is logged),
 * binds the incident, sets up the live effects, keeps the run going when
 * the terminal goes (SIGHUP), and runs it (engine/rb_run.h). A new front
 * end cannot forget any of it. */
#ifndef OWL_RUNNER_H
#define OWL_RUNNER_H

#include "engine/config.h"
#include "engine/err.h"
#include "engine/rb_run.h"
#include "engine/store.h"
#include "integrations/rbsel.h"

struct runner_req {
	/* What to run: name, params, incident, dry_run, offline, yes,
	 * no_undo, timeout, ui, cancel (see rb_run.h). Left NULL, src, fx,
	 * config and incident_json are filled here: the source from sel,
	 * the live effects and the config's, the incident's JSON. */
	struct rb_run_opts o;
	const struct rbsel *sel; /* where the runbook comes from */
	const struct config *config; /* may be NULL */
	rbsel_note_fn *note; /* warnings, interrupted runs; may be NULL */
	void *note_ctx;
	/* Told which version of the runbook runs, once the source is open
	 * and before the run starts; may be NULL. */
	void (*origin)(void *ctx, const char *text);
};

/* Marks runs left "running" by a dead process as interrupted, telling
 * note about each (a failed sweep is a note too, never a failure). */
void runner_sweep(struct store *s, rbsel_note_fn *note, void *ctx);

/* Runs q (see struct runner_req). Returns 0 when the run took place (its
 * outcome in r: status, exit_code, doc; json_decref(r->doc)), or -1 with
 * err set when it did not start: a refused signature or a held lease
 * (ERR_REFUSED), no such runbook, bad params (ERR_USAGE), a failed
 * database (ERR_FAILED). */
int runner_run(struct store *s, struct runner_req *q, struct rb_run_result *r,
    struct err *err);

/* Points sel at where a stored plan's runbook came from (its source
 * "git:REPO" at its commit, or "dir:DIR"), so that `owl apply` reads
 * the very runbook the plan was made from (rb_run then checks its
 * SHA-256). source and commit are borrowed and must outlive sel. -1
 * with err set (ERR_USAGE) for a source it cannot read again. */
int runner_plan_source(
    struct rbsel *sel, const char *source, const char *commit, struct err *err);

#endif
