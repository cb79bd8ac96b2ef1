/* rb_diff.c: line diffs by longest common subsequence after trimming the
 * common start and end, which is what config edits look like (see
 * rb_diff.h). */
#include "rb_diff.h"

#include <stdlib.h>
#include <string.h>

#define RB_DIFF_CONTEXT 3
#define RB_DIFF_MAX_CELLS ((size_t)4 << 20)

struct rb_diff_line {
	const char *p;
	size_t n; /* with its newline, if any */
};

struct rb_diff_op {
	char op; /* ' ', '-', '+' */
	size_t line; /* index into a (for ' ' and '-') or b ('+') */
};

static size_t
rb_diff_split(const char *s, size_t n, struct rb_diff_line **out)
{
	size_t count = 0, cap = 0, i = 0;
	struct rb_diff_line *v = NULL, *nv;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (s + i)) + 1 : n - i;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
				free(v);
				*out = NULL;
				return (size_t)-1;
			}
			v = nv;
		}
		v[count].p = s + i;
		v[count++].n = len;
		i += len;
	}
	*out = v;
	return count;
}

static int
rb_diff_eq(const struct rb_diff_line *a, const struct rb_diff_line *b)
{
	return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

/* Fills ops with the edit script of a[lo..ah) against b[lo..bh). */
static size_t
rb_diff_lcs(const struct rb_diff_line *a, size_t lo, size_t ah,
    const struct rb_diff_line *b, size_t blo, size_t bh, struct rb_diff_op *ops,
    size_t o)
{
	size_t n = ah - lo, m = bh - blo, i, j;
	unsigned *t = NULL;

	if ((size_t)(n + 1) * (m + 1) <= RB_DIFF_MAX_CELLS)
		t = calloc((n + 1) * (m + 1), sizeof *t);
	if (t == NULL) { /* all removed, all added */
		for (i = 0; i < n; i++)
			ops[o++] = (struct rb_diff_op){ '-', lo + i };
		for (j = 0; j < m; j++)
			ops[o++] = (struct rb_diff_op){ '+', blo + j };
		return o;
	}
#define T(x, y) t[(x) * (m + 1) + (y)]
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			T(i, j) = rb_diff_eq(&a[lo + i], &b[blo + j])
			    ? T(i + 1, j + 1) + 1
			    : (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j)
			                                 : T(i, j + 1));
	i = j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && rb_diff_eq(&a[lo + i], &b[blo + j])) {
			ops[o++] = (struct rb_diff_op){ ' ', lo + i };
			i++, j++;
		} else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
			ops[o++] = (struct rb_diff_op){ '-', lo + i++ };
		} else {
			ops[o++] = (struct rb_diff_op){ '+', blo + j++ };
		}
	}
#undef T
	free(t);
	return o;
}

static int
rb_diff_line_out(
    struct buf *out, char op, const struct rb_diff_line *l, struct err *err)
{
	if (buf_addc(out, op, err) == -1 || buf_add(out, l->p, l->n, err) == -1)
		return -1;
	if (l->n == 0 || l->p[l->n - 1] != '\n')
		return buf_adds(out, "\n\\ No newline at end of file\n", err);
	return 0;
}

/* Prints the hunks of an edit script. */
static int
rb_diff_hunks(const struct rb_diff_op *ops, size_t nops,
    const struct rb_diff_line *a, const struct rb_diff_line *b, struct buf *out,
    struct err *err)
{
	size_t i = 0;

	while (i < nops) {
		size_t s, e, k, al = 0, bl = 0, an = 0, bn = 0;
		while (i < nops && ops[i].op == ' ')
			i++;
		if (i == nops)
			break;
		s = i > RB_DIFF_CONTEXT ? i - RB_DIFF_CONTEXT : 0;
		e = i;
		for (k = i; k < nops; k++) {
			if (ops[k].op != ' ')
				e = k;
			else if (k - e > 2 * RB_DIFF_CONTEXT)
				break;
		}
		e = e + RB_DIFF_CONTEXT + 1 < nops ? e + RB_DIFF_CONTEXT + 1
		                                   : nops;
		/* line numbers: count what precedes s */
		for (k = 0; k < s; k++) {
			al += ops[k].op != '+';
			bl += ops[k].op != '-';
		}
		for (k = s; k < e; k++) {
			an += ops[k].op != '+';
			bn += ops[k].op != '-';
		}
		if (buf_printf(out, err, "@@ -%zu,%zu +%zu,%zu @@\n",
		        an ? al + 1 : al, an, bn ? bl + 1 : bl, bn) == -1)
			return -1;
		for (k = s; k < e; k++)
			if (rb_diff_line_out(out, ops[k].op,
			        ops[k].op == '+' ? &b[ops[k].line]
			                         : &a[ops[k].line],
			        err) == -1)
				return -1;
		i = e;
	}
	return 0;
}

int
rb_diff_unified(const char *a, size_t an, const char *b, size_t bn,
    const char *path, struct buf *out, struct err *err)
{
	struct rb_diff_line *la = NULL, *lb = NULL;
	struct rb_diff_op *ops = NULL;
	size_t na, nb, pre = 0, suf = 0, nops = 0;
	int rc = -1;

	if (a != NULL && an == bn && memcmp(a, b, an) == 0)
		return 0;
	na = rb_diff_split(a ? a : "", a ? an : 0, &la);
	nb = rb_diff_split(b, bn, &lb);
	if (na == (size_t)-1 || nb == (size_t)-1 ||
	    (ops = malloc((na + nb + 1) * sizeof *ops)) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	while (pre < na && pre < nb && rb_diff_eq(&la[pre], &lb[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	    rb_diff_eq(&la[na - 1 - suf], &lb[nb - 1 - suf]))
		suf++;
	for (size_t i = 0; i < pre; i++)
		ops[nops++] = (struct rb_diff_op){ ' ', i };
	nops = rb_diff_lcs(la, pre, na - suf, lb, pre, nb - suf, ops, nops);
	for (size_t i = na - suf; i < na; i++)
		ops[nops++] = (struct rb_diff_op){ ' ', i };
	if (buf_printf(out, err, "--- %s%s\n+++ b%s\n", a ? "a" : "",
	        a ? path : "/dev/null", path) == -1)
		goto out;
	rc = rb_diff_hunks(ops, nops, la, lb, out, err);
out:
	free(la);
	free(lb);
	free(ops);
	return rc;
}
