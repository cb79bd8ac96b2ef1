/* http_plain.h: a runbook's plain http:// GET or HEAD without libcurl.
 * Loading libcurl and the ~30 libraries it needs costs a run ~12 ms of
 * CPU, more than all the rest of a dry-run whose reads are such requests.
 * Anything else (https, a body, a proxy in the environment, userinfo, a
 * URL or header libcurl would rewrite or replace, a host that does not
 * connect) is left to libcurl, before a byte is sent. What it answers,
 * and the words of its failures, are libcurl's (test_http_plain runs
 * both against good and broken servers). */
#ifndef OWL_HTTP_PLAIN_H
#define OWL_HTTP_PLAIN_H

#include <stddef.h>

#include "engine/effects.h"

enum http_plain_rc {
	HTTP_PLAIN_PASS, /* not for this path: nothing was sent */
	HTTP_PLAIN_OK, /* res is filled */
	HTTP_PLAIN_FAILED, /* msg says why, in libcurl's words */
	HTTP_PLAIN_OVER, /* the body passed res->body's ceiling */
	HTTP_PLAIN_CANCELLED, /* ^C (req->cancel) */
};

/* Performs req into res (res->status is set once a status line came,
 * as libcurl's CURLINFO_RESPONSE_CODE, even on failure). msg holds the
 * message of HTTP_PLAIN_FAILED. */
enum http_plain_rc http_plain_do(const struct effects_http *req,
    struct effects_http_res *res, char *msg, size_t msgsize);

/* Adds one received header line (p, n bytes, its line end included or
 * not) to res->headers as libcurl's header callback in effects_http.c
 * does: a line without a colon in its first 127 bytes is skipped, the
 * name is lower-cased, the value trimmed, the last of a name wins. */
void http_plain_header_line(
    struct effects_http_res *res, const char *p, size_t n);

#endif
