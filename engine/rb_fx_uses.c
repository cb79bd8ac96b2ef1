/* rb_fx_uses.c: the parts of an HTTP read that the runbook declared it
 * uses (`http.get(url, { uses = { "rate_limit", "batches.*.state" } })`):
 * a read's precondition covers its status and those parts of its JSON
 * answer only, so that a counter the runbook never looks at (spend, calls
 * this minute) does not make every plan stale (see rb_fx.h). */
#include "rb_fx.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

int
rb_fx_uses_check(const json_t *uses, struct err *err)
{
	const json_t *u;
	const char *s;
	size_t i;

	if (uses == NULL)
		return 0;
	if (!json_is_array(uses) || json_array_size(uses) == 0 ||
	    json_array_size(uses) > RB_FX_USES_MAX)
		return err_set(err, ERR_USAGE,
		    "http: uses must list 1 to %d paths", RB_FX_USES_MAX);
	json_array_foreach(uses, i, u)
	{
		s = json_string_value(u);
		if (s == NULL || *s == '\0' || strlen(s) > RB_FX_USES_PATH ||
		    *s == '.' || s[strlen(s) - 1] == '.' ||
		    strstr(s, "..") != NULL)
			return err_set(err, ERR_USAGE,
			    "http: uses: each path is field names joined "
			    "by dots (\"limits.rate\", \"items.*.state\"), at "
			    "most %d bytes",
			    RB_FX_USES_PATH);
	}
	return 0;
}

/* A 1-based index ("1", "12"), or 0. */
static size_t
rb_fx_uses_index(const char *seg)
{
	size_t n = strspn(seg, "0123456789");

	return n > 0 && n < 10 && seg[n] == '\0' && seg[0] != '0'
	    ? (size_t)strtoul(seg, NULL, 10)
	    : 0;
}

/* Adds to `into` (a new reference is returned; NULL: nothing there) the
 * parts of v that the path segs[0..n) names, keeping v's shape; a list or
 * object is made only when something in it is picked. */
static json_t *
rb_fx_uses_pick(const json_t *v, char **segs, size_t n, json_t *into)
{
	const char *k;
	json_t *x, *got;
	size_t i;

	if (v == NULL)
		return into;
	if (n == 0) {
		json_decref(into);
		return json_deep_copy(v);
	}
	if (json_is_array(v) &&
	    (strcmp(segs[0], "*") == 0 || rb_fx_uses_index(segs[0]) > 0)) {
		json_array_foreach(v, i, x)
		{
			if (strcmp(segs[0], "*") != 0 &&
			    i + 1 != rb_fx_uses_index(segs[0]))
				continue;
			got = json_is_array(into) ? json_array_get(into, i)
			                          : NULL;
			got = rb_fx_uses_pick(x, segs + 1, n - 1,
			    got && !json_is_null(got) ? json_incref(got)
			                              : NULL);
			if (got == NULL)
				continue;
			if (!json_is_array(into)) {
				/* positions hold: the others are null */
				json_decref(into);
				into = json_array();
				for (size_t j = 0; j < json_array_size(v); j++)
					json_array_append_new(
					    into, json_null());
			}
			json_array_set_new(into, i, got);
		}
		return into;
	}
	if (!json_is_object(v))
		return into;
	json_object_foreach((json_t *)v, k, x)
	{
		if (strcmp(segs[0], "*") != 0 && strcmp(segs[0], k) != 0)
			continue;
		got = json_is_object(into) ? json_object_get(into, k) : NULL;
		got = rb_fx_uses_pick(
		    x, segs + 1, n - 1, got ? json_incref(got) : NULL);
		if (got == NULL)
			continue;
		if (!json_is_object(into)) {
			json_decref(into);
			into = json_object();
		}
		json_object_set_new(into, k, got);
	}
	return into;
}

json_t *
rb_fx_uses_of(const json_t *doc, const json_t *uses)
{
	json_t *out = json_object(), *u;
	char *segs[RB_FX_USES_PATH / 2 + 1], copy[RB_FX_USES_PATH + 1];
	size_t i, n;

	json_array_foreach(uses, i, u)
	{
		snprintf(copy, sizeof copy, "%s", json_string_value(u));
		n = 0;
		for (char *save = NULL, *p = strtok_r(copy, ".", &save);
		     p != NULL && n < sizeof segs / sizeof segs[0];
		     p = strtok_r(NULL, ".", &save))
			segs[n++] = p;
		out = rb_fx_uses_pick(doc, segs, n, out);
	}
	return out ? out : json_object();
}

void
rb_fx_saw_uses(struct rb_fx_call *c, int status, const char *data, size_t n,
    const json_t *uses)
{
	json_t *t = rb_fx_text(c->e, data, n), *doc, *used;
	unsigned char md[HASH_LEN];
	char hex[HASH_HEX_LEN], head[32], *s;
	struct hash_ctx h;

	/* masked, as everything the plan keeps; not JSON: the whole answer */
	doc = t ? json_loadb(json_string_value(t), json_string_length(t),
	              JSON_DECODE_ANY, NULL)
	        : NULL;
	json_decref(t);
	if (doc == NULL) {
		rb_fx_saw(c, status, data, n);
		return;
	}
	used = rb_fx_uses_of(doc, uses);
	json_decref(doc);
	s = json_dumps(used, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	rb_fx_saw(c, status, data, n); /* size, status, the body shown */
	if (s == NULL || c->seen == NULL || hash_begin(&h) == -1) {
		free(s);
		json_decref(used);
		return;
	}
	snprintf(head, sizeof head, "%d\nuses\n", status);
	hash_update(&h, head, strlen(head));
	hash_update(&h, s, strlen(s));
	hash_end(&h, md);
	hash_hex(md, sizeof md, hex);
	free(s);
	json_object_set_new(c->seen, "sha256", json_string(hex));
	json_object_set_new(c->seen, "uses", json_deep_copy(uses));
	json_object_set_new(c->seen, "used", used);
}
