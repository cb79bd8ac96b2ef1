/* owl-append: test tool that appends N entries to the action log of a
 * database, as owl's own commands do, so that shell tests can build logs
 * and hammer the chain from many processes. Not installed.
 * usage: owl-append DB N [KIND [batch]]; with "batch" all N entries go in
 * one transaction (fast seeding for benchmarks). N = 0 makes an empty
 * database (owl's read-only commands never create one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/actlog.h"
#include "engine/store.h"

int
main(int argc, char **argv)
{
	struct actlog_new e = { .kind = "test.append" };
	char detail[64];
	struct store *s;
	struct err err;
	long n;

	if (argc < 3 || (n = strtol(argv[2], NULL, 10)) < 0) {
		fprintf(stderr, "usage: owl-append DB N [KIND]\n");
		return 2;
	}
	if (argc > 3)
		e.kind = argv[3];
	err_init(&err);
	if ((s = store_open(argv[1], &err)) == NULL) {
		fprintf(stderr, "owl-append: %s\n", err.msg);
		return 1;
	}
	int batch = argc > 4 && strcmp(argv[4], "batch") == 0;

	if (batch && store_begin(s, &err) == -1)
		goto fail;
	for (long i = 0; i < n; i++) {
		snprintf(detail, sizeof detail, "{\"i\":%ld,\"pid\":%d}", i,
		    (int)getpid());
		e.detail = detail;
		if (actlog_append(s, &e, NULL, &err) == -1)
			goto fail;
	}
	if (batch && store_commit(s, &err) == -1)
		goto fail;
	store_close(s);
	return 0;
fail:
	fprintf(stderr, "owl-append: %s\n", err.msg);
	store_rollback(s);
	store_close(s);
	return 1;
}
