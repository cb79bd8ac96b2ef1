/* effects.c: the result helpers shared by the effects implementations
 * (see effects.h). */
#include "effects.h"

#include <stdlib.h>
#include <string.h>

void
effects_http_res_init(struct effects_http_res *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->body, EFFECTS_BODY_MAX);
}

void
effects_http_res_done(struct effects_http_res *r)
{
	buf_done(&r->body);
	json_decref(r->headers);
	r->headers = NULL;
}

void
effects_exec_res_init(struct effects_exec_res *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->out, EFFECTS_OUTPUT_MAX);
	buf_init(&r->err, EFFECTS_OUTPUT_MAX);
}

void
effects_exec_res_done(struct effects_exec_res *r)
{
	buf_done(&r->out);
	buf_done(&r->err);
}

void
effects_file_res_init(struct effects_file_res *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->content, EFFECTS_BODY_MAX);
}

void
effects_file_res_done(struct effects_file_res *r)
{
	buf_done(&r->content);
}

void
effects_git_res_init(struct effects_git_res *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->content, EFFECTS_BODY_MAX);
}

void
effects_git_res_done(struct effects_git_res *r)
{
	buf_done(&r->content);
	json_decref(r->log);
	r->log = NULL;
}

void
effects_free(struct effects *fx)
{
	if (fx == NULL)
		return;
	if (fx->free != NULL)
		fx->free(fx->ctx);
	free(fx);
}

int
effects_http_is_read(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}
