/* db_where.c — WHERE clauses from the filters a request really carries. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static void where_append(struct db_where *w, const char *s)
{
	size_t n = strlen(s);
	if (w->len + n + 1 > w->cap) {
		w->cap = (w->len + n + 1) * 2;
		w->sql = xrealloc(w->sql, w->cap);
	}
	memcpy(w->sql + w->len, s, n + 1);
	w->len += n;
}

void db_where_arg(struct db_where *w, db_val v)
{
	/* A programming error, not input: the filters are fixed per list. */
	if (w->n >= DB_WHERE_MAX)
		abort();
	w->args[w->n++] = v;
}

void db_where_add(struct db_where *w, const char *cond, int n, const db_val *v)
{
	where_append(w, w->len ? " AND (" : " WHERE (");
	where_append(w, cond);
	where_append(w, ")");
	for (int i = 0; i < n; i++)
		db_where_arg(w, v[i]);
}

const char *db_where_sql(const struct db_where *w)
{
	return w->sql ? w->sql : "";
}

void db_where_free(struct db_where *w)
{
	free(w->sql);
	w->sql = NULL;
	w->len = w->cap = 0;
	w->n = 0;
}
