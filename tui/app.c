/* app.c: the loop and the frame of `owl tui`: one poll() loop over the
 * keyboard and a timer that polls PRAGMA data_version; a frame (header,
 * the view on top, message or prompt line, hint line) is drawn only when
 * something changed; keys go through the one binding table (keys.c). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "text.h"
#include "tui_int.h"
#include "engine/actlog.h"
#include "engine/rb_ask.h"

#define APP_HEAD_SEGS 10

/* Every screen, for their state's lifetime (view_ops init and done). */
static const struct view_ops *const app_views[] = { &view_incident_ops,
	&view_log_ops, &view_help_ops, &view_run_ops, &view_runs_ops };
#define APP_NVIEWS (sizeof app_views / sizeof app_views[0])

struct seg {
	char text[96];
	int style;
	int prio; /* 0 never dropped; higher numbers drop first */
	int right;
};

static void app_seg(struct seg *s, int *n, int style, int prio, int right,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
app_seg(
    struct seg *s, int *n, int style, int prio, int right, const char *fmt, ...)
{
	va_list ap;

	if (*n >= APP_HEAD_SEGS)
		return;
	va_start(ap, fmt);
	vsnprintf(s[*n].text, sizeof s[*n].text, fmt, ap);
	va_end(ap);
	s[*n].style = style;
	s[*n].prio = prio;
	s[*n].right = right;
	(*n)++;
}

/* Header segments: environment, read-only, counts by state, the actor,
 * the clock with its zone, and data freshness (STALE when quiet). */
static int
app_header_segs(struct app *a, struct seg *s)
{
	int64_t now = clock_now_us(), last = inclist_last_alert_at(a);
	int64_t firing = inclist_counts(a)->firing;
	int64_t acked = inclist_counts(a)->acked;
	int64_t snoozed = inclist_counts(a)->snoozed;
	char clk[64], age[16], shown[96];
	int n = 0;

	if (a->env)
		app_seg(s, &n, SCREEN_ENV, 0, 0, " %s ", a->env);
	if (a->readonly)
		app_seg(s, &n, SCREEN_ALARM, 0, 0, " READONLY ");
	if (a->paging.alarm[0])
		app_seg(s, &n, SCREEN_ALARM, 0, 0, " %s ", a->paging.alarm);
	app_seg(s, &n, firing ? SCREEN_FIRING : SCREEN_NORMAL, 1, 0,
	    "%" PRId64 " FIRING", firing);
	if (a->paging.override[0])
		app_seg(s, &n, SCREEN_BOLD, 3, 0, "%s", a->paging.override);
	app_seg(s, &n, SCREEN_NORMAL, 2, 0,
	    "%" PRId64 " ACKED %" PRId64 " SNOOZED", acked, snoozed);
	if (inclist_status(a, shown, sizeof shown))
		app_seg(s, &n, SCREEN_WARN | SCREEN_SEL, 0, 0, " %s ", shown);
	text_age(now - last, age, sizeof age);
	if (last == 0)
		app_seg(s, &n, SCREEN_DIM, 4, 1, "no alerts yet");
	else if (now - last > a->stale_us)
		app_seg(
		    s, &n, SCREEN_ALARM, 0, 1, " STALE: no alert for %s ", age);
	else
		app_seg(s, &n, SCREEN_NORMAL, 4, 1, "last alert %s ago", age);
	app_seg(s, &n, SCREEN_DIM, 5, 1, "%s", a->actor);
	frame_time(now, 0, clk, sizeof clk);
	app_seg(s, &n, SCREEN_BOLD, 3, 1, "%s", clk);
	return n;
}

static void
app_header(struct app *a, int cols)
{
	struct seg s[APP_HEAD_SEGS];
	int n = app_header_segs(a, s), total, x = 0, rw = 0, worst;

	for (;;) {
		total = 0;
		worst = -1;
		for (int i = 0; i < n; i++) {
			total += screen_width(a->sc, s[i].text) + 1;
			if (s[i].prio > 0 &&
			    (worst < 0 || s[i].prio > s[worst].prio))
				worst = i;
		}
		if (total - 1 <= cols || worst < 0)
			break;
		memmove(&s[worst], &s[worst + 1],
		    (size_t)(n - worst - 1) * sizeof *s);
		n--;
	}
	for (int i = 0; i < n; i++)
		if (s[i].right)
			rw += screen_width(a->sc, s[i].text) + 1;
	for (int i = 0; i < n; i++) {
		if (s[i].right && x < cols - rw + 1)
			x = cols - rw + 1;
		x += screen_text(a->sc, 0, x, cols - x, s[i].text, s[i].style) +
		    1;
	}
}

static void
app_prompt_line(struct app *a, int y, int cols)
{
	int x, cw;
	size_t start;

	if (a->prompt == APP_PROMPT_CONFIRM || a->prompt == APP_PROMPT_CHOICE ||
	    a->prompt == APP_PROMPT_ANSWER ||
	    a->prompt == APP_PROMPT_CANCELRUN || a->prompt == APP_PROMPT_QUIT ||
	    a->prompt == APP_PROMPT_RECOVER ||
	    a->prompt == APP_PROMPT_RECOVER_UNDO) {
		screen_text(a->sc, y, 0, cols, a->prompt_label,
		    a->prompt == APP_PROMPT_CHOICE ||
		            a->prompt == APP_PROMPT_RECOVER
		        ? SCREEN_BOLD
		        : SCREEN_ALARM);
		return;
	}
	x = screen_text(a->sc, y, 0, cols, a->prompt_label, SCREEN_BOLD);
	cw = lineedit_view(&a->le, cols - x, &start);
	screen_text(a->sc, y, x, cols - x, a->le.text + start, SCREEN_NORMAL);
	screen_cursor(a->sc, y, x + cw);
}

static void
app_hints(struct app *a, int y, int cols)
{
	char h[512];

	if (a->prompt == APP_PROMPT_CONFIRM && a->pending.act == KEYS_ACK &&
	    a->pending.note[0] == '\0')
		snprintf(h, sizeof h,
		    "y yes  m yes, with a note  Enter/Esc/n/other: no");
	else if (a->prompt == APP_PROMPT_CONFIRM)
		snprintf(h, sizeof h, "y yes  Enter/Esc/n/any other key: no");
	else if (a->prompt == APP_PROMPT_CHOICE)
		snprintf(h, sizeof h, "press a letter  Esc/other: cancel");
	else if (a->prompt == APP_PROMPT_ANSWER)
		snprintf(h, sizeof h, "y yes  n no  Esc/other: answer later");
	else if (a->prompt == APP_PROMPT_TARGET)
		snprintf(h, sizeof h,
		    "the name + Enter: yes  Enter alone: no  Esc: answer "
		    "later");
	else if (a->prompt == APP_PROMPT_RECOVER)
		snprintf(h, sizeof h, "press a letter  Esc/other: nothing");
	else if (a->prompt == APP_PROMPT_RECOVER_UNDO)
		snprintf(h, sizeof h, "y run the undo  any other key: no");
	else if (a->prompt == APP_PROMPT_CANCELRUN)
		snprintf(h, sizeof h, "y cancel the run  any other key: no");
	else if (a->prompt == APP_PROMPT_QUIT)
		snprintf(h, sizeof h,
		    "d detach: quit, runs go on  c cancel them and quit  other: "
		    "stay");
	else if (a->prompt == APP_PROMPT_RUNBOOK ||
	    a->prompt == APP_PROMPT_PARAM)
		snprintf(h, sizeof h,
		    "Tab %s  Enter next  Esc cancel  ^U clear",
		    a->prompt == APP_PROMPT_RUNBOOK ? "next runbook"
		                                    : "label values");
	else if (a->prompt == APP_PROMPT_ASSIGN)
		snprintf(h, sizeof h,
		    "Tab next name  Enter assign  Esc cancel  ^U clear");
	else if (a->prompt != APP_PROMPT_NONE)
		snprintf(h, sizeof h,
		    "Enter done  Esc cancel  ^U clear  "
		    "^A/^E start/end");
	else
		keys_hints(frame_top(a)->keys, a->readonly, cols, h, sizeof h);
	screen_text(a->sc, y, 0, cols, h, SCREEN_BAR | SCREEN_PAD);
}

/* Draws one whole frame into the virtual screen and sends the changes. */
static void
app_frame(struct app *a)
{
	int rows, cols;
	char small[96];

	screen_size(a->sc, &rows, &cols);
	screen_erase(a->sc);
	if (rows < SCREEN_MIN_ROWS || cols < SCREEN_MIN_COLS) {
		snprintf(small, sizeof small,
		    "terminal too small: need %dx%d, "
		    "have %dx%d (q quits)",
		    SCREEN_MIN_COLS, SCREEN_MIN_ROWS, cols, rows);
		screen_text(a->sc, 0, 0, cols, small, SCREEN_ALARM);
		screen_flush(a->sc);
		return;
	}
	app_header(a, cols);
	frame_top(a)->draw(a, 1, 2, rows - 4, cols);
	if (a->prompt != APP_PROMPT_NONE)
		app_prompt_line(a, rows - 2, cols);
	else if (a->frame.msg[0])
		screen_text(
		    a->sc, rows - 2, 0, cols, a->frame.msg, a->frame.msg_style);
	app_hints(a, rows - 1, cols);
	screen_flush(a->sc);
}

/* The incident the action keys act on in the current screen; 0: none. */
static int64_t
app_target(const struct app *a)
{
	const struct incident *inc;

	if (frame_top(a) == &view_incident_ops)
		return view_incident_id(a);
	if (frame_top(a) == &view_incidents_ops &&
	    (inc = inclist_selected(a)) != NULL)
		return inc->id;
	return 0;
}

static void
app_prompt(
    struct app *a, enum app_prompt kind, const char *label, const char *text)
{
	a->prompt = kind;
	snprintf(a->prompt_label, sizeof a->prompt_label, "%s", label);
	lineedit_init(&a->le, text);
	a->frame.dirty = 1;
}

/* Asks for confirmation of act on id, or says why it cannot be done. */
static void
app_confirm(struct app *a, enum keys_action act, int64_t id, const char *dur)
{
	char q[APP_MSG_MAX];

	if (act != KEYS_UNDO && id == 0) {
		frame_message(a, SCREEN_ALARM, "no incident selected");
		return;
	}
	if (act_prepare(a, act, id, dur, q, sizeof q) == -1) {
		frame_message(a, SCREEN_ALARM, "%s", q);
		return;
	}
	app_prompt(a, APP_PROMPT_CONFIRM, q, NULL);
}

/* After our own change: data_version does not move for our own writes,
 * so reload by hand. */
static void
app_reload(struct app *a)
{
	inclist_load(a);
	if (frame_top(a) != &view_incidents_ops)
		frame_top(a)->reload(a);
	a->frame.dirty = 1;
}

static void app_command(struct app *a, char *line);
static void app_set_filter(struct app *a, const char *text);

/* Opens the assign editor, with the names from the log offered by Tab. */
static void
app_assign_prompt(struct app *a, const char *ids)
{
	char label[APP_MSG_MAX];
	struct err err;
	size_t o;

	err_init(&err);
	actlog_people_free(a->names.v, a->names.n);
	a->names.v = NULL;
	a->names.n = a->names.next = 0;
	a->names.typed[0] = '\0';
	(void)actlog_people(a->store, 32, &a->names.v, &a->names.n, &err);
	o = (size_t)snprintf(label, sizeof label, "assign %s to", ids);
	for (size_t i = 0; i < a->names.n && i < 4 && o < sizeof label; i++)
		o += (size_t)snprintf(label + o, sizeof label - o, "%s%s",
		    i ? ", " : " (Tab: ", a->names.v[i]);
	if (a->names.n > 4 && o < sizeof label)
		o += (size_t)snprintf(label + o, sizeof label - o, ", ...");
	if (a->names.n > 0 && o < sizeof label)
		o += (size_t)snprintf(label + o, sizeof label - o, ")");
	if (o < sizeof label)
		snprintf(label + o, sizeof label - o, ": ");
	app_prompt(a, APP_PROMPT_ASSIGN, label, NULL);
}

/* Tab in the assign editor: the next name that starts with what was
 * typed before the first Tab. */
static void
app_assign_tab(struct app *a)
{
	struct app_names *nm = &a->names;
	size_t len;

	if (nm->n == 0) {
		frame_message(
		    a, SCREEN_NORMAL, "no names in the log yet: type one");
		return;
	}
	if (nm->next == 0)
		snprintf(nm->typed, sizeof nm->typed, "%s", a->le.text);
	len = strlen(nm->typed);
	for (size_t k = 0; k < nm->n; k++) {
		size_t i = (nm->next + k) % nm->n;

		if (strncmp(nm->v[i], nm->typed, len) == 0) {
			lineedit_init(&a->le, nm->v[i]);
			nm->next = i + 1;
			return;
		}
	}
	frame_message(
	    a, SCREEN_NORMAL, "no name in the log starts with '%s'", nm->typed);
}

/* The answer to the quit question (runs in progress): d detaches, c
 * cancels the runs started here, anything else stays. */
static void
app_quit_key(struct app *a, int key)
{
	char msg[APP_MSG_MAX];

	a->prompt = APP_PROMPT_NONE;
	if (a->pasting)
		key = 0;
	if (key == 'd') {
		a->quit = 1;
	} else if (key == 'c') {
		/* run_cancel says why not for the runs that have ended */
		for (int i = 0; i < a->nmine; i++)
			(void)run_cancel(a, a->mine[i], msg, sizeof msg);
		a->quit = 1;
	} else {
		frame_message(a, SCREEN_NORMAL, "not quitting");
	}
}

/* y: asks what to copy, offering the links the incident has. */
static void
app_copy_ask(struct app *a, int64_t id)
{
	struct app_links *l = &a->links;
	char q[APP_MSG_MAX];
	struct err err;

	err_init(&err);
	if (id == 0) {
		frame_message(
		    a, SCREEN_ALARM, "no incident selected: nothing copied");
		return;
	}
	if (!(frame_top(a) == &view_incident_ops &&
	        view_incident_id(a) == id) &&
	    view_alerts_links(a, id, &err) == -1) {
		frame_message(
		    a, SCREEN_ALARM, "cannot read the links: %s", err.msg);
		return;
	}
	a->target = id;
	snprintf(q, sizeof q, "copy from INC-%" PRId64 ": i id%s%s%s", id,
	    l->dashboard[0] ? "  d dashboard" : "",
	    l->runbook[0] ? "  r runbook" : "",
	    l->generator[0] ? "  g generator" : "");
	app_prompt(a, APP_PROMPT_CHOICE, q, NULL);
}

/* The answer to y's question. */
static void
app_copy_pick(struct app *a, int key)
{
	struct app_links *l = &a->links;
	const char *what = NULL, *text = NULL;

	a->prompt = APP_PROMPT_NONE;
	switch (key) {
	case 'i':
		what = "id";
		text = l->id;
		break;
	case 'd':
		what = "dashboard link";
		text = l->dashboard;
		break;
	case 'r':
		what = "runbook link";
		text = l->runbook;
		break;
	case 'g':
		what = "generator link";
		text = l->generator;
		break;
	}
	if (what == NULL) {
		frame_message(a, SCREEN_NORMAL, "cancelled: nothing copied");
		return;
	}
	if (text[0] == '\0') {
		frame_message(a, SCREEN_ALARM,
		    "INC-%" PRId64 " has no %s: nothing copied", a->target,
		    what);
		return;
	}
	if (screen_copy(a->sc, text) == -1)
		frame_message(
		    a, SCREEN_ALARM, "nothing copied: %s too long", what);
	else
		frame_message(
		    a, SCREEN_OK, "copied the %s %s (OSC 52)", what, text);
}

/* Does act on the screen on top; returns what needs redrawing. */
static enum view_result
app_do(struct app *a, enum keys_action act, int rows)
{
	const struct view_ops *top = frame_top(a);
	int64_t id = app_target(a);
	char label[APP_MSG_MAX], ids[48];

	snprintf(ids, sizeof ids, "INC-%" PRId64, id);
	switch (act) {
	case KEYS_BACK: frame_pop(a); return VIEW_REDRAW;
	case KEYS_REDRAW: screen_redraw(a->sc); return VIEW_REDRAW;
	case KEYS_HELP: view_help_open(a, top); return VIEW_REDRAW;
	case KEYS_COMMAND:
		app_prompt(a, APP_PROMPT_COMMAND, ":", NULL);
		return VIEW_REDRAW;
	case KEYS_LOG:
		frame_push(a, &view_log_ops);
		view_log_ops.reload(a);
		return VIEW_REDRAW;
	case KEYS_FILTER:
		app_prompt(a, APP_PROMPT_FILTER,
		    "filter: ", top->filter_text ? top->filter_text(a) : "");
		return VIEW_REDRAW;
	case KEYS_UNFILTER: app_set_filter(a, ""); return VIEW_REDRAW;
	case KEYS_ACK:
	case KEYS_RESOLVE:
	case KEYS_UNDO: app_confirm(a, act, id, NULL); return VIEW_REDRAW;
	case KEYS_NOTE:
	case KEYS_SNOOZE:
	case KEYS_ASSIGN:
		if (id == 0) {
			frame_message(a, SCREEN_ALARM, "no incident selected");
			return VIEW_REDRAW;
		}
		a->target = id;
		if (act == KEYS_ASSIGN) {
			app_assign_prompt(a, ids);
			return VIEW_REDRAW;
		}
		snprintf(label, sizeof label,
		    act == KEYS_NOTE ? "note for %s: "
		                     : "snooze %s for (e.g. 30m, 2h): ",
		    ids);
		/* empty: what is typed is the duration ("2h", not "30m2h") */
		app_prompt(a,
		    act == KEYS_NOTE ? APP_PROMPT_NOTE : APP_PROMPT_SNOOZE,
		    label, NULL);
		return VIEW_REDRAW;
	case KEYS_RESOLVED:
		frame_message(a, SCREEN_NORMAL,
		    inclist_toggle_resolved(a)
		        ? "resolved incidents shown (R hides)"
		        : "resolved incidents hidden");
		return VIEW_REDRAW;
	case KEYS_COPY: app_copy_ask(a, id); return VIEW_REDRAW;
	case KEYS_RUN:
		if (id == 0) {
			frame_message(a, SCREEN_ALARM, "no incident selected");
			return VIEW_REDRAW;
		}
		form_begin(a, id, NULL);
		return VIEW_REDRAW;
	case KEYS_RUNS: app_open_runs(a); return VIEW_REDRAW;
	case KEYS_QUIT:
		if (app_runs_in_progress(a) > 0) {
			snprintf(label, sizeof label,
			    "%d run%s you started still running: d detach (%s "
			    "on), c cancel, other: stay",
			    app_runs_in_progress(a),
			    app_runs_in_progress(a) == 1 ? "" : "s",
			    app_runs_in_progress(a) == 1 ? "it goes"
			                                 : "they go");
			app_prompt(a, APP_PROMPT_QUIT, label, NULL);
			return VIEW_REDRAW;
		}
		a->quit = 1;
		return VIEW_REDRAW;
	default: return top->action(a, act, rows);
	}
}

/* The filter of the current screen changed (as you type). */
static void
app_set_filter(struct app *a, const char *text)
{
	const struct view_ops *top = frame_top(a);

	if (top->filter)
		top->filter(a, text);
}

static void
app_edit_done(struct app *a, enum app_prompt kind, char *text)
{
	switch (kind) {
	case APP_PROMPT_NOTE:
		if (text[strspn(text, " ")] == '\0')
			frame_message(
			    a, SCREEN_NORMAL, "empty note: nothing done");
		else
			act_note(a, a->target, text);
		app_reload(a);
		break;
	case APP_PROMPT_SNOOZE:
		app_confirm(a, KEYS_SNOOZE, a->target, text);
		break;
	case APP_PROMPT_COMMAND: app_command(a, text); break;
	case APP_PROMPT_ASSIGN:
		if (text[strspn(text, " ")] == '\0')
			frame_message(
			    a, SCREEN_NORMAL, "no name: nothing done");
		else
			act_assign(a, a->target, text + strspn(text, " "));
		app_reload(a);
		break;
	case APP_PROMPT_RUNBOOK:
	case APP_PROMPT_PARAM: form_done(a, text); break;
	case APP_PROMPT_TARGET: view_run_target_done(a, text); break;
	case APP_PROMPT_RECOVER_NOTE: recover_resolve(a, text); break;
	case APP_PROMPT_ACKNOTE:
		/* the ack was confirmed before the note was typed */
		snprintf(a->pending.note, sizeof a->pending.note, "%s", text);
		act_run(a);
		app_reload(a);
		break;
	default: break;
	}
}

static void
app_edit(struct app *a, int key)
{
	enum app_prompt kind = a->prompt;
	enum lineedit_result r;
	char text[LINEEDIT_MAX + 1];

	/* pasted text is text: a newline in it never submits */
	if (a->pasting && (key < 0x20 || key >= KEYS_K_BASE))
		key = ' ';
	if (kind == APP_PROMPT_ASSIGN && key == '\t') {
		app_assign_tab(a);
		return;
	}
	if ((kind == APP_PROMPT_RUNBOOK || kind == APP_PROMPT_PARAM) &&
	    key == '\t') {
		form_tab(a);
		return;
	}
	if (kind == APP_PROMPT_ASSIGN)
		a->names.next = 0; /* typing starts a new completion */
	r = lineedit_key(&a->le, key);
	if (kind == APP_PROMPT_FILTER &&
	    (r == LINEEDIT_CHANGED || r == LINEEDIT_CANCEL))
		app_set_filter(a, r == LINEEDIT_CANCEL ? "" : a->le.text);
	if (r != LINEEDIT_DONE && r != LINEEDIT_CANCEL)
		return;
	a->prompt = APP_PROMPT_NONE;
	if (r == LINEEDIT_CANCEL && kind == APP_PROMPT_TARGET) {
		view_run_target_later(a);
		return;
	}
	if (r == LINEEDIT_CANCEL) {
		if (kind == APP_PROMPT_RUNBOOK || kind == APP_PROMPT_PARAM)
			form_free(a);
		if (kind != APP_PROMPT_FILTER)
			frame_message(
			    a, SCREEN_NORMAL, "cancelled: nothing done");
		return;
	}
	memcpy(text, a->le.text, sizeof text);
	app_edit_done(a, kind, text);
}

static void
app_answer(struct app *a, int key)
{
	char label[APP_MSG_MAX];

	a->prompt = APP_PROMPT_NONE;
	if (!a->pasting && key == 'm' && a->pending.act == KEYS_ACK &&
	    a->pending.note[0] == '\0') {
		snprintf(label, sizeof label,
		    "ack INC-%" PRId64 " with note: ", a->pending.id);
		app_prompt(a, APP_PROMPT_ACKNOTE, label, NULL);
		return;
	}
	if (!a->pasting && (key == 'y' || key == 'Y')) {
		act_run(a);
		app_reload(a);
	} else {
		frame_message(a, SCREEN_NORMAL, "cancelled: nothing done");
	}
}

static void
app_key(struct app *a, int key)
{
	const struct keys_binding *b;
	int rows, cols, had_msg;
	char name[16];

	a->frame.dirty = 1;
	if (key == KEYS_K_RESIZE)
		return;
	if (key == KEYS_K_PASTE_BEGIN || key == KEYS_K_PASTE_END) {
		a->pasting = key == KEYS_K_PASTE_BEGIN;
		a->paste_tail = key == KEYS_K_PASTE_END;
		if (a->pasting && a->prompt == APP_PROMPT_NONE)
			frame_message(a, SCREEN_NORMAL,
			    "paste ignored: pasted "
			    "text never fires keys");
		return;
	}
	/* A paste that carries ESC[201~ ends early: what follows it in the
	 * same read is still pasted text (an "ay" that would acknowledge),
	 * not the operator typing. */
	if (a->paste_tail && screen_key_queued(a->sc))
		return;
	a->paste_tail = 0;
	a->pause_until = clock_mono_us() + APP_PAUSE_US;
	if (a->prompt == APP_PROMPT_CONFIRM) {
		app_answer(a, key);
		return;
	}
	if (a->prompt == APP_PROMPT_CHOICE) {
		app_copy_pick(a, a->pasting ? 0 : key);
		return;
	}
	if (a->prompt == APP_PROMPT_ANSWER ||
	    a->prompt == APP_PROMPT_CANCELRUN) {
		view_run_prompt_key(a, a->prompt, key);
		return;
	}
	if (a->prompt == APP_PROMPT_QUIT) {
		app_quit_key(a, key);
		return;
	}
	if (a->prompt == APP_PROMPT_RECOVER) {
		recover_key(a, a->pasting ? 0 : key);
		return;
	}
	if (a->prompt == APP_PROMPT_RECOVER_UNDO) {
		recover_undo_key(a, a->pasting ? 0 : key);
		return;
	}
	if (a->prompt != APP_PROMPT_NONE) {
		app_edit(a, key);
		return;
	}
	if (a->pasting)
		return;
	had_msg = a->frame.msg[0] != '\0';
	a->frame.msg[0] = '\0';
	screen_size(a->sc, &rows, &cols);
	if (key == KEYS_CTRL('c')) {
		app_do(a, KEYS_QUIT, rows - 4);
		return;
	}
	/* g r: the runs screen (g alone already went to the top) */
	if (a->g_prefix && key == 'r') {
		a->g_prefix = 0;
		app_open_runs(a);
		return;
	}
	a->g_prefix = key == 'g';
	/* from here the view says whether the frame changed */
	a->frame.dirty = had_msg;
	if ((b = keys_find(frame_top(a)->keys, key)) == NULL) {
		keys_name(key, name, sizeof name);
		frame_message(a, SCREEN_NORMAL,
		    "unknown key %s: press ? for "
		    "help",
		    name);
		return;
	}
	if (a->readonly && (b->flags & KEYS_WRITES)) {
		keys_name(key, name, sizeof name);
		frame_message(a, SCREEN_ALARM, "read-only: %s (%s) is disabled",
		    name, b->hint ? b->hint : "");
		return;
	}
	if (app_do(a, b->action, rows - 4) == VIEW_REDRAW)
		a->frame.dirty = 1;
}

static const struct {
	const char *name;
	enum keys_action act;
} app_cmds[] = {
	{ "ack", KEYS_ACK },
	{ "resolve", KEYS_RESOLVE },
	{ "snooze", KEYS_SNOOZE },
	{ "note", KEYS_NOTE },
	{ "undo", KEYS_UNDO },
	{ "help", KEYS_HELP },
	{ "log", KEYS_LOG },
	{ "quit", KEYS_QUIT },
	{ "q", KEYS_QUIT },
	{ "open", KEYS_OPEN },
	{ "sort", KEYS_SORT },
	{ "assign", KEYS_ASSIGN },
	{ "resolved", KEYS_RESOLVED },
	{ "copy", KEYS_COPY },
	{ "run", KEYS_RUN },
	{ "runs", KEYS_RUNS },
};

/* Runs a `:` command line: the CLI's verbs on an incident, the selected
 * one when no id is given ("ack", "ack 42", "note INC-42 text"). */
static void
app_command(struct app *a, char *line)
{
	char *save = NULL, *verb = strtok_r(line, " ", &save), *arg, *rest;
	int64_t id = app_target(a);
	long long n;
	size_t i;

	if (verb == NULL)
		return;
	for (i = 0; i < sizeof app_cmds / sizeof app_cmds[0]; i++)
		if (strcmp(verb, app_cmds[i].name) == 0)
			break;
	if (i == sizeof app_cmds / sizeof app_cmds[0]) {
		frame_message(a, SCREEN_ALARM,
		    "unknown command '%s': try ack, resolve, note, snooze, "
		    "assign, undo, open, resolved, log, help, quit",
		    verb);
		return;
	}
	rest = save;
	if ((arg = strtok_r(NULL, " ", &save)) != NULL &&
	    cli_incident_id(arg, &n) == 0) {
		id = n;
		rest = save;
	} else if (arg != NULL && save == arg + strlen(arg) + 1) {
		arg[strlen(arg)] = ' '; /* not an id: part of the text */
	}
	if (a->readonly &&
	    (app_cmds[i].act == KEYS_ACK || app_cmds[i].act == KEYS_RESOLVE ||
	        app_cmds[i].act == KEYS_SNOOZE ||
	        app_cmds[i].act == KEYS_NOTE || app_cmds[i].act == KEYS_UNDO ||
	        app_cmds[i].act == KEYS_ASSIGN)) {
		frame_message(
		    a, SCREEN_ALARM, "read-only: :%s is disabled", verb);
		return;
	}
	switch (app_cmds[i].act) {
	case KEYS_OPEN:
		if (id != 0)
			app_open_incident(a, id);
		return;
	case KEYS_SNOOZE:
		app_confirm(a, KEYS_SNOOZE, id, rest && *rest ? rest : "");
		return;
	case KEYS_NOTE:
		if (rest == NULL || *rest == '\0')
			frame_message(
			    a, SCREEN_ALARM, "usage: :note [INC] TEXT");
		else if (id == 0)
			frame_message(a, SCREEN_ALARM, "no incident selected");
		else {
			act_note(a, id, rest);
			app_reload(a);
		}
		return;
	case KEYS_RUN:
		if (a->readonly)
			frame_message(
			    a, SCREEN_ALARM, "read-only: :run is disabled");
		else if (id == 0)
			frame_message(a, SCREEN_ALARM,
			    "no incident selected (:run works on an incident)");
		else
			form_begin(a, id, rest && *rest ? rest : NULL);
		return;
	case KEYS_ASSIGN:
		if (rest == NULL || *rest == '\0')
			app_do(a, KEYS_ASSIGN, 1);
		else if (id == 0)
			frame_message(a, SCREEN_ALARM, "no incident selected");
		else {
			act_assign(a, id, rest);
			app_reload(a);
		}
		return;
	case KEYS_ACK:
		app_confirm(a, KEYS_ACK, id, NULL);
		if (a->prompt == APP_PROMPT_CONFIRM && rest != NULL &&
		    *rest != '\0') {
			snprintf(a->pending.note, sizeof a->pending.note, "%s",
			    rest);
			snprintf(a->prompt_label, sizeof a->prompt_label,
			    "Acknowledge INC-%" PRId64
			    " '%s'%s%s with the note "
			    "'%.60s'? [y/N]",
			    id, a->pending.title, a->env ? " in " : "",
			    a->env ? a->env : "", rest);
		}
		return;
	case KEYS_RESOLVE:
	case KEYS_UNDO: app_confirm(a, app_cmds[i].act, id, NULL); return;
	case KEYS_SORT:
		while (a->frame.nviews > 1)
			frame_pop(a);
		view_incidents_ops.action(a, KEYS_SORT, 1);
		return;
	default: app_do(a, app_cmds[i].act, 1);
	}
}

/* A new critical incident (not yet resolved) since the last look rings
 * the bell or flashes, per tui.bell (off with --quiet), and says which. */
static void
app_bell_check(struct app *a)
{
	int64_t max = incident_max_id(a->store), from, ring = 0;
	struct incident inc;
	struct err err;
	char title[APP_TITLE_MAX] = "";

	if (max <= a->bell_max_id)
		return;
	from = a->bell_max_id + 1;
	if (max - from >= APP_BELL_SCAN)
		from = max - APP_BELL_SCAN + 1;
	a->bell_max_id = max;
	err_init(&err);
	for (int64_t id = from; id <= max; id++) {
		if (incident_get(a->store, id, &inc, &err) == -1)
			continue;
		if (inc.severity == SEVERITY_CRITICAL &&
		    inc.state != INCIDENT_RESOLVED && ring == 0) {
			ring = id;
			snprintf(title, sizeof title, "%s",
			    inc.title ? inc.title : "");
		}
		incident_done(&inc);
	}
	if (ring == 0)
		return;
	if (a->bell)
		screen_alert(a->sc, a->bell == 2);
	if (a->prompt == APP_PROMPT_NONE)
		frame_message(a, SCREEN_ALARM,
		    "new critical incident INC-%" PRId64 ": %s", ring, title);
}

/* Timer work: new data (another process committed), the minute turned
 * (clock and ages), a re-sort whose pause has ended. */
static void
app_tick(struct app *a)
{
	int64_t mono = clock_mono_us(), dv, minute;

	if (mono - a->last_tick < APP_TICK_MS * 1000)
		return;
	a->last_tick = mono;
	dv = store_data_version(a->store);
	if (dv != a->data_version) {
		a->data_version = dv;
		inclist_load(a);
		app_bell_check(a);
		paging_load(a);
		if (frame_top(a) != &view_incidents_ops)
			frame_top(a)->reload(a);
	}
	minute = clock_now_us() / (60 * CLOCK_US_PER_SEC);
	if (minute != a->minute) {
		a->minute = minute;
		paging_load(a); /* overrides begin and end with the clock */
		a->frame.dirty = 1;
	}
	if (inclist_tick(a))
		a->frame.dirty = 1;
}

static void
app_bench(struct app *a, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fprintf(f, "%" PRId64 "\n", clock_mono_us() - a->started_at);
		fclose(f);
	}
	a->quit = 1;
}

int
app_run(struct app *a, const char *bench)
{
	enum screen_event ev;
	int key;

	a->minute = clock_now_us() / (60 * CLOCK_US_PER_SEC);
	a->data_version = store_data_version(a->store);
	a->last_tick = clock_mono_us();
	a->bell_max_id = incident_max_id(a->store);
	if (a->list == NULL && (a->list = inclist_new()) == NULL)
		return -1;
	for (size_t i = 0; i < APP_NVIEWS; i++)
		if (app_views[i]->init != NULL && app_views[i]->init(a) == -1)
			return -1;
	frame_push(a, &view_incidents_ops);
	if (inclist_load(a) == -1)
		return -1;
	paging_load(a);
	while (!a->quit) {
		if (a->frame.dirty) {
			a->frame.dirty = 0;
			app_frame(a);
			if (bench != NULL) {
				app_bench(a, bench);
				break;
			}
		}
		ev = screen_next(a->sc, APP_TICK_MS, &key);
		if (ev == SCREEN_QUIT)
			break;
		if (ev == SCREEN_KEY)
			app_key(a, key);
		app_tick(a);
	}
	return 0;
}

void
app_done(struct app *a)
{
	frame_close_all(a);
	inclist_free(a->list);
	a->list = NULL;
	act_journal_free(&a->journal);
	for (size_t i = 0; i < APP_NVIEWS; i++)
		app_views[i]->done(a);
	form_free(a);
	actlog_people_free(a->names.v, a->names.n);
	a->names.v = NULL;
	a->names.n = 0;
}
