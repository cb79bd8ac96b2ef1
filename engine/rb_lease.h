/* rb_lease.h: the lease a live run holds on (runbook, incident), so that
 * two engineers cannot run the same runbook for the same incident at
 * once. A lease has a TTL that the running broker renews (heartbeat); a
 * lease whose holder died (a dead pid on this host, or an expired TTL) is
 * taken over, and the takeover is logged. */
#ifndef OWL_RB_LEASE_H
#define OWL_RB_LEASE_H

#include <stdint.h>

#include "err.h"
#include "store.h"

#define RB_LEASE_TTL_US (INT64_C(30) * 1000000)

/* Who held a lease that was taken over. */
struct rb_lease_prev {
	int64_t run_id; /* 0: there was none */
	char holder[64];
	int pid;
	char host[256];
	int64_t expires_at;
};

/* Takes the lease for run_id, inside the caller's transaction. A live
 * holder: -1 with ERR_REFUSED and a message naming the holder, the run
 * and since when. A dead or expired holder: taken over, *prev filled. */
int rb_lease_acquire(struct store *s, const char *runbook, int64_t incident,
    int64_t run_id, const char *actor, struct rb_lease_prev *prev,
    struct err *err);

/* Extends the lease by the TTL (the heartbeat). */
int rb_lease_renew(struct store *s, const char *runbook, int64_t incident,
    int64_t run_id, struct err *err);

/* Drops the lease if run_id still holds it. */
int rb_lease_release(struct store *s, const char *runbook, int64_t incident,
    int64_t run_id, struct err *err);

/* Nonzero when pid on host is known to be dead (same host, no such
 * process). */
int rb_lease_dead(const char *host, int pid);

/* This machine's name (for leases and runs), into out. */
void rb_lease_host(char *out, size_t n);

#endif
