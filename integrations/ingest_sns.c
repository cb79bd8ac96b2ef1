/* ingest_sns.c: the Amazon SNS subscription handshake (ingest_prepare
 * in ingest.h). SNS posts a SubscriptionConfirmation before it sends any
 * alarm; owl confirms it by fetching its SubscribeURL with libcurl, but
 * only for a topic the config allows (sns.topics) and only at Amazon
 * (https://sns.REGION.amazonaws.com/) or the configured sns.endpoint:
 * anyone can post such a message, and owl must not fetch what it says. */
#include "integrations/ingest_int.h"

#include "integrations/lazy_curl.h"
#include <stdio.h>
#include <string.h>

#define SNS_TIMEOUT_MS 10000L

/* Is topic allowed by the config (an ARN, or a prefix ending in '*')? */
static int
sns_topic_allowed(const struct ingest_opts *o, const char *topic)
{
	const json_t *v;
	const char *t;
	size_t i, n;

	if (o == NULL)
		return 0;
	json_array_foreach(o->sns_topics, i, v)
	{
		t = json_string_value(v);
		n = strlen(t);
		if (strcmp(t, topic) == 0 ||
		    (n > 0 && t[n - 1] == '*' && strncmp(t, topic, n - 1) == 0))
			return 1;
	}
	return 0;
}

/* Is url Amazon's SNS (https://sns.REGION.amazonaws.com[.cn]/...) or
 * under the configured endpoint? */
static int
sns_url_allowed(const struct ingest_opts *o, const char *url)
{
	const char *host = url + 8, *end;
	size_t n;

	if (o != NULL && o->sns_endpoint != NULL &&
	    strncmp(url, o->sns_endpoint, strlen(o->sns_endpoint)) == 0)
		return 1;
	if (strncmp(url, "https://sns.", 12) != 0)
		return 0;
	end = host + strcspn(host, "/?#:@");
	if (*end != '/' && *end != '?')
		return 0;
	n = (size_t)(end - host);
	return (n > 14 && strncmp(end - 14, ".amazonaws.com", 14) == 0) ||
	    (n > 17 && strncmp(end - 17, ".amazonaws.com.cn", 17) == 0);
}

static size_t
sns_discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* GET url; 0 when it answers 2xx. */
static int
sns_get(const char *url, struct err *err)
{
	char cerr[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;
	CURL *c;

	if (lazy_load(LAZY_CURL, err) == -1) {
		err_prefix(err, "sns: ");
		return -1;
	}
	if ((c = curl_easy_init()) == NULL)
		return err_set(err, ERR_FAILED, "sns: out of memory");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, SNS_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sns_discard);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "owl");
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return err_set(err, ERR_FAILED,
		    "sns: confirming the subscription: %s",
		    cerr[0] ? cerr : curl_easy_strerror(rc));
	if (status < 200 || status > 299)
		return err_set(err, ERR_FAILED,
		    "sns: confirming the subscription: HTTP %ld", status);
	return 0;
}

int
ingest_prepare(
    struct ingest_batch *b, const struct ingest_opts *o, struct err *err)
{
	if (b->confirm_topic == NULL)
		return 0;
	if (!sns_topic_allowed(o, b->confirm_topic))
		return err_set(err, ERR_REFUSED,
		    "sns: subscription to %.300s not confirmed: add the topic "
		    "to the config's sns.topics",
		    b->confirm_topic);
	if (!sns_url_allowed(o, b->confirm_url))
		return err_set(err, ERR_REFUSED,
		    "sns: SubscribeURL is not Amazon's SNS (https://sns.REGION."
		    "amazonaws.com/) nor the config's sns.endpoint: not "
		    "fetched");
	if (sns_get(b->confirm_url, err) == -1)
		return -1;
	b->confirmed = 1;
	return 0;
}
