/* timeline_svg.c: the picture of an incident over time, inline SVG in
 * the HTML timeline: one lane per alert (its firing spans, in the
 * alert's own times, coloured by severity), one lane per runbook run (a
 * bar per step, failed ones red and crossed, undos purple), a lane of
 * marks (acks, notes, pages, changes, other actions), and a time axis
 * with the summary's key times. 1000 units wide: it scales to the page
 * (1280 px screens, A4 paper). */
#include "timeline_fmt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"

#define SV_W 1000
#define SV_L 240 /* the labels' column */
#define SV_R 24
#define SV_LANE 22
#define SV_TOP 58 /* the key times' labels */

struct sv {
	struct buf *b;
	struct err *err;
	int64_t t0, t1;
	int rc;
};

static double
sv_x(const struct sv *v, int64_t us)
{
	double f = (double)(us - v->t0) / (double)(v->t1 - v->t0);

	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return SV_L + f * (SV_W - SV_L - SV_R);
}

/* Untrusted text for SVG: sanitised, cut to `max` bytes (between UTF-8
 * characters, with "..."), escaped. */
static void
sv_text(struct sv *v, const char *s, size_t max)
{
	char *c = tl_clean(s);
	size_t n;

	if (c == NULL) {
		v->rc |= err_set(v->err, ERR_FAILED, "out of memory");
		return;
	}
	for (char *p = c; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	if ((n = strlen(c)) > max) {
		n = max - 3;
		while (n > 0 && ((unsigned char)c[n] & 0xC0) == 0x80)
			n--;
		strcpy(c + n, "...");
	}
	v->rc |= timeline_esc_html(v->b, c, v->err);
	free(c);
}

static const char *
sv_color(const char *severity)
{
	static const struct {
		const char *sev, *color;
	} colors[] = { { "critical", "#c62828" }, { "error", "#ef6c00" },
		{ "warning", "#f9a825" }, { "info", "#1565c0" } };

	for (size_t i = 0; i < sizeof colors / sizeof colors[0]; i++)
		if (severity != NULL && strcmp(severity, colors[i].sev) == 0)
			return colors[i].color;
	return "#757575";
}

/* The picture's time range: every time of the alerts, runs and marks,
 * the key times; a resolve received long after the alerts' own end is
 * left out (the summary says it). */
static void
sv_range(struct sv *v, const struct tl_doc *d)
{
	const struct timeline_head *h = &d->t.head;
	const struct timeline_model *m = &d->t.m;
	int64_t t[] = { h->started_us, h->opened_us, h->acked_us,
		h->mitigated_us, tl_end(h) };
	int64_t lo = 0, hi = 0, pad;

#define SV_SEE(x)                                                              \
	do {                                                                   \
		int64_t x_ = (x);                                              \
		if (x_ != 0 && (lo == 0 || x_ < lo))                           \
			lo = x_;                                               \
		if (x_ > hi)                                                   \
			hi = x_;                                               \
	} while (0)
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		SV_SEE(t[i]);
	for (size_t i = 0; i < m->nalert; i++)
		for (size_t j = 0; j < m->alert[i].nspan; j++) {
			SV_SEE(m->alert[i].span[j].from_us);
			SV_SEE(m->alert[i].span[j].to_us);
		}
	for (size_t i = 0; i < m->nrun; i++) {
		SV_SEE(m->run[i].start_us);
		SV_SEE(m->run[i].end_us);
	}
	for (size_t i = 0; i < m->nmark; i++)
		SV_SEE(m->mark[i].at_us);
#undef SV_SEE
	if (hi - lo < 60 * CLOCK_US_PER_SEC)
		hi = lo + 60 * CLOCK_US_PER_SEC;
	pad = (hi - lo) / 40;
	v->t0 = lo - pad;
	v->t1 = hi + pad;
}

/* The axis: a tick every round step, at most about 12. */
static void
sv_axis(struct sv *v, int y, int top)
{
	static const int64_t steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600,
		900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800,
		604800 };
	int64_t span = (v->t1 - v->t0) / CLOCK_US_PER_SEC, step = steps[0];
	char at[CLOCK_RFC3339_MAX];

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		step = steps[i];
		if (span / step <= 12)
			break;
	}
	step *= CLOCK_US_PER_SEC;
	v->rc |= buf_printf(v->b, v->err,
	    "<g class=\"axis\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#444\"/>\n",
	    SV_L, y, SV_W - SV_R, y);
	for (int64_t t = (v->t0 / step + 1) * step; t < v->t1; t += step) {
		double x = sv_x(v, t);

		clock_format(t, 0, at);
		v->rc |= buf_printf(v->b, v->err,
		    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#e0e0e0\"/><text x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\" font-size=\"12\">%.*s</text>\n",
		    x, top, x, y, x, y + 14,
		    step >= 86400 * CLOCK_US_PER_SEC ? 10 : 8,
		    step >= 86400 * CLOCK_US_PER_SEC ? at : at + 11);
	}
	v->rc |= buf_adds(v->b, "</g>\n", v->err);
}

/* The summary's key times: a dashed line each, labelled on top. */
static void
sv_keys(struct sv *v, const struct tl_doc *d, int bottom)
{
	const struct timeline_head *h = &d->t.head;
	const struct {
		const char *label;
		int64_t at;
		const char *color;
	} k[] = { { "first alert", h->started_us, "#c62828" },
		{ "opened", h->opened_us, "#555" },
		{ "acknowledged", h->acked_us, "#2e7d32" },
		{ "mitigated", h->mitigated_us, "#1565c0" },
		{ "resolved", tl_end(h), "#222" } };
	int row = 0;

	v->rc |= buf_adds(v->b, "<g class=\"keys\">\n", v->err);
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		double x;
		char at[16];

		if (k[i].at == 0)
			continue;
		x = sv_x(v, k[i].at);
		tl_clock(k[i].at, at, sizeof at);
		v->rc |= buf_printf(v->b, v->err,
		    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"%s\" stroke-dasharray=\"4 3\"/>"
		    "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"%s\" "
		    "text-anchor=\"%s\">%s %s</text>\n",
		    x, 12 + row * 14, x, bottom, k[i].color, x, 10 + row * 14,
		    k[i].color, x > SV_W - 200 ? "end" : "start", k[i].label,
		    at);
		row = (row + 1) % 3;
	}
	v->rc |= buf_adds(v->b, "</g>\n", v->err);
}

static void
sv_label(struct sv *v, int y, const char *s, const char *cls)
{
	v->rc |= buf_printf(v->b, v->err,
	    "<text x=\"6\" y=\"%d\" font-size=\"12\" class=\"%s\"%s>", y + 15,
	    cls, strstr(cls, "failed") != NULL ? " fill=\"#c62828\"" : "");
	sv_text(v, s, 36);
	v->rc |= buf_adds(v->b, "</text>\n", v->err);
}

static void
sv_marks(struct sv *v, const struct timeline_model *m, int y)
{
	static const char *const shape[] = {
		[TIMELINE_MARK_ACK] = "<path d=\"M%.1f %d l6 10 h-12 z\" "
		                      "fill=\"#2e7d32\">",
		[TIMELINE_MARK_NOTE] = "<circle cx=\"%.1f\" cy=\"%d\" r=\"5\" "
		                       "fill=\"#1565c0\">",
		[TIMELINE_MARK_PAGE] = "<path d=\"M%.1f %d l6 6 l-6 6 l-6 -6 "
		                       "z\" fill=\"#6a1b9a\">",
		[TIMELINE_MARK_CHANGE] = "<rect x=\"%.1f\" y=\"%d\" "
		                         "width=\"10\" height=\"10\" "
		                         "fill=\"#222\">",
		[TIMELINE_MARK_OTHER] = "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" "
		                        "fill=\"#9e9e9e\">",
	};
	static const char *const what[] = { "acknowledged by", "note by",
		"page to", "change:", "" };
	static const int dy[] = { 5, 11, 5, 6, 11 };
	static const double dx[] = { 0, 0, 0, -5, 0 };

	v->rc |= buf_printf(v->b, v->err,
	    "<g class=\"lane marks\"><rect x=\"0\" y=\"%d\" width=\"%d\" "
	    "height=\"%d\" fill=\"#fafafa\"/>\n",
	    y, SV_W, SV_LANE);
	sv_label(v, y, "acks, notes, pages, changes", "label");
	for (size_t i = 0; i < m->nmark; i++) {
		const struct timeline_mark *k = &m->mark[i];
		char at[16];

		tl_clock(k->at_us, at, sizeof at);
		v->rc |= buf_printf(v->b, v->err, shape[k->kind],
		    sv_x(v, k->at_us) + dx[k->kind], y + dy[k->kind]);
		v->rc |= buf_printf(
		    v->b, v->err, "<title>%s %s ", at, what[k->kind]);
		sv_text(v, k->label, 200);
		v->rc |= buf_printf(v->b, v->err, "</title></%s>\n",
		    k->kind == TIMELINE_MARK_NOTE ||
		            k->kind == TIMELINE_MARK_OTHER
		        ? "circle"
		        : k->kind == TIMELINE_MARK_CHANGE ? "rect"
		                                          : "path");
	}
	v->rc |= buf_adds(v->b, "</g>\n", v->err);
}

static void
sv_alert(struct sv *v, const struct timeline_alert *a, const char *desc, int y,
    int64_t end)
{
	const char *color = sv_color(a->severity);

	v->rc |= buf_printf(v->b, v->err, "<g class=\"lane alert\">\n");
	sv_label(v, y, desc, "label");
	for (size_t j = 0; j < a->nspan; j++) {
		int64_t to = a->span[j].to_us ? a->span[j].to_us : end;
		double x0 = sv_x(v, a->span[j].from_us), x1 = sv_x(v, to);
		char f[16], t[16];

		tl_clock(a->span[j].from_us, f, sizeof f);
		tl_clock(to, t, sizeof t);
		v->rc |= buf_printf(v->b, v->err,
		    "<rect class=\"firing\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
		    "height=\"14\" rx=\"2\" fill=\"%s\"><title>",
		    x0, y + 4, x1 - x0 < 2 ? 2 : x1 - x0, color);
		sv_text(v, desc, 200);
		v->rc |= buf_printf(v->b, v->err,
		    " (%s) firing %s-%s%s</title>"
		    "</rect>\n",
		    a->severity, f, t, a->span[j].to_us ? "" : " and on");
	}
	v->rc |= buf_adds(v->b, "</g>\n", v->err);
}

static void
sv_run(struct sv *v, const struct timeline_run *r, int y)
{
	char label[300];

	/* what matters first: a rollback that failed is never cut off */
	if (r->rollback_failed)
		snprintf(label, sizeof label,
		    "run %" PRId64 " rollback failed: %s", r->run, r->runbook);
	else
		snprintf(label, sizeof label, "run %" PRId64 " %s: %s", r->run,
		    r->runbook, r->status ? r->status : "running");
	v->rc |= buf_printf(v->b, v->err, "<g class=\"lane run\">\n");
	sv_label(v, y, label,
	    r->rollback_failed || (r->status && strcmp(r->status, "ok") != 0)
	        ? "label failed"
	        : "label");
	v->rc |= buf_printf(v->b, v->err,
	    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
	    "stroke=\"#999\"/>\n",
	    sv_x(v, r->start_us), y + 11,
	    sv_x(v, r->end_us ? r->end_us : r->start_us), y + 11);
	for (size_t j = 0; j < r->nbar; j++) {
		const struct timeline_bar *s = &r->bar[j];
		double x1 = sv_x(v, s->at_us),
		       x0 = sv_x(v, s->at_us - s->ms * 1000);
		const char *fill = !s->ok ? "#c62828"
		    : s->undo             ? "#6a1b9a"
		                          : "#2e7d32";

		if (x1 - x0 < 4)
			x0 = x1 - 4;
		v->rc |= buf_printf(v->b, v->err,
		    "<rect class=\"step%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
		    "height=\"14\" fill=\"%s\" stroke=\"#fff\"><title>%s %d ",
		    s->ok ? "" : " failed", x0, y + 4, x1 - x0, fill,
		    s->undo ? "undo of step" : "step", s->i);
		sv_text(v, s->name, 200);
		v->rc |= buf_printf(v->b, v->err,
		    ": %s %" PRId64 " ms</title></rect>\n",
		    s->ok ? "ok" : "failed", s->ms);
		if (!s->ok)
			v->rc |= buf_printf(v->b, v->err,
			    "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" "
			    "fill=\"#c62828\" text-anchor=\"middle\">"
			    "&#10007;</text>\n",
			    (x0 + x1) / 2, y + 2);
	}
	v->rc |= buf_adds(v->b, "</g>\n", v->err);
}

static const char sv_legend[] =
    "<g class=\"legend\" font-size=\"11\">"
    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#c62828\"/>"
    "<text x=\"%d\" y=\"%d\">critical</text>"
    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#ef6c00\"/>"
    "<text x=\"%d\" y=\"%d\">error</text>"
    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#f9a825\"/>"
    "<text x=\"%d\" y=\"%d\">warning</text>"
    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#2e7d32\"/>"
    "<text x=\"%d\" y=\"%d\">step ok</text>"
    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#6a1b9a\"/>"
    "<text x=\"%d\" y=\"%d\">undo ok</text>"
    "<text x=\"%d\" y=\"%d\">&#9650; ack  &#9679; note  &#9670; page  "
    "&#9632; change</text></g>\n";

int
tl_svg(struct buf *b, const struct tl_doc *d, struct err *err)
{
	const struct timeline_model *m = &d->t.m;
	struct sv v = { b, err, 0, 0, 0 };
	size_t lanes = 1 + m->nalert + (m->more_alerts ? 1 : 0) + m->nrun +
	    (m->more_runs ? 1 : 0);
	int h = SV_TOP + (int)lanes * SV_LANE + 50, y = SV_TOP, ly;
	struct buf desc;

	sv_range(&v, d);
	v.rc |= buf_printf(b, err,
	    "<svg class=\"picture\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"sans-serif\">\n"
	    "<title>INC-%" PRId64 " over time</title>\n",
	    SV_W, h, d->t.head.incident);
	sv_axis(&v, SV_TOP + (int)lanes * SV_LANE + 4, SV_TOP);
	sv_keys(&v, d, SV_TOP + (int)lanes * SV_LANE + 4);
	sv_marks(&v, m, y);
	y += SV_LANE;
	buf_init(&desc, 4096);
	for (size_t i = 0; i < m->nalert; i++, y += SV_LANE) {
		/* the alert told as the narrative tells it */
		buf_reset(&desc);
		if (actlog_text_alert(
		        d->t.text, m->alert[i].labels, &desc, err) == -1)
			v.rc = -1;
		sv_alert(&v, &m->alert[i], buf_str(&desc), y, v.t1);
	}
	buf_done(&desc);
	if (m->more_alerts) {
		v.rc |= buf_printf(b, err,
		    "<text x=\"6\" y=\"%d\" font-size=\"12\" fill=\"#555\">and "
		    "%zu more alerts (in the narrative)</text>\n",
		    y + 15, m->more_alerts);
		y += SV_LANE;
	}
	for (size_t i = 0; i < m->nrun; i++, y += SV_LANE)
		sv_run(&v, &m->run[i], y);
	if (m->more_runs) {
		v.rc |= buf_printf(b, err,
		    "<text x=\"6\" y=\"%d\" font-size=\"12\" fill=\"#555\">and "
		    "%zu more runs (in the narrative)</text>\n",
		    y + 15, m->more_runs);
		y += SV_LANE;
	}
	ly = y + 26;
	v.rc |= buf_printf(b, err, sv_legend, 6, ly, 22, ly + 9, 90, ly, 106,
	    ly + 9, 160, ly, 176, ly + 9, 245, ly, 261, ly + 9, 330, ly, 346,
	    ly + 9, 420, ly + 9);
	if (d->t.head.ended_us &&
	    d->t.head.resolved_us - d->t.head.ended_us >
	        60 * CLOCK_US_PER_SEC) {
		char late[40];

		timeline_duration(d->t.head.resolved_us - d->t.head.ended_us,
		    late, sizeof late);
		v.rc |= buf_printf(b, err,
		    "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\" "
		    "text-anchor=\"end\">resolve received %s after the "
		    "alerts ended &#8594;</text>\n",
		    SV_W - SV_R, ly + 9, late);
	}
	v.rc |= buf_adds(b, "</svg>\n", err);
	return v.rc ? -1 : 0;
}
