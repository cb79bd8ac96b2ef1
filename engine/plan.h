/* plan.h: stored plans (every dry-run's, and every run's record of what
 * it did): reading one back with the run that made it, listing them,
 * their preconditions (what the reads before the first write saw), the
 * text a person reads (every write in full) and the difference between
 * two plans. The plans are written by rb_runs.c at the end of a run. */
#ifndef OWL_PLAN_H
#define OWL_PLAN_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "store.h"

struct plan {
	int64_t id, run_id, incident, created_at;
	int dry_run;
	char hash[65];
	char source_sha256[65];
	char *runbook, *source, *commit, *ref, *blob, *actor, *status;
	json_t *params; /* the resolved params */
	json_t *effects; /* the ordered effects (masked) */
};

/* Reads plan id into p (plan_done frees it). No such plan: -1 with
 * ERR_USAGE "no plan N (see: owl plans)". */
int plan_get(struct store *s, int64_t id, struct plan *p, struct err *err);

void plan_done(struct plan *p);

/* The plan as the JSON document of `owl plan show --json` (the caller's):
 * {"id", "hash", "run", "runbook", "source", "commit", "ref", "blob",
 * "source_sha256", "params", "actor", "incident", "dry_run",
 * "created_at", "status", "preconditions", "effects"}. */
json_t *plan_json(const struct plan *p);

/* The preconditions of a list of effects: each read made before the
 * first write that saw something ("read" in its entry), as
 * [{"seq", "kind", "target", "status"?, "sha256"}] (the caller's). */
json_t *plan_preconditions(const json_t *effects);

/* The plans, newest first (all, or those of one incident when incident
 * > 0), at most limit, as [{"id", "hash", "run", "runbook", "commit",
 * "actor", "incident", "dry_run", "writes", "created_at"}] in *out. */
int plan_list(struct store *s, int64_t incident, int limit, json_t **out,
    struct err *err);

/* Appends to out the lines that show an effect in full below its "kind
 * target" line: a write's request (headers, pretty JSON body, argv, env
 * names, content hashes), the secrets it uses, what a read saw. Every
 * line ends with '\n'; the text is not sanitized. */
int plan_effect_text(const json_t *e, struct buf *out, struct err *err);

/* What changed between plans a and b's write effects, in order: an array
 * of {"change": "added"|"removed"|"changed", "kind", "target", "diff"?}
 * where diff is the unified diff of the two writes' texts (the
 * caller's). */
json_t *plan_diff(const json_t *a, const json_t *b, struct err *err);

/* One line saying how what a read saw changed, from the plan's "read"
 * (was) to now's: a status, the first JSON member that differs (`mode
 * was "normal", now "degraded"`), a text, or the hashes. Writes at most
 * n bytes to out. */
void plan_read_change(
    const json_t *was, const json_t *now, char *out, size_t n);

/* Records actor's approval of plan p, bound to its hash, and logs it
 * (plan.approve), in one transaction. The plan's own author, or an
 * approval already given: -1 with ERR_REFUSED saying so. */
int plan_approve(
    struct store *s, const struct plan *p, const char *actor, struct err *err);

/* Whether someone other than actor approved plan id at hash: 1 with
 * their name in by (n bytes), 0 when nobody did, -1 with err set. An
 * approval given at another hash does not count. */
int plan_approved(struct store *s, int64_t id, const char *hash,
    const char *actor, char *by, size_t n, struct err *err);

#endif
