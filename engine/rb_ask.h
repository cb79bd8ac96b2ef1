/* rb_ask.h: a confirm() of a run that has no terminal of its own (a run
 * started from the TUI, or `owl run --detach`) asked and answered
 * through the action log (DESIGN "Runs outlive the terminal"): the run
 * writes a run.question row and waits; whichever TUI or `owl answer RUN
 * yes|no` answers first writes run.answer with its actor; later answers
 * are refused. */
#ifndef OWL_RB_ASK_H
#define OWL_RB_ASK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

#define RB_ASK_TEXT_MAX 1024
#define RB_ASK_TARGET_MAX 256

/* A question a run waits on. */
struct rb_ask {
	int64_t n; /* its number, from 1 */
	char text[RB_ASK_TEXT_MAX];
	/* confirm({ type = "target" }): the name the operator must type to
	 * say yes (k9s style); "" for a y/N question */
	char target[RB_ASK_TARGET_MAX];
};

/* The question run waits on, into q. Returns 1 when one waits, 0 when
 * none, -1 with err set. */
int rb_ask_pending(
    struct store *s, int64_t run, struct rb_ask *q, struct err *err);

/* Asks: appends run.question {n, text, target (when not NULL)} (n: one
 * more than the run's last). Sets *n. */
int rb_ask_question(struct store *s, int64_t run, const char *text,
    const char *target, int64_t *n, struct err *err);

/* The answer to question n: 1 yes, 0 no, -1 none yet (or -2 with err
 * set). who (cap bytes) gets the actor who answered. A yes to a target
 * question that does not carry the target typed out counts as no. */
int rb_ask_answer_of(struct store *s, int64_t run, int64_t n, char *who,
    size_t cap, struct err *err);

/* Answers the question run waits on, as actor (NULL: actor_name()), in
 * one write transaction: ERR_REFUSED when the run waits on none (not
 * asked, already answered, or the run has ended), and when yes answers
 * a target question whose target `typed` (may be NULL) is not. */
int rb_ask_answer(struct store *s, int64_t run, int yes, const char *typed,
    const char *actor, struct err *err);

#endif
