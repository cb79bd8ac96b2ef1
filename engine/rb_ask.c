/* rb_ask.c: confirm() through the action log (see rb_ask.h). */
#include "rb_ask.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlog.h"

struct rb_ask_walk {
	struct rb_ask q; /* last question */
	int64_t answered; /* last question answered */
	int answer; /* 1 yes, 0 no, for want */
	int64_t want; /* the question asked about */
	char want_target[RB_ASK_TARGET_MAX]; /* its target, "" none */
	int got;
	char who[128];
};

static void
rb_ask_copy(char *out, size_t n, const json_t *d, const char *key)
{
	const char *v = json_string_value(json_object_get(d, key));

	snprintf(out, n, "%s", v ? v : "");
}

/* An answer's yes: to a target question, only with the target typed. */
static int
rb_ask_yes(const json_t *d, const char *target)
{
	const char *typed = json_string_value(json_object_get(d, "target"));

	if (!json_is_true(json_object_get(d, "yes")))
		return 0;
	return target[0] == '\0' ||
	    (typed != NULL && strcmp(typed, target) == 0);
}

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
		w->q.n = n;
		rb_ask_copy(w->q.text, sizeof w->q.text, d, "text");
		rb_ask_copy(w->q.target, sizeof w->q.target, d, "target");
		if (n == w->want)
			memcpy(
			    w->want_target, w->q.target, sizeof w->want_target);
	} else if (n > w->answered) {
		w->answered = n;
		if (n == w->want && !w->got) {
			w->got = 1;
			w->answer = rb_ask_yes(d, w->want_target);
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
	struct store_stmt *st = store_stmt(s,
	    "SELECT status = 'running', coalesce(incident_id, 0) FROM runs"
	    " WHERE id = ?",
	    err);
	int rc, running = 0;

	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, run);
	if ((rc = store_step(st)) == STORE_ROW) {
		running = store_col_int(st, 0);
		if (incident != NULL)
			*incident = store_col_int64(st, 1);
	}
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "runs");
	if (rc == STORE_DONE)
		return err_set(err, ERR_USAGE, "no run %lld", (long long)run);
	return running;
}

int
rb_ask_pending(struct store *s, int64_t run, struct rb_ask *q, struct err *err)
{
	struct rb_ask_walk w = { 0 };
	int running;

	if ((running = rb_ask_running(s, run, NULL, err)) == -1 ||
	    rb_ask_walk(s, run, &w, err) == -1)
		return -1;
	if (!running || w.q.n == 0 || w.answered >= w.q.n)
		return 0;
	*q = w.q;
	return 1;
}

int
rb_ask_question(struct store *s, int64_t run, const char *text,
    const char *target, int64_t *n, struct err *err)
{
	struct rb_ask_walk w = { 0 };
	struct actlog_new e = { .run = run, .kind = "run.question" };
	json_t *d;

	if (rb_ask_running(s, run, &e.incident, err) == -1 ||
	    rb_ask_walk(s, run, &w, err) == -1)
		return -1;
	*n = w.q.n + 1;
	d = json_pack("{s:I,s:s,s:s?}", "n", (json_int_t)*n, "text", text,
	    "target", target);
	return actlog_append_json(s, &e, d, JSON_COMPACT, NULL, err);
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
rb_ask_answer(struct store *s, int64_t run, int yes, const char *typed,
    const char *actor, struct err *err)
{
	struct actlog_new e = {
		.actor = actor, .run = run, .kind = "run.answer"
	};
	struct rb_ask q;
	json_t *d = NULL;
	int rc;

	if (store_begin(s, err) == -1)
		return -1;
	if ((rc = rb_ask_pending(s, run, &q, err)) != 1 ||
	    rb_ask_running(s, run, &e.incident, err) == -1) {
		store_rollback(s);
		if (rc == 0)
			return err_set(err, ERR_REFUSED,
			    "run %lld waits on no question (not asked, already "
			    "answered, or the run has ended)",
			    (long long)run);
		return -1;
	}
	if (yes && q.target[0] != '\0' &&
	    (typed == NULL || strcmp(typed, q.target) != 0)) {
		store_rollback(s);
		return err_set(err, ERR_REFUSED,
		    "run %lld asks for its target typed out: %s%.200s%s is "
		    "not it; not answered",
		    (long long)run, typed ? "'" : "", typed ? typed : "yes",
		    typed ? "'" : "");
	}
	d = json_pack("{s:I,s:b,s:s?}", "n", (json_int_t)q.n, "yes", yes,
	    "target", yes && q.target[0] ? q.target : NULL);
	if (actlog_append_json(s, &e, d, JSON_COMPACT, NULL, err) == -1) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err);
}
