/* incident_order.c: the order and staleness rule for alert events (see
 * README "Order and staleness"): whether an event is older than what is
 * stored, judged by the sender's own times, and the times an alert has
 * once an event is applied. incident_ingest.c asks it for each event. */
#include "engine/incident_int.h"

#include <string.h>

const char *
incident_stale_why(const struct incident_times *f, const struct alert *a)
{
	int s0 = (f->given & INCIDENT_GIVEN_START) != 0;
	int e0 = (f->given & INCIDENT_GIVEN_END) != 0;
	int64_t s = a->starts_at, e = a->resolved ? a->ends_at : 0;
	int64_t t = e != 0 ? e : s; /* a resolve: by its end, else start */

	/* a time owl supplied is never compared with a sender's clock,
	 * and equal times are not stale: the order of arrival decides */
	if (!f->resolved && !a->resolved)
		return s0 && s != 0 && s < f->starts
		    ? "fired before the episode stored began"
		    : NULL;
	if (!f->resolved)
		return s0 && t != 0 && t < f->starts
		    ? "ended before the episode stored began"
		    : NULL;
	if (!a->resolved) {
		if (s != 0 && s0 && s <= f->starts)
			return "fired in an episode already resolved";
		return s != 0 && e0 && s < f->ends
		    ? "fired before the episode stored ended"
		    : NULL;
	}
	if (e != 0 && e0 && e < f->ends)
		return "ended before the resolve stored";
	return s != 0 && s0 && s < f->starts
	    ? "ended an episode older than the one stored"
	    : NULL;
}

void
incident_times_new(const struct alert *a, int64_t now, struct incident_times *t)
{
	memset(t, 0, sizeof *t);
	t->resolved = a->resolved;
	t->starts = a->starts_at != 0 ? a->starts_at : now;
	t->rx_starts = now;
	if (a->starts_at != 0)
		t->given |= INCIDENT_GIVEN_START;
	if (!a->resolved)
		return;
	t->ends = a->ends_at != 0 ? a->ends_at : now;
	t->rx_ends = now;
	if (a->ends_at != 0)
		t->given |= INCIDENT_GIVEN_END;
}

void
incident_times_apply(const struct incident_times *f, const struct alert *a,
    int64_t now, struct incident_times *t)
{
	int refire = f->resolved && !a->resolved;

	*t = *f;
	t->resolved = a->resolved;
	if (a->starts_at != 0) {
		if (refire || a->starts_at != f->starts)
			t->rx_starts = now; /* a new episode began */
		t->starts = a->starts_at;
		t->given |= INCIDENT_GIVEN_START;
	} else if (refire) {
		t->starts = t->rx_starts = now;
		t->given &= ~INCIDENT_GIVEN_START;
	}
	if (!a->resolved) {
		t->ends = t->rx_ends = 0;
		t->given &= ~INCIDENT_GIVEN_END;
		return;
	}
	if (!f->resolved || t->rx_ends == 0)
		t->rx_ends = now;
	if (a->ends_at != 0) {
		t->ends = a->ends_at;
		t->given |= INCIDENT_GIVEN_END;
	} else if (!f->resolved || t->ends == 0) {
		/* a resolve without a time ends now; its re-delivery keeps
		 * the end it gave */
		t->ends = now;
		t->given &= ~INCIDENT_GIVEN_END;
	}
}
