/* test_strmap.c: the string map of the timeline's hot path
 * (engine/strmap.c): set, replace, get, members of a set, growth past
 * many keys. */
#include "unit.h"

#include "engine/strmap.h"

static void
test_set_get(void **state)
{
	struct strmap *m = strmap_new();

	(void)state;
	assert_non_null(m);
	assert_null(strmap_get(m, "a"));
	assert_int_equal(strmap_set(m, "a", "one"), 0);
	assert_int_equal(strmap_set(m, "", "empty key"), 0);
	assert_int_equal(strmap_set(m, "member", NULL), 0);
	assert_string_equal(strmap_get(m, "a"), "one");
	assert_string_equal(strmap_get(m, ""), "empty key");
	assert_string_equal(strmap_get(m, "member"), "");
	assert_int_equal(strmap_set(m, "a", "two"), 0);
	assert_string_equal(strmap_get(m, "a"), "two");
	/* shorter, then longer than what it replaces */
	assert_int_equal(strmap_set(m, "a", "3"), 0);
	assert_string_equal(strmap_get(m, "a"), "3");
	assert_int_equal(strmap_set(m, "a", "a longer value"), 0);
	assert_string_equal(strmap_get(m, "a"), "a longer value");
	assert_int_equal(strmap_size(m), 3);
	assert_null(strmap_get(m, "b"));
	strmap_free(m);
	strmap_free(NULL);
	assert_null(strmap_get(NULL, "a"));
}

static void
test_many(void **state)
{
	struct strmap *m = strmap_new();
	char k[32], v[32];

	(void)state;
	for (int i = 0; i < 100000; i++) {
		snprintf(k, sizeof k, "s%08x", i);
		snprintf(v, sizeof v, "alert %d", i);
		assert_int_equal(strmap_set(m, k, v), 0);
	}
	assert_int_equal(strmap_size(m), 100000);
	for (int i = 0; i < 100000; i += 7) {
		snprintf(k, sizeof k, "s%08x", i);
		snprintf(v, sizeof v, "alert %d", i);
		assert_string_equal(strmap_get(m, k), v);
	}
	assert_null(strmap_get(m, "s000186a0")); /* 100000 */
	/* a value past a block of its own */
	char *big = malloc(100000);
	memset(big, 'x', 99999);
	big[99999] = '\0';
	assert_int_equal(strmap_set(m, "big", big), 0);
	assert_string_equal(strmap_get(m, "big"), big);
	free(big);
	strmap_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_get),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests_name("strmap", tests, NULL, NULL);
}
