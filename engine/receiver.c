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
	struct store_stmt *st;

	if ((st = store_stmt(s, reset, err)) == NULL)
		return -1;
	store_bind_text(st, 1, url, -1, STORE_STATIC);
	if (store_step_done(s, st, "pull_seen", err) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((st = store_stmt(s, mark, err)) == NULL)
			return -1;
		store_bind_text(st, 1, url, -1, STORE_STATIC);
		store_bind_text(st, 2, alerts[i].fingerprint, -1, STORE_STATIC);
		store_bind_int64(st, 3, now);
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
	struct store_stmt *st;
	int rc;

	*n = 0;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_text(st, 1, url, -1, STORE_STATIC);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((p = realloc(gone, cap * sizeof *p)) == NULL)
				break;
			gone = p;
		}
		memset(&gone[*n], 0, sizeof gone[*n]);
		gone[*n].source = "alertmanager";
		gone[*n].fingerprint =
		    strdup((const char *)store_col_text(st, 0));
		gone[*n].group_key = (char *)"";
		gone[*n].labels_json = (char *)"{}";
		gone[*n].annotations_json = (char *)"{}";
		gone[*n].resolved = 1;
		gone[*n].ends_at = now;
		if (gone[*n].fingerprint == NULL)
			break;
		(*n)++;
	}
	store_reset(st);
	if (rc != STORE_DONE) {
		receiver_gone_free(gone, *n);
		if (rc == STORE_ROW)
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
		NULL, NULL };
	struct incident_ingest_result r;
	struct alert *gone = NULL;
	struct store_stmt *st;
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
	store_bind_text(st, 1, url, -1, STORE_STATIC);
	rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? 0 : store_sqlerr(s, err, "pull_seen");
}

/* The group key of the open incident that already holds an alert of
 * fingerprint fp (a webhook delivered it first), in *key (malloc'd);
 * NULL when none does. */
static int
receiver_known_group(
    struct store *s, const char *fp, char **key, struct err *err)
{
	static const char sql[] =
	    "SELECT i.group_key FROM alerts a JOIN incidents i"
	    " ON i.id = a.incident_id WHERE a.source = 'alertmanager'"
	    " AND a.fingerprint = ? AND i.state <> 2"
	    " ORDER BY a.incident_id DESC LIMIT 1";
	struct store_stmt *st;
	int rc;

	*key = NULL;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_text(st, 1, fp, -1, STORE_STATIC);
	rc = store_step(st);
	if (rc == STORE_ROW &&
	    (*key = strdup((const char *)store_col_text(st, 0))) == NULL)
		rc = STORE_NOMEM;
	store_reset(st);
	if (rc == STORE_NOMEM)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "alerts");
	return 0;
}

/* A pulled group whose alerts a webhook already put in an open incident
 * joins that incident: the webhook's group key names its route
 * (`{}/{team="db"}:{...}`), which the API does not say, and one
 * Alertmanager group must be one incident whichever way it came.
 * Fills keys[i] with the key each alert of a joined group takes (owned;
 * NULL: its own). Alerts of a group are consecutive in a pull. */
static int
receiver_join(struct store *s, const struct alert *alerts, size_t n,
    char **keys, struct err *err)
{
	size_t i = 0, j, k;
	char *key;

	while (i < n) {
		for (j = i; j < n && alerts[j].group_key != NULL &&
		     alerts[i].group_key != NULL &&
		     strcmp(alerts[j].group_key, alerts[i].group_key) == 0;
		     j++)
			;
		if (j == i)
			j = i + 1;
		key = NULL;
		for (k = i; k < j && key == NULL; k++)
			if (receiver_known_group(
			        s, alerts[k].fingerprint, &key, err) == -1)
				return -1;
		if (key != NULL && strcmp(key, alerts[i].group_key) != 0)
			for (k = i; k < j; k++)
				if ((keys[k] = strdup(key)) == NULL) {
					free(key);
					return err_set(
					    err, ERR_FAILED, "out of memory");
				}
		free(key);
		i = j;
	}
	return 0;
}

/* incident_ingest of a pull, with the joined groups' keys. */
static int
receiver_upsert(struct store *s, const struct alert *alerts, size_t n,
    const struct incident_ingest_opts *o, struct incident_ingest_result *r,
    struct err *err)
{
	struct alert *copy = calloc(n, sizeof *copy);
	char **keys = calloc(n, sizeof *keys);
	int rc = -1;

	if (copy == NULL || keys == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	if (receiver_join(s, alerts, n, keys, err) == -1)
		goto out;
	memcpy(copy, alerts, n * sizeof *copy); /* shallow: borrowed */
	for (size_t i = 0; i < n; i++)
		if (keys[i] != NULL)
			copy[i].group_key = keys[i];
	rc = incident_ingest(s, copy, n, o, r, err);
out:
	for (size_t i = 0; keys != NULL && i < n; i++)
		free(keys[i]);
	free(keys);
	free(copy);
	return rc;
}

int
receiver_pull(struct store *s, const char *url, const struct alert *alerts,
    size_t n, int resolve_gone, const char *actor,
    struct receiver_pull_result *res, struct err *err)
{
	struct incident_ingest_opts o = { actor, INCIDENT_INGEST_UPSERT, -1,
		NULL, NULL };
	struct incident_ingest_result r;
	int64_t now = clock_now_us();

	memset(res, 0, sizeof *res);
	if (store_begin(s, err) == -1)
		return -1;
	if (n > 0 && receiver_upsert(s, alerts, n, &o, &r, err) == -1)
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
	struct store_stmt *st;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_blob(st, 1, mac, (int)mlen, STORE_STATIC);
	store_bind_int64(st, 2, until_us);
	if (store_step_done(s, st, "signatures_seen", err) == -1)
		return -1;
	return store_changes(s) == 0;
}

int
receiver_signatures_purge(struct store *s, int64_t now_us, struct err *err)
{
	static const char sql[] = "DELETE FROM signatures_seen"
	                          " WHERE until_us < ?";
	struct store_stmt *st;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, now_us);
	return store_step_done(s, st, "signatures_seen", err);
}

int64_t
receiver_open_incidents(struct store *s)
{
	static const char sql[] = "SELECT count(*) FROM incidents"
	                          " WHERE state <> ?";
	struct store_stmt *st;
	int64_t n = -1;

	if ((st = store_stmt(s, sql, NULL)) == NULL)
		return -1;
	store_bind_int(st, 1, INCIDENT_RESOLVED);
	if (store_step(st) == STORE_ROW)
		n = store_col_int64(st, 0);
	store_reset(st);
	return n;
}
