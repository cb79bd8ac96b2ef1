/* gw_state.c: what the demo gateway does, apart from HTTP: keys (kept as
 * SHA-256 hashes only), completions (mode, provider, rate limit, spend),
 * the health probe, limits that expire, and batch jobs that advance with
 * the ticker and keep their progress while paused. Callers hold gw->mu. */
#include "gw.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const gw_mode_names[] = { "normal", "degraded", "cached" };

/* Price per completion, in USD: the demo's two tiers. */
static const struct {
	const char *marker;
	double usd;
} gw_prices[] = {
	{ "mini", 0.0002 },
	{ "small", 0.0002 },
	{ "cached", 0.0 },
};

void
gw_init(struct gw *g, const struct gw_opts *o)
{
	memset(g, 0, sizeof *g);
	pthread_mutex_init(&g->mu, NULL);
	g->o = o;
	g->mode = GW_NORMAL;
	g->provider_up = !o->provider_down;
	g->next_key = 1;
	g->next_batch = 1;
	g->defaults.rate_limit = o->rate_limit;
	g->limits = g->defaults;
	g->spend_min_at = gw_now_us() / 60000000;
}

int64_t
gw_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
gw_time_str(int64_t us, char out[32])
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
gw_time_parse(const char *s, int64_t *us)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return -1;
	if (*end == '.') /* fractions are dropped */
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	if (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0)
		return -1;
	*us = (int64_t)timegm(&tm) * 1000000;
	return 0;
}

const char *
gw_mode_name(enum gw_mode m)
{
	return gw_mode_names[m];
}

int
gw_mode_parse(const char *s, enum gw_mode *m)
{
	for (size_t i = 0; i < sizeof gw_mode_names / sizeof *gw_mode_names;
	     i++)
		if (strcmp(s, gw_mode_names[i]) == 0) {
			*m = (enum gw_mode)i;
			return 0;
		}
	return -1;
}

static void
gw_hash(const char *key, unsigned char out[32])
{
	unsigned int n = 32;

	EVP_Digest(key, strlen(key), out, &n, EVP_sha256(), NULL);
}

struct gw_key *
gw_key_find(struct gw *g, const char *key)
{
	unsigned char h[32];

	gw_hash(key, h);
	for (int i = 0; i < g->nkeys; i++)
		if (CRYPTO_memcmp(g->keys[i].hash, h, 32) == 0)
			return &g->keys[i];
	return NULL;
}

struct gw_key *
gw_key_by_id(struct gw *g, int id)
{
	for (int i = 0; i < g->nkeys; i++)
		if (g->keys[i].id == id)
			return &g->keys[i];
	return NULL;
}

int
gw_key_add(
    struct gw *g, const char *name, const char *key, char msg[GW_MSG_MAX])
{
	struct gw_key *k;
	size_t n = strlen(key);

	if (n < GW_KEY_MIN || n > GW_KEY_MAX) {
		snprintf(msg, GW_MSG_MAX, "a key is %d to %d bytes", GW_KEY_MIN,
		    GW_KEY_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (key[i] <= ' ' || key[i] == 0x7f) {
			snprintf(msg, GW_MSG_MAX,
			    "a key has no spaces or control characters");
			return -1;
		}
	if (*name == '\0' || strlen(name) >= GW_NAME_MAX) {
		snprintf(msg, GW_MSG_MAX, "a key needs a name (under %d bytes)",
		    GW_NAME_MAX);
		return -1;
	}
	if (gw_key_find(g, key) != NULL) {
		snprintf(msg, GW_MSG_MAX, "this key is already registered");
		return -1;
	}
	if (g->nkeys == GW_KEYS_MAX) {
		snprintf(msg, GW_MSG_MAX, "too many keys (%d)", GW_KEYS_MAX);
		return -1;
	}
	k = &g->keys[g->nkeys++];
	memset(k, 0, sizeof *k);
	k->id = g->next_key++;
	snprintf(k->name, sizeof k->name, "%s", name);
	gw_hash(key, k->hash);
	k->created_us = gw_now_us();
	return k->id;
}

static void
gw_set_time(json_t *o, const char *field, int64_t us)
{
	char t[32];

	if (us == 0) {
		json_object_set_new(o, field, json_null());
		return;
	}
	gw_time_str(us, t);
	json_object_set_new(o, field, json_string(t));
}

json_t *
gw_key_json(const struct gw_key *k)
{
	json_t *o =
	    json_pack("{s:i, s:s, s:b, s:i}", "id", k->id, "name", k->name,
	        "active", k->revoked_us == 0, "calls", (json_int_t)k->calls);

	gw_set_time(o, "created_at", k->created_us);
	gw_set_time(o, "revoked_at", k->revoked_us);
	gw_set_time(o, "last_used_at", k->last_used_us);
	return o;
}

double
gw_price(const char *model)
{
	for (size_t i = 0; i < sizeof gw_prices / sizeof *gw_prices; i++)
		if (strstr(model, gw_prices[i].marker) != NULL)
			return gw_prices[i].usd;
	return 0.004;
}

/* Moves the per-minute ring to the current minute. */
static void
gw_spend_roll(struct gw *g)
{
	int64_t now = gw_now_us() / 60000000;

	while (g->spend_min_at < now) {
		g->spend_min_at++;
		g->spend_min[g->spend_min_at % 60] = 0;
		if (now - g->spend_min_at > 60)
			g->spend_min_at = now - 60;
	}
}

void
gw_spend_add(struct gw *g, double usd)
{
	gw_spend_roll(g);
	g->spend_usd += usd;
	g->spend_min[g->spend_min_at % 60] += usd;
}

double
gw_spend_last_hour(struct gw *g)
{
	double sum = 0;

	gw_spend_roll(g);
	for (int i = 0; i < 60; i++)
		sum += g->spend_min[i];
	return sum;
}

const char *
gw_serving_model(const struct gw *g)
{
	if (g->mode == GW_DEGRADED)
		return g->o->fallback_model;
	if (g->mode == GW_CACHED)
		return "cached";
	if (g->limits.model[0] != '\0')
		return g->limits.model;
	return g->pin.model[0] != '\0' ? g->pin.model : "unpinned";
}

static void
gw_fail(struct gw_reply *out, int status, const char *msg)
{
	out->status = status;
	out->body = json_pack("{s:s}", "error", msg);
}

/* Counts a call against the rate limit: 0 when it is within. */
static int
gw_rate_take(struct gw *g)
{
	int64_t now = gw_now_us();

	if (now - g->window_start_us >= 60000000) {
		g->window_start_us = now;
		g->window_calls = 0;
	}
	if (g->window_calls >= g->limits.rate_limit)
		return -1;
	g->window_calls++;
	return 0;
}

void
gw_complete(
    struct gw *g, const char *key, const char *service, struct gw_reply *out)
{
	struct gw_key *k = key != NULL ? gw_key_find(g, key) : NULL;
	const char *model;

	if (k == NULL) {
		if (key != NULL)
			g->unknown_key_calls++;
		g->completions_failed++;
		{
			gw_fail(out, 401, "invalid API key");
			return;
		}
	}
	if (k->revoked_us != 0) {
		g->completions_failed++;
		{
			gw_fail(out, 401, "API key revoked");
			return;
		}
	}
	k->last_used_us = gw_now_us();
	k->calls++;
	if (service != NULL && strcmp(service, g->o->service) != 0) {
		g->completions_failed++;
		{
			gw_fail(out, 404, "no such service at this gateway");
			return;
		}
	}
	if (gw_rate_take(g) == -1) {
		g->completions_failed++;
		{
			gw_fail(out, 429, "rate limit exceeded");
			return;
		}
	}
	if (g->mode == GW_NORMAL && !g->provider_up) {
		g->completions_failed++;
		{
			gw_fail(out, 502, "upstream provider unavailable");
			return;
		}
	}
	model = gw_serving_model(g);
	gw_spend_add(g, gw_price(model));
	g->completions_ok++;
	out->status = 200;
	out->body = json_pack("{s:s, s:s, s:s, s:b, s:[{s:{s:s, s:s}}]}",
	    "object", "chat.completion", "model", model, "mode",
	    gw_mode_name(g->mode), "degraded", g->mode != GW_NORMAL, "choices",
	    "message", "role", "assistant", "content",
	    g->mode == GW_CACHED ? "(a cached answer)"
	                         : "Hello from the demo.");
}

json_t *
gw_health_json(struct gw *g, int *status)
{
	/* the probe answers what a completion would get now */
	int serving = g->mode != GW_NORMAL || g->provider_up;

	*status = serving ? 200 : 503;
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "status",
	    serving ? "ok" : "failing", "service", g->o->service, "mode",
	    gw_mode_name(g->mode), "provider", g->provider_up ? "up" : "down",
	    "model", gw_serving_model(g));
}

json_t *
gw_limits_json(struct gw *g)
{
	json_t *o = json_pack("{s:i, s:i, s:s?, s:f, s:f, s:i}", "rate_limit",
	    (json_int_t)g->limits.rate_limit, "default_rate_limit",
	    (json_int_t)g->defaults.rate_limit, "model",
	    g->limits.model[0] ? g->limits.model : NULL, "spend_usd",
	    g->spend_usd, "spend_usd_last_hour", gw_spend_last_hour(g),
	    "calls_this_minute", (json_int_t)g->window_calls);

	gw_set_time(o, "until", g->limits.until_us);
	json_object_set_new(o, "reason",
	    g->limits.reason[0] ? json_string(g->limits.reason) : json_null());
	return o;
}

static const char *const gw_batch_states[] = { "running", "paused", "done" };

json_t *
gw_batch_json(const struct gw_batch *b)
{
	json_t *o = json_pack("{s:i, s:s, s:s, s:i, s:i, s:i, s:f}", "id",
	    b->id, "name", b->name, "state", gw_batch_states[b->state], "done",
	    (json_int_t)b->done, "total", (json_int_t)b->total, "rate",
	    (json_int_t)b->rate, "spend_usd", b->spend_usd);

	gw_set_time(o, "created_at", b->created_us);
	gw_set_time(o, "paused_at", b->paused_us);
	json_object_set_new(o, "paused_reason",
	    b->paused_by[0] ? json_string(b->paused_by) : json_null());
	return o;
}

struct gw_batch *
gw_batch_by_id(struct gw *g, int id)
{
	for (int i = 0; i < g->nbatches; i++)
		if (g->batches[i].id == id)
			return &g->batches[i];
	return NULL;
}

struct gw_batch *
gw_batch_add(struct gw *g, const char *name, long total, long rate)
{
	struct gw_batch *b;

	if (g->nbatches == GW_BATCHES_MAX)
		return NULL;
	b = &g->batches[g->nbatches++];
	memset(b, 0, sizeof *b);
	b->id = g->next_batch++;
	snprintf(b->name, sizeof b->name, "%s", name);
	b->total = total;
	b->rate = rate;
	b->created_us = gw_now_us();
	return b;
}

void
gw_tick(struct gw *g, double seconds)
{
	double price = gw_price(gw_serving_model(g));

	if (g->limits.until_us != 0 && gw_now_us() >= g->limits.until_us)
		g->limits = g->defaults;
	for (int i = 0; i < g->nbatches; i++) {
		struct gw_batch *b = &g->batches[i];
		long n;

		if (b->state != GW_BATCH_RUNNING)
			continue;
		b->carry += b->rate * seconds;
		n = (long)b->carry;
		b->carry -= (double)n;
		if (n > b->total - b->done)
			n = b->total - b->done;
		b->done += n;
		b->spend_usd += n * price;
		gw_spend_add(g, n * price);
		if (b->done == b->total)
			b->state = GW_BATCH_DONE;
	}
}
