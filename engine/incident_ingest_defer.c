/* incident_ingest_defer.c: the incident rows a group commit writes once
 * (see incident_ingest.h). owl serve stores many requests in one
 * transaction; in a storm each one re-delivers alerts of the same few
 * incidents, and each request's finish rewrote their rows (and the
 * indexes on last_alert_at and alert_count): 10 row writes a request.
 * A finish that only moves counts and times is kept here instead, as the
 * row's new values, and the next request's finish starts from them; the
 * rows are written once, just before COMMIT. A finish that logs (a new
 * worst severity, the truncation note) or resolves the incident, and any
 * other change of an incident's row, writes a kept row first, so the
 * log and every row are what one commit per request would leave.
 *
 * It also keeps, for the incidents the batch adds alerts to, a lower
 * bound of the bytes of their filter text (incidents.match_text, which
 * only ever grows, to ALERT_MATCH_MAX): once that is full, each new
 * alert's append was an UPDATE that read the whole 4 KiB text to find
 * that it does not fit; with the bound known, the UPDATE is not run.
 *
 * And the newest incident of each group the batch looked up or opened
 * (ingest_group_find), with its state and resolve time: an
 * Alertmanager list of 10 alerts names 10 groups, and each request of a
 * storm looked up the same ones again. Within the batch's transaction
 * no other connection writes; what the batch itself changes of an
 * incident's state it notes here (open, reopen, auto-resolve,
 * acknowledge), and anything else that may change incidents (a pull, a
 * call of owl serve's own) comes after incident_ingest_defer_flush or
 * incident_ingest_defer_forget, which forget every group. */
#include "incident_ingest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

/* Incidents whose filter text's size the batch knows (a few: a batch
 * of 512 requests of new incidents knows the first INGEST_TEXTS). */
#define INGEST_TEXTS 64

struct incident_ingest_defer {
	struct ingest_row *v;
	size_t n, cap;
	size_t *slot; /* open addressing by id: index + 1, 0 empty */
	size_t nslot;
	struct {
		int64_t id, len;
	} text[INGEST_TEXTS];
	size_t ntext;
	struct ingest_group_memo {
		uint32_t hash; /* of source and group key */
		char *key; /* "source\ngroup_key" */
		int64_t id; /* 0: the group has no incident */
		int state;
		int64_t resolved_at;
	} group[INGEST_TEXTS];
	size_t ngroup;
};

struct incident_ingest_defer *
incident_ingest_defer_new(void)
{
	return calloc(1, sizeof(struct incident_ingest_defer));
}

static void
ingest_defer_forget(struct incident_ingest_defer *d)
{
	for (size_t i = 0; i < d->ngroup; i++)
		free(d->group[i].key);
	d->ngroup = 0;
}

void
incident_ingest_defer_forget(struct incident_ingest_defer *d)
{
	if (d != NULL)
		ingest_defer_forget(d);
}

static void
ingest_defer_clear(struct incident_ingest_defer *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].sender_url);
		free(d->v[i].label_keys);
	}
	d->n = 0;
	d->ntext = 0;
	ingest_defer_forget(d);
	if (d->slot != NULL)
		memset(d->slot, 0, d->nslot * sizeof *d->slot);
}

void
incident_ingest_defer_free(struct incident_ingest_defer *d)
{
	if (d == NULL)
		return;
	ingest_defer_clear(d);
	free(d->v);
	free(d->slot);
	free(d);
}

void
incident_ingest_defer_discard(struct incident_ingest_defer *d)
{
	if (d != NULL)
		ingest_defer_clear(d);
}

static size_t
ingest_defer_hash(int64_t id, size_t nslot)
{
	return (size_t)(((uint64_t)id * UINT64_C(0x9E3779B97F4A7C15)) >> 17) &
	    (nslot - 1);
}

/* The slot of id: the one holding it, or the empty one it would take. */
static size_t *
ingest_defer_slot(const struct incident_ingest_defer *d, int64_t id)
{
	size_t k = ingest_defer_hash(id, d->nslot);

	while (d->slot[k] != 0 && d->v[d->slot[k] - 1].id != id)
		k = (k + 1) & (d->nslot - 1);
	return &d->slot[k];
}

struct ingest_row *
ingest_defer_find(const struct incident_ingest_defer *d, int64_t id)
{
	size_t *s;

	if (d == NULL || d->n == 0)
		return NULL;
	s = ingest_defer_slot(d, id);
	return *s != 0 ? &d->v[*s - 1] : NULL;
}

static int
ingest_defer_grow(struct incident_ingest_defer *d)
{
	size_t nslot = d->nslot ? 2 * d->nslot : 64, *slot;
	struct ingest_row *v;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		if ((v = realloc(d->v, cap * sizeof *v)) == NULL)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	if (2 * (d->n + 1) <= d->nslot)
		return 0;
	if ((slot = calloc(nslot, sizeof *slot)) == NULL)
		return -1;
	free(d->slot);
	d->slot = slot;
	d->nslot = nslot;
	for (size_t i = 0; i < d->n; i++)
		*ingest_defer_slot(d, d->v[i].id) = i + 1;
	return 0;
}

int
ingest_defer_keep(struct incident_ingest_defer *d, const struct ingest_row *r,
    struct err *err)
{
	struct ingest_row *p = ingest_defer_find(d, r->id);
	char *url = NULL, *lk = NULL;

	if (r->sender_url != NULL && (url = strdup(r->sender_url)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	/* the same label_keys as kept (most finishes): no copy */
	if (p != NULL && r->lk_known && p->lk_known &&
	    (r->label_keys == p->label_keys ||
	        (r->label_keys != NULL && p->label_keys != NULL &&
	            strcmp(r->label_keys, p->label_keys) == 0))) {
		lk = p->label_keys;
		p->label_keys = NULL;
	} else if (r->lk_known && r->label_keys != NULL &&
	    (lk = strdup(r->label_keys)) == NULL) {
		free(url);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	if (p == NULL) {
		if (ingest_defer_grow(d) == -1) {
			free(url);
			free(lk);
			return err_set(err, ERR_FAILED, "out of memory");
		}
		p = &d->v[d->n++];
		*ingest_defer_slot(d, r->id) = d->n;
		*p = *r;
		p->sender_url = url;
		p->label_keys = lk;
		return 0;
	}
	/* r's label_keys may be p's own: copied above, before this */
	free(p->label_keys);
	/* the row's values replace the kept ones; what accumulates: the
	 * version bumps, the last sender URL and update time given */
	if (url != NULL) {
		free(p->sender_url);
		p->sender_url = url;
	}
	*p = (struct ingest_row){ .id = r->id,
		.state = r->state,
		.count = r->count,
		.firing = r->firing,
		.severity = r->severity,
		.truncated = r->truncated,
		.last_alert_at = r->last_alert_at,
		.updated_at = r->updated_at ? r->updated_at : p->updated_at,
		.version_add = p->version_add + r->version_add,
		.sender_url = p->sender_url,
		.started_at = r->started_at,
		.ended_at = r->ended_at,
		.label_keys = lk,
		.lk_known = r->lk_known };
	return 0;
}

/* Removes the entry of id (swapping the last one into its place). */
static void
ingest_defer_remove(struct incident_ingest_defer *d, struct ingest_row *p)
{
	size_t i = (size_t)(p - d->v), last = d->n - 1;

	free(p->sender_url);
	free(p->label_keys);
	if (i != last) {
		d->v[i] = d->v[last];
		*ingest_defer_slot(d, d->v[i].id) = i + 1;
	}
	d->n--;
	/* rebuild the table: open addressing has no simple delete */
	memset(d->slot, 0, d->nslot * sizeof *d->slot);
	for (size_t k = 0; k < d->n; k++)
		*ingest_defer_slot(d, d->v[k].id) = k + 1;
}

int
ingest_defer_settle(struct store *s, struct incident_ingest_defer *d,
    int64_t id, struct err *err)
{
	struct ingest_row *p = ingest_defer_find(d, id);
	int rc;

	if (p == NULL)
		return 0;
	rc = ingest_row_write(s, p, err);
	ingest_defer_remove(d, p);
	return rc;
}

int
incident_ingest_defer_flush(
    struct store *s, struct incident_ingest_defer *d, struct err *err)
{
	int rc = 0;

	if (d == NULL)
		return 0;
	for (size_t i = 0; i < d->n && rc == 0; i++)
		rc = ingest_row_write(s, &d->v[i], err);
	ingest_defer_clear(d);
	return rc;
}

int
ingest_defer_text_room(const struct incident_ingest_defer *d)
{
	return d != NULL && d->ntext < INGEST_TEXTS;
}

int64_t *
ingest_defer_text(struct incident_ingest_defer *d, int64_t id)
{
	if (d == NULL)
		return NULL;
	for (size_t i = d->ntext; i > 0; i--)
		if (d->text[i - 1].id == id)
			return &d->text[i - 1].len;
	return NULL;
}

void
ingest_defer_text_note(struct incident_ingest_defer *d, int64_t id, int64_t len)
{
	int64_t *p = ingest_defer_text(d, id);

	if (p != NULL) {
		if (len > *p)
			*p = len;
		return;
	}
	if (d == NULL || d->ntext == INGEST_TEXTS)
		return;
	d->text[d->ntext].id = id;
	d->text[d->ntext].len = len;
	d->ntext++;
}

static uint32_t
ingest_group_hash(const char *source, const char *group_key)
{
	return strmap_hash_more(
	    strmap_hash_more(strmap_hash_more(STRMAP_HASH_INIT, source), "\n"),
	    group_key);
}

/* The memo of (source, group key), or NULL. */
static struct ingest_group_memo *
ingest_group_at(
    struct incident_ingest_defer *d, const char *source, const char *group_key)
{
	uint32_t h = ingest_group_hash(source, group_key);
	size_t n = strlen(source);

	for (size_t i = 0; i < d->ngroup; i++) {
		const char *k = d->group[i].key;
		if (d->group[i].hash == h && strncmp(k, source, n) == 0 &&
		    k[n] == '\n' && strcmp(k + n + 1, group_key) == 0)
			return &d->group[i];
	}
	return NULL;
}

int
ingest_defer_group(struct incident_ingest_defer *d, const char *source,
    const char *group_key, int64_t *id, int *state, int64_t *resolved_at)
{
	struct ingest_group_memo *m;

	if (d == NULL || (m = ingest_group_at(d, source, group_key)) == NULL)
		return 0;
	*id = m->id;
	*state = m->state;
	*resolved_at = m->resolved_at;
	return 1;
}

void
ingest_defer_group_set(struct incident_ingest_defer *d, const char *source,
    const char *group_key, int64_t id, int state, int64_t resolved_at)
{
	struct ingest_group_memo *m;
	char *key;

	if (d == NULL)
		return;
	if ((m = ingest_group_at(d, source, group_key)) == NULL) {
		if (d->ngroup == INGEST_TEXTS ||
		    asprintf(&key, "%s\n%s", source, group_key) == -1)
			return; /* not kept: looked up again */
		m = &d->group[d->ngroup++];
		m->hash = ingest_group_hash(source, group_key);
		m->key = key;
	}
	m->id = id;
	m->state = state;
	m->resolved_at = resolved_at;
}

void
ingest_defer_group_state(
    struct incident_ingest_defer *d, int64_t id, int state, int64_t resolved_at)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->ngroup; i++)
		if (d->group[i].id == id) {
			d->group[i].state = state;
			d->group[i].resolved_at = resolved_at;
		}
}
