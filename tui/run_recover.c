/* run_recover.c: r on an interrupted run (runs screen, run view): the
 * choices of `owl recover RUN`, by the same code: re-check, undo and
 * retry (when owl recover would allow it) are `owl recover RUN
 * --recheck|--undo|--retry` in a process of their own (own session: an
 * HTTP read or a recovery run never freezes nor dies with the TUI), mark
 * resolved is rb_recover_log with the operator's note, as
 * `owl recover RUN --resolve --note TEXT` does. What each did goes to the
 * run's log, which the TUI reads back. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tui_int.h"
#include "engine/rb_recover.h"

/* What --undo and --retry of owl recover would do (as cmd_recover.c
 * decides): the undo of the steps done before the first that was not;
 * a retry from that step, unless the run was undoing, the step failed,
 * or it had begun (unknown) and is not declared idempotent = true. */
static void
recover_steps(const json_t *doc, struct app_recover *r)
{
	const json_t *st, *next = NULL;
	const char *state;
	size_t i;

	r->retry_from = 0;
	json_array_foreach(json_object_get(doc, "steps"), i, st)
	{
		if (json_is_true(json_object_get(st, "undo"))) {
			r->retry_from = -1;
			continue;
		}
		state = json_string_value(json_object_get(st, "state")) ?: "";
		if (next == NULL && strcmp(state, "done") != 0)
			next = st;
		else if (next == NULL)
			r->undoable = (size_t)json_integer_value(
			    json_object_get(st, "i"));
	}
	if (r->retry_from == -1 || next == NULL)
		return; /* undoing; or every step begun was done: the rest */
	state = json_string_value(json_object_get(next, "state")) ?: "";
	if (strcmp(state, "failed") == 0 ||
	    (strcmp(state, "unknown") == 0 &&
	        !json_is_true(json_object_get(next, "idempotent"))))
		r->retry_from = -1;
	else
		r->retry_from = json_integer_value(json_object_get(next, "i"));
}

/* What owl recover would offer for run id; -1 with why in a message. */
static int
recover_look(struct app *a, int64_t id, struct app_recover *r)
{
	const json_t *res, *rec;
	json_t *doc = NULL;
	struct err err;

	err_init(&err);
	memset(r, 0, sizeof *r);
	r->run = id;
	if (rb_recover_list(a->store, id, &doc, &err) == -1) {
		frame_message(
		    a, SCREEN_ALARM, "run %" PRId64 ": %s", id, err.msg);
		return -1;
	}
	snprintf(r->runbook, sizeof r->runbook, "%s",
	    json_string_value(json_object_get(doc, "runbook")) ?: "?");
	if (strcmp(json_string_value(json_object_get(doc, "status")) ?: "",
	        "interrupted") != 0) {
		frame_message(a, SCREEN_NORMAL,
		    "run %" PRId64 " is %s, not interrupted: nothing to "
		    "recover",
		    id,
		    json_string_value(json_object_get(doc, "status")) ?: "?");
		json_decref(doc);
		return -1;
	}
	recover_steps(doc, r);
	/* an owl recover with --retry also says whether a recovery ran
	 * already ("recovered", null when none): without it, no retry */
	if (json_object_get(doc, "recovered") == NULL)
		r->retry_from = -1;
	if ((rec = json_object_get(doc, "recovered")) != NULL &&
	    json_is_object(rec)) {
		/* an undo or a retry ran already: owl recover refuses another
		 */
		snprintf(r->recovered, sizeof r->recovered,
		    "%s by run %" JSON_INTEGER_FORMAT ", %s",
		    json_string_value(json_object_get(rec, "choice")) ?: "?",
		    json_integer_value(json_object_get(rec, "run")),
		    json_string_value(json_object_get(rec, "outcome")) ?: "?");
		r->undoable = 0;
		r->retry_from = -1;
	}
	if ((res = json_object_get(doc, "resolved")) != NULL &&
	    json_is_object(res))
		snprintf(r->resolved, sizeof r->resolved, "%s: %s",
		    json_string_value(json_object_get(res, "actor")) ?: "?",
		    json_string_value(json_object_get(res, "note")) ?: "");
	json_decref(doc);
	return 0;
}

void
recover_begin(struct app *a, int64_t id)
{
	struct app_recover *r = &a->recover;
	char label[APP_MSG_MAX];
	size_t o;

	if (id == 0) {
		frame_message(a, SCREEN_ALARM, "no run selected");
		return;
	}
	if (recover_look(a, id, r) == -1)
		return;
	/* the choices first: they fit in 80 columns */
	o = (size_t)snprintf(
	    label, sizeof label, "recover run %" PRId64 ": c re-check", id);
	if (r->undoable > 0 && o < sizeof label)
		o += (size_t)snprintf(label + o, sizeof label - o,
		    "  u undo its %zu done step%s", r->undoable,
		    r->undoable == 1 ? "" : "s");
	if (r->retry_from >= 0 && o < sizeof label)
		o += (size_t)snprintf(label + o, sizeof label - o, "  t retry");
	if (o < sizeof label)
		o += (size_t)snprintf(label + o, sizeof label - o,
		    "  m mark resolved  (%.60s, interrupted%s%.100s%s%.120s)",
		    r->runbook, r->recovered[0] ? "; recovered: " : "",
		    r->recovered, r->resolved[0] ? "; resolved by " : "",
		    r->resolved);
	a->prompt = APP_PROMPT_RECOVER;
	snprintf(a->prompt_label, sizeof a->prompt_label, "%s", label);
	a->frame.dirty = 1;
}

/* `owl recover RUN FLAG` in a process of its own (new session, no
 * terminal; the grandchild of the TUI, so never a zombie of it). */
static int
recover_spawn(struct app *a, int64_t id, const char *flag)
{
	char run[32], *argv[12];
	int k = 0, devnull;
	pid_t pid;

	snprintf(run, sizeof run, "%" PRId64, id);
	argv[k++] = "owl";
	k = run_start_db(a, argv, k);
	if (a->config_flag != NULL) {
		argv[k++] = "--config";
		argv[k++] = (char *)a->config_flag;
	}
	argv[k++] = "recover";
	argv[k++] = run;
	argv[k++] = (char *)flag;
	/* a retry's later confirm() questions: the operator said yes to
	 * the retry knowing they are answered yes (there is no terminal) */
	if (strcmp(flag, "--retry") == 0)
		argv[k++] = "--yes";
	argv[k] = NULL;
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		setsid();
		signal(SIGHUP, SIG_IGN);
		if (fork() != 0)
			_exit(0);
		if ((devnull = open("/dev/null", O_RDWR)) != -1) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
	return 0;
}

static void
recover_start(struct app *a, const char *flag, const char *what)
{
	struct app_recover *r = &a->recover;

	if (recover_spawn(a, r->run, flag) == -1) {
		frame_message(a, SCREEN_ALARM, "cannot start owl recover: %s",
		    strerror(errno));
		return;
	}
	act_run_note(a, 0, "run %" PRId64 " %s: owl recover %s started", r->run,
	    r->runbook, flag);
	frame_message(a, SCREEN_OK,
	    "owl recover %" PRId64 " %s started: %s go%s to run %" PRId64
	    "'s log",
	    r->run, flag, what, strcmp(what, "what it sees") == 0 ? "es" : "",
	    r->run);
}

void
recover_key(struct app *a, int key)
{
	struct app_recover *r = &a->recover;
	char label[APP_MSG_MAX];

	a->prompt = APP_PROMPT_NONE;
	if (key == 'c') {
		recover_start(a, "--recheck", "what it sees");
	} else if (key == 'u' && r->undoable > 0) {
		snprintf(label, sizeof label,
		    "Run the undo of the %zu step%s run %" PRId64
		    " did, newest first, in a new run? [y/N]",
		    r->undoable, r->undoable == 1 ? "" : "s", r->run);
		a->prompt = APP_PROMPT_RECOVER_UNDO;
		snprintf(a->prompt_label, sizeof a->prompt_label, "%s", label);
	} else if (key == 't' && r->retry_from >= 0) {
		if (r->retry_from > 0)
			snprintf(label, sizeof label,
			    "Retry run %" PRId64 " from step %" PRId64
			    " (later confirm()s answered yes)? [y/N]",
			    r->run, r->retry_from);
		else
			snprintf(label, sizeof label,
			    "Run the rest of run %" PRId64
			    " (later confirm()s answered yes)? [y/N]",
			    r->run);
		a->prompt = APP_PROMPT_RECOVER_RETRY;
		snprintf(a->prompt_label, sizeof a->prompt_label, "%s", label);
	} else if (key == 'm') {
		snprintf(label, sizeof label,
		    "run %" PRId64 " resolved by hand: say what you found and "
		    "did: ",
		    r->run);
		a->prompt = APP_PROMPT_RECOVER_NOTE;
		snprintf(a->prompt_label, sizeof a->prompt_label, "%s", label);
		lineedit_init(&a->le, NULL);
	} else {
		frame_message(a, SCREEN_NORMAL, "nothing done");
	}
	a->frame.dirty = 1;
}

void
recover_undo_key(struct app *a, int key)
{
	enum app_prompt kind = a->prompt;

	a->prompt = APP_PROMPT_NONE;
	if (key != 'y' && key != 'Y') {
		frame_message(a, SCREEN_NORMAL, "cancelled: nothing done");
		return;
	}
	if (kind == APP_PROMPT_RECOVER_RETRY)
		recover_start(a, "--retry", "its new run and the outcome");
	else
		recover_start(a, "--undo", "its undo run and the outcome");
}

void
recover_resolve(struct app *a, const char *note)
{
	struct app_recover *r = &a->recover;
	struct err err;

	err_init(&err);
	note += strspn(note, " ");
	if (*note == '\0') {
		frame_message(a, SCREEN_NORMAL,
		    "no note: nothing done (say what you found and did)");
		return;
	}
	if (rb_recover_log(
	        a->store, r->run, a->actor, "resolved", note, NULL, &err) == -1)
		frame_message(a, SCREEN_ALARM, "not resolved: %s", err.msg);
	else {
		frame_message(a, SCREEN_OK,
		    "run %" PRId64 " marked resolved by %s", r->run, a->actor);
		act_run_note(a, 0,
		    "run %" PRId64 " %s: marked resolved: %.200s", r->run,
		    r->runbook, note);
	}
	frame_top(a)->reload(a);
}
