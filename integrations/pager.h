/* pager.h: paging inside `owl serve`: a thread that, every tick, holds
 * the pager duty's lease (engine/duty.h: one owl serve of all that share
 * the database pages at a time; another takes over when it dies), runs
 * escalation (engine/escalation.h) and delivers the pages due (engine/pages.h)
 * through their channels (page_send.h), several at once; and the
 * delivery of one page that `owl page` uses without a server. Every
 * state is in the database: a restarted owl serve carries on where the
 * last one stopped. */
#ifndef OWL_PAGER_H
#define OWL_PAGER_H

#include <stdint.h>

#include "engine/buf.h"
#include "engine/config.h"
#include "engine/err.h"
#include "engine/escalation.h"
#include "engine/oncall.h"
#include "engine/pages.h"
#include "engine/store.h"
#include "integrations/page_send.h"

/* One log line (no newline), from the pager's thread. */
typedef void pager_log_fn(void *ctx, const char *line);

/* The work of one write transaction of the pager's. */
typedef int pager_txn_fn(struct store *s, void *arg, struct err *err);

/* Runs fn(s, arg, err) in a write transaction and returns 0 once it is
 * committed and on disk, -1 with err set when fn or the commit failed
 * (its writes rolled back). fn may be run more than once, each time
 * from the start. owl serve's is serve_write: the pager writes on the
 * serve writer's connection, whose page cache a commit of the pager's
 * own connection would empty. */
typedef int pager_write_fn(
    void *ctx, pager_txn_fn *fn, void *arg, struct err *err);

struct pager_config {
	const char *db_path;
	const struct config *config; /* borrowed; outlives the pager */
	pager_log_fn *log; /* NULL: silent */
	void *log_ctx;
	int64_t tick_us; /* 0: 1 s */
	int64_t lease_us; /* the pager duty's lease (duty.h); 0: 15 s */
	/* how the pager writes; NULL: on its own connection (it reads on
	 * its own connection either way) */
	pager_write_fn *write;
	void *write_ctx;
};

struct pager;

/* Reads the config's oncall, escalation and channels (a bad one: NULL
 * with err, ERR_USAGE) and starts the thread. A config that pages
 * nobody (no oncall.people and no escalation): NULL, err not set. */
struct pager *pager_start(const struct pager_config *cfg, struct err *err);

/* Stops the thread (letting a send in flight finish) and frees p.
 * Accepts NULL. */
void pager_stop(struct pager *p);

/* One attempt of page d at now, on its current channel: send, then
 * record the result (and its action-log entries). *final is 1 when the
 * page is done; line gets a one-line account ("page 5 to alice via
 * slack: sent (attempt 1)"). */
int pager_attempt(struct store *s, struct page_send *ps, struct pages_due *d,
    int64_t now, int *final, char *line, size_t linesz, struct err *err);

/* Appends owl_pages_sent_total{channel} and owl_pages_failed_total
 * (counted from the database: they include `owl page` and survive a
 * restart) to a Prometheus text exposition. */
int pager_metrics_format(struct store *s, struct buf *out, struct err *err);

/* "host:pid" of this process, and the host alone. */
void pager_holder(char *holder, size_t n, char *host, size_t hn);

#endif
