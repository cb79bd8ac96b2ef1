/* text.c: column widths and ellipsis fitting for the TUI (see text.h). */
#include "text.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "engine/sanitize.h"

/* Decodes the character at s; returns its byte length (1 for a bad byte)
 * and sets *cp to the character to show ('?' or U+FFFD for what cannot
 * be shown) and *w to its width in columns. */
static size_t
text_next(const char *s, int flags, unsigned *cp, int *w)
{
	size_t len = sanitize_utf8((const unsigned char *)s, strlen(s), cp);

	*w = 1;
	if (len == 0) {
		*cp = '?';
		return 1;
	}
	if (*cp < 0x20 || *cp == 0x7f || (*cp >= 0x80 && (flags & TEXT_ASCII)))
		*cp = '?';
	else if (*cp >= 0x80 && (*w = wcwidth((wchar_t)*cp)) < 0) {
		*cp = 0xfffd;
		*w = 1;
	}
	return len;
}

static int
text_measure(const char *s, int flags)
{
	unsigned cp;
	int w, total = 0;

	while (s != NULL && *s != '\0') {
		s += text_next(s, flags, &cp, &w);
		total += w;
	}
	return total;
}

int
text_width(const char *s)
{
	return text_measure(s, 0);
}

/* Appends the character at src (len bytes, shown as cp) to out when it
 * fits whole; returns the new length. */
static size_t
text_put(
    char *out, size_t cap, size_t o, const char *src, size_t len, unsigned cp)
{
	if (cp == '?' && *src != '?') {
		src = "?";
		len = 1;
	} else if (cp == 0xfffd) {
		src = "\xef\xbf\xbd";
		len = 3;
	}
	if (o + len >= cap)
		return o;
	memcpy(out + o, src, len);
	return o + len;
}

int
text_fit(char *out, size_t cap, const char *s, int cols, int flags)
{
	const char *ell = "";
	int used = 0, limit, ellw = 0, w;
	size_t o = 0, len;
	unsigned cp;

	if (cap == 0)
		return 0;
	if (s == NULL)
		s = "";
	limit = cols = cols < 0 ? 0 : cols;
	if (text_measure(s, flags) > cols) {
		if (flags & TEXT_ASCII)
			ellw = cols < 3 ? cols : 3;
		else
			ellw = cols < 1 ? 0 : 1;
		ell = (flags & TEXT_ASCII) ? "..." + (3 - ellw)
		    : ellw                 ? "\xe2\x80\xa6"
		                           : "";
		limit = cols - ellw;
	}
	/* a character that does not fit ends the copy, so the combining
	 * marks after it (width 0) go with it */
	while (*s != '\0') {
		len = text_next(s, flags, &cp, &w);
		if (used + w > limit)
			break;
		o = text_put(out, cap, o, s, len, cp);
		used += w;
		s += len;
	}
	if (ellw > 0) {
		while (used < limit && o + 1 < cap) {
			out[o++] = ' ';
			used++;
		}
		if (o + strlen(ell) < cap) {
			memcpy(out + o, ell, strlen(ell));
			o += strlen(ell);
			used += ellw;
		}
	}
	while ((flags & TEXT_PAD) && used < cols && o + 1 < cap) {
		out[o++] = ' ';
		used++;
	}
	out[o] = '\0';
	return used;
}

void
text_age(int64_t us, char *out, size_t n)
{
	int64_t m = us < 0 ? 0 : us / INT64_C(60000000);

	if (m < 1)
		snprintf(out, n, "<1m");
	else if (m < 60)
		snprintf(out, n, "%dm", (int)m);
	else if (m < 48 * 60)
		snprintf(out, n, "%dh", (int)(m / 60));
	else
		snprintf(out, n, "%dd", (int)(m / (60 * 24)));
}

int
text_match(const char *hay, const char *needle)
{
	if (needle == NULL || *needle == '\0')
		return 1;
	return hay != NULL && strcasestr(hay, needle) != NULL;
}
