/* timeline_fmt.c: what the timeline's formats share: the output, the
 * summary's rows, times and durations, the chain's sentence, the human
 * sections. */
#include "timeline_fmt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/sanitize.h"

int
tl_flush(struct tl_out *o)
{
	if (o->af != NULL) {
		if (atomicfile_write(o->af, buf_str(&o->b), o->b.len, o->err) ==
		    -1)
			return -1;
	} else if (o->b.len > 0 &&
	    fwrite(buf_str(&o->b), 1, o->b.len, o->f) != o->b.len)
		return err_set(
		    o->err, ERR_FAILED, "write: %s", strerror(errno));
	buf_reset(&o->b);
	return 0;
}

int
tl_maybe(struct tl_out *o)
{
	return o->b.len >= 65536 ? tl_flush(o) : 0;
}

void
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

void
tl_clock(int64_t us, char *out, size_t n)
{
	char at[CLOCK_RFC3339_MAX];

	clock_format(us, 0, at);
	snprintf(out, n, "%.8s", at + 11);
}

void
tl_span(int64_t from, int64_t to, char *out, size_t n)
{
	if (from == 0 || to == 0)
		snprintf(out, n, "-");
	else
		timeline_duration(to - from, out, n);
}

int64_t
tl_start(const struct timeline_head *h)
{
	return h->started_us ? h->started_us : h->opened_us;
}

int64_t
tl_end(const struct timeline_head *h)
{
	if (h->resolved_us == 0)
		return 0;
	return h->ended_us ? h->ended_us : h->resolved_us;
}

char *
tl_clean(const char *s)
{
	return sanitize_dup(s ? s : "", SANITIZE_NEWLINES);
}

const char *
tl_cleaned(const char *s, char **own)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	*own = NULL;
	while (*p >= 0x20 && *p < 0x7f)
		p++;
	if (*p == '\0')
		return s ? s : "";
	return *own = tl_clean(s);
}

void
tl_chain(const struct tl_doc *d, char *out, size_t n)
{
	const struct timeline_head *h = &d->t.head;

	if (d->chk.bad_id != 0)
		snprintf(out, n, "BROKEN at entry %" PRId64 ": %s",
		    d->chk.bad_id, d->chk.why);
	else
		snprintf(out, n,
		    "verified: entries %" PRId64 "-%" PRId64
		    " intact (chain of %" PRId64 " entries, head %.12s)",
		    h->first_id, h->last_id, d->chk.count, d->head);
}

void
tl_broken(const struct tl_doc *d, char *out, size_t n)
{
	snprintf(out, n,
	    "WARNING: the action log's hash chain is broken at entry %" PRId64
	    " (%s). This timeline may have been tampered with; run owl audit "
	    "verify.",
	    d->chk.bad_id, d->chk.why);
}

const struct tl_section tl_sections[] = {
	{ "Impact",
	    "Who and what was affected, for how long and how badly: users, "
	    "requests, errors, spend." },
	{ "Root cause",
	    "What broke and why; the change or condition that started it." },
	{ "What went well",
	    "Alerts, runbooks and people that shortened the incident." },
	{ "What went badly",
	    "What slowed detection, diagnosis or mitigation." },
	{ "Action items",
	    "One line each: the action, its owner, its issue, its date." },
};
const size_t tl_nsections = sizeof tl_sections / sizeof tl_sections[0];

const char *
tl_outcome(enum timeline_outcome m)
{
	return m == TIMELINE_OK ? "ok" : m == TIMELINE_FAILED ? "failed" : NULL;
}

const char *
tl_shown(enum timeline_shown s)
{
	return s == TIMELINE_SUMMARY  ? "summary"
	    : s == TIMELINE_NARRATIVE ? "narrative"
	                              : "full";
}

/* Drops a UTF-8 sequence that snprintf cut at the end of s. */
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

/* Sets a row to sanitised untrusted text. */
static void
tl_row_text(struct tl_row *r, const char *label, const char *s)
{
	char *c = sanitize_dup(s ? s : "?", 0);

	r->label = label;
	snprintf(r->value, sizeof r->value, "%s", c ? c : "?");
	tl_trim(r->value);
	free(c);
}

/* "T", or "T (received T')" when owl received it a second or more
 * after the sender's own time. */
static void
tl_own(int64_t own, int64_t rx, char *out, size_t n)
{
	char a[CLOCK_RFC3339_MAX], b[CLOCK_RFC3339_MAX], late[40];

	tl_time(own ? own : rx, a, sizeof a);
	if (own == 0 || rx == 0 || rx - own < CLOCK_US_PER_SEC) {
		snprintf(out, n, "%s", a);
		return;
	}
	tl_time(rx, b, sizeof b);
	timeline_duration(rx - own, late, sizeof late);
	snprintf(out, n, "%s (received %s, %s later)", a, b, late);
}

/* "k=v, k=v" of a JSON object of strings, or of an array's strings. */
static void
tl_list(const json_t *o, char *out, size_t n)
{
	size_t len = 0;
	const char *k;
	json_t *v;

	out[0] = '\0';
	if (json_is_array(o)) {
		for (size_t i = 0; i < json_array_size(o) && len < n; i++)
			len += (size_t)snprintf(out + len, n - len, "%s%s",
			    i ? ", " : "",
			    json_string_value(json_array_get(o, i)));
		return;
	}
	json_object_foreach((json_t *)o, k, v)
	{
		if (len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s=%s",
			    len ? ", " : "", k, json_string_value(v));
	}
}

size_t
tl_rows(const struct tl_doc *d, struct tl_row *r)
{
	const struct timeline_head *h = &d->t.head;
	const struct timeline_model *m = &d->t.m;
	int64_t start = tl_start(h);
	char v[1024], t[CLOCK_RFC3339_MAX];
	size_t n = 0;

	r[n].label = "Incident";
	snprintf(r[n++].value, sizeof r->value, "INC-%" PRId64, h->incident);
	tl_row_text(&r[n++], "Title", h->title);
	tl_row_text(&r[n++], "Severity", h->severity);
	tl_row_text(&r[n++], "State", h->state);
	if (json_array_size(m->services) > 0) {
		tl_list(m->services, v, sizeof v);
		tl_row_text(&r[n++], "Services", v);
	}
	/* the narrative leaves these out of every alert's sentences: with
	 * one alert, they are all its labels, said nowhere else */
	if (json_object_size(m->common) > 0) {
		tl_list(m->common, v, sizeof v);
		tl_row_text(&r[n++],
		    h->alerts > 1 ? "Labels of every alert" : "Labels", v);
	}
	r[n].label = "First alert";
	tl_own(h->started_us, h->opened_us, r[n++].value, sizeof r->value);
	r[n].label = "Acknowledged";
	tl_time(h->acked_us, t, sizeof t);
	snprintf(v, sizeof v, "%s%s%s", t, h->acked_by ? " by " : "",
	    h->acked_by ? h->acked_by : "");
	tl_row_text(&r[n++], "Acknowledged", v);
	tl_time(h->mitigated_us, t, sizeof t);
	snprintf(v, sizeof v, "%s%s%s%s", t, h->mitigated_by ? " (" : "",
	    h->mitigated_by ? h->mitigated_by : "", h->mitigated_by ? ")" : "");
	tl_row_text(&r[n++], "Mitigated", v);
	r[n].label = "Resolved";
	if (h->resolved_us == 0)
		snprintf(r[n].value, sizeof r->value, "not yet");
	else
		tl_own(
		    h->ended_us, h->resolved_us, r[n].value, sizeof r->value);
	if (h->resolved_us && h->resolved_auto &&
	    strlen(r[n].value) + 20 < sizeof r->value)
		strcat(r[n].value, " (automatically)");
	n++;
	r[n].label = "Time to acknowledge";
	tl_span(start, h->acked_us, r[n++].value, sizeof r->value);
	r[n].label = "Time to mitigate";
	tl_span(start, h->mitigated_us, r[n++].value, sizeof r->value);
	r[n].label = "Time to resolve";
	if (h->resolved_us == 0)
		snprintf(r[n++].value, sizeof r->value, "ongoing");
	else
		tl_span(start, tl_end(h), r[n++].value, sizeof r->value);
	r[n].label = "Counts";
	snprintf(r[n++].value, sizeof r->value,
	    "%" PRId64 " alert%s, %" PRId64 " page%s, %" PRId64
	    " run%s, %" PRId64 " note%s, %" PRId64 " log entries",
	    h->alerts, h->alerts == 1 ? "" : "s", h->pages,
	    h->pages == 1 ? "" : "s", h->runs, h->runs == 1 ? "" : "s",
	    h->notes, h->notes == 1 ? "" : "s", d->t.n);
	r[n].label = "Audit chain";
	tl_chain(d, r[n++].value, sizeof r->value);
	return n;
}
