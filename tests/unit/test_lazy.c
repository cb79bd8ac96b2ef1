/* test_lazy.c: the libraries loaded at run time (integrations/lazy.c): a
 * table entry called before its load stops the program with a message;
 * a load fills the table (the calls reach the library), once, from any
 * number of threads; a missing shared object is one line naming it, what
 * needs it and the package; the digests need no libcrypto.so, HMAC loads
 * it. */
#include "unit.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "engine/hash.h"
#include "integrations/hmac.h"
#include "integrations/lazy_curl.h"
#include "integrations/lazy_git2.h"
#include "integrations/lazy_mhd.h"

/* Runs first: nothing of libcurl is loaded yet in this process. */
static void
test_unloaded_aborts(void **state)
{
	int status = 0;
	pid_t pid;

	(void)state;
	assert_false(lazy_is_loaded(LAZY_CURL));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* no lazy_load(LAZY_CURL) first: a programmer error */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(1);
		curl_easy_init();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void *
test_load_thread(void *arg)
{
	struct err err;

	err_init(&err);
	*(int *)arg = lazy_load(LAZY_GIT2, &err);
	return NULL;
}

static void
test_load_threads(void **state)
{
	pthread_t t[8];
	int rc[8], major = 0, minor = 0, rev = 0;

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_int_equal(
		    pthread_create(&t[i], NULL, test_load_thread, &rc[i]), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(rc[i], 0);
	}
	assert_true(lazy_is_loaded(LAZY_GIT2));
	/* the names call into the library itself */
	assert_int_equal(git_libgit2_version(&major, &minor, &rev), 0);
	assert_true(major >= 1);
	/* the loader holds libgit2's global state (its first init parses
	 * the CA bundle): a module's init and shutdown only count */
	assert_int_equal(git_libgit2_init(), 2);
	assert_int_equal(git_libgit2_shutdown(), 1);
	assert_int_equal(strncmp(lazy_soname(LAZY_GIT2), "libgit2.so.", 11), 0);
}

static void
test_load_curl_mhd(void **state)
{
	struct err err;
	CURL *c;

	(void)state;
	err_init(&err);
	assert_int_equal(lazy_load(LAZY_CURL, &err), 0);
	assert_int_equal(lazy_load(LAZY_CURL, &err), 0);
	assert_non_null(c = curl_easy_init());
	/* a variadic function through the table */
	assert_int_equal(curl_easy_setopt(c, CURLOPT_URL, "http://x/"), 0);
	curl_easy_cleanup(c);
	assert_int_equal(lazy_load(LAZY_MHD, &err), 0);
	assert_non_null(MHD_get_version());
	assert_false(err_isset(&err));
}

/* The digests are linked in: hashing loads no libcrypto.so; the first
 * HMAC loads it, and its result is RFC 4231's (test case 2). */
static void
test_hmac_loads_crypto(void **state)
{
	unsigned char md[HASH_LEN];
	char hex[2 * HASH_LEN + 1];

	(void)state;
	hash_sha256("abc", 3, md);
	hash_hex(md, HASH_LEN, hex);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_false(lazy_is_loaded(LAZY_CRYPTO));
	assert_int_equal(
	    hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, md), 0);
	assert_true(lazy_is_loaded(LAZY_CRYPTO));
	hash_hex(md, HASH_LEN, hex);
	assert_string_equal(hex,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	assert_int_equal(
	    strncmp(lazy_soname(LAZY_CRYPTO), "libcrypto.so.", 13), 0);
}

static void
test_missing(void **state)
{
	struct err err;

	(void)state;
	err_init(&err);
	assert_null(lazy_open("libgit2", "libowl-missing.so.7", "libgit2-1.5",
	    "git runbook repositories", &err));
	assert_int_equal(err.code, ERR_FAILED);
	assert_string_equal(err.msg,
	    "libgit2 is needed for git runbook repositories and cannot be "
	    "loaded (libowl-missing.so.7: cannot open shared object file: "
	    "No such file or directory): install the Debian package "
	    "libgit2-1.5");
	assert_null(strchr(err.msg, '\n'));
	/* without a package to name, the sentence ends at the reason */
	err_init(&err);
	assert_null(
	    lazy_open("libcurl", "libowl-missing.so.7", "", "HTTP", &err));
	assert_string_equal(err.msg,
	    "libcurl is needed for HTTP and cannot be loaded "
	    "(libowl-missing.so.7: cannot open shared object file: No such "
	    "file or directory)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unloaded_aborts),
		cmocka_unit_test(test_load_threads),
		cmocka_unit_test(test_load_curl_mhd),
		cmocka_unit_test(test_hmac_loads_crypto),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests_name("lazy", tests, NULL, NULL);
}
