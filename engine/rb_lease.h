/* rb_lease.h: the lease a live run holds on (runbook, incident), so that
 * two engineers cannot run the same runbook for the same incident at
 * once. A lease has a TTL that the running broker renews from a timer
 * while the run lives (rb_lease_keeper), whatever the run is doing. A
 * holder on this host is known by its pid and the process's start (boot
 * id and start time, so that a reused pid is not taken for it): while it
 * lives its lease is never taken over, expired or not; a holder that
 * died, or on another host whose lease expired, is taken over, and the
 * takeover is logged. */
#ifndef OWL_RB_LEASE_H
#define OWL_RB_LEASE_H

#include <stdint.h>

#include "err.h"
#include "store.h"

#define RB_LEASE_TTL_US (INT64_C(30) * 1000000)

#define RB_LEASE_PROC_MAX 64 /* "BOOT-ID:START-TICKS" */

/* Who held a lease that was taken over. */
struct rb_lease_prev {
	int64_t run_id; /* 0: there was none */
	char holder[64];
	int pid;
	char host[256];
	char proc[RB_LEASE_PROC_MAX]; /* the holder's process identity */
	int64_t expires_at;
};

enum rb_lease_life { RB_LEASE_UNKNOWN, RB_LEASE_ALIVE, RB_LEASE_DEAD };

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

/* Takes the lease of a target run_id is about to write (rb_fx.h's
 * lease: "url:http://h:80/p", "file:/p", "secret:NAME"), held until the
 * run ends (rb_lease_release_run) and renewed with the run's own lease,
 * whatever runbook or incident another run comes from. Already the
 * run's: 0. Held by another live run: -1 with ERR_REFUSED naming the
 * target and the holder (run, runbook, actor, since when). A dead or
 * expired holder's lease is taken over (*prev filled, run_id 0 when
 * there was none). Call it inside a write transaction. */
int rb_lease_target(struct store *s, const char *target, int64_t run_id,
    const char *actor, struct rb_lease_prev *prev, struct err *err);

/* Drops every lease run_id holds (its targets'). */
int rb_lease_release_run(struct store *s, int64_t run_id, struct err *err);

/* Whether the process pid with identity proc (rb_lease_proc; NULL or
 * "": unknown, the pid alone decides) on host is alive: unknown for
 * another host. */
enum rb_lease_life rb_lease_life(const char *host, int pid, const char *proc);

/* Nonzero when pid on host is known to be dead. */
int rb_lease_dead(const char *host, int pid, const char *proc);

/* The identity of process pid on this machine ("BOOT-ID:START-TICKS")
 * into out; "" when it cannot be read (no such process). */
void rb_lease_proc(int pid, char *out, size_t n);

/* A timer that renews a lease while a run lives: a thread with its own
 * database connection, so that a long command, HTTP request, sleep or
 * confirm() prompt never lets the lease expire. */
struct rb_lease_keeper;

/* Starts renewing (runbook, incident) for run_id in the database at
 * db_path every RB_LEASE_TTL_US / 3. NULL with err set. Strings are
 * copied. */
struct rb_lease_keeper *rb_lease_keeper_start(const char *db_path,
    const char *runbook, int64_t incident, int64_t run_id, struct err *err);

/* Stops the timer and waits for it; accepts NULL. */
void rb_lease_keeper_stop(struct rb_lease_keeper *k);

/* This machine's name (for leases and runs), into out. */
void rb_lease_host(char *out, size_t n);

#endif
