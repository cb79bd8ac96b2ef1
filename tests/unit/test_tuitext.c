/* test_tuitext.c: the curses-free parts of `owl tui`: column widths and
 * ellipsis fitting (tui/text.c), the one-line editor (tui/lineedit.c)
 * and the key table (tui/keys.c). tui/ objects are not in the unit-test
 * link, so the sources are compiled in here. */
#include "unit.h"

#include <locale.h>

#include "engine/clock.h"
#include "tui/keys.c"
#include "tui/lineedit.c"
#include "tui/text.c"

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("推理"), 4); /* wide */
	assert_int_equal(text_width("e\xcc\x81"), 1); /* e + combining */
	assert_int_equal(text_width("\xff"), 1); /* bad byte: '?' */
	assert_int_equal(text_width(""), 0);
}

static void
test_fit(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(text_fit(out, sizeof out, "hello", 10, 0), 5);
	assert_string_equal(out, "hello");
	assert_int_equal(text_fit(out, sizeof out, "hello", 8, TEXT_PAD), 8);
	assert_string_equal(out, "hello   ");
	assert_int_equal(text_fit(out, sizeof out, "hello world", 8, 0), 8);
	assert_string_equal(out, "hello w\xe2\x80\xa6");
	assert_int_equal(
	    text_fit(out, sizeof out, "hello world", 8, TEXT_ASCII), 8);
	assert_string_equal(out, "hello...");
	/* a wide character never straddles the edge: padded instead */
	assert_int_equal(text_fit(out, sizeof out, "ab推理服务", 6, 0), 6);
	assert_string_equal(out, "ab推 \xe2\x80\xa6");
	/* a combining mark stays with its base, or goes with it */
	text_fit(out, sizeof out, "abe\xcc\x81zz", 4, 0);
	assert_string_equal(out, "abe\xcc\x81\xe2\x80\xa6");
	text_fit(out, sizeof out, "abcde\xcc\x81z", 5, 0);
	assert_string_equal(out, "abcd\xe2\x80\xa6");
	/* tiny widths */
	assert_int_equal(text_fit(out, sizeof out, "hello", 0, 0), 0);
	assert_string_equal(out, "");
	assert_int_equal(text_fit(out, sizeof out, "hello", 2, TEXT_ASCII), 2);
	assert_string_equal(out, "..");
	/* LANG=C: non-ASCII becomes '?' one column each */
	text_fit(out, sizeof out,
	    "\xc3\x9c"
	    "ber",
	    10, TEXT_ASCII);
	assert_string_equal(out, "?ber");
	/* the output buffer's ceiling holds */
	assert_int_equal(text_fit(out, 4, "abcdef", 10, 0), 6);
	assert_int_equal(strlen(out), 3);
}

static void
test_age_match(void **state)
{
	char out[16];

	(void)state;
	text_age(30 * CLOCK_US_PER_SEC, out, sizeof out);
	assert_string_equal(out, "<1m");
	text_age(3 * 60 * CLOCK_US_PER_SEC, out, sizeof out);
	assert_string_equal(out, "3m");
	text_age(2 * 3600 * CLOCK_US_PER_SEC, out, sizeof out);
	assert_string_equal(out, "2h");
	text_age(5 * 86400 * CLOCK_US_PER_SEC, out, sizeof out);
	assert_string_equal(out, "5d");
	text_age(-5, out, sizeof out);
	assert_string_equal(out, "<1m");
	assert_true(text_match("LLM Provider down", "provider"));
	assert_false(text_match("LLM Provider down", "gpu"));
	assert_true(text_match(NULL, ""));
	assert_false(text_match(NULL, "x"));
}

static void
test_lineedit(void **state)
{
	struct lineedit le;
	size_t start;

	(void)state;
	lineedit_init(&le, "rolling bakc");
	lineedit_key(&le, KEYS_K_BACKSPACE);
	lineedit_key(&le, KEYS_K_BACKSPACE);
	lineedit_key(&le, 'c');
	lineedit_key(&le, 'k');
	assert_string_equal(le.text, "rolling back");
	lineedit_key(&le, KEYS_CTRL('a'));
	lineedit_key(&le, 0x00fc); /* ü, as a code point */
	assert_string_equal(le.text, "\xc3\xbcrolling back");
	lineedit_key(&le, KEYS_K_LEFT);
	lineedit_key(&le, KEYS_CTRL('d'));
	assert_string_equal(le.text, "rolling back");
	lineedit_key(&le, KEYS_CTRL('e'));
	lineedit_key(&le, KEYS_CTRL('w'));
	assert_string_equal(le.text, "rolling ");
	lineedit_key(&le, KEYS_CTRL('a'));
	lineedit_key(&le, KEYS_CTRL('f'));
	lineedit_key(&le, KEYS_CTRL('k'));
	assert_string_equal(le.text, "r");
	lineedit_key(&le, KEYS_CTRL('u'));
	assert_string_equal(le.text, "");
	assert_int_equal(lineedit_key(&le, 0x1b), LINEEDIT_UNHANDLED);
	assert_int_equal(lineedit_key(&le, KEYS_K_ENTER), LINEEDIT_DONE);
	assert_int_equal(lineedit_key(&le, KEYS_K_ESC), LINEEDIT_CANCEL);
	assert_int_equal(lineedit_key(&le, KEYS_CTRL('c')), LINEEDIT_CANCEL);
	/* the ceiling */
	for (int i = 0; i < LINEEDIT_MAX + 10; i++)
		lineedit_key(&le, 'x');
	assert_int_equal(le.len, LINEEDIT_MAX);
	/* the view scrolls to keep the cursor visible */
	lineedit_init(&le, "abcdefghij");
	assert_int_equal(lineedit_view(&le, 5, &start), 4);
	assert_int_equal(start, 6);
	lineedit_key(&le, KEYS_K_HOME);
	assert_int_equal(lineedit_view(&le, 5, &start), 0);
	assert_int_equal(start, 0);
}

static void
test_keys(void **state)
{
	const struct keys_binding *b;
	char s[256];

	(void)state;
	b = keys_find(KEYS_V_INCIDENTS, 'j');
	assert_non_null(b);
	assert_int_equal(b->action, KEYS_DOWN);
	assert_int_equal(
	    keys_find(KEYS_V_INCIDENTS, KEYS_K_DOWN)->action, KEYS_DOWN);
	assert_int_equal(keys_find(KEYS_V_INCIDENTS, 'q')->action, KEYS_QUIT);
	assert_int_equal(keys_find(KEYS_V_INCIDENT, 'q')->action, KEYS_BACK);
	assert_null(keys_find(KEYS_V_LOG, 'a'));
	assert_null(keys_find(KEYS_V_INCIDENTS, 'x'));
	/* every changing action is marked, so --readonly disables it */
	for (size_t i = 0; i < keys_count; i++) {
		enum keys_action a = keys_table[i].action;
		int writes = a == KEYS_ACK || a == KEYS_RESOLVE ||
		    a == KEYS_NOTE || a == KEYS_SNOOZE || a == KEYS_UNDO ||
		    a == KEYS_ASSIGN || a == KEYS_RUN || a == KEYS_CANCEL ||
		    a == KEYS_APPLY || a == KEYS_RECOVER;

		assert_int_equal(!!(keys_table[i].flags & KEYS_WRITES), writes);
		assert_non_null(keys_table[i].help);
	}
	/* no key means two things on one screen */
	for (unsigned v = 1; v <= KEYS_V_RUN; v <<= 1)
		for (size_t i = 0; i < keys_count; i++)
			for (int k = 0;
			     k < KEYS_PER_BINDING && keys_table[i].keys[k]; k++)
				if (keys_table[i].views & v)
					assert_ptr_equal(
					    keys_find(v, keys_table[i].keys[k]),
					    &keys_table[i]);
	keys_hints(KEYS_V_INCIDENTS, 0, 0, s, sizeof s);
	assert_non_null(strstr(s, "a ack"));
	keys_hints(KEYS_V_INCIDENTS, 1, 0, s, sizeof s);
	assert_null(strstr(s, "a ack"));
	assert_non_null(strstr(s, "q quit"));
	/* narrow: help and quit stay, at the end, within the width */
	for (int w = 40; w <= 200; w++) {
		keys_hints(KEYS_V_INCIDENTS, 0, w, s, sizeof s);
		assert_true(strlen(s) <= (size_t)w);
		assert_non_null(strstr(s, "? help  q quit"));
		keys_hints(KEYS_V_INCIDENT, 0, w, s, sizeof s);
		assert_true(strlen(s) <= (size_t)w);
		assert_non_null(strstr(s, "? help  q back"));
	}
	/* the run view: the keys its state leaves without effect go */
	keys_hints(KEYS_V_RUN, 0, 0, s, sizeof s);
	assert_non_null(strstr(s, "c cancel"));
	assert_non_null(strstr(s, "a apply"));
	keys_hints_except(KEYS_V_RUN, 0,
	    KEYS_BIT(KEYS_CANCEL) | KEYS_BIT(KEYS_RECOVER), 0, s, sizeof s);
	assert_null(strstr(s, "c cancel"));
	assert_null(strstr(s, "r recover"));
	assert_non_null(strstr(s, "a apply"));
	assert_non_null(strstr(s, "? help  q back"));
	keys_names(keys_find(KEYS_V_LOG, 'j'), s, sizeof s);
	assert_string_equal(s, "j/Down");
	keys_name(KEYS_CTRL('l'), s, sizeof s);
	assert_string_equal(s, "^L");
	keys_name(KEYS_K_ENTER, s, sizeof s);
	assert_string_equal(s, "Enter");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_age_match),
		cmocka_unit_test(test_lineedit),
		cmocka_unit_test(test_keys),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
