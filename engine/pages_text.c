/* pages_text.c: paging's action-log entries as sentences, for the
 * postmortem timeline (see pages.h): who was paged, through what, with
 * what result, at which attempt; the escalation's levels; overrides. */
#include "pages.h"

#include <string.h>

#include "words.h"

static const char *
pages_str(const json_t *d, const char *k)
{
	const char *v = json_string_value(json_object_get(d, k));

	return v != NULL ? v : "?";
}

/* "a, b" of a JSON list of names. */
static int
pages_names(const json_t *a, struct buf *b, struct err *err)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
	{
		if (buf_printf(b, err, "%s%s", i ? ", " : "",
		        json_string_value(v) ? json_string_value(v) : "?") ==
		    -1)
			return -1;
	}
	return 0;
}

static int
pages_text_escalation(
    const char *k, const json_t *d, struct buf *b, struct err *err)
{
	long long n =
	    (long long)json_integer_value(json_object_get(d, "levels"));
	long long lvl =
	    (long long)json_integer_value(json_object_get(d, "level"));
	long long loop =
	    (long long)json_integer_value(json_object_get(d, "loop"));

	if (strcmp(k, "start") == 0)
		return buf_printf(b, err,
		    "escalation started (policy %s, %lld level%s, on %s)",
		    pages_str(d, "policy"), n, words_s(n),
		    pages_str(d, "reason"));
	/* "level": the levels this round had paged (the cursor), so 0 on
	 * the first round is before anyone was paged. */
	if (strcmp(k, "stop") == 0 && lvl > 0)
		return buf_printf(b, err,
		    "escalation stopped after level %lld: %s", lvl,
		    pages_str(d, "reason"));
	if (strcmp(k, "stop") == 0 && loop > 0)
		return buf_printf(b, err,
		    "escalation stopped after round %lld of its levels: %s",
		    loop, pages_str(d, "reason"));
	if (strcmp(k, "stop") == 0)
		return buf_printf(b, err,
		    "escalation stopped before its first level paged: %s",
		    pages_str(d, "reason"));
	if (strcmp(k, "level") != 0)
		return 1;
	if (buf_printf(b, err, "escalation level %lld of %lld: paging ",
	        (long long)json_integer_value(json_object_get(d, "level")),
	        (long long)json_integer_value(json_object_get(d, "of"))) ==
	        -1 ||
	    (json_array_size(json_object_get(d, "paged")) == 0
	            ? buf_adds(b, "nobody", err)
	            : pages_names(json_object_get(d, "paged"), b, err)) == -1)
		return -1;
	if (json_array_size(json_object_get(d, "nobody")) == 0)
		return 0;
	return buf_adds(b, " (nobody on call for ", err) == -1 ||
	        pages_names(json_object_get(d, "nobody"), b, err) == -1
	    ? -1
	    : buf_adds(b, ")", err);
}

static int
pages_text_page(
    const char *k, const json_t *d, struct buf *b, int resolve, struct err *err)
{
	const char *what = resolve ? "PagerDuty resolve for" : "page to";
	long long att =
	    (long long)json_integer_value(json_object_get(d, "attempt"));
	long long tries =
	    (long long)json_integer_value(json_object_get(d, "attempts"));

	if (strcmp(k, "queued") == 0)
		return buf_printf(b, err, "%s %s%s%s queued: %s", what,
		    pages_str(d, "to"),
		    json_is_string(json_object_get(d, "via")) ? ", on call for "
		                                              : "",
		    json_is_string(json_object_get(d, "via"))
		        ? pages_str(d, "via")
		        : "",
		    pages_str(d, "text"));
	if (strcmp(k, "sent") == 0)
		return buf_printf(b, err, "%s %s sent via %s (attempt %lld)",
		    what, pages_str(d, "to"), pages_str(d, "channel"), att);
	if (strcmp(k, "failed") == 0)
		return buf_printf(b, err,
		    "%s %s via %s failed (attempt %lld): %s", what,
		    pages_str(d, "to"), pages_str(d, "channel"), att,
		    pages_str(d, "error"));
	if (strcmp(k, "undeliverable") == 0)
		return buf_printf(b, err,
		    "%s %s UNDELIVERABLE after %lld attempt%s: %s", what,
		    pages_str(d, "to"), tries, words_s(tries),
		    pages_str(d, "error"));
	if (strcmp(k, "cancelled") == 0)
		return buf_printf(b, err, "%s %s cancelled: %s", what,
		    pages_str(d, "to"), pages_str(d, "reason"));
	return 1;
}

int
pages_text(const char *kind, const json_t *d, struct buf *b, struct err *err)
{
	if (strncmp(kind, "page.resolve.", 13) == 0)
		return pages_text_page(kind + 13, d, b, 1, err);
	if (strncmp(kind, "page.", 5) == 0)
		return pages_text_page(kind + 5, d, b, 0, err);
	if (strncmp(kind, "escalation.", 11) == 0)
		return pages_text_escalation(kind + 11, d, b, err);
	if (strcmp(kind, "oncall.override") == 0)
		return buf_printf(b, err,
		    "override: %s on call for %s, %s to %s",
		    pages_str(d, "who"), pages_str(d, "rotation"),
		    pages_str(d, "from"), pages_str(d, "to"));
	if (strcmp(kind, "oncall.override.remove") == 0)
		return buf_printf(b, err, "override %lld removed",
		    (long long)json_integer_value(
		        json_object_get(d, "override")));
	if (strcmp(kind, "paging.start") == 0) {
		long long n = (long long)json_integer_value(
		    json_object_get(d, "open_not_paged"));

		return buf_printf(b, err,
		    "paging switched on (%lld open incident%s not paged)", n,
		    words_s(n));
	}
	return 1;
}
