/* timeline_int.h: what timeline.c (the timeline in memory) and
 * timeline_stream.c (the streamed export) share. */
#ifndef OWL_TIMELINE_INT_H
#define OWL_TIMELINE_INT_H

#include "timeline.h"

/* Updates the header with one event (d its parsed detail). */
void tl_head(
    struct timeline_head *h, const struct timeline_event *ev, const json_t *d);

/* Sets ev->text (malloc'd) to the sentence of entry e (actlog_text.h);
 * b is scratch. */
int tl_line(struct actlog_text *at, struct timeline_event *ev,
    const struct actlog_entry *e, const json_t *d, struct buf *b,
    struct err *err);

#endif
