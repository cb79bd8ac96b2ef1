/* effects_dry.h: the dry-run implementation of the effects interface:
 * reads (HTTP GET/HEAD, file reads, read-only commands, secret reads) go
 * to an inner implementation, unless offline; writes are not made and
 * are answered with a plausible simulated result. The chokepoint
 * records every write in the plan. */
#ifndef OWL_EFFECTS_DRY_H
#define OWL_EFFECTS_DRY_H

#include "effects.h"

/* A dry-run over inner (borrowed; must outlive it). With offline set
 * nothing is read either: an HTTP read fails ("offline dry-run: GET URL
 * was not read ..."), file reads are "unknown" (a file write's diff says
 * the current content was not read) and read-only commands are
 * simulated. NULL when out of memory; free with
 * effects_free(). */
struct effects *effects_dry_new(const struct effects *inner, int offline);

#endif
