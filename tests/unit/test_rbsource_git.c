/* test_rbsource_git.c: runbooks read from git with libgit2, against the
 * fixture repositories of tests/rbfixture.sh: refs, tags and commit
 * prefixes; blobs from the object database (never the working tree);
 * refused symlinks and oversized files; require from the same commit;
 * dirty working trees and --worktree; history and diffs; mirror sync,
 * including a dead remote; SSH commit signatures; foreign ownership. */
#include "unit.h"

#include <sys/stat.h>

#include "engine/rbmeta.h"
#include "integrations/rbsource_git.h"

static char *fx; /* the fixture directory, built once */

/* libgit2 1.5.1 leaks a PCRE2 match block when a config regex does not
 * match (git_remote_lookup does that); fixed upstream after 1.5 by
 * libgit2/libgit2#6382. LeakSanitizer reads this hook; nothing of owl's
 * is hidden by it. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libpcre2-8.so\n";
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

/* The output of `git -C DIR/repo rev-parse REV`. */
static void
rev_parse(const char *rev, char out[RBSOURCE_OID_HEX])
{
	char cmd[4200];
	FILE *p;

	snprintf(cmd, sizeof cmd, "git -C '%s/repo' rev-parse '%s^{commit}'",
	    fx, rev);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(out, RBSOURCE_OID_HEX, p));
	pclose(p);
}

static int
setup(void **state)
{
	(void)state;
	fx = unit_tmpdir();
	sh("sh tests/rbfixture.sh '%s' >/dev/null", fx);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unit_rmtree(fx);
	free(fx);
	return 0;
}

static struct rbsource *
open_at(const char *ref, int worktree)
{
	char repo[4200];
	struct rbgit_opts o = {
		.repo = repo, .ref = ref, .worktree = worktree
	};
	struct rbsource *src;
	struct err err;

	snprintf(repo, sizeof repo, "%s/repo", fx);
	err_init(&err);
	if ((src = rbsource_git_open(&o, &err)) == NULL)
		fail_msg("open %s: %s", ref ? ref : "HEAD", err.msg);
	return src;
}

/* Reads path from src and checks it contains want. */
static void
read_has(struct rbsource *src, const char *path, const char *want, char *blob)
{
	struct err err;
	struct buf b;

	err_init(&err);
	buf_init(&b, 0);
	if (rbsource_read(src, path, &b, blob, &err) != 0)
		fail_msg("read %s: %s", path, err.msg);
	if (strstr(buf_str(&b), want) == NULL)
		fail_msg("%s lacks '%s'", path, want);
	buf_done(&b);
}

static void
read_fails(struct rbsource *src, const char *path, const char *want)
{
	char blob[RBSOURCE_OID_HEX];
	struct err err;
	struct buf b;

	err_init(&err);
	buf_init(&b, 0);
	assert_int_equal(rbsource_read(src, path, &b, blob, &err), -1);
	if (strstr(err.msg, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err.msg, want);
	buf_done(&b);
}

static int
collect(const char *name, const char *blob, void *ctx)
{
	assert_int_equal(strlen(blob), 40);
	strcat(ctx, name);
	strcat(ctx, ",");
	return 0;
}

static void
test_revs(void **state)
{
	char c1[RBSOURCE_OID_HEX], c3[RBSOURCE_OID_HEX], names[256] = "";
	char b1[RBSOURCE_OID_HEX], b2[RBSOURCE_OID_HEX], prefix[8];
	struct rbsource *src;

	(void)state;
	rev_parse("v1", c1);
	rev_parse("main", c3);
	src = open_at(NULL, 0);
	assert_int_equal(src->origin.kind, RBSOURCE_GIT);
	assert_string_equal(src->origin.ref, "refs/heads/main");
	assert_string_equal(src->origin.commit, c3);
	assert_int_equal(rbsource_list(src, collect, names, NULL), 0);
	assert_string_equal(names, "degrade,usehelper,"); /* no symlink */
	read_has(src, "degrade.lua", "version 2", b2);
	read_fails(src, "link.lua", "symbolic link");
	read_fails(src, "nosuch.lua", "no such file");
	rbsource_close(src);

	src = open_at("v1", 0); /* an annotated tag, peeled */
	assert_string_equal(src->origin.ref, "refs/tags/v1");
	assert_string_equal(src->origin.commit, c1);
	read_has(src, "degrade.lua", "version 1", b1);
	assert_string_not_equal(b1, b2);
	rbsource_close(src);

	snprintf(prefix, sizeof prefix, "%.7s", c1);
	src = open_at(prefix, 0);
	assert_string_equal(src->origin.commit, c1);
	assert_string_equal(src->origin.ref, prefix);
	rbsource_close(src);
	rbsource_close(open_at("refs/tags/v2", 0));
}

/* A pinned commit id is that commit, even when a branch or a tag is
 * named like it; a shorter prefix naming both a ref and another commit
 * is refused as ambiguous. */
static void
test_pinned_commit(void **state)
{
	char c1[RBSOURCE_OID_HEX], blob[RBSOURCE_OID_HEX], prefix[16];
	char repo[4200];
	struct rbgit_opts o = { .repo = repo };
	struct rbsource *src;
	struct err err;

	(void)state;
	rev_parse("v1", c1);
	c1[40] = '\0';
	snprintf(prefix, sizeof prefix, "%.10s", c1);
	snprintf(repo, sizeof repo, "%s/repo", fx);
	sh("git -C '%s' update-ref refs/heads/%s v2 && "
	   "git -C '%s' update-ref refs/tags/%s v2",
	    repo, c1, repo, prefix);
	src = open_at(c1, 0);
	assert_string_equal(src->origin.commit, c1);
	read_has(src, "degrade.lua", "version 1", blob);
	rbsource_close(src);
	o.ref = prefix;
	err_init(&err);
	assert_null(rbsource_git_open(&o, &err));
	assert_non_null(strstr(err.msg, "is ambiguous"));
	sh("git -C '%s' update-ref -d refs/heads/%s && "
	   "git -C '%s' update-ref -d refs/tags/%s",
	    repo, c1, repo, prefix);
}

static void
test_bad_revs(void **state)
{
	static const char *const usage[] = { "HEAD@{1}", "main~1", "v1^",
		"a..b", "-x", "x y", NULL };
	char repo[4200];
	struct rbgit_opts o = { .repo = repo };
	struct err err;

	(void)state;
	snprintf(repo, sizeof repo, "%s/repo", fx);
	for (int i = 0; usage[i] != NULL; i++) {
		o.ref = usage[i];
		err_init(&err);
		assert_null(rbsource_git_open(&o, &err));
		assert_int_equal(err.code, ERR_USAGE);
	}
	o.ref = "nosuch";
	err_init(&err);
	assert_null(rbsource_git_open(&o, &err));
	assert_int_equal(err.code, ERR_FAILED);
	assert_non_null(strstr(err.msg, "no branch, tag or commit"));
	o.ref = NULL;
	snprintf(repo, sizeof repo, "%s", fx); /* not a repository */
	err_init(&err);
	assert_null(rbsource_git_open(&o, &err));
	assert_non_null(strstr(err.msg, "not a git repository"));
}

static void
test_require_same_commit(void **state)
{
	struct rbsource *src = open_at("v1", 0);
	struct err err;
	json_t *meta;

	(void)state;
	err_init(&err);
	assert_int_equal(
	    rbmeta_load(src, "usehelper", &meta, NULL, NULL, &err), 0);
	assert_string_equal(json_string_value(json_object_get(meta, "summary")),
	    "uses a helper: hello from lib.util");
	json_decref(meta);
	rbsource_close(src);
}

struct log_seen {
	char subjects[512];
	int64_t last_us;
};

static int
log_collect(const struct rbgit_commit *c, void *ctx)
{
	struct log_seen *l = ctx;

	assert_int_equal(strlen(c->id), 40);
	assert_string_equal(c->author, "Alice <alice@example.com>");
	if (l->last_us != 0)
		assert_true(c->time_us < l->last_us); /* newest first */
	l->last_us = c->time_us;
	strcat(l->subjects, c->subject);
	strcat(l->subjects, "|");
	return 0;
}

static int
diff_collect(const char *name, char change, void *ctx)
{
	char *s = ctx;
	size_t n = strlen(s);

	s[n] = change;
	strcpy(s + n + 1, name);
	strcat(s, ",");
	return 0;
}

static void
test_log_and_diff(void **state)
{
	struct rbsource *src = open_at(NULL, 0);
	struct log_seen l = { "", 0 };
	char c1[RBSOURCE_OID_HEX], changes[256] = "";
	struct err err;

	(void)state;
	err_init(&err);
	assert_int_equal(
	    rbsource_git_log(src, "degrade.lua", 0, log_collect, &l, &err), 0);
	assert_string_equal(l.subjects, "second version|first version|");
	memset(&l, 0, sizeof l);
	assert_int_equal(
	    rbsource_git_log(src, "usehelper.lua", 1, log_collect, &l, &err),
	    0);
	assert_string_equal(l.subjects, "touch helper user|");
	rev_parse("v1", c1);
	assert_int_equal(
	    rbsource_git_diff(src, c1, diff_collect, changes, &err), 0);
	assert_string_equal(changes, "Mdegrade,Musehelper,");
	rbsource_close(src);
}

static void
test_dirty_worktree(void **state)
{
	char file[4200], blob[RBSOURCE_OID_HEX], first[RBSOURCE_PATH_MAX];
	struct rbsource *src;
	struct err err;
	FILE *f;
	int count = -1;

	(void)state;
	snprintf(file, sizeof file, "%s/repo/degrade.lua", fx);
	assert_non_null(f = fopen(file, "a"));
	fputs("-- an uncommitted edit\n", f);
	fclose(f);
	err_init(&err);
	src = open_at(NULL, 0);
	assert_int_equal(rbsource_git_changes(src, &count, first, &err), 0);
	assert_int_equal(count, 1);
	assert_string_equal(first, "degrade.lua");
	read_has(src, "degrade.lua", "version 2", NULL);
	rbsource_close(src);
	/* Another commit than the checked-out one: the tree does not count. */
	src = open_at("v1", 0);
	assert_int_equal(rbsource_git_changes(src, &count, first, &err), 0);
	assert_int_equal(count, 0);
	rbsource_close(src);

	src = open_at(NULL, 1);
	assert_true(src->origin.worktree);
	assert_true(src->origin.dirty);
	read_has(src, "degrade.lua", "uncommitted edit", blob);
	read_has(src, "usehelper.lua", "touched", NULL);
	rbsource_close(src);
	sh("git -C '%s/repo' checkout -q degrade.lua", fx);
	src = open_at(NULL, 1);
	assert_false(src->origin.dirty);
	rbsource_close(src);
}

static void
test_oversized(void **state)
{
	struct rbsource *src;

	(void)state;
	sh("cd '%s/repo' && git checkout -q -b big main && "
	   "head -c 1100000 /dev/zero | tr '\\0' x > big.lua && "
	   "git add big.lua && HOME='%s' git -c user.name=A -c "
	   "user.email=a@b commit -q -m big && git checkout -q main",
	    fx, fx);
	src = open_at("big", 0);
	read_fails(src, "big.lua", "larger than");
	rbsource_close(src);
	/* A blob whose header says 4 GB (zeroes compress a thousandfold,
	 * so a small repository can hold one): refused from its header,
	 * never inflated. The object is only a header and a few bytes. */
	sh("cd '%s/repo' && python3 -c 'import zlib, os; "
	   "os.makedirs(\".git/objects/ab\", exist_ok=True); "
	   "open(\".git/objects/ab/\" + \"ab\" * 19, \"wb\").write("
	   "zlib.compress(b\"blob 4000000000\\0\" + b\"-- \" * 9))' && "
	   "t=$(printf '100644 blob %%s\\thuge.lua\\n' $(printf 'ab%%.0s' "
	   "$(seq 20)) | git mktree --missing) && "
	   "c=$(HOME='%s' git -c user.name=A -c user.email=a@b commit-tree "
	   "-m huge $t) && git update-ref refs/heads/huge $c",
	    fx, fx);
	src = open_at("huge", 0);
	read_fails(src, "huge.lua", "larger than");
	rbsource_close(src);
}

static void
test_sync(void **state)
{
	char url[4200], state_dir[4200], c3[RBSOURCE_OID_HEX];
	struct rbgit_opts o = { .repo = url, .state_dir = state_dir };
	struct rbgit_sync s;
	struct rbsource *src;
	struct err err;

	(void)state;
	snprintf(url, sizeof url, "file://%s/remote.git", fx);
	snprintf(state_dir, sizeof state_dir, "%s/state", fx);
	rev_parse("main", c3);
	err_init(&err);
	/* The first open makes the mirror. */
	src = rbsource_git_open(&o, &err);
	if (src == NULL)
		fail_msg("open %s: %s", url, err.msg);
	assert_string_equal(src->origin.commit, c3);
	assert_string_equal(src->origin.repo, url);
	rbsource_close(src);
	/* A new commit on the remote. */
	sh("cd '%s/repo' && git checkout -q -b next main && echo '-- 3' >> "
	   "degrade.lua && HOME='%s' git -c user.name=A -c user.email=a@b "
	   "commit -q -am three && git push -q ../remote.git next:main && "
	   "git checkout -q main",
	    fx, fx);
	assert_int_equal(rbsource_git_sync(&o, &s, &err), 0);
	assert_string_equal(s.old, c3);
	assert_string_not_equal(s.new, c3);
	assert_false(s.local);
	free(s.cache);
	/* A dead remote: the sync fails, the mirror is untouched. */
	sh("mv '%s/remote.git' '%s/remote.gone'", fx, fx);
	err_init(&err);
	assert_int_equal(rbsource_git_sync(&o, &s, &err), -1);
	assert_int_equal(err.code, ERR_FAILED);
	assert_non_null(strstr(err.msg, "fetch"));
	free(s.cache);
	err_init(&err);
	assert_non_null(src = rbsource_git_open(&o, &err));
	read_has(src, "degrade.lua", "-- 3", NULL);
	rbsource_close(src);
	sh("mv '%s/remote.gone' '%s/remote.git'", fx, fx);
}

static void
verify_at(const char *ref, const struct rbgit_trust *t, const char *want)
{
	struct rbsource *src = open_at(ref, 0);
	char signer[128];
	struct err err;
	int rc;

	err_init(&err);
	rc = rbsource_git_verify(src, t, signer, sizeof signer, &err);
	if (want == NULL) {
		if (rc != 0)
			fail_msg("verify %s: %s", ref, err.msg);
		assert_string_equal(signer, "ops@example.com");
	} else {
		assert_int_equal(rc, -1);
		assert_int_equal(err.code, ERR_REFUSED);
		if (strstr(err.msg, want) == NULL)
			fail_msg(
			    "verify %s: '%s' lacks '%s'", ref, err.msg, want);
	}
	rbsource_close(src);
}

static void
test_signatures(void **state)
{
	char allowed[4200];
	struct rbgit_trust t = { .allowed_signers = allowed };
	struct rbgit_trust none = { .allowed_signers = NULL };

	(void)state;
	snprintf(allowed, sizeof allowed, "%s/allowed_signers", fx);
	verify_at("signed", &t, NULL);
	verify_at("evil", &t, "not in");
	verify_at("main", &t, "is not signed");
	verify_at("signed", &none, "no runbooks.allowed_signers");
}

static void
test_gpg_signatures(void **state)
{
	char ring[4200], other[4200];
	struct rbgit_trust t = { .gpg_keyring = ring };
	struct rbgit_trust bad = { .gpg_keyring = other };
	struct rbsource *src;
	char signer[128];
	struct err err;

	(void)state;
	snprintf(ring, sizeof ring, "%s/trusted.gpg", fx);
	snprintf(other, sizeof other, "%s/other.gpg", fx);
	if (access(ring, R_OK) != 0)
		skip(); /* no gpg on this machine */
	src = open_at("gpgsigned", 0);
	err_init(&err);
	if (rbsource_git_verify(src, &t, signer, sizeof signer, &err) != 0)
		fail_msg("verify gpgsigned: %s", err.msg);
	assert_int_equal(strlen(signer), 40); /* the key's fingerprint */
	rbsource_close(src);
	verify_at("gpgsigned", &bad, "does not verify");
	verify_at("signed", &t, "no runbooks.allowed_signers");
}

static void
test_foreign_owner(void **state)
{
	char repo[4200];
	struct rbgit_opts o = { .repo = repo };
	struct err err;

	(void)state;
	if (geteuid() != 0)
		skip(); /* needs root to give the repository away */
	snprintf(repo, sizeof repo, "%s/foreign", fx);
	sh("cp -a '%s/remote.git' '%s' && chown -R nobody '%s'", fx, repo,
	    repo);
	err_init(&err);
	assert_null(rbsource_git_open(&o, &err));
	assert_non_null(strstr(err.msg, "owned by another user"));
}

static void
test_redact(void **state)
{
	static const char *const cases[][2] = {
		{ "https://bot:s3cret@git.example.com/rb.git",
		    "https://bot:***@git.example.com/rb.git" },
		{ "https://bot@git.example.com/rb.git",
		    "https://bot@git.example.com/rb.git" },
		{ "ssh://git@host:22/rb.git", "ssh://git@host:22/rb.git" },
		{ "https://host/a:b@c", "https://host/a:b@c" },
		{ "/srv/runbooks", "/srv/runbooks" },
	};
	char *r;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		r = rbsource_git_redact(cases[i][0]);
		assert_string_equal(r, cases[i][1]);
		free(r);
	}
	assert_true(rbsource_git_is_url("git@github.com:o/r.git"));
	assert_true(rbsource_git_is_url("file:///srv/r.git"));
	assert_false(rbsource_git_is_url("/srv/a@b:c"));
	assert_false(rbsource_git_is_url("runbooks"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revs),
		cmocka_unit_test(test_bad_revs),
		cmocka_unit_test(test_pinned_commit),
		cmocka_unit_test(test_require_same_commit),
		cmocka_unit_test(test_log_and_diff),
		cmocka_unit_test(test_dirty_worktree),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_sync),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_gpg_signatures),
		cmocka_unit_test(test_foreign_owner),
		cmocka_unit_test(test_redact),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
