/* alert.h: owl's normalized alert, what every alert format is parsed into
 * (integrations/ingest.c) before incident_ingest() stores it, and the
 * rules that derive an alert's severity and title from its labels. */
#ifndef OWL_ALERT_H
#define OWL_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"
#include "engine/incident.h"

struct alert {
	const char *source; /* static: "alertmanager", "grafana", ... */
	char *fingerprint; /* dedup key within the source */
	char *group_key; /* incidents group by (source, group_key) */
	char *group_labels; /* the sender's group labels, a JSON object
	                     * (Alertmanager's groupLabels); NULL: unknown */
	int resolved; /* 0: firing */
	enum incident_severity severity;
	char *severity_raw; /* the sender's word when it is not one of
	                     * owl's four names ("P1", "sev2", "disaster");
	                     * NULL otherwise */
	char *labels_json; /* compact JSON object, keys sorted */
	char *annotations_json; /* compact JSON object, keys sorted */
	char *title; /* summary/title annotation, else alertname;
	              * NULL when neither exists */
	int64_t starts_at; /* the sender's time; 0: not given (storing
	                    * uses the time owl received it) */
	int64_t ends_at; /* the sender's time; 0: not ended, or (resolved)
	                  * not given */
	char *generator_url; /* NULL: none */
	int severity_kept; /* the event says nothing of its severity (a
	                    * resolve of most senders): the stored one stays */
	int merge; /* a re-delivery adds and updates labels, annotations
	            * and the URL, never removes or nulls them (PagerDuty
	            * re-triggers); logged as alert.update */
	char *match_text; /* "k=v k=v " of labels and annotations, at most
	                   * ALERT_MATCH_MAX bytes, for the TUI's filter;
	                   * NULL: none */
};

/* The most bytes of "k=v " text kept per alert and per incident. */
#define ALERT_MATCH_MAX 4096
#define ALERT_MATCH_MAX_SQL "4096" /* the same, in SQL text */

/* Frees the strings of one alert (not the struct); accepts NULL. */
void alert_done(struct alert *a);

/* Longest severity word kept (longer ones are cut at a character). */
#define ALERT_SEVERITY_WORD_MAX 64

/* Writes the key a severity word is looked up by into out (n bytes):
 * lower case, without '-', '_', ' ' and '.': "SEV-2" -> "sev2",
 * "Not classified" -> "notclassified". */
void alert_severity_key(const char *word, char *out, size_t n);

/* Maps a severity word as senders spell it to owl's four levels, case-
 * insensitively: first through map (severity_map in the config, keys
 * made by alert_severity_key, values integers 0-3; NULL: none), then
 * the built-in table (README "Severity"). Returns -1 for a word neither
 * knows. */
int alert_severity_parse(const json_t *map, const char *word);

/* Sets a->severity from a sender's word: its level, or warning when the
 * word is unknown (a page is never refused for its severity). The raw
 * word is kept in a->severity_raw unless it is one of owl's four names.
 * -1 with err set when out of memory. */
int alert_set_severity(
    struct alert *a, const json_t *map, const char *word, struct err *err);

/* The text of a labels or annotations map, as json_dumps(JSON_COMPACT |
 * JSON_SORT_KEYS) writes it (with jdump: the same bytes at a fraction of
 * the cost, on owl serve's parser threads for every alert); NULL where
 * json_dumps would return it (out of memory, not UTF-8). free() it. */
char *alert_map_text(const json_t *map);

/* Sets labels_json, annotations_json and match_text from two JSON objects
 * of string values (borrowed), and derives what the alert does not say
 * itself: the title (annotation "summary", else "title", else label
 * "alertname") and, unless severity_given, the severity from the label
 * "severity" through map as alert_set_severity does (absent: warning).
 * -1 with err set when out of memory. */
int alert_set_maps(struct alert *a, json_t *labels, json_t *annotations,
    const json_t *map, int severity_given, struct err *err);

#endif
