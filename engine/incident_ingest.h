/* incident_ingest.h: storing normalized alerts: dedup by (source,
 * fingerprint), grouping by (source, group key) into incidents, the
 * flap guard and auto-resolve, each change written to the action log.
 * integrations/ingest.c parses payloads into alerts and calls this. */
#ifndef OWL_INCIDENT_INGEST_H
#define OWL_INCIDENT_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "engine/alert.h"
#include "engine/err.h"
#include "engine/store.h"

enum incident_ingest_mode {
	/* upsert every alert, opening or reopening incidents as needed */
	INCIDENT_INGEST_UPSERT,
	/* only mark alerts already known in an open incident as resolved;
	 * unknown ones are dropped (a PagerDuty resolve event) */
	INCIDENT_INGEST_RESOLVE,
	/* acknowledge the open incident of each alert's (source, group key);
	 * none open: dropped (a PagerDuty acknowledge event) */
	INCIDENT_INGEST_ACK,
};

/* The incident rows a group commit writes once (incident_ingest_defer.c):
 * owl serve's writer passes one to each request of a transaction and
 * flushes it before COMMIT. */
struct incident_ingest_defer;

struct incident_ingest_defer *incident_ingest_defer_new(void);
void incident_ingest_defer_free(struct incident_ingest_defer *d);

/* Writes the kept rows, in the caller's transaction, and forgets them. */
int incident_ingest_defer_flush(
    struct store *s, struct incident_ingest_defer *d, struct err *err);

/* Forgets the kept rows (the transaction was rolled back). */
void incident_ingest_defer_discard(struct incident_ingest_defer *d);

/* Forgets what d knows of incidents' groups (their newest incident and
 * its state): before anything but incident_ingest changes incidents in
 * the batch's transaction (d may be NULL). */
void incident_ingest_defer_forget(struct incident_ingest_defer *d);

struct incident_ingest_opts {
	const char *actor; /* NULL: actor_name() */
	enum incident_ingest_mode mode;
	int64_t truncated; /* alerts the sender left out; -1: unknown */
	const char *sender_url; /* the sender's URL (Alertmanager's
	                           externalURL) for the touched incidents;
	                           NULL: leave theirs as it is */
	/* NULL: each touched incident's row is written at the end of the
	 * call; else a finish that changes only counts and times is kept
	 * in it, for incident_ingest_defer_flush before the commit (the
	 * caller's transaction must be open: store_begin) */
	struct incident_ingest_defer *defer;
};

struct incident_ingest_result {
	size_t alerts; /* alerts stored (upserted or resolved) */
	size_t new_alerts; /* of which first seen */
	size_t dropped; /* ignored: nothing open to apply them to */
	size_t incidents_opened;
	size_t incidents_reopened; /* by the flap guard */
	size_t incidents_resolved; /* because all their alerts resolved */
	size_t incidents_acked;
	size_t stale; /* older than what is stored: logged, not applied */
	int64_t incident; /* the last incident touched, 0: none */
};

/* Stores n alerts (borrowed) in the caller's write transaction or its own
 * (store_begin nests): all or nothing. res is filled (zeroed first). */
int incident_ingest(struct store *s, const struct alert *alerts, size_t n,
    const struct incident_ingest_opts *o, struct incident_ingest_result *res,
    struct err *err);

#endif
