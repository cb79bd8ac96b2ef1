/* timeline_int.h: what timeline.c (the timeline in memory),
 * timeline_stream.c (the streamed export), timeline_read.c (what it
 * reads of an alert's entry) and timeline_model.c share. */
#ifndef OWL_TIMELINE_INT_H
#define OWL_TIMELINE_INT_H

#include "timeline.h"

/* Updates the header with one event (d its parsed detail). */
void tl_head(
    struct timeline_head *h, const struct timeline_event *ev, const json_t *d);

/* Sets ev->text (malloc'd) to the sentence of entry e (actlog_text.h);
 * b is scratch. */
int tl_line(struct actlog_text *at, struct timeline_event *ev,
    const struct actlog_entry *e, const json_t *d, struct buf *b,
    struct err *err);

/* What a pass reads of an alert's entry (tl_read): of an alert.new
 * the strings [starts_at, fingerprint, severity, status, ends_at,
 * annotations.summary] (TL_V_*: what pass one's model and pass two's
 * sentence use, read once in pass one and kept in the row spool for
 * pass two) and its labels (JSON text); of an alert's resolve or
 * refire [fingerprint, ends_at, starts_at] (TL_C_*). */
enum tl_what { TL_NEW, TL_CHANGE };
enum { TL_V_START, TL_V_FP, TL_V_SEV, TL_V_STATUS, TL_V_END, TL_V_SUMMARY };
enum { TL_C_FP, TL_C_END, TL_C_START };
#define TL_READ_MAX 6

struct tl_read {
	const char *v[TL_READ_MAX]; /* NULL when absent, null or not a
	                               string */
	const char *labels; /* an object's text, or NULL */
	int valid; /* the detail is valid JSON */
	char buf[4096]; /* what jscan read */
	/* where jscan found each string, then the labels, in the detail
	 * (UINT32_MAX: NULL), when `at` is set */
	int at;
	uint32_t off[TL_READ_MAX + 1], len[TL_READ_MAX + 1];
	json_t *arr; /* or what SQLite read, */
	char *slow; /* and its labels */
};

/* Reads what w says of an entry's detail into r: by jscan, else by
 * SQLite's json_extract (the same values). Valid until the next call
 * or tl_read_done. -1 with err set when SQLite fails. */
int tl_read(struct store *s, const char *detail, enum tl_what w,
    struct tl_read *r, struct err *err);
void tl_read_done(struct tl_read *r);

/* The same from where tl_read found them in the detail (r->off,
 * r->len, r->at set) of size bytes: 0, or -1 when they are not in it
 * or do not fit. */
int tl_read_at(const char *detail, size_t size, enum tl_what w,
    const uint32_t *off, const uint32_t *len, struct tl_read *r);

/* 0 for an alert.new, 1 for an alert.resolve or alert.refire, else
 * -1. */
int tl_alert_kind(const char *k);

#endif
