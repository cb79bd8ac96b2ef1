/* view_incidents.c: the home screen of `owl tui`: one line per open
 * incident, most urgent first, live. The selection is kept by incident
 * id, and re-sorting waits a few seconds after a key press so the row
 * under the cursor never changes under the finger. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tui_int.h"

static const char *const sort_names[APP_SORTS] = { "urgency", "newest",
	"most alerts", "id" };

/* 0 firing, 1 acknowledged, 2 snoozed, 3 resolved: the urgency order. */
static int
list_rank(const struct incident *inc, int64_t now)
{
	if (inc->state == INCIDENT_RESOLVED)
		return 3;
	if (inc->snoozed_until > now)
		return 2;
	return inc->state == INCIDENT_ACKNOWLEDGED ? 1 : 0;
}

/* Rows read beyond the screen on either side, so that moving the
 * cursor a few rows reads nothing. */
#define LIST_MARGIN 64

static const enum incident_order list_orders[APP_SORTS] = {
	[APP_SORT_URGENCY] = INCIDENT_ORDER_URGENCY,
	[APP_SORT_NEWEST] = INCIDENT_ORDER_NEWEST,
	[APP_SORT_ALERTS] = INCIDENT_ORDER_ALERTS,
	[APP_SORT_ID] = INCIDENT_ORDER_ID,
};

static void
list_page(const struct app *a, struct incident_page *p)
{
	memset(p, 0, sizeof *p);
	p->order = list_orders[a->list.sort];
	p->state = -1;
	p->all = a->list.resolved;
	p->filter = a->list.filter;
	p->now = a->list.loaded_at;
}

static void
list_clear(struct app_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		incident_done(&l->incs[i]);
	l->n = 0;
}

static int
list_take(struct incident *inc, void *ctx)
{
	struct app_list *l = ctx;
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
list_index(const struct app_list *l, int64_t id)
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

	if (a->list.filter[0] == '\0') {
		*total = a->list.counts.rows;
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
view_incidents_status(const struct app *a, char *out, size_t n)
{
	const struct app_list *l = &a->list;
	char f[40];
	size_t len = strlen(l->filter), o = 0;

	if (l->filter[0] == '\0' && l->sort == APP_SORT_URGENCY && !l->resolved)
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
	if (l->sort != APP_SORT_URGENCY && o < n)
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
static int
list_fetch(struct app *a)
{
	struct app_list *l = &a->list;
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
	struct app_list *l = &a->list;
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
view_incidents_load(struct app *a)
{
	a->list.last_alert_at = incident_last_alert_at(a->store);
	if (a->list.n > 0 && clock_mono_us() < a->pause_until) {
		list_refresh_in_place(a);
		return 0;
	}
	return list_fetch(a);
}

int
view_incidents_tick(struct app *a)
{
	if (!a->list.resort || clock_mono_us() < a->pause_until)
		return 0;
	list_fetch(a);
	return 1;
}

const struct incident *
view_incidents_find(const struct app *a, int64_t id)
{
	size_t k = list_index(&a->list, id);

	return k < a->list.n ? &a->list.incs[k] : NULL;
}

const struct incident *
view_incidents_selected(const struct app *a)
{
	const struct app_list *l = &a->list;

	if (l->nrows == 0 || l->sel < l->base || l->sel >= l->base + l->n)
		return NULL;
	return &l->incs[l->sel - l->base];
}

static struct app_seen *
list_seen(const struct app *a, int64_t id)
{
	for (size_t i = 0; i < a->list.nseen; i++)
		if (a->list.seen[i].id == id)
			return &a->list.seen[i];
	return NULL;
}

void
view_incidents_seen(struct app *a, const struct incident *inc)
{
	struct app_list *l = &a->list;
	struct app_seen *s = list_seen(a, inc->id);

	if (s == NULL) {
		if (l->nseen == l->capseen) {
			size_t cap = l->capseen ? l->capseen * 2 : 64;
			struct app_seen *ns =
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
static int
list_is_new(const struct app *a, const struct incident *inc)
{
	const struct app_seen *s = list_seen(a, inc->id);

	return inc->state != INCIDENT_RESOLVED &&
	    (s == NULL || s->last_alert_at < inc->last_alert_at);
}

void
view_incidents_free(struct app *a)
{
	struct app_list *l = &a->list;

	list_clear(l);
	free(l->incs);
	free(l->seen);
	memset(l, 0, sizeof *l);
}

/* Column layout for a width: which optional columns fit. */
struct cols {
	int id, alerts, age, who, title;
};

static void
list_layout(const struct app *a, int cols, struct cols *c)
{
	int64_t maxid = 1;

	for (size_t i = 0; i < a->list.n; i++)
		if (a->list.incs[i].id > maxid)
			maxid = a->list.incs[i].id;
	c->id = snprintf(NULL, 0, "INC-%" PRId64, maxid);
	c->alerts = cols >= 50 ? 4 : 0;
	c->age = 4;
	c->who = cols >= 72 ? 10 : 0;
	/* gutter(2) sev(2) state(9) id NEW(3) title alerts age who */
	c->title = cols - (2 + 2 + 9 + c->id + 1 + 3 + 1) -
	    (c->alerts ? c->alerts + 1 : 0) - (c->age + 1) -
	    (c->who ? c->who + 1 : 0);
	if (c->title < 4)
		c->title = 4;
}

static void
list_state(
    const struct incident *inc, int64_t now, const char **name, int *style)
{
	switch (list_rank(inc, now)) {
	case 0:
		*name = "FIRING";
		*style = SCREEN_FIRING;
		break;
	case 1:
		*name = "ACKED";
		*style = SCREEN_ACKED;
		break;
	case 2:
		*name = "SNOOZED";
		*style = SCREEN_DIM;
		break;
	default:
		*name = "RESOLVED";
		*style = SCREEN_RESOLVED;
		break;
	}
}

static void
list_severity(enum incident_severity s, const char **letter, int *style)
{
	static const char *const letters[] = { "I", "W", "E", "C" };
	static const int styles[] = { SCREEN_INFO, SCREEN_WARN, SCREEN_ERROR,
		SCREEN_CRIT };

	*letter = s <= SEVERITY_CRITICAL ? letters[s] : "?";
	*style = s <= SEVERITY_CRITICAL ? styles[s] : SCREEN_NORMAL;
}

/* One row. The selection is a '>' in the gutter and reverse video on
 * the severity, state and id cells only: moving it rewrites a few dozen
 * cells, not two whole rows (bytes matter over a slow SSH link). */
static void
list_draw_row(struct app *a, const struct incident *inc, int y, int cols,
    const struct cols *c, int sel)
{
	struct screen *sc = a->sc;
	int x = 2, st, flag = sel ? SCREEN_SEL : 0;
	char buf[64], age[16];
	const char *s;

	(void)cols;
	if (sel)
		screen_text(sc, y, 0, 1, ">", SCREEN_BOLD);
	list_severity(inc->severity, &s, &st);
	screen_text(sc, y, x, 2, s, st | flag | SCREEN_PAD);
	x += 2;
	list_state(inc, a->list.loaded_at, &s, &st);
	screen_text(sc, y, x, 9, s, st | flag | SCREEN_PAD);
	x += 9;
	snprintf(buf, sizeof buf, "INC-%" PRId64, inc->id);
	screen_text(sc, y, x, c->id, buf, SCREEN_BOLD | flag | SCREEN_PAD);
	x += c->id + 1;
	if (list_is_new(a, inc))
		screen_text(sc, y, x, 3, "NEW", SCREEN_NEW);
	x += 4;
	screen_text(sc, y, x, c->title, inc->title, SCREEN_NORMAL);
	x += c->title + 1;
	if (c->alerts) {
		snprintf(buf, sizeof buf, "%4" PRId64, inc->alert_count);
		screen_text(sc, y, x, c->alerts, buf, SCREEN_NORMAL);
		x += c->alerts + 1;
	}
	text_age(clock_now_us() - inc->opened_at, age, sizeof age);
	snprintf(buf, sizeof buf, "%4s", age);
	screen_text(sc, y, x, c->age, buf, SCREEN_NORMAL);
	x += c->age + 1;
	if (c->who)
		screen_text(sc, y, x, c->who,
		    inc->assignee       ? inc->assignee
		        : inc->acked_by ? inc->acked_by
		                        : "-",
		    SCREEN_NORMAL);
}

/* Reads a new window when the screen's rows are not all in it. */
static void
list_ensure(struct app *a, size_t rows)
{
	struct app_list *l = &a->list;
	size_t end = l->top + rows < l->nrows ? l->top + rows : l->nrows;

	l->screen = rows;
	if (l->top < l->base || end > l->base + l->n)
		list_fetch(a);
}

static void
list_scroll(struct app_list *l, size_t rows)
{
	if (rows > 0 && l->top + rows > l->nrows)
		l->top = l->nrows > rows ? l->nrows - rows : 0;
	if (l->sel < l->top)
		l->top = l->sel;
	if (rows > 0 && l->sel >= l->top + rows)
		l->top = l->sel - rows + 1;
}

static void
list_draw(struct app *a, int head, int top, int rows, int cols)
{
	struct app_list *l = &a->list;
	size_t nr = rows > 0 ? (size_t)rows : 0;
	struct cols c;
	char h[256];

	list_scroll(l, nr);
	list_ensure(a, nr);
	list_layout(a, cols, &c);
	snprintf(h, sizeof h, "  S %-8s %-*s %-3s %-*s%s%s", "STATE", c.id,
	    "ID", "", c.title, "TITLE", c.alerts ? "   # " : "", " AGE");
	screen_text(a->sc, head, 0, cols, h, SCREEN_BOLD | SCREEN_PAD);
	if (c.who)
		screen_text(
		    a->sc, head, cols - c.who, c.who, "WHO", SCREEN_BOLD);
	if (l->nrows == 0) {
		screen_text(a->sc, top, 2, cols - 2,
		    l->filter[0] != '\0' ? "no incident matches the filter"
		        : l->resolved
		        ? "no incidents"
		        : "no open incidents (R shows the resolved ones)",
		    SCREEN_DIM);
		return;
	}
	for (size_t r = 0; r < nr && l->top + r < l->nrows; r++) {
		size_t i = l->top + r;

		if (i < l->base || i >= l->base + l->n)
			break;
		list_draw_row(a, &l->incs[i - l->base], top + (int)r, cols, &c,
		    i == l->sel);
	}
}

static int
list_action(struct app *a, enum keys_action act, int rows)
{
	struct app_list *l = &a->list;
	size_t page = rows > 1 ? (size_t)rows - 1 : 1;
	size_t last = l->nrows ? l->nrows - 1 : 0;
	const struct incident *inc;

	switch (act) {
	case KEYS_DOWN: l->sel += l->sel < last; break;
	case KEYS_UP: l->sel -= l->sel > 0; break;
	case KEYS_PGDN:
		l->sel = l->sel + page < last ? l->sel + page : last;
		break;
	case KEYS_PGUP: l->sel = l->sel > page ? l->sel - page : 0; break;
	case KEYS_TOP: l->sel = 0; break;
	case KEYS_BOTTOM: l->sel = last; break;
	case KEYS_SORT:
		l->sort = (l->sort + 1) % APP_SORTS;
		l->sel = l->top = 0;
		l->sel_id = 0;
		list_fetch(a);
		frame_message(
		    a, SCREEN_NORMAL, "sorted by %s", sort_names[l->sort]);
		return 1;
	case KEYS_OPEN:
		if ((inc = view_incidents_selected(a)) != NULL)
			app_open_incident(a, inc->id);
		return 1;
	default: return 0;
	}
	list_scroll(l, l->screen);
	list_ensure(a, l->screen);
	inc = view_incidents_selected(a);
	l->sel_id = inc != NULL ? inc->id : 0;
	return 1;
}

/* A new filter text: the list from its top, matching rows only. */
static void
list_filter(struct app *a)
{
	a->list.sel = a->list.top = 0;
	list_fetch(a);
}

static void
list_reload(struct app *a)
{
	view_incidents_load(a);
}

const struct view_ops view_incidents_ops = {
	.name = "incidents",
	.keys = KEYS_V_INCIDENTS,
	.reload = list_reload,
	.draw = list_draw,
	.action = list_action,
	.filter = list_filter,
};
