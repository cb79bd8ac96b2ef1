/* actlog_text.c: one sentence per action-log entry (see actlog_text.h).
 * The memory of earlier entries: the alerts' descriptions by fingerprint
 * (a strmap: a storm has 100,000), and a JSON object: "runs" (run id ->
 * {runbook, steps, dry_run}) and "fx" ("RUN:SEQ" -> the effect's intent
 * detail). */
#include "actlog_text.h"
#include "actlog_text_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pages.h"

/* The labels an alert's description shows, in bytes, past its name. */
#define ACTLOG_TEXT_LABELS_MAX 160

struct actlog_text *
actlog_text_new(void)
{
	struct actlog_text *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	if ((t->mem = json_object()) == NULL ||
	    (t->fp = strmap_new()) == NULL ||
	    json_object_set_new(t->mem, "runs", json_object()) == -1 ||
	    json_object_set_new(t->mem, "fx", json_object()) == -1) {
		actlog_text_free(t);
		return NULL;
	}
	buf_init(&t->line, (size_t)ACTLOG_TEXT_MAX * 8);
	buf_init(&t->desc, 4 * ACTLOG_TEXT_LABELS_MAX);
	return t;
}

void
actlog_text_free(struct actlog_text *t)
{
	if (t == NULL)
		return;
	json_decref(t->mem);
	strmap_free(t->fp);
	buf_done(&t->line);
	buf_done(&t->desc);
	free(t);
}

/* The string at o.k, or NULL. */
const char *
at_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The string at o.a.b, or NULL. */
static const char *
at_str2(const json_t *o, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(o, a), b));
}

/* s, or dflt when s is NULL. */
const char *
at_or(const char *s, const char *dflt)
{
	return s != NULL ? s : dflt;
}

json_int_t
at_int(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The parsed detail of e: an object ({} when it is not one). */
static json_t *
at_parse(const struct actlog_entry *e)
{
	json_t *d =
	    json_loads(e->detail ? e->detail : "{}", JSON_DECODE_ANY, NULL);

	if (d != NULL && !json_is_object(d)) {
		json_decref(d);
		d = NULL;
	}
	return d != NULL ? d : json_object();
}

/* A label that tells an alert from its siblings. */
struct at_label {
	const char *k, *v;
};

#define AT_LABELS_MAX 64 /* labels a description looks at */

static int
at_labelcmp(const void *a, const void *b)
{
	return strcmp(
	    ((const struct at_label *)a)->k, ((const struct at_label *)b)->k);
}

/* An alert's description: its name, then the labels that tell it from
 * its neighbours (l: all but alertname, severity and the labels every
 * alert has; sorted here, by name), as far as they fit:
 * "LLMProviderDown region=eu-west-1". */
static int
at_describe_labels(struct buf *b, const char *name, struct at_label *l,
    size_t n, struct err *err)
{
	size_t start, len = strlen(name);

	/* a name past the labels' room is cut (at a character's start) */
	if (len > ACTLOG_TEXT_LABELS_MAX) {
		len = ACTLOG_TEXT_LABELS_MAX;
		while (len > 0 && ((unsigned char)name[len] & 0xc0) == 0x80)
			len--;
		return buf_add(b, name, len, err) == -1
		    ? -1
		    : buf_adds(b, "...", err);
	}
	if (buf_add(b, name, len, err) == -1)
		return -1;
	if (n > 1)
		qsort(l, n, sizeof *l, at_labelcmp);
	start = b->len;
	for (size_t i = 0; i < n; i++) {
		if (b->len - start + strlen(l[i].k) + strlen(l[i].v) + 2 >
		    ACTLOG_TEXT_LABELS_MAX)
			return buf_adds(b, " ...", err);
		if (buf_printf(b, err, " %s=%s", l[i].k, l[i].v) == -1)
			return -1;
	}
	return 0;
}

/* Whether a label is one a description leaves out. */
static int
at_label_out(const char *k)
{
	return strcmp(k, "alertname") == 0 || strcmp(k, "severity") == 0;
}

/* The description of the alert of detail d. */
static int
at_describe(
    struct buf *b, const json_t *d, const json_t *common, struct err *err)
{
	const json_t *labels = json_object_get(d, "labels"), *v;
	struct at_label l[AT_LABELS_MAX];
	const char *k;
	size_t n = 0;

	json_object_foreach((json_t *)labels, k, v)
	{
		if (n < AT_LABELS_MAX && json_is_string(v) &&
		    !at_label_out(k) &&
		    !json_equal(v, json_object_get(common, k))) {
			l[n].k = k;
			l[n++].v = json_string_value(v);
		}
	}
	return at_describe_labels(b,
	    at_or(at_str(labels, "alertname"),
	        at_or(at_str(d, "fingerprint"), "?")),
	    l, n, err);
}

/* The same of an alert read without a tree (actlog_text.h). */
static int
at_describe_alert(struct buf *b, const struct actlog_alert *a,
    const json_t *common, struct err *err)
{
	struct at_label l[AT_LABELS_MAX];
	const char *name = NULL, *c;
	size_t n = 0;

	for (size_t i = 0; i < a->nlabels; i++) {
		const char *k = a->key[i], *v = a->val[i];

		if (name == NULL && strcmp(k, "alertname") == 0)
			name = v;
		if (n == AT_LABELS_MAX || at_label_out(k))
			continue;
		/* json_equal of two strings: the same bytes */
		c = json_string_value(json_object_get(common, k));
		if (c == NULL || strcmp(c, v) != 0 ||
		    json_string_length(json_object_get(common, k)) !=
		        strlen(v)) {
			l[n].k = k;
			l[n++].v = v;
		}
	}
	return at_describe_labels(
	    b, at_or(name, at_or(a->fingerprint, "?")), l, n, err);
}

/* The key of an effect in mem.fx: "RUN:SEQ". */
void
at_fxkey(char *out, size_t n, int64_t run, const json_t *d)
{
	snprintf(
	    out, n, "%" PRId64 ":%" JSON_INTEGER_FORMAT, run, at_int(d, "seq"));
}

/* mem.runs[run], created when absent; NULL when out of memory. */
static json_t *
at_run(struct actlog_text *t, int64_t run)
{
	json_t *runs = json_object_get(t->mem, "runs"), *r;
	char key[32];

	snprintf(key, sizeof key, "%" PRId64, run);
	if ((r = json_object_get(runs, key)) != NULL)
		return r;
	if ((r = json_object()) == NULL ||
	    json_object_set_new(runs, key, r) == -1)
		return NULL;
	return r;
}

static int
at_learn(struct actlog_text *t, const struct actlog_entry *e, const json_t *d)
{
	const char *k = e->kind ? e->kind : "", *fp = at_str(d, "fingerprint");
	char key[64];
	struct buf b;
	json_t *r;
	int rc = 0;

	if (strcmp(k, "alert.new") == 0 && fp != NULL) {
		buf_init(&b, 4 * ACTLOG_TEXT_LABELS_MAX);
		rc = at_describe(&b, d, json_object_get(t->mem, "common"),
		         NULL) == -1 ||
		        strmap_set(t->fp, fp, buf_str(&b)) == -1
		    ? -1
		    : 0;
		buf_done(&b);
		return rc;
	}
	if (e->run == 0 ||
	    (strncmp(k, "run.", 4) != 0 && strcmp(k, "effect.intent") != 0))
		return 0;
	if ((r = at_run(t, e->run)) == NULL)
		return -1;
	if (strcmp(k, "run.start") == 0) {
		json_object_set(r, "runbook", json_object_get(d, "runbook"));
		json_object_set(r, "dry_run", json_object_get(d, "dry_run"));
	}
	if (strcmp(k, "run.step") == 0 && at_int(d, "i") > at_int(r, "steps"))
		json_object_set(r, "steps", json_object_get(d, "i"));
	if (strcmp(k, "effect.intent") == 0) {
		at_fxkey(key, sizeof key, e->run, d);
		rc = json_object_set(
		    json_object_get(t->mem, "fx"), key, (json_t *)d);
	}
	return rc;
}

int
actlog_text_learn(
    struct actlog_text *t, const struct actlog_entry *e, const json_t *detail)
{
	json_t *mine = detail == NULL ? at_parse(e) : NULL;
	int rc;

	if (detail == NULL && mine == NULL)
		return -1;
	t->ahead = 1;
	rc = at_learn(t, e, detail != NULL ? detail : mine);
	json_decref(mine);
	return rc;
}

/* " by WHO" unless WHO is empty. */
static int
at_by(struct buf *b, const char *who, struct err *err)
{
	return who && *who ? buf_printf(b, err, " by %s", who) : 0;
}

/* ": NOTE" when the detail has a note. */
static int
at_note(struct buf *b, const json_t *d, struct err *err)
{
	const char *n = at_str(d, "note");

	return n && *n ? buf_printf(b, err, ": %s", n) : 0;
}

/* Who acted and why: " by WHO: NOTE". */
static int
at_by_note(struct buf *b, const char *who, const json_t *d, struct err *err)
{
	return at_by(b, who, err) == -1 ? -1 : at_note(b, d, err);
}

static int
at_ack(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *via = at_str(v->d, "via");

	if (*v->k == 'u')
		return buf_adds(b, "acknowledgement withdrawn", err) == -1
		    ? -1
		    : at_by_note(b, v->actor, v->d, err);
	if (buf_adds(b, "acknowledged", err) == -1 ||
	    at_by(b, at_or(at_str2(v->d, "after", "acked_by"), v->actor),
	        err) == -1 ||
	    (via && buf_printf(b, err, " via %s", via) == -1))
		return -1;
	return at_note(b, v->d, err);
}

static int
at_resolve(struct buf *b, const struct at_ev *v, struct err *err)
{
	if (json_is_true(json_object_get(v->d, "auto")))
		return buf_printf(b, err, "resolved automatically: %s",
		    at_or(at_str(v->d, "reason"), "all alerts resolved"));
	return buf_adds(b, "resolved", err) == -1
	    ? -1
	    : at_by_note(b, v->actor, v->d, err);
}

static int
at_reopen(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *r = at_str(v->d, "reason");

	if (r && strcmp(r, "flap") == 0)
		return buf_adds(
		    b, "reopened: an alert fired again (flap)", err);
	/* "manual" is an undo of the resolve: nothing more to say */
	if (buf_adds(b, "reopened", err) == -1 || at_by(b, v->actor, err) == -1)
		return -1;
	return r && *r && strcmp(r, "manual") != 0
	    ? buf_printf(b, err, ": %s", r)
	    : at_note(b, v->d, err);
}

/* A change of the worst severity and/or of the alerts the sender left
 * out. */
static int
at_update(struct buf *b, const struct at_ev *v, struct err *err)
{
	const json_t *bt = json_object_get(
	    json_object_get(v->d, "before"), "truncated_alerts");
	const json_t *at =
	    json_object_get(json_object_get(v->d, "after"), "truncated_alerts");
	const char *bs = at_str2(v->d, "before", "severity");
	const char *as = at_str2(v->d, "after", "severity");
	int sev = bs && as && strcmp(bs, as) != 0;
	json_int_t n = json_integer_value(at);

	if (!sev &&
	    (!json_is_integer(at) || json_equal((json_t *)bt, (json_t *)at)))
		return buf_adds(b, "updated", err);
	if (sev &&
	    buf_printf(b, err, "severity %s -> %s", at_or(bs, "?"),
	        at_or(as, "?")) == -1)
		return -1;
	if (!json_is_integer(at) || json_equal((json_t *)bt, (json_t *)at))
		return 0;
	if (sev && buf_adds(b, "; ", err) == -1)
		return -1;
	if (n > 0)
		return buf_printf(b, err,
		    "the sender left out %" JSON_INTEGER_FORMAT " alert%s", n,
		    n == 1 ? "" : "s");
	return buf_adds(b, "every alert of the sender known", err);
}

static int
at_snooze(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *u = at_str2(v->d, "after", "snoozed_until");

	if (buf_adds(b, *v->k == 's' ? "snoozed" : "unsnoozed", err) == -1 ||
	    (*v->k == 's' && u && buf_printf(b, err, " until %s", u) == -1))
		return -1;
	return at_by_note(b, v->actor, v->d, err);
}

static int
at_assign(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *w = at_str2(v->d, "after", "assignee");

	if ((w ? buf_printf(b, err, "assigned to %s", w)
	       : buf_adds(b, "unassigned", err)) == -1)
		return -1;
	return at_by_note(b, v->actor, v->d, err);
}

static int
at_note_entry(struct buf *b, const struct at_ev *v, struct err *err)
{
	return buf_printf(b, err, "note by %s%s: %s", v->actor,
	    json_is_true(json_object_get(v->d, "mitigated")) ? " (mitigated)"
	                                                     : "",
	    at_or(at_str(v->d, "text"), ""));
}

static int
at_silence(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *c = at_str(v->d, "comment");

	if (*v->k == 'u')
		return buf_printf(b, err, "silence %s removed: %s",
		    at_or(at_str(v->d, "silence_id"), "?"),
		    at_or(at_str(v->d, "reason"), "?"));
	return buf_printf(b, err,
	    "silenced in Alertmanager by %s until %s (silence %s)%s%s",
	    v->actor, at_or(at_str(v->d, "until"), "?"),
	    at_or(at_str(v->d, "silence_id"), "?"), c ? ": " : "",
	    at_or(c, ""));
}

static int
at_open(struct buf *b, const struct at_ev *v, struct err *err)
{
	return buf_printf(b, err, "incident opened: %s (%s, from %s)",
	    at_or(at_str(v->d, "title"), "?"),
	    at_or(at_str(v->d, "severity"), "?"),
	    at_or(at_str(v->d, "source"), "?"));
}

/* The description of the alert of a detail: from its labels when it has
 * them, else from its alert.new, else its fingerprint. */
static int
at_alert(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *fp = at_str(v->d, "fingerprint"), *seen;

	if (strcmp(v->e->kind, "alert.new") == 0)
		return at_describe(
		    b, v->d, json_object_get(v->t->mem, "common"), err);
	seen = fp ? strmap_get(v->t->fp, fp) : NULL;
	return buf_adds(b, at_or(seen, at_or(fp, "?")), err);
}

/* "alert fired: " or "alert arrived resolved: " */
static const char *
at_fired(const char *status)
{
	return status && strcmp(status, "resolved") == 0
	    ? "alert arrived resolved: "
	    : "alert fired: ";
}

/* " (SEVERITY): SUMMARY" */
static int
at_fired_tail(struct buf *b, const char *sev, const char *sum, struct err *err)
{
	if (buf_printf(b, err, " (%s)", at_or(sev, "?")) == -1)
		return -1;
	return sum && *sum ? buf_printf(b, err, ": %s", sum) : 0;
}

static int
at_alert_new(struct buf *b, const struct at_ev *v, struct err *err)
{
	if (buf_adds(b, at_fired(at_str(v->d, "status")), err) == -1 ||
	    at_alert(b, v, err) == -1)
		return -1;
	return at_fired_tail(b, at_str(v->d, "severity"),
	    at_str2(v->d, "annotations", "summary"), err);
}

/* "alert resolved: " or "alert fired again: " (kind past "alert.") */
static const char *
at_changed(const char *k)
{
	return strcmp(k, "resolve") == 0 ? "alert resolved: "
	                                 : "alert fired again: ";
}

static int
at_alert_change(struct buf *b, const struct at_ev *v, struct err *err)
{
	return buf_adds(b, at_changed(v->k), err) == -1 ? -1
	                                                : at_alert(b, v, err);
}

static int
at_alert_stale(struct buf *b, const struct at_ev *v, struct err *err)
{
	if (buf_printf(b, err, "late %s of alert ",
	        at_or(at_str2(v->d, "event", "status"), "event")) == -1 ||
	    at_alert(b, v, err) == -1)
		return -1;
	return buf_printf(b, err, " ignored: %s",
	    at_or(at_str(v->d, "reason"), "older than what is stored"));
}

/* "alert X updated: a, b changed; c added; its URL" (the sender changed
 * an alert's labels, annotations or link in place). */
static int
at_alert_update(struct buf *b, const struct at_ev *v, struct err *err)
{
	static const char *const parts[] = { "labels", "annotations" };
	static const char *const how[] = { "changed", "added" };
	const char *k, *sep = ": ";
	json_t *o, *x;

	if (buf_adds(b, "alert ", err) == -1 || at_alert(b, v, err) == -1 ||
	    buf_adds(b, " updated", err) == -1)
		return -1;
	for (int h = 0; h < 2; h++) {
		int any = 0;

		for (int p = 0; p < 2; p++) {
			o = json_object_get(
			    json_object_get(v->d, parts[p]), how[h]);
			json_object_foreach(o, k, x)
			{
				if (buf_printf(b, err, "%s%s", any ? ", " : sep,
				        k) == -1)
					return -1;
				any = 1;
			}
		}
		if (any && buf_printf(b, err, " %s", how[h]) == -1)
			return -1;
		if (any)
			sep = "; ";
	}
	if (json_object_get(v->d, "generator_url") != NULL)
		return buf_printf(b, err, "%sits URL", sep);
	return 0;
}

/* A change (a deploy, a config push) near the incident. */
static int
at_change(struct buf *b, const struct at_ev *v, struct err *err)
{
	const char *at = at_str(v->d, "at"), *src = at_str(v->d, "source");

	return buf_printf(b, err, "change%s%s: %s%s%s%s", at ? " at " : "",
	    at_or(at, ""), at_or(at_str(v->d, "summary"), "?"),
	    src ? " (from " : "", at_or(src, ""), src ? ")" : "");
}

/* A node of owl serve took a once-only duty over (duty.h). */
static int
at_duty(struct buf *b, const struct at_ev *v, struct err *err)
{
	return buf_printf(b, err, "%s took over the %s duty from %s (%s)",
	    at_or(at_str(v->d, "node"), "?"), at_or(at_str(v->d, "duty"), "?"),
	    at_or(at_str(v->d, "previous"), "?"),
	    at_or(at_str(v->d, "reason"), "?"));
}

/* Each kind the code writes and what says it (tests/15-cli-edges.t
 * checks that every kind logged anywhere is here); paging's own kinds
 * (page.*, escalation.*, paging.start, oncall.override*) are said by
 * pages_text (pages.h). */
static const struct at_kind {
	const char *kind;
	int run; /* an entry of a run: "run N " first */
	int (*fn)(struct buf *b, const struct at_ev *v, struct err *err);
} at_kinds[] = {
	{ "incident.open", 0, at_open },
	{ "incident.ack", 0, at_ack },
	{ "incident.unack", 0, at_ack },
	{ "incident.resolve", 0, at_resolve },
	{ "incident.reopen", 0, at_reopen },
	{ "incident.update", 0, at_update },
	{ "incident.snooze", 0, at_snooze },
	{ "incident.unsnooze", 0, at_snooze },
	{ "incident.assign", 0, at_assign },
	{ "incident.note", 0, at_note_entry },
	{ "incident.silence", 0, at_silence },
	{ "incident.unsilence", 0, at_silence },
	{ "incident.change", 0, at_change },
	{ "alert.new", 0, at_alert_new },
	{ "alert.resolve", 0, at_alert_change },
	{ "alert.refire", 0, at_alert_change },
	{ "alert.stale", 0, at_alert_stale },
	{ "alert.update", 0, at_alert_update },
	{ "run.start", 1, at_run_start },
	{ "run.step", 1, at_run_step },
	{ "run.undo", 1, at_run_step },
	{ "run.end", 1, at_run_end },
	{ "run.log", 1, at_run_other },
	{ "run.confirm", 1, at_run_other },
	{ "run.question", 1, at_run_other },
	{ "run.answer", 1, at_run_other },
	{ "run.cancel_asked", 1, at_run_other },
	{ "run.interrupted", 1, at_run_other },
	{ "run.lease_takeover", 1, at_run_other },
	{ "run.apply", 1, at_run_other },
	{ "run.recover", 1, at_run_other },
	{ "effect.intent", 1, at_effect },
	{ "effect.result", 1, at_effect },
	{ "runbook.refused", 0, at_runbook_refused },
	{ "runbooks.sync", 0, at_runbooks_sync },
	{ "plan.approve", 0, at_plan_approve },
	{ "duty.takeover", 0, at_duty },
};

static const struct at_kind *
at_find(const char *kind)
{
	for (size_t i = 0; i < sizeof at_kinds / sizeof at_kinds[0]; i++)
		if (strcmp(kind, at_kinds[i].kind) == 0)
			return &at_kinds[i];
	return NULL;
}

/* The sentence of v into b (reset first); 1 when the kind is not known. */
static int
at_sentence(struct buf *b, const struct at_ev *v, struct err *err)
{
	const struct at_kind *k = at_find(v->e->kind ? v->e->kind : "");
	int rc;

	if (k == NULL)
		return pages_text(v->e->kind ? v->e->kind : "", v->d, b, err);
	if (k->run && at_runhead(b, v, err) == -1)
		return -1;
	if ((rc = k->fn(b, v, err)) == 1)
		buf_reset(b);
	return rc;
}

/* Appends s to out, at most ACTLOG_TEXT_MAX bytes, cut between UTF-8
 * characters with "...". */
static int
at_cut(struct buf *out, const char *s, size_t n, struct err *err)
{
	if (n <= ACTLOG_TEXT_MAX)
		return buf_add(out, s, n, err);
	n = ACTLOG_TEXT_MAX - 3;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--; /* s[n] continues a character: cut before its start */
	if (buf_add(out, s, n, err) == -1)
		return -1;
	return buf_adds(out, "...", err);
}

int
actlog_text_line(struct actlog_text *t, const struct actlog_entry *e,
    const json_t *detail, struct buf *out, struct err *err)
{
	json_t *mine = detail == NULL ? at_parse(e) : NULL;
	struct at_ev v = { e, detail != NULL ? detail : mine, NULL,
		e->actor ? e->actor : "", t };
	const char *kind = e->kind ? e->kind : "";
	struct err scratch;
	char *dump;
	int rc;

	if (v.d == NULL || at_learn(t, e, v.d) == -1) {
		json_decref(mine);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	v.k = strchr(kind, '.') ? strchr(kind, '.') + 1 : kind;
	buf_reset(&t->line);
	err_init(&scratch);
	/* a sentence past the scratch's ceiling is cut, not an error */
	if ((rc = at_sentence(&t->line, &v, &scratch)) == 1) {
		/* a kind this version does not know: its name and detail */
		dump = json_dumps(v.d, JSON_COMPACT | JSON_SORT_KEYS);
		buf_printf(
		    &t->line, &scratch, "%s %s", kind, dump ? dump : "{}");
		free(dump);
	}
	json_decref(mine);
	return at_cut(out, buf_str(&t->line), t->line.len, err);
}

int
actlog_text_alert_new(struct actlog_text *t, const struct actlog_alert *a,
    struct buf *out, struct err *err)
{
	const json_t *common = json_object_get(t->mem, "common");
	const char *desc = NULL;
	struct err scratch;

	/* what actlog_text_line does of an alert.new: learn its
	 * description (unless nothing will recall it), then say it (the
	 * description learnt, once) */
	if (a->fingerprint != NULL) {
		buf_reset(&t->desc);
		if (at_describe_alert(&t->desc, a, common, NULL) == -1 ||
		    (!t->no_recall &&
		        strmap_set(t->fp, a->fingerprint, buf_str(&t->desc)) ==
		            -1))
			return err_set(err, ERR_FAILED, "out of memory");
		desc = buf_str(&t->desc);
	}
	buf_reset(&t->line);
	err_init(&scratch);
	/* a sentence past the scratch's ceiling is cut, not an error */
	if (buf_adds(&t->line, at_fired(a->status), &scratch) == 0 &&
	    (desc != NULL
	            ? buf_adds(&t->line, desc, &scratch)
	            : at_describe_alert(&t->line, a, common, &scratch)) == 0)
		at_fired_tail(&t->line, a->severity, a->summary, &scratch);
	return at_cut(out, buf_str(&t->line), t->line.len, err);
}

void
actlog_text_no_recall(struct actlog_text *t)
{
	t->no_recall = 1;
}

int
actlog_text_alert_change(struct actlog_text *t, const char *kind,
    const char *fp, struct buf *out, struct err *err)
{
	const char *seen = fp ? strmap_get(t->fp, fp) : NULL;
	struct err scratch;

	buf_reset(&t->line);
	err_init(&scratch);
	if (buf_adds(&t->line, at_changed(kind + 6), &scratch) == 0)
		buf_adds(&t->line, at_or(seen, at_or(fp, "?")), &scratch);
	return at_cut(out, buf_str(&t->line), t->line.len, err);
}

int
actlog_text_alert(struct actlog_text *t, const json_t *labels, struct buf *out,
    struct err *err)
{
	json_t *d = json_pack("{s:O?}", "labels", (json_t *)labels);
	int rc;

	if (d == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = at_describe(out, d, json_object_get(t->mem, "common"), err);
	json_decref(d);
	return rc;
}

int
actlog_text_common(struct actlog_text *t, const json_t *labels)
{
	return json_object_set(t->mem, "common", (json_t *)labels);
}

char *
actlog_text_dup(struct actlog_text *t, const struct actlog_entry *e)
{
	struct buf b;
	struct err err;

	buf_init(&b, ACTLOG_TEXT_MAX + 1);
	err_init(&err);
	if (actlog_text_line(t, e, NULL, &b, &err) == -1) {
		buf_done(&b);
		return NULL;
	}
	return buf_steal(&b);
}
