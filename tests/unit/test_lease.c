/* test_lease.c: run leases (engine/rb_lease.c): a holder alive on this
 * host keeps its lease even when it expired; a pid reused by another
 * process, a dead pid, or an expired holder on another host is taken
 * over; the timer renews a lease. */
#include "unit.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/rb_lease.h"

/* Puts a lease for runbook "r" held by run 7 (pid, host, proc). */
static void
put_lease(struct unit_db *f, int pid, const char *host, const char *proc,
    int64_t expires_at)
{
	struct store_stmt *st;
	struct err err;

	err_init(&err);
	assert_int_equal(store_exec(f->s, "DELETE FROM leases", &err), 0);
	st = store_stmt(f->s,
	    "INSERT INTO leases(runbook, incident_key, run_id, holder, pid, "
	    "host, acquired_at, expires_at, holder_proc) "
	    "VALUES ('r', 0, 7, 'alice', ?, ?, 0, ?, ?)",
	    &err);
	assert_non_null(st);
	store_bind_int(st, 1, pid);
	store_bind_text(st, 2, host, -1, STORE_STATIC);
	store_bind_int64(st, 3, expires_at);
	store_bind_text(st, 4, proc, -1, STORE_STATIC);
	assert_int_equal(store_step_done(f->s, st, "lease", &err), 0);
}

/* Tries to take the lease for run 8: 0 taken, 3 refused. */
static int
take(struct unit_db *f, struct rb_lease_prev *prev)
{
	struct err err;
	int rc;

	err_init(&err);
	assert_int_equal(store_begin(f->s, &err), 0);
	rc = rb_lease_acquire(f->s, "r", 0, 8, "bob", prev, &err);
	if (rc == 0) {
		assert_int_equal(store_commit(f->s, &err), 0);
		return 0;
	}
	store_rollback(f->s);
	assert_int_equal(err.code, ERR_REFUSED);
	assert_non_null(strstr(err.msg, "run 7 by alice"));
	return 3;
}

static void
test_holder_identity(void **state)
{
	struct unit_db *f = *state;
	char host[256], proc[RB_LEASE_PROC_MAX], again[RB_LEASE_PROC_MAX];
	int64_t past = clock_now_us() - 60 * INT64_C(1000000);
	int64_t later = clock_now_us() + 60 * INT64_C(1000000);
	struct rb_lease_prev prev;
	pid_t dead;

	rb_lease_host(host, sizeof host);
	rb_lease_proc(getppid(), proc, sizeof proc);
	assert_true(strlen(proc) > 10);
	rb_lease_proc(getppid(), again, sizeof again);
	assert_string_equal(proc, again);
	/* alive here, lease expired (a run stopped by ^Z): still refused */
	put_lease(f, getppid(), host, proc, past);
	assert_int_equal(take(f, &prev), 3);
	/* the same pid, another process (the pid was reused): taken */
	put_lease(f, getppid(), host, "0-0-0:1", later);
	assert_int_equal(take(f, &prev), 0);
	assert_int_equal(prev.run_id, 7);
	assert_string_equal(prev.proc, "0-0-0:1");
	/* a pid that is gone: taken, even before it expires */
	if ((dead = fork()) == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);
	rb_lease_proc(dead, again, sizeof again);
	assert_string_equal(again, "");
	put_lease(f, dead, host, proc, later);
	assert_int_equal(take(f, &prev), 0);
	/* another host: its lease counts until it expires */
	put_lease(f, getppid(), "elsewhere.example", proc, later);
	assert_int_equal(take(f, &prev), 3);
	put_lease(f, getppid(), "elsewhere.example", proc, past);
	assert_int_equal(take(f, &prev), 0);
	assert_int_equal(
	    rb_lease_life("elsewhere.example", 1, ""), RB_LEASE_UNKNOWN);
}

/* A killed process nobody has reaped yet (its parent exited and init
 * does not reap, as in a container without an init) is a zombie: gone,
 * though kill(pid, 0) still finds it. */
static void
test_zombie_is_dead(void **state)
{
	char host[256], proc[RB_LEASE_PROC_MAX];
	pid_t child;
	int i;

	(void)state;
	rb_lease_host(host, sizeof host);
	if ((child = fork()) == 0) {
		pause();
		_exit(0);
	}
	assert_true(child > 0);
	rb_lease_proc(child, proc, sizeof proc);
	assert_int_equal(rb_lease_life(host, child, proc), RB_LEASE_ALIVE);
	assert_int_equal(kill(child, SIGKILL), 0);
	/* not waited for: a zombie, once the kernel has killed it */
	for (i = 0;
	     i < 200 && rb_lease_life(host, child, proc) == RB_LEASE_ALIVE; i++)
		usleep(10 * 1000);
	assert_int_equal(kill(child, 0), 0); /* still there */
	assert_int_equal(rb_lease_life(host, child, proc), RB_LEASE_DEAD);
	assert_int_equal(rb_lease_life(host, child, ""), RB_LEASE_DEAD);
	assert_int_equal(waitpid(child, NULL, 0), child);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_holder_identity, unit_db_setup, unit_db_teardown),
		cmocka_unit_test(test_zombie_is_dead),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
