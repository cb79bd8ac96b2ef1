/* view_incidents.c: the home screen of `owl tui`: one line per open
 * incident, most urgent first, live. The selection is kept by incident
 * id, and re-sorting waits a few seconds after a key press so the row
 * under the cursor never changes under the finger. */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tui_int.h"
#include "engine/buf.h"

#define LABELS_MAX 4096 /* bytes of label text kept per incident */

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

static int
list_cmp64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int
list_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct app *a = ctx;
	const struct incident *x = &a->list.incs[*(const size_t *)pa];
	const struct incident *y = &a->list.incs[*(const size_t *)pb];
	int64_t now = a->list.loaded_at;
	int c = 0;

	switch (a->list.sort) {
	case APP_SORT_URGENCY:
		if ((c = list_rank(x, now) - list_rank(y, now)) != 0)
			return c;
		if ((c = (int)y->severity - (int)x->severity) != 0)
			return c;
		c = list_cmp64(y->opened_at, x->opened_at);
		break;
	case APP_SORT_NEWEST: c = list_cmp64(y->opened_at, x->opened_at); break;
	case APP_SORT_ALERTS:
		c = list_cmp64(y->alert_count, x->alert_count);
		break;
	}
	return c != 0 ? c : list_cmp64(y->id, x->id);
}

static int
labels_cmp(const void *k, const void *e)
{
	return list_cmp64(
	    *(const int64_t *)k, ((const struct app_labels *)e)->id);
}

/* "k=v k=v" of every alert's labels and annotations. */
static char *
labels_text(struct app *a, int64_t id)
{
	struct incident_alert *al = NULL;
	struct err err;
	size_t n = 0;
	struct buf b;

	err_init(&err);
	buf_init(&b, LABELS_MAX);
	if (incident_alerts(a->store, id, &al, &n, &err) == 0)
		for (size_t i = 0; i < n; i++) {
			const char *jsons[2] = { al[i].labels_json,
				al[i].annotations_json };

			for (int j = 0; j < 2; j++) {
				json_t *o = json_loads(
				    jsons[j] ? jsons[j] : "{}", 0, NULL);
				const char *k;
				json_t *v;

				json_object_foreach(o, k,
				    v) if (json_is_string(v)) buf_printf(&b,
				    &err, "%s=%s ", k, json_string_value(v));
				json_decref(o);
			}
		}
	incident_alerts_free(al, n);
	return buf_steal(&b);
}

/* The cached label text of inc, refreshed when it got a new alert. */
static const char *
list_labels(struct app *a, const struct incident *inc)
{
	struct app_list *l = &a->list;
	/* bsearch may not be given NULL, even for no elements */
	struct app_labels *e = l->nlabels == 0
	    ? NULL
	    : bsearch(&inc->id, l->labels, l->nlabels, sizeof *l->labels,
	          labels_cmp);
	size_t i;

	if (e != NULL && e->last_alert_at == inc->last_alert_at)
		return e->text;
	if (e == NULL) {
		if (l->nlabels == l->caplabels) {
			size_t cap = l->caplabels ? l->caplabels * 2 : 256;
			struct app_labels *nl =
			    realloc(l->labels, cap * sizeof *nl);

			if (nl == NULL)
				return NULL;
			l->labels = nl;
			l->caplabels = cap;
		}
		for (i = l->nlabels; i > 0 && l->labels[i - 1].id > inc->id;
		     i--)
			l->labels[i] = l->labels[i - 1];
		e = &l->labels[i];
		l->nlabels++;
		e->id = inc->id;
		e->text = NULL;
	}
	free(e->text);
	e->text = labels_text(a, inc->id);
	e->last_alert_at = inc->last_alert_at;
	return e->text;
}

static int
list_matches(struct app *a, const struct incident *inc)
{
	const char *f = a->list.filter;
	char id[32];

	if (*f == '\0' || text_match(inc->title, f))
		return 1;
	snprintf(id, sizeof id, "INC-%" PRId64, inc->id);
	return text_match(id, f) || text_match(list_labels(a, inc), f);
}

/* Index in incs of the incident with this id; n when none. */
static size_t
list_index(const struct app_list *l, int64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->incs[i].id == id)
			return i;
	return l->n;
}

/* Puts the selection back on sel_id after the rows changed. */
static void
list_reselect(struct app *a)
{
	struct app_list *l = &a->list;

	for (size_t r = 0; r < l->nrows; r++)
		if (l->incs[l->rows[r]].id == l->sel_id) {
			l->sel = r;
			return;
		}
	if (l->sel >= l->nrows)
		l->sel = l->nrows ? l->nrows - 1 : 0;
	l->sel_id = l->nrows ? l->incs[l->rows[l->sel]].id : 0;
}

/* Rebuilds the rows: filtered, then sorted, or (during a pause) in the
 * old order with newcomers after them. */
static void
list_rows(struct app *a, const int64_t *old, size_t nold, int keep)
{
	struct app_list *l = &a->list;
	size_t n = 0, first_new;
	char *placed = calloc(l->n ? l->n : 1, 1);

	if (placed == NULL)
		return;
	if (keep)
		for (size_t i = 0; i < nold; i++) {
			size_t k = list_index(l, old[i]);

			if (k < l->n && !placed[k] &&
			    list_matches(a, &l->incs[k])) {
				l->rows[n++] = k;
				placed[k] = 1;
			}
		}
	first_new = n;
	for (size_t k = 0; k < l->n; k++)
		if (!placed[k] && list_matches(a, &l->incs[k]))
			l->rows[n++] = k;
	free(placed);
	if (n - first_new > 1) /* qsort_r may not be given NULL rows */
		qsort_r(l->rows + first_new, n - first_new, sizeof *l->rows,
		    list_cmp, a);
	l->nrows = n;
	l->resort = keep && first_new > 0 && n > first_new;
	if (keep && !l->resort)
		for (size_t r = 1; r < n && !l->resort; r++)
			l->resort =
			    list_cmp(&l->rows[r - 1], &l->rows[r], a) > 0;
	list_reselect(a);
}

int
view_incidents_load(struct app *a)
{
	struct incident_query q = { .all = 0, .state = -1 };
	struct app_list *l = &a->list;
	struct incident *incs = NULL;
	int64_t *old = NULL;
	size_t n = 0, *rows, nold = l->nrows;
	struct err err;
	int keep;

	err_init(&err);
	if (incident_list(a->store, &q, &incs, &n, &err) == -1) {
		app_message(
		    a, SCREEN_ALARM, "cannot read incidents: %s", err.msg);
		return -1;
	}
	if ((rows = malloc((n ? n : 1) * sizeof *rows)) == NULL ||
	    (nold && (old = malloc(nold * sizeof *old)) == NULL)) {
		free(rows);
		incident_list_free(incs, n);
		return -1;
	}
	for (size_t r = 0; r < nold; r++)
		old[r] = l->incs[l->rows[r]].id;
	incident_list_free(l->incs, l->n);
	free(l->rows);
	l->incs = incs;
	l->n = n;
	l->rows = rows;
	l->loaded_at = clock_now_us();
	l->last_alert_at = incident_last_alert_at(a->store);
	keep = clock_mono_us() < a->pause_until;
	list_rows(a, old, nold, keep);
	free(old);
	a->dirty = 1;
	return 0;
}

int
view_incidents_tick(struct app *a)
{
	if (!a->list.resort || clock_mono_us() < a->pause_until)
		return 0;
	list_rows(a, NULL, 0, 0);
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

	return l->nrows ? &l->incs[l->rows[l->sel]] : NULL;
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

	incident_list_free(l->incs, l->n);
	free(l->rows);
	free(l->seen);
	for (size_t i = 0; i < l->nlabels; i++)
		free(l->labels[i].text);
	free(l->labels);
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

static void
list_draw(struct app *a, int head, int top, int rows, int cols)
{
	struct app_list *l = &a->list;
	struct cols c;
	char h[256];

	list_layout(a, cols, &c);
	snprintf(h, sizeof h, "  S %-8s %-*s %-3s %-*s%s%s", "STATE", c.id,
	    "ID", "", c.title, "TITLE", c.alerts ? "   # " : "", " AGE");
	screen_text(a->sc, head, 0, cols, h, SCREEN_BOLD | SCREEN_PAD);
	if (c.who)
		screen_text(
		    a->sc, head, cols - c.who, c.who, "WHO", SCREEN_BOLD);
	if (l->nrows == 0) {
		screen_text(a->sc, top, 2, cols - 2,
		    l->n ? "no incident "
		           "matches the filter"
		         : "no open incidents",
		    SCREEN_DIM);
		return;
	}
	if (rows > 0 && l->top + (size_t)rows > l->nrows)
		l->top = l->nrows > (size_t)rows ? l->nrows - (size_t)rows : 0;
	if (l->sel < l->top)
		l->top = l->sel;
	if (rows > 0 && l->sel >= l->top + (size_t)rows)
		l->top = l->sel - (size_t)rows + 1;
	for (int r = 0; r < rows && l->top + (size_t)r < l->nrows; r++)
		list_draw_row(a, &l->incs[l->rows[l->top + r]], top + r, cols,
		    &c, l->top + (size_t)r == l->sel);
}

static int
list_action(struct app *a, enum keys_action act, int rows)
{
	struct app_list *l = &a->list;
	size_t page = rows > 1 ? (size_t)rows - 1 : 1;
	size_t last = l->nrows ? l->nrows - 1 : 0;

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
		list_rows(a, NULL, 0, 0);
		app_message(
		    a, SCREEN_NORMAL, "sorted by %s", sort_names[l->sort]);
		return 1;
	case KEYS_OPEN:
		if (l->nrows)
			app_open_incident(a, l->incs[l->rows[l->sel]].id);
		return 1;
	default: return 0;
	}
	l->sel_id = l->nrows ? l->incs[l->rows[l->sel]].id : 0;
	return 1;
}

static void
list_filter(struct app *a)
{
	list_rows(a, NULL, 0, 0);
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
