/* rb_fx_git.c: the git effects of the chokepoint (rb_fx.h) on config
 * repositories: git.checkout makes a private work copy (in owl's state,
 * never the operator's checkout) and git.read and git.log read it;
 * git.write (op "replace" for git.replace) stages an edit, shown in the
 * plan as a unified diff; git.commit commits it with the actor as author
 * and the incident and run in a trailer; git.push is the write that
 * reaches the world (never forced), and git.revert, its undo, pushes
 * revert commits on top. Credentials come from secrets and are never
 * shown; a URL that holds them is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"
#include "rb_diff.h"
#include "rb_fx.h"

#define RB_FX_GIT_MSG_MAX 8192 /* a commit message */

/* Nonzero when url carries credentials: any user part in an http(s)
 * URL (a token as the user name works there), a password elsewhere
 * (ssh://git@host is a user, not a secret). They belong in a secret:
 * the request is logged as it is. */
static int
rb_fx_git_url_has_cred(const char *url)
{
	const char *scheme = strstr(url, "://"), *host, *at;
	size_t hostlen;

	if (scheme == NULL)
		return 0;
	host = scheme + 3;
	hostlen = strcspn(host, "/");
	if ((at = memchr(host, '@', hostlen)) == NULL)
		return 0;
	if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0)
		return 1;
	return memchr(host, ':', (size_t)(at - host)) != NULL;
}

/* The target of every git effect: the URL, the branch, and for a file
 * its path ("URL ref path"). */
static int
rb_fx_git_describe(const json_t *req, struct rb_fx_desc *d, struct err *err)
{
	const char *url = json_string_value(json_object_get(req, "url"));
	const char *ref = json_string_value(json_object_get(req, "ref"));
	const char *path = json_string_value(json_object_get(req, "path"));
	const char *op = json_string_value(json_object_get(req, "op"));

	if (url == NULL || *url == '\0' || ref == NULL || *ref == '\0' ||
	    (strcmp(d->name, "git.checkout") != 0 &&
	        !json_is_integer(json_object_get(req, "handle"))))
		return err_set(err, ERR_USAGE,
		    "%s: give a checkout (from git.checkout)", d->name);
	if (rb_fx_git_url_has_cred(url))
		return err_set(err, ERR_USAGE,
		    "git.checkout: the URL holds credentials; give them as a "
		    "secret instead ({ token = secret.get(NAME) }), which owl "
		    "never shows");
	snprintf(d->target, sizeof d->target, "%.600s %.200s%s%.200s", url, ref,
	    path ? " " : "", path ? path : "");
	if (op != NULL && strcmp(op, "replace") == 0)
		snprintf(d->name, sizeof d->name, "git.replace");
	if (strcmp(d->name, "git.push") == 0 ||
	    strcmp(d->name, "git.revert") == 0)
		snprintf(
		    d->lease, sizeof d->lease, "git:%.600s#%.200s", url, ref);
	return 0;
}

static void
rb_fx_git_req(
    const struct rb_fx_call *c, enum effects_git_op op, struct effects_git *g)
{
	memset(g, 0, sizeof *g);
	g->op = op;
	g->handle = (int)json_integer_value(json_object_get(c->req, "handle"));
	g->url = json_string_value(json_object_get(c->req, "url"));
	g->ref = json_string_value(json_object_get(c->req, "ref"));
	g->path = json_string_value(json_object_get(c->req, "path"));
}

/* git.checkout(url, {ref, user, token, ssh_key}): the credentials are
 * secrets, resolved here and wiped after. */
static int
rb_fx_git_checkout(struct rb_fx_call *c, struct err *err)
{
	struct effects_git g;
	struct effects_git_res res;
	struct buf tok, key;
	int rc = -1;

	rb_fx_git_req(c, EFFECTS_GIT_CHECKOUT, &g);
	buf_init(&tok, (size_t)1 << 16);
	buf_init(&key, (size_t)1 << 16);
	effects_git_res_init(&res);
	g.user = json_string_value(json_object_get(c->req, "user"));
	if ((json_object_get(c->req, "token") &&
	        rb_secrets_text(&c->e->secrets,
	            json_object_get(c->req, "token"), &tok, err) == -1) ||
	    (json_object_get(c->req, "ssh_key") &&
	        rb_secrets_text(&c->e->secrets,
	            json_object_get(c->req, "ssh_key"), &key, err) == -1))
		goto out;
	if (json_object_get(c->req, "token")) {
		g.token = buf_str(&tok);
		g.token_len = tok.len;
	}
	if (json_object_get(c->req, "ssh_key")) {
		g.ssh_key = buf_str(&key);
		g.ssh_key_len = key.len;
	}
	if (c->e->fx->git == NULL) {
		err_set(err, ERR_FAILED, "git: not available here");
		goto out;
	}
	if (c->e->fx->git(c->e->fx->ctx, &g, &res, err) == -1)
		goto out;
	json_object_set_new(c->reply, "handle", json_integer(res.handle));
	json_object_set_new(c->reply, "commit", json_string(res.id));
	json_object_set_new(c->result, "commit", json_string(res.id));
	/* what the plan was made against: a branch that moved since makes
	 * the plan stale (owl apply) */
	rb_fx_saw(c, -1, res.id, strlen(res.id));
	rc = 0;
out:
	effects_git_res_done(&res);
	rb_fx_wipe(&tok);
	rb_fx_wipe(&key);
	return rc;
}

static int
rb_fx_git_read(struct rb_fx_call *c, struct err *err)
{
	struct effects_git g;
	struct effects_git_res res;
	int rc = -1;

	rb_fx_git_req(c, EFFECTS_GIT_READ, &g);
	effects_git_res_init(&res);
	if (c->e->fx->git(c->e->fx->ctx, &g, &res, err) == -1)
		goto out;
	if (res.missing) {
		json_object_set_new(c->reply, "missing", json_true());
		json_object_set_new(c->result, "missing", json_true());
	} else {
		json_object_set_new(c->reply, "content",
		    rb_fx_text(c->e, buf_str(&res.content), res.content.len));
		json_object_set_new(c->result, "bytes",
		    json_integer((json_int_t)res.content.len));
	}
	rb_fx_saw(c, res.missing ? -2 : -1, buf_str(&res.content),
	    res.missing ? 0 : res.content.len);
	if (res.missing && c->seen != NULL)
		json_object_set_new(c->seen, "missing", json_true());
	rc = 0;
out:
	rb_fx_wipe(&res.content);
	effects_git_res_done(&res);
	return rc;
}

/* Masks every string of the history (authors, subjects, contents). */
static json_t *
rb_fx_git_masked(struct rb_fx_call *c, const json_t *log)
{
	json_t *out = json_array(), *e, *v, *m;
	const char *k;
	size_t i;

	json_array_foreach(log, i, e)
	{
		m = json_object();
		json_object_foreach((json_t *)e, k, v)
		{
			if (json_is_string(v))
				json_object_set_new(m, k,
				    rb_fx_text(c->e, json_string_value(v),
				        json_string_length(v)));
			else
				json_object_set(m, k, v);
		}
		json_array_append_new(out, m);
	}
	return out;
}

static int
rb_fx_git_log(struct rb_fx_call *c, struct err *err)
{
	struct effects_git g;
	struct effects_git_res res;
	int rc = -1;

	rb_fx_git_req(c, EFFECTS_GIT_LOG, &g);
	g.limit = (int)json_integer_value(json_object_get(c->req, "limit"));
	effects_git_res_init(&res);
	if (c->e->fx->git(c->e->fx->ctx, &g, &res, err) == -1)
		goto out;
	json_object_set_new(c->reply, "log", rb_fx_git_masked(c, res.log));
	{
		char *t = json_dumps(res.log, JSON_COMPACT | JSON_SORT_KEYS);
		if (t != NULL)
			rb_fx_saw(c, -1, t, strlen(t));
		free(t);
	}
	json_object_set_new(c->result, "commits",
	    json_integer((json_int_t)json_array_size(res.log)));
	rc = 0;
out:
	effects_git_res_done(&res);
	return rc;
}

/* The diff of a staged edit against the work copy's current content. */
static int
rb_fx_git_diff(struct rb_fx_call *c, const char *data, size_t n, int replace,
    struct err *err)
{
	struct effects_git g;
	struct effects_git_res cur;
	char shown[1100];
	struct buf d, m;
	int rc = -1;

	rb_fx_git_req(c, EFFECTS_GIT_READ, &g);
	effects_git_res_init(&cur);
	buf_init(&d, EFFECTS_BODY_MAX);
	buf_init(&m, 0);
	if (c->e->fx->git(c->e->fx->ctx, &g, &cur, err) == -1)
		goto out;
	if (replace &&
	    mask_apply(c->e->secrets.mask, buf_str(&cur.content),
	        cur.content.len, &m, err) == 0 &&
	    m.len != cur.content.len) {
		err_set(err, ERR_FAILED,
		    "git.replace %s: the file holds a secret value, and the "
		    "runbook only saw it masked; write it whole with git.write",
		    g.path);
		goto out;
	}
	if (mask_contains(c->e->secrets.mask, data, n) ||
	    mask_contains(
	        c->e->secrets.mask, buf_str(&cur.content), cur.content.len)) {
		c->diff = json_string("content changed (holds a secret)");
		rc = 0;
		goto out;
	}
	snprintf(shown, sizeof shown, "/%s", g.path); /* a/PATH, b/PATH */
	if (rb_diff_unified(cur.missing ? NULL : buf_str(&cur.content),
	        cur.content.len, data, n, shown, &d, err) == -1)
		goto out;
	json_object_set_new(c->result, "changed", json_boolean(d.len > 0));
	if (d.len > c->e->max_diffs - c->e->diff_bytes) {
		c->diff = json_string("(diff not kept: this run's diffs "
		                      "passed their ceiling)");
	} else {
		c->e->diff_bytes += d.len;
		c->diff = rb_fx_text(c->e, buf_str(&d), d.len);
	}
	rc = 0;
out:
	rb_fx_wipe(&cur.content);
	effects_git_res_done(&cur);
	buf_done(&d);
	buf_done(&m);
	return rc;
}

/* git.write and git.replace: the edit is staged in the private work
 * copy (nothing leaves it before git.push), in a dry-run too, so that
 * the reads, the commit and the plan's diffs that follow see it. */
static int
rb_fx_git_write(struct rb_fx_call *c, struct err *err)
{
	const char *op = json_string_value(json_object_get(c->req, "op"));
	struct effects_git g;
	struct effects_git_res res;
	struct buf data;
	int rc = -1;

	rb_fx_git_req(c, EFFECTS_GIT_WRITE, &g);
	buf_init(&data, EFFECTS_BODY_MAX);
	effects_git_res_init(&res);
	if (rb_secrets_text(&c->e->secrets, json_object_get(c->req, "content"),
	        &data, err) == -1 ||
	    rb_fx_git_diff(c, buf_str(&data), data.len,
	        op != NULL && strcmp(op, "replace") == 0, err) == -1)
		goto out;
	g.data = buf_str(&data);
	g.len = data.len;
	json_object_set_new(
	    c->result, "bytes", json_integer((json_int_t)data.len));
	if (c->e->fx->git(c->e->fx->ctx, &g, &res, err) == -1)
		goto out;
	rc = 0;
out:
	effects_git_res_done(&res);
	rb_fx_wipe(&data);
	return rc;
}

/* "Owl-Incident: INC-42\nOwl-Run: 17\n": where a commit came from. */
static void
rb_fx_git_trailer(const struct rb_effect *e, char *out, size_t n)
{
	int k = 0;

	out[0] = '\0';
	if (e->incident > 0)
		k = snprintf(
		    out, n, "Owl-Incident: INC-%lld\n", (long long)e->incident);
	if (k >= 0 && (size_t)k < n)
		snprintf(out + k, n - (size_t)k, "Owl-Run: %lld\n",
		    (long long)e->run_id);
}

static void
rb_fx_git_author(const struct rb_effect *e, char *email, size_t n)
{
	snprintf(email, n, "%s@owl", e->actor[0] ? e->actor : "owl");
}

/* The message as given, a blank line, the trailer. */
static int
rb_fx_git_message(struct rb_fx_call *c, char *msg, size_t n, struct err *err)
{
	const char *m = json_string_value(json_object_get(c->req, "message"));
	char trailer[128];
	size_t len;

	if (m == NULL || m[strspn(m, " \t\r\n")] == '\0')
		return err_set(err, ERR_USAGE,
		    "git.commit: give a commit message (what and why)");
	len = strlen(m);
	while (len > 0 && (m[len - 1] == '\n' || m[len - 1] == ' '))
		len--;
	if (len > RB_FX_GIT_MSG_MAX - 200)
		return err_set(err, ERR_USAGE,
		    "git.commit: a message of at most %d bytes",
		    RB_FX_GIT_MSG_MAX - 200);
	rb_fx_git_trailer(c->e, trailer, sizeof trailer);
	snprintf(msg, n, "%.*s\n\n%s", (int)len, m, trailer);
	return 0;
}

static int
rb_fx_git_commit(struct rb_fx_call *c, struct err *err)
{
	char msg[RB_FX_GIT_MSG_MAX], email[ACTOR_MAX + 8];
	struct effects_git g;
	struct effects_git_res res;
	int rc = -1;

	rb_fx_git_req(c, EFFECTS_GIT_COMMIT, &g);
	effects_git_res_init(&res);
	if (rb_fx_git_message(c, msg, sizeof msg, err) == -1)
		goto out;
	rb_fx_git_author(c->e, email, sizeof email);
	g.message = msg;
	g.name = c->e->actor[0] ? c->e->actor : "owl";
	g.email = email;
	/* the plan shows the message as it will be pushed */
	c->diff = rb_fx_text(c->e, msg, strlen(msg));
	if (c->e->fx->git(c->e->fx->ctx, &g, &res, err) == -1)
		goto out;
	json_object_set_new(c->reply, "commit", json_string(res.id));
	json_object_set_new(c->result, "commit", json_string(res.id));
	rc = 0;
out:
	effects_git_res_done(&res);
	return rc;
}

/* The plan's account of a push: the commits it sends, one subject a line,
 * without their ids: a dry-run's commits are throwaway ones (their ids
 * hold the time and the run), and two identical plans hash the same. */
static void
rb_fx_git_outgoing_note(struct rb_fx_call *c, const json_t *log)
{
	struct buf b;
	const json_t *e;
	size_t i;
	char line[400];

	buf_init(&b, (size_t)1 << 20);
	snprintf(line, sizeof line, "%zu commit%s to push:\n",
	    json_array_size(log), json_array_size(log) == 1 ? "" : "s");
	buf_adds(&b, line, NULL);
	json_array_foreach(log, i, e)
	{
		snprintf(line, sizeof line, "- %s\n",
		    json_string_value(json_object_get(e, "subject"))
		        ? json_string_value(json_object_get(e, "subject"))
		        : "");
		buf_adds(&b, line, NULL);
	}
	c->diff = rb_fx_text(c->e, buf_str(&b), b.len);
	buf_done(&b);
}

/* git.push: the commits it sends are listed in the result and the plan
 * (with their messages); a dry-run sends nothing. */
static int
rb_fx_git_push(struct rb_fx_call *c, struct err *err)
{
	struct effects_git g;
	struct effects_git_res out, res;
	int rc = -1;

	rb_fx_git_req(c, EFFECTS_GIT_OUTGOING, &g);
	effects_git_res_init(&out);
	effects_git_res_init(&res);
	if (c->e->fx->git(c->e->fx->ctx, &g, &out, err) == -1)
		goto out;
	json_object_set_new(c->result, "commits", rb_fx_git_masked(c, out.log));
	rb_fx_git_outgoing_note(c, out.log);
	g.op = EFFECTS_GIT_PUSH;
	if (c->e->fx->git(c->e->fx->ctx, &g, &res, err) == -1)
		goto out;
	c->simulated = res.simulated;
	json_object_set_new(c->reply, "commits",
	    json_integer((json_int_t)json_array_size(out.log)));
	if (!res.simulated) {
		json_object_set_new(c->reply, "from", json_string(res.from));
		json_object_set_new(c->reply, "to", json_string(res.id));
		json_object_set_new(c->result, "from", json_string(res.from));
		json_object_set_new(c->result, "to", json_string(res.id));
	}
	rc = 0;
out:
	effects_git_res_done(&out);
	effects_git_res_done(&res);
	return rc;
}

/* git.revert: the undo of the checkout's pushes, as revert commits on
 * top of whatever the branch holds now (never a history rewrite). */
static int
rb_fx_git_revert(struct rb_fx_call *c, struct err *err)
{
	char trailer[128], email[ACTOR_MAX + 8];
	struct effects_git g;
	struct effects_git_res res;
	int rc = -1;

	rb_fx_git_req(c, EFFECTS_GIT_REVERT, &g);
	effects_git_res_init(&res);
	rb_fx_git_trailer(c->e, trailer, sizeof trailer);
	rb_fx_git_author(c->e, email, sizeof email);
	g.message = trailer;
	g.name = c->e->actor[0] ? c->e->actor : "owl";
	g.email = email;
	if (c->e->fx->git(c->e->fx->ctx, &g, &res, err) == -1)
		goto out;
	c->simulated = res.simulated;
	if (!res.simulated) {
		json_object_set_new(c->reply, "commit", json_string(res.id));
		json_object_set_new(c->result, "commit", json_string(res.id));
	}
	rc = 0;
out:
	effects_git_res_done(&res);
	return rc;
}

/* A git write in full, for the plan and its hash: a staged file's path
 * and content (its SHA-256; the diff shows the lines), or a commit's
 * message as the runbook gave it (the trailer names the run, which
 * differs between a plan and its apply). */
static json_t *
rb_fx_git_show(
    struct rb_effect *e, const json_t *req, json_t *names, struct err *err)
{
	const json_t *content = json_object_get(req, "content");
	const json_t *msg = json_object_get(req, "message");
	json_t *p = json_object(), *v;

	if (p == NULL)
		return err_set(err, ERR_FAILED, "out of memory"), NULL;
	if (json_is_string(json_object_get(req, "path")))
		json_object_set(p, "path", json_object_get(req, "path"));
	if (content != NULL) {
		v = rb_secrets_show(&e->secrets, content, names, err);
		if (v == NULL || !json_is_string(v)) {
			json_decref(v);
			json_decref(p);
			return err_set(err, ERR_USAGE,
			           "git.write: the content must be text"),
			       NULL;
		}
		rb_fx_show_hash(
		    p, "content", json_string_value(v), json_string_length(v));
		json_decref(v);
	}
	if (json_is_string(msg))
		rb_fx_show_blob(p, "message", json_string_value(msg),
		    json_string_length(msg));
	return p;
}

const struct rb_fx_kind rb_fx_git_checkout_kind = {
	.name = "git.checkout",
	.access = RB_FX_READ,
	.describe = rb_fx_git_describe,
	.perform = rb_fx_git_checkout,
};

const struct rb_fx_kind rb_fx_git_read_kind = {
	.name = "git.read",
	.access = RB_FX_READ,
	.describe = rb_fx_git_describe,
	.perform = rb_fx_git_read,
};

const struct rb_fx_kind rb_fx_git_log_kind = {
	.name = "git.log",
	.access = RB_FX_READ,
	.describe = rb_fx_git_describe,
	.perform = rb_fx_git_log,
};

const struct rb_fx_kind rb_fx_git_write_kind = {
	.name = "git.write",
	.access = RB_FX_WRITE,
	.describe = rb_fx_git_describe,
	.perform = rb_fx_git_write,
	.show = rb_fx_git_show,
};

/* its diff is the message as pushed, trailer and all (Owl-Run names the
 * run): the payload's message is what the hash covers */
const struct rb_fx_kind rb_fx_git_commit_kind = {
	.name = "git.commit",
	.access = RB_FX_WRITE,
	.describe = rb_fx_git_describe,
	.perform = rb_fx_git_commit,
	.show = rb_fx_git_show,
	.diff_unhashed = 1,
};

const struct rb_fx_kind rb_fx_git_push_kind = {
	.name = "git.push",
	.access = RB_FX_WRITE,
	.describe = rb_fx_git_describe,
	.perform = rb_fx_git_push,
};

const struct rb_fx_kind rb_fx_git_revert_kind = {
	.name = "git.revert",
	.access = RB_FX_WRITE,
	.describe = rb_fx_git_describe,
	.perform = rb_fx_git_revert,
};
