/* mask.c: replacing registered secrets and their encodings in text (see
 * mask.h). A handful of patterns per run, so a memmem per pattern is
 * plenty. */
#include "mask.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

struct mask_pat {
	char *p;
	size_t n;
	int b64; /* a base64 form: also found across MIME line breaks */
};

struct mask {
	struct mask_pat *pats;
	size_t n, cap;
};

struct mask *
mask_new(void)
{
	return calloc(1, sizeof(struct mask));
}

void
mask_free(struct mask *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		explicit_bzero(m->pats[i].p, m->pats[i].n);
		free(m->pats[i].p);
	}
	free(m->pats);
	free(m);
}

size_t
mask_count(const struct mask *m)
{
	return m != NULL ? m->n : 0;
}

/* Adds one pattern (copied), unless it is short or already known. */
static int
mask_pat_addf(struct mask *m, const char *p, size_t n, int b64)
{
	struct mask_pat *np;

	if (n < MASK_MIN_LEN)
		return 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->pats[i].n == n && memcmp(m->pats[i].p, p, n) == 0)
			return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		if ((np = realloc(m->pats, cap * sizeof *np)) == NULL)
			return -1;
		m->pats = np;
		m->cap = cap;
	}
	if ((m->pats[m->n].p = malloc(n)) == NULL)
		return -1;
	memcpy(m->pats[m->n].p, p, n);
	m->pats[m->n].b64 = b64;
	m->pats[m->n++].n = n;
	return 0;
}

static int
mask_pat_add(struct mask *m, const char *p, size_t n)
{
	return mask_pat_addf(m, p, n, 0);
}

/* Base64 of whole 3-byte groups only (no padding), in either alphabet. */
static size_t
mask_b64(const unsigned char *s, size_t n, int url, char *out)
{
	const char *abc = url
	    ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	    : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i + 3 <= n; i += 3) {
		unsigned v =
		    (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = abc[v >> 6 & 63];
		out[o++] = abc[v & 63];
	}
	return o;
}

/* Percent-encoding as encoders write it: upper- or lower-case hex,
 * space as %20 or + (forms), '/' escaped or kept (paths). */
enum {
	MASK_URL_LOWER = 1,
	MASK_URL_PLUS = 2,
	MASK_URL_SLASH = 4,
	MASK_URL_ALL = 8,
};

static size_t
mask_urlenc(const unsigned char *s, size_t n, int how, char *out)
{
	const char *hex =
	    how & MASK_URL_LOWER ? "0123456789abcdef" : "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    strchr("-._~", s[i]) != NULL ||
		    (s[i] == '/' && (how & MASK_URL_SLASH))) {
			out[o++] = (char)s[i];
		} else if (s[i] == ' ' && (how & MASK_URL_PLUS)) {
			out[o++] = '+';
		} else {
			out[o++] = '%';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 15];
		}
	}
	return o;
}

/* JSON string escaping as encoders write it: jansson and most others
 * (controls only), PHP ("\/"), Go ("<>&" as \u003c \u003e \u0026, and
 * U+2028/2029), Python and PHP by default (all non-ASCII as \uXXXX),
 * with lower- or upper-case hex. */
enum {
	MASK_JSON_SLASH = 1,
	MASK_JSON_HTML = 2,
	MASK_JSON_ASCII = 4,
	MASK_JSON_UPPER = 8,
	MASK_JSON_ALL = 16,
};

static size_t
mask_json_u(unsigned cp, int how, char *out)
{
	const char *hex =
	    how & MASK_JSON_UPPER ? "0123456789ABCDEF" : "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'u';
	for (int k = 0; k < 4; k++)
		out[2 + k] = hex[cp >> (12 - 4 * k) & 15];
	return 6;
}

/* 0 when s is not UTF-8 text (no JSON string holds it). */
static size_t
mask_json(const unsigned char *s, size_t n, int how, char *out)
{
	size_t o = 0, k;
	unsigned cp;

	for (size_t i = 0; i < n; i += k) {
		if ((k = sanitize_utf8(s + i, n - i, &cp)) == 0)
			return 0;
		if (cp == '"' || cp == '\\') {
			out[o++] = '\\';
			out[o++] = (char)cp;
		} else if (cp == '/' && (how & MASK_JSON_SLASH)) {
			out[o++] = '\\';
			out[o++] = '/';
		} else if (cp < 0x20 && strchr("\b\f\n\r\t", (int)cp) != NULL &&
		    cp != 0) {
			out[o++] = '\\';
			out[o++] = "btnvfr"[cp - 8];
		} else if (cp < 0x20 ||
		    ((how & MASK_JSON_HTML) &&
		        (cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 ||
		            cp == 0x2029)) ||
		    ((how & MASK_JSON_ASCII) && cp >= 0x80 && cp < 0x10000)) {
			o += mask_json_u(cp, how, out + o);
		} else if ((how & MASK_JSON_ASCII) && cp >= 0x10000) {
			cp -= 0x10000;
			o += mask_json_u(0xd800 + (cp >> 10), how, out + o);
			o += mask_json_u(0xdc00 + (cp & 0x3ff), how, out + o);
		} else {
			memcpy(out + o, s + i, k);
			o += k;
		}
	}
	return o;
}

/* tmp holds at least 6 * n + 16 bytes. */
static int
mask_encodings(struct mask *m, const unsigned char *v, size_t n, char *tmp)
{
	size_t k;

	/* A secret inside a longer base64 text starts at one of three byte
	 * alignments; the whole groups of each appear verbatim. */
	for (k = 0; k < 3 && k < n; k++)
		for (int url = 0; url < 2; url++)
			if (mask_pat_addf(m, tmp,
			        mask_b64(v + k, n - k, url, tmp), 1) == -1)
				return -1;
	for (int how = 0; how < MASK_URL_ALL; how++)
		if (mask_pat_add(m, tmp, mask_urlenc(v, n, how, tmp)) == -1)
			return -1;
	for (int how = 0; how < MASK_JSON_ALL; how++)
		if ((k = mask_json(v, n, how, tmp)) > 0 &&
		    mask_pat_add(m, tmp, k) == -1)
			return -1;
	return 0;
}

int
mask_add(struct mask *m, const char *value, size_t n, struct err *err)
{
	char *tmp;
	int rc, multi;

	if (n < MASK_MIN_LEN)
		return err_set(err, ERR_USAGE,
		    "a secret must be at least %d "
		    "bytes long to be masked reliably",
		    MASK_MIN_LEN);
	if (mask_pat_add(m, value, n) == -1 ||
	    (tmp = malloc(6 * n + 16)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = mask_encodings(m, (const unsigned char *)value, n, tmp);
	/* A multi-line value (a PEM key) leaks a line at a time: each line
	 * long enough is a pattern too (SECURITY.md 6.1). */
	multi = memchr(value, '\n', n) != NULL;
	for (size_t i = 0, j; rc == 0 && multi && i < n; i = j + 1) {
		const char *nl = memchr(value + i, '\n', n - i);
		size_t len;

		j = nl ? (size_t)(nl - value) : n;
		len = j - i;
		if (len > 0 && value[i + len - 1] == '\r')
			len--;
		if (len >= MASK_MIN_LEN && len < n &&
		    (mask_pat_add(m, value + i, len) == -1 ||
		        mask_encodings(m, (const unsigned char *)value + i, len,
		            tmp) == -1))
			rc = -1;
	}
	explicit_bzero(tmp, 6 * n + 16);
	free(tmp);
	if (rc == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

/* A stretch of the text to replace. */
struct mask_range {
	size_t a, b; /* [a, b) */
};

struct mask_ranges {
	struct mask_range *v;
	size_t n, cap;
};

static int
mask_range_add(struct mask_ranges *r, size_t a, size_t b)
{
	struct mask_range *nv;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		if ((nv = realloc(r->v, cap * sizeof *nv)) == NULL)
			return -1;
		r->v = nv;
		r->cap = cap;
	}
	r->v[r->n].a = a;
	r->v[r->n++].b = b;
	return 0;
}

/* Every place pattern p occurs in s (n bytes); map, when not NULL, gives
 * each byte's position in the original text. */
static int
mask_find(const struct mask_pat *p, const char *s, size_t n,
    const uint32_t *map, struct mask_ranges *r)
{
	const char *h = s;

	while ((h = memmem(h, n - (size_t)(h - s), p->p, p->n)) != NULL) {
		size_t a = (size_t)(h - s), b = a + p->n;
		if (mask_range_add(r, map ? map[a] : a,
		        map ? (size_t)map[b - 1] + 1 : b) == -1)
			return -1;
		h += p->n;
	}
	return 0;
}

/* MIME base64 (RFC 2045) is wrapped at 76 columns, PEM at 64: a secret's
 * base64 form may be cut by a line break anywhere. The text without its
 * CR and LF is searched for the base64 forms too. */
static int
mask_find_wrapped(
    const struct mask *m, const char *s, size_t n, struct mask_ranges *r)
{
	uint32_t *map = NULL;
	char *flat = NULL;
	size_t o = 0;
	int rc = -1;

	if (memchr(s, '\n', n) == NULL || n > UINT32_MAX)
		return 0;
	if ((flat = malloc(n)) == NULL ||
	    (map = malloc(n * sizeof *map)) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\n' && s[i] != '\r') {
			map[o] = (uint32_t)i;
			flat[o++] = s[i];
		}
	rc = 0;
	for (size_t i = 0; i < m->n && rc == 0; i++)
		if (m->pats[i].b64)
			rc = mask_find(&m->pats[i], flat, o, map, r);
out:
	free(flat);
	free(map);
	return rc;
}

static int
mask_range_cmp(const void *x, const void *y)
{
	const struct mask_range *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? 1 : a->b > b->b ? -1 : 0;
}

int
mask_apply(const struct mask *m, const char *s, size_t n, struct buf *out,
    struct err *err)
{
	struct mask_ranges r = { 0 };
	size_t pos = 0;
	int rc = -1;

	if (m == NULL || m->n == 0)
		return buf_add(out, s, n, err);
	/* one forward search per pattern, then the hits in order: every
	 * byte covered by some pattern is replaced, overlapping hits as one */
	for (size_t i = 0; i < m->n; i++)
		if (mask_find(&m->pats[i], s, n, NULL, &r) == -1)
			goto oom;
	if (mask_find_wrapped(m, s, n, &r) == -1)
		goto oom;
	if (r.n > 1)
		qsort(r.v, r.n, sizeof *r.v, mask_range_cmp);
	for (size_t i = 0; i < r.n;) {
		size_t a = r.v[i].a, b = r.v[i].b;
		for (i++; i < r.n && r.v[i].a < b; i++)
			if (r.v[i].b > b)
				b = r.v[i].b;
		if (buf_add(out, s + pos, a - pos, err) == -1 ||
		    buf_adds(out, MASK_REPLACEMENT, err) == -1)
			goto out;
		pos = b;
	}
	rc = buf_add(out, s + pos, n - pos, err);
	goto out;
oom:
	err_set(err, ERR_FAILED, "out of memory");
out:
	free(r.v);
	return rc;
}

int
mask_contains(const struct mask *m, const char *s, size_t n)
{
	struct mask_ranges r = { 0 };
	int found;

	if (m == NULL)
		return 0;
	for (size_t i = 0; i < m->n; i++)
		if (memmem(s, n, m->pats[i].p, m->pats[i].n) != NULL)
			return 1;
	/* a failure to look (out of memory) counts as found: the caller
	 * then shows less, never more */
	found = mask_find_wrapped(m, s, n, &r) == -1 || r.n > 0;
	free(r.v);
	return found;
}

char *
mask_dup(const struct mask *m, const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	if (s == NULL)
		s = "";
	if (mask_apply(m, s, strlen(s), &b, NULL) == -1) {
		buf_done(&b);
		return NULL;
	}
	return buf_steal(&b);
}
