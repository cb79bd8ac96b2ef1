/* page_send.h: sending one page on one channel, all through libcurl:
 * a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat),
 * PagerDuty Events API v2 (trigger, and resolve with the same dedup
 * key), email over SMTP with STARTTLS, and a generic JSON webhook signed
 * with HMAC-SHA256. Channels are configured per person
 * (`oncall.people.alice = { slack = ..., email = ..., order = {...} }`);
 * their secrets are owl secrets (`{ secret = "NAME" }`, resolved like a
 * runbook's: the config's `secrets` table or owl's secret directory),
 * read when a page is sent, registered with a masker, and never written
 * anywhere: every error text passes the masker. */
#ifndef OWL_PAGE_SEND_H
#define OWL_PAGE_SEND_H

#include <stdint.h>

#include "engine/config.h"
#include "engine/err.h"
#include "engine/mask.h"
#include "engine/oncall.h"
#include "engine/pages.h"

#define PAGE_SEND_MAX_CHANNELS 4

struct page_send;

/* Reads and checks the channel settings of every person in oc, the SMTP
 * server (oncall.smtp) and the delivery policy (oncall.delivery =
 * { attempts = 3, backoff = "2s", max_backoff = "1m", timeout = "10s" }).
 * A bad setting: NULL with err (ERR_USAGE) naming it. config and oc are
 * borrowed and must outlive the sender. Free with page_send_free. */
struct page_send *page_send_new(
    const struct config *c, const struct oncall *oc, struct err *err);

void page_send_free(struct page_send *ps);

/* The channels of person, in the order they are tried (borrowed static
 * names: "slack", "pagerduty", "webhook", "email"). Returns how many (0:
 * an unknown person, or none configured). */
int page_send_channels(const struct page_send *ps, const char *person,
    const char *out[PAGE_SEND_MAX_CHANNELS]);

/* The retry policy (oncall.delivery). */
struct pages_retry page_send_retry(const struct page_send *ps);

/* The deadline of one send (oncall.delivery.timeout). */
int64_t page_send_timeout(const struct page_send *ps);

/* What one delivery says. */
struct page_msg {
	int64_t page; /* the page's id */
	int64_t incident; /* 0: none */
	const char *kind; /* PAGES_KIND_PAGE or PAGES_KIND_RESOLVE */
	const char *person;
	const char *text;
	const char *severity; /* "critical"...; NULL: unknown */
	int attempt; /* 1 for the first */
};

/* Sends m on channel. 0 when the other side took it; -1 with err (its
 * message masked) when not; *status is the HTTP status or SMTP reply
 * code (0: none). Safe to call from several threads at once. */
int page_send_one(struct page_send *ps, const char *channel,
    const struct page_msg *m, int *status, struct err *err);

/* The masker that holds every secret value read so far (borrowed). */
const struct mask *page_send_mask(const struct page_send *ps);

#endif
