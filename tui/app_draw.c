/* app_draw.c: the frame of `owl tui` drawn: the header (environment,
 * counts by state, the list's filter and sort, freshness, actor, clock;
 * what does not fit goes, least needed first), the view on top, the
 * message or prompt line, and the hint line of the keys valid now. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "tui_int.h"

#define APP_HEAD_SEGS 10

struct seg {
	char text[96];
	int style;
	int prio; /* 0 never dropped; higher numbers drop first */
	int right;
};

static void app_seg(struct seg *s, int *n, int style, int prio, int right,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
app_seg(
    struct seg *s, int *n, int style, int prio, int right, const char *fmt, ...)
{
	va_list ap;

	if (*n >= APP_HEAD_SEGS)
		return;
	va_start(ap, fmt);
	vsnprintf(s[*n].text, sizeof s[*n].text, fmt, ap);
	va_end(ap);
	s[*n].style = style;
	s[*n].prio = prio;
	s[*n].right = right;
	(*n)++;
}

/* Header segments: environment, read-only, counts by state, the actor,
 * the clock with its zone, and data freshness (STALE when quiet). */
static int
app_header_segs(struct app *a, struct seg *s)
{
	int64_t now = clock_now_us(), last = inclist_last_alert_at(a);
	int64_t firing = inclist_counts(a)->firing;
	int64_t acked = inclist_counts(a)->acked;
	int64_t snoozed = inclist_counts(a)->snoozed;
	char clk[64], age[16], shown[96];
	int n = 0;

	if (a->env)
		app_seg(s, &n, SCREEN_ENV, 0, 0, " %s ", a->env);
	if (a->readonly)
		app_seg(s, &n, SCREEN_ALARM, 0, 0, " READONLY ");
	if (a->paging.alarm[0])
		app_seg(s, &n, SCREEN_ALARM, 0, 0, " %s ", a->paging.alarm);
	app_seg(s, &n, firing ? SCREEN_FIRING : SCREEN_NORMAL, 1, 0,
	    "%" PRId64 " FIRING", firing);
	if (a->paging.override[0])
		app_seg(s, &n, SCREEN_BOLD, 3, 0, "%s", a->paging.override);
	app_seg(s, &n, SCREEN_NORMAL, 2, 0,
	    "%" PRId64 " ACKED %" PRId64 " SNOOZED", acked, snoozed);
	if (inclist_status(a, shown, sizeof shown))
		app_seg(s, &n, SCREEN_WARN | SCREEN_SEL, 0, 0, " %s ", shown);
	text_age(now - last, age, sizeof age);
	if (last == 0)
		app_seg(s, &n, SCREEN_DIM, 4, 1, "no alerts yet");
	else if (now - last > a->stale_us)
		app_seg(
		    s, &n, SCREEN_ALARM, 0, 1, " STALE: no alert for %s ", age);
	else
		app_seg(s, &n, SCREEN_NORMAL, 4, 1, "last alert %s ago", age);
	app_seg(s, &n, SCREEN_DIM, 5, 1, "%s", a->actor);
	frame_time(now, 0, clk, sizeof clk);
	app_seg(s, &n, SCREEN_BOLD, 3, 1, "%s", clk);
	return n;
}

static void
app_header(struct app *a, int cols)
{
	struct seg s[APP_HEAD_SEGS];
	int n = app_header_segs(a, s), total, x = 0, rw = 0, worst;

	for (;;) {
		total = 0;
		worst = -1;
		for (int i = 0; i < n; i++) {
			total += screen_width(a->sc, s[i].text) + 1;
			if (s[i].prio > 0 &&
			    (worst < 0 || s[i].prio > s[worst].prio))
				worst = i;
		}
		if (total - 1 <= cols || worst < 0)
			break;
		memmove(&s[worst], &s[worst + 1],
		    (size_t)(n - worst - 1) * sizeof *s);
		n--;
	}
	for (int i = 0; i < n; i++)
		if (s[i].right)
			rw += screen_width(a->sc, s[i].text) + 1;
	for (int i = 0; i < n; i++) {
		if (s[i].right && x < cols - rw + 1)
			x = cols - rw + 1;
		x += screen_text(a->sc, 0, x, cols - x, s[i].text, s[i].style) +
		    1;
	}
}

static void
app_prompt_line(struct app *a, int y, int cols)
{
	int x, cw;
	size_t start;

	if (a->prompt == APP_PROMPT_CONFIRM || a->prompt == APP_PROMPT_CHOICE ||
	    a->prompt == APP_PROMPT_ANSWER ||
	    a->prompt == APP_PROMPT_CANCELRUN || a->prompt == APP_PROMPT_QUIT ||
	    a->prompt == APP_PROMPT_RECOVER ||
	    a->prompt == APP_PROMPT_RECOVER_UNDO ||
	    a->prompt == APP_PROMPT_RECOVER_RETRY) {
		screen_text(a->sc, y, 0, cols, a->prompt_label,
		    a->prompt == APP_PROMPT_CHOICE ||
		            a->prompt == APP_PROMPT_RECOVER
		        ? SCREEN_BOLD
		        : SCREEN_ALARM);
		return;
	}
	x = screen_text(a->sc, y, 0, cols, a->prompt_label, SCREEN_BOLD);
	cw = lineedit_view(&a->le, cols - x, &start);
	screen_text(a->sc, y, x, cols - x, a->le.text + start, SCREEN_NORMAL);
	screen_cursor(a->sc, y, x + cw);
}

static void
app_hints(struct app *a, int y, int cols)
{
	char h[512];

	if (a->prompt == APP_PROMPT_CONFIRM && a->pending.act == KEYS_ACK &&
	    a->pending.note[0] == '\0')
		snprintf(h, sizeof h,
		    "y yes  m yes, with a note  Enter/Esc/n/other: no");
	else if (a->prompt == APP_PROMPT_CONFIRM)
		snprintf(h, sizeof h, "y yes  Enter/Esc/n/any other key: no");
	else if (a->prompt == APP_PROMPT_CHOICE)
		snprintf(h, sizeof h, "press a letter  Esc/other: cancel");
	else if (a->prompt == APP_PROMPT_ANSWER)
		snprintf(h, sizeof h, "y yes  n no  Esc/other: answer later");
	else if (a->prompt == APP_PROMPT_TARGET)
		snprintf(h, sizeof h,
		    "the name + Enter: yes  Enter alone: no  Esc: answer "
		    "later");
	else if (a->prompt == APP_PROMPT_RECOVER)
		snprintf(h, sizeof h, "press a letter  Esc/other: nothing");
	else if (a->prompt == APP_PROMPT_RECOVER_UNDO ||
	    a->prompt == APP_PROMPT_RECOVER_RETRY)
		snprintf(h, sizeof h, "y %s  any other key: no",
		    a->prompt == APP_PROMPT_RECOVER_UNDO ? "run the undo"
		                                         : "retry");
	else if (a->prompt == APP_PROMPT_CANCELRUN)
		snprintf(h, sizeof h, "y cancel the run  any other key: no");
	else if (a->prompt == APP_PROMPT_QUIT)
		snprintf(h, sizeof h,
		    "d detach: quit, runs go on  c cancel them and quit  other: "
		    "stay");
	else if (a->prompt == APP_PROMPT_RUNBOOK ||
	    a->prompt == APP_PROMPT_PARAM)
		snprintf(h, sizeof h,
		    "Tab %s  Enter next  Esc cancel  ^U clear",
		    a->prompt == APP_PROMPT_RUNBOOK ? "next runbook"
		                                    : "label values");
	else if (a->prompt == APP_PROMPT_ASSIGN)
		snprintf(h, sizeof h,
		    "Tab next name  Enter assign  Esc cancel  ^U clear");
	else if (a->prompt != APP_PROMPT_NONE)
		snprintf(h, sizeof h,
		    "Enter done  Esc cancel  ^U clear  "
		    "^A/^E start/end");
	else
		keys_hints_except(frame_top(a)->keys, a->readonly,
		    frame_top(a)->hints_off ? frame_top(a)->hints_off(a) : 0,
		    cols, h, sizeof h);
	screen_text(a->sc, y, 0, cols, h, SCREEN_BAR | SCREEN_PAD);
}

void
app_draw(struct app *a)
{
	int rows, cols;
	char small[96];

	screen_size(a->sc, &rows, &cols);
	screen_erase(a->sc);
	if (rows < SCREEN_MIN_ROWS || cols < SCREEN_MIN_COLS) {
		snprintf(small, sizeof small,
		    "terminal too small: need %dx%d, "
		    "have %dx%d (q quits)",
		    SCREEN_MIN_COLS, SCREEN_MIN_ROWS, cols, rows);
		screen_text(a->sc, 0, 0, cols, small, SCREEN_ALARM);
		screen_flush(a->sc);
		return;
	}
	app_header(a, cols);
	frame_top(a)->draw(a, 1, 2, rows - 4, cols);
	if (a->prompt != APP_PROMPT_NONE)
		app_prompt_line(a, rows - 2, cols);
	else if (a->frame.msg[0])
		screen_text(
		    a->sc, rows - 2, 0, cols, a->frame.msg, a->frame.msg_style);
	app_hints(a, rows - 1, cols);
	screen_flush(a->sc);
}
