/* screen.c: the terminal's lifecycle and input for `owl tui`: newterm,
 * modes, signals (flags only), crash restore, bracketed paste, the dead
 * terminal check, and the poll() loop over the keyboard (see screen.h). */
#include "screen_int.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <term.h>
#include <unistd.h>

#include "keys.h"
#include "engine/buf.h"
#include "engine/sanitize.h"

#define SCREEN_PASTE_ON "\033[?2004h"
#define SCREEN_PASTE_OFF "\033[?2004l"
#define SCREEN_KEY_PASTE_BEGIN (KEY_MAX + 1)
#define SCREEN_KEY_PASTE_END (KEY_MAX + 2)
#define SCREEN_STALLS_MAX 20
#define SCREEN_STDERR_MAX (64 * 1024)

/* Signal handlers can only reach static storage: the quit flag, and what
 * the crash handler writes to put the terminal back (precomputed, since
 * only write() and tcsetattr() are safe in a handler). One screen at a
 * time (screen_open refuses a second). */
static volatile sig_atomic_t screen_quit_flag;
static volatile sig_atomic_t screen_active;
static struct termios screen_saved_tio;
static char screen_restore[256];
static size_t screen_restore_len;

static void
screen_on_signal(int sig)
{
	(void)sig;
	screen_quit_flag = 1;
}

static void
screen_on_crash(int sig)
{
	ssize_t w;

	if (screen_active) {
		w = write(STDOUT_FILENO, screen_restore, screen_restore_len);
		(void)w;
		tcsetattr(STDIN_FILENO, TCSANOW, &screen_saved_tio);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
screen_restore_add(const char *cap)
{
	const char *s = tigetstr((char *)cap);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (screen_restore_len + n < sizeof screen_restore) {
		memcpy(screen_restore + screen_restore_len, s, n);
		screen_restore_len += n;
	}
}

static void
screen_signals(void)
{
	static const int quit[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	static const int crash[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = screen_on_signal;
	for (size_t i = 0; i < sizeof quit / sizeof quit[0]; i++)
		sigaction(quit[i], &sa, NULL);
	sa.sa_handler = screen_on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
		sigaction(crash[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
screen_signals_reset(void)
{
	static const int all[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
		SIGBUS, SIGABRT, SIGFPE, SIGILL };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		signal(all[i], SIG_DFL);
}

/* Checks that stdin/stdout are a terminal that can address the cursor,
 * before curses touches anything. */
static int
screen_check(struct err *err)
{
	const char *term = getenv("TERM"), *cup;
	int rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return err_set(err, ERR_USAGE,
		    "tui needs a terminal on stdin "
		    "and stdout; for a plain list use: owl incidents");
	if (term == NULL || *term == '\0')
		return err_set(err, ERR_USAGE,
		    "tui: TERM is not set; set it "
		    "(e.g. TERM=xterm-256color) or use: owl incidents");
	if (setupterm(NULL, STDOUT_FILENO, &rc) != OK)
		return err_set(err, ERR_USAGE,
		    "tui: unknown terminal type "
		    "'%.40s'; set TERM (e.g. TERM=xterm-256color) or use: "
		    "owl incidents",
		    term);
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1 || tigetflag("hc") > 0) {
		del_curterm(cur_term);
		return err_set(err, ERR_USAGE,
		    "tui: terminal '%.40s' cannot "
		    "address the cursor; use: owl incidents",
		    term);
	}
	screen_restore_len = 0;
	screen_restore_add("rmcup");
	screen_restore_add("sgr0");
	screen_restore_add("cnorm");
	if (screen_restore_len + strlen(SCREEN_PASTE_OFF) <
	    sizeof screen_restore) {
		memcpy(screen_restore + screen_restore_len, SCREEN_PASTE_OFF,
		    strlen(SCREEN_PASTE_OFF));
		screen_restore_len += strlen(SCREEN_PASTE_OFF);
	}
	del_curterm(cur_term);
	return 0;
}

/* Keeps stderr in a memory file while curses owns the terminal. */
static void
screen_stderr_hold(struct screen *sc)
{
	sc->errfd = memfd_create("owl-tui-stderr", MFD_CLOEXEC);
	if (sc->errfd == -1)
		return;
	fflush(stderr);
	sc->saved_err = dup(STDERR_FILENO);
	if (sc->saved_err == -1 || dup2(sc->errfd, STDERR_FILENO) == -1) {
		close(sc->errfd);
		sc->errfd = -1;
	}
}

/* Puts stderr back and replays what was written meanwhile, sanitised. */
static void
screen_stderr_release(struct screen *sc)
{
	char data[SCREEN_STDERR_MAX];
	ssize_t n;
	char *clean;

	if (sc->errfd == -1)
		return;
	fflush(stderr);
	dup2(sc->saved_err, STDERR_FILENO);
	close(sc->saved_err);
	n = pread(sc->errfd, data, sizeof data - 1, 0);
	close(sc->errfd);
	sc->errfd = -1;
	if (n <= 0)
		return;
	data[n] = '\0';
	if ((clean = sanitize_dup(data, SANITIZE_NEWLINES)) != NULL) {
		fputs(clean, stderr);
		free(clean);
	}
}

static void
screen_modes(struct screen *sc)
{
	const char *cs = nl_langinfo(CODESET);

	sc->ascii = cs == NULL || strcmp(cs, "UTF-8") != 0;
	raw();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(75);
	define_key("\033[200~", SCREEN_KEY_PASTE_BEGIN);
	define_key("\033[201~", SCREEN_KEY_PASTE_END);
	screen_styles_init(sc);
	getmaxyx(stdscr, sc->rows, sc->cols);
	sc->cursor_y = sc->cursor_x = -1;
}

struct screen *
screen_open(struct err *err)
{
	struct screen *sc;

	if (screen_active) {
		err_set(err, ERR_FAILED, "tui: the terminal is already open");
		return NULL;
	}
	if (screen_check(err) == -1)
		return NULL;
	if ((sc = calloc(1, sizeof *sc)) == NULL) {
		err_set(err, ERR_FAILED, "tui: out of memory");
		return NULL;
	}
	sc->errfd = sc->saved_err = -1;
	tcgetattr(STDIN_FILENO, &screen_saved_tio);
	screen_quit_flag = 0;
	screen_signals();
	sc->term = newterm(NULL, stdout, stdin);
	if (sc->term == NULL) {
		screen_signals_reset();
		free(sc);
		err_set(err, ERR_USAGE,
		    "tui: cannot open the terminal; use: "
		    "owl incidents");
		return NULL;
	}
	screen_active = 1;
	screen_modes(sc);
	fputs(SCREEN_PASTE_ON, stdout);
	fflush(stdout);
	screen_stderr_hold(sc);
	return sc;
}

void
screen_close(struct screen *sc)
{
	if (sc == NULL)
		return;
	curs_set(1);
	endwin();
	fputs(SCREEN_PASTE_OFF, stdout);
	fflush(stdout);
	delscreen(sc->term);
	tcsetattr(STDIN_FILENO, TCSANOW, &screen_saved_tio);
	screen_active = 0;
	screen_signals_reset();
	screen_stderr_release(sc);
	free(sc);
}

/* Translates a curses key into a keys.h code. */
static int
screen_key(int rc, wint_t wc)
{
	if (rc == OK) {
		if (wc == '\r' || wc == '\n')
			return KEYS_K_ENTER;
		if (wc == 27)
			return KEYS_K_ESC;
		if (wc == 0x7f || wc == 8)
			return KEYS_K_BACKSPACE;
		return (int)wc;
	}
	switch (wc) {
	case KEY_UP: return KEYS_K_UP;
	case KEY_DOWN: return KEYS_K_DOWN;
	case KEY_LEFT: return KEYS_K_LEFT;
	case KEY_RIGHT: return KEYS_K_RIGHT;
	case KEY_HOME: return KEYS_K_HOME;
	case KEY_END: return KEYS_K_END;
	case KEY_PPAGE: return KEYS_K_PGUP;
	case KEY_NPAGE: return KEYS_K_PGDN;
	case KEY_ENTER: return KEYS_K_ENTER;
	case KEY_BACKSPACE: return KEYS_K_BACKSPACE;
	case KEY_DC: return KEYS_K_DELETE;
	case KEY_RESIZE: return KEYS_K_RESIZE;
	case SCREEN_KEY_PASTE_BEGIN: return KEYS_K_PASTE_BEGIN;
	case SCREEN_KEY_PASTE_END: return KEYS_K_PASTE_END;
	}
	return KEYS_K_OTHER;
}

/* Reads one key that curses has (buffered or ready); 0 when none. */
static int
screen_read(struct screen *sc, int *key)
{
	wint_t wc;
	int rc = wget_wch(stdscr, &wc);

	if (rc == ERR)
		return 0;
	*key = screen_key(rc, wc);
	if (*key == KEYS_K_RESIZE)
		getmaxyx(stdscr, sc->rows, sc->cols);
	if (*key == KEYS_CTRL('z')) {
		raise(SIGTSTP); /* raw mode: the tty does not do it for us */
		*key = KEYS_CTRL('l');
	}
	return 1;
}

enum screen_event
screen_next(struct screen *sc, int timeout_ms, int *key)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	int rc;

	if (screen_quit_flag)
		return SCREEN_QUIT;
	if (screen_read(sc, key)) {
		sc->stalls = 0;
		sc->queued = 1;
		return SCREEN_KEY;
	}
	sc->queued = 0;
	rc = poll(&p, 1, timeout_ms);
	if (screen_quit_flag)
		return SCREEN_QUIT;
	if (rc == -1)
		return errno == EINTR && screen_read(sc, key)
		    ? SCREEN_KEY
		    : SCREEN_TIMEOUT; /* EINTR: SIGWINCH gives KEY_RESIZE */
	if (rc == 0)
		return SCREEN_TIMEOUT;
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		return SCREEN_QUIT; /* the terminal went away (SSH dropped) */
	if (screen_read(sc, key)) {
		sc->stalls = 0;
		return SCREEN_KEY;
	}
	/* readable but nothing to read, again and again: a dead tty that
	 * would otherwise make us spin */
	if (++sc->stalls > SCREEN_STALLS_MAX || !isatty(STDIN_FILENO))
		return SCREEN_QUIT;
	return SCREEN_TIMEOUT;
}

int
screen_key_queued(const struct screen *sc)
{
	return sc->queued;
}

void
screen_size(const struct screen *sc, int *rows, int *cols)
{
	*rows = sc->rows;
	*cols = sc->cols;
}

int
screen_ascii(const struct screen *sc)
{
	return sc->ascii;
}

int
screen_copy(struct screen *sc, const char *text)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                          "qrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)text;
	char out[1400];
	size_t n = strlen(text), o;
	ssize_t w;

	(void)sc;
	if (n > 1024)
		return -1;
	o = (size_t)snprintf(out, sizeof out, "\033]52;c;");
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0) |
		    (i + 2 < n ? s[i + 2] : 0);

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o++] = '\a';
	w = write(STDOUT_FILENO, out, o);
	return w == (ssize_t)o ? 0 : -1;
}
