/* serve_conn.c: the connections of `owl serve` and their limits. Every
 * connection is registered when MHD accepts it; a server at its limit
 * makes room by shutting down the connection that has been idle the
 * longest (waiting for a request line and headers), so that idle
 * sockets cannot keep a real sender out; an address over its share
 * gives up its own oldest idle connection first. A reaper thread cuts
 * every connection past its phase's deadline: a short one for the
 * request line and headers, a longer one for the body and the reply.
 * MHD 0.9.75's own timeout counts only idle time, which a client
 * dripping a byte a second never trips (SECURITY.md §2.3): shutdown()
 * makes MHD close the connection. Also the budget of body bytes in
 * flight. */
#include "serve_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/clock.h"

#define SERVE_REAP_EVERY_US (100 * 1000)

/* The client's address as a key: IPv4 (also v4-mapped IPv6) or IPv6. */
static void
serve_conn_key(const struct sockaddr *sa, unsigned char key[17])
{
	memset(key, 0, 17);
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			key[0] = 4;
			memcpy(key + 1, a->s6_addr + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, a->s6_addr, 16);
		}
	}
}

/* The connection idle the longest (waiting for headers), among those of
 * one address (addr non-NULL) or all; never except. Lock held. */
static struct serve_conn *
serve_conn_oldest_idle(struct serve *sv, const unsigned char *addr,
    const struct serve_conn *except)
{
	struct serve_conn *best = NULL;
	long long best_t = 0;

	for (struct serve_conn *sc = sv->conns; sc != NULL; sc = sc->next) {
		long long t;

		if (sc == except || sc->cut ||
		    atomic_load(&sc->phase) != SERVE_PHASE_HEAD ||
		    (addr != NULL && memcmp(sc->addr, addr, 17) != 0))
			continue;
		t = atomic_load(&sc->start_us);
		if (best == NULL || t < best_t) {
			best = sc;
			best_t = t;
		}
	}
	return best;
}

/* Shuts a connection down; MHD closes it on its next read. Lock held. */
static void
serve_conn_cut(struct serve *sv, struct serve_conn *sc)
{
	shutdown(sc->fd, SHUT_RDWR);
	sc->cut = 1;
	sv->ncut++;
}

/* Makes room for sc (just registered) within the limits: past the
 * per-address share, that address's oldest idle connection goes, else
 * the newcomer; past the total, the oldest idle connection goes, else
 * the newcomer. Lock held. */
static void
serve_conn_admit(struct serve *sv, struct serve_conn *sc)
{
	struct serve_conn *victim;
	unsigned same = 0;

	for (struct serve_conn *o = sv->conns; o != NULL; o = o->next)
		same += !o->cut && memcmp(o->addr, sc->addr, 17) == 0;
	if (same > sv->max_conns_per_ip) {
		victim = serve_conn_oldest_idle(sv, sc->addr, sc);
		serve_conn_cut(sv, victim != NULL ? victim : sc);
		atomic_fetch_add(
		    victim != NULL ? &sv->m.evicted : &sv->m.refused, 1);
		if (victim == NULL)
			return;
	}
	if (sv->nconns - sv->ncut > sv->max_conns) {
		victim = serve_conn_oldest_idle(sv, NULL, sc);
		serve_conn_cut(sv, victim != NULL ? victim : sc);
		atomic_fetch_add(
		    victim != NULL ? &sv->m.evicted : &sv->m.refused, 1);
	}
}

static void
serve_conn_started(struct serve *sv, struct MHD_Connection *c, void **sctx)
{
	const union MHD_ConnectionInfo *fd, *ca;
	struct serve_conn *sc;

	fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	ca = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (fd == NULL || (sc = calloc(1, sizeof *sc)) == NULL)
		return;
	sc->sv = sv;
	sc->fd = fd->connect_fd;
	serve_conn_key(ca != NULL ? ca->client_addr : NULL, sc->addr);
	atomic_store(&sc->start_us, clock_mono_us());
	atomic_store(&sc->phase, SERVE_PHASE_HEAD);
	pthread_mutex_lock(&sv->connlock);
	sc->next = sv->conns;
	if (sv->conns != NULL)
		sv->conns->prev = sc;
	sv->conns = sc;
	sv->nconns++;
	serve_conn_admit(sv, sc);
	pthread_mutex_unlock(&sv->connlock);
	*sctx = sc;
}

void
serve_conn_notify(void *cls, struct MHD_Connection *c, void **sctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct serve *sv = cls;
	struct serve_conn *sc = *sctx;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		serve_conn_started(sv, c, sctx);
		return;
	}
	if (sc == NULL)
		return;
	/* MHD closes the socket after this returns: once unlinked under the
	 * lock, the reaper can no longer touch an fd that may be reused */
	pthread_mutex_lock(&sv->connlock);
	if (sc->prev != NULL)
		sc->prev->next = sc->next;
	else
		sv->conns = sc->next;
	if (sc->next != NULL)
		sc->next->prev = sc->prev;
	sv->nconns--;
	if (sc->cut)
		sv->ncut--;
	pthread_mutex_unlock(&sv->connlock);
	serve_tls_release(sv, sc->tls);
	free(sc);
	*sctx = NULL;
}

void
serve_conn_phase(struct MHD_Connection *c, enum serve_phase phase)
{
	const union MHD_ConnectionInfo *ci;
	struct serve_conn *sc;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (sc = ci->socket_context) == NULL)
		return;
	atomic_store(&sc->start_us, clock_mono_us());
	atomic_store(&sc->phase, phase);
}

/* Cuts every connection past its phase's deadline; none while owl
 * itself is working on its request. */
static void
serve_conn_reap(struct serve *sv)
{
	int64_t now = clock_mono_us();

	pthread_mutex_lock(&sv->connlock);
	for (struct serve_conn *sc = sv->conns; sc != NULL; sc = sc->next) {
		int phase = atomic_load(&sc->phase);
		int64_t limit = phase == SERVE_PHASE_HEAD ? sv->head_deadline_us
		                                          : sv->deadline_us;

		if (sc->cut || phase == SERVE_PHASE_BUSY ||
		    now - atomic_load(&sc->start_us) < limit)
			continue;
		serve_conn_cut(sv, sc);
		atomic_fetch_add(phase == SERVE_PHASE_HEAD
		        ? &sv->m.head_timeouts
		        : &sv->m.timeouts,
		    1);
	}
	pthread_mutex_unlock(&sv->connlock);
}

static void *
serve_conn_reaper_main(void *arg)
{
	struct serve *sv = arg;
	struct timespec ts;

	pthread_mutex_lock(&sv->connlock);
	while (!sv->rstop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += SERVE_REAP_EVERY_US * 1000;
		ts.tv_sec += ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&sv->ccond, &sv->connlock, &ts);
		if (sv->rstop)
			break;
		pthread_mutex_unlock(&sv->connlock);
		serve_conn_reap(sv);
		pthread_mutex_lock(&sv->connlock);
	}
	pthread_mutex_unlock(&sv->connlock);
	return NULL;
}

int
serve_conn_reaper_start(struct serve *sv, struct err *err)
{
	if (pthread_create(&sv->reaper, NULL, serve_conn_reaper_main, sv) != 0)
		return err_set(err, ERR_FAILED, "cannot start a thread");
	sv->reaper_started = 1;
	return 0;
}

void
serve_conn_reaper_stop(struct serve *sv)
{
	if (!sv->reaper_started)
		return;
	pthread_mutex_lock(&sv->connlock);
	sv->rstop = 1;
	pthread_cond_broadcast(&sv->ccond);
	pthread_mutex_unlock(&sv->connlock);
	pthread_join(sv->reaper, NULL);
	sv->reaper_started = 0;
}

int
serve_budget_take(struct serve *sv, size_t n)
{
	size_t used = atomic_load(&sv->budget_used);

	do {
		if (n > sv->budget - used)
			return -1;
	} while (
	    !atomic_compare_exchange_weak(&sv->budget_used, &used, used + n));
	return 0;
}

void
serve_budget_give(struct serve *sv, size_t n)
{
	atomic_fetch_sub(&sv->budget_used, n);
}
