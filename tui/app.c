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

/* Every screen, for their state's lifetime (view_ops init and done). */
static const struct view_ops *const app_views[] = { &view_incident_ops,
	&view_log_ops, &view_help_ops, &view_run_ops, &view_runs_ops };
#define APP_NVIEWS (sizeof app_views / sizeof app_views[0])

/* The incident the action keys act on in the current screen; 0: none. */
int64_t
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

void
app_prompt(
    struct app *a, enum app_prompt kind, const char *label, const char *text)
{
	a->prompt = kind;
	snprintf(a->prompt_label, sizeof a->prompt_label, "%s", label);
	lineedit_init(&a->le, text);
	a->frame.dirty = 1;
}

/* Asks for confirmation of act on id, or says why it cannot be done. */
void
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
void
app_reload(struct app *a)
{
	inclist_load(a);
	if (frame_top(a) != &view_incidents_ops)
		frame_top(a)->reload(a);
	a->frame.dirty = 1;
}

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
			if (run_cancel(a, a->mine[i], msg, sizeof msg) == 0)
				act_run_note(a, 0,
				    "run %" PRId64 ": cancel asked at quit",
				    a->mine[i]);
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

enum view_result
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
	case APP_PROMPT_COMMAND: app_cmd_line(a, text); break;
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
	if (a->prompt == APP_PROMPT_RECOVER_UNDO ||
	    a->prompt == APP_PROMPT_RECOVER_RETRY) {
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
			app_draw(a);
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
