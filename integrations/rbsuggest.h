/* rbsuggest.h: the runbooks suggested for an incident: those whose
 * declared `match` labels fit its alerts, best match first (more labels
 * matched, then more firing alerts), with summary, params and the
 * version they come from. Shared by `owl show` and the TUI. */
#ifndef OWL_RBSUGGEST_H
#define OWL_RBSUGGEST_H

#include <jansson.h>
#include <stdint.h>

#include "engine/config.h"
#include "engine/err.h"
#include "engine/rbsource.h"
#include "engine/store.h"

/* Alerts of an incident read when its label summary (engine/labelsum.h)
 * cannot tell how a runbook's match fits. */
#define RBSUGGEST_ALERTS_MAX 5000
#define RBSUGGEST_ALERTS_MAX_S "5000"

/* How well match (the runbook's {label = value | {values}}) fits one
 * alert's labels: the number of match labels (all must fit), 0 when one
 * does not or match is empty or not an object. */
int rbsuggest_score(const json_t *match, const json_t *labels);

/* The suggestions for incident id from the runbooks of src, as a JSON
 * array, best first, of {"name", "summary", "params", "match",
 * "score", "alerts" (firing alerts that fit), "matched" (alerts that
 * fit, resolved ones too), "of" (the alerts those counts are over),
 * "sampled" (true when that is only the first RBSUGGEST_ALERTS_MAX of
 * more), "commit" (null for a plain directory), "blob", "source"}.
 * The incident's label summary (engine/labelsum.h) decides the runbooks
 * no alert fits and those every alert fits (counted from the
 * incident's counts); only the others are matched against its alerts,
 * the first RBSUGGEST_ALERTS_MAX of them. NULL with err set. */
json_t *rbsuggest_incident(
    struct store *st, struct rbsource *src, int64_t id, struct err *err);

/* Opens the runbooks the config (and $OWL_RUNBOOKS) name, quietly, and
 * suggests for incident id. When no runbooks are configured, returns an
 * empty array and sets *why (static text) to say so; *why is NULL
 * otherwise. NULL with err set when the source cannot be read. */
json_t *rbsuggest_configured(struct store *st, const struct config *c,
    int64_t id, const char **why, struct err *err);

#endif
