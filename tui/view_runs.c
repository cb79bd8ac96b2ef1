/* view_runs.c: the runs screen of `owl tui` (g r, ^R): every runbook
 * run, running first, then the newest; an interrupted run says what
 * `owl recover` would offer. Enter opens the live run view. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"
#include "engine/rb_runs.h"
#include "integrations/runner.h"

#define RUNS_MAX 500

/* The runs screen (view_runs.c). */
struct view_runs {
	json_t *rows; /* [{id, runbook, status, ...}], running first */
	size_t sel, top;
};

static void runs_clear(struct app *a);

static int
runs_take(const struct rb_runs_row *r, void *ctx)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:b,s:I,s:I,s:I,s:s}", "id",
	    (json_int_t)r->id, "runbook", r->runbook, "status", r->status,
	    "actor", r->actor, "dry_run", r->dry_run, "incident",
	    (json_int_t)r->incident, "started", (json_int_t)r->started_at,
	    "ended", (json_int_t)r->ended_at, "error",
	    r->error ? r->error : "");

	return o == NULL || json_array_append_new(ctx, o) == -1;
}

static void
runs_reload(struct app *a)
{
	struct rb_runs_query q = { .limit = RUNS_MAX };
	int64_t keep = view_runs_selected(a);
	struct err err;
	size_t i;
	json_t *o;

	err_init(&err);
	/* a run whose process is gone shows as interrupted, as owl
	 * recover (or the next run) would mark it */
	if (!a->readonly)
		runner_sweep(a->store, NULL, NULL);
	json_decref(a->runs->rows);
	a->runs->rows = json_array();
	if (rb_runs_each(a->store, &q, runs_take, a->runs->rows, &err) == -1)
		frame_message(
		    a, SCREEN_ALARM, "cannot read the runs: %s", err.msg);
	/* a rollback that failed names the steps it left undone */
	json_array_foreach(a->runs->rows, i, o)
	{
		char left[600];

		if (strcmp(json_string_value(json_object_get(o, "status")),
		        "rollback-failed") == 0 &&
		    rb_runs_left_undone(a->store,
		        json_integer_value(json_object_get(o, "id")), left,
		        sizeof left, &err) > 0)
			json_object_set_new(o, "left", json_string(left));
	}
	/* the selection stays on its run as others come and go */
	json_array_foreach(a->runs->rows, i, o) if (keep != 0 &&
	    json_integer_value(json_object_get(o, "id")) == keep) a->runs->sel =
	    i;
	if (a->runs->sel >= json_array_size(a->runs->rows))
		a->runs->sel = json_array_size(a->runs->rows)
		    ? json_array_size(a->runs->rows) - 1
		    : 0;
	a->frame.dirty = 1;
}

void
app_open_runs(struct app *a)
{
	if (frame_top(a) == &view_runs_ops)
		return;
	a->runs->sel = a->runs->top = 0;
	frame_push(a, &view_runs_ops);
	runs_reload(a);
}

int64_t
view_runs_selected(const struct app *a)
{
	return json_integer_value(
	    json_object_get(json_array_get(a->runs->rows, a->runs->sel), "id"));
}

static void
runs_clear(struct app *a)
{
	json_decref(a->runs->rows);
	a->runs->rows = NULL;
}

static int
runs_style(const char *status)
{
	if (strcmp(status, "running") == 0)
		return SCREEN_ACKED;
	if (strcmp(status, "ok") == 0)
		return SCREEN_OK;
	if (strcmp(status, "cancelled") == 0)
		return SCREEN_WARN;
	return SCREEN_ALARM;
}

static void
runs_draw(struct app *a, int head, int top, int rows, int cols)
{
	struct view_runs *r = a->runs;
	size_t n = json_array_size(r->rows);
	char line[1024], at[64], inc[32], tail[640];
	const char *sel_st, *sel_left;

	screen_text(a->sc, head, 0, cols,
	    "  RUN   STATE           RUNBOOK              INCIDENT  BY         "
	    "STARTED",
	    SCREEN_BOLD | SCREEN_PAD);
	if (n == 0) {
		screen_text(a->sc, top, 2, cols - 2,
		    "no runs yet (R on an incident runs a runbook)",
		    SCREEN_DIM);
		return;
	}
	sel_st = json_string_value(
	    json_object_get(json_array_get(r->rows, r->sel), "status"));
	sel_left = json_string_value(
	    json_object_get(json_array_get(r->rows, r->sel), "left"));
	/* the last row says what a rollback that failed left undone, or
	 * what an interrupted run offers */
	if (sel_left != NULL && rows > 1) {
		rows--;
		snprintf(line, sizeof line,
		    "rollback failed: steps left undone: %s", sel_left);
		screen_text(a->sc, top + rows, 2, cols - 2, line, SCREEN_ALARM);
	} else if (sel_st != NULL && strcmp(sel_st, "interrupted") == 0 &&
	    rows > 1) {
		rows--;
		screen_text(a->sc, top + rows, 2, cols - 2,
		    a->readonly ? "interrupted: owl recover RUN offers "
		                  "re-check, undo, mark resolved"
		                : "interrupted: r recovers it (c re-check, u "
		                  "undo its done steps, m mark resolved)",
		    SCREEN_WARN);
	}
	if (r->sel < r->top)
		r->top = r->sel;
	if (rows > 0 && r->sel >= r->top + (size_t)rows)
		r->top = r->sel - (size_t)rows + 1;
	for (int i = 0; i < rows && r->top + (size_t)i < n; i++) {
		json_t *o = json_array_get(r->rows, r->top + (size_t)i);
		const char *st =
		    json_string_value(json_object_get(o, "status"));
		const char *err =
		    json_string_value(json_object_get(o, "error"));
		const char *left =
		    json_string_value(json_object_get(o, "left"));
		int sel = r->top + (size_t)i == r->sel;

		if (left != NULL) {
			snprintf(tail, sizeof tail, "left undone: %s", left);
			err = tail;
		}

		frame_time(json_integer_value(json_object_get(o, "started")), 1,
		    at, sizeof at);
		snprintf(inc, sizeof inc, "INC-%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(o, "incident")));
		snprintf(line, sizeof line,
		    "%c run-%-4" JSON_INTEGER_FORMAT
		    " %-15s %-20s %-9s %-10s %s%s%s%s",
		    sel ? '>' : ' ',
		    json_integer_value(json_object_get(o, "id")), st,
		    json_string_value(json_object_get(o, "runbook")),
		    json_integer_value(json_object_get(o, "incident")) ? inc
		                                                       : "-",
		    json_string_value(json_object_get(o, "actor")), at,
		    json_is_true(json_object_get(o, "dry_run")) ? "  dry-run"
		                                                : "",
		    err && *err ? "  " : "", err ? err : "");
		screen_text(a->sc, top + i, 0, cols, line,
		    runs_style(st) | (sel ? SCREEN_SEL : 0));
	}
}

static enum view_result
runs_action(struct app *a, enum keys_action act, int rows)
{
	struct view_runs *r = a->runs;
	size_t n = json_array_size(r->rows), last = n ? n - 1 : 0;
	size_t page = rows > 1 ? (size_t)rows - 1 : 1, was = r->sel;

	switch (act) {
	case KEYS_DOWN: r->sel += r->sel < last; break;
	case KEYS_UP: r->sel -= r->sel > 0; break;
	case KEYS_PGDN:
		r->sel = r->sel + page < last ? r->sel + page : last;
		break;
	case KEYS_PGUP: r->sel = r->sel > page ? r->sel - page : 0; break;
	case KEYS_TOP: r->sel = 0; break;
	case KEYS_BOTTOM: r->sel = last; break;
	case KEYS_RECOVER:
		recover_begin(a, view_runs_selected(a));
		return VIEW_REDRAW;
	case KEYS_OPEN:
		if (n > 0)
			app_open_run(a, view_runs_selected(a));
		return VIEW_REDRAW;
	default: return VIEW_PASS;
	}
	return r->sel != was ? VIEW_REDRAW : VIEW_KEEP;
}

static void
runs_close(struct app *a)
{
	runs_clear(a);
}

static int
runs_init(struct app *a)
{
	return (a->runs = calloc(1, sizeof *a->runs)) == NULL ? -1 : 0;
}

static void
runs_done(struct app *a)
{
	if (a->runs != NULL)
		runs_clear(a);
	free(a->runs);
	a->runs = NULL;
}

const struct view_ops view_runs_ops = {
	.name = "runs",
	.init = runs_init,
	.done = runs_done,
	.keys = KEYS_V_RUNS,
	.reload = runs_reload,
	.draw = runs_draw,
	.action = runs_action,
	.close = runs_close,
};

/* Our runs still running, as the database says. */
int
app_runs_in_progress(struct app *a)
{
	struct rb_runs_query q = { .status = "running" };
	int n = 0;

	for (int i = 0; i < a->nmine; i++) {
		json_t *rows = json_array();
		struct err err;

		err_init(&err);
		q.run = a->mine[i];
		if (rb_runs_each(a->store, &q, runs_take, rows, &err) == 0)
			n += json_array_size(rows) > 0;
		json_decref(rows);
	}
	return n;
}
