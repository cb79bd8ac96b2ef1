/* jscan.c: a few values read out of a JSON object's text in one pass
 * (see jscan.h): a strict recursive reader that keeps nothing but
 * pointers into the text. */
#include "jscan.h"

#include <string.h>

#define JSCAN_DEPTH 32
#define JSCAN_KEY 128 /* the longest path it matches */

struct jscan {
	const struct jscan_want *want;
	size_t n;
	struct jscan_val *out;
	unsigned char found[JSCAN_MAX];
	size_t len[JSCAN_MAX]; /* of each want's path */
};

static const char *
jscan_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int
jscan_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* The bytes a string's scan stops at: its closing quote, an escape, a
 * control character (or the text's end). Everything else is skipped
 * with one look-up a byte: a log entry's detail is mostly string. */
static const unsigned char jscan_stop[256] = {
	[0x00] = 1,
	[0x01] = 1,
	[0x02] = 1,
	[0x03] = 1,
	[0x04] = 1,
	[0x05] = 1,
	[0x06] = 1,
	[0x07] = 1,
	[0x08] = 1,
	[0x09] = 1,
	[0x0a] = 1,
	[0x0b] = 1,
	[0x0c] = 1,
	[0x0d] = 1,
	[0x0e] = 1,
	[0x0f] = 1,
	[0x10] = 1,
	[0x11] = 1,
	[0x12] = 1,
	[0x13] = 1,
	[0x14] = 1,
	[0x15] = 1,
	[0x16] = 1,
	[0x17] = 1,
	[0x18] = 1,
	[0x19] = 1,
	[0x1a] = 1,
	[0x1b] = 1,
	[0x1c] = 1,
	[0x1d] = 1,
	[0x1e] = 1,
	[0x1f] = 1,
	['"'] = 1,
	['\\'] = 1,
};

/* A string at p (its opening quote): the end past its closing quote,
 * or NULL when it is not one; *esc says whether it holds an escape. */
static const char *
jscan_string(const char *p, int *esc)
{
	*esc = 0;
	for (p++;; p++) {
		unsigned char c;

		while (!jscan_stop[(unsigned char)*p])
			p++;
		c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20) /* the end of the text, or a raw control */
			return NULL;
		if (c != '\\')
			continue;
		*esc = 1;
		c = (unsigned char)*++p;
		if (c == 'u') {
			for (int i = 1; i <= 4; i++)
				if (!jscan_hex(p[i]))
					return NULL;
			p += 4;
		} else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
			return NULL;
		}
	}
}

static const char *
jscan_digits(const char *p)
{
	const char *q = p;

	while (*p >= '0' && *p <= '9')
		p++;
	return p > q ? p : NULL;
}

/* A number (RFC 8259's grammar): its end, or NULL. */
static const char *
jscan_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if ((p = jscan_digits(p)) == NULL)
		return NULL;
	if (*p == '.' && (p = jscan_digits(p + 1)) == NULL)
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = jscan_digits(p);
	}
	return p;
}

static const char *jscan_value(
    struct jscan *j, const char *p, int depth, const char *path, size_t plen);

/* An object at p ('{'); path is where it is ("" at the top). */
static const char *
jscan_object(
    struct jscan *j, const char *p, int depth, const char *path, size_t plen)
{
	char key[JSCAN_KEY];
	const char *k, *end;
	size_t kn;
	int esc;

	p = jscan_ws(p + 1);
	if (*p == '}')
		return p + 1;
	for (;;) {
		if (*p != '"' || (end = jscan_string(p, &esc)) == NULL)
			return NULL;
		k = p + 1;
		kn = (size_t)(end - 1 - k);
		if (esc && path != NULL)
			return NULL; /* "fingerprin\u0074" is "fingerprint" */
		p = jscan_ws(end);
		if (*p != ':')
			return NULL;
		p = jscan_ws(p + 1);
		if (path != NULL && memchr(k, '.', kn) == NULL &&
		    plen + 1 + kn < sizeof key) {
			/* the value's path: "key", or "parent.key" (a key
			 * with a dot in it is no path's) */
			if (plen == 0) {
				p = jscan_value(j, p, depth, k, kn);
			} else {
				memcpy(key, path, plen);
				key[plen] = '.';
				memcpy(key + plen + 1, k, kn);
				p = jscan_value(
				    j, p, depth, key, plen + 1 + kn);
			}
		} else {
			p = jscan_value(j, p, depth, NULL, 0);
		}
		if (p == NULL)
			return NULL;
		p = jscan_ws(p);
		if (*p == '}')
			return p + 1;
		if (*p != ',')
			return NULL;
		p = jscan_ws(p + 1);
	}
}

static const char *
jscan_array_skip(struct jscan *j, const char *p, int depth)
{
	p = jscan_ws(p + 1);
	if (*p == ']')
		return p + 1;
	for (;;) {
		if ((p = jscan_value(j, p, depth, NULL, 0)) == NULL)
			return NULL;
		p = jscan_ws(p);
		if (*p == ']')
			return p + 1;
		if (*p != ',')
			return NULL;
		p = jscan_ws(p + 1);
	}
}

/* The want at exactly this path (plen bytes, not NUL-terminated), or
 * -1; whether one is below it. */
static int
jscan_which(const struct jscan *j, const char *path, size_t plen, int *below)
{
	int at = -1;

	*below = 0;
	for (size_t i = 0; path != NULL && i < j->n; i++) {
		const char *w = j->want[i].path;

		if (j->len[i] < plen || (j->len[i] > plen && w[plen] != '.') ||
		    memcmp(w, path, plen) != 0)
			continue;
		if (j->len[i] == plen)
			at = (int)i;
		else
			*below = 1;
	}
	return at;
}

/* A value at p; path is its path (NULL inside an array: never
 * wanted). */
static const char *
jscan_value(
    struct jscan *j, const char *p, int depth, const char *path, size_t plen)
{
	int below, at = jscan_which(j, path, plen, &below), esc;
	const char *end;

	if (depth >= JSCAN_DEPTH)
		return NULL;
	if (at >= 0 && j->found[at]++)
		return NULL; /* a key twice: which one counts is the parser's */
	switch (*p) {
	case '{':
		end = jscan_object(
		    j, p, depth + 1, below ? path : NULL, below ? plen : 0);
		if (at >= 0 && !j->want[at].object)
			return NULL;
		break;
	case '[':
		end = jscan_array_skip(j, p, depth + 1);
		if (at >= 0)
			return NULL;
		break;
	case '"':
		end = jscan_string(p, &esc);
		if (at >= 0 && (esc || j->want[at].object))
			return NULL;
		if (at >= 0 && end != NULL) {
			j->out[at].p = p + 1;
			j->out[at].n = (size_t)(end - 1 - (p + 1));
		}
		return end;
	case 'n': return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	case 't':
		end = strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
		return at >= 0 ? NULL : end;
	case 'f':
		end = strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
		return at >= 0 ? NULL : end;
	default: end = jscan_number(p); return at >= 0 ? NULL : end;
	}
	if (at >= 0 && end != NULL) {
		j->out[at].p = p;
		j->out[at].n = (size_t)(end - p);
	}
	return end;
}

int
jscan_get(const char *s, const struct jscan_want *want, size_t n,
    struct jscan_val *out)
{
	struct jscan j = { want, n, out, { 0 }, { 0 } };
	const char *p;

	if (s == NULL || n > JSCAN_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		j.len[i] = strlen(want[i].path);
	memset(out, 0, n * sizeof *out);
	p = jscan_ws(s);
	if (*p != '{' || (p = jscan_object(&j, p, 1, "", 0)) == NULL)
		return -1;
	return *jscan_ws(p) == '\0' ? 0 : -1;
}

/* Whether c may stand in a string jscan_pairs reads: printable ASCII,
 * not a quote or an escape (one look-up). */
static int
jscan_plain(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x20 && u < 0x7f && !jscan_stop[u];
}

int
jscan_pairs(const char *s, size_t n, char *buf, size_t size, const char **k,
    const char **v, size_t max)
{
	const char *p = s, *end = s + n, *q;
	size_t m = 0, len = 0, l;

	if (s == NULL)
		return 0;
	if (n < 2 || *p++ != '{' || end[-1] != '}')
		return -1;
	end--; /* the closing brace */
	while (p < end && *p == '"') {
		for (int i = 0; i < 2; i++) { /* the key, then the value */
			for (q = ++p; p < end && jscan_plain(*p); p++)
				;
			l = (size_t)(p - q);
			if (p == end || *p != '"' || m == max ||
			    len + l + 1 > size)
				return -1;
			memcpy(buf + len, q, l);
			buf[len + l] = '\0';
			(i == 0 ? k : v)[m] = buf + len;
			len += l + 1;
			p++; /* past the closing quote */
			if (i == 0 &&
			    (end - p < 2 || p[0] != ':' || p[1] != '"'))
				return -1;
			if (i == 0)
				p++; /* past the colon, to the value's quote */
		}
		for (size_t i = 0; i < m; i++)
			if (strcmp(k[i], k[m]) == 0)
				return -1; /* twice: which one counts is
				              jansson's */
		m++;
		if (p < end && *p == ',' && end - p > 1 && p[1] == '"')
			p++;
		else if (p != end)
			return -1;
	}
	return p == end ? (int)m : -1;
}
