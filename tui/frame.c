/* frame.c: the frame services of `owl tui` (frame.h): the screen stack,
 * the message line, the dirty flag, the time format. */
#include "frame.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "tui_int.h"

void
frame_message(struct app *a, int style, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->frame.msg, sizeof a->frame.msg, fmt, ap);
	va_end(ap);
	a->frame.msg_style = style;
	a->frame.dirty = 1;
}

const struct view_ops *
frame_top(const struct app *a)
{
	return a->frame.views[a->frame.nviews - 1];
}

void
frame_push(struct app *a, const struct view_ops *v)
{
	struct frame *f = &a->frame;

	/* the same screen again replaces itself (":open 7" on an incident) */
	if (f->nviews > 0 && frame_top(a) == v && v != &view_incidents_ops)
		f->nviews--;
	if (f->nviews < FRAME_VIEWS_MAX)
		f->views[f->nviews++] = v;
	f->dirty = 1;
}

void
frame_pop(struct app *a)
{
	const struct view_ops *v;

	if (a->frame.nviews <= 1)
		return;
	v = a->frame.views[--a->frame.nviews];
	if (v->close)
		v->close(a);
	/* the screen below may show data that changed meanwhile */
	frame_top(a)->reload(a);
	a->frame.dirty = 1;
}

void
frame_close_all(struct app *a)
{
	while (a->frame.nviews > 0) {
		const struct view_ops *v = a->frame.views[--a->frame.nviews];

		if (v->close)
			v->close(a);
	}
}

void
frame_time(int64_t us, int full, char *out, size_t n)
{
	time_t t = (time_t)(us / CLOCK_US_PER_SEC);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, n, full ? "%Y-%m-%d %H:%M:%S %Z" : "%H:%M %Z", &tm) ==
	        0)
		snprintf(out, n, "?");
}
