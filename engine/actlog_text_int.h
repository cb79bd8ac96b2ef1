/* actlog_text_int.h: what actlog_text.c (the incident and alert
 * sentences, the memory, the table of kinds) and actlog_text_run.c (the
 * sentences of runs, effects, plans and runbook syncs) share. */
#ifndef OWL_ACTLOG_TEXT_INT_H
#define OWL_ACTLOG_TEXT_INT_H

#include "actlog_text.h"
#include "strmap.h"

struct actlog_text {
	json_t *mem;
	struct strmap *fp; /* fingerprint -> the alert's description */
	int ahead; /* actlog_text_learn was called: a pass went before */
	int no_recall; /* actlog_text_no_recall */
	struct buf desc; /* scratch for an alert's description */
	struct buf line; /* scratch for one sentence, before the cut */
};

/* The sentence of one entry: the entry, its parsed detail, the memory. */
struct at_ev {
	const struct actlog_entry *e;
	const json_t *d;
	const char *k; /* the kind past its "incident." (etc.) prefix */
	const char *actor;
	struct actlog_text *t;
};

int at_runhead(struct buf *b, const struct at_ev *v, struct err *err);
int at_run_start(struct buf *b, const struct at_ev *v, struct err *err);
int at_run_step(struct buf *b, const struct at_ev *v, struct err *err);
int at_run_end(struct buf *b, const struct at_ev *v, struct err *err);
int at_run_other(struct buf *b, const struct at_ev *v, struct err *err);
int at_effect(struct buf *b, const struct at_ev *v, struct err *err);
int at_runbook_refused(struct buf *b, const struct at_ev *v, struct err *err);
int at_plan_approve(struct buf *b, const struct at_ev *v, struct err *err);
int at_runbooks_sync(struct buf *b, const struct at_ev *v, struct err *err);
const char *at_str(const json_t *o, const char *k);
const char *at_or(const char *s, const char *dflt);
json_int_t at_int(const json_t *o, const char *k);
void at_fxkey(char *out, size_t n, int64_t run, const json_t *d);

#endif
