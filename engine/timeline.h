/* timeline.h: the postmortem timeline of an incident, rebuilt from the
 * action log alone: one event per log entry (time, actor, kind, one human
 * line (actlog_text.h), the entry's id and hash) and the incident's header
 * (title, severity, opened/acknowledged/resolved times). Also the escaping that
 * each export format needs (Markdown, CSV, HTML). */
#ifndef OWL_TIMELINE_H
#define OWL_TIMELINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "actlog.h"
#include "actlog_text.h"
#include "buf.h"
#include "err.h"
#include "hash.h"
#include "store.h"

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
};

/* The incident as its log tells it; times are 0 when unknown or not yet. */
struct timeline_head {
	int64_t incident;
	char *title; /* NULL when the log has no incident.open */
	char *severity; /* the worst, as last updated */
	char *state; /* the state after the last state change */
	char *source;
	int64_t started_us; /* earliest starts_at of its alerts */
	int64_t opened_us;
	int64_t acked_us; /* first acknowledgement */
	int64_t resolved_us; /* last resolve, when it is still resolved */
	int resolved_auto; /* that resolve was automatic */
	int64_t ended_us; /* the last endsAt of its alerts, as that
	                     automatic resolve says (0: not said) */
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

/* A timeline for export, streamed: timeline_open() reads the
 * incident's entries once for the header and the context (names of
 * alerts, runs, effects), and checks each entry's hash against its
 * content; timeline_each() reads them again and gives one event at a
 * time. Memory does not grow with the number of events, but for the
 * context (a name per alert). */
struct timeline_stream {
	struct timeline_head head;
	int64_t n; /* events */
	int64_t bad_id; /* first entry whose hash does not match, 0: none */
	struct actlog_text *text; /* the sentences, and what pass one told */
	struct hash_ctx h;
	struct store *s;
	int need_names; /* some entry names an alert only by fingerprint */
};

/* Pass one. -1 with err (ERR_FAILED "no incident INC-N") when the log
 * has no entry of the incident; timeline_close() in every case. */
int timeline_open(struct store *s, int64_t incident, struct timeline_stream *ts,
    struct err *err);

/* Called with each event, borrowed for the call (text set). Returns
 * nonzero to stop (timeline_each then fails). */
typedef int timeline_fn(const struct timeline_event *ev, void *ctx);

/* Pass two: fn for each event, oldest first. */
int timeline_each(
    struct timeline_stream *ts, timeline_fn *fn, void *ctx, struct err *err);

void timeline_close(struct timeline_stream *ts);

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
