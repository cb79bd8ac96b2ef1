/* oncall.c: rotations from the config and who is on call when (see
 * oncall.h). Hand-offs are wall-clock times of the rotation's zone,
 * converted by tzone.c; overrides are laid over the shifts. */
#include "oncall.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"

#define ONCALL_DAY 86400

static const char *const oncall_days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	"Fri", "Sat" };
static const char *const oncall_day_names[] = { "Sunday", "Monday", "Tuesday",
	"Wednesday", "Thursday", "Friday", "Saturday" };

int
oncall_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= ONCALL_NAME_MAX &&
	    strspn(name,
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789._-@") == n;
}

/* "2026-01-05" into days since 1970-01-01. */
static int
oncall_parse_date(const char *s, int64_t *days)
{
	int y, m, d, n = 0;
	int64_t yy;
	int mm, dd;

	if (strlen(s) != 10 ||
	    sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*days = clock_days_from_civil(y, m, d);
	clock_civil_from_days(*days, &yy, &mm, &dd);
	return yy == y && mm == m && dd == d ? 0 : -1; /* no 2026-02-30 */
}

/* "Mon 09:00", "monday 9:00" or "09:00" into a weekday (-1: none) and
 * seconds of the day. */
static int
oncall_parse_handoff(const char *s, int *weekday, int *tod)
{
	int h, m, n = 0;

	*weekday = -1;
	if (isalpha((unsigned char)*s)) {
		size_t w = strcspn(s, " ");

		for (int i = 0; i < 7; i++)
			if (w >= 3 &&
			    strncasecmp(s, oncall_day_names[i], w) == 0)
				*weekday = i;
		if (*weekday < 0 || s[w] != ' ')
			return -1;
		s += w + strspn(s + w, " ");
	}
	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] != '\0' || h > 23 ||
	    m > 59 || h < 0 || m < 0)
		return -1;
	*tod = h * 3600 + m * 60;
	return 0;
}

static void
oncall_rotation_done(struct oncall_rotation *r)
{
	for (size_t i = 0; i < r->npeople; i++)
		free(r->people[i]);
	free(r->people);
	free(r->name);
	free(r->tz);
}

static void
oncall_override_done(struct oncall_override *o)
{
	free(o->rotation);
	free(o->who);
	free(o->note);
	free(o->created_by);
}

void
oncall_done(struct oncall *oc)
{
	for (size_t i = 0; i < oc->nrot; i++)
		oncall_rotation_done(&oc->rot[i]);
	free(oc->rot);
	for (size_t i = 0; i < oc->novr; i++)
		oncall_override_done(&oc->ovr[i]);
	free(oc->ovr);
	json_decref(oc->people);
	memset(oc, 0, sizeof *oc);
}

void
oncall_overrides_free(struct oncall_override *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		oncall_override_done(&v[i]);
	free(v);
}

static int
oncall_bad(struct err *err, const char *path, const char *fmt, const char *a)
{
	char msg[300];

	snprintf(msg, sizeof msg, fmt, a);
	return err_set(err, ERR_USAGE, "config: %s: %s", path, msg);
}

static int
oncall_people_list(struct oncall_rotation *r, const json_t *v, const char *path,
    struct err *err)
{
	size_t i;
	json_t *p;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return oncall_bad(
		    err, path, "%sexpected a list of names", "needs people: ");
	if ((r->people = calloc(json_array_size(v), sizeof *r->people)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	json_array_foreach(v, i, p)
	{
		if (!json_is_string(p) || !oncall_name_ok(json_string_value(p)))
			return oncall_bad(err, path,
			    "%s: a name of letters, digits, ._-@", "people");
		if ((r->people[r->npeople++] = strdup(json_string_value(p))) ==
		    NULL)
			return err_set(err, ERR_FAILED, "out of memory");
	}
	return 0;
}

/* The start, handoff and shift of a rotation, checked together. */
static int
oncall_rotation_times(struct oncall_rotation *r, const json_t *v,
    const char *path, struct err *err)
{
	const char *start = json_string_value(json_object_get(v, "start"));
	const char *hand = json_string_value(json_object_get(v, "handoff"));
	const char *shift = json_string_value(json_object_get(v, "shift"));
	int64_t days, us;
	int tod;
	struct err e2;

	if (start == NULL || oncall_parse_date(start, &days) == -1)
		return oncall_bad(err, path,
		    "start: want the local date of the first shift, e.g. "
		    "\"2026-01-05\"%s",
		    "");
	if (hand == NULL)
		hand = "09:00";
	if (oncall_parse_handoff(hand, &r->weekday, &tod) == -1)
		return oncall_bad(err, path,
		    "handoff: want \"HH:MM\" or \"Mon HH:MM\", not '%s'", hand);
	err_init(&e2);
	if (shift == NULL)
		shift = "1w";
	if (clock_parse_duration(shift, &us, &e2) == -1 ||
	    us % (60 * CLOCK_US_PER_SEC) != 0)
		return oncall_bad(err, path,
		    "shift: want a whole number of minutes such as 12h, 1d, "
		    "1w, not '%s'",
		    shift);
	r->shift = us / CLOCK_US_PER_SEC;
	if (r->weekday >= 0 && r->shift % (7 * ONCALL_DAY) != 0)
		return oncall_bad(err, path,
		    "a hand-off on a weekday needs whole weeks of shift, not "
		    "'%s'",
		    shift);
	/* 1970-01-01 was a Thursday */
	if (r->weekday >= 0 && ((days % 7 + 7 + 4) % 7) != r->weekday)
		return oncall_bad(err, path,
		    "start %s is not the hand-off's weekday (handoff = "
		    "\"Mon 09:00\" wants a Monday)",
		    start);
	r->start_local = days * ONCALL_DAY + tod;
	snprintf(r->start, sizeof r->start, "%s", start);
	snprintf(r->handoff, sizeof r->handoff, "%s%s%02d:%02d",
	    r->weekday >= 0 ? oncall_days[r->weekday] : "",
	    r->weekday >= 0 ? " " : "", tod / 3600, tod / 60 % 60);
	snprintf(r->shift_text, sizeof r->shift_text, "%s", shift);
	return 0;
}

static int
oncall_rotation_load(struct oncall_rotation *r, const char *name,
    const json_t *v, struct err *err)
{
	const char *tz;
	char path[160];

	snprintf(path, sizeof path, "oncall.rotations.%s", name);
	if (!oncall_name_ok(name))
		return oncall_bad(
		    err, path, "%sa name of letters, digits, ._-@", "want ");
	if (!json_is_object(v))
		return oncall_bad(err, path, "%sexpected a table", "");
	if ((r->name = strdup(name)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (oncall_people_list(r, json_object_get(v, "people"), path, err) ==
	        -1 ||
	    oncall_rotation_times(r, v, path, err) == -1)
		return -1;
	tz = json_string_value(json_object_get(v, "tz"));
	if (json_object_get(v, "tz") != NULL && tz == NULL)
		return oncall_bad(err, path, "tz: %sexpected a string", "");
	if ((r->tz = strdup(tz != NULL ? tz : "UTC")) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (tzone_check(r->tz, err) == -1) {
		err_prefix(err, "config: %s.tz: ", path);
		return -1;
	}
	return 0;
}

static int
oncall_cmp_rot(const void *a, const void *b)
{
	return strcmp(((const struct oncall_rotation *)a)->name,
	    ((const struct oncall_rotation *)b)->name);
}

static int
oncall_load_rotations(struct oncall *oc, const json_t *rots, struct err *err)
{
	const char *name;
	json_t *v;

	if (rots == NULL)
		return 0;
	if (!json_is_object(rots))
		return oncall_bad(err, "oncall.rotations",
		    "%sexpected a table of rotations by name", "");
	oc->rot = calloc(json_object_size(rots) + 1, sizeof *oc->rot);
	if (oc->rot == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	json_object_foreach((json_t *)rots, name, v)
	{
		if (oncall_rotation_load(&oc->rot[oc->nrot++], name, v, err) ==
		    -1)
			return -1;
		if (json_object_get(oc->people, name) != NULL)
			return oncall_bad(err, "oncall",
			    "'%s' is both a person and a rotation: rename one",
			    name);
	}
	qsort(oc->rot, oc->nrot, sizeof *oc->rot, oncall_cmp_rot);
	return 0;
}

static int
oncall_override_load(struct oncall *oc, struct oncall_override *o,
    const json_t *v, size_t i, struct err *err)
{
	const char *rot = json_string_value(json_object_get(v, "rotation"));
	const char *who = json_string_value(json_object_get(v, "who"));
	const char *from = json_string_value(json_object_get(v, "from"));
	const char *to = json_string_value(json_object_get(v, "to"));
	const char *note = json_string_value(json_object_get(v, "note"));
	char path[64];

	snprintf(path, sizeof path, "oncall.overrides[%zu]", i + 1);
	if (rot == NULL || oncall_rotation(oc, rot) == NULL)
		return oncall_bad(
		    err, path, "rotation: %sname one of oncall.rotations", "");
	if (who == NULL || !oncall_name_ok(who))
		return oncall_bad(err, path, "who: %sa person's name", "want ");
	if (from == NULL || to == NULL || clock_parse(from, &o->from, NULL) ||
	    clock_parse(to, &o->to, NULL) || o->to <= o->from)
		return oncall_bad(err, path,
		    "from, to: %sRFC 3339 times, to after from", "want ");
	o->rotation = strdup(rot);
	o->who = strdup(who);
	o->note = note != NULL ? strdup(note) : NULL;
	if (o->rotation == NULL || o->who == NULL ||
	    (note != NULL && o->note == NULL))
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

int
oncall_load(const struct config *c, struct oncall *oc, struct err *err)
{
	const json_t *root = config_get(c, "oncall"), *people, *ovr, *v;
	const char *name;
	size_t i;

	memset(oc, 0, sizeof *oc);
	if (root == NULL)
		return 0;
	if (!json_is_object(root))
		return oncall_bad(err, "oncall", "%sexpected a table", "");
	people = json_object_get(root, "people");
	if (people != NULL && !json_is_object(people))
		return oncall_bad(err, "oncall.people",
		    "%sexpected a table of people by name", "");
	oc->people =
	    people != NULL ? json_incref((json_t *)people) : json_object();
	json_object_foreach((json_t *)people, name, v)
	{
		if (!oncall_name_ok(name) || !json_is_object(v))
			return oncall_bad(err, "oncall.people",
			    "'%s': want a name of letters, digits, ._-@ and a "
			    "table of channels",
			    name);
	}
	if (oncall_load_rotations(
	        oc, json_object_get(root, "rotations"), err) == -1)
		goto fail;
	ovr = json_object_get(root, "overrides");
	if (ovr != NULL && !json_is_array(ovr)) {
		oncall_bad(err, "oncall.overrides", "%sexpected a list", "");
		goto fail;
	}
	if (ovr != NULL &&
	    (oc->ovr = calloc(json_array_size(ovr) + 1, sizeof *oc->ovr)) ==
	        NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto fail;
	}
	json_array_foreach(ovr, i, v)
	{
		oc->novr++;
		if (oncall_override_load(oc, &oc->ovr[i], v, i, err) == -1)
			goto fail;
	}
	return 0;
fail:
	oncall_done(oc);
	return -1;
}

const struct oncall_rotation *
oncall_rotation(const struct oncall *oc, const char *name)
{
	for (size_t i = 0; i < oc->nrot; i++)
		if (strcmp(oc->rot[i].name, name) == 0)
			return &oc->rot[i];
	return NULL;
}

const json_t *
oncall_person(const struct oncall *oc, const char *name)
{
	return oc->people != NULL ? json_object_get(oc->people, name) : NULL;
}

int
oncall_handoff(
    const struct oncall_rotation *r, int64_t k, int64_t *at, struct err *err)
{
	int64_t utc;

	if (tzone_to_utc(r->tz, r->start_local + k * r->shift, &utc, err) == -1)
		return -1;
	*at = utc * CLOCK_US_PER_SEC;
	return 0;
}

static int64_t
oncall_floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int
oncall_shift_at(const struct oncall_rotation *r, int64_t t,
    struct oncall_shift *sh, struct err *err)
{
	int64_t first, k, a, b;

	if (oncall_handoff(r, 0, &first, err) == -1)
		return -1;
	if (t < first) {
		*sh = (struct oncall_shift){ -1, NULL, INT64_MIN, first };
		return 0;
	}
	/* a guess from elapsed time, then exact against the wall clock */
	k = oncall_floordiv(t - first, r->shift * CLOCK_US_PER_SEC);
	for (int i = 0; i < 8; i++) {
		if (oncall_handoff(r, k, &a, err) == -1 ||
		    oncall_handoff(r, k + 1, &b, err) == -1)
			return -1;
		if (a > t && k > 0)
			k--;
		else if (b <= t)
			k++;
		else
			break;
	}
	sh->index = k;
	sh->person = r->people[k % (int64_t)r->npeople];
	sh->from = a;
	sh->to = b;
	return 0;
}

int
oncall_format_local(
    const char *tz, int64_t t, char *human, char *rfc, struct err *err)
{
	char abbr[TZONE_ABBR_MAX];
	int64_t local, days, y, s;
	int off, m, d;

	if (tzone_to_local(tz, oncall_floordiv(t, CLOCK_US_PER_SEC), &local,
	        &off, abbr, err) == -1)
		return -1;
	days = oncall_floordiv(local, ONCALL_DAY);
	s = local - days * ONCALL_DAY;
	clock_civil_from_days(days, &y, &m, &d);
	if (human != NULL)
		snprintf(human, 64, "%04" PRId64 "-%02d-%02d %s %02d:%02d %s",
		    y, m, d, oncall_days[(days % 7 + 7 + 4) % 7],
		    (int)(s / 3600), (int)(s / 60 % 60), abbr);
	if (rfc != NULL)
		snprintf(rfc, 64,
		    "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m,
		    d, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60),
		    off < 0 ? '-' : '+', abs(off) / 3600, abs(off) / 60 % 60);
	return 0;
}
