/* cli.c: option parsing, help and error printing shared by the command
 * modules (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine/paths.h"
#include "engine/sanitize.h"

int
cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("owl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd != NULL)
		fprintf(stderr, " (see: owl help %s)\n", cmd->name);
	else
		fputs(" (see: owl help)\n", stderr);
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
cli_help(const struct cli_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: owl %s\n\n%s\n", cmd->usage, cmd->summary);
	if (cmd->help != NULL && cmd->help[0] != '\0')
		fprintf(f, "\n%s", cmd->help);
	fputs("\nCommon options:\n"
	      "  --db PATH       database (default: $OWL_DB, else\n"
	      "                  $XDG_STATE_HOME/owl/owl.db)\n"
	      "  --config PATH   config file (default: $OWL_CONFIG, else\n"
	      "                  $XDG_CONFIG_HOME/owl/config.lua)\n"
	      "  -h, --help      this help\n",
	    f);
}

int
cli_getopt(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    const char *shortopts, const struct option *longopts, int *rc)
{
	char opts[64];
	int c;

	snprintf(opts, sizeof opts, ":h%s", shortopts);
	for (;;) {
		c = getopt_long(argc, argv, opts, longopts, NULL);
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
			if (optopt != 0)
				*rc = cli_usage(
				    cmd, "unknown option -%c", optopt);
			else
				*rc = cli_usage(
				    cmd, "unknown option %s", argv[optind - 1]);
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
