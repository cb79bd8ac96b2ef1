/* clock.h: owl's time: microseconds since the Unix epoch, UTC.
 * Formats and parses RFC 3339 times and human durations ("30m", "1h30m"). */
#ifndef OWL_CLOCK_H
#define OWL_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CLOCK_RFC3339_MAX 64
#define CLOCK_US_PER_SEC INT64_C(1000000)

/* Returns the current wall-clock time in microseconds, UTC. */
int64_t clock_now_us(void);

/* Returns a monotonic time in microseconds, for measuring durations. */
int64_t clock_mono_us(void);

/* Writes `us` as "2026-11-29T03:04:05.123456Z" into out (CLOCK_RFC3339_MAX
 * bytes). With `frac` zero the fraction is left out ("...05Z"). */
void clock_format(int64_t us, int frac, char out[CLOCK_RFC3339_MAX]);

/* Parses an RFC 3339 time ("2026-11-29T03:04:05Z", fractions of any
 * length, "+02:00" or the sloppy "+0200" offsets, 't'/'z' in lower case,
 * a space instead of 'T'). Returns 0 and sets *us, or -1 with err set. */
int clock_parse(const char *s, int64_t *us, struct err *err);

/* Parses a duration: a sequence of NUMBER UNIT with units s, m, h, d, w
 * ("90s", "30m", "1h30m", "2d"). A bare number means seconds. Returns 0
 * and sets *us (positive), or -1 with err set. */
int clock_parse_duration(const char *s, int64_t *us, struct err *err);

/* The same, for a person's input: a bare number is refused with a hint
 * ("'30' has no unit: 30m is 30 minutes, 30s seconds, 30h hours"). */
int clock_parse_duration_unit(const char *s, int64_t *us, struct err *err);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back: no
 * time zone involved (calendar arithmetic for rotations). */
int64_t clock_days_from_civil(int64_t y, int m, int d);
void clock_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* Writes a short human age or duration ("42s", "3m", "2h", "5d") into out. */
void clock_format_age(int64_t us, char *out, size_t n);

#endif
