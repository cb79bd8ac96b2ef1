/* run_start.c: how the TUI starts, answers and cancels runs. A run is
 * never a child of the TUI: it is `owl run NAME --detach` (or `owl apply
 * PLAN --detach`), a process of
 * its own in its own session (DESIGN "Runs outlive the terminal"), which
 * writes everything to the database that the TUI reads back; killing
 * the TUI or losing the terminal does not touch it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tui_int.h"
#include "engine/actlog.h"
#include "engine/rb_ask.h"
#include "engine/rb_lease.h"
#include "engine/rb_runs.h"

#define RUN_START_ARGS_MAX 96
#define RUN_START_WAIT_MS 60000 /* for the run's process to start */

/* Reads what fd says until it closes or the deadline passes. */
static void
run_start_read(int fd, char *out, size_t n)
{
	size_t o = 0;
	int64_t end = clock_mono_us() + RUN_START_WAIT_MS * INT64_C(1000);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t r;

	out[0] = '\0';
	while (o + 1 < n && clock_mono_us() < end) {
		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((r = read(fd, out + o, n - 1 - o)) <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			break;
		}
		o += (size_t)r;
	}
	out[o] = '\0';
}

int
run_start_db(struct app *a, char **argv, int k)
{
	const char *db = store_path(a->store);

	if (store_is_url(db)) {
		setenv("OWL_DB", db, 1);
		return k;
	}
	argv[k++] = "--db";
	argv[k++] = (char *)db;
	return k;
}

/* The arguments every run the TUI starts gets: its own process, one
 * JSON line back, this TUI's database and config. */
static int
run_start_common(struct app *a, char **argv, int k)
{
	argv[k++] = "--detach";
	argv[k++] = "--json";
	k = run_start_db(a, argv, k);
	if (a->config_flag != NULL) {
		argv[k++] = "--config";
		argv[k++] = (char *)a->config_flag;
	}
	return k;
}

/* Runs `owl ARGV` (which detaches) and reads back the id of the run it
 * started; -1 with why in msg. what names it in the message. */
static int64_t
run_start_spawn(char **argv, const char *what, char *msg, size_t n)
{
	char out[2048];
	int fds[2], errfds[2], devnull;
	json_t *doc;
	int64_t id = -1;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1)
		goto fail;
	if (pipe2(errfds, O_CLOEXEC) == -1) {
		close(fds[0]);
		close(fds[1]);
		goto fail;
	}
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		close(errfds[0]);
		close(errfds[1]);
		goto fail;
	}
	if (pid == 0) {
		if ((devnull = open("/dev/null", O_RDONLY)) != -1)
			dup2(devnull, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(errfds[1], STDERR_FILENO);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(fds[1]);
	close(errfds[1]);
	run_start_read(fds[0], out, sizeof out);
	close(fds[0]);
	if ((doc = json_loads(out, 0, NULL)) != NULL &&
	    json_is_integer(json_object_get(doc, "run"))) {
		id = json_integer_value(json_object_get(doc, "run"));
		snprintf(msg, n, "run %" PRId64 " started: %s", id, what);
	} else {
		run_start_read(errfds[0], out, sizeof out);
		out[strcspn(out, "\n")] = '\0';
		snprintf(msg, n, "run not started: %s",
		    strncmp(out, "owl: ", 5) == 0 ? out + 5 : out);
	}
	json_decref(doc);
	close(errfds[0]);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
	return id;
fail:
	snprintf(msg, n, "cannot start the run: %s", strerror(errno));
	return -1;
}

int64_t
run_start(struct app *a, const char *name, const json_t *params,
    int64_t incident, int dry_run, char *msg, size_t n)
{
	char *argv[RUN_START_ARGS_MAX], inc[32], what[160], *kv[40];
	int k = 0, nkv = 0;
	const char *key;
	json_t *v;
	int64_t id;

	argv[k++] = "owl";
	argv[k++] = "run";
	argv[k++] = (char *)name;
	k = run_start_common(a, argv, k);
	if (incident != 0) {
		snprintf(inc, sizeof inc, "%" PRId64, incident);
		argv[k++] = "--incident";
		argv[k++] = inc;
	}
	if (dry_run)
		argv[k++] = "--dry-run";
	json_object_foreach((json_t *)params, key, v)
	{
		if (nkv >= 40 || k + 2 >= RUN_START_ARGS_MAX)
			break;
		if (asprintf(&kv[nkv], "%s=%s", key,
		        json_is_string(v) ? json_string_value(v) : "") < 0)
			break;
		argv[k++] = "--param";
		argv[k++] = kv[nkv++];
	}
	argv[k] = NULL;
	snprintf(what, sizeof what, "%s%s", name, dry_run ? " (dry-run)" : "");
	id = run_start_spawn(argv, what, msg, n);
	for (int i = 0; i < nkv; i++)
		free(kv[i]);
	return id;
}

int64_t
run_apply(struct app *a, int64_t plan, char *msg, size_t n)
{
	char *argv[RUN_START_ARGS_MAX], id[32], what[64];
	int k = 0;

	snprintf(id, sizeof id, "%" PRId64, plan);
	argv[k++] = "owl";
	argv[k++] = "apply";
	argv[k++] = id;
	k = run_start_common(a, argv, k);
	argv[k] = NULL;
	snprintf(what, sizeof what, "applying plan %" PRId64, plan);
	return run_start_spawn(argv, what, msg, n);
}

/* The row of the run to cancel: its state and where it runs. */
struct run_cancel_row {
	char status[32], host[256];
	int64_t pid;
};

static int
run_cancel_take(const struct rb_runs_row *r, void *ctx)
{
	struct run_cancel_row *c = ctx;

	snprintf(c->status, sizeof c->status, "%s", r->status);
	snprintf(c->host, sizeof c->host, "%s", r->host ? r->host : "");
	c->pid = r->pid;
	return 1;
}

int
run_cancel(struct app *a, int64_t run, char *msg, size_t n)
{
	struct actlog_new e = { .actor = a->actor,
		.run = run,
		.kind = "run.cancel_asked",
		.detail = "{}" };
	struct rb_runs_query q = { .run = run };
	struct run_cancel_row c = { "", "", 0 };
	char host[256];
	struct err err;
	int ok = -1;

	err_init(&err);
	rb_lease_host(host, sizeof host);
	if (rb_runs_each(a->store, &q, run_cancel_take, &c, &err) == -1 ||
	    c.status[0] == '\0') {
		snprintf(msg, n, "run %" PRId64 ": %s", run,
		    err_isset(&err) ? err.msg : "no such run");
		return -1;
	}
	if (strcmp(c.status, "running") != 0) {
		snprintf(msg, n,
		    "run %" PRId64 " has ended (%s): nothing to "
		    "cancel",
		    run, c.status);
		return -1;
	}
	if (strcmp(c.host, host) != 0) {
		snprintf(msg, n,
		    "run %" PRId64 " runs on %s: cancel it there "
		    "(kill -INT %" PRId64 ")",
		    run, c.host, c.pid);
		return -1;
	}
	if (c.pid > 0 && kill((pid_t)c.pid, SIGINT) == 0) {
		ok = 0;
		(void)actlog_append(a->store, &e, NULL, &err);
		snprintf(
		    msg, n, "cancelling run %" PRId64 ": its undo runs", run);
	} else {
		snprintf(msg, n,
		    "cannot signal run %" PRId64 " (pid %" PRId64 "): %s", run,
		    c.pid, strerror(errno));
	}
	return ok;
}
