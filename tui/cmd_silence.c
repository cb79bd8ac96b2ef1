/* cmd_silence.c: `owl silence INC --for DUR` creates, in the incident's
 * Alertmanager, one silence per firing alert matching its labels
 * exactly (or, for a group Alertmanager truncated, one silence of the
 * group's labels), and records the ids on the incident; `owl silence INC` lists
 * them; `owl unsilence INC` expires them. `owl serve` expires them by
 * itself when the incident resolves. */
#include "cmd_silence.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actor.h"
#include "engine/clock.h"
#include "engine/config.h"
#include "engine/incident.h"
#include "engine/sanitize.h"
#include "engine/silence.h"
#include "integrations/am_client.h"

/* Matchers for exactly this label set: name="value" for every label. */
static json_t *
cmd_silence_matchers(const char *labels_json)
{
	json_t *labels, *m, *v;
	const char *k;

	if ((labels = json_loads(labels_json, 0, NULL)) == NULL ||
	    (m = json_array()) == NULL) {
		json_decref(labels);
		return NULL;
	}
	json_object_foreach(labels, k, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0)
			continue; /* Alertmanager drops empty labels */
		json_array_append_new(m,
		    json_pack("{s:s, s:O, s:b, s:b}", "name", k, "value", v,
		        "isRegex", 0, "isEqual", 1));
	}
	json_decref(labels);
	if (json_array_size(m) == 0) {
		json_decref(m);
		return NULL;
	}
	return m;
}

/* The config's URL that names the same Alertmanager as url (a string
 * or a list of strings at key), borrowed; NULL when none does. */
static const char *
cmd_silence_known(const struct config *cfg, const char *key, const char *url)
{
	const json_t *v = config_get(cfg, key);
	size_t n = json_is_array(v) ? json_array_size(v) : 1;

	for (size_t i = 0; v != NULL && i < n; i++) {
		const json_t *u = json_is_array(v) ? json_array_get(v, i) : v;

		if (json_is_string(u) &&
		    am_client_same_url(json_string_value(u), url))
			return json_string_value(u);
	}
	return NULL;
}

/* Which Alertmanager: --alertmanager, else the one owl pulled the
 * incident's alerts from, else the one whose webhook sent them, but
 * only when the config knows it (alertmanagers, serve.pull): whoever can
 * post a webhook names its externalURL, and owl silence would send
 * there. The config's own URL is used (with its credentials). */
static int
cmd_silence_url(const struct cli *cli, struct store *s, int64_t id,
    const char *flag, char **url, struct err *err)
{
	struct config *cfg = NULL;
	const char *known;
	char shown[1100];
	int from_sender = 0;

	if (flag != NULL) {
		if (am_client_check_url(flag, err) == -1)
			return -1;
		return (*url = strdup(flag)) != NULL
		    ? 0
		    : err_set(err, ERR_FAILED, "out of memory");
	}
	if (silence_am_url(s, id, url, &from_sender, err) == -1)
		return -1;
	if (*url == NULL)
		return err_set(err, ERR_USAGE,
		    "INC-%" PRId64 ": which "
		    "Alertmanager? give --alertmanager URL (its webhooks "
		    "named none and owl serve --pull never listed them)",
		    id);
	if (!from_sender)
		return 0;
	if ((cfg = config_load(cli->config, err)) == NULL)
		return -1;
	if ((known = cmd_silence_known(cfg, "alertmanagers", *url)) == NULL)
		known = cmd_silence_known(cfg, "serve.pull", *url);
	if (known == NULL) {
		char *safe =
		    sanitize_dup(sanitize_url(*url, shown, sizeof shown), 0);

		err_set(err, ERR_REFUSED,
		    "INC-%" PRId64 ": its webhook named the Alertmanager %s, "
		    "which the config does not list: add it to alertmanagers "
		    "= { ... } (or serve.pull), or give --alertmanager URL",
		    id, safe ? safe : "?");
		free(safe);
		config_free(cfg);
		return -1;
	}
	free(*url);
	*url = strdup(known);
	config_free(cfg);
	return *url != NULL ? 0 : err_set(err, ERR_FAILED, "out of memory");
}

static int
cmd_silence_check(const struct incident *inc, struct err *err)
{
	if (inc->source == NULL || strcmp(inc->source, "alertmanager") != 0)
		return err_set(err, ERR_FAILED,
		    "INC-%" PRId64 " came from %s, "
		    "not from an Alertmanager: nothing to silence",
		    inc->id, inc->source ? inc->source : "?");
	if (inc->state == INCIDENT_RESOLVED)
		return err_set(err, ERR_FAILED,
		    "INC-%" PRId64 " is already "
		    "resolved",
		    inc->id);
	return 0;
}

/* A group Alertmanager truncated (max_alerts): owl has seen only some
 * of its alerts, so silencing those would leave the others paging.
 * Silence the group by its labels instead (one silence), or refuse when
 * they would match more than the group or are unknown. */
static int
cmd_silence_group(struct store *s, const struct incident *inc, const char *url,
    int64_t dur, const char *comment, struct err *err)
{
	char actor[ACTOR_MAX], id[AM_CLIENT_ID_MAX], until[CLOCK_RFC3339_MAX];
	int64_t now = clock_now_us();
	json_t *m;
	int rc;

	if (inc->group_labels == NULL ||
	    (m = cmd_silence_matchers(inc->group_labels)) == NULL)
		return err_set(err, ERR_REFUSED,
		    "INC-%" PRId64 ": Alertmanager left out %" PRId64
		    " of its alerts, and %s: silencing only the alerts owl saw "
		    "would leave the others paging; silence the group in "
		    "Alertmanager (amtool silence add)",
		    inc->id, inc->truncated_alerts,
		    inc->group_labels == NULL
		        ? "owl does not know the group's labels"
		        : "the group has no labels to silence it by "
		          "(group_by: [])");
	actor_name(actor);
	clock_format(now + dur, 0, until);
	rc = am_client_silence(url, m, now, now + dur, actor, comment, id, err);
	json_decref(m);
	if (rc == -1 ||
	    silence_add(s, inc->id, url, id, NULL, actor, now + dur, comment,
	        err) == -1)
		return -1;
	printf("INC-%" PRId64 ": silence %s of the whole group (Alertmanager "
	       "left out %" PRId64 " of its alerts) until %s\n",
	    inc->id, id, inc->truncated_alerts, until);
	return 0;
}

/* Creates the silences; prints one line per silence. */
static int
cmd_silence_create(struct store *s, const struct incident *inc, const char *url,
    int64_t dur, const char *comment, struct err *err)
{
	struct incident_alert *alerts = NULL;
	char actor[ACTOR_MAX], id[AM_CLIENT_ID_MAX], until[CLOCK_RFC3339_MAX];
	int64_t now = clock_now_us();
	size_t n = 0, made = 0;
	json_t *m;
	int rc = -1;

	if (inc->truncated_alerts > 0)
		return cmd_silence_group(s, inc, url, dur, comment, err);
	actor_name(actor);
	clock_format(now + dur, 0, until);
	if (incident_alerts(s, inc->id, &alerts, &n, err) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (alerts[i].resolved)
			continue;
		if ((m = cmd_silence_matchers(alerts[i].labels_json)) == NULL)
			continue;
		rc = am_client_silence(
		    url, m, now, now + dur, actor, comment, id, err);
		json_decref(m);
		if (rc == -1 ||
		    silence_add(s, inc->id, url, id, alerts[i].fingerprint,
		        actor, now + dur, comment, err) == -1)
			goto out;
		printf("INC-%" PRId64 ": silence %s until %s\n", inc->id, id,
		    until);
		made++;
	}
	if (made == 0) {
		err_set(err, ERR_FAILED,
		    "INC-%" PRId64 " has no firing alert "
		    "to silence",
		    inc->id);
		goto out;
	}
	rc = 0;
out:
	incident_alerts_free(alerts, n);
	return rc;
}

static int
cmd_silence_list(struct store *s, int64_t id)
{
	char shown[1100];
	char until[CLOCK_RFC3339_MAX], *who, *sid, *url;
	struct silence *list = NULL;
	struct err err;
	size_t n = 0;

	err_init(&err);
	if (silence_list(s, id, 0, &list, &n, &err) == -1)
		return cli_fail(&err);
	if (n == 0)
		printf("INC-%" PRId64 ": no silences\n", id);
	for (size_t i = 0; i < n; i++) {
		clock_format(list[i].ends_at, 0, until);
		who = sanitize_dup(list[i].created_by, 0);
		sid = sanitize_dup(list[i].silence_id, 0);
		url = sanitize_dup(
		    sanitize_url(list[i].am_url, shown, sizeof shown), 0);
		printf("%s %s by %s until %s%s\n", sid ? sid : "?",
		    url ? url : "?", who ? who : "?", until,
		    list[i].expired_at                      ? " (expired)"
		        : list[i].ends_at <= clock_now_us() ? " (ended)"
		                                            : "");
		free(who);
		free(sid);
		free(url);
	}
	silence_list_free(list, n);
	return CLI_OK;
}

void
cmd_silence_show(struct store *s, int64_t incident)
{
	char until[CLOCK_RFC3339_MAX];
	struct silence *list = NULL;
	struct err err;
	size_t n = 0;

	err_init(&err);
	if (silence_list(s, incident, 1, &list, &n, &err) == -1)
		return;
	for (size_t i = 0; i < n; i++) {
		char *sid = sanitize_dup(list[i].silence_id, 0);

		clock_format(list[i].ends_at, 0, until);
		printf("%-10s %s until %s\n", i == 0 ? "silenced" : "",
		    sid ? sid : "?", until);
		free(sid);
	}
	silence_list_free(list, n);
}

json_t *
cmd_silence_json(struct store *s, int64_t incident)
{
	char shown[1100];
	char until[CLOCK_RFC3339_MAX], at[CLOCK_RFC3339_MAX];
	char expired[CLOCK_RFC3339_MAX];
	struct silence *list = NULL;
	json_t *arr = json_array();
	struct err err;
	size_t n = 0;

	err_init(&err);
	if (arr == NULL || silence_list(s, incident, 0, &list, &n, &err) == -1)
		return arr;
	for (size_t i = 0; i < n; i++) {
		clock_format(list[i].ends_at, 0, until);
		clock_format(list[i].created_at, 0, at);
		clock_format(list[i].expired_at, 0, expired);
		json_array_append_new(arr,
		    json_pack("{s:s, s:s, s:s?, s:s, "
		              "s:s, s:s, s:s?}",
		        "id", list[i].silence_id, "alertmanager",
		        sanitize_url(list[i].am_url, shown, sizeof shown),
		        "fingerprint", list[i].fingerprint, "created_by",
		        list[i].created_by, "created_at", at, "ends_at", until,
		        "expired_at", list[i].expired_at ? expired : NULL));
	}
	silence_list_free(list, n);
	return arr;
}

static int
cmd_silence_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "comment", required_argument, NULL, 'm' },
		{ "alertmanager", required_argument, NULL, 'a' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *comment = NULL, *url_flag = NULL;
	struct incident inc = { 0 };
	char *url = NULL, note[256];
	struct store *s = NULL;
	int64_t dur = 0;
	long long id;
	struct err err;
	int c, rc = CLI_OK;

	err_init(&err);
	while (
	    (c = cli_getopt(cli, cmd, argc, argv, "f:m:", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'f' && clock_parse_duration(optarg, &dur, &err) == -1)
			return cli_usage(cmd, "--for: %s", err.msg);
		if (c == 'm')
			comment = optarg;
		if (c == 'a')
			url_flag = optarg;
	}
	if (optind + 1 != argc)
		return cli_usage(cmd, "silence: give one incident");
	if (cli_incident_id(argv[optind], &id) == -1)
		return cli_usage(
		    cmd, "silence: '%s' is not an incident id", argv[optind]);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	if (dur == 0 && comment == NULL && url_flag == NULL) {
		rc = cmd_silence_list(s, id);
		goto out;
	}
	if (dur == 0) {
		rc = cli_usage(cmd, "silence: say how long with --for DUR");
		goto out;
	}
	snprintf(note, sizeof note, "owl INC-%lld", id);
	if (incident_get(s, id, &inc, &err) == -1 ||
	    cmd_silence_check(&inc, &err) == -1 ||
	    cmd_silence_url(cli, s, id, url_flag, &url, &err) == -1 ||
	    am_client_init(&err) == -1 ||
	    cmd_silence_create(
	        s, &inc, url, dur, comment ? comment : note, &err) == -1)
		rc = cli_fail(&err);
out:
	incident_done(&inc);
	free(url);
	store_close(s);
	return rc;
}

static int
cmd_unsilence_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 } };
	struct silence *list = NULL;
	struct store *s = NULL;
	char actor[ACTOR_MAX];
	size_t n = 0;
	long long id;
	struct err err;
	int c, rc = CLI_OK;

	err_init(&err);
	while ((c = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1)
		if (c == -2)
			return rc;
	if (optind + 1 != argc || cli_incident_id(argv[optind], &id) == -1)
		return cli_usage(cmd, "unsilence: give one incident");
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	actor_name(actor);
	if (silence_list(s, id, 1, &list, &n, &err) == -1 ||
	    am_client_init(&err) == -1)
		goto fail;
	if (n == 0) {
		err_set(&err, ERR_FAILED, "INC-%lld has no active silence", id);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (am_client_unsilence(
		        list[i].am_url, list[i].silence_id, NULL, &err) == -1 ||
		    silence_expire(s, list[i].id, actor, "unsilence", &err) ==
		        -1)
			goto fail;
		printf(
		    "INC-%lld: expired silence %s\n", id, list[i].silence_id);
	}
	goto out;
fail:
	rc = cli_fail(&err);
out:
	silence_list_free(list, n);
	store_close(s);
	return rc;
}

/* `owl silence`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_silence_entry = { "silence",
	"silence INC --for DUR [--comment TEXT] "
	"[--alertmanager URL] | silence INC",
	"Silence an incident's alerts in Alertmanager, or list its silences.",
	"Creates one Alertmanager silence per firing alert of the incident,\n"
	"matching its labels exactly, created by the actor, and records the\n"
	"ids on the incident (and in the action log). owl serve expires them\n"
	"when the incident resolves. Without --for, lists the silences.\n"
	"\nOptions:\n"
	"  --for DUR             how long (30m, 2h, 1d)\n"
	"  --comment TEXT        the silence's comment (default: owl INC-N)\n"
	"  --alertmanager URL    which Alertmanager (default: the one\n"
	"                        owl serve --pull listed the alerts from,\n"
	"                        else the externalURL of the Alertmanager\n"
	"                        whose webhook sent them, if the config\n"
	"                        lists it: alertmanagers = { URL... } or\n"
	"                        serve.pull; refused otherwise, exit 3)\n",
	cmd_silence_run };

/* `owl unsilence`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_unsilence_entry = { "unsilence", "unsilence INC",
	"Expire the Alertmanager silences owl made for an incident.", NULL,
	cmd_unsilence_run };
