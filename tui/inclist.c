/* inclist.c: the incident-list model of `owl tui` (inclist.h): the
 * window of rows around the cursor read from the database (load, sort,
 * filter, find), the selection kept by incident id, the pause that
 * keeps rows from moving under the finger, the incidents looked at. */
#include "inclist.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

static const char *const sort_names[INCLIST_SORTS] = { "urgency", "newest",
	"most alerts", "id" };

/* Rows read beyond the screen on either side, so that moving the
 * cursor a few rows reads nothing. */
#define LIST_MARGIN 64

static const enum incident_order list_orders[INCLIST_SORTS] = {
	[INCLIST_SORT_URGENCY] = INCIDENT_ORDER_URGENCY,
	[INCLIST_SORT_NEWEST] = INCIDENT_ORDER_NEWEST,
	[INCLIST_SORT_ALERTS] = INCIDENT_ORDER_ALERTS,
	[INCLIST_SORT_ID] = INCIDENT_ORDER_ID,
};

static void
list_page(const struct app *a, struct incident_page *p)
{
	memset(p, 0, sizeof *p);
	p->order = list_orders[a->list->sort];
	p->state = -1;
	p->all = a->list->resolved;
	p->filter = a->list->filter;
	p->now = a->list->loaded_at;
}

static void
list_clear(struct inclist *l)
{
	for (size_t i = 0; i < l->n; i++)
		incident_done(&l->incs[i]);
	l->n = 0;
}

static int
list_take(struct incident *inc, void *ctx)
{
	struct inclist *l = ctx;
	struct incident *p;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 128;

		if ((p = realloc(l->incs, cap * sizeof *p)) == NULL)
			return 1;
		l->incs = p;
		l->cap = cap;
	}
	l->incs[l->n++] = *inc;
	memset(inc, 0, sizeof *inc); /* its strings are the window's now */
	return 0;
}

/* Index in the window of the incident with this id; n when none. */
static size_t
list_index(const struct inclist *l, int64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->incs[i].id == id)
			return i;
	return l->n;
}

/* The rows without the filter (the "of M" of "N of M shown"). */
static int
list_total(const struct app *a, int64_t *total, struct err *err)
{
	struct incident_counts c;
	struct incident_page p;

	if (a->list->filter[0] == '\0') {
		*total = a->list->counts.rows;
		return 0;
	}
	list_page(a, &p);
	p.filter = NULL;
	if (incident_count(a->store, &p, &c, err) == -1)
		return -1;
	*total = c.rows;
	return 0;
}

int
inclist_status(const struct app *a, char *out, size_t n)
{
	const struct inclist *l = a->list;
	char f[40];
	size_t len = strlen(l->filter), o = 0;

	if (l->filter[0] == '\0' && l->sort == INCLIST_SORT_URGENCY &&
	    !l->resolved)
		return 0;
	out[0] = '\0';
	if (len > 24) { /* cut on a character boundary */
		len = 24;
		while (
		    len > 0 && ((unsigned char)l->filter[len] & 0xc0) == 0x80)
			len--;
	}
	snprintf(f, sizeof f, "%.*s%s", (int)len, l->filter,
	    len < strlen(l->filter) ? "..." : "");
	if (l->filter[0] != '\0')
		o += (size_t)snprintf(out + o, n - o, "filter: %s \u00b7 ", f);
	if (l->sort != INCLIST_SORT_URGENCY && o < n)
		o += (size_t)snprintf(
		    out + o, n - o, "sort: %s \u00b7 ", sort_names[l->sort]);
	if (l->resolved && o < n)
		o += (size_t)snprintf(out + o, n - o, "+resolved \u00b7 ");
	if (o < n && l->filter[0] != '\0')
		snprintf(out + o, n - o, "%zu of %" PRId64 " shown", l->nrows,
		    l->total);
	else if (o < n)
		snprintf(out + o, n - o, "%zu shown", l->nrows);
	return 1;
}

/* Reads the counts and the window of rows around the cursor: the
 * screen and a margin on both sides (an index walk: its cost does not
 * grow with the number of incidents). The selection follows its
 * incident when it is still in the window. */
int
inclist_fetch(struct app *a)
{
	struct inclist *l = a->list;
	size_t screen = l->screen ? l->screen : 50, k;
	struct incident_page p;
	struct err err;

	err_init(&err);
	l->loaded_at = clock_now_us();
	list_page(a, &p);
	if (incident_count(a->store, &p, &l->counts, &err) == -1)
		goto fail;
	l->nrows = (size_t)l->counts.rows;
	if (list_total(a, &l->total, &err) == -1)
		goto fail;
	if (l->sel >= l->nrows)
		l->sel = l->nrows ? l->nrows - 1 : 0;
	l->base = l->top > LIST_MARGIN ? l->top - LIST_MARGIN : 0;
	if (l->sel < l->base || l->sel >= l->top + screen)
		l->base = l->sel > LIST_MARGIN + screen / 2
		    ? l->sel - LIST_MARGIN - screen / 2
		    : 0;
	p.offset = (int64_t)l->base;
	p.limit = (int64_t)(screen + 2 * LIST_MARGIN);
	list_clear(l);
	if (incident_each(a->store, &p, list_take, l, &err) == -1)
		goto fail;
	if ((k = list_index(l, l->sel_id)) < l->n)
		l->sel = l->base + k;
	else if (l->sel >= l->base + l->n)
		l->sel = l->n ? l->base + l->n - 1 : 0;
	l->sel_id = l->n ? l->incs[l->sel - l->base].id : 0;
	l->resort = 0;
	a->frame.dirty = 1;
	return 0;
fail:
	frame_message(a, SCREEN_ALARM, "cannot read incidents: %s", err.msg);
	return -1;
}

/* During the pause after a key press: the rows stay where they are
 * (nothing moves under the finger); each shows its incident as it is
 * now. The new order comes when the pause ends. */
static void
list_refresh_in_place(struct app *a)
{
	struct inclist *l = a->list;
	struct incident_page p;
	struct incident inc;
	struct err err;

	err_init(&err);
	list_page(a, &p);
	(void)incident_count(a->store, &p, &l->counts, &err);
	for (size_t i = 0; i < l->n; i++) {
		if (incident_get(a->store, l->incs[i].id, &inc, &err) == -1)
			break;
		incident_done(&l->incs[i]);
		l->incs[i] = inc;
	}
	l->resort = 1;
	a->frame.dirty = 1;
}

int
inclist_load(struct app *a)
{
	a->list->last_alert_at = incident_last_alert_at(a->store);
	if (a->list->n > 0 && clock_mono_us() < a->pause_until) {
		list_refresh_in_place(a);
		return 0;
	}
	return inclist_fetch(a);
}

int
inclist_tick(struct app *a)
{
	if (!a->list->resort || clock_mono_us() < a->pause_until)
		return 0;
	inclist_fetch(a);
	return 1;
}

const struct incident *
inclist_find(const struct app *a, int64_t id)
{
	size_t k = list_index(a->list, id);

	return k < a->list->n ? &a->list->incs[k] : NULL;
}

const struct incident *
inclist_selected(const struct app *a)
{
	const struct inclist *l = a->list;

	if (l->nrows == 0 || l->sel < l->base || l->sel >= l->base + l->n)
		return NULL;
	return &l->incs[l->sel - l->base];
}

static struct inclist_seen *
list_seen(const struct app *a, int64_t id)
{
	for (size_t i = 0; i < a->list->nseen; i++)
		if (a->list->seen[i].id == id)
			return &a->list->seen[i];
	return NULL;
}

void
inclist_seen(struct app *a, const struct incident *inc)
{
	struct inclist *l = a->list;
	struct inclist_seen *s = list_seen(a, inc->id);

	if (s == NULL) {
		if (l->nseen == l->capseen) {
			size_t cap = l->capseen ? l->capseen * 2 : 64;
			struct inclist_seen *ns =
			    realloc(l->seen, cap * sizeof *ns);

			if (ns == NULL)
				return;
			l->seen = ns;
			l->capseen = cap;
		}
		s = &l->seen[l->nseen++];
		s->id = inc->id;
	}
	s->last_alert_at = inc->last_alert_at;
}

/* NEW: not resolved, and not looked at since its last alert. */
int
inclist_is_new(const struct app *a, const struct incident *inc)
{
	const struct inclist_seen *s = list_seen(a, inc->id);

	return inc->state != INCIDENT_RESOLVED &&
	    (s == NULL || s->last_alert_at < inc->last_alert_at);
}

void
inclist_free(struct inclist *l)
{
	if (l == NULL)
		return;
	list_clear(l);
	free(l->incs);
	free(l->seen);
	free(l);
}

struct inclist *
inclist_new(void)
{
	return calloc(1, sizeof(struct inclist));
}

const char *
inclist_sort_name(int sort)
{
	return sort >= 0 && sort < INCLIST_SORTS ? sort_names[sort] : "?";
}

void
inclist_sort_next(struct app *a)
{
	struct inclist *l = a->list;

	l->sort = (l->sort + 1) % INCLIST_SORTS;
	l->sel = l->top = 0;
	l->sel_id = 0;
	inclist_fetch(a);
}

void
inclist_set_filter(struct app *a, const char *text)
{
	snprintf(a->list->filter, sizeof a->list->filter, "%s", text);
	a->list->sel = a->list->top = 0;
	inclist_fetch(a);
}

const char *
inclist_filter(const struct app *a)
{
	return a->list->filter;
}

int
inclist_toggle_resolved(struct app *a)
{
	a->list->resolved = !a->list->resolved;
	a->list->sel = a->list->top = 0;
	inclist_load(a);
	return a->list->resolved;
}

const struct incident_counts *
inclist_counts(const struct app *a)
{
	return &a->list->counts;
}

int64_t
inclist_last_alert_at(const struct app *a)
{
	return a->list->last_alert_at;
}
