/* main.c: owl's entry point: global options, the list of commands and
 * dispatch. Each command's entry (name, usage, summary, help, the
 * function that runs it) lives beside its code (tmux's cmd-*.c): this
 * file only lists them. The list drives `owl help`, so a command
 * appears there only once it exists. */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "integrations/rbsel.h"
#include "cmd_act.h"
#include "cmd_audit.h"
#include "cmd_tui.h"
#include "cmd_incidents.h"
#include "cmd_ingest.h"
#include "cmd_migrate.h"
#include "cmd_oncall.h"
#include "cmd_plan.h"
#include "cmd_recover.h"
#include "cmd_serve.h"
#include "cmd_silence.h"
#include "cmd_run.h"
#include "cmd_runbooks.h"
#include "cmd_runs.h"
#include "cmd_test.h"
#include "cmd_timeline.h"
#include "engine/buf.h"
#include "engine/locale_late.h"
#include "engine/store.h"
#include "engine/tzone.h"
#include "engine/words.h"
#include "integrations/libversions.h"

static int main_help(struct cli *, const struct cli_cmd *, int, char **);
static int main_version(struct cli *, const struct cli_cmd *, int, char **);

static const struct cli_cmd main_help_entry = { "help", "help [COMMAND]",
	"Show the commands, or one command's help.", NULL, main_help };
static const struct cli_cmd main_version_entry = { "version", "version",
	"Show owl's version and the versions of the libraries it runs on.",
	NULL, main_version };

/* Every command, in `owl help` order; each entry lives beside its code
 * (tmux's cmd-*.c). */
static const struct cli_cmd *const main_cmds[] = {
	&cmd_ack_entry,
	&cmd_apply_entry,
	&cmd_approve_entry,
	&cmd_assign_entry,
	&cmd_audit_entry,
	&cmd_handoff_entry,
	&main_help_entry,
	&cmd_incidents_entry,
	&cmd_ingest_entry,
	&cmd_migrate_entry,
	&cmd_note_entry,
	&cmd_oncall_entry,
	&cmd_page_entry,
	&cmd_plan_entry,
	&cmd_plans_entry,
	&cmd_recover_entry,
	&cmd_resolve_entry,
	&cmd_run_entry,
	&cmd_runs_entry,
	&cmd_answer_entry,
	&cmd_runbooks_entry,
	&cmd_serve_entry,
	&cmd_show_entry,
	&cmd_silence_entry,
	&cmd_snooze_entry,
	&cmd_test_entry,
	&cmd_timeline_entry,
	&cmd_tui_entry,
	&cmd_unsilence_entry,
	&main_version_entry,
};

#define MAIN_NCMDS (sizeof main_cmds / sizeof main_cmds[0])

/* The locale categories owl takes from the environment: characters
 * (UTF-8, widths: the TUI and sanitizing), collation (sender mappings'
 * regular expressions), dates (strftime) and messages (strerror), each
 * with the variable that names it after LC_ALL. */
static const struct {
	int category;
	const char *var;
} main_locale[] = {
	{ LC_CTYPE, "LC_CTYPE" },
	{ LC_COLLATE, "LC_COLLATE" },
	{ LC_TIME, "LC_TIME" },
	{ LC_MESSAGES, "LC_MESSAGES" },
};

#define MAIN_NLOCALE (sizeof main_locale / sizeof main_locale[0])

/* The names of glibc's C.UTF-8 locale: its collation (code points), dates
 * and messages are the C locale's; only its characters differ. */
static const char *const main_c_utf8[] = { "C.UTF-8", "C.utf8" };

/* The commands that use no character locale of their own: what they
 * print is bytes (sanitize.h escapes what a terminal would act on), they
 * draw no screen, measure no text, compile no regular expression. Under
 * C.UTF-8 their LC_CTYPE waits for a library that may use it
 * (engine/locale_late.h). */
static const char *const main_bytes_cmds[] = { "run", "apply" };

/* The locale that names category k of main_locale, as setlocale(cat, "")
 * finds it: LC_ALL, else the category's variable, else LANG; NULL for
 * none. */
static const char *
main_locale_name(size_t k)
{
	const char *v = NULL,
	           *const vars[] = { "LC_ALL", main_locale[k].var, "LANG" };

	for (size_t i = 0; i < sizeof vars / sizeof vars[0] && v == NULL; i++)
		if ((v = getenv(vars[i])) != NULL && v[0] == '\0')
			v = NULL;
	return v;
}

/* Nonzero when v is C.UTF-8 by one of its names. */
static int
main_is_c_utf8(const char *v)
{
	for (size_t i = 0; i < sizeof main_c_utf8 / sizeof main_c_utf8[0]; i++)
		if (strcmp(v, main_c_utf8[i]) == 0)
			return 1;
	return 0;
}

/* Nonzero when category k's locale is what a program starts with: the C
 * locale (none named, "C" or "POSIX"), or C.UTF-8 for anything but
 * characters. */
static int
main_locale_is_c(size_t k)
{
	const char *v = main_locale_name(k);

	return v == NULL || strcmp(v, "C") == 0 || strcmp(v, "POSIX") == 0 ||
	    (main_locale[k].category != LC_CTYPE && main_is_c_utf8(v));
}

/* Sets the locale categories of main_locale from the environment as
 * setlocale(cat, "") does, but loads none that would give the C locale
 * (main_locale_is_c: each is a file to read, ~0.1 ms of CPU, for
 * nothing); and for a command of main_bytes_cmds (cmd, may be NULL)
 * leaves C.UTF-8's characters for later when its messages are the C
 * locale's too (translated ones are converted to LC_CTYPE's set). */
static void
main_setlocale(const struct cli_cmd *cmd)
{
	size_t messages = 0, bytes = 0;

	for (size_t k = 0; k < MAIN_NLOCALE; k++)
		if (main_locale[k].category == LC_MESSAGES)
			messages = k;
	for (size_t i = 0; cmd != NULL &&
	     i < sizeof main_bytes_cmds / sizeof main_bytes_cmds[0];
	     i++)
		bytes |= strcmp(cmd->name, main_bytes_cmds[i]) == 0;
	for (size_t k = 0; k < MAIN_NLOCALE; k++) {
		if (main_locale_is_c(k))
			continue;
		if (main_locale[k].category == LC_CTYPE && bytes &&
		    main_is_c_utf8(main_locale_name(k)) &&
		    main_locale_is_c(messages)) {
			locale_late_defer();
			continue;
		}
		setlocale(main_locale[k].category, "");
	}
}

static const struct cli_cmd *
main_find(const char *name)
{
	for (size_t i = 0; i < MAIN_NCMDS; i++)
		if (strcmp(main_cmds[i]->name, name) == 0)
			return main_cmds[i];
	return NULL;
}

/* "owl: unknown command 'X'; did you mean 'Y'? (commands: ...)" */
static int
main_unknown(const char *name)
{
	const char *names[MAIN_NCMDS];
	char hint[400];

	for (size_t i = 0; i < MAIN_NCMDS; i++)
		names[i] = main_cmds[i]->name;
	words_hint(hint, sizeof hint, name, names, MAIN_NCMDS, "commands", "");
	return cli_usage_bare("unknown command '%s'%s", name, hint);
}

static void
main_usage(FILE *f)
{
	fputs("usage: owl [--db PATH] [--config PATH] COMMAND [ARGS]\n\n"
	      "owl is the on-call console for AI systems in production.\n\n"
	      "Commands:\n",
	    f);
	for (size_t i = 0; i < MAIN_NCMDS; i++)
		fprintf(f, "  %-10s %s\n", main_cmds[i]->name,
		    main_cmds[i]->summary);
	fputs("\nExit codes: 0 ok, 1 failed, 2 bad usage or input, 3 refused.\n"
	      "Run 'owl help COMMAND' for a command's options.\n",
	    f);
}

static int
main_help(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 } };
	const struct cli_cmd *c;
	int rc = CLI_OK, o;

	while ((o = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1)
		if (o == -2)
			return rc;
	if (optind >= argc) {
		main_usage(stdout);
		return CLI_OK;
	}
	if (optind + 1 < argc)
		return cli_usage(cmd, "help: one command at a time");
	if ((c = main_find(argv[optind])) == NULL)
		return main_unknown(argv[optind]);
	cli_help(c, stdout);
	return CLI_OK;
}

static int
main_version(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 } };
	struct err err;
	const char *cv;
	struct buf b;
	int rc = CLI_OK, o;

	while ((o = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1)
		if (o == -2)
			return rc;
	if (optind < argc)
		return cli_usage(
		    cmd, "version: unexpected argument '%s'", argv[optind]);
	err_init(&err);
	buf_init(&b, 0);
	if (libversions_format(&b, &err) == -1) {
		buf_done(&b);
		return cli_fail(&err);
	}
	cv = curses_version(); /* "ncurses 6.4.20221231" */
	cv += strcspn(cv, "0123456789");
	printf("owl %s\n%sncursesw %s\n", OWL_VERSION, buf_str(&b), cv);
	buf_done(&b);
	return CLI_OK;
}

/* Parses the global options that come before the command name. Returns
 * the index of the command name, or -1 after printing an error (rc set). */
static int
main_globals(struct cli *cli, int argc, char **argv, int *rc)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			main_usage(stdout);
			*rc = CLI_OK;
			return -1;
		}
		if (strcmp(a, "--version") == 0)
			return i; /* handled as the command "version" */
		if (strcmp(a, "--db") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= argc) {
				*rc = cli_usage(
				    NULL, "%s: option needs a value", a);
				return -1;
			}
			if (a[2] == 'd')
				cli->db = argv[++i];
			else
				cli->config = argv[++i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			cli->db = a + 5;
		} else if (strncmp(a, "--config=", 9) == 0) {
			cli->config = a + 9;
		} else {
			*rc = cli_usage(NULL, "unknown option %s", a);
			return -1;
		}
	}
	if (i >= argc) {
		main_usage(stderr);
		*rc = CLI_USAGE;
		return -1;
	}
	return i;
}

int
main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const struct cli_cmd *cmd;
	const char *name;
	int rc = CLI_OK, i;

	/* the global options and the command first: the locale depends on
	 * the command (main_setlocale); what this prints is owl's own text */
	if ((i = main_globals(&cli, argc, argv, &rc)) == -1)
		return rc;
	name = strcmp(argv[i], "--version") == 0 ? "version" : argv[i];
	cmd = main_find(name);
	/* the user's locale for text, never for numbers: owl's outputs are
	 * read by programs (/metrics, JSON, logs), and a decimal comma
	 * (LANG=de_DE.UTF-8) made Prometheus refuse every scrape. Only the
	 * categories owl uses are loaded (LC_ALL loaded twelve files, ~0.7
	 * ms of every command; C and C.UTF-8's own are not loaded at all:
	 * main_setlocale): LC_NUMERIC stays "C" */
	main_setlocale(cmd);
	tzone_init(); /* before any thread: see engine/tzone.h */
	store_init(); /* before any thread or store: engine/store.h */
	if (cmd == NULL)
		return main_unknown(name);
	optind = 0; /* GNU getopt: start afresh on the command's arguments */
	rc = cmd->run(&cli, cmd, argc - i, argv + i);
	return rc == CLI_DONE ? CLI_OK : rc;
}
