/* test_duty.c: the leases of owl serve's once-only duties
 * (engine/duty.c): taken when free, renewed by their holder, refused while
 * another live holder's lease runs, taken over (and logged once) when it
 * expired or when its process on this host died; duty_held as the fence
 * inside a transaction; released on a clean stop. */
#include "unit.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/duty.h"

/* A node of another host, "elsewhere:4242". */
static void
elsewhere(struct duty_node *n)
{
	memset(n, 0, sizeof *n);
	snprintf(n->host, sizeof n->host, "elsewhere");
	n->pid = 4242;
	snprintf(n->id, sizeof n->id, "elsewhere:4242");
}

static struct duty_take
take(struct unit_db *f, const struct duty_node *n, int64_t now)
{
	struct duty_take t;
	struct err err;

	err_init(&err);
	assert_int_equal(duty_take(f->s, "pull", n, now, 3000, &t, &err), 0);
	return t;
}

static int64_t
until(struct unit_db *f)
{
	return unit_scalar(f->s,
	    "SELECT json_extract(value, '$.until') FROM paging_state "
	    "WHERE key = 'pull'");
}

static int64_t
takeovers(struct unit_db *f)
{
	return unit_scalar(
	    f->s, "SELECT count(*) FROM actlog WHERE kind = 'duty.takeover'");
}

static void
test_take_renew_expire(void **state)
{
	struct unit_db *f = *state;
	struct duty_node me, other;
	struct duty_take t;
	struct err err;

	err_init(&err);
	duty_node_init(&me);
	elsewhere(&other);
	/* free: taken, nothing logged */
	t = take(f, &other, 1000);
	assert_int_equal(t.got, 1);
	assert_int_equal(t.taken_over, 0);
	/* within the first third: kept as it is, not written again */
	assert_int_equal(take(f, &other, 1900).got, 1);
	assert_int_equal(until(f), 4000);
	/* held by a live (unknown) holder until 4000: refused */
	t = take(f, &me, 2000);
	assert_int_equal(t.got, 0);
	assert_string_equal(t.other, "elsewhere:4242");
	assert_int_equal(t.other_until, 4000);
	/* renewed by its holder once a third has passed: until 5500 */
	t = take(f, &other, 2500);
	assert_int_equal(t.got, 1);
	assert_int_equal(until(f), 5500);
	t = take(f, &me, 4500);
	assert_int_equal(t.got, 0);
	assert_int_equal(duty_held(f->s, "pull", "elsewhere:4242", &err), 1);
	assert_int_equal(takeovers(f), 0);
	/* expired: taken over, logged with who and why */
	t = take(f, &me, 5500);
	assert_int_equal(t.got, 1);
	assert_int_equal(t.taken_over, 1);
	assert_int_equal(t.died, 0);
	assert_int_equal(takeovers(f), 1);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog WHERE kind = "
	                     "'duty.takeover' AND detail LIKE "
	                     "'%\"previous\":\"elsewhere:4242\"%' AND detail "
	                     "LIKE '%\"reason\":\"its lease expired\"%'"),
	    1);
	/* the fence: the old holder no longer holds it */
	assert_int_equal(duty_held(f->s, "pull", "elsewhere:4242", &err), 0);
	assert_int_equal(duty_held(f->s, "pull", me.id, &err), 1);
	assert_int_equal(take(f, &other, 6000).got, 0);
	/* renewing is no takeover */
	assert_int_equal(take(f, &me, 6500).taken_over, 0);
	assert_int_equal(takeovers(f), 1);
	/* a release by another does nothing; by the holder frees it */
	assert_int_equal(duty_release(f->s, "pull", "elsewhere:4242", &err), 0);
	assert_int_equal(duty_held(f->s, "pull", me.id, &err), 1);
	assert_int_equal(duty_release(f->s, "pull", me.id, &err), 0);
	assert_int_equal(duty_held(f->s, "pull", me.id, &err), 0);
	t = take(f, &other, 7000);
	assert_int_equal(t.got, 1);
	assert_int_equal(t.taken_over, 0);
	/* the duties are separate */
	assert_int_equal(
	    duty_take(f->s, "pager", &me, 7000, 3000, &t, &err), 0);
	assert_int_equal(t.got, 1);
}

/* A holder of this host whose process died is taken over before its
 * lease expires. */
static void
test_dead_holder(void **state)
{
	struct unit_db *f = *state;
	struct duty_node me, dead;
	struct duty_take t;
	pid_t child;

	duty_node_init(&me);
	if ((child = fork()) == 0) {
		pause();
		_exit(0);
	}
	assert_true(child > 0);
	dead = me;
	dead.pid = (int)child;
	rb_lease_proc(dead.pid, dead.proc, sizeof dead.proc);
	snprintf(dead.id, sizeof dead.id, "%s:%d", dead.host, dead.pid);
	assert_int_equal(take(f, &dead, 1000).got, 1);
	/* alive: its lease stands */
	assert_int_equal(take(f, &me, 2000).got, 0);
	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	t = take(f, &me, 2000);
	assert_int_equal(t.got, 1);
	assert_int_equal(t.taken_over, 1);
	assert_int_equal(t.died, 1);
	assert_string_equal(t.other, dead.id);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog WHERE kind = "
	                     "'duty.takeover' AND detail LIKE "
	                     "'%\"reason\":\"its process died\"%'"),
	    1);
}

/* The fence inside the caller's transaction: a duty_take there joins it,
 * and a rollback takes nothing. */
static void
test_in_transaction(void **state)
{
	struct unit_db *f = *state;
	struct duty_node me;
	struct duty_take t;
	struct err err;

	err_init(&err);
	duty_node_init(&me);
	assert_int_equal(store_begin(f->s, &err), 0);
	assert_int_equal(
	    duty_take(f->s, "sweep", &me, 1000, 3000, &t, &err), 0);
	assert_int_equal(t.got, 1);
	assert_int_equal(duty_held(f->s, "sweep", me.id, &err), 1);
	store_rollback(f->s);
	assert_int_equal(duty_held(f->s, "sweep", me.id, &err), 0);
}

/* duty_settled: duty_take's verdict from a read, and no write: 1 for a
 * fresh lease of its own or a live other holder's, 0 when duty_take
 * would write (free, a third passed, expired). */
static void
test_settled(void **state)
{
	struct unit_db *f = *state;
	struct duty_node me, other;
	struct duty_take t;
	struct err err;

	err_init(&err);
	duty_node_init(&me);
	elsewhere(&other);
	assert_int_equal(
	    duty_settled(f->s, "pull", &me, 1000, 3000, &t, &err), 0);
	assert_int_equal(t.got, 0);
	assert_int_equal(take(f, &me, 1000).got, 1);
	assert_int_equal(
	    duty_settled(f->s, "pull", &me, 1900, 3000, &t, &err), 1);
	assert_int_equal(t.got, 1);
	assert_int_equal(
	    duty_settled(f->s, "pull", &me, 2100, 3000, &t, &err), 0);
	assert_int_equal(until(f), 4000); /* read only */
	assert_int_equal(
	    duty_settled(f->s, "pull", &other, 2100, 3000, &t, &err), 1);
	assert_int_equal(t.got, 0);
	assert_string_equal(t.other, me.id);
	assert_int_equal(
	    duty_settled(f->s, "pull", &other, 4000, 3000, &t, &err), 0);
	assert_int_equal(takeovers(f), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_take_renew_expire, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_dead_holder, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_in_transaction, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_settled, unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
