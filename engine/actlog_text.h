/* actlog_text.h: the action log told in sentences, one entry per line a
 * person reads: "acknowledged by alice: on it", "alert fired:
 * LLMProviderDown region=eu-west-1 (critical)", "run 7 degraded-mode
 * (commit 3f2a9c1) started by bob". The one renderer of the log for
 * people: `owl show`, the TUI's log and incident screens and the timeline
 * export all use it, so they say the same thing the same way.
 *
 * Some sentences need what other entries said: an alert's name and
 * labels (its alert.new) for its later resolve, a run's runbook (its
 * run.start) for its steps, the number of steps of a run ("step 2/5"), an
 * effect's kind and target (its effect.intent) for its result. A
 * renderer keeps that memory: show it the entries in log order. Two
 * passes (actlog_text_learn over all, then actlog_text_line over all)
 * know everything, step counts included; one pass of actlog_text_line
 * alone knows what came before ("step 2" without "/5"). */
#ifndef OWL_ACTLOG_TEXT_H
#define OWL_ACTLOG_TEXT_H

#include <jansson.h>

#include "actlog.h"
#include "buf.h"
#include "err.h"

/* The longest sentence in bytes; a longer one is cut between UTF-8
 * characters and ends in "...". */
#define ACTLOG_TEXT_MAX 2000

/* The renderer and its memory of the entries it was shown. */
struct actlog_text;

/* A renderer that knows nothing yet. NULL when out of memory; free with
 * actlog_text_free. */
struct actlog_text *actlog_text_new(void);

/* Frees t; accepts NULL. */
void actlog_text_free(struct actlog_text *t);

/* Remembers what e tells the sentences of other entries (nothing for
 * most kinds). `detail` is e's detail parsed (borrowed; a reference is
 * kept when needed), or NULL to parse e->detail here. Learning an entry
 * twice is harmless. 0, or -1 when out of memory. */
int actlog_text_learn(
    struct actlog_text *t, const struct actlog_entry *e, const json_t *detail);

/* Learns e, then appends its sentence to out: UTF-8 text, one line but
 * for line breaks inside quoted text (a note, a log line). Untrusted
 * text (labels, notes, runbook output, names) is given as it is: the
 * caller sanitises or escapes it for its medium (sanitize_dup for a
 * terminal, timeline_esc_* for a document). A kind this version does
 * not know: "KIND {detail as compact JSON}". `detail` as for learn.
 * 0, or -1 with err set when out cannot grow. */
int actlog_text_line(struct actlog_text *t, const struct actlog_entry *e,
    const json_t *detail, struct buf *out, struct err *err);

/* An alert's entry as a hot path reads it, with no tree of its detail
 * (the timeline export of a storm): strings borrowed, NULL when
 * absent; its labels all strings, in their order, each key once. */
struct actlog_alert {
	const char *fingerprint, *summary, *status, *severity;
	const char *const *key, *const *val;
	size_t nlabels;
};

/* actlog_text_line of an alert.new entry, given what was read of it:
 * the same memory learnt, the same sentence. */
int actlog_text_alert_new(struct actlog_text *t, const struct actlog_alert *a,
    struct buf *out, struct err *err);

/* Says that no sentence to come names an alert by its fingerprint
 * alone (no alert.resolve, .refire, .stale, .update...):
 * actlog_text_alert_new then keeps no description (a storm's 100,000);
 * the sentences are the same. */
void actlog_text_no_recall(struct actlog_text *t);

/* actlog_text_line of an alert.resolve or alert.refire entry (kind) of
 * the alert fp (NULL: the entry names none). */
int actlog_text_alert_change(struct actlog_text *t, const char *kind,
    const char *fp, struct buf *out, struct err *err);

/* The labels (an object, borrowed: a reference is kept) that every
 * alert of the incident has with the same value: alerts are then told
 * by the labels that tell them apart ("LLMProviderDown
 * region=eu-west-1", not also "service=gateway team=ml"). 0, or -1
 * when out of memory. */
int actlog_text_common(struct actlog_text *t, const json_t *labels);

/* Appends the description of an alert with these labels: its name and
 * the labels that tell it from its siblings. */
int actlog_text_alert(struct actlog_text *t, const json_t *labels,
    struct buf *out, struct err *err);

/* The sentence of e as a string (malloc'd: free()), learning e; NULL
 * when out of memory. */
char *actlog_text_dup(struct actlog_text *t, const struct actlog_entry *e);

#endif
