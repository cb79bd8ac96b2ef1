/* incident_ingest_alert.c: the alert rows of incident_ingest: looking an
 * alert up by (source, fingerprint), storing a new one (its alert.new
 * entry, the incident's filter text) and applying an event to a known
 * one (times, counts, a PagerDuty merge, alert.resolve/alert.refire). */
#include "incident_ingest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/buf.h"
#include "engine/clock.h"
#include "engine/incident_int.h"
#include "engine/jdump.h"

static int
ingest_text_eq(struct store_stmt *st, int col, const char *v)
{
	const char *t = (const char *)store_col_text(st, col);

	return t == NULL || v == NULL ? t == v : strcmp(t, v) == 0;
}

void
ingest_found_read(
    struct store_stmt *st, const struct alert *a, struct ingest_found *f)
{
	f->found = 1;
	f->alert_id = store_col_int64(st, 0);
	f->t.resolved = store_col_int(st, 1);
	f->t.starts = store_col_int64(st, 2);
	f->t.ends = store_col_int64(st, 3);
	f->t.given = store_col_int(st, 4);
	f->t.rx_starts = store_col_int64(st, 5);
	f->t.rx_ends = store_col_int64(st, 6);
	f->severity = store_col_int(st, 7);
	f->same = (a->severity_kept || f->severity == (int)a->severity) &&
	    ingest_text_eq(st, 8, a->labels_json) &&
	    ingest_text_eq(st, 9, a->annotations_json) &&
	    ingest_text_eq(st, 10, a->generator_url) &&
	    ingest_text_eq(st, 11, a->severity_raw);
}

/* Below this many alerts each is looked up by itself; above it the
 * keys are read INGEST_KNOWN_CHUNK alerts at a time. */
#define INGEST_KNOWN_MIN 16
#define INGEST_KNOWN_CHUNK 4096

/* The key of a's row in c->known: a key that is not a's (a source or
 * fingerprint holding the separator) only costs a lookup. */
static int
ingest_known_key(const struct alert *a, char **key)
{
	if (asprintf(key, "%s\n%s", a->source, a->fingerprint) == -1) {
		*key = NULL;
		return -1;
	}
	return 0;
}

int
ingest_known_add(struct ingest_ctx *c, const struct alert *a, struct err *err)
{
	char *key;
	int rc;

	if (c->known == NULL)
		return 0;
	if (ingest_known_key(a, &key) == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = strmap_set(c->known, key, NULL);
	free(key);
	return rc == -1 ? err_set(err, ERR_FAILED, "out of memory") : 0;
}

/* 1 when alert a, read ahead by ingest_known, has no row. */
static int
ingest_known_none(const struct ingest_ctx *c, const struct alert *a)
{
	char *key;
	int none;

	/* the position of a in the batch is what ingest_known read to */
	if (c->known == NULL || c->known_end == 0 || c->ahead.rows != NULL ||
	    ingest_known_key(a, &key) == -1)
		return 0;
	none = strmap_get(c->known, key) == NULL;
	free(key);
	return none;
}

int
ingest_known(struct ingest_ctx *c, const struct alert *alerts, size_t i,
    size_t n, struct err *err)
{
	static const char sqlite[] =
	    "SELECT a.source, a.fingerprint FROM json_each(?1) j, alerts a"
	    " WHERE a.source = json_extract(j.value, '$[0]')"
	    " AND a.fingerprint = json_extract(j.value, '$[1]')";
	static const char pg[] =
	    "SELECT a.source, a.fingerprint"
	    " FROM json_array_elements(CAST(?1 AS json)) j(v)"
	    " JOIN alerts a ON a.source = j.v ->> 0"
	    " AND a.fingerprint = j.v ->> 1";
	size_t end = i + INGEST_KNOWN_CHUNK < n ? i + INGEST_KNOWN_CHUNK : n;
	struct store_stmt *st;
	char *json, *key;
	int rc;

	if (i != c->known_end || c->o->mode == INCIDENT_INGEST_ACK)
		return 0;
	/* a server: the rows themselves, whatever the batch's size */
	if (store_remote(c->s))
		return ingest_ahead_alerts(c, alerts, i, n, err);
	if (n < INGEST_KNOWN_MIN)
		return 0;
	if ((json = ingest_keys_json(alerts, i, end, 0)) == NULL) {
		c->known_end = 0; /* each looked up from here on */
		return 0;
	}
	if (c->known == NULL && (c->known = strmap_new()) == NULL) {
		free(json);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	if ((st = store_stmt2(c->s, sqlite, pg, err)) == NULL) {
		free(json);
		return -1;
	}
	store_bind_text(st, 1, json, -1, STORE_STATIC);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (asprintf(&key, "%s\n%s",
		        (const char *)store_col_text(st, 0),
		        (const char *)store_col_text(st, 1)) == -1) {
			rc = STORE_NOMEM;
			break;
		}
		rc = strmap_set(c->known, key, NULL);
		free(key);
		if (rc == -1) {
			rc = STORE_NOMEM;
			break;
		}
	}
	store_reset(st);
	free(json);
	if (rc == STORE_NOMEM)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rc != STORE_DONE)
		return store_sqlerr(c->s, err, "alerts");
	c->known_end = end;
	return 0;
}

int
ingest_find(struct ingest_ctx *c, const struct alert *a, struct ingest_found *f,
    struct err *err)
{
	static const char sql[] =
	    "SELECT " INGEST_FOUND_COLS ", a.incident_id, i.state"
	    " FROM alerts a JOIN incidents i"
	    " ON i.id = a.incident_id WHERE a.source = ? AND a.fingerprint = ?"
	    " ORDER BY a.incident_id DESC LIMIT 1";
	struct store_stmt *st;
	int rc;

	memset(f, 0, sizeof *f);
	if (ingest_ahead_find(c, a, f) || ingest_known_none(c, a))
		return 0;
	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_text(st, 1, a->source, -1, STORE_STATIC);
	store_bind_text(st, 2, a->fingerprint, -1, STORE_STATIC);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		ingest_found_read(st, a, f);
		f->incident = store_col_int64(st, INGEST_FOUND_N);
		f->state =
		    (enum incident_state)store_col_int(st, INGEST_FOUND_N + 1);
	}
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(c->s, err, "alerts");
	return 0;
}

/* The alert's row in incident `in`, when it has one there besides its
 * newest: an alert that moved to another group (a routing change, or a
 * pull's group) and then fired again while its first group could
 * reopen. f->found is cleared when there is none. */
int
ingest_find_in(struct ingest_ctx *c, const struct alert *a, int64_t in,
    struct ingest_found *f, struct err *err)
{
	static const char sql[] =
	    "SELECT " INGEST_FOUND_COLS " FROM alerts a"
	    " WHERE source = ? AND fingerprint = ? AND incident_id = ?";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_text(st, 1, a->source, -1, STORE_STATIC);
	store_bind_text(st, 2, a->fingerprint, -1, STORE_STATIC);
	store_bind_int64(st, 3, in);
	rc = store_step(st);
	f->found = 0;
	if (rc == STORE_ROW) {
		ingest_found_read(st, a, f);
		f->incident = in;
	}
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(c->s, err, "alerts");
	return 0;
}

/* The bytes of incident's filter text, noted in the batch's defer. */
static int
ingest_text_read(struct ingest_ctx *c, int64_t incident, struct err *err)
{
	static const char sql[] =
	    "SELECT length(CAST(match_text AS BLOB)) FROM incidents WHERE id = ?";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, incident);
	if ((rc = store_step(st)) == STORE_ROW)
		ingest_defer_text_note(
		    c->o->defer, incident, store_col_int64(st, 0));
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(c->s, err, "incident text");
	return 0;
}

/* Adds a new alert's "k=v" text to its incident's, for the TUI's filter,
 * while it fits (ALERT_MATCH_MAX bytes) and is not there already. The
 * size is the text's bytes, which SQLite knows without reading them
 * (as a BLOB): length() of TEXT counts characters, a read of up to 4 KiB
 * for every new alert of an incident whose text is full. Still, the
 * CAST reads the text: in owl serve's batches (a defer) on SQLite, the
 * size is kept from one alert to the next (ingest_defer_text), and an
 * alert whose text cannot fit runs no statement. On a server each
 * statement read is a round trip, and the UPDATE is sent ahead. */
static int
ingest_match_text(struct ingest_ctx *c, const struct alert *a, int64_t incident,
    struct err *err)
{
	static const char sqlite[] =
	    "UPDATE incidents SET match_text = match_text || ?1 WHERE id = ?2"
	    " AND length(CAST(match_text AS BLOB)) + length(CAST(?1 AS BLOB))"
	    " <= " ALERT_MATCH_MAX_SQL " AND instr(match_text, ?1) = 0";
	static const char pg[] =
	    "UPDATE incidents SET match_text = match_text || ?1 WHERE id = ?2"
	    " AND octet_length(match_text) + octet_length(?1)"
	    " <= " ALERT_MATCH_MAX_SQL " AND strpos(match_text, ?1) = 0";
	struct incident_ingest_defer *d = c->o->defer;
	struct store_stmt *st;
	int64_t *known = NULL, n;

	if (a->match_text == NULL || *a->match_text == '\0')
		return 0;
	n = (int64_t)strlen(a->match_text);
	if (d != NULL && !store_remote(c->s) &&
	    (known = ingest_defer_text(d, incident)) == NULL &&
	    ingest_defer_text_room(d)) {
		if (ingest_text_read(c, incident, err) == -1)
			return -1;
		known = ingest_defer_text(d, incident); /* NULL: none kept */
	}
	if (known != NULL && *known + n > ALERT_MATCH_MAX)
		return 0;
	if ((st = store_stmt2(c->s, sqlite, pg, err)) == NULL)
		return -1;
	store_bind_text(st, 1, a->match_text, -1, STORE_STATIC);
	store_bind_int64(st, 2, incident);
	if (known == NULL)
		return store_step_later(c->s, st, "incident text", err);
	if (store_step_done(c->s, st, "incident text", err) == -1)
		return -1;
	/* appended: n bytes more; not: already there, or it did not fit
	 * (the size kept was short of the text's): read it again */
	if (store_changes(c->s) > 0) {
		*known += n;
		return 0;
	}
	return ingest_text_read(c, incident, err);
}

/* One field of an alert.new entry: ,"key":"value" (NULL: null). */
static int
ingest_new_field(struct buf *t, const char *key, const char *v, struct err *err)
{
	if (buf_addc(t, ',', err) == -1 || buf_adds(t, key, err) == -1)
		return -1;
	if (v == NULL)
		return buf_adds(t, "null", err);
	return jdump_add_str(v, strlen(v), t, err);
}

/* A time field: null for 0. */
static int
ingest_new_time(struct buf *t, const char *key, int64_t us, struct err *err)
{
	char v[CLOCK_RFC3339_MAX];

	if (us != 0)
		clock_format(us, 1, v);
	return ingest_new_field(t, key, us != 0 ? v : NULL, err);
}

/* The detail of an alert.new entry. Its labels and annotations go in
 * as the compact JSON text they were stored as, not parsed and dumped
 * again: {"annotations":A,"labels":L, then the other fields in
 * jansson's order of sorted keys, the bytes json_dumps(JSON_COMPACT |
 * JSON_SORT_KEYS) wrote of them when they were built with json_pack
 * (test_ingest holds the two together), written without building them:
 * this runs on owl serve's one writer thread. */
int
ingest_new_detail(const struct alert *a, int64_t starts, int64_t ends,
    struct buf *t, struct err *err)
{
	const char *an = a->annotations_json ? a->annotations_json : "{}";
	const char *lb = a->labels_json ? a->labels_json : "{}";

	if (a->source == NULL || a->fingerprint == NULL)
		return err_set(err, ERR_FAILED, "an alert without %s",
		    a->source == NULL ? "source" : "fingerprint");
	if (buf_adds(t, "{\"annotations\":", err) == -1 ||
	    buf_adds(t, an, err) == -1 ||
	    buf_adds(t, ",\"labels\":", err) == -1 ||
	    buf_adds(t, lb, err) == -1 ||
	    ingest_new_time(t, "\"ends_at\":", ends, err) == -1 ||
	    ingest_new_field(t, "\"fingerprint\":", a->fingerprint, err) ==
	        -1 ||
	    ingest_new_field(t, "\"generator_url\":", a->generator_url, err) ==
	        -1 ||
	    ingest_new_field(t, "\"severity\":",
	        incident_severity_name(a->severity), err) == -1 ||
	    ingest_new_field(t, "\"severity_raw\":", a->severity_raw, err) ==
	        -1 ||
	    ingest_new_field(t, "\"source\":", a->source, err) == -1 ||
	    ingest_new_time(t, "\"starts_at\":", starts, err) == -1 ||
	    ingest_new_field(t,
	        "\"status\":", a->resolved ? "resolved" : "firing", err) == -1)
		return -1;
	return buf_addc(t, '}', err);
}

/* Logs a new alert (alert.new). */
static int
ingest_log_new(struct ingest_ctx *c, const struct alert *a, int64_t incident,
    int64_t starts, int64_t ends, struct err *err)
{
	buf_reset(&c->detail);
	if (ingest_new_detail(a, starts, ends, &c->detail, err) == -1)
		return -1;
	return incident_log_text(
	    c->s, incident, c->actor, "alert.new", buf_str(&c->detail), err);
}

int
ingest_insert(struct ingest_ctx *c, const struct alert *a, int64_t incident,
    struct err *err)
{
	static const char sql[] =
	    "INSERT INTO alerts(incident_id, source,"
	    " fingerprint, resolved, severity, labels, annotations, starts_at,"
	    " ends_at, generator_url, count, first_seen, last_seen,"
	    " times_given, received_starts, received_ends, severity_raw)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)";
	struct incident_times t;
	struct store_stmt *st;

	incident_times_new(a, c->now, &t);
	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, incident);
	store_bind_text(st, 2, a->source, -1, STORE_STATIC);
	store_bind_text(st, 3, a->fingerprint, -1, STORE_STATIC);
	store_bind_int(st, 4, a->resolved);
	store_bind_int(st, 5, (int)a->severity);
	store_bind_text(st, 6, a->labels_json, -1, STORE_STATIC);
	store_bind_text(st, 7, a->annotations_json, -1, STORE_STATIC);
	store_bind_int64(st, 8, t.starts);
	store_bind_int64(st, 9, t.ends);
	if (a->generator_url != NULL)
		store_bind_text(st, 10, a->generator_url, -1, STORE_STATIC);
	store_bind_int64(st, 11, c->now);
	store_bind_int64(st, 12, c->now);
	store_bind_int(st, 13, t.given);
	store_bind_int64(st, 14, t.rx_starts);
	if (t.rx_ends != 0)
		store_bind_int64(st, 15, t.rx_ends);
	if (a->severity_raw != NULL)
		store_bind_text(st, 16, a->severity_raw, -1, STORE_STATIC);
	if (store_step_later(c->s, st, "store alert", err) == -1 ||
	    ingest_match_text(c, a, incident, err) == -1 ||
	    ingest_touch_labels(c, a->labels_json, err) == -1)
		return -1;
	c->res->new_alerts++;
	ingest_touch_times(c, t.starts, t.ends);
	return ingest_log_new(c, a, incident, t.starts, t.ends, err);
}

/* Logs an alert's change between firing and resolved. */
static int
ingest_transition(struct ingest_ctx *c, const struct alert *a, int64_t incident,
    int64_t at, struct err *err)
{
	const char *before = a->resolved ? "firing" : "resolved";
	const char *after = a->resolved ? "resolved" : "firing";

	return incident_log(c->s, incident, c->actor,
	    a->resolved ? "alert.resolve" : "alert.refire",
	    json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:o}}", "source", a->source,
	        "fingerprint", a->fingerprint, "before", "status", before,
	        "after", "status", after, a->resolved ? "ends_at" : "starts_at",
	        incident_jtime(at)),
	    err);
}

int
ingest_update(struct ingest_ctx *c, const struct alert *a,
    const struct ingest_found *f, struct err *err)
{
	static const char full[] =
	    "UPDATE alerts SET resolved = ?1,"
	    " starts_at = ?5, ends_at = ?6, count = count + 1, last_seen = ?8,"
	    " times_given = ?10, received_starts = ?11, received_ends = ?12,"
	    " severity = ?2, labels = ?3, annotations = ?4, generator_url = ?7,"
	    " severity_raw = CASE WHEN ?14 THEN severity_raw ELSE ?13 END"
	    " WHERE id = ?9";
	static const char status_only[] =
	    "UPDATE alerts SET resolved = ?1,"
	    " starts_at = ?5, ends_at = ?6, count = count + 1, last_seen = ?8,"
	    " times_given = ?10, received_starts = ?11, received_ends = ?12"
	    " WHERE id = ?9";
	/* a resolve-only delivery, or one that says what is stored already
	 * (Alertmanager re-sends whole groups): its times and counts only */
	int only = c->o->mode == INCIDENT_INGEST_RESOLVE || f->same, rc = -1;
	int sev = a->severity_kept ? f->severity : (int)a->severity;
	struct incident_merged m = { 0 };
	struct incident_times t;
	struct store_stmt *st;

	incident_times_apply(&f->t, a, c->now, &t);
	if (a->merge && !only &&
	    incident_merge(
	        c->s, f->alert_id, f->incident, c->actor, a, &m, err) == -1)
		return -1;
	if ((st = store_stmt(c->s, only ? status_only : full, err)) == NULL)
		goto out;
	store_bind_int(st, 1, a->resolved);
	store_bind_int64(st, 5, t.starts);
	store_bind_int64(st, 6, t.ends);
	store_bind_int64(st, 8, c->now);
	store_bind_int64(st, 9, f->alert_id);
	store_bind_int(st, 10, t.given);
	store_bind_int64(st, 11, t.rx_starts);
	if (t.rx_ends != 0)
		store_bind_int64(st, 12, t.rx_ends);
	if (!only) {
		const char *url = a->merge ? m.generator_url : a->generator_url;

		store_bind_int(st, 2, sev);
		store_bind_int(st, 14, a->severity_kept);
		store_bind_text(st, 3, a->merge ? m.labels : a->labels_json, -1,
		    STORE_STATIC);
		store_bind_text(st, 4,
		    a->merge ? m.annotations : a->annotations_json, -1,
		    STORE_STATIC);
		if (url != NULL)
			store_bind_text(st, 7, url, -1, STORE_STATIC);
		if (a->severity_raw != NULL)
			store_bind_text(
			    st, 13, a->severity_raw, -1, STORE_STATIC);
	}
	if (store_step_later(c->s, st, "update alert", err) == -1 ||
	    ingest_touch(c, f->incident,
	        f->t.resolved != a->resolved || m.changed, err) == -1 ||
	    (!only &&
	        ingest_touch_labels(
	            c, a->merge ? m.labels : a->labels_json, err) == -1))
		goto out;
	if (only)
		ingest_delta(c, 0, f->t.resolved - a->resolved, -1, -1);
	else
		ingest_delta(c, 0, f->t.resolved - a->resolved, sev,
		    sev < f->severity ? f->severity : -1);
	ingest_touch_times(c, t.starts, t.ends);
	rc = f->t.resolved == a->resolved
	    ? 0
	    : ingest_transition(
	          c, a, f->incident, a->resolved ? t.ends : t.starts, err);
out:
	incident_merged_done(&m);
	return rc;
}
