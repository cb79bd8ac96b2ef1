/* cmd_act.c: `owl ack|resolve INC [--note T]`, `owl note INC
 * [--mitigated] TEXT`,
 * `owl snooze INC DURATION`, `owl assign INC WHO`: one action each, done
 * by the actor ($OWL_ACTOR, ...) and logged by engine/incident_act.c. */
#include "cmd_act.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actor.h"
#include "engine/clock.h"
#include "engine/incident.h"
#include "engine/sanitize.h"

/* The positional arguments each action takes after INC. */
static int
cmd_act_nargs(const char *name)
{
	if (strcmp(name, "note") == 0 || strcmp(name, "snooze") == 0 ||
	    strcmp(name, "assign") == 0)
		return 1;
	return 0;
}

static int
cmd_act_do(struct store *s, const char *name, int64_t id, const char *arg,
    const struct incident_act *a, struct err *err)
{
	if (strcmp(name, "mitigated") == 0)
		return incident_note_mitigated(s, id, arg, a, err);
	int64_t dur;

	if (strcmp(name, "ack") == 0)
		return incident_ack(s, id, a, err);
	if (strcmp(name, "resolve") == 0)
		return incident_resolve(s, id, a, err);
	if (strcmp(name, "note") == 0)
		return incident_note(s, id, arg, a, err);
	if (strcmp(name, "assign") == 0)
		return incident_assign(s, id, arg, a, err);
	if (clock_parse_duration_unit(arg, &dur, err) == -1) {
		err->code = ERR_USAGE;
		return -1;
	}
	return incident_snooze(s, id, clock_now_us() + dur, a, err);
}

/* Says what was done, on stdout. */
static void
cmd_act_report(const char *name, int64_t id, const char *arg, const char *actor)
{
	char *safe = sanitize_dup(arg, 0);

	if (strcmp(name, "ack") == 0)
		printf("INC-%" PRId64 " acknowledged by %s\n", id, actor);
	else if (strcmp(name, "resolve") == 0)
		printf("INC-%" PRId64 " resolved by %s\n", id, actor);
	else if (strcmp(name, "note") == 0)
		printf("INC-%" PRId64 ": note added by %s\n", id, actor);
	else if (strcmp(name, "mitigated") == 0)
		printf("INC-%" PRId64 ": mitigation noted by %s\n", id, actor);
	else if (strcmp(name, "assign") == 0)
		printf("INC-%" PRId64 " assigned to %s by %s\n", id,
		    safe ? safe : "?", actor);
	else
		printf("INC-%" PRId64 " snoozed for %s by %s\n", id,
		    safe ? safe : "?", actor);
	free(safe);
}

/* `owl snooze 1 -5m`: getopt would take -5m for options ("unknown
 * option -5"); a negative duration is refused as one. */
static int
cmd_act_negative(const struct cli_cmd *cmd, int argc, char **argv)
{
	int64_t us;

	if (strcmp(cmd->name, "snooze") != 0)
		return CLI_OK;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (argv[i][0] == '-' && argv[i][1] >= '0' &&
		    argv[i][1] <= '9' &&
		    clock_parse_duration(argv[i] + 1, &us, NULL) == 0)
			return cli_usage(cmd,
			    "snooze: '%s' is a negative duration; give a "
			    "positive one (e.g. 30m)",
			    argv[i]);
	return CLI_OK;
}

static int
cmd_act_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ "if-version", required_argument, NULL, 'V' },
		{ "mitigated", no_argument, NULL, 'M' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct incident_act a = { 0 };
	int nargs = cmd_act_nargs(cmd->name), c, rc = CLI_OK, mitigated = 0;
	char actor[ACTOR_MAX];
	long long id, version;
	int64_t dur;
	struct store *s;
	struct err err;

	if ((rc = cmd_act_negative(cmd, argc, argv)) != CLI_OK)
		return rc;
	while (
	    (c = cli_getopt(cli, cmd, argc, argv, "n:V:", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'n')
			a.note = optarg;
		else if (c == 'V' && cli_count(optarg, &version) == -1)
			return cli_usage(cmd,
			    "--if-version: '%s' is not a "
			    "positive number",
			    optarg);
		else if (c == 'V')
			a.expect_version = version;
		else if (c == 'M' && strcmp(cmd->name, "note") != 0)
			return cli_usage(cmd,
			    "--mitigated is for owl note INC --mitigated TEXT");
		else if (c == 'M')
			mitigated = 1;
	}
	if (argc - optind != 1 + nargs)
		return cli_usage(cmd, "usage: owl %s", cmd->usage);
	if (cli_incident_id(argv[optind], &id) == -1)
		return cli_usage(cmd,
		    "'%s' is not an incident id (42 or "
		    "INC-42)",
		    argv[optind]);
	actor_name(actor);
	a.actor = actor;
	err_init(&err);
	/* a bad duration is the user's to fix, before the database */
	if (strcmp(cmd->name, "snooze") == 0 &&
	    clock_parse_duration_unit(argv[optind + 1], &dur, &err) == -1)
		return cli_usage(cmd, "snooze: %s", err.msg);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	/* "mitigated": owl note --mitigated */
	if (cmd_act_do(s, mitigated ? "mitigated" : cmd->name, id,
	        nargs ? argv[optind + 1] : NULL, &a, &err) == -1)
		rc = cli_fail(&err);
	else
		cmd_act_report(mitigated ? "mitigated" : cmd->name, id,
		    nargs ? argv[optind + 1] : NULL, actor);
	store_close(s);
	return rc;
}

/* `owl ack`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_ack_entry = { "ack", "ack INC [--note TEXT]",
	"Acknowledge an incident: someone is on it.",
	"INC is 42 or INC-42. Logged with the actor ($OWL_ACTOR, else\n"
	"$SUDO_USER, else the login name). A resolved, unknown or already\n"
	"acknowledged incident: exit 1.\n"
	"\nOptions:\n"
	"  --note TEXT     a note that goes into the same log entry\n"
	"  --if-version N  refuse (exit 3) when the incident changed since\n"
	"                  version N (see owl show INC --json)\n",
	cmd_act_run };

/* `owl assign`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_assign_entry = { "assign", "assign INC WHO",
	"Assign an incident to someone.",
	"Logged with the actor and the previous assignee. A resolved or\n"
	"unknown incident: exit 1.\n"
	"\nOptions:\n"
	"  --note TEXT     a note that goes into the same log entry\n"
	"  --if-version N  refuse (exit 3) when the incident changed since\n"
	"                  version N (see owl show INC --json)\n",
	cmd_act_run };

/* `owl note`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_note_entry = { "note", "note INC [--mitigated] TEXT",
	"Add a note to an incident's log.",
	"Works on resolved incidents too. An unknown incident: exit 1.\n"
	"\nOptions:\n"
	"  --mitigated     the note says the incident is mitigated (the\n"
	"                  impact stopped, not yet fixed): the first such\n"
	"                  note, or the first run that ended ok, is the\n"
	"                  timeline's 'mitigated' time\n"
	"  --if-version N  refuse (exit 3) when the incident changed since\n"
	"                  version N (see owl show INC --json)\n",
	cmd_act_run };

/* `owl resolve`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_resolve_entry = { "resolve",
	"resolve INC [--note TEXT]", "Resolve an incident.",
	"A resolved or unknown incident: exit 1.\n"
	"\nOptions:\n"
	"  --note TEXT     a note that goes into the same log entry\n"
	"  --if-version N  refuse (exit 3) when the incident changed since\n"
	"                  version N (see owl show INC --json)\n",
	cmd_act_run };

/* `owl snooze`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_snooze_entry = { "snooze", "snooze INC DURATION",
	"Snooze an incident for a while (30m, 1h30m, 2d).",
	"The incident shows as snoozed until then. A resolved or unknown\n"
	"incident: exit 1.\n"
	"\nOptions:\n"
	"  --if-version N  refuse (exit 3) when the incident changed since\n"
	"                  version N (see owl show INC --json)\n",
	cmd_act_run };
