/* rb_proto.h: the messages between the broker (owl) and a runbook worker:
 * one JSON object per message, framed by a 4-byte big-endian length, over
 * a socketpair. Every message has a "t" (type) member; DESIGN.md and
 * rb_broker.c list the types. */
#ifndef OWL_RB_PROTO_H
#define OWL_RB_PROTO_H

#include <jansson.h>
#include <stdint.h>

#include "engine/buf.h"
#include "engine/err.h"

#define RB_PROTO_MAX ((size_t)16 << 20) /* bytes per message */

/* Sends msg. -1 with err set when the peer is gone (ERR_FAILED) or msg
 * is too big (ERR_USAGE: nothing was sent, the peer is still there). */
int rb_proto_send(int fd, const json_t *msg, struct err *err);

/* Appends msg, framed, to out (to send several in one write); on
 * failure nothing is appended (ERR_USAGE: msg is over RB_PROTO_MAX, or
 * out's ceiling is reached). */
int rb_proto_frame(const json_t *msg, struct buf *out, struct err *err);

/* Writes n bytes (framed messages) to fd. */
int rb_proto_write(int fd, const void *p, size_t n, struct err *err);

/* The receiving end of a socket: it reads as much as has arrived (several
 * messages, or a length with its body, in one system call) and keeps what
 * is past the message returned. Zeroed memory is an empty one. */
struct rb_proto_in {
	int fd;
	unsigned char *p; /* unread bytes are p[off, len) */
	size_t off, len, cap;
};

/* Starts reading fd. */
void rb_proto_in_init(struct rb_proto_in *in, int fd);

/* Frees the buffer (not the descriptor). */
void rb_proto_in_done(struct rb_proto_in *in);

/* 1 when a whole message is buffered (rb_proto_recv needs no system
 * call), else 0. */
int rb_proto_in_ready(const struct rb_proto_in *in);

/* Receives one message into *msg (json_decref). Waits until the monotonic
 * time `deadline_us` (clock_mono_us; 0: forever, in poll() so that the
 * peer taking our bytes does not wake us); interrupted calls are retried.
 * Returns 0, or -1 with err set: the peer closed (ERR_FAILED, "worker
 * closed the connection"), a timeout, an oversize frame or bad JSON. */
int rb_proto_recv(
    struct rb_proto_in *in, json_t **msg, int64_t deadline_us, struct err *err);

/* The "t" member of a message, or "" when absent. */
const char *rb_proto_type(const json_t *msg);

#endif
