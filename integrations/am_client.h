/* am_client.h: owl's client for Alertmanager's v2 HTTP API (libcurl):
 * list the alerts (`owl serve --pull`), create and expire silences
 * (`owl silence`, `owl unsilence`, and expiry on resolve). */
#ifndef OWL_AM_CLIENT_H
#define OWL_AM_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/buf.h"
#include "engine/err.h"

#define AM_CLIENT_ID_MAX 128

/* Initialises libcurl; call once, before any thread starts. */
int am_client_init(struct err *err);

/* Checks that url is an http(s) base URL; -1 with ERR_USAGE otherwise. */
int am_client_check_url(const char *url, struct err *err);

/* Whether two base URLs name the same Alertmanager: scheme, host and
 * port (case-insensitive, the default port implied) and path (a
 * trailing slash aside), whatever user name and password either holds. */
int am_client_same_url(const char *a, const char *b);

/* GET <base>/api/v2/alerts/groups (only receiver's, when not NULL)
 * into out (its ceiling bounds the body). Gives up after timeout_ms, or
 * as soon as *cancel becomes nonzero (cancel may be NULL). -1 with err
 * set (ERR_FAILED) naming the URL and the reason: unreachable, HTTP
 * status, body too large. */
int am_client_alerts(const char *base, const char *receiver, struct buf *out,
    long timeout_ms, const atomic_int *cancel, struct err *err);

/* GET <base>/api/v2/status: *started_us is when that Alertmanager
 * started (its "uptime" field). Same timeout and cancel as
 * am_client_alerts. */
int am_client_started(const char *base, long timeout_ms,
    const atomic_int *cancel, int64_t *started_us, struct err *err);

/* POST <base>/api/v2/silences with matchers (a JSON array of
 * {name, value, isRegex, isEqual}, borrowed), from starts_us to ends_us.
 * Writes the new silence id into id (AM_CLIENT_ID_MAX bytes). */
int am_client_silence(const char *base, json_t *matchers, int64_t starts_us,
    int64_t ends_us, const char *created_by, const char *comment, char *id,
    struct err *err);

/* DELETE <base>/api/v2/silence/<id>, which expires it. A silence that
 * Alertmanager no longer knows counts as expired (*gone set when gone is
 * not NULL). */
int am_client_unsilence(
    const char *base, const char *id, int *gone, struct err *err);

#endif
