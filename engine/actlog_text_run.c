/* actlog_text_run.c: the sentences of runs, their steps and effects,
 * plan approvals, refused runbooks and runbook syncs (actlog_text.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "actlog_text_int.h"

/* "run 7 " for an entry of a run. */
int
at_runhead(struct buf *b, const struct at_ev *v, struct err *err)
{
	return v->e->run != 0
	    ? buf_printf(b, err, "run %" PRId64 " ", v->e->run)
	    : 0;
}

/* The runbook of the entry's run. */
static const char *
at_runbook(const struct at_ev *v)
{
	char key[32];
	const json_t *r;

	snprintf(key, sizeof key, "%" PRId64, v->e->run);
	r = json_object_get(json_object_get(v->t->mem, "runs"), key);
	return at_or(at_str(r, "runbook"), at_or(at_str(v->d, "runbook"), "?"));
}

/* "commit 3f2a9c1", else "unversioned, blob acd4ce9", else
 * "unversioned". */
static int
at_version(struct buf *b, const json_t *d, struct err *err)
{
	const char *c = at_str(d, "commit"), *blob = at_str(d, "blob");
	const char *ref = at_str(d, "ref");

	/* A run pinned by its commit id (owl apply, --rev SHA) names it once.
	 */
	if (c != NULL && ref != NULL && *ref != '\0' &&
	    strncmp(c, ref, strlen(ref)) == 0)
		ref = NULL;
	if (c != NULL)
		return buf_printf(b, err, "%s%scommit %.7s%s", ref ? ref : "",
		    ref ? ", " : "", c,
		    json_is_true(json_object_get(d, "dirty")) ? ", dirty" : "");
	if (blob != NULL)
		return buf_printf(b, err, "unversioned, blob %.7s", blob);
	return buf_adds(b, "unversioned", err);
}

int
at_run_start(struct buf *b, const struct at_ev *v, struct err *err)
{
	if (buf_printf(b, err, "%s (", at_runbook(v)) == -1 ||
	    at_version(b, v->d, err) == -1 ||
	    buf_printf(b, err, ") started by %s", v->actor) == -1)
		return -1;
	return json_is_true(json_object_get(v->d, "dry_run"))
	    ? buf_adds(b, " as a dry-run", err)
	    : 0;
}

int
at_run_step(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *e = at_str(v->d, "error");
	char key[32];
	json_int_t n;

	snprintf(key, sizeof key, "%" PRId64, v->e->run);
	n = at_int(
	    json_object_get(json_object_get(v->t->mem, "runs"), key), "steps");
	if (buf_printf(b, err, "%s %" JSON_INTEGER_FORMAT,
	        *v->k == 's' ? "step" : "undo of step",
	        at_int(v->d, "i")) == -1 ||
	    (*v->k == 's' && v->t->ahead && n >= at_int(v->d, "i") &&
	        buf_printf(b, err, "/%" JSON_INTEGER_FORMAT, n) == -1))
		return -1;
	return buf_printf(b, err, " %s: %s %" JSON_INTEGER_FORMAT " ms%s%s",
	    at_or(at_str(v->d, "name"), "?"),
	    at_or(at_str(v->d, "status"), "?"), at_int(v->d, "ms"),
	    e ? ": " : "", at_or(e, ""));
}

int
at_run_end(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *e = at_str(v->d, "error");
	json_int_t plan = at_int(v->d, "plan");
	json_int_t cmp = at_int(v->d, "compared_plan");
	char key[32];
	int dry;

	snprintf(key, sizeof key, "%" PRId64, v->e->run);
	dry = json_is_true(json_object_get(
	    json_object_get(json_object_get(v->t->mem, "runs"), key),
	    "dry_run"));
	if (buf_printf(b, err, "%s %sended: %s%s%s", at_runbook(v),
	        dry ? "dry-run " : "", at_or(at_str(v->d, "status"), "?"),
	        e ? ": " : "", at_or(e, "")) == -1)
		return -1;
	if (dry && plan > 0)
		return buf_printf(b, err,
		    "; its writes are plan %" JSON_INTEGER_FORMAT, plan);
	if (!dry && cmp > 0)
		return buf_printf(b, err, "; %s plan %" JSON_INTEGER_FORMAT,
		    json_array_size(json_object_get(v->d, "departures")) == 0
		        ? "as planned in"
		        : "departed from",
		    cmp);
	return 0;
}

static int
at_run_confirm(struct buf *b, const struct at_ev *v, struct err *err)
{
	return buf_printf(b, err, "confirm \"%s\": %s%s",
	    at_or(at_str(v->d, "text"), at_or(at_str(v->d, "target"), "")),
	    at_or(at_str(v->d, "answer"), "?"),
	    json_is_true(json_object_get(v->d, "yes_flag")) ? " (--yes)" : "");
}

/* owl recover's choice: a re-check says what it saw, an undo its run. */
static int
at_run_recover(struct buf *b, const struct at_ev *v, struct err *err)
{
	const json_t *seen = json_object_get(v->d, "seen"), *s;
	json_int_t undo = at_int(v->d, "recovery_run");
	size_t i;

	if (buf_printf(b, err, "%s recovered by %s: %s%s%s", at_runbook(v),
	        v->actor, at_or(at_str(v->d, "choice"), "?"),
	        at_str(v->d, "note") ? ": " : "",
	        at_or(at_str(v->d, "note"), "")) == -1)
		return -1;
	if (undo > 0 &&
	    buf_printf(b, err, " (run %" JSON_INTEGER_FORMAT ": %s)", undo,
	        at_or(at_str(v->d, "outcome"), "?")) == -1)
		return -1;
	if (json_is_array(seen) && json_array_size(seen) == 0)
		return buf_adds(b, " (nothing to read again)", err);
	json_array_foreach(seen, i, s)
	{
		if (buf_printf(b, err, "%s GET %s -> ", i ? "," : ";",
		        at_or(at_str(s, "url"), "?")) == -1 ||
		    (at_str(s, "error") != NULL
		            ? buf_printf(
		                  b, err, "failed: %s", at_str(s, "error"))
		            : buf_printf(b, err, "%" JSON_INTEGER_FORMAT,
		                  at_int(s, "status"))) == -1)
			return -1;
	}
	return 0;
}

int
at_run_other(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *why = at_or(at_str(v->d, "why"), at_str(v->d, "reason"));

	if (why != NULL && strncmp(why, "interrupted: ", 13) == 0)
		why += 13; /* said already */
	if (strcmp(v->k, "log") == 0)
		return buf_printf(
		    b, err, "log: %s", at_or(at_str(v->d, "text"), ""));
	if (strcmp(v->k, "confirm") == 0)
		return at_run_confirm(b, v, err);
	if (strcmp(v->k, "question") == 0)
		return buf_printf(b, err,
		    "asks \"%s\" (waiting for an answer%s%s)",
		    at_or(at_str(v->d, "text"), ""),
		    at_str(v->d, "target") ? ": type " : "",
		    at_or(at_str(v->d, "target"), ""));
	if (strcmp(v->k, "answer") == 0)
		return buf_printf(b, err, "answered %s by %s%s%s",
		    json_is_true(json_object_get(v->d, "yes")) ? "yes" : "no",
		    v->actor, at_str(v->d, "target") ? ", typing " : "",
		    at_or(at_str(v->d, "target"), ""));
	if (strcmp(v->k, "cancel_asked") == 0)
		return buf_printf(b, err, "cancel asked by %s", v->actor);
	if (strcmp(v->k, "interrupted") == 0)
		return buf_printf(b, err, "%s interrupted%s%s", at_runbook(v),
		    why ? ": " : "", at_or(why, ""));
	if (strcmp(v->k, "lease_takeover") == 0)
		return buf_printf(b, err,
		    "%s took over the lease of run %" JSON_INTEGER_FORMAT
		    " (%s, gone)",
		    at_runbook(v), at_int(v->d, "previous_run"),
		    at_or(at_str(v->d, "holder"), "?"));
	if (strcmp(v->k, "recover") == 0)
		return at_run_recover(b, v, err);
	if (strcmp(v->k, "apply") == 0)
		return buf_printf(b, err,
		    "%s applies plan %" JSON_INTEGER_FORMAT " (hash %.12s)",
		    at_runbook(v), at_int(v->d, "plan"),
		    at_or(at_str(v->d, "plan_hash"), "?"));
	return 1;
}

int
at_effect(struct buf *b, const struct at_ev *v, struct err *err)
{
	const json_t *in = v->d, *x;
	char key[64];

	if (*v->k == 'r') {
		at_fxkey(key, sizeof key, v->e->run, v->d);
		in = json_object_get(json_object_get(v->t->mem, "fx"), key);
	}
	if (buf_printf(b, err, "%s %s", at_or(at_str(in, "kind"), "effect"),
	        at_or(at_str(in, "target"), "?")) == -1)
		return -1;
	if (*v->k == 'i')
		return buf_printf(b, err, ": started%s",
		    json_is_true(json_object_get(v->d, "dry_run"))
		        ? " (dry-run)"
		        : "");
	if (json_is_integer(x = json_object_get(v->d, "status")))
		buf_printf(
		    b, err, " -> %" JSON_INTEGER_FORMAT, json_integer_value(x));
	else if (json_is_integer(x = json_object_get(v->d, "code")))
		buf_printf(b, err, " -> exit %" JSON_INTEGER_FORMAT,
		    json_integer_value(x));
	else
		buf_adds(b,
		    json_is_true(json_object_get(v->d, "ok")) ? " -> ok"
		                                              : " -> failed",
		    err);
	if (at_str(v->d, "error") != NULL)
		buf_printf(b, err, ": %s", at_str(v->d, "error"));
	if (json_is_true(json_object_get(v->d, "changed")))
		buf_adds(b, ", changed", err);
	if (json_is_true(json_object_get(v->d, "simulated")))
		buf_adds(b, " (simulated)", err);
	return buf_printf(
	    b, err, " %" JSON_INTEGER_FORMAT " ms", at_int(v->d, "ms"));
}

int
at_runbook_refused(struct buf *b, const struct at_ev *v, struct err *err)
{
	if (buf_printf(b, err, "runbook %s refused (",
	        at_or(at_str(v->d, "runbook"), "?")) == -1 ||
	    at_version(b, v->d, err) == -1)
		return -1;
	return buf_printf(b, err, "): %s", at_or(at_str(v->d, "reason"), "?"));
}

int
at_plan_approve(struct buf *b, const struct at_ev *v, struct err *err)
{
	return buf_printf(b, err,
	    "plan %" JSON_INTEGER_FORMAT " (%s, hash %.12s) approved by %s",
	    at_int(v->d, "plan"), at_or(at_str(v->d, "runbook"), "?"),
	    at_or(at_str(v->d, "hash"), "?"), v->actor);
}

int
at_runbooks_sync(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *old = at_str(v->d, "old"), *new = at_str(v->d, "new");
	size_t n = json_array_size(json_object_get(v->d, "changed"));

	if (buf_printf(b, err, "runbooks synced by %s from %s: ", v->actor,
	        at_or(at_str(v->d, "repo"), "?")) == -1)
		return -1;
	if (old == NULL)
		return buf_printf(
		    b, err, "new mirror at %.12s", at_or(new, "?"));
	if (new != NULL && strcmp(old, new) == 0)
		return buf_printf(b, err, "up to date at %.12s", new);
	return buf_printf(b, err, "%.12s -> %.12s (%zu runbook%s changed)", old,
	    at_or(new, "?"), n, n == 1 ? "" : "s");
}
