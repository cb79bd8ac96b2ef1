/* receiver.c: the database side of `owl serve` beyond ingest
 * (receiver.h). A pull remembers, per Alertmanager URL, the fingerprints
 * it listed (table pull_seen); the next pull resolves those it no longer
 * lists, through incident_ingest so that auto-resolve and the action log
 * work exactly as for a resolve that arrived by webhook. */
#include "receiver.h"

#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/incident.h"
#include "engine/incident_ingest.h"

/* Marks every fingerprint of url as unseen, then the listed ones seen. */
static int
receiver_mark(struct store *s, const char *url, const struct alert *alerts,
    size_t n, int64_t now, struct err *err)
{
	static const char reset[] = "UPDATE pull_seen SET seen = 0"
	                            " WHERE url = ?";
	static const char mark[] =
	    "INSERT INTO pull_seen(url, fingerprint,"
	    " seen, seen_at) VALUES (?, ?, 1, ?) ON CONFLICT(url, fingerprint)"
	    " DO UPDATE SET seen = 1, seen_at = excluded.seen_at";
	sqlite3_stmt *st;

	if ((st = store_stmt(s, reset, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	if (store_step_done(s, st, "pull_seen", err) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((st = store_stmt(s, mark, err)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
		sqlite3_bind_text(
		    st, 2, alerts[i].fingerprint, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		if (store_step_done(s, st, "pull_seen", err) == -1)
			return -1;
	}
	return 0;
}

static void
receiver_gone_free(struct alert *gone, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(gone[i].fingerprint);
	free(gone);
}

/* Reads the fingerprints of url left unseen, as resolved alerts. */
static int
receiver_gone(struct store *s, const char *url, int64_t now, struct alert **out,
    size_t *n, struct err *err)
{
	static const char sql[] = "SELECT fingerprint FROM pull_seen"
	                          " WHERE url = ? AND seen = 0";
	struct alert *gone = NULL, *p;
	size_t cap = 0;
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((p = realloc(gone, cap * sizeof *p)) == NULL)
				break;
			gone = p;
		}
		memset(&gone[*n], 0, sizeof gone[*n]);
		gone[*n].source = "alertmanager";
		gone[*n].fingerprint =
		    strdup((const char *)sqlite3_column_text(st, 0));
		gone[*n].group_key = (char *)"";
		gone[*n].labels_json = (char *)"{}";
		gone[*n].annotations_json = (char *)"{}";
		gone[*n].resolved = 1;
		gone[*n].ends_at = now;
		if (gone[*n].fingerprint == NULL)
			break;
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		receiver_gone_free(gone, *n);
		if (rc == SQLITE_ROW)
			return err_set(err, ERR_FAILED, "out of memory");
		return store_sqlerr(s, err, "pull_seen");
	}
	*out = gone;
	return 0;
}

/* Resolves what url stopped listing and forgets it. */
static int
receiver_resolve_gone(struct store *s, const char *url, const char *actor,
    int64_t now, struct receiver_pull_result *res, struct err *err)
{
	static const char forget[] = "DELETE FROM pull_seen"
	                             " WHERE url = ? AND seen = 0";
	struct incident_ingest_opts o = { actor, INCIDENT_INGEST_RESOLVE, -1,
		NULL };
	struct incident_ingest_result r;
	struct alert *gone = NULL;
	sqlite3_stmt *st;
	size_t n;
	int rc;

	if (receiver_gone(s, url, now, &gone, &n, err) == -1)
		return -1;
	rc = n > 0 ? incident_ingest(s, gone, n, &o, &r, err) : 0;
	receiver_gone_free(gone, n);
	if (rc == -1)
		return -1;
	if (n > 0) {
		res->resolved = r.alerts;
		res->incidents_resolved += r.incidents_resolved;
	}
	if ((st = store_stmt(s, forget, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, err, "pull_seen");
}

int
receiver_pull(struct store *s, const char *url, const struct alert *alerts,
    size_t n, int resolve_gone, const char *actor,
    struct receiver_pull_result *res, struct err *err)
{
	struct incident_ingest_opts o = { actor, INCIDENT_INGEST_UPSERT, -1,
		NULL };
	struct incident_ingest_result r;
	int64_t now = clock_now_us();

	memset(res, 0, sizeof *res);
	if (store_begin(s, err) == -1)
		return -1;
	if (n > 0 && incident_ingest(s, alerts, n, &o, &r, err) == -1)
		goto fail;
	if (n > 0) {
		res->alerts = r.alerts;
		res->new_alerts = r.new_alerts;
		res->incidents_opened = r.incidents_opened;
		res->incidents_resolved = r.incidents_resolved;
	}
	if (receiver_mark(s, url, alerts, n, now, err) == -1 ||
	    (resolve_gone &&
	        receiver_resolve_gone(s, url, actor, now, res, err) == -1))
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

int
receiver_signature_use(struct store *s, const unsigned char *mac, size_t mlen,
    int64_t until_us, struct err *err)
{
	static const char sql[] = "INSERT INTO signatures_seen(mac, until_us)"
	                          " VALUES (?, ?) ON CONFLICT(mac) DO NOTHING";
	sqlite3_stmt *st;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, mac, (int)mlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, until_us);
	if (store_step_done(s, st, "signatures_seen", err) == -1)
		return -1;
	return sqlite3_changes(store_db(s)) == 0;
}

int
receiver_signatures_purge(struct store *s, int64_t now_us, struct err *err)
{
	static const char sql[] = "DELETE FROM signatures_seen"
	                          " WHERE until_us < ?";
	sqlite3_stmt *st;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_us);
	return store_step_done(s, st, "signatures_seen", err);
}

int64_t
receiver_open_incidents(struct store *s)
{
	static const char sql[] = "SELECT count(*) FROM incidents"
	                          " WHERE state <> ?";
	sqlite3_stmt *st;
	int64_t n = -1;

	if ((st = store_stmt(s, sql, NULL)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, INCIDENT_RESOLVED);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}
