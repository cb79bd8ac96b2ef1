/* gw.h: the demo AI gateway (tests/demo/gateway), test and demo
 * scaffolding that plays the LLM gateway an AI service sits behind: mode
 * flags, provider keys, the model pin read from a GitOps config repository,
 * rate limit and spend, batch jobs, a "provider down" switch and a health
 * probe. Never linked into owl. State is in memory, behind one mutex: the
 * HTTP thread (gw_http.c) and the ticker in main (gw_main.c) share it. */
#ifndef OWL_GW_H
#define OWL_GW_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define GW_NAME_MAX 64
#define GW_MODEL_MAX 128
#define GW_KEY_MIN 16 /* bytes: shorter keys are refused */
#define GW_KEY_MAX 512
#define GW_KEYS_MAX 256
#define GW_BATCHES_MAX 64
#define GW_MSG_MAX 256

enum gw_mode { GW_NORMAL, GW_DEGRADED, GW_CACHED };

struct gw_key {
	int id;
	char name[GW_NAME_MAX];
	unsigned char hash[32]; /* SHA-256 of the key: the key is never kept */
	int64_t created_us, revoked_us, last_used_us; /* 0: never */
	long calls;
};

enum gw_batch_state { GW_BATCH_RUNNING, GW_BATCH_PAUSED, GW_BATCH_DONE };

struct gw_batch {
	int id;
	char name[GW_NAME_MAX];
	enum gw_batch_state state;
	long done, total, rate; /* items; rate: items per second */
	double carry; /* the part of an item the last tick left */
	double spend_usd;
	int64_t created_us, paused_us;
	char paused_by[GW_NAME_MAX]; /* the reason given, if any */
};

/* What the config repository says, as of the last sync. */
struct gw_pin {
	char model[GW_MODEL_MAX]; /* "" until a sync read one */
	char commit[41];
	char error[GW_MSG_MAX]; /* the last sync's failure, "" when fine */
	int64_t synced_us;
	long syncs;
};

struct gw_limits {
	long rate_limit; /* completions per minute */
	char model[GW_MODEL_MAX]; /* "" or the model that replaces the pin */
	int64_t until_us; /* 0: no expiry; else the defaults return then */
	char reason[GW_MSG_MAX];
};

struct gw_opts {
	const char *service; /* the one service this gateway fronts */
	const char *repo; /* bare git repository, or NULL */
	const char *ref; /* branch or tag in it */
	const char *pin_file; /* path of the pin file inside the repository */
	const char *fallback_model; /* what degraded mode answers with */
	long rate_limit; /* default completions per minute */
	long sync_ms; /* how often the repository is re-read */
	int provider_down; /* start with the provider down */
	int quiet; /* no request log on stderr */
};

#define GW_FAULTS_MAX 8

/* An injected fault (PUT /v1/sim/fault): requests METHOD PATH (exact)
 * answer status after `after` more of them have passed, `count` times
 * (-1: until cleared). */
struct gw_fault {
	char method[8], path[GW_MSG_MAX];
	int status;
	long after, count;
};

struct gw {
	pthread_mutex_t mu;
	struct gw_fault faults[GW_FAULTS_MAX];
	int nfaults;
	const struct gw_opts *o;
	char admin[GW_KEY_MAX + 1]; /* the admin token; "" refuses admin */
	enum gw_mode mode;
	char mode_reason[GW_MSG_MAX];
	int provider_up;
	struct gw_key keys[GW_KEYS_MAX];
	int nkeys, next_key;
	long unknown_key_calls; /* calls with a key never registered */
	struct gw_batch batches[GW_BATCHES_MAX];
	int nbatches, next_batch;
	struct gw_pin pin;
	struct gw_limits limits, defaults;
	double spend_usd; /* since start */
	double spend_min[60]; /* per minute, ring over the last hour */
	int64_t spend_min_at; /* the minute (since epoch) spend_min[0] is */
	int64_t window_start_us; /* the rate limit's current minute */
	long window_calls;
	long completions_ok, completions_failed;
};

/* An HTTP answer: status and a JSON body (owned; NULL: no body). */
struct gw_reply {
	int status;
	json_t *body;
};

/* gw_state.c: the gateway's behaviour; callers hold gw->mu. */
void gw_init(struct gw *g, const struct gw_opts *o);
int64_t gw_now_us(void);
void gw_time_str(int64_t us, char out[32]);
int gw_time_parse(const char *s, int64_t *us);
const char *gw_mode_name(enum gw_mode m);
int gw_mode_parse(const char *s, enum gw_mode *m);
/* Registers a provider key: -1 (msg set) when malformed or taken. */
int gw_key_add(
    struct gw *g, const char *name, const char *key, char msg[GW_MSG_MAX]);
/* The key whose value is `key`, or NULL. */
struct gw_key *gw_key_find(struct gw *g, const char *key);
struct gw_key *gw_key_by_id(struct gw *g, int id);
json_t *gw_key_json(const struct gw_key *k);
double gw_price(const char *model);
void gw_spend_add(struct gw *g, double usd);
double gw_spend_last_hour(struct gw *g);
/* The model completions are answered with now. */
const char *gw_serving_model(const struct gw *g);
/* One completion as the service makes it: the reply's status and body. */
void gw_complete(
    struct gw *g, const char *key, const char *service, struct gw_reply *out);
json_t *gw_health_json(struct gw *g, int *status);
json_t *gw_limits_json(struct gw *g);
json_t *gw_batch_json(const struct gw_batch *b);
struct gw_batch *gw_batch_by_id(struct gw *g, int id);
struct gw_batch *gw_batch_add(
    struct gw *g, const char *name, long total, long rate);
/* Advances batches and expiries to now (the ticker calls it). */
void gw_tick(struct gw *g, double seconds);

/* gw_repo.c: reads the model pin from the config repository into g->pin
 * (without the lock: fills a copy the caller stores). */
void gw_repo_sync(const struct gw_opts *o, struct gw_pin *pin);
void gw_repo_init(void);
void gw_repo_done(void);

/* gw_http.c: the HTTP API. */
struct MHD_Daemon;
struct MHD_Daemon *gw_http_start(
    struct gw *g, const char *host, int port, int *bound_port);

#endif
