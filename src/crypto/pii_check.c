/* pii_check.c — does the key file open this database's sealed data?
 *
 * Every server on one database must load the same key file: a server with
 * another key would read every 身份证号 as unreadable and seal new ones that
 * the others cannot open.  A value sealed with the key is kept in table
 * `setting`; a key that cannot open it is refused before anything is read. */
#include "crypto/pii.h"

#include <stdlib.h>
#include <string.h>

#include "db/db.h"

#define CHECK_KEY "crypto.key_check"
#define CHECK_PLAIN "dangjian key check"

/* A database from before the check value: its first sealed 身份证号 says. */
static int check_old_rows(struct db *db, bool *ok, struct dj_error *err)
{
	*ok = true;
	json_t *r = db_row(db, "SELECT id, id_card_enc FROM member WHERE id_card_enc IS NOT NULL ORDER BY id LIMIT 1",
			   DB_NOARGS, err);
	if (!r)
		return err->code == DJ_ENOTFOUND ? (dj_error_clear(err), 0) : err->code;
	char *plain = pii_open(json_integer_value(json_object_get(r, "id")), "id_card",
			       json_string_value(json_object_get(r, "id_card_enc")));
	*ok = plain != NULL;
	free(plain);
	json_decref(r);
	return 0;
}

int pii_key_check(struct db *db, const char *key_path, struct dj_error *err)
{
	char *sealed = NULL;
	bool ok = true;
	int rc = db_text1(db, &sealed, "SELECT value FROM setting WHERE key = '" CHECK_KEY "'", DB_NOARGS, err);
	if (rc == DJ_ENOTFOUND) {
		dj_error_clear(err);
		if ((rc = check_old_rows(db, &ok, err)))
			return rc;
		if (ok) {	/* first use: this key becomes the database's */
			char *s = pii_seal(0, "key_check", CHECK_PLAIN);
			rc = db_run(db, "INSERT INTO setting(key, value, note) VALUES ('" CHECK_KEY "', ?,"
					" '加密密钥校验值（由密钥文件加密，勿修改）') ON CONFLICT (key) DO NOTHING",
				    DB_ARGS(DB_T(s)), err);
			free(s);
			if (rc)
				return rc;
		}
	} else if (rc) {
		return rc;
	} else {
		char *plain = sealed ? pii_open(0, "key_check", sealed) : NULL;
		ok = plain && strcmp(plain, CHECK_PLAIN) == 0;
		free(plain);
		free(sealed);
	}
	/* The wrong key is bad input (the operator's --key), not a failure:
	 * the CLI and `serve` answer with the message and exit status 2. */
	if (!ok)
		return dj_fail(err, DJ_EINVAL, "key",
			       "the key file %s cannot read this database's personal data: it was sealed with another key."
			       " Every server on one database needs the same key file (copy it from the first server)",
			       key_path);
	return 0;
}
