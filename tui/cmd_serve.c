/* cmd_serve.c: `owl serve`: parses the options, loads the credentials,
 * starts the receiver (integrations/serve.c), prints its log lines to
 * stderr, and on SIGTERM/SIGINT drains it and exits 0. */
#include "cmd_serve.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/config.h"
#include "engine/duty.h"
#include "engine/paths.h"
#include "engine/sanitize.h"
#include "integrations/am_client.h"
#include "integrations/ingest.h"
#include "integrations/pager.h"
#include "integrations/serve.h"

/* One line to stderr in a single write, so that threads never mix. The
 * line quotes what clients sent (the path, a basic-auth user): it is
 * sanitised, or a request could write escape sequences to a terminal. */
static void
cmd_serve_log(void *ctx, const char *line)
{
	char at[CLOCK_RFC3339_MAX], out[1200], *safe;
	int n;

	(void)ctx;
	clock_format(clock_now_us(), 0, at);
	safe = sanitize_dup(line, 0);
	n = snprintf(out, sizeof out, "%s %s\n", at,
	    safe != NULL ? safe : "(log line lost: out of memory)");
	free(safe);
	if (n > (int)sizeof out - 1) {
		n = (int)sizeof out - 1;
		out[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, out, (size_t)n) < 0)
		return; /* nowhere left to say it */
}

/* "1048576", "512k", "1M" into bytes. */
static int
cmd_serve_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1024 * 1024, end++;
	if (*end != '\0' || v == 0 || v > 1024ULL * 1024 * 1024)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
cmd_serve_uint(const char *s, unsigned *out)
{
	long long v;

	if (cli_count(s, &v) == -1 || v > 100000)
		return -1;
	*out = (unsigned)v;
	return 0;
}

struct cmd_serve_opts {
	struct serve_config cfg;
	struct http_auth *auth;
	int flag_tokens, flag_secrets; /* given on the command line */
	struct config *file; /* the config file, kept for its strings */
	struct ingest_opts *ingest; /* what the config changes in parsing */
};

/* Handles one serve option; CLI_OK or an exit code. */
static int
cmd_serve_opt(const struct cli_cmd *cmd, struct cmd_serve_opts *o, int c)
{
	struct serve_config *cfg = &o->cfg;
	struct err err;

	err_init(&err);
	switch (c) {
	case 'l': cfg->listen = optarg; return CLI_OK;
	case 't':
		o->flag_tokens = 1;
		if (http_auth_load_tokens(o->auth, optarg, &err) == -1)
			return cli_fail(&err);
		return CLI_OK;
	case 's':
		o->flag_secrets = 1;
		if (http_auth_load_secrets(o->auth, optarg, &err) == -1)
			return cli_fail(&err);
		return CLI_OK;
	case 'b':
		if (cmd_serve_size(optarg, &cfg->max_body) == -1)
			return cli_usage(cmd,
			    "--max-body: '%s' is not a size "
			    "such as 1048576, 512k or 1M",
			    optarg);
		return CLI_OK;
	case 'c':
		if (cmd_serve_uint(optarg, &cfg->max_conns) == -1)
			return cli_usage(
			    cmd, "--max-conns: bad number '%s'", optarg);
		return CLI_OK;
	case 'i':
		if (cmd_serve_uint(optarg, &cfg->max_conns_per_ip) == -1)
			return cli_usage(cmd,
			    "--max-conns-per-ip: bad number "
			    "'%s'",
			    optarg);
		return CLI_OK;
	case 'T':
		if (cmd_serve_uint(optarg, &cfg->threads) == -1 ||
		    cfg->threads > 64)
			return cli_usage(cmd, "--threads: want 1 to 64");
		return CLI_OK;
	case 'r':
		if (clock_parse_duration(
		        optarg, &cfg->request_timeout_us, &err) == -1)
			return cli_usage(cmd, "--request-timeout: %s", err.msg);
		return CLI_OK;
	case 'H':
		if (clock_parse_duration(
		        optarg, &cfg->header_timeout_us, &err) == -1)
			return cli_usage(cmd, "--header-timeout: %s", err.msg);
		return CLI_OK;
	case 'm':
		if (cmd_serve_size(optarg, &cfg->max_inflight) == -1)
			return cli_usage(cmd,
			    "--max-inflight: '%s' is not a size "
			    "such as 64M",
			    optarg);
		return CLI_OK;
	case 'p':
		if (am_client_check_url(optarg, &err) == -1)
			return cli_usage(cmd, "--pull: %s", err.msg);
		if (cfg->npulls == SERVE_MAX_PULLS)
			return cli_usage(
			    cmd, "--pull: at most %d sources", SERVE_MAX_PULLS);
		cfg->pulls[cfg->npulls++] = optarg;
		return CLI_OK;
	case 'G':
		if (strcmp(optarg, "0") == 0 || strcmp(optarg, "0s") == 0) {
			cfg->pull_grace_us = -1;
			return CLI_OK;
		}
		if (clock_parse_duration(optarg, &cfg->pull_grace_us, &err) ==
		    -1)
			return cli_usage(cmd, "--pull-grace: %s", err.msg);
		return CLI_OK;
	case 'R': cfg->pull_receiver = optarg; return CLI_OK;
	case 'P':
		if (clock_parse_duration(
		        optarg, &cfg->pull_interval_us, &err) == -1)
			return cli_usage(cmd, "--pull-interval: %s", err.msg);
		return CLI_OK;
	case 'D':
		if (clock_parse_duration(optarg, &cfg->lease_us, &err) == -1)
			return cli_usage(cmd, "--duty-lease: %s", err.msg);
		if (cfg->lease_us < DUTY_TTL_MIN_US)
			return cli_usage(cmd,
			    "--duty-lease: %s is too short (at least %llds)",
			    optarg,
			    (long long)(DUTY_TTL_MIN_US / CLOCK_US_PER_SEC));
		return CLI_OK;
	case 'C': cfg->tls_cert = optarg; return CLI_OK;
	case 'K': cfg->tls_key = optarg; return CLI_OK;
	case 'k': cfg->insecure = 1; return CLI_OK;
	case 'q': cfg->quiet = 1; return CLI_OK;
	}
	return CLI_USAGE;
}

/* Blocks the stop signals and SIGHUP in every thread (they inherit the
 * mask) so that the main thread alone receives them with sigwait. A write past
 * RLIMIT_FSIZE fails with EFBIG (the sender gets its 503) instead of
 * SIGXFSZ killing the daemon with every request in flight. */
static void
cmd_serve_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
}

/* SIGHUP: the TLS certificate is read again; open connections keep
 * theirs. A failure keeps the old one and says why. */
static void
cmd_serve_reload(struct serve *sv)
{
	char info[512], line[700];
	struct err err;

	err_init(&err);
	if (serve_reload_tls(sv, info, sizeof info, &err) == -1)
		snprintf(line, sizeof line, "SIGHUP: %s", err.msg);
	else
		snprintf(line, sizeof line,
		    "SIGHUP: TLS certificate reloaded "
		    "from %s",
		    info);
	cmd_serve_log(NULL, line);
}

/* The pager's writes: in the serve writer's transactions. */
static int
cmd_serve_pager_write(void *ctx, pager_txn_fn *fn, void *arg, struct err *err)
{
	return serve_write(ctx, fn, arg, err);
}

/* Paging (integrations/pager.c) beside the receiver, when the config
 * has people or escalation: NULL otherwise, or on error (rc set). */
static struct pager *
cmd_serve_pager(
    struct cmd_serve_opts *o, struct serve *sv, const char *db, int *rc)
{
	struct pager_config pc = { db, o->file, cmd_serve_log, NULL, 0,
		o->cfg.lease_us, cmd_serve_pager_write, sv };
	struct pager *p;
	struct err err;

	err_init(&err);
	*rc = CLI_OK;
	if ((p = pager_start(&pc, &err)) == NULL && err_isset(&err))
		*rc = cli_fail(&err);
	return p;
}

static int
cmd_serve_main(struct cli *cli, struct cmd_serve_opts *o)
{
	struct serve_config *cfg = &o->cfg;
	struct pager *pager;
	struct serve *sv;
	int rc;
	char *db = NULL;
	struct err err;
	sigset_t set;
	int sig = 0;

	err_init(&err);
	if ((db = paths_db(cli->db, &err)) == NULL ||
	    am_client_init(&err) == -1) {
		free(db);
		return cli_fail(&err);
	}
	cfg->db_path = db;
	cfg->version = OWL_VERSION;
	cfg->auth = o->auth;
	cfg->log = cmd_serve_log;
	cmd_serve_signals(&set);
	if ((sv = serve_start(cfg, &err)) == NULL) {
		free(db);
		return cli_fail(&err);
	}
	if ((pager = cmd_serve_pager(o, sv, db, &rc)) == NULL && rc != CLI_OK) {
		serve_stop(sv, 0);
		free(db);
		return rc;
	}
	fprintf(stderr,
	    "owl serve: listening on %s://%s (database %s, "
	    "auth: %s)\n",
	    serve_scheme(sv), serve_address(sv), db,
	    !http_auth_enabled(o->auth)           ? "none"
	        : !http_auth_has_secrets(o->auth) ? "tokens"
	        : !http_auth_has_tokens(o->auth)  ? "hmac"
	                                          : "tokens, hmac");
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		cmd_serve_reload(sv);
	}
	fprintf(
	    stderr, "owl serve: %s: draining, then exiting\n", strsignal(sig));
	pager_stop(pager);
	serve_stop(sv,
	    (cfg->request_timeout_us ? cfg->request_timeout_us
	                             : 10 * CLOCK_US_PER_SEC) +
	        CLOCK_US_PER_SEC);
	fprintf(stderr, "owl serve: stopped\n");
	free(db);
	return CLI_OK;
}

/* Adds the --pull sources named by the config's serve.pull (a URL or a
 * list of URLs). */
static int
cmd_serve_config_pulls(
    const struct cli_cmd *cmd, struct cmd_serve_opts *o, const json_t *v)
{
	struct serve_config *cfg = &o->cfg;
	struct err err;
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;

	for (i = 0; i < n; i++) {
		const json_t *u = json_is_array(v) ? json_array_get(v, i) : v;

		err_init(&err);
		if (!json_is_string(u))
			return cli_usage(cmd,
			    "config: serve.pull: expected a "
			    "URL or a list of URLs");
		if (am_client_check_url(json_string_value(u), &err) == -1)
			return cli_usage(
			    cmd, "config: serve.pull: %s", err.msg);
		if (cfg->npulls == SERVE_MAX_PULLS)
			return cli_usage(cmd,
			    "config: serve.pull: at most %d "
			    "sources",
			    SERVE_MAX_PULLS);
		cfg->pulls[cfg->npulls++] = json_string_value(u);
	}
	return CLI_OK;
}

/* The config file's serve = { listen, token_file, hmac_secret_file,
 * tls_cert, tls_key, pull } fill in what the command line left unset. */
static int
cmd_serve_config(
    const struct cli *cli, const struct cli_cmd *cmd, struct cmd_serve_opts *o)
{
	const char *tokens, *secrets, *listen, *cert, *key;
	const json_t *pulls;
	struct err err;

	err_init(&err);
	if ((o->file = config_load(cli->config, &err)) == NULL)
		return cli_fail(&err);
	listen = config_str(o->file, "serve.listen", NULL, &err);
	cert = config_str(o->file, "serve.tls_cert", NULL, &err);
	key = config_str(o->file, "serve.tls_key", NULL, &err);
	tokens = config_str(o->file, "serve.token_file", NULL, &err);
	secrets = config_str(o->file, "serve.hmac_secret_file", NULL, &err);
	o->cfg.grafana_sig_header =
	    config_str(o->file, "serve.grafana_signature_header", NULL, &err);
	o->cfg.grafana_ts_header =
	    config_str(o->file, "serve.grafana_timestamp_header", NULL, &err);
	if (err_isset(&err) ||
	    (o->ingest = ingest_opts_new(o->file, &err)) == NULL)
		return cli_fail(&err);
	o->cfg.ingest = o->ingest;
	if (o->cfg.listen == NULL)
		o->cfg.listen = listen;
	if (o->cfg.tls_cert == NULL && o->cfg.tls_key == NULL) {
		o->cfg.tls_cert = cert;
		o->cfg.tls_key = key;
	}
	if (tokens != NULL && !o->flag_tokens &&
	    http_auth_load_tokens(o->auth, tokens, &err) == -1)
		return cli_fail(&err);
	if (secrets != NULL && !o->flag_secrets &&
	    http_auth_load_secrets(o->auth, secrets, &err) == -1)
		return cli_fail(&err);
	pulls = config_get(o->file, "serve.pull");
	if (pulls != NULL && o->cfg.npulls == 0)
		return cmd_serve_config_pulls(cmd, o, pulls);
	return CLI_OK;
}

static int
cmd_serve_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "token-file", required_argument, NULL, 't' },
		{ "hmac-secret-file", required_argument, NULL, 's' },
		{ "max-body", required_argument, NULL, 'b' },
		{ "max-conns", required_argument, NULL, 'c' },
		{ "max-conns-per-ip", required_argument, NULL, 'i' },
		{ "threads", required_argument, NULL, 'T' },
		{ "request-timeout", required_argument, NULL, 'r' },
		{ "header-timeout", required_argument, NULL, 'H' },
		{ "max-inflight", required_argument, NULL, 'm' },
		{ "pull", required_argument, NULL, 'p' },
		{ "pull-interval", required_argument, NULL, 'P' },
		{ "pull-grace", required_argument, NULL, 'G' },
		{ "pull-receiver", required_argument, NULL, 'R' },
		{ "duty-lease", required_argument, NULL, 'D' },
		{ "insecure", no_argument, NULL, 'k' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_serve_opts o = { 0 };
	int c, rc = CLI_OK;

	if ((o.auth = http_auth_new()) == NULL)
		return CLI_FAILED;
	while ((c = cli_getopt(cli, cmd, argc, argv, "l:q", opts, &rc)) != -1) {
		if (c == -2 || (rc = cmd_serve_opt(cmd, &o, c)) != CLI_OK)
			goto out;
	}
	if (optind < argc) {
		rc = cli_usage(
		    cmd, "serve: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if ((rc = cmd_serve_config(cli, cmd, &o)) != CLI_OK)
		goto out;
	rc = cmd_serve_main(cli, &o);
out:
	http_auth_free(o.auth);
	ingest_opts_free(o.ingest);
	config_free(o.file);
	return rc;
}

/* `owl serve`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_serve_entry = { "serve",
	"serve [--listen ADDR:PORT] [--token-file F] "
	"[--hmac-secret-file F] [--pull URL]... [options]",
	"Receive alerts over HTTP (Alertmanager, Grafana, PagerDuty, generic).",
	"Endpoints:\n"
	"  POST /v1/alerts/alertmanager   Alertmanager webhook (version 4)\n"
	"  POST /v1/alerts/grafana        Grafana webhook (POST or PUT)\n"
	"  POST /v1/alerts/generic        owl's generic JSON\n"
	"  POST /v2/enqueue               PagerDuty Events API v2 (202)\n"
	"  GET  /healthz, GET /metrics    liveness, Prometheus metrics\n"
	"A 2xx means the alerts are committed to disk; 400 bad payload, 401\n"
	"bad credentials, 404, 405, 413 body too large, 503 retry later.\n"
	"\nOptions:\n"
	"  --listen ADDR:PORT    where to listen (default 127.0.0.1:9095;\n"
	"                        port 0 picks a free one)\n"
	"  --token-file F        tokens, one per line: accepted as\n"
	"                        'Authorization: Bearer TOKEN', as the\n"
	"                        password of basic auth, and as PagerDuty's\n"
	"                        routing_key (repeatable); 'TOKEN /PATH...'\n"
	"                        limits it to those endpoints\n"
	"  --hmac-secret-file F  HMAC-SHA256 secrets, one per line, for\n"
	"                        'X-Owl-Signature: t=TS,v1=HEX' (HMAC of\n"
	"                        \"TS.BODY\") and Grafana's signature with\n"
	"                        its timestamp: within 5 min, each once\n"
	"  --insecure            allow a non-loopback --listen without auth\n"
	"  --tls-cert FILE       serve HTTPS: PEM certificate (chain after\n"
	"  --tls-key FILE        it) and its key; SIGHUP reloads them\n"
	"  --max-body SIZE       largest body (default 1M; 413 above)\n"
	"  --max-inflight SIZE   body bytes in flight, all requests\n"
	"                        (default 64M; 503 + Retry-After above)\n"
	"  --max-conns N         open connections (default 1024); when\n"
	"                        full, the oldest idle one is closed\n"
	"  --max-conns-per-ip N  per client address (default: half)\n"
	"  --header-timeout D    time for the request line and headers,\n"
	"                        also an idle keep-alive (default 2s)\n"
	"  --request-timeout D   time for the body, and for the reply\n"
	"                        (default 10s)\n"
	"  --threads N           connection threads (default: cores)\n"
	"  --pull URL            also list this Alertmanager's alerts every\n"
	"                        --pull-interval and resolve the ones that\n"
	"                        disappear (repeatable)\n"
	"  --pull-interval D     default 15s; failures back off to 5m\n"
	"  --pull-grace D        resolve nothing an Alertmanager stopped\n"
	"                        listing until it has been up this long\n"
	"                        (a restarted one has forgotten its alerts\n"
	"                        until Prometheus re-sends them; default\n"
	"                        3m, 0 to resolve at once)\n"
	"  --pull-receiver NAME  pull only the groups Alertmanager routes\n"
	"                        to this receiver (a regex)\n"
	"  --duty-lease D        several owl serve on one PostgreSQL\n"
	"                        database: paging and escalation, --pull\n"
	"                        and the sweeps run on the node holding\n"
	"                        their lease, renewed every third of D;\n"
	"                        another node takes a duty over when its\n"
	"                        holder stops renewing it for D (at once\n"
	"                        if it died on the same host; default 15s,\n"
	"                        at least 3s)\n"
	"  -q, --quiet           no per-request log lines\n"
	"\nThe config file may set what the flags leave unset:\n"
	"  serve = { listen = \"127.0.0.1:9095\", token_file = \"...\",\n"
	"            hmac_secret_file = \"...\", tls_cert = \"...\",\n"
	"            tls_key = \"...\", pull = { \"http://am:9093\" } }\n"
	"\nLogs one line per request to stderr (time, method, path, status,\n"
	"body bytes, milliseconds, client, credential). SIGTERM or SIGINT:\n"
	"stop accepting, finish and commit the requests in flight, exit 0.\n"
	"SIGHUP: reload the TLS certificate (open connections keep theirs).\n",
	cmd_serve_run };
