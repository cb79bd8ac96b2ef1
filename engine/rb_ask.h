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

/* The question a run waits on: its number (n, from 1) and its text (out,
 * cap bytes). Returns 1 when one waits, 0 when none, -1 with err set. */
int rb_ask_pending(struct store *s, int64_t run, int64_t *n, char *text,
    size_t cap, struct err *err);

/* Asks: appends run.question {n, text} (n: one more than the run's
 * last). Sets *n. */
int rb_ask_question(struct store *s, int64_t run, const char *text, int64_t *n,
    struct err *err);

/* The answer to question n: 1 yes, 0 no, -1 none yet (or -2 with err
 * set). who (cap bytes) gets the actor who answered. */
int rb_ask_answer_of(struct store *s, int64_t run, int64_t n, char *who,
    size_t cap, struct err *err);

/* Answers the question run waits on, as actor (NULL: actor_name()), in
 * one write transaction: ERR_REFUSED when the run waits on none (not
 * asked, already answered, or the run has ended). */
int rb_ask_answer(
    struct store *s, int64_t run, int yes, const char *actor, struct err *err);

#endif
