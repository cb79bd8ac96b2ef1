/* cli.c: option parsing, help and error printing shared by the command
 * modules (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/paths.h"
#include "engine/sanitize.h"
#include "engine/words.h"

/* Prints "owl: " and the message, sanitised (it may quote an argument:
 * never let that reach the terminal raw), without the newline. */
static void
cli_vsay(const char *fmt, va_list ap)
{
	char msg[ERR_MSG_MAX], *clean;

	vsnprintf(msg, sizeof msg, fmt, ap);
	clean = sanitize_dup(msg, 0);
	fprintf(stderr, "owl: %s", clean != NULL ? clean : msg);
	free(clean);
}

int
cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vsay(fmt, ap);
	va_end(ap);
	if (cmd != NULL)
		fprintf(stderr, " (see: owl help %s)\n", cmd->name);
	else
		fputs(" (see: owl help)\n", stderr);
	return CLI_USAGE;
}

int
cli_usage_bare(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vsay(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_USAGE;
}

int
cli_fail(const struct err *err)
{
	/* messages may quote untrusted input: never let it reach the tty raw */
	char *msg = sanitize_dup(err->msg[0] ? err->msg : "failed", 0);

	fprintf(stderr, "owl: %s\n", msg != NULL ? msg : "failed");
	free(msg);
	return err->code != ERR_OK ? err->code : CLI_FAILED;
}

void
cli_note(void *ctx, const char *text)
{
	char *msg = sanitize_dup(text, 0);

	(void)ctx;
	fprintf(stderr, "owl: %s\n", msg != NULL ? msg : "?");
	free(msg);
}

void
cli_help(const struct cli_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: owl %s\n\n%s\n", cmd->usage, cmd->summary);
	if (cmd->help != NULL && cmd->help[0] != '\0')
		fprintf(f, "\n%s", cmd->help);
	fputs("\nCommon options:\n"
	      "  --db PATH|URL   database: a SQLite file or postgresql://...\n"
	      "                  (default: $OWL_DB, else\n"
	      "                  $XDG_STATE_HOME/owl/owl.db)\n"
	      "  --config PATH   config file (default: $OWL_CONFIG, else\n"
	      "                  $XDG_CONFIG_HOME/owl/config.lua)\n"
	      "  -h, --help      this help\n",
	    f);
}

/* The long option names of opts, for "did you mean". */
static size_t
cli_optnames(const struct option *opts, const char **names, size_t max)
{
	size_t n = 0;

	for (; opts->name != NULL && n < max; opts++)
		names[n++] = opts->name;
	return n;
}

/* An unknown long option (or an abbreviation of one: only whole names
 * are taken, so that --not is never quietly --note): says which, with
 * the closest option. */
static int
cli_bad_long(
    const struct cli_cmd *cmd, const char *tok, const struct option *opts)
{
	const char *names[64], *pick;
	char name[WORDS_MAX + 1];
	size_t n = cli_optnames(opts, names, 64);

	snprintf(
	    name, sizeof name, "%.*s", (int)strcspn(tok + 2, "="), tok + 2);
	if ((pick = words_closest(name, names, n)) != NULL)
		return cli_usage(
		    cmd, "unknown option --%s; did you mean --%s?", name, pick);
	return cli_usage(
	    cmd, "unknown option %.*s", (int)strcspn(tok, "="), tok);
}

int
cli_bad_word(const struct cli_cmd *cmd, const char *pre, const char *word,
    const char *post, const char *const *known, size_t n, const char *label)
{
	char hint[300];

	words_hint(hint, sizeof hint, word, known, n, label, "");
	return cli_usage(cmd, "%s'%s'%s%s", pre, word, post, hint);
}

/* "-5m" or "-3": getopt took a negative value for options. */
static int
cli_bad_negative(const struct cli_cmd *cmd, const char *tok)
{
	int64_t us;

	if (tok[0] != '-' || tok[1] == '\0')
		return cli_usage(cmd, "unknown option -%c", optopt);
	if (clock_parse_duration(tok + 1, &us, NULL) == 0)
		return cli_usage(cmd,
		    "'%s' is negative: durations and counts are positive "
		    "(text that starts with '-' goes after --)",
		    tok);
	return cli_usage(cmd,
	    "unknown option '%s' (text that starts with '-' goes after --)",
	    tok);
}

/* The option token getopt_long just took: "--name", "--name=value",
 * "-x" or a cluster; its value may have been the next argument. */
static const char *
cli_token(int argc, char **argv)
{
	if (optarg != NULL && optind >= 2 && optind <= argc &&
	    optarg == argv[optind - 1])
		return argv[optind - 2];
	return optind >= 1 && optind <= argc ? argv[optind - 1] : "";
}

/* The unknown short option optopt: the token that holds it is the
 * current argument when getopt stopped inside a cluster ("-5m"), else
 * the one before. */
static const char *
cli_short_token(int argc, char **argv)
{
	if (optind < argc && argv[optind][0] == '-' &&
	    strchr(argv[optind] + 1, optopt) != NULL)
		return argv[optind];
	return optind >= 1 ? argv[optind - 1] : "";
}

int
cli_getopt(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    const char *shortopts, const struct option *longopts, int *rc)
{
	const char *tok;
	char opts[64];
	int c, li;

	snprintf(opts, sizeof opts, ":h%s", shortopts);
	for (;;) {
		li = -1;
		c = getopt_long(argc, argv, opts, longopts, &li);
		tok = c == -1 ? "" : cli_token(argc, argv);
		if (li >= 0 && strncmp(tok, "--", 2) == 0 &&
		    strlen(longopts[li].name) != strcspn(tok + 2, "=")) {
			*rc = cli_bad_long(cmd, tok, longopts);
			return -2;
		}
		switch (c) {
		case CLI_OPT_DB: cli->db = optarg; continue;
		case CLI_OPT_CONFIG: cli->config = optarg; continue;
		case CLI_OPT_HELP:
			cli_help(cmd, stdout);
			*rc = CLI_DONE;
			return -2;
		case ':':
			*rc = cli_usage(
			    cmd, "%s: option needs a value", argv[optind - 1]);
			return -2;
		case '?':
			if (optopt >= '0' && optopt <= '9')
				*rc = cli_bad_negative(
				    cmd, cli_short_token(argc, argv));
			else if (optopt != 0)
				*rc = cli_usage(
				    cmd, "unknown option -%c", optopt);
			else
				*rc = cli_bad_long(
				    cmd, argv[optind - 1], longopts);
			return -2;
		default: return c;
		}
	}
}

static struct store *
cli_store_open(const struct cli *cli, int create, struct err *err)
{
	struct store *s;
	char *path;

	if ((path = paths_db(cli->db, err)) == NULL)
		return NULL;
	s = create ? store_open(path, err) : store_open_existing(path, err);
	free(path);
	return s;
}

struct store *
cli_store(const struct cli *cli, struct err *err)
{
	return cli_store_open(cli, 1, err);
}

struct store *
cli_store_existing(const struct cli *cli, struct err *err)
{
	return cli_store_open(cli, 0, err);
}

struct store *
cli_store_named_existing(const struct cli *cli, struct err *err)
{
	const char *env = getenv("OWL_DB");

	if (cli->db == NULL && (env == NULL || *env == '\0'))
		return cli_store(cli, err);
	return cli_store_existing(cli, err);
}

struct store *
cli_store_if_any(const struct cli *cli, char **none, struct err *err)
{
	char *path;

	*none = NULL;
	if ((path = paths_db(cli->db, err)) == NULL)
		return NULL;
	if (store_missing(path)) {
		*none = path;
		return NULL;
	}
	free(path);
	return cli_store_open(cli, 0, err);
}

static int
cli_number(const char *s, long long *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	*out = v;
	return 0;
}

int
cli_incident_id(const char *s, long long *id)
{
	if (strncasecmp(s, "INC-", 4) == 0)
		s += 4;
	return cli_number(s, id);
}

int
cli_count(const char *s, long long *out)
{
	return cli_number(s, out);
}
