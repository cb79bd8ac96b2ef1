/* owl-dv: test tool that watches a database's change counter
 * (store_data_version, what the TUI and the runs follower poll) as a
 * second connection, so that tests/18-store-pg.t can show a commit by
 * another process is seen (PostgreSQL: NOTIFY owl). Not installed.
 * usage: owl-dv DB SECONDS: prints "ready" once it holds its connection
 * and the counter, then polls it every 10 ms; "changed" (exit 0) when it
 * moved, "unchanged" (exit 1) when SECONDS passed first. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/clock.h"
#include "engine/store.h"

int
main(int argc, char **argv)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct store *s;
	struct err err;
	int64_t v0, end;
	int rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: owl-dv DB SECONDS\n");
		return 2;
	}
	err_init(&err);
	if ((s = store_open_existing(argv[1], &err)) == NULL) {
		fprintf(stderr, "owl-dv: %s\n", err.msg);
		return 2;
	}
	v0 = store_data_version(s);
	end = clock_mono_us() + atol(argv[2]) * CLOCK_US_PER_SEC;
	printf("ready\n");
	fflush(stdout);
	while (clock_mono_us() < end) {
		if (store_data_version(s) != v0) {
			rc = 0;
			break;
		}
		nanosleep(&tick, NULL);
	}
	printf("%s\n", rc == 0 ? "changed" : "unchanged");
	store_close(s);
	return rc;
}
