/* rb_ask.c: confirm() through the action log (see rb_ask.h). */
#include "rb_ask.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlog.h"

struct rb_ask_walk {
	int64_t n; /* last question */
	char text[1024];
	int64_t answered; /* last question answered */
	int answer; /* 1 yes, 0 no, for want */
	int64_t want; /* the question asked about */
	int got;
	char who[128];
};

static int
rb_ask_entry(const struct actlog_entry *e, void *ctx)
{
	struct rb_ask_walk *w = ctx;
	json_t *d;
	int64_t n;

	if (strcmp(e->kind, "run.question") != 0 &&
	    strcmp(e->kind, "run.answer") != 0)
		return 0;
	if ((d = json_loads(e->detail, 0, NULL)) == NULL)
		return 0;
	n = json_integer_value(json_object_get(d, "n"));
	if (e->kind[4] == 'q') {
		w->n = n;
		snprintf(w->text, sizeof w->text, "%s",
		    json_string_value(json_object_get(d, "text"))
		        ? json_string_value(json_object_get(d, "text"))
		        : "");
	} else if (n > w->answered) {
		w->answered = n;
		if (n == w->want && !w->got) {
			w->got = 1;
			w->answer = json_is_true(json_object_get(d, "yes"));
			snprintf(w->who, sizeof w->who, "%s", e->actor);
		}
	}
	json_decref(d);
	return 0;
}

static int
rb_ask_walk(
    struct store *s, int64_t run, struct rb_ask_walk *w, struct err *err)
{
	struct actlog_filter f = { .run = run };

	return actlog_each(s, &f, rb_ask_entry, w, err);
}

/* 1 when the run is running, 0 when it has ended; its incident. */
static int
rb_ask_running(struct store *s, int64_t run, int64_t *incident, struct err *err)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT status = 'running', coalesce(incident_id, 0) FROM runs"
	    " WHERE id = ?",
	    err);
	int rc, running = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		running = sqlite3_column_int(st, 0);
		if (incident != NULL)
			*incident = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "runs");
	if (rc == SQLITE_DONE)
		return err_set(err, ERR_USAGE, "no run %lld", (long long)run);
	return running;
}

int
rb_ask_pending(struct store *s, int64_t run, int64_t *n, char *text, size_t cap,
    struct err *err)
{
	struct rb_ask_walk w = { 0 };
	int running;

	if ((running = rb_ask_running(s, run, NULL, err)) == -1 ||
	    rb_ask_walk(s, run, &w, err) == -1)
		return -1;
	if (!running || w.n == 0 || w.answered >= w.n)
		return 0;
	*n = w.n;
	snprintf(text, cap, "%s", w.text);
	return 1;
}

int
rb_ask_question(
    struct store *s, int64_t run, const char *text, int64_t *n, struct err *err)
{
	struct rb_ask_walk w = { 0 };
	struct actlog_new e = { .run = run, .kind = "run.question" };
	char *detail;
	json_t *d;
	int rc;

	if (rb_ask_running(s, run, &e.incident, err) == -1 ||
	    rb_ask_walk(s, run, &w, err) == -1)
		return -1;
	*n = w.n + 1;
	d = json_pack("{s:I,s:s}", "n", (json_int_t)*n, "text", text);
	if (d == NULL || (detail = json_dumps(d, JSON_COMPACT)) == NULL) {
		json_decref(d);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	json_decref(d);
	e.detail = detail;
	rc = actlog_append(s, &e, NULL, err);
	free(detail);
	return rc;
}

int
rb_ask_answer_of(struct store *s, int64_t run, int64_t n, char *who, size_t cap,
    struct err *err)
{
	struct rb_ask_walk w = { .want = n };

	if (rb_ask_walk(s, run, &w, err) == -1)
		return -2;
	if (!w.got)
		return -1;
	snprintf(who, cap, "%s", w.who);
	return w.answer;
}

int
rb_ask_answer(
    struct store *s, int64_t run, int yes, const char *actor, struct err *err)
{
	struct actlog_new e = {
		.actor = actor, .run = run, .kind = "run.answer"
	};
	char text[1024], detail[160];
	int64_t n;
	int rc;

	if (store_begin(s, err) == -1)
		return -1;
	if ((rc = rb_ask_pending(s, run, &n, text, sizeof text, err)) != 1 ||
	    rb_ask_running(s, run, &e.incident, err) == -1) {
		store_rollback(s);
		if (rc == 0)
			return err_set(err, ERR_REFUSED,
			    "run %lld waits on no question (not asked, already "
			    "answered, or the run has ended)",
			    (long long)run);
		return -1;
	}
	snprintf(detail, sizeof detail, "{\"n\":%lld,\"yes\":%s}", (long long)n,
	    yes ? "true" : "false");
	e.detail = detail;
	if (actlog_append(s, &e, NULL, err) == -1) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err);
}
