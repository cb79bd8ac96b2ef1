/* sanitize.c: visible escapes for terminal-hostile text (see sanitize.h). */
#include "sanitize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t
sanitize_utf8(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], v;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

int
sanitize_is_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	size_t i = 0, len;

	while (i < n) {
		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((len = sanitize_utf8(p + i, n - i, &cp)) == 0)
			return 0;
		i += len;
	}
	return 1;
}

/* Format controls that reorder or hide text: bidi embeddings, overrides
 * and isolates, marks, and zero-width characters used for spoofing. */
static int
sanitize_is_format(unsigned cp)
{
	return cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0xfeff;
}

int
sanitize_term(
    struct buf *out, const char *s, size_t n, int flags, struct err *err)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[16];
	size_t i = 0, run = 0, len;
	unsigned cp;

	while (i < n) {
		unsigned c = p[i];

		if (c >= 0x20 && c < 0x7f) {
			i++;
			run++;
			continue;
		}
		/* flush the plain run before handling anything special */
		if (run > 0 && buf_add(out, p + i - run, run, err) == -1)
			return -1;
		run = 0;
		if (c < 0x80) {
			if ((flags & SANITIZE_NEWLINES) &&
			    (c == '\n' || c == '\t')) {
				if (buf_addc(out, (char)c, err) == -1)
					return -1;
			} else {
				snprintf(esc, sizeof esc, "\\x%02x", c);
				if (buf_adds(out, esc, err) == -1)
					return -1;
			}
			i++;
			continue;
		}
		len = sanitize_utf8(p + i, n - i, &cp);
		if (len == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			len = 1;
		} else if ((cp >= 0x80 && cp < 0xa0) ||
		    sanitize_is_format(cp) || (flags & SANITIZE_ASCII)) {
			snprintf(esc, sizeof esc,
			    cp < 0x10000 ? "\\u%04x" : "\\U%08x", cp);
		} else {
			esc[0] = '\0';
			run = len; /* plain: copied with the next flush */
		}
		if (esc[0] != '\0' && buf_adds(out, esc, err) == -1)
			return -1;
		i += len;
		if (run > 0) {
			if (buf_add(out, p + i - run, run, err) == -1)
				return -1;
			run = 0;
		}
	}
	if (run > 0 && buf_add(out, p + i - run, run, err) == -1)
		return -1;
	return 0;
}

char *
sanitize_dup(const char *s, int flags)
{
	struct buf b;

	buf_init(&b, 0);
	if (s != NULL && sanitize_term(&b, s, strlen(s), flags, NULL) == -1) {
		buf_done(&b);
		return NULL;
	}
	return buf_steal(&b);
}

char *
sanitize_url(const char *url, char *out, size_t n)
{
	const char *auth = strstr(url, "://"), *at = NULL;
	size_t len;

	if (auth != NULL) {
		auth += 3;
		len = strcspn(auth, "/?#");
		at = memrchr(auth, '@', len);
	}
	if (at == NULL)
		snprintf(out, n, "%s", url);
	else
		snprintf(out, n, "%.*s***%s", (int)(auth - url), url, at);
	return out;
}
