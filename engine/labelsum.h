/* labelsum.h: what an incident's alerts' labels have in common, kept by
 * the ingest as alerts arrive (incidents.label_keys), so that a reader
 * (runbook suggestions) can tell from one row, with no walk of the
 * alerts, that no alert has a label, or that every alert has it with one
 * value. The summary is a JSON object with one member per label key any
 * alert of the incident has had: its value when every alert stored has
 * had that key with that value, else null. A key absent from it is one
 * no alert has. Every label set an alert is stored with (insert, and
 * every update that writes labels) is folded in, so the summary may be
 * less sharp than the alerts are now (a relabelled alert's old labels
 * stay folded in), never wrong. Anything else in the column (SQL NULL:
 * an incident from before it was kept, or the text "unknown": more keys
 * than LABELSUM_KEYS, labels not as owl writes them) says nothing. */
#ifndef OWL_LABELSUM_H
#define OWL_LABELSUM_H

#include <stddef.h>
#include <stdint.h>

#define LABELSUM_KEYS 32 /* keys kept; past that the summary is unknown */
#define LABELSUM_VALUE_MAX 256 /* a longer common value is kept as null */
#define LABELSUM_TEXT_MAX 2048 /* their bytes; past that: unknown */

enum labelsum_state {
	LABELSUM_EMPTY, /* no alert folded in */
	LABELSUM_KNOWN,
	LABELSUM_UNKNOWN, /* says nothing */
};

/* No allocation but its own (the writer folds one in per alert). */
struct labelsum {
	enum labelsum_state state;
	int changed; /* something was folded in that changed it */
	size_t n, used;
	const char *k[LABELSUM_KEYS],
	    *v[LABELSUM_KEYS]; /* v[i] NULL: differs */
	char text[LABELSUM_TEXT_MAX]; /* where k and v point */
};

/* An empty summary in the caller's struct (labelsum_done frees what it
 * comes to hold), or on the heap (labelsum_free; NULL when out of
 * memory). */
void labelsum_init(struct labelsum *s);
void labelsum_done(struct labelsum *s);
struct labelsum *labelsum_new(void);
void labelsum_free(struct labelsum *s);

/* Folds in one alert's labels as stored (alerts.labels: a JSON object;
 * a value not a string counts as one that differs). Text that is not
 * an object makes the summary unknown. 0, or -1 when out of memory (the
 * summary is then unknown). */
int labelsum_add(struct labelsum *s, const char *labels);

/* Folds from (borrowed) into s: s then says what is true of the alerts
 * of both. 0, or -1 when out of memory (s is then unknown, as it is
 * after labelsum_add runs out). */
int labelsum_merge(struct labelsum *s, const struct labelsum *from);

/* Fills s (whose contents are replaced) from a stored summary: text
 * (NULL: SQL NULL) of an incident with alert_count alerts. A NULL text
 * of an incident with no alert is an empty summary; one with alerts, or
 * text that is not a summary, is unknown. s->changed is cleared. 0, or
 * -1 when out of memory. */
int labelsum_load(struct labelsum *s, const char *text, int64_t alert_count);

/* The summary as stored (a malloc'd string; "unknown" when it is), or
 * NULL when out of memory. An empty summary is "{}". */
char *labelsum_dump(const struct labelsum *s);

#endif
