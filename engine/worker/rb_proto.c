/* rb_proto.c: length-prefixed JSON messages over a socket (rb_proto.h). */
#include "rb_proto.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/jdump.h"
#include "rb_jparse.h"

static int
rb_proto_writev(int fd, struct iovec *iov, int n, struct err *err)
{
	ssize_t w;

	while (n > 0) {
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		/* MSG_NOSIGNAL: a worker that is gone is an error, not a
		 * SIGPIPE that kills owl */
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return err_set(err, ERR_FAILED, "runbook worker: %s",
			    strerror(errno));
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Encodes msg as compact JSON into *s (malloc'd) with its 4-byte length
 * header. A message over RB_PROTO_MAX is ERR_USAGE: the broker answers a
 * worker's request that way instead of ending the run. */
static int
rb_proto_encode(const json_t *msg, char **s, size_t *n, unsigned char head[4],
    struct err *err)
{
	*s = jdump(msg); /* json_dumps(JSON_COMPACT | JSON_ENCODE_ANY) */
	if (*s == NULL)
		return err_set(
		    err, ERR_FAILED, "runbook message: cannot encode");
	*n = strlen(*s);
	if (*n > RB_PROTO_MAX) {
		free(*s);
		*s = NULL;
		return err_set(err, ERR_USAGE,
		    "runbook message too big (%zu bytes, at most %zu)", *n,
		    RB_PROTO_MAX);
	}
	head[0] = (unsigned char)(*n >> 24);
	head[1] = (unsigned char)(*n >> 16);
	head[2] = (unsigned char)(*n >> 8);
	head[3] = (unsigned char)*n;
	return 0;
}

int
rb_proto_send(int fd, const json_t *msg, struct err *err)
{
	unsigned char head[4];
	struct iovec iov[2];
	size_t n;
	char *s;
	int rc;

	if (rb_proto_encode(msg, &s, &n, head, err) == -1)
		return -1;
	iov[0].iov_base = head;
	iov[0].iov_len = 4;
	iov[1].iov_base = s;
	iov[1].iov_len = n;
	rc = rb_proto_writev(fd, iov, 2, err);
	free(s);
	return rc;
}

int
rb_proto_frame(const json_t *msg, struct buf *out, struct err *err)
{
	unsigned char head[4];
	size_t n;
	char *s;
	int rc = 0;

	size_t old = out->len;

	if (rb_proto_encode(msg, &s, &n, head, err) == -1)
		return -1;
	/* all or nothing: half a frame would garble the stream */
	if (buf_add(out, head, 4, err) == -1 || buf_add(out, s, n, err) == -1) {
		out->len = old;
		if (out->data != NULL)
			out->data[old] = '\0';
		rc = -1;
	}
	free(s);
	return rc;
}

int
rb_proto_write(int fd, const void *p, size_t n, struct err *err)
{
	struct iovec iov = { (void *)p, n };

	return rb_proto_writev(fd, &iov, 1, err);
}

#define RB_PROTO_CHUNK ((size_t)16 << 10) /* the usual buffer */

void
rb_proto_in_init(struct rb_proto_in *in, int fd)
{
	memset(in, 0, sizeof *in);
	in->fd = fd;
}

void
rb_proto_in_done(struct rb_proto_in *in)
{
	free(in->p);
	in->p = NULL;
	in->off = in->len = in->cap = 0;
}

static size_t
rb_proto_len(const unsigned char *head)
{
	return (size_t)head[0] << 24 | (size_t)head[1] << 16 |
	    (size_t)head[2] << 8 | head[3];
}

int
rb_proto_in_ready(const struct rb_proto_in *in)
{
	size_t have = in->len - in->off, n;

	if (have < 4)
		return 0;
	n = rb_proto_len(in->p + in->off);
	return n > RB_PROTO_MAX || have - 4 >= n; /* too big: say so now */
}

/* Makes room for n unread bytes, moving them to the front or growing. */
static int
rb_proto_in_room(struct rb_proto_in *in, size_t n, struct err *err)
{
	size_t have = in->len - in->off;
	unsigned char *p;

	if (in->cap - in->off >= n)
		return 0;
	if (have > 0)
		memmove(in->p, in->p + in->off, have);
	in->off = 0;
	in->len = have;
	if (in->cap >= n)
		return 0;
	if (n < RB_PROTO_CHUNK)
		n = RB_PROTO_CHUNK;
	if ((p = realloc(in->p, n)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	in->p = p;
	in->cap = n;
	return 0;
}

/* Waits for the socket to be readable, until the deadline (0: forever):
 * 1 when it is, 0 when interrupted or timed out (the caller retries), -1
 * past the deadline or on error.
 * A wait in poll(), unlike one in read(), is not woken each time the
 * peer takes bytes we sent (a unix socket's writer and reader share one
 * wait queue): that would cost two context switches per round trip. */
static int
rb_proto_wait(int fd, int64_t deadline_us, struct err *err)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int timeout = -1, n;

	if (deadline_us != 0) {
		int64_t left = deadline_us - clock_mono_us();
		if (left <= 0)
			return err_set(
			    err, ERR_FAILED, "runbook worker: timed out");
		timeout = (int)(left / 1000) + 1;
	}
	if ((n = poll(&pfd, 1, timeout)) == -1 && errno != EINTR)
		return err_set(
		    err, ERR_FAILED, "runbook worker: %s", strerror(errno));
	return n > 0;
}

/* Reads what has arrived (one byte or more), waiting until the deadline.
 * The broker (with a deadline) first takes what is already there without
 * a poll: most messages come in batches; the worker (without) may only
 * read(), not recv(). */
static int
rb_proto_in_fill(struct rb_proto_in *in, int64_t deadline_us, struct err *err)
{
	int polled = 0; /* poll() said readable */
	ssize_t r;

	for (;;) {
		if (deadline_us != 0 || polled) {
			void *p = in->p + in->len;
			size_t n = in->cap - in->len;
			r = deadline_us != 0 ? recv(in->fd, p, n, MSG_DONTWAIT)
			                     : read(in->fd, p, n);
			if (r > 0) {
				in->len += (size_t)r;
				return 0;
			}
			if (r == 0 || errno == ECONNRESET)
				return err_set(err, ERR_FAILED,
				    "worker closed the connection");
			if (errno != EINTR && errno != EAGAIN)
				return err_set(err, ERR_FAILED,
				    "runbook worker: %s", strerror(errno));
		}
		if ((polled = rb_proto_wait(in->fd, deadline_us, err)) == -1)
			return -1;
	}
}

/* Buffers n unread bytes. */
static int
rb_proto_in_need(
    struct rb_proto_in *in, size_t n, int64_t deadline_us, struct err *err)
{
	if (in->len - in->off >= n)
		return 0;
	if (rb_proto_in_room(in, n, err) == -1)
		return -1;
	while (in->len - in->off < n)
		if (rb_proto_in_fill(in, deadline_us, err) == -1)
			return -1;
	return 0;
}

int
rb_proto_recv(
    struct rb_proto_in *in, json_t **msg, int64_t deadline_us, struct err *err)
{
	json_error_t jerr;
	size_t n;

	*msg = NULL;
	if (rb_proto_in_need(in, 4, deadline_us, err) == -1)
		return -1;
	n = rb_proto_len(in->p + in->off);
	if (n > RB_PROTO_MAX)
		return err_set(err, ERR_FAILED,
		    "runbook message too big "
		    "(%zu bytes)",
		    n);
	if (rb_proto_in_need(in, 4 + n, deadline_us, err) == -1)
		return -1;
	/* NUL bytes are data (a binary file, an HTTP body, exec output):
	 * refusing them would end the run on what the outside sent. */
	/* the common message without jansson's byte-at-a-time reader; the
	 * rest, and every error, as jansson parses them */
	if ((*msg = rb_jparse((const char *)in->p + in->off + 4, n)) == NULL)
		*msg = json_loadb((const char *)in->p + in->off + 4, n,
		    JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	in->off += 4 + n;
	if (in->off == in->len) {
		in->off = in->len = 0;
		if (in->cap > 4 * RB_PROTO_CHUNK) /* after a big one */
			rb_proto_in_done(in);
	}
	if (*msg == NULL || !json_is_object(*msg)) {
		json_decref(*msg);
		*msg = NULL;
		return err_set(err, ERR_FAILED,
		    "runbook message: not a JSON "
		    "object");
	}
	return 0;
}

const char *
rb_proto_type(const json_t *msg)
{
	const char *t = json_string_value(json_object_get(msg, "t"));

	return t != NULL ? t : "";
}
