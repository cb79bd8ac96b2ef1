/* view_run.c: the live run view of `owl tui`: a run followed through the
 * database (it is a process of its own): its state, its steps with
 * status and duration as they happen, undo steps as they run, its log()
 * lines streaming (follow mode; scrolling pauses it, f or G resumes), a
 * finished dry-run's plan with request bodies and diffs (a applies it,
 * e edits the params), the confirm() it waits on as a modal any TUI can
 * answer, and c to cancel. Outcomes in the engine's words. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tui_int.h"
#include "engine/actlog.h"
#include "engine/actlog_text.h"
#include "engine/rb_ask.h"
#include "engine/rb_runs.h"

#define RUN_LOG_MAX 2000 /* newest log entries shown */

/* The live run view (view_run.c): one run, followed in the database. */
struct view_run {
	int64_t id;
	char runbook[128], status[16], host[256], error[512], actor[128];
	int dry_run;
	int64_t pid, incident, started_at, ended_at, plan;
	json_t *params; /* as the run got them */
	struct pager pg;
	int follow; /* the view stays at the end as lines come */
	int rows; /* body rows of the last frame */
	int64_t ask_n; /* the question it waits on, 0: none */
	int64_t dismissed; /* a question put off with Esc */
	char ask[1024];
	char ask_target[256]; /* confirm({ type = "target" }): the name to
	                       * type; "" a y/N question */
};

static void run_clear(struct app *a);

static void run_addf(struct pager *p, int style, int indent, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
run_addf(struct pager *p, int style, int indent, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pager_add(p, style, indent, line);
}

static int
run_take(const struct rb_runs_row *r, void *ctx)
{
	struct view_run *v = ctx;

	snprintf(v->runbook, sizeof v->runbook, "%s", r->runbook);
	snprintf(v->status, sizeof v->status, "%s", r->status);
	snprintf(v->host, sizeof v->host, "%s", r->host ? r->host : "");
	snprintf(v->error, sizeof v->error, "%s", r->error ? r->error : "");
	snprintf(v->actor, sizeof v->actor, "%s", r->actor);
	v->dry_run = r->dry_run;
	v->pid = r->pid;
	v->incident = r->incident;
	v->started_at = r->started_at;
	v->ended_at = r->ended_at;
	v->plan = r->plan_id;
	json_decref(v->params);
	v->params = json_loads(r->params ? r->params : "{}", 0, NULL);
	return 1;
}

/* The outcome in the engine's words, and its style. */
static int
run_style(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return SCREEN_OK;
	if (strcmp(status, "running") == 0)
		return SCREEN_ACKED;
	if (strcmp(status, "cancelled") == 0)
		return SCREEN_WARN;
	return SCREEN_ALARM;
}

static int
run_step(const struct rb_runs_step_row *r, void *ctx)
{
	struct pager *p = ctx;
	char took[32] = "";

	if (r->ms >= 0)
		snprintf(took, sizeof took, " %" PRId64 " ms", r->ms);
	else if (strcmp(r->status, "running") == 0) {
		text_age(
		    clock_now_us() - r->started_at, took + 1, sizeof took - 1);
		took[0] = ' ';
	}
	run_addf(p, run_style(r->status), 2, "%s%-3" PRId64 " %-28s %s%s%s%s",
	    r->undo ? "undo " : "", r->idx, r->name, r->status, took,
	    r->error ? ": " : "", r->error ? r->error : "");
	return 0;
}

struct run_walk {
	struct pager *p;
	struct actlog_text *text;
};

static int
run_learn(const struct actlog_entry *e, void *ctx)
{
	struct run_walk *w = ctx;

	return actlog_text_learn(w->text, e, NULL) == -1;
}

/* Each entry in the words of the log (engine/actlog_text.h); log()
 * lines as they are. */
static int
run_entry(const struct actlog_entry *e, void *ctx)
{
	struct run_walk *w = ctx;
	char at[64], *line;

	frame_time(e->at_us, 0, at, sizeof at);
	if (strcmp(e->kind, "run.step") == 0 ||
	    strcmp(e->kind, "run.undo") == 0)
		return 0; /* the steps are above */
	if ((line = actlog_text_dup(w->text, e)) == NULL)
		return 1;
	for (char *c = line; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	run_addf(w->p,
	    strcmp(e->kind, "run.log") == 0 ? SCREEN_NORMAL : SCREEN_DIM, 2,
	    "%s  %s", at, line);
	free(line);
	return 0;
}

/* A finished dry-run: the plan, each write with its request and diff. */
static void
run_plan(struct app *a, struct pager *p)
{
	json_t *effects = NULL, *e, *req;
	struct err err;
	size_t i, writes = 0;

	err_init(&err);
	if (a->run->plan == 0 ||
	    rb_runs_plan_effects(a->store, a->run->plan, &effects, &err) ==
	        -1 ||
	    !json_is_array(effects)) {
		json_decref(effects);
		return;
	}
	json_array_foreach(effects, i, e) writes +=
	    json_is_true(json_object_get(e, "write"));
	pager_add(p, SCREEN_NORMAL, 0, "");
	run_addf(p, SCREEN_BOLD, 0,
	    "Plan %" PRId64 ": %zu effect%s, %zu write%s%s", a->run->plan,
	    json_array_size(effects), json_array_size(effects) == 1 ? "" : "s",
	    writes, writes == 1 ? "" : "s",
	    strcmp(a->run->status, "ok") == 0 ? "  (a: apply  e: edit params)"
	                                      : "");
	json_array_foreach(effects, i, e)
	{
		const char *diff =
		    json_string_value(json_object_get(e, "diff"));
		char *body;

		run_addf(p,
		    json_is_true(json_object_get(e, "write")) ? SCREEN_WARN
		                                              : SCREEN_DIM,
		    2, "%s %s %s",
		    json_is_true(json_object_get(e, "write")) ? "write"
		                                              : "read ",
		    json_string_value(json_object_get(e, "kind")) ?: "?",
		    json_string_value(json_object_get(e, "target")) ?: "");
		req = json_object_get(e, "request");
		if (req == NULL)
			req = json_object_get(e, "json");
		if (req != NULL &&
		    (body = json_dumps(req, JSON_INDENT(2) | JSON_SORT_KEYS)) !=
		        NULL) {
			pager_add_lines(p, SCREEN_DIM, 8, body);
			free(body);
		}
		if (diff != NULL)
			pager_add_lines(p, SCREEN_NORMAL, 8, diff);
	}
	json_decref(effects);
}

/* A rollback that failed says so first, in red, and names the steps
 * it left undone: the world is half-changed. */
static void
run_rollback_failed(struct app *a, const char *error)
{
	struct view_run *v = a->run;
	const char *cut = strstr(error, "; rollback failed");
	char left[600];
	struct err err;

	err_init(&err);
	run_addf(&v->pg, SCREEN_ALARM | SCREEN_SEL, 2,
	    " rollback failed: %.*s ",
	    cut ? (int)(cut - error) : (int)strlen(error), error);
	if (rb_runs_left_undone(a->store, v->id, left, sizeof left, &err) > 0)
		run_addf(&v->pg, SCREEN_ALARM, 2,
		    "steps left undone: %s (the world is half-changed)", left);
	else if (err_isset(&err))
		run_addf(&v->pg, SCREEN_ALARM, 2, "%s", err.msg);
}

static void
run_reload(struct app *a)
{
	struct view_run *v = a->run;
	struct rb_runs_query q = { .run = v->id };
	struct actlog_filter f = { .run = v->id, .limit = RUN_LOG_MAX };
	struct run_walk w = { &v->pg, actlog_text_new() };
	size_t top = v->pg.top;
	struct rb_ask ask;
	const char *err_text;
	char took[32];
	struct err err;

	err_init(&err);
	/* one snapshot: a step that ends between the steps query and the log
	 * query would otherwise show "running" above its successor's log */
	(void)store_read_begin(a->store, &err);
	err_init(&err);
	pager_clear(&v->pg);
	v->status[0] = '\0';
	v->ask_n = 0;
	if (rb_runs_each(a->store, &q, run_take, v, &err) == -1 ||
	    v->status[0] == '\0') {
		run_addf(&v->pg, SCREEN_ALARM, 0, "run %" PRId64 ": %s", v->id,
		    err_isset(&err) ? err.msg : "no such run");
		goto out;
	}
	text_age((v->ended_at ? v->ended_at : clock_now_us()) - v->started_at,
	    took, sizeof took);
	run_addf(&v->pg, SCREEN_BOLD, 0, "run %" PRId64 "  %s%s", v->id,
	    v->runbook, v->dry_run ? " (dry-run)" : "");
	/* "interrupted: interrupted: ..." says it once */
	err_text = v->error;
	if (strncmp(err_text, v->status, strlen(v->status)) == 0 &&
	    strncmp(err_text + strlen(v->status), ": ", 2) == 0)
		err_text += strlen(v->status) + 2;
	if (strcmp(v->status, "rollback-failed") == 0)
		run_rollback_failed(a, err_text);
	else
		run_addf(&v->pg, run_style(v->status) | SCREEN_SEL, 2,
		    " %s%s%s ", v->status, err_text[0] ? ": " : "", err_text);
	run_addf(&v->pg, SCREEN_NORMAL, 2,
	    "by %s  %s %s  pid %" PRId64 " on %s%s", v->actor,
	    v->ended_at ? "took" : "running for", took, v->pid, v->host,
	    v->incident ? "" : "");
	if (v->incident)
		run_addf(
		    &v->pg, SCREEN_NORMAL, 2, "for INC-%" PRId64, v->incident);
	if (v->params != NULL && json_object_size(v->params) > 0) {
		char *ps = json_dumps(v->params, JSON_COMPACT | JSON_SORT_KEYS);

		run_addf(&v->pg, SCREEN_DIM, 2, "params %s", ps ? ps : "?");
		free(ps);
	}
	if (rb_ask_pending(a->store, v->id, &ask, &err) == 1) {
		v->ask_n = ask.n;
		snprintf(v->ask, sizeof v->ask, "%s", ask.text);
		snprintf(v->ask_target, sizeof v->ask_target, "%s", ask.target);
		run_addf(&v->pg, SCREEN_WARN, 2,
		    "waits for an answer: %s%s%s%s", ask.text,
		    ask.target[0] ? " (type " : "", ask.target,
		    ask.target[0] ? " to confirm)" : "");
	}
	pager_add(&v->pg, SCREEN_NORMAL, 0, "");
	pager_add(&v->pg, SCREEN_BOLD, 0, "Steps");
	if (rb_runs_steps(a->store, v->id, run_step, &v->pg, &err) == -1)
		run_addf(&v->pg, SCREEN_ALARM, 2, "%s", err.msg);
	if (v->dry_run && strcmp(v->status, "running") != 0)
		run_plan(a, &v->pg);
	pager_add(&v->pg, SCREEN_NORMAL, 0, "");
	run_addf(&v->pg, SCREEN_BOLD, 0, "Log%s",
	    v->follow ? " (following)" : " (paused: f follows)");
	if (w.text == NULL ||
	    actlog_each(a->store, &f, run_learn, &w, &err) == -1 ||
	    actlog_each(a->store, &f, run_entry, &w, &err) == -1)
		run_addf(&v->pg, SCREEN_ALARM, 2, "%s",
		    w.text == NULL ? "out of memory" : err.msg);
out:
	store_read_end(a->store);
	actlog_text_free(w.text);
	pager_filter(&v->pg, "");
	if (v->follow && v->rows > 0)
		v->pg.top = v->pg.nrows > (size_t)v->rows
		    ? v->pg.nrows - (size_t)v->rows
		    : 0;
	else
		v->pg.top = top < v->pg.nrows ? top : 0;
	/* answered elsewhere (another TUI, owl answer): the modal goes */
	if ((a->prompt == APP_PROMPT_ANSWER ||
	        a->prompt == APP_PROMPT_TARGET) &&
	    v->ask_n == 0) {
		a->prompt = APP_PROMPT_NONE;
		frame_message(a, SCREEN_NORMAL,
		    "run %" PRId64 ": answered "
		    "elsewhere",
		    v->id);
	}
	/* a question opens as a modal, once, in this view: y/N, or a text
	 * field for the target's name */
	if (v->ask_n != 0 && v->ask_n != v->dismissed &&
	    a->prompt == APP_PROMPT_NONE && frame_top(a) == &view_run_ops)
		run_ask_open(a, NULL);
	a->frame.dirty = 1;
}

void
run_ask_open(struct app *a, const char *refused)
{
	struct view_run *v = a->run;

	if (v->ask_target[0] == '\0') {
		a->prompt = APP_PROMPT_ANSWER;
		snprintf(a->prompt_label, sizeof a->prompt_label,
		    "run %" PRId64 " asks: %.400s [y/N]", v->id, v->ask);
	} else {
		a->prompt = APP_PROMPT_TARGET;
		if (refused != NULL)
			snprintf(a->prompt_label, sizeof a->prompt_label,
			    "'%.40s' is not it: type %.200s: ", refused,
			    v->ask_target);
		else
			snprintf(a->prompt_label, sizeof a->prompt_label,
			    "run %" PRId64 ": type %.200s to confirm: ", v->id,
			    v->ask_target);
		lineedit_init(&a->le, NULL);
	}
	a->frame.dirty = 1;
}

void
app_open_run(struct app *a, int64_t id)
{
	run_clear(a);
	a->run->id = id;
	a->run->follow = 1;
	a->run->dismissed = 0;
	frame_push(a, &view_run_ops);
	run_reload(a);
}

static void
run_clear(struct app *a)
{
	pager_clear(&a->run->pg);
	json_decref(a->run->params);
	a->run->params = NULL;
}

static void
run_draw(struct app *a, int head, int top, int rows, int cols)
{
	char h[96];
	struct view_run *v = a->run;

	if (v->rows != rows) {
		v->rows = rows;
		if (v->follow)
			v->pg.top = v->pg.nrows > (size_t)rows
			    ? v->pg.nrows - (size_t)rows
			    : 0;
	}
	snprintf(h, sizeof h, "Run %" PRId64 " %s", v->id,
	    v->follow ? "(following)" : "(paused)");
	screen_text(a->sc, head, 0, cols, h, SCREEN_BOLD | SCREEN_PAD);
	pager_draw(&v->pg, a->sc, top, rows, cols);
}

/* a after a dry-run: exactly its plan, for real (owl apply PLAN). */
static void
run_apply_plan(struct app *a)
{
	struct view_run *v = a->run;
	char msg[APP_MSG_MAX];
	int64_t id;

	if (!v->dry_run) {
		frame_message(a, SCREEN_NORMAL,
		    "run %" PRId64 " is a live run (%s): it has no plan to "
		    "apply; a applies a dry-run's",
		    v->id, v->status);
		return;
	}
	if (strcmp(v->status, "running") == 0) {
		frame_message(a, SCREEN_NORMAL,
		    "dry-run %" PRId64 " is still running: a applies its "
		    "plan once it ends ok",
		    v->id);
		return;
	}
	if (strcmp(v->status, "ok") != 0) {
		frame_message(a, SCREEN_NORMAL,
		    "dry-run %" PRId64 " ended %s: its plan is not one to "
		    "apply (e edits its params and dry-runs again)",
		    v->id, v->status);
		return;
	}
	if (v->plan == 0) {
		frame_message(a, SCREEN_ALARM,
		    "run %" PRId64 " made no plan: nothing to apply", v->id);
		return;
	}
	id = run_apply(a, v->plan, msg, sizeof msg);
	if (id < 0) {
		frame_message(a, SCREEN_ALARM, "%s", msg);
		return;
	}
	if (a->nmine < APP_MINE_MAX)
		a->mine[a->nmine++] = id;
	act_run_note(a, v->incident,
	    "run %" PRId64 " %s: applied plan %" PRId64 " of dry-run %" PRId64,
	    id, v->runbook, v->plan, v->id);
	frame_pop(a);
	app_open_run(a, id);
	frame_message(a, SCREEN_OK, "%s", msg);
}

/* Enter in the text field of a confirm() that wants its target typed:
 * the exact name says yes, nothing says no, another name is refused
 * (and it still waits). */
void
view_run_target_done(struct app *a, const char *text)
{
	struct err err;
	int yes = text[0] != '\0';

	err_init(&err);
	if (a->readonly) {
		frame_message(a, SCREEN_ALARM, "read-only: not answered");
		return;
	}
	if (yes && strcmp(text, a->run->ask_target) != 0) {
		run_ask_open(a, text);
		return;
	}
	if (rb_ask_answer(a->store, a->run->id, yes, yes ? text : NULL,
	        a->actor, &err) == -1) {
		frame_message(a, SCREEN_ALARM, "not answered: %s", err.msg);
	} else {
		frame_message(a, SCREEN_OK, "answered %s", yes ? "yes" : "no");
		act_run_note(a, a->run->incident,
		    "run %" PRId64 " %s: answered %s%s%.200s: %.200s",
		    a->run->id, a->run->runbook, yes ? "yes" : "no",
		    yes ? ", typing " : "", yes ? text : "", a->run->ask);
	}
	frame_top(a)->reload(a);
}

void
view_run_prompt_key(struct app *a, enum app_prompt kind, int key)
{
	struct view_run *v = a->run;
	char msg[APP_MSG_MAX];
	struct err err;
	int yes = key == 'y' || key == 'Y';

	a->prompt = APP_PROMPT_NONE;
	err_init(&err);
	if (a->pasting)
		key = yes = 0;
	if (kind == APP_PROMPT_CANCELRUN) {
		if (!yes) {
			frame_message(
			    a, SCREEN_NORMAL, "cancelled: nothing done");
			return;
		}
		if (run_cancel(a, v->id, msg, sizeof msg) == 0)
			act_run_note(a, v->incident,
			    "run %" PRId64 " %s: cancel asked", v->id,
			    v->runbook);
		frame_message(a, SCREEN_WARN, "%s", msg);
		return;
	}
	if (!yes && key != 'n' && key != 'N') {
		v->dismissed = v->ask_n;
		frame_message(a, SCREEN_NORMAL,
		    "not answered: it still waits (y/n here later: "
		    "press Enter on it in g r, or owl answer %" PRId64
		    " yes|no)",
		    v->id);
		return;
	}
	if (a->readonly)
		frame_message(a, SCREEN_ALARM, "read-only: not answered");
	else if (rb_ask_answer(a->store, v->id, yes, NULL, a->actor, &err) ==
	    -1)
		frame_message(a, SCREEN_ALARM, "not answered: %s", err.msg);
	else {
		frame_message(a, SCREEN_OK, "answered %s", yes ? "yes" : "no");
		act_run_note(a, v->incident,
		    "run %" PRId64 " %s: answered %s: %.200s", v->id,
		    v->runbook, yes ? "yes" : "no", v->ask);
	}
	frame_top(a)->reload(a);
}

void
view_run_target_later(struct app *a)
{
	a->run->dismissed = a->run->ask_n;
	frame_message(a, SCREEN_NORMAL,
	    "not answered: it still waits (g r, Enter on the run, or "
	    "owl answer %" PRId64 " yes --target NAME)",
	    a->run->id);
}

/* c: asks first (default no). */
static void
run_cancel_ask(struct app *a)
{
	struct view_run *v = a->run;

	if (strcmp(v->status, "running") != 0) {
		frame_message(a, SCREEN_NORMAL,
		    "run %" PRId64 " has ended (%s): nothing to cancel", v->id,
		    v->status);
		return;
	}
	a->prompt = APP_PROMPT_CANCELRUN;
	snprintf(a->prompt_label, sizeof a->prompt_label,
	    "Cancel run %" PRId64 " %s (its undo runs)? [y/N]", v->id,
	    v->runbook);
	a->frame.dirty = 1;
}

/* e after a dry-run: its params again, then a new dry-run. */
static void
run_edit(struct app *a)
{
	struct view_run *v = a->run;

	if (!v->dry_run) {
		frame_message(
		    a, SCREEN_NORMAL, "e edits the params of a dry-run");
		return;
	}
	form_edit(a, v->runbook, v->params, v->incident);
}

/* The keys of the hint line that would only say why they do nothing:
 * c once the run has ended, a but on a dry-run that ended ok with a
 * plan, r but on an interrupted run (each still says why when pressed). */
static uint64_t
run_hints_off(struct app *a)
{
	const struct view_run *v = a->run;
	uint64_t off = 0;

	if (strcmp(v->status, "running") != 0)
		off |= KEYS_BIT(KEYS_CANCEL);
	if (!v->dry_run || strcmp(v->status, "ok") != 0 || v->plan == 0)
		off |= KEYS_BIT(KEYS_APPLY);
	if (strcmp(v->status, "interrupted") != 0)
		off |= KEYS_BIT(KEYS_RECOVER);
	return off;
}

static enum view_result
run_action(struct app *a, enum keys_action act, int rows)
{
	struct view_run *v = a->run;
	enum view_result r;
	size_t last;

	switch (act) {
	case KEYS_CANCEL: run_cancel_ask(a); return VIEW_REDRAW;
	case KEYS_APPLY: run_apply_plan(a); return VIEW_REDRAW;
	case KEYS_EDIT: run_edit(a); return VIEW_REDRAW;
	case KEYS_RECOVER: recover_begin(a, v->id); return VIEW_REDRAW;
	case KEYS_FOLLOW:
	case KEYS_BOTTOM:
		v->follow = 1;
		run_reload(a);
		return VIEW_REDRAW;
	default: break;
	}
	if ((r = pager_scroll(&v->pg, act, rows)) == VIEW_PASS)
		return VIEW_PASS;
	/* scrolling up pauses the follow; reaching the end resumes it */
	last = v->pg.nrows > (size_t)rows ? v->pg.nrows - (size_t)rows : 0;
	if (v->follow !=
	    (v->pg.top >= last && act != KEYS_UP && act != KEYS_PGUP &&
	        act != KEYS_TOP)) {
		v->follow = !v->follow;
		r = VIEW_REDRAW;
	}
	return r;
}

static void
run_close(struct app *a)
{
	run_clear(a);
}

static int
run_init(struct app *a)
{
	return (a->run = calloc(1, sizeof *a->run)) == NULL ? -1 : 0;
}

static void
run_done(struct app *a)
{
	if (a->run != NULL)
		run_clear(a);
	free(a->run);
	a->run = NULL;
}

const struct view_ops view_run_ops = {
	.name = "run",
	.init = run_init,
	.done = run_done,
	.keys = KEYS_V_RUN,
	.reload = run_reload,
	.draw = run_draw,
	.action = run_action,
	.close = run_close,
	.hints_off = run_hints_off,
};
