/* page_send.c: the channel table, the checks of every person's channel
 * settings, secret values by reference and the dispatch of one send
 * (see page_send.h). */
#include "page_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "integrations/effects_live.h"

typedef int page_check_fn(
    struct page_send *ps, const json_t *v, const char *path, struct err *err);
typedef int page_send_fn(struct page_send *ps, const json_t *cfg,
    const struct page_msg *m, int *status, struct err *err);

static page_check_fn page_check_url, page_check_pagerduty, page_check_webhook,
    page_check_email;

/* Every channel once: its name, its check, its sender. The order is the
 * default order of trying them. */
static const struct page_chan {
	const char *name;
	page_check_fn *check;
	page_send_fn *send;
} page_chans[] = {
	{ "pagerduty", page_check_pagerduty, page_http_pagerduty },
	{ "slack", page_check_url, page_http_slack },
	{ "webhook", page_check_webhook, page_http_webhook },
	{ "email", page_check_email, page_smtp_email },
};

#define PAGE_NCHANS (sizeof page_chans / sizeof page_chans[0])

static const struct page_chan *
page_chan(const char *name)
{
	for (size_t i = 0; i < PAGE_NCHANS; i++)
		if (strcmp(page_chans[i].name, name) == 0)
			return &page_chans[i];
	return NULL;
}

static int
page_bad(struct err *err, const char *path, const char *what)
{
	return err_set(err, ERR_USAGE, "config: %s: %s", path, what);
}

/* A value: a string, or { secret = "NAME" }. */
static int
page_check_value(const json_t *v, const char *path, struct err *err)
{
	const json_t *sec = json_object_get(v, "secret");

	if (json_is_string(v) ||
	    (json_is_object(v) && json_object_size(v) == 1 &&
	        json_is_string(sec)))
		return 0;
	return page_bad(err, path, "want a string or { secret = \"NAME\" }");
}

static int
page_check_url(
    struct page_send *ps, const json_t *v, const char *path, struct err *err)
{
	const char *u = json_string_value(v);

	(void)ps;
	if (json_is_object(v) && json_object_get(v, "url") != NULL)
		v = json_object_get(v, "url"), u = json_string_value(v);
	if (page_check_value(v, path, err) == -1)
		return -1;
	if (u != NULL && strncmp(u, "http://", 7) != 0 &&
	    strncmp(u, "https://", 8) != 0)
		return page_bad(err, path, "want an http:// or https:// URL");
	return 0;
}

static int
page_check_pagerduty(
    struct page_send *ps, const json_t *v, const char *path, struct err *err)
{
	const json_t *url = json_object_get(v, "url");

	(void)ps;
	if (json_is_object(v) && json_object_get(v, "routing_key") != NULL) {
		if (url != NULL && page_check_url(ps, url, path, err) == -1)
			return -1;
		return page_check_value(
		    json_object_get(v, "routing_key"), path, err);
	}
	return page_check_value(v, path, err);
}

static int
page_check_webhook(
    struct page_send *ps, const json_t *v, const char *path, struct err *err)
{
	const json_t *key = json_object_get(v, "secret");

	if (json_is_object(v) && json_object_get(v, "url") != NULL) {
		if (page_check_url(ps, json_object_get(v, "url"), path, err) ==
		    -1)
			return -1;
		return key == NULL ? 0 : page_check_value(key, path, err);
	}
	return page_check_url(ps, v, path, err);
}

static int
page_check_email(
    struct page_send *ps, const json_t *v, const char *path, struct err *err)
{
	const char *a = json_string_value(v);

	if (a == NULL || strchr(a, '@') == NULL || strlen(a) > 254 ||
	    strpbrk(a, "<>\r\n\t ,;\"") != NULL)
		return page_bad(err, path, "want an address: name@example.com");
	if (ps->smtp == NULL)
		return page_bad(err, path,
		    "email needs oncall.smtp = { url = \"smtp://host:587\", "
		    "from = \"owl@example.com\" }");
	return 0;
}

static int
page_check_order(const json_t *person, const char *path, struct err *err)
{
	const json_t *order = json_object_get(person, "order"), *c;
	size_t i;

	if (order == NULL)
		return 0;
	if (!json_is_array(order) || json_array_size(order) == 0 ||
	    json_array_size(order) > PAGE_SEND_MAX_CHANNELS)
		return page_bad(err, path, "order: want a list of channels");
	json_array_foreach(order, i, c)
	{
		const char *n = json_string_value(c);

		if (n == NULL || page_chan(n) == NULL ||
		    json_object_get(person, n) == NULL)
			return page_bad(err, path,
			    "order: names channels the person has (slack, "
			    "pagerduty, webhook, email)");
	}
	return 0;
}

static int
page_check_person(
    struct page_send *ps, const char *name, const json_t *p, struct err *err)
{
	char path[200], msg[200];
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)p, k, v)
	{
		const struct page_chan *ch = page_chan(k);

		snprintf(path, sizeof path, "oncall.people.%s.%s", name, k);
		if (strcmp(k, "order") == 0)
			continue;
		if (ch == NULL) {
			snprintf(msg, sizeof msg,
			    "unknown channel '%.40s' (slack, pagerduty, "
			    "webhook, email, order)",
			    k);
			return page_bad(err, path, msg);
		}
		if (ch->check(ps, v, path, err) == -1)
			return -1;
	}
	snprintf(path, sizeof path, "oncall.people.%s", name);
	return page_check_order(p, path, err);
}

static int
page_duration(const json_t *d, const char *key, int64_t def, int64_t lo,
    int64_t hi, int64_t *out, struct err *err)
{
	const json_t *v = json_object_get(d, key);
	char path[64];

	*out = def;
	if (v == NULL)
		return 0;
	snprintf(path, sizeof path, "oncall.delivery.%s", key);
	if (!json_is_string(v) ||
	    clock_parse_duration(json_string_value(v), out, NULL) == -1 ||
	    *out < lo || *out > hi)
		return page_bad(err, path, "want a duration such as 2s or 1m");
	return 0;
}

static int
page_delivery(struct page_send *ps, struct err *err)
{
	const json_t *d = config_get(ps->cfg, "oncall.delivery");
	const json_t *att = json_object_get(d, "attempts");

	if (d != NULL && !json_is_object(d))
		return page_bad(err, "oncall.delivery", "want a table");
	ps->retry.attempts = 3;
	if (att != NULL &&
	    (!json_is_integer(att) || json_integer_value(att) < 1 ||
	        json_integer_value(att) > 10))
		return page_bad(
		    err, "oncall.delivery.attempts", "want 1 to 10");
	if (att != NULL)
		ps->retry.attempts = (int)json_integer_value(att);
	return page_duration(d, "backoff", 2 * CLOCK_US_PER_SEC,
	           CLOCK_US_PER_SEC, 3600 * CLOCK_US_PER_SEC,
	           &ps->retry.backoff_us, err) ||
	        page_duration(d, "max_backoff", 60 * CLOCK_US_PER_SEC,
	            CLOCK_US_PER_SEC, 24 * 3600 * CLOCK_US_PER_SEC,
	            &ps->retry.max_backoff_us, err) ||
	        page_duration(d, "timeout", 10 * CLOCK_US_PER_SEC,
	            CLOCK_US_PER_SEC, 120 * CLOCK_US_PER_SEC, &ps->timeout_us,
	            err)
	    ? -1
	    : 0;
}

static int
page_smtp_settings(struct page_send *ps, struct err *err)
{
	const json_t *s = config_get(ps->cfg, "oncall.smtp");
	const char *url, *from, *tls;

	if (s == NULL)
		return 0;
	url = json_string_value(json_object_get(s, "url"));
	from = json_string_value(json_object_get(s, "from"));
	tls = json_string_value(json_object_get(s, "tls"));
	if (!json_is_object(s) || url == NULL ||
	    (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8)))
		return page_bad(err, "oncall.smtp.url",
		    "want smtp://host:587 (STARTTLS) or smtps://host:465");
	if (from == NULL || strchr(from, '@') == NULL ||
	    strpbrk(from, "<>\r\n\t ,;\"") != NULL)
		return page_bad(err, "oncall.smtp.from",
		    "want the sender's address: owl@example.com");
	if (tls != NULL && strcmp(tls, "starttls") && strcmp(tls, "none"))
		return page_bad(err, "oncall.smtp.tls",
		    "want \"starttls\" (the default: refuse a server without "
		    "it) or \"none\"");
	if ((json_object_get(s, "user") != NULL &&
	        page_check_value(json_object_get(s, "user"), "oncall.smtp.user",
	            err) == -1) ||
	    (json_object_get(s, "password") != NULL &&
	        page_check_value(json_object_get(s, "password"),
	            "oncall.smtp.password", err) == -1))
		return -1;
	ps->smtp = s;
	ps->smtp_tls = tls != NULL && strcmp(tls, "none") == 0
	    ? PAGE_TLS_NONE
	    : PAGE_TLS_STARTTLS;
	return 0;
}

struct page_send *
page_send_new(const struct config *c, const struct oncall *oc, struct err *err)
{
	struct page_send *ps = calloc(1, sizeof *ps);
	const char *name;
	json_t *p;

	if (ps == NULL || (ps->mask = mask_new()) == NULL) {
		free(ps);
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&ps->lock, NULL);
	ps->cfg = c;
	ps->oc = oc;
	if ((ps->fx = effects_live_new(c, NULL, err)) == NULL ||
	    page_delivery(ps, err) == -1 || page_smtp_settings(ps, err) == -1)
		goto fail;
	json_object_foreach(oc->people, name, p)
	{
		if (page_check_person(ps, name, p, err) == -1)
			goto fail;
	}
	return ps;
fail:
	page_send_free(ps);
	return NULL;
}

void
page_send_free(struct page_send *ps)
{
	if (ps == NULL)
		return;
	effects_free(ps->fx);
	mask_free(ps->mask);
	pthread_mutex_destroy(&ps->lock);
	free(ps);
}

int
page_send_channels(const struct page_send *ps, const char *person,
    const char *out[PAGE_SEND_MAX_CHANNELS])
{
	const json_t *p = oncall_person(ps->oc, person), *order, *c;
	int n = 0;
	size_t i;

	if (p == NULL)
		return 0;
	if ((order = json_object_get(p, "order")) != NULL) {
		json_array_foreach(order, i, c)
		{
			const struct page_chan *ch =
			    page_chan(json_string_value(c));

			if (ch != NULL && n < PAGE_SEND_MAX_CHANNELS)
				out[n++] = ch->name;
		}
		return n;
	}
	for (i = 0; i < PAGE_NCHANS; i++)
		if (json_object_get(p, page_chans[i].name) != NULL)
			out[n++] = page_chans[i].name;
	return n;
}

struct pages_retry
page_send_retry(const struct page_send *ps)
{
	return ps->retry;
}

int64_t
page_send_timeout(const struct page_send *ps)
{
	return ps->timeout_us;
}

const struct mask *
page_send_mask(const struct page_send *ps)
{
	return ps->mask;
}

void
page_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_done(b);
}

int
page_value(struct page_send *ps, const json_t *v, const char *what,
    struct buf *out, struct err *err)
{
	const char *name = json_string_value(json_object_get(v, "secret"));
	struct err e2;
	char *shown;

	if (json_is_string(v))
		return buf_adds(out, json_string_value(v), err);
	if (name == NULL)
		return err_set(err, ERR_USAGE, "%s: not configured", what);
	err_init(&e2);
	if (ps->fx->secret_get(ps->fx->ctx, name, out, &e2) == -1)
		return err_set(err, ERR_FAILED, "%s: %s", what, e2.msg);
	if (out->len == 0)
		return err_set(
		    err, ERR_FAILED, "%s: secret %s is empty", what, name);
	pthread_mutex_lock(&ps->lock);
	shown = mask_dup(ps->mask, buf_str(out));
	/* registered once; a value too short to mask is still never shown */
	if (shown != NULL && strcmp(shown, MASK_REPLACEMENT) != 0)
		mask_add(ps->mask, out->data, out->len, NULL);
	pthread_mutex_unlock(&ps->lock);
	if (shown != NULL)
		explicit_bzero(shown, strlen(shown));
	free(shown);
	return 0;
}

int
page_fail(struct page_send *ps, struct err *err, const char *channel,
    const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	char *masked;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&ps->lock);
	masked = mask_dup(ps->mask, msg);
	pthread_mutex_unlock(&ps->lock);
	err_set(err, ERR_FAILED, "%s: %s", channel,
	    masked != NULL ? masked : "(error text lost: out of memory)");
	free(masked);
	return -1;
}

int
page_send_one(struct page_send *ps, const char *channel,
    const struct page_msg *m, int *status, struct err *err)
{
	const struct page_chan *ch = page_chan(channel);
	const json_t *p = oncall_person(ps->oc, m->person), *cfg;
	struct err e2;
	size_t n;

	*status = 0;
	if (ch == NULL)
		return err_set(err, ERR_FAILED, "no channel %s", channel);
	if ((cfg = json_object_get(p, channel)) == NULL)
		return err_set(err, ERR_FAILED, "%s: %s has none configured",
		    channel, m->person);
	err_init(&e2);
	if (ch->send(ps, cfg, m, status, &e2) == 0)
		return 0;
	/* the senders mask their messages; this is the last guard */
	n = strlen(channel);
	return page_fail(ps, err, channel, "%s",
	    strncmp(e2.msg, channel, n) == 0 && e2.msg[n] == ':' &&
	            e2.msg[n + 1] == ' '
	        ? e2.msg + n + 2
	        : e2.msg);
}
