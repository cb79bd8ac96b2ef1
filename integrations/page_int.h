/* page_int.h: what the channel senders share (page_send.c dispatches to
 * page_http.c and page_smtp.c): the sender's settings, secret values by
 * reference, and one HTTP POST with libcurl. Private to integrations/. */
#ifndef OWL_PAGE_INT_H
#define OWL_PAGE_INT_H

#include <pthread.h>

#include <jansson.h>

#include "engine/buf.h"
#include "engine/effects.h"
#include "integrations/page_send.h"

enum page_tls { PAGE_TLS_STARTTLS, PAGE_TLS_NONE };

struct page_send {
	const struct config *cfg;
	const struct oncall *oc;
	struct effects *fx; /* live effects: secret_get only */
	struct mask *mask;
	pthread_mutex_t lock; /* the masker, shared by sending threads */
	struct pages_retry retry;
	int64_t timeout_us;
	const json_t *smtp; /* oncall.smtp; NULL: no email */
	enum page_tls smtp_tls;
};

/* A channel's setting (a string, or { secret = "NAME" }) as text in out
 * (the caller wipes it: buf_wipe). Secret values are registered with
 * the masker. what names it in errors ("slack url"). */
int page_value(struct page_send *ps, const json_t *v, const char *what,
    struct buf *out, struct err *err);

/* Wipes and frees a buffer that held a secret. */
void page_wipe(struct buf *b);

/* Records err's message masked ("channel: message"). Returns -1. */
int page_fail(struct page_send *ps, struct err *err, const char *channel,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* POSTs body (JSON unless ctype says otherwise) to url with extra
 * headers (NULL-terminated "Name: value" lines); a 2xx is success. The
 * URL never appears in err (it may hold a token). */
int page_http_post(struct page_send *ps, const char *channel, const char *url,
    const char *body, const char *const *headers, int *status, struct err *err);

int page_http_slack(struct page_send *ps, const json_t *cfg,
    const struct page_msg *m, int *status, struct err *err);
int page_http_pagerduty(struct page_send *ps, const json_t *cfg,
    const struct page_msg *m, int *status, struct err *err);
int page_http_webhook(struct page_send *ps, const json_t *cfg,
    const struct page_msg *m, int *status, struct err *err);
int page_smtp_email(struct page_send *ps, const json_t *cfg,
    const struct page_msg *m, int *status, struct err *err);

#endif
