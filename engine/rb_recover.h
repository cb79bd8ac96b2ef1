/* rb_recover.h: `owl recover RUN`: what a crashed or killed run did, from
 * its journal (run_steps, and the intent and result entries the
 * chokepoint wrote to the action log around every effect): each step
 * done, unknown (begun and never ended: a write whose intent has no
 * result may or may not have happened) or not started (in the newest
 * dry-run plan of the same runbook and params, never begun); and the
 * operator's resolution of it, logged. */
#ifndef OWL_RB_RECOVER_H
#define OWL_RB_RECOVER_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

/* The journal of run id as {"run", "runbook", "source", "commit",
 * "source_sha256", "params", "incident", "status", "resolved"
 * (null, or {"actor", "note", "at"}), "recovered" (null, or the last
 * --undo or --retry that ran a recovery run: {"actor", "choice", "run",
 * "outcome", "at"}), "steps": [{"i", "name", "undo",
 * "state": "done"|"failed"|"unknown"|"not started", "idempotent"
 * (declared so; false for a step not started), "effects": [{"seq",
 * "kind", "target", "write", "result": "ok"|"failed"|null, "request"}]}]}
 * in *out (the caller's). No such run: -1 with ERR_USAGE. */
int rb_recover_list(struct store *s, int64_t id, json_t **out, struct err *err);

/* Logs the operator's choice for run id (run.recover {choice, note,
 * ...extra (may be NULL; taken)}). A run that is not interrupted (still
 * running, or ended): -1 with ERR_REFUSED. */
int rb_recover_log(struct store *s, int64_t id, const char *actor,
    const char *choice, const char *note, json_t *extra, struct err *err);

#endif
