/* gw_main.c: the demo AI gateway's command line: options, the admin
 * token and provider keys read from files (never from argv), batch jobs
 * to start with, the HTTP server, and the ticker that advances batch jobs,
 * expires limits and re-reads the config repository. */
#include "gw.h"

#include <errno.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GW_TICK_MS 100

static volatile sig_atomic_t gw_stop;

static void
gw_on_signal(int sig)
{
	(void)sig;
	gw_stop = 1;
}

static void
gw_usage(FILE *f)
{
	fputs(
	    "usage: gateway [--listen ADDR:PORT] [--port-file FILE]\n"
	    "               [--admin-token-file FILE] [--key NAME=FILE]...\n"
	    "               [--service NAME] [--config-repo BARE_REPO]\n"
	    "               [--ref REF] [--pin-file PATH] [--sync-interval MS]\n"
	    "               [--fallback-model NAME] [--rate-limit N]\n"
	    "               [--batch NAME:TOTAL:RATE]... [--provider-down]\n"
	    "               [--quiet]\n"
	    "The demo AI gateway of owl's tests and `make demo` "
	    "(API: runbooks/README.md).\n",
	    f);
}

/* Reads the first line of path into out (n bytes): -1 when it cannot. */
static int
gw_read_line(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t len;

	if (f == NULL) {
		fprintf(stderr, "gateway: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fgets(out, (int)n, f) == NULL)
		out[0] = '\0';
	fclose(f);
	len = strcspn(out, "\r\n");
	out[len] = '\0';
	if (len == 0) {
		fprintf(stderr, "gateway: %s is empty\n", path);
		return -1;
	}
	return 0;
}

/* --key NAME=FILE: registers the key in FILE under NAME. */
static int
gw_opt_key(struct gw *g, const char *arg)
{
	char name[GW_NAME_MAX], key[GW_KEY_MAX + 2], msg[GW_MSG_MAX];
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof name) {
		fprintf(stderr, "gateway: --key takes NAME=FILE\n");
		return -1;
	}
	snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
	if (gw_read_line(eq + 1, key, sizeof key) == -1)
		return -1;
	if (gw_key_add(g, name, key, msg) == -1) {
		fprintf(stderr, "gateway: --key %s: %s\n", name, msg);
		return -1;
	}
	return 0;
}

/* --batch NAME:TOTAL:RATE */
static int
gw_opt_batch(struct gw *g, const char *arg)
{
	char name[GW_NAME_MAX];
	long total, rate;
	int n = 0;

	if (sscanf(arg, "%63[^:]:%ld:%ld%n", name, &total, &rate, &n) != 3 ||
	    arg[n] != '\0' || total <= 0 || rate < 0 ||
	    gw_batch_add(g, name, total, rate) == NULL) {
		fprintf(stderr, "gateway: --batch takes NAME:TOTAL:RATE\n");
		return -1;
	}
	return 0;
}

static int
gw_opt_num(const char *opt, const char *arg, long min, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(arg, &end, 10);
	if (errno != 0 || *end != '\0' || end == arg || *out < min) {
		fprintf(stderr, "gateway: %s takes a number (at least %ld)\n",
		    opt, min);
		return -1;
	}
	return 0;
}

/* Options that take a string, by name. */
struct gw_str_opt {
	const char *name;
	size_t off;
};

struct gw_args {
	const char *listen, *port_file, *admin_file;
	struct gw_opts o;
};

#define GW_ARG(f) offsetof(struct gw_args, f)
static const struct gw_str_opt gw_str_opts[] = {
	{ "--listen", GW_ARG(listen) },
	{ "--port-file", GW_ARG(port_file) },
	{ "--admin-token-file", GW_ARG(admin_file) },
	{ "--service", GW_ARG(o.service) },
	{ "--config-repo", GW_ARG(o.repo) },
	{ "--ref", GW_ARG(o.ref) },
	{ "--pin-file", GW_ARG(o.pin_file) },
	{ "--fallback-model", GW_ARG(o.fallback_model) },
};

/* The options that take a value and are not strings. */
static const char *const gw_val_opts[] = { "--key", "--batch", "--rate-limit",
	"--sync-interval" };

static int
gw_opt_index(const char *opt, size_t *k)
{
	for (*k = 0; *k < sizeof gw_str_opts / sizeof *gw_str_opts; (*k)++)
		if (strcmp(opt, gw_str_opts[*k].name) == 0)
			return 1;
	for (size_t i = 0; i < sizeof gw_val_opts / sizeof *gw_val_opts; i++)
		if (strcmp(opt, gw_val_opts[i]) == 0)
			return 2;
	return 0;
}

/* One option with its value; keys and batches need the state (g). */
static int
gw_parse_value(
    const char *opt, const char *val, struct gw_args *a, struct gw *g)
{
	size_t k;

	if (gw_opt_index(opt, &k) == 1) {
		*(const char **)((char *)a + gw_str_opts[k].off) = val;
		return 0;
	}
	if (strcmp(opt, "--key") == 0)
		return gw_opt_key(g, val);
	if (strcmp(opt, "--batch") == 0)
		return gw_opt_batch(g, val);
	if (strcmp(opt, "--rate-limit") == 0)
		return gw_opt_num(opt, val, 0, &a->o.rate_limit);
	return gw_opt_num(opt, val, 10, &a->o.sync_ms);
}

static int
gw_parse(int argc, char **argv, struct gw_args *a, struct gw *g)
{
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		size_t k;

		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			gw_usage(stdout);
			exit(0);
		}
		if (strcmp(opt, "--provider-down") == 0) {
			a->o.provider_down = 1;
			g->provider_up = 0;
		} else if (strcmp(opt, "--quiet") == 0) {
			a->o.quiet = 1;
		} else if (gw_opt_index(opt, &k) == 0) {
			fprintf(stderr,
			    "gateway: unknown option %s (see --help)\n", opt);
			return -1;
		} else if (i + 1 == argc) {
			fprintf(stderr, "gateway: %s needs a value\n", opt);
			return -1;
		} else if (gw_parse_value(opt, argv[++i], a, g) == -1)
			return -1;
	}
	return 0;
}

static int64_t
gw_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
gw_sync(struct gw *g)
{
	struct gw_pin pin;

	pthread_mutex_lock(&g->mu);
	pin = g->pin;
	pthread_mutex_unlock(&g->mu);
	gw_repo_sync(g->o, &pin);
	pthread_mutex_lock(&g->mu);
	if (!g->o->quiet && strcmp(pin.model, g->pin.model) != 0)
		fprintf(stderr, "gateway: model pin %s -> %s (commit %.12s)\n",
		    g->pin.model[0] ? g->pin.model : "(none)", pin.model,
		    pin.commit);
	g->pin = pin;
	pthread_mutex_unlock(&g->mu);
}

/* The ticker: until a signal, advances batches and re-reads the pin. */
static void
gw_loop(struct gw *g)
{
	int64_t last = gw_mono_ms(), last_sync = last;
	struct timespec nap = { 0, GW_TICK_MS * 1000000L };

	while (!gw_stop) {
		int64_t now;

		nanosleep(&nap, NULL);
		now = gw_mono_ms();
		pthread_mutex_lock(&g->mu);
		gw_tick(g, (double)(now - last) / 1000.0);
		pthread_mutex_unlock(&g->mu);
		last = now;
		if (g->o->repo != NULL && now - last_sync >= g->o->sync_ms) {
			gw_sync(g);
			last_sync = now;
		}
	}
}

/* Writes the port to path whole (a temporary file renamed), so that a
 * test polling for it never reads half a number. */
static int
gw_port_file(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	if (fprintf(f, "%d\n", port) < 0) {
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

static int
gw_listen_parse(const char *s, char host[64], int *port)
{
	const char *colon = strrchr(s, ':');
	long p;
	char *end;

	if (colon == NULL || (size_t)(colon - s) >= 64)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || p < 0 || p > 65535)
		return -1;
	snprintf(host, 64, "%.*s", (int)(colon - s), s);
	*port = (int)p;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct gw g;
	struct gw_args a = { .listen = "127.0.0.1:0" };
	struct MHD_Daemon *d;
	struct sigaction sa;
	char host[64], pin_file[256];
	int port, bound;

	a.o.service = "assistant";
	a.o.ref = "main";
	a.o.fallback_model = "assistant-fallback-small";
	a.o.rate_limit = 600;
	a.o.sync_ms = 1000;
	gw_init(&g, &a.o);
	if (gw_parse(argc, argv, &a, &g) == -1)
		return 2;
	g.defaults.rate_limit = a.o.rate_limit;
	g.limits = g.defaults;
	if (a.o.pin_file == NULL) {
		snprintf(
		    pin_file, sizeof pin_file, "services/%s.yaml", a.o.service);
		a.o.pin_file = pin_file;
	}
	if (gw_listen_parse(a.listen, host, &port) == -1) {
		fprintf(stderr, "gateway: --listen takes ADDR:PORT\n");
		return 2;
	}
	if (a.admin_file != NULL &&
	    gw_read_line(a.admin_file, g.admin, sizeof g.admin) == -1)
		return 2;
	gw_repo_init();
	if (a.o.repo != NULL) {
		gw_sync(&g);
		if (g.pin.error[0] != '\0')
			fprintf(stderr, "gateway: %s\n", g.pin.error);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = gw_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((d = gw_http_start(&g, host, port, &bound)) == NULL) {
		fprintf(stderr, "gateway: cannot listen on %s\n", a.listen);
		return 1;
	}
	fprintf(stderr, "gateway: listening on http://%s:%d\n", host, bound);
	if (a.port_file != NULL && gw_port_file(a.port_file, bound) == -1) {
		{
			fprintf(
			    stderr, "gateway: %s: cannot write\n", a.port_file);
			MHD_stop_daemon(d);
			return 1;
		}
	}
	gw_loop(&g);
	MHD_stop_daemon(d);
	gw_repo_done();
	return 0;
}
