/* serve_writer.c: the one thread that writes alerts for `owl serve`
 * (group commit). Connection threads parse and queue jobs; the writer
 * takes everything queued (up to batch_max) and stores it in ONE write
 * transaction. Each job's owner is woken only once its transaction is
 * on disk, so one fsync covers many requests and a 2xx always means
 * "on disk" (SECURITY.md §2.5, §3.4). On SQLite the durability is
 * deferred (store_defer_durable): the writer commits and goes on with
 * the next batch while the syncer thread syncs the WAL, from a call
 * begun after those commits returned, and only then wakes their
 * owners; elsewhere (PostgreSQL) COMMIT is durable when it returns and
 * the writer wakes them itself. On SQLite a third thread checkpoints
 * (copies the WAL into the database) beside the writer, which would
 * otherwise do it in every few commits. */
#include "serve_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/incident_ingest.h"

/* The writer gives up on a locked database after this long, so that the
 * sender gets its 503 well before Alertmanager's 10 s cut-off. */
#define SERVE_WRITER_BUSY_MS 2000
/* Idle this long after writing: run a passive WAL checkpoint. */
#define SERVE_WRITER_IDLE_US (500 * 1000)
/* Under load (the last commit ended less than LOAD ago), wait up to
 * GATHER for the other requests in flight to join the transaction:
 * fewer, fuller commits. An idle server commits at once. */
#define SERVE_WRITER_LOAD_US 5000
#define SERVE_WRITER_GATHER_US 1000
/* Payloads with more alerts than this are stored in a transaction after
 * the one of the small payloads taken with them: storing 100,000 alerts
 * takes seconds, and the senders of small payloads need not wait. */
#define SERVE_WRITER_LARGE 1000
/* The writer's page cache: the indexes an alert's lookup and insert
 * walk stay in memory from one transaction to the next. The alerts'
 * (source, fingerprint) index, where each new alert lands on a page of
 * its own, is 45 MiB at 1,000,000 alerts, and the pages every commit
 * appends to the tables pass through the cache too: with 64 MiB the
 * writer read 0.25 pages an alert from the file at 1M (one pread()
 * each), growing; 128 MiB holds the index to about 2.5M alerts. Pages
 * are allocated as they are read: a small database keeps a small
 * cache. */
#define SERVE_WRITER_CACHE_MIB 128
/* The WAL's frames (pages) added since the checkpointer was last woken
 * that wake it again. 4,000 rather than SQLite's own 1,000: a page that
 * every commit writes (the tables' last pages, the incidents') is
 * copied once for more commits; owl serve's CPU per alert, growing
 * incidents, -8% (the checkpointer's reads and writes are a system call
 * a page). */
#define SERVE_WAL_CHECKPOINT 4000
/* A WAL starts over only when a write begins with all of it copied,
 * which a checkpointer one commit behind never sees: past RESTART
 * frames the writer checkpoints itself, once the checkpointer has
 * copied all but the last few commits' frames (TAIL), so that the
 * writer's own checkpoint, during which nothing is stored, is short;
 * past FULL it does so whatever is left. FULL stays under the 64 MiB
 * journal_size_limit that store_sqlite.c sets (a WAL file past it is
 * cut back at every restart). */
#define SERVE_WAL_RESTART 12000
#define SERVE_WAL_TAIL 1000
#define SERVE_WAL_FULL 15000

static int
serve_enqueue_limit(struct serve *sv, struct serve_job *job, size_t limit)
{
	pthread_mutex_lock(&sv->qlock);
	if (sv->qlen >= limit || sv->wstop) {
		pthread_mutex_unlock(&sv->qlock);
		return -1;
	}
	job->next = NULL;
	if (sv->qtail != NULL)
		sv->qtail->next = job;
	else
		sv->qhead = job;
	sv->qtail = job;
	sv->qlen++;
	pthread_cond_signal(&sv->qcond);
	pthread_mutex_unlock(&sv->qlock);
	return 0;
}

int
serve_enqueue(struct serve *sv, struct serve_job *job)
{
	return serve_enqueue_limit(sv, job, sv->qmax);
}

int
serve_enqueue_own(struct serve *sv, struct serve_job *job)
{
	return serve_enqueue_limit(sv, job, SIZE_MAX);
}

static void
serve_wait_done(struct serve_job *job)
{
	struct serve_wait *w = job->owner;

	pthread_mutex_lock(&w->lock);
	w->done = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void
serve_wait_job(struct serve *sv, struct serve_wait *w, int own)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->job.done = serve_wait_done;
	w->job.owner = w;
	w->job.queued_us = clock_mono_us();
	if ((own ? serve_enqueue_own(sv, &w->job)
	         : serve_enqueue(sv, &w->job)) == -1) {
		w->job.status = 503;
		snprintf(w->job.msg, sizeof w->job.msg, "%s",
		    own ? "owl serve is stopping" : "write queue full");
	} else {
		pthread_mutex_lock(&w->lock);
		while (!w->done)
			pthread_cond_wait(&w->cond, &w->lock);
		pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
}

int
serve_write(struct serve *sv,
    int (*fn)(struct store *s, void *arg, struct err *err), void *arg,
    struct err *err)
{
	struct serve_wait w = { 0 };

	w.job.call = fn;
	w.job.call_arg = arg;
	w.job.actor = "owl-serve";
	w.job.ep = SERVE_EP_OTHER;
	serve_wait_job(sv, &w, 1);
	if (w.job.status != 0)
		return err_set(err, ERR_FAILED, "%s", w.job.msg);
	return 0;
}

size_t
serve_queue_depth(struct serve *sv)
{
	size_t n;

	pthread_mutex_lock(&sv->qlock);
	n = sv->qlen;
	pthread_mutex_unlock(&sv->qlock);
	return n;
}

/* Opens the writer's transaction. On SQLite, counts it in
 * owl_writer_cache_resets_total when another connection committed
 * since the writer's last one: SQLite then empties the writer's page
 * cache, and the indexes an alert walks are read again from the file
 * (owl serve's own threads write through the writer for that reason:
 * the pull and pager duties' leases, paging, escalation). */
static int
serve_writer_begin(struct serve *sv, struct err *err)
{
	int64_t v;

	if (store_begin(sv->wstore, err) == -1)
		return -1;
	if (!sv->defer)
		return 0;
	v = store_data_version(sv->wstore);
	if (sv->wversion != 0 && v != sv->wversion)
		atomic_fetch_add(&sv->m.cache_resets, 1);
	sv->wversion = v;
	return 0;
}

/* Applies one job inside the open transaction; defer (NULL: none)
 * keeps the incidents' count-and-time rows for the batch's commit. */
static int
serve_writer_apply(struct serve *sv, struct serve_job *j,
    struct incident_ingest_defer *defer, struct err *err)
{
	int held;

	memset(&j->res, 0, sizeof j->res);
	memset(&j->pull, 0, sizeof j->pull);
	j->replayed = 0;
	j->fenced = 0;
	if (j->call != NULL) {
		/* it may change incidents: their groups are looked up again */
		incident_ingest_defer_forget(defer);
		return j->call(sv->wstore, j->call_arg, err);
	}
	if (j->signed_once &&
	    (j->replayed = receiver_signature_use(sv->wstore, j->sig_mac,
	         sizeof j->sig_mac, j->sig_until_us, err)) != 0)
		return j->replayed == 1 ? 0 : -1;
	if (j->batch != NULL &&
	    ingest_store_defer(
	        sv->wstore, j->batch, j->actor, &j->res, defer, err) == -1)
		return -1;
	/* a pull reads and writes incidents' rows as they are */
	if (j->pull_url != NULL &&
	    incident_ingest_defer_flush(sv->wstore, defer, err) == -1)
		return -1;
	/* taken over by another node since it was pulled: its own pull
	 * stands, this one would resolve what that one just saw */
	if (j->duty != NULL &&
	    (held = duty_held(sv->wstore, j->duty, sv->node.id, err)) != 1) {
		j->fenced = held == 0;
		return held == 0 ? 0 : -1;
	}
	if (j->pull_url != NULL &&
	    receiver_pull(sv->wstore, j->pull_url, j->alerts, j->nalerts,
	        j->pull_resolve, j->actor, &j->pull, err) == -1)
		return -1;
	return 0;
}

/* Bad input found only while storing is the sender's fault (400);
 * anything else is the database's (503: the sender retries). */
static void
serve_writer_fail(struct serve_job *j, const struct err *err)
{
	j->status = err->code == ERR_USAGE ? 400 : 503;
	snprintf(j->msg, sizeof j->msg, "%s",
	    err->msg[0] ? err->msg : "database error");
}

/* Whether the last failure was a lock held by another process: /healthz
 * probes for that itself (serve_health.c), while a full disk or an I/O
 * error is known only from the failed write. */
static int
serve_writer_busy(struct serve *sv)
{
	return store_locked(sv->wstore);
}

/* Stores one job in a transaction of its own. */
static void
serve_writer_single(struct serve *sv, struct serve_job *j)
{
	struct err err;
	int busy = -1;

	err_init(&err);
	if (serve_writer_begin(sv, &err) == -1)
		goto fail;
	if (serve_writer_apply(sv, j, NULL, &err) == -1) {
		busy = serve_writer_busy(sv);
		store_rollback(sv->wstore);
		goto fail;
	}
	if (store_commit(sv->wstore, &err) == -1)
		goto fail;
	atomic_fetch_add(&sv->m.commits, 1);
	serve_health_write(sv, NULL);
	j->status = 0;
	return;
fail:
	atomic_fetch_add(&sv->m.db_errors, 1);
	if (busy < 0)
		busy = serve_writer_busy(sv);
	if (!busy)
		serve_health_write(sv, &err);
	serve_writer_fail(j, &err);
}

/* The job whose write made the last failure: the one store_mark tagged
 * it with (a write sent ahead fails only when a later statement or the
 * commit waits for it: PostgreSQL's pipeline). NULL when it was none
 * of them (the batch's own rows, marked past the last job). */
static struct serve_job *
serve_writer_culprit(struct serve_job *jobs, int mark)
{
	for (; jobs != NULL && mark > 0; mark--)
		jobs = jobs->next;
	return jobs;
}

static void serve_writer_batch(struct serve *sv, struct serve_job *jobs);

/* After a batch failed: the job that made it fail is stored (or
 * refused) alone, and the others together again, so that one bad
 * payload fails only its own request; with no culprit known, each job
 * alone. The list keeps its order. */
static void
serve_writer_redo(
    struct serve *sv, struct serve_job *jobs, struct serve_job *culprit)
{
	struct serve_job **p, *j, *next;

	if (culprit == NULL) {
		for (j = jobs; j != NULL; j = next) {
			next = j->next;
			j->next = NULL;
			serve_writer_single(sv, j);
			j->next = next;
		}
		return;
	}
	for (p = &jobs; *p != culprit; p = &(*p)->next)
		;
	next = culprit->next;
	culprit->next = NULL;
	serve_writer_single(sv, culprit);
	*p = next;
	if (jobs != NULL)
		serve_writer_batch(sv, jobs);
	*p = culprit;
	culprit->next = next;
}

/* Stores a list of jobs in one transaction. When one job fails, the
 * transaction is rolled back, that job is stored alone and the others
 * together again, so that one bad payload cannot fail the requests that
 * share its transaction: also when its failure shows only at the
 * commit (a write sent ahead, store_mark). */
static void
serve_writer_batch(struct serve *sv, struct serve_job *jobs)
{
	struct incident_ingest_defer *defer;
	struct serve_job *j, *culprit;
	struct err err;
	int k = 0, mark;

	err_init(&err);
	if (jobs->next == NULL) {
		serve_writer_single(sv, jobs);
		return;
	}
	/* the incidents many requests touch: their rows written once */
	if ((defer = incident_ingest_defer_new()) == NULL) {
		err_set(&err, ERR_FAILED, "out of memory");
		goto all_fail;
	}
	if (serve_writer_begin(sv, &err) == -1)
		goto all_fail;
	for (j = jobs; j != NULL; j = j->next) {
		store_mark(sv->wstore, k++);
		if (serve_writer_apply(sv, j, defer, &err) == -1)
			break;
	}
	/* the rows kept for the commit are the batch's, no one job's */
	if (j == NULL)
		store_mark(sv->wstore, k);
	if (j != NULL ||
	    incident_ingest_defer_flush(sv->wstore, defer, &err) == -1) {
		/* the statement that failed, or a write sent ahead before */
		mark = store_failed_mark(sv->wstore);
		culprit = mark < 0 ? j : serve_writer_culprit(jobs, mark);
		store_mark(sv->wstore, -1);
		store_rollback(sv->wstore);
		incident_ingest_defer_free(defer);
		serve_writer_redo(sv, jobs, culprit);
		return;
	}
	incident_ingest_defer_free(defer);
	defer = NULL;
	store_mark(sv->wstore, -1);
	if (store_commit(sv->wstore, &err) == -1) {
		/* a write sent ahead failed: its job alone (none known: the
		 * batch's rows, each job alone); else the commit itself */
		if ((mark = store_failed_mark(sv->wstore)) < 0)
			goto all_fail;
		serve_writer_redo(sv, jobs, serve_writer_culprit(jobs, mark));
		return;
	}
	atomic_fetch_add(&sv->m.commits, 1);
	serve_health_write(sv, NULL);
	for (j = jobs; j != NULL; j = j->next)
		j->status = 0;
	return;
all_fail:
	incident_ingest_defer_free(defer);
	atomic_fetch_add(&sv->m.db_errors, 1);
	if (!serve_writer_busy(sv))
		serve_health_write(sv, &err);
	for (j = jobs; j != NULL; j = j->next)
		serve_writer_fail(j, &err);
}

/* Counts and hands back each job; the owner may free it at once. */
static void
serve_writer_finish(struct serve *sv, struct serve_job *jobs)
{
	int64_t now = clock_mono_us();
	struct serve_job *j, *next;

	for (j = jobs; j != NULL; j = next) {
		next = j->next;
		if (j->call != NULL) {
			j->done(j);
			continue;
		}
		if (j->status == 0) {
			atomic_fetch_add(&sv->m.committed, 1);
			if (j->pull_url != NULL)
				atomic_fetch_add(
				    &sv->m.pulled_alerts, j->pull.alerts);
			else
				atomic_fetch_add(
				    &sv->m.alerts[j->ep], j->res.alerts);
		}
		serve_metrics_latency(&sv->m, now - j->queued_us);
		j->done(j);
	}
}

static size_t
serve_writer_size(const struct serve_job *j)
{
	return j->batch != NULL ? ingest_batch_alerts(j->batch) : j->nalerts;
}

/* Hands stored jobs on to be answered: at once when their commit was
 * durable, else to the syncer. */
static void
serve_writer_hand(struct serve *sv, struct serve_job *jobs)
{
	struct serve_job *j;
	size_t n = 0;

	if (!sv->defer) {
		serve_writer_finish(sv, jobs);
		return;
	}
	for (j = jobs; j->next != NULL; j = j->next)
		n++;
	pthread_mutex_lock(&sv->qlock);
	if (sv->stail != NULL)
		sv->stail->next = jobs;
	else
		sv->shead = jobs;
	sv->stail = j;
	sv->syncing += n + 1;
	pthread_cond_signal(&sv->scond);
	pthread_mutex_unlock(&sv->qlock);
}

/* Puts on disk what the jobs stored (the writer committed them before
 * they were handed on); on failure each stored job answers 503. */
static void
serve_writer_durable(struct serve *sv, struct serve_job *jobs)
{
	struct serve_job *j;
	struct err err;

	for (j = jobs; j != NULL && j->status != 0; j = j->next)
		;
	if (j == NULL)
		return; /* none stored */
	err_init(&err);
	if (store_durable(sv->wstore, &err) == 0)
		return;
	atomic_fetch_add(&sv->m.db_errors, 1);
	serve_health_write(sv, &err);
	for (j = jobs; j != NULL; j = j->next)
		if (j->status == 0)
			serve_writer_fail(j, &err);
}

/* The syncer: takes every job committed so far, syncs once for all of
 * them and answers them, while the writer stores the next ones. */
static void *
serve_writer_syncer(void *arg)
{
	struct serve *sv = arg;
	struct serve_job *jobs;
	size_t n;

	for (;;) {
		pthread_mutex_lock(&sv->qlock);
		while (sv->shead == NULL && !sv->sstop)
			pthread_cond_wait(&sv->scond, &sv->qlock);
		jobs = sv->shead;
		sv->shead = sv->stail = NULL;
		n = sv->syncing;
		pthread_mutex_unlock(&sv->qlock);
		if (jobs == NULL)
			break; /* stopping, and all answered */
		serve_writer_durable(sv, jobs);
		pthread_mutex_lock(&sv->qlock);
		sv->syncing -= n;
		pthread_cond_signal(&sv->qcond); /* a gather counts them */
		pthread_mutex_unlock(&sv->qlock);
		serve_writer_finish(sv, jobs);
	}
	return NULL;
}

/* The checkpointer: a passive checkpoint each time it is woken, which
 * copies the WAL up to the frames it had then (kat) unless a reader
 * still needs older ones. */
static void *
serve_writer_ckpt(void *arg)
{
	struct serve *sv = arg;
	long at;

	pthread_mutex_lock(&sv->qlock);
	for (;;) {
		while (!sv->kwant && !sv->kstop)
			pthread_cond_wait(&sv->kcond, &sv->qlock);
		if (sv->kstop)
			break;
		sv->kwant = 0;
		sv->kbusy = 1;
		at = sv->kat;
		pthread_mutex_unlock(&sv->qlock);
		store_checkpoint(sv->kstore);
		pthread_mutex_lock(&sv->qlock);
		sv->kbusy = 0;
		sv->kdone = at;
	}
	pthread_mutex_unlock(&sv->qlock);
	return NULL;
}

/* Wakes the checkpointer for the WAL's frames now; whether it was idle
 * (*idle) and how far its last pass copied (*done). With wake 0 only
 * asks. */
static void
serve_writer_ckpt_wake(
    struct serve *sv, long frames, int wake, int *idle, long *done)
{
	pthread_mutex_lock(&sv->qlock);
	*idle = !sv->kwant && !sv->kbusy;
	*done = sv->kdone;
	if (wake) {
		sv->kfrom = frames;
		sv->kat = frames;
		sv->kwant = 1;
		pthread_cond_signal(&sv->kcond);
	}
	pthread_mutex_unlock(&sv->qlock);
}

/* After a commit: wakes the checkpointer, or checkpoints so that the
 * next write starts the WAL over. */
static void
serve_writer_wal(struct serve *sv)
{
	long frames, done;
	int idle;

	if (!sv->ckpt_started)
		return;
	frames = store_wal_frames(sv->wstore);
	if (frames < sv->kfrom) {
		/* the WAL started over */
		sv->kfrom = 0;
		pthread_mutex_lock(&sv->qlock);
		sv->kdone = 0;
		pthread_mutex_unlock(&sv->qlock);
	}
	if (frames >= SERVE_WAL_RESTART) {
		serve_writer_ckpt_wake(sv, frames, 0, &idle, &done);
		if (frames >= SERVE_WAL_FULL ||
		    (idle && frames - done <= SERVE_WAL_TAIL))
			store_checkpoint(sv->wstore);
		else if (idle)
			serve_writer_ckpt_wake(sv, frames, 1, &idle, &done);
	} else if (frames - sv->kfrom >= SERVE_WAL_CHECKPOINT) {
		serve_writer_ckpt_wake(sv, frames, 1, &idle, &done);
	}
}

/* Stores the jobs taken: the small ones together, then the large ones. */
static void
serve_writer_store(struct serve *sv, struct serve_job *jobs)
{
	struct serve_job *small = NULL, **st = &small, *large = NULL,
	                 **lt = &large, *j, *next;

	for (j = jobs; j != NULL; j = next) {
		next = j->next;
		j->next = NULL;
		if (serve_writer_size(j) > SERVE_WRITER_LARGE) {
			*lt = j;
			lt = &j->next;
		} else {
			*st = j;
			st = &j->next;
		}
	}
	if (small != NULL) {
		serve_writer_batch(sv, small);
		serve_writer_hand(sv, small);
		serve_writer_wal(sv);
	}
	if (large != NULL) {
		serve_writer_batch(sv, large);
		serve_writer_hand(sv, large);
		serve_writer_wal(sv);
	}
}

static void
serve_writer_deadline(struct timespec *ts, int64_t us)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += (long)(us % CLOCK_US_PER_SEC) * 1000;
	ts->tv_sec += us / CLOCK_US_PER_SEC + ts->tv_nsec / 1000000000;
	ts->tv_nsec %= 1000000000;
}

/* Under load, lets the requests still in flight join this batch, and
 * waits while the syncer is still syncing an earlier one: their answers
 * wait for the sync after that one in any case, so committing now would
 * only make smaller transactions (more pages written, more syncs) (queue
 * lock held). Those waiting for the syncer will not join. */
static void
serve_writer_gather(struct serve *sv, int64_t last_commit)
{
	struct timespec ts;

	if (last_commit == 0 ||
	    clock_mono_us() - last_commit > SERVE_WRITER_LOAD_US)
		return;
	serve_writer_deadline(&ts, SERVE_WRITER_GATHER_US);
	while (sv->qlen < sv->batch_max && !sv->wstop &&
	    (sv->syncing > 0 ||
	        (long)(sv->qlen + sv->syncing) < atomic_load(&sv->inflight)))
		if (pthread_cond_timedwait(&sv->qcond, &sv->qlock, &ts) != 0)
			break;
}

/* Takes up to batch_max jobs off the queue; waits while it is empty.
 * Returns NULL when stopping with nothing left, or on an idle timeout
 * (*idle set). */
static struct serve_job *
serve_writer_take(struct serve *sv, int64_t last_commit, int *idle)
{
	struct serve_job *head, *tail;
	struct timespec ts;
	size_t n;

	*idle = 0;
	pthread_mutex_lock(&sv->qlock);
	while (sv->qhead == NULL && !sv->wstop) {
		serve_writer_deadline(&ts, SERVE_WRITER_IDLE_US);
		if (pthread_cond_timedwait(&sv->qcond, &sv->qlock, &ts) != 0 &&
		    sv->qhead == NULL) {
			*idle = 1;
			break;
		}
	}
	if (sv->qhead != NULL)
		serve_writer_gather(sv, last_commit);
	head = tail = sv->qhead;
	if (head != NULL) {
		for (n = 1; n < sv->batch_max && tail->next != NULL; n++)
			tail = tail->next;
		sv->qhead = tail->next;
		if (sv->qhead == NULL)
			sv->qtail = NULL;
		tail->next = NULL;
		sv->qlen -= n;
	}
	pthread_mutex_unlock(&sv->qlock);
	return head;
}

static void *
serve_writer_main(void *arg)
{
	struct serve *sv = arg;
	struct serve_job *jobs;
	int64_t last_commit = 0;
	int idle, dirty = 0;

	for (;;) {
		jobs = serve_writer_take(sv, last_commit, &idle);
		if (jobs == NULL) {
			if (idle && dirty) {
				/* readers come and go: a passive checkpoint
				 * never waits for them, and runs often enough
				 * that the WAL is reset between bursts */
				store_checkpoint(sv->wstore);
				dirty = 0;
			}
			if (!idle)
				break; /* stopping and the queue is empty */
			continue;
		}
		serve_writer_store(sv, jobs);
		last_commit = clock_mono_us();
		dirty = 1;
	}
	return NULL;
}

int
serve_writer_start(struct serve *sv, struct err *err)
{
	if ((sv->wstore = store_open_writer(sv->cfg->db_path, err)) == NULL)
		return -1;
	store_busy_timeout(sv->wstore, SERVE_WRITER_BUSY_MS);
	if (store_sync(sv->wstore, STORE_SYNC_FULL, err) == -1 ||
	    store_cache_mib(sv->wstore, SERVE_WRITER_CACHE_MIB, err) == -1 ||
	    (sv->defer = store_defer_durable(sv->wstore, err)) == -1)
		return -1;
	if (sv->defer) {
		if (pthread_create(
		        &sv->syncer, NULL, serve_writer_syncer, sv) != 0)
			return err_set(
			    err, ERR_FAILED, "cannot start the syncer thread");
		sv->syncer_started = 1;
		if ((sv->kstore = store_open(sv->cfg->db_path, err)) == NULL ||
		    store_checkpoint_manual(sv->wstore, err) == -1)
			return -1;
		if (pthread_create(&sv->ckpt, NULL, serve_writer_ckpt, sv) != 0)
			return err_set(err, ERR_FAILED,
			    "cannot start the checkpoint thread");
		sv->ckpt_started = 1;
	}
	if (pthread_create(&sv->writer, NULL, serve_writer_main, sv) != 0)
		return err_set(err, ERR_FAILED,
		    "cannot start the writer "
		    "thread");
	sv->writer_started = 1;
	return 0;
}

/* Stops one of the writer's threads (if started): its stop flag set
 * under the queue lock, its condition broadcast, then joined. */
static void
serve_writer_join(struct serve *sv, pthread_t t, int *started, int *stop,
    pthread_cond_t *cond)
{
	if (!*started)
		return;
	pthread_mutex_lock(&sv->qlock);
	*stop = 1;
	pthread_cond_broadcast(cond);
	pthread_mutex_unlock(&sv->qlock);
	pthread_join(t, NULL);
	*started = 0;
}

void
serve_writer_stop(struct serve *sv)
{
	serve_writer_join(
	    sv, sv->writer, &sv->writer_started, &sv->wstop, &sv->qcond);
	serve_writer_join(
	    sv, sv->ckpt, &sv->ckpt_started, &sv->kstop, &sv->kcond);
	store_close(sv->kstore);
	sv->kstore = NULL;
	/* after the writer: what it committed last is answered */
	serve_writer_join(
	    sv, sv->syncer, &sv->syncer_started, &sv->sstop, &sv->scond);
}
