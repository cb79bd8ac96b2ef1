/* act.c: the changing actions of `owl tui` (ack, resolve, snooze, note,
 * undo): the confirmation question that says exactly what will happen,
 * check-then-act against the version the user saw, the session journal
 * that undo walks back, and the summary printed at exit. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"
#include "engine/sanitize.h"

static const char *const act_done_verb[] = {
	[ACT_ACK] = "acknowledged",
	[ACT_RESOLVE] = "resolved",
	[ACT_SNOOZE] = "snoozed",
	[ACT_NOTE] = "noted",
	[ACT_ASSIGN] = "assigned",
	[ACT_UNDO] = "undid",
	[ACT_RUN] = "ran",
};

/* Reads the incident as the user sees it: the list's copy (what was
 * drawn), the open detail's, or else the database's. */
static int
act_lookup(struct app *a, int64_t id, struct incident *out, struct err *err)
{
	const struct incident *inc = inclist_find(a, id);

	if (inc == NULL)
		inc = view_incident_loaded(a, id);
	if (inc == NULL)
		return incident_get(a->store, id, out, err);
	memset(out, 0, sizeof *out);
	*out = *inc;
	out->title = strdup(inc->title ? inc->title : "");
	out->source = out->group_key = out->assignee = NULL;
	out->acked_by = inc->acked_by ? strdup(inc->acked_by) : NULL;
	return 0;
}

static void
act_title(char *out, size_t n, const char *title)
{
	size_t len = strlen(title ? title : "");

	if (len < n) {
		snprintf(out, n, "%s", title ? title : "");
		return;
	}
	/* cut on a character boundary, leaving room for "..." */
	len = n - 4;
	while (len > 0 && ((unsigned char)title[len] & 0xc0) == 0x80)
		len--;
	snprintf(out, n, "%.*s...", (int)len, title);
}

/* The last journal entry undo can reverse, or j->n. */
static size_t
act_undoable(const struct act_journal *j)
{
	for (size_t i = j->n; i > 0; i--) {
		const struct act_entry *e = &j->e[i - 1];

		if (e->kind != ACT_NOTE && e->kind != ACT_UNDO &&
		    e->kind != ACT_ASSIGN && e->kind != ACT_RUN && !e->undone)
			return i - 1;
	}
	return j->n;
}

static int act_why(char *q, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
act_why(char *q, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
act_prepare_undo(struct app *a, char *q, size_t n, const char *env)
{
	struct act_pending *p = &a->pending;
	size_t u = act_undoable(&a->journal);
	const struct act_entry *e;
	static const char *const how[] = { [ACT_ACK] = "unacknowledge",
		[ACT_RESOLVE] = "reopen",
		[ACT_SNOOZE] = "unsnooze" };

	if (u == a->journal.n)
		return act_why(q, n,
		    "nothing to undo: no ack, resolve or "
		    "snooze of yours in this session");
	e = &a->journal.e[u];
	p->undo = u;
	p->id = e->id;
	p->version = e->version;
	act_title(p->title, sizeof p->title, e->title);
	snprintf(q, n, "Undo: %s INC-%" PRId64 " '%s'%s%s (you %s it)? [y/N]",
	    how[e->kind], e->id, p->title, env[0] ? " in " : "", env,
	    act_done_verb[e->kind]);
	return 0;
}

int
act_prepare(struct app *a, enum keys_action act, int64_t id, const char *dur,
    char *q, size_t n)
{
	struct act_pending *p = &a->pending;
	const char *env = a->env ? a->env : "";
	struct incident inc;
	struct err err;
	char until[64];
	int rc = 0;

	memset(p, 0, sizeof *p);
	p->act = act;
	if (act == KEYS_UNDO)
		return act_prepare_undo(a, q, n, env);
	err_init(&err);
	if (act_lookup(a, id, &inc, &err) == -1)
		return act_why(q, n, "%s", err.msg);
	p->id = id;
	p->version = inc.version;
	act_title(p->title, sizeof p->title, inc.title);
	if (inc.state == INCIDENT_RESOLVED)
		rc = act_why(q, n, "INC-%" PRId64 " is already resolved", id);
	else if (act == KEYS_ACK && inc.state == INCIDENT_ACKNOWLEDGED)
		rc = act_why(q, n,
		    "INC-%" PRId64 " is already acknowledged "
		    "by %s",
		    id, inc.acked_by ? inc.acked_by : "someone");
	else if (act == KEYS_ACK)
		snprintf(q, n, "Acknowledge INC-%" PRId64 " '%s'%s%s? [y/N]",
		    id, p->title, env[0] ? " in " : "", env);
	else if (act == KEYS_RESOLVE)
		snprintf(q, n, "Resolve INC-%" PRId64 " '%s'%s%s? [y/N]", id,
		    p->title, env[0] ? " in " : "", env);
	else if (clock_parse_duration_unit(dur, &p->until, &err) == -1) {
		rc = act_why(q, n, "snooze: %s", err.msg);
	} else {
		snprintf(p->dur, sizeof p->dur, "%s", dur);
		p->until += clock_now_us();
		frame_time(p->until, 0, until, sizeof until);
		snprintf(q, n,
		    "Snooze INC-%" PRId64 " '%s'%s%s for %s (until "
		    "%s)? [y/N]",
		    id, p->title, env[0] ? " in " : "", env, p->dur, until);
	}
	incident_done(&inc);
	return rc;
}

static void
act_journal_add(struct app *a, enum act_kind kind, int64_t id,
    const char *title, const char *what)
{
	struct act_journal *j = &a->journal;
	struct incident inc;
	struct act_entry *e;
	struct err err;

	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 16;
		struct act_entry *ne = realloc(j->e, cap * sizeof *ne);

		if (ne == NULL)
			return;
		j->e = ne;
		j->cap = cap;
	}
	e = &j->e[j->n++];
	memset(e, 0, sizeof *e);
	e->at = clock_now_us();
	e->kind = kind;
	e->id = id;
	e->title = strdup(title ? title : "");
	e->what = what ? strdup(what) : NULL;
	/* the version right after our change: undo refuses when someone
	 * changed it since (a run's entry changes no incident) */
	err_init(&err);
	if (kind != ACT_RUN && incident_get(a->store, id, &inc, &err) == 0) {
		/* our own change right after an earlier one does not
		 * block undoing that one; anybody else's still does */
		for (size_t i = 0; i + 1 < j->n; i++)
			if (j->e[i].id == id &&
			    j->e[i].version == inc.version - 1)
				j->e[i].version = inc.version;
		e->version = inc.version;
		incident_done(&inc);
	}
}

/* Calls the engine for the pending action; 0 when done. */
static int
act_call(struct app *a, const struct act_pending *p, struct err *err)
{
	struct incident_act opt = { .actor = a->actor,
		.note = p->note[0] ? p->note : NULL,
		.expect_version = p->version };
	const struct act_entry *e;

	switch (p->act) {
	case KEYS_ACK: return incident_ack(a->store, p->id, &opt, err);
	case KEYS_RESOLVE: return incident_resolve(a->store, p->id, &opt, err);
	case KEYS_SNOOZE:
		return incident_snooze(a->store, p->id, p->until, &opt, err);
	case KEYS_UNDO:
		e = &a->journal.e[p->undo];
		if (e->kind == ACT_ACK)
			return incident_unack(a->store, p->id, &opt, err);
		if (e->kind == ACT_RESOLVE)
			return incident_reopen(a->store, p->id, &opt, err);
		return incident_unsnooze(a->store, p->id, &opt, err);
	default: return err_set(err, ERR_USAGE, "not an action");
	}
}

void
act_run(struct app *a)
{
	struct act_pending *p = &a->pending;
	enum act_kind undid = ACT_ACK;
	struct err err;
	char what[64];

	err_init(&err);
	if (a->readonly) {
		frame_message(a, SCREEN_ALARM, "read-only: nothing done");
		return;
	}
	if (act_call(a, p, &err) == -1) {
		frame_message(
		    a, SCREEN_ALARM, "refused, nothing done: %s", err.msg);
		return;
	}
	if (p->act == KEYS_UNDO) {
		a->journal.e[p->undo].undone = 1;
		undid = a->journal.e[p->undo].kind;
		snprintf(what, sizeof what, "%s", act_done_verb[undid]);
		act_journal_add(a, ACT_UNDO, p->id, p->title, what);
		a->journal.e[a->journal.n - 1].undid = undid;
		frame_message(a, SCREEN_OK,
		    "undone: INC-%" PRId64 " is no longer "
		    "%s",
		    p->id, act_done_verb[undid]);
		return;
	}
	if (p->act == KEYS_SNOOZE)
		snprintf(what, sizeof what, "for %s", p->dur);
	act_journal_add(a,
	    p->act == KEYS_ACK           ? ACT_ACK
	        : p->act == KEYS_RESOLVE ? ACT_RESOLVE
	                                 : ACT_SNOOZE,
	    p->id, p->title,
	    p->act == KEYS_SNOOZE ? what
	        : p->note[0]      ? p->note
	                          : NULL);
	frame_message(a, SCREEN_OK, "%s INC-%" PRId64 "%s (u: undo)",
	    act_done_verb[a->journal.e[a->journal.n - 1].kind], p->id,
	    p->note[0] ? " with your note" : "");
}

void
act_note(struct app *a, int64_t id, const char *text)
{
	struct incident_act opt = { .actor = a->actor };
	struct incident inc;
	struct err err;

	err_init(&err);
	if (a->readonly) {
		frame_message(a, SCREEN_ALARM, "read-only: nothing done");
		return;
	}
	if (act_lookup(a, id, &inc, &err) == -1 ||
	    incident_note(a->store, id, text, &opt, &err) == -1) {
		frame_message(a, SCREEN_ALARM, "note not added: %s", err.msg);
		return;
	}
	act_journal_add(a, ACT_NOTE, id, inc.title, text);
	incident_done(&inc);
	frame_message(a, SCREEN_OK, "noted on INC-%" PRId64, id);
}

void
act_assign(struct app *a, int64_t id, const char *who)
{
	struct incident_act opt = { .actor = a->actor };
	struct incident inc;
	struct err err;

	err_init(&err);
	if (a->readonly) {
		frame_message(a, SCREEN_ALARM, "read-only: nothing done");
		return;
	}
	if (act_lookup(a, id, &inc, &err) == -1)
		goto fail;
	opt.expect_version = inc.version;
	if (incident_assign(a->store, id, who, &opt, &err) == -1) {
		incident_done(&inc);
		goto fail;
	}
	act_journal_add(a, ACT_ASSIGN, id, inc.title, who);
	incident_done(&inc);
	frame_message(a, SCREEN_OK, "assigned INC-%" PRId64 " to %s", id, who);
	return;
fail:
	frame_message(a, SCREEN_ALARM, "not assigned: %s", err.msg);
}

void
act_run_note(struct app *a, int64_t incident, const char *fmt, ...)
{
	char what[APP_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	act_journal_add(a, ACT_RUN, incident, "", what);
}

void
act_summary(const struct app *a, FILE *f)
{
	const struct act_journal *j = &a->journal;
	size_t count[ACT_RUN + 1] = { 0 };
	char at[64];

	if (j->n == 0) {
		fprintf(f, "owl tui: no actions this session\n");
		return;
	}
	fprintf(f, "owl tui: session of %s%s%s, %zu action%s:\n", a->actor,
	    a->env ? " in " : "", a->env ? a->env : "", j->n,
	    j->n == 1 ? "" : "s");
	for (size_t i = 0; i < j->n; i++) {
		const struct act_entry *e = &j->e[i];
		char *title = sanitize_dup(e->title, 0);
		char *what = sanitize_dup(e->what, 0);

		count[e->kind]++;
		frame_time(e->at, 1, at, sizeof at);
		if (e->kind == ACT_RUN)
			fprintf(f, "  %s  %s\n", at, what ? what : "");
		else if (e->kind == ACT_UNDO)
			fprintf(f, "  %s  undid: %s INC-%" PRId64 " '%s'\n", at,
			    what ? what : "", e->id, title ? title : "");
		else
			fprintf(f, "  %s  %s INC-%" PRId64 " '%s'%s%s%s\n", at,
			    act_done_verb[e->kind], e->id, title ? title : "",
			    e->what
			        ? (e->kind == ACT_NOTE            ? ": "
			                  : e->kind == ACT_ASSIGN ? " to "
			                  : e->kind == ACT_ACK    ? ", noting: "
			                                          : " ")
			        : "",
			    e->what ? what : "", e->undone ? " (undone)" : "");
		free(title);
		free(what);
	}
	fprintf(f,
	    "owl tui: %zu ack, %zu resolve, %zu snooze, %zu note, "
	    "%zu assign, %zu undo, %zu run action%s\n",
	    count[ACT_ACK], count[ACT_RESOLVE], count[ACT_SNOOZE],
	    count[ACT_NOTE], count[ACT_ASSIGN], count[ACT_UNDO], count[ACT_RUN],
	    count[ACT_RUN] == 1 ? "" : "s");
}

void
act_journal_free(struct act_journal *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free(j->e[i].title);
		free(j->e[i].what);
	}
	free(j->e);
	memset(j, 0, sizeof *j);
}
