/* pager.c: the paging thread of `owl serve` and the delivery of one
 * attempt (see pager.h). Pages due in one tick are sent in parallel
 * threads (a channel that hangs until its timeout holds up nobody
 * else's page); their results are recorded by the pager thread, which
 * owns the database connection. */
#include "pager.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/duty.h"
#include "engine/incident.h"
#include "engine/words.h"

#define PAGER_BATCH 64

struct pager {
	struct pager_config cfg;
	struct oncall oc;
	struct escalation esc;
	struct page_send *ps;
	struct store *s;
	char host[128], holder[192];
	struct duty_node node; /* holder is node.id */
	int64_t lease_us;
	int leader; /* holds the lease; -1: not known yet */
	pthread_t th;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
};

/* One page being sent this tick. */
struct pager_job {
	struct page_send *ps;
	struct pages_due *d;
	const char *chans[PAGE_SEND_MAX_CHANNELS];
	int nchan;
	const char *channel; /* this attempt's; NULL: nothing to try */
	char severity[16];
	int status;
	int ok;
	struct err err;
	pthread_t th;
	int threaded;
	/* d's counters before its result is recorded: a record run again
	 * (pager_write_fn) starts from them */
	int attempts, chan_idx, chan_attempt;
	int recorded; /* pager_job_record's return */
	struct err rec_err;
	char line[1024];
};

void
pager_holder(char *holder, size_t n, char *host, size_t hn)
{
	char h[128] = "localhost";

	if (gethostname(h, sizeof h - 1) != 0)
		snprintf(h, sizeof h, "localhost");
	h[sizeof h - 1] = '\0';
	snprintf(holder, n, "%s:%ld", h, (long)getpid());
	snprintf(host, hn, "%s", h);
}

static void
pager_log(struct pager *p, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (p->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	p->cfg.log(p->cfg.log_ctx, line);
}

/* Which channel this attempt uses: a resolve its own, a page the
 * person's chan_idx-th. */
static void
pager_job_init(struct pager_job *j, struct store *s, struct page_send *ps,
    struct pages_due *d)
{
	struct incident inc;

	memset(j, 0, sizeof *j);
	j->ps = ps;
	j->d = d;
	j->attempts = d->attempts;
	j->chan_idx = d->chan_idx;
	j->chan_attempt = d->chan_attempt;
	err_init(&j->err);
	j->nchan = page_send_channels(ps, d->person, j->chans);
	if (strcmp(d->kind, PAGES_KIND_RESOLVE) == 0) {
		int has = 0;

		for (int i = 0; i < j->nchan; i++)
			has |= strcmp(j->chans[i], d->channel) == 0;
		j->nchan = has;
		j->channel = has ? "pagerduty" : NULL;
	} else if (d->chan_idx < j->nchan) {
		j->channel = j->chans[d->chan_idx];
	} else {
		j->nchan = 0;
	}
	if (d->incident > 0 && incident_get(s, d->incident, &inc, NULL) == 0) {
		snprintf(j->severity, sizeof j->severity, "%s",
		    incident_severity_name(inc.severity));
		incident_done(&inc);
	}
}

static void *
pager_job_run(void *arg)
{
	struct pager_job *j = arg;
	struct page_msg m = { j->d->id, j->d->incident, j->d->kind,
		j->d->person, j->d->text, j->severity[0] ? j->severity : NULL,
		j->d->attempts + 1 };

	if (j->channel == NULL) {
		err_set(&j->err, ERR_FAILED, "%s has no %s configured",
		    j->d->person,
		    strcmp(j->d->kind, PAGES_KIND_RESOLVE) == 0
		        ? "pagerduty channel"
		        : "channel (see oncall.people)");
		return NULL;
	}
	j->ok = page_send_one(j->ps, j->channel, &m, &j->status, &j->err) == 0;
	return NULL;
}

/* Records a job's result; line says what happened. */
static int
pager_job_record(struct store *s, struct pager_job *j, int64_t now, int *final,
    char *line, size_t linesz, struct err *err)
{
	struct pages_retry r = page_send_retry(j->ps);
	struct pages_attempt a = { j->channel, j->nchan,
		j->ok ? NULL : j->err.msg, j->status };
	struct pages_status st;
	const char *what = strcmp(j->d->kind, PAGES_KIND_RESOLVE) == 0
	    ? "pagerduty resolve"
	    : "page";

	if (pages_record(s, j->d, &a, &r, now, final, err) == -1)
		return -1;
	if (j->ok) {
		snprintf(line, linesz,
		    "%s %lld to %s via %s: sent (attempt %d)", what,
		    (long long)j->d->id, j->d->person, j->channel,
		    j->d->attempts);
		return 0;
	}
	if (pages_status(s, j->d->id, &st, NULL) == -1)
		st.state[0] = '\0';
	snprintf(line, linesz, "%s %lld to %s: %s (attempt %d)%s", what,
	    (long long)j->d->id, j->d->person, j->err.msg, j->d->attempts,
	    *final ? (strcmp(st.state, "cancelled") == 0
	                     ? "; cancelled meanwhile"
	                     : "; UNDELIVERABLE: no channel left")
	           : "");
	return 0;
}

int
pager_attempt(struct store *s, struct page_send *ps, struct pages_due *d,
    int64_t now, int *final, char *line, size_t linesz, struct err *err)
{
	struct pager_job j;

	pager_job_init(&j, s, ps, d);
	pager_job_run(&j);
	return pager_job_record(s, &j, now, final, line, linesz, err);
}

/* Runs fn in a write transaction: the serve writer's (cfg.write), or
 * one of the pager's own connection. */
static int
pager_txn(struct pager *p, pager_txn_fn *fn, void *arg, struct err *err)
{
	if (p->cfg.write != NULL)
		return p->cfg.write(p->cfg.write_ctx, fn, arg, err);
	if (store_begin(p->s, err) == -1)
		return -1;
	if (fn(p->s, arg, err) == -1) {
		store_rollback(p->s);
		return -1;
	}
	return store_commit(p->s, err);
}

/* A step of the duty, done in a write transaction in which this owl
 * serve still holds the lease (writers are serialised: no other node
 * can take it over before the commit). */
struct pager_step {
	struct pager *p;
	int held; /* 1 held, 0 lost: nothing done; -1 not known */
	struct escalation_stats st; /* escalation */
	struct pages_due *d; /* claimed */
	size_t n;
	struct pager_job *jobs; /* to record (n of them) */
};

/* The fence: k->held, and whether the step goes on (1). */
static int
pager_step_held(struct store *s, struct pager_step *k, struct err *err)
{
	return k->held = duty_held(s, "pager", k->p->holder, err);
}

static int
pager_escalate_txn(struct store *s, void *arg, struct err *err)
{
	struct pager_step *k = arg;
	struct pager *p = k->p;
	int held;

	memset(&k->st, 0, sizeof k->st);
	if ((held = pager_step_held(s, k, err)) != 1)
		return held;
	return escalation_tick(s, &p->esc, &p->oc, clock_now_us(), &k->st, err);
}

static int
pager_claim_txn(struct store *s, void *arg, struct err *err)
{
	struct pager_step *k = arg;
	struct pager *p = k->p;
	int held;

	pages_due_free(k->d, k->n);
	k->d = NULL;
	k->n = 0;
	if ((held = pager_step_held(s, k, err)) != 1)
		return held;
	return pages_claim(s, clock_now_us(), p->holder,
	    2 * page_send_timeout(p->ps) + 10 * CLOCK_US_PER_SEC, PAGER_BATCH,
	    0, &k->d, &k->n, err);
}

/* Records the results of the pages sent: one transaction for all of
 * them (one fsync); one that fails fails them all, tried again when
 * their claim runs out. */
static int
pager_record_txn(struct store *s, void *arg, struct err *err)
{
	struct pager_step *k = arg;
	int64_t now = clock_now_us();
	int final, failed = -1;

	for (size_t i = 0; i < k->n; i++) {
		struct pager_job *j = &k->jobs[i];

		j->d->attempts = j->attempts;
		j->d->chan_idx = j->chan_idx;
		j->d->chan_attempt = j->chan_attempt;
		err_init(&j->rec_err);
		j->recorded = pager_job_record(
		    s, j, now, &final, j->line, sizeof j->line, &j->rec_err);
		if (j->recorded == -1 && failed < 0)
			failed = (int)i;
	}
	if (failed >= 0)
		return err_set(
		    err, ERR_FAILED, "%s", k->jobs[failed].rec_err.msg);
	return 0;
}

/* Runs a step of the duty (fn, with k); the step's fence said whether
 * this owl serve still holds the lease: 1 done, 0 lease lost (said
 * once), -1 err set. */
static int
pager_fenced(
    struct pager *p, pager_txn_fn *fn, struct pager_step *k, struct err *err)
{
	k->p = p;
	k->held = -1;
	if (pager_txn(p, fn, k, err) == -1)
		return -1;
	if (k->held == 0 && p->leader == 1)
		pager_log(p,
		    "paging: another owl serve took the lease over; "
		    "standing by");
	if (k->held == 0)
		p->leader = 0;
	return k->held;
}

/* Sends up to PAGER_BATCH pages due, each in its own thread, then
 * records them. Returns how many were sent or tried. */
static size_t
pager_deliver(struct pager *p)
{
	struct pager_job jobs[PAGER_BATCH];
	struct pager_step k = { .p = p };
	struct err err;
	size_t n;

	err_init(&err);
	if (pager_fenced(p, pager_claim_txn, &k, &err) != 1) {
		if (err_isset(&err))
			pager_log(p, "paging: %s", err.msg);
		pages_due_free(k.d, k.n);
		return 0;
	}
	n = k.n;
	for (size_t i = 0; i < n; i++) {
		pager_job_init(&jobs[i], p->s, p->ps, &k.d[i]);
		jobs[i].threaded = n > 1 &&
		    pthread_create(
		        &jobs[i].th, NULL, pager_job_run, &jobs[i]) == 0;
		if (!jobs[i].threaded)
			pager_job_run(&jobs[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (jobs[i].threaded)
			pthread_join(jobs[i].th, NULL);
	k.jobs = jobs;
	err_init(&err);
	if (n > 0 && pager_txn(p, pager_record_txn, &k, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			pager_log(p, "%s", jobs[i].line);
	} else if (n > 0) {
		for (size_t i = 0; i < n; i++)
			if (jobs[i].recorded == -1)
				pager_log(p, "paging: page %lld: %s",
				    (long long)k.d[i].id, jobs[i].rec_err.msg);
		pager_log(p,
		    "paging: recording %zu result%s failed: %s; %s "
		    "tried again when %s claim runs out",
		    n, words_s((int64_t)n), err.msg,
		    n == 1 ? "that page is" : "those pages are",
		    n == 1 ? "its" : "their");
	}
	pages_due_free(k.d, n);
	return n;
}

static void
pager_escalate(struct pager *p)
{
	struct pager_step k = { .p = p };
	struct escalation_stats *st = &k.st;
	struct err err;

	/* with no policy the tick still follows the log: a page sent by
	 * hand through PagerDuty is resolved there when its incident is */
	err_init(&err);
	if (pager_fenced(p, pager_escalate_txn, &k, &err) != 1) {
		if (err_isset(&err))
			pager_log(p, "escalation: %s", err.msg);
		return;
	}
	if (st->levels > 0 || st->stopped > 0 || st->resolves > 0)
		pager_log(p,
		    "escalation: %zu started, %zu level%s fired (%zu "
		    "page%s), %zu stopped, %zu PagerDuty resolve%s",
		    st->started, st->levels, words_s((int64_t)st->levels),
		    st->pages, words_s((int64_t)st->pages), st->stopped,
		    st->resolves, words_s((int64_t)st->resolves));
}

/* The lease's write: duty_take in a transaction of pager_txn's. */
struct pager_lease {
	struct pager *p;
	struct duty_take t;
};

static int
pager_lease_txn(struct store *s, void *arg, struct err *err)
{
	struct pager_lease *l = arg;

	return duty_take(s, "pager", &l->p->node, clock_now_us(),
	    l->p->lease_us, &l->t, err);
}

/* Takes or keeps the lease (read on the pager's connection, written
 * through pager_txn when a write is due); with no cfg.write, renewed on
 * its own connection without an fsync (duty_renew). */
static int
pager_renew(struct pager *p, struct duty_take *t, struct err *err)
{
	struct pager_lease l = { .p = p };
	int settled;

	if (p->cfg.write == NULL)
		return duty_renew(p->s, "pager", &p->node, clock_now_us(),
		    p->lease_us, t, err);
	if ((settled = duty_settled(p->s, "pager", &p->node, clock_now_us(),
	         p->lease_us, t, err)) != 0)
		return settled == 1 ? 0 : -1;
	if (pager_txn(p, pager_lease_txn, &l, err) == -1)
		return -1;
	*t = l.t;
	return 0;
}

/* Takes or keeps the lease; 1 when this owl serve pages. */
static int
pager_lead(struct pager *p)
{
	struct duty_take t;
	struct err err;
	size_t freed;

	err_init(&err);
	if (pager_renew(p, &t, &err) == -1) {
		pager_log(p, "paging: %s", err.msg);
		return 0;
	}
	if (t.taken_over)
		pager_log(p, "paging: taking over from %s (%s)", t.other,
		    t.died ? "its process died" : "its lease expired");
	if (t.got && p->leader != 1)
		pager_log(p,
		    "paging: this owl serve pages (%zu escalation polic%s, "
		    "%zu rotation%s, %zu %s)",
		    p->esc.n, p->esc.n == 1 ? "y" : "ies", p->oc.nrot,
		    words_s((int64_t)p->oc.nrot),
		    json_object_size(p->oc.people),
		    json_object_size(p->oc.people) == 1 ? "person" : "people");
	/* pages an owl serve or owl page of this host was sending when it
	 * died: sent again at once, under the same page id (on the pager's
	 * connection: it writes only when such a process died) */
	if (t.got && pages_unclaim_dead(p->s, p->host, &freed, &err) == 0 &&
	    freed > 0)
		pager_log(p,
		    "paging: %zu page%s being sent by an owl that died; "
		    "sending again (same page id, same Idempotency-Key)",
		    freed, freed == 1 ? " was" : "s were");
	if (!t.got && p->leader != 0)
		pager_log(p, "paging: %s pages; standing by", t.other);
	p->leader = t.got;
	return t.got;
}

static int
pager_stopping(struct pager *p)
{
	int stop;

	pthread_mutex_lock(&p->lock);
	stop = p->stop;
	pthread_mutex_unlock(&p->lock);
	return stop;
}

static int
pager_sleep(struct pager *p)
{
	int64_t tick = p->cfg.tick_us ? p->cfg.tick_us : CLOCK_US_PER_SEC;
	struct timespec ts;
	int stop;

	pthread_mutex_lock(&p->lock);
	if (!p->stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += tick / CLOCK_US_PER_SEC;
		ts.tv_nsec += (tick % CLOCK_US_PER_SEC) * 1000;
		ts.tv_sec += ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	stop = p->stop;
	pthread_mutex_unlock(&p->lock);
	return !stop;
}

static int
pager_release_txn(struct store *s, void *arg, struct err *err)
{
	struct pager *p = arg;

	return duty_release(s, "pager", p->holder, err);
}

static void *
pager_main(void *arg)
{
	struct pager *p = arg;
	struct err err;

	do {
		if (!pager_lead(p))
			continue;
		pager_escalate(p);
		/* a storm's backlog goes out batch after batch, not one batch
		 * a tick; stopping still waits for the batch in flight only */
		while (pager_deliver(p) == PAGER_BATCH && !pager_stopping(p))
			;
	} while (pager_sleep(p));
	err_init(&err);
	if (p->leader == 1 &&
	    (p->cfg.write == NULL ||
	        pager_txn(p, pager_release_txn, p, &err) == -1))
		duty_release(p->s, "pager", p->holder, NULL);
	return NULL;
}

static void
pager_free(struct pager *p)
{
	page_send_free(p->ps);
	escalation_done(&p->esc);
	oncall_done(&p->oc);
	store_close(p->s);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

struct pager *
pager_start(const struct pager_config *cfg, struct err *err)
{
	struct pager *p = calloc(1, sizeof *p);

	if (p == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	p->cfg = *cfg;
	p->leader = -1;
	p->lease_us = cfg->lease_us ? cfg->lease_us : DUTY_TTL_US;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	duty_node_init(&p->node);
	snprintf(p->holder, sizeof p->holder, "%s", p->node.id);
	snprintf(p->host, sizeof p->host, "%s", p->node.host);
	if (oncall_load(cfg->config, &p->oc, err) == -1 ||
	    escalation_load(cfg->config, &p->oc, &p->esc, err) == -1 ||
	    (p->ps = page_send_new(cfg->config, &p->oc, err)) == NULL)
		goto fail;
	p->esc.node = p->holder;
	if (p->esc.n == 0 && json_object_size(p->oc.people) == 0)
		goto fail; /* nothing to page: no thread */
	if ((p->s = store_open(cfg->db_path, err)) == NULL)
		goto fail;
	if (pthread_create(&p->th, NULL, pager_main, p) != 0) {
		err_set(err, ERR_FAILED, "cannot start the paging thread");
		goto fail;
	}
	p->started = 1;
	return p;
fail:
	pager_free(p);
	return NULL;
}

void
pager_stop(struct pager *p)
{
	if (p == NULL)
		return;
	if (p->started) {
		pthread_mutex_lock(&p->lock);
		p->stop = 1;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->th, NULL);
	}
	pager_free(p);
}

int
pager_metrics_format(struct store *s, struct buf *out, struct err *err)
{
	static const char *const chans[] = { "email", "pagerduty", "slack",
		"webhook" };
	int64_t failed = 0;
	json_t *sent = NULL;
	int rc;

	if (pages_counts(s, &sent, &failed, err) == -1)
		return -1;
	rc = buf_adds(out,
	    "# HELP owl_pages_sent_total Pages delivered, by the channel that "
	    "took them.\n# TYPE owl_pages_sent_total counter\n",
	    err);
	for (size_t i = 0; rc == 0 && i < sizeof chans / sizeof chans[0]; i++)
		rc = buf_printf(out, err,
		    "owl_pages_sent_total{channel=\"%s\"} %lld\n", chans[i],
		    (long long)json_integer_value(
		        json_object_get(sent, chans[i])));
	if (rc == 0)
		rc = buf_printf(out, err,
		    "# HELP owl_pages_failed_total Pages that no channel could "
		    "deliver.\n# TYPE owl_pages_failed_total counter\n"
		    "owl_pages_failed_total %lld\n",
		    (long long)failed);
	json_decref(sent);
	return rc;
}
