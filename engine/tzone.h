/* tzone.h: wall-clock time in a named zone ("Europe/Berlin") through the
 * C library: glibc's localtime_r reading the system's zone database
 * (Debian's tzdata, /usr/share/zoneinfo), never a zone table of owl's.
 *
 * glibc takes the zone from the process-wide TZ variable, so each call
 * sets TZ, asks, and puts TZ back, all under one process-wide mutex.
 * Changing the environment is only safe while no other thread reads it
 * in a way that a reallocation would break: tzone_init(), called from
 * main() before any thread exists, makes sure TZ is present (":" +
 * the default zone file when it was unset, the same zone), so that later
 * changes only swap the value of an existing variable (glibc keeps every
 * value it was given alive) and never move the environment. No other
 * thread of owl reads local time: `owl serve` logs in UTC.
 *
 * "Local seconds" are wall-clock seconds counted like UTC seconds
 * (clock_days_from_civil(date) * 86400 + seconds of the day): calendar
 * arithmetic with no zone in it, converted here. */
#ifndef OWL_TZONE_H
#define OWL_TZONE_H

#include <stdint.h>

#include "err.h"

#define TZONE_NAME_MAX 128
#define TZONE_ABBR_MAX 16

/* Makes TZ present in the environment (see above). Call once from
 * main(), before any thread starts. */
void tzone_init(void);

/* Checks that zone names a zone of the system database: an IANA name
 * ("Europe/Berlin", "UTC"), no "..", not absolute, and a TZif file under
 * $TZDIR or /usr/share/zoneinfo. glibc would silently take an unknown
 * name for UTC; this says so instead (ERR_USAGE). */
int tzone_check(const char *zone, struct err *err);

/* The wall clock of zone at UTC second utc: *local (local seconds),
 * *offset (seconds east of UTC) and abbr ("CET"; may be NULL). */
int tzone_to_local(const char *zone, int64_t utc, int64_t *local, int *offset,
    char abbr[TZONE_ABBR_MAX], struct err *err);

/* The UTC second at which the wall clock of zone shows `local`. A time
 * shown twice (the hour repeated when clocks go back) gives the earlier
 * instant; a time never shown (the hour skipped when clocks go forward,
 * the day Samoa skipped in 2011) gives the first instant after the gap,
 * when the clock jumps past it. */
int tzone_to_utc(
    const char *zone, int64_t local, int64_t *utc, struct err *err);

#endif
