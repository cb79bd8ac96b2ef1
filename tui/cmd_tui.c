/* cmd_tui.c: `owl tui`: options, the database, the terminal, the app
 * loop, and the session summary printed once the terminal is restored. */
#include "cmd_tui.h"

#include <stdlib.h>
#include <string.h>

#include "tui_int.h"
#include "engine/config.h"
#include "engine/sanitize.h"

#define CMD_TUI_STALE_DEFAULT "15m"

/* Environment names are shown in a header block: short, printable. */
static int
cmd_tui_env_ok(const char *env)
{
	size_t n = strlen(env);

	if (n == 0 || n > 24)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)env[i] <= 0x20 || env[i] == 0x7f)
			return 0;
	return 1;
}

static int
cmd_tui_options(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv, struct app *a, int *quiet, int *rc)
{
	static const struct option opts[] = {
		{ "readonly", no_argument, NULL, 'r' },
		{ "env", required_argument, NULL, 'e' },
		{ "stale", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *stale = CMD_TUI_STALE_DEFAULT;
	struct err err;
	int o;

	a->env = getenv("OWL_ENV");
	while ((o = cli_getopt(cli, cmd, argc, argv, "", opts, rc)) != -1) {
		if (o == -2)
			return -1;
		if (o == 'r')
			a->readonly = 1;
		else if (o == 'e')
			a->env = optarg;
		else if (o == 's')
			stale = optarg;
		else if (o == 'q')
			*quiet = 1;
	}
	if (optind < argc) {
		*rc = cli_usage(
		    cmd, "tui: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (a->env != NULL && *a->env == '\0')
		a->env = NULL;
	if (a->env != NULL && !cmd_tui_env_ok(a->env)) {
		*rc = cli_usage(cmd,
		    "tui: --env: a short name without spaces, "
		    "like PROD");
		return -1;
	}
	err_init(&err);
	if (clock_parse_duration(stale, &a->stale_us, &err) == -1) {
		*rc = cli_usage(cmd, "tui: --stale: %s", err.msg);
		return -1;
	}
	return 0;
}

/* tui.bell: "bell" (the default, or true), "flash", or "off" (false). */
static int
cmd_tui_config_bell(
    const struct cli_cmd *cmd, const struct config *c, struct app *a)
{
	static const char *const names[] = { "off", "bell", "flash" };
	const json_t *v = config_get(c, "tui.bell");

	a->bell = 1;
	if (v == NULL)
		return CLI_OK;
	if (json_is_boolean(v)) {
		a->bell = json_is_true(v);
		return CLI_OK;
	}
	for (int i = 0; json_is_string(v) && i < 3; i++)
		if (strcmp(json_string_value(v), names[i]) == 0) {
			a->bell = i;
			return CLI_OK;
		}
	return cli_usage(cmd,
	    "config: tui.bell: \"bell\", \"flash\" or \"off\" (or true, "
	    "false)");
}

/* Without --env or $OWL_ENV, the environment name is the config's `env`
 * (e.g. env = "PROD"), copied into buf; and the bell (tui.bell). */
static int
cmd_tui_config(const struct cli *cli, const struct cli_cmd *cmd, struct app *a,
    char *buf, size_t n)
{
	struct config *c;
	const char *v;
	struct err err;
	int rc;

	err_init(&err);
	if ((c = config_load(cli->config, &err)) == NULL)
		return cli_fail(&err);
	if ((rc = cmd_tui_config_bell(cmd, c, a)) != CLI_OK) {
		config_free(c);
		return rc;
	}
	a->config = c; /* runbooks: suggestions and runs; freed at exit */
	if (a->env != NULL)
		return CLI_OK;
	v = config_str(c, "env", NULL, &err);
	if (err_isset(&err))
		return cli_fail(&err);
	if (v != NULL && *v != '\0') {
		if (!cmd_tui_env_ok(v)) {
			return cli_usage(cmd,
			    "config: env: a short name without "
			    "spaces, like PROD");
		}
		snprintf(buf, n, "%s", v);
		a->env = buf;
	}
	return CLI_OK;
}

static int
cmd_tui_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	char envbuf[32];
	struct app a;
	struct err err;
	int rc = CLI_OK, quiet = 0;

	memset(&a, 0, sizeof a);
	a.started_at = clock_mono_us();
	if (cmd_tui_options(cli, cmd, argc, argv, &a, &quiet, &rc) == -1)
		return rc;
	if ((rc = cmd_tui_config(cli, cmd, &a, envbuf, sizeof envbuf)) !=
	    CLI_OK) {
		config_free((struct config *)a.config);
		return rc;
	}
	if (quiet)
		a.bell = 0;
	actor_name(a.actor);
	a.config_flag = cli->config;
	err_init(&err);
	/* the terminal is checked before the database is touched */
	if ((a.sc = screen_open(&err)) == NULL) {
		config_free((struct config *)a.config);
		return cli_fail(&err);
	}
	if ((a.store = cli_store_existing(cli, &err)) == NULL) {
		screen_close(a.sc);
		config_free((struct config *)a.config);
		return cli_fail(&err);
	}
	if (app_run(&a, getenv("OWL_TUI_BENCH_FIRST_FRAME")) == -1)
		rc = CLI_FAILED;
	screen_close(a.sc);
	if (rc != CLI_OK) {
		char *msg = sanitize_dup(a.frame.msg, 0);

		fprintf(stderr, "owl: tui: %s\n", msg ? msg : "failed");
		free(msg);
	} else {
		act_summary(&a, stdout);
		paging_summary(&a, stdout);
	}
	app_done(&a);
	store_close(a.store);
	config_free((struct config *)a.config);
	return rc;
}

/* `owl tui`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_tui_entry = { "tui",
	"tui [--readonly] [--env NAME] [--stale DURATION] [--quiet]",
	"The incident console: live incidents, ack, resolve, note, undo.",
	"  Needs a terminal (for scripts and pipes use: owl incidents).\n"
	"  Press ? inside for every key of the current screen.\n"
	"\nOptions:\n"
	"  --readonly      watch only: every changing key is disabled\n"
	"  --env NAME      environment shown in the header (e.g. PROD);\n"
	"                  default $OWL_ENV, else the config's env\n"
	"  --stale DUR     show STALE when no alert arrived for this long\n"
	"                  (default 15m)\n"
	"  --quiet         no bell for a new critical incident (the\n"
	"                  config's tui.bell: \"bell\", \"flash\", \"off\")\n"
	"\nOn exit it prints what you did in the session (a hand-over\n"
	"note). Environment: OWL_ACTOR (who acts), OWL_ENV, NO_COLOR, TZ.\n",
	cmd_tui_run };
