/* actlog_text_fast.c: the alerts' entries (most of a storm's log) told
 * with no tree of their detail, for the readers that give none (owl
 * show, the TUI's incident and log views): the few strings a sentence
 * uses read by jscan, the labels by jscan_pairs, and the entries that
 * teach nothing not read at all. When jscan is not sure (an escape, a
 * key twice, text that is not valid UTF-8 or not JSON), the caller
 * parses the detail: the sentences and the memory are the same. */
#include "actlog_text_int.h"

#include <string.h>

#include "jscan.h"
#include "sanitize.h"

#define AT_FAST_LABELS 64 /* labels read with no tree */

/* An alert's entry as read. */
struct at_fast {
	struct actlog_alert a;
	const char *k[AT_FAST_LABELS], *v[AT_FAST_LABELS];
	char str[1024]; /* the strings, NUL-terminated */
	char labels[4096];
};

/* The strings, in the order of at_fast_str, then the labels. */
static const struct jscan_want at_fast_want[] = {
	{ "fingerprint", 0 },
	{ "annotations.summary", 0 },
	{ "status", 0 },
	{ "severity", 0 },
	{ "labels", 1 },
};

static const char **
at_fast_str(struct at_fast *f, size_t i)
{
	const char **s[] = { &f->a.fingerprint, &f->a.summary, &f->a.status,
		&f->a.severity };

	return s[i];
}

/* Reads e's detail: all of at_fast_want for an alert.new (isnew), its
 * fingerprint for the others. 0, or -1 when not sure. */
static int
at_fast_read(const struct actlog_entry *e, int isnew, struct at_fast *f)
{
	struct jscan_val v[sizeof at_fast_want / sizeof at_fast_want[0]];
	size_t n = isnew ? sizeof at_fast_want / sizeof at_fast_want[0] : 1;
	size_t len = 0;
	int m;

	memset(&f->a, 0, sizeof f->a);
	/* jansson refuses text that is not UTF-8 (the tree is then {}) */
	if (e->detail == NULL ||
	    !sanitize_is_utf8(e->detail, strlen(e->detail)) ||
	    jscan_get(e->detail, at_fast_want, n, v) == -1)
		return -1;
	for (size_t i = 0; i < n && i < 4; i++) {
		if (v[i].p == NULL)
			continue;
		if (len + v[i].n + 1 > sizeof f->str)
			return -1;
		memcpy(f->str + len, v[i].p, v[i].n);
		f->str[len + v[i].n] = '\0';
		*at_fast_str(f, i) = f->str + len;
		len += v[i].n + 1;
	}
	if (!isnew)
		return 0;
	if ((m = jscan_pairs(v[4].p, v[4].n, f->labels, sizeof f->labels, f->k,
	         f->v, AT_FAST_LABELS)) < 0)
		return -1;
	f->a.key = f->k;
	f->a.val = f->v;
	f->a.nlabels = (size_t)m;
	return 0;
}

static int
at_fast_isnew(const struct actlog_entry *e)
{
	return e->kind != NULL && strcmp(e->kind, "alert.new") == 0;
}

int
at_fast_learn(struct actlog_text *t, const struct actlog_entry *e)
{
	struct at_fast f;

	if (!at_fast_isnew(e))
		return at_learns_run(e) ? 1 : 0; /* else nothing to learn */
	return at_fast_read(e, 1, &f) == -1 ? 1 : at_learn_alert(t, &f.a);
}

int
at_fast_line(struct actlog_text *t, const struct actlog_entry *e,
    struct buf *out, struct err *err)
{
	const char *k = e->kind ? e->kind : "";
	struct at_fast f;

	if (at_fast_isnew(e))
		return at_fast_read(e, 1, &f) == -1
		    ? 1
		    : actlog_text_alert_new(t, &f.a, out, err);
	if ((strcmp(k, "alert.resolve") != 0 &&
	        strcmp(k, "alert.refire") != 0) ||
	    at_learns_run(e) || at_fast_read(e, 0, &f) == -1)
		return 1;
	return actlog_text_alert_change(t, k, f.a.fingerprint, out, err);
}
