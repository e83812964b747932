/* decode.c — the query string and JSON bodies (decode.h). */
#include "http/decode.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/valid.h"

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decode s[0..n) as libmicrohttpd does: '+' is a space, a '%' not
 * followed by two hex digits stays as it is.  NULL unless it is UTF-8 text. */
static char *unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		int h, l;
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < n && (h = hex(s[i + 1])) >= 0 && (l = hex(s[i + 2])) >= 0) {
			*o++ = (char)(h << 4 | l);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = 0;
	if (!utf8_valid(out, (size_t)(o - out))) {
		free(out);
		return NULL;
	}
	return out;
}

int query_parse(const char *s, size_t len, struct query *q, struct dj_error *err)
{
	q->v = NULL;
	q->n = 0;
	size_t count = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '&')
			count++;
	if (count + 1 > QUERY_MAX_ARGS)	/* counted before anything is decoded */
		return dj_fail(err, DJ_EINVAL, "", "查询参数过多（最多 %d 个）", QUERY_MAX_ARGS);
	q->v = xcalloc(count + 1, sizeof *q->v);
	const char *p = s, *end = s + len;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		if (stop > p) {	/* "a&&b": nothing between */
			const char *eq = memchr(p, '=', (size_t)(stop - p));
			struct query_arg *a = &q->v[q->n++];
			a->key = unescape(p, (size_t)((eq ? eq : stop) - p));
			if (!a->key || (eq && !(a->value = unescape(eq + 1, (size_t)(stop - eq - 1))))) {
				query_free(q);
				return dj_fail(err, DJ_EINVAL, "", "查询参数不是有效的 UTF-8");
			}
		}
		p = stop + 1;
	}
	return 0;
}

const char *query_get(const struct query *q, const char *key)
{
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->v[i].key, key) == 0)
			return q->v[i].value;
	return NULL;
}

void query_free(struct query *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->v[i].key);
		free(q->v[i].value);
	}
	free(q->v);
	q->v = NULL;
	q->n = 0;
}

json_t *body_decode_json(const char *data, size_t len, struct dj_error *err)
{
	if (!utf8_valid(data, len)) {
		dj_fail(err, DJ_EINVAL, "", "请求体不是有效的 UTF-8");
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		dj_fail(err, DJ_EINVAL, "", "请求体不是有效的 JSON（第%d行第%d列：%s）", je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		dj_fail(err, DJ_EINVAL, "", "请求体应为 JSON 对象");
		return NULL;
	}
	return j;
}
