/* cmd_page.c: `owl page WHO|ROTATION TEXT [--incident INC]`: pages a
 * person (or whoever is on call for a rotation) by hand, now, from this
 * process: queued and logged like an escalation's page, tried on the
 * person's channels with retries and fallback, each attempt printed.
 * ^C leaves the page pending: a running `owl serve` goes on with it. */
#include "cmd_oncall.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/clock.h"
#include "engine/config.h"
#include "engine/escalation.h"
#include "engine/incident.h"
#include "engine/pages.h"
#include "engine/sanitize.h"
#include "integrations/am_client.h"
#include "integrations/pager.h"

#define CMD_PAGE_TEXT_MAX 1000

static volatile sig_atomic_t cmd_page_stop;

static void
cmd_page_sigint(int sig)
{
	(void)sig;
	cmd_page_stop = 1;
}

/* Sleeps until `until` (us UTC) or ^C. */
static void
cmd_page_wait(int64_t until)
{
	while (!cmd_page_stop && clock_now_us() < until) {
		int64_t left = until - clock_now_us();
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		if (left < 100000)
			ts.tv_nsec = (long)(left > 0 ? left * 1000 : 0);
		nanosleep(&ts, NULL);
	}
}

/* Tries page id until it is sent or undeliverable (or ^C). */
static int
cmd_page_deliver(struct store *s, struct page_send *ps, int64_t id)
{
	char holder[192], host[128], line[1024], *safe;
	struct pages_status st;
	struct pages_due *d;
	struct err err;
	size_t n;
	int final = 0;

	pager_holder(holder, sizeof holder, host, sizeof host);
	while (!final && !cmd_page_stop) {
		err_init(&err);
		if (pages_status(s, id, &st, &err) == -1)
			return cli_fail(&err);
		if (strcmp(st.state, "pending") != 0)
			break; /* owl serve finished it */
		cmd_page_wait(st.next_try_at);
		if (cmd_page_stop ||
		    pages_claim(s, clock_now_us(), holder,
		        2 * page_send_timeout(ps) + 10 * CLOCK_US_PER_SEC, 1,
		        id, &d, &n, &err) == -1)
			break;
		if (n == 0) { /* owl serve holds it this moment */
			cmd_page_wait(clock_now_us() + 250 * 1000);
			continue;
		}
		if (pager_attempt(s, ps, d, clock_now_us(), &final, line,
		        sizeof line, &err) == -1) {
			pages_due_free(d, n);
			return cli_fail(&err);
		}
		pages_due_free(d, n);
		safe = sanitize_dup(line, 0);
		fprintf(stderr, "owl: %s\n", safe ? safe : line);
		free(safe);
	}
	err_init(&err);
	if (pages_status(s, id, &st, &err) == -1)
		return cli_fail(&err);
	if (strcmp(st.state, "sent") == 0) {
		printf("page %lld sent via %s (attempt %d)\n", (long long)id,
		    st.channel, st.attempts);
		return CLI_OK;
	}
	if (strcmp(st.state, "pending") == 0) {
		fprintf(stderr,
		    "owl: interrupted: page %lld is still pending; a running "
		    "owl serve goes on trying it\n",
		    (long long)id);
		return CLI_FAILED;
	}
	fprintf(stderr, "owl: page %lld is %s: %s\n", (long long)id, st.state,
	    st.error[0] ? st.error : "no channel took it");
	return CLI_FAILED;
}

/* The words of TEXT, joined by spaces, checked. */
static int
cmd_page_text(
    const struct cli_cmd *cmd, int argc, char **argv, int from, char *text)
{
	size_t k = 0;

	text[0] = '\0';
	for (int i = from; i < argc; i++) {
		size_t w = strlen(argv[i]);

		if (k + w + 2 > CMD_PAGE_TEXT_MAX)
			return cli_usage(cmd,
			    "page: TEXT is longer than %d bytes",
			    CMD_PAGE_TEXT_MAX);
		if (k > 0)
			text[k++] = ' ';
		memcpy(text + k, argv[i], w + 1);
		k += w;
	}
	if (k == 0 || !sanitize_is_utf8(text, k))
		return cli_usage(cmd, "page: want WHO and a TEXT (UTF-8)");
	return CLI_OK;
}

struct cmd_page {
	const char *who;
	char text[CMD_PAGE_TEXT_MAX + 1];
	long long incident;
	struct config *c;
	struct oncall oc;
	struct page_send *ps;
	struct store *s;
};

static int
cmd_page_go(
    const struct cli *cli, const struct cli_cmd *cmd, struct cmd_page *p)
{
	char person[ONCALL_NAME_MAX + 1];
	struct pages_new pn = { 0 };
	struct incident inc;
	int64_t id;
	struct err err;
	int rot;

	err_init(&err);
	if ((p->c = config_load(cli->config, &err)) == NULL ||
	    oncall_load(p->c, &p->oc, &err) == -1 ||
	    (p->ps = page_send_new(p->c, &p->oc, &err)) == NULL ||
	    am_client_init(&err) == -1)
		return cli_fail(&err);
	/* a name the config does not know is said before any database is
	 * opened (or made) */
	if (escalation_person(
	        NULL, &p->oc, p->who, clock_now_us(), person, &rot, &err) == -1)
		return cli_usage(cmd, "page: %s", err.msg);
	if ((p->s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	if (escalation_person(
	        p->s, &p->oc, p->who, clock_now_us(), person, &rot, &err) == -1)
		return cli_usage(cmd, "page: %s", err.msg);
	if (person[0] == '\0') {
		fprintf(stderr,
		    "owl: nobody is on call for %s now (see: owl "
		    "oncall)\n",
		    p->who);
		return CLI_FAILED;
	}
	if (p->incident > 0) {
		if (incident_get(p->s, p->incident, &inc, &err) == -1)
			return cli_fail(&err);
		incident_done(&inc);
	}
	pn = (struct pages_new){ p->incident, PAGES_KIND_PAGE, person,
		rot ? p->who : NULL, -1, p->text, "manual", NULL, NULL };
	if (pages_queue(p->s, &pn, clock_now_us(), &id, &err) == -1)
		return cli_fail(&err);
	fprintf(stderr, "owl: paging %s%s%s (page %lld)\n", person,
	    rot ? ", on call for " : "", rot ? p->who : "", (long long)id);
	return cmd_page_deliver(p->s, p->ps, id);
}

static int
cmd_page_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "incident", required_argument, NULL, 'i' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_page p = { 0 };
	struct sigaction sa = { 0 };
	int rc = CLI_OK, c;

	while ((c = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'i' && cli_incident_id(optarg, &p.incident) == -1)
			return cli_usage(
			    cmd, "--incident: '%s' is not an incident", optarg);
	}
	if (optind + 2 > argc)
		return cli_usage(cmd, "page: want WHO and a TEXT");
	p.who = argv[optind];
	if ((rc = cmd_page_text(cmd, argc, argv, optind + 1, p.text)) != CLI_OK)
		return rc;
	sa.sa_handler = cmd_page_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = cmd_page_go(cli, cmd, &p);
	store_close(p.s);
	page_send_free(p.ps);
	oncall_done(&p.oc);
	config_free(p.c);
	return rc;
}

/* `owl page`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_page_entry = { "page",
	"page WHO|ROTATION TEXT [--incident INC]",
	"Page someone (or whoever is on call for a rotation) now.",
	"Sends TEXT to WHO (a person of oncall.people) or to the person on\n"
	"call for ROTATION, from this process: on the person's channels\n"
	"in order (oncall.people.NAME.order, else pagerduty, slack,\n"
	"webhook, email), each retried with backoff\n"
	"(oncall.delivery.attempts, backoff) before the next. Every\n"
	"attempt is printed and logged (page.queued, page.sent,\n"
	"page.failed, page.undeliverable). ^C leaves the page pending\n"
	"for a running owl serve.\n"
	"\nOptions:\n"
	"  --incident INC  the page is about INC (42 or INC-42): shown\n"
	"                  with it, and PagerDuty's dedup key is INC's\n"
	"\nExit codes: 0 delivered, 1 undeliverable (or nobody on call),\n"
	"2 bad usage (an unknown WHO).\n",
	cmd_page_run };
