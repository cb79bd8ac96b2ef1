/* timeline_md.c: the timeline as a Markdown postmortem draft to paste
 * into a document: the summary, the participants, the changes before
 * the first alert, the narrative (runs as blocks, steps marked ✓/✗),
 * the sections for the authors, the appendix of hashes. Plain text is
 * written as it is (no HTML entities): only what Markdown would take
 * for markup is escaped with a backslash. */
#include "timeline_fmt.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"

/* Markdown inline text: a backslash before what would be markup (`*`,
 * `_` at a word's edge, `[`, `]`, `<` (raw HTML), backquotes, `|`,
 * backslashes); a line break continues the list item (`indent`).
 * `s` is sanitised already. */
static int
md_text(struct buf *b, const char *s, const char *indent, struct err *err)
{
	int rc = 0;

	for (size_t i = 0; s && s[i] && rc == 0; i++) {
		size_t run = strcspn(s + i, "\\`*[]<|_\n\r#>+-=~");
		char c;

		if (run > 0) { /* nothing Markdown reads: one copy */
			rc = buf_add(b, s + i, run, err);
			i += run - 1;
			continue;
		}
		c = s[i];
		int edge = i == 0 || !isalnum((unsigned char)s[i - 1]) ||
		    !isalnum((unsigned char)s[i + 1]);

		if (c == '\n')
			rc = buf_printf(b, err, "  \n%s", indent);
		else if (c == '\r')
			continue;
		else if (strchr("\\`*[]<|", c) != NULL || (c == '_' && edge) ||
		    (i > 0 && s[i - 1] == '\n' && strchr("#>+-=~", c) != NULL))
			rc = buf_printf(b, err, "\\%c", c);
		else
			rc = buf_addc(b, c, err);
	}
	return rc;
}

/* Untrusted text, sanitised then escaped. */
static int
md_clean(struct buf *b, const char *s, const char *indent, struct err *err)
{
	char *own;
	const char *c = tl_cleaned(s, &own);
	int rc;

	if (c == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = md_text(b, c, indent, err);
	free(own);
	return rc;
}

static int
md_begin(struct tl_out *o)
{
	char a[CLOCK_RFC3339_MAX], z[CLOCK_RFC3339_MAX];

	if (o->since == 0)
		return 0;
	tl_time(o->since, a, sizeof a);
	tl_time(o->until, z, sizeof z);
	return buf_printf(
	    &o->b, o->err, "# Incidents open from %s to %s\n\n", a, z);
}

static int
md_end(struct tl_out *o)
{
	if (o->since != 0 && o->n == 0)
		return buf_adds(&o->b, "No incident was open then.\n", o->err);
	return 0;
}

static int
md_summary(struct buf *b, const struct tl_doc *d, struct err *err)
{
	struct tl_row r[TL_ROWS_MAX];
	size_t nr = tl_rows(d, r);
	char warn[400];
	int rc = 0;

	rc |= buf_printf(b, err, "# %s: ", r[0].value);
	rc |= md_text(b, r[1].value, "", err);
	rc |= buf_adds(b, "\n\n", err);
	if (d->chk.bad_id != 0) {
		tl_broken(d, warn, sizeof warn);
		rc |= buf_adds(b, "> **", err);
		rc |= md_text(b, warn, "", err);
		rc |= buf_adds(b, "**\n\n", err);
	}
	rc |= buf_adds(b, "## Summary\n\n", err);
	for (size_t i = 2; i < nr; i++) {
		rc |= buf_printf(b, err, "- **%s:** ", r[i].label);
		rc |= md_text(b, r[i].value, "  ", err);
		rc |= buf_addc(b, '\n', err);
	}
	return rc ? -1 : 0;
}

static int
md_people(struct buf *b, const struct tl_doc *d, struct err *err)
{
	const struct timeline_model *m = &d->t.m;
	char f[16], l[16];
	int rc = 0;

	rc |= buf_adds(b,
	    "\n## Participants\n\n| Who | Actions | First | Last |\n"
	    "|---|---|---|---|\n",
	    err);
	for (size_t i = 0; i < m->nperson; i++) {
		tl_clock(m->person[i].first_us, f, sizeof f);
		tl_clock(m->person[i].last_us, l, sizeof l);
		rc |= buf_adds(b, "| ", err);
		rc |= md_clean(b, m->person[i].actor, " ", err);
		rc |= buf_printf(b, err, "%s | %" PRId64 " | %s | %s |\n",
		    m->person[i].human ? "" : " (automatic)", m->person[i].n, f,
		    l);
	}
	if (m->more_people)
		rc |= buf_printf(b, err, "\nand %zu more.\n", m->more_people);
	return rc ? -1 : 0;
}

static int
md_changes(struct buf *b, const struct tl_doc *d, struct err *err)
{
	const struct timeline_model *m = &d->t.m;
	int64_t start = tl_start(&d->t.head);
	char at[16], before[40];
	int rc = 0;

	if (m->nchange == 0)
		return 0;
	rc |= buf_adds(b, "\n## Changes before the first alert\n\n", err);
	for (size_t i = 0; i < m->nchange; i++) {
		tl_clock(m->change[i].at_us, at, sizeof at);
		timeline_duration(
		    start - m->change[i].at_us, before, sizeof before);
		rc |= buf_printf(b, err, "- %s (%s before) ", at, before);
		rc |= md_clean(b, m->change[i].summary, "  ", err);
		if (*m->change[i].source) {
			rc |= buf_adds(b, " (from ", err);
			rc |= md_clean(b, m->change[i].source, "  ", err);
			rc |= buf_adds(b, ")", err);
		}
		rc |=
		    buf_printf(b, err, " `#%" PRId64 "`\n", m->change[i].entry);
	}
	return rc ? -1 : 0;
}

struct md_narr {
	struct tl_out *o;
	int64_t day; /* the day of the last line, days since 1970 */
};

static int
md_line(const struct timeline_line *l, void *ctx)
{
	struct md_narr *n = ctx;
	struct buf *b = &n->o->b;
	struct err *err = n->o->err;
	int64_t day = l->ev->at_us / (86400 * CLOCK_US_PER_SEC);
	char at[CLOCK_RFC3339_MAX];
	const char *indent = l->level ? "      " : "  ";
	int rc = 0;

	clock_format(l->ev->at_us, 0, at);
	if (day != n->day)
		rc |= buf_printf(b, err, "\n**%.10s**\n\n", at);
	n->day = day;
	rc |= buf_printf(b, err, "%s- %.8s ", l->level ? "    " : "", at + 11);
	if (l->mark != TIMELINE_NONE)
		rc |= buf_adds(b, l->mark == TIMELINE_OK ? "✓ " : "✗ ", err);
	rc |= md_clean(b, l->text, indent, err);
	if (l->extra != NULL) {
		rc |= buf_adds(b, " (", err);
		rc |= md_clean(b, l->extra, indent, err);
		rc |= buf_adds(b, ")", err);
	}
	if (l->rollback_failed)
		rc |= buf_adds(b, " **ROLLBACK FAILED**", err);
	rc |= buf_printf(
	    b, err, " `#%" PRId64 " %.8s`\n", l->ev->entry, l->ev->hash);
	if (rc)
		return 1;
	return tl_maybe(n->o) == -1;
}

static int
md_hash(int64_t entry, const char *hash, void *ctx)
{
	struct tl_out *o = ctx;

	if (buf_printf(&o->b, o->err, "| %" PRId64 " | `%s` |\n", entry,
	        hash ? hash : "") == -1)
		return 1;
	return tl_maybe(o) == -1;
}

static int
md_incident(struct tl_out *o, struct tl_doc *d)
{
	static const char *const how[] = {
		[TIMELINE_SUMMARY] = "human actions and runs' starts and ends",
		[TIMELINE_NARRATIVE] = "each runbook run is one block",
		[TIMELINE_FULL] = "every entry of the action log",
	};
	struct md_narr n = { o, -1 };
	struct buf *b = &o->b;
	struct err *err = o->err;

	if ((o->n > 0 && buf_adds(b, "\n---\n\n", err) == -1) ||
	    md_summary(b, d, err) == -1 || md_people(b, d, err) == -1 ||
	    md_changes(b, d, err) == -1 ||
	    buf_printf(b, err,
	        "\n## Narrative\n\nTimes are UTC (%s). `#N abcd1234` is an "
	        "entry of the action log and the start of its hash (all of it "
	        "in the appendix).\n",
	        how[d->mode]) == -1 ||
	    tl_flush(o) == -1 ||
	    timeline_narrate(&d->t, d->mode, md_line, &n, err) == -1)
		return -1;
	for (size_t i = 0; i < tl_nsections; i++)
		if (buf_printf(b, err, "\n## %s\n\n_%s_\n",
		        tl_sections[i].title, tl_sections[i].guide) == -1)
			return -1;
	if (buf_adds(b,
	        "\n## Appendix: entries and hashes\n\n| Entry | SHA-256 |\n"
	        "|---|---|\n",
	        err) == -1)
		return -1;
	return timeline_hashes(&d->t, md_hash, o, err);
}

const struct tl_format tl_fmt_md = { md_begin, md_incident, md_end };
