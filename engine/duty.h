/* duty.h: leases on the duties of `owl serve` that must run on one node
 * at a time when several nodes share one database (PostgreSQL; on SQLite
 * there is one node and it always holds them): escalation and paging
 * ("pager"), the pull from Alertmanager and the expiry of owl's silences
 * ("pull"), the periodic sweeps ("sweep"). A lease is a row of
 * paging_state (key: the duty's name) holding, as JSON, the node that
 * holds it ("host:pid"), that node's host, pid and process identity, since
 * when and until when. The holder renews it while it lives; another node
 * takes it over once it has expired, or at once when the holder is a
 * process of the same host that died. A takeover is written to the action
 * log (duty.takeover: which duty, the new node, the previous one, why),
 * in the transaction that takes the lease. Nodes compare their wall
 * clocks with the stored expiry: keep them in sync (NTP) well within the
 * lease's length. */
#ifndef OWL_DUTY_H
#define OWL_DUTY_H

#include <stdint.h>

#include "err.h"
#include "rb_lease.h"
#include "store.h"

/* Default length of a lease, and the shortest allowed: a holder renews
 * its leases at least every third of it. */
#define DUTY_TTL_US (INT64_C(15) * 1000000)
#define DUTY_TTL_MIN_US (INT64_C(3) * 1000000)

#define DUTY_ID_MAX 192

/* This process as a holder of duties. */
struct duty_node {
	char id[DUTY_ID_MAX]; /* "host:pid" */
	char host[128];
	int pid;
	char proc[RB_LEASE_PROC_MAX]; /* rb_lease_proc of this process */
};

/* Fills n for this process. */
void duty_node_init(struct duty_node *n);

/* What duty_take found. */
struct duty_take {
	int got; /* 1: the node holds the duty now */
	int taken_over; /* got it from another holder (logged) */
	int died; /* ... whose process had died (else: its lease expired) */
	char other[DUTY_ID_MAX]; /* the other holder (not got, or taken
	                            over); "" when there was none */
	int64_t other_until; /* when the other's lease ran out (wall) */
};

/* Takes or renews duty `name` for node n until now + ttl, in the
 * caller's write transaction or one of its own (store_begin nests); a
 * lease of n's with more than two thirds of ttl left is kept as it is,
 * and a lease another live node holds is only read (no write
 * transaction: call it every ttl / 3 or more often). Held by another live
 * node whose lease has not expired: t->got 0 and t->other names it. A
 * takeover is logged (duty.takeover). -1 with err set on a database
 * error (nothing taken). */
int duty_take(struct store *s, const char *name, const struct duty_node *n,
    int64_t now, int64_t ttl, struct duty_take *t, struct err *err);

/* duty_take's first step, a plain read: 1 when duty_take would write
 * nothing (n's lease is fresh: t->got 1; another live node holds it:
 * t->got 0, t->other), with *t as duty_take would set it; 0 when it
 * would write; -1 with err set on a database error. For a thread that
 * leaves the writes to another connection (owl serve's puller). */
int duty_settled(struct store *s, const char *name, const struct duty_node *n,
    int64_t now, int64_t ttl, struct duty_take *t, struct err *err);

/* Whether the node "host:pid" still holds duty `name`: 1 yes, 0 no, -1
 * with err on a database error. Called inside the write transaction that
 * does the duty's work, it is a fence: writers are serialised, so no
 * other node can have taken the duty over before that transaction
 * commits. */
int duty_held(
    struct store *s, const char *name, const char *id, struct err *err);

/* Gives duty `name` up if node "host:pid" holds it (a clean stop): the
 * next node takes it at once, without waiting for the expiry. */
int duty_release(
    struct store *s, const char *name, const char *id, struct err *err);

/* duty_take outside a transaction, for the threads that renew a lease
 * beside `owl serve`'s writer. On SQLite the whole file has one write
 * lock, and a renewal that waited for the disk while holding it
 * (synchronous = FULL: an fsync, seconds on a loaded disk) kept the
 * writer, which waits 2 s for the lock, from storing alerts: their
 * senders got 503 "locked by another owl", locked by owl itself. So the
 * lease is committed NORMAL there (no fsync: the writer's next FULL
 * commit carries it to disk): a power loss can only lose a renewal, and
 * it kills the holder too. PostgreSQL's writers share no such lock:
 * duty_take as it is. */
int duty_renew(struct store *s, const char *name, const struct duty_node *n,
    int64_t now, int64_t ttl, struct duty_take *t, struct err *err);

#endif
