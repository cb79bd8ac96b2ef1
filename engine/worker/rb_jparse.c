/* rb_jparse.c: the protocol's common messages parsed without jansson's
 * byte-at-a-time reader (see rb_jparse.h). Any doubt gives up (NULL):
 * json_loadb then decides, so the values and the errors stay jansson's. */
#include "rb_jparse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RB_JPARSE_DEPTH 64
#define RB_JPARSE_DIGITS 18 /* always within json_int_t */

struct rb_jparse {
	const char *p, *end;
	char *tmp; /* unescaped string bytes */
	size_t cap;
};

static json_t *rb_jparse_value(struct rb_jparse *j, int depth);

/* A string's bytes (after the opening quote) into j->tmp: its length,
 * or -1 to give up. */
static long
rb_jparse_chars(struct rb_jparse *j)
{
	const char *s = j->p;
	size_t n = 0;

	for (;;) {
		unsigned char c;
		if (s >= j->end)
			return -1;
		c = (unsigned char)*s++;
		if (c == '"')
			break;
		if (c < 0x20 || c >= 0x7f)
			return -1; /* control bytes, UTF-8: jansson's */
		if (c == '\\') {
			if (s >= j->end)
				return -1;
			switch (*s++) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			default: return -1; /* \u and the invalid */
			}
		}
		if (n == j->cap) {
			size_t cap = j->cap ? 2 * j->cap : 256;
			char *t = realloc(j->tmp, cap);
			if (t == NULL)
				return -1;
			j->tmp = t;
			j->cap = cap;
		}
		j->tmp[n++] = (char)c;
	}
	j->p = s;
	return (long)n;
}

static json_t *
rb_jparse_int(struct rb_jparse *j)
{
	const char *s = j->p;
	json_int_t v = 0;
	int neg = 0, digits = 0;

	if (s < j->end && *s == '-') {
		neg = 1;
		s++;
	}
	if (s >= j->end || *s < '0' || *s > '9')
		return NULL;
	if (*s == '0') { /* 0 alone: "-0", "01" are jansson's */
		if (neg || (s + 1 < j->end && s[1] >= '0' && s[1] <= '9'))
			return NULL;
	}
	while (s < j->end && *s >= '0' && *s <= '9') {
		if (++digits > RB_JPARSE_DIGITS)
			return NULL;
		v = v * 10 + (*s++ - '0');
	}
	if (s < j->end && (*s == '.' || *s == 'e' || *s == 'E'))
		return NULL; /* a real: jansson's digits */
	j->p = s;
	return json_integer(neg ? -v : v);
}

static json_t *
rb_jparse_word(struct rb_jparse *j, const char *w, size_t n, json_t *v)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return NULL;
	j->p += n;
	return v;
}

static json_t *
rb_jparse_object(struct rb_jparse *j, int depth)
{
	json_t *o = json_object(), *v;
	char key[256];
	long kn;

	if (o == NULL)
		return NULL;
	j->p++; /* { */
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return o;
	}
	for (;;) {
		if (j->p >= j->end || *j->p != '"')
			goto fail;
		j->p++;
		if ((kn = rb_jparse_chars(j)) < 0 || (size_t)kn >= sizeof key)
			goto fail;
		if (kn > 0)
			memcpy(key, j->tmp, (size_t)kn);
		if (j->p >= j->end || *j->p++ != ':' ||
		    json_object_getn(o, key, (size_t)kn) != NULL ||
		    (v = rb_jparse_value(j, depth + 1)) == NULL)
			goto fail;
		if (json_object_setn_new_nocheck(o, key, (size_t)kn, v) == -1)
			goto fail;
		if (j->p >= j->end)
			goto fail;
		if (*j->p == '}') {
			j->p++;
			return o;
		}
		if (*j->p++ != ',')
			goto fail;
	}
fail:
	json_decref(o);
	return NULL;
}

static json_t *
rb_jparse_array(struct rb_jparse *j, int depth)
{
	json_t *a = json_array(), *v;

	if (a == NULL)
		return NULL;
	j->p++; /* [ */
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return a;
	}
	for (;;) {
		if ((v = rb_jparse_value(j, depth + 1)) == NULL ||
		    json_array_append_new(a, v) == -1 || j->p >= j->end)
			goto fail;
		if (*j->p == ']') {
			j->p++;
			return a;
		}
		if (*j->p++ != ',')
			goto fail;
	}
fail:
	json_decref(a);
	return NULL;
}

static json_t *
rb_jparse_value(struct rb_jparse *j, int depth)
{
	long n;

	if (depth > RB_JPARSE_DEPTH || j->p >= j->end)
		return NULL;
	switch (*j->p) {
	case '{': return rb_jparse_object(j, depth);
	case '[': return rb_jparse_array(j, depth);
	case '"':
		j->p++;
		if ((n = rb_jparse_chars(j)) < 0)
			return NULL;
		return json_stringn_nocheck(n > 0 ? j->tmp : "", (size_t)n);
	case 't': return rb_jparse_word(j, "true", 4, json_true());
	case 'f': return rb_jparse_word(j, "false", 5, json_false());
	case 'n': return rb_jparse_word(j, "null", 4, json_null());
	default: return rb_jparse_int(j);
	}
}

json_t *
rb_jparse(const char *p, size_t n)
{
	struct rb_jparse j = { p, p + n, NULL, 0 };
	json_t *v = NULL;

	if (n > 0 && *p == '{') {
		v = rb_jparse_object(&j, 1);
		if (v != NULL && j.p != j.end) { /* text after the object */
			json_decref(v);
			v = NULL;
		}
	}
	free(j.tmp);
	return v;
}
