/* view_alerts.c: the alert table of the incident screen: the labels all
 * alerts share said once, one row per alert with only the labels that
 * differ, a summary line that names them as ranges ("250 alerts ·
 * pod=api-0…api-249 · 248 firing"), collapsed past a few rows (e
 * expands), and the links gathered once, each kind ready for `y`. */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

#define ALERTS_READ_MAX 5000 /* alerts read for the table */
#define ALERTS_COLLAPSED 8 /* rows shown before e expands */
#define ALERTS_RANGE_KEYS 3 /* differing labels named in the summary */

struct alerts_walk {
	json_t *rows; /* [{l, a, r, s, g, c}] */
	int64_t firing;
};

static int
alerts_take(struct incident_alert *al, void *ctx)
{
	struct alerts_walk *w = ctx;
	json_t *l =
	    json_loads(al->labels_json ? al->labels_json : "{}", 0, NULL);
	json_t *an = json_loads(
	    al->annotations_json ? al->annotations_json : "{}", 0, NULL);

	if (!json_is_object(l)) {
		json_decref(l);
		l = json_object();
	}
	if (!json_is_object(an)) {
		json_decref(an);
		an = json_object();
	}
	json_array_append_new(w->rows,
	    json_pack("{s:o,s:o,s:b,s:I,s:s?,s:I}", "l", l, "a", an, "r",
	        al->resolved, "s", (json_int_t)al->starts_at, "g",
	        al->generator_url, "c", (json_int_t)al->count));
	if (!al->resolved)
		w->firing++;
	return 0;
}

static int
alerts_read(struct app *a, int64_t id, struct alerts_walk *w, struct err *err)
{
	w->rows = json_array();
	w->firing = 0;
	return incident_alerts_each(
	    a->store, id, ALERTS_READ_MAX, alerts_take, w, err);
}

static int
alerts_is_url(const char *s)
{
	return s != NULL &&
	    (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
}

/* The key/value pairs every row has alike in member m ("l" or "a"). */
static json_t *
alerts_shared(json_t *rows, const char *m)
{
	json_t *shared =
	    json_deep_copy(json_object_get(json_array_get(rows, 0), m));
	const char *k;
	json_t *v, *row;
	void *tmp;
	size_t i;

	if (shared == NULL)
		return json_object();
	json_array_foreach(rows, i, row)
	{
		json_t *o = json_object_get(row, m);

		json_object_foreach_safe(shared, tmp, k, v)
		{
			if (!json_equal(v, json_object_get(o, k)))
				json_object_del(shared, k);
		}
	}
	return shared;
}

/* Keys of member m that are not shared, in order of first appearance. */
static json_t *
alerts_differ(json_t *rows, const char *m, json_t *shared)
{
	json_t *keys = json_object(), *out = json_array(), *row, *v;
	const char *k;
	size_t i;

	json_array_foreach(rows, i, row)
	{
		json_object_foreach(json_object_get(row, m), k, v)
		{
			if (json_object_get(shared, k) == NULL &&
			    json_object_get(keys, k) == NULL) {
				json_object_set_new(keys, k, json_true());
				json_array_append_new(out, json_string(k));
			}
		}
	}
	json_decref(keys);
	return out;
}

/* strcmp with digit runs compared as numbers: api-9 < api-10. */
static int
alerts_natcmp(const char *x, const char *y)
{
	while (*x && *y) {
		if (*x >= '0' && *x <= '9' && *y >= '0' && *y <= '9') {
			size_t nx = strspn(x, "0123456789");
			size_t ny = strspn(y, "0123456789");
			const char *ax = x, *ay = y;
			int c;

			while (*ax == '0' && (size_t)(ax - x) + 1 < nx)
				ax++;
			while (*ay == '0' && (size_t)(ay - y) + 1 < ny)
				ay++;
			if (nx - (size_t)(ax - x) != ny - (size_t)(ay - y))
				return nx - (size_t)(ax - x) <
				        ny - (size_t)(ay - y)
				    ? -1
				    : 1;
			if ((c = strncmp(ax, ay, nx - (size_t)(ax - x))) != 0)
				return c;
			x += nx;
			y += ny;
			continue;
		}
		if (*x != *y)
			return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
		x++;
		y++;
	}
	return *x ? 1 : *y ? -1 : 0;
}

static const char *
alerts_str(json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

/* "pod=api-0…api-249" (the lowest and highest of its values, in
 * natural order), "region=eu, us" for two or three values. */
static void
alerts_range(json_t *rows, const char *key, int ascii, char *out, size_t n)
{
	json_t *seen = json_object(), *row;
	const char *lo = NULL, *hi = NULL, *s;
	size_t i, count = 0;
	char list[160] = "";

	json_array_foreach(rows, i, row)
	{
		json_t *v = json_object_get(json_object_get(row, "l"), key);

		if (v == NULL || json_object_get(seen, s = alerts_str(v)))
			continue;
		json_object_set_new(seen, s, json_true());
		if (count < 3)
			snprintf(list + strlen(list),
			    sizeof list - strlen(list), "%s%s",
			    count ? ", " : "", s);
		count++;
		if (lo == NULL || alerts_natcmp(s, lo) < 0)
			lo = s;
		if (hi == NULL || alerts_natcmp(s, hi) > 0)
			hi = s;
	}
	if (count <= 3)
		snprintf(out, n, "%s=%s", key, list);
	else
		snprintf(
		    out, n, "%s=%s%s%s", key, lo, ascii ? "..." : "\u2026", hi);
	json_decref(seen);
}

/* "pod=api-3 zone=b": the values of the differing keys of one row. */
static void
alerts_row_labels(json_t *row, json_t *differ, char *out, size_t n)
{
	size_t i, o = 0;
	json_t *k;

	out[0] = '\0';
	json_array_foreach(differ, i, k)
	{
		json_t *v = json_object_get(
		    json_object_get(row, "l"), json_string_value(k));

		if (v == NULL || o >= n)
			continue;
		o += snprintf(out + o, n - o, "%s%s=%s", o ? " " : "",
		    json_string_value(k), alerts_str(v));
	}
}

static void
alerts_object(struct pager *p, const char *what, json_t *o, int indent)
{
	const char *k;
	json_t *v;
	char *line;

	if (json_object_size(o) == 0)
		return;
	if (what != NULL)
		pager_add(p, SCREEN_DIM, indent, what);
	json_object_foreach(o, k, v)
	{
		if (asprintf(&line, "%s = %s", k, alerts_str(v)) >= 0) {
			pager_add_lines(p, SCREEN_NORMAL, indent + 2, line);
			free(line);
		}
	}
}

/* The kind of a link by its key: dashboard, runbook or other. */
static char *
alerts_link_slot(struct app_links *l, const char *key)
{
	if (strstr(key, "runbook") || strstr(key, "playbook"))
		return l->runbook;
	if (strstr(key, "dashboard") || strstr(key, "panel") ||
	    strstr(key, "grafana"))
		return l->dashboard;
	return NULL;
}

static void
alerts_link(
    json_t *links, struct app_links *l, const char *key, const char *url)
{
	char *slot = strcmp(key, "generator") == 0 ? l->generator
	                                           : alerts_link_slot(l, key);

	if (slot != NULL && slot[0] == '\0')
		snprintf(slot, APP_LINK_MAX, "%s", url);
	if (json_object_get(links, url) == NULL)
		json_object_set_new(links, url, json_string(key));
}

/* Every link once (generator URLs and URL-valued labels and
 * annotations), in order of first appearance: {url: key}. */
static json_t *
alerts_links(json_t *rows, struct app_links *l)
{
	json_t *links = json_object(), *row, *v;
	const char *k;
	size_t i;

	json_array_foreach(rows, i, row)
	{
		if (alerts_is_url(json_string_value(json_object_get(row, "g"))))
			alerts_link(links, l, "generator",
			    json_string_value(json_object_get(row, "g")));
		json_object_foreach(json_object_get(row, "a"), k, v)
		{
			if (alerts_is_url(json_string_value(v)))
				alerts_link(links, l, k, json_string_value(v));
		}
		json_object_foreach(json_object_get(row, "l"), k, v)
		{
			if (alerts_is_url(json_string_value(v)))
				alerts_link(links, l, k, json_string_value(v));
		}
	}
	return links;
}

/* The summary line: count, the differing labels as ranges, firing. */
static void
alerts_summary(struct app *a, json_t *rows, json_t *differ, int64_t firing,
    int64_t total, char *out, size_t n)
{
	size_t o, i;
	json_t *k;

	o = (size_t)snprintf(
	    out, n, "%" PRId64 " alert%s", total, total == 1 ? "" : "s");
	json_array_foreach(differ, i, k)
	{
		char r[256];

		if (i >= ALERTS_RANGE_KEYS || o >= n)
			break;
		alerts_range(rows, json_string_value(k), screen_ascii(a->sc), r,
		    sizeof r);
		o += snprintf(out + o, n - o, " \u00b7 %s", r);
	}
	if (o < n)
		snprintf(out + o, n - o, " \u00b7 %" PRId64 " firing", firing);
}

/* What a storm's alerts share, as its title: "PodCrashLooping on
 * namespace=prod service=api"; "" when they share no label. */
static void
alerts_storm_title(json_t *shared, char *out, size_t n)
{
	const char *name = alerts_str(json_object_get(shared, "alertname"));
	size_t o = (size_t)snprintf(out, n, "%s", name), k = 0;
	const char *key;
	json_t *v;

	json_object_foreach(shared, key, v)
	{
		if (strcmp(key, "alertname") == 0 || k >= 3 || o >= n ||
		    alerts_is_url(alerts_str(v)))
			continue;
		o += (size_t)snprintf(out + o, n - o, "%s%s=%s",
		    k == 0 ? (o ? " on " : "") : " ", key, alerts_str(v));
		k++;
	}
}

void
view_alerts_add(struct app *a, struct pager *p, const struct incident *inc,
    int expanded, char *storm, size_t storm_n)
{
	struct alerts_walk w;
	json_t *sl, *sa, *differ, *links, *row, *v;
	size_t i, n, shown;
	char line[1024], labels[512], since[64];
	const char *k;
	struct err err;

	err_init(&err);
	memset(&a->links, 0, sizeof a->links);
	snprintf(a->links.id, sizeof a->links.id, "INC-%" PRId64, inc->id);
	pager_add(p, SCREEN_NORMAL, 0, "");
	if (alerts_read(a, inc->id, &w, &err) == -1) {
		snprintf(line, sizeof line, "alerts: %s", err.msg);
		pager_add(p, SCREEN_ALARM, 0, line);
		json_decref(w.rows);
		return;
	}
	n = json_array_size(w.rows);
	sl = alerts_shared(w.rows, "l");
	sa = alerts_shared(w.rows, "a");
	differ = alerts_differ(w.rows, "l", sl);
	storm[0] = '\0';
	if (n > 1 && json_array_size(differ) > 0)
		alerts_storm_title(sl, storm, storm_n);
	alerts_summary(a, w.rows, differ,
	    (size_t)inc->alert_count > n ? inc->firing_count : w.firing,
	    (size_t)inc->alert_count > n ? inc->alert_count : (int64_t)n, line,
	    sizeof line);
	pager_add(p, SCREEN_BOLD, 0, "Alerts");
	pager_add(p, SCREEN_BOLD, 2, line);
	if ((size_t)inc->alert_count > n) {
		snprintf(line, sizeof line,
		    "(the table reads the first %zu alerts)", n);
		pager_add(p, SCREEN_DIM, 2, line);
	}
	alerts_object(p, n > 1 ? "labels all alerts share" : "labels", sl, 2);
	/* URL annotations are listed once, under Links */
	json_object_foreach(sa, k, v)
	{
		if (alerts_is_url(json_string_value(v)))
			json_object_set_new(sa, k, json_null());
	}
	{
		json_t *plain = json_object();

		json_object_foreach(sa, k, v)
		{
			if (!json_is_null(v))
				json_object_set(plain, k, v);
		}
		alerts_object(p,
		    n > 1 ? "annotations all alerts share" : "annotations",
		    plain, 2);
		json_decref(plain);
	}
	shown = expanded || n <= ALERTS_COLLAPSED + 2 ? n : ALERTS_COLLAPSED;
	if (n > 1)
		pager_add(p, SCREEN_DIM, 2,
		    json_array_size(differ)
		        ? "each alert (the labels that differ)"
		        : "each alert");
	for (i = 0; n > 1 && i < shown; i++) {
		int64_t at;

		row = json_array_get(w.rows, i);
		at = json_integer_value(json_object_get(row, "s"));
		snprintf(since, sizeof since, "?");
		if (at != 0)
			frame_time(at, 1, since, sizeof since);
		alerts_row_labels(row, differ, labels, sizeof labels);
		snprintf(line, sizeof line,
		    "%-8s %s  since %s, delivered %" PRId64 "x",
		    json_is_true(json_object_get(row, "r")) ? "resolved"
		                                            : "FIRING",
		    labels[0] ? labels : "-", since,
		    (int64_t)json_integer_value(json_object_get(row, "c")));
		pager_add(p,
		    json_is_true(json_object_get(row, "r")) ? SCREEN_RESOLVED
		                                            : SCREEN_FIRING,
		    4, line);
		if (expanded || n <= ALERTS_COLLAPSED + 2) {
			json_t *own = json_object();

			json_object_foreach(json_object_get(row, "a"), k, v)
			{
				if (json_object_get(sa, k) == NULL &&
				    !alerts_is_url(json_string_value(v)))
					json_object_set(own, k, v);
			}
			alerts_object(p, NULL, own, 12);
			json_decref(own);
		}
	}
	if (n > shown) {
		snprintf(line, sizeof line, "... %zu more alert%s (e: expand)",
		    n - shown, n - shown == 1 ? "" : "s");
		pager_add(p, SCREEN_DIM, 4, line);
	} else if (expanded && n > ALERTS_COLLAPSED + 2) {
		pager_add(p, SCREEN_DIM, 4, "(e: collapse)");
	}
	links = alerts_links(w.rows, &a->links);
	if (json_object_size(links) > 0) {
		pager_add(p, SCREEN_NORMAL, 0, "");
		pager_add(p, SCREEN_BOLD, 0, "Links (y copies; each once)");
		json_object_foreach(links, k, v)
		{
			snprintf(line, sizeof line, "%-14s %s",
			    json_string_value(v), k);
			pager_add(p, SCREEN_NORMAL, 2, line);
		}
	}
	json_decref(links);
	json_decref(differ);
	json_decref(sl);
	json_decref(sa);
	json_decref(w.rows);
}

int
view_alerts_links(struct app *a, int64_t id, struct err *err)
{
	struct alerts_walk w;
	json_t *links;

	memset(&a->links, 0, sizeof a->links);
	snprintf(a->links.id, sizeof a->links.id, "INC-%" PRId64, id);
	if (alerts_read(a, id, &w, err) == -1) {
		json_decref(w.rows);
		return -1;
	}
	links = alerts_links(w.rows, &a->links);
	json_decref(links);
	json_decref(w.rows);
	return 0;
}
