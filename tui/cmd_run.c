/* cmd_run.c: `owl run NAME`: runs a runbook (or dry-runs it), printing
 * live progress, the plan of a dry-run, and where a live run departed
 * from the last plan; or one JSON document with --json. */
#include "cmd_run.h"
#include "cmd_run_int.h"

#include "cmd_plan.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "integrations/rbsel.h"
#include "engine/clock.h"
#include "engine/config.h"
#include "engine/heap.h"
#include "engine/rb_ask.h"
#include "engine/plan.h"
#include "engine/rb_run.h"
#include "engine/sanitize.h"
#include "engine/words.h"
#include "integrations/runner.h"

static volatile sig_atomic_t cmd_run_cancel;

static void
cmd_run_on_sigint(int sig)
{
	(void)sig;
	cmd_run_cancel++;
}

struct cmd_run_ui {
	int quiet; /* --json: nothing but the document on stdout */
	int open; /* a step line is waiting for its result */
	int64_t total;
	/* --detach: the run's own process */
	struct store *store;
	int report_fd; /* tells the starter the run id, then closed; -1 */
	int64_t run_id;
	int64_t wait_us; /* how long confirm() waits for an answer */
};

/* --detach: the id of our run (the newest running one of this pid),
 * told once to the process that started us. */
static void
cmd_run_detached_id(struct cmd_run_ui *u)
{
	static const char sql[] = "SELECT id FROM runs WHERE pid = ?"
	                          " ORDER BY id DESC LIMIT 1";
	struct store_stmt *st;
	char line[64];
	ssize_t w;
	int n;

	if (u->store == NULL || u->run_id != 0)
		return;
	if ((st = store_stmt(u->store, sql, NULL)) == NULL)
		return;
	store_bind_int64(st, 1, (int64_t)getpid());
	if (store_step(st) == STORE_ROW)
		u->run_id = store_col_int64(st, 0);
	store_reset(st);
	if (u->run_id != 0 && u->report_fd != -1) {
		n = snprintf(line, sizeof line, "run %" PRId64 "\n", u->run_id);
		w = write(u->report_fd, line, (size_t)n);
		(void)w;
		close(u->report_fd);
		u->report_fd = -1;
	}
}

static void
cmd_run_print(const char *s)
{
	char *clean = sanitize_dup(s, 0);

	fputs(clean ? clean : "?", stdout);
	free(clean);
}

static void
cmd_run_close_line(struct cmd_run_ui *u)
{
	if (u->open)
		putchar('\n');
	u->open = 0;
}

static void
cmd_run_step_head(const struct rb_event *ev)
{
	if (ev->undo)
		printf("[undo %" PRId64 "] ", ev->i);
	else if (ev->total > 0)
		printf("[%" PRId64 "/%" PRId64 "] ", ev->i, ev->total);
	else
		printf("[%" PRId64 "] ", ev->i);
	cmd_run_print(ev->name);
	fputs(" ... ", stdout);
}

static void
cmd_run_effect_line(const json_t *e)
{
	const json_t *status = json_object_get(e, "status");
	const json_t *code = json_object_get(e, "code");

	printf("      %s ",
	    json_is_true(json_object_get(e, "write")) ? "write" : "read ");
	cmd_run_print(json_string_value(json_object_get(e, "kind")));
	putchar(' ');
	cmd_run_print(json_string_value(json_object_get(e, "target")));
	if (json_is_integer(status))
		printf(" -> %" JSON_INTEGER_FORMAT, json_integer_value(status));
	if (json_is_integer(code))
		printf(
		    " -> exit %" JSON_INTEGER_FORMAT, json_integer_value(code));
	if (json_is_true(json_object_get(e, "simulated")))
		fputs(" (simulated)", stdout);
	if (json_is_string(json_object_get(e, "note"))) {
		putchar(' ');
		cmd_run_print(json_string_value(json_object_get(e, "note")));
	}
	if (json_is_string(json_object_get(e, "error"))) {
		fputs(" failed: ", stdout);
		cmd_run_print(json_string_value(json_object_get(e, "error")));
	}
	putchar('\n');
}

static void
cmd_run_event(void *ctx, const struct rb_event *ev)
{
	struct cmd_run_ui *u = ctx;

	cmd_run_detached_id(u);
	if (u->quiet)
		return;
	switch (ev->type) {
	case RB_EV_STEP_BEGIN:
		cmd_run_close_line(u);
		cmd_run_step_head(ev);
		u->open = 1;
		break;
	case RB_EV_STEP_END:
		if (!u->open)
			cmd_run_step_head(ev);
		printf("%s %" PRId64 " ms\n", ev->status, ev->ms);
		if (ev->error != NULL) {
			fputs("      ", stdout);
			cmd_run_print(ev->error);
			putchar('\n');
		}
		u->open = 0;
		break;
	case RB_EV_LOG:
		cmd_run_close_line(u);
		fputs("      log: ", stdout);
		cmd_run_print(ev->text);
		putchar('\n');
		break;
	case RB_EV_EFFECT:
		cmd_run_close_line(u);
		if (ev->effect != NULL)
			cmd_run_effect_line(ev->effect);
		break;
	}
	/* no fflush: the broker calls cmd_run_flush before it waits */
}

static void
cmd_run_flush(void *ctx)
{
	(void)ctx;
	fflush(stdout);
}

/* --detach: confirm() asked in the action log (engine/rb_ask.h), waited
 * on until any TUI or `owl answer` answers, ^C (cancel) or the run's
 * timeout. */
static enum rb_confirm
cmd_run_confirm_db(struct cmd_run_ui *u, const char *text, const char *target)
{
	int64_t n, until = clock_mono_us() + u->wait_us;
	char who[128];
	struct err err;
	int yes;

	err_init(&err);
	cmd_run_detached_id(u);
	if (u->run_id == 0 ||
	    rb_ask_question(u->store, u->run_id, text, target, &n, &err) == -1)
		return RB_CONFIRM_NOBODY;
	while (!cmd_run_cancel && clock_mono_us() < until) {
		yes = rb_ask_answer_of(
		    u->store, u->run_id, n, who, sizeof who, &err);
		if (yes >= 0)
			return yes ? RB_CONFIRM_YES : RB_CONFIRM_NO;
		if (yes == -2)
			break;
		usleep(200 * 1000);
	}
	/* cancelled while it waited: not confirmed */
	return cmd_run_cancel ? RB_CONFIRM_NO : RB_CONFIRM_NOBODY;
}

/* confirm({ type = "target" }): the operator types the target's name
 * (k9s style) on a terminal, or, detached, in a TUI's text field (or
 * owl answer RUN yes --target NAME); anything else declines. */
static enum rb_confirm
cmd_run_confirm_target(void *ctx, const char *text, const char *target)
{
	struct cmd_run_ui *u = ctx;
	char line[256], *clean, *ctarget;
	size_t n;

	if (u->store != NULL)
		return cmd_run_confirm_db(u, text, target);
	if (!isatty(STDIN_FILENO))
		return RB_CONFIRM_NOBODY;
	cmd_run_close_line(u);
	fflush(stdout);
	clean = sanitize_dup(text, 0);
	ctarget = sanitize_dup(target, 0);
	fprintf(stderr, "%s\nType %s to confirm: ", clean ? clean : "?",
	    ctarget ? ctarget : "?");
	free(clean);
	free(ctarget);
	fflush(stderr);
	if (fgets(line, sizeof line, stdin) == NULL)
		return RB_CONFIRM_NO;
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	return strcmp(line, target) == 0 ? RB_CONFIRM_YES : RB_CONFIRM_NO;
}

/* confirm(): a y/N prompt when stdin is a terminal, else nobody. */
static enum rb_confirm
cmd_run_confirm(void *ctx, const char *text)
{
	struct cmd_run_ui *u = ctx;
	char line[64];
	char *clean;

	if (u->store != NULL)
		return cmd_run_confirm_db(u, text, NULL);
	if (!isatty(STDIN_FILENO))
		return RB_CONFIRM_NOBODY;
	cmd_run_close_line(u);
	fflush(stdout);
	clean = sanitize_dup(text, 0);
	fprintf(stderr, "%s [y/N] ", clean ? clean : "?");
	free(clean);
	fflush(stderr);
	if (fgets(line, sizeof line, stdin) == NULL)
		return RB_CONFIRM_NO;
	return strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0
	    ? RB_CONFIRM_YES
	    : RB_CONFIRM_NO;
}

/* The writes a run's plan holds (undo excluded). */
static int64_t
cmd_run_writes(const struct rb_run_result *r)
{
	const json_t *e,
	    *fx = json_object_get(json_object_get(r->doc, "plan"), "effects");
	int64_t n = 0;
	size_t i;

	json_array_foreach(fx, i, e) n +=
	    json_is_true(json_object_get(e, "write")) &&
	    !json_is_true(json_object_get(e, "undo"));
	return n;
}

/* The plan of a dry-run: its id and hash, then every effect in full. */
static void
cmd_run_plan(const struct rb_run_result *r)
{
	const json_t *plan = json_object_get(r->doc, "plan"), *e;
	const json_t *effects = json_object_get(plan, "effects");
	int64_t writes = 0;
	size_t i;

	json_array_foreach(effects, i, e) writes +=
	    json_is_true(json_object_get(e, "write"));
	/* the plan and the run have numbers of their own: say which is
	 * which, so that "plan 22" beside "run 23" is not read as a mismatch */
	printf("\nPlan %" PRId64 ", made by dry-run run %" PRId64
	       " (%zu effect%s, %" PRId64 " write%s)\nhash %s\n",
	    r->plan_id, r->run_id, json_array_size(effects),
	    words_s((int64_t)json_array_size(effects)), writes, words_s(writes),
	    json_string_value(json_object_get(plan, "hash")));
	cmd_plan_effects(effects);
}

static void
cmd_run_departures(const struct rb_run_result *r)
{
	const json_t *d;
	size_t i;

	if (r->compared_plan == 0) {
		puts(
		    "No dry-run plan of this runbook version with these params "
		    "to compare with.");
		return;
	}
	if (json_array_size(r->departures) == 0) {
		printf("As planned: the writes match plan %" PRId64 ".\n",
		    r->compared_plan);
		return;
	}
	printf("Departed from plan %" PRId64 ":\n", r->compared_plan);
	json_array_foreach(r->departures, i, d)
	{
		printf("  %-9s %s ",
		    json_string_value(json_object_get(d, "departure")),
		    json_string_value(json_object_get(d, "kind")));
		cmd_run_print(json_string_value(json_object_get(d, "target")));
		putchar('\n');
	}
}

/* Which version runs, before it starts (not with --json). */
static void
cmd_run_origin(void *ctx, const char *text)
{
	(void)ctx;
	cmd_run_print(text);
	putchar('\n');
}

static int
cmd_run_report(const struct cli *cli, const struct rb_run_opts *o,
    const struct rb_run_result *r)
{
	char *err;

	/* a recovery ends "failed" by design once the undo ran to the end */
	if (o->replay > 0 && !o->retry && strcmp(r->status, "failed") == 0) {
		if (cli->json) {
			json_dumpf(
			    r->doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
			putchar('\n');
		} else {
			printf("ok: run %" PRId64 " undid what run %" PRId64
			       " did (the undo of its %" PRId64
			       " step%s done, newest first)\n",
			    r->run_id, o->replay_of, o->replay,
			    words_s(o->replay));
		}
		return CLI_OK;
	}
	if (cli->json) {
		json_dumpf(r->doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
	} else if (o->dry_run) {
		cmd_run_plan(r);
	} else if (strcmp(r->status, "ok") == 0) {
		cmd_run_departures(r);
	}
	if (strcmp(r->status, "ok") != 0) {
		err = sanitize_dup(r->error, 0);
		if (err != NULL && strncmp(err, "run ", 4) == 0 &&
		    isdigit((unsigned char)err[4]))
			fprintf(stderr, "owl: %s\n", err);
		else if (err != NULL && strncmp(err, "run ", 4) == 0)
			fprintf(stderr, "owl: run %" PRId64 " %s\n", r->run_id,
			    err + 4); /* "run exceeded its timeout" */
		else
			fprintf(stderr, "owl: run %" PRId64 " %s: %s\n",
			    r->run_id, r->status, err ? err : "");
		free(err);
	} else if (!cli->json) {
		if (o->dry_run && strcmp(r->approval, "two-person") == 0)
			printf("ok: run %" PRId64 " (dry-run: nothing was "
			       "changed; its writes are plan %" PRId64 ")\n"
			       "This runbook needs another person's approval: "
			       "owl approve %" PRId64
			       ", then owl apply %" PRId64 "\n",
			    r->run_id, r->plan_id, r->plan_id, r->plan_id);
		else if (o->dry_run)
			printf("ok: run %" PRId64 " (dry-run: nothing was "
			       "changed; its writes are plan %" PRId64 ")\n"
			       "Apply exactly this plan: owl apply %" PRId64
			       "\n",
			    r->run_id, r->plan_id, r->plan_id);
		else
			printf("ok: run %" PRId64 "\n", r->run_id);
	}
	return r->exit_code;
}

static int
cmd_run_param(struct cmd_run_args *a, const struct cli_cmd *cmd, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char name[128];
	json_t *v;

	if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof name)
		return cli_usage(cmd, "--param: give NAME=VALUE, not '%s'", kv);
	snprintf(name, sizeof name, "%.*s", (int)(eq - kv), kv);
	if ((v = json_string(eq + 1)) == NULL)
		return cli_usage(cmd, "--param %s: not UTF-8 text", name);
	if (json_object_set_new(a->params, name, v) == -1)
		return cli_usage(cmd, "--param %s: not a UTF-8 name", name);
	return CLI_OK;
}

int
cmd_run_live_option(struct cli *cli, const struct cli_cmd *cmd,
    struct cmd_run_args *a, int c, const char *arg)
{
	struct err err;

	err_init(&err);
	if (c == 'y')
		a->q.o.yes = 1;
	else if (c == 'j')
		cli->json = 1;
	else if (c == 't' &&
	    clock_parse_duration(arg, &a->q.o.timeout_us, &err) == -1)
		return cli_usage(cmd, "--timeout: %s", err.msg);
	else if (c == 'U')
		a->q.o.no_undo = 1;
	else if (c == 'W')
		a->q.o.wait = 1;
	else if (c == 'B')
		a->detach = 1;
	else if (c != 't')
		return 1;
	return CLI_OK;
}

static int
cmd_run_opts(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    struct cmd_run_args *a)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "offline", no_argument, NULL, 'o' },
		{ "detailed-exitcode", no_argument, NULL, 'D' },
		{ "param", required_argument, NULL, 'p' },
		{ "incident", required_argument, NULL, 'i' },
		CMD_RUN_LIVE_OPTS,
		RBSEL_OPTS,
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	long long inc;
	int c, rc = CLI_OK;

	while (
	    (c = cli_getopt(cli, cmd, argc, argv, "np:y", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if ((rc = cmd_run_live_option(cli, cmd, a, c, optarg)) != 1) {
			if (rc != CLI_OK)
				return rc;
			continue;
		}
		rc = CLI_OK;
		if (c == 'n')
			a->q.o.dry_run = 1;
		else if (c == 'o')
			a->q.o.offline = 1;
		else if (c == 'D')
			a->detailed = 1;
		else if (c == 'p' && cmd_run_param(a, cmd, optarg) != CLI_OK)
			return CLI_USAGE;
		else if (c == 'i' && cli_incident_id(optarg, &inc) == -1)
			return cli_usage(cmd,
			    "--incident: '%s' is not an "
			    "incident id",
			    optarg);
		else if (c == 'i')
			a->q.o.incident = inc;
		else
			rbsel_option(&a->sel, c, optarg);
	}
	if (optind >= argc)
		return cli_usage(cmd, "run: name a runbook");
	a->q.o.name = argv[optind++];
	if (optind < argc)
		return cli_usage(
		    cmd, "run: unexpected argument '%s'", argv[optind]);
	if (a->q.o.offline && !a->q.o.dry_run)
		return cli_usage(cmd, "--offline goes with --dry-run");
	if (a->detailed && !a->q.o.dry_run)
		return cli_usage(
		    cmd, "--detailed-exitcode goes with --dry-run");
	return CLI_OK;
}

int
cmd_run_go(struct cli *cli, struct cmd_run_args *a, struct store *s)
{
	struct cmd_run_ui u = { .quiet = cli->json || a->detach,
		.report_fd = -1 };
	struct rb_ui ui = { &u, cmd_run_event, cmd_run_confirm,
		cmd_run_confirm_target, cmd_run_flush };
	struct sigaction sa, old;
	struct rb_run_result r;
	struct err err;
	int rc;

	err_init(&err);
	a->q.o.ui = &ui;
	a->q.o.cancel = &cmd_run_cancel;
	a->q.sel = &a->sel;
	a->q.config = a->config;
	a->q.note = cli_note;
	a->q.origin = cli->json ? NULL : cmd_run_origin;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cmd_run_on_sigint;
	sigaction(SIGINT, &sa, &old);
	if (a->detach) {
		u.store = s;
		u.report_fd = a->report_fd;
		u.wait_us = a->q.o.timeout_us > 0 ? a->q.o.timeout_us
		                                  : RB_RUN_TIMEOUT_US;
	}
	rc = runner_run(s, &a->q, &r, &err);
	sigaction(SIGINT, &old, NULL);
	a->ran = rc == 0 ? r.run_id : 0;
	snprintf(a->ran_status, sizeof a->ran_status, "%s",
	    rc == 0 ? r.status : "not started");
	if (a->detach) {
		if (rc == 0 && u.run_id == 0 && u.report_fd != -1)
			dprintf(u.report_fd, "run %" PRId64 "\n", r.run_id);
		else if (rc == -1 && u.report_fd != -1)
			dprintf(
			    u.report_fd, "error %d %s\n", err.code, err.msg);
		if (u.report_fd != -1)
			close(u.report_fd);
		json_decref(r.doc);
		return rc == -1 ? CLI_FAILED : CLI_OK;
	}
	if (u.open)
		putchar('\n');
	if (rc == -1)
		rc = cli_fail(&err);
	else
		rc = cmd_run_report(cli, &a->q.o, &r);
	/* a CI gate: 0 nothing to change, 2 writes planned, 1 an error */
	if (a->detailed && rc == CLI_OK && cmd_run_writes(&r) > 0)
		rc = 2;
	else if (a->detailed && rc != CLI_OK)
		rc = CLI_FAILED;
	json_decref(r.doc);
	return rc;
}

/* --detach, in the starter: reads "run N" (or "error CODE MSG") from
 * the run's process and says where to follow it. */
static int
cmd_run_detach_wait(struct cli *cli, int fd, pid_t pid)
{
	char buf[1200];
	size_t n = 0;
	ssize_t r;
	long long id;
	int code;

	while (n + 1 < sizeof buf &&
	    (r = read(fd, buf + n, sizeof buf - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
		if (memchr(buf, '\n', n) != NULL)
			break;
	}
	buf[n] = '\0';
	close(fd);
	buf[strcspn(buf, "\n")] = '\0';
	if (sscanf(buf, "run %lld", &id) == 1) {
		if (cli->json)
			printf(
			    "{\"run\": %lld, \"pid\": %ld}\n", id, (long)pid);
		else
			printf(
			    "run %lld started in its own process (pid %ld); "
			    "follow: owl runs show %lld; answer a confirm(): "
			    "owl answer %lld yes|no\n",
			    id, (long)pid, id, id);
		return CLI_OK;
	}
	if (sscanf(buf, "error %d %n", &code, &(int){ 0 }) == 1) {
		char *msg = sanitize_dup(
		    strchr(buf + 6, ' ') ? strchr(buf + 6, ' ') + 1 : "", 0);

		fprintf(stderr, "owl: %s\n", msg ? msg : "?");
		free(msg);
		return code == ERR_USAGE  ? CLI_USAGE
		    : code == ERR_REFUSED ? CLI_REFUSED
		                          : CLI_FAILED;
	}
	fprintf(stderr,
	    "owl: run: the run's process ended before it "
	    "started the run\n");
	return CLI_FAILED;
}

int
cmd_run_detach_fail(struct cmd_run_args *a, const struct err *err)
{
	if (a->report_fd != -1) {
		dprintf(a->report_fd, "error %d %s\n", err->code, err->msg);
		close(a->report_fd);
		a->report_fd = -1;
	}
	return CLI_FAILED;
}

int
cmd_run_detach(struct cli *cli, struct cmd_run_args *a)
{
	int fds[2], devnull;
	pid_t mid, pid = 0;
	ssize_t r;

	fflush(NULL);
	if (pipe(fds) == -1) {
		fprintf(stderr, "owl: run: pipe: %s\n", strerror(errno));
		return CLI_FAILED;
	}
	if ((mid = fork()) == -1) {
		fprintf(stderr, "owl: run: fork: %s\n", strerror(errno));
		return CLI_FAILED;
	}
	if (mid == 0) {
		/* the middle process: a new session, then the run's process
		 * as its child. That child sends its own pid up the pipe
		 * before anything else: it may run before its parent does,
		 * and its "error ..." line must not come before the pid
		 * (11-detach-order.t) */
		setsid();
		signal(SIGHUP, SIG_IGN);
		if ((pid = fork()) != 0)
			_exit(pid == -1);
		close(fds[0]);
		pid = getpid();
		r = write(fds[1], &pid, sizeof pid);
		(void)r;
		if ((devnull = open("/dev/null", O_RDWR)) != -1) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
			dup2(devnull, STDERR_FILENO);
			if (devnull > STDERR_FILENO)
				close(devnull);
		}
		a->report_fd = fds[1];
		return 1;
	}
	close(fds[1]);
	while (waitpid(mid, NULL, 0) == -1 && errno == EINTR)
		;
	if (read(fds[0], &pid, sizeof pid) != (ssize_t)sizeof pid || pid <= 0) {
		close(fds[0]);
		fprintf(
		    stderr, "owl: run: could not start the run's process\n");
		return CLI_FAILED;
	}
	return cmd_run_detach_wait(cli, fds[0], pid);
}

static int
cmd_run_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	void *huge = NULL;
	struct cmd_run_args a = { 0 };
	struct store *s = NULL;
	struct err err;
	int rc;

	a.params = json_object();
	a.q.o.params = a.params;
	a.report_fd = -1;
	if ((rc = cmd_run_opts(cli, cmd, argc, argv, &a)) != CLI_OK)
		goto out;
	if (a.detach && (rc = cmd_run_detach(cli, &a)) != 1)
		goto out;
	huge = heap_huge(CMD_RUN_HEAP); /* this process ends with the run */
	err_init(&err);
	a.sel.note = cli_note;
	if ((a.config = config_load(cli->config, &err)) == NULL ||
	    rbsel_config(&a.sel, a.config, &err) == -1 ||
	    (s = cli_store_named_existing(cli, &err)) == NULL) {
		rc = a.report_fd != -1 ? cmd_run_detach_fail(&a, &err)
		                       : cli_fail(&err);
		goto out;
	}
	rc = cmd_run_go(cli, &a, s);
out:
	store_close(s);
	free(huge);
	config_free(a.config);
	json_decref(a.params);
	return rc;
}

/* `owl run`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_run_entry = { "run",
	"run NAME [--dry-run [--offline] [--detailed-exitcode]] "
	"[--param K=V]... "
	"[--incident INC] [--yes] [--json] [--timeout D] [--no-undo] [--wait] "
	"[--detach] "
	"[--runbooks DIR | --repo PATH|URL [--rev REV] [--worktree]]",
	"Run a runbook, or dry-run it to see exactly what it would do.",
	"  The runbook is NAME.lua read from a git commit (--repo, --rev;\n"
	"  the commit, ref and blob id are recorded with the run, and so\n"
	"  are the modules it requires) or a plain directory (--runbooks).\n"
	"  With runbooks.require_signed, an unverified commit is refused\n"
	"  (exit 3, logged). It runs in a sandboxed worker\n"
	"  process; every effect is logged before and after, secrets are\n"
	"  masked. Progress is printed as it goes ([2/5] step ... ok 120 ms).\n"
	"\nOptions:\n"
	"  --dry-run       change nothing: reads run live, writes are\n"
	"                  recorded in a stored plan (file writes with a\n"
	"                  diff) and printed; confirm() is answered yes\n"
	"  --offline       with --dry-run: no reads either: an HTTP read\n"
	"                  fails the step saying it was not made (a made-up\n"
	"                  answer would mislead the runbook), file reads\n"
	"                  are unknown; a runbook that reads before it\n"
	"                  writes needs the network (or owl test NAME)\n"
	"  --detailed-exitcode  with --dry-run, a CI gate: exit 0 when no\n"
	"                  write is planned, 2 when writes are, 1 on error\n"
	"  --param K=V     a runbook parameter (repeat); unknown names and\n"
	"                  missing required ones are refused (exit 2)\n"
	"  --incident INC  run for an incident (42 or INC-42); the lease\n"
	"                  is on (runbook, incident)\n"
	"  --yes           answer yes to confirm() (needed without a\n"
	"                  terminal: else the run stops with exit 3)\n"
	"  --json          print one JSON document: run, runbook, commit,\n"
	"                  origin {kind, repo, ref, commit, blob,\n"
	"                  worktree, dirty}, status, dry_run, plan {id,\n"
	"                  hash, effects},\n"
	"                  steps, error, departures\n"
	"  --timeout D     wall-clock limit (e.g. 90s, 5m); default: the\n"
	"                  runbook's timeout, else 10m\n"
	"  --no-undo       on failure, do not run the undo functions\n"
	"  --wait          a target (URL, file, secret) another run is\n"
	"                  changing: wait for it instead of refusing\n"
	"  --detach        run in a process of its own (new session, no\n"
	"                  terminal) and return once it has started: it\n"
	"                  prints the run id; confirm() waits for owl\n"
	"                  answer RUN yes|no or a TUI; owl runs show RUN\n"
	"                  follows it\n" RBSEL_HELP
	"\nA live run ends by saying where it departed from the last dry-run\n"
	"plan of the same runbook and params. ^C cancels (undo runs); a\n"
	"second ^C stops the worker at once. A second live run of the same\n"
	"runbook for the same incident is refused (exit 3) while the first\n"
	"holds its lease. A hang-up (a dropped SSH connection) does not\n"
	"stop a run: it goes on and records everything in the database.\n"
	"\nOutcomes: ok; failed (the undo of the steps done completed);\n"
	"rollback-failed (an undo failed: the world is half-changed, and\n"
	"the last line names the steps left undone); cancelled;\n"
	"interrupted (owl died: see owl recover RUN).\n"
	"\nExit codes: 0 ok, 1 the run failed or was cancelled, 2 bad usage\n"
	"or a runbook that does not load, 3 refused (lease held, confirm\n"
	"without a terminal).\n",
	cmd_run_run };
