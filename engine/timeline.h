/* timeline.h: the postmortem timeline of an incident, rebuilt from the
 * action log alone: one event per log entry (time, actor, kind, one human
 * line (actlog_text.h), the entry's id and hash) and the incident's header
 * (title, severity, opened/acknowledged/resolved times). Also the escaping that
 * each export format needs (Markdown, CSV, HTML). */
#ifndef OWL_TIMELINE_H
#define OWL_TIMELINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "actlog.h"
#include "actlog_text.h"
#include "buf.h"
#include "err.h"
#include "hash.h"
#include "store.h"
#include "strmap.h"

/* The most entries one timeline holds; more is an error, not a cut. */
#define TIMELINE_MAX_EVENTS 200000
/* The longest event text; longer ones end in "..." (actlog_text.h). */
#define TIMELINE_TEXT_MAX ACTLOG_TEXT_MAX

struct timeline_event {
	int64_t entry; /* action-log id */
	int64_t at_us;
	int64_t run; /* 0: none */
	char *actor;
	char *kind;
	char *text; /* one human line, unescaped; set by timeline_finish */
	char hash[65];
	/* parsed; set in pass two (borrowed): of an alert's entry, only
	 * what its line uses, or NULL when its line was told without */
	const json_t *detail;
	const char *detail_json; /* the stored text, in pass two ("{}"
	                            for an alert's entry read
	                            TIMELINE_LEAN) */
	int detail_valid; /* detail_json is a JSON object */
	const char *alert_ends; /* an alert's resolve: its own end, when
	                           it says (pass two) */
};

/* The incident as its log tells it; times are 0 when unknown or not yet. */
struct timeline_head {
	int64_t incident;
	char *title; /* NULL when the log has no incident.open */
	char *severity; /* the worst, as last updated */
	char *state; /* the state after the last state change */
	char *source;
	int64_t started_us; /* earliest starts_at of its alerts (their own) */
	int64_t opened_us; /* when owl received the first alert */
	int64_t acked_us; /* first acknowledgement */
	char *acked_by;
	int64_t mitigated_us; /* first run that ended ok (not a dry-run), or
	                         first note saying "mitigated..." */
	char *mitigated_by; /* "run 7 degraded-mode" or "note by alice" */
	int64_t resolved_us; /* last resolve, when it is still resolved */
	int resolved_auto; /* that resolve was automatic */
	int64_t ended_us; /* the last endsAt of its alerts, as that
	                     automatic resolve says (0: not said) */
	int64_t first_id, last_id; /* the incident's first and last entry */
	int64_t last_us; /* the time of its last entry */
	int64_t alerts, pages, runs, notes; /* counts */
};
struct timeline {
	struct timeline_head head;
	struct timeline_event *ev;
	size_t n, cap;
	json_t *details; /* the entries' parsed details, parallel to ev */
};

/* Empties t for the incident `incident`. */
void timeline_init(struct timeline *t, int64_t incident);

/* Frees what t holds; t may then be initialised again. */
void timeline_free(struct timeline *t);

/* Appends a copy of one log entry (the caller filters by incident).
 * -1 with err set when out of memory or past TIMELINE_MAX_EVENTS. */
int timeline_add(
    struct timeline *t, const struct actlog_entry *e, struct err *err);

/* Writes every event's text and fills the header from the entries added,
 * in order. Call once after the last timeline_add. */
int timeline_finish(struct timeline *t, struct err *err);

/* Reads the incident's entries from the log and finishes t. -1 with err
 * set (ERR_FAILED "no incident INC-N") when the log has none. */
int timeline_load(
    struct store *s, int64_t incident, struct timeline *t, struct err *err);

/* The picture and the model of a timeline, read in pass one, bounded:
 * past each maximum the rest is counted, not kept. */
#define TIMELINE_LANES_MAX 40 /* alert lanes */
#define TIMELINE_SPANS_MAX 12 /* firing spans of one alert */
#define TIMELINE_RUNS_MAX 16 /* run lanes */
#define TIMELINE_BARS_MAX 48 /* step bars of one run */
#define TIMELINE_MARKS_MAX 400
#define TIMELINE_PEOPLE_MAX 64
#define TIMELINE_CHANGES_MAX 20

struct timeline_span {
	int64_t from_us, to_us; /* to 0: still firing */
};

/* One alert's lane: its description (the labels that tell it from its
 * siblings), severity and firing spans, in the alerts' own times. */
struct timeline_alert {
	char *fp, *name, *severity;
	json_t *labels;
	struct timeline_span span[TIMELINE_SPANS_MAX];
	size_t nspan;
};

/* One step (or undo) of a run: it ended at at_us after ms. */
struct timeline_bar {
	int64_t at_us, ms;
	int i, undo, ok;
	char *name;
};

struct timeline_run {
	int64_t run, start_us, end_us;
	char *runbook, *actor, *status; /* status NULL: not ended */
	int dry_run, rollback_failed;
	struct timeline_bar bar[TIMELINE_BARS_MAX];
	size_t nbar;
};

/* A mark on the picture: an acknowledgement, a note, a page, a change,
 * an assignment, a resolve, a reopen. */
enum timeline_mark_kind {
	TIMELINE_MARK_ACK,
	TIMELINE_MARK_NOTE,
	TIMELINE_MARK_PAGE,
	TIMELINE_MARK_CHANGE,
	TIMELINE_MARK_OTHER,
};

struct timeline_mark {
	int64_t at_us, entry;
	enum timeline_mark_kind kind;
	char *label; /* the entry's actor or summary */
};

/* Who did what. */
struct timeline_person {
	char *actor;
	int64_t n, first_us, last_us;
	int human; /* acted on the incident (ack, note, run...) */
};

/* A change (deploy) reported before the first alert. */
struct timeline_change {
	int64_t at_us, entry;
	char *summary, *source;
};

struct timeline_model {
	struct timeline_alert alert[TIMELINE_LANES_MAX];
	size_t nalert, more_alerts;
	struct timeline_run run[TIMELINE_RUNS_MAX];
	size_t nrun, more_runs;
	struct timeline_mark mark[TIMELINE_MARKS_MAX];
	size_t nmark, more_marks;
	struct timeline_person person[TIMELINE_PEOPLE_MAX];
	size_t nperson, more_people, last_person;
	struct timeline_change change[TIMELINE_CHANGES_MAX];
	size_t nchange;
	json_t *common; /* labels every alert has, same value: {k: v} */
	struct strmap *lanes; /* fingerprint -> its alert's lane */
	json_t *services; /* the values of their "service" labels */
};

/* A timeline for export, streamed: timeline_open() reads the
 * incident's entries once for the header, the model and the context
 * (names of alerts, runs, effects), and checks each entry's hash
 * against its content; timeline_each() reads them again and gives one
 * event at a time. Memory does not grow with the number of events, but
 * for the context (a name per alert). */
struct timeline_stream {
	struct timeline_head head;
	struct timeline_model m;
	int64_t n; /* events */
	int64_t bad_id; /* first entry whose hash does not match, 0: none */
	struct actlog_text *text; /* the sentences, and what pass one told */
	struct hash_ctx h;
	struct store *s;
	int need_names; /* some entry names an alert only by fingerprint */
	struct strmap *seen; /* the fingerprints of the alert.new entries
	                        read, from the first resolve or refire on;
	                        before, */
	char *pend; /* they are kept one after the other (a storm with
	               none has no map to build) */
	size_t npend, pendcap;
	int64_t recalls; /* entries that name an alert by its fingerprint
	                    alone (alert.resolve...) */
	int lean; /* TIMELINE_LEAN */
	/* pass two keeps each entry's id and hash in a temporary file for
	 * pass three when spool_hashes is set (timeline_narrate sets it):
	 * the log is then read twice, not three times */
	int spool_hashes, spooled;
	int64_t nspool; /* entries in the spool */
	FILE *spool;
	char *spool_io; /* its buffer */
	/* pass one keeps the entries it read in a temporary file, and pass
	 * two reads them from there: the incident's rows are spread over
	 * the log's pages (a storm among others: one row a page), and each
	 * pass over SQLite copied a 4 KiB page per row */
	FILE *rows;
	char *rows_io; /* its buffer */
	int64_t nrows; /* entries in rows; -1: rows failed, read the log */
	int64_t rowbytes; /* written to rows */
	char *rowbuf;
	size_t rowcap;
};

/* Pass one. -1 with err (ERR_FAILED "no incident INC-N") when the log
 * has no entry of the incident; timeline_close() in every case. */
int timeline_open(struct store *s, int64_t incident, struct timeline_stream *ts,
    struct err *err);

/* How timeline_open_as reads: TIMELINE_LEAN when the writer shows no
 * alert entry's raw detail (ev->detail_json; md and html): pass two
 * then has it only when the entry is not valid JSON. */
#define TIMELINE_LEAN 1u
int timeline_open_as(struct store *s, int64_t incident, unsigned how,
    struct timeline_stream *ts, struct err *err);

/* Called with each event, borrowed for the call (text set). Returns
 * nonzero to stop (timeline_each then fails). */
typedef int timeline_fn(const struct timeline_event *ev, void *ctx);

/* Pass two: fn for each event, oldest first. */
int timeline_each(
    struct timeline_stream *ts, timeline_fn *fn, void *ctx, struct err *err);

void timeline_close(struct timeline_stream *ts);

/* Where an event shows: in every export (a human action, a run's start
 * or end), in the narrative (the default), or only with --full. */
enum timeline_shown {
	TIMELINE_SUMMARY,
	TIMELINE_NARRATIVE,
	TIMELINE_FULL,
};

/* How an event turned out: a step, an effect, an undo, a run. */
enum timeline_outcome {
	TIMELINE_NONE,
	TIMELINE_OK,
	TIMELINE_FAILED,
};

/* One line of the narrative: an event, told by its sentence (ev->text),
 * at level 0, or at level 1 inside its run's block (the block starts
 * with the run's start line). */
struct timeline_line {
	const struct timeline_event *ev;
	const char *text; /* ev->text, less "run N " inside a block */
	int level;
	enum timeline_shown shown;
	enum timeline_outcome mark;
	int rollback_failed; /* an undo that failed, or a run that had one */
	const char *extra; /* said after the text: "params: a=1", "after
	                      3s", or NULL */
};

typedef int timeline_line_fn(const struct timeline_line *l, void *ctx);

/* Classifies an event (its detail set): where it shows, its outcome,
 * whether it is a failed undo. */
void timeline_classify(const struct timeline_event *ev,
    enum timeline_shown *shown, enum timeline_outcome *mark, int *rb_failed);

/* Pass two as a narrative: the lines of `mode` (TIMELINE_SUMMARY:
 * human actions and runs' starts and ends; TIMELINE_NARRATIVE: every
 * meaningful event, each run one block, an effect's intent and result
 * one line, the changes before the first alert left to the model;
 * TIMELINE_FULL: every entry, in log order). */
int timeline_narrate(struct timeline_stream *ts, enum timeline_shown mode,
    timeline_line_fn *fn, void *ctx, struct err *err);

/* Pass two over the entries of one run of the incident only. */
int timeline_each_run(struct timeline_stream *ts, int64_t run, timeline_fn *fn,
    void *ctx, struct err *err);

/* Pass three: each entry's id and hash, for the appendix. */
typedef int timeline_hash_fn(int64_t entry, const char *hash, void *ctx);
int timeline_hashes(struct timeline_stream *ts, timeline_hash_fn *fn, void *ctx,
    struct err *err);

/* The incidents that were open at some time in [since, until] (opened
 * before until, not resolved before since), oldest first, at most max.
 * *ids is malloc'd. */
int timeline_window(struct store *s, int64_t since, int64_t until, size_t max,
    int64_t **ids, size_t *n, struct err *err);

/* An alert's labels from their JSON (a flat object of strings read
 * without jansson's parser, else by it); NULL when not JSON. */
json_t *timeline_labels(const char *json);

/* Model helpers (timeline_model.c), for pass one. */
/* An alert's resolve or refire, from [fingerprint, ends_at, starts_at]. */
int timeline_model_change(struct timeline_stream *ts,
    const struct timeline_event *ev, const char *const *v);
void timeline_model_free(struct timeline_model *m);
int timeline_model_add(struct timeline_stream *ts,
    const struct timeline_event *ev, const json_t *d);
/* An alert.new of pass one, from what was read of it: [starts_at,
 * fingerprint, severity, status, ends_at] and its labels (JSON). */
int timeline_model_alert(struct timeline_stream *ts,
    const struct timeline_event *ev, const char *const *v, const char *labels);

/* Escapes for a Markdown table cell: the Markdown specials and '|' with a
 * backslash, '<', '>' and '&' as entities, a line break as <br>. */
int timeline_esc_md(struct buf *out, const char *s, struct err *err);

/* Appends one RFC 4180 field: quoted (with "" for ") when it holds a
 * comma, a quote, CR or LF, or leading/trailing spaces; a field starting
 * with = + - @ TAB or CR (a spreadsheet formula) gets a leading '. */
int timeline_esc_csv(struct buf *out, const char *s, struct err *err);

/* Writes a duration as "42s", "3m 05s", "2h 03m 04s" or "1d 2h 03m". */
void timeline_duration(int64_t us, char *out, size_t n);

/* Escapes &, <, >, " and ' as HTML entities. */
int timeline_esc_html(struct buf *out, const char *s, struct err *err);

#endif
