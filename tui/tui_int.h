/* tui_int.h: what the parts of `owl tui` share: the application state
 * (struct app), the view vtable (tig-style: incidents, incident, log,
 * help), the pager the text screens use, and the session journal.
 * Private to tui/. Only screen*.c include curses. */
#ifndef OWL_TUI_INT_H
#define OWL_TUI_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frame.h"
#include "inclist.h"
#include "keys.h"
#include "lineedit.h"
#include "screen.h"
#include "engine/actor.h"
#include "engine/clock.h"
#include "engine/incident.h"
#include "engine/store.h"
#include "engine/config.h"
#include <jansson.h>

#define APP_MSG_MAX FRAME_MSG_MAX
#define APP_TITLE_MAX 160 /* bytes of a title quoted in a prompt */
#define APP_PAUSE_US (3 * CLOCK_US_PER_SEC) /* no re-sort after a key */
#define APP_TICK_MS 500 /* data_version poll */
#define APP_LINK_MAX 1024 /* bytes of a link y copies */
#define APP_BELL_SCAN 64 /* new incidents looked at for the bell */

/* What a handler did: not its action; done, nothing on screen changed
 * (j on the last row); done, the frame is drawn again. */
enum view_result { VIEW_PASS, VIEW_KEEP, VIEW_REDRAW };

struct app;
struct view_incident;
struct view_log;
struct view_help;
struct view_run;
struct view_runs;

/* One screen: what it draws and which keys it takes (tig's view_ops).
 * Its state is its own: init makes it (into its pointer in struct app)
 * when the TUI starts, done frees it at the end. */
struct view_ops {
	const char *name; /* "incidents", for the help screen */
	unsigned keys; /* its KEYS_V_* bit */
	/* the view's state: -1 when out of memory */
	int (*init)(struct app *a);
	void (*done)(struct app *a);
	/* data changed in the database (another process, or us) */
	void (*reload)(struct app *a);
	/* draws its heading on row `head` and its body on rows [top,
	 * top+rows) */
	void (*draw)(struct app *a, int head, int top, int rows, int cols);
	/* handles an action; returns what needs redrawing (htop's
	 * HTOP_REFRESH), VIEW_PASS when it is not the view's */
	enum view_result (*action)(
	    struct app *a, enum keys_action act, int rows);
	/* a new filter text (as it is typed), and the one in force */
	void (*filter)(struct app *a, const char *text);
	const char *(*filter_text)(const struct app *a);
	/* leaving the view */
	void (*close)(struct app *a);
	/* the actions of its hint line that do nothing in its current
	 * state (KEYS_BIT of each), left out of the line; NULL: none */
	uint64_t (*hints_off)(struct app *a);
};

/* A line of a text screen (incident detail, log, help). */
struct pager_line {
	char *text; /* untrusted text is fine: sanitised when drawn */
	int style; /* SCREEN_* */
	int indent; /* columns */
};

struct pager {
	struct pager_line *lines;
	size_t n, cap;
	size_t *rows; /* lines shown (after the filter) */
	size_t nrows;
	size_t top; /* first shown row */
};

/* Session journal entry: one action done in this TUI session. */
enum act_kind {
	ACT_ACK,
	ACT_RESOLVE,
	ACT_SNOOZE,
	ACT_NOTE,
	ACT_ASSIGN,
	ACT_UNDO,
	ACT_RUN /* a run started, answered, cancelled or recovered */
};

struct act_entry {
	int64_t at; /* when, microseconds UTC */
	enum act_kind kind;
	int64_t id;
	char *title; /* as it was */
	char *what; /* "for 30m", the note, or what was undone */
	int64_t version; /* the incident's version right after */
	int undone; /* already undone */
	enum act_kind undid; /* for ACT_UNDO: what it reversed */
};

struct act_journal {
	struct act_entry *e;
	size_t n, cap;
};

/* An action waiting for its confirmation. */
struct act_pending {
	enum keys_action
	    act; /* KEYS_ACK, KEYS_RESOLVE, KEYS_SNOOZE, KEYS_UNDO */
	int64_t id;
	int64_t version; /* as drawn: the check of check-then-act */
	int64_t until; /* snooze: until when */
	char dur[32]; /* snooze: as typed */
	char title[APP_TITLE_MAX];
	size_t undo; /* KEYS_UNDO: journal index */
	char note[LINEEDIT_MAX + 1]; /* KEYS_ACK: the note with it; "" none */
};

enum app_prompt {
	APP_PROMPT_NONE,
	APP_PROMPT_FILTER,
	APP_PROMPT_NOTE,
	APP_PROMPT_SNOOZE,
	APP_PROMPT_COMMAND,
	APP_PROMPT_CONFIRM,
	APP_PROMPT_ASSIGN,
	APP_PROMPT_ACKNOTE, /* the note of a confirmed ack */
	APP_PROMPT_CHOICE, /* one key picks (y's links) */
	APP_PROMPT_RUNBOOK, /* R: which runbook */
	APP_PROMPT_PARAM, /* R: one param */
	APP_PROMPT_ANSWER, /* a run's confirm(): y, n, Esc later */
	APP_PROMPT_TARGET, /* a run's confirm() of a target: its name */
	APP_PROMPT_CANCELRUN, /* c: y cancels */
	APP_PROMPT_QUIT, /* runs in progress: d detach, c cancel */
	APP_PROMPT_RECOVER, /* an interrupted run: c, u, m */
	APP_PROMPT_RECOVER_UNDO, /* y runs the undo */
	APP_PROMPT_RECOVER_RETRY, /* y runs the retry */
	APP_PROMPT_RECOVER_NOTE, /* mark resolved: the note */
};

/* What `y` can copy of the incident in view (an empty string: none). */
struct app_links {
	char id[32];
	char dashboard[APP_LINK_MAX];
	char runbook[APP_LINK_MAX];
	char generator[APP_LINK_MAX];
};

/* Names offered by Tab in the assign editor: the log's actors and
 * assignees, most recent first. */
struct app_names {
	char **v;
	size_t n;
	size_t next; /* the one Tab gives next */
	char typed[LINEEDIT_MAX + 1]; /* the prefix Tab completes */
};

/* A runbook run being set up from the incident screen (R): the runbook,
 * then each param in turn, then the dry-run. */
struct app_form {
	char name[128];
	int64_t incident;
	json_t *decl; /* the runbook's params declaration */
	json_t *values; /* what was typed so far */
	json_t *names; /* runbooks offered by Tab: suggested first */
	size_t next; /* Tab */
	const char *param; /* the param being asked, NULL: the runbook */
	size_t pi; /* its index in decl */
};

/* r on an interrupted run: what owl recover offers (run_recover.c). */
struct app_recover {
	int64_t run;
	char runbook[128];
	size_t undoable; /* steps done that --undo undoes */
	int64_t retry_from; /* --retry: from this step, 0 the rest, -1 not */
	char recovered[200]; /* an undo or retry that ran already, "" none */
	char resolved[300]; /* "actor: note" of an earlier resolution */
};

#define APP_MINE_MAX 32 /* runs started here, asked about at quit */

/* What the header shows of paging (view_paging.c). */
struct app_paging {
	char alarm[160]; /* a page no channel delivered; "" none */
	char override[160]; /* the override in force; "" none */
};

struct app {
	struct store *store;
	const struct config *config; /* may be NULL */
	struct screen *sc;
	const char *env; /* environment name, NULL: none */
	char actor[ACTOR_MAX];
	int readonly;
	int64_t stale_us; /* no alert for this long: STALE */
	int64_t started_at;
	int64_t data_version;
	int64_t pause_until; /* monotonic: no re-sort until then */
	int64_t minute; /* the minute last drawn (clock, ages) */
	int quit;
	int pasting; /* inside a bracketed paste */
	int paste_tail; /* a paste just ended: keys that came with it are
	                 * its tail (ESC[201~ inside a paste), not typing */
	int64_t target; /* incident of an open note/snooze prompt */
	int bell; /* 0 off, 1 bell, 2 flash: a new critical incident */
	int64_t bell_max_id; /* incidents up to this id were looked at */
	int g_prefix; /* the last key was g: g r opens the runs */
	struct app_links links;
	struct app_names names;
	const char *config_flag; /* --config, passed on to runs */
	/* each view's own state (defined in its file; view_ops.init) */
	struct view_run *run;
	struct view_runs *runs;
	struct app_form form;
	struct app_recover recover;
	int64_t mine[APP_MINE_MAX]; /* runs started from this TUI */
	int nmine;
	int64_t last_tick; /* monotonic time of the last data check */
	struct frame frame; /* the screen stack, message line, dirty */
	enum app_prompt prompt;
	char prompt_label[APP_MSG_MAX];
	struct lineedit le;
	struct act_pending pending;
	struct act_journal journal;
	struct inclist *list; /* the incident-list model (inclist.c) */
	struct view_incident *detail;
	struct view_log *log;
	struct view_help *help;
	struct app_paging paging;
};

extern const struct view_ops view_incidents_ops;
extern const struct view_ops view_incident_ops;
extern const struct view_ops view_log_ops;
extern const struct view_ops view_help_ops;
extern const struct view_ops view_run_ops;
extern const struct view_ops view_runs_ops;

/* view_run.c */
/* Opens the live view of run id. */
void app_open_run(struct app *a, int64_t id);
/* Opens the modal of the question the open run waits on: y/N, or the
 * text field of a target (refused: the name just refused, or NULL). */
void run_ask_open(struct app *a, const char *refused);
/* The key that answers the open run's y/N question (APP_PROMPT_ANSWER)
 * or its cancel question (APP_PROMPT_CANCELRUN). */
void view_run_prompt_key(struct app *a, enum app_prompt kind, int key);
/* Enter in the text field of a target confirm(), and Esc in it. */
void view_run_target_done(struct app *a, const char *text);
void view_run_target_later(struct app *a);
/* view_runs.c */
void app_open_runs(struct app *a);
/* The id of the selected run, 0: none. */
int64_t view_runs_selected(const struct app *a);
/* The runs started here that are still running (their count). */
int app_runs_in_progress(struct app *a);

/* run_start.c */
/* Adds this TUI's database to the argv of an owl it starts: --db PATH,
 * or for a URL (which may hold a password, visible to ps in an argv)
 * OWL_DB in the environment it inherits. Returns the new k. */
int run_start_db(struct app *a, char **argv, int k);
/* Starts `owl run NAME --detach` (a process of its own); returns the run
 * id, or -1 with why in msg. */
int64_t run_start(struct app *a, const char *name, const json_t *params,
    int64_t incident, int dry_run, char *msg, size_t n);
/* Starts `owl apply PLAN --detach`: exactly the plan of a dry-run;
 * returns the run id, or -1 with why in msg. */
int64_t run_apply(struct app *a, int64_t plan, char *msg, size_t n);
/* Cancels run with SIGINT to its process (when it runs here); -1 with
 * why in msg. */
int run_cancel(struct app *a, int64_t run, char *msg, size_t n);

/* run_recover.c */
/* r: the choices of owl recover for run id, when it is interrupted. */
void recover_begin(struct app *a, int64_t id);
/* The key that picks one (c re-check, u undo, t retry, m mark
 * resolved). */
void recover_key(struct app *a, int key);
/* y runs the undo or the retry (owl recover RUN --undo|--retry); other
 * keys do nothing. */
void recover_undo_key(struct app *a, int key);
/* Marks the run resolved with the operator's note (rb_recover_log). */
void recover_resolve(struct app *a, const char *note);

/* run_form.c */
/* R: asks which runbook (suggested first). */
void form_begin(struct app *a, int64_t incident, const char *name);
/* Enter in the runbook or param editor. */
void form_done(struct app *a, const char *text);
/* Tab in the runbook or param editor. */
void form_tab(struct app *a);
/* e after a dry-run: the params again, as the run had them. */
void form_edit(
    struct app *a, const char *name, const json_t *params, int64_t incident);
void form_free(struct app *a);

/* view_paging.c */
/* Reads the header's paging alarm and override. */
void paging_load(struct app *a);
/* Adds the "Paged" section of incident id to p (nothing when none). */
void paging_detail(struct app *a, struct pager *p, int64_t id);
/* The exit summary's line pointing to `owl handoff`. */
void paging_summary(const struct app *a, FILE *f);

/* app.c */
/* Runs the TUI on an open store and screen until the user quits, a
 * signal arrives or the terminal goes away. bench: when not NULL, the
 * benchmark hook: write the microseconds to the first full frame into
 * this file and stop. Returns 0, or -1 when the first load failed. */
int app_run(struct app *a, const char *bench);
/* Frees what the app holds (not the store or screen). */
void app_done(struct app *a);
/* Opens the incident screen for id. */
void app_open_incident(struct app *a, int64_t id);
/* The incident the action keys act on in the current screen; 0: none. */
int64_t app_target(const struct app *a);
/* Opens a prompt of kind with label, its editor holding text (or empty). */
void app_prompt(
    struct app *a, enum app_prompt kind, const char *label, const char *text);
/* Asks for confirmation of act on id, or says why it cannot be done. */
void app_confirm(
    struct app *a, enum keys_action act, int64_t id, const char *dur);
/* After our own change: data_version does not move for our own writes,
 * so reload by hand. */
void app_reload(struct app *a);
/* Does act on the screen on top; returns what needs redrawing. */
enum view_result app_do(struct app *a, enum keys_action act, int rows);

/* app_draw.c: draws the whole frame and sends the changes. */
void app_draw(struct app *a);

/* app_cmd.c: runs a `:` command line ("ack", "ack 42", "note INC-42
 * text", "run NAME", "runs"). */
void app_cmd_line(struct app *a, char *line);

/* view_incident.c */
/* The incident the incident screen shows, 0: it is not open. */
int64_t view_incident_id(const struct app *a);
/* That incident as loaded, when it is id; NULL otherwise. */
const struct incident *view_incident_loaded(const struct app *a, int64_t id);
/* Its suggested runbooks (borrowed), when it is id; NULL otherwise. */
const json_t *view_incident_suggested(const struct app *a, int64_t id);

/* view_alerts.c */
/* Adds the alert table and the links of inc to p, and sets a->links;
 * storm gets what a storm's alerts share ("" when not a storm). */
void view_alerts_add(struct app *a, struct pager *p, const struct incident *inc,
    int expanded, char *storm, size_t storm_n);
/* Reads the links of incident id into a->links. -1 with err set. */
int view_alerts_links(struct app *a, int64_t id, struct err *err);

/* view_help.c: opens help on the keys of view `of`. */
void view_help_open(struct app *a, const struct view_ops *of);

/* pager.c */
void pager_clear(struct pager *p);
/* Appends a line (text copied; NULL text: empty line). */
void pager_add(struct pager *p, int style, int indent, const char *text);
/* Appends one pager line per '\n'-separated line of text. */
void pager_add_lines(struct pager *p, int style, int indent, const char *text);
/* Recomputes the shown rows for a filter ("" shows all). */
void pager_filter(struct pager *p, const char *filter);
/* Draws rows [top, top+rows) of the shown lines. */
void pager_draw(
    const struct pager *p, struct screen *sc, int top, int rows, int cols);
/* Scrolls for j/k/g/G/PgUp/PgDn: VIEW_REDRAW when it moved, VIEW_KEEP
 * when it could not (at the end), VIEW_PASS when act is not scrolling. */
enum view_result pager_scroll(struct pager *p, enum keys_action act, int rows);

/* act.c */
/* Prepares a.pending for act on incident id (ack, resolve, snooze with
 * dur, undo). Writes the confirmation question into q (n bytes) and
 * returns 0, or returns -1 with the reason why not in q. */
int act_prepare(struct app *a, enum keys_action act, int64_t id,
    const char *dur, char *q, size_t n);
/* Runs the confirmed pending action with check-then-act; the outcome
 * goes to the message line and, when done, into the journal. */
void act_run(struct app *a);
/* Adds a note now (no confirmation: typing it is deliberate). */
void act_note(struct app *a, int64_t id, const char *text);
/* Assigns the incident to who now (no confirmation: typing the name is
 * deliberate). */
void act_assign(struct app *a, int64_t id, const char *who);
/* Records in the session's journal what was done to a run (started,
 * applied, answered, cancelled, recovered): "run 12 ask: dry-run". */
void act_run_note(struct app *a, int64_t incident, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prints the session summary to f (after the terminal is restored). */
void act_summary(const struct app *a, FILE *f);
void act_journal_free(struct act_journal *j);

#endif
