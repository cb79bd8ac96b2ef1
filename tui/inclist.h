/* inclist.h: the incident-list model of `owl tui`: which incidents the
 * home screen lists (filter, sort, resolved shown or not), the window of
 * rows read around the cursor, the selection kept by incident id, the
 * counts the header shows, the incidents looked at (NEW). The actions
 * and views call it without depending on another screen; its one view
 * (view_incidents.c) reads the struct to draw the rows. Private to
 * tui/. */
#ifndef OWL_INCLIST_H
#define OWL_INCLIST_H

#include <stddef.h>
#include <stdint.h>

#include "lineedit.h"
#include "engine/incident.h"

struct app;

enum {
	INCLIST_SORT_URGENCY,
	INCLIST_SORT_NEWEST,
	INCLIST_SORT_ALERTS,
	INCLIST_SORT_ID,
	INCLIST_SORTS
};

/* Incidents already looked at (Enter), with the alert time seen then:
 * a later alert makes the incident NEW again. */
struct inclist_seen {
	int64_t id;
	int64_t last_alert_at;
};

struct inclist {
	struct incident *incs; /* the loaded window: rows base .. base+n-1 */
	size_t n, cap;
	size_t base;
	size_t nrows; /* rows in the whole (filtered, sorted) list */
	size_t screen; /* rows the last frame showed */
	struct incident_counts counts; /* for the header */
	size_t sel, top; /* positions in the whole list */
	int64_t sel_id; /* selection is kept by incident id */
	int sort; /* INCLIST_SORT_* */
	int resort; /* a re-sort waits for the pause to end */
	char filter[LINEEDIT_MAX + 1];
	int resolved; /* resolved incidents shown too (R) */
	int64_t total; /* rows without the filter */
	struct inclist_seen *seen;
	size_t nseen, capseen;
	int64_t last_alert_at;
	int64_t loaded_at;
};

/* An empty model (inclist_free frees it), NULL when out of memory. */
struct inclist *inclist_new(void);
/* Frees a->list's rows and the model (NULL is fine). */
void inclist_free(struct inclist *l);
/* Loads the list; keeps the selection by id; during the pause after a
 * key, refreshes the rows in place instead. -1 on error (shown as a
 * message). */
int inclist_load(struct app *a);
/* Reads the window around the cursor again, now. -1 on error. */
int inclist_fetch(struct app *a);
/* Re-sorts when a pause has ended; returns nonzero when it did. */
int inclist_tick(struct app *a);
/* The incident with this id in the loaded window, or NULL. */
const struct incident *inclist_find(const struct app *a, int64_t id);
/* The selected incident, or NULL. */
const struct incident *inclist_selected(const struct app *a);
/* Marks an incident as looked at (no NEW mark). */
void inclist_seen(struct app *a, const struct incident *inc);
/* Not resolved, and not looked at since its last alert. */
int inclist_is_new(const struct app *a, const struct incident *inc);
/* What the header says of a filter, a sort other than urgency and the
 * resolved ones shown ("filter: eu · 3 of 7 shown"); 0 when none. */
int inclist_status(const struct app *a, char *out, size_t n);
/* The next sort order, from the top. */
void inclist_sort_next(struct app *a);
const char *inclist_sort_name(int sort);
/* The filter text, and a new one (the list from its top). */
const char *inclist_filter(const struct app *a);
void inclist_set_filter(struct app *a, const char *text);
/* R: resolved incidents shown or not; returns the new state. */
int inclist_toggle_resolved(struct app *a);
/* For the header: the counts by state, the time of the last alert. */
const struct incident_counts *inclist_counts(const struct app *a);
int64_t inclist_last_alert_at(const struct app *a);

#endif
