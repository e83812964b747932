#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int dj_fail(struct dj_error *e, int code, const char *field, const char *fmt, ...)
{
	if (!e)
		return code;
	e->code = code;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

void dj_error_clear(struct dj_error *e)
{
	if (!e)
		return;
	json_decref(e->details);
	memset(e, 0, sizeof *e);
}

const char *dj_code_name(int code)
{
	switch (code) {
	case DJ_OK: return "ok";
	case DJ_EINVAL: return "invalid";
	case DJ_EAUTH: return "unauthorized";
	case DJ_EFORBIDDEN: return "forbidden";
	case DJ_ENOTFOUND: return "not_found";
	case DJ_ECONFLICT: return "conflict";
	case DJ_ETOOBIG: return "too_big";
	case DJ_ELOCKED: return "locked";
	case DJ_EDB: return "database";
	case DJ_ELIMIT: return "too_many";
	case DJ_EUNAVAIL: return "unavailable";
	default: return "io";
	}
}
