/* rb_lease.c: run leases on (runbook, incident) (see rb_lease.h). */
#include "rb_lease.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

void
rb_lease_host(char *out, size_t n)
{
	if (gethostname(out, n) == -1 || out[0] == '\0')
		snprintf(out, n, "localhost");
	out[n - 1] = '\0';
}

/* Reads the first line of path into out (n bytes), without the newline;
 * "" when it cannot. */
static void
rb_lease_line(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(out, (int)n, f) == NULL)
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

void
rb_lease_proc(int pid, char *out, size_t n)
{
	char path[64], boot[64], stat[1024];
	const char *p;
	int field = 2;

	out[0] = '\0';
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	rb_lease_line(path, stat, sizeof stat);
	rb_lease_line("/proc/sys/kernel/random/boot_id", boot, sizeof boot);
	/* field 22, the start time in clock ticks since boot; the name in
	 * field 2 may hold spaces and parentheses: count from its end */
	if ((p = strrchr(stat, ')')) == NULL)
		return;
	while (*p != '\0' && field < 22)
		if (*p++ == ' ')
			field++;
	if (field != 22 || *p == '\0')
		return;
	snprintf(out, n, "%s:%.*s", boot, (int)strcspn(p, " "), p);
}

/* A zombie (killed, not reaped yet: an orphan under an init that does
 * not reap, as in a container) has ended, though kill(pid, 0) finds it:
 * field 3 of /proc/PID/stat, the state, is Z (or X). */
static int
rb_lease_zombie(int pid)
{
	char path[64], stat[1024];
	const char *p;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	rb_lease_line(path, stat, sizeof stat);
	if ((p = strrchr(stat, ')')) == NULL)
		return 0;
	return p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

enum rb_lease_life
rb_lease_life(const char *host, int pid, const char *proc)
{
	char me[256], now[RB_LEASE_PROC_MAX];

	rb_lease_host(me, sizeof me);
	if (host == NULL || strcmp(host, me) != 0 || pid <= 0)
		return RB_LEASE_UNKNOWN;
	if ((kill(pid, 0) == -1 && errno == ESRCH) || rb_lease_zombie(pid))
		return RB_LEASE_DEAD;
	if (proc == NULL || proc[0] == '\0')
		return RB_LEASE_ALIVE; /* recorded before identities were */
	rb_lease_proc(pid, now, sizeof now);
	return strcmp(now, proc) == 0 ? RB_LEASE_ALIVE : RB_LEASE_DEAD;
}

int
rb_lease_dead(const char *host, int pid, const char *proc)
{
	return rb_lease_life(host, pid, proc) == RB_LEASE_DEAD;
}

static int
rb_lease_read(struct store *s, const char *runbook, int64_t incident,
    struct rb_lease_prev *p, struct err *err)
{
	struct store_stmt *st;
	int rc;

	memset(p, 0, sizeof *p);
	st = store_stmt(s,
	    "SELECT run_id, holder, pid, host, expires_at, "
	    "holder_proc FROM leases WHERE runbook = ? AND incident_key = ?",
	    err);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, runbook, -1, STORE_STATIC);
	store_bind_int64(st, 2, incident);
	if ((rc = store_step(st)) == STORE_ROW) {
		p->run_id = store_col_int64(st, 0);
		snprintf(p->holder, sizeof p->holder, "%s",
		    (const char *)store_col_text(st, 1));
		p->pid = store_col_int(st, 2);
		snprintf(p->host, sizeof p->host, "%s",
		    (const char *)store_col_text(st, 3));
		p->expires_at = store_col_int64(st, 4);
		snprintf(p->proc, sizeof p->proc, "%s",
		    !store_col_null(st, 5) ? (const char *)store_col_text(st, 5)
		                           : "");
	}
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "lease");
	return 0;
}

static int
rb_lease_refuse(struct store *s, const char *runbook, int64_t incident,
    const struct rb_lease_prev *p, struct err *err)
{
	char since[CLOCK_RFC3339_MAX], age[32], inc[40] = "";
	int64_t started = 0;
	struct store_stmt *st;

	st = store_stmt(s, "SELECT started_at FROM runs WHERE id = ?", err);
	if (st != NULL) {
		store_bind_int64(st, 1, p->run_id);
		if (store_step(st) == STORE_ROW)
			started = store_col_int64(st, 0);
		store_reset(st);
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
	char host[256], me[RB_LEASE_PROC_MAX];
	int64_t now = clock_now_us();
	enum rb_lease_life life;
	struct store_stmt *st;

	if (rb_lease_read(s, runbook, incident, prev, err) == -1)
		return -1;
	rb_lease_proc(getpid(), me, sizeof me);
	life = rb_lease_life(prev->host, prev->pid, prev->proc);
	/* a holder alive on this host keeps its lease, expired or not
	 * (stopped with ^Z, or its timer starved); one that is this very
	 * process was left by an earlier run of it */
	if (prev->run_id != 0 &&
	    (life == RB_LEASE_ALIVE ||
	        (life == RB_LEASE_UNKNOWN && prev->expires_at > now)) &&
	    !(life == RB_LEASE_ALIVE && prev->pid == getpid() &&
	        strcmp(prev->proc, me) == 0))
		return rb_lease_refuse(s, runbook, incident, prev, err);
	rb_lease_host(host, sizeof host);
	st = store_stmt(s,
	    "INSERT INTO leases(runbook, "
	    "incident_key, run_id, holder, pid, host, acquired_at, expires_at,"
	    " holder_proc) VALUES (?,?,?,?,?,?,?,?,?)"
	    " ON CONFLICT(runbook, incident_key) DO UPDATE SET"
	    " run_id = excluded.run_id, holder = excluded.holder,"
	    " pid = excluded.pid, host = excluded.host,"
	    " acquired_at = excluded.acquired_at,"
	    " expires_at = excluded.expires_at,"
	    " holder_proc = excluded.holder_proc",
	    err);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, runbook, -1, STORE_STATIC);
	store_bind_int64(st, 2, incident);
	store_bind_int64(st, 3, run_id);
	store_bind_text(st, 4, actor, -1, STORE_STATIC);
	store_bind_int(st, 5, (int)getpid());
	store_bind_text(st, 6, host, -1, STORE_STATIC);
	store_bind_int64(st, 7, now);
	store_bind_int64(st, 8, now + RB_LEASE_TTL_US);
	store_bind_text(st, 9, me, -1, STORE_STATIC);
	return store_step_done(s, st, "lease", err);
}

static int
rb_lease_exec(struct store *s, const char *sql, const char *runbook,
    int64_t incident, int64_t run_id, struct err *err)
{
	struct store_stmt *st = store_stmt(s, sql, err);

	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, clock_now_us() + RB_LEASE_TTL_US);
	store_bind_text(st, 2, runbook, -1, STORE_STATIC);
	store_bind_int64(st, 3, incident);
	store_bind_int64(st, 4, run_id);
	return store_step_done(s, st, "lease", err);
}

int
rb_lease_renew(struct store *s, const char *runbook, int64_t incident,
    int64_t run_id, struct err *err)
{
	/* the run's own lease, and those of the targets it writes */
	return rb_lease_exec(s,
	    "UPDATE leases SET expires_at = ?1 WHERE run_id = ?4 AND "
	    "((runbook = ?2 AND incident_key = ?3) OR "
	    "(runbook LIKE 'target:%' AND incident_key = 0))",
	    runbook, incident, run_id, err);
}

int
rb_lease_release_run(struct store *s, int64_t run_id, struct err *err)
{
	return rb_lease_exec(s,
	    "DELETE FROM leases WHERE ?1 IS NOT NULL AND ?2 IS NOT NULL AND "
	    "?3 IS NOT NULL AND run_id = ?4 AND runbook LIKE 'target:%'",
	    "", 0, run_id, err);
}

int
rb_lease_target(struct store *s, const char *target, int64_t run_id,
    const char *actor, struct rb_lease_prev *prev, struct err *err)
{
	char key[1200], since[CLOCK_RFC3339_MAX], runbook[200] = "?";
	int64_t started = 0;
	struct store_stmt *st;

	snprintf(key, sizeof key, "target:%s", target);
	memset(prev, 0, sizeof *prev);
	if (rb_lease_read(s, key, 0, prev, err) == -1)
		return -1;
	if (prev->run_id == run_id) {
		prev->run_id = 0;
		return 0;
	}
	if (rb_lease_acquire(s, key, 0, run_id, actor, prev, err) == 0)
		return 0;
	if (err->code != ERR_REFUSED)
		return -1;
	st = store_stmt(
	    s, "SELECT runbook, started_at FROM runs WHERE id = ?", NULL);
	if (st != NULL) {
		store_bind_int64(st, 1, prev->run_id);
		if (store_step(st) == STORE_ROW) {
			snprintf(runbook, sizeof runbook, "%s",
			    (const char *)store_col_text(st, 0));
			started = store_col_int64(st, 1);
		}
		store_reset(st);
	}
	clock_format(started, 0, since);
	err_init(err);
	return err_set(err, ERR_REFUSED,
	    "%.600s is being changed by run %lld (%s, by %s since %s, pid "
	    "%d on %s); try again when it ends",
	    target, (long long)prev->run_id, runbook, prev->holder, since,
	    prev->pid, prev->host);
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

struct rb_lease_keeper {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	char *db, *runbook;
	int64_t incident, run_id;
};

static void *
rb_lease_keeper_main(void *arg)
{
	struct rb_lease_keeper *k = arg;
	struct store *s;
	struct timespec at;
	struct err err;

	err_init(&err);
	s = store_open(k->db, &err);
	pthread_mutex_lock(&k->mu);
	while (!k->stop) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_sec += RB_LEASE_TTL_US / 3 / 1000000;
		if (pthread_cond_timedwait(&k->cv, &k->mu, &at) != ETIMEDOUT ||
		    k->stop)
			continue;
		pthread_mutex_unlock(&k->mu);
		err_init(&err);
		if (s != NULL)
			rb_lease_renew(
			    s, k->runbook, k->incident, k->run_id, &err);
		pthread_mutex_lock(&k->mu);
	}
	pthread_mutex_unlock(&k->mu);
	store_close(s);
	return NULL;
}

static void
rb_lease_keeper_free(struct rb_lease_keeper *k)
{
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
	free(k->db);
	free(k->runbook);
	free(k);
}

struct rb_lease_keeper *
rb_lease_keeper_start(const char *db_path, const char *runbook,
    int64_t incident, int64_t run_id, struct err *err)
{
	struct rb_lease_keeper *k = calloc(1, sizeof *k);
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	if (k == NULL)
		return err_set(err, ERR_FAILED, "out of memory"), NULL;
	pthread_mutex_init(&k->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&k->cv, &ca);
	pthread_condattr_destroy(&ca);
	k->db = strdup(db_path);
	k->runbook = strdup(runbook);
	k->incident = incident;
	k->run_id = run_id;
	if (k->db == NULL || k->runbook == NULL) {
		rb_lease_keeper_free(k);
		return err_set(err, ERR_FAILED, "out of memory"), NULL;
	}
	/* signals (^C) stay with the thread that runs the run */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&k->thread, NULL, rb_lease_keeper_main, k);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		rb_lease_keeper_free(k);
		return err_set(
		           err, ERR_FAILED, "lease timer: %s", strerror(rc)),
		       NULL;
	}
	return k;
}

void
rb_lease_keeper_stop(struct rb_lease_keeper *k)
{
	if (k == NULL)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = 1;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->thread, NULL);
	rb_lease_keeper_free(k);
}
