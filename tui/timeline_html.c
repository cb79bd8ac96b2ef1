/* timeline_html.c: the timeline as one self-contained, printable HTML
 * file (no network: a Content-Security-Policy that allows nothing but
 * inline style): the summary, the picture (timeline_svg.c), the
 * participants, the changes, the narrative, the sections for the
 * authors and the appendix. Untrusted text is sanitised and escaped. */
#include "timeline_fmt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"

static int
ht_text(struct buf *b, const char *s, struct err *err)
{
	char *own;
	const char *c = tl_cleaned(s, &own);
	int rc;

	if (c == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = timeline_esc_html(b, c, err);
	free(own);
	return rc;
}

static int
ht_cell(struct buf *b, const char *tag, const char *s, struct err *err)
{
	return buf_printf(b, err, "<%s>", tag) == -1 ||
	        ht_text(b, s, err) == -1 ||
	        buf_printf(b, err, "</%s>", tag) == -1
	    ? -1
	    : 0;
}

static const char ht_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'none'; style-src 'unsafe-inline'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n"
    "<style>\n"
    "body{font-family:sans-serif;margin:2em auto;max-width:1200px;"
    "padding:0 1em;color:#222;line-height:1.4}\n"
    "table{border-collapse:collapse;margin-bottom:1.5em}\n"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;"
    "vertical-align:top}\nth{background:#f2f2f2}\n"
    "table.summary th{width:14em}\n"
    "ul.narrative{list-style:none;padding-left:0}\n"
    "ul.narrative li{margin:2px 0}\n.x{white-space:pre-wrap}\n"
    "ul.run{list-style:none;padding-left:2.2em;border-left:3px solid #bbb;"
    "margin:2px 0 6px 0.4em}\n"
    ".t{font-family:monospace;color:#555}\n"
    ".h{font-family:monospace;font-size:80%;color:#888}\n"
    ".ok{color:#1b7f3b;font-weight:bold}\n"
    ".failed{color:#c62828;font-weight:bold}\n"
    ".rbf{color:#fff;background:#c62828;padding:0 4px;font-weight:bold}\n"
    ".extra{color:#555}\n.guide{color:#777;font-style:italic}\n"
    ".day{font-weight:bold;margin-top:.8em}\n"
    "svg.picture{width:100%;height:auto;border:1px solid #ddd;"
    "background:#fff}\n"
    "code{font-size:85%}\n"
    ".broken{background:#c00;color:#fff;padding:1em;font-weight:bold;"
    "margin-bottom:1em}\n"
    "@media print{body{margin:0;max-width:none;font-size:10pt}"
    "h2{break-after:avoid}svg.picture{break-inside:avoid}"
    "table.appendix{font-size:7pt}}\n"
    "@page{size:A4;margin:12mm}\n"
    "</style>\n";

static int
ht_begin(struct tl_out *o)
{
	char a[CLOCK_RFC3339_MAX], z[CLOCK_RFC3339_MAX];
	int rc = buf_adds(&o->b, ht_head, o->err);

	if (rc == -1 || o->since == 0)
		return rc;
	tl_time(o->since, a, sizeof a);
	tl_time(o->until, z, sizeof z);
	return buf_printf(&o->b, o->err,
	    "<title>Incidents open from %s to %s</title>\n</head>\n<body>\n"
	    "<h1>Incidents open from %s to %s</h1>\n",
	    a, z, a, z);
}

static int
ht_end(struct tl_out *o)
{
	if (o->since != 0 && o->n == 0 &&
	    buf_adds(&o->b, "<p>No incident was open then.</p>\n", o->err) ==
	        -1)
		return -1;
	return buf_adds(&o->b, "</body>\n</html>\n", o->err);
}

static int
ht_summary(struct tl_out *o, const struct tl_doc *d)
{
	struct tl_row r[TL_ROWS_MAX];
	size_t nr = tl_rows(d, r);
	struct buf *b = &o->b;
	struct err *err = o->err;
	char warn[400];
	int rc = 0;

	if (o->since == 0) {
		rc |= ht_cell(b, "title", r[1].value, err);
		rc |= buf_adds(b, "\n</head>\n<body>\n", err);
	}
	rc |= buf_printf(
	    b, err, "<section id=\"inc-%" PRId64 "\">\n", d->t.head.incident);
	if (d->chk.bad_id != 0) {
		tl_broken(d, warn, sizeof warn);
		rc |= buf_adds(b, "<div class=\"broken\" id=\"broken\">", err);
		rc |= timeline_esc_html(b, warn, err);
		rc |= buf_adds(b, "</div>\n", err);
	}
	rc |= buf_printf(b, err, "<h1>%s: ", r[0].value);
	rc |= ht_text(b, r[1].value, err);
	rc |= buf_adds(b, "</h1>\n<table class=\"summary\">\n", err);
	for (size_t i = 2; i < nr && rc == 0; i++) {
		rc |= buf_adds(b, "<tr>", err);
		rc |= ht_cell(b, "th", r[i].label, err);
		rc |= ht_cell(b, "td", r[i].value, err);
		rc |= buf_adds(b, "</tr>\n", err);
	}
	rc |= buf_adds(b, "</table>\n<h2>The incident over time</h2>\n", err);
	rc |= tl_svg(b, d, err);
	return rc ? -1 : 0;
}

static int
ht_people(struct buf *b, const struct tl_doc *d, struct err *err)
{
	const struct timeline_model *m = &d->t.m;
	char f[16], l[16];
	int rc = 0;

	rc |= buf_adds(b,
	    "<h2>Participants</h2>\n<table class=\"people\">\n<tr><th>Who</th>"
	    "<th>Actions</th><th>First</th><th>Last</th></tr>\n",
	    err);
	for (size_t i = 0; i < m->nperson; i++) {
		tl_clock(m->person[i].first_us, f, sizeof f);
		tl_clock(m->person[i].last_us, l, sizeof l);
		rc |= buf_adds(b, "<tr><td>", err);
		rc |= ht_text(b, m->person[i].actor, err);
		rc |= buf_printf(b, err,
		    "%s</td><td>%" PRId64 "</td><td>%s</td><td>%s</td></tr>\n",
		    m->person[i].human ? "" : " (automatic)", m->person[i].n, f,
		    l);
	}
	rc |= buf_adds(b, "</table>\n", err);
	if (m->nchange > 0)
		rc |= buf_adds(
		    b, "<h2>Changes before the first alert</h2>\n<ul>\n", err);
	for (size_t i = 0; i < m->nchange; i++) {
		char at[16], before[40];

		tl_clock(m->change[i].at_us, at, sizeof at);
		timeline_duration(tl_start(&d->t.head) - m->change[i].at_us,
		    before, sizeof before);
		rc |= buf_printf(b, err,
		    "<li class=\"change\"><span class=\"t\">%s</span> (%s "
		    "before) ",
		    at, before);
		rc |= ht_text(b, m->change[i].summary, err);
		if (*m->change[i].source) {
			rc |= buf_adds(b, " (from ", err);
			rc |= ht_text(b, m->change[i].source, err);
			rc |= buf_adds(b, ")", err);
		}
		rc |= buf_printf(b, err,
		    " <span class=\"h\">#%" PRId64 "</span></li>\n",
		    m->change[i].entry);
	}
	if (m->nchange > 0)
		rc |= buf_adds(b, "</ul>\n", err);
	return rc ? -1 : 0;
}

struct ht_narr {
	struct tl_out *o;
	int64_t day;
	int in_run; /* a run's <ul> is open */
	enum timeline_shown mode;
};

static int
ht_line(const struct timeline_line *l, void *ctx)
{
	struct ht_narr *n = ctx;
	struct buf *b = &n->o->b;
	struct err *err = n->o->err;
	int64_t day = l->ev->at_us / (86400 * CLOCK_US_PER_SEC);
	char at[CLOCK_RFC3339_MAX];
	int rc = 0;

	clock_format(l->ev->at_us, 0, at);
	if (n->in_run && l->level == 0) {
		rc |= buf_adds(b, "</ul></li>\n", err);
		n->in_run = 0;
	}
	if (day != n->day)
		rc |= buf_printf(b, err, "<li class=\"day\">%.10s</li>\n", at);
	n->day = day;
	rc |= buf_printf(b, err,
	    "<li class=\"%s\" id=\"e%" PRId64
	    "\"><span class=\"t\">%.8s</span> ",
	    l->level                                    ? "step"
	        : strcmp(l->ev->kind, "run.start") == 0 ? "run"
	                                                : "ev",
	    l->ev->entry, at + 11);
	if (l->mark != TIMELINE_NONE)
		rc |= buf_adds(b,
		    l->mark == TIMELINE_OK ? "<span class=\"ok\">✓</span> "
		                           : "<span class=\"failed\">✗</span> ",
		    err);
	rc |= buf_adds(b, "<span class=\"x\">", err);
	rc |= ht_text(b, l->text, err);
	rc |= buf_adds(b, "</span>", err);
	if (l->extra != NULL) {
		rc |= buf_adds(b, " <span class=\"extra\">(", err);
		rc |= ht_text(b, l->extra, err);
		rc |= buf_adds(b, ")</span>", err);
	}
	if (l->rollback_failed)
		rc |= buf_adds(
		    b, " <span class=\"rbf\">rollback failed</span>", err);
	rc |= buf_printf(b, err, " <span class=\"h\">#%" PRId64 " %.8s</span>",
	    l->ev->entry, l->ev->hash);
	if (l->level == 0 && strcmp(l->ev->kind, "run.start") == 0 &&
	    n->mode != TIMELINE_FULL) {
		rc |= buf_adds(b, "\n<ul class=\"run\">\n", err);
		n->in_run = 1;
	} else
		rc |= buf_adds(b, "</li>\n", err);
	if (rc)
		return 1;
	return tl_maybe(n->o) == -1;
}

static int
ht_hash(int64_t entry, const char *hash, void *ctx)
{
	struct tl_out *o = ctx;

	if (buf_printf(&o->b, o->err,
	        "<tr><td>%" PRId64 "</td><td><code>%s</code></td></tr>\n",
	        entry, hash ? hash : "") == -1)
		return 1;
	return tl_maybe(o) == -1;
}

static int
ht_incident(struct tl_out *o, struct tl_doc *d)
{
	struct ht_narr n = { o, -1, 0, d->mode };
	struct buf *b = &o->b;
	struct err *err = o->err;

	if (ht_summary(o, d) == -1 || ht_people(b, d, err) == -1 ||
	    buf_adds(b,
	        "<h2>Narrative</h2>\n<p class=\"guide\">Times are UTC. #N "
	        "abcd1234 is an entry of the action log and the start of its "
	        "hash (all of it in the appendix).</p>\n"
	        "<ul class=\"narrative\">\n",
	        err) == -1 ||
	    tl_flush(o) == -1 ||
	    timeline_narrate(&d->t, d->mode, ht_line, &n, err) == -1)
		return -1;
	if (n.in_run && buf_adds(b, "</ul></li>\n", err) == -1)
		return -1;
	if (buf_adds(b, "</ul>\n", err) == -1)
		return -1;
	for (size_t i = 0; i < tl_nsections; i++)
		if (buf_printf(b, err,
		        "<h2>%s</h2>\n<p class=\"guide\">%s</p>\n",
		        tl_sections[i].title, tl_sections[i].guide) == -1)
			return -1;
	if (buf_adds(b,
	        "<h2>Appendix: entries and hashes</h2>\n"
	        "<table class=\"appendix\">\n<tr><th>Entry</th>"
	        "<th>SHA-256</th></tr>\n",
	        err) == -1 ||
	    timeline_hashes(&d->t, ht_hash, o, err) == -1)
		return -1;
	return buf_adds(b, "</table>\n</section>\n", err);
}

const struct tl_format tl_fmt_html = { ht_begin, ht_incident, ht_end };
