/* rb_run.h: one runbook run from start to end: read the runbook, fork its
 * worker, check the declared params, take the lease, record the run,
 * serve the worker through the chokepoint, store the plan, report where a
 * live run departed from the last dry-run plan, and build the result
 * document (DESIGN.md `owl run ... --json`). */
#ifndef OWL_RB_RUN_H
#define OWL_RB_RUN_H

#include <jansson.h>
#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "effects.h"
#include "err.h"
#include "rb_broker.h"
#include "rbsource.h"
#include "store.h"

#define RB_RUN_TIMEOUT_US (INT64_C(600) * 1000000) /* 10 minutes */
#define RB_RUN_TIMEOUT_MAX_US (INT64_C(7) * 86400 * 1000000) /* 7 days */
#define RB_RUN_MEM_CAP ((size_t)64 << 20)

/* `owl apply PLAN`: the stored plan a live run is held to (rb_apply.h). */
struct rb_run_plan {
	int64_t id;
	const char *hash;
	const char *source_sha256; /* the runbook the plan was made from */
	const json_t *effects;
};

struct rb_run_opts {
	const char *name; /* runbook name: DIR/NAME.lua */
	const char *dir; /* the runbook directory */
	struct rbsource *src; /* when set, the runbook and its modules
	                       * come from it instead (one snapshot), and
	                       * its origin is recorded with the run */
	const json_t *params; /* {"name": "value"} from --param */
	int64_t incident; /* 0: none */
	const json_t *incident_json; /* the bound incident, NULL: none */
	int dry_run, offline, yes, no_undo;
	int64_t timeout_us; /* 0: the runbook's, else 10 minutes */
	size_t mem_cap; /* 0: RB_RUN_MEM_CAP */
	int64_t max_effects; /* 0: RB_EFFECT_MAX */
	size_t
	    max_diffs; /* diff bytes kept in the plan; 0: RB_EFFECT_DIFFS_MAX */
	const struct config *config; /* may be NULL */
	const struct effects *fx; /* live (or fake); dry-run wraps it */
	const struct rb_ui *ui; /* may be NULL */
	volatile sig_atomic_t *cancel; /* ^C count, may be NULL */
	const struct rb_run_plan *apply; /* NULL: not an apply */
	int wait; /* a target another run holds: wait for it (--wait) */
	/* `owl recover RUN --undo`: the number of steps the interrupted run
	 * did, whose undo runs (nothing else is written), and the runbook
	 * it ran (another version is refused); 0 / NULL otherwise */
	int64_t replay;
	int64_t replay_of;
	const char *replay_sha256;
	/* `owl recover RUN --retry`: after the `replay` steps (not run
	 * again), the run goes on live from the next one; retry_check: that
	 * step had begun, and runs again only if declared idempotent */
	int retry, retry_check;
};

struct rb_run_result {
	int64_t run_id;
	char status[16]; /* ok|failed|cancelled|refused */
	int exit_code; /* 0 ok, 1 failed or cancelled, 3 refused */
	char error[1024]; /* masked; "" when ok */
	json_t *doc; /* the --json document; json_decref */
	json_t *departures; /* borrowed from doc; NULL: no plan compared */
	int64_t plan_id;
	int64_t compared_plan; /* the dry-run plan compared with, 0: none */
	char approval[16]; /* the runbook's approval{}, "" when none */
};

/* Runs a runbook. Returns 0 when the run took place (see r->status and
 * r->exit_code), or -1 with err set when it did not start: no such
 * runbook or a load error or bad params (ERR_USAGE), the lease is held
 * (ERR_REFUSED), the database failed (ERR_FAILED). */
int rb_run(struct store *s, const struct rb_run_opts *o,
    struct rb_run_result *r, struct err *err);

/* Reads DIR/NAME.lua into *src (malloc'd) after checking the name;
 * -1 with ERR_USAGE when it is not there. */
int rb_run_read(
    const char *dir, const char *name, char **src, size_t *n, struct err *err);

/* Checks a runbook{} declaration and builds the params: declared
 * defaults, given values, types. Unknown or missing params: -1 with
 * ERR_USAGE. *out is the caller's. */
int rb_run_params(
    const json_t *decl, const json_t *given, json_t **out, struct err *err);

/* Evaluates NAME.lua as data (a runbook test file) in a sandboxed
 * worker and returns the value it returns, as JSON (*out, the caller's):
 * from src (its snapshot, modules too) when not NULL, else from DIR. A
 * missing file: -1 with ERR_USAGE. */
int rb_run_data(const char *dir, struct rbsource *src, const char *name,
    json_t **out, struct err *err);

#endif
