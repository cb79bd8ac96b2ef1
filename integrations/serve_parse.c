/* serve_parse.c: the parser threads of `owl serve`. A request whose body
 * has arrived is suspended on its MHD thread and queued here; a parser
 * checks its body credentials, parses it (serve_http_process) and hands
 * it to the writer. MHD's threads only move bytes, so a payload of
 * 100,000 alerts holds up no other connection while it is parsed. */
#include "serve_int.h"

#include <unistd.h>

void
serve_parse_queue(struct serve *sv, struct serve_req *r)
{
	pthread_mutex_lock(&sv->parse_lock);
	r->next = NULL;
	if (sv->ptail != NULL)
		sv->ptail->next = r;
	else
		sv->phead = r;
	sv->ptail = r;
	sv->plen++;
	pthread_cond_signal(&sv->parse_cond);
	pthread_mutex_unlock(&sv->parse_lock);
}

size_t
serve_parse_depth(struct serve *sv)
{
	size_t n;

	pthread_mutex_lock(&sv->parse_lock);
	n = sv->plen;
	pthread_mutex_unlock(&sv->parse_lock);
	return n;
}

/* Takes the next request; NULL once stopping with nothing queued. */
static struct serve_req *
serve_parse_take(struct serve *sv)
{
	struct serve_req *r;

	pthread_mutex_lock(&sv->parse_lock);
	while (sv->phead == NULL && !sv->parse_stop)
		pthread_cond_wait(&sv->parse_cond, &sv->parse_lock);
	r = sv->phead;
	if (r != NULL) {
		sv->phead = r->next;
		if (sv->phead == NULL)
			sv->ptail = NULL;
		sv->plen--;
	}
	pthread_mutex_unlock(&sv->parse_lock);
	return r;
}

static void *
serve_parse_main(void *arg)
{
	struct serve *sv = arg;
	struct serve_req *r;

	while ((r = serve_parse_take(sv)) != NULL)
		serve_http_process(r);
	return NULL;
}

int
serve_parse_start(struct serve *sv, struct err *err)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = sv->cfg->parsers;

	if (n == 0)
		n = cores > 0 ? (unsigned)cores : 2;
	if (n > SERVE_MAX_PARSERS)
		n = SERVE_MAX_PARSERS;
	for (sv->nparsers = 0; sv->nparsers < n; sv->nparsers++)
		if (pthread_create(&sv->parsers[sv->nparsers], NULL,
		        serve_parse_main, sv) != 0)
			return err_set(
			    err, ERR_FAILED, "cannot start a parser thread");
	return 0;
}

void
serve_parse_stop(struct serve *sv)
{
	pthread_mutex_lock(&sv->parse_lock);
	sv->parse_stop = 1;
	pthread_cond_broadcast(&sv->parse_cond);
	pthread_mutex_unlock(&sv->parse_lock);
	for (unsigned i = 0; i < sv->nparsers; i++)
		pthread_join(sv->parsers[i], NULL);
	sv->nparsers = 0;
}
