/* buf.h: a growable byte buffer with a ceiling.
 * Every buffer that grows from input has a limit; running past it is an
 * error, never a crash. The data is always NUL-terminated. */
#ifndef OWL_BUF_H
#define OWL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
	size_t limit; /* most bytes it may hold; 0 = 64 MiB */
};

/* Initialises an empty buffer that may grow to `limit` bytes (0: 64 MiB). */
void buf_init(struct buf *b, size_t limit);

/* Frees the memory; the buffer is empty and reusable afterwards. */
void buf_done(struct buf *b);

/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* Appends bytes; -1 with err set when the limit or memory runs out. */
int buf_add(struct buf *b, const void *p, size_t n, struct err *err);
int buf_adds(struct buf *b, const char *s, struct err *err);
int buf_addc(struct buf *b, char c, struct err *err);
int buf_printf(struct buf *b, struct err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int buf_vprintf(struct buf *b, struct err *err, const char *fmt, va_list ap);

/* Returns the data, "" when empty; borrowed from the buffer. */
const char *buf_str(const struct buf *b);

/* Hands the data over to the caller (free with free()), leaving the
 * buffer empty. Returns an empty allocated string when nothing was added,
 * NULL only when out of memory. */
char *buf_steal(struct buf *b);

#endif
