/* serve_pull.c: the background thread of `owl serve` that talks to
 * Alertmanager: every --pull-interval it lists each --pull source's
 * alert groups (GET /api/v2/alerts/groups) and hands them to the writer, which
 * resolves the ones that disappeared; a failing source is logged and
 * retried with exponential backoff, never fatal. It also expires the
 * silences owl created once their incident has resolved, and purges the
 * replay cache. All of it is the "pull" duty (engine/duty.h): of the owl
 * serve sharing a database, the one holding its lease does it; the others
 * stand by and take it over when that one stops renewing it. */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/duty.h"
#include "engine/receiver.h"
#include "engine/sanitize.h"
#include "engine/silence.h"
#include "engine/words.h"
#include "integrations/am_client.h"
#include "integrations/ingest.h"

#define SERVE_PULL_MAX_BODY (64 * 1024 * 1024)
#define SERVE_PULL_TIMEOUT_MS 10000L
#define SERVE_PULL_MAX_BACKOFF_US (5 * 60 * CLOCK_US_PER_SEC)
#define SERVE_SILENCE_EVERY_US (2 * CLOCK_US_PER_SEC)
/* After a failed expiry, the next round waits this long: an Alertmanager
 * that hangs (10 s per request) must not hold up the pulls every round. */
#define SERVE_SILENCE_RETRY_US (60 * CLOCK_US_PER_SEC)
/* How often the replay cache forgets signatures out of their window. */
#define SERVE_PURGE_EVERY_US (60 * CLOCK_US_PER_SEC)
#define SERVE_DUTY "pull"

struct serve_pull_src {
	const char *url;
	int64_t due; /* monotonic */
	int fails;
	int unsettled; /* said that it is not resolving; say it once */
};

/* Hands a pull to the writer and waits for its commit. */
static int
serve_pull_store(struct serve *sv, const char *url, const struct alert *a,
    size_t n, int resolve, struct receiver_pull_result *res, struct err *err)
{
	struct serve_wait w = { 0 };

	w.job.pull_url = url;
	w.job.alerts = a;
	w.job.nalerts = n;
	w.job.pull_resolve = resolve;
	w.job.duty = SERVE_DUTY;
	w.job.actor = "alertmanager-pull";
	w.job.ep = SERVE_EP_OTHER;
	serve_wait_job(sv, &w, 0);
	*res = w.job.pull;
	if (w.job.status != 0)
		return err_set(err, ERR_FAILED, "%s", w.job.msg);
	return w.job.fenced;
}

/* Whether this Alertmanager has been up for the grace period. One that
 * restarted has forgotten every alert (they live in memory only) until
 * Prometheus sends them again: resolving what it no longer lists would
 * resolve everything, and expire owl's silences with it. Unknown (the
 * status cannot be read) counts as not settled. */
static int
serve_pull_settled(struct serve *sv, struct serve_pull_src *src, int64_t grace)
{
	int64_t started, up;
	char shown[1100];
	struct err err;

	if (grace <= 0)
		return 1;
	err_init(&err);
	if (am_client_started(src->url, SERVE_PULL_TIMEOUT_MS,
	        (const atomic_int *)&sv->draining, &started, &err) == -1) {
		if (!src->unsettled++)
			serve_log(sv, 0,
			    "pull %s: %s; not resolving vanished alerts",
			    sanitize_url(src->url, shown, sizeof shown),
			    err.msg);
		return 0;
	}
	up = clock_now_us() - started;
	if (up >= grace) {
		src->unsettled = 0;
		return 1;
	}
	if (src->unsettled++)
		return 0;
	serve_log(sv, 0,
	    "pull %s: Alertmanager started %llds ago; vanished alerts are "
	    "resolved once it has been up %llds",
	    sanitize_url(src->url, shown, sizeof shown),
	    (long long)(up / CLOCK_US_PER_SEC),
	    (long long)(grace / CLOCK_US_PER_SEC));
	return 0;
}

/* The lease's job: duty_take in the writer's transaction. */
struct serve_pull_lease {
	struct serve *sv;
	struct duty_take t;
};

static int
serve_pull_lease_call(struct store *s, void *arg, struct err *err)
{
	struct serve_pull_lease *l = arg;

	return duty_take(s, SERVE_DUTY, &l->sv->node, clock_now_us(),
	    l->sv->lease_us, &l->t, err);
}

/* Takes or keeps the pull duty's lease, read on connection s and
 * written by the writer (a commit of s would empty the writer's page
 * cache: its indexes read again from the file at every renewal); 1
 * while this owl serve holds it. *lead (1 held, 0 not, -1 not known
 * yet) is what was said last, so that each change is logged once. */
static int
serve_pull_lead(struct serve *sv, struct store *s, int *lead)
{
	struct serve_pull_lease l = { .sv = sv };
	struct duty_take t;
	struct err err;
	int settled;

	err_init(&err);
	if ((settled = duty_settled(s, SERVE_DUTY, &sv->node, clock_now_us(),
	         sv->lease_us, &t, &err)) == -1) {
		serve_log(sv, 0, "pull duty: %s", err.msg);
		return 0;
	}
	if (!settled) {
		if (serve_write(sv, serve_pull_lease_call, &l, &err) == -1) {
			serve_log(sv, 0, "pull duty: %s", err.msg);
			return 0;
		}
		t = l.t;
	}
	if (t.taken_over)
		serve_log(sv, 0, "pull duty: taking over from %s (%s)", t.other,
		    t.died ? "its process died" : "its lease expired");
	if (t.got && *lead != 1 && sv->cfg->npulls > 0)
		serve_log(sv, 0, "pull duty: this owl serve pulls (node %s)",
		    sv->node.id);
	if (!t.got && *lead != 0)
		serve_log(
		    sv, 0, "pull duty: %s holds it; standing by", t.other);
	*lead = t.got;
	return t.got;
}

/* Lists one source and stores what it lists. 1 when the writer found
 * that another node had taken the duty over (nothing stored). */
static int
serve_pull_source(struct serve *sv, struct serve_pull_src *src,
    int64_t interval, int64_t grace)
{
	struct receiver_pull_result res;
	struct ingest_batch *batch = NULL;
	const struct alert *a = NULL;
	char shown[1100];
	struct err err;
	struct buf body;
	int64_t backoff;
	size_t n = 0;
	int fenced = 0;

	err_init(&err);
	buf_init(&body, SERVE_PULL_MAX_BODY);
	if (am_client_alerts(src->url, sv->cfg->pull_receiver, &body,
	        SERVE_PULL_TIMEOUT_MS, (const atomic_int *)&sv->draining,
	        &err) == -1 ||
	    (batch = ingest_parse_opts(INGEST_ALERTMANAGER,
	         sv->cfg->pull_receiver, buf_str(&body), body.len,
	         sv->cfg->ingest, &err)) == NULL ||
	    (a = ingest_batch_alert_list(batch, &n),
	        fenced = serve_pull_store(sv, src->url, a, n,
	            serve_pull_settled(sv, src, grace), &res, &err)) == -1) {
		src->fails++;
		backoff = interval;
		for (int i = 1;
		     i < src->fails && backoff < SERVE_PULL_MAX_BACKOFF_US; i++)
			backoff *= 2;
		if (backoff > SERVE_PULL_MAX_BACKOFF_US)
			backoff = SERVE_PULL_MAX_BACKOFF_US;
		src->due = clock_mono_us() + backoff;
		atomic_fetch_add(&sv->m.pull_errors, 1);
		if (!atomic_load(&sv->draining))
			serve_log(sv, 0, "pull %s: %s (retrying in %llds)",
			    sanitize_url(src->url, shown, sizeof shown),
			    err.msg, (long long)(backoff / CLOCK_US_PER_SEC));
	} else if (fenced) {
		serve_log(sv, 0,
		    "pull %s: another owl serve took the pull duty over; "
		    "not stored",
		    sanitize_url(src->url, shown, sizeof shown));
	} else {
		if (src->fails > 0 || res.resolved > 0 ||
		    res.incidents_opened > 0)
			serve_log(sv, 0,
			    "pull %s: %zu alert%s, %zu new, %zu "
			    "resolved",
			    sanitize_url(src->url, shown, sizeof shown),
			    res.alerts, words_s((int64_t)res.alerts),
			    res.new_alerts, res.resolved);
		src->fails = 0;
		src->due = clock_mono_us() + interval;
		atomic_fetch_add(&sv->m.pull_ok, 1);
	}
	ingest_batch_free(batch);
	buf_done(&body);
	return fenced > 0;
}

/* Has an Alertmanager that failed this round (failed[j], j < i) the
 * URL of due[i]? */
static int
serve_pull_failed_before(
    const struct silence *due, const char *failed, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (failed[j] && strcmp(due[j].am_url, due[i].am_url) == 0)
			return 1;
	return 0;
}

/* Records silence x as expired, if this owl serve still holds the duty
 * (in the same transaction: no other node can have expired it since). */
static int
serve_pull_expire(
    struct serve *sv, struct store *s, const struct silence *x, struct err *err)
{
	int held;

	if (store_begin(s, err) == -1)
		return -1;
	if ((held = duty_held(s, SERVE_DUTY, sv->node.id, err)) != 1) {
		store_rollback(s);
		return held == 0 ? err_set(err, ERR_FAILED,
		                       "another owl serve took the pull "
		                       "duty over")
		                 : -1;
	}
	if (silence_expire(s, x->id, "owl-serve", "resolved", err) == -1) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err);
}

/* Expires, at their Alertmanager, the silences of resolved incidents.
 * Once an Alertmanager fails, its other silences wait for the next
 * round. Returns the number of failures. */
static int
serve_pull_silences(struct serve *sv, struct store *s)
{
	struct silence *due = NULL;
	char *failed = NULL;
	struct err err;
	size_t n = 0;
	int fails = 0;

	err_init(&err);
	if (silence_due(s, &due, &n, &err) == -1) {
		serve_log(sv, 0, "silences: %s", err.msg);
		return 1;
	}
	if (n > 0 && (failed = calloc(n, 1)) == NULL) {
		silence_list_free(due, n);
		return 1;
	}
	for (size_t i = 0; i < n && !atomic_load(&sv->draining); i++) {
		if (serve_pull_failed_before(due, failed, i))
			continue;
		err_init(&err);
		if (am_client_unsilence(
		        due[i].am_url, due[i].silence_id, NULL, &err) == -1 ||
		    serve_pull_expire(sv, s, &due[i], &err) == -1) {
			serve_log(sv, 0, "silence %s of INC-%lld: %s",
			    due[i].silence_id, (long long)due[i].incident,
			    err.msg);
			failed[i] = 1;
			fails++;
			continue;
		}
		atomic_fetch_add(&sv->m.silences_expired, 1);
		serve_log(sv, 0, "expired silence %s of INC-%lld (resolved)",
		    due[i].silence_id, (long long)due[i].incident);
	}
	free(failed);
	silence_list_free(due, n);
	return fails;
}

/* Sleeps until `until` (monotonic) or until stopped; 0 when stopped. */
static int
serve_pull_sleep(struct serve *sv, int64_t until)
{
	int64_t left = until - clock_mono_us();
	struct timespec ts;
	int stop;

	pthread_mutex_lock(&sv->plock);
	if (!sv->pstop && left > 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += left / CLOCK_US_PER_SEC;
		ts.tv_nsec += (left % CLOCK_US_PER_SEC) * 1000;
		ts.tv_sec += ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&sv->pcond, &sv->plock, &ts);
	}
	stop = sv->pstop;
	pthread_mutex_unlock(&sv->plock);
	return !stop;
}

/* Forgets, now and then, the signatures past their window (the replay
 * cache, receiver.h). */
static void
serve_pull_purge(struct serve *sv, struct store *s, int64_t *purge_at)
{
	struct err err;

	if (clock_mono_us() < *purge_at)
		return;
	err_init(&err);
	if (receiver_signatures_purge(s, clock_now_us(), &err) == -1)
		serve_log(sv, 0, "replay cache: %s", err.msg);
	*purge_at = clock_mono_us() + SERVE_PURGE_EVERY_US;
}

/* One round while holding the duty: the sources due, the silences, the
 * replay cache. Sets *next to when the next source is due. */
static void
serve_pull_round(struct serve *sv, struct store *s, struct serve_pull_src *src,
    int64_t interval, int64_t grace, int *lead, int64_t *next,
    int64_t *silences_at, int64_t *purge_at)
{
	const struct serve_config *cfg = sv->cfg;
	int64_t now = clock_mono_us();

	for (size_t i = 0; i < cfg->npulls && *lead == 1; i++) {
		/* a source can take its 10 s timeout: the lease is renewed
		 * before each, not only once a round */
		if (src[i].due <= now && serve_pull_lead(sv, s, lead) &&
		    serve_pull_source(sv, &src[i], interval, grace))
			*lead = 0;
		if (src[i].due < *next)
			*next = src[i].due;
	}
	if (*lead != 1)
		return;
	if (now >= *silences_at && serve_pull_silences(sv, s) > 0)
		*silences_at = clock_mono_us() + SERVE_SILENCE_RETRY_US;
	serve_pull_purge(sv, s, purge_at);
}

static void *
serve_pull_main(void *arg)
{
	struct serve *sv = arg;
	const struct serve_config *cfg = sv->cfg;
	struct serve_pull_src src[SERVE_MAX_PULLS];
	int64_t interval = cfg->pull_interval_us ? cfg->pull_interval_us
	                                         : 15 * CLOCK_US_PER_SEC,
	        next, now, silences_at = 0, purge_at = 0,
	        renew = sv->lease_us / 3;
	int64_t grace = cfg->pull_grace_us < 0 ? 0
	    : cfg->pull_grace_us               ? cfg->pull_grace_us
	                                       : 3 * 60 * CLOCK_US_PER_SEC;
	struct store *s;
	struct err err;
	int lead = -1;

	err_init(&err);
	/* its own connection: silence bookkeeping is small and rare */
	if ((s = store_open(cfg->db_path, &err)) == NULL) {
		serve_log(sv, 0, "pull: %s", err.msg);
		return NULL;
	}
	for (size_t i = 0; i < cfg->npulls; i++)
		src[i] = (struct serve_pull_src){ cfg->pulls[i], 0, 0, 0 };
	do {
		now = clock_mono_us();
		next = now +
		    (renew < SERVE_SILENCE_EVERY_US ? renew
		                                    : SERVE_SILENCE_EVERY_US);
		if (serve_pull_lead(sv, s, &lead))
			serve_pull_round(sv, s, src, interval, grace, &lead,
			    &next, &silences_at, &purge_at);
	} while (serve_pull_sleep(sv, next));
	if (lead == 1)
		duty_release(s, SERVE_DUTY, sv->node.id, NULL);
	store_close(s);
	return NULL;
}

int
serve_pull_start(struct serve *sv, struct err *err)
{
	if (pthread_create(&sv->puller, NULL, serve_pull_main, sv) != 0)
		return err_set(err, ERR_FAILED, "cannot start a thread");
	sv->puller_started = 1;
	return 0;
}

void
serve_pull_stop(struct serve *sv)
{
	if (!sv->puller_started)
		return;
	pthread_mutex_lock(&sv->plock);
	sv->pstop = 1;
	pthread_cond_broadcast(&sv->pcond);
	pthread_mutex_unlock(&sv->plock);
	pthread_join(sv->puller, NULL);
	sv->puller_started = 0;
}
