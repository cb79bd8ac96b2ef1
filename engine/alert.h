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
	int resolved; /* 0: firing */
	enum incident_severity severity;
	char *labels_json; /* compact JSON object, keys sorted */
	char *annotations_json; /* compact JSON object, keys sorted */
	char *title; /* summary/title annotation, else alertname;
	              * NULL when neither exists */
	int64_t starts_at; /* 0: not given (storing uses "now") */
	int64_t ends_at; /* 0: not ended */
	char *generator_url; /* NULL: none */
	char *match_text; /* "k=v k=v " of labels and annotations, at most
	                   * ALERT_MATCH_MAX bytes, for the TUI's filter;
	                   * NULL: none */
};

/* The most bytes of "k=v " text kept per alert and per incident. */
#define ALERT_MATCH_MAX 4096
#define ALERT_MATCH_MAX_SQL "4096" /* the same, in SQL text */

/* Frees the strings of one alert (not the struct); accepts NULL. */
void alert_done(struct alert *a);

/* Maps a severity word as senders spell it to owl's four levels:
 * critical (also crit, fatal, emergency, alert, page, high, p1),
 * error (err, major, p2), warning (warn, minor, medium, p3), info (info,
 * informational, notice, low, none, ok, p4, p5), case-insensitive.
 * Returns -1 for anything else. */
int alert_severity_parse(const char *word);

/* Sets labels_json, annotations_json and match_text from two JSON objects of
 * string values (borrowed), and derives what the alert does not say itself: the
 * title (annotation "summary", else "title", else label "alertname") and,
 * unless severity_given, the severity from the label "severity" (unknown or
 * absent: warning). -1 with err set when out of memory. */
int alert_set_maps(struct alert *a, json_t *labels, json_t *annotations,
    int severity_given, struct err *err);

#endif
