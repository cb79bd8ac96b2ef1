/* tzone.c: wall-clock time in a named zone with glibc's localtime_r and
 * the system zone database (see tzone.h for why TZ is switched under a
 * mutex). Only tm_gmtoff is asked of the C library; the calendar is
 * clock.c's. */
#include "tzone.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The environment is the process's, so is this lock: the one piece of
 * global state the C library's design forces on us. */
static pthread_mutex_t tzone_lock = PTHREAD_MUTEX_INITIALIZER;

#define TZONE_PROBE_SPAN (52 * 3600) /* a zone moves by at most a day */
#define TZONE_PROBE_STEP (4 * 3600)

void
tzone_init(void)
{
	if (getenv("TZ") == NULL)
		setenv("TZ", ":/etc/localtime", 0); /* glibc's default zone */
}

static int
tzone_name_ok(const char *zone)
{
	size_t n = strlen(zone);

	if (n == 0 || n >= TZONE_NAME_MAX || zone[0] == '/' || zone[0] == '-' ||
	    strstr(zone, "..") != NULL)
		return 0;
	return strspn(zone,
	           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	           "0123456789_+-/") == n;
}

int
tzone_check(const char *zone, struct err *err)
{
	const char *dir = getenv("TZDIR");
	char path[4200], magic[4];
	ssize_t r;
	int fd;

	if (!tzone_name_ok(zone))
		return err_set(err, ERR_USAGE,
		    "'%s' is not a time zone name (e.g. Europe/Berlin, UTC)",
		    zone);
	snprintf(path, sizeof path, "%s/%s",
	    dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo", zone);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(err, ERR_USAGE,
		    "time zone %s: %s (is Debian's tzdata installed? see: "
		    "ls /usr/share/zoneinfo)",
		    zone,
		    errno == ENOENT ? "not in the zone database"
		                    : strerror(errno));
	r = read(fd, magic, sizeof magic);
	close(fd);
	if (r != (ssize_t)sizeof magic || memcmp(magic, "TZif", 4) != 0)
		return err_set(
		    err, ERR_USAGE, "time zone %s: not a zone file", zone);
	return 0;
}

/* Holds the lock with TZ set to zone; *saved keeps the old value. */
static int
tzone_enter(const char *zone, char **saved, struct err *err)
{
	char tz[TZONE_NAME_MAX + 2];
	const char *old;

	if (tzone_check(zone, err) == -1)
		return -1;
	pthread_mutex_lock(&tzone_lock);
	old = getenv("TZ");
	*saved = old != NULL ? strdup(old) : NULL;
	snprintf(tz, sizeof tz, ":%s", zone);
	if ((old != NULL && *saved == NULL) || setenv("TZ", tz, 1) == -1) {
		free(*saved);
		pthread_mutex_unlock(&tzone_lock);
		return err_set(
		    err, ERR_FAILED, "time zone %s: out of memory", zone);
	}
	tzset();
	return 0;
}

static void
tzone_leave(char *saved)
{
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ"); /* only when tzone_init was not called */
	tzset();
	free(saved);
	pthread_mutex_unlock(&tzone_lock);
}

/* The offset of the current TZ at UTC second t (lock held). */
static int
tzone_off(int64_t t, char *abbr)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	if (abbr != NULL)
		snprintf(abbr, TZONE_ABBR_MAX, "%s",
		    tm.tm_zone != NULL ? tm.tm_zone : "");
	return (int)tm.tm_gmtoff;
}

int
tzone_to_local(const char *zone, int64_t utc, int64_t *local, int *offset,
    char abbr[TZONE_ABBR_MAX], struct err *err)
{
	char *saved;
	int off;

	if (tzone_enter(zone, &saved, err) == -1)
		return -1;
	off = tzone_off(utc, abbr);
	tzone_leave(saved);
	*local = utc + off;
	if (offset != NULL)
		*offset = off;
	return 0;
}

/* The first instant in [lo, hi] whose wall clock reads local or later:
 * the end of a gap (lock held). */
static int64_t
tzone_gap_end(int64_t local, int64_t lo, int64_t hi)
{
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;

		if (mid + tzone_off(mid, NULL) >= local)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Every offset the zone has within a day or two of local, as candidate
 * instants local - offset; the valid ones read local on the wall clock. */
static int64_t
tzone_resolve(int64_t local)
{
	int64_t best = INT64_MAX, lo = INT64_MAX, hi = INT64_MIN, t;

	for (int64_t d = -TZONE_PROBE_SPAN; d <= TZONE_PROBE_SPAN;
	     d += TZONE_PROBE_STEP) {
		t = local - tzone_off(local + d, NULL);
		if (t < lo)
			lo = t;
		if (t > hi)
			hi = t;
		if (t + tzone_off(t, NULL) == local && t < best)
			best = t;
	}
	if (best != INT64_MAX)
		return best;
	return tzone_gap_end(local, lo, hi);
}

int
tzone_to_utc(const char *zone, int64_t local, int64_t *utc, struct err *err)
{
	char *saved;

	if (tzone_enter(zone, &saved, err) == -1)
		return -1;
	*utc = tzone_resolve(local);
	tzone_leave(saved);
	return 0;
}
