/* serve_tls.c: HTTPS for `owl serve` (--tls-cert, --tls-key) through
 * libmicrohttpd's GnuTLS. MHD asks for the certificate at every
 * handshake (MHD_OPTION_HTTPS_CERT_CALLBACK), so a reload (SIGHUP)
 * swaps it for the next handshakes while the connections already open
 * go on with theirs: nothing is dropped. Each loaded certificate counts
 * the connections that use it and is freed once retired and unused
 * (GnuTLS keeps pointers to it for the life of the session). */
#include "serve_int.h"

#include "engine/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integrations/lazy_gnutls.h"

#define SERVE_TLS_MAX_CHAIN 16
#define SERVE_TLS_MAX_FILE (1024 * 1024)

struct serve_tls_cred {
	struct serve_tls_cred *next; /* retired, still in use */
	gnutls_pcert_st certs[SERVE_TLS_MAX_CHAIN];
	unsigned ncerts;
	gnutls_privkey_t key;
	long refs; /* connections that use it */
	int retired;
	int64_t not_after; /* the leaf's expiry, Unix seconds */
};

struct serve_tls {
	const char *cert_path, *key_path; /* borrowed from the config */
	pthread_mutex_t lock;
	struct serve_tls_cred *cur;
	struct serve_tls_cred *retired;
};

static void
serve_tls_cred_free(struct serve_tls_cred *c)
{
	if (c == NULL)
		return;
	for (unsigned i = 0; i < c->ncerts; i++)
		gnutls_pcert_deinit(&c->certs[i]);
	gnutls_privkey_deinit(c->key);
	free(c);
}

/* Reads a whole PEM file into d (free d->data; zero it for a key). */
static int
serve_tls_read(
    const char *what, const char *path, gnutls_datum_t *d, struct err *err)
{
	struct stat st;
	ssize_t n;
	int fd;

	d->data = NULL;
	d->size = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(
		    err, ERR_USAGE, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > SERVE_TLS_MAX_FILE || st.st_size == 0) {
		close(fd);
		return err_set(err, ERR_USAGE,
		    "%s %s: not a PEM file of 1 byte to 1 MiB", what, path);
	}
	if ((d->data = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	n = read(fd, d->data, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(d->data);
		d->data = NULL;
		return err_set(err, ERR_USAGE, "%s %s: short read", what, path);
	}
	d->data[n] = '\0';
	d->size = (unsigned)n;
	return 0;
}

/* Checks that the key is the certificate's, as GnuTLS would at startup. */
static int
serve_tls_match(const struct serve_tls *t, const gnutls_datum_t *cd,
    const gnutls_datum_t *kd, struct err *err)
{
	gnutls_certificate_credentials_t x;
	int rc;

	if (gnutls_certificate_allocate_credentials(&x) < 0)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = gnutls_certificate_set_x509_key_mem2(
	    x, cd, kd, GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_certificate_free_credentials(x);
	if (rc < 0)
		return err_set(err, ERR_USAGE,
		    "--tls-key %s with --tls-cert %s: %s", t->key_path,
		    t->cert_path, gnutls_strerror(rc));
	return 0;
}

/* The expiry of the first certificate of the chain. */
static int64_t
serve_tls_not_after(const gnutls_pcert_st *leaf)
{
	gnutls_x509_crt_t crt;
	int64_t t = 0;

	if (gnutls_x509_crt_init(&crt) < 0)
		return 0;
	if (gnutls_x509_crt_import(crt, &leaf->cert, GNUTLS_X509_FMT_DER) >= 0)
		t = (int64_t)gnutls_x509_crt_get_expiration_time(crt);
	gnutls_x509_crt_deinit(crt);
	return t;
}

/* Loads the certificate chain and key named by the config. */
static struct serve_tls_cred *
serve_tls_load(const struct serve_tls *t, struct err *err)
{
	gnutls_datum_t cd = { 0 }, kd = { 0 };
	struct serve_tls_cred *c = NULL;
	int rc;

	if (serve_tls_read("--tls-cert", t->cert_path, &cd, err) == -1 ||
	    serve_tls_read("--tls-key", t->key_path, &kd, err) == -1)
		goto fail;
	if (serve_tls_match(t, &cd, &kd, err) == -1)
		goto fail;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto fail;
	}
	c->ncerts = SERVE_TLS_MAX_CHAIN;
	rc = gnutls_pcert_list_import_x509_raw(
	    c->certs, &c->ncerts, &cd, GNUTLS_X509_FMT_PEM, 0);
	if (rc < 0) {
		c->ncerts = 0;
		err_set(err, ERR_USAGE, "--tls-cert %s: %s", t->cert_path,
		    gnutls_strerror(rc));
		goto fail;
	}
	if ((rc = gnutls_privkey_init(&c->key)) < 0 ||
	    (rc = gnutls_privkey_import_x509_raw(
	         c->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		err_set(err, ERR_USAGE, "--tls-key %s: %s", t->key_path,
		    gnutls_strerror(rc));
		goto fail;
	}
	c->not_after = serve_tls_not_after(&c->certs[0]);
	goto out;
fail:
	serve_tls_cred_free(c);
	c = NULL;
out:
	if (kd.data != NULL)
		explicit_bzero(kd.data, kd.size);
	free(kd.data);
	free(cd.data);
	return c;
}

int
serve_tls_open(struct serve *sv, struct err *err)
{
	const struct serve_config *cfg = sv->cfg;
	struct serve_tls *t;

	if (cfg->tls_cert == NULL && cfg->tls_key == NULL)
		return 0;
	if (cfg->tls_cert == NULL || cfg->tls_key == NULL)
		return err_set(
		    err, ERR_USAGE, "--tls-cert and --tls-key go together");
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
		return err_set(
		    err, ERR_FAILED, "this libmicrohttpd is built without TLS");
	if ((t = calloc(1, sizeof *t)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	t->cert_path = cfg->tls_cert;
	t->key_path = cfg->tls_key;
	pthread_mutex_init(&t->lock, NULL);
	sv->tls = t;
	if ((t->cur = serve_tls_load(t, err)) == NULL)
		return -1;
	return 0;
}

void
serve_tls_close(struct serve *sv)
{
	struct serve_tls *t = sv->tls;
	struct serve_tls_cred *c, *next;

	if (t == NULL)
		return;
	for (c = t->retired; c != NULL; c = next) {
		next = c->next;
		serve_tls_cred_free(c);
	}
	serve_tls_cred_free(t->cur);
	pthread_mutex_destroy(&t->lock);
	free(t);
	sv->tls = NULL;
}

/* Frees a retired certificate no connection uses any more (lock held). */
static void
serve_tls_reap(struct serve_tls *t)
{
	struct serve_tls_cred **pp = &t->retired, *c;

	while ((c = *pp) != NULL) {
		if (c->refs > 0) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		serve_tls_cred_free(c);
	}
}

int
serve_reload_tls(struct serve *sv, char *info, size_t n, struct err *err)
{
	struct serve_tls *t = sv->tls;
	struct serve_tls_cred *c;
	char when[CLOCK_RFC3339_MAX];

	if (t == NULL)
		return err_set(err, ERR_USAGE, "no TLS certificate to reload");
	if ((c = serve_tls_load(t, err)) == NULL) {
		err_prefix(err, "reload failed, the old certificate stays: ");
		return -1;
	}
	pthread_mutex_lock(&t->lock);
	t->cur->retired = 1;
	t->cur->next = t->retired;
	t->retired = t->cur;
	t->cur = c;
	serve_tls_reap(t);
	pthread_mutex_unlock(&t->lock);
	clock_format(c->not_after * CLOCK_US_PER_SEC, 0, when);
	snprintf(info, n, "%s (%u in the chain, expires %s)", t->cert_path,
	    c->ncerts, when);
	return 0;
}

void
serve_tls_release(struct serve *sv, struct serve_tls_cred *c)
{
	struct serve_tls *t = sv->tls;

	if (t == NULL || c == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	c->refs--;
	if (c->retired)
		serve_tls_reap(t);
	pthread_mutex_unlock(&t->lock);
}

/* GnuTLS asks for the certificate at a handshake (an MHD thread). MHD
 * sets the session's pointer to its connection, whose socket context is
 * owl's serve_conn (serve_conn.c). */
static int
serve_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca,
    int nreqs, const gnutls_pk_algorithm_t *algos, int nalgos,
    gnutls_pcert_st **pcert, unsigned int *npcert, gnutls_privkey_t *key)
{
	struct MHD_Connection *conn = gnutls_session_get_ptr(session);
	const union MHD_ConnectionInfo *ci;
	struct serve_conn *sc;
	struct serve_tls *t;

	(void)req_ca;
	(void)nreqs;
	(void)algos;
	(void)nalgos;
	if (conn == NULL ||
	    (ci = MHD_get_connection_info(
	         conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT)) == NULL ||
	    (sc = ci->socket_context) == NULL || (t = sc->sv->tls) == NULL)
		return -1;
	serve_tls_release(sc->sv, sc->tls); /* a second handshake */
	pthread_mutex_lock(&t->lock);
	sc->tls = t->cur;
	t->cur->refs++;
	*pcert = t->cur->certs;
	*npcert = t->cur->ncerts;
	*key = t->cur->key;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

void *
serve_tls_callback(void)
{
	return (void *)serve_tls_retrieve;
}
