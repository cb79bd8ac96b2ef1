/* cmd_timeline.c: `owl timeline INC [--format md|json|csv|html] [-o FILE]`
 * prints or writes the postmortem timeline of an incident (engine/timeline.h)
 * after verifying the action log's chain; a broken chain is said in the
 * export itself and exits 3. */
#include "cmd_timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/actlog.h"
#include "engine/atomicfile.h"
#include "engine/clock.h"
#include "engine/sanitize.h"
#include "engine/timeline.h"
#include "engine/words.h"

/* The most bytes one piece of an export (the header, one event) takes
 * in memory; the export itself is streamed and has no ceiling. */
#define TL_PIECE_MAX ((size_t)1 << 20)

/* What every format is given. */
struct tl_doc {
	struct timeline_stream t;
	struct actlog_check chk;
	char head[65]; /* the hash of the newest row of the whole log */
};

/* Where an export goes, one piece at a time. */
struct tl_sink {
	FILE *f; /* stdout, or */
	struct atomicfile *af; /* -o FILE */
	struct buf b;
	const struct tl_doc *d;
	int (*row)(const struct timeline_event *e, size_t i, struct buf *b,
	    struct err *err);
	size_t i;
	struct err *err;
};

enum tl_fmt { TL_MD, TL_JSON, TL_CSV, TL_HTML };

/* The rows of the header table: label and value (malloc'd). */
struct tl_row {
	const char *label;
	char value[4096]; /* past the longest title (sanitised) */
};

static void
tl_time(int64_t us, char *out, size_t n)
{
	char at[CLOCK_RFC3339_MAX];

	if (us == 0) {
		snprintf(out, n, "-");
		return;
	}
	clock_format(us, 0, at);
	snprintf(out, n, "%s", at);
}

static void
tl_span(int64_t from, int64_t to, char *out, size_t n)
{
	if (from == 0 || to == 0)
		snprintf(out, n, "-");
	else
		timeline_duration(to - from, out, n);
}

/* Drops a UTF-8 sequence that snprintf cut at the end of s (s was valid
 * UTF-8 before the cut: sanitize_dup makes it so). */
static void
tl_trim(char *s)
{
	size_t n = strlen(s), i = n;
	unsigned cp;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0 && (unsigned char)s[i - 1] >= 0xC0 &&
	    sanitize_utf8((const unsigned char *)s + i - 1, n - i + 1, &cp) ==
	        0)
		s[i - 1] = '\0';
}

/* Fills the header rows (at most 13); returns their number. Untrusted
 * values are sanitised. */
static size_t
tl_rows(const struct tl_doc *d, struct tl_row *r)
{
	const struct timeline_head *h = &d->t.head;
	int64_t start = h->started_us ? h->started_us : h->opened_us;
	char *s;
	size_t n = 0;

	r[n].label = "Incident";
	snprintf(r[n++].value, sizeof r->value, "INC-%" PRId64, h->incident);
	r[n].label = "Title";
	s = sanitize_dup(h->title ? h->title : "?", 0);
	snprintf(r[n].value, sizeof r->value, "%s", s ? s : "?");
	tl_trim(r[n++].value);
	free(s);
	r[n].label = "Severity";
	s = sanitize_dup(h->severity ? h->severity : "?", 0);
	snprintf(r[n++].value, sizeof r->value, "%s", s ? s : "?");
	free(s);
	r[n].label = "State";
	snprintf(
	    r[n++].value, sizeof r->value, "%s", h->state ? h->state : "?");
	r[n].label = "First alert started";
	tl_time(h->started_us, r[n++].value, sizeof r->value);
	r[n].label = "Opened";
	tl_time(h->opened_us, r[n++].value, sizeof r->value);
	r[n].label = "Acknowledged";
	tl_time(h->acked_us, r[n++].value, sizeof r->value);
	r[n].label = "Resolved";
	tl_time(h->resolved_us, r[n].value, sizeof r->value);
	if (h->resolved_us && h->resolved_auto)
		strcat(r[n].value, " (automatically)");
	n++;
	r[n].label = "Duration";
	if (h->resolved_us == 0)
		snprintf(r[n++].value, sizeof r->value, "ongoing");
	else
		tl_span(h->opened_us, h->resolved_us, r[n++].value,
		    sizeof r->value);
	r[n].label = "Time to acknowledge";
	tl_span(h->opened_us, h->acked_us, r[n++].value, sizeof r->value);
	if (h->ended_us != 0) {
		r[n].label = "Last alert ended";
		tl_time(h->ended_us, r[n++].value, sizeof r->value);
	}
	r[n].label = "Time to resolve";
	tl_span(start, h->ended_us ? h->ended_us : h->resolved_us, r[n++].value,
	    sizeof r->value);
	r[n].label = "Action log";
	if (d->chk.bad_id == 0)
		snprintf(r[n++].value, sizeof r->value,
		    "verified (%" PRId64 " entr%s), head %s", d->chk.count,
		    d->chk.count == 1 ? "y" : "ies", d->head);
	else
		snprintf(r[n++].value, sizeof r->value,
		    "BROKEN at entry %" PRId64, d->chk.bad_id);
	return n;
}

/* A sanitised copy of an untrusted string, newlines kept. */
static char *
tl_clean(const char *s)
{
	return sanitize_dup(s ? s : "", SANITIZE_NEWLINES);
}

static int
tl_md_cell(struct buf *b, const char *s, struct err *err)
{
	char *c = tl_clean(s);
	int rc;

	if (c == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = buf_adds(b, "| ", err) == -1 || timeline_esc_md(b, c, err) == -1 ||
	        buf_addc(b, ' ', err) == -1
	    ? -1
	    : 0;
	free(c);
	return rc;
}

static void
tl_broken(const struct tl_doc *d, char *out, size_t n)
{
	snprintf(out, n,
	    "WARNING: the action log's hash chain is broken at entry %" PRId64
	    " (%s). This timeline may have been tampered with; run owl audit "
	    "verify.",
	    d->chk.bad_id, d->chk.why);
}

static int
tl_md(const struct tl_doc *d, struct buf *b, struct err *err)
{
	struct tl_row r[16];
	size_t nr = tl_rows(d, r);
	char warn[400];

	if (buf_adds(b, "# ", err) == -1 ||
	    timeline_esc_md(b, r[0].value, err) ||
	    buf_adds(b, ": ", err) == -1 ||
	    timeline_esc_md(b, r[1].value, err) ||
	    buf_adds(b, "\n\n", err) == -1)
		return -1;
	if (d->chk.bad_id != 0) {
		tl_broken(d, warn, sizeof warn);
		if (buf_adds(b, "> **", err) == -1 ||
		    timeline_esc_md(b, warn, err) == -1 ||
		    buf_adds(b, "**\n\n", err) == -1)
			return -1;
	}
	if (buf_adds(b, "| Key | Value |\n|---|---|\n", err) == -1)
		return -1;
	for (size_t i = 0; i < nr; i++)
		if (tl_md_cell(b, r[i].label, err) == -1 ||
		    tl_md_cell(b, r[i].value, err) == -1 ||
		    buf_adds(b, "|\n", err) == -1)
			return -1;
	return buf_adds(b,
	    "\n## Timeline\n\n| Time (UTC) | Actor | Event | Entry | Hash "
	    "|\n|---|---|---|---|---|\n",
	    err);
}

static int
tl_md_row(
    const struct timeline_event *e, size_t i, struct buf *b, struct err *err)
{
	char at[CLOCK_RFC3339_MAX], id[32];

	(void)i;
	clock_format(e->at_us, 0, at);
	snprintf(id, sizeof id, "%" PRId64, e->entry);
	if (tl_md_cell(b, at, err) == -1 ||
	    tl_md_cell(b, e->actor, err) == -1 ||
	    tl_md_cell(b, e->text, err) == -1 || tl_md_cell(b, id, err) == -1 ||
	    buf_printf(b, err, "| `%s` |\n", e->hash) == -1)
		return -1;
	return 0;
}

static json_t *
tl_jtime(int64_t us)
{
	char at[CLOCK_RFC3339_MAX];

	if (us == 0)
		return json_null();
	clock_format(us, 0, at);
	return json_string(at);
}

static json_t *
tl_jspan(int64_t from, int64_t to)
{
	return from && to ? json_integer((to - from) / 1000000) : json_null();
}

/* The document is {"incident": {...}, "events": [...], "chain": {...}};
 * the events are written one by one, one a line. */
static int
tl_json(const struct tl_doc *d, struct buf *b, struct err *err)
{
	const struct timeline_head *h = &d->t.head;
	int64_t start = h->started_us ? h->started_us : h->opened_us;
	json_t *inc;
	char *s;
	int rc;

	inc = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:o, s:o, "
	                "s:b, s:o, s:o, s:o}",
	    "id", (json_int_t)h->incident, "title", h->title, "severity",
	    h->severity, "state", h->state, "source", h->source, "started_at",
	    tl_jtime(h->started_us), "opened_at", tl_jtime(h->opened_us),
	    "acknowledged_at", tl_jtime(h->acked_us), "resolved_at",
	    tl_jtime(h->resolved_us), "resolved_automatically",
	    h->resolved_us && h->resolved_auto, "duration_s",
	    h->resolved_us ? tl_jspan(h->opened_us, h->resolved_us)
	                   : json_null(),
	    "time_to_acknowledge_s", tl_jspan(h->opened_us, h->acked_us),
	    "time_to_resolve_s",
	    tl_jspan(start, h->ended_us ? h->ended_us : h->resolved_us));
	s = inc ? json_dumps(inc, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	json_decref(inc);
	if (s == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = buf_printf(b, err, "{\n\"incident\": %s,\n\"events\": [", s);
	free(s);
	return rc;
}

static int
tl_json_row(
    const struct timeline_event *e, size_t i, struct buf *b, struct err *err)
{
	char at[CLOCK_RFC3339_MAX], *s;
	json_t *o;
	int rc;

	clock_format(e->at_us, 1, at);
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:o}", "at", at, "actor",
	    e->actor, "kind", e->kind, "text", e->text, "entry",
	    (json_int_t)e->entry, "hash", e->hash, "run",
	    e->run ? json_integer(e->run) : json_null());
	s = o ? json_dumps(o, JSON_ENSURE_ASCII) : NULL;
	json_decref(o);
	if (s == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = buf_printf(b, err, "%s\n  %s", i ? "," : "", s);
	free(s);
	return rc;
}

static int
tl_json_tail(const struct tl_doc *d, struct buf *b, struct err *err)
{
	/* absent values are null: an intact chain is broken nowhere, not at
	 * entry 0 */
	json_t *c = json_pack("{s:b, s:s, s:I, s:o}", "verified",
	    d->chk.bad_id == 0, "head", d->head, "entries",
	    (json_int_t)d->chk.count, "broken_at",
	    d->chk.bad_id != 0 ? json_integer(d->chk.bad_id) : json_null());
	char *s = c ? json_dumps(c, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	int rc;

	json_decref(c);
	if (s == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = buf_printf(b, err, "\n],\n\"chain\": %s\n}\n", s);
	free(s);
	return rc;
}

static int
tl_csv(const struct tl_doc *d, struct buf *b, struct err *err)
{
	(void)d;
	return buf_adds(b, "at,actor,kind,text,entry,hash,run\r\n", err);
}

static int
tl_csv_row(
    const struct timeline_event *e, size_t i, struct buf *b, struct err *err)
{
	char at[CLOCK_RFC3339_MAX], id[32], run[32];

	(void)i;
	{
		const char *f[7] = { at, e->actor, e->kind, e->text, id,
			e->hash, run };
		clock_format(e->at_us, 1, at);
		snprintf(id, sizeof id, "%" PRId64, e->entry);
		run[0] = '\0';
		if (e->run != 0)
			snprintf(run, sizeof run, "%" PRId64, e->run);
		for (size_t k = 0; k < 7; k++) {
			char *c = tl_clean(f[k]);
			int rc = c == NULL ||
			    (k > 0 && buf_addc(b, ',', err) == -1) ||
			    timeline_esc_csv(b, c, err) == -1;
			free(c);
			if (rc)
				return err_set(
				    err, ERR_FAILED, "out of memory");
		}
		if (buf_adds(b, "\r\n", err) == -1)
			return -1;
	}
	return 0;
}

/* Untrusted text for HTML: sanitised (no terminal escapes, C1 or bidi
 * controls reach the file or, without -o, the terminal), then escaped. */
static int
tl_html_text(struct buf *b, const char *s, struct err *err)
{
	char *c = tl_clean(s);
	int rc;

	if (c == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = timeline_esc_html(b, c, err);
	free(c);
	return rc;
}

/* An HTML table cell with the sanitised, escaped text. */
static int
tl_html_cell(struct buf *b, const char *tag, const char *s, struct err *err)
{
	char *c = tl_clean(s);
	int rc;

	if (c == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = buf_printf(b, err, "<%s>", tag) == -1 ||
	        timeline_esc_html(b, c, err) == -1 ||
	        buf_printf(b, err, "</%s>", tag) == -1
	    ? -1
	    : 0;
	free(c);
	return rc;
}

static const char tl_html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'none'; style-src 'unsafe-inline'\">\n"
    "<style>\nbody{font-family:sans-serif;margin:2em;color:#222}\n"
    "table{border-collapse:collapse;margin-bottom:2em}\n"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;"
    "vertical-align:top}\nth{background:#f2f2f2}\n"
    "td.text{white-space:pre-wrap}\ncode{font-size:85%}\n"
    ".broken{background:#c00;color:#fff;padding:1em;font-weight:bold;"
    "margin-bottom:1em}\n</style>\n";

static int
tl_html(const struct tl_doc *d, struct buf *b, struct err *err)
{
	struct tl_row r[16];
	size_t nr = tl_rows(d, r);
	char warn[400];
	int rc = 0;

	rc |= buf_adds(b, tl_html_head, err);
	rc |= tl_html_cell(b, "title", r[1].value, err);
	rc |= buf_adds(b, "\n</head>\n<body>\n", err);
	if (d->chk.bad_id != 0) {
		tl_broken(d, warn, sizeof warn);
		rc |= buf_adds(b, "<div class=\"broken\" id=\"broken\">", err);
		rc |= timeline_esc_html(b, warn, err);
		rc |= buf_adds(b, "</div>\n", err);
	}
	rc |= buf_printf(b, err, "<h1>%s: ", r[0].value);
	rc |= tl_html_text(b, r[1].value, err);
	rc |= buf_adds(b, "</h1>\n<table class=\"head\">\n", err);
	for (size_t i = 0; i < nr && rc == 0; i++) {
		rc |= buf_adds(b, "<tr>", err);
		rc |= tl_html_cell(b, "th", r[i].label, err);
		rc |= tl_html_cell(b, "td", r[i].value, err);
		rc |= buf_adds(b, "</tr>\n", err);
	}
	rc |= buf_adds(b,
	    "</table>\n<h2>Timeline</h2>\n<table class=\"timeline\">\n"
	    "<tr><th>Time (UTC)</th><th>Actor</th><th>Event</th>"
	    "<th>Entry</th><th>Hash</th></tr>\n",
	    err);
	return rc ? -1 : 0;
}

static int
tl_html_row(
    const struct timeline_event *e, size_t i, struct buf *b, struct err *err)
{
	char at[CLOCK_RFC3339_MAX], id[32];
	int rc = 0;

	(void)i;
	{
		clock_format(e->at_us, 0, at);
		snprintf(id, sizeof id, "%" PRId64, e->entry);
		rc |= buf_adds(b, "<tr>", err);
		rc |= tl_html_cell(b, "td", at, err);
		rc |= tl_html_cell(b, "td", e->actor, err);
		rc |= buf_adds(b, "<td class=\"text\">", err);
		rc |= tl_html_text(b, e->text, err);
		rc |= buf_adds(b, "</td>", err);
		rc |= tl_html_cell(b, "td", id, err);
		rc |= buf_adds(b, "<td><code>", err);
		rc |= timeline_esc_html(b, e->hash, err);
		rc |= buf_adds(b, "</code></td></tr>\n", err);
	}
	return rc ? -1 : 0;
}

static int
tl_html_tail(const struct tl_doc *d, struct buf *b, struct err *err)
{
	(void)d;
	return buf_adds(b, "</table>\n</body>\n</html>\n", err);
}

/* Sends the piece in the sink's buffer on and empties it. */
static int
tl_flush(struct tl_sink *k)
{
	if (k->af != NULL) {
		if (atomicfile_write(k->af, buf_str(&k->b), k->b.len, k->err) ==
		    -1)
			return -1;
	} else if (fwrite(buf_str(&k->b), 1, k->b.len, k->f) != k->b.len)
		return err_set(
		    k->err, ERR_FAILED, "write: %s", strerror(errno));
	buf_reset(&k->b);
	return 0;
}

static int
tl_sink_row(const struct timeline_event *e, void *ctx)
{
	struct tl_sink *k = ctx;

	if (k->row(e, k->i++, &k->b, k->err) == -1)
		return 1;
	return k->b.len >= 65536 && tl_flush(k) == -1;
}

static int
tl_headhash(const struct actlog_entry *e, void *ctx)
{
	snprintf(ctx, 65, "%s", e->hash ? e->hash : "");
	return 0;
}

/* Verifies the chain from its checkpoint, and reads the incident's
 * header (pass one), checking each of its entries against its hash. */
static int
tl_load(struct store *s, int64_t id, struct tl_doc *d, struct err *err)
{
	if (actlog_verify_since(s, &d->chk, err) == -1)
		return -1;
	snprintf(d->head, sizeof d->head, "%s", d->chk.head);
	if (d->chk.bad_id != 0) {
		struct actlog_filter last = { .limit = 1 };

		if (actlog_each(s, &last, tl_headhash, d->head, err) == -1)
			return -1;
	}
	if (timeline_open(s, id, &d->t, err) == -1)
		return -1;
	if (d->chk.bad_id == 0 && d->t.bad_id != 0) {
		d->chk.bad_id = d->t.bad_id;
		snprintf(d->chk.why, sizeof d->chk.why,
		    "its content does not match its hash (changed after it "
		    "was written)");
	}
	return 0;
}

static int
tl_format(const char *name, enum tl_fmt *f)
{
	static const char *const names[] = { "md", "json", "csv", "html" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*f = (enum tl_fmt)i;
			return 0;
		}
	if (strcmp(name, "markdown") == 0) {
		*f = TL_MD;
		return 0;
	}
	return -1;
}

/* Each format: the header, one event, the end. */
struct tl_format {
	int (*head)(const struct tl_doc *d, struct buf *b, struct err *err);
	int (*row)(const struct timeline_event *e, size_t i, struct buf *b,
	    struct err *err);
	int (*tail)(const struct tl_doc *d, struct buf *b, struct err *err);
};

static const struct tl_format tl_formats[] = {
	[TL_MD] = { tl_md, tl_md_row, NULL },
	[TL_JSON] = { tl_json, tl_json_row, tl_json_tail },
	[TL_CSV] = { tl_csv, tl_csv_row, NULL },
	[TL_HTML] = { tl_html, tl_html_row, tl_html_tail },
};

/* Streams d in format f to k->f: the header, each event as it is read
 * (pass two), the end. */
static int
tl_render(struct store *s, struct tl_doc *d, enum tl_fmt f, struct tl_sink *k)
{
	const struct tl_format *fm = &tl_formats[f];

	(void)s;
	k->row = fm->row;
	if (fm->head(d, &k->b, k->err) == -1 || tl_flush(k) == -1 ||
	    timeline_each(&d->t, tl_sink_row, k, k->err) == -1 ||
	    (fm->tail != NULL && fm->tail(d, &k->b, k->err) == -1) ||
	    tl_flush(k) == -1)
		return -1;
	return 0;
}

/* Prints the export, or writes it to path atomically (mode 0644). */
static int
tl_emit(struct store *s, struct tl_doc *d, enum tl_fmt f, const char *path,
    struct err *err)
{
	struct tl_sink k = { .d = d, .err = err };
	struct atomicfile af;
	int rc = -1;

	buf_init(&k.b, TL_PIECE_MAX);
	if (path == NULL) {
		k.f = stdout;
		rc = tl_render(s, d, f, &k);
		if (rc == 0 && fflush(stdout) != 0)
			rc = err_set(
			    err, ERR_FAILED, "stdout: %s", strerror(errno));
	} else if (atomicfile_open(&af, path, 0644, err) == 0) {
		k.af = &af;
		if ((rc = tl_render(s, d, f, &k)) == 0)
			rc = atomicfile_commit(&af, err);
		else
			atomicfile_abort(&af);
	}
	buf_done(&k.b);
	return rc;
}

/* "--format: 'jsn' is not a format; did you mean 'json'? (formats: md,
 * json, csv, html)" */
static int
tl_bad_format(const struct cli_cmd *cmd, const char *name)
{
	static const char *const names[] = { "md", "json", "csv", "html" };
	char hint[200];

	words_hint(hint, sizeof hint, name, names, 4, "formats", "");
	return cli_usage(cmd, "--format: '%s' is not a format%s", name, hint);
}

int
cmd_timeline_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct tl_doc d;
	enum tl_fmt fmt = TL_MD;
	const char *out = NULL;
	long long id;
	struct store *s;
	struct err err;
	int c, rc = CLI_OK;

	while (
	    (c = cli_getopt(cli, cmd, argc, argv, "f:o:", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'f' && tl_format(optarg, &fmt) == -1)
			return tl_bad_format(cmd, optarg);
		if (c == 'o')
			out = optarg;
	}
	if (optind >= argc)
		return cli_usage(cmd, "timeline: say which incident");
	if (cli_incident_id(argv[optind], &id) == -1)
		return cli_usage(
		    cmd, "timeline: '%s' is not an incident id", argv[optind]);
	if (optind + 1 < argc)
		return cli_usage(cmd, "timeline: unexpected argument '%s'",
		    argv[optind + 1]);
	err_init(&err);
	memset(&d, 0, sizeof d);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	if (tl_load(s, id, &d, &err) == -1 ||
	    tl_emit(s, &d, fmt, out, &err) == -1)
		rc = cli_fail(&err);
	else if (d.chk.bad_id != 0) {
		fprintf(stderr,
		    "owl: audit chain broken at entry %" PRId64
		    ": %s; the timeline is exported but cannot be trusted\n",
		    d.chk.bad_id, d.chk.why);
		rc = CLI_REFUSED;
	}
	timeline_close(&d.t);
	store_close(s);
	return rc;
}
