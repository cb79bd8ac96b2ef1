/* serve_health.c: whether `owl serve` can take alerts now, for GET
 * /healthz: not while draining, not while another writer holds the
 * database's write lock (probed: BEGIN IMMEDIATE, or PostgreSQL's
 * advisory lock, on a connection of its own, a short wait, at most once
 * a second; the store's message says who holds it and why: another
 * process, this owl's own commit waiting for a synchronous standby), not while
 * the last write failed (a full disk, a file size limit, an I/O error) and
 * nothing has been written since, for up to a minute, and not when the
 * database's file system has less than 1 MiB free. A load balancer then sends
 * senders to an owl that can store their alerts. */
#include "serve_int.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "engine/clock.h"

#define SERVE_HEALTH_PROBE_EVERY_US (1000 * 1000)
#define SERVE_HEALTH_BUSY_MS 200
#define SERVE_HEALTH_FAIL_FOR_US (60 * CLOCK_US_PER_SEC)
#define SERVE_HEALTH_MIN_FREE (1024 * 1024)

int
serve_health_open(struct serve *sv, struct err *err)
{
	if ((sv->hstore = store_open(sv->cfg->db_path, err)) == NULL)
		return -1;
	store_busy_timeout(sv->hstore, SERVE_HEALTH_BUSY_MS);
	return 0;
}

void
serve_health_close(struct serve *sv)
{
	store_close(sv->hstore);
	sv->hstore = NULL;
}

void
serve_health_write(struct serve *sv, const struct err *err)
{
	pthread_mutex_lock(&sv->hlock);
	if (err == NULL) {
		sv->hfail_us = 0;
	} else if (err->code != ERR_USAGE) {
		sv->hfail_us = clock_mono_us();
		snprintf(sv->hfail, sizeof sv->hfail, "%s", err->msg);
	}
	pthread_mutex_unlock(&sv->hlock);
}

/* Takes the write lock and lets it go at once (lock held). */
static void
serve_health_probe(struct serve *sv)
{
	struct err err;

	err_init(&err);
	/* the store's message names who holds the lock and why */
	if (store_probe_write(sv->hstore, &err) == 0)
		sv->hprobe[0] = '\0';
	else
		snprintf(
		    sv->hprobe, sizeof sv->hprobe, "database: %.450s", err.msg);
	sv->hprobe_us = clock_mono_us();
}

/* Free bytes for an unprivileged writer where the database lives. */
static int
serve_health_space(struct serve *sv, char *why, size_t n)
{
	char *copy;
	struct statvfs st;
	int rc = 0;

	/* a server's disk is the server's to watch */
	if (store_is_url(sv->cfg->db_path) ||
	    (copy = strdup(sv->cfg->db_path)) == NULL)
		return 0;
	if (statvfs(dirname(copy), &st) == 0 &&
	    (unsigned long long)st.f_bavail * st.f_frsize <
	        SERVE_HEALTH_MIN_FREE) {
		snprintf(why, n,
		    "database: its file system is full (%llu "
		    "bytes free)",
		    (unsigned long long)st.f_bavail * st.f_frsize);
		rc = -1;
	}
	free(copy);
	return rc;
}

int
serve_health_check(struct serve *sv, char *why, size_t n)
{
	int64_t now = clock_mono_us();
	int rc = 0;

	if (atomic_load(&sv->draining)) {
		snprintf(why, n, "draining");
		return -1;
	}
	pthread_mutex_lock(&sv->hlock);
	if (sv->hfail_us != 0 &&
	    now - sv->hfail_us < SERVE_HEALTH_FAIL_FOR_US) {
		snprintf(
		    why, n, "database: the last write failed: %s", sv->hfail);
		rc = -1;
	} else {
		if (sv->hprobe_us == 0 ||
		    now - sv->hprobe_us >= SERVE_HEALTH_PROBE_EVERY_US)
			serve_health_probe(sv);
		if (sv->hprobe[0] != '\0') {
			snprintf(why, n, "%s", sv->hprobe);
			rc = -1;
		}
	}
	pthread_mutex_unlock(&sv->hlock);
	if (rc == 0)
		rc = serve_health_space(sv, why, n);
	return rc;
}
