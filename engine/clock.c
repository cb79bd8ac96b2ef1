/* clock.c: UTC microsecond times, RFC 3339 and durations (see clock.h). */
#define _POSIX_C_SOURCE 200809L
#include "clock.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t
clock_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * CLOCK_US_PER_SEC + ts.tv_nsec / 1000;
}

int64_t
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * CLOCK_US_PER_SEC + ts.tv_nsec / 1000;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no time zone or timegm() is involved. */
int64_t
clock_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
clock_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void
clock_format(int64_t us, int frac, char out[CLOCK_RFC3339_MAX])
{
	int64_t secs, days, rem, y;
	int m, d;
	int64_t f;

	secs = us / CLOCK_US_PER_SEC;
	f = us % CLOCK_US_PER_SEC;
	if (f < 0) {
		f += CLOCK_US_PER_SEC;
		secs--;
	}
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	clock_civil_from_days(days, &y, &m, &d);
	if (y >= 0 && y <= 9999) {
		/* what the snprintf below writes, without its cost (a
		 * timeline export formats a time per line) */
		int v[6] = { (int)y, m, d, (int)(rem / 3600),
			(int)(rem / 60 % 60), (int)(rem % 60) };
		static const char sep[] = "--T::";
		char *p = out;

		for (int i = 0; i < 6; i++) {
			if (i == 0) {
				*p++ = (char)('0' + v[0] / 1000);
				*p++ = (char)('0' + v[0] / 100 % 10);
			}
			*p++ = (char)('0' + v[i] / 10 % 10);
			*p++ = (char)('0' + v[i] % 10);
			if (i < 5)
				*p++ = sep[i];
		}
		if (frac) {
			*p++ = '.';
			for (int64_t div = 100000; div > 0; div /= 10)
				*p++ = (char)('0' + f / div % 10);
		}
		*p++ = 'Z';
		*p = '\0';
		return;
	}
	if (frac)
		snprintf(out, CLOCK_RFC3339_MAX,
		    "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d,
		    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
		    (int)f);
	else
		snprintf(out, CLOCK_RFC3339_MAX,
		    "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
		    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

/* Reads exactly n digits at *p; -1 when they are not there. */
static int
clock_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
clock_days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

int
clock_parse(const char *s, int64_t *us, struct err *err)
{
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, scale = 100000;

	if (clock_digits(&p, 4, &y) || *p++ != '-' ||
	    clock_digits(&p, 2, &mo) || *p++ != '-' || clock_digits(&p, 2, &d))
		goto bad;
	if (*p != 'T' && *p != 't' && *p != ' ')
		goto bad;
	p++;
	if (clock_digits(&p, 2, &h) || *p++ != ':' ||
	    clock_digits(&p, 2, &mi) || *p++ != ':' ||
	    clock_digits(&p, 2, &sec))
		goto bad;
	if (*p == '.' || *p == ',') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (clock_digits(&p, 2, &oh))
			goto bad;
		if (*p == ':')
			p++;
		if (clock_digits(&p, 2, &om))
			goto bad;
	} else {
		goto bad;
	}
	if (*p != '\0')
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > clock_days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59)
		goto bad;
	if (sec == 60)
		sec = 59; /* a leap second is the last second of its minute */
	*us = (clock_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	          sec - sign * (oh * 3600 + om * 60)) *
	        CLOCK_US_PER_SEC +
	    frac;
	return 0;
bad:
	return err_set(err, ERR_USAGE, "not an RFC 3339 time");
}

int
clock_parse_duration(const char *s, int64_t *us, struct err *err)
{
	const char *p = s;
	int64_t total = 0, positive;

	if (*p == '-' && p[1] != '\0' &&
	    clock_parse_duration(p + 1, &positive, NULL) == 0)
		return err_set(err, ERR_USAGE,
		    "'%s' is a negative duration; give a positive one (e.g. "
		    "30m)",
		    s);
	if (*p == '\0')
		goto bad;
	while (*p != '\0') {
		int64_t n = 0, unit;

		if (!isdigit((unsigned char)*p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++) {
			if (n > INT64_C(1) << 40)
				goto bad;
			n = n * 10 + (*p - '0');
		}
		switch (*p) {
		case 's':
			unit = 1;
			p++;
			break;
		case 'm':
			unit = 60;
			p++;
			break;
		case 'h':
			unit = 3600;
			p++;
			break;
		case 'd':
			unit = 86400;
			p++;
			break;
		case 'w':
			unit = 7 * 86400;
			p++;
			break;
		case '\0':
			if (p != s + strspn(s, "0123456789"))
				goto bad; /* "1h30" is ambiguous */
			unit = 1;
			break;
		default: goto bad;
		}
		total += n * unit;
		if (total > INT64_C(100) * 365 * 86400)
			goto bad;
	}
	if (total <= 0)
		goto bad;
	*us = total * CLOCK_US_PER_SEC;
	return 0;
bad:
	return err_set(err, ERR_USAGE,
	    "'%s' is not a duration (e.g. 90s, 30m, 2h, 1h30m, 1d)", s);
}

int
clock_parse_duration_unit(const char *s, int64_t *us, struct err *err)
{
	if (*s != '\0' && s[strspn(s, "0123456789")] == '\0')
		return err_set(err, ERR_USAGE,
		    "'%.20s' has no unit: %.20sm is %.20s minutes, %.20ss seconds, %.20sh "
		    "hours",
		    s, s, s, s, s);
	return clock_parse_duration(s, us, err);
}

void
clock_format_age(int64_t us, char *out, size_t n)
{
	int64_t s = us / CLOCK_US_PER_SEC;

	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, n, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(out, n, "%" PRId64 "m", s / 60);
	else if (s < 86400)
		snprintf(out, n, "%" PRId64 "h", s / 3600);
	else
		snprintf(out, n, "%" PRId64 "d", s / 86400);
}
