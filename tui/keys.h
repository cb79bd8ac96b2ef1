/* keys.h: the one table of key bindings of `owl tui`. It drives the key
 * dispatch, the hint line at the bottom of each screen and the help
 * screen, so the three cannot drift apart. Pure: no curses; the screen
 * layer translates curses key codes into the KEYS_K_* codes below. */
#ifndef OWL_KEYS_H
#define OWL_KEYS_H

#include <stddef.h>
#include <stdint.h>

/* Special keys, beyond the Unicode range; plain keys are their code
 * point, control keys their ASCII control code (KEYS_CTRL('l')). */
#define KEYS_CTRL(c) ((c)&0x1f)
#define KEYS_K_BASE 0x110000
enum {
	KEYS_K_UP = KEYS_K_BASE,
	KEYS_K_DOWN,
	KEYS_K_LEFT,
	KEYS_K_RIGHT,
	KEYS_K_HOME,
	KEYS_K_END,
	KEYS_K_PGUP,
	KEYS_K_PGDN,
	KEYS_K_ENTER,
	KEYS_K_ESC,
	KEYS_K_BACKSPACE,
	KEYS_K_DELETE,
	KEYS_K_RESIZE,
	KEYS_K_PASTE_BEGIN,
	KEYS_K_PASTE_END,
	KEYS_K_OTHER, /* a function key owl does not use */
};

/* The screens, as a bit mask for where a binding applies. */
#define KEYS_V_INCIDENTS 0x1
#define KEYS_V_INCIDENT 0x2
#define KEYS_V_LOG 0x4
#define KEYS_V_HELP 0x8
#define KEYS_V_RUNS 0x10
#define KEYS_V_RUN 0x20
#define KEYS_V_ALL 0x3f

enum keys_action {
	KEYS_NONE,
	KEYS_DOWN,
	KEYS_UP,
	KEYS_PGDN,
	KEYS_PGUP,
	KEYS_TOP,
	KEYS_BOTTOM,
	KEYS_OPEN,
	KEYS_BACK,
	KEYS_QUIT,
	KEYS_FILTER,
	KEYS_UNFILTER,
	KEYS_SORT,
	KEYS_ACK,
	KEYS_RESOLVE,
	KEYS_NOTE,
	KEYS_SNOOZE,
	KEYS_UNDO,
	KEYS_COPY,
	KEYS_COMMAND,
	KEYS_LOG,
	KEYS_HELP,
	KEYS_REDRAW,
	KEYS_ASSIGN,
	KEYS_RESOLVED,
	KEYS_EXPAND,
	KEYS_RUN,
	KEYS_RUNS,
	KEYS_CANCEL,
	KEYS_FOLLOW,
	KEYS_APPLY,
	KEYS_EDIT,
	KEYS_RECOVER,
};

#define KEYS_WRITES 0x1 /* changes data: disabled with --readonly */
#define KEYS_HINT 0x2 /* shown in the bottom hint line */

#define KEYS_PER_BINDING 3

struct keys_binding {
	enum keys_action action;
	int keys[KEYS_PER_BINDING]; /* 0 ends the list */
	unsigned views; /* KEYS_V_* where it applies */
	unsigned flags; /* KEYS_WRITES, KEYS_HINT */
	const char *hint; /* short word for the hint line */
	const char *help; /* sentence for the help screen */
};

/* The table, and its length. */
extern const struct keys_binding keys_table[];
extern const size_t keys_count;

/* Returns the binding of key on view (a KEYS_V_* bit), or NULL. */
const struct keys_binding *keys_find(unsigned view, int key);

/* Writes the display name of a key into out (n bytes): "j", "Enter",
 * "Esc", "Down", "PgDn", "^L", "?". */
void keys_name(int key, char *out, size_t n);

/* Writes the names of a binding's keys joined by "/" ("j/Down"). */
void keys_names(const struct keys_binding *b, char *out, size_t n);

/* Writes the hint line of view into out (n bytes): "key word" pairs of
 * the KEYS_HINT bindings, separated by two spaces, leaving out the
 * KEYS_WRITES ones when readonly, and as many as fit in width columns
 * (0: no limit): help and quit (or back) always stay, at the end. */
void keys_hints(unsigned view, int readonly, int width, char *out, size_t n);

/* The bit of an action in a set of actions (keys_hints_except). */
#define KEYS_BIT(act) (UINT64_C(1) << (act))

/* The same, leaving out the actions in off (KEYS_BIT of each): the keys
 * that do nothing in the screen's current state (a run that has ended
 * cannot be cancelled). */
void keys_hints_except(
    unsigned view, int readonly, uint64_t off, int width, char *out, size_t n);

#endif
