/* unit.h: what every C unit test includes: cmocka and small helpers for
 * temporary directories. Tests run under ASan+UBSan (make test). */
#ifndef OWL_UNIT_H
#define OWL_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/err.h"
#include "engine/store.h"

/* Makes a fresh directory under $TMPDIR (or /tmp) for one test; the
 * caller frees the returned path and removes the tree with unit_rmtree. */
static inline char *
unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	p = malloc(strlen(base) + 32);
	assert_non_null(p);
	sprintf(p, "%s/owl-unit-XXXXXX", base);
	assert_non_null(mkdtemp(p));
	return p;
}

/* Returns "dir/name", malloc'd. */
static inline char *
unit_path(const char *dir, const char *name)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);

	assert_non_null(p);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

/* Removes a directory tree made by unit_tmpdir. */
static inline void
unit_rmtree(const char *dir)
{
	char cmd[4200];

	if (dir == NULL || strncmp(dir, "/", 1) != 0 ||
	    strstr(dir, "owl-unit-") == NULL)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
}

/* The first column of the first row of sql (a count, a state), -1 when
 * there is no row. */
static inline int64_t
unit_scalar(struct store *s, const char *sql)
{
	struct store_stmt *st;
	int64_t n = -1;

	st = store_prepare(s, sql, NULL);
	assert_non_null(st);
	if (store_step(st) == STORE_ROW)
		n = store_col_int64(st, 0);
	store_finalize(st);
	return n;
}

/* A fresh database in its own temporary directory: pass unit_db_setup
 * and unit_db_teardown to cmocka; *state is then a struct unit_db. */
struct unit_db {
	char *dir;
	char *path;
	struct store *s;
};

static inline int
unit_db_setup(void **state)
{
	struct unit_db *f = calloc(1, sizeof *f);
	struct err err;

	assert_non_null(f);
	f->dir = unit_tmpdir();
	f->path = unit_path(f->dir, "owl.db");
	err_init(&err);
	f->s = store_open(f->path, &err);
	if (f->s == NULL)
		fprintf(stderr, "# %s\n", err.msg);
	assert_non_null(f->s);
	*state = f;
	return 0;
}

static inline int
unit_db_teardown(void **state)
{
	struct unit_db *f = *state;

	store_close(f->s);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

#endif
