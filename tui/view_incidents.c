/* view_incidents.c: the home screen of `owl tui`: one line per open
 * incident, most urgent first, live. The selection is kept by incident
 * id, and re-sorting waits a few seconds after a key press so the row
 * under the cursor never changes under the finger. The rows are the
 * incident-list model's (inclist.c); this file draws them and moves the
 * cursor. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "inclist.h"
#include "tui_int.h"

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

/* Column layout for a width: which optional columns fit. */
struct cols {
	int id, alerts, age, who, title;
};

static void
list_layout(const struct app *a, int cols, struct cols *c)
{
	int64_t maxid = 1;

	for (size_t i = 0; i < a->list->n; i++)
		if (a->list->incs[i].id > maxid)
			maxid = a->list->incs[i].id;
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
	list_state(inc, a->list->loaded_at, &s, &st);
	screen_text(sc, y, x, 9, s, st | flag | SCREEN_PAD);
	x += 9;
	snprintf(buf, sizeof buf, "INC-%" PRId64, inc->id);
	screen_text(sc, y, x, c->id, buf, SCREEN_BOLD | flag | SCREEN_PAD);
	x += c->id + 1;
	if (inclist_is_new(a, inc))
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
	struct inclist *l = a->list;
	size_t end = l->top + rows < l->nrows ? l->top + rows : l->nrows;

	l->screen = rows;
	if (l->top < l->base || end > l->base + l->n)
		inclist_fetch(a);
}

static void
list_scroll(struct inclist *l, size_t rows)
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
	struct inclist *l = a->list;
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

static enum view_result
list_action(struct app *a, enum keys_action act, int rows)
{
	struct inclist *l = a->list;
	size_t page = rows > 1 ? (size_t)rows - 1 : 1;
	size_t last = l->nrows ? l->nrows - 1 : 0, was = l->sel;
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
		inclist_sort_next(a);
		frame_message(a, SCREEN_NORMAL, "sorted by %s",
		    inclist_sort_name(l->sort));
		return VIEW_REDRAW;
	case KEYS_OPEN:
		if ((inc = inclist_selected(a)) != NULL)
			app_open_incident(a, inc->id);
		return VIEW_REDRAW;
	default: return VIEW_PASS;
	}
	if (l->sel == was)
		return VIEW_KEEP; /* at the end already: nothing to draw */
	list_scroll(l, l->screen);
	list_ensure(a, l->screen);
	inc = inclist_selected(a);
	l->sel_id = inc != NULL ? inc->id : 0;
	return VIEW_REDRAW;
}

/* A new filter text: the list from its top, matching rows only. */
static void
list_filter(struct app *a, const char *text)
{
	inclist_set_filter(a, text);
}

static void
list_reload(struct app *a)
{
	inclist_load(a);
}

const struct view_ops view_incidents_ops = {
	.name = "incidents",
	.keys = KEYS_V_INCIDENTS,
	.reload = list_reload,
	.draw = list_draw,
	.action = list_action,
	.filter = list_filter,
	.filter_text = inclist_filter,
};
