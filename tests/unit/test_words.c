/* test_words.c: "did you mean" (engine/words.c): the edit distance, the
 * choice of the closest known word, the hint line and plural endings. */
#include "unit.h"

#include "engine/words.h"

static void
test_distance(void **state)
{
	(void)state;
	assert_int_equal(words_distance("", ""), 0);
	assert_int_equal(words_distance("ack", "ack"), 0);
	assert_int_equal(words_distance("ACK", "ack"), 0);
	assert_int_equal(words_distance("", "abc"), 3);
	assert_int_equal(words_distance("servce", "service"), 1);
	assert_int_equal(words_distance("reasn", "reason"), 1);
	assert_int_equal(
	    words_distance("incidnets", "incidents"), 1); /* swap */
	assert_int_equal(words_distance("jsno", "json"), 1);
	assert_int_equal(words_distance("kitten", "sitting"), 3);
	char big[WORDS_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(words_distance(big, "a"), WORDS_MAX + 1);
}

static void
test_closest(void **state)
{
	static const char *const cmds[] = { "ack", "assign", "audit", "help",
		"incidents", "ingest", "note", "resolve", "run", "runbooks",
		"serve", "show", "snooze", "timeline", "tui" };
	static const char *const fmts[] = { "md", "json", "csv", "html" };
	size_t nc = sizeof cmds / sizeof cmds[0];

	(void)state;
	assert_string_equal(words_closest("incidnets", cmds, nc), "incidents");
	assert_string_equal(words_closest("timelime", cmds, nc), "timeline");
	assert_string_equal(words_closest("Show", cmds, nc), "show");
	assert_string_equal(words_closest("snoze", cmds, nc), "snooze");
	/* the only one that starts with it */
	assert_string_equal(words_closest("incid", cmds, nc), "incidents");
	assert_string_equal(words_closest("tim", cmds, nc), "timeline");
	/* ties go to the earlier: "ru" is 1 from "run" only */
	assert_string_equal(words_closest("ru", cmds, nc), "run");
	/* nothing close: no guess */
	assert_null(words_closest("frobnicate", cmds, nc));
	assert_null(words_closest("x", cmds, nc));
	assert_null(words_closest("", cmds, nc));
	assert_string_equal(words_closest("jsn", fmts, 4), "json");
	assert_null(words_closest("markdwn", fmts, 4));
	assert_string_equal(words_closest("htm", fmts, 4), "html");
	assert_null(words_closest("pdf", fmts, 4));
	/* NULL entries are skipped */
	static const char *const holes[] = { NULL, "service", NULL };
	assert_string_equal(words_closest("servce", holes, 3), "service");
}

static void
test_hint(void **state)
{
	static const char *const fmts[] = { "md", "json", "csv", "html" };
	static const char *const opts[] = { "note", "if-version" };
	const char *many[40];
	char names[40][16], out[128];

	(void)state;
	words_hint(out, sizeof out, "jsn", fmts, 4, "formats", "");
	assert_string_equal(
	    out, "; did you mean 'json'? (formats: md, json, csv, html)");
	words_hint(out, sizeof out, "pdf", fmts, 4, "formats", "");
	assert_string_equal(out, " (formats: md, json, csv, html)");
	words_hint(out, sizeof out, "not", opts, 2, "options", "--");
	assert_string_equal(
	    out, "; did you mean '--note'? (options: --note, --if-version)");
	words_hint(out, sizeof out, "x", NULL, 0, "this runbook takes", "");
	assert_string_equal(out, " (this runbook takes: none)");
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof names[i], "runbook-%02d", i);
		many[i] = names[i];
	}
	words_hint(out, sizeof out, "runbok-07", many, 40, "runbooks", "");
	assert_true(strlen(out) < sizeof out);
	assert_non_null(strstr(out,
	    "; did you mean 'runbook-07'? (runbooks: "
	    "runbook-00, "));
	assert_non_null(strstr(out, " more)"));
	assert_int_equal(out[strlen(out) - 1], ')');
	/* a buffer too small for anything stays a valid, empty string */
	words_hint(out, 8, "jsn", fmts, 4, "formats", "");
	assert_string_equal(out, "");
}

static void
test_plural(void **state)
{
	char line[64];

	(void)state;
	snprintf(line, sizeof line, "%d effect%s, %d alert%s, %d write%s", 1,
	    words_s(1), 3, words_s(3), 0, words_s(0));
	assert_string_equal(line, "1 effect, 3 alerts, 0 writes");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_closest),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_plural),
	};

	return cmocka_run_group_tests_name("words", tests, NULL, NULL);
}
