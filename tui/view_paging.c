/* view_paging.c: what `owl tui` shows of paging, kept apart from the
 * screens it appears in: the header's alarm for a page that no channel
 * could deliver and the override in force (owl oncall override), the
 * "Paged" section of an incident (who, when, through what, the result),
 * and the exit summary's pointer to the hand-off report. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "engine/oncall.h"
#include "engine/pages.h"
#include "tui_int.h"

#define PAGING_ALARM_US (24 * 3600 * CLOCK_US_PER_SEC)

void
paging_load(struct app *a)
{
	struct app_paging *pg = &a->paging;
	struct oncall_override *v = NULL;
	int64_t now = clock_now_us();
	struct pages_alarm al;
	size_t n = 0;

	pg->alarm[0] = pg->override[0] = '\0';
	if (pages_alarm(a->store, now - PAGING_ALARM_US, &al, NULL) == 0 &&
	    al.count > 0) {
		char inc[32] = "";

		if (al.incident > 0)
			snprintf(inc, sizeof inc, " INC-%" PRId64, al.incident);
		if (al.count == 1)
			snprintf(pg->alarm, sizeof pg->alarm,
			    "PAGE UNDELIVERED: %s%s", al.person, inc);
		else
			snprintf(pg->alarm, sizeof pg->alarm,
			    "%" PRId64 " PAGES UNDELIVERED (last: %s%s)",
			    al.count, al.person, inc);
	}
	if (oncall_override_list(a->store, NULL, now, &v, &n, NULL) == -1)
		return;
	for (size_t i = n; i-- > 0;) /* the newest one in force */
		if (v[i].from <= now) {
			snprintf(pg->override, sizeof pg->override,
			    "%s on call for %s (override)", v[i].who,
			    v[i].rotation);
			break;
		}
	oncall_overrides_free(v, n);
}

/* One line per page: "03:12 alice via pagerduty: sent (level 1)". */
static void
paging_line(struct pager *p, const json_t *pg)
{
	const char *state = json_string_value(json_object_get(pg, "state"));
	const char *chan = json_string_value(json_object_get(pg, "channel"));
	const char *err = json_string_value(json_object_get(pg, "error"));
	const char *at = json_string_value(json_object_get(pg, "created_at"));
	const json_t *level = json_object_get(pg, "level");
	char line[600], when[64] = "?", lv[32] = "";
	int64_t us;

	if (at != NULL && clock_parse(at, &us, NULL) == 0)
		frame_time(us, 0, when, sizeof when);
	if (json_is_integer(level))
		snprintf(lv, sizeof lv, " (level %lld)",
		    (long long)json_integer_value(level));
	else if (strcmp(json_string_value(json_object_get(pg, "origin")),
	             "manual") == 0)
		snprintf(lv, sizeof lv, " (by %.20s)",
		    json_string_value(json_object_get(pg, "actor")));
	snprintf(line, sizeof line, "%s %s%s%s%s: %s%s%s%s", when,
	    strcmp(json_string_value(json_object_get(pg, "kind")), "resolve")
	        ? ""
	        : "resolve to ",
	    json_string_value(json_object_get(pg, "to")),
	    chan != NULL ? " via " : "", chan != NULL ? chan : "", state, lv,
	    err != NULL && strcmp(state, "sent") ? ": " : "",
	    err != NULL && strcmp(state, "sent") ? err : "");
	pager_add(p,
	    strcmp(state, "undeliverable") == 0 ? SCREEN_ALARM
	        : strcmp(state, "sent") == 0    ? SCREEN_NORMAL
	                                        : SCREEN_DIM,
	    2, line);
}

void
paging_detail(struct app *a, struct pager *p, int64_t id)
{
	json_t *pages = NULL, *pg;
	char head[64];
	size_t i;

	if (pages_json(a->store, id, 0, &pages, NULL) == -1 ||
	    json_array_size(pages) == 0) {
		json_decref(pages);
		return;
	}
	pager_add(p, SCREEN_NORMAL, 0, "");
	snprintf(head, sizeof head, "Paged (%zu)", json_array_size(pages));
	pager_add(p, SCREEN_BOLD, 0, head);
	json_array_foreach(pages, i, pg) paging_line(p, pg);
	json_decref(pages);
}

void
paging_summary(const struct app *a, FILE *f)
{
	int64_t min =
	    (clock_mono_us() - a->started_at) / (60 * CLOCK_US_PER_SEC);

	min = min < 60 ? 60 : min + 1; /* at least the last hour */
	fprintf(f,
	    "owl tui: hand-off report for the next person: owl handoff "
	    "--since %" PRId64 "h%02" PRId64 "m\n",
	    min / 60, min % 60);
}
