/* buf.c: growable byte buffers with a ceiling (see buf.h). */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_DEFAULT_LIMIT ((size_t)64 << 20)

void
buf_init(struct buf *b, size_t limit)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->limit = limit ? limit : BUF_DEFAULT_LIMIT;
}

void
buf_done(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int
buf_grow(struct buf *b, size_t need, struct err *err)
{
	size_t cap;
	char *p;

	if (need > b->limit)
		return err_set(err, ERR_USAGE, "more than %zu bytes", b->limit);
	if (need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need + 1)
		cap *= 2;
	if (cap > b->limit + 1)
		cap = b->limit + 1;
	p = realloc(b->data, cap);
	if (p == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	b->data = p;
	b->cap = cap;
	return 0;
}

int
buf_add(struct buf *b, const void *p, size_t n, struct err *err)
{
	if (n > b->limit - b->len)
		return err_set(err, ERR_USAGE, "more than %zu bytes", b->limit);
	if (buf_grow(b, b->len + n, err) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s, struct err *err)
{
	return buf_add(b, s, strlen(s), err);
}

int
buf_addc(struct buf *b, char c, struct err *err)
{
	return buf_add(b, &c, 1, err);
}

int
buf_vprintf(struct buf *b, struct err *err, const char *fmt, va_list ap)
{
	size_t room = b->cap > b->len ? b->cap - b->len : 0; /* with a NUL */
	va_list ap2;
	int n;

	/* formatted once when it fits the room there is (cap is at most
	 * limit + 1, so it is within the limit), else measured first */
	va_copy(ap2, ap);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n >= 0 && (size_t)n < room) {
		b->len += (size_t)n;
		return 0;
	}
	if (room > 0)
		b->data[b->len] = '\0';
	if (n < 0)
		return err_set(err, ERR_FAILED, "bad format");
	if ((size_t)n > b->limit - b->len)
		return err_set(err, ERR_USAGE, "more than %zu bytes", b->limit);
	if (buf_grow(b, b->len + (size_t)n, err) == -1)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, struct err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, err, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
buf_str(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

char *
buf_steal(struct buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
