/* test_gitwc.c: the private work copy behind the runbook `git` effect,
 * against real repositories: a bare repository on disk (built with the
 * git command, then with gitwc_fixture) and one served by `git daemon`
 * on loopback with pushes enabled. Checkout, reads through staged
 * edits, a file's history with its content, commits, pushes that are
 * never forced (a push race fails and leaves the remote as the other
 * pusher left it), reverts pushed on top (a conflicting later change
 * fails naming the path), and credentials that never show. */
#include "unit.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "integrations/gitwc.h"

/* libgit2 1.5.1 leaks a PCRE2 match block when a config regex does not
 * match (git_remote_lookup does that); see test_rbsource_git.c. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libpcre2-8.so\n";
}

static char *tmp; /* this run's directory */
static char *daemon_pidf; /* the git daemon's pid file: teardown stops it */

/* Stops the git daemon this test started (by the pid it wrote). */
static void
daemon_stop(void)
{
	char line[32] = "";
	FILE *f;

	if (daemon_pidf == NULL || (f = fopen(daemon_pidf, "r")) == NULL)
		return;
	if (fgets(line, sizeof line, f) != NULL && atoi(line) > 0)
		kill(atoi(line), SIGTERM);
	fclose(f);
	unlink(daemon_pidf);
}

static void
sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* The first line of a command's output, without its newline. */
static void
out1(char *out, size_t n, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	out[0] = '\0';
	assert_non_null(p = popen(cmd, "r"));
	if (fgets(out, (int)n, p) != NULL)
		out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static const char *pin_paths[] = { "services/assistant.yaml" };
static const char *pin_a[] = { "model: gpt-4o-2024-05-13\nreplicas: 2\n" };
static const char *pin_b[] = { "model: gpt-4o-2024-08-06\nreplicas: 2\n" };
static const char *other_paths[] = { "README.md" };
static const char *other_c[] = { "config for the AI services\n" };

/* A bare repository NAME under tmp: two pins, by alice then bob. */
static char *
fixture(const char *name)
{
	const struct gitwc_fixture_commit c[] = {
		{ "pin gpt-4o-2024-05-13", "alice", 0, pin_paths, pin_a, 1 },
		{ "docs", "carol", 0, other_paths, other_c, 1 },
		{ "pin gpt-4o-2024-08-06", "bob", 0, pin_paths, pin_b, 1 },
	};
	char *dir = unit_path(tmp, name);
	struct err err;

	err_init(&err);
	assert_int_equal(gitwc_fixture(dir, "main", c, 3, &err), 0);
	return dir;
}

static char *
wc_dir(const char *name)
{
	char *d = unit_path(tmp, name);

	return d;
}

static void
test_path_ok(void **state)
{
	(void)state;
	assert_true(gitwc_path_ok("services/assistant.yaml"));
	assert_true(gitwc_path_ok("a"));
	assert_true(gitwc_path_ok(".gitignore-not"));
	assert_false(gitwc_path_ok(""));
	assert_false(gitwc_path_ok("/etc/passwd"));
	assert_false(gitwc_path_ok("a//b"));
	assert_false(gitwc_path_ok("a/"));
	assert_false(gitwc_path_ok("../x"));
	assert_false(gitwc_path_ok("a/./b"));
	assert_false(gitwc_path_ok(".git/config"));
	assert_false(gitwc_path_ok("sub/.GIT/hooks/x"));
}

struct log_seen {
	int n;
	char subject[4][64], author[4][32], content[4][64];
	int deleted[4];
};

static int
log_cb(void *arg, const struct gitwc_entry *e)
{
	struct log_seen *s = arg;

	if (s->n < 4) {
		snprintf(s->subject[s->n], 64, "%s", e->subject);
		snprintf(s->author[s->n], 32, "%s", e->author);
		snprintf(s->content[s->n], 64, "%.*s", (int)e->len,
		    e->content ? e->content : "");
		s->deleted[s->n] = e->content == NULL;
	}
	s->n++;
	return 0;
}

/* Checkout, read, edit, commit, push to a bare repository on disk; the
 * history sees the new commit; the remote has it. */
static void
test_edit_commit_push(void **state)
{
	char *bare = fixture("edit.git"), *dir = wc_dir("edit-wc");
	char from[GITWC_ID_HEX], to[GITWC_ID_HEX], id[GITWC_ID_HEX];
	char before[64], line[256];
	const char *paths[4];
	struct log_seen seen = { 0 };
	struct err err;
	struct gitwc *w;
	struct buf b;
	int missing;

	(void)state;
	err_init(&err);
	buf_init(&b, 1 << 20);
	out1(before, sizeof before, "git -C '%s' rev-parse main", bare);
	w = gitwc_checkout(bare, "main", dir, NULL, &err);
	assert_non_null(w);
	assert_int_equal(gitwc_read(w, pin_paths[0], &b, &missing, &err), 0);
	assert_false(missing);
	assert_string_equal(buf_str(&b), pin_b[0]);
	buf_reset(&b);
	assert_int_equal(gitwc_read(w, "nope.yaml", &b, &missing, &err), 0);
	assert_true(missing);
	assert_int_equal(
	    gitwc_read(w, "../etc/passwd", &b, &missing, &err), -1);
	assert_int_equal(err.code, ERR_USAGE);

	/* history: newest first, only the commits that changed the file */
	err_init(&err);
	assert_int_equal(
	    gitwc_log(w, pin_paths[0], 10, log_cb, &seen, &err), 2);
	assert_string_equal(seen.subject[0], "pin gpt-4o-2024-08-06");
	assert_string_equal(seen.author[0], "bob");
	assert_string_equal(seen.content[1], pin_a[0]);
	assert_string_equal(seen.author[1], "alice");

	/* nothing staged: no commit, no push */
	assert_int_equal(gitwc_commit(w, "x", "me", "me@x", id, &err), -1);
	assert_non_null(strstr(err.msg, "nothing to commit"));
	err_init(&err);
	assert_int_equal(gitwc_push(w, from, to, &err), -1);
	assert_non_null(strstr(err.msg, "nothing to push"));

	err_init(&err);
	assert_int_equal(
	    gitwc_write(w, pin_paths[0], pin_a[0], strlen(pin_a[0]), &err), 0);
	buf_reset(&b);
	assert_int_equal(gitwc_read(w, pin_paths[0], &b, &missing, &err), 0);
	assert_string_equal(buf_str(&b), pin_a[0]);
	assert_int_equal(gitwc_staged(w, paths, 4), 1);
	assert_string_equal(paths[0], pin_paths[0]);
	/* staged, not committed: push refuses */
	assert_int_equal(gitwc_push(w, from, to, &err), -1);
	assert_non_null(strstr(err.msg, "not committed"));
	err_init(&err);
	assert_int_equal(
	    gitwc_commit(w, "Roll back the model pin\n\nOwl-Incident: INC-7\n",
	        "dana", "dana@owl", id, &err),
	    0);
	assert_int_equal(gitwc_staged(w, paths, 4), 0);
	assert_int_equal(gitwc_outgoing(w, NULL, NULL, &err), 1);
	/* the remote has not moved yet */
	out1(line, sizeof line, "git -C '%s' rev-parse main", bare);
	assert_string_equal(line, before);
	assert_int_equal(gitwc_push(w, from, to, &err), 0);
	assert_string_equal(from, before);
	assert_string_equal(to, id);
	out1(line, sizeof line, "git -C '%s' rev-parse main", bare);
	assert_string_equal(line, id);
	out1(line, sizeof line, "git -C '%s' show main:%s | head -1", bare,
	    pin_paths[0]);
	assert_string_equal(line, "model: gpt-4o-2024-05-13");
	out1(line, sizeof line, "git -C '%s' log -1 --format='%%an %%s' main",
	    bare);
	assert_string_equal(line, "dana Roll back the model pin");
	memset(&seen, 0, sizeof seen);
	assert_int_equal(gitwc_log(w, pin_paths[0], 1, log_cb, &seen, &err), 1);
	assert_string_equal(seen.author[0], "dana");
	gitwc_free(w);
	/* the work copy's directory is gone with it */
	struct stat st;
	assert_int_equal(stat(dir, &st), -1);
	/* the checkout directory must be new: never someone's checkout */
	mkdir(dir, 0700);
	assert_null(gitwc_checkout(bare, "main", dir, NULL, &err));
	assert_int_equal(stat(dir, &st), 0);
	rmdir(dir);
	buf_done(&b);
	free(bare);
	free(dir);
}

/* Someone else pushed between the checkout and the push: the push fails
 * saying so, and the remote keeps their commit. */
static void
test_push_race(void **state)
{
	char *bare = fixture("race.git"), *dir = wc_dir("race-wc");
	const struct gitwc_fixture_commit theirs = { "their change", "erin", 0,
		other_paths, pin_a, 1 };
	char from[GITWC_ID_HEX], to[GITWC_ID_HEX], id[GITWC_ID_HEX];
	char after[64], line[64];
	struct err err;
	struct gitwc *w;

	(void)state;
	err_init(&err);
	assert_non_null(w = gitwc_checkout(bare, "main", dir, NULL, &err));
	assert_int_equal(
	    gitwc_write(w, pin_paths[0], "model: x\n", 9, &err), 0);
	assert_int_equal(gitwc_commit(w, "pin x", "dana", "d@x", id, &err), 0);
	assert_int_equal(gitwc_fixture_push(bare, "main", &theirs, &err), 0);
	out1(after, sizeof after, "git -C '%s' rev-parse main", bare);
	assert_int_equal(gitwc_push(w, from, to, &err), -1);
	assert_int_equal(err.code, ERR_FAILED);
	assert_non_null(strstr(err.msg, "someone else pushed first"));
	out1(line, sizeof line, "git -C '%s' rev-parse main", bare);
	assert_string_equal(line, after);
	/* nothing pushed: nothing to revert */
	err_init(&err);
	assert_int_equal(gitwc_revert(w, "", "dana", "d@x", id, &err), -1);
	assert_non_null(strstr(err.msg, "nothing to revert"));
	gitwc_free(w);
	free(bare);
	free(dir);
}

/* The undo of a push is a revert commit on top of what the remote has
 * now (someone's later change to another file is kept); a later change
 * to the same lines fails the revert naming the file. */
static void
test_revert(void **state)
{
	char *bare = fixture("revert.git"), *dir = wc_dir("revert-wc");
	const struct gitwc_fixture_commit docs = { "docs again", "erin", 0,
		other_paths, pin_a, 1 };
	const struct gitwc_fixture_commit clash = { "pin y", "erin", 0,
		pin_paths, pin_b, 1 };
	char from[GITWC_ID_HEX], to[GITWC_ID_HEX], id[GITWC_ID_HEX];
	char line[256], pushed[GITWC_ID_HEX];
	struct err err;
	struct gitwc *w;

	(void)state;
	err_init(&err);
	assert_non_null(w = gitwc_checkout(bare, "main", dir, NULL, &err));
	assert_int_equal(
	    gitwc_write(w, pin_paths[0], pin_a[0], strlen(pin_a[0]), &err), 0);
	assert_int_equal(
	    gitwc_commit(w, "roll back", "dana", "d@x", id, &err), 0);
	assert_int_equal(gitwc_push(w, from, to, &err), 0);
	snprintf(pushed, sizeof pushed, "%s", to);
	assert_int_equal(gitwc_fixture_push(bare, "main", &docs, &err), 0);
	assert_int_equal(
	    gitwc_revert(w, "Owl-Run: 9", "dana", "d@x", id, &err), 0);
	out1(line, sizeof line, "git -C '%s' rev-parse main", bare);
	assert_string_equal(line, id);
	out1(line, sizeof line, "git -C '%s' show main:%s | head -1", bare,
	    pin_paths[0]);
	assert_string_equal(line, "model: gpt-4o-2024-08-06");
	out1(line, sizeof line, "git -C '%s' show main:README.md", bare);
	assert_string_equal(line, "model: gpt-4o-2024-05-13");
	out1(line, sizeof line, "git -C '%s' log -1 --format=%%s main", bare);
	assert_string_equal(line, "Revert \"roll back\"");
	out1(line, sizeof line,
	    "git -C '%s' log -1 --format=%%b main | grep -c '%s\\|Owl-Run: 9'",
	    bare, pushed);
	assert_string_equal(line, "2");
	/* the pushed commit is still in the history: nothing rewritten */
	sh("git -C '%s' merge-base --is-ancestor %s main", bare, pushed);

	/* again, with a later change to the same line */
	assert_int_equal(
	    gitwc_write(w, pin_paths[0], pin_a[0], strlen(pin_a[0]), &err), 0);
	assert_int_equal(
	    gitwc_commit(w, "roll back", "dana", "d@x", id, &err), 0);
	assert_int_equal(gitwc_push(w, from, to, &err), 0);
	assert_int_equal(gitwc_fixture_push(bare, "main", &clash, &err), 0);
	out1(line, sizeof line, "git -C '%s' rev-parse main", bare);
	/* the clash restored the old line: the change is gone already, so
	 * the revert has nothing to do and pushes nothing */
	assert_int_equal(gitwc_revert(w, "", "dana", "d@x", id, &err), 0);
	char now[64];
	out1(now, sizeof now, "git -C '%s' rev-parse main", bare);
	assert_string_equal(now, line);
	gitwc_free(w);

	const char *pin_c[] = { "model: gpt-4.1\nreplicas: 2\n" };
	const struct gitwc_fixture_commit clash2 = { "pin z", "erin", 0,
		pin_paths, pin_c, 1 };
	char *dir2 = wc_dir("revert-wc2");
	assert_non_null(w = gitwc_checkout(bare, "main", dir2, NULL, &err));
	assert_int_equal(
	    gitwc_write(w, pin_paths[0], pin_a[0], strlen(pin_a[0]), &err), 0);
	assert_int_equal(
	    gitwc_commit(w, "roll back", "dana", "d@x", id, &err), 0);
	assert_int_equal(gitwc_push(w, from, to, &err), 0);
	assert_int_equal(gitwc_fixture_push(bare, "main", &clash2, &err), 0);
	out1(line, sizeof line, "git -C '%s' rev-parse main", bare);
	assert_int_equal(gitwc_revert(w, "", "dana", "d@x", id, &err), -1);
	assert_non_null(strstr(err.msg, "services/assistant.yaml"));
	assert_non_null(strstr(err.msg, "changed again"));
	out1(now, sizeof now, "git -C '%s' rev-parse main", bare);
	assert_string_equal(now, line);
	gitwc_free(w);
	free(dir2);
	free(bare);
	free(dir);
}

/* Branches and repositories that do not exist, and paths that are not
 * files. */
static void
test_refusals(void **state)
{
	char *bare = fixture("refuse.git"), *dir = wc_dir("refuse-wc");
	char *missing_repo = unit_path(tmp, "nothing-here.git");
	struct err err;
	struct gitwc *w;
	struct buf b;
	int missing;

	(void)state;
	err_init(&err);
	assert_null(gitwc_checkout(bare, "no-such", dir, NULL, &err));
	assert_non_null(strstr(err.msg, "no branch 'no-such'"));
	err_init(&err);
	assert_null(gitwc_checkout(bare, "bad..name", dir, NULL, &err));
	assert_int_equal(err.code, ERR_USAGE);
	err_init(&err);
	assert_null(gitwc_checkout(missing_repo, "main", dir, NULL, &err));
	assert_int_equal(err.code, ERR_FAILED);
	err_init(&err);
	assert_non_null(w = gitwc_checkout(bare, "main", dir, NULL, &err));
	buf_init(&b, 1 << 20);
	assert_int_equal(gitwc_read(w, "services", &b, &missing, &err), -1);
	assert_non_null(strstr(err.msg, "a directory"));
	err_init(&err);
	assert_int_equal(gitwc_write(w, "services", "x", 1, &err), -1);
	err_init(&err);
	assert_int_equal(gitwc_write(w, ".git/config", "x", 1, &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	buf_done(&b);
	gitwc_free(w);
	free(missing_repo);
	free(bare);
	free(dir);
}

/* A token in the URL or in the credentials never shows in an error. */
static void
test_credentials_hidden(void **state)
{
	char *dir = wc_dir("cred-wc");
	const char *tok = "s3cr3t-token-value-123";
	struct gitwc_cred cred = { "ops", tok, strlen(tok), NULL, 0 };
	struct err err;

	(void)state;
	err_init(&err);
	/* port 9 on loopback: nothing listens (discard is not run) */
	assert_null(gitwc_checkout("http://ops:s3cr3t-token-value-123@"
	                           "127.0.0.1:9/ai-config.git",
	    "main", dir, &cred, &err));
	assert_int_equal(err.code, ERR_FAILED);
	assert_null(strstr(err.msg, tok));
	assert_non_null(strstr(err.msg, "127.0.0.1:9"));
	free(dir);
}

/* A repository served by git daemon on loopback (receive-pack on):
 * checkout, push, a push race, a revert, all over git://. */
static void
test_git_daemon(void **state)
{
	char *base = unit_path(tmp, "served");
	char *bare, *dir = wc_dir("daemon-wc"), *dir2 = wc_dir("daemon-wc2");
	char url[256], port[16], line[256], line2[256];
	char from[GITWC_ID_HEX], to[GITWC_ID_HEX], id[GITWC_ID_HEX];
	const struct gitwc_fixture_commit theirs = { "their change", "erin", 0,
		other_paths, pin_a, 1 };
	struct gitwc *w = NULL, *w2;
	struct err err;
	int up = 0;

	(void)state;
	err_init(&err);
	mkdir(base, 0700);
	daemon_pidf = unit_path(tmp, "daemon.pid");
	bare = unit_path(base, "ai-config.git");
	{
		const struct gitwc_fixture_commit c[] = {
			{ "pin", "alice", 0, pin_paths, pin_b, 1 },
		};
		assert_int_equal(gitwc_fixture(bare, "main", c, 1, &err), 0);
	}
	out1(port, sizeof port,
	    "python3 -c 'import socket; s=socket.socket(); "
	    "s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])'");
	sh("git daemon --base-path='%s' --export-all --enable=receive-pack "
	   "--listen=127.0.0.1 --port=%s --reuseaddr --detach "
	   "--pid-file='%s' '%s' >/dev/null 2>&1",
	    base, port, daemon_pidf, base);
	snprintf(url, sizeof url, "git://127.0.0.1:%s/ai-config.git", port);
	/* ready when it answers ls-remote; a deadline, never a fixed sleep */
	for (int i = 0; i < 200 && !up; i++) {
		char cmd[512];
		snprintf(cmd, sizeof cmd,
		    "timeout 5 git ls-remote '%s' >/dev/null 2>&1", url);
		up = system(cmd) == 0;
		if (!up) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	assert_true(up);

	w = gitwc_checkout(url, "main", dir, NULL, &err);
	if (w == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(
	    gitwc_write(w, pin_paths[0], pin_a[0], strlen(pin_a[0]), &err), 0);
	assert_int_equal(
	    gitwc_commit(w, "roll back", "dana", "d@x", id, &err), 0);
	if (gitwc_push(w, from, to, &err) != 0)
		fail_msg("%s", err.msg);
	out1(line, sizeof line, "git -C '%s' rev-parse main", bare);
	assert_string_equal(line, id);

	/* a second work copy from before someone else's push: refused */
	assert_non_null(w2 = gitwc_checkout(url, "main", dir2, NULL, &err));
	assert_int_equal(gitwc_fixture_push(bare, "main", &theirs, &err), 0);
	assert_int_equal(
	    gitwc_write(w2, pin_paths[0], "model: q\n", 9, &err), 0);
	assert_int_equal(gitwc_commit(w2, "pin q", "dana", "d@x", id, &err), 0);
	out1(line, sizeof line, "git -C '%s' rev-parse main", bare);
	assert_int_equal(gitwc_push(w2, from, to, &err), -1);
	assert_non_null(strstr(err.msg, "someone else pushed first"));
	out1(line2, sizeof line2, "git -C '%s' rev-parse main", bare);
	assert_string_equal(line2, line);
	gitwc_free(w2);

	/* the undo of the first push, on top of their change */
	err_init(&err);
	if (gitwc_revert(w, "Owl-Run: 3", "dana", "d@x", id, &err) != 0)
		fail_msg("%s", err.msg);
	out1(line, sizeof line, "git -C '%s' show main:%s | head -1", bare,
	    pin_paths[0]);
	assert_string_equal(line, "model: gpt-4o-2024-08-06");
	out1(line, sizeof line, "git -C '%s' log -1 --format=%%s main~1", bare);
	assert_string_equal(line, "their change");
	gitwc_free(w);

	daemon_stop();
	free(bare);
	free(base);
	free(dir);
	free(dir2);
}

static int
setup(void **state)
{
	(void)state;
	tmp = unit_tmpdir();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	daemon_stop();
	free(daemon_pidf);
	unit_rmtree(tmp);
	free(tmp);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_ok),
		cmocka_unit_test(test_edit_commit_push),
		cmocka_unit_test(test_push_race),
		cmocka_unit_test(test_revert),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_credentials_hidden),
		cmocka_unit_test(test_git_daemon),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
