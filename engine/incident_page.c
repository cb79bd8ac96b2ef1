/* incident_page.c: pages of the incident list (see incident.h), read
 * straight off an index that matches each order, so the first screen of
 * 100,000 open incidents costs what the first screen of ten does: no
 * sort, no copy of the rest. The TUI's urgency order is three such
 * walks one after another (firing, acknowledged, snoozed). */
#include "incident.h"

#include <stdlib.h>
#include <string.h>

#include "engine/alert.h"
#include "engine/incident_int.h"

/* Parameters: ?1 state, ?2 now, ?3 filter pattern, ?4 limit, ?5 offset. */
#define PAGE_F                                                                 \
	" AND (title LIKE ?3 ESCAPE '\\' OR match_text LIKE ?3 ESCAPE '\\'"    \
	" OR 'INC-' || id LIKE ?3 ESCAPE '\\')"
#define PAGE_SEV " ORDER BY severity DESC, opened_at DESC, id DESC"
#define PAGE_TAIL " LIMIT ?4 OFFSET ?5"
#define PAGE_SEL "SELECT " INCIDENT_COLS " FROM incidents WHERE "
#define PAGE_CNT "SELECT count(*) FROM incidents WHERE "

#define W_OPEN "state <> 2"
#define W_ALL "1 = 1"
#define W_STATE "state = ?1"
#define W_AWAKE "state = ?1 AND coalesce(snoozed_until, 0) <= ?2"
#define W_SNOOZED                                                              \
	"snoozed_until IS NOT NULL AND state <> 2 AND snoozed_until > ?2"

/* One index walk: its WHERE and ORDER BY, with and without a filter. */
struct page_shape {
	const char *sel, *sel_f; /* rows */
	const char *cnt_f; /* how many rows, with a filter */
};

#define PAGE_SHAPE(w, order)                                                   \
	{                                                                      \
		PAGE_SEL w order PAGE_TAIL, PAGE_SEL w PAGE_F order PAGE_TAIL, \
		    PAGE_CNT w PAGE_F                                          \
	}

enum page_shape_id {
	SHAPE_OPEN,
	SHAPE_ALL,
	SHAPE_STATE,
	SHAPE_AWAKE,
	SHAPE_SNOOZED,
	SHAPE_NEWEST,
	SHAPE_ALERTS,
	SHAPE_ID,
	SHAPE_NEWEST_ALL,
	SHAPE_ALERTS_ALL,
	SHAPE_ID_ALL,
};

static const struct page_shape page_shapes[] = {
	[SHAPE_OPEN] = PAGE_SHAPE(W_OPEN, PAGE_SEV),
	[SHAPE_ALL] = PAGE_SHAPE(W_ALL, PAGE_SEV),
	[SHAPE_STATE] = PAGE_SHAPE(W_STATE, PAGE_SEV),
	[SHAPE_AWAKE] = PAGE_SHAPE(W_AWAKE, PAGE_SEV),
	[SHAPE_SNOOZED] = PAGE_SHAPE(W_SNOOZED, PAGE_SEV),
	[SHAPE_NEWEST] =
	    PAGE_SHAPE(W_OPEN, " ORDER BY opened_at DESC, id DESC"),
	[SHAPE_ALERTS] =
	    PAGE_SHAPE(W_OPEN, " ORDER BY alert_count DESC, id DESC"),
	[SHAPE_ID] = PAGE_SHAPE(W_OPEN, " ORDER BY id DESC"),
	[SHAPE_NEWEST_ALL] =
	    PAGE_SHAPE(W_ALL, " ORDER BY opened_at DESC, id DESC"),
	[SHAPE_ALERTS_ALL] =
	    PAGE_SHAPE(W_ALL, " ORDER BY alert_count DESC, id DESC"),
	[SHAPE_ID_ALL] = PAGE_SHAPE(W_ALL, " ORDER BY id DESC"),
};

#define PAGE_SEGS_MAX 4

/* The walks of one order, in turn; state is ?1 for the walk. */
struct page_seg {
	enum page_shape_id shape;
	int state;
};

/* Fills segs for p (PAGE_SEGS_MAX at most); returns their number. With
 * p->all, the urgency order ends with the resolved ones and the other
 * orders take them in. */
static size_t
page_segs(const struct incident_page *p, struct page_seg *segs)
{
	switch (p->order) {
	case INCIDENT_ORDER_URGENCY:
		segs[0] = (struct page_seg){ SHAPE_AWAKE, INCIDENT_TRIGGERED };
		segs[1] =
		    (struct page_seg){ SHAPE_AWAKE, INCIDENT_ACKNOWLEDGED };
		segs[2] = (struct page_seg){ SHAPE_SNOOZED, 0 };
		if (!p->all)
			return 3;
		segs[3] = (struct page_seg){ SHAPE_STATE, INCIDENT_RESOLVED };
		return 4;
	case INCIDENT_ORDER_NEWEST:
		segs[0].shape = p->all ? SHAPE_NEWEST_ALL : SHAPE_NEWEST;
		break;
	case INCIDENT_ORDER_ALERTS:
		segs[0].shape = p->all ? SHAPE_ALERTS_ALL : SHAPE_ALERTS;
		break;
	case INCIDENT_ORDER_ID:
		segs[0].shape = p->all ? SHAPE_ID_ALL : SHAPE_ID;
		break;
	default:
		segs[0].shape = p->state >= 0 ? SHAPE_STATE
		    : p->all                  ? SHAPE_ALL
		                              : SHAPE_OPEN;
		segs[0].state = p->state;
	}
	return 1;
}

/* The LIKE pattern "%filter%" with % _ and \ escaped; NULL when out of
 * memory. */
static char *
page_pattern(const char *f)
{
	char *pat = malloc(2 * strlen(f) + 3), *q = pat;

	if (pat == NULL)
		return NULL;
	*q++ = '%';
	for (; *f != '\0'; f++) {
		if (*f == '%' || *f == '_' || *f == '\\')
			*q++ = '\\';
		*q++ = *f;
	}
	*q++ = '%';
	*q = '\0';
	return pat;
}

static int
page_filtered(const struct incident_page *p)
{
	return p->filter != NULL && *p->filter != '\0';
}

static void
page_bind(struct store_stmt *st, const struct incident_page *p, int state,
    const char *pat)
{
	store_bind_int(st, 1, state);
	store_bind_int64(st, 2, p->now);
	if (pat != NULL)
		store_bind_text(st, 3, pat, -1, STORE_STATIC);
}

static int
page_count_sql2(struct store *s, const char *sql, const char *pg_sql,
    const struct incident_page *p, int state, const char *pat, int64_t *n,
    struct err *err)
{
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt2(s, sql, pg_sql, err)) == NULL)
		return -1;
	page_bind(st, p, state, pat);
	rc = store_step(st);
	*n = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
	store_reset(st);
	if (rc != STORE_ROW)
		return store_sqlerr(s, err, "incidents");
	return 0;
}

static int
page_count_sql(struct store *s, const char *sql, const struct incident_page *p,
    int state, const char *pat, int64_t *n, struct err *err)
{
	return page_count_sql2(s, sql, sql, p, state, pat, n, err);
}

/* Rows of one walk: with no filter, from the counts by state the
 * triggers keep (incident_counts, schema 14) and the snoozed ones off
 * their partial index (an awake state is its state less its snoozed);
 * else the count with the filter. */
static int
page_seg_count(struct store *s, const struct incident_page *p,
    const struct page_seg *g, const char *pat, int64_t *n, struct err *err)
{
	static const char by_state[] =
	    "SELECT coalesce(sum(n), 0) FROM incident_counts WHERE state = ?1";
	static const char snoozed_in[] =
	    "SELECT count(*) FROM incidents INDEXED BY incidents_snoozed"
	    " WHERE " W_SNOOZED " AND state = ?1";
	static const char snoozed_in_pg[] =
	    "SELECT count(*) FROM incidents WHERE " W_SNOOZED " AND state = ?1";
	static const char open[] = "SELECT coalesce(sum(n), 0) FROM "
	                           "incident_counts WHERE " W_OPEN;
	static const char all[] =
	    "SELECT coalesce(sum(n), 0) FROM incident_counts";
	static const char snoozed[] = PAGE_CNT W_SNOOZED;
	int64_t zz;

	if (pat != NULL)
		return page_count_sql(
		    s, page_shapes[g->shape].cnt_f, p, g->state, pat, n, err);
	switch (g->shape) {
	case SHAPE_STATE:
		return page_count_sql(s, by_state, p, g->state, NULL, n, err);
	case SHAPE_AWAKE:
		if (page_count_sql(s, by_state, p, g->state, NULL, n, err) ==
		        -1 ||
		    page_count_sql2(s, snoozed_in, snoozed_in_pg, p, g->state,
		        NULL, &zz, err) == -1)
			return -1;
		*n -= zz;
		return 0;
	case SHAPE_SNOOZED:
		return page_count_sql(s, snoozed, p, 0, NULL, n, err);
	case SHAPE_ALL:
	case SHAPE_NEWEST_ALL:
	case SHAPE_ALERTS_ALL:
	case SHAPE_ID_ALL: return page_count_sql(s, all, p, 0, NULL, n, err);
	default: return page_count_sql(s, open, p, 0, NULL, n, err);
	}
}

int
incident_count(struct store *s, const struct incident_page *p,
    struct incident_counts *c, struct err *err)
{
	struct incident_page u = *p;
	struct page_seg segs[PAGE_SEGS_MAX];
	size_t n;
	int64_t v;
	char *pat = NULL;
	int rc = -1;

	memset(c, 0, sizeof *c);
	if (page_filtered(p) && (pat = page_pattern(p->filter)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	/* the header's counts: every open incident, unfiltered */
	u.order = INCIDENT_ORDER_URGENCY;
	u.all = 0;
	page_segs(&u, segs);
	if (page_seg_count(s, &u, &segs[0], NULL, &c->firing, err) == -1 ||
	    page_seg_count(s, &u, &segs[1], NULL, &c->acked, err) == -1 ||
	    page_seg_count(s, &u, &segs[2], NULL, &c->snoozed, err) == -1)
		goto out;
	n = page_segs(p, segs);
	for (size_t i = 0; i < n; i++) {
		if (pat == NULL && p->order == INCIDENT_ORDER_URGENCY && i < 3)
			v = i == 0 ? c->firing : i == 1 ? c->acked : c->snoozed;
		else if (page_seg_count(s, p, &segs[i], pat, &v, err) == -1)
			goto out;
		c->rows += v;
	}
	rc = 0;
out:
	free(pat);
	return rc;
}

/* Calls fn for up to *limit rows (-1: all) of one walk after skipping
 * *skip rows (SQL's OFFSET, an index walk); *limit is decreased by the
 * rows given. *stop set when fn stopped. */
static int
page_walk(struct store *s, const struct incident_page *p,
    const struct page_seg *g, const char *pat, int64_t *skip, int64_t *limit,
    incident_fn *fn, void *ctx, int *stop, struct err *err)
{
	const struct page_shape *sh = &page_shapes[g->shape];
	struct incident inc;
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, pat != NULL ? sh->sel_f : sh->sel, err)) ==
	    NULL)
		return -1;
	page_bind(st, p, g->state, pat);
	store_bind_int64(st, 4, *limit >= 0 ? *limit : INT64_MAX);
	store_bind_int64(st, 5, *skip);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (incident_row(st, &inc) == -1) {
			store_reset(st);
			return err_set(err, ERR_FAILED, "out of memory");
		}
		if (*limit > 0)
			(*limit)--;
		*stop = fn(&inc, ctx) != 0;
		incident_done(&inc);
		if (*stop || *limit == 0) {
			rc = STORE_DONE;
			break;
		}
	}
	store_reset(st);
	if (rc != STORE_DONE)
		return store_sqlerr(s, err, "incidents");
	return 0;
}

int
incident_each(struct store *s, const struct incident_page *p, incident_fn *fn,
    void *ctx, struct err *err)
{
	struct page_seg segs[PAGE_SEGS_MAX];
	size_t n = page_segs(p, segs);
	int64_t skip = p->offset, limit = p->limit > 0 ? p->limit : -1, v;
	char *pat = NULL;
	int stop = 0, rc = -1;

	if (page_filtered(p) && (pat = page_pattern(p->filter)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	for (size_t i = 0; i < n && !stop && limit != 0; i++) {
		/* a walk wholly before the offset is counted, not read */
		if (skip > 0 && n > 1) {
			if (page_seg_count(s, p, &segs[i], pat, &v, err) == -1)
				goto out;
			if (v <= skip) {
				skip -= v;
				continue;
			}
		}
		if (page_walk(s, p, &segs[i], pat, &skip, &limit, fn, ctx,
		        &stop, err) == -1)
			goto out;
		skip = 0; /* OFFSET took it */
	}
	rc = 0;
out:
	free(pat);
	return rc;
}

int64_t
incident_max_id(struct store *s)
{
	struct store_stmt *st =
	    store_stmt(s, "SELECT max(id) FROM incidents", NULL);
	int64_t v = 0;

	if (st == NULL)
		return 0;
	if (store_step(st) == STORE_ROW)
		v = store_col_int64(st, 0);
	store_reset(st);
	return v;
}
