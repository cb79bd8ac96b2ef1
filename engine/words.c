/* words.c: the closest known word to a typo, and plural endings (see
 * words.h). */
#include "words.h"

#include <stdio.h>
#include <string.h>

static int
words_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
words_min3(int a, int b, int c)
{
	int m = a < b ? a : b;

	return m < c ? m : c;
}

int
words_distance(const char *a, const char *b)
{
	int d[WORDS_MAX + 1][WORDS_MAX + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > WORDS_MAX || lb > WORDS_MAX)
		return WORDS_MAX + 1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = words_lower((unsigned char)a[i - 1]);
			int cb = words_lower((unsigned char)b[j - 1]);

			d[i][j] = words_min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
			    d[i - 1][j - 1] + (ca != cb));
			if (i > 1 && j > 1 &&
			    ca == words_lower((unsigned char)b[j - 2]) &&
			    cb == words_lower((unsigned char)a[i - 2]) &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

/* How many edits a word of `len` characters may be from its intent. */
static int
words_budget(size_t len)
{
	int b = len <= 3 ? 1 : len <= 6 ? 2 : 3;

	return b < (int)len ? b : (int)len - 1;
}

/* The only known word that starts with word (2+ characters), or NULL. */
static const char *
words_prefixed(const char *word, const char *const *known, size_t n)
{
	size_t len = strlen(word);
	const char *found = NULL;

	if (len < 2)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (known[i] == NULL || strncmp(known[i], word, len) != 0)
			continue;
		if (found != NULL && strcmp(found, known[i]) != 0)
			return NULL;
		found = known[i];
	}
	return found;
}

const char *
words_closest(const char *word, const char *const *known, size_t n)
{
	int budget = words_budget(strlen(word)), best = budget + 1, d;
	const char *pick = NULL;

	for (size_t i = 0; i < n; i++) {
		if (known[i] == NULL)
			continue;
		d = words_distance(word, known[i]);
		if (d < best) {
			best = d;
			pick = known[i];
		}
	}
	return pick != NULL ? pick : words_prefixed(word, known, n);
}

void
words_hint(char *out, size_t outn, const char *word, const char *const *known,
    size_t n, const char *label, const char *prefix)
{
	const char *pick = words_closest(word, known, n);
	size_t used, listed = 0, total = 0;
	char more[48];
	int w;

	if (outn == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		total += known[i] != NULL;
	w = pick != NULL
	    ? snprintf(out, outn, "; did you mean '%s%s'? (%s: ", prefix, pick,
	          label)
	    : snprintf(out, outn, " (%s: ", label);
	if (w < 0 || (size_t)w >= outn) {
		out[0] = '\0';
		return;
	}
	used = (size_t)w;
	for (size_t i = 0; i < n; i++) {
		if (known[i] == NULL)
			continue;
		/* room for this word and for the "and N more)" that may follow
		 */
		snprintf(more, sizeof more, ", and %zu more)", total - listed);
		if (used + strlen(prefix) + strlen(known[i]) + 2 +
		        strlen(more) >=
		    outn)
			break;
		used += (size_t)snprintf(out + used, outn - used, "%s%s%s",
		    listed ? ", " : "", prefix, known[i]);
		listed++;
	}
	if (total == 0)
		snprintf(out + used, outn - used, "none)");
	else if (listed < total)
		snprintf(out + used, outn - used, "%sand %zu more)",
		    listed ? ", " : "", total - listed);
	else
		snprintf(out + used, outn - used, ")");
}

const char *
words_s(int64_t n)
{
	return n == 1 ? "" : "s";
}
