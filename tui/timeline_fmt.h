/* timeline_fmt.h: the export formats of `owl timeline` (md, json, csv,
 * html), all written from one model (engine/timeline.h): the summary,
 * the participants, the changes, the narrative, the picture, the
 * appendix of hashes. Internal to the timeline command. */
#ifndef OWL_TIMELINE_FMT_H
#define OWL_TIMELINE_FMT_H

#include <stdio.h>

#include "engine/actlog.h"
#include "engine/atomicfile.h"
#include "engine/buf.h"
#include "engine/timeline.h"

/* What every format is given for one incident. */
struct tl_doc {
	struct timeline_stream t;
	struct actlog_check chk;
	char head[65]; /* the hash of the newest row of the whole log */
	enum timeline_shown mode; /* --summary, default, --full */
};

/* Where an export goes, one piece at a time. */
struct tl_out {
	FILE *f; /* stdout, or */
	struct atomicfile *af; /* -o FILE */
	struct buf b;
	struct err *err;
	size_t n; /* incidents written so far */
	int64_t since, until; /* the window (--since/--until), or 0 */
};

/* Sends what b holds on. */
int tl_flush(struct tl_out *o);
/* The same once b holds 64 KiB or more. */
int tl_maybe(struct tl_out *o);

/* A format: the document's start, one incident, the document's end. */
struct tl_format {
	int (*begin)(struct tl_out *o);
	int (*incident)(struct tl_out *o, struct tl_doc *d);
	int (*end)(struct tl_out *o);
};

extern const struct tl_format tl_fmt_md, tl_fmt_json, tl_fmt_csv, tl_fmt_html;

/* The summary's rows, shared by md and html: label and value
 * (sanitised). */
#define TL_ROWS_MAX 24
struct tl_row {
	const char *label;
	char value[1024];
};
size_t tl_rows(const struct tl_doc *d, struct tl_row *r);

/* "2026-11-29T03:04:05Z", or "-" for 0. */
void tl_time(int64_t us, char *out, size_t n);
/* "03:04:05". */
void tl_clock(int64_t us, char *out, size_t n);
/* A duration between two times, or "-" when either is 0. */
void tl_span(int64_t from, int64_t to, char *out, size_t n);
/* The first time of the incident: its alerts' own start, or when owl
 * opened it. */
int64_t tl_start(const struct timeline_head *h);
/* The end: the alerts' own end, else the resolve. */
int64_t tl_end(const struct timeline_head *h);
/* A sanitised copy of untrusted text (no terminal escapes, no C1 or
 * bidi controls), newlines kept; NULL when out of memory. */
char *tl_clean(const char *s);
/* The same without a copy when there is nothing to clean (printable
 * ASCII, most of an export): s itself, else the clean copy, which *own
 * then holds (free it); NULL when out of memory. */
const char *tl_cleaned(const char *s, char **own);
/* The chain's sentence: "verified: entries 120-356 intact" or the
 * first bad entry. */
void tl_chain(const struct tl_doc *d, char *out, size_t n);
/* The warning of a broken chain. */
void tl_broken(const struct tl_doc *d, char *out, size_t n);
/* The human sections: heading and guidance. */
struct tl_section {
	const char *title, *guide;
};
extern const struct tl_section tl_sections[];
extern const size_t tl_nsections;
/* "ok", "failed" or NULL. */
const char *tl_outcome(enum timeline_outcome m);
/* "summary", "narrative", "full". */
const char *tl_shown(enum timeline_shown s);

/* The SVG picture of an incident (tui/timeline_svg.c). */
int tl_svg(struct buf *b, const struct tl_doc *d, struct err *err);

#endif
