/* owl-seed: test tool that fills a database fast for the TUI tests and
 * benchmark: N open incidents (one generic alert each, through the real
 * ingest code) and M extra action-log rows (a valid hash chain, through
 * actlog_append; on incident INCIDENT, if given), each set in one
 * transaction. Not installed.
 * usage: owl-seed DB INCIDENTS [LOGROWS [INCIDENT]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actlog.h"
#include "engine/store.h"
#include "integrations/ingest.h"

static const char *const seed_sev[] = { "critical", "error", "warning",
	"info" };

static int
seed_incidents(struct store *s, long n, struct err *err)
{
	char body[512];
	struct ingest_batch *b;
	int len;

	if (store_begin(s, err) == -1)
		return -1;
	for (long i = 0; i < n; i++) {
		len = snprintf(body, sizeof body,
		    "{\"id\":\"seed-%ld\","
		    "\"status\":\"firing\",\"title\":\"seeded incident %ld on "
		    "gpu-node-%ld\",\"severity\":\"%s\",\"labels\":{\"service\":"
		    "\"inference\",\"node\":\"gpu-node-%ld\"}}",
		    i, i, i % 97, seed_sev[i % 4], i % 97);
		if ((b = ingest_parse(
		         INGEST_GENERIC, body, (size_t)len, err)) == NULL)
			goto fail;
		if (ingest_store(s, b, "owl-seed", NULL, err) == -1) {
			ingest_batch_free(b);
			goto fail;
		}
		ingest_batch_free(b);
	}
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

static int
seed_log(struct store *s, long n, long inc, struct err *err)
{
	struct actlog_new e = {
		.actor = "owl-seed", .incident = inc, .kind = "bench.seed"
	};
	char detail[64];

	if (store_begin(s, err) == -1)
		return -1;
	for (long i = 0; i < n; i++) {
		snprintf(detail, sizeof detail, "{\"i\":%ld}", i);
		e.detail = detail;
		if (actlog_append(s, &e, NULL, err) == -1) {
			store_rollback(s);
			return -1;
		}
	}
	return store_commit(s, err);
}

int
main(int argc, char **argv)
{
	long inc, logrows = 0, loginc = 0;
	struct store *s;
	struct err err;
	int rc = 0;

	if (argc < 3 || (inc = strtol(argv[2], NULL, 10)) < 0 ||
	    (argc > 3 && (logrows = strtol(argv[3], NULL, 10)) < 0) ||
	    (argc > 4 && (loginc = strtol(argv[4], NULL, 10)) < 0)) {
		fprintf(stderr,
		    "usage: owl-seed DB INCIDENTS [LOGROWS [INCIDENT]]\n");
		return 2;
	}
	err_init(&err);
	if ((s = store_open(argv[1], &err)) == NULL) {
		fprintf(stderr, "owl-seed: %s\n", err.msg);
		return 1;
	}
	if (seed_incidents(s, inc, &err) == -1 ||
	    seed_log(s, logrows, loginc, &err) == -1) {
		fprintf(stderr, "owl-seed: %s\n", err.msg);
		rc = 1;
	}
	store_close(s);
	return rc;
}
