/* effects_http.h: the live HTTP effect with libcurl: http and https
 * only, no redirects followed, a timeout, a ceiling on the body, and no
 * verbose output (it would print the headers that carry secrets). */
#ifndef OWL_EFFECTS_HTTP_H
#define OWL_EFFECTS_HTTP_H

#include "engine/effects.h"

/* Performs req into res (see effects.h). Transport failures (no
 * connection, timeout, body over EFFECTS_BODY_MAX): -1 with err set. A
 * plain http:// GET or HEAD goes without libcurl (http_plain.h). */
int effects_http_do(const struct effects_http *req,
    struct effects_http_res *res, struct err *err);

/* effects_http_do with libcurl whatever the request (test_http_plain
 * holds the two ways to the same answers). */
int effects_http_curl(const struct effects_http *req,
    struct effects_http_res *res, struct err *err);

#endif
