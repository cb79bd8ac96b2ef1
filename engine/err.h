/* err.h: the one error type of owl, filled by the first failure.
 * Every fallible function takes a last `struct err *err`; the first
 * failure wins and callers may prefix context with err_prefix(). */
#ifndef OWL_ERR_H
#define OWL_ERR_H

#include <stddef.h>

/* Error codes double as exit codes: see DESIGN.md "Exit codes". */
enum err_code {
	ERR_OK = 0,
	ERR_FAILED = 1, /* the operation failed: not found, step failed */
	ERR_USAGE = 2, /* bad usage or bad input */
	ERR_REFUSED = 3, /* refused: lock held, chain broken, no confirm */
};

#define ERR_MSG_MAX 512

struct err {
	int code;
	char msg[ERR_MSG_MAX];
};

/* Clears err to "no error". */
void err_init(struct err *err);

/* Records a failure with a printf-style one-line message, unless an
 * earlier failure is already recorded (the first one wins). Always
 * returns -1 so callers can write `return err_set(...)`. err may be NULL. */
int err_set(struct err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the recorded message with context ("store: open x: ").
 * Does nothing when no error is recorded. */
void err_prefix(struct err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Returns nonzero when a failure is recorded. */
int err_isset(const struct err *err);

#endif
