/* idempotency.c — the stored first answers of Idempotency-Keys
 * (idempotency.h), and the module entry that creates their table. */
#include "http/idempotency.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "http/decode.h"
#include "platform/module.h"

bool idem_key_valid(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n > 255)
		return false;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return false;
	return true;
}

void idem_hash(const char *method, const char *path, const struct query *q, const void *body, size_t len,
	       char out[65])
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, pii_request_key(), crypto_generichash_KEYBYTES, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)method, strlen(method) + 1);
	crypto_generichash_update(&st, (const unsigned char *)path, strlen(path) + 1);
	/* Each argument as key NUL value NUL ("?flag" as key SOH), in the order
	 * sent; none adds nothing, so answers stored before the query counted
	 * still match their retries. */
	for (size_t i = 0; q && i < q->n; i++) {
		const char *k = q->v[i].key, *v = q->v[i].value;
		crypto_generichash_update(&st, (const unsigned char *)k, strlen(k) + 1);
		crypto_generichash_update(&st, (const unsigned char *)(v ? v : "\x01"), v ? strlen(v) + 1 : 1);
	}
	if (q && q->n)
		crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
	if (len)
		crypto_generichash_update(&st, body, len);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, 65, h, sizeof h);
}

int idem_lookup(struct db *db, int64_t user_id, const char *key, const char *hash, int64_t now, bool *found,
		bool *same, int *status, char **body, struct dj_error *err)
{
	*found = *same = false;
	*body = NULL;
	json_t *rows = db_rows(db, "SELECT request_hash, status, body FROM idempotency"
				   " WHERE user_id = ? AND idem_key = ? AND created_at > ?",
			       DB_ARGS(DB_I(user_id), DB_T(key), DB_I(now - IDEM_TTL)), err);
	if (!rows)
		return err->code;
	json_t *r = json_array_get(rows, 0);
	if (r) {
		*found = true;
		*same = strcmp(json_string_value(json_object_get(r, "request_hash")), hash) == 0;
		*status = (int)json_integer_value(json_object_get(r, "status"));
		*body = xstrdup(json_string_value(json_object_get(r, "body")));
	}
	json_decref(rows);
	return 0;
}

int idem_store(struct db *db, int64_t user_id, const char *key, const char *hash, int status, const char *body,
	       int64_t now, struct dj_error *err)
{
	/* Expired answers go first, every user's (found by age): the key may
	 * be used again, and a user who never posts again leaves none behind. */
	int rc = db_run(db, "DELETE FROM idempotency WHERE created_at <= ?", DB_ARGS(DB_I(now - IDEM_TTL)), err);
	if (!rc)
		rc = db_run(db, "INSERT INTO idempotency(user_id, idem_key, request_hash, status, body, created_at)"
				" VALUES (?, ?, ?, ?, ?, ?)",
			    DB_ARGS(DB_I(user_id), DB_T(key), DB_T(hash), DB_I(status), DB_T(body), DB_I(now)), err);
	return rc;
}

static const char *const idempotency_migrations[] = {
	/* 1: the first answer of each (user, key), kept 24 hours. */
	"CREATE TABLE idempotency (\n"
	"  user_id BIGINT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL,\n"
	"  status BIGINT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL,\n"
	"  PRIMARY KEY (user_id, idem_key)){{NOROWID}};\n",
	/* 2: expired answers of all users found by age (idem_store). */
	"CREATE INDEX idempotency_created ON idempotency(created_at);\n",
	NULL,
};

/* Stored answers: no kept answer reads them, so writing one moves no scope. */
static const struct db_table_scope idempotency_tables[] = {
	{"idempotency", 0},
	{0},
};

const struct module idempotency_module = {
	.name = "idempotency",
	.label = "重试安全的提交",
	.migrations = idempotency_migrations,
	.tables = idempotency_tables,
};
