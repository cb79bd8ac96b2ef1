/* receiver.h: what `owl serve` needs from the database beyond ingest:
 * storing a pull from an Alertmanager and resolving the alerts that
 * disappeared from its list (Alertmanager never sends resolves for
 * silenced alerts, alertmanager#226), and the open-incident gauge. */
#ifndef OWL_RECEIVER_H
#define OWL_RECEIVER_H

#include <stddef.h>
#include <stdint.h>

#include "engine/alert.h"
#include "engine/err.h"
#include "engine/store.h"

struct receiver_pull_result {
	size_t alerts; /* alerts listed and stored */
	size_t new_alerts;
	size_t resolved; /* alerts resolved because they disappeared */
	size_t incidents_opened;
	size_t incidents_resolved;
};

/* Stores one pull from the Alertmanager at url: upserts the n alerts
 * (borrowed; source "alertmanager", each with its group key set; an
 * alert already in an open incident stays there), then resolves every
 * alert that an earlier pull from the same url listed and this one does
 * not, unless resolve_gone is 0 (an Alertmanager that has just restarted
 * has forgotten alerts that are still firing: they are resolved only if
 * a later pull still misses them). Joins the caller's write transaction or
 * opens its own. */
int receiver_pull(struct store *s, const char *url, const struct alert *alerts,
    size_t n, int resolve_gone, const char *actor,
    struct receiver_pull_result *res, struct err *err);

/* The replay cache: records the MAC of a signed delivery (mlen bytes)
 * as used until until_us (wall clock), in the caller's transaction, so
 * that it is forgotten if the delivery's alerts are not committed.
 * Returns 1 when it was recorded already (a replay: store nothing), 0
 * when new, -1 with err set. */
int receiver_signature_use(struct store *s, const unsigned char *mac,
    size_t mlen, int64_t until_us, struct err *err);

/* Forgets the signatures recorded until before now_us; -1 on error. */
int receiver_signatures_purge(struct store *s, int64_t now_us, struct err *err);

/* Incidents not resolved; -1 when the database cannot say. Runs one
 * short read (no transaction is left open). */
int64_t receiver_open_incidents(struct store *s);

#endif
