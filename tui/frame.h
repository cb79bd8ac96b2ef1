/* frame.h: the frame services of `owl tui`, below the views: the stack
 * of screens (push, pop, top), the message line, whether the frame needs
 * drawing again, and how times are shown. Views call these; they never
 * call the loop (app.c) nor another screen. Private to tui/. */
#ifndef OWL_FRAME_H
#define OWL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_VIEWS_MAX 8
#define FRAME_MSG_MAX 512

struct app;
struct view_ops;

/* The frame's own state (struct app holds one). */
struct frame {
	const struct view_ops *views[FRAME_VIEWS_MAX];
	int nviews;
	char msg[FRAME_MSG_MAX];
	int msg_style;
	int dirty; /* the frame is drawn again before the next wait */
};

/* Shows a one-line message under the screen (style SCREEN_*). */
void frame_message(struct app *a, int style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Pushes a view (the same one again replaces itself), or pops the top
 * one (closing it; the one below reloads: its data may have changed). */
void frame_push(struct app *a, const struct view_ops *v);
void frame_pop(struct app *a);
/* The view on top. */
const struct view_ops *frame_top(const struct app *a);
/* Closes every view (the end of the TUI). */
void frame_close_all(struct app *a);
/* Formats a time as local "2026-11-29 03:04:05 UTC" (full) or
 * "03:04 UTC" (short) into out. */
void frame_time(int64_t us, int full, char *out, size_t n);

#endif
