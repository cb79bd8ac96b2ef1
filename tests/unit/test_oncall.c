/* test_oncall.c: rotations across DST changes, leap days and zone
 * changes, with fixed times (engine/oncall.c, engine/tzone.c), and
 * overrides from the config and the database (oncall_override.c). The
 * expected instants were computed independently with Python's zoneinfo. */
#include "unit.h"

#include "engine/clock.h"
#include "engine/config.h"
#include "engine/oncall.h"

static int64_t
at(const char *s)
{
	int64_t us;

	assert_int_equal(clock_parse(s, &us, NULL), 0);
	return us;
}

static void
load(const char *src, struct oncall *oc)
{
	struct config *c;
	struct err err;

	err_init(&err);
	c = config_parse(src, strlen(src), "test.lua", &err);
	if (c == NULL)
		fprintf(stderr, "# %s\n", err.msg);
	assert_non_null(c);
	if (oncall_load(c, oc, &err) == -1)
		fprintf(stderr, "# %s\n", err.msg);
	assert_false(err_isset(&err));
	config_free(c);
}

static void
load_fails(const char *src, const char *want)
{
	struct oncall oc;
	struct config *c;
	struct err err;

	err_init(&err);
	c = config_parse(src, strlen(src), "test.lua", &err);
	assert_non_null(c);
	assert_int_equal(oncall_load(c, &oc, &err), -1);
	if (strstr(err.msg, want) == NULL)
		fprintf(stderr, "# got: %s\n", err.msg);
	assert_non_null(strstr(err.msg, want));
	assert_int_equal(err.code, ERR_USAGE);
	config_free(c);
}

/* The person on call at t and the span of their shift. */
static void
shift_is(const struct oncall_rotation *r, const char *t, const char *who,
    const char *from, const char *to)
{
	struct oncall_shift sh;
	char a[CLOCK_RFC3339_MAX], b[CLOCK_RFC3339_MAX];

	assert_int_equal(oncall_shift_at(r, at(t), &sh, NULL), 0);
	clock_format(sh.from, 0, a);
	clock_format(sh.to, 0, b);
	if (strcmp(sh.person, who) || strcmp(a, from) || strcmp(b, to))
		fprintf(stderr, "# at %s: %s %s..%s, want %s %s..%s\n", t,
		    sh.person, a, b, who, from, to);
	assert_string_equal(sh.person, who);
	assert_string_equal(a, from);
	assert_string_equal(b, to);
}

#define WEEKLY_BERLIN                                                          \
	"return { oncall = { rotations = { primary = {"                        \
	" people = { 'alice', 'bob', 'carol' }, start = '2026-01-05',"         \
	" shift = '1w', handoff = 'Mon 09:00', tz = 'Europe/Berlin' } } } }"

/* A weekly rotation handing off at 09:00 Berlin time: the week the
 * clocks go forward is 167 hours, the week they go back 169. */
static void
test_weekly_dst(void **state)
{
	const struct oncall_rotation *r;
	struct oncall oc;

	(void)state;
	load(WEEKLY_BERLIN, &oc);
	assert_non_null(r = oncall_rotation(&oc, "primary"));
	assert_string_equal(r->handoff, "Mon 09:00");
	shift_is(r, "2026-01-05T08:00:00Z", "alice", "2026-01-05T08:00:00Z",
	    "2026-01-12T08:00:00Z");
	shift_is(r, "2026-01-12T07:59:59Z", "alice", "2026-01-05T08:00:00Z",
	    "2026-01-12T08:00:00Z");
	/* week 11 (carol) ends at 09:00 CEST = 07:00Z, not 08:00Z */
	shift_is(r, "2026-03-25T12:00:00Z", "carol", "2026-03-23T08:00:00Z",
	    "2026-03-30T07:00:00Z");
	shift_is(r, "2026-03-30T07:30:00Z", "alice", "2026-03-30T07:00:00Z",
	    "2026-04-06T07:00:00Z");
	/* and the week the clocks go back lasts 169 hours (week 41) */
	shift_is(r, "2026-10-20T00:00:00Z", "carol", "2026-10-19T07:00:00Z",
	    "2026-10-26T08:00:00Z");
	shift_is(r, "2026-10-26T07:30:00Z", "carol", "2026-10-19T07:00:00Z",
	    "2026-10-26T08:00:00Z");
	shift_is(r, "2026-10-26T08:00:00Z", "alice", "2026-10-26T08:00:00Z",
	    "2026-11-02T08:00:00Z");
	oncall_done(&oc);
}

/* Before the first shift nobody is on call; the first hand-off is named. */
static void
test_before_start(void **state)
{
	const struct oncall_rotation *r;
	struct oncall_shift sh;
	struct oncall oc;

	(void)state;
	load(WEEKLY_BERLIN, &oc);
	r = oncall_rotation(&oc, "primary");
	assert_int_equal(
	    oncall_shift_at(r, at("2026-01-05T07:59:59Z"), &sh, NULL), 0);
	assert_int_equal(sh.index, -1);
	assert_null(sh.person);
	assert_true(sh.to == at("2026-01-05T08:00:00Z"));
	oncall_done(&oc);
}

/* A daily rotation over 29 February: the leap day is a shift of its own. */
static void
test_leap_day(void **state)
{
	const struct oncall_rotation *r;
	struct oncall oc;

	(void)state;
	load("return { oncall = { rotations = { d = { people = { 'a', 'b',"
	     " 'c' }, start = '2028-02-27', shift = '1d', handoff = '09:00',"
	     " tz = 'America/New_York' } } } }",
	    &oc);
	r = oncall_rotation(&oc, "d");
	shift_is(r, "2028-02-29T20:00:00Z", "c", "2028-02-29T14:00:00Z",
	    "2028-03-01T14:00:00Z");
	shift_is(r, "2028-03-01T14:00:00Z", "a", "2028-03-01T14:00:00Z",
	    "2028-03-02T14:00:00Z");
	/* 999 days later (a multiple of 3), back on EST */
	shift_is(r, "2030-11-23T13:30:00Z", "a", "2030-11-22T14:00:00Z",
	    "2030-11-23T14:00:00Z");
	oncall_done(&oc);
	/* a weekly one starting on the Monday before a leap day */
	load("return { oncall = { rotations = { w = { people = { 'x', 'y' },"
	     " start = '2028-02-28', shift = '1w', handoff = 'Mon 00:00',"
	     " tz = 'UTC' } } } }",
	    &oc);
	shift_is(oncall_rotation(&oc, "w"), "2028-03-06T00:00:00Z", "y",
	    "2028-03-06T00:00:00Z", "2028-03-13T00:00:00Z");
	oncall_done(&oc);
}

/* Samoa skipped 30 December 2011 (UTC-10 to UTC+14): the shift of that
 * day starts when the clock jumps past 09:00 and lasts 9 hours. */
static void
test_zone_skips_a_day(void **state)
{
	const struct oncall_rotation *r;
	struct oncall oc;

	(void)state;
	load("return { oncall = { rotations = { s = { people = { 'a', 'b',"
	     " 'c', 'd' }, start = '2011-12-28', shift = '1d',"
	     " handoff = '09:00', tz = 'Pacific/Apia' } } } }",
	    &oc);
	r = oncall_rotation(&oc, "s");
	shift_is(r, "2011-12-30T00:00:00Z", "b", "2011-12-29T19:00:00Z",
	    "2011-12-30T10:00:00Z");
	shift_is(r, "2011-12-30T12:00:00Z", "c", "2011-12-30T10:00:00Z",
	    "2011-12-30T19:00:00Z");
	shift_is(r, "2011-12-30T19:00:00Z", "d", "2011-12-30T19:00:00Z",
	    "2011-12-31T19:00:00Z");
	oncall_done(&oc);
}

/* Moscow moved from UTC+4 to UTC+3 on 26 October 2014 (no DST): the
 * daily 09:00 hand-off moves from 05:00Z to 06:00Z. */
static void
test_zone_offset_change(void **state)
{
	const struct oncall_rotation *r;
	struct oncall oc;

	(void)state;
	load("return { oncall = { rotations = { m = { people = { 'a', 'b' },"
	     " start = '2014-10-24', shift = '1d', handoff = '09:00',"
	     " tz = 'Europe/Moscow' } } } }",
	    &oc);
	r = oncall_rotation(&oc, "m");
	shift_is(r, "2014-10-25T05:00:00Z", "b", "2014-10-25T05:00:00Z",
	    "2014-10-26T06:00:00Z");
	shift_is(r, "2014-10-26T06:00:00Z", "a", "2014-10-26T06:00:00Z",
	    "2014-10-27T06:00:00Z");
	oncall_done(&oc);
}

/* A hand-off at 02:30, a time Berlin skips in March and shows twice in
 * October; and 12h shifts keep 09:00/21:00 on the wall clock. */
static void
test_handoff_in_gap_and_overlap(void **state)
{
	const struct oncall_rotation *r;
	struct oncall oc;

	(void)state;
	load("return { oncall = { rotations = { n = { people = { 'a', 'b' },"
	     " start = '2026-03-27', shift = '1d', handoff = '02:30',"
	     " tz = 'Europe/Berlin' }, h = { people = { 'p', 'q', 'r' },"
	     " start = '2026-03-28', shift = '12h', handoff = '09:00',"
	     " tz = 'Europe/Berlin' } } } }",
	    &oc);
	r = oncall_rotation(&oc, "n");
	/* 28th 02:30 CET; the 29th's 02:30 does not exist: 03:00 CEST */
	shift_is(r, "2026-03-28T12:00:00Z", "b", "2026-03-28T01:30:00Z",
	    "2026-03-29T01:00:00Z");
	shift_is(r, "2026-03-29T12:00:00Z", "a", "2026-03-29T01:00:00Z",
	    "2026-03-30T00:30:00Z");
	/* 25 October 02:30 happens twice: the first one (CEST) */
	shift_is(r, "2026-10-25T00:45:00Z", "a", "2026-10-25T00:30:00Z",
	    "2026-10-26T01:30:00Z");
	r = oncall_rotation(&oc, "h");
	shift_is(r, "2026-03-28T20:30:00Z", "q", "2026-03-28T20:00:00Z",
	    "2026-03-29T07:00:00Z");
	shift_is(r, "2026-03-29T12:00:00Z", "r", "2026-03-29T07:00:00Z",
	    "2026-03-29T19:00:00Z");
	shift_is(r, "2026-03-29T19:00:00Z", "p", "2026-03-29T19:00:00Z",
	    "2026-03-30T07:00:00Z");
	oncall_done(&oc);
}

static void
test_bad_configs(void **state)
{
	(void)state;
	load_fails("return { oncall = { rotations = { p = { people = {'a'},"
	           " start = '2026-01-06', handoff = 'Mon 09:00' } } } }",
	    "not the hand-off's weekday");
	load_fails("return { oncall = { rotations = { p = { people = {'a'},"
	           " start = '2026-01-05', tz = 'Europe/Nowhere' } } } }",
	    "not in the zone database");
	load_fails("return { oncall = { rotations = { p = { people = {'a'},"
	           " start = '2026-01-05', tz = '../../etc/passwd' } } } }",
	    "not a time zone name");
	load_fails("return { oncall = { rotations = { p = { people = {},"
	           " start = '2026-01-05' } } } }",
	    "needs people");
	load_fails("return { oncall = { rotations = { p = { people = {'a'},"
	           " start = '2026-02-30' } } } }",
	    "start:");
	load_fails("return { oncall = { rotations = { p = { people = {'a'},"
	           " start = '2026-01-05', shift = '90s' } } } }",
	    "whole number of minutes");
	load_fails("return { oncall = { rotations = { p = { people = {'a'},"
	           " start = '2026-01-05', shift = '1d', handoff = 'Mon 09:00'"
	           " } } } }",
	    "whole weeks");
	load_fails("return { oncall = { people = { p = {} }, rotations = {"
	           " p = { people = {'a'}, start = '2026-01-05' } } } }",
	    "both a person and a rotation");
}

static void
who_is(struct store *s, const struct oncall *oc, const char *t,
    const char *person, const char *since, const char *until, const char *next)
{
	struct oncall_who w;
	char a[CLOCK_RFC3339_MAX], b[CLOCK_RFC3339_MAX];
	struct err err;

	err_init(&err);
	assert_int_equal(
	    oncall_who(s, oc, oncall_rotation(oc, "primary"), at(t), &w, &err),
	    0);
	clock_format(w.since, 0, a);
	clock_format(w.until, 0, b);
	if (strcmp(w.person, person) || strcmp(a, since) || strcmp(b, until) ||
	    strcmp(w.next, next))
		fprintf(stderr, "# at %s: %s %s..%s next %s\n", t, w.person, a,
		    b, w.next);
	assert_string_equal(w.person, person);
	assert_string_equal(a, since);
	assert_string_equal(b, until);
	assert_string_equal(w.next, next);
}

/* Overrides: the config's, then the database's (newest wins); a removed
 * one no longer counts; each change is in the action log. */
static void
test_overrides(void **state)
{
	struct unit_db *f = *state;
	struct oncall_override o = { 0 };
	struct oncall oc;
	int64_t id, id2;
	struct err err;

	load("return { oncall = { rotations = { primary = {"
	     " people = { 'alice', 'bob', 'carol' }, start = '2026-01-05',"
	     " shift = '1w', handoff = 'Mon 09:00', tz = 'Europe/Berlin' } },"
	     " overrides = { { rotation = 'primary', who = 'dave',"
	     " from = '2026-01-07T00:00:00Z', to = '2026-01-08T00:00:00Z' } }"
	     " } }",
	    &oc);
	who_is(f->s, &oc, "2026-01-06T00:00:00Z", "alice",
	    "2026-01-05T08:00:00Z", "2026-01-07T00:00:00Z", "dave");
	who_is(f->s, &oc, "2026-01-07T12:00:00Z", "dave",
	    "2026-01-07T00:00:00Z", "2026-01-08T00:00:00Z", "alice");
	err_init(&err);
	o.rotation = "primary";
	o.who = "erin";
	o.from = at("2026-01-07T06:00:00Z");
	o.to = at("2026-01-13T00:00:00Z");
	assert_int_equal(oncall_override_add(f->s, &o, "tester",
	                     at("2026-01-06T00:00:00Z"), &id, &err),
	    0);
	/* erin (newer) beats dave, and stays on over bob's hand-off */
	who_is(f->s, &oc, "2026-01-07T12:00:00Z", "erin",
	    "2026-01-07T06:00:00Z", "2026-01-13T00:00:00Z", "bob");
	who_is(f->s, &oc, "2026-01-07T03:00:00Z", "dave",
	    "2026-01-07T00:00:00Z", "2026-01-07T06:00:00Z", "erin");
	o.who = "alice"; /* alice covers her own shift: one span */
	o.from = at("2026-01-04T00:00:00Z");
	o.to = at("2026-01-05T12:00:00Z");
	assert_int_equal(oncall_override_add(f->s, &o, "tester",
	                     at("2026-01-06T00:00:00Z"), &id2, &err),
	    0);
	who_is(f->s, &oc, "2026-01-06T00:00:00Z", "alice",
	    "2026-01-04T00:00:00Z", "2026-01-07T00:00:00Z", "dave");
	assert_int_equal(
	    oncall_override_remove(f->s, id, "tester", 1, &err), 0);
	who_is(f->s, &oc, "2026-01-07T12:00:00Z", "dave",
	    "2026-01-07T00:00:00Z", "2026-01-08T00:00:00Z", "alice");
	assert_int_equal(
	    oncall_override_remove(f->s, id, "tester", 1, &err), -1);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog WHERE kind LIKE"
	                     " 'oncall.override%'"),
	    3);
	oncall_done(&oc);
}

/* Local times are formatted in the rotation's zone. */
static void
test_format_local(void **state)
{
	char human[64], rfc[64];

	(void)state;
	assert_int_equal(oncall_format_local("Europe/Berlin",
	                     at("2026-03-30T07:00:00Z"), human, rfc, NULL),
	    0);
	assert_string_equal(human, "2026-03-30 Mon 09:00 CEST");
	assert_string_equal(rfc, "2026-03-30T09:00:00+02:00");
	assert_int_equal(oncall_format_local("America/St_Johns",
	                     at("2026-01-01T00:00:00Z"), human, rfc, NULL),
	    0);
	assert_string_equal(rfc, "2025-12-31T20:30:00-03:30");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekly_dst),
		cmocka_unit_test(test_before_start),
		cmocka_unit_test(test_leap_day),
		cmocka_unit_test(test_zone_skips_a_day),
		cmocka_unit_test(test_zone_offset_change),
		cmocka_unit_test(test_handoff_in_gap_and_overlap),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test_setup_teardown(
		    test_overrides, unit_db_setup, unit_db_teardown),
		cmocka_unit_test(test_format_local),
	};

	tzone_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
