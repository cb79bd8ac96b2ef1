/* mask.c: replacing registered secrets and their encodings in text (see
 * mask.h). A handful of patterns per run, so a memmem per pattern is
 * plenty. */
#include "mask.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct mask_pat {
	char *p;
	size_t n;
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
mask_pat_add(struct mask *m, const char *p, size_t n)
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
	m->pats[m->n++].n = n;
	return 0;
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

static size_t
mask_urlenc(const unsigned char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    strchr("-._~", s[i]) != NULL) {
			out[o++] = (char)s[i];
		} else {
			out[o++] = '%';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 15];
		}
	}
	return o;
}

static int
mask_encodings(struct mask *m, const unsigned char *v, size_t n, char *tmp)
{
	json_t *j;
	char *js;
	int rc = 0;

	/* A secret inside a longer base64 text starts at one of three byte
	 * alignments; the whole groups of each appear verbatim. */
	for (size_t k = 0; k < 3 && k < n; k++)
		for (int url = 0; url < 2; url++)
			if (mask_pat_add(
			        m, tmp, mask_b64(v + k, n - k, url, tmp)) == -1)
				return -1;
	if (mask_pat_add(m, tmp, mask_urlenc(v, n, tmp)) == -1)
		return -1;
	if ((j = json_stringn((const char *)v, n)) != NULL) {
		js = json_dumps(j, JSON_ENCODE_ANY);
		if (js != NULL && strlen(js) >= 2)
			rc = mask_pat_add(m, js + 1, strlen(js) - 2);
		if (js != NULL)
			explicit_bzero(js, strlen(js));
		free(js);
		json_decref(j);
	}
	return rc;
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
	    (tmp = malloc(3 * n + 8)) == NULL)
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
	explicit_bzero(tmp, 3 * n + 8);
	free(tmp);
	if (rc == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

int
mask_apply(const struct mask *m, const char *s, size_t n, struct buf *out,
    struct err *err)
{
	const char **next; /* each pattern's next hit at or after pos */
	size_t pos = 0;
	int rc = -1;

	if (m == NULL || m->n == 0)
		return buf_add(out, s, n, err);
	/* Each pattern is searched forward only: a text with many hits and
	 * many patterns costs one pass per pattern, not one per hit. */
	if ((next = malloc(m->n * sizeof *next)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	for (size_t i = 0; i < m->n; i++)
		next[i] = memmem(s, n, m->pats[i].p, m->pats[i].n);
	for (;;) {
		const char *best = NULL;
		size_t blen = 0;
		for (size_t i = 0; i < m->n; i++) {
			if (next[i] != NULL && next[i] < s + pos)
				next[i] = memmem(s + pos, n - pos, m->pats[i].p,
				    m->pats[i].n);
			if (next[i] != NULL &&
			    (best == NULL || next[i] < best ||
			        (next[i] == best && m->pats[i].n > blen))) {
				best = next[i];
				blen = m->pats[i].n;
			}
		}
		if (best == NULL)
			break;
		if (buf_add(out, s + pos, (size_t)(best - (s + pos)), err) ==
		        -1 ||
		    buf_adds(out, MASK_REPLACEMENT, err) == -1)
			goto out;
		pos = (size_t)(best - s) + blen;
	}
	rc = buf_add(out, s + pos, n - pos, err);
out:
	free(next);
	return rc;
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
