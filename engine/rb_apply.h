/* rb_apply.h: the chokepoint's side of `owl apply PLAN`: a live run held
 * to a stored plan. The reads the plan made before its first write are
 * its preconditions: each is repeated by the run and must see what the
 * plan saw (same status, same SHA-256) before anything is written, else
 * the run is refused and told what changed (`GET URL: mode was "normal",
 * now "degraded"`). Each write must be the plan's next one, payload and
 * all; any other stops the run before it (undo runs). */
#ifndef OWL_RB_APPLY_H
#define OWL_RB_APPLY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct rb_apply {
	int64_t plan_id;
	json_t *pre; /* the plan's reads before its first write (entries) */
	json_t *writes; /* the plan's writes, undo excluded (entries) */
	size_t pre_i, write_i;
	int refused;
	char msg[1024]; /* why it was refused */
};

/* Holds a run to plan plan_id's effects (borrowed for the call). -1
 * when out of memory. */
int rb_apply_init(struct rb_apply *a, int64_t plan_id, const json_t *effects,
    struct err *err);

void rb_apply_done(struct rb_apply *a);

/* A read (entry, with what it saw in seen) made before the run's first
 * write: -1 with err set (ERR_REFUSED) when it is not the plan's next
 * precondition or saw something else. Reads after the first write, and
 * reads beyond the preconditions, are not compared: 0. */
int rb_apply_read(struct rb_apply *a, const json_t *entry, const json_t *seen,
    struct err *err);

/* A write about to be made (entry, with its payload): -1 with err set
 * (ERR_REFUSED) when a precondition was not checked, or it is not the
 * plan's next write in full. */
int rb_apply_write(struct rb_apply *a, const json_t *entry, struct err *err);

/* The operator chose (on a terminal) to make the write rb_apply_write
 * refused: the run goes on, held to the rest of the plan (a changed
 * payload takes its planned write's place; an extra write takes none). */
void rb_apply_accept(struct rb_apply *a, const json_t *entry);

#endif
