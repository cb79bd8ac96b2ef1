/* plan_text.c: a plan's effects as a person reads them (every write in
 * full), the difference between two plans, and how a read's result
 * changed since its plan (see plan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "rb_diff.h"
#include "rb_runs.h"

#define PLAN_VALUE_MAX 80 /* bytes of a value quoted in a one-line change */

/* "N bytes, sha256 0123456789ab" for {"bytes", "sha256"}. */
static int
plan_text_hash(
    struct buf *out, const char *label, const json_t *h, struct err *err)
{
	return buf_printf(out, err, "%s: %lld bytes, sha256 %.12s\n", label,
	    (long long)json_integer_value(json_object_get(h, "bytes")),
	    json_string_value(json_object_get(h, "sha256")));
}

static int
plan_text_lines(struct buf *out, const char *s, struct err *err)
{
	if (buf_adds(out, s, err) == -1)
		return -1;
	if (s[0] != '\0' && s[strlen(s) - 1] != '\n')
		return buf_addc(out, '\n', err);
	return 0;
}

static int
plan_text_payload(
    const json_t *e, const json_t *p, struct buf *out, struct err *err)
{
	const char *target = json_string_value(json_object_get(e, "target"));
	const json_t *v, *x;
	const char *k;
	char *s;
	size_t i;
	int rc = 0;

	json_object_foreach((json_t *)json_object_get(p, "headers"), k, v) rc |=
	    buf_printf(out, err, "%s: %s\n", k,
	        json_is_string(v) ? json_string_value(v) : "?");
	if ((v = json_object_get(p, "json")) != NULL) {
		s = json_dumps(
		    v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		rc |= plan_text_lines(out, s ? s : "?", err);
		free(s);
	}
	v = json_object_get(p, "body");
	if (json_is_string(v))
		rc |= plan_text_lines(out, json_string_value(v), err);
	else if (v != NULL)
		rc |= plan_text_hash(out, "body", v, err);
	if (json_array_size(v = json_object_get(p, "env")) > 0) {
		rc |= buf_adds(out, "env:", err);
		json_array_foreach(v, i, x) rc |=
		    buf_printf(out, err, " %s", json_string_value(x));
		rc |= buf_addc(out, '\n', err);
	}
	if ((v = json_object_get(p, "stdin")) != NULL)
		rc |= plan_text_hash(out, "stdin", v, err);
	if (json_is_string(v = json_object_get(p, "mode")))
		rc |= buf_printf(out, err, "mode: %s\n", json_string_value(v));
	if ((v = json_object_get(p, "content")) != NULL)
		rc |= plan_text_hash(out, "content", v, err);
	v = json_object_get(p, "text");
	if (json_is_string(v) &&
	    (target == NULL || strcmp(target, json_string_value(v)) != 0))
		rc |= plan_text_lines(out, json_string_value(v), err);
	return rc ? -1 : 0;
}

/* "  uses: {"rate_limit":600}": what a read's precondition covers. */
static int
plan_text_used(const json_t *used, struct buf *out, struct err *err)
{
	char *s = json_dumps(used, JSON_COMPACT | JSON_ENCODE_ANY);
	int rc = buf_printf(out, err, "  uses: %.300s%s\n", s ? s : "?",
	    s && strlen(s) > 300 ? "..." : "");

	free(s);
	return rc;
}

int
plan_effect_text(const json_t *e, struct buf *out, struct err *err)
{
	const json_t *v, *x, *r = json_object_get(e, "read");
	size_t i;
	int rc = 0;

	if ((v = json_object_get(e, "payload")) != NULL &&
	    plan_text_payload(e, v, out, err) == -1)
		return -1;
	if (json_array_size(v = json_object_get(e, "secrets")) > 0) {
		rc |= buf_adds(out, "secrets:", err);
		json_array_foreach(v, i, x) rc |=
		    buf_printf(out, err, " %s", json_string_value(x));
		rc |= buf_adds(out, " (values never shown)\n", err);
	}
	if (r != NULL) {
		rc |= buf_adds(out, "read:", err);
		if (json_is_integer(v = json_object_get(r, "status")))
			rc |= buf_printf(out, err, " status %lld,",
			    (long long)json_integer_value(v));
		if (json_is_true(json_object_get(r, "missing")))
			rc |= buf_adds(out, " missing,", err);
		rc |= buf_printf(out, err, " %lld bytes, sha256 %.12s%s\n",
		    (long long)json_integer_value(json_object_get(r, "bytes")),
		    json_string_value(json_object_get(r, "sha256")),
		    json_object_get(r, "used") ? " (of the parts used)" : "");
		if ((v = json_object_get(r, "used")) != NULL)
			rc |= plan_text_used(v, out, err);
		v = json_object_get(r, "body");
		if (json_is_string(v) && json_string_length(v) <= 200 &&
		    strchr(json_string_value(v), '\n') == NULL)
			rc |= buf_printf(
			    out, err, "  %s\n", json_string_value(v));
	}
	return rc ? -1 : 0;
}

/* The writes (not undo) of a plan, in order. */
static json_t *
plan_text_writes(const json_t *effects)
{
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(
	    effects, i, e) if (json_is_true(json_object_get(e, "write")) &&
	    !json_is_true(json_object_get(e, "undo")))
	    json_array_append(out, e);
	return out;
}

static int
plan_text_same_place(const json_t *a, const json_t *b)
{
	return json_equal(
	           json_object_get(a, "kind"), json_object_get(b, "kind")) &&
	    json_equal(
	        json_object_get(a, "target"), json_object_get(b, "target"));
}

static int
plan_text_same_kind(const json_t *a, const json_t *b)
{
	return json_equal(
	    json_object_get(a, "kind"), json_object_get(b, "kind"));
}

/* Nonzero when x's place comes in list from index from on. */
static int
plan_text_later(const json_t *list, size_t from, const json_t *x)
{
	for (size_t k = from; k < json_array_size(list); k++)
		if (plan_text_same_place(json_array_get(list, k), x))
			return 1;
	return 0;
}

static int
plan_text_same(const json_t *a, const json_t *b)
{
	json_t *ka = rb_runs_key(a), *kb = rb_runs_key(b);
	int same = json_equal(ka, kb);

	json_decref(ka);
	json_decref(kb);
	return same;
}

/* The whole text of a write: its line, its request, its diff. */
static char *
plan_text_whole(const json_t *e)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, NULL, "%s %s\n",
	    json_string_value(json_object_get(e, "kind")),
	    json_string_value(json_object_get(e, "target")));
	plan_effect_text(e, &b, NULL);
	if (json_is_string(json_object_get(e, "diff")))
		plan_text_lines(
		    &b, json_string_value(json_object_get(e, "diff")), NULL);
	return buf_steal(&b);
}

static void
plan_text_change(
    json_t *out, const char *what, const json_t *e, const char *diff)
{
	json_t *c = json_pack("{s:s, s:O, s:O}", "change", what, "kind",
	    json_object_get(e, "kind"), "target", json_object_get(e, "target"));

	if (c != NULL && diff != NULL)
		json_object_set_new(c, "diff", json_string(diff));
	json_array_append_new(out, c);
}

static int
plan_text_changed(
    json_t *out, const json_t *a, const json_t *b, struct err *err)
{
	char *ta = plan_text_whole(a), *tb = plan_text_whole(b);
	struct buf d;
	int rc;

	buf_init(&d, 0);
	rc = rb_diff_unified(ta ? ta : "", ta ? strlen(ta) : 0, tb ? tb : "",
	    tb ? strlen(tb) : 0, "write", &d, err);
	if (rc == 0) {
		/* the "--- a/ +++ b/" header names no file here */
		const char *h = buf_str(&d), *nl;
		for (int k = 0; k < 2 && (nl = strchr(h, '\n')) != NULL; k++)
			h = nl + 1;
		plan_text_change(out, "changed", b, h);
	}
	buf_done(&d);
	free(ta);
	free(tb);
	return rc;
}

json_t *
plan_diff(const json_t *pa, const json_t *pb, struct err *err)
{
	json_t *a = plan_text_writes(pa), *b = plan_text_writes(pb);
	json_t *out = json_array();
	size_t na = json_array_size(a), nb = json_array_size(b), i = 0, j = 0,
	       k;

	/* Walk both in order; b's next write found later in a means a's
	 * writes up to it were removed, not found means it was added. */
	while (out != NULL && (i < na || j < nb)) {
		json_t *x = i < na ? json_array_get(a, i) : NULL;
		json_t *y = j < nb ? json_array_get(b, j) : NULL;
		if (x && y && plan_text_same_place(x, y)) {
			if (!plan_text_same(x, y) &&
			    plan_text_changed(out, x, y, err) == -1) {
				json_decref(out);
				out = NULL;
			}
			i++, j++;
			continue;
		}
		for (k = i; y && k < na; k++)
			if (plan_text_same_place(json_array_get(a, k), y))
				break;
		if (x && y && k == na && plan_text_same_kind(x, y) &&
		    !plan_text_later(b, j, x)) {
			/* the same kind of write in the same place, to
			 * another target (a notification's text) */
			if (plan_text_changed(out, x, y, err) == -1) {
				json_decref(out);
				out = NULL;
			}
			i++, j++;
			continue;
		}
		if (y && k < na) {
			for (; i < k; i++)
				plan_text_change(
				    out, "removed", json_array_get(a, i), NULL);
		} else if (y) {
			plan_text_change(out, "added", y, NULL);
			j++;
		} else {
			plan_text_change(out, "removed", x, NULL);
			i++;
		}
	}
	json_decref(a);
	json_decref(b);
	return out;
}

/* v as JSON text, cut to PLAN_VALUE_MAX bytes. */
static void
plan_text_value(const json_t *v, char *out, size_t n)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	snprintf(out, n, "%.*s%s", PLAN_VALUE_MAX, s ? s : "absent",
	    s && strlen(s) > PLAN_VALUE_MAX ? "..." : "");
	free(s);
}

/* Finds the first member that differs between a and b, writing "PATH
 * was A, now B" to out; 1 when found. */
static int
plan_text_first(
    const json_t *a, const json_t *b, const char *path, char *out, size_t n)
{
	char sub[512], va[PLAN_VALUE_MAX + 8], vb[PLAN_VALUE_MAX + 8];
	const char *k;
	json_t *v;
	size_t i;

	if (json_equal(a, b))
		return 0;
	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach((json_t *)a, k, v)
		{
			snprintf(sub, sizeof sub, "%.300s%s%.200s", path,
			    path[0] ? "." : "", k);
			if (plan_text_first(
			        v, json_object_get(b, k), sub, out, n))
				return 1;
		}
		json_object_foreach((json_t *)b, k, v)
		{
			snprintf(sub, sizeof sub, "%.300s%s%.200s", path,
			    path[0] ? "." : "", k);
			if (json_object_get(a, k) == NULL)
				return plan_text_first(NULL, v, sub, out, n);
		}
	}
	if (json_is_array(a) && json_is_array(b) &&
	    json_array_size(a) == json_array_size(b)) {
		json_array_foreach((json_t *)a, i, v)
		{
			snprintf(sub, sizeof sub, "%.400s[%zu]", path, i);
			if (plan_text_first(
			        v, json_array_get(b, i), sub, out, n))
				return 1;
		}
	}
	plan_text_value(a, va, sizeof va);
	plan_text_value(b, vb, sizeof vb);
	snprintf(
	    out, n, "%s was %s, now %s", path[0] ? path : "the answer", va, vb);
	return 1;
}

void
plan_read_change(const json_t *was, const json_t *now, char *out, size_t n)
{
	const json_t *sa = json_object_get(was, "status");
	const json_t *sb = json_object_get(now, "status");
	const json_t *ba = json_object_get(was, "body");
	const json_t *bb = json_object_get(now, "body");
	json_t *ja = NULL, *jb = NULL;

	if (!((sa == NULL && sb == NULL) || json_equal(sa, sb)) ||
	    json_is_true(json_object_get(was, "missing")) !=
	        json_is_true(json_object_get(now, "missing"))) {
		if (json_is_integer(sa) && json_is_integer(sb))
			snprintf(out, n, "status was %lld, now %lld",
			    (long long)json_integer_value(sa),
			    (long long)json_integer_value(sb));
		else
			snprintf(out, n, "it was %s, now %s",
			    json_is_true(json_object_get(was, "missing"))
			        ? "missing"
			        : "there",
			    json_is_true(json_object_get(now, "missing"))
			        ? "missing"
			        : "there");
		return;
	}
	/* a read that declared what it uses: what changed among those */
	if (json_object_get(was, "used") != NULL &&
	    plan_text_first(json_object_get(was, "used"),
	        json_object_get(now, "used"), "", out, n))
		return;
	if (json_is_string(ba) && json_is_string(bb) &&
	    (ja = json_loads(json_string_value(ba), JSON_DECODE_ANY, NULL)) !=
	        NULL &&
	    (jb = json_loads(json_string_value(bb), JSON_DECODE_ANY, NULL)) !=
	        NULL &&
	    plan_text_first(ja, jb, "", out, n)) {
		json_decref(ja);
		json_decref(jb);
		return;
	}
	json_decref(ja);
	json_decref(jb);
	if (json_is_string(ba) && json_is_string(bb)) {
		char va[PLAN_VALUE_MAX + 8], vb[PLAN_VALUE_MAX + 8];
		plan_text_value(ba, va, sizeof va);
		plan_text_value(bb, vb, sizeof vb);
		snprintf(out, n, "content was %s, now %s", va, vb);
		return;
	}
	snprintf(out, n,
	    "content changed (sha256 %.12s, now %.12s; %lld -> %lld bytes)",
	    json_string_value(json_object_get(was, "sha256")),
	    json_string_value(json_object_get(now, "sha256")),
	    (long long)json_integer_value(json_object_get(was, "bytes")),
	    (long long)json_integer_value(json_object_get(now, "bytes")));
}
