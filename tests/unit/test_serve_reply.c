/* test_serve_reply.c: the error bodies of `owl serve` under /v2/
 * (integrations/serve_reply.c): PagerDuty's JSON error shape for every
 * status owl answers there, 429 included, with the reason kept. */
#include "unit.h"

#include <jansson.h>

#include "integrations/serve_int.h"

static void
test_pd_error_shape(void **state)
{
	static const int codes[] = { 400, 401, 404, 405, 413, 429, 500, 503 };

	(void)state;
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		char *s = serve_pd_error_json(codes[i], "why \"it\" failed");
		json_t *o, *errs;

		assert_non_null(s);
		o = json_loads(s, 0, NULL);
		assert_non_null(o);
		assert_int_equal(json_object_size(o), 3);
		assert_true(json_is_string(json_object_get(o, "status")));
		assert_true(
		    json_string_length(json_object_get(o, "status")) > 0);
		assert_true(json_is_string(json_object_get(o, "message")));
		errs = json_object_get(o, "errors");
		assert_true(json_is_array(errs));
		assert_int_equal(json_array_size(errs), 1);
		assert_string_equal(json_string_value(json_array_get(errs, 0)),
		    "why \"it\" failed");
		json_decref(o);
		free(s);
	}
}

static void
test_pd_error_words(void **state)
{
	char *s;

	(void)state;
	s = serve_pd_error_json(400, "payload.summary: missing");
	assert_string_equal(s,
	    "{\"status\":\"invalid event\",\"message\":\"Event object is "
	    "invalid\",\"errors\":[\"payload.summary: missing\"]}");
	free(s);
	s = serve_pd_error_json(429, "slow down");
	assert_non_null(strstr(s, "\"status\":\"throttle exceeded\""));
	free(s);
	s = serve_pd_error_json(503, "database is locked");
	assert_non_null(strstr(s, "\"status\":\"Service Unavailable\""));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pd_error_shape),
		cmocka_unit_test(test_pd_error_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
