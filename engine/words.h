/* words.h: small helpers for the words owl prints to people: the known
 * word closest to a typo ("did you mean"), with the list of the known
 * ones, and the plural ending of a count. Pure functions, no allocation:
 * safe in the sandboxed runbook worker too. */
#ifndef OWL_WORDS_H
#define OWL_WORDS_H

#include <stddef.h>
#include <stdint.h>

/* Words longer than this are never close to anything. */
#define WORDS_MAX 64

/* The edit distance between a and b: insertions, deletions,
 * substitutions and swaps of two neighbours count 1 each (optimal string
 * alignment), ASCII letters compared without case. WORDS_MAX + 1 when
 * either is longer than WORDS_MAX. */
int words_distance(const char *a, const char *b);

/* The known word that `word` most likely is a typo of, or NULL when none
 * is close: at most 1 edit away for words of up to 3 characters, 2 up to
 * 6, 3 beyond, and fewer edits than the word has characters; else the
 * only known word that starts with `word` (2 characters or more). Ties
 * go to the earlier in `known`. NULL entries of `known` are skipped. */
const char *words_closest(const char *word, const char *const *known, size_t n);

/* Writes into out (size outn, always terminated) what follows a
 * complaint about `word`: "; did you mean 'X'? (LABEL: a, b, c)" when a
 * known word is close, else " (LABEL: a, b, c)"; with no known words,
 * " (LABEL: none)". The list is cut to what fits, ending "and N more".
 * `quote` goes around the suggestion and each listed word's prefix
 * ("--" for options, "" for plain names). */
void words_hint(char *out, size_t outn, const char *word,
    const char *const *known, size_t n, const char *label, const char *prefix);

/* "" when n is 1, else "s": "%d alert%s". */
const char *words_s(int64_t n);

#endif
