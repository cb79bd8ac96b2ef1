/* timeline_read.c: what the passes of a timeline export read of an
 * alert's entry (most of a storm's), with no tree of its detail: the
 * few strings they use and the labels, by jscan, or by SQLite's JSON
 * reader when jscan is not sure. */
#include "timeline_int.h"

#include <stdlib.h>
#include <string.h>

#include "jscan.h"

static const struct jscan_want tl_wants[][TL_READ_MAX + 1] = {
	[TL_NEW] = { { "starts_at", 0 }, { "fingerprint", 0 },
	    { "severity", 0 }, { "status", 0 }, { "ends_at", 0 },
	    { "annotations.summary", 0 }, { "labels", 1 } },
	[TL_CHANGE] = { { "fingerprint", 0 }, { "after.ends_at", 0 },
	    { "after.starts_at", 0 } },
};
/* The strings of each (then the labels, but for TL_CHANGE). */
static const size_t tl_nstr[] = { [TL_NEW] = 6, [TL_CHANGE] = 3 };

/* The same read by SQLite (as the passes read it before jscan): the
 * strings as a JSON array, columns TL_NEW, TL_CHANGE, then the labels;
 * all NULL when the detail is not valid JSON. */
static const char tl_slow_sql[] =
    "SELECT CASE WHEN v = 1 THEN json_extract(d, '$.starts_at',"
    " '$.fingerprint', '$.severity', '$.status', '$.ends_at',"
    " '$.annotations.summary') END,"
    " CASE WHEN v = 1 THEN json_extract(d, '$.fingerprint',"
    " '$.after.ends_at', '$.after.starts_at') END,"
    " CASE WHEN v = 1 THEN json_extract(d, '$.labels') END"
    " FROM (SELECT ?1 AS d, json_valid(?1) AS v) AS detail";

void
tl_read_done(struct tl_read *r)
{
	json_decref(r->arr);
	free(r->slow);
	memset(r->v, 0, sizeof r->v);
	r->labels = NULL;
	r->arr = NULL;
	r->slow = NULL;
	r->valid = 0;
	r->at = 0;
}

/* What SQLite reads of it. */
static int
tl_read_slow(struct store *s, const char *detail, enum tl_what w,
    struct tl_read *r, struct err *err)
{
	struct store_stmt *st;
	const char *f, *l;

	if ((st = store_stmt(s, tl_slow_sql, err)) == NULL)
		return -1;
	store_bind_text(st, 1, detail, -1, STORE_STATIC);
	if (store_step(st) != STORE_ROW) {
		store_reset(st);
		return store_sqlerr(s, err, "action log");
	}
	f = (const char *)store_col_text(st, (int)w);
	l = (const char *)store_col_text(st, 2);
	r->valid = f != NULL;
	if (f != NULL && (r->arr = json_loads(f, 0, NULL)) == NULL) {
		store_reset(st);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	for (size_t i = 0; i < tl_nstr[w]; i++)
		r->v[i] = json_string_value(json_array_get(r->arr, i));
	if (l != NULL && w != TL_CHANGE && (r->slow = strdup(l)) == NULL) {
		store_reset(st);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	r->labels = r->slow;
	store_reset(st);
	return 0;
}

/* Copies jscan's values into r->buf, NUL-terminated; -1 when they do
 * not fit. */
static int
tl_read_copy(struct tl_read *r, const struct jscan_val *v, size_t n, int labels)
{
	size_t len = 0;

	for (size_t i = 0; i < n + (labels ? 1 : 0); i++) {
		if (v[i].p == NULL)
			continue;
		if (len + v[i].n + 1 > sizeof r->buf)
			return -1;
		memcpy(r->buf + len, v[i].p, v[i].n);
		r->buf[len + v[i].n] = '\0';
		if (i < n)
			r->v[i] = r->buf + len;
		else
			r->labels = r->buf + len;
		len += v[i].n + 1;
	}
	return 0;
}

int
tl_read(struct store *s, const char *detail, enum tl_what w, struct tl_read *r,
    struct err *err)
{
	struct jscan_val v[JSCAN_MAX];
	size_t n = tl_nstr[w];
	int labels = w != TL_CHANGE;

	tl_read_done(r);
	if (detail == NULL)
		return 0;
	if (jscan_get(detail, tl_wants[w], n + (labels ? 1 : 0), v) == 0 &&
	    tl_read_copy(r, v, n, labels) == 0) {
		r->valid = 1;
		r->at = 1;
		for (size_t i = 0; i < n + (labels ? 1 : 0); i++) {
			r->off[i] =
			    v[i].p ? (uint32_t)(v[i].p - detail) : UINT32_MAX;
			r->len[i] = (uint32_t)v[i].n;
		}
		return 0;
	}
	tl_read_done(r);
	return tl_read_slow(s, detail, w, r, err);
}

int
tl_read_at(const char *detail, size_t size, enum tl_what w, const uint32_t *off,
    const uint32_t *len, struct tl_read *r)
{
	struct jscan_val v[TL_READ_MAX + 1];
	size_t n = tl_nstr[w] + (w != TL_CHANGE ? 1 : 0);

	tl_read_done(r);
	for (size_t i = 0; i < n; i++) {
		if (off[i] != UINT32_MAX &&
		    (off[i] > size || len[i] > size - off[i]))
			return -1;
		v[i].p = off[i] == UINT32_MAX ? NULL : detail + off[i];
		v[i].n = len[i];
	}
	if (tl_read_copy(r, v, tl_nstr[w], w != TL_CHANGE) == -1)
		return -1;
	r->valid = 1;
	return 0;
}

int
tl_alert_kind(const char *k)
{
	if (strncmp(k, "alert.", 6) != 0)
		return -1;
	if (strcmp(k + 6, "new") == 0)
		return 0;
	return strcmp(k + 6, "resolve") == 0 || strcmp(k + 6, "refire") == 0
	    ? 1
	    : -1;
}
