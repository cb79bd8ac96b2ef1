/* rb_incident.h: the incident a run is bound to (--incident), as the
 * JSON the runbook sees as its read-only `incident` global. */
#ifndef OWL_RB_INCIDENT_H
#define OWL_RB_INCIDENT_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

/* {id, ref ("INC-42"), state, severity, title, source, group_key,
 * alert_count, firing_count, opened_at, updated_at, acked_by, assignee,
 * labels (the first alert's), alerts: [{source, fingerprint, status,
 * labels, annotations, starts_at, generator_url}]}; times RFC 3339.
 * An unknown id: NULL with ERR_FAILED "no incident INC-<id>". */
json_t *rb_incident_json(struct store *s, int64_t id, struct err *err);

#endif
