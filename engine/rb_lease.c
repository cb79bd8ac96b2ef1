/* rb_lease.c: run leases on (runbook, incident) (see rb_lease.h). */
#include "rb_lease.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

void
rb_lease_host(char *out, size_t n)
{
	if (gethostname(out, n) == -1 || out[0] == '\0')
		snprintf(out, n, "localhost");
	out[n - 1] = '\0';
}

int
rb_lease_dead(const char *host, int pid)
{
	char me[256];

	rb_lease_host(me, sizeof me);
	if (strcmp(host, me) != 0 || pid <= 0)
		return 0;
	return kill(pid, 0) == -1 && errno == ESRCH;
}

static int
rb_lease_read(struct store *s, const char *runbook, int64_t incident,
    struct rb_lease_prev *p, struct err *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(p, 0, sizeof *p);
	st = store_stmt(s,
	    "SELECT run_id, holder, pid, host, expires_at, "
	    "acquired_at FROM leases WHERE runbook = ? AND incident_key = ?",
	    err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, runbook, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, incident);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p->run_id = sqlite3_column_int64(st, 0);
		snprintf(p->holder, sizeof p->holder, "%s",
		    (const char *)sqlite3_column_text(st, 1));
		p->pid = sqlite3_column_int(st, 2);
		snprintf(p->host, sizeof p->host, "%s",
		    (const char *)sqlite3_column_text(st, 3));
		p->expires_at = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "lease");
	return 0;
}

static int
rb_lease_refuse(struct store *s, const char *runbook, int64_t incident,
    const struct rb_lease_prev *p, struct err *err)
{
	char since[CLOCK_RFC3339_MAX], age[32], inc[40] = "";
	int64_t started = 0;
	sqlite3_stmt *st;

	st = store_stmt(s, "SELECT started_at FROM runs WHERE id = ?", err);
	if (st != NULL) {
		sqlite3_bind_int64(st, 1, p->run_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			started = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	clock_format(started, 0, since);
	clock_format_age(clock_now_us() - started, age, sizeof age);
	if (incident != 0)
		snprintf(inc, sizeof inc, " for INC-%lld", (long long)incident);
	return err_set(err, ERR_REFUSED,
	    "%s is already running%s: run %lld "
	    "by %s since %s (%s ago, pid %d on %s)",
	    runbook, inc, (long long)p->run_id, p->holder, since, age, p->pid,
	    p->host);
}

int
rb_lease_acquire(struct store *s, const char *runbook, int64_t incident,
    int64_t run_id, const char *actor, struct rb_lease_prev *prev,
    struct err *err)
{
	int64_t now = clock_now_us();
	char host[256];
	sqlite3_stmt *st;

	if (rb_lease_read(s, runbook, incident, prev, err) == -1)
		return -1;
	if (prev->run_id != 0 && prev->expires_at > now &&
	    !rb_lease_dead(prev->host, prev->pid))
		return rb_lease_refuse(s, runbook, incident, prev, err);
	rb_lease_host(host, sizeof host);
	st = store_stmt(s,
	    "INSERT OR REPLACE INTO leases(runbook, "
	    "incident_key, run_id, holder, pid, host, acquired_at, expires_at)"
	    " VALUES (?,?,?,?,?,?,?,?)",
	    err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, runbook, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, incident);
	sqlite3_bind_int64(st, 3, run_id);
	sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, (int)getpid());
	sqlite3_bind_text(st, 6, host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_int64(st, 8, now + RB_LEASE_TTL_US);
	return store_step_done(s, st, "lease", err);
}

static int
rb_lease_exec(struct store *s, const char *sql, const char *runbook,
    int64_t incident, int64_t run_id, struct err *err)
{
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, clock_now_us() + RB_LEASE_TTL_US);
	sqlite3_bind_text(st, 2, runbook, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, incident);
	sqlite3_bind_int64(st, 4, run_id);
	return store_step_done(s, st, "lease", err);
}

int
rb_lease_renew(struct store *s, const char *runbook, int64_t incident,
    int64_t run_id, struct err *err)
{
	return rb_lease_exec(s,
	    "UPDATE leases SET expires_at = ?1 WHERE "
	    "runbook = ?2 AND incident_key = ?3 AND run_id = ?4",
	    runbook, incident, run_id, err);
}

int
rb_lease_release(struct store *s, const char *runbook, int64_t incident,
    int64_t run_id, struct err *err)
{
	return rb_lease_exec(s,
	    "DELETE FROM leases WHERE ?1 IS NOT NULL AND "
	    "runbook = ?2 AND incident_key = ?3 AND run_id = ?4",
	    runbook, incident, run_id, err);
}
