/* effects_git.h: the live git effect (engine/effects.h, EFFECTS_GIT_*):
 * private work copies of config repositories (integrations/gitwc.h) in
 * owl's state directory, one per checkout, removed when the run's
 * effects are freed. */
#ifndef OWL_EFFECTS_GIT_H
#define OWL_EFFECTS_GIT_H

#include "engine/effects.h"

struct effects_git_live;

/* The work copies of one run, made under STATE_DIR/git. NULL with err
 * set; free with effects_git_live_free (which removes them). */
struct effects_git_live *effects_git_live_new(
    const char *state_dir, struct err *err);

void effects_git_live_free(struct effects_git_live *g);

/* Performs one git operation (see effects.h): 0 with res filled, -1 with
 * err set (a URL's credentials never appear in it). */
int effects_git_live_do(struct effects_git_live *g,
    const struct effects_git *req, struct effects_git_res *res,
    struct err *err);

#endif
