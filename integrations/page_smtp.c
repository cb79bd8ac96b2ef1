/* page_smtp.c: paging by email with libcurl's SMTP: STARTTLS required
 * unless oncall.smtp.tls = "none" (smtps:// for TLS from the start), a
 * CA file for a private server, optional login with owl secrets, and a
 * plain-text RFC 5322 message whose headers cannot be broken into by
 * alert text (controls removed, non-ASCII subjects RFC 2047-encoded). */
#include "page_int.h"

#include "integrations/lazy_crypto.h"
#include "integrations/lazy_curl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/clock.h"

#define PAGE_SMTP_SUBJECT_MAX 150

struct page_smtp_src {
	const char *p;
	size_t left;
};

static size_t
page_smtp_read(char *out, size_t size, size_t n, void *ud)
{
	struct page_smtp_src *s = ud;
	size_t k = size * n < s->left ? size * n : s->left;

	memcpy(out, s->p, k);
	s->p += k;
	s->left -= k;
	return k;
}

/* "Mon, 05 Jan 2026 08:00:00 +0000", never in the user's locale. */
static void
page_smtp_date(char *out, size_t n)
{
	static const char *const d[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const m[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(clock_now_us() / CLOCK_US_PER_SEC);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", d[tm.tm_wday],
	    tm.tm_mday, m[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

/* The subject: the text's first PAGE_SMTP_SUBJECT_MAX bytes on one
 * line, cut at a character; RFC 2047 words when it is not ASCII. */
static int
page_smtp_subject(const char *text, struct buf *out, struct err *err)
{
	unsigned char raw[PAGE_SMTP_SUBJECT_MAX + 8], enc[80];
	size_t n = 0, i, chunk;
	int ascii = 1;

	for (i = 0; text[i] != '\0' && n < PAGE_SMTP_SUBJECT_MAX; i++) {
		unsigned char c = (unsigned char)text[i];

		raw[n++] = c < 0x20 || c == 0x7f ? ' ' : c;
		ascii &= c < 0x80;
	}
	if (text[n] != '\0') /* cut: not in the middle of a character */
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	if (buf_adds(out, "Subject: [owl] ", err) == -1)
		return -1;
	if (ascii)
		return buf_add(out, raw, n, err) == -1 ||
		        buf_adds(out, "\r\n", err) == -1
		    ? -1
		    : 0;
	for (i = 0; i < n; i += chunk) {
		chunk = n - i < 45 ? n - i : 45;
		while (i + chunk < n && (raw[i + chunk] & 0xC0) == 0x80)
			chunk--;
		EVP_EncodeBlock(enc, raw + i, (int)chunk);
		if (buf_printf(out, err, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "",
		        (const char *)enc) == -1)
			return -1;
	}
	return buf_adds(out, "\r\n", err);
}

/* The body: the text with CRLF line ends, then where it comes from. */
static int
page_smtp_body(const struct page_msg *m, struct buf *out, struct err *err)
{
	for (const char *p = m->text; *p; p++)
		if ((*p == '\n'          ? buf_adds(out, "\r\n", err)
		            : *p == '\r' ? 0
		                         : buf_addc(out, *p, err)) == -1)
			return -1;
	if (buf_adds(out, "\r\n\r\n", err) == -1)
		return -1;
	if (m->incident > 0 &&
	    buf_printf(out, err,
	        "Incident INC-%lld: owl show %lld, then owl ack %lld\r\n",
	        (long long)m->incident, (long long)m->incident,
	        (long long)m->incident) == -1)
		return -1;
	return buf_printf(out, err,
	    "Page %lld, attempt %d, to %s.\r\n-- \r\nowl\r\n",
	    (long long)m->page, m->attempt, m->person);
}

static int
page_smtp_message(const char *from, const char *to, const struct page_msg *m,
    struct buf *out, struct err *err)
{
	char date[64], host[128] = "owl";

	page_smtp_date(date, sizeof date);
	if (gethostname(host, sizeof host - 1) != 0 ||
	    strpbrk(host, "<>@\r\n ") != NULL)
		snprintf(host, sizeof host, "owl");
	if (buf_printf(out, err,
	        "Date: %s\r\nFrom: owl <%s>\r\nTo: <%s>\r\n"
	        "Message-ID: <owl-page-%lld-%s@%s>\r\n"
	        "Auto-Submitted: auto-generated\r\nX-Owl-Page: %lld\r\n"
	        "MIME-Version: 1.0\r\n"
	        "Content-Type: text/plain; charset=utf-8\r\n"
	        "Content-Transfer-Encoding: 8bit\r\n",
	        date, from, to, (long long)m->page, m->kind, host,
	        (long long)m->page) == -1 ||
	    page_smtp_subject(m->text, out, err) == -1 ||
	    buf_adds(out, "\r\n", err) == -1)
		return -1;
	return page_smtp_body(m, out, err);
}

/* The login, when oncall.smtp has one. */
static int
page_smtp_login(struct page_send *ps, CURL *c, struct buf *user,
    struct buf *pass, struct err *err)
{
	const json_t *u = json_object_get(ps->smtp, "user");
	const json_t *p = json_object_get(ps->smtp, "password");

	if (u == NULL)
		return 0;
	if (page_value(ps, u, "smtp user", user, err) == -1 ||
	    (p != NULL && page_value(ps, p, "smtp password", pass, err) == -1))
		return -1;
	curl_easy_setopt(c, CURLOPT_USERNAME, buf_str(user));
	curl_easy_setopt(c, CURLOPT_PASSWORD, buf_str(pass));
	return 0;
}

static void
page_smtp_setup(struct page_send *ps, CURL *c, char *ebuf)
{
	const char *ca =
	    json_string_value(json_object_get(ps->smtp, "ca_file"));
	long ms = (long)(ps->timeout_us / 1000);

	curl_easy_setopt(c, CURLOPT_URL,
	    json_string_value(json_object_get(ps->smtp, "url")));
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_USE_SSL,
	    ps->smtp_tls == PAGE_TLS_NONE ? (long)CURLUSESSL_NONE
	                                  : (long)CURLUSESSL_ALL);
	if (ca != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, page_smtp_read);
}

int
page_smtp_email(struct page_send *ps, const json_t *cfg,
    const struct page_msg *m, int *status, struct err *err)
{
	const char *from = json_string_value(json_object_get(ps->smtp, "from"));
	const char *to = json_string_value(cfg);
	char ebuf[CURL_ERROR_SIZE] = "", mfrom[300], rcpt[300];
	struct curl_slist *r = NULL;
	struct page_smtp_src src;
	struct buf msg, user, pass;
	long code = 0;
	CURLcode rc;
	struct err le;
	CURL *c = NULL;
	int ret = -1;

	err_init(&le);
	buf_init(&msg, 64 * 1024);
	buf_init(&user, 4096);
	buf_init(&pass, 4096);
	if (ps->smtp == NULL || to == NULL) {
		page_fail(ps, err, "email", "no oncall.smtp configured");
		goto out;
	}
	if (lazy_load(LAZY_CURL, &le) == -1 ||
	    lazy_load(LAZY_CRYPTO, &le) == -1) {
		page_fail(ps, err, "email", "%s", le.msg);
		goto out;
	}
	snprintf(mfrom, sizeof mfrom, "<%s>", from);
	snprintf(rcpt, sizeof rcpt, "<%s>", to);
	if (page_smtp_message(from, to, m, &msg, err) == -1 ||
	    (c = curl_easy_init()) == NULL ||
	    (r = curl_slist_append(NULL, rcpt)) == NULL) {
		page_fail(ps, err, "email", "cannot build the message");
		goto out;
	}
	page_smtp_setup(ps, c, ebuf);
	if (page_smtp_login(ps, c, &user, &pass, err) == -1)
		goto out;
	src = (struct page_smtp_src){ msg.data, msg.len };
	curl_easy_setopt(c, CURLOPT_READDATA, &src);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, mfrom);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, r);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	*status = (int)code;
	if (rc != CURLE_OK)
		page_fail(ps, err, "email", "%s%s",
		    ebuf[0] ? ebuf : curl_easy_strerror(rc),
		    rc == CURLE_USE_SSL_FAILED
		        ? " (the server offers no STARTTLS; set oncall.smtp.tls"
		          " = \"none\" only for a server on this host)"
		        : "");
	else
		ret = 0;
out:
	curl_slist_free_all(r);
	curl_easy_cleanup(c);
	buf_done(&msg);
	page_wipe(&user);
	page_wipe(&pass);
	return ret;
}
