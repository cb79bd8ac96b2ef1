/* test_clock.c: RFC 3339 times and durations (engine/clock.c). */
#include "unit.h"

#include "engine/clock.h"

static void
test_format_epoch(void **state)
{
	char out[CLOCK_RFC3339_MAX];

	(void)state;
	clock_format(0, 1, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000000Z");
	clock_format(INT64_C(1764386497123456), 1, out);
	assert_string_equal(out, "2025-11-29T03:21:37.123456Z");
	clock_format(INT64_C(1764386497123456), 0, out);
	assert_string_equal(out, "2025-11-29T03:21:37Z");
	clock_format(-1, 1, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
}

/* The digits written by hand are what snprintf writes, up to the year
 * 9999 and past it (where clock_format uses snprintf). */
static void
test_format_years(void **state)
{
	static const int64_t us[] = { INT64_C(253402300799999999),
		INT64_C(253402300800000000), INT64_C(-62135596800000000),
		INT64_C(-62135596800000001), INT64_C(946684800000007) };
	static const char *const want[] = { "9999-12-31T23:59:59.999999Z",
		"10000-01-01T00:00:00.000000Z", "0001-01-01T00:00:00.000000Z",
		"0000-12-31T23:59:59.999999Z", "2000-01-01T00:00:00.000007Z" };
	char out[CLOCK_RFC3339_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
		clock_format(us[i], 1, out);
		assert_string_equal(out, want[i]);
	}
	clock_format(INT64_C(253402300799999999), 0, out);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
}

static void
test_parse_forms(void **state)
{
	static const struct {
		const char *in;
		int64_t us;
	} ok[] = {
		{ "2025-11-29T03:21:37Z", INT64_C(1764386497000000) },
		{ "2025-11-29T03:21:37.123456Z", INT64_C(1764386497123456) },
		{ "2025-11-29T03:21:37.123456789Z", INT64_C(1764386497123456) },
		{ "2025-11-29T04:21:37+01:00", INT64_C(1764386497000000) },
		{ "2025-11-29T04:21:37+0100", INT64_C(1764386497000000) },
		{ "2025-11-28T22:21:37-05:00", INT64_C(1764386497000000) },
		{ "2025-11-29t03:21:37z", INT64_C(1764386497000000) },
		{ "2025-11-29 03:21:37Z", INT64_C(1764386497000000) },
		{ "0001-01-01T00:00:00Z", INT64_C(-62135596800000000) },
		{ "2024-02-29T00:00:00Z", INT64_C(1709164800000000) },
	};
	static const char *const bad[] = {
		"",
		"2025",
		"2025-11-29",
		"2025-11-29T03:21:37",
		"2025-13-01T00:00:00Z",
		"2025-02-29T00:00:00Z",
		"2025-11-29T24:00:00Z",
		"2025-11-29T03:21:37.Z",
		"2025-11-29T03:21:37Zjunk",
		"2025-11-29T03:21:37+1",
		"yesterday",
		"2025-11-29T03:61:00Z",
	};
	struct err err;
	int64_t us;

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		err_init(&err);
		assert_int_equal(clock_parse(ok[i].in, &us, &err), 0);
		assert_int_equal(us, ok[i].us);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_init(&err);
		assert_int_equal(clock_parse(bad[i], &us, &err), -1);
		assert_int_equal(err.code, ERR_USAGE);
		assert_string_equal(err.msg, "not an RFC 3339 time");
	}
}

static void
test_roundtrip(void **state)
{
	char out[CLOCK_RFC3339_MAX];
	struct err err;
	int64_t us, back;

	(void)state;
	for (us = -INT64_C(5000000000000000); us < INT64_C(5000000000000000);
	     us += INT64_C(123456789012345)) {
		clock_format(us, 1, out);
		err_init(&err);
		assert_int_equal(clock_parse(out, &back, &err), 0);
		assert_int_equal(back, us);
	}
}

static void
test_durations(void **state)
{
	static const struct {
		const char *in;
		int64_t secs;
	} ok[] = {
		{ "90s", 90 },
		{ "30m", 1800 },
		{ "2h", 7200 },
		{ "1h30m", 5400 },
		{ "1d", 86400 },
		{ "1w", 604800 },
		{ "45", 45 },
	};
	static const char *const bad[] = { "", "0", "0m", "m", "1x", "1h30",
		"-", "--5m", "1.5h", "99999999999999999999h" };
	struct err err;
	int64_t us;

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		err_init(&err);
		assert_int_equal(clock_parse_duration(ok[i].in, &us, &err), 0);
		assert_int_equal(us, ok[i].secs * CLOCK_US_PER_SEC);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_init(&err);
		assert_int_equal(clock_parse_duration(bad[i], &us, &err), -1);
		assert_non_null(strstr(err.msg, "is not a duration"));
	}
	/* a negative one is said to be one */
	err_init(&err);
	assert_int_equal(clock_parse_duration("-5m", &us, &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	assert_string_equal(err.msg,
	    "'-5m' is a negative duration; give a positive one (e.g. 30m)");
	/* a person's input needs a unit: `owl snooze 1 30` */
	err_init(&err);
	assert_int_equal(clock_parse_duration_unit("30", &us, &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	assert_string_equal(err.msg,
	    "'30' has no unit: 30m is 30 minutes, 30s seconds, 30h hours");
	assert_int_equal(clock_parse_duration_unit("2h", &us, &err), 0);
	assert_int_equal(us, 2 * 3600 * CLOCK_US_PER_SEC);
}

static void
test_age(void **state)
{
	char out[16];

	(void)state;
	clock_format_age(42 * CLOCK_US_PER_SEC, out, sizeof out);
	assert_string_equal(out, "42s");
	clock_format_age(180 * CLOCK_US_PER_SEC, out, sizeof out);
	assert_string_equal(out, "3m");
	clock_format_age(7300 * CLOCK_US_PER_SEC, out, sizeof out);
	assert_string_equal(out, "2h");
	clock_format_age(3 * 86400 * CLOCK_US_PER_SEC, out, sizeof out);
	assert_string_equal(out, "3d");
	clock_format_age(-5, out, sizeof out);
	assert_string_equal(out, "0s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_epoch),
		cmocka_unit_test(test_format_years),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_age),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
