/* err.c: first-failure-wins error records (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
err_init(struct err *err)
{
	err->code = ERR_OK;
	err->msg[0] = '\0';
}

int
err_set(struct err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err->code != ERR_OK)
		return -1;
	err->code = code == ERR_OK ? ERR_FAILED : code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void
err_prefix(struct err *err, const char *fmt, ...)
{
	char pre[ERR_MSG_MAX], old[ERR_MSG_MAX];
	va_list ap;

	if (err == NULL || err->code == ERR_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	size_t n = strlen(pre);
	if (n >= sizeof err->msg)
		n = sizeof err->msg - 1;
	memcpy(err->msg, pre, n);
	size_t m = strlen(old);
	if (m > sizeof err->msg - 1 - n)
		m = sizeof err->msg - 1 - n;
	memcpy(err->msg + n, old, m);
	err->msg[n + m] = '\0';
}

int
err_isset(const struct err *err)
{
	return err != NULL && err->code != ERR_OK;
}
