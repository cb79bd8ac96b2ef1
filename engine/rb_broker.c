/* rb_broker.c: serving one runbook worker (see rb_broker.h). */
#include "rb_broker.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "rb_lease.h"
#include "worker/rb_proto.h"
#include "rb_runs.h"
#include "sanitize.h"
#include "worker/rb_worker.h"

#define RB_BROKER_SLACK_US (INT64_C(2) * 1000000) /* past the deadline */
#define RB_BROKER_BATCH_US 20000 /* longest log batch */
#define RB_BROKER_LOG_MAX 10000 /* log() lines recorded per run */

static void
rb_broker_reap(struct rb_broker *b, int hard)
{
	if (b->reaped || b->pid <= 0)
		return;
	if (hard)
		kill(b->pid, SIGKILL);
	while (waitpid(b->pid, &b->wstatus, 0) == -1 && errno == EINTR)
		;
	b->reaped = 1;
	rb_worker_unpin(&b->cpus, &b->pinned);
}

void
rb_broker_stop(struct rb_broker *b)
{
	struct err err;
	json_t *m;

	if (b->fd >= 0 && !b->reaped) {
		err_init(&err);
		m = json_pack("{s:s}", "t", "stop");
		rb_proto_send(b->fd, m, &err);
		json_decref(m);
	}
	rb_broker_reap(b, 1);
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	rb_proto_in_done(&b->in);
}

static int rb_broker_reply(struct rb_broker *b, json_t *reply, struct err *err);

/* Receives the worker's first answer, serving the `require`s that the
 * top of the runbook makes before it gets to runbook{}. */
static int
rb_broker_recv_decl(struct rb_broker *b, const struct rb_vm_conf *conf,
    json_t **m, struct err *err)
{
	for (;;) {
		if (rb_proto_recv(&b->in, m,
		        conf->load_deadline + RB_BROKER_SLACK_US, err) == -1)
			return -1;
		if (strcmp(rb_proto_type(*m), "require") != 0)
			return 0;
		if (rb_broker_reply(b,
		        rb_broker_module(
		            b, json_string_value(json_object_get(*m, "name"))),
		        err) == -1) {
			json_decref(*m);
			*m = NULL;
			return -1;
		}
		json_decref(*m);
	}
}

/* Starts the worker: the worker program when it is beside owl (it gets
 * conf as its first message), else a fork of this process. A worker
 * program from another build is never run: it may speak another
 * protocol (a run failing with "worker exited 2" at 3 AM). The fork is
 * the same worker code and sandbox, only slower to start, so the run
 * goes on with it and one line on stderr says what to fix. */
static int
rb_broker_spawn(struct rb_broker *b, const struct rb_vm_conf *conf,
    const struct rb_worker_limits *lim, struct err *err)
{
	char path[4200], why[160], *shown;

	b->worker_warning[0] = '\0';
	switch (rb_worker_program(path, sizeof path, why, sizeof why)) {
	case RB_WORKER_OK:
		if (rb_worker_exec(path, lim, &b->pid, &b->fd, err) == -1)
			break;
		if (rb_vm_conf_send(b->fd, conf, err) == 0)
			return 0;
		/* it is gone already: how is said when it is reaped */
		err_init(err);
		return 0;
	case RB_WORKER_OTHER:
		shown = sanitize_dup(path, 0);
		snprintf(b->worker_warning, sizeof b->worker_warning,
		    "owl: warning: %s is from another build (%s); running "
		    "the built-in worker instead: rebuild with make, or "
		    "install owl and owl-worker together",
		    shown ? shown : RB_WORKER_PROGRAM, why);
		free(shown);
		fprintf(stderr, "%s\n", b->worker_warning);
		break;
	case RB_WORKER_NONE: break;
	}
	err_init(err);
	return rb_worker_spawn(
	    lim, rb_vm_main, (void *)conf, &b->pid, &b->fd, err);
}

int
rb_broker_start(struct rb_broker *b, const struct rb_vm_conf *conf,
    const struct rb_worker_limits *lim, json_t **out, struct err *err)
{
	const char *t, *e;
	json_t *m;

	*out = NULL;
	b->fd = -1;
	if (rb_broker_spawn(b, conf, lim, err) == -1)
		return -1;
	rb_proto_in_init(&b->in, b->fd);
	rb_worker_pin(b->pid, &b->cpus, &b->pinned);
	if (rb_broker_recv_decl(b, conf, &m, err) == -1) {
		char how[128];
		rb_broker_reap(b, 1);
		rb_worker_describe(b->wstatus, how, sizeof how);
		err->code = ERR_OK;
		return err_set(err, ERR_FAILED,
		    "runbook %s: the worker %s "
		    "while loading it",
		    conf->name, how);
	}
	t = rb_proto_type(m);
	if (strcmp(t, "decl") == 0 || strcmp(t, "data") == 0) {
		*out = json_incref(json_object_get(
		    m, strcmp(t, "decl") == 0 ? "decl" : "value"));
		json_decref(m);
		return 0;
	}
	e = json_string_value(json_object_get(m, "error"));
	err_set(err, ERR_USAGE, "runbook %s: %s", conf->name,
	    e ? e : "the worker sent nothing usable");
	json_decref(m);
	rb_broker_stop(b);
	return -1;
}

static void rb_broker_cancel(struct rb_broker *b, int64_t now);

static void
rb_broker_event(struct rb_broker *b, const struct rb_event *ev)
{
	if (b->ui != NULL && b->ui->event != NULL) {
		b->ui->event(b->ui->ctx, ev);
		b->ui_held = b->ui->flush != NULL;
	}
}

/* What the front end holds goes out now: the broker may wait. */
static void
rb_broker_ui_flush(struct rb_broker *b)
{
	if (!b->ui_held)
		return;
	b->ui_held = 0;
	b->ui->flush(b->ui->ctx);
}

/* The chokepoint's hook before an effect is performed for real. */
static void
rb_broker_before_perform(void *ctx)
{
	rb_broker_ui_flush(ctx);
}

static int
rb_broker_reply(struct rb_broker *b, json_t *reply, struct err *err)
{
	struct err serr;
	int rc;

	if (reply == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	err_init(&serr);
	rc = rb_proto_send(b->fd, reply, &serr);
	json_decref(reply);
	/* An answer too big to send (an HTTP body of control characters
	 * grows six-fold as JSON) is a failed request, not a lost worker:
	 * the worker waits for an answer, so it gets this one. */
	if (rc == -1 && serr.code == ERR_USAGE) {
		err_init(&serr);
		reply = json_pack("{s:b, s:s}", "ok", 0, "error",
		    "the answer is too big to hand to the runbook");
		rc = rb_broker_reply(b, reply, &serr);
	}
	if (rc == -1)
		err_set(err, serr.code, "%s", serr.msg);
	return rc;
}

/* Whether step i completed and its undo has not run yet (it may write
 * after the run failed, once). */
static int
rb_broker_take_undo(struct rb_broker *b, int64_t i)
{
	const json_t *v;
	size_t k;

	json_array_foreach(b->undoable, k, v)
	{
		if (json_integer_value(v) == i) {
			json_array_remove(b->undoable, k);
			return 1;
		}
	}
	return 0;
}

/* Keeps what the end of a step means for later writes: a completed step
 * may be undone; the first failed one stops every write but undo (a
 * runbook that catches the error with pcall must not go on changing
 * things), and its message is the run's if the run ends without one. */
static void
rb_broker_step_ended(struct rb_broker *b, int64_t i, int undo,
    const char *status, const char *name, const char *error)
{
	char what[600];

	if (undo && status != NULL && strcmp(status, "ok") != 0) {
		snprintf(what, sizeof what, "'%.100s' (%.480s)",
		    name ? name : "?", error ? error : status);
		json_array_append_new(b->undo_failed, json_string(what));
	}
	if (undo || status == NULL)
		return;
	if (strcmp(status, "ok") == 0) {
		json_array_append_new(b->undoable, json_integer(i));
	} else if (strcmp(status, "failed") == 0 && !b->fx.failed) {
		b->fx.failed = 1;
		snprintf(b->fx.failed_msg, sizeof b->fx.failed_msg,
		    "step '%.100s' failed: %.380s", name ? name : "?",
		    error ? error : "no message");
	}
}

static int
rb_broker_step(struct rb_broker *b, const json_t *m, struct err *err)
{
	const char *ev = json_string_value(json_object_get(m, "event"));
	const char *name = json_string_value(json_object_get(m, "name"));
	const char *status = json_string_value(json_object_get(m, "status"));
	const char *error = json_string_value(json_object_get(m, "error"));
	int64_t i = json_integer_value(json_object_get(m, "i"));
	int64_t ms = json_integer_value(json_object_get(m, "ms"));
	int undo = json_is_true(json_object_get(m, "undo")), begin;
	char *mname = rb_effect_mask(&b->fx, name ? name : "?");
	char *merr = error ? rb_effect_mask(&b->fx, error) : NULL;
	struct rb_event e = { .i = i,
		.undo = undo,
		.name = mname,
		.status = status,
		.error = merr,
		.ms = ms };
	int rc;

	begin = ev != NULL && strcmp(ev, "begin") == 0;
	if (b->total > 0 && i > b->total)
		b->total = i; /* more steps than guessed (a loop) */
	e.total = b->total;
	e.type = begin ? RB_EV_STEP_BEGIN : RB_EV_STEP_END;
	if (begin) {
		if (!undo && i > b->began)
			b->began = i;
		b->step_seq++;
		b->fx.step_i = (int)i;
		b->fx.undo = undo;
		b->fx.undo_ok = undo && rb_broker_take_undo(b, i);
		snprintf(
		    b->fx.step, sizeof b->fx.step, "%s", mname ? mname : "");
	} else {
		rb_broker_step_ended(b, i, undo, status, mname, merr);
		b->fx.step_i = 0;
		b->fx.undo_ok = 0;
		json_array_append_new(b->steps,
		    json_pack("{s:s, s:s, s:I, s:b}", "name",
		        mname ? mname : "?", "status", status ? status : "?",
		        "ms", (json_int_t)ms, "undo", undo));
	}
	rc = begin
	    ? rb_effect_step_begin(&b->fx, b->step_seq, i, undo,
	          mname ? mname : "?",
	          json_is_true(json_object_get(m, "idempotent")), err)
	    : rb_effect_step_end(&b->fx, b->step_seq, i, mname ? mname : "?",
	          undo, status ? status : "failed", ms, merr, err);
	if (rc == 0 && !begin)
		rc = rb_effect_log(&b->fx, undo ? "run.undo" : "run.step",
		    json_pack("{s:I, s:s, s:s, s:I, s:s?}", "i", (json_int_t)i,
		        "name", mname ? mname : "?", "status",
		        status ? status : "?", "ms", (json_int_t)ms, "error",
		        merr),
		    err);
	rb_broker_event(b, &e);
	free(mname);
	free(merr);
	return rc;
}

/* A run whose undo did not complete is not a clean rollback: it ends
 * rollback-failed, and its message names the steps left undone. */
static void
rb_broker_rollback_failed(struct rb_broker *b)
{
	char why[sizeof b->error], left[700] = "";
	const json_t *v;
	size_t i, n;

	if (json_array_size(b->undo_failed) == 0 ||
	    strcmp(b->status, "ok") == 0 || strcmp(b->status, "refused") == 0)
		return;
	json_array_foreach(b->undo_failed, i, v)
	{
		n = strlen(left);
		snprintf(left + n, sizeof left - n, "%s%s", i ? ", " : "",
		    json_string_value(v));
	}
	snprintf(why, sizeof why, "%s", b->error);
	snprintf(b->status, sizeof b->status, "rollback-failed");
	snprintf(b->error, sizeof b->error,
	    "%.300s; rollback failed, the world is half-changed: steps left "
	    "undone: %s",
	    why[0] ? why : "the run failed", left);
}

/* At the end of a run that passed its log cap: how many lines went. */
static int
rb_broker_log_dropped(struct rb_broker *b, struct err *err)
{
	struct rb_event e = { .type = RB_EV_LOG };
	char text[160];

	snprintf(text, sizeof text,
	    "%lld more log line%s not recorded (the cap is %d per run)",
	    (long long)b->logs_dropped,
	    b->logs_dropped == 1 ? " was" : "s were", RB_BROKER_LOG_MAX);
	e.text = text;
	rb_broker_event(b, &e);
	return rb_effect_log(
	    &b->fx, "run.log", json_pack("{s:s}", "text", text), err);
}

static int
rb_broker_log(struct rb_broker *b, const json_t *m, struct err *err)
{
	char *text, cap[160];
	struct rb_event e = { .type = RB_EV_LOG, .i = b->fx.step_i };
	int rc;

	/* every line is a row of the action log: a run has a ceiling, like
	 * its effects, and says so where the lines stop */
	if (b->logs >= RB_BROKER_LOG_MAX) {
		b->logs_dropped++;
		return 0;
	}
	if (++b->logs == RB_BROKER_LOG_MAX) {
		snprintf(cap, sizeof cap,
		    "this run reached its cap of %d log lines: "
		    "the lines after this one are not recorded",
		    RB_BROKER_LOG_MAX);
		text = strdup(cap);
	} else {
		text = rb_effect_mask(
		    &b->fx, json_string_value(json_object_get(m, "text")));
	}
	e.text = text;

	rc = rb_effect_log(&b->fx, "run.log",
	    json_pack("{s:s}", "text", text ? text : ""), err);
	rb_broker_event(b, &e);
	free(text);
	return rc;
}

/* Whether reply is the answer a one-way request was promised. */
static int
rb_broker_oneway_answer(const json_t *reply)
{
	const json_t *status = json_object_get(reply, "status");
	const json_t *body = json_object_get(reply, "body");

	return json_object_size(reply) == 4 &&
	    json_is_true(json_object_get(reply, "ok")) &&
	    json_is_true(json_object_get(reply, "simulated")) &&
	    json_is_integer(status) && json_integer_value(status) == 200 &&
	    json_is_string(body) && json_string_length(body) == 0;
}

static int
rb_broker_effect(struct rb_broker *b, json_t *m, struct err *err)
{
	struct rb_event e = { .type = RB_EV_EFFECT, .i = b->fx.step_i };
	int oneway = json_is_true(json_object_get(m, "oneway"));
	const json_t *before;
	const char *why;
	json_t *reply;
	int rc = 0;

	if (oneway) {
		if (!b->oneway || !b->dry_run || b->fx.failed)
			return err_set(err, ERR_FAILED,
			    "runbook worker: a one-way effect where none may "
			    "be");
		/* the flag is the protocol's, not the request's */
		json_object_del(m, "oneway");
	}
	before = b->fx.last;
	reply = rb_effect_do(&b->fx, m);
	e.effect = b->fx.last;
	/* a request refused before it had a plan entry (a malformed one)
	 * has no line of its own: the previous effect's is not shown again */
	if (reply != NULL && b->fx.last != before)
		rb_broker_event(b, &e);
	if (!oneway)
		return rb_broker_reply(b, reply, err);
	/* The worker went on with the promised answer: any other ends the
	 * run here (nothing after it is taken) rather than let it differ
	 * from a run that waited for it. */
	if (reply == NULL || !rb_broker_oneway_answer(reply)) {
		why = json_string_value(json_object_get(reply, "error"));
		rc = err_set(err, ERR_FAILED,
		    "runbook worker: a dry-run write sent without waiting was "
		    "answered otherwise: %s",
		    why != NULL ? why : "not as promised");
	}
	json_decref(reply);
	return rc;
}

static int
rb_broker_confirm(struct rb_broker *b, const json_t *m, struct err *err)
{
	char *text = rb_effect_mask(
	    &b->fx, json_string_value(json_object_get(m, "text")));
	char *target = json_is_string(json_object_get(m, "target"))
	    ? rb_effect_mask(
	          &b->fx, json_string_value(json_object_get(m, "target")))
	    : NULL;
	const char *answer = "yes";
	char answered[64];
	int rc;

	rb_broker_ui_flush(b);
	/* a retry passes again the questions the interrupted run had
	 * answered, and asks the ones it had not reached */
	if (!b->dry_run && b->began < b->answered_through) {
		snprintf(answered, sizeof answered,
		    "yes (answered in run %lld)", (long long)b->answered_by);
		answer = answered;
		rc = rb_effect_log(&b->fx, "run.confirm",
		    json_pack("{s:s, s:s, s:b, s:s?}", "text", text ? text : "",
		        "answer", answer, "yes_flag", b->yes, "target", target),
		    err);
	} else if (b->dry_run) {
		rc = rb_effect_confirm(
		    &b->fx, text ? text : "", "yes (dry-run)", err);
	} else {
		if (!b->yes) {
			enum rb_confirm c = RB_CONFIRM_NOBODY;
			/* the log is on disk while the prompt waits */
			if (rb_effect_flush(&b->fx, err) == -1) {
				free(text);
				free(target);
				return -1;
			}
			if (target != NULL && b->ui != NULL &&
			    b->ui->confirm_target != NULL)
				c = b->ui->confirm_target(
				    b->ui->ctx, text ? text : "", target);
			else if (target == NULL && b->ui != NULL &&
			    b->ui->confirm != NULL)
				c = b->ui->confirm(
				    b->ui->ctx, text ? text : "");
			answer = c == RB_CONFIRM_YES ? "yes"
			    : c == RB_CONFIRM_NO     ? "no"
			                             : "nobody";
		}
		rc = rb_effect_log(&b->fx, "run.confirm",
		    json_pack("{s:s, s:s, s:b, s:s?}", "text", text ? text : "",
		        "answer", answer, "yes_flag", b->yes, "target", target),
		    err);
	}
	free(text);
	free(target);
	if (rc == -1)
		answer = "nobody";
	return rb_broker_reply(b,
	           json_pack("{s:s}", "answer",
	               strncmp(answer, "yes", 3) == 0 ? "yes" : answer),
	           err) |
	    rc;
}

/* Live sleeps happen here, where ^C and the deadline can cut them. A
 * dry-run does not wait, nor does a run over effects that answer at once
 * (a test's fakes): the worker is told the time it skipped, so that a
 * wait_until() over fakes times out as it would, at once. */
static int
rb_broker_sleep(struct rb_broker *b, const json_t *m, struct err *err)
{
	int64_t us = json_integer_value(json_object_get(m, "us"));
	int64_t end = clock_mono_us() + us;

	rb_broker_ui_flush(b);
	if (b->dry_run || b->fx.instant) {
		rb_broker_cancel(b, clock_mono_us());
		return rb_broker_reply(
		    b, json_pack("{s:I}", "skipped_us", (json_int_t)us), err);
	}
	if (rb_effect_flush(&b->fx, err) == -1)
		return -1;
	while (clock_mono_us() < end && clock_mono_us() < b->deadline &&
	    (b->cancel == NULL || *b->cancel == 0))
		poll(NULL, 0, 50);
	rb_broker_cancel(b, clock_mono_us());
	return rb_broker_reply(b, json_object(), err);
}

int
rb_broker_message(struct rb_broker *b, json_t *m, struct err *err)
{
	const char *t = rb_proto_type(m);

	if (strcmp(t, "step") == 0)
		return rb_broker_step(b, m, err);
	if (strcmp(t, "log") == 0)
		return rb_broker_log(b, m, err);
	if (strcmp(t, "effect") == 0)
		return rb_broker_effect(b, m, err);
	if (strcmp(t, "confirm") == 0)
		return rb_broker_confirm(b, m, err);
	if (strcmp(t, "sleep") == 0)
		return rb_broker_sleep(b, m, err);
	if (strcmp(t, "require") == 0)
		return rb_broker_reply(b,
		    rb_broker_module(
		        b, json_string_value(json_object_get(m, "name"))),
		    err);
	if (strcmp(t, "done") == 0) {
		const char *s = json_string_value(json_object_get(m, "status"));
		const char *e = json_string_value(json_object_get(m, "error"));
		char *me = e ? rb_effect_mask(&b->fx, e) : NULL;
		snprintf(b->status, sizeof b->status, "%s", s ? s : "failed");
		snprintf(b->error, sizeof b->error, "%s", me ? me : "");
		if (b->logs_dropped > 0 && rb_broker_log_dropped(b, err) == -1)
			return -1;
		/* a run that caught its step's failure ends without a
		 * message: the step's is the reason */
		if (b->error[0] == '\0' && strcmp(b->status, "ok") != 0 &&
		    b->fx.failed)
			snprintf(
			    b->error, sizeof b->error, "%s", b->fx.failed_msg);
		rb_broker_rollback_failed(b);
		free(me);
		b->done = 1;
		return 0;
	}
	return err_set(err, ERR_FAILED,
	    "runbook worker: unexpected message "
	    "'%s'",
	    t);
}

/* Once the run is stopping (deadline or ^C) the worker gets a short
 * slack to show it is undoing, renewed by each message, up to the undo
 * grace. */
static void
rb_broker_progress(struct rb_broker *b, int64_t now)
{
	int64_t want = now + RB_BROKER_SLACK_US;

	if (b->stop_at == 0 && now >= b->deadline)
		b->stop_at = b->deadline;
	if (b->stop_at == 0)
		return;
	if (want > b->stop_at + b->undo_grace_us)
		want = b->stop_at + b->undo_grace_us;
	if (want > b->kill_at)
		b->kill_at = want;
}

/* ^C: the first asks the worker to cancel (it trips at the next hook
 * tick and runs undo), the second kills it. */
static void
rb_broker_cancel(struct rb_broker *b, int64_t now)
{
	if (b->cancel == NULL || *b->cancel <= b->cancels_sent)
		return;
	b->cancels_sent = *b->cancel;
	if (b->cancels_sent == 1) {
		kill(b->pid, SIGUSR1);
		b->stop_at = now;
		if (b->kill_at > now + RB_BROKER_SLACK_US)
			b->kill_at = now + RB_BROKER_SLACK_US;
	} else {
		b->kill_at = now;
	}
}

/* Waits for the worker's next message; 1 when one is readable, 0 when
 * the time to kill it came, -1 with err set when the pending log entries
 * could not be committed. */
static int
rb_broker_wait(struct rb_broker *b, struct err *err)
{
	struct pollfd p = { .fd = b->fd, .events = POLLIN };
	int64_t now, wait;

	for (;;) {
		now = clock_mono_us();
		if (rb_proto_in_ready(&b->in) && now < b->kill_at)
			return 1; /* no system call for a batch's next one */
		rb_broker_cancel(b, now);
		if (now >= b->kill_at)
			return 0;
		wait = b->kill_at - now;
		if (wait > 60 * INT64_C(1000000)) /* poll() takes an int */
			wait = 60 * INT64_C(1000000);
		/* a batch is open, the step in flight has no row yet, or
		 * the front end holds lines: commit and show if the worker
		 * idles */
		if (b->fx.txn || b->fx.step_row.pending || b->ui_held)
			wait = 1000;
		if (poll(&p, 1, (int)(wait / 1000) + 1) > 0)
			return 1;
		rb_broker_ui_flush(b);
		if ((b->fx.txn || b->fx.step_row.pending) &&
		    rb_effect_flush(&b->fx, err) == -1)
			return -1;
	}
}

static void
rb_broker_ended(struct rb_broker *b)
{
	char how[128];

	/* Not done: the worker is dead already, or alive and waiting for
	 * an answer it will never get (a broken message, a failed reply). */
	rb_broker_reap(b, b->killed || !b->done);
	if (b->done)
		return;
	rb_worker_describe(b->wstatus, how, sizeof how);
	if (!b->killed && WIFSIGNALED(b->wstatus) &&
	    WTERMSIG(b->wstatus) == SIGKILL && b->error[0] != '\0') {
		char why[sizeof b->error];
		snprintf(why, sizeof why, "%s", b->error);
		snprintf(b->status, sizeof b->status, "failed");
		snprintf(b->error, sizeof b->error,
		    "run %lld failed: the "
		    "runbook worker was stopped (undo did not run): %.400s",
		    (long long)b->fx.run_id, why);
		return;
	}
	snprintf(b->status, sizeof b->status, "%s",
	    b->cancels_sent ? "cancelled" : "failed");
	if (b->killed && b->cancels_sent)
		snprintf(b->error, sizeof b->error,
		    "run %lld cancelled: the "
		    "worker was stopped (undo did not run)",
		    (long long)b->fx.run_id);
	else if (b->killed)
		snprintf(b->error, sizeof b->error,
		    "run %lld exceeded its "
		    "timeout of %lld s: the worker was stopped (undo did not "
		    "run)",
		    (long long)b->fx.run_id,
		    (long long)(b->timeout_us / 1000000));
	else if (WIFEXITED(b->wstatus) &&
	    WEXITSTATUS(b->wstatus) == RB_WORKER_EXIT_MEMCAP)
		snprintf(b->error, sizeof b->error,
		    "run %lld exceeded its "
		    "memory cap of %zu MiB",
		    (long long)b->fx.run_id, b->mem_cap >> 20);
	else
		snprintf(b->error, sizeof b->error,
		    "run %lld failed: the "
		    "runbook worker %s",
		    (long long)b->fx.run_id, how);
}

int
rb_broker_serve(struct rb_broker *b, json_t *go, struct err *err)
{
	int64_t now = clock_mono_us();
	json_t *m;
	int rc = 0;

	b->deadline = now + b->timeout_us;
	b->kill_at = b->deadline + RB_BROKER_SLACK_US;
	b->fx.cancel = b->cancel;
	b->fx.before_perform = rb_broker_before_perform;
	b->fx.before_perform_ctx = b;
	/* the lease is renewed from a timer, whatever blocks this thread
	 * (a long command or request, a sleep, a confirm() prompt) */
	if (b->lease_runbook != NULL &&
	    (b->keeper = rb_lease_keeper_start(store_path(b->store),
	         b->lease_runbook, b->lease_incident, b->fx.run_id, err)) ==
	        NULL) {
		json_decref(go);
		rc = -1;
		goto ended;
	}
	json_object_set_new(go, "t", json_string("go"));
	if (rb_broker_reply(b, go, err) == -1)
		goto ended;
	while (!b->done) {
		struct err rerr;
		int w = rb_broker_wait(b, err);
		if (w == -1) {
			rc = -1;
			break;
		}
		if (w == 0) {
			b->killed = 1;
			break;
		}
		err_init(&rerr);
		if (rb_proto_recv(&b->in, &m, b->kill_at, &rerr) == -1) {
			/* the worker died, stalled mid-message or sent
			 * something that is not a message: it gets no more
			 * answers, so it must not wait for one */
			snprintf(b->error, sizeof b->error, "%s", rerr.msg);
			break;
		}
		rb_broker_progress(b, clock_mono_us());
		/* effects end by the deadline; once stopping, by the kill */
		b->fx.deadline = b->stop_at ? b->kill_at : b->deadline;
		rc = rb_broker_message(b, m, err);
		json_decref(m);
		/* a failed commit fails the run: nothing goes on unlogged */
		if (rc == 0 && b->fx.log_failed)
			rc = err_set(err, ERR_FAILED, "%s", b->fx.log_error);
		if (rc == 0 &&
		    rb_effect_flush_old(&b->fx, RB_BROKER_BATCH_US, err) == -1)
			rc = -1;
		if (rc == -1)
			break;
	}
ended:
	rb_broker_ui_flush(b);
	rb_broker_ended(b);
	rb_lease_keeper_stop(b->keeper);
	b->keeper = NULL;
	return rc;
}
