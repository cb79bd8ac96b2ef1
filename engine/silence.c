/* silence.c: records of the Alertmanager silences owl made for incidents
 * (silence.h); the HTTP calls themselves live in integrations/am_client.c.
 * Each change is appended to the action log in the same transaction. */
#include "silence.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actlog.h"
#include "engine/clock.h"
#include "engine/incident.h"
#include "engine/sanitize.h"

#define SILENCE_COLS                                                           \
	"id, incident_id, am_url, silence_id, fingerprint,"                    \
	" created_by, created_at, ends_at, expired_at"

static int
silence_log(struct store *s, int64_t incident, const char *actor,
    const char *kind, json_t *detail, struct err *err)
{
	struct actlog_new e = {
		.actor = actor, .incident = incident, .kind = kind
	};

	return actlog_append_json(
	    s, &e, detail, JSON_COMPACT | JSON_SORT_KEYS, NULL, err);
}

int
silence_add(struct store *s, int64_t incident, const char *am_url,
    const char *silence_id, const char *fingerprint, const char *actor,
    int64_t ends_at, const char *comment, struct err *err)
{
	static const char sql[] =
	    "INSERT INTO silences(incident_id, am_url,"
	    " silence_id, fingerprint, created_by, created_at, ends_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)";
	char until[CLOCK_RFC3339_MAX], shown[1100];
	const char *who = actor;
	struct store_stmt *st;
	int rc;

	if (store_begin(s, err) == -1)
		return -1;
	if ((st = store_stmt(s, sql, err)) == NULL)
		goto fail;
	store_bind_int64(st, 1, incident);
	store_bind_text(st, 2, am_url, -1, STORE_STATIC);
	store_bind_text(st, 3, silence_id, -1, STORE_STATIC);
	if (fingerprint != NULL)
		store_bind_text(st, 4, fingerprint, -1, STORE_STATIC);
	store_bind_text(st, 5, who != NULL ? who : "", -1, STORE_STATIC);
	store_bind_int64(st, 6, clock_now_us());
	store_bind_int64(st, 7, ends_at);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE) {
		store_sqlerr(s, err, "silences");
		goto fail;
	}
	clock_format(ends_at, 0, until);
	/* the action log is permanent: the URL without its credentials */
	sanitize_url(am_url, shown, sizeof shown);
	if (silence_log(s, incident, actor, "incident.silence",
	        json_pack("{s:s, s:s, s:s?, s:s, s:s?}", "alertmanager", shown,
	            "silence_id", silence_id, "fingerprint", fingerprint,
	            "until", until, "comment", comment),
	        err) == -1)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

static char *
silence_col(struct store_stmt *st, int i)
{
	const unsigned char *t = store_col_text(st, i);

	return t != NULL ? strdup((const char *)t) : NULL;
}

void
silence_list_free(struct silence *list, size_t n)
{
	for (size_t i = 0; list != NULL && i < n; i++) {
		free(list[i].am_url);
		free(list[i].silence_id);
		free(list[i].fingerprint);
		free(list[i].created_by);
	}
	free(list);
}

/* Reads every row of a prepared SELECT of SILENCE_COLS. */
static int
silence_read(struct store *s, struct store_stmt *st, struct silence **out,
    size_t *n, struct err *err)
{
	struct silence *list = NULL, *p, *x;
	size_t cap = 0;
	int rc;

	*n = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			if ((p = realloc(list, cap * sizeof *p)) == NULL)
				break;
			list = p;
		}
		x = &list[(*n)++];
		x->id = store_col_int64(st, 0);
		x->incident = store_col_int64(st, 1);
		x->am_url = silence_col(st, 2);
		x->silence_id = silence_col(st, 3);
		x->fingerprint = silence_col(st, 4);
		x->created_by = silence_col(st, 5);
		x->created_at = store_col_int64(st, 6);
		x->ends_at = store_col_int64(st, 7);
		x->expired_at = store_col_int64(st, 8);
		if (x->am_url == NULL || x->silence_id == NULL)
			break;
	}
	store_reset(st);
	if (rc != STORE_DONE) {
		silence_list_free(list, *n);
		*n = 0;
		if (rc == STORE_ROW)
			return err_set(err, ERR_FAILED, "out of memory");
		return store_sqlerr(s, err, "silences");
	}
	*out = list;
	return 0;
}

int
silence_list(struct store *s, int64_t incident, int active_only,
    struct silence **out, size_t *n, struct err *err)
{
	static const char sql[] =
	    "SELECT " SILENCE_COLS " FROM silences"
	    " WHERE (?1 = 0 OR incident_id = ?1) AND (?2 = 0 OR"
	    " (expired_at IS NULL AND ends_at > ?3)) ORDER BY id";
	struct store_stmt *st;

	*out = NULL;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, incident);
	store_bind_int(st, 2, active_only);
	store_bind_int64(st, 3, clock_now_us());
	return silence_read(s, st, out, n, err);
}

int
silence_due(struct store *s, struct silence **out, size_t *n, struct err *err)
{
	static const char sql[] =
	    "SELECT " SILENCE_COLS " FROM silences"
	    " WHERE expired_at IS NULL AND ends_at > ?1 AND incident_id IN"
	    " (SELECT id FROM incidents WHERE state = ?2) ORDER BY id";
	struct store_stmt *st;

	*out = NULL;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, clock_now_us());
	store_bind_int(st, 2, INCIDENT_RESOLVED);
	return silence_read(s, st, out, n, err);
}

int
silence_expire(struct store *s, int64_t id, const char *actor,
    const char *reason, struct err *err)
{
	static const char get[] = "SELECT incident_id, silence_id FROM silences"
	                          " WHERE id = ?";
	static const char upd[] = "UPDATE silences SET expired_at = ?"
	                          " WHERE id = ?";
	int64_t incident = 0;
	struct store_stmt *st;
	char *sid = NULL;
	int rc;

	if (store_begin(s, err) == -1)
		return -1;
	if ((st = store_stmt(s, get, err)) == NULL)
		goto fail;
	store_bind_int64(st, 1, id);
	if ((rc = store_step(st)) == STORE_ROW) {
		incident = store_col_int64(st, 0);
		sid = silence_col(st, 1);
	}
	store_reset(st);
	if (rc != STORE_ROW || sid == NULL) {
		err_set(err, ERR_FAILED, "no silence %lld", (long long)id);
		goto fail;
	}
	if ((st = store_stmt(s, upd, err)) == NULL)
		goto fail;
	store_bind_int64(st, 1, clock_now_us());
	store_bind_int64(st, 2, id);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE) {
		store_sqlerr(s, err, "silences");
		goto fail;
	}
	if (silence_log(s, incident, actor, "incident.unsilence",
	        json_pack("{s:s, s:s}", "silence_id", sid, "reason", reason),
	        err) == -1)
		goto fail;
	free(sid);
	return store_commit(s, err);
fail:
	free(sid);
	store_rollback(s);
	return -1;
}

int
silence_am_url(struct store *s, int64_t incident, char **url, int *from_sender,
    struct err *err)
{
	/* the one owl pulls from (it reaches it), else the sender's own */
	static const char sql[] =
	    "SELECT url, k FROM (SELECT p.url AS url, 0 AS k, p.seen_at AS t"
	    " FROM alerts a JOIN pull_seen p ON p.fingerprint = a.fingerprint"
	    " WHERE a.incident_id = ?1 AND a.source = 'alertmanager'"
	    " UNION ALL SELECT sender_url, 1, 0 FROM incidents"
	    " WHERE id = ?1 AND sender_url IS NOT NULL) AS urls"
	    " ORDER BY k, t DESC LIMIT 1";
	struct store_stmt *st;
	int rc;

	*url = NULL;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, incident);
	rc = store_step(st);
	if (rc == STORE_ROW && (*url = silence_col(st, 0)) == NULL)
		rc = STORE_NOMEM;
	if (rc == STORE_ROW && from_sender != NULL)
		*from_sender = store_col_int(st, 1);
	store_reset(st);
	if (rc == STORE_NOMEM)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "pull_seen");
	return 0;
}
