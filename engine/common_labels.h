/* common_labels.h: the labels every alert of an incident has with the
 * same value ("job=node" of 300 node alerts). The action log's sentences
 * then tell the alerts by the labels that tell them apart
 * (actlog_text_common): the timeline export learns them from the log's
 * alert.new entries, owl show and the TUI's incident view from the
 * incident's alerts; both keep them the same way, here. */
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

/* Alerts of an incident read to find them where a reader is bounded
 * (owl show, the TUI): past that, none is taken as common. */
#define COMMON_LABELS_ALERTS_MAX 5000

/* Sets *out to the labels common to every alert of incident inc, as
 * common_labels_add keeps them (a new reference: json_decref; all the
 * labels of an incident's one alert, as the timeline has them),
 * reading at most max alerts (0: all) and none past the point where
 * nothing is common. When the incident has more alerts than max, what
 * is common to all is not known: *out is then an empty object, and no
 * alert is read. 0, or -1 with err set. */
int common_labels_incident(struct store *s, const struct incident *inc,
    int64_t max, json_t **out, struct err *err);

#endif
