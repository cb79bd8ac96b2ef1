/* cli.h: what the command modules of tui/ share: the parsed global
 * options, the command table entry, option parsing with one-line errors,
 * and printing errors as `owl: ...` with the exit code they carry. */
#ifndef OWL_CLI_H
#define OWL_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "engine/err.h"
#include "engine/store.h"

/* owl's version (`owl version`, owl serve's owl_build_info). */
#ifndef OWL_VERSION
#define OWL_VERSION "0.1.0"
#endif

/* Options that every command accepts, before or after its name. */
struct cli {
	const char *db; /* --db PATH */
	const char *config; /* --config PATH */
	int json; /* --json, for commands that have it */
};

struct cli_cmd {
	const char *name;
	const char *usage; /* "audit verify | audit log [--json] ..." */
	const char *summary; /* one line for `owl help` */
	const char *help; /* the rest of `owl help NAME` */
	int (*run)(
	    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
};

/* Exit codes (DESIGN.md). */
#define CLI_OK 0
#define CLI_FAILED 1
#define CLI_USAGE 2
#define CLI_REFUSED 3
/* Not an exit code: the command has finished early with nothing more to
 * do (it printed its --help). Returned up through the command's own
 * helpers like a failure, so that nothing after option parsing runs;
 * main() exits 0 for it. */
#define CLI_DONE 100

/* Option ids of the common options in CLI_COMMON_OPTS. */
#define CLI_OPT_DB 0x1001
#define CLI_OPT_CONFIG 0x1002
#define CLI_OPT_HELP 'h'

/* Append to a command's `struct option` array before its terminator. */
#define CLI_COMMON_OPTS                                                        \
	{ "db", required_argument, NULL, CLI_OPT_DB },                         \
	    { "config", required_argument, NULL, CLI_OPT_CONFIG },             \
	{                                                                      \
		"help", no_argument, NULL, CLI_OPT_HELP                        \
	}

/* getopt_long for commands: handles --db, --config (into cli) and --help
 * (prints the command's help, returns -2 with *rc = CLI_DONE). A bad
 * option prints a one-line error and returns -2 with *rc = 2. Returns the
 * next command-specific option, or -1 at the end of the options. On -2
 * the caller returns *rc as it is (never CLI_OK: nothing else may run). */
int cli_getopt(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv, const char *shortopts, const struct option *longopts, int *rc);

/* Prints `owl: <message>` and a hint to stderr; returns CLI_USAGE. The
 * message is sanitised for the terminal (it may quote an argument). */
int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same without the "(see: owl help ...)" hint, for a message that
 * already says what to do. */
/* Prints "owl: PRE'WORD'POST; did you mean 'X'? (LABEL: a, b) (see: owl
 * help CMD)" (the suggestion only when one of `known` is close) and
 * returns CLI_USAGE: an unknown subcommand, or an option's value that is
 * not one of the known ones. */
int cli_bad_word(const struct cli_cmd *cmd, const char *pre, const char *word,
    const char *post, const char *const *known, size_t n, const char *label);

int cli_usage_bare(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints `owl: <err->msg>`; returns the exit code err carries. */
int cli_fail(const struct err *err);

/* Prints a note or warning from below the command line (rbsel.h,
 * runner.h) to stderr as "owl: TEXT", sanitised; ctx is unused. */
void cli_note(void *ctx, const char *text);

/* Prints the full help of a command to f. */
void cli_help(const struct cli_cmd *cmd, FILE *f);

/* Opens the database that --db / $OWL_DB / the default name, creating
 * it when there is none (the commands that bring data in: ingest, serve,
 * runbooks sync, migrate --to). */
struct store *cli_store(const struct cli *cli, struct err *err);

/* owl run: a database named by --db or $OWL_DB must exist (a mistyped
 * path is said, not made into a database nobody will read); the default
 * one is made on first use (a fresh box's first dry-run, a CI job's). */
struct store *cli_store_named_existing(const struct cli *cli, struct err *err);

/* Opens that database only when it exists (store_open_existing): for the
 * commands that read it or act on an incident in it. */
struct store *cli_store_existing(const struct cli *cli, struct err *err);

/* Like cli_store_existing, but no database there is not an error: NULL
 * with err untouched and *none its path (free it), for a command that
 * can say something useful without one (owl oncall: the config's
 * rotations). Else *none is NULL. */
struct store *cli_store_if_any(
    const struct cli *cli, char **none, struct err *err);

/* Parses an incident id: "42" or "INC-42". 0 and -1 on anything else. */
int cli_incident_id(const char *s, long long *id);

/* Parses a positive decimal count (e.g. --limit). */
int cli_count(const char *s, long long *out);

#endif
