/* rb_proto.c: length-prefixed JSON messages over a socket (rb_proto.h). */
#include "rb_proto.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "clock.h"

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

int
rb_proto_send(int fd, const json_t *msg, struct err *err)
{
	unsigned char head[4];
	struct iovec iov[2];
	size_t n;
	char *s;
	int rc;

	s = json_dumps(msg, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		return err_set(err, ERR_FAILED,
		    "runbook message: cannot "
		    "encode");
	n = strlen(s);
	if (n > RB_PROTO_MAX) {
		free(s);
		return err_set(err, ERR_USAGE,
		    "runbook message too big "
		    "(%zu bytes, at most %zu)",
		    n, RB_PROTO_MAX);
	}
	head[0] = (unsigned char)(n >> 24);
	head[1] = (unsigned char)(n >> 16);
	head[2] = (unsigned char)(n >> 8);
	head[3] = (unsigned char)n;
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
	int rc;

	s = json_dumps(msg, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		return err_set(err, ERR_FAILED,
		    "runbook message: cannot "
		    "encode");
	n = strlen(s);
	head[0] = (unsigned char)(n >> 24);
	head[1] = (unsigned char)(n >> 16);
	head[2] = (unsigned char)(n >> 8);
	head[3] = (unsigned char)n;
	rc = n > RB_PROTO_MAX ? err_set(err, ERR_FAILED,
	                            "runbook message "
	                            "too big")
	                      : 0;
	if (rc == 0 &&
	    (buf_add(out, head, 4, err) == -1 || buf_add(out, s, n, err) == -1))
		rc = -1;
	free(s);
	return rc;
}

int
rb_proto_write(int fd, const void *p, size_t n, struct err *err)
{
	struct iovec iov = { (void *)p, n };

	return rb_proto_writev(fd, &iov, 1, err);
}

/* Reads exactly n bytes, waiting until the deadline. */
static int
rb_proto_read(int fd, void *p, size_t n, int64_t deadline_us, struct err *err)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;
	int timeout;

	while (got < n) {
		/* the broker first takes what is already there, without a
		 * poll: most bodies arrive with their length (the worker, with
		 * no deadline, blocks in read() and needs no recv()) */
		if (deadline_us != 0) {
			r = recv(fd, (char *)p + got, n - got, MSG_DONTWAIT);
			if (r > 0) {
				got += (size_t)r;
				continue;
			}
			if (r == 0)
				return err_set(err, ERR_FAILED,
				    "worker closed "
				    "the connection");
		}
		if (deadline_us != 0) {
			int64_t left = deadline_us - clock_mono_us();
			if (left <= 0)
				return err_set(err, ERR_FAILED,
				    "runbook "
				    "worker: timed out");
			timeout = (int)(left / 1000) + 1;
			if (poll(&pfd, 1, timeout) == -1 && errno != EINTR)
				return err_set(err, ERR_FAILED,
				    "runbook "
				    "worker: %s",
				    strerror(errno));
			if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
		}
		r = read(fd, (char *)p + got, n - got);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r == -1 && errno != ECONNRESET)
			return err_set(err, ERR_FAILED, "runbook worker: %s",
			    strerror(errno));
		if (r <= 0)
			return err_set(err, ERR_FAILED,
			    "worker closed the "
			    "connection");
		got += (size_t)r;
	}
	return 0;
}

int
rb_proto_recv(int fd, json_t **msg, int64_t deadline_us, struct err *err)
{
	unsigned char head[4];
	json_error_t jerr;
	size_t n;
	char *s;

	*msg = NULL;
	if (rb_proto_read(fd, head, 4, deadline_us, err) == -1)
		return -1;
	n = (size_t)head[0] << 24 | (size_t)head[1] << 16 |
	    (size_t)head[2] << 8 | head[3];
	if (n > RB_PROTO_MAX)
		return err_set(err, ERR_FAILED,
		    "runbook message too big "
		    "(%zu bytes)",
		    n);
	if ((s = malloc(n + 1)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rb_proto_read(fd, s, n, deadline_us, err) == -1) {
		free(s);
		return -1;
	}
	/* NUL bytes are data (a binary file, an HTTP body, exec output):
	 * refusing them would end the run on what the outside sent. */
	*msg = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	free(s);
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
