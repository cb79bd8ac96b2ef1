/* rb_apply.c: a live run held to a stored plan (see rb_apply.h). */
#include "rb_apply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "rb_runs.h"

int
rb_apply_init(
    struct rb_apply *a, int64_t plan_id, const json_t *effects, struct err *err)
{
	const json_t *e;
	size_t i;
	int written = 0;

	memset(a, 0, sizeof *a);
	a->plan_id = plan_id;
	a->pre = json_array();
	a->writes = json_array();
	if (a->pre == NULL || a->writes == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	json_array_foreach(effects, i, e)
	{
		if (json_is_true(json_object_get(e, "undo")))
			continue;
		if (json_is_true(json_object_get(e, "write"))) {
			written = 1;
			json_array_append(a->writes, (json_t *)e);
		} else if (!written && json_object_get(e, "read") != NULL) {
			json_array_append(a->pre, (json_t *)e);
		}
	}
	return 0;
}

void
rb_apply_done(struct rb_apply *a)
{
	json_decref(a->pre);
	json_decref(a->writes);
	a->pre = a->writes = NULL;
}

/* "GET http://x/y" for an HTTP effect, else "kind target". */
static void
rb_apply_name(const json_t *e, char *out, size_t n)
{
	const char *m = json_string_value(json_object_get(e, "method"));

	snprintf(out, n, "%.20s %.400s",
	    m ? m : json_string_value(json_object_get(e, "kind")),
	    json_string_value(json_object_get(e, "target")));
}

static int rb_apply_refuse(struct rb_apply *a, struct err *err, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
rb_apply_refuse(struct rb_apply *a, struct err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
	a->refused = 1;
	return err_set(err, ERR_REFUSED, "%s", a->msg);
}

static int
rb_apply_same_place(const json_t *a, const json_t *b)
{
	return json_equal(
	           json_object_get(a, "kind"), json_object_get(b, "kind")) &&
	    json_equal(
	        json_object_get(a, "target"), json_object_get(b, "target"));
}

int
rb_apply_read(struct rb_apply *a, const json_t *entry, const json_t *seen,
    struct err *err)
{
	const json_t *want, *was;
	char name[440], what[600];

	if (a->write_i > 0 || a->pre_i >= json_array_size(a->pre))
		return 0;
	want = json_array_get(a->pre, a->pre_i++);
	was = json_object_get(want, "read");
	rb_apply_name(want, name, sizeof name);
	if (!rb_apply_same_place(want, entry)) {
		char got[440];
		rb_apply_name(entry, got, sizeof got);
		return rb_apply_refuse(a, err,
		    "plan %lld is stale: it read %s before its first write, "
		    "this run read %s (make a new plan with --dry-run)",
		    (long long)a->plan_id, name, got);
	}
	if (json_equal(json_object_get(was, "sha256"),
	        json_object_get(seen, "sha256")))
		return 0;
	plan_read_change(was, seen, what, sizeof what);
	return rb_apply_refuse(a, err,
	    "plan %lld is stale: %s: %s (make a new plan with --dry-run)",
	    (long long)a->plan_id, name, what);
}

int
rb_apply_write(struct rb_apply *a, const json_t *entry, struct err *err)
{
	const json_t *want;
	char name[440], got[440];
	json_t *kw, *kg;
	int same;

	rb_apply_name(entry, got, sizeof got);
	if (a->write_i == 0 && a->pre_i < json_array_size(a->pre)) {
		rb_apply_name(
		    json_array_get(a->pre, a->pre_i), name, sizeof name);
		return rb_apply_refuse(a, err,
		    "plan %lld: this run reached its first write (%s) "
		    "without reading %s as the plan did; nothing was "
		    "written",
		    (long long)a->plan_id, got, name);
	}
	if (a->write_i >= json_array_size(a->writes))
		return rb_apply_refuse(a, err,
		    "plan %lld does not hold this write: %s (the plan has "
		    "%zu write%s); it was not made",
		    (long long)a->plan_id, got, json_array_size(a->writes),
		    json_array_size(a->writes) == 1 ? "" : "s");
	want = json_array_get(a->writes, a->write_i);
	rb_apply_name(want, name, sizeof name);
	kw = rb_runs_key(want);
	kg = rb_runs_key(entry);
	/* a file write's diff depends on the file now, which the payload's
	 * hash already pins: compared without it */
	json_object_del(kw, "diff");
	json_object_del(kg, "diff");
	same = json_equal(kw, kg);
	json_decref(kw);
	json_decref(kg);
	if (!rb_apply_same_place(want, entry))
		return rb_apply_refuse(a, err,
		    "plan %lld does not hold this write: %s (its write %zu "
		    "is %s); it was not made",
		    (long long)a->plan_id, got, a->write_i + 1, name);
	if (!same)
		return rb_apply_refuse(a, err,
		    "plan %lld: write %zu (%s) would send something else "
		    "than the plan holds (see: owl plan show %lld); it was "
		    "not made",
		    (long long)a->plan_id, a->write_i + 1, got,
		    (long long)a->plan_id);
	a->write_i++;
	return 0;
}

void
rb_apply_accept(struct rb_apply *a, const json_t *entry)
{
	a->pre_i = json_array_size(a->pre);
	a->refused = 0;
	a->msg[0] = '\0';
	if (a->write_i < json_array_size(a->writes) &&
	    rb_apply_same_place(json_array_get(a->writes, a->write_i), entry))
		a->write_i++;
}
