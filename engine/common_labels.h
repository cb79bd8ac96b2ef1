/* common_labels.h: the labels every alert of an incident has with the
 * same value ("job=node" of 300 node alerts). The action log's sentences
 * then tell the alerts by the labels that tell them apart
 * (actlog_text_common): the timeline export as it reads the log, owl
 * show and the TUI's incident view before (common_labels_incident),
 * both from the log's alert.new and alert.update entries, kept the same
 * way, here. Not from the alerts as they are now: the sentences told are
 * of the alerts as logged, and an Alertmanager re-delivery may replace
 * an alert's labels unlogged.
 *
 * Common means common over the incident's whole life, as its log tells
 * it: a label a merging re-delivery added to an alert or changed on one
 * (an alert.update entry: PagerDuty's re-triggers) is not common, though
 * every alert has it now with one value; the log shows an alert that
 * lacked it or had another value. Both readers drop those labels
 * (common_labels_update), and so agree: the timeline, a record of what
 * happened, never says a label was common that the log shows was not,
 * and owl show and the TUI say what the timeline says. */
#ifndef OWL_COMMON_LABELS_H
#define OWL_COMMON_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"
#include "engine/incident.h"
#include "engine/store.h"

/* Labels kept at most: those of the first alert (in its order) past
 * alertname and severity, which a description leaves out anyway. */
#define COMMON_LABELS_MAX 12

/* Adds one alert's labels (an object, borrowed) to *common, an object
 * of the labels every alert added so far has (NULL: no alert yet; then
 * made here, the caller's to json_decref): the first alert's string
 * labels, then only those the next ones have with the same value. 0, or
 * -1 when out of memory. */
int common_labels_add(json_t **common, const json_t *labels);

/* The same with labels read as pairs (jscan_pairs: strings, each key
 * once). */
int common_labels_add_pairs(
    json_t **common, const char *const *k, const char *const *v, size_t n);

/* Drops from common (as above; NULL: nothing) the labels an alert.update
 * entry's detail (borrowed) added or changed: {"labels": {"added": {K:
 * V}, "changed": {K: {before, after}}}}. */
void common_labels_update(json_t *common, const json_t *detail);

/* Alerts of an incident (alert.new entries) read to find them where a
 * reader is bounded (owl show, the TUI): past that, none is taken as
 * common. */
#define COMMON_LABELS_ALERTS_MAX 5000

/* Sets *out to the labels common to every alert of incident inc, as
 * the timeline finds them (a new reference: json_decref; all the
 * labels of an incident's one alert): its log's alert.new entries
 * (common_labels_add) and alert.update entries (common_labels_update)
 * in log order, at most max alert.new entries (0: all), none past the
 * point where nothing is common. When the incident has more alerts
 * than max, what is common to all is not known: *out is then an empty
 * object, and nothing is read. 0, or -1 with err set. */
int common_labels_incident(struct store *s, const struct incident *inc,
    int64_t max, json_t **out, struct err *err);

#endif
