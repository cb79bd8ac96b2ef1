/* test_atomicfile.c: replacing a file atomically (engine/atomicfile.c):
 * modes, what is left after a commit, an abort and a failure. */
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "engine/atomicfile.h"

/* The number of entries in dir (besides . and ..). */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n +=
		    strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void
content(const char *path, const char *want)
{
	char got[256] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	fclose(f);
	assert_string_equal(got, want);
}

static void
test_put_modes(void **state)
{
	char *dir = unit_tmpdir(), *p = unit_path(dir, "a.txt");
	struct stat st;
	struct err err;

	(void)state;
	err_init(&err);
	/* a new file: 0644 unless a mode is given */
	assert_int_equal(atomicfile_put(p, "one\n", 4, -1, &err), 0);
	content(p, "one\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* -1 keeps the existing file's mode */
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(atomicfile_put(p, "two\n", 4, -1, &err), 0);
	content(p, "two\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* a given mode wins */
	assert_int_equal(atomicfile_put(p, "", 0, 0600, &err), 0);
	content(p, "");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(entries(dir), 1); /* no temporary file left */
	free(p);
	unit_rmtree(dir);
	free(dir);
}

static void
test_stream_abort_and_fd(void **state)
{
	char *dir = unit_tmpdir(), *p = unit_path(dir, "t.md");
	struct atomicfile f;
	struct err err;

	(void)state;
	err_init(&err);
	assert_int_equal(atomicfile_put(p, "old", 3, -1, &err), 0);
	assert_int_equal(atomicfile_open(&f, p, 0644, &err), 0);
	assert_true(fcntl(atomicfile_fd(&f), F_GETFD) & FD_CLOEXEC);
	assert_int_equal(atomicfile_write(&f, "ne", 2, &err), 0);
	assert_int_equal(atomicfile_write(&f, "w", 1, &err), 0);
	content(p, "old"); /* readers see the old content until the commit */
	assert_int_equal(entries(dir), 2);
	assert_int_equal(atomicfile_commit(&f, &err), 0);
	content(p, "new");
	assert_int_equal(entries(dir), 1);
	/* an abort leaves the file as it was, and nothing beside it */
	assert_int_equal(atomicfile_open(&f, p, 0644, &err), 0);
	assert_int_equal(atomicfile_write(&f, "half", 4, &err), 0);
	atomicfile_abort(&f);
	atomicfile_abort(&f); /* a done one is accepted */
	content(p, "new");
	assert_int_equal(entries(dir), 1);
	free(p);
	unit_rmtree(dir);
	free(dir);
}

static void
test_failures(void **state)
{
	char *dir = unit_tmpdir(), *p = unit_path(dir, "no/such/dir/x");
	char *sub = unit_path(dir, "sub"), *inner = unit_path(dir, "sub/in");
	struct atomicfile f;
	struct err err;

	(void)state;
	err_init(&err);
	assert_int_equal(atomicfile_put(p, "x", 1, -1, &err), -1);
	assert_int_equal(err.code, ERR_FAILED);
	assert_non_null(strstr(err.msg, "no/such/dir/x: "));
	/* renaming over a directory fails at the commit: nothing left */
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(inner, 0700), 0);
	err_init(&err);
	assert_int_equal(atomicfile_open(&f, sub, 0644, &err), 0);
	assert_int_equal(atomicfile_write(&f, "x", 1, &err), 0);
	assert_int_equal(atomicfile_commit(&f, &err), -1);
	assert_non_null(strstr(err.msg, "sub: "));
	assert_int_equal(entries(dir), 1);
	assert_null(f.tmp);
	/* a pipe (or a device: /dev/null) is never replaced by a file */
	char *fifo = unit_path(dir, "fifo");
	struct stat st;

	assert_int_equal(mkfifo(fifo, 0600), 0);
	err_init(&err);
	assert_int_equal(atomicfile_put(fifo, "x", 1, -1, &err), -1);
	assert_non_null(strstr(err.msg, "fifo: not a regular file"));
	assert_int_equal(stat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(entries(dir), 2);
	free(fifo);
	free(p);
	free(sub);
	free(inner);
	unit_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_modes),
		cmocka_unit_test(test_stream_abort_and_fd),
		cmocka_unit_test(test_failures),
	};

	return cmocka_run_group_tests_name("atomicfile", tests, NULL, NULL);
}
